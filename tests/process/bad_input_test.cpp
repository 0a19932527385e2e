// Malformed and hostile JSON-RPC over HTTP against the real node: each gets
// its precise error, and the node keeps serving with its state unchanged
// (RunningNode checks both after every test).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "node_fixture.hpp"

namespace ampd::process_test {
namespace {

using nlohmann::json;

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInvalidInput = -32000;
constexpr int kLimitExceeded = -32005;
constexpr size_t kMaxBody = size_t{5} << 20;

const std::string kAmp = "0xff20817765cb7f73d4bde2e66e067e58d11095c2";
const std::string kAccount0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

// A request body of `size` bytes: a web3_sha3 call padded with hex data.
std::string body_of_size(size_t size) {
    const std::string head = R"({"jsonrpc":"2.0","id":1,"method":"web3_sha3","params":["0x)";
    const std::string tail = R"("]})";
    std::string digits(size - head.size() - tail.size(), 'a');
    if (digits.size() % 2 != 0) digits.pop_back();
    return head + digits + tail;
}

// Sends `request` on a new connection and returns what comes back before
// the server closes it, `wait_ms` pass without data, or (with
// `headers_only`) the response headers are complete.
std::string raw_exchange(uint16_t port, const std::string& request, int wait_ms = 3000,
                         bool headers_only = false) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = loopback_address(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return {};
    }
    timeval tv{wait_ms / 1000, (wait_ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    size_t sent = 0;
    while (sent < request.size()) {
        const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    std::string reply;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        reply.append(buf, static_cast<size_t>(n));
        if (headers_only && reply.find("\r\n\r\n") != std::string::npos) break;
    }
    ::close(fd);
    return reply;
}

// A connected socket to the node that has sent `bytes` (maybe nothing).
int open_connection(uint16_t port, const std::string& bytes) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = loopback_address(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    if (!bytes.empty()) (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    return fd;
}

class BadInputTest : public RunningNode {};

TEST_F(BadInputTest, MalformedJsonIsAParseError) {
    for (const std::string body :
         {"{", R"({"jsonrpc":"2.0","id":1,"method":"eth_blockNumber")", "eth_blockNumber", "[1,2",
          R"({"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}})", "\"\xff\xfe\"", "",
          R"({"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[01]})"}) {
        const HttpReply r = post(body);
        EXPECT_EQ(r.status, 200) << body;
        ASSERT_TRUE(r.json.is_object()) << body << " -> " << r.body;
        EXPECT_EQ(r.json["error"]["code"], kParseError) << body << " -> " << r.body;
        EXPECT_TRUE(r.json["id"].is_null()) << body;
        EXPECT_EQ(r.json["jsonrpc"], "2.0");
    }
}

TEST_F(BadInputTest, InvalidRequestsAreRefusedAsSuch) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"42", "expected a JSON object"},
        {R"({"jsonrpc":"2.0","id":1})", "method must be a string"},
        {R"({"jsonrpc":"1.0","id":1,"method":"eth_blockNumber"})", "jsonrpc must be"},
        {R"({"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":"x"})",
         "params must be an array or an object"},
        {R"({"jsonrpc":"2.0","id":{"a":1},"method":"eth_blockNumber"})", "id must be"},
        {"[]", "empty batch"},
    };
    for (const auto& [body, part] : cases) {
        const HttpReply r = post(body);
        ASSERT_TRUE(r.json.is_object()) << body << " -> " << r.body;
        EXPECT_EQ(r.json["error"]["code"], kInvalidRequest) << body << " -> " << r.body;
        EXPECT_NE(r.json["error"]["message"].get<std::string>().find(part), std::string::npos)
            << body << " -> " << r.body;
    }
    // Inside a batch, each bad element gets its own answer.
    const HttpReply r = post(R"([1, {"jsonrpc":"2.0","id":2,"method":"eth_chainId"}])");
    ASSERT_TRUE(r.json.is_array()) << r.body;
    ASSERT_EQ(r.json.size(), 2U);
    EXPECT_EQ(r.json[0]["error"]["code"], kInvalidRequest);
    EXPECT_EQ(r.json[1]["result"], "0x7a69");
    // Deep nesting is refused before parsing.
    const HttpReply deep = post(std::string(100000, '[') + std::string(100000, ']'));
    EXPECT_EQ(deep.json["error"]["code"], kInvalidRequest) << deep.body.substr(0, 200);
}

