// Deferred (pipelined) JSON-RPC methods: the dispatcher starts each run of
// consecutive deferred items of a batch in order, then completes them in
// order, and answers every item as it would have one at a time.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "ampd/rpc/json_rpc.hpp"
#include "ampd/rpc/params.hpp"
#include "support/call_trace.hpp"
#include "support/rpc_requests.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;

// Records what ran, in order: "start x", "complete x", "plain x".
using Trace = test_support::CallTrace;

using test_support::rpc_request;
const auto arg = test_support::first_param;

// "op" is deferred: params[0] names it; "fail_start"/"fail_complete" and
// "crash_start"/"crash_complete" make it throw an RpcError or a
// std::exception in that phase. "plain" is an ordinary method.
MethodTable table(Trace& trace) {
    MethodTable t;
    t.add_deferred("op", [&trace](const json& params, const RequestContext&) -> Completion {
        const std::string x = arg(params);
        trace.add("start " + x);
        if (x == "fail_start") throw RpcError(errc::kInvalidInput, "refused at start");
        if (x == "crash_start") throw std::runtime_error("start blew up");
        return [&trace, x]() -> json {
            trace.add("complete " + x);
            if (x == "fail_complete") throw RpcError(errc::kTransactionRejected, "refused later");
            if (x == "crash_complete") throw std::runtime_error("completion blew up");
            return "done " + x;
        };
    });
    t.add_deferred("no_completion",
                   [](const json&, const RequestContext&) -> Completion { return nullptr; });
    t.add("plain", [&trace](const json& params, const RequestContext&) -> json {
        trace.add("plain " + arg(params));
        return "plain " + arg(params);
    });
    return t;
}

json run(const Dispatcher& d, const json& body) {
    const std::string out = d.handle(body.dump());
    return out.empty() ? json() : json::parse(out);
}

TEST(DeferredMethods, BatchStartsEveryItemBeforeCompletingAnyInOrder) {
    Trace trace;
    const Dispatcher d(table(trace));
    const json out = run(d, json::array({rpc_request("op", "a", 1), rpc_request("op", "b", 2),
                                         rpc_request("op", "c", 3)}));
    EXPECT_EQ(trace.events, (std::vector<std::string>{"start a", "start b", "start c", "complete a",
                                                      "complete b", "complete c"}));
    ASSERT_EQ(out.size(), 3U);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(out[i]["id"], i + 1);
        EXPECT_EQ(out[i]["result"], std::string("done ") + static_cast<char>('a' + i));
    }
}

TEST(DeferredMethods, PlainItemsSeeEverythingBeforeThem) {
    Trace trace;
    const Dispatcher d(table(trace));
    const json out = run(d, json::array({rpc_request("op", "a", 1), rpc_request("op", "b", 2),
                                         rpc_request("plain", "p", 3), rpc_request("op", "c", 4),
                                         rpc_request("op", "d", 5)}));
    EXPECT_EQ(trace.events,
              (std::vector<std::string>{"start a", "start b", "complete a", "complete b", "plain p",
                                        "start c", "start d", "complete c", "complete d"}));
    ASSERT_EQ(out.size(), 5U);
    EXPECT_EQ(out[2]["result"], "plain p");
    EXPECT_EQ(out[4]["result"], "done d");
}

TEST(DeferredMethods, ASingleRequestStartsAndCompletes) {
    Trace trace;
    const Dispatcher d(table(trace));
    const json out = run(d, rpc_request("op", "x", 7));
    EXPECT_EQ(trace.events, (std::vector<std::string>{"start x", "complete x"}));
    EXPECT_EQ(out, (json{{"jsonrpc", "2.0"}, {"id", 7}, {"result", "done x"}}));
}

