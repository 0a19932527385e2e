#include "ampd/primitives/hex.hpp"

#include <array>
#include <cstdint>

namespace ampd::hex {
namespace {

// Digit values by byte, -1 for anything else: a table lookup per digit
// rather than three range tests (raw transactions are hundreds of digits).
constexpr std::array<int8_t, 256> kDigitValue = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = static_cast<int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[static_cast<size_t>(c)] = static_cast<int8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) t[static_cast<size_t>(c)] = static_cast<int8_t>(c - 'A' + 10);
    return t;
}();

bool has_prefix(std::string_view s) {
    return s.size() >= 2 && s[0] == '0' && s[1] == 'x';
}

}  // namespace

int digit_value(char c) {
    return kDigitValue[static_cast<unsigned char>(c)];
}

std::optional<Bytes> decode_digits(std::string_view digits) {
    if (digits.size() % 2 != 0) return std::nullopt;
    Bytes out(digits.size() / 2);
    // One pass, no branch per digit: a bad digit (-1) sets the sign bit.
    int bad = 0;
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = digit_value(digits[2 * i]);
        const int lo = digit_value(digits[2 * i + 1]);
        bad |= hi | lo;
        out[i] = static_cast<uint8_t>((hi << 4) | lo);
    }
    if (bad < 0) return std::nullopt;
    return out;
}

std::optional<Bytes> decode(std::string_view s) {
    if (!has_prefix(s)) return std::nullopt;
    return decode_digits(s.substr(2));
}

std::optional<Bytes> decode_loose(std::string_view s) {
    if (has_prefix(s)) s.remove_prefix(2);
    return decode_digits(s);
}

void append(std::string& out, ByteView b) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out.reserve(out.size() + b.size() * 2);
    for (uint8_t x : b) {
        out.push_back(kDigits[x >> 4]);
        out.push_back(kDigits[x & 0xF]);
    }
}

std::string encode(ByteView b) {
    std::string out = "0x";
    append(out, b);
    return out;
}

}  // namespace ampd::hex
