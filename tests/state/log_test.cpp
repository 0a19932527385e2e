#include "ampd/state/log.hpp"

#include <gtest/gtest.h>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"

namespace ampd::state {
namespace {

Address addr(uint8_t b) {
    Address a;
    a.b[19] = b;
    return a;
}

Bytes text(std::string_view s) {
    return {s.begin(), s.end()};
}

Bytes32 word(uint64_t v) {
    return word_from_u256(u256(v));
}

// Static and dynamic parameters mixed with indexed ones: the data is the
// ABI encoding of the non-indexed ones in order (abi::Encoder, written
// independently, is the reference).
TEST(EncodeLog, DataIsTheAbiEncodingOfTheNonIndexedParameters) {
    static const EventDescriptor kEv = make_event("Mixed", {{"from", AbiType::kAddress, true},
                                                            {"value", AbiType::kUint256, false},
                                                            {"data", AbiType::kBytes, false},
                                                            {"to", AbiType::kAddress, true},
                                                            {"flag", AbiType::kBool, false},
                                                            {"note", AbiType::kString, false}});
    const Bytes payload = text("a payload longer than one word, so it takes two");
    const RawLog raw = encode_log(LogBuilder(addr(7), kEv)
                                      .address(addr(1))
                                      .u256v(u256(1000))
                                      .bytes(payload)
                                      .address(addr(2))
                                      .boolean(true)
                                      .string("")
                                      .build());
    EXPECT_EQ(raw.address, addr(7));
    ASSERT_EQ(raw.topics.size(), 3U);
    EXPECT_EQ(raw.topics[0], kEv.topic0);
    EXPECT_EQ(raw.topics[1], word_from_address(addr(1)));
    EXPECT_EQ(raw.topics[2], word_from_address(addr(2)));
    EXPECT_EQ(raw.data,
              abi::Encoder().uint256(u256(1000)).bytes(payload).boolean(true).string("").finish());
}

TEST(EncodeLog, IndexedDynamicParameterIsTheHashOfItsContents) {
    static const EventDescriptor kEv =
        make_event("Named", {{"name", AbiType::kString, true}, {"id", AbiType::kBytes32, false}});
    const Bytes32 id = keccak256(std::string_view("id"));
    const RawLog raw = encode_log(LogBuilder(addr(7), kEv).string("alice").bytes32(id).build());
    ASSERT_EQ(raw.topics.size(), 2U);
    EXPECT_EQ(raw.topics[1], keccak256(std::string_view("alice")));
    EXPECT_EQ(raw.data, Bytes(id.b.begin(), id.b.end()));
}

// solc 0.6 encodes a "" literal as its zero length and one zero word; every
// later tail moves down by that word, and its offset with it.
TEST(EncodeLog, EmptyLiteralGetsAZeroWordAndShiftsLaterTails) {
    static const EventDescriptor kEv = make_event("Lit", {{"a", AbiType::kBytes, false},
                                                          {"b", AbiType::kBytes, false},
                                                          {"c", AbiType::kUint256, false},
                                                          {"d", AbiType::kBytes, false}});
    const RawLog raw = encode_log(LogBuilder(addr(7), kEv)
                                      .empty_literal()
                                      .bytes(text("xy"))
                                      .u256v(u256(5))
                                      .bytes(Bytes{})
                                      .build());
    constexpr uint64_t kWord = 32;
    Bytes want;
    const auto put = [&want](const Bytes32& w) { want.insert(want.end(), w.b.begin(), w.b.end()); };
    put(word(4 * kWord));  // a: after the 4 head words
    put(word(6 * kWord));  // b: after a's length word and its zero word
    put(word(5));          // c
    put(word(8 * kWord));  // d: after b's length word and payload word
    put(word(0));          // a: length
    put(word(0));          // a: the literal's zero word
    put(word(2));          // b: length
    Bytes32 xy;
    xy.b[0] = 'x';
    xy.b[1] = 'y';
    put(xy);       // b: payload, padded
    put(word(0));  // d: an empty value that is not a literal: its length only
    EXPECT_EQ(raw.data, want);
}

TEST(EncodeLog, EventWithoutDataHasEmptyData) {
    static const EventDescriptor kEv =
        make_event("Pair", {{"a", AbiType::kAddress, true}, {"b", AbiType::kAddress, true}});
    const RawLog raw =
        encode_log(LogBuilder(addr(7), kEv).address(addr(1)).address(addr(2)).build());
    EXPECT_EQ(raw.topics.size(), 3U);
    EXPECT_TRUE(raw.data.empty());
}

}  // namespace
}  // namespace ampd::state
