#include "ampd/primitives/u256.hpp"

#include <algorithm>
#include <cstddef>

#include "ampd/primitives/hex.hpp"

namespace ampd {
namespace {

using u128 = unsigned __int128;

// Divides `a` by a non-zero 64-bit divisor in place; returns the remainder.
uint64_t divmod_small(u256& a, uint64_t d) {
    u128 rem = 0;
    for (int i = 3; i >= 0; --i) {
        const u128 cur = (rem << 64) | a.w[i];
        a.w[i] = static_cast<uint64_t>(cur / d);
        rem = cur % d;
    }
    return static_cast<uint64_t>(rem);
}

// a = a * m + add; returns the carry out of the top limb.
uint64_t mul_add_small(u256& a, uint64_t m, uint64_t add) {
    u128 carry = add;
    for (int i = 0; i < 4; ++i) {
        const u128 cur = static_cast<u128>(a.w[i]) * m + carry;
        a.w[i] = static_cast<uint64_t>(cur);
        carry = cur >> 64;
    }
    return static_cast<uint64_t>(carry);
}

// Full 512-bit product, little-endian limbs.
std::array<uint64_t, 8> mul_full(const u256& a, const u256& b) {
    std::array<uint64_t, 8> r{};
    for (int i = 0; i < 4; ++i) {
        u128 carry = 0;
        for (int j = 0; j < 4; ++j) {
            const u128 cur = static_cast<u128>(a.w[i]) * b.w[j] + r[i + j] + carry;
            r[i + j] = static_cast<uint64_t>(cur);
            carry = cur >> 64;
        }
        r[i + 4] = static_cast<uint64_t>(carry);
    }
    return r;
}

void divmod(const u256& a, const u256& b, u256& q, u256& r) {
    q = u256{};
    r = u256{};
    if (b.is_zero()) return;
    if (a < b) {
        r = a;
        return;
    }
    if (b.fits_u64()) {
        q = a;
        r = u256{divmod_small(q, b.w[0])};
        return;
    }
    // Binary long division over the significant bits of a.
    for (int bit = static_cast<int>(a.bit_length()) - 1; bit >= 0; --bit) {
        r = r << 1;
        r.w[0] |= (a.w[bit / 64] >> (bit % 64)) & 1U;
        if (r >= b) {
            r = r - b;
            q.w[bit / 64] |= 1ULL << (bit % 64);
        }
    }
}

}  // namespace

u256 u256::from_be(std::span<const uint8_t, 32> bytes) {
    u256 r;
    for (size_t limb = 0; limb < 4; ++limb) {
        uint64_t v = 0;
        for (size_t k = 0; k < 8; ++k) v = (v << 8) | bytes[(3 - limb) * 8 + k];
        r.w[limb] = v;
    }
    return r;
}

void u256::to_be(std::span<uint8_t, 32> out) const {
    for (size_t limb = 0; limb < 4; ++limb) {
        const uint64_t v = w[limb];
        for (size_t k = 0; k < 8; ++k) {
            out[(3 - limb) * 8 + k] = static_cast<uint8_t>(v >> (56 - 8 * k));
        }
    }
}

std::array<uint8_t, 32> u256::to_be_bytes() const {
    std::array<uint8_t, 32> out{};
    to_be(out);
    return out;
}

std::optional<u256> u256::from_dec(std::string_view s) {
    if (s.empty()) return std::nullopt;
    u256 r;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        if (mul_add_small(r, 10, static_cast<uint64_t>(c - '0')) != 0) return std::nullopt;
    }
    return r;
}

std::optional<u256> u256::from_hex(std::string_view s) {
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    if (s.empty()) return std::nullopt;
    u256 r;
    for (char c : s) {
        const int d = hex::digit_value(c);
        if (d < 0) return std::nullopt;
        if ((r.w[3] >> 60) != 0) return std::nullopt;
        r = r << 4;
        r.w[0] |= static_cast<uint64_t>(d);
    }
    return r;
}

