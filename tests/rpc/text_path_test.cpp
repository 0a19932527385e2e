// The dispatcher's text path: bodies of plain requests to methods with a
// text form are answered through it, and every body gets exactly the answer
// a dispatcher without text forms gives it, byte for byte.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "ampd/rpc/json_rpc.hpp"
#include "support/call_trace.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;

using Trace = test_support::CallTrace;

// What "op" does with its argument, whichever form received it: the result,
// or an error at start or at completion.
void check_start(const std::string& x) {
    if (x == "fail_start") throw RpcError(errc::kInvalidInput, "refused at start");
    if (x == "crash_start") throw std::runtime_error("start blew up");
}
std::string complete(const std::string& x) {
    if (x == "fail_complete") throw RpcError(errc::kTransactionRejected, "refused later");
    if (x == "crash_complete") throw std::runtime_error("completion blew up");
    return "done " + x;
}

// "op" is deferred; with_text also gives it a text form. "plain" is an
// ordinary method (never on the text path).
MethodTable table(Trace& trace, bool with_text) {
    MethodTable t;
    DeferredHandler json_form = [&trace](const json& params,
                                         const RequestContext& ctx) -> Completion {
        if (!params.is_array() || params.size() != 1 || !params[0].is_string()) {
            throw RpcError::invalid_params("invalid params: want one string");
        }
        const std::string x = params[0].get<std::string>();
        trace.add("json " + x + (ctx.in_batch ? " batch" : ""));
        check_start(x);
        return [x]() -> json { return complete(x); };
    };
    if (with_text) {
        t.add_deferred(
            "op", std::move(json_form),
            [&trace](std::string_view param, const RequestContext& ctx) -> TextCompletion {
                const std::string x(param);
                trace.add("text " + x + (ctx.in_batch ? " batch" : ""));
                check_start(x);
                return [x]() { return json(complete(x)).dump(); };
            });
    } else {
        t.add_deferred("op", std::move(json_form));
    }
    t.add("plain", [](const json&, const RequestContext&) -> json { return "plain"; });
    return t;
}

class TextPathTest : public ::testing::Test {
protected:
    TextPathTest()
        : with_text_(table(text_trace_, true), DispatcherConfig{4, 64}),
          json_only_(table(json_trace_, false), DispatcherConfig{4, 64}) {}

    // The answer with text forms, after checking it equals the answer
    // without them; `path` is "text" or "json": the form that must have run.
    std::string answer(const std::string& body, const std::string& path) {
        text_trace_.events.clear();
        json_trace_.events.clear();
        const std::string a = with_text_.handle(body);
        const std::string b = json_only_.handle(body);
        EXPECT_EQ(a, b) << body;
        for (const std::string& e : text_trace_.events) {
            EXPECT_EQ(e.substr(0, 4), path) << body << ": ran " << e;
        }
        return a;
    }

    Trace text_trace_;
    Trace json_trace_;
    Dispatcher with_text_;
    Dispatcher json_only_;
};

TEST_F(TextPathTest, PlainSingleRequestsTakeTheTextForm) {
    const std::string out =
        answer(R"({"jsonrpc":"2.0","id":1,"method":"op","params":["a"]})", "text");
    EXPECT_EQ(out, R"({"id":1,"jsonrpc":"2.0","result":"done a"})");
    EXPECT_EQ(text_trace_.events, std::vector<std::string>{"text a"});
}

TEST_F(TextPathTest, IdsAreEchoedAsTheGeneralPathEchoesThem) {
    for (const std::string id : {"0", "-7", "123456789012345", R"("abc")", R"("a/b c")", "null"}) {
        const std::string out =
            answer(R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"op","params":["x"]})", "text");
        EXPECT_EQ(json::parse(out).at("id"), json::parse(id));
        EXPECT_EQ(text_trace_.events.size(), 1U) << id;
    }
}

