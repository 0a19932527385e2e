#include "ampd/rpc/json_rpc.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ampd/primitives/abi.hpp"
#include "ampd/rpc/params.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;

struct Fixture {
    std::atomic<int> side_effects{0};
    MetricsRegistry metrics;

    MethodTable table(bool dev) {
        MethodTable t(dev);
        t.add("echo", [](const json& params, const RequestContext&) { return params; });
        t.add("add", [](const json& params, const RequestContext&) {
            const Params p(params, 2, 2);
            return json(to_quantity(p.quantity_u64(0) + p.quantity_u64(1)));
        });
        t.add("context", [](const json&, const RequestContext& ctx) {
            return json{{"method", ctx.method},
                        {"notification", ctx.id == nullptr},
                        {"remote", ctx.remote},
                        {"batch", ctx.in_batch}};
        });
        t.add("touch", [this](const json&, const RequestContext&) {
            ++side_effects;
            return json(true);
        });
        t.add("nothing", [](const json&, const RequestContext&) { return json(nullptr); });
        t.add("fail_rpc", [](const json&, const RequestContext&) -> json {
            throw RpcError(errc::kResourceUnavailable, "busy", json{{"retryAfter", 3}});
        });
        t.add("fail_std", [](const json&, const RequestContext&) -> json {
            throw std::runtime_error("secret database path /var/lib/ampd");
        });
        t.add("fail_other", [](const json&, const RequestContext&) -> json { throw 42; });
        t.add_dev("evm_mine", [](const json&, const RequestContext&) { return json("0x0"); });
        return t;
    }

    Dispatcher dispatcher(bool dev = false, DispatcherConfig config = {}) {
        return Dispatcher(table(dev), config, &metrics);
    }
};

json run(const Dispatcher& d, std::string_view body) {
    const std::string out = d.handle(body, "127.0.0.1:5555");
    EXPECT_FALSE(out.empty()) << body;
    return json::parse(out);
}

void expect_error(const json& response, int code, const json& id = nullptr) {
    ASSERT_TRUE(response.is_object()) << response;
    EXPECT_EQ(response["jsonrpc"], "2.0");
    EXPECT_EQ(response["id"], id) << response;
    EXPECT_FALSE(response.contains("result"));
    EXPECT_EQ(response["error"]["code"], code) << response;
    EXPECT_TRUE(response["error"]["message"].is_string());
}

TEST(Dispatcher, AnswersAPositionalCall) {
    Fixture f;
    const auto d = f.dispatcher();
    const json r = run(d, R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x2","0x3"]})");
    EXPECT_EQ(r, json::parse(R"({"jsonrpc":"2.0","id":1,"result":"0x5"})"));
}

TEST(Dispatcher, ParseErrorsAnswerMinus32700WithNullId) {
    Fixture f;
    const auto d = f.dispatcher();
    for (const std::string_view body :
         {"", "{", "[1,", R"({"jsonrpc":"2.0",})", "nul", "{\"a\":1}x", "1e99999",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"\xff\"]}"}) {
        const json r = run(d, body);
        expect_error(r, errc::kParseError);
        EXPECT_TRUE(r["error"]["message"].get<std::string>().starts_with("parse error")) << r;
    }
    EXPECT_EQ(run(d, "{")["error"]["message"], "parse error at byte 2");
}

TEST(Dispatcher, NonObjectRequestsAreInvalid) {
    Fixture f;
    const auto d = f.dispatcher();
    for (const std::string_view body : {"1", "\"call\"", "null", "true"}) {
        expect_error(run(d, body), errc::kInvalidRequest);
    }
}

