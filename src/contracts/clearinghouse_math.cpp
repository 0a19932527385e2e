#include "ampd/contracts/clearinghouse_math.hpp"

#include <array>
#include <cstdint>

namespace ampd::contracts::clearinghouse_math {

namespace {

using u128 = unsigned __int128;

// Significant limbs of x[0..n).
int used_limbs(const uint64_t* x, int n) {
    while (n > 0 && x[n - 1] == 0) --n;
    return n;
}

// The 512-bit product, little-endian limbs.
std::array<uint64_t, 8> product(const u256& a, const u256& b) {
    std::array<uint64_t, 8> r{};
    const int na = used_limbs(a.w.data(), 4);
    const int nb = used_limbs(b.w.data(), 4);
    for (int i = 0; i < na; ++i) {
        u128 carry = 0;
        for (int j = 0; j < nb; ++j) {
            const u128 cur = static_cast<u128>(a.w[i]) * b.w[j] + r[i + j] + carry;
            r[i + j] = static_cast<uint64_t>(cur);
            carry = cur >> 64;
        }
        r[i + nb] = static_cast<uint64_t>(carry);
    }
    return r;
}

struct Quotient {
    u256 q;
    bool remainder = false;  // a * b is not a multiple of d
    bool overflow = false;   // the quotient needs more than 256 bits
};

// u[0..m) / d for a one-limb divisor.
Quotient divide_small(const uint64_t* u, int m, uint64_t d) {
    Quotient out;
    u128 rem = 0;
    for (int i = m - 1; i >= 0; --i) {
        const u128 cur = (rem << 64) | u[i];
        const uint64_t q = static_cast<uint64_t>(cur / d);
        rem = cur % d;
        if (i >= 4) {
            if (q != 0) out.overflow = true;
        } else {
            out.q.w[i] = q;
        }
    }
    out.remainder = rem != 0;
    return out;
}

// u[0..m) / v[0..n) by long division in base 2^64 (Knuth, TAOCP vol. 2,
// 4.3.1, algorithm D), for n >= 2 and v[n - 1] != 0.
Quotient divide_long(const uint64_t* u, int m, const uint64_t* v, int n) {
    Quotient out;
    if (m < n) {
        out.remainder = used_limbs(u, m) != 0;
        return out;
    }
    // Normalize so that the divisor's top limb has its high bit set: the
    // two-limb estimate of each quotient digit is then at most 2 too big.
    const int s = __builtin_clzll(v[n - 1]);
    std::array<uint64_t, 8> vn{};
    std::array<uint64_t, 9> un{};
    for (int i = n - 1; i > 0; --i) {
        vn[i] = s == 0 ? v[i] : (v[i] << s) | (v[i - 1] >> (64 - s));
    }
    vn[0] = v[0] << s;
    un[m] = s == 0 ? 0 : u[m - 1] >> (64 - s);
    for (int i = m - 1; i > 0; --i) {
        un[i] = s == 0 ? u[i] : (u[i] << s) | (u[i - 1] >> (64 - s));
    }
    un[0] = u[0] << s;

    constexpr u128 kBase = static_cast<u128>(1) << 64;
    for (int j = m - n; j >= 0; --j) {
        const u128 top = (static_cast<u128>(un[j + n]) << 64) | un[j + n - 1];
        u128 qhat = top / vn[n - 1];
        u128 rhat = top % vn[n - 1];
        while (qhat >= kBase ||
               qhat * vn[n - 2] > ((rhat << 64) | static_cast<u128>(un[j + n - 2]))) {
            --qhat;
            rhat += vn[n - 1];
            if (rhat >= kBase) break;
        }
        // un[j..j+n] -= qhat * vn.
        u128 carry = 0;
        uint64_t borrow = 0;
        for (int i = 0; i < n; ++i) {
            const u128 p = qhat * vn[i] + carry;
            carry = p >> 64;
            const u128 diff = static_cast<u128>(un[i + j]) - static_cast<uint64_t>(p) - borrow;
            un[i + j] = static_cast<uint64_t>(diff);
            borrow = (diff >> 64) != 0 ? 1 : 0;
        }
        const u128 diff = static_cast<u128>(un[j + n]) - carry - borrow;
        un[j + n] = static_cast<uint64_t>(diff);
        uint64_t digit = static_cast<uint64_t>(qhat);
        if ((diff >> 64) != 0) {
            // The estimate was one too big: add the divisor back.
            --digit;
            u128 c = 0;
            for (int i = 0; i < n; ++i) {
                const u128 sum = static_cast<u128>(un[i + j]) + vn[i] + c;
                un[i + j] = static_cast<uint64_t>(sum);
                c = sum >> 64;
            }
            un[j + n] += static_cast<uint64_t>(c);
        }
        if (j >= 4) {
            if (digit != 0) out.overflow = true;
        } else {
            out.q.w[j] = digit;
        }
    }
    out.remainder = used_limbs(un.data(), n) != 0;
    return out;
}

Quotient divide(const u256& a, const u256& b, const u256& d) {
    const std::array<uint64_t, 8> p = product(a, b);
    const int m = used_limbs(p.data(), 8);
    const int n = used_limbs(d.w.data(), 4);
    if (n == 0) return Quotient{u256(), false, true};
    if (m <= 2 && n <= 2) {
        // Most amounts fit in 128 bits: one native division.
        const u128 x = (static_cast<u128>(p[1]) << 64) | p[0];
        const u128 y = (static_cast<u128>(d.w[1]) << 64) | d.w[0];
        const u128 q = x / y;
        Quotient out;
        out.q.w[0] = static_cast<uint64_t>(q);
        out.q.w[1] = static_cast<uint64_t>(q >> 64);
        out.remainder = x % y != 0;
        return out;
    }
    if (n == 1) return divide_small(p.data(), m, d.w[0]);
    return divide_long(p.data(), m, d.w.data(), n);
}

}  // namespace

u256 mul_div(const u256& a, const u256& b, const u256& d) {
    const Quotient r = divide(a, b, d);
    return r.overflow ? u256::max() : r.q;
}

u256 mul_div_up(const u256& a, const u256& b, const u256& d) {
    const Quotient r = divide(a, b, d);
    if (r.overflow || (r.remainder && r.q == u256::max())) return u256::max();
    return r.remainder ? r.q + u256(1) : r.q;
}

}  // namespace ampd::contracts::clearinghouse_math
