// 256-bit unsigned integer: the word type of every Amp amount.
//
// Four little-endian 64-bit limbs. Most amounts fit in the low limb or two;
// addition and comparison compile to a short carry chain without branches.
// Checked arithmetic returns whether it wrapped, so contract code can map an
// overflow onto the exact SafeMath revert string.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ampd {

struct u256 {
    std::array<uint64_t, 4> w{};  // w[0] is least significant

    constexpr u256() = default;
    constexpr u256(uint64_t v) : w{v, 0, 0, 0} {}  // NOLINT(google-explicit-constructor)
    constexpr u256(uint64_t w3, uint64_t w2, uint64_t w1, uint64_t w0) : w{w0, w1, w2, w3} {}

    static constexpr u256 max() { return u256{~0ULL, ~0ULL, ~0ULL, ~0ULL}; }

    [[nodiscard]] constexpr bool is_zero() const { return (w[0] | w[1] | w[2] | w[3]) == 0; }
    [[nodiscard]] constexpr bool fits_u64() const { return (w[1] | w[2] | w[3]) == 0; }
    constexpr explicit operator bool() const { return !is_zero(); }

    friend constexpr bool operator==(const u256& a, const u256& b) = default;
    friend constexpr std::strong_ordering operator<=>(const u256& a, const u256& b) {
        for (int i = 3; i >= 0; --i) {
            if (a.w[i] != b.w[i]) return a.w[i] <=> b.w[i];
        }
        return std::strong_ordering::equal;
    }

    // Big-endian 32-byte encoding, as stored in an ABI word or EVM slot.
    static u256 from_be(std::span<const uint8_t, 32> bytes);
    void to_be(std::span<uint8_t, 32> out) const;
    [[nodiscard]] std::array<uint8_t, 32> to_be_bytes() const;

    // Strict parsers: no sign, no whitespace, no leading "+"; nullopt on any
    // stray character, empty input or a value above 2^256-1.
    static std::optional<u256> from_dec(std::string_view s);
    static std::optional<u256> from_hex(std::string_view s);  // accepts optional 0x prefix
    [[nodiscard]] std::string to_dec() const;
    [[nodiscard]] std::string to_hex() const;  // minimal "0x..." quantity form ("0x0" for zero)

    // Number of significant bits (0 for zero).
    [[nodiscard]] unsigned bit_length() const;
};

// Wrapping arithmetic (mod 2^256).
u256 operator+(const u256& a, const u256& b);
u256 operator-(const u256& a, const u256& b);
u256 operator*(const u256& a, const u256& b);
u256 operator/(const u256& a, const u256& b);  // division by zero yields zero (EVM rule)
u256 operator%(const u256& a, const u256& b);  // modulo zero yields zero (EVM rule)
u256 operator<<(const u256& a, unsigned shift);
u256 operator>>(const u256& a, unsigned shift);
u256 operator&(const u256& a, const u256& b);
u256 operator|(const u256& a, const u256& b);
u256 operator^(const u256& a, const u256& b);
u256 operator~(const u256& a);

// Checked arithmetic: returns true when the true result does not fit.
// Inline because every balance move runs one of each.
[[nodiscard]] inline bool add_overflow(const u256& a, const u256& b, u256& out) {
    unsigned long long carry = 0;
    for (int i = 0; i < 4; ++i) {
        unsigned long long s = 0;
        const bool c1 = __builtin_uaddll_overflow(a.w[i], b.w[i], &s);
        const bool c2 = __builtin_uaddll_overflow(s, carry, &s);
        out.w[i] = s;
        carry = static_cast<unsigned long long>(c1 || c2);
    }
    return carry != 0;
}
[[nodiscard]] inline bool sub_underflow(const u256& a, const u256& b, u256& out) {
    unsigned long long borrow = 0;
    for (int i = 0; i < 4; ++i) {
        unsigned long long d = 0;
        const bool b1 = __builtin_usubll_overflow(a.w[i], b.w[i], &d);
        const bool b2 = __builtin_usubll_overflow(d, borrow, &d);
        out.w[i] = d;
        borrow = static_cast<unsigned long long>(b1 || b2);
    }
    return borrow != 0;
}
[[nodiscard]] bool mul_overflow(const u256& a, const u256& b, u256& out);

// Two's-complement view of a u256 as Solidity int256.
[[nodiscard]] inline bool is_negative_i256(const u256& v) {
    return (v.w[3] >> 63) != 0;
}
[[nodiscard]] std::string to_dec_i256(const u256& v);
[[nodiscard]] std::optional<u256> from_dec_i256(std::string_view s);

}  // namespace ampd
