// A JSON-RPC 2.0 client over HTTP(S), for the CLI and integration tests.
//
// One persistent (keep-alive) connection per client; calls on one client
// are serialized, so give each thread its own client to run calls in
// parallel.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/rpc/error.hpp"

namespace ampd::rpc {

// The server could not be reached or did not answer with JSON-RPC: the
// message names the URL and what went wrong.
class TransportError : public std::runtime_error {
public:
    explicit TransportError(const std::string& message, int http_status = 0)
        : std::runtime_error(message), http_status_(http_status) {}
    // The HTTP status of a non-JSON-RPC answer; 0 when none arrived.
    [[nodiscard]] int http_status() const { return http_status_; }

private:
    int http_status_;
};

struct ClientConfig {
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds read_timeout{30000};
    std::chrono::milliseconds write_timeout{30000};
    bool keep_alive = true;
};

struct BatchCall {
    std::string method;
    nlohmann::json params = nlohmann::json::array();
};

// The outcome of one call of a batch.
struct BatchResult {
    std::optional<nlohmann::json> result;
    std::optional<RpcError> error;

    [[nodiscard]] bool ok() const { return !error; }
    // The result; throws the call's RpcError if it failed.
    [[nodiscard]] const nlohmann::json& value() const;
};

class JsonRpcClient {
public:
    // `url`: http://host[:port][/path] (https:// too); IPv6 hosts in
    // brackets. Throws std::invalid_argument for anything else.
    explicit JsonRpcClient(std::string url, ClientConfig config = {});
    ~JsonRpcClient();
    JsonRpcClient(const JsonRpcClient&) = delete;
    JsonRpcClient& operator=(const JsonRpcClient&) = delete;

    // The call's result. Throws RpcError for an error response (code,
    // message and data as the server sent them) and TransportError when no
    // valid response arrives.
    nlohmann::json call(std::string_view method,
                        const nlohmann::json& params = nlohmann::json::array());
    // One HTTP request for all calls; results in the order of `calls`,
    // whatever order the server answered in. Throws RpcError if the server
    // refused the whole batch (e.g. too long) and TransportError as call().
    std::vector<BatchResult> batch(const std::vector<BatchCall>& calls);

    [[nodiscard]] const std::string& url() const { return url_; }

private:
    struct Impl;
    // POSTs `body` and parses the JSON answer; mutex_ held.
    nlohmann::json post(const std::string& body);

    std::string url_;
    std::unique_ptr<Impl> impl_;
    std::mutex mutex_;
    uint64_t next_id_ = 1;
};

}  // namespace ampd::rpc
