#include "ampd/state/world.hpp"

#include <gtest/gtest.h>

#include "ampd/primitives/abi.hpp"
#include "ampd/state/revert.hpp"
#include "ampd/state/snapshot_codec.hpp"

namespace ampd::state {
namespace {

const EventDescriptor& counter_event() {
    static const EventDescriptor kEv = make_event(
        "Bumped", {{"by", AbiType::kAddress, true}, {"value", AbiType::kUint256, false}});
    return kEv;
}

// A minimal contract used to exercise the transaction boundary: selector
// byte 1 bumps the counter and logs; byte 2 bumps, logs, then reverts.
class Counter final : public Contract {
public:
    using Contract::Contract;
    std::string_view type_name() const override { return "Counter"; }
    Bytes dispatch(CallContext& ctx, ByteView calldata) override {
        if (calldata.size() < 4) revert_empty();
        ctx.journal().set(value, value + u256(1));
        ctx.emit(LogBuilder(address(), counter_event()).address(ctx.sender).u256v(value).build());
        if (calldata[0] == 2) revert("nope");
        if (calldata[0] == 3) invalid_opcode();
        return abi::Encoder().uint256(value).finish();
    }
    void save(SnapshotWriter& w) const override { w.uint256(value); }
    u256 value = 0;
};

Address addr(uint8_t b) {
    Address a;
    a.b[19] = b;
    return a;
}

TEST(World, SuccessfulTransactionCommitsStateAndReturnsLogs) {
    World w;
    w.install(std::make_unique<Counter>(addr(1)));
    auto r = w.execute(Message{addr(9), addr(1), Bytes{1, 0, 0, 0}}, BlockContext{});
    ASSERT_TRUE(r.success);
    EXPECT_EQ(dynamic_cast<Counter*>(w.contract_at(addr(1)))->value, u256(1));
    ASSERT_EQ(r.logs.size(), 1U);
    RawLog raw = encode_log(r.logs[0]);
    ASSERT_EQ(raw.topics.size(), 2U);
    EXPECT_EQ(raw.topics[0], counter_event().topic0);
    EXPECT_EQ(raw.topics[1], word_from_address(addr(9)));
    EXPECT_EQ(raw.data, abi::Encoder().uint256(u256(1)).finish());
}

TEST(World, RevertLeavesNoTrace) {
    World w;
    w.install(std::make_unique<Counter>(addr(1)));
    ASSERT_TRUE(w.execute(Message{addr(9), addr(1), Bytes{1, 0, 0, 0}}, BlockContext{}).success);
    auto r = w.execute(Message{addr(9), addr(1), Bytes{2, 0, 0, 0}}, BlockContext{});
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.revert_kind, Revert::Kind::kReason);
    EXPECT_EQ(r.revert_reason, "nope");
    EXPECT_EQ(r.output, abi::error_data("nope"));
    EXPECT_TRUE(r.logs.empty());
    EXPECT_EQ(dynamic_cast<Counter*>(w.contract_at(addr(1)))->value, u256(1));
    EXPECT_EQ(w.journal().size(), 0U);

    auto bad = w.execute(Message{addr(9), addr(1), Bytes{3, 0, 0, 0}}, BlockContext{});
    EXPECT_FALSE(bad.success);
    EXPECT_EQ(bad.error_name(), "invalid opcode");
    EXPECT_TRUE(bad.output.empty());
}

TEST(World, SimulateNeverCommits) {
    World w;
    w.install(std::make_unique<Counter>(addr(1)));
    auto r = w.simulate(Message{addr(9), addr(1), Bytes{1, 0, 0, 0}}, BlockContext{});
    ASSERT_TRUE(r.success);
    EXPECT_EQ(r.output, abi::Encoder().uint256(u256(1)).finish());
    EXPECT_EQ(dynamic_cast<Counter*>(w.contract_at(addr(1)))->value, u256(0));
}

TEST(World, CallToAddressWithoutCodeSucceedsEmpty) {
    World w;
    auto r = w.execute(Message{addr(9), addr(5), Bytes{1, 2, 3, 4}}, BlockContext{});
    EXPECT_TRUE(r.success);
    EXPECT_TRUE(r.output.empty());
}

TEST(World, DeployIsAtomicAndRejectsCollisions) {
    World w;
    auto ok = w.deploy(
        addr(7), addr(9), [](CallContext& ctx) { return std::make_unique<Counter>(ctx.self); },
        BlockContext{});
    ASSERT_TRUE(ok.success);
    ASSERT_NE(w.contract_at(addr(7)), nullptr);
    auto again = w.deploy(
        addr(7), addr(9), [](CallContext& ctx) { return std::make_unique<Counter>(ctx.self); },
        BlockContext{});
    EXPECT_FALSE(again.success);
    auto failing = w.deploy(
        addr(8), addr(9), [](CallContext&) -> std::unique_ptr<Contract> { revert("ctor failed"); },
        BlockContext{});
    EXPECT_FALSE(failing.success);
    EXPECT_EQ(failing.revert_reason, "ctor failed");
    EXPECT_EQ(w.contract_at(addr(8)), nullptr);
    EXPECT_EQ(w.contract_addresses(), (std::vector<Address>{addr(7)}));
}

}  // namespace
}  // namespace ampd::state
