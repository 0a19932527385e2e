#include "ampd/rpc/http_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ampd/rpc/client.hpp"
#include "ampd/rpc/params.hpp"
#include "support/readiness_gate.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;

constexpr size_t kMaxBody = 64 * 1024;

MethodTable test_methods() {
    MethodTable t;
    t.add("add", [](const json& params, const RequestContext&) {
        const Params p(params, 2, 2);
        return json(to_quantity(p.quantity_u256(0) + p.quantity_u256(1)));
    });
    t.add("echo", [](const json& params, const RequestContext&) { return params; });
    t.add("remote", [](const json&, const RequestContext& ctx) { return json(ctx.remote); });
    t.add("revert", [](const json&, const RequestContext&) -> json {
        throw RpcError(errc::kExecutionReverted, "execution reverted: 52", "0x08c379a0");
    });
    return t;
}

HttpServerConfig test_config() {
    HttpServerConfig c;
    c.port = 0;
    c.max_body_bytes = kMaxBody;
    c.worker_threads = 4;
    // Short, so that stop() does not wait long on idle keep-alive connections.
    c.keep_alive_timeout = std::chrono::seconds(1);
    return c;
}

struct Node {
    MetricsRegistry metrics;
    Dispatcher dispatcher{test_methods(), {}, &metrics};
    std::atomic<bool> healthy{true};
    HttpServer server;

    explicit Node(HttpServerConfig config = test_config())
        : server(std::move(config), dispatcher, &metrics, [this] {
              HealthReport r;
              r.healthy = healthy.load();
              r.body = {{"status", r.healthy ? "ok" : "syncing"}, {"head", 12}};
              return r;
          }) {
        server.start();
    }

    [[nodiscard]] httplib::Client raw() const {
        httplib::Client c("127.0.0.1", server.port());
        c.set_read_timeout(5, 0);
        return c;
    }
};

TEST(HttpServer, ReportsTheEphemeralPort) {
    Node n;
    EXPECT_TRUE(n.server.running());
    EXPECT_NE(n.server.port(), 0);
    EXPECT_EQ(n.server.url(), "http://127.0.0.1:" + std::to_string(n.server.port()) + "/");
}

TEST(HttpServer, ClientRoundTrip) {
    Node n;
    JsonRpcClient client(n.server.url());
    EXPECT_EQ(client.call("add", {"0x2", "0x3"}), "0x5");
    EXPECT_EQ(client.call("echo", json::object({{"a", 1}})), json::object({{"a", 1}}));
    EXPECT_TRUE(client.call("remote").get<std::string>().starts_with("127.0.0.1:"));
    // Same client, same (kept-alive) connection, many calls.
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(client.call("add", {to_quantity(uint64_t(i)), "0x1"}),
                  to_quantity(uint64_t(i + 1)));
    }
}

TEST(HttpServer, ClientSeesErrorsAsTheServerSentThem) {
    Node n;
    JsonRpcClient client(n.server.url());
    try {
        (void)client.call("revert");
        FAIL();
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, 3);
        EXPECT_EQ(e.message, "execution reverted: 52");
        EXPECT_EQ(e.data, json("0x08c379a0"));
    }
    try {
        (void)client.call("add", {"0x01", "0x2"});
        FAIL();
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, errc::kInvalidParams);
        EXPECT_EQ(e.message, "invalid params: argument 0: hex number with leading zero digits");
    }
    EXPECT_THROW((void)client.call("nope"), RpcError);
    // The connection is still good after errors.
    EXPECT_EQ(client.call("add", {"0x1", "0x1"}), "0x2");
}

TEST(HttpServer, ClientBatch) {
    Node n;
    JsonRpcClient client(n.server.url());
    const auto results =
        client.batch({{"add", {"0x1", "0x2"}}, {"nope", json::array()}, {"echo", {7}}});
    ASSERT_EQ(results.size(), 3U);
    EXPECT_TRUE(results[0].ok());
    EXPECT_EQ(results[0].value(), "0x3");
    EXPECT_FALSE(results[1].ok());
    EXPECT_EQ(results[1].error->code, errc::kMethodNotFound);
    EXPECT_THROW((void)results[1].value(), RpcError);
    EXPECT_EQ(results[2].value(), json::array({7}));
    EXPECT_TRUE(client.batch({}).empty());
}