std::string u256::to_dec() const {
    if (is_zero()) return "0";
    constexpr uint64_t kChunk = 10000000000000000000ULL;  // 10^19
    std::string out;
    u256 v = *this;
    while (!v.is_zero()) {
        uint64_t rem = divmod_small(v, kChunk);
        for (int k = 0; k < 19; ++k) {
            out.push_back(static_cast<char>('0' + rem % 10));
            rem /= 10;
            if (v.is_zero() && rem == 0) break;
        }
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::string u256::to_hex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    const unsigned bits = bit_length();
    if (bits == 0) return "0x0";
    std::string out = "0x";
    for (int nib = static_cast<int>((bits + 3) / 4) - 1; nib >= 0; --nib) {
        out.push_back(kDigits[(w[nib / 16] >> ((nib % 16) * 4)) & 0xF]);
    }
    return out;
}

unsigned u256::bit_length() const {
    for (int i = 3; i >= 0; --i) {
        if (w[i] != 0) return static_cast<unsigned>(i * 64 + 64 - __builtin_clzll(w[i]));
    }
    return 0;
}

u256 operator+(const u256& a, const u256& b) {
    u256 r;
    (void)add_overflow(a, b, r);
    return r;
}

u256 operator-(const u256& a, const u256& b) {
    u256 r;
    (void)sub_underflow(a, b, r);
    return r;
}

u256 operator*(const u256& a, const u256& b) {
    u256 r;
    (void)mul_overflow(a, b, r);
    return r;
}

u256 operator/(const u256& a, const u256& b) {
    u256 q;
    u256 r;
    divmod(a, b, q, r);
    return q;
}

u256 operator%(const u256& a, const u256& b) {
    u256 q;
    u256 r;
    divmod(a, b, q, r);
    return r;
}

u256 operator<<(const u256& a, unsigned shift) {
    if (shift >= 256) return u256{};
    const unsigned limbs = shift / 64;
    const unsigned bits = shift % 64;
    u256 r;
    for (int i = 3; i >= static_cast<int>(limbs); --i) {
        const int src = i - static_cast<int>(limbs);
        uint64_t v = a.w[src] << bits;
        if (bits != 0 && src > 0) v |= a.w[src - 1] >> (64 - bits);
        r.w[i] = v;
    }
    return r;
}

u256 operator>>(const u256& a, unsigned shift) {
    if (shift >= 256) return u256{};
    const unsigned limbs = shift / 64;
    const unsigned bits = shift % 64;
    u256 r;
    for (unsigned i = 0; i + limbs < 4; ++i) {
        const unsigned src = i + limbs;
        uint64_t v = a.w[src] >> bits;
        if (bits != 0 && src < 3) v |= a.w[src + 1] << (64 - bits);
        r.w[i] = v;
    }
    return r;
}

u256 operator&(const u256& a, const u256& b) {
    return u256{a.w[3] & b.w[3], a.w[2] & b.w[2], a.w[1] & b.w[1], a.w[0] & b.w[0]};
}

u256 operator|(const u256& a, const u256& b) {
    return u256{a.w[3] | b.w[3], a.w[2] | b.w[2], a.w[1] | b.w[1], a.w[0] | b.w[0]};
}

u256 operator^(const u256& a, const u256& b) {
    return u256{a.w[3] ^ b.w[3], a.w[2] ^ b.w[2], a.w[1] ^ b.w[1], a.w[0] ^ b.w[0]};
}

u256 operator~(const u256& a) {
    return u256{~a.w[3], ~a.w[2], ~a.w[1], ~a.w[0]};
}

bool mul_overflow(const u256& a, const u256& b, u256& out) {
    const std::array<uint64_t, 8> r = mul_full(a, b);
    out = u256{r[3], r[2], r[1], r[0]};
    return (r[4] | r[5] | r[6] | r[7]) != 0;
}

std::string to_dec_i256(const u256& v) {
    if (!is_negative_i256(v)) return v.to_dec();
    return "-" + (u256{} - v).to_dec();
}

std::optional<u256> from_dec_i256(std::string_view s) {
    const bool negative = !s.empty() && s[0] == '-';
    if (negative) s.remove_prefix(1);
    const std::optional<u256> mag = u256::from_dec(s);
    if (!mag) return std::nullopt;
    const u256 min_mag = u256{1} << 255;  // |-2^255|
    if (negative) {
        if (*mag > min_mag) return std::nullopt;
        return u256{} - *mag;
    }
    if (*mag >= min_mag) return std::nullopt;
    return *mag;
}

}  // namespace ampd
