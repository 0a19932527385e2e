// JSON-RPC error values: the error object a call answers with, and the
// codes clients branch on (JSON-RPC 2.0, EIP-1474, and geth's 3 for a
// reverted execution, which ethers.js and web3 decode the revert data of).
#pragma once

#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ampd/primitives/bytes.hpp"

namespace ampd::rpc {

namespace errc {
// JSON-RPC 2.0.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// EIP-1474.
inline constexpr int kInvalidInput = -32000;
inline constexpr int kResourceNotFound = -32001;
inline constexpr int kResourceUnavailable = -32002;
inline constexpr int kTransactionRejected = -32003;
inline constexpr int kMethodNotSupported = -32004;
inline constexpr int kLimitExceeded = -32005;
// geth: eth_call / eth_estimateGas hit a revert; data is the revert data.
inline constexpr int kExecutionReverted = 3;
}  // namespace errc

// Thrown by a method handler (or a parameter parser) to answer the call
// with this error object. Anything else a handler throws becomes a generic
// internal error, so messages here are the only text a client ever sees.
struct RpcError : std::exception {
    int code = errc::kInternalError;
    std::string message;
    std::optional<nlohmann::json> data;

    RpcError(int code_, std::string message_, std::optional<nlohmann::json> data_ = std::nullopt)
        : code(code_), message(std::move(message_)), data(std::move(data_)) {}

    [[nodiscard]] const char* what() const noexcept override { return message.c_str(); }

    // The "error" member of a response.
    [[nodiscard]] nlohmann::json to_json() const;
    // Reads an "error" member; nullopt unless it has an integer code and a
    // string message.
    [[nodiscard]] static std::optional<RpcError> from_json(const nlohmann::json& error);

    static RpcError invalid_params(std::string message) {
        return {errc::kInvalidParams, std::move(message)};
    }
    // geth's answer for a reverted eth_call/eth_estimateGas: code 3, message
    // "execution reverted[: <reason>]" (reason decoded from Error(string)
    // data), data = the revert data as hex. A revert without data is
    // -32000 "execution reverted" without data, as geth answers it.
    static RpcError execution_reverted(ByteView revert_data);
};

}  // namespace ampd::rpc
