// Dispatcher::handle_async: the same answers as handle(), with deferred
// calls that hold no thread while their operation is pending. The tests
// run the posted resumptions themselves, so every step is deterministic.
#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ampd/rpc/json_rpc.hpp"
#include "ampd/rpc/params.hpp"
#include "support/call_trace.hpp"
#include "support/gated_method.hpp"
#include "support/readiness_gate.hpp"
#include "support/rpc_requests.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;
using Trace = test_support::CallTrace;
using Gate = test_support::ReadinessGate;
using test_support::rpc_request;
const auto arg = test_support::first_param;

// The serving threads' task queue, run by the test.
struct Tasks {
    std::vector<std::function<void()>> queued;
    Dispatcher::Post post() {
        return [this](std::function<void()> t) { queued.push_back(std::move(t)); };
    }
    size_t run_all() {
        size_t ran = 0;
        while (!queued.empty()) {
            auto t = std::move(queued.front());
            queued.erase(queued.begin());
            t();
            ++ran;
        }
        return ran;
    }
};

// "wait": deferred, ready when the gate opens, JSON and text forms.
// "now": deferred without when_ready (its completion may block).
// "plain": an ordinary method. All record what ran in `trace`.
MethodTable table(Trace& trace, Gate& gate) {
    MethodTable t;
    test_support::add_gated_method(t, trace, gate);
    t.add_deferred("now", [&trace](const json& params, const RequestContext&) -> Completion {
        const std::string x = arg(params);
        trace.add("start " + x);
        return [&trace, x]() -> json {
            trace.add("complete " + x);
            return "now " + x;
        };
    });
    t.add("plain", [&trace](const json& params, const RequestContext&) -> json {
        trace.add("plain " + arg(params));
        return "plain " + arg(params);
    });
    return t;
}

struct AsyncDispatchTest : ::testing::Test {
    Trace trace;
    Gate gate;
    Tasks tasks;
    Dispatcher d{table(trace, gate)};
    std::vector<std::string> replies;

    void send(const std::string& body) {
        d.handle_async(body, "peer", tasks.post(),
                       [this](std::string out) { replies.push_back(std::move(out)); });
    }
};

TEST_F(AsyncDispatchTest, AnswersAsHandleDoesWhenNothingWaits) {
    gate.open();
    const std::vector<std::string> bodies = {
        rpc_request("wait", "a", 1).dump(),
        json::array(
            {rpc_request("wait", "a", 1), rpc_request("plain", "b", 2), rpc_request("now", "c", 3)})
            .dump(),
        json::array({rpc_request("wait", "refuse", 1), rpc_request("wait", "fail", 2)}).dump(),
        R"([{"jsonrpc":"2.0","id":1,"method":"wait","params":["x"]},{"jsonrpc":"2.0","id":"s","method":"wait","params":["y"]}])",
        rpc_request("wait", "n", std::nullopt).dump(),
        json::array({rpc_request("now", "n", std::nullopt)}).dump(),
        R"({"jsonrpc":"2.0","id":1,"method":"nope"})",
        R"({"jsonrpc":"2.0","id":1,"method":)",
        "[]",
        R"([1, {"jsonrpc":"2.0","id":4,"method":"plain","params":["z"]}])",
        std::string(70, '[') + "1" + std::string(70, ']'),
    };
    for (const std::string& body : bodies) {
        replies.clear();
        send(body);
        EXPECT_EQ(tasks.run_all(), 0U) << body;  // nothing waited: answered inline
        ASSERT_EQ(replies.size(), 1U) << body;
        EXPECT_EQ(replies.front(), d.handle(body, "peer")) << body;
    }
}

TEST_F(AsyncDispatchTest, ABatchParksUntilReadyAndResumesThroughPost) {
    const std::string body = R"([{"jsonrpc":"2.0","id":1,"method":"wait","params":["a"]},)"
                             R"({"jsonrpc":"2.0","id":2,"method":"wait","params":["b"]}])";
    send(body);
    EXPECT_TRUE(replies.empty());
    EXPECT_EQ(trace.events, (std::vector<std::string>{"start a", "start b"}));
    EXPECT_EQ(gate.waiting(), 2U);
    EXPECT_TRUE(tasks.queued.empty());

    gate.open();
    // The last readiness posts the rest of the body; nothing ran inline.
    EXPECT_TRUE(replies.empty());
    ASSERT_EQ(tasks.queued.size(), 1U);
    EXPECT_EQ(tasks.run_all(), 1U);
    ASSERT_EQ(replies.size(), 1U);
    const json out = json::parse(replies.front());
    ASSERT_EQ(out.size(), 2U);
    EXPECT_EQ(out[0]["result"], "done a");
    EXPECT_EQ(out[1]["result"], "done b");
    EXPECT_EQ(trace.events,
              (std::vector<std::string>{"start a", "start b", "complete a", "complete b"}));
}