TEST(HttpServer, AnyPathServesJsonRpc) {
    Node n;
    auto c = n.raw();
    for (const std::string path : {"/", "/rpc", "/v1/mainnet"}) {
        const auto res =
            c.Post(path, R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x1"]})",
                   "application/json");
        ASSERT_TRUE(res) << path;
        EXPECT_EQ(res->status, 200);
        EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
        EXPECT_EQ(json::parse(res->body)["result"], "0x2");
    }
    // Content types other than JSON are read as JSON anyway (curl -d sends form encoding).
    const auto form =
        c.Post("/", R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x1"]})",
               "application/x-www-form-urlencoded");
    ASSERT_TRUE(form);
    EXPECT_EQ(json::parse(form->body)["result"], "0x2");
}

TEST(HttpServer, NotificationsGetNoContent) {
    Node n;
    auto c = n.raw();
    const auto res = c.Post("/", R"({"jsonrpc":"2.0","method":"add","params":["0x1","0x1"]})",
                            "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 204);
    EXPECT_TRUE(res->body.empty());
}

TEST(HttpServer, ParseErrorsAreJsonRpcAnswers) {
    Node n;
    auto c = n.raw();
    const auto res = c.Post("/", "{not json", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(json::parse(res->body)["error"]["code"], errc::kParseError);
}

void expect_too_large(const httplib::Result& res) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 413);
    EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
    const json body = json::parse(res->body);
    EXPECT_EQ(body["error"]["code"], errc::kLimitExceeded);
    EXPECT_EQ(body["error"]["message"],
              "request body exceeds the limit of " + std::to_string(kMaxBody) + " bytes");
    EXPECT_TRUE(body["id"].is_null());
}

TEST(HttpServer, OversizedBodyIs413AndTheServerKeepsServing) {
    Node n;
    const std::string big = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[")" +
                            std::string(kMaxBody, 'a') + "\"]}";
    auto c = n.raw();
    expect_too_large(c.Post("/", big, "application/json"));
    // The same client object reconnects; a new one works too.
    const auto after =
        c.Post("/", R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x1"]})",
               "application/json");
    ASSERT_TRUE(after);
    EXPECT_EQ(json::parse(after->body)["result"], "0x2");

    // A body exactly at the limit is accepted.
    std::string exact = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[""]})";
    exact.insert(exact.size() - 3, std::string(kMaxBody - exact.size(), 'b'));
    ASSERT_EQ(exact.size(), kMaxBody);
    const auto ok = c.Post("/", exact, "application/json");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);

    // Through JsonRpcClient the refusal surfaces as the JSON-RPC error it carries.
    JsonRpcClient client(n.server.url());
    try {
        (void)client.call("echo", {std::string(kMaxBody, 'c')});
        FAIL();
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, errc::kLimitExceeded);
    }
    EXPECT_EQ(client.call("add", {"0x1", "0x1"}), "0x2");
}

// POSTs a chunked body of `total` bytes (JSON whitespace) in 8 KiB chunks;
// `sent` counts what the server took.
httplib::Result post_chunked(httplib::Client& c, size_t total, size_t& sent) {
    const std::string chunk(8192, ' ');
    sent = 0;
    return c.Post(
        "/",
        [&, total](size_t, httplib::DataSink& sink) {
            if (sent >= total) {
                sink.done();
                return true;
            }
            sent += chunk.size();
            return sink.write(chunk.data(), chunk.size());
        },
        "application/json");
}

