// DispatcherConfig::call_threads: handle_async runs the general path (every
// body but plain requests of text-deferred methods and bodies of quick
// methods) on its own threads, so a method that waits never holds the thread
// that called it.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ampd/rpc/json_rpc.hpp"
#include "ampd/rpc/metrics.hpp"
#include "support/call_trace.hpp"
#include "support/gated_method.hpp"
#include "support/readiness_gate.hpp"
#include "support/rpc_requests.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using test_support::rpc_request;
const auto arg = test_support::first_param;

// The serving threads' task queue: filled from any thread, run by the test.
class ServingQueue {
public:
    Dispatcher::Post post() {
        return [this](std::function<void()> t) {
            {
                std::lock_guard lk(mu_);
                queued_.push_back(std::move(t));
            }
            cv_.notify_all();
        };
    }
    // Runs the next posted task; false if none came within `timeout`.
    bool run_next(std::chrono::milliseconds timeout = 10s) {
        std::unique_lock lk(mu_);
        if (!cv_.wait_for(lk, timeout, [this] { return !queued_.empty(); })) return false;
        std::function<void()> t = std::move(queued_.front());
        queued_.erase(queued_.begin());
        lk.unlock();
        t();
        return true;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::function<void()>> queued_;
};

// Holds "slow" calls until released (at most 10 s, so that a regression
// fails the test instead of hanging it).
class Latch {
public:
    void wait() {
        std::unique_lock lk(mu_);
        ++waiting_;
        cv_.notify_all();
        cv_.wait_for(lk, 10s, [this] { return open_; });
    }
    bool wait_for_waiters(size_t n) {
        std::unique_lock lk(mu_);
        return cv_.wait_for(lk, 10s, [&] { return waiting_ >= n; });
    }
    void open() {
        {
            std::lock_guard lk(mu_);
            open_ = true;
        }
        cv_.notify_all();
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    size_t waiting_ = 0;
    bool open_ = false;
};

struct CallThreadsTest : ::testing::Test {
    test_support::CallTrace trace;
    test_support::ReadinessGate gate;
    Latch latch;
    ServingQueue serving;
    std::mutex plain_mu;
    std::vector<std::thread::id> plain_threads;  // where each "plain" call ran

    MethodTable table() {
        MethodTable t;
        t.add("plain", [this](const json& params, const RequestContext&) -> json {
            trace.add("plain " + arg(params));
            {
                std::lock_guard lk(plain_mu);
                plain_threads.push_back(std::this_thread::get_id());
            }
            return "plain " + arg(params);
        });
        t.add("slow", [this](const json& params, const RequestContext&) -> json {
            trace.add("slow " + arg(params));
            latch.wait();
            return "slow " + arg(params);
        });
        t.add_quick("quick", [](const json& params, const RequestContext&) -> json {
            return "quick " + arg(params);
        });
        t.add("fails", [](const json&, const RequestContext&) -> json {
            throw RpcError(errc::kInvalidInput, "refused");
        });
        test_support::add_gated_method(t, trace, gate);
        return t;
    }

    Dispatcher pooled{table(), DispatcherConfig{.call_threads = 2}};
    Dispatcher inline_{table()};