TEST(Dispatcher, WrongMemberTypesAreInvalidRequests) {
    Fixture f;
    const auto d = f.dispatcher();
    struct Case {
        std::string body;
        json id;
        std::string message;
    };
    const std::vector<Case> cases = {
        {R"({"id":1,"method":"echo"})", 1, R"(invalid request: jsonrpc must be "2.0")"},
        {R"({"jsonrpc":"1.0","id":1,"method":"echo"})", 1, ""},
        {R"({"jsonrpc":2.0,"id":1,"method":"echo"})", 1, ""},
        {R"({"jsonrpc":null,"id":1,"method":"echo"})", 1, ""},
        {R"({"jsonrpc":"2.0","id":1})", 1, "invalid request: method must be a string"},
        {R"({"jsonrpc":"2.0","id":1,"method":5})", 1, ""},
        {R"({"jsonrpc":"2.0","id":1,"method":null})", 1, ""},
        {R"({"jsonrpc":"2.0","id":1,"method":["echo"]})", 1, ""},
        {R"({"jsonrpc":"2.0","id":1,"method":"echo","params":"x"})", 1,
         "invalid request: params must be an array or an object"},
        {R"({"jsonrpc":"2.0","id":1,"method":"echo","params":1})", 1, ""},
        {R"({"jsonrpc":"2.0","id":1,"method":"echo","params":null})", 1, ""},
        {R"({"jsonrpc":"2.0","id":1,"method":"echo","params":true})", 1, ""},
        {R"({"jsonrpc":"2.0","id":{},"method":"echo"})", nullptr,
         "invalid request: id must be a string, a number or null"},
        {R"({"jsonrpc":"2.0","id":[1],"method":"echo"})", nullptr, ""},
        {R"({"jsonrpc":"2.0","id":true,"method":"echo"})", nullptr, ""},
        // Invalid and without an id: still answered, with id null.
        {R"({"jsonrpc":"2.0","method":7})", nullptr, ""},
        {R"({"method":"echo"})", nullptr, ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.body);
        const json r = run(d, c.body);
        expect_error(r, errc::kInvalidRequest, c.id);
        if (!c.message.empty()) {
            EXPECT_EQ(r["error"]["message"], c.message);
        }
    }
}

TEST(Dispatcher, IdsAreEchoedExactly) {
    Fixture f;
    const auto d = f.dispatcher();
    for (const std::string_view id :
         {R"("abc")", R"("")", R"("7")", "7", "0", "-3", "18446744073709551615", "1.5", "null"}) {
        SCOPED_TRACE(id);
        const std::string body =
            std::string(R"({"jsonrpc":"2.0","method":"nothing","id":)") + std::string(id) + "}";
        const std::string out = d.handle(body);
        EXPECT_NE(out.find(std::string("\"id\":") + std::string(id)), std::string::npos) << out;
        EXPECT_EQ(json::parse(out)["id"], json::parse(id));
    }
}

TEST(Dispatcher, NullResultIsPresent) {
    Fixture f;
    const auto d = f.dispatcher();
    const json r = run(d, R"({"jsonrpc":"2.0","id":2,"method":"nothing"})");
    ASSERT_TRUE(r.contains("result"));
    EXPECT_TRUE(r["result"].is_null());
    EXPECT_FALSE(r.contains("error"));
}

TEST(Dispatcher, AbsentParamsArriveAsEmptyArrayAndObjectsPassThrough) {
    Fixture f;
    const auto d = f.dispatcher();
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":1,"method":"echo"})")["result"], json::array());
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":[1]}})")["result"],
              json::parse(R"({"a":[1]})"));
}

TEST(Dispatcher, ContextDescribesTheCall) {
    Fixture f;
    const auto d = f.dispatcher();
    EXPECT_EQ(run(d, R"({"jsonrpc":"2.0","id":1,"method":"context"})")["result"],
              json::parse(R"({"method":"context","notification":false,
                              "remote":"127.0.0.1:5555","batch":false})"));
    EXPECT_EQ(run(d, R"([{"jsonrpc":"2.0","id":1,"method":"context"}])")[0]["result"]["batch"],
              true);
}