TEST_F(BadInputTest, WrongParameterTypesNameTheParameter) {
    // A number where a hex string belongs.
    expect_error("eth_getBlockByNumber", json::array({1, false}), kInvalidParams,
                 {"argument 0", "got number"});
    expect_error("eth_getBalance", json::array({12345, "latest"}), kInvalidParams,
                 {"argument 0", "got number"});
    expect_error("eth_call", json::array({{{"to", kAmp}, {"gas", 100000}}, "latest"}),
                 kInvalidParams, {"transaction.gas", "got number"});
    // Odd-length hex data.
    expect_error("eth_sendRawTransaction", json::array({"0xabc"}), kInvalidParams,
                 {"argument 0", "odd length"});
    expect_error("eth_call", json::array({{{"to", kAmp}, {"data", "0x123"}}, "latest"}),
                 kInvalidParams, {"transaction.data", "odd length"});
    // Missing 0x prefix.
    expect_error("eth_getCode", json::array({kAccount0.substr(2), "latest"}), kInvalidParams,
                 {"argument 0", "without 0x prefix"});
    expect_error("eth_getBlockByNumber", json::array({"1a", false}), kInvalidParams,
                 {"argument 0"});
    expect_error("eth_getTransactionByBlockNumberAndIndex", json::array({"latest", "1"}),
                 kInvalidParams, {"argument 1", "without 0x prefix"});
    // Leading zeros in a quantity.
    expect_error("eth_getBlockByNumber", json::array({"0x01", false}), kInvalidParams,
                 {"argument 0", "leading zero"});
    expect_error("eth_getTransactionByBlockNumberAndIndex", json::array({"latest", "0x00"}),
                 kInvalidParams, {"argument 1", "leading zero"});
    expect_error("eth_getLogs", json::array({{{"fromBlock", "0x01"}}}), kInvalidParams,
                 {"fromBlock", "leading zero"});
    expect_error("eth_call", json::array({{{"to", kAmp}, {"value", "0x00"}}, "latest"}),
                 kInvalidParams, {"transaction.value", "leading zero"});
    // Wrong lengths, digits and shapes.
    expect_error("eth_getCode", json::array({kAccount0.substr(0, 41), "latest"}), kInvalidParams,
                 {"argument 0", "20 bytes"});
    expect_error("eth_getTransactionByHash", json::array({"0x" + std::string(62, '1')}),
                 kInvalidParams, {"argument 0", "32 bytes"});
    expect_error("eth_getBalance", json::array({"0x" + std::string(40, 'g'), "latest"}),
                 kInvalidParams, {"argument 0", "invalid hex digit"});
    expect_error("eth_getBlockByNumber", json::array({"latest", "yes"}), kInvalidParams,
                 {"argument 1", "boolean"});
    expect_error("eth_getLogs", json::array({{{"topics", json::array({"0x1234"})}}}),
                 kInvalidParams, {"topic", "32 bytes"});
    expect_error("eth_getLogs", json::array({"latest"}), kInvalidParams, {"argument 0"});
    expect_error("eth_call", json::array({"0x1234", "latest"}), kInvalidParams,
                 {"transaction", "expected a transaction call object"});
    // Argument counts.
    expect_error("eth_getBalance", json::array(), kInvalidParams, {"required argument 0"});
    expect_error("eth_blockNumber", json::array({1}), kInvalidParams, {"too many arguments"});
    expect_error("eth_getBalance", json::object(), kInvalidParams, {"array"});
}

