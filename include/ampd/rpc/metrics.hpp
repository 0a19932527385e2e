// Prometheus metrics in the text exposition format (version 0.0.4), served
// on GET /metrics.
//
// Updates are lock-free atomics, so handlers on every worker thread can
// record without contending; only creating a new labelled child or a new
// metric takes a lock. Metrics are never removed, so the references the
// registry hands out stay valid for its lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ampd::rpc {

class Counter {
public:
    void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    [[nodiscard]] uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> value_{0};
};

class Gauge {
public:
    void set(double v) { value_.store(v, std::memory_order_relaxed); }
    void add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
    void sub(double d) { value_.fetch_sub(d, std::memory_order_relaxed); }
    [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

// Buckets with fixed upper bounds (the "le" labels); the +Inf bucket is
// implicit. Each observation increments one bucket, the count being their
// sum, so a rendering always has le="+Inf" equal to _count.
class Histogram {
public:
    // Strictly increasing finite bounds; throws std::invalid_argument otherwise.
    explicit Histogram(std::vector<double> bounds);

    // NaN is ignored: it has no bucket and would poison the sum.
    void observe(double value);

    struct Snapshot {
        std::vector<uint64_t> cumulative;  // per bound, then +Inf
        double sum = 0;
        uint64_t count = 0;
    };
    [[nodiscard]] Snapshot snapshot() const;
    [[nodiscard]] const std::vector<double>& bounds() const { return bounds_; }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
    std::atomic<double> sum_{0.0};
};

// Request latencies in seconds, from 50 µs (an in-memory read) to 10 s.
[[nodiscard]] std::vector<double> default_latency_buckets();

// A metric with labels: one child per distinct tuple of label values,
// created on first use. Keep label values to small closed sets (method
// names from the table, status codes); never put client-chosen text in one.
template <class T>
class Family {
public:
    using Factory = std::function<std::unique_ptr<T>()>;
    Family(std::vector<std::string> label_names, Factory make);

    // Throws std::invalid_argument if the number of values differs from the
    // number of label names.
    T& with(const std::vector<std::string>& label_values);
    T& with(std::initializer_list<std::string_view> label_values);

    [[nodiscard]] const std::vector<std::string>& label_names() const { return label_names_; }
    // Calls f(label_values, child) for every child, in label order.
    void for_each(const std::function<void(const std::vector<std::string>&, const T&)>& f) const;

private:
    std::vector<std::string> label_names_;
    Factory make_;
    mutable std::shared_mutex mutex_;
    std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class MetricsRegistry {
public:
    // Each call registers `name` or returns the metric already registered
    // under it with the same type and labels; a clash (other type, other
    // labels) or an invalid name throws std::invalid_argument.
    Counter& counter(const std::string& name, const std::string& help);
    Gauge& gauge(const std::string& name, const std::string& help);
    Histogram& histogram(const std::string& name, const std::string& help,
                         std::vector<double> bounds = default_latency_buckets());
    CounterFamily& counter_family(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names);
    GaugeFamily& gauge_family(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names);
    HistogramFamily& histogram_family(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> bounds = default_latency_buckets());
    // A gauge read when rendered (block height, pool size). `read` runs on
    // the thread serving /metrics, outside the registry lock.
    void gauge_callback(const std::string& name, const std::string& help,
                        std::function<double()> read);

    // Every metric, sorted by name, with # HELP and # TYPE lines.
    [[nodiscard]] std::string render() const;

private:
    using Body = std::variant<std::unique_ptr<CounterFamily>, std::unique_ptr<GaugeFamily>,
                              std::unique_ptr<HistogramFamily>, std::function<double()>>;
    struct Metric {
        std::string help;
        Body body;
        std::vector<double> bounds;  // histograms: part of the identity checked on reuse
    };
    template <class F>
    F& family(const std::string& name, const std::string& help,
              std::vector<std::string> label_names, std::vector<double> bounds,
              typename F::Factory make);

    mutable std::mutex mutex_;
    std::map<std::string, Metric> metrics_;
};

}  // namespace ampd::rpc
