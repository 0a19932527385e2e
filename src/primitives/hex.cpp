#include "ampd/primitives/hex.hpp"

namespace ampd::hex {
namespace {

int digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool has_prefix(std::string_view s) {
    return s.size() >= 2 && s[0] == '0' && s[1] == 'x';
}

std::optional<Bytes> decode_digits(std::string_view s) {
    if (s.size() % 2 != 0) return std::nullopt;
    Bytes out(s.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = digit(s[2 * i]);
        const int lo = digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<uint8_t>((hi << 4) | lo);
    }
    return out;
}

}  // namespace

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