TEST(HttpServer, OversizedChunkedBodyIs413) {
    Node n;
    auto c = n.raw();
    size_t sent = 0;
    // A little over the limit: read to the end and answered with a clean 413.
    expect_too_large(post_chunked(c, kMaxBody + kMaxBody / 2, sent));

    // Far more: the server stops reading at twice the limit and the client
    // cannot send it all (what it did send sits in socket buffers); it may
    // or may not get to read the 413 before the reset.
    constexpr size_t kFlood = size_t{256} << 20;
    const auto res = post_chunked(c, kFlood, sent);
    if (res) expect_too_large(res);
    EXPECT_LT(sent, kFlood);

    // A small chunked body is served, on the same client object.
    bool done = false;
    const auto small = c.Post(
        "/",
        [&](size_t, httplib::DataSink& sink) {
            if (done) {
                sink.done();
                return true;
            }
            done = true;
            const std::string body =
                R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x2"]})";
            return sink.write(body.data(), body.size());
        },
        "application/json");
    ASSERT_TRUE(small);
    EXPECT_EQ(json::parse(small->body)["result"], "0x3");
}

// A plain socket connected to the server on loopback.
int connect_loopback(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
    return fd;
}

// What arrives on `fd` until the server closes or 2 s pass; closes `fd`.
std::string read_until_close(int fd) {
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
}

std::string raw_exchange(uint16_t port, const std::string& request) {
    const int fd = connect_loopback(port);
    EXPECT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    return read_until_close(fd);
}

TEST(HttpServer, AnnouncedOversizedBodyIsRefusedBeforeItIsSent) {
    Node n;
    const std::string answer = raw_exchange(
        n.server.port(),
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(kMaxBody + 1) + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
    EXPECT_EQ(answer.find("100 Continue"), std::string::npos) << answer;
    EXPECT_NE(answer.find("\"code\":-32005"), std::string::npos) << answer;
}

TEST(HttpServer, HugeDeclaredBodyIsRefusedUnread) {
    Node n;
    // No body follows the headers: the answer must not wait for one.
    const std::string answer =
        raw_exchange(n.server.port(),
                     "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\nConnection: "
                     "close\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
    EXPECT_NE(answer.find("\"code\":-32005"), std::string::npos) << answer;
    JsonRpcClient client(n.server.url());
    EXPECT_EQ(client.call("add", {"0x1", "0x1"}), "0x2");
}

TEST(HttpServer, MultipartBodiesAreRefused) {
    Node n;
    auto c = n.raw();
    const auto res = c.Post("/", "--x\r\n\r\n{}\r\n--x--\r\n", "multipart/form-data; boundary=x");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 415);
}

TEST(HttpServer, ConcurrentClients) {
    Node n;  // 4 workers for 8 clients: connections beyond the pool queue and are served later
    constexpr int kThreads = 8;
    constexpr int kCalls = 40;
    std::atomic<int> wrong{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            try {
                JsonRpcClient client(n.server.url());
                for (int i = 0; i < kCalls; ++i) {
                    const uint64_t a = static_cast<uint64_t>(t) * 1000 + static_cast<uint64_t>(i);
                    if (client.call("add", {to_quantity(a), "0x1"}) != to_quantity(a + 1)) ++wrong;
                }
                const auto batch = client.batch({{"add", {"0x1", "0x1"}}, {"echo", {t}}});
                if (batch[1].value() != json::array({t})) ++wrong;
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
                ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_EQ(failures.load(), 0);
    const std::string metrics = n.metrics.render();
    EXPECT_NE(metrics.find("rpc_requests_total{method=\"add\"} " +
                           std::to_string(kThreads * (kCalls + 1)) + "\n"),
              std::string::npos)
        << metrics;
}

TEST(HttpServer, HealthEndpoint) {
    Node n;
    auto c = n.raw();
    auto res = c.Get("/health");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    EXPECT_EQ(json::parse(res->body), json::parse(R"({"status":"ok","head":12})"));
    n.healthy = false;
    res = c.Get("/health");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);
    EXPECT_EQ(json::parse(res->body)["status"], "syncing");
}

TEST(HttpServer, HealthWithoutCallbackAndWhenItThrows) {
    MetricsRegistry metrics;
    Dispatcher d(test_methods(), {}, &metrics);
    HttpServer plain(test_config(), d, &metrics);
    plain.start();
    httplib::Client c("127.0.0.1", plain.port());
    auto res = c.Get("/health");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(json::parse(res->body), json::parse(R"({"status":"ok"})"));

    HttpServer failing(test_config(), d, &metrics,
                       []() -> HealthReport { throw std::runtime_error("disk gone"); });
    failing.start();
    httplib::Client f("127.0.0.1", failing.port());
    res = f.Get("/health");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);
    EXPECT_EQ(res->body.find("disk"), std::string::npos);
}

TEST(HttpServer, MetricsEndpoint) {
    Node n;
    JsonRpcClient client(n.server.url());
    (void)client.call("add", {"0x1", "0x1"});
    auto c = n.raw();
    const auto res = c.Get("/metrics");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(res->body.find("# TYPE rpc_request_duration_seconds histogram\n"), std::string::npos);
    EXPECT_NE(res->body.find("rpc_request_duration_seconds_count{method=\"add\"} 1\n"),
              std::string::npos);
    EXPECT_NE(res->body.find("rpc_http_responses_total{code=\"200\"}"), std::string::npos)
        << res->body;

    Dispatcher d(test_methods());
    HttpServer without(test_config(), d);
    without.start();
    httplib::Client w("127.0.0.1", without.port());
    const auto none = w.Get("/metrics");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 404);
}

