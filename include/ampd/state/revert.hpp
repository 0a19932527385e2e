// How contract execution stops early. Contract code reads like the Solidity
// it mirrors: require(cond, "52") throws a Revert that unwinds every nested
// call up to the transaction boundary, where the journal rolls back.
// Exceptions are used only on this failure path.
#pragma once

#include <string>
#include <string_view>

#include "ampd/primitives/bytes.hpp"

namespace ampd::state {

struct Revert {
    enum class Kind : uint8_t {
        kReason,         // revert("...") / require(cond, "..."): Error(string) data
        kEmpty,          // revert() without data: failed ABI decoding, missing function,
                         // call to an address without code
        kInvalidOpcode,  // assert failure / array index out of range in Solidity 0.6
    };
    Kind kind = Kind::kEmpty;
    std::string reason;  // for kReason

    // The revert data returned to the caller.
    [[nodiscard]] Bytes data() const;
    // The virtual machine's name for how execution ended ("revert", "invalid opcode").
    [[nodiscard]] std::string_view error_name() const {
        return kind == Kind::kInvalidOpcode ? "invalid opcode" : "revert";
    }
};

[[noreturn]] void revert(std::string_view reason);
[[noreturn]] void revert_empty();
[[noreturn]] void invalid_opcode();

inline void require(bool cond, std::string_view reason) {
    if (!cond) [[unlikely]]
        revert(reason);
}

}  // namespace ampd::state