TEST_F(BadInputTest, NumbersBeyondTheirWidthAreRefused) {
    const std::string two_pow_64 = "0x1" + std::string(16, '0');
    const std::string two_pow_256 = "0x1" + std::string(64, '0');
    expect_error("eth_getBlockByNumber", json::array({two_pow_64, false}), kInvalidParams,
                 {"argument 0", "64 bits"});
    expect_error("eth_getTransactionByBlockNumberAndIndex", json::array({"0x0", two_pow_64}),
                 kInvalidParams, {"argument 1", "64 bits"});
    expect_error("eth_call", json::array({{{"to", kAmp}, {"nonce", two_pow_64}}, "latest"}),
                 kInvalidParams, {"transaction.nonce", "64 bits"});
    expect_error("eth_call", json::array({{{"to", kAmp}, {"gas", two_pow_64}}, "latest"}),
                 kInvalidParams, {"transaction.gas", "64 bits"});
    expect_error("eth_call", json::array({{{"to", kAmp}, {"value", two_pow_256}}, "latest"}),
                 kInvalidParams, {"transaction.value", "256 bits"});
    expect_error("eth_getLogs", json::array({{{"toBlock", two_pow_64}}}), kInvalidParams,
                 {"toBlock", "64 bits"});
    // The largest values that fit are fine.
    EXPECT_TRUE(call("eth_getBlockByNumber", json::array({"0xffffffffffffffff", false}))["result"]
                    .is_null());
    const json max_value = call(
        "eth_estimateGas", json::array({{{"to", kAmp}, {"value", "0x" + std::string(64, 'f')}}}));
    EXPECT_EQ(max_value["error"]["code"], kInvalidInput) << max_value.dump();
    // JSON numbers beyond 64 bits (parsed as floating point), and negative ones.
    for (const std::string body :
         {R"({"jsonrpc":"2.0","id":7,"method":"evm_increaseTime","params":[18446744073709551616]})",
          R"({"jsonrpc":"2.0","id":7,"method":"evm_increaseTime","params":[1e30]})",
          R"({"jsonrpc":"2.0","id":7,"method":"evm_increaseTime","params":[-5]})",
          R"({"jsonrpc":"2.0","id":7,"method":"eth_feeHistory","params":[1.5,"latest"]})"}) {
        const HttpReply r = post(body);
        EXPECT_EQ(r.json["error"]["code"], kInvalidParams) << body << " -> " << r.body;
    }
}

// Dev methods take timestamps and offsets as 64-bit numbers; values at the
// top of that range must be refused or handled, never wrap around or stop
// the node.
TEST_F(BadInputTest, TimestampsAtTheEndOfTimeDoNotBreakTheNode) {
    state_may_change_ = true;
    const std::string u64_max = "0xffffffffffffffff";
    // Whether the node accepts a block at 2^64 - 1 or not, it must go on
    // answering what follows.
    (void)call("evm_mine", json::array({u64_max}));
    ASSERT_TRUE(node_->alive()) << "evm_mine [2^64-1] stopped the node:\n" << node_->log_tail(300);
    const json next = call("evm_mine", json::array());
    ASSERT_TRUE(node_->alive()) << "evm_mine after a block at 2^64-1 stopped the node:\n"
                                << node_->log_tail(300);
    EXPECT_TRUE(next.contains("result") || next.contains("error")) << next.dump();
    const json tx = call(
        "eth_sendTransaction",
        json::array(
            {{{"from", kAccount0},
              {"to", kAmp},
              {"gas", "0x30d40"},
              {"data", "0xa9059cbb000000000000000000000000" + kAccount0.substr(2) +
                           "0000000000000000000000000000000000000000000000000000000000000001"}}}));
    ASSERT_TRUE(node_->alive()) << "a transaction after a block at 2^64-1 stopped the node:\n"
                                << node_->log_tail(300);
    EXPECT_TRUE(tx.contains("result") || tx.contains("error")) << tx.dump();

    // The clock offset adds up without wrapping around.
    const json first = call("evm_increaseTime", json::array({u64_max}));
    const json second = call("evm_increaseTime", json::array({u64_max}));
    if (first.contains("result") && second.contains("result")) {
        EXPECT_GE(second["result"].get<uint64_t>(), first["result"].get<uint64_t>())
            << "the offset wrapped around: " << first.dump() << " then " << second.dump();
    }
}

TEST_F(BadInputTest, UnknownMethodIsMethodNotFound) {
    expect_error("eth_doesNotExist", json::array(), kMethodNotFound,
                 {"the method eth_doesNotExist does not exist/is not available"});
    expect_error("", json::array(), kMethodNotFound, {"does not exist"});
    // A huge name is not echoed back whole.
    const json e = expect_error(std::string(100000, 'x'), json::array(), kMethodNotFound, {"..."});
    EXPECT_LT(e["message"].get<std::string>().size(), 300U);
}

