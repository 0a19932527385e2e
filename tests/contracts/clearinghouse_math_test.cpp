// The Clearinghouse's 512-bit a * b / d against a bit-by-bit reference.
#include "ampd/contracts/clearinghouse_math.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>

namespace ampd::contracts::clearinghouse_math {
namespace {

// Schoolbook reference: the 512-bit product, then restoring division one
// bit at a time. Slow and obviously right.
struct Reference {
    u256 q;
    bool remainder = false;
    bool overflow = false;
};

Reference reference(const u256& a, const u256& b, const u256& d) {
    std::array<uint64_t, 8> p{};
    for (int i = 0; i < 4; ++i) {
        unsigned __int128 carry = 0;
        for (int j = 0; j < 4; ++j) {
            const unsigned __int128 cur =
                static_cast<unsigned __int128>(a.w[i]) * b.w[j] + p[i + j] + carry;
            p[i + j] = static_cast<uint64_t>(cur);
            carry = cur >> 64;
        }
        p[i + 4] = static_cast<uint64_t>(carry);
    }
    Reference out;
    // 257-bit remainder: r < d < 2^256, so after the shift it fits in r and
    // one carry bit.
    u256 r;
    std::array<uint64_t, 8> q{};
    for (int bit = 511; bit >= 0; --bit) {
        const bool top = (r.w[3] >> 63) != 0;
        r = r << 1;
        r.w[0] |= (p[bit / 64] >> (bit % 64)) & 1U;
        if (top || r >= d) {
            r = r - d;
            q[bit / 64] |= uint64_t{1} << (bit % 64);
        }
    }
    for (int i = 4; i < 8; ++i) out.overflow = out.overflow || q[i] != 0;
    out.q = u256(q[3], q[2], q[1], q[0]);
    out.remainder = !r.is_zero();
    return out;
}

void check(const u256& a, const u256& b, const u256& d) {
    const Reference ref = reference(a, b, d);
    const u256 down = ref.overflow ? u256::max() : ref.q;
    const u256 up = ref.overflow || (ref.remainder && ref.q == u256::max())
                        ? u256::max()
                        : (ref.remainder ? ref.q + u256(1) : ref.q);
    ASSERT_EQ(mul_div(a, b, d), down) << a.to_hex() << " * " << b.to_hex() << " / " << d.to_hex();
    ASSERT_EQ(mul_div_up(a, b, d), up) << a.to_hex() << " * " << b.to_hex() << " / " << d.to_hex();
}

// A value with `limbs` random limbs, some of them at the extremes.
u256 random_value(std::mt19937_64& rng, int limbs) {
    u256 v;
    for (int i = 0; i < limbs; ++i) {
        switch (rng() % 5) {
            case 0:
                v.w[i] = ~uint64_t{0};
                break;
            case 1:
                v.w[i] = rng() >> (rng() % 64);
                break;
            default:
                v.w[i] = rng();
        }
    }
    if (limbs > 0 && v.w[limbs - 1] == 0) v.w[limbs - 1] = 1;
    return v;
}

TEST(ClearinghouseMath, SmallValues) {
    check(u256(7), u256(3), u256(2));
    check(u256(0), u256(5), u256(3));
    check(u256(6), u256(1), u256(3));
    EXPECT_EQ(mul_div(u256(7), u256(3), u256(2)), u256(10));
    EXPECT_EQ(mul_div_up(u256(7), u256(3), u256(2)), u256(11));
    EXPECT_EQ(mul_div_up(u256(6), u256(1), u256(3)), u256(2));
}

TEST(ClearinghouseMath, ZeroDivisorAndOverflowSaturate) {
    EXPECT_EQ(mul_div(u256(1), u256(1), u256()), u256::max());
    EXPECT_EQ(mul_div_up(u256(1), u256(1), u256()), u256::max());
    EXPECT_EQ(mul_div(u256::max(), u256(2), u256(1)), u256::max());
    EXPECT_EQ(mul_div(u256::max(), u256::max(), u256::max()), u256::max());
    check(u256::max(), u256::max(), u256::max());
    check(u256::max(), u256::max(), u256::max() - u256(1));
    check(u256::max(), u256(3), u256(4));
}

TEST(ClearinghouseMath, MatchesTheReferenceForEveryOperandSize) {
    std::mt19937_64 rng(20240601);
    for (int la = 0; la <= 4; ++la) {
        for (int lb = 0; lb <= 4; ++lb) {
            for (int ld = 1; ld <= 4; ++ld) {
                for (int k = 0; k < 60; ++k) {
                    check(random_value(rng, la), random_value(rng, lb), random_value(rng, ld));
                }
            }
        }
    }
}

TEST(ClearinghouseMath, ShareArithmeticRanges) {
    // The sizes the Clearinghouse uses: amounts below 2^97, shares up to
    // 2^128 times the stake.
    std::mt19937_64 rng(7);
    for (int k = 0; k < 2000; ++k) {
        const u256 amount = random_value(rng, 2) >> static_cast<unsigned>(rng() % 40 + 31);
        const u256 stake =
            (random_value(rng, 2) >> static_cast<unsigned>(rng() % 40 + 31)) + u256(1);
        const u256 shares = stake << static_cast<unsigned>(rng() % 129);
        check(amount, shares, stake);
        check(shares, stake, shares + u256(1));
    }
}

}  // namespace
}  // namespace ampd::contracts::clearinghouse_math
