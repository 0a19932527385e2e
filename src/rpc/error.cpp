#include "ampd/rpc/error.hpp"

#include <cstdint>
#include <limits>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/hex.hpp"

namespace ampd::rpc {

nlohmann::json RpcError::to_json() const {
    nlohmann::json e = {{"code", code}, {"message", message}};
    if (data) e["data"] = *data;
    return e;
}

std::optional<RpcError> RpcError::from_json(const nlohmann::json& error) {
    if (!error.is_object()) return std::nullopt;
    const auto code = error.find("code");
    const auto message = error.find("message");
    if (code == error.end() || !code->is_number_integer()) return std::nullopt;
    if (message == error.end() || !message->is_string()) return std::nullopt;
    // Codes are small numbers; a value wider than int is not an error object we understand.
    constexpr auto kMin = std::numeric_limits<int>::min();
    constexpr auto kMax = std::numeric_limits<int>::max();
    if (code->is_number_unsigned() && code->get<uint64_t>() > static_cast<uint64_t>(kMax)) {
        return std::nullopt;
    }
    const auto value = code->get<int64_t>();
    if (value < kMin || value > kMax) return std::nullopt;
    RpcError e{static_cast<int>(value), message->get<std::string>()};
    if (const auto data = error.find("data"); data != error.end()) e.data = *data;
    return e;
}

RpcError RpcError::execution_reverted(ByteView revert_data) {
    if (revert_data.empty()) return {errc::kInvalidInput, "execution reverted"};
    std::string message = "execution reverted";
    if (const auto reason = abi::decode_error(revert_data)) message += ": " + *reason;
    return {errc::kExecutionReverted, std::move(message), hex::encode(revert_data)};
}

}  // namespace ampd::rpc
