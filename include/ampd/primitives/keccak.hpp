// Keccak-256 (the pre-standard SHA-3 padding Ethereum uses), backed by
// Crypto++.
#pragma once

#include <string_view>

#include "ampd/primitives/bytes.hpp"

namespace ampd {

[[nodiscard]] Bytes32 keccak256(ByteView data);
[[nodiscard]] Bytes32 keccak256(std::string_view text);
// The 4-byte function selector of a canonical signature "name(type,...)".
[[nodiscard]] Bytes4 selector_of(std::string_view signature);

}  // namespace ampd