TEST(HttpServer, CorsPreflightAndHeaders) {
    Node n;
    auto c = n.raw();
    const auto pre = c.Options("/", {{"Origin", "https://app.example"},
                                     {"Access-Control-Request-Method", "POST"},
                                     {"Access-Control-Request-Headers", "content-type,x-trace"}});
    ASSERT_TRUE(pre);
    EXPECT_EQ(pre->status, 204);
    EXPECT_EQ(pre->get_header_value("Access-Control-Allow-Origin"), "*");
    EXPECT_NE(pre->get_header_value("Access-Control-Allow-Methods").find("POST"),
              std::string::npos);
    EXPECT_EQ(pre->get_header_value("Access-Control-Allow-Headers"), "content-type,x-trace");
    EXPECT_FALSE(pre->get_header_value("Access-Control-Max-Age").empty());

    const auto post = c.Post("/", {{"Origin", "https://app.example"}},
                             R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x1"]})",
                             "application/json");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->get_header_value("Access-Control-Allow-Origin"), "*");
}

TEST(HttpServer, CorsCanBeDisabled) {
    HttpServerConfig config = test_config();
    config.cors_origin.clear();
    Node n(config);
    auto c = n.raw();
    const auto pre = c.Options("/", {{"Origin", "https://app.example"}});
    ASSERT_TRUE(pre);
    EXPECT_FALSE(pre->has_header("Access-Control-Allow-Origin"));
    const auto post =
        c.Post("/", R"({"jsonrpc":"2.0","id":1,"method":"echo"})", "application/json");
    ASSERT_TRUE(post);
    EXPECT_FALSE(post->has_header("Access-Control-Allow-Origin"));
}

TEST(HttpServer, GetOnTheRpcPathSaysToPostAndOtherMethodsAre405) {
    Node n;
    auto c = n.raw();
    const auto res = c.Get("/");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 405);
    EXPECT_EQ(res->get_header_value("Allow"), "POST, OPTIONS");
    // Methods other than POST, GET and OPTIONS are refused the same way.
    const auto del = c.Delete("/");
    ASSERT_TRUE(del);
    EXPECT_EQ(del->status, 405);
    EXPECT_EQ(del->get_header_value("Allow"), "POST, GET, OPTIONS");
}

TEST(HttpServer, PortInUseIsAnError) {
    Node n;
    HttpServerConfig config = test_config();
    config.port = n.server.port();
    Dispatcher d(test_methods());
    HttpServer second(config, d);
    try {
        second.start();
        FAIL() << "two servers on one port";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(std::to_string(config.port)), std::string::npos);
    }
    EXPECT_FALSE(second.running());
}

TEST(HttpServer, StopIsGracefulAndIdempotent) {
    Node n;
    JsonRpcClient client(n.server.url());
    EXPECT_EQ(client.call("add", {"0x1", "0x1"}), "0x2");
    EXPECT_THROW(n.server.start(), std::logic_error);
    n.server.stop();
    EXPECT_FALSE(n.server.running());
    n.server.stop();
    EXPECT_THROW((void)client.call("add", {"0x1", "0x1"}), TransportError);
}