TEST(Dispatcher, UnknownMethodIsMinus32601) {
    Fixture f;
    const auto d = f.dispatcher();
    const json r = run(d, R"({"jsonrpc":"2.0","id":"x","method":"eth_nope"})");
    expect_error(r, errc::kMethodNotFound, "x");
    EXPECT_EQ(r["error"]["message"], "the method eth_nope does not exist/is not available");

    // A huge name is not echoed back whole.
    const std::string name(100000, 'm');
    const json big = run(d, R"({"jsonrpc":"2.0","id":1,"method":")" + name + "\"}");
    expect_error(big, errc::kMethodNotFound, 1);
    EXPECT_LT(big["error"]["message"].get<std::string>().size(), 300U);
}

TEST(Dispatcher, DevMethodsNeedDevMode) {
    Fixture f;
    const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"evm_mine"})";
    const auto prod = f.dispatcher(false);
    const json r = run(prod, body);
    expect_error(r, errc::kMethodNotFound, 1);
    EXPECT_EQ(r["error"]["message"], "the method evm_mine is only available with --dev");
    const std::vector<std::string> names = prod.methods().callable_names();
    EXPECT_EQ(std::count(names.begin(), names.end(), "evm_mine"), 0);

    Fixture g;
    const auto dev = g.dispatcher(true);
    EXPECT_EQ(run(dev, body)["result"], "0x0");
}

TEST(Dispatcher, HandlerRpcErrorsKeepCodeMessageAndData) {
    Fixture f;
    const auto d = f.dispatcher();
    const json r = run(d, R"({"jsonrpc":"2.0","id":9,"method":"fail_rpc"})");
    expect_error(r, errc::kResourceUnavailable, 9);
    EXPECT_EQ(r["error"]["message"], "busy");
    EXPECT_EQ(r["error"]["data"], json::parse(R"({"retryAfter":3})"));

    const json p = run(d, R"({"jsonrpc":"2.0","id":9,"method":"add","params":["0x01","0x2"]})");
    expect_error(p, errc::kInvalidParams, 9);
    EXPECT_EQ(p["error"]["message"],
              "invalid params: argument 0: hex number with leading zero digits");
    EXPECT_FALSE(p["error"].contains("data"));
}

TEST(Dispatcher, OtherExceptionsBecomeGenericInternalErrors) {
    Fixture f;
    const auto d = f.dispatcher();
    for (const std::string_view method : {"fail_std", "fail_other"}) {
        const std::string body =
            R"({"jsonrpc":"2.0","id":1,"method":")" + std::string(method) + "\"}";
        const std::string out = d.handle(body);
        expect_error(json::parse(out), errc::kInternalError, 1);
        EXPECT_EQ(json::parse(out)["error"]["message"], "internal error");
        EXPECT_EQ(out.find("secret"), std::string::npos);
    }
}

TEST(Dispatcher, NotificationsRunButGetNoResponse) {
    Fixture f;
    const auto d = f.dispatcher();
    EXPECT_EQ(d.handle(R"({"jsonrpc":"2.0","method":"touch"})"), "");
    EXPECT_EQ(d.handle(R"({"jsonrpc":"2.0","method":"fail_std"})"), "");
    EXPECT_EQ(d.handle(R"({"jsonrpc":"2.0","method":"no_such_method"})"), "");
    EXPECT_EQ(
        d.handle(R"([{"jsonrpc":"2.0","method":"touch"},{"jsonrpc":"2.0","method":"touch"}])"), "");
    EXPECT_EQ(f.side_effects.load(), 3);
}

TEST(Dispatcher, EmptyBatchIsOneInvalidRequest) {
    Fixture f;
    const auto d = f.dispatcher();
    const json r = run(d, "[]");
    ASSERT_TRUE(r.is_object());
    expect_error(r, errc::kInvalidRequest);
    EXPECT_EQ(r["error"]["message"], "invalid request: empty batch");
}

