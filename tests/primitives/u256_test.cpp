#include "ampd/primitives/u256.hpp"

#include <gtest/gtest.h>

#include "ampd/primitives/bytes.hpp"

namespace ampd {
namespace {

constexpr const char* kMaxDec =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";
constexpr const char* kTwo255Dec =
    "57896044618658097711785492504343953926634992332820282019728792003956564819968";

TEST(U256, DecimalRoundTripOfMax) {
    EXPECT_EQ(u256::max().to_dec(), kMaxDec);
    const auto v = u256::from_dec(kMaxDec);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, u256::max());
}

TEST(U256, DecimalKnownValues) {
    EXPECT_EQ(u256{}.to_dec(), "0");
    EXPECT_EQ(u256{1}.to_dec(), "1");
    EXPECT_EQ(u256{10000000000000000000ULL}.to_dec(), "10000000000000000000");
    EXPECT_EQ((u256{1} << 64).to_dec(), "18446744073709551616");
    EXPECT_EQ((u256{1} << 128).to_dec(), "340282366920938463463374607431768211456");
    EXPECT_EQ((u256{1} << 255).to_dec(), kTwo255Dec);
    EXPECT_EQ(*u256::from_dec("18446744073709551616"), u256{1} << 64);
    EXPECT_EQ(*u256::from_dec("0"), u256{});
    EXPECT_EQ(*u256::from_dec("000123"), u256{123});
    // 10^27 exercises the chunked formatter with an inner zero chunk.
    u256 e27{1};
    for (int i = 0; i < 27; ++i) e27 = e27 * u256{10};
    EXPECT_EQ(e27.to_dec(), "1000000000000000000000000000");
    EXPECT_EQ(*u256::from_dec("1000000000000000000000000000"), e27);
}

TEST(U256, DecimalRejectsMalformed) {
    EXPECT_FALSE(u256::from_dec("").has_value());
    EXPECT_FALSE(u256::from_dec("-1").has_value());
    EXPECT_FALSE(u256::from_dec("+1").has_value());
    EXPECT_FALSE(u256::from_dec(" 1").has_value());
    EXPECT_FALSE(u256::from_dec("1 ").has_value());
    EXPECT_FALSE(u256::from_dec("12a").has_value());
    EXPECT_FALSE(u256::from_dec("0x10").has_value());
    // 2^256 and beyond overflow.
    EXPECT_FALSE(
        u256::from_dec(
            "115792089237316195423570985008687907853269984665640564039457584007913129639936")
            .has_value());
    EXPECT_FALSE(
        u256::from_dec(
            "1157920892373161954235709850086879078532699846656405640394575840079131296399350")
            .has_value());
}

TEST(U256, HexParseAndFormat) {
    EXPECT_EQ(u256{}.to_hex(), "0x0");
    EXPECT_EQ(u256{1}.to_hex(), "0x1");
    EXPECT_EQ(u256{0xabcdef}.to_hex(), "0xabcdef");
    EXPECT_EQ((u256{1} << 64).to_hex(), "0x10000000000000000");
    EXPECT_EQ(u256::max().to_hex(), "0x" + std::string(64, 'f'));
    EXPECT_EQ(*u256::from_hex("0x0"), u256{});
    EXPECT_EQ(*u256::from_hex("ff"), u256{255});
    EXPECT_EQ(*u256::from_hex("0xFF"), u256{255});
    EXPECT_EQ(*u256::from_hex("0x" + std::string(64, 'f')), u256::max());
    EXPECT_EQ(*u256::from_hex("0x00" + std::string(64, 'f')), u256::max());
    EXPECT_EQ(*u256::from_hex("0x10000000000000000"), u256{1} << 64);
    EXPECT_FALSE(u256::from_hex("").has_value());
    EXPECT_FALSE(u256::from_hex("0x").has_value());
    EXPECT_FALSE(u256::from_hex("0xg").has_value());
    EXPECT_FALSE(u256::from_hex("0x-1").has_value());
    EXPECT_FALSE(u256::from_hex("0x1" + std::string(64, '0')).has_value());  // 2^256
}

TEST(U256, BigEndian) {
    std::array<uint8_t, 32> be{};
    be[31] = 0x01;
    be[0] = 0x80;
    be[23] = 0x02;
    const u256 v = u256::from_be(be);
    EXPECT_EQ(v, (u256{1} << 255) | (u256{2} << 64) | u256{1});
    EXPECT_EQ(v.to_be_bytes(), be);
    EXPECT_EQ(u256_from_word(word_from_u256(u256::max())), u256::max());
}

TEST(U256, WrappingArithmetic) {
    EXPECT_EQ(u256::max() + u256{1}, u256{});
    EXPECT_EQ(u256{} - u256{1}, u256::max());
    EXPECT_EQ(u256::max() * u256::max(), u256{1});
    EXPECT_EQ((u256{1} << 128) * (u256{1} << 128), u256{});
    EXPECT_EQ(u256{0xFFFFFFFFFFFFFFFFULL} + u256{1}, u256{1} << 64);
    EXPECT_EQ((u256{1} << 64) - u256{1}, u256{0xFFFFFFFFFFFFFFFFULL});
    EXPECT_EQ(u256{0xFFFFFFFFFFFFFFFFULL} * u256{0xFFFFFFFFFFFFFFFFULL},
              (u256{0xFFFFFFFFFFFFFFFEULL} << 64) | u256{1});
}

TEST(U256, DivisionAndModulo) {
    EXPECT_EQ(u256{100} / u256{7}, u256{14});
    EXPECT_EQ(u256{100} % u256{7}, u256{2});
    EXPECT_EQ(u256{5} / u256{}, u256{});
    EXPECT_EQ(u256{5} % u256{}, u256{});
    EXPECT_EQ(u256::max() / u256::max(), u256{1});
    EXPECT_EQ(u256::max() % u256::max(), u256{});
    EXPECT_EQ(u256{3} / u256{5}, u256{});
    EXPECT_EQ(u256{3} % u256{5}, u256{3});
    // Multi-limb divisor.
    const u256 d = (u256{1} << 128) + u256{12345};
    const u256 q = u256{0xDEADBEEFULL};
    const u256 r = u256{999};
    const u256 n = d * q + r;
    EXPECT_EQ(n / d, q);
    EXPECT_EQ(n % d, r);
    EXPECT_EQ(u256::max() / (u256{1} << 200), (u256{1} << 56) - u256{1});
}

TEST(U256, Shifts) {
    EXPECT_EQ(u256{1} << 0, u256{1});
    EXPECT_EQ(u256{1} << 255, u256(0x8000000000000000ULL, 0, 0, 0));
    EXPECT_EQ(u256{1} << 256, u256{});
    EXPECT_EQ(u256{1} << 1000, u256{});
    EXPECT_EQ(u256::max() >> 256, u256{});
    EXPECT_EQ(u256::max() >> 255, u256{1});
    EXPECT_EQ((u256{3} << 63) >> 63, u256{3});
    EXPECT_EQ((u256{0xFF} << 124) >> 120, u256{0xFF0});
    EXPECT_EQ(u256::max() << 192, u256(~0ULL, 0, 0, 0));
}

TEST(U256, BitOps) {
    const u256 a(1, 2, 3, 4);
    const u256 b(4, 3, 2, 1);
    EXPECT_EQ(a & b, u256(0, 2, 2, 0));
    EXPECT_EQ(a | b, u256(5, 3, 3, 5));
    EXPECT_EQ(a ^ b, u256(5, 1, 1, 5));
    EXPECT_EQ(~u256{}, u256::max());
    EXPECT_EQ(u256{}.bit_length(), 0U);
    EXPECT_EQ(u256{1}.bit_length(), 1U);
    EXPECT_EQ((u256{1} << 64).bit_length(), 65U);
    EXPECT_EQ(u256::max().bit_length(), 256U);
}

TEST(U256, CheckedArithmetic) {
    u256 out;
    EXPECT_FALSE(add_overflow(u256{1}, u256{2}, out));
    EXPECT_EQ(out, u256{3});
    EXPECT_TRUE(add_overflow(u256::max(), u256{1}, out));
    EXPECT_EQ(out, u256{});
    EXPECT_FALSE(add_overflow(u256::max() - u256{1}, u256{1}, out));
    EXPECT_EQ(out, u256::max());

    EXPECT_FALSE(sub_underflow(u256{5}, u256{5}, out));
    EXPECT_EQ(out, u256{});
    EXPECT_TRUE(sub_underflow(u256{4}, u256{5}, out));
    EXPECT_EQ(out, u256::max());
    EXPECT_TRUE(sub_underflow(u256{}, u256{1} << 200, out));

    EXPECT_FALSE(mul_overflow(u256{1} << 128, (u256{1} << 127), out));
    EXPECT_EQ(out, u256{1} << 255);
    EXPECT_TRUE(mul_overflow(u256{1} << 128, u256{1} << 128, out));
    EXPECT_TRUE(mul_overflow(u256::max(), u256{2}, out));
    EXPECT_EQ(out, u256::max() - u256{1});
    EXPECT_FALSE(mul_overflow(u256::max(), u256{1}, out));
    EXPECT_FALSE(mul_overflow(u256::max(), u256{}, out));
    EXPECT_EQ(out, u256{});
}

TEST(U256, SignedDecimal) {
    const u256 min = u256{1} << 255;
    const u256 max = min - u256{1};
    EXPECT_EQ(to_dec_i256(u256{}), "0");
    EXPECT_EQ(to_dec_i256(u256::max()), "-1");
    EXPECT_EQ(to_dec_i256(min), std::string("-") + kTwo255Dec);
    EXPECT_EQ(to_dec_i256(max),
              "57896044618658097711785492504343953926634992332820282019728792003956564819967");
    EXPECT_TRUE(is_negative_i256(min));
    EXPECT_FALSE(is_negative_i256(max));

    EXPECT_EQ(*from_dec_i256("-1"), u256::max());
    EXPECT_EQ(*from_dec_i256("42"), u256{42});
    EXPECT_EQ(*from_dec_i256("-0"), u256{});
    EXPECT_EQ(*from_dec_i256(std::string("-") + kTwo255Dec), min);
    EXPECT_EQ(*from_dec_i256(to_dec_i256(max)), max);
    EXPECT_FALSE(from_dec_i256(kTwo255Dec).has_value());  // 2^255 does not fit
    EXPECT_FALSE(
        from_dec_i256(
            "-57896044618658097711785492504343953926634992332820282019728792003956564819969")
            .has_value());
    EXPECT_FALSE(from_dec_i256("").has_value());
    EXPECT_FALSE(from_dec_i256("-").has_value());
    EXPECT_FALSE(from_dec_i256("--1").has_value());
    EXPECT_FALSE(from_dec_i256("+1").has_value());
}

}  // namespace
}  // namespace ampd