TEST(HttpServer, StopRightAfterStart) {
    Dispatcher d(test_methods());
    for (int i = 0; i < 5; ++i) {
        HttpServer s(test_config(), d);
        s.start();
        s.stop();
    }
}

TEST(HttpServer, KeepAliveOffClosesEachConnection) {
    HttpServerConfig config = test_config();
    config.keep_alive = false;
    Node n(config);
    JsonRpcClient client(n.server.url());
    for (int i = 0; i < 5; ++i) EXPECT_EQ(client.call("add", {"0x1", "0x1"}), "0x2");
    auto c = n.raw();
    const auto res = c.Post("/", R"({"jsonrpc":"2.0","id":1,"method":"echo"})", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value("Connection"), "close");
}

TEST(HttpServer, MalformedRequestLineIs400AndCloses) {
    Node n;
    const std::string answer = raw_exchange(n.server.port(), "GARBAGE\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    EXPECT_NE(answer.find("\"code\":-32600"), std::string::npos) << answer;
    JsonRpcClient client(n.server.url());
    EXPECT_EQ(client.call("add", {"0x1", "0x1"}), "0x2");
}

TEST(HttpServer, OversizedHeaderIs431) {
    Node n;
    const std::string answer = raw_exchange(
        n.server.port(), "POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(32 * 1024, 'h') +
                             "\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 431")) << answer.substr(0, 200);
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
    Node n;
    const std::string first = R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x1"]})";
    const std::string second = R"({"jsonrpc":"2.0","id":2,"method":"add","params":["0x2","0x2"]})";
    const auto request = [](const std::string& body, const char* connection) {
        return "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: " +
               std::string(connection) + "\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body;
    };
    // Both requests in one send: the second is already buffered when the
    // first is answered.
    const std::string answer =
        raw_exchange(n.server.port(), request(first, "keep-alive") + request(second, "close"));
    const size_t one = answer.find(R"("result":"0x2")");
    const size_t two = answer.find(R"("result":"0x4")");
    ASSERT_NE(one, std::string::npos) << answer;
    ASSERT_NE(two, std::string::npos) << answer;
    EXPECT_LT(one, two);
    EXPECT_EQ(answer.find("HTTP/1.1 200"), 0U);
    EXPECT_NE(answer.find("HTTP/1.1 200", one), std::string::npos);
}