TEST_F(BadInputTest, OversizedBodyIs413AndTheNodeKeepsServing) {
    // A little over the limit: read, dropped, and answered with 413.
    const HttpReply over = post(body_of_size(kMaxBody + 1024));
    EXPECT_EQ(over.status, 413);
    EXPECT_EQ(over.json["error"]["code"], kLimitExceeded) << over.body;
    EXPECT_NE(over.body.find(std::to_string(kMaxBody)), std::string::npos) << over.body;
    // Just under it: served (the hash of 2.5 MiB of 0xaa).
    const HttpReply under = post(body_of_size(kMaxBody - 1024));
    EXPECT_EQ(under.status, 200);
    EXPECT_TRUE(under.json["result"].is_string()) << under.body.substr(0, 200);

    // Far over it: refused from the headers; the client may see the 413 or
    // just a closed connection while it is still sending.
    const HttpReply huge = post(body_of_size(3 * kMaxBody));
    if (huge.status != 0) {
        EXPECT_EQ(huge.status, 413);
    }

    // An announced oversized body is refused before it is sent.
    const std::string expect_continue =
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(kMaxBody + 1) + "\r\nExpect: 100-continue\r\n\r\n";
    const std::string reply = raw_exchange(node_->port(), expect_continue, 3000, true);
    EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0U) << reply.substr(0, 200);

    // A declared length the body never reaches.
    const std::string truncated =
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\nConnection: close\r\n\r\n{\"jsonrpc\":";
    const std::string cut = raw_exchange(node_->port(), truncated, 500);
    EXPECT_EQ(cut.find("\"result\""), std::string::npos) << cut;

    // Not JSON-RPC over POST at all.
    auto client = http();
    const auto get = client->Get("/");
    ASSERT_TRUE(get);
    EXPECT_EQ(get->status, 405);
    for (int i = 0; i < 3; ++i) {
        const json ok = call("eth_chainId", json::array());
        EXPECT_EQ(ok["result"], "0x7a69");
    }
}

// Connections that send nothing, or a request's first header line and then
// nothing (slowloris), must not keep other clients from being served: an
// Ethereum node listening on a public address meets both.
TEST_F(BadInputTest, IdleAndSlowConnectionsDoNotStarveOtherClients) {
    std::vector<int> fds;
    for (int i = 0; i < 16; ++i) fds.push_back(open_connection(node_->port(), ""));
    for (int i = 0; i < 16; ++i) {
        fds.push_back(open_connection(node_->port(), "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    httplib::Client client(loopback_host(), node_->port());
    client.set_connection_timeout(std::chrono::seconds(3));
    client.set_read_timeout(std::chrono::seconds(3));
    const auto t0 = std::chrono::steady_clock::now();
    const auto res =
        client.Post("/", R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId"})", "application/json");
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
    for (const int fd : fds) {
        if (fd >= 0) ::close(fd);
    }
    ASSERT_TRUE(res) << "no answer within 3 s while 32 idle or slow connections were open";
    EXPECT_EQ(res->status, 200);
    EXPECT_LT(took.count(), 1000) << "answered only after " << took.count() << " ms";
}

TEST_F(BadInputTest, BatchOverTheLimitIsRefusedWhole) {
    auto batch_of = [](size_t n) {
        json b = json::array();
        for (size_t i = 0; i < n; ++i) {
            b.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", "eth_chainId"}});
        }
        return b.dump();
    };
    const HttpReply over = post(batch_of(1001));
    ASSERT_TRUE(over.json.is_object()) << over.body.substr(0, 200);
    EXPECT_EQ(over.json["error"]["code"], kLimitExceeded);
    EXPECT_NE(over.body.find("batch of 1001 requests exceeds the limit of 1000"), std::string::npos)
        << over.body;
    const HttpReply full = post(batch_of(1000));
    ASSERT_TRUE(full.json.is_array()) << full.body.substr(0, 200);
    EXPECT_EQ(full.json.size(), 1000U);
    EXPECT_EQ(full.json[999]["result"], "0x7a69");
    // Notifications only: nothing to answer.
    const HttpReply quiet = post(R"([{"jsonrpc":"2.0","method":"eth_chainId"}])");
    EXPECT_EQ(quiet.status, 204);
    EXPECT_EQ(quiet.body, "");
}

}  // namespace
}  // namespace ampd::process_test
