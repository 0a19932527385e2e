// Exact a * b / d for the Clearinghouse's share arithmetic.
//
// Stakes are shares of a pool: a supplier's value is shares * total_stake /
// total_shares, and a supply mints amount * total_shares / total_stake
// shares. Amounts reach 2^97 (all Amp ever) and shares up to 2^128 times
// that, so the products need 512 bits; u256's own operators would wrap.
#pragma once

#include "ampd/primitives/u256.hpp"

namespace ampd::contracts::clearinghouse_math {

// floor(a * b / d) computed on the full 512-bit product. Requires d > 0 and
// a quotient below 2^256 (callers bound their operands so that it is);
// returns u256::max() if either is violated rather than a wrapped value.
[[nodiscard]] u256 mul_div(const u256& a, const u256& b, const u256& d);

// ceil(a * b / d), same requirements.
[[nodiscard]] u256 mul_div_up(const u256& a, const u256& b, const u256& d);

// Saturating a - b (0 when b > a).
[[nodiscard]] inline u256 sub_floor(const u256& a, const u256& b) {
    return a > b ? a - b : u256();
}

[[nodiscard]] inline const u256& min(const u256& a, const u256& b) {
    return b < a ? b : a;
}

}  // namespace ampd::contracts::clearinghouse_math
