// Hex codec with strict parsing: a bad digit, an odd length or a missing
// prefix where one is required is an error value, never a guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ampd/primitives/bytes.hpp"

namespace ampd::hex {

// "0x"-prefixed, even number of hex digits (either case). "0x" is empty bytes.
[[nodiscard]] std::optional<Bytes> decode(std::string_view s);
// Same, but the "0x" prefix is optional.
[[nodiscard]] std::optional<Bytes> decode_loose(std::string_view s);
// Digits only, no prefix: an even number of hex digits (either case).
[[nodiscard]] std::optional<Bytes> decode_digits(std::string_view digits);
// The value of one hex digit (either case), or -1.
[[nodiscard]] int digit_value(char c);
// Lowercase with "0x".
[[nodiscard]] std::string encode(ByteView b);
// Lowercase without the prefix, appended to out.
void append(std::string& out, ByteView b);

}  // namespace ampd::hex
