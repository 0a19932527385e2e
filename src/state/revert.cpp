#include "ampd/state/revert.hpp"

#include "ampd/primitives/abi.hpp"

namespace ampd::state {

Bytes Revert::data() const {
    if (kind == Kind::kReason) return abi::error_data(reason);
    return {};
}

void revert(std::string_view reason) {
    throw Revert{Revert::Kind::kReason, std::string(reason)};
}

void revert_empty() {
    throw Revert{Revert::Kind::kEmpty, {}};
}

void invalid_opcode() {
    throw Revert{Revert::Kind::kInvalidOpcode, {}};
}

}  // namespace ampd::state
