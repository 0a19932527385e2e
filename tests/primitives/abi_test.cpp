#include "ampd/primitives/abi.hpp"

#include <gtest/gtest.h>

#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"

namespace ampd {
namespace {

using abi::Cleaning;
using abi::Decoder;
using abi::Encoder;

std::string zeros(size_t n) {
    return std::string(n, '0');
}
std::string word_hex(const std::string& digits) {
    return zeros(64 - digits.size()) + digits;
}
Bytes from_words(const std::string& hex_digits) {
    return *hex::decode("0x" + hex_digits);
}

TEST(Abi, ErrorDataOf52IsExact) {
    const Bytes data = abi::error_data("52");
    const std::string expected = "0x08c379a0" + word_hex("20") + word_hex("2") + "3532" + zeros(60);
    EXPECT_EQ(hex::encode(data), expected);
    EXPECT_EQ(data.size(), 4U + 3 * 32);
    EXPECT_EQ(abi::decode_error(data), std::optional<std::string>("52"));
}

TEST(Abi, DecodeErrorRoundTripAndRejects) {
    const std::string long_reason(70, 'z');
    EXPECT_EQ(*abi::decode_error(abi::error_data(long_reason)), long_reason);
    EXPECT_EQ(*abi::decode_error(abi::error_data("")), "");
    EXPECT_EQ(abi::error_data("").size(), 4U + 64);
    EXPECT_FALSE(abi::decode_error(Bytes{}).has_value());
    EXPECT_FALSE(abi::decode_error(Bytes{0x08, 0xc3, 0x79}).has_value());
    Bytes other = abi::error_data("x");
    other[0] = 0x4e;  // Panic(uint256)-like selector
    EXPECT_FALSE(abi::decode_error(other).has_value());
    Bytes truncated = abi::error_data("hello");
    truncated.resize(4 + 64 + 2);  // payload cut short
    EXPECT_FALSE(abi::decode_error(truncated).has_value());
    // Just the selector and no body.
    EXPECT_FALSE(abi::decode_error(Bytes{0x08, 0xc3, 0x79, 0xa0}).has_value());
}

TEST(Abi, EncodeStaticCall) {
    const Address to = *Address::from_hex("0x00000000000000000000000000000000000000aa");
    const Bytes call = Encoder()
                           .address(to)
                           .uint256(u256{1000})
                           .finish_call(selector_of("transfer(address,uint256)"));
    EXPECT_EQ(hex::encode(call), "0xa9059cbb" + word_hex("aa") + word_hex("3e8"));
}

TEST(Abi, EncodeStaticKinds) {
    const Bytes enc = Encoder()
                          .boolean(true)
                          .boolean(false)
                          .bytes4(*Bytes4::from_hex("0xdeadbeef"))
                          .int256(u256{} - u256{1})
                          .bytes32(*Bytes32::from_hex("0x" + word_hex("77")))
                          .finish();
    EXPECT_EQ(hex::encode(enc), "0x" + word_hex("1") + word_hex("0") + "deadbeef" + zeros(56) +
                                    std::string(64, 'f') + word_hex("77"));
    EXPECT_EQ(Encoder().finish(), Bytes{});
}

TEST(Abi, EncodeDynamicHeadTail) {
    const Address a1 = *Address::from_hex("0x1111111111111111111111111111111111111111");
    const Bytes32 w = *Bytes32::from_hex("0x" + word_hex("99"));
    const Bytes enc = Encoder()
                          .uint256(u256{7})
                          .string("abc")
                          .bytes32_array({w, w})
                          .address_array({a1})
                          .bytes(Bytes{})
                          .finish();
    // Head: 5 words = 0xa0. Tails: string 64 bytes at 0xa0, bytes32[] 96 at 0xe0,
    // address[] 64 at 0x140, empty bytes 32 at 0x180.
    const std::string expected = word_hex("7") + word_hex("a0") + word_hex("e0") + word_hex("140") +
                                 word_hex("180") + word_hex("3") + "616263" + zeros(58) +
                                 word_hex("2") + word_hex("99") + word_hex("99") + word_hex("1") +
                                 word_hex(std::string(40, '1')) + word_hex("0");
    EXPECT_EQ(hex::encode(enc), "0x" + expected);

    const Decoder d(enc);
    EXPECT_EQ(*d.uint256(0), u256{7});
    EXPECT_EQ(*d.string(1), "abc");
    EXPECT_EQ(*d.bytes(1), (Bytes{'a', 'b', 'c'}));
    EXPECT_EQ(*d.bytes32_array(2), (std::vector<Bytes32>{w, w}));
    EXPECT_EQ(*d.address_array(3), std::vector<Address>{a1});
    EXPECT_EQ(*d.bytes(4), Bytes{});
}

TEST(Abi, AppendPadded) {
    Bytes out;
    abi::append_padded(out, Bytes{});
    EXPECT_TRUE(out.empty());
    abi::append_padded(out, Bytes{1});
    EXPECT_EQ(out.size(), 32U);
    Bytes exact(32, 0xee);
    abi::append_padded(out, exact);
    EXPECT_EQ(out.size(), 64U);
    abi::append_padded(out, Bytes(33, 0x01));
    EXPECT_EQ(out.size(), 128U);
    EXPECT_EQ(out[96], 0x01);
    EXPECT_EQ(out[97], 0x00);
}

TEST(Abi, WordAccessAndTruncation) {
    const Bytes data = from_words(word_hex("5") + word_hex("6"));
    const Decoder d(data);
    EXPECT_TRUE(d.has_words(2));
    EXPECT_FALSE(d.has_words(3));
    EXPECT_EQ(*d.uint256(1), u256{6});
    EXPECT_FALSE(d.word(2).has_value());
    EXPECT_FALSE(d.word(SIZE_MAX).has_value());
    EXPECT_FALSE(d.word(SIZE_MAX / 32 + 1).has_value());
    // 63 bytes: only word 0 is complete.
    const Decoder t(ByteView(data).first(63));
    EXPECT_TRUE(t.word(0).has_value());
    EXPECT_FALSE(t.word(1).has_value());
    EXPECT_FALSE(t.address(1).has_value());
    EXPECT_FALSE(t.boolean(1).has_value());
    EXPECT_FALSE(t.bytes4(1).has_value());
    EXPECT_FALSE(t.uint_n(1, 8).has_value());
    EXPECT_FALSE(t.string(1).has_value());
    EXPECT_FALSE(Decoder(ByteView{}).word(0).has_value());
}

TEST(Abi, AddressMaskVsStrict) {
    const Bytes dirty = from_words("ff" + zeros(22) + std::string(40, 'a'));
    const Address want = *Address::from_hex("0x" + std::string(40, 'a'));
    EXPECT_EQ(*Decoder(dirty, Cleaning::kMask).address(0), want);
    EXPECT_FALSE(Decoder(dirty, Cleaning::kStrict).address(0).has_value());
    const Bytes clean = from_words(word_hex(std::string(40, 'a')));
    EXPECT_EQ(*Decoder(clean, Cleaning::kStrict).address(0), want);
    EXPECT_EQ(*Decoder(dirty).address(0), want);  // default is kMask
}

TEST(Abi, UintNMaskVsStrict) {
    const Bytes data = from_words(word_hex("1ff"));
    EXPECT_EQ(*Decoder(data, Cleaning::kMask).uint_n(0, 8), u256{0xff});
    EXPECT_FALSE(Decoder(data, Cleaning::kStrict).uint_n(0, 8).has_value());
    EXPECT_EQ(*Decoder(data, Cleaning::kStrict).uint_n(0, 16), u256{0x1ff});
    const Bytes all = from_words(std::string(64, 'f'));
    EXPECT_EQ(*Decoder(all, Cleaning::kStrict).uint_n(0, 256), u256::max());
    EXPECT_EQ(*Decoder(all, Cleaning::kMask).uint_n(0, 128), (u256{1} << 128) - u256{1});
    EXPECT_FALSE(Decoder(all, Cleaning::kStrict).uint_n(0, 248).has_value());
    EXPECT_EQ(*Decoder(all).int256(0), u256::max());
}

TEST(Abi, BooleanMaskVsStrict) {
    const Bytes data = from_words(word_hex("0") + word_hex("1") + word_hex("2") + "8" + zeros(63));
    const Decoder mask(data, Cleaning::kMask);
    const Decoder strict(data, Cleaning::kStrict);
    EXPECT_EQ(mask.boolean(0), std::optional<bool>(false));
    EXPECT_EQ(mask.boolean(1), std::optional<bool>(true));
    EXPECT_EQ(mask.boolean(2), std::optional<bool>(true));
    EXPECT_EQ(mask.boolean(3), std::optional<bool>(true));
    EXPECT_EQ(strict.boolean(0), std::optional<bool>(false));
    EXPECT_EQ(strict.boolean(1), std::optional<bool>(true));
    EXPECT_FALSE(strict.boolean(2).has_value());
    EXPECT_FALSE(strict.boolean(3).has_value());
}

TEST(Abi, Bytes4MaskVsStrict) {
    const Bytes dirty = from_words("a9059cbb" + zeros(55) + "1");
    EXPECT_EQ(Decoder(dirty, Cleaning::kMask).bytes4(0)->hex(), "0xa9059cbb");
    EXPECT_FALSE(Decoder(dirty, Cleaning::kStrict).bytes4(0).has_value());
    const Bytes clean = from_words("a9059cbb" + zeros(56));
    EXPECT_EQ(Decoder(clean, Cleaning::kStrict).bytes4(0)->hex(), "0xa9059cbb");
    EXPECT_EQ(Decoder(clean).bytes32(0)->hex(), "0xa9059cbb" + zeros(56));
}

TEST(Abi, AddressArrayStrictRejectsDirtyElement) {
    const Bytes data =
        from_words(word_hex("20") + word_hex("1") + "01" + zeros(22) + std::string(40, 'b'));
    EXPECT_EQ(Decoder(data, Cleaning::kMask).address_array(0)->at(0).hex(),
              "0x" + std::string(40, 'b'));
    EXPECT_FALSE(Decoder(data, Cleaning::kStrict).address_array(0).has_value());
}

TEST(Abi, MalformedDynamicReturnsNullopt) {
    // Offset points past the end.
    EXPECT_FALSE(Decoder(from_words(word_hex("40") + word_hex("0"))).bytes(0).has_value());
    // Offset lands so the length word is cut short.
    EXPECT_FALSE(Decoder(from_words(word_hex("21") + word_hex("0"))).bytes(0).has_value());
    // Offset exactly at the end: no room for the length word.
    EXPECT_FALSE(Decoder(from_words(word_hex("20"))).string(0).has_value());
    // Huge offsets (2^255, 2^256-1, 2^64+0x20) never wrap.
    EXPECT_FALSE(Decoder(from_words("8" + zeros(63) + word_hex("0"))).bytes(0).has_value());
    EXPECT_FALSE(Decoder(from_words(std::string(64, 'f') + word_hex("0"))).bytes(0).has_value());
    EXPECT_FALSE(
        Decoder(from_words(word_hex("10000000000000020") + word_hex("0"))).bytes(0).has_value());
    // Length 2^255, 2^256-1 and 2^64 with a valid offset.
    EXPECT_FALSE(Decoder(from_words(word_hex("20") + "8" + zeros(63))).bytes(0).has_value());
    EXPECT_FALSE(Decoder(from_words(word_hex("20") + std::string(64, 'f'))).string(0).has_value());
    EXPECT_FALSE(
        Decoder(from_words(word_hex("20") + word_hex("10000000000000000"))).bytes(0).has_value());
    // Length one byte too long.
    EXPECT_FALSE(
        Decoder(from_words(word_hex("20") + word_hex("21") + zeros(64))).bytes(0).has_value());
    EXPECT_EQ(Decoder(from_words(word_hex("20") + word_hex("20") + zeros(64))).bytes(0)->size(),
              32U);
    // Arrays: element count times 32 must fit; huge counts must not overflow.
    EXPECT_FALSE(Decoder(from_words(word_hex("20") + word_hex("2") + zeros(64)))
                     .bytes32_array(0)
                     .has_value());
    EXPECT_FALSE(Decoder(from_words(word_hex("20") + word_hex("8000000000000000") + zeros(64)))
                     .bytes32_array(0)
                     .has_value());
    EXPECT_FALSE(
        Decoder(from_words(word_hex("20") + "8" + zeros(63))).address_array(0).has_value());
    EXPECT_EQ(
        Decoder(from_words(word_hex("20") + word_hex("1") + zeros(64))).bytes32_array(0)->size(),
        1U);
    // Missing head word.
    EXPECT_FALSE(Decoder(Bytes{}).bytes(0).has_value());
    EXPECT_FALSE(Decoder(Bytes{}).address_array(0).has_value());
}

TEST(Abi, DecodeSharedTailsAndUnpaddedPayload) {
    // Two heads pointing at the same tail; the payload is not padded (allowed).
    const Bytes data = from_words(word_hex("40") + word_hex("40") + word_hex("2"));
    Bytes full = data;
    full.push_back('h');
    full.push_back('i');
    const Decoder d(full);
    EXPECT_EQ(*d.string(0), "hi");
    EXPECT_EQ(*d.string(1), "hi");
}

TEST(Abi, CallRoundTripThroughDecoder) {
    const Address a = *Address::from_hex("0xabcdefabcdefabcdefabcdefabcdefabcdefabcd");
    const Bytes call = Encoder()
                           .address(a)
                           .string("partition")
                           .uint256(u256::max())
                           .finish_call(selector_of("f(address,string,uint256)"));
    ASSERT_GE(call.size(), 4U);
    EXPECT_EQ(Bytes4::from(ByteView(call).first(4)), selector_of("f(address,string,uint256)"));
    const Decoder d(ByteView(call).subspan(4), Cleaning::kStrict);
    EXPECT_EQ(*d.address(0), a);
    EXPECT_EQ(*d.string(1), "partition");
    EXPECT_EQ(*d.uint256(2), u256::max());
}

}  // namespace
}  // namespace ampd