TEST(DeferredMethods, ErrorsAtEitherPhaseAreThatItemsError) {
    Trace trace;
    const Dispatcher d(table(trace));
    const json out = run(
        d, json::array({rpc_request("op", "a", 1), rpc_request("op", "fail_start", 2),
                        rpc_request("op", "fail_complete", 3), rpc_request("op", "crash_start", 4),
                        rpc_request("op", "crash_complete", 5),
                        rpc_request("no_completion", "z", 6), rpc_request("op", "b", 7)}));
    // A failed start has nothing to complete; the others still run to the end.
    EXPECT_EQ(trace.events,
              (std::vector<std::string>{"start a", "start fail_start", "start fail_complete",
                                        "start crash_start", "start crash_complete", "start b",
                                        "complete a", "complete fail_complete",
                                        "complete crash_complete", "complete b"}));
    ASSERT_EQ(out.size(), 7U);
    EXPECT_EQ(out[0]["result"], "done a");
    EXPECT_EQ(out[1]["error"]["code"], errc::kInvalidInput);
    EXPECT_EQ(out[1]["error"]["message"], "refused at start");
    EXPECT_EQ(out[2]["error"]["code"], errc::kTransactionRejected);
    EXPECT_EQ(out[2]["error"]["message"], "refused later");
    // Other exceptions keep their text out of the answer.
    EXPECT_EQ(out[3]["error"],
              (json{{"code", errc::kInternalError}, {"message", "internal error"}}));
    EXPECT_EQ(out[4]["error"],
              (json{{"code", errc::kInternalError}, {"message", "internal error"}}));
    EXPECT_EQ(out[5]["error"]["code"], errc::kInternalError);
    EXPECT_EQ(out[6]["result"], "done b");
    for (int i = 0; i < 7; ++i) EXPECT_EQ(out[i]["id"], i + 1);
}

TEST(DeferredMethods, NotificationsRunToTheEndWithoutAnAnswer) {
    Trace trace;
    const Dispatcher d(table(trace));
    EXPECT_EQ(d.handle(rpc_request("op", "n", std::nullopt).dump()), "");
    EXPECT_EQ(d.handle(json::array({rpc_request("op", "m", std::nullopt),
                                    rpc_request("op", "fail_complete", std::nullopt)})
                           .dump()),
              "");
    EXPECT_EQ(trace.events,
              (std::vector<std::string>{"start n", "complete n", "start m", "start fail_complete",
                                        "complete m", "complete fail_complete"}));
    const json out =
        run(d, json::array({rpc_request("op", "q", std::nullopt), rpc_request("op", "r", 9)}));
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(out[0]["id"], 9);
    EXPECT_EQ(out[0]["result"], "done r");
}

TEST(DeferredMethods, InvalidItemsBetweenDeferredOnesAreAnsweredInPlace) {
    Trace trace;
    const Dispatcher d(table(trace));
    const json out =
        run(d, json::array({rpc_request("op", "a", 1), json(5), rpc_request("missing", "x", 3),
                            rpc_request("op", "b", 4)}));
    EXPECT_EQ(trace.events,
              (std::vector<std::string>{"start a", "complete a", "start b", "complete b"}));
    ASSERT_EQ(out.size(), 4U);
    EXPECT_EQ(out[1]["error"]["code"], errc::kInvalidRequest);
    EXPECT_EQ(out[2]["error"]["code"], errc::kMethodNotFound);
    EXPECT_EQ(out[3]["result"], "done b");
}

TEST(DeferredMethods, CallInProcessStartsAndCompletes) {
    Trace trace;
    const Dispatcher d(table(trace));
    EXPECT_EQ(d.call("op", {"k"}), "done k");
    try {
        (void)d.call("op", {"fail_complete"});
        ADD_FAILURE() << "no error";
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, errc::kTransactionRejected);
    }
    EXPECT_EQ(trace.events,
              (std::vector<std::string>{"start k", "complete k", "start fail_complete",
                                        "complete fail_complete"}));
}

TEST(DeferredMethods, MetricsCountEachItemOnce) {
    Trace trace;
    MetricsRegistry metrics;
    const Dispatcher d(table(trace), {}, &metrics);
    (void)run(d, json::array({rpc_request("op", "a", 1), rpc_request("op", "fail_start", 2),
                              rpc_request("op", "fail_complete", 3)}));
    const std::string text = metrics.render();
    EXPECT_NE(text.find("rpc_requests_total{method=\"op\"} 3"), std::string::npos) << text;
    EXPECT_NE(text.find("rpc_request_errors_total{method=\"op\"} 2"), std::string::npos) << text;
    EXPECT_NE(text.find("rpc_request_duration_seconds_count{method=\"op\"} 3"), std::string::npos)
        << text;
}

TEST(DeferredMethods, TableRefusesAnEmptyDeferredHandler) {
    MethodTable t;
    EXPECT_THROW(t.add_deferred("x", DeferredHandler{}), std::invalid_argument);
    t.add_deferred("x", [](const json&, const RequestContext&) -> Completion {
        return [] { return json(1); };
    });
    EXPECT_THROW(t.add("x", [](const json&, const RequestContext&) { return json(); }),
                 std::invalid_argument);
    ASSERT_NE(t.find("x"), nullptr);
    EXPECT_TRUE(t.find("x")->deferred);
    EXPECT_FALSE(t.find("x")->handler);
}

}  // namespace
}  // namespace ampd::rpc
