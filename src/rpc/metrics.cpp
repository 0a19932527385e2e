#include "ampd/rpc/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ampd::rpc {
namespace {

bool valid_name(std::string_view s, bool allow_colon) {
    if (s.empty()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool ok = alpha || (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

void check_metric_name(const std::string& name) {
    if (!valid_name(name, true)) throw std::invalid_argument("invalid metric name: " + name);
}

void check_label_names(const std::vector<std::string>& names, bool histogram) {
    for (const auto& n : names) {
        // "__" prefixes are reserved for Prometheus itself; "le" is the bucket label.
        if (!valid_name(n, false) || n.starts_with("__") || (histogram && n == "le")) {
            throw std::invalid_argument("invalid metric label name: " + n);
        }
    }
}

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", v);
}

void append_escaped(std::string& out, std::string_view s, bool quotes) {
    for (const char c : s) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (quotes && c == '"') {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

// `{a="x",b="y"}` with an optional extra label (le) last; empty when there are none.
std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
    if (names.empty() && extra_name.empty()) return {};
    std::string out = "{";
    for (size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += ',';
        out += names[i];
        out += "=\"";
        append_escaped(out, values[i], true);
        out += '"';
    }
    if (!extra_name.empty()) {
        if (!names.empty()) out += ',';
        out += extra_name;
        out += "=\"";
        out += extra_value;
        out += '"';
    }
    out += '}';
    return out;
}

void append_header(std::string& out, const std::string& name, const std::string& help,
                   std::string_view type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    append_escaped(out, help, false);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void render_family(std::string& out, const std::string& name, const CounterFamily& f) {
    f.for_each([&](const std::vector<std::string>& values, const Counter& c) {
        out += fmt::format("{}{} {}\n", name, label_set(f.label_names(), values), c.value());
    });
}

void render_family(std::string& out, const std::string& name, const GaugeFamily& f) {
    f.for_each([&](const std::vector<std::string>& values, const Gauge& g) {
        out += fmt::format("{}{} {}\n", name, label_set(f.label_names(), values),
                           format_value(g.value()));
    });
}

void render_family(std::string& out, const std::string& name, const HistogramFamily& f) {
    f.for_each([&](const std::vector<std::string>& values, const Histogram& h) {
        const Histogram::Snapshot snap = h.snapshot();
        const auto& names = f.label_names();
        for (size_t i = 0; i < snap.cumulative.size(); ++i) {
            const std::string le =
                i < h.bounds().size() ? format_value(h.bounds()[i]) : std::string("+Inf");
            out += fmt::format("{}_bucket{} {}\n", name, label_set(names, values, "le", le),
                               snap.cumulative[i]);
        }
        const std::string labels = label_set(names, values);
        out += fmt::format("{}_sum{} {}\n", name, labels, format_value(snap.sum));
        out += fmt::format("{}_count{} {}\n", name, labels, snap.count);
    });
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
    for (size_t i = 0; i < bounds_.size(); ++i) {
        if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1])) {
            throw std::invalid_argument("histogram bounds must be finite and strictly increasing");
        }
    }
    buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::observe(double value) {
    if (std::isnan(value)) return;
    // "le" is inclusive: the first bound >= value.
    const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
    const auto index = static_cast<size_t>(it - bounds_.begin());
    buckets_[index].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    s.cumulative.resize(bounds_.size() + 1);
    uint64_t running = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.cumulative[i] = running;
    }
    s.count = running;
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

std::vector<double> default_latency_buckets() {
    return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05,    0.1,    0.25,    0.5,    1.0,   2.5,    5.0,   10.0};
}

template <class T>
Family<T>::Family(std::vector<std::string> label_names, Factory make)
    : label_names_(std::move(label_names)), make_(std::move(make)) {}

template <class T>
T& Family<T>::with(const std::vector<std::string>& label_values) {
    if (label_values.size() != label_names_.size()) {
        throw std::invalid_argument(fmt::format("metric expects {} label values, got {}",
                                                label_names_.size(), label_values.size()));
    }
    {
        std::shared_lock lock(mutex_);
        if (const auto it = children_.find(label_values); it != children_.end()) {
            return *it->second;
        }
    }
    std::unique_lock lock(mutex_);
    auto& slot = children_[label_values];
    if (!slot) slot = make_();
    return *slot;
}

template <class T>
T& Family<T>::with(std::initializer_list<std::string_view> label_values) {
    std::vector<std::string> values;
    values.reserve(label_values.size());
    for (const auto v : label_values) values.emplace_back(v);
    return with(values);
}

template <class T>
void Family<T>::for_each(
    const std::function<void(const std::vector<std::string>&, const T&)>& f) const {
    std::shared_lock lock(mutex_);
    for (const auto& [values, child] : children_) f(values, *child);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <class F>
F& MetricsRegistry::family(const std::string& name, const std::string& help,
                           std::vector<std::string> label_names, std::vector<double> bounds,
                           typename F::Factory make) {
    check_metric_name(name);
    check_label_names(label_names, std::is_same_v<F, HistogramFamily>);
    std::lock_guard lock(mutex_);
    if (const auto it = metrics_.find(name); it != metrics_.end()) {
        auto* existing = std::get_if<std::unique_ptr<F>>(&it->second.body);
        if (existing == nullptr || (*existing)->label_names() != label_names ||
            it->second.bounds != bounds) {
            throw std::invalid_argument("metric " + name + " already registered differently");
        }
        return **existing;
    }
    auto f = std::make_unique<F>(std::move(label_names), std::move(make));
    F& ref = *f;
    metrics_.emplace(name, Metric{help, std::move(f), std::move(bounds)});
    return ref;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help) {
    return counter_family(name, help, {}).with(std::vector<std::string>{});
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help) {
    return gauge_family(name, help, {}).with(std::vector<std::string>{});
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      std::vector<double> bounds) {
    return histogram_family(name, help, {}, std::move(bounds)).with(std::vector<std::string>{});
}

CounterFamily& MetricsRegistry::counter_family(const std::string& name, const std::string& help,
                                               std::vector<std::string> label_names) {
    return family<CounterFamily>(name, help, std::move(label_names), {},
                                 [] { return std::make_unique<Counter>(); });
}

GaugeFamily& MetricsRegistry::gauge_family(const std::string& name, const std::string& help,
                                           std::vector<std::string> label_names) {
    return family<GaugeFamily>(name, help, std::move(label_names), {},
                               [] { return std::make_unique<Gauge>(); });
}

HistogramFamily& MetricsRegistry::histogram_family(const std::string& name, const std::string& help,
                                                   std::vector<std::string> label_names,
                                                   std::vector<double> bounds) {
    Histogram probe(bounds);  // validates the bounds now rather than at first use
    return family<HistogramFamily>(name, help, std::move(label_names), bounds,
                                   [bounds] { return std::make_unique<Histogram>(bounds); });
}

void MetricsRegistry::gauge_callback(const std::string& name, const std::string& help,
                                     std::function<double()> read) {
    check_metric_name(name);
    if (!read) throw std::invalid_argument("metric " + name + " has no callback");
    std::lock_guard lock(mutex_);
    if (!metrics_.emplace(name, Metric{help, std::move(read), {}}).second) {
        throw std::invalid_argument("metric " + name + " already registered");
    }
}

std::string MetricsRegistry::render() const {
    // Metrics are never removed, so pointers taken under the lock stay valid
    // while rendering without it (callbacks may then take their own locks).
    std::vector<std::pair<const std::string*, const Metric*>> metrics;
    {
        std::lock_guard lock(mutex_);
        metrics.reserve(metrics_.size());
        for (const auto& [name, metric] : metrics_) metrics.emplace_back(&name, &metric);
    }
    std::string out;
    for (const auto& [name, metric] : metrics) {
        std::visit(
            [&, &name = *name, &help = metric->help](const auto& body) {
                using B = std::decay_t<decltype(body)>;
                if constexpr (std::is_same_v<B, std::unique_ptr<CounterFamily>>) {
                    append_header(out, name, help, "counter");
                    render_family(out, name, *body);
                } else if constexpr (std::is_same_v<B, std::unique_ptr<GaugeFamily>>) {
                    append_header(out, name, help, "gauge");
                    render_family(out, name, *body);
                } else if constexpr (std::is_same_v<B, std::unique_ptr<HistogramFamily>>) {
                    append_header(out, name, help, "histogram");
                    render_family(out, name, *body);
                } else {
                    append_header(out, name, help, "gauge");
                    // A failing reader must not take the whole page down with it.
                    double value = std::nan("");
                    try {
                        value = body();
                    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch)
                    }
                    out += fmt::format("{} {}\n", name, format_value(value));
                }
            },
            metric->body);
    }
    return out;
}

}  // namespace ampd::rpc
