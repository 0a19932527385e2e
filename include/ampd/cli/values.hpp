// The values people type and read: token amounts, addresses, partitions.
//
// Amounts are exact: "12.5" is parsed digit by digit into base units and
// printed back the same way, never through floating point, since a
// rounding error in a transfer amount is a real loss.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::cli {

// Amp's decimals: 1 AMP is 10^18 base units.
inline constexpr unsigned kAmpDecimals = 18;

// "12.5" (AMP, at most 18 fractional digits) or, with `raw`, a whole number
// of base units. Throws UsageError naming `what` and the problem for a
// sign, an exponent, separators, whitespace, too many fractional digits, or
// a value above 2^256-1.
[[nodiscard]] u256 parse_amount(std::string_view text, bool raw, std::string_view what = "AMOUNT");

// Exact decimal AMP: "12.5", "0.000000000000000001", "1000000".
[[nodiscard]] std::string format_amount(const u256& base_units);

// "0x" + 40 hex digits. Mixed case must be a valid EIP-55 checksum (a
// typo in a checksummed address is caught here, not on chain); all lower or
// all upper case carries no checksum and is accepted. Throws UsageError.
[[nodiscard]] Address parse_address(std::string_view text, std::string_view what = "ADDRESS");
// EIP-55 mixed-case form.
[[nodiscard]] std::string checksum_address(const Address& a);

// "default" (the zero partition) or "0x" + 64 hex digits. Throws UsageError.
[[nodiscard]] Bytes32 parse_partition(std::string_view text, std::string_view what = "PARTITION");
// "default" for the zero partition, otherwise the hex.
[[nodiscard]] std::string format_partition(const Bytes32& p);

// A non-negative decimal integer that fits in 64 bits. Throws UsageError.
[[nodiscard]] uint64_t parse_u64(std::string_view text, std::string_view what);

// 32-byte hex values (transaction hashes, proof elements). Throws UsageError.
[[nodiscard]] Bytes32 parse_hash(std::string_view text, std::string_view what);

}  // namespace ampd::cli