TEST_F(TextPathTest, MemberOrderWhitespaceAndEscapedKeysStillTakeTheTextForm) {
    answer(" {\"params\" : [ \"a\" ] ,\n\"method\":\"op\",\t\"id\":3,\"jsonrpc\":\"2.0\"}\r\n",
           "text");
    EXPECT_EQ(text_trace_.events, std::vector<std::string>{"text a"});
    answer(R"({"jsonrpc":"2.0","id":1,"metho\u0064":"op","params":["b"]})", "text");
    EXPECT_EQ(text_trace_.events, std::vector<std::string>{"text b"});
}

TEST_F(TextPathTest, BatchesStartEveryItemThenCompleteThemWithErrorsInPlace) {
    const std::string body = R"([
        {"jsonrpc":"2.0","id":1,"method":"op","params":["a"]},
        {"jsonrpc":"2.0","id":2,"method":"op","params":["fail_start"]},
        {"jsonrpc":"2.0","id":3,"method":"op","params":["fail_complete"]},
        {"jsonrpc":"2.0","id":"4","method":"op","params":["crash_complete"]}])";
    const json out = json::parse(answer(body, "text"));
    EXPECT_EQ(text_trace_.events,
              (std::vector<std::string>{"text a batch", "text fail_start batch",
                                        "text fail_complete batch", "text crash_complete batch"}));
    ASSERT_EQ(out.size(), 4U);
    EXPECT_EQ(out[0].at("result"), "done a");
    EXPECT_EQ(out[1].at("error").at("message"), "refused at start");
    EXPECT_EQ(out[2].at("error").at("message"), "refused later");
    EXPECT_EQ(out[3].at("error").at("code"), errc::kInternalError);
    EXPECT_EQ(out[3].at("id"), "4");
}

TEST_F(TextPathTest, EverythingElseTakesTheGeneralPathWithTheSameAnswer) {
    const std::vector<std::string> bodies = {
        // ids the text path does not echo itself
        R"({"jsonrpc":"2.0","id":1.5,"method":"op","params":["a"]})",
        R"({"jsonrpc":"2.0","id":1e3,"method":"op","params":["a"]})",
        R"({"jsonrpc":"2.0","id":1234567890123456,"method":"op","params":["a"]})",
        R"({"jsonrpc":"2.0","id":-0,"method":"op","params":["a"]})",
        R"({"jsonrpc":"2.0","id":true,"method":"op","params":["a"]})",
        R"({"jsonrpc":"2.0","id":"a\"b","method":"op","params":["a"]})",
        // strings with escapes, and a raw control character
        R"({"jsonrpc":"2.0","id":1,"method":"op","params":["a\u0062"]})",
        R"({"jsonrpc":"2\u002e0","id":1,"method":"op","params":["a"]})",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"op\",\"params\":[\"a\tb\"]}",
        // params of another shape
        R"({"jsonrpc":"2.0","id":1,"method":"op","params":["a","b"]})",
        R"({"jsonrpc":"2.0","id":1,"method":"op","params":[]})",
        R"({"jsonrpc":"2.0","id":1,"method":"op","params":[7]})",
        R"({"jsonrpc":"2.0","id":1,"method":"op","params":{"x":"a"}})",
        R"({"jsonrpc":"2.0","id":1,"method":"op"})",
        // members: extra, repeated, missing (a notification), wrong version
        R"({"jsonrpc":"2.0","id":1,"method":"op","params":["a"],"x":1})",
        R"({"jsonrpc":"2.0","id":1,"id":2,"method":"op","params":["a"]})",
        R"({"jsonrpc":"2.0","method":"op","params":["a"]})",
        R"({"jsonrpc":"1.0","id":1,"method":"op","params":["a"]})",
        // methods without a text form, unknown methods
        R"({"jsonrpc":"2.0","id":1,"method":"plain","params":["a"]})",
        R"({"jsonrpc":"2.0","id":1,"method":"nope","params":["a"]})",
        R"([{"jsonrpc":"2.0","id":1,"method":"op","params":["a"]},)"
        R"({"jsonrpc":"2.0","id":2,"method":"plain","params":[]}])",
        // malformed bodies and batches
        R"({"jsonrpc":"2.0","id":1,"method":"op","params":["a"]} x)",
        R"({"jsonrpc":"2.0","id":1,"method":"op","params":["a"])",
        R"([{"jsonrpc":"2.0","id":1,"method":"op","params":["a"]},])", "[]", "[1]", R"("op")", "",
        R"([{"jsonrpc":"2.0","id":1,"method":"op","params":["a"]},)"
        R"({"jsonrpc":"2.0","id":2,"method":"op","params":["b"]},)"
        R"({"jsonrpc":"2.0","id":3,"method":"op","params":["c"]},)"
        R"({"jsonrpc":"2.0","id":4,"method":"op","params":["d"]},)"
        R"({"jsonrpc":"2.0","id":5,"method":"op","params":["e"]}])",  // over the limit of 4
    };
    for (const std::string& body : bodies) {
        answer(body, "json");
        EXPECT_TRUE(text_trace_.events.empty() || text_trace_.events.front().starts_with("json"))
            << body;
    }
}

