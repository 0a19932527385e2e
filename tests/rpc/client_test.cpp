#include "ampd/rpc/client.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace ampd::rpc {
namespace {

using nlohmann::json;

TEST(JsonRpcClient, AcceptsHttpUrls) {
    for (const std::string url : {"http://127.0.0.1:8545", "http://127.0.0.1:8545/",
                                  "http://localhost", "http://node:1/rpc/v1", "http://[::1]:8545",
                                  "http://[::1]", "https://rpc.example.org/key"}) {
        EXPECT_NO_THROW(JsonRpcClient{url}) << url;
    }
}

TEST(JsonRpcClient, RejectsMalformedUrls) {
    for (const std::string url :
         {"", "127.0.0.1:8545", "ftp://host", "ws://host:8546", "http://", "http://:8545",
          "http://host:", "http://host:0", "http://host:65536", "http://host:85a", "http://[::1",
          "http://[::1]x", "http://user:pw@host"}) {
        try {
            JsonRpcClient c{url};
            ADD_FAILURE() << "accepted " << url;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("invalid JSON-RPC URL"), std::string::npos);
        }
    }
}

// A port nothing listens on: bound to learn a free number, then released.
// (An httplib::Server that binds but never listens keeps its socket open.)
int unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

TEST(JsonRpcClient, ConnectionFailureNamesTheUrl) {
    const std::string url = "http://127.0.0.1:" + std::to_string(unused_port());
    ClientConfig config;
    config.connect_timeout = std::chrono::milliseconds(500);
    JsonRpcClient client(url, config);
    try {
        (void)client.call("eth_blockNumber");
        FAIL();
    } catch (const TransportError& e) {
        EXPECT_EQ(e.http_status(), 0);
        EXPECT_EQ(std::string(e.what()),
                  "cannot reach JSON-RPC server at " + url + ": connection failed");
    }
    EXPECT_THROW((void)client.batch({{"eth_blockNumber"}}), TransportError);
}

// A server that answers every POST with a fixed status and body.
struct Stub {
    httplib::Server server;
    std::thread thread;
    int port = 0;

    Stub(int status, std::string body, std::string type = "application/json") {
        server.Post(".*", [=](const httplib::Request&, httplib::Response& res) {
            res.status = status;
            res.set_content(body, type);
        });
        port = server.bind_to_any_port("127.0.0.1");
        thread = std::thread([this] { server.listen_after_bind(); });
        while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~Stub() {
        server.stop();
        thread.join();
    }
    [[nodiscard]] std::string url() const {
        return "http://127.0.0.1:" + std::to_string(port) + "/";
    }
};

TEST(JsonRpcClient, NonJsonRpcAnswersAreTransportErrors) {
    {
        Stub s(502, "<html>Bad Gateway</html>", "text/html");
        JsonRpcClient c(s.url());
        try {
            (void)c.call("eth_chainId");
            FAIL();
        } catch (const TransportError& e) {
            EXPECT_EQ(e.http_status(), 502);
            EXPECT_EQ(std::string(e.what()), "HTTP 502 from JSON-RPC server at " + s.url());
        }
    }
    {
        Stub s(200, "not json");
        JsonRpcClient c(s.url());
        EXPECT_THROW((void)c.call("eth_chainId"), TransportError);
    }
    {
        Stub s(200, R"({"jsonrpc":"2.0","id":1})");
        JsonRpcClient c(s.url());
        EXPECT_THROW((void)c.call("eth_chainId"), TransportError);  // neither result nor error
    }
    {
        Stub s(200, R"({"jsonrpc":"2.0","id":999,"result":"0x1"})");
        JsonRpcClient c(s.url());
        EXPECT_THROW((void)c.call("eth_chainId"), TransportError);  // another call's answer
    }
    {
        Stub s(200, R"({"jsonrpc":"2.0","id":1,"error":{"code":"x"}})");
        JsonRpcClient c(s.url());
        EXPECT_THROW((void)c.call("eth_chainId"), TransportError);
    }
}

TEST(JsonRpcClient, ErrorResponsesKeepCodeMessageAndData) {
    Stub s(200, R"({"jsonrpc":"2.0","id":1,"error":)"
                R"({"code":3,"message":"execution reverted","data":"0xdead"}})");
    JsonRpcClient c(s.url());
    try {
        (void)c.call("eth_call", json::array({json::object(), "latest"}));
        FAIL();
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, 3);
        EXPECT_EQ(e.message, "execution reverted");
        EXPECT_EQ(e.data, json("0xdead"));
    }
}

TEST(JsonRpcClient, BatchMatchesAnswersById) {
    // Answers out of order; ids 1 and 2 are the client's first two.
    Stub s(200, R"([{"jsonrpc":"2.0","id":2,"result":"b"},{"jsonrpc":"2.0","id":1,"result":"a"}])");
    JsonRpcClient c(s.url());
    const auto r = c.batch({{"m1"}, {"m2"}});
    ASSERT_EQ(r.size(), 2U);
    EXPECT_EQ(r[0].value(), "a");
    EXPECT_EQ(r[1].value(), "b");
}

TEST(JsonRpcClient, BatchRefusedWholeOrAnswersMissing) {
    {
        Stub s(200,
               R"({"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"batch too long"}})");
        JsonRpcClient c(s.url());
        try {
            (void)c.batch({{"m1"}, {"m2"}});
            FAIL();
        } catch (const RpcError& e) {
            EXPECT_EQ(e.code, errc::kLimitExceeded);
        }
    }
    {
        Stub s(200, R"([{"jsonrpc":"2.0","id":1,"result":"a"}])");
        JsonRpcClient c(s.url());
        EXPECT_THROW((void)c.batch({{"m1"}, {"m2"}}), TransportError);
    }
}

}  // namespace
}  // namespace ampd::rpc
