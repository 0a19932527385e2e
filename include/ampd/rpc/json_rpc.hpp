// JSON-RPC 2.0 request handling, independent of the transport: a body in,
// a body out. Validation follows the specification to the letter, since
// wallets and libraries differ in what they send and expect back:
// https://www.jsonrpc.org/specification
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ampd/rpc/error.hpp"
#include "ampd/rpc/method_table.hpp"
#include "ampd/rpc/metrics.hpp"

namespace ampd::rpc {

struct DispatcherConfig {
    // Requests in one batch; a longer batch is refused whole with -32005.
    size_t max_batch = 1000;
    // Nesting of arrays/objects in a body. Nothing in Ethereum's API nests
    // deeper than a handful of levels; the bound keeps recursive code that
    // looks at params (dumping, logging) away from stack exhaustion.
    size_t max_depth = 64;
};

class Dispatcher {
public:
    // `metrics`, when given, must outlive the dispatcher; it receives
    // rpc_request_duration_seconds{method}, rpc_requests_total{method},
    // rpc_request_errors_total{method}, rpc_invalid_requests_total and
    // rpc_batch_size.
    explicit Dispatcher(MethodTable table, DispatcherConfig config = {},
                        MetricsRegistry* metrics = nullptr);

    // Handles one request body (a single request or a batch) and returns the
    // response body, or "" when every request was a notification. Never
    // throws for anything a client sends. Thread-safe when the handlers are.
    [[nodiscard]] std::string handle(std::string_view body, std::string_view remote = {}) const;

    // Calls one method in-process, as a client would through handle(): the
    // result, or the RpcError the client would receive.
    nlohmann::json call(std::string_view method,
                        const nlohmann::json& params = nlohmann::json::array()) const;

    [[nodiscard]] const MethodTable& methods() const { return table_; }
    [[nodiscard]] const DispatcherConfig& config() const { return config_; }

private:
    struct MethodMetrics {
        Histogram* latency = nullptr;
        Counter* calls = nullptr;
        Counter* errors = nullptr;
    };

    // The response to one request object, or nullopt for a notification.
    std::optional<nlohmann::json> handle_one(const nlohmann::json& request, std::string_view remote,
                                             bool in_batch) const;
    // Runs the method; every failure comes out as RpcError.
    nlohmann::json invoke(std::string_view method, const nlohmann::json& params,
                          const RequestContext& ctx) const;
    [[nodiscard]] std::string refuse(int code, std::string message) const;

    MethodTable table_;
    DispatcherConfig config_;
    std::map<std::string, MethodMetrics, std::less<>> metrics_by_method_;
    MethodMetrics unknown_method_metrics_;
    Counter* invalid_requests_ = nullptr;
    Histogram* batch_size_ = nullptr;
};

}  // namespace ampd::rpc