TEST(Dispatcher, MixedBatchAnswersInOrderSkippingNotifications) {
    Fixture f;
    const auto d = f.dispatcher();
    const json r = run(d, R"([
        {"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x1"]},
        {"jsonrpc":"2.0","method":"touch"},
        {"jsonrpc":"2.0","id":2,"method":5},
        {"jsonrpc":"2.0","id":"a","method":"eth_nope"},
        {"jsonrpc":"2.0","method":"eth_nope"},
        7,
        {"jsonrpc":"2.0","id":3,"method":"fail_std"},
        {"jsonrpc":"2.0","id":4,"method":"echo","params":[[]]}
    ])");
    ASSERT_TRUE(r.is_array());
    ASSERT_EQ(r.size(), 6U) << r;
    EXPECT_EQ(r[0]["result"], "0x2");
    expect_error(r[1], errc::kInvalidRequest, 2);
    expect_error(r[2], errc::kMethodNotFound, "a");
    expect_error(r[3], errc::kInvalidRequest, nullptr);
    expect_error(r[4], errc::kInternalError, 3);
    EXPECT_EQ(r[5]["result"], json::parse("[[]]"));
    EXPECT_EQ(f.side_effects.load(), 1);
}

TEST(Dispatcher, BatchOfNonObjectsGetsOneErrorEach) {
    Fixture f;
    const auto d = f.dispatcher();
    const json r = run(d, "[1,2,3]");
    ASSERT_EQ(r.size(), 3U);
    for (const auto& e : r) expect_error(e, errc::kInvalidRequest);
}

TEST(Dispatcher, BatchLimitRefusesTheWholeRequest) {
    Fixture f;
    const auto d = f.dispatcher(false, DispatcherConfig{.max_batch = 3});
    const std::string call = R"({"jsonrpc":"2.0","id":1,"method":"touch"})";
    const json ok = run(d, "[" + call + "," + call + "," + call + "]");
    EXPECT_EQ(ok.size(), 3U);
    const json refused = run(d, "[" + call + "," + call + "," + call + "," + call + "]");
    ASSERT_TRUE(refused.is_object());
    expect_error(refused, errc::kLimitExceeded);
    EXPECT_EQ(refused["error"]["message"], "batch of 4 requests exceeds the limit of 3");
    EXPECT_EQ(f.side_effects.load(), 3);  // nothing of the refused batch ran
}

TEST(Dispatcher, DefaultBatchLimitIs1000) {
    EXPECT_EQ(DispatcherConfig{}.max_batch, 1000U);
}

TEST(Dispatcher, DeepNestingIsRefusedBeforeParsing) {
    Fixture f;
    const auto d = f.dispatcher();
    const std::string deep(100000, '[');
    expect_error(run(d, deep), errc::kInvalidRequest);
    // Brackets inside strings do not count.
    const std::string in_string =
        R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[")" + deep + R"(\"\\"]})";
    EXPECT_EQ(run(d, in_string)["result"][0].get<std::string>().size(), deep.size() + 2);
    // 64 levels are fine.
    const std::string ok = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":)" +
                           std::string(63, '[') + std::string(63, ']') + "}";
    EXPECT_TRUE(run(d, ok).contains("result"));
}