// The text path checks a string's characters eight at a time: whatever
// the position of a character it must refuse, in the first word, across a
// word's end or in the tail, the general path answers.
TEST_F(TextPathTest, EveryPositionOfACharacterOutsidePlainAsciiIsRefused) {
    const std::string base = "abcdefghijklmnopqrstuvwx";
    const auto body = [](const std::string& param) {
        return R"({"jsonrpc":"2.0","id":1,"method":"op","params":[")" + param + R"("]})";
    };
    // As written in the JSON text: raw bytes, and escapes (a quote and a
    // backslash can only appear escaped).
    const std::vector<std::string> refused = {
        "\\x01", "\\x1f", "\\x7f",   "\\x80",   "\\xff",
        R"(\")", R"(\\)", "\\u0041", "\xc3\xa9"};  // the last: é, valid UTF-8
    for (size_t at = 0; at <= base.size(); ++at) {
        for (const std::string& spelled : refused) {
            std::string written = spelled;
            if (spelled.starts_with("\\x")) {
                written =
                    std::string(1, static_cast<char>(std::stoi(spelled.substr(2), nullptr, 16)));
            }
            std::string param = base;
            param.insert(at, written);
            answer(body(param), "json");
            EXPECT_TRUE(text_trace_.events.empty() ||
                        text_trace_.events.front().starts_with("json"))
                << spelled << " at " << at;
        }
        // The ends of the plain range still take the text form.
        for (const char c : {' ', '~', '!', '#', '[', ']'}) {
            std::string param = base;
            param.insert(at, 1, c);
            answer(body(param), "text");
            EXPECT_EQ(text_trace_.events, std::vector<std::string>{"text " + param})
                << c << " at " << at;
        }
    }
}

TEST_F(TextPathTest, RecordsTheSameMetricsAsTheGeneralPath) {
    MetricsRegistry metrics;
    Trace trace;
    const Dispatcher d(table(trace, true), {}, &metrics);
    (void)d.handle(R"([{"jsonrpc":"2.0","id":1,"method":"op","params":["a"]},)"
                   R"({"jsonrpc":"2.0","id":2,"method":"op","params":["fail_start"]}])");
    const std::string text = metrics.render();
    EXPECT_NE(text.find(R"(rpc_requests_total{method="op"} 2)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"(rpc_request_errors_total{method="op"} 1)"), std::string::npos) << text;
    EXPECT_NE(text.find("rpc_batch_size_count 1"), std::string::npos) << text;
    EXPECT_EQ(trace.events.front(), "text a batch");
}

TEST(MethodTableTextForm, RefusesAnEmptyTextForm) {
    MethodTable t;
    EXPECT_THROW(t.add_deferred(
                     "op", [](const json&, const RequestContext&) -> Completion { return nullptr; },
                     TextDeferredHandler{}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace ampd::rpc
