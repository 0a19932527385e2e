#include "ampd/cli/decode.hpp"

#include <gtest/gtest.h>

#include "ampd/contracts/amp.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "support/literals.hpp"

namespace ampd::cli {
namespace {

using contracts::Amp;
using contracts::FlexaCollateralManager;
using test_support::A;
using test_support::B32;

const Address kAmp = A("0xff20817765cb7f73d4bde2e66e067e58d11095c2");
const Address kAlice = A("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
const Address kBob = A("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");

TEST(DecodeLog, AmpEventsThroughTheirDescriptors) {
    const state::LogRecord rec = state::LogBuilder(kAmp, Amp::transfer_by_partition_event())
                                     .bytes32(Bytes32{})
                                     .address(kAlice)
                                     .address(kAlice)
                                     .address(kBob)
                                     .u256v(u256(42))
                                     .bytes(Bytes{0xde, 0xad})
                                     .bytes(Bytes{})
                                     .build();
    const std::optional<DecodedLog> d = decode_log(state::encode_log(rec));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->address, kAmp);
    EXPECT_EQ(d->name, "TransferByPartition");
    EXPECT_EQ(d->signature,
              "TransferByPartition(bytes32,address,address,address,uint256,bytes,bytes)");
    ASSERT_EQ(d->args.size(), 7U);
    EXPECT_EQ(d->args[0].name, "fromPartition");
    EXPECT_EQ(d->args[0].value, Bytes32{}.hex());
    EXPECT_EQ(d->args[1].name, "operator");
    EXPECT_EQ(d->args[1].value, kAlice.hex());
    EXPECT_EQ(d->args[3].value, kBob.hex());
    EXPECT_EQ(d->args[4].value, "42");
    EXPECT_TRUE(is_token_amount(d->args[4]));
    EXPECT_EQ(d->args[5].value, "0xdead");
    EXPECT_EQ(d->args[6].value, "0x");
}

TEST(DecodeLog, ManagerEventsWithIndexedAmounts) {
    const Bytes32 pool = contracts::make_partition(0xccccccccU, 1, kAmp);
    // ReleaseRequest(address indexed supplier, bytes32 indexed partition,
    // uint256 indexed amount, bytes data)
    const state::EventDescriptor* release = nullptr;
    for (const auto* e : FlexaCollateralManager::events()) {
        if (e->name == "ReleaseRequest") release = e;
    }
    ASSERT_NE(release, nullptr);
    const state::LogRecord r = state::LogBuilder(kAmp, *release)
                                   .address(kBob)
                                   .bytes32(pool)
                                   .u256v(u256(400))
                                   .bytes(Bytes{1, 2})
                                   .build();
    const auto d = decode_log(state::encode_log(r));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->name, "ReleaseRequest");
    EXPECT_EQ(d->args[0].value, kBob.hex());
    EXPECT_EQ(d->args[1].value, pool.hex());
    EXPECT_EQ(d->args[2].value, "400");
    EXPECT_EQ(d->args[3].value, "0x0102");
}

TEST(DecodeLog, UnknownOrMisshapenLogsAreNotGuessed) {
    state::RawLog unknown{kAmp, {keccak256(std::string_view("Nope(uint256)"))}, Bytes(32, 0)};
    EXPECT_FALSE(decode_log(unknown).has_value());
    // Transfer with its indexed arguments missing.
    state::RawLog short_topics{kAmp, {Amp::transfer_event().topic0}, Bytes(96, 0)};
    EXPECT_FALSE(decode_log(short_topics).has_value());
    // Transfer whose data is too short for the value.
    state::RawLog short_data{
        kAmp, {Amp::transfer_event().topic0, Bytes32{}, Bytes32{}}, Bytes(16, 0)};
    EXPECT_FALSE(decode_log(short_data).has_value());
    EXPECT_FALSE(decode_log(state::RawLog{}).has_value());
}

TEST(DecodeLog, FromTheNodesJson) {
    const nlohmann::json j = {{"address", kAmp.hex()},
                              {"topics",
                               {Amp::transfer_event().topic0.hex(), word_from_address(kAlice).hex(),
                                word_from_address(kBob).hex()}},
                              {"data", word_from_u256(u256(7)).hex()}};
    const auto d = decode_log(raw_log_from_json(j));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->name, "Transfer");
    EXPECT_EQ(d->args[2].value, "7");
}

TEST(DecodeCall, KnownFunctionsWithTheirParameterNames) {
    const Bytes transfer = abi::Encoder().address(kBob).uint256(u256(5)).finish_call(
        selector_of("transfer(address,uint256)"));
    const auto t = decode_call(transfer);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->name, "transfer");
    ASSERT_EQ(t->args.size(), 2U);
    EXPECT_EQ(t->args[0].name, "to");
    EXPECT_EQ(t->args[0].value, kBob.hex());
    EXPECT_EQ(t->args[1].value, "5");

    const Bytes root_call =
        abi::Encoder()
            .bytes32(B32("0x1111111111111111111111111111111111111111111111111111111111111111"))
            .uint256(u256(3))
            .bytes32_array({Bytes32{}})
            .finish_call(selector_of("addWithdrawalRoot(bytes32,uint256,bytes32[])"));
    const auto r = decode_call(root_call);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->args[2].name, "replacedRoots");
    EXPECT_EQ(r->args[2].value, nlohmann::json::array({Bytes32{}.hex()}));

    EXPECT_FALSE(decode_call(Bytes{0x12, 0x34, 0x56, 0x78}).has_value());
    EXPECT_FALSE(decode_call(Bytes{0x12}).has_value());
    // The right selector with arguments cut short.
    Bytes cut = transfer;
    cut.resize(4 + 32);
    EXPECT_FALSE(decode_call(cut).has_value());
}

}  // namespace
}  // namespace ampd::cli