TEST(Dispatcher, RecordsPerMethodMetrics) {
    Fixture f;
    const auto d = f.dispatcher();
    (void)d.handle(R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x1"]})");
    (void)d.handle(R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x1"]})");
    (void)d.handle(R"({"jsonrpc":"2.0","id":1,"method":"eth_nope"})");
    (void)d.handle("{");
    const std::string text = f.metrics.render();
    EXPECT_NE(text.find("rpc_requests_total{method=\"add\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("rpc_request_errors_total{method=\"add\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("rpc_request_duration_seconds_count{method=\"add\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("rpc_requests_total{method=\"unknown\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("rpc_invalid_requests_total 1\n"), std::string::npos);
    // Client-chosen names never become label values.
    EXPECT_EQ(text.find("eth_nope"), std::string::npos);
    // Dev-only methods of a production table get no series.
    EXPECT_EQ(text.find("evm_mine"), std::string::npos);
}

TEST(Dispatcher, CallInProcess) {
    Fixture f;
    const auto d = f.dispatcher();
    EXPECT_EQ(d.call("add", json::array({"0x1", "0x2"})), "0x3");
    try {
        (void)d.call("fail_std");
        FAIL();
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, errc::kInternalError);
    }
    EXPECT_THROW((void)d.call("eth_nope"), RpcError);
    EXPECT_THROW((void)d.call("evm_mine"), RpcError);
    EXPECT_THROW((void)d.call("echo", "x"), RpcError);
}

TEST(Dispatcher, ConcurrentCallsAreIsolated) {
    Fixture f;
    const auto d = f.dispatcher();
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                const std::string body = fmt::format(
                    R"({{"jsonrpc":"2.0","id":{},"method":"add","params":["{}","0x1"]}})",
                    t * 1000 + i, to_quantity(static_cast<uint64_t>(i)));
                const json r = json::parse(d.handle(body));
                if (r["id"] != t * 1000 + i || r["result"] != to_quantity(uint64_t(i + 1))) ++wrong;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_NE(f.metrics.render().find("rpc_requests_total{method=\"add\"} 800\n"),
              std::string::npos);
}

TEST(MethodTable, RejectsWiringMistakes) {
    MethodTable t;
    const Handler h = [](const json&, const RequestContext&) { return json(); };
    t.add("a", h);
    EXPECT_THROW(t.add("a", h), std::invalid_argument);
    EXPECT_THROW(t.add_dev("a", h), std::invalid_argument);
    EXPECT_THROW(t.add("", h), std::invalid_argument);
    EXPECT_THROW(t.add("b", Handler{}), std::invalid_argument);
    t.add_dev("d", h);
    EXPECT_EQ(t.callable_names(), std::vector<std::string>{"a"});
    ASSERT_NE(t.find("d"), nullptr);
    EXPECT_FALSE(t.callable(*t.find("d")));
    EXPECT_EQ(t.find("zzz"), nullptr);
}

TEST(RpcError, ExecutionRevertedCarriesReasonAndData) {
    const Bytes data = abi::error_data("52");
    const RpcError e = RpcError::execution_reverted(data);
    EXPECT_EQ(e.code, 3);
    EXPECT_EQ(e.message, "execution reverted: 52");
    ASSERT_TRUE(e.data.has_value());
    EXPECT_EQ(e.data->get<std::string>().substr(0, 10), "0x08c379a0");
    EXPECT_EQ(e.data->get<std::string>().size(), 2 + data.size() * 2);

    const Bytes custom = {0xde, 0xad, 0xbe, 0xef};
    const RpcError c = RpcError::execution_reverted(custom);
    EXPECT_EQ(c.code, 3);
    EXPECT_EQ(c.message, "execution reverted");
    EXPECT_EQ(*c.data, "0xdeadbeef");

    const RpcError empty = RpcError::execution_reverted({});
    EXPECT_EQ(empty.code, errc::kInvalidInput);
    EXPECT_EQ(empty.message, "execution reverted");
    EXPECT_FALSE(empty.data.has_value());
}

TEST(RpcError, JsonRoundTrip) {
    const RpcError e(errc::kLimitExceeded, "too many", json{1, 2});
    const auto back = RpcError::from_json(e.to_json());
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->code, e.code);
    EXPECT_EQ(back->message, e.message);
    EXPECT_EQ(back->data, e.data);
    EXPECT_STREQ(back->what(), "too many");
    EXPECT_FALSE(RpcError::from_json(json::parse(R"({"code":"1","message":"x"})")).has_value());
    EXPECT_FALSE(RpcError::from_json(json::parse(R"({"code":1.5,"message":"x"})")).has_value());
    EXPECT_FALSE(RpcError::from_json(json::parse(R"({"code":1})")).has_value());
    EXPECT_FALSE(
        RpcError::from_json(json::parse(R"({"code":99999999999,"message":"x"})")).has_value());
    EXPECT_FALSE(RpcError::from_json(json::array()).has_value());
}

}  // namespace
}  // namespace ampd::rpc
