// Pieces of request handling shared by the dispatcher's general path
// (json_rpc.cpp) and its text path (json_rpc_text.cpp), so that both answer
// alike.
#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ampd/rpc/error.hpp"

namespace ampd::rpc::json_rpc_internal {

inline std::string dump(const nlohmann::json& j) {
    // Strings are valid UTF-8 when they come from the parser, but handler
    // results and truncated echoes might not be; replace rather than throw.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline nlohmann::json error_response(const nlohmann::json& id, const RpcError& e) {
    return nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"error", e.to_json()}};
}

inline nlohmann::json result_response(const nlohmann::json& id, nlohmann::json result) {
    return nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

// Runs `f` (a handler or a completion); anything it throws but RpcError
// becomes a generic internal error.
template <class F>
auto guarded(std::string_view method, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const RpcError&) {
        throw;
    } catch (const std::exception& e) {
        // The client learns only that it failed; the details are for the operator.
        spdlog::error("JSON-RPC method {} failed: {}", method, e.what());
        throw RpcError{errc::kInternalError, "internal error"};
    } catch (...) {
        spdlog::error("JSON-RPC method {} failed with a non-standard exception", method);
        throw RpcError{errc::kInternalError, "internal error"};
    }
}

}  // namespace ampd::rpc::json_rpc_internal
