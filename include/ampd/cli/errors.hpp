// What can stop an amp command, and the exit code each kind maps to, so
// that scripts can tell "the chain said no" from "you typed it wrong" from
// "something is broken" without parsing messages.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "ampd/primitives/bytes.hpp"

namespace ampd::cli {

namespace exit_code {
inline constexpr int kOk = 0;
// The transaction reverted: on chain (status 0), or already in the gas
// estimate, in which case nothing was sent.
inline constexpr int kReverted = 1;
// Bad arguments: a malformed amount, address or partition, a missing
// signer, conflicting options.
inline constexpr int kUsage = 2;
// Everything else: the node unreachable or answering with an error, key
// store or password problems, a receipt that did not arrive in time.
inline constexpr int kFailed = 3;
}  // namespace exit_code

// The arguments do not make sense; the message says which and why.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The command could not be carried out.
class CommandError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The node answered a call with an error (other than a revert); `code` is
// the JSON-RPC error code, for the few callers that react to one.
class NodeError : public CommandError {
public:
    NodeError(const std::string& message, int code) : CommandError(message), code_(code) {}
    [[nodiscard]] int code() const { return code_; }

private:
    int code_;
};

// A call or gas estimate reverted. `reason` is the Error(string) text when
// the revert carried one; `data` the raw revert data.
class RevertError : public std::runtime_error {
public:
    RevertError(const std::string& message, std::optional<std::string> reason, Bytes data)
        : std::runtime_error(message), reason_(std::move(reason)), data_(std::move(data)) {}

    [[nodiscard]] const std::optional<std::string>& reason() const { return reason_; }
    [[nodiscard]] const Bytes& data() const { return data_; }

private:
    std::optional<std::string> reason_;
    Bytes data_;
};

}  // namespace ampd::cli