TEST(HttpServer, Http10RequestIsAnsweredAndClosed) {
    Node n;
    const std::string body = R"({"jsonrpc":"2.0","id":7,"method":"add","params":["0x3","0x4"]})";
    // raw_exchange returns once the server closes (or after 2 s): the
    // answer arriving whole with "close" shows the connection ended.
    const std::string answer = raw_exchange(
        n.server.port(),
        "POST / HTTP/1.0\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    EXPECT_NE(answer.find(R"("result":"0x7")"), std::string::npos) << answer;
}

TEST(HttpServer, BodyArrivingInPiecesIsReadWhole) {
    Node n;
    const int fd = connect_loopback(n.server.port());
    const int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x5","0x6"]})";
    const std::string request =
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    // One byte at a time, pausing now and then, through the head and body.
    for (size_t i = 0; i < request.size(); ++i) {
        ASSERT_EQ(::send(fd, request.data() + i, 1, MSG_NOSIGNAL), 1);
        if (i % 16 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const std::string answer = read_until_close(fd);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    EXPECT_NE(answer.find(R"("result":"0xb")"), std::string::npos) << answer;
}

TEST(HttpServer, StopDoesNotWaitForIdleKeepAliveConnections) {
    HttpServerConfig config = test_config();
    config.keep_alive_timeout = std::chrono::seconds(30);
    Node n(config);
    auto c = n.raw();
    c.set_keep_alive(true);
    const auto res = c.Post("/", R"({"jsonrpc":"2.0","id":1,"method":"echo"})", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value("Connection"), "keep-alive");
    // The client's connection now idles in the server's keep-alive wait;
    // stop() ends that wait instead of sitting out the 30 s.
    const auto before = std::chrono::steady_clock::now();
    n.server.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(10));
}

// One keep-alive request on `fd`; returns the answer's body.
std::string keep_alive_call(int fd, const std::string& body) {
    const std::string req =
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    EXPECT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string in;
    char buf[4096];
    for (;;) {
        const size_t head_end = in.find("\r\n\r\n");
        if (head_end != std::string::npos) {
            const size_t at = in.find("Content-Length: ");
            if (at != std::string::npos && at < head_end) {
                const size_t length = std::stoul(in.substr(at + 16));
                if (in.size() >= head_end + 4 + length) return in.substr(head_end + 4, length);
            }
        }
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) return "closed: " + in;
        in.append(buf, static_cast<size_t>(n));
    }
}

const std::string kAddBody = R"({"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x2"]})";

// Many more idle keep-alive connections than serving threads: a connection
// holds a thread only while its request is being worked on.
TEST(HttpServer, IdleKeepAliveConnectionsHoldNoThread) {
    HttpServerConfig config = test_config();
    config.worker_threads = 2;
    config.keep_alive_timeout = std::chrono::seconds(30);
    Node n(config);
    std::vector<int> idle;
    for (int i = 0; i < 40; ++i) {
        idle.push_back(connect_loopback(n.server.port()));
        EXPECT_EQ(json::parse(keep_alive_call(idle.back(), kAddBody))["result"], "0x3");
    }
    // Every one of them still works, and so does a new client.
    for (const int fd : idle) {
        EXPECT_EQ(json::parse(keep_alive_call(fd, kAddBody))["result"], "0x3");
    }
    JsonRpcClient client(n.server.url());
    EXPECT_EQ(client.call("add", {"0x2", "0x2"}), "0x4");
    for (const int fd : idle) ::close(fd);
}

// `method` called without params by a client of its own, on a thread of its own.
std::future<std::string> call_in_background(const std::string& url, const std::string& method) {
    return std::async(std::launch::async, [url, method] {
        JsonRpcClient c(url);
        return c.call(method, json::array()).get<std::string>();
    });
}

// Polls `done` every 10 ms for at most 5 s.
template <class Pred>
void wait_until(Pred done) {
    for (int i = 0; i < 500 && !done(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

// A request waiting for its operation holds no thread: with one serving
// thread, other clients are answered meanwhile.
TEST(HttpServer, ARequestWaitingForItsOperationHoldsNoThread) {
    test_support::ReadinessGate gate;
    MethodTable t = test_methods();
    t.add_deferred("slow", [&gate](const json&, const RequestContext&) -> Completion {
        return Completion([] { return json("slow done"); }, gate.when_ready());
    });
    Dispatcher d(std::move(t));
    HttpServerConfig config = test_config();
    config.worker_threads = 1;
    HttpServer server(config, d);
    server.start();

    std::future<std::string> answer = call_in_background(server.url(), "slow");
    wait_until([&] { return gate.waiting() > 0; });
    ASSERT_EQ(gate.waiting(), 1U);
    JsonRpcClient other(server.url());
    EXPECT_EQ(other.call("add", {"0x1", "0x1"}), "0x2");

    gate.open();
    ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(answer.get(), "slow done");
    server.stop();
}

// A method that blocks its thread (a history read, a wait for the state
// lock) runs on a call thread: with one serving thread, other clients are
// still answered, and the blocked client gets its answer afterwards.
TEST(HttpServer, ABlockingMethodOnACallThreadStallsOnlyItsClient) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> entered{0};
    MethodTable t = test_methods();
    t.add("blocking", [&](const json&, const RequestContext&) -> json {
        ++entered;
        released.wait_for(std::chrono::seconds(10));
        return "unblocked";
    });
    Dispatcher d(std::move(t), DispatcherConfig{.call_threads = 2});
    HttpServerConfig config = test_config();
    config.worker_threads = 1;
    HttpServer server(config, d);
    server.start();

    std::future<std::string> answer = call_in_background(server.url(), "blocking");
    wait_until([&] { return entered.load() > 0; });
    ASSERT_EQ(entered.load(), 1);
    const auto asked = std::chrono::steady_clock::now();
    JsonRpcClient other(server.url());
    EXPECT_EQ(other.call("add", {"0x1", "0x1"}), "0x2");
    // Answered while the other call still blocks, not after its 10 s.
    EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(5));

    release.set_value();
    ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(answer.get(), "unblocked");
    server.stop();
}

TEST(HttpServer, ConnectionsBeyondTheLimitAreClosed) {
    HttpServerConfig config = test_config();
    config.max_connections = 2;
    Node n(config);
    const int a = connect_loopback(n.server.port());
    const int b = connect_loopback(n.server.port());
    EXPECT_EQ(json::parse(keep_alive_call(a, kAddBody))["result"], "0x3");
    EXPECT_EQ(json::parse(keep_alive_call(b, kAddBody))["result"], "0x3");
    const int c = connect_loopback(n.server.port());
    EXPECT_TRUE(keep_alive_call(c, kAddBody).starts_with("closed")) << "a third connection";
    ::close(c);
    ::close(b);
    // A slot is free again once the server has seen b close.
    std::string answer;
    for (int i = 0; i < 100; ++i) {
        const int d = connect_loopback(n.server.port());
        answer = keep_alive_call(d, kAddBody);
        ::close(d);
        if (!answer.starts_with("closed")) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(json::parse(answer)["result"], "0x3");
    EXPECT_EQ(json::parse(keep_alive_call(a, kAddBody))["result"], "0x3");
    ::close(a);
}

TEST(HttpServer, IdleConnectionsCloseAfterTheKeepAliveTimeout) {
    Node n;  // keep-alive timeout 1 s
    const int fd = connect_loopback(n.server.port());
    EXPECT_EQ(json::parse(keep_alive_call(fd, kAddBody))["result"], "0x3");
    const auto idle_from = std::chrono::steady_clock::now();
    EXPECT_EQ(read_until_close(fd), "");  // the server closes it: recv sees the end
    const auto idled = std::chrono::steady_clock::now() - idle_from;
    EXPECT_GE(idled, std::chrono::milliseconds(900));
    EXPECT_LT(idled, std::chrono::milliseconds(1900));  // read_until_close gives up at 2 s
}

TEST(HttpServer, ARequestThatStallsIsClosedAfterTheReadTimeout) {
    HttpServerConfig config = test_config();
    config.read_timeout = std::chrono::seconds(1);
    config.keep_alive_timeout = std::chrono::seconds(30);
    Node n(config);
    const int fd = connect_loopback(n.server.port());
    const std::string partial = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{";
    ASSERT_EQ(::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(partial.size()));
    const auto from = std::chrono::steady_clock::now();
    EXPECT_EQ(read_until_close(fd), "");
    EXPECT_LT(std::chrono::steady_clock::now() - from, std::chrono::milliseconds(1900));
}

// A client that shuts its side down and stops reading while a large answer
// is being written: the server waits for the socket to drain (or the write
// timeout) without spinning on the half-closed connection.
TEST(HttpServer, AClientThatStopsReadingCostsNoCpu) {
    MethodTable t = test_methods();
    t.add("big",
          [](const json&, const RequestContext&) { return json(std::string(8 << 20, 'x')); });
    Dispatcher d(std::move(t));
    HttpServer server(test_config(), d);
    server.start();

    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    const int small = 4096;  // before connecting: the window stays small
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
    const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"big"})";
    const std::string req =
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    ::shutdown(fd, SHUT_WR);

    const auto cpu = [] {
        timespec ts{};
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    };
    // Until the answer is built and the socket buffers are full: the
    // process goes quiet (with a sanitizer, building 8 MB takes a while).
    // A spinning server never does, and fails below after 10 s.
    double last = cpu();
    for (int i = 0; i < 100; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const double now = cpu();
        if (now - last < 0.02) break;
        last = now;
    }
    const double before = cpu();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    EXPECT_LT(cpu() - before, 0.3);  // a spinning thread would take about 1 s
    ::close(fd);                     // unread data: the server's next write fails and it closes
    server.stop();
}

}  // namespace
}  // namespace ampd::rpc
