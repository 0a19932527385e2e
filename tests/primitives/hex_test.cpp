#include "ampd/primitives/hex.hpp"

#include <gtest/gtest.h>

#include "ampd/primitives/bytes.hpp"

namespace ampd {
namespace {

TEST(Hex, DecodeStrict) {
    EXPECT_EQ(*hex::decode("0x"), Bytes{});
    EXPECT_EQ(*hex::decode("0x00ff10"), (Bytes{0x00, 0xff, 0x10}));
    EXPECT_EQ(*hex::decode("0xABcd"), (Bytes{0xab, 0xcd}));
    EXPECT_FALSE(hex::decode("").has_value());
    EXPECT_FALSE(hex::decode("00ff").has_value());  // prefix required
    EXPECT_FALSE(hex::decode("0x0").has_value());   // odd
    EXPECT_FALSE(hex::decode("0xzz").has_value());
    EXPECT_FALSE(hex::decode("0X00").has_value());
    EXPECT_FALSE(hex::decode("0x 0").has_value());
}

TEST(Hex, DecodeLoose) {
    EXPECT_EQ(*hex::decode_loose("00ff"), (Bytes{0x00, 0xff}));
    EXPECT_EQ(*hex::decode_loose("0x00ff"), (Bytes{0x00, 0xff}));
    EXPECT_EQ(*hex::decode_loose(""), Bytes{});
    EXPECT_FALSE(hex::decode_loose("abc").has_value());
    EXPECT_FALSE(hex::decode_loose("0xg0").has_value());
}

TEST(Hex, DecodeDigitsTakesNoPrefix) {
    EXPECT_EQ(hex::decode_digits(""), Bytes{});
    EXPECT_EQ(hex::decode_digits("00ffAb"), (Bytes{0x00, 0xff, 0xab}));
    EXPECT_FALSE(hex::decode_digits("0x12"));  // 'x' is not a digit
    EXPECT_FALSE(hex::decode_digits("abc"));   // odd
    EXPECT_FALSE(hex::decode_digits(std::string(344, 'a') + "g0"));
    EXPECT_FALSE(hex::decode_digits("g" + std::string(345, 'a')));
    EXPECT_EQ(hex::digit_value('F'), 15);
    EXPECT_EQ(hex::digit_value('9'), 9);
    EXPECT_EQ(hex::digit_value('G'), -1);
    EXPECT_EQ(hex::digit_value('\xff'), -1);
}

TEST(Hex, Encode) {
    EXPECT_EQ(hex::encode(Bytes{}), "0x");
    EXPECT_EQ(hex::encode(Bytes{0xde, 0xad, 0xBE, 0xef, 0x01}), "0xdeadbeef01");
    std::string out = "x=";
    hex::append(out, Bytes{0x0a, 0xf0});
    EXPECT_EQ(out, "x=0af0");
}

TEST(FixedBytes, FromHexAndBack) {
    const auto a = Address::from_hex("0x00000000000000000000000000000000000000Ff");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->b[19], 0xff);
    EXPECT_EQ(a->hex(), "0x00000000000000000000000000000000000000ff");
    EXPECT_FALSE(Address::from_hex("0x00").has_value());
    EXPECT_FALSE(Address::from_hex("00000000000000000000000000000000000000ff").has_value());
    EXPECT_FALSE(Address::from_hex("0x00000000000000000000000000000000000000fg").has_value());
    EXPECT_FALSE(Address::from_hex("0x0000000000000000000000000000000000000000ff").has_value());
    const auto sel = Bytes4::from_hex("0xa9059cbb");
    ASSERT_TRUE(sel.has_value());
    EXPECT_EQ(sel->hex(), "0xa9059cbb");
    const std::string h32 = "0x" + std::string(62, '0') + "2a";
    EXPECT_EQ(Bytes32::from_hex(h32)->hex(), h32);
    EXPECT_TRUE(Bytes32{}.is_zero());
    EXPECT_FALSE(Bytes32::from_hex(h32)->is_zero());
}

TEST(FixedBytes, WordConversions) {
    const Address a = *Address::from_hex("0x1234567890abcdef1234567890abcdef12345678");
    const Bytes32 w = word_from_address(a);
    EXPECT_EQ(w.hex(), "0x0000000000000000000000001234567890abcdef1234567890abcdef12345678");
    EXPECT_EQ(address_from_word(w), a);
    EXPECT_EQ(u256_from_address(a), *u256::from_hex("0x1234567890abcdef1234567890abcdef12345678"));
    EXPECT_EQ(address_from_u256(u256::max()).hex(), "0x" + std::string(40, 'f'));
    EXPECT_EQ(address_from_u256(u256_from_address(a)), a);
    EXPECT_EQ(word_from_u256(u256{0x2a}).hex(), "0x" + std::string(62, '0') + "2a");
    EXPECT_EQ(prefix_of(*Bytes32::from_hex("0xdeadbeef" + std::string(56, '1'))).hex(),
              "0xdeadbeef");
    EXPECT_EQ(kZeroAddress.hex(), "0x" + std::string(40, '0'));
}

}  // namespace
}  // namespace ampd
