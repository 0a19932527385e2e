#include "ampd/cli/revert_reason.hpp"

#include <array>
#include <utility>

#include "ampd/contracts/amp.hpp"
#include "ampd/primitives/abi.hpp"

namespace ampd::cli {

std::string explain_reason(std::string_view reason) {
    using contracts::Amp;
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kAmpCodes{{
        {Amp::kErrInsufficientBalance, "insufficient balance"},
        {Amp::kErrInsufficientAllowance, "insufficient allowance"},
        {Amp::kErrInvalidSender, "invalid sender"},
        {Amp::kErrInvalidReceiver, "invalid receiver"},
        {Amp::kErrInvalidOperator, "invalid operator"},
        {Amp::kErrInvalidSwapTokenAddress, "invalid swap token address"},
        {Amp::kErrAddressConflict, "address conflict"},
        {Amp::kErrPartitionReserved, "partition reserved"},
        {Amp::kErrPartitionPrefixConflict, "partition prefix conflict"},
        {Amp::kErrInvalidPartitionPrefix0, "invalid partition prefix 0x00000000"},
        {Amp::kErrSwapTransferFailure, "swap transfer failure"},
    }};
    for (const auto& [code, meaning] : kAmpCodes) {
        if (reason == code) return std::string(reason) + " (" + std::string(meaning) + ")";
    }
    return std::string(reason);
}

std::optional<std::string> revert_reason(ByteView revert_data) {
    return abi::decode_error(revert_data);
}

}  // namespace ampd::cli