    struct Answer {
        std::string body;
        bool on_caller = false;  // given on the thread that called handle_async
    };
    // Sends `body` and waits for the reply.
    std::optional<Answer> answer(const std::string& body) {
        auto reply = std::make_shared<std::promise<Answer>>();
        std::future<Answer> got = reply->get_future();
        const std::thread::id caller = std::this_thread::get_id();
        pooled.handle_async(body, "peer", serving.post(), [reply, caller](std::string out) {
            reply->set_value(Answer{std::move(out), std::this_thread::get_id() == caller});
        });
        if (got.wait_for(10s) != std::future_status::ready) return std::nullopt;
        return got.get();
    }
};

TEST_F(CallThreadsTest, AnswersAsHandleDoes) {
    gate.open();
    const std::vector<std::string> bodies = {
        rpc_request("plain", "a", 1).dump(),
        json::array({rpc_request("plain", "a", 1), rpc_request("wait", "b", 2),
                     rpc_request("plain", "c", 3)})
            .dump(),
        json::array({rpc_request("fails", "x", 1), rpc_request("plain", "y", 2)}).dump(),
        rpc_request("plain", "n", std::nullopt).dump(),
        R"({"jsonrpc":"2.0","id":1,"method":"nope"})",
        R"({"jsonrpc":"2.0","id":1,"method":)",
        "[]",
        R"([1, {"jsonrpc":"2.0","id":4,"method":"plain","params":["z"]}])",
    };
    for (const std::string& body : bodies) {
        const std::optional<Answer> got = answer(body);
        ASSERT_TRUE(got.has_value()) << body;
        EXPECT_EQ(got->body, inline_.handle(body, "peer")) << body;
    }
}

TEST_F(CallThreadsTest, QuickMethodsAndRefusedBodiesAreAnsweredInline) {
    // A hand-off would cost more than these: no call thread is involved.
    for (const std::string& body : {
             rpc_request("quick", "a", 1).dump(),
             json::array({rpc_request("quick", "a", 1), rpc_request("quick", "b", 2)}).dump(),
             std::string(R"({"jsonrpc":"2.0","id":1,"method":"nope"})"),
             std::string(R"([{"jsonrpc":"2.0","id":1,"method":7}, 3])"),
             std::string(R"({"jsonrpc":"2.0","id":1,"method":)"),
         }) {
        const std::optional<Answer> got = answer(body);
        ASSERT_TRUE(got.has_value()) << body;
        EXPECT_TRUE(got->on_caller) << body;
        EXPECT_EQ(got->body, inline_.handle(body, "peer")) << body;
    }
    // One method that may wait sends the whole batch to a call thread.
    const std::string mixed =
        json::array({rpc_request("quick", "a", 1), rpc_request("plain", "b", 2)}).dump();
    const std::optional<Answer> got = answer(mixed);
    ASSERT_TRUE(got.has_value());
    EXPECT_FALSE(got->on_caller);
    EXPECT_EQ(got->body, inline_.handle(mixed, "peer"));
}

TEST_F(CallThreadsTest, ASlowMethodHoldsNoCallingThread) {
    std::promise<std::string> slow_reply;
    const auto sent = std::chrono::steady_clock::now();
    pooled.handle_async(rpc_request("slow", "a", 1).dump(), "peer", serving.post(),
                        [&](std::string out) { slow_reply.set_value(std::move(out)); });
    // handle_async came back while the method still waits on a call thread.
    EXPECT_LT(std::chrono::steady_clock::now() - sent, 5s);
    ASSERT_TRUE(latch.wait_for_waiters(1));

    // Another client's request is answered meanwhile, by the other call thread.
    const std::optional<Answer> plain = answer(rpc_request("plain", "b", 2).dump());
    ASSERT_TRUE(plain.has_value());
    EXPECT_FALSE(plain->on_caller);
    EXPECT_EQ(json::parse(plain->body)["result"], "plain b");

    auto pending = slow_reply.get_future();
    EXPECT_EQ(pending.wait_for(0s), std::future_status::timeout);
    latch.open();
    ASSERT_EQ(pending.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(json::parse(pending.get())["result"], "slow a");
}

TEST_F(CallThreadsTest, TheQueueLengthIsAGauge) {
    MetricsRegistry metrics;
    std::optional<Dispatcher> one(std::in_place, table(), DispatcherConfig{.call_threads = 1},
                                  &metrics);
    const auto queue_length = [&metrics] {
        const std::string text = metrics.render();
        const std::string key = "\nrpc_call_queue_length ";
        const size_t at = text.find(key);
        return at == std::string::npos
                   ? std::string("missing")
                   : text.substr(at + key.size(), text.find('\n', at + 1) - at - key.size());
    };
    EXPECT_EQ(queue_length(), "0");
    std::vector<std::promise<std::string>> replies(3);
    for (size_t i = 0; i < replies.size(); ++i) {
        one->handle_async(rpc_request("slow", std::to_string(i), 1).dump(), "peer", serving.post(),
                          [&replies, i](std::string out) { replies[i].set_value(std::move(out)); });
    }
    // The one thread holds the first; the other two wait for it.
    ASSERT_TRUE(latch.wait_for_waiters(1));
    EXPECT_EQ(queue_length(), "2");
    latch.open();
    for (auto& r : replies) {
        EXPECT_EQ(r.get_future().wait_for(10s), std::future_status::ready);
    }
    EXPECT_EQ(queue_length(), "0");
    one.reset();  // the gauge outlives the dispatcher and reads 0
    EXPECT_EQ(queue_length(), "0");
}

TEST_F(CallThreadsTest, WithoutCallThreadsTheCallerRunsTheMethod) {
    latch.open();  // else the call below would wait its 10 s
    std::optional<std::string> reply;
    inline_.handle_async(rpc_request("slow", "a", 1).dump(), "peer", serving.post(),
                         [&](std::string out) { reply = std::move(out); });
    ASSERT_TRUE(reply.has_value());  // answered before handle_async returned
    EXPECT_EQ(json::parse(*reply)["result"], "slow a");
}

TEST_F(CallThreadsTest, TextPathBodiesStartOnTheCallingThread) {
    // Plain requests of a text-deferred method (eth_sendRawTransaction in the
    // node) do their CPU work on the caller, as without call threads.
    std::optional<std::string> reply;
    pooled.handle_async(R"({"jsonrpc":"2.0","id":7,"method":"wait","params":["t"]})", "peer",
                        serving.post(), [&](std::string out) { reply = std::move(out); });
    EXPECT_EQ(trace.events, (std::vector<std::string>{"start t"}));
    EXPECT_FALSE(reply.has_value());
    gate.open();
    ASSERT_TRUE(serving.run_next());
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(*reply, R"({"id":7,"jsonrpc":"2.0","result":"done t"})");
}

TEST_F(CallThreadsTest, ABatchParkedOnACallThreadResumesThere) {
    // A plain item after a deferred one waits for it; once the gate opens
    // the rest of the batch runs on a call thread, not on a serving one.
    const json body = json::array({rpc_request("wait", "a", 1), rpc_request("plain", "b", 2)});
    std::promise<std::string> reply;
    // "plain" has no text form, so the body takes the general path.
    pooled.handle_async(body.dump(), "peer", serving.post(),
                        [&](std::string out) { reply.set_value(std::move(out)); });
    for (int i = 0; i < 1000 && gate.waiting() == 0; ++i) std::this_thread::sleep_for(1ms);
    ASSERT_EQ(gate.waiting(), 1U);
    gate.open();
    auto got = reply.get_future();
    ASSERT_EQ(got.wait_for(10s), std::future_status::ready);
    EXPECT_FALSE(serving.run_next(0ms));  // nothing went to the serving threads
    {
        std::lock_guard lk(plain_mu);
        ASSERT_EQ(plain_threads.size(), 1U);
        EXPECT_NE(plain_threads.front(), std::this_thread::get_id());
    }
    EXPECT_EQ(got.get(), inline_.handle(body.dump(), "peer"));
    EXPECT_EQ(trace.events, (std::vector<std::string>{"start a", "complete a", "plain b", "start a",
                                                      "complete a", "plain b"}));
}

}  // namespace
}  // namespace ampd::rpc