TEST_F(AsyncDispatchTest, APlainItemRunsOnlyAfterTheDeferredOnesBeforeIt) {
    const json body = json::array({rpc_request("wait", "a", 1), rpc_request("plain", "b", 2),
                                   rpc_request("wait", "c", 3), rpc_request("now", "d", 4)});
    send(body.dump());
    EXPECT_EQ(trace.events, (std::vector<std::string>{"start a"}));
    EXPECT_TRUE(replies.empty());

    gate.open();
    EXPECT_EQ(tasks.run_all(), 1U);
    EXPECT_EQ(trace.events, (std::vector<std::string>{"start a", "complete a", "plain b", "start c",
                                                      "start d", "complete c", "complete d"}));
    ASSERT_EQ(replies.size(), 1U);
    EXPECT_EQ(replies.front(), d.handle(body.dump(), "peer"));
    const json out = json::parse(replies.front());
    ASSERT_EQ(out.size(), 4U);
    EXPECT_EQ(out[0]["result"], "done a");
    EXPECT_EQ(out[1]["result"], "plain b");
    EXPECT_EQ(out[2]["result"], "done c");
    EXPECT_EQ(out[3]["result"], "now d");
}

TEST_F(AsyncDispatchTest, ErrorsOfParkedItemsAreAnsweredInPlace) {
    const json body =
        json::array({rpc_request("wait", "refuse", 1), rpc_request("wait", "fail", 2),
                     rpc_request("wait", "ok", 3), rpc_request("wait", "quiet", std::nullopt)});
    send(body.dump());
    gate.open();
    tasks.run_all();
    ASSERT_EQ(replies.size(), 1U);
    const json out = json::parse(replies.front());
    ASSERT_EQ(out.size(), 3U);  // the notification gets no answer
    EXPECT_EQ(out[0]["error"]["code"], errc::kInvalidInput);
    EXPECT_EQ(out[1]["error"]["code"], errc::kTransactionRejected);
    EXPECT_EQ(out[2]["result"], "done ok");
}

// The text path reads a body through a per-thread buffer that the thread's
// next body overwrites; a parked body must not depend on it.
TEST_F(AsyncDispatchTest, AParkedTextBodyKeepsItsOwnIdsAndParams) {
    send(R"([{"jsonrpc":"2.0","id":"first-id","method":"wait","params":["alpha"]}])");
    send(R"([{"jsonrpc":"2.0","id":"ZZZZZZZZZZZZZZZZZZZZ","method":"wait","params":["omega"]},)"
         R"({"jsonrpc":"2.0","id":2,"method":"wait","params":["x"]}])");
    EXPECT_TRUE(replies.empty());
    gate.open();
    tasks.run_all();
    ASSERT_EQ(replies.size(), 2U);
    EXPECT_EQ(replies[0], R"([{"id":"first-id","jsonrpc":"2.0","result":"done alpha"}])");
    EXPECT_EQ(replies[1], R"([{"id":"ZZZZZZZZZZZZZZZZZZZZ","jsonrpc":"2.0","result":"done omega"},)"
                          R"({"id":2,"jsonrpc":"2.0","result":"done x"}])");
}

TEST_F(AsyncDispatchTest, ASingleParkedRequestAndItsNotification) {
    send(rpc_request("wait", "one", 9).dump());
    send(rpc_request("wait", "note", std::nullopt).dump());
    EXPECT_TRUE(replies.empty());
    gate.open();
    EXPECT_EQ(tasks.run_all(), 2U);
    ASSERT_EQ(replies.size(), 2U);
    EXPECT_EQ(json::parse(replies[0])["result"], "done one");
    EXPECT_EQ(replies[1], "");  // a notification's body has nothing to answer
}

}  // namespace
}  // namespace ampd::rpc
