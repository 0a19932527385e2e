#include "ampd/rpc/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ampd::rpc {
namespace {

// The exposition text read back: samples by "name{labels}", plus the
// HELP/TYPE of each metric. Fails the test on a line that does not follow
// the format.
struct Exposition {
    std::map<std::string, std::string> help;
    std::map<std::string, std::string> type;
    std::map<std::string, double> samples;
    std::vector<std::string> order;  // metric names in the order of their TYPE lines

    explicit Exposition(const std::string& text) {
        EXPECT_TRUE(text.empty() || text.back() == '\n');
        std::istringstream in(text);
        std::string line;
        while (std::getline(in, line)) {
            if (line.starts_with("# HELP ")) {
                const auto rest = line.substr(7);
                const auto sp = rest.find(' ');
                help[rest.substr(0, sp)] = rest.substr(sp + 1);
            } else if (line.starts_with("# TYPE ")) {
                const auto rest = line.substr(7);
                const auto sp = rest.find(' ');
                const std::string name = rest.substr(0, sp);
                EXPECT_TRUE(help.contains(name)) << "TYPE before HELP for " << name;
                type[name] = rest.substr(sp + 1);
                order.push_back(name);
            } else {
                // name{labels} value -- the value is after the last space
                // (label values may contain spaces).
                const auto sp = line.rfind(' ');
                if (sp == std::string::npos) {
                    ADD_FAILURE() << "not a sample: " << line;
                    continue;
                }
                const std::string key = line.substr(0, sp);
                const std::string value = line.substr(sp + 1);
                double v = 0;
                if (value == "+Inf") {
                    v = INFINITY;
                } else if (value == "-Inf") {
                    v = -INFINITY;
                } else if (value == "NaN") {
                    v = NAN;
                } else {
                    size_t used = 0;
                    v = std::stod(value, &used);
                    EXPECT_EQ(used, value.size()) << line;
                }
                EXPECT_FALSE(samples.contains(key)) << "duplicate sample " << key;
                samples[key] = v;
            }
        }
    }
    double at(const std::string& key) const {
        const auto it = samples.find(key);
        EXPECT_NE(it, samples.end()) << "no sample " << key;
        return it == samples.end() ? -1 : it->second;
    }
};

TEST(Metrics, CounterAndGauge) {
    MetricsRegistry r;
    Counter& c = r.counter("ampd_things_total", "Things seen.");
    c.inc();
    c.inc(41);
    Gauge& g = r.gauge("ampd_depth", "Current depth.");
    g.set(2.5);
    g.add(1);
    g.sub(0.25);
    const Exposition e(r.render());
    EXPECT_EQ(e.type.at("ampd_things_total"), "counter");
    EXPECT_EQ(e.help.at("ampd_things_total"), "Things seen.");
    EXPECT_EQ(e.at("ampd_things_total"), 42);
    EXPECT_EQ(e.type.at("ampd_depth"), "gauge");
    EXPECT_EQ(e.at("ampd_depth"), 3.25);
    EXPECT_EQ(c.value(), 42U);
    EXPECT_EQ(g.value(), 3.25);
}

TEST(Metrics, ExactTextOfASmallRegistry) {
    MetricsRegistry r;
    r.counter("b_total", "B.").inc(3);
    r.histogram("a_seconds", "A.", {0.5, 1}).observe(0.7);
    EXPECT_EQ(r.render(),
              "# HELP a_seconds A.\n"
              "# TYPE a_seconds histogram\n"
              "a_seconds_bucket{le=\"0.5\"} 0\n"
              "a_seconds_bucket{le=\"1\"} 1\n"
              "a_seconds_bucket{le=\"+Inf\"} 1\n"
              "a_seconds_sum 0.7\n"
              "a_seconds_count 1\n"
              "# HELP b_total B.\n"
              "# TYPE b_total counter\n"
              "b_total 3\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeAndInclusive) {
    MetricsRegistry r;
    Histogram& h = r.histogram("lat_seconds", "Latency.", {0.1, 0.5, 1.0});
    for (const double v : {0.05, 0.1, 0.2, 0.5, 0.7, 3.0, 1.0}) h.observe(v);
    h.observe(NAN);  // ignored
    const Exposition e(r.render());
    EXPECT_EQ(e.type.at("lat_seconds"), "histogram");
    EXPECT_EQ(e.at("lat_seconds_bucket{le=\"0.1\"}"), 2);  // 0.05, 0.1 (le is inclusive)
    EXPECT_EQ(e.at("lat_seconds_bucket{le=\"0.5\"}"), 4);
    EXPECT_EQ(e.at("lat_seconds_bucket{le=\"1\"}"), 6);
    EXPECT_EQ(e.at("lat_seconds_bucket{le=\"+Inf\"}"), 7);
    EXPECT_EQ(e.at("lat_seconds_count"), 7);
    EXPECT_NEAR(e.at("lat_seconds_sum"), 5.55, 1e-9);
}

TEST(Metrics, LabelledFamilies) {
    MetricsRegistry r;
    auto& calls = r.counter_family("rpc_calls_total", "Calls.", {"method", "outcome"});
    calls.with({"eth_call", "ok"}).inc(2);
    calls.with({"eth_call", "error"}).inc();
    calls.with({"eth_blockNumber", "ok"}).inc();
    auto& lat = r.histogram_family("rpc_seconds", "Latency.", {"method"}, {0.001, 0.01});
    lat.with({"eth_call"}).observe(0.002);
    const Exposition e(r.render());
    EXPECT_EQ(e.at("rpc_calls_total{method=\"eth_call\",outcome=\"ok\"}"), 2);
    EXPECT_EQ(e.at("rpc_calls_total{method=\"eth_call\",outcome=\"error\"}"), 1);
    EXPECT_EQ(e.at("rpc_calls_total{method=\"eth_blockNumber\",outcome=\"ok\"}"), 1);
    EXPECT_EQ(e.at("rpc_seconds_bucket{method=\"eth_call\",le=\"0.001\"}"), 0);
    EXPECT_EQ(e.at("rpc_seconds_bucket{method=\"eth_call\",le=\"0.01\"}"), 1);
    EXPECT_EQ(e.at("rpc_seconds_count{method=\"eth_call\"}"), 1);
    // The same child comes back for the same values.
    EXPECT_EQ(&calls.with({"eth_call", "ok"}), &calls.with({"eth_call", "ok"}));
    EXPECT_THROW(calls.with({"eth_call"}), std::invalid_argument);
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
    MetricsRegistry r;
    r.gauge_family("g", "Line one\nback\\slash", {"path"}).with({"a\"b\\c\nd e"}).set(1);
    const std::string text = r.render();
    EXPECT_NE(text.find("# HELP g Line one\\nback\\\\slash\n"), std::string::npos) << text;
    EXPECT_NE(text.find("g{path=\"a\\\"b\\\\c\\nd e\"} 1\n"), std::string::npos) << text;
    const Exposition e(text);
    EXPECT_EQ(e.at("g{path=\"a\\\"b\\\\c\\nd e\"}"), 1);
}

TEST(Metrics, SpecialValues) {
    MetricsRegistry r;
    r.gauge("inf_gauge", "x").set(INFINITY);
    r.gauge("neg_gauge", "x").set(-INFINITY);
    r.gauge("nan_gauge", "x").set(NAN);
    r.gauge("small_gauge", "x").set(1e-7);
    const Exposition e(r.render());
    EXPECT_EQ(e.at("inf_gauge"), INFINITY);
    EXPECT_EQ(e.at("neg_gauge"), -INFINITY);
    EXPECT_TRUE(std::isnan(e.at("nan_gauge")));
    EXPECT_EQ(e.at("small_gauge"), 1e-7);
}

TEST(Metrics, GaugeCallbacks) {
    MetricsRegistry r;
    double height = 7;
    r.gauge_callback("chain_height", "Head block.", [&] { return height; });
    r.gauge_callback("broken", "Fails.", []() -> double { throw std::runtime_error("x"); });
    EXPECT_EQ(Exposition(r.render()).at("chain_height"), 7);
    height = 8;
    const Exposition e(r.render());
    EXPECT_EQ(e.at("chain_height"), 8);
    EXPECT_EQ(e.type.at("chain_height"), "gauge");
    EXPECT_TRUE(std::isnan(e.at("broken")));
    EXPECT_THROW(r.gauge_callback("chain_height", "again", [] { return 1.0; }),
                 std::invalid_argument);
}

TEST(Metrics, RenderIsSortedByName) {
    MetricsRegistry r;
    r.counter("zeta_total", "z");
    r.gauge("alpha", "a");
    r.histogram("mid_seconds", "m");
    const Exposition e(r.render());
    EXPECT_EQ(e.order, (std::vector<std::string>{"alpha", "mid_seconds", "zeta_total"}));
}

TEST(Metrics, RegistrationIsIdempotentButClashesThrow) {
    MetricsRegistry r;
    Counter& a = r.counter("x_total", "X.");
    EXPECT_EQ(&a, &r.counter("x_total", "X."));
    EXPECT_THROW(r.gauge("x_total", "X."), std::invalid_argument);
    EXPECT_THROW(r.counter_family("x_total", "X.", {"l"}), std::invalid_argument);
    r.histogram("h", "H.", {1, 2});
    EXPECT_THROW(r.histogram("h", "H.", {1, 3}), std::invalid_argument);
    EXPECT_NO_THROW(r.histogram("h", "H.", {1, 2}));
}

TEST(Metrics, RejectsInvalidNamesAndBounds) {
    MetricsRegistry r;
    EXPECT_THROW(r.counter("", "x"), std::invalid_argument);
    EXPECT_THROW(r.counter("1abc", "x"), std::invalid_argument);
    EXPECT_THROW(r.counter("a-b", "x"), std::invalid_argument);
    EXPECT_NO_THROW(r.counter("ns:sub_total", "x"));
    EXPECT_THROW(r.counter_family("c", "x", {"bad-label"}), std::invalid_argument);
    EXPECT_THROW(r.counter_family("c", "x", {"__reserved"}), std::invalid_argument);
    EXPECT_THROW(r.histogram_family("c", "x", {"le"}), std::invalid_argument);
    EXPECT_THROW(r.histogram("d", "x", {1, 1}), std::invalid_argument);
    EXPECT_THROW(r.histogram("d", "x", {2, 1}), std::invalid_argument);
    EXPECT_THROW(r.histogram("d", "x", {1, INFINITY}), std::invalid_argument);
    EXPECT_THROW(Histogram({NAN}), std::invalid_argument);
}

TEST(Metrics, ConcurrentUpdatesAreNotLost) {
    MetricsRegistry r;
    auto& family = r.counter_family("hits_total", "Hits.", {"worker"});
    Histogram& h = r.histogram("obs", "Obs.", {1, 2, 3});
    Gauge& g = r.gauge("level", "Level.");
    constexpr int kThreads = 4;
    constexpr int kPerThread = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                family.with({std::to_string(i % 3)}).inc();
                h.observe(static_cast<double>((i + t) % 4));  // 0..3, each a quarter
                g.add(1);
            }
        });
    }
    // Rendering while others write must be safe too.
    for (int i = 0; i < 20; ++i) (void)r.render();
    for (auto& th : threads) th.join();
    const Exposition e(r.render());
    double hits = 0;
    for (int w = 0; w < 3; ++w) hits += e.at("hits_total{worker=\"" + std::to_string(w) + "\"}");
    EXPECT_EQ(hits, kThreads * kPerThread);
    EXPECT_EQ(e.at("obs_count"), kThreads * kPerThread);
    EXPECT_EQ(e.at("obs_bucket{le=\"1\"}"), kThreads * kPerThread / 2);
    EXPECT_EQ(e.at("obs_sum"), 1.5 * kThreads * kPerThread);
    EXPECT_EQ(e.at("level"), kThreads * kPerThread);
}

TEST(Metrics, DefaultLatencyBucketsAreIncreasing) {
    const auto b = default_latency_buckets();
    ASSERT_FALSE(b.empty());
    for (size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]);
    EXPECT_NO_THROW(Histogram{b});
}

}  // namespace
}  // namespace ampd::rpc
