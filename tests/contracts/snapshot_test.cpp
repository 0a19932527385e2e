// World snapshots: the format, determinism (same state, same bytes, however
// it was reached), strict rejection of damaged input, and that a loaded
// copy of the demo's world answers every view through the ABI exactly as
// the original and keeps doing so for further transactions.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/contracts/amp.hpp"
#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/constants.hpp"
#include "ampd/contracts/erc1820_registry.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/snapshot_codec.hpp"
#include "support/literals.hpp"

namespace ampd::contracts {
namespace {

using namespace ampd::test_support;  // NOLINT(google-build-using-namespace)

using state::BlockContext;
using state::ExecResult;
using state::Message;
using state::SnapshotError;
using state::SnapshotWriter;
using FCM = FlexaCollateralManager;

// The accounts of the demo (apps/amp/demo_command.cpp).
const Address kOwner = A("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
const Address kOperator = A("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
const Address kAlice = A("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const Address kBob = A("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
const Address kCarol = A("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
const Address kFxc = A("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const Address kAmp = A("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
const Address kPoolValidator = A("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
const Address kHolderValidator = A("0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9");
const Address kManager = A("0x8464135c8f25da09e49bc8782676a84730c318bc");
const u256 kToken = u256(1'000'000'000'000'000'000ULL);

Bytes32 withdrawal_flag() {
    Bytes32 w;
    w.b.fill(FCM::kWithdrawalFlagByte);
    return w;
}

// Drives a world through the ABI and the transaction boundary.
class Driver {
public:
    explicit Driver(std::unique_ptr<state::World> world = new_world()) : world_(std::move(world)) {}

    void deploy(std::string_view type, const Address& at, const Address& from, const Bytes& args) {
        advance();
        const ExecResult r = deploy_builtin(*world_, type, at, from, args, block_);
        ASSERT_TRUE(r.success) << type << ": " << r.revert_reason;
    }
    ExecResult tx(const Address& from, const Address& to, std::string_view sig,
                  const abi::Encoder& args = {}) {
        advance();
        return world_->execute(Message{from, to, args.finish_call(selector_of(sig))}, block_);
    }
    void ok(const Address& from, const Address& to, std::string_view sig,
            const abi::Encoder& args = {}) {
        const ExecResult r = tx(from, to, sig, args);
        ASSERT_TRUE(r.success) << sig << ": " << r.revert_reason;
    }
    ExecResult view(const Address& to, std::string_view sig, const abi::Encoder& args = {}) {
        return world_->simulate(Message{Address{}, to, args.finish_call(selector_of(sig))}, block_);
    }
    u256 view_u256(const Address& to, std::string_view sig, const abi::Encoder& args = {}) {
        return abi::Decoder(view(to, sig, args).output).uint256(0).value_or(u256(0));
    }

    state::World& world() { return *world_; }
    BlockContext& block() { return block_; }

private:
    void advance() {
        ++block_.number;
        block_.timestamp += 12;
    }
    std::unique_ptr<state::World> world_;
    BlockContext block_{0, 1'700'000'000, 31337};
};

// The swap token, Amp with both strategies and a collateral manager with a
// permitted pool, as at the demo's genesis.
void genesis(Driver& d) {
    d.deploy("SwapToken", kFxc, kOwner, {});
    d.deploy("Amp", kAmp, kOwner,
             abi::Encoder().address(kFxc).string("Amp").string("AMP").finish());
    d.deploy("CollateralPoolPartitionValidator", kPoolValidator, kOwner,
             abi::Encoder().address(kAmp).finish());
    d.deploy("HolderCollateralPartitionValidator", kHolderValidator, kOwner,
             abi::Encoder().address(kAmp).finish());
    d.ok(kOwner, kAmp, "setPartitionStrategy(bytes4,address)",
         abi::Encoder().bytes4(B4("0xcccccccc")).address(kPoolValidator));
    d.ok(kOwner, kAmp, "setPartitionStrategy(bytes4,address)",
         abi::Encoder().bytes4(B4("0xaaaaaaaa")).address(kHolderValidator));
    d.deploy("FlexaCollateralManager", kManager, kOperator, abi::Encoder().address(kAmp).finish());
    d.ok(kOperator, kManager, "addPartition(bytes32)",
         abi::Encoder().bytes32(make_partition(0xccccccccU, 1, kManager)));
}

void swap_in(Driver& d, const Address& who, const u256& amount) {
    d.ok(kOwner, kFxc, "mint(address,uint256)", abi::Encoder().address(who).uint256(amount));
    d.ok(who, kFxc, "approve(address,uint256)", abi::Encoder().address(kAmp).uint256(amount));
    d.ok(who, kAmp, "swap(address)", abi::Encoder().address(who));
}

Bytes32 pool() {
    return make_partition(0xccccccccU, 1, kManager);
}

void supply(Driver& d, const Address& who, const u256& amount) {
    d.ok(who, kAmp, "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
         abi::Encoder()
             .bytes32(Bytes32{})
             .address(who)
             .address(kManager)
             .uint256(amount)
             .bytes(change_partition_data(pool()))
             .bytes(Bytes{}));
}

// The demo's whole story: swaps, a transfer, two supplies, a release
// request, a withdrawal root and bob's withdrawal.
void demo(Driver& d) {
    genesis(d);
    for (const Address& who : {kAlice, kBob, kCarol}) swap_in(d, who, u256(5000) * kToken);
    d.ok(kAlice, kAmp, "transfer(address,uint256)",
         abi::Encoder().address(kBob).uint256(u256(250) * kToken));
    supply(d, kBob, u256(1000) * kToken);
    supply(d, kCarol, u256(500) * kToken);
    d.ok(kBob, kManager, "requestRelease(bytes32,uint256,bytes)",
         abi::Encoder().bytes32(pool()).uint256(u256(400) * kToken).bytes(Bytes{}));
    const Bytes32 bob_leaf = FCM::withdrawal_leaf(kBob, pool(), u256(400) * kToken, u256(0));
    const Bytes32 carol_leaf = FCM::withdrawal_leaf(kCarol, pool(), u256(200) * kToken, u256(0));
    d.ok(kOperator, kManager, "addWithdrawalRoot(bytes32,uint256,bytes32[])",
         abi::Encoder()
             .bytes32(FCM::merkle_parent(bob_leaf, carol_leaf))
             .uint256(u256(1))
             .bytes32_array({}));
    d.ok(kBob, kAmp, "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
         abi::Encoder()
             .bytes32(pool())
             .address(kManager)
             .address(kBob)
             .uint256(u256(400) * kToken)
             .bytes(change_partition_data(Bytes32{}))
             .bytes(abi::Encoder()
                        .bytes32(withdrawal_flag())
                        .address(kBob)
                        .uint256(u256(0))
                        .bytes32_array({carol_leaf})
                        .finish()));
}

Bytes demo_snapshot() {
    Driver d;
    demo(d);
    return save_world(d.world());
}

// The SnapshotError message of loading `bytes`, or "" when it loads.
std::string load_error(ByteView bytes) {
    try {
        (void)load_world(bytes);
    } catch (const SnapshotError& e) {
        return e.what();
    }
    return "";
}

// A world snapshot holding one contract with the given type and body.
Bytes single_contract_snapshot(std::string_view type, const Address& at, const Bytes& body) {
    SnapshotWriter w;
    for (const char c : std::string_view("AMPDSNAP")) w.u8(static_cast<uint8_t>(c));
    w.u32(1);
    w.count(1);
    w.string(type);
    w.address(at);
    w.bytes(body);
    return std::move(w).take();
}

// --- Format and round trips

TEST(Snapshot, FreshWorldRoundTrips) {
    const std::unique_ptr<state::World> w = new_world();
    const Bytes snap = save_world(*w);
    ASSERT_GE(snap.size(), 12U);
    EXPECT_EQ(std::string(snap.begin(), snap.begin() + 8), "AMPDSNAP");
    const std::unique_ptr<state::World> loaded = load_world(snap);
    EXPECT_EQ(loaded->contract_count(), 1U);
    EXPECT_NE(loaded->contract_as<Erc1820Registry>(erc1820_registry_address()), nullptr);
    EXPECT_EQ(save_world(*loaded), snap);
    EXPECT_EQ(state_hash(*loaded), state_hash(*w));
    EXPECT_EQ(state_hash(*w), keccak256(ByteView(snap)));
}

TEST(Snapshot, DemoWorldRoundTripsAndIsDeterministic) {
    const Bytes snap = demo_snapshot();
    EXPECT_EQ(demo_snapshot(), snap) << "the same history gave different bytes";
    const std::unique_ptr<state::World> loaded = load_world(snap);
    EXPECT_EQ(save_world(*loaded), snap);
    EXPECT_EQ(loaded->contract_count(), 6U);
    EXPECT_TRUE(loaded->contract_as<Amp>(kAmp)->check_invariants().empty());
}

TEST(Snapshot, AWorldEmbedsInALargerSnapshotWithoutACopy) {
    Driver d;
    demo(d);
    SnapshotWriter embedded;
    embedded.u32(7);
    save_world(d.world(), embedded);
    embedded.u8(1);
    SnapshotWriter copied;
    copied.u32(7);
    copied.bytes(save_world(d.world()));
    copied.u8(1);
    EXPECT_EQ(embedded.data(), copied.data());

    state::SnapshotReader r(embedded.data());
    EXPECT_EQ(r.u32(), 7U);
    const std::unique_ptr<state::World> w = load_world(r.bytes_view());
    EXPECT_EQ(r.u8(), 1U);
    r.expect_end();
    EXPECT_EQ(state_hash(*w), state_hash(d.world()));
}

TEST(Snapshot, StateHashChangesWithTheState) {
    Driver d;
    demo(d);
    const Bytes32 before = state_hash(d.world());
    d.ok(kAlice, kAmp, "transfer(address,uint256)", abi::Encoder().address(kCarol).uint256(1));
    EXPECT_NE(state_hash(d.world()), before);
}

TEST(Snapshot, ViewsAndReadsDoNotChangeTheSnapshot) {
    Driver d;
    demo(d);
    const Bytes snap = save_world(d.world());
    (void)d.view_u256(kAmp, "balanceOf(address)", abi::Encoder().address(kBob));
    // A reverted transaction leaves no trace either.
    EXPECT_FALSE(d.tx(kAlice, kAmp, "transfer(address,uint256)",
                      abi::Encoder().address(kBob).uint256(u256(1) << 200))
                     .success);
    EXPECT_EQ(save_world(d.world()), snap);
}

TEST(Snapshot, RefusesToSaveMidTransaction) {
    Driver d;
    genesis(d);
    auto* amp = d.world().contract_as<Amp>(kAmp);
    // A typed call outside execute() leaves its journal records until
    // someone commits them.
    state::CallContext ctx{d.world(), kAmp, kAlice, kAlice, Bytes4{}, d.block()};
    amp->approve(ctx, kBob, u256(5));
    EXPECT_THROW((void)save_world(d.world()), std::logic_error);
    d.world().journal().commit();
    d.world().clear_pending_logs();
    EXPECT_NO_THROW((void)save_world(d.world()));
}

// --- Determinism across histories

TEST(Snapshot, SameStateReachedInADifferentOrderSerializesIdentically) {
    // A: holders arrive in one order.
    Driver a;
    genesis(a);
    for (const Address& who : {kAlice, kBob, kCarol}) swap_in(a, who, u256(1000) * kToken);
    supply(a, kBob, u256(10) * kToken);

    // B: the other order, plus many transient entries that end at zero: a
    // hundred accounts that receive and return tokens (growing and
    // rehashing the account table), an allowance and an operator granted
    // then withdrawn, a registry entry set then reset, and allowances used
    // up by the swaps.
    Driver b;
    genesis(b);
    for (const Address& who : {kCarol, kBob, kAlice}) swap_in(b, who, u256(1000) * kToken);
    for (uint32_t i = 0; i < 100; ++i) {
        Address tmp;
        tmp.b[0] = 0x77;
        tmp.b[19] = static_cast<uint8_t>(i);
        tmp.b[18] = static_cast<uint8_t>(i >> 8);
        b.ok(kAlice, kAmp, "transfer(address,uint256)", abi::Encoder().address(tmp).uint256(7));
        b.ok(tmp, kAmp, "transfer(address,uint256)", abi::Encoder().address(kAlice).uint256(7));
    }
    b.ok(kAlice, kAmp, "approve(address,uint256)", abi::Encoder().address(kBob).uint256(5));
    b.ok(kAlice, kAmp, "approve(address,uint256)", abi::Encoder().address(kBob).uint256(0));
    b.ok(kAlice, kAmp, "authorizeOperator(address)", abi::Encoder().address(kCarol));
    b.ok(kAlice, kAmp, "revokeOperator(address)", abi::Encoder().address(kCarol));
    const Address reg = erc1820_registry_address();
    const Bytes32 foo = Erc1820Registry::interface_hash("Foo");
    b.ok(kAlice, reg, "setInterfaceImplementer(address,bytes32,address)",
         abi::Encoder().address(kAlice).bytes32(foo).address(kAlice));
    b.ok(kAlice, reg, "setInterfaceImplementer(address,bytes32,address)",
         abi::Encoder().address(kAlice).bytes32(foo).address(Address{}));
    supply(b, kBob, u256(10) * kToken);

    EXPECT_EQ(save_world(a.world()), save_world(b.world()));
    EXPECT_EQ(state_hash(a.world()), state_hash(b.world()));
}

TEST(Snapshot, ListOrderIsStateAndIsKept) {
    // The same balances with the holder's partitions acquired in the other
    // order: partitionsOf differs, and so do the snapshots.
    const Bytes32 plain1 = make_partition(0, 1, kAlice);
    const Bytes32 plain2 = make_partition(0, 2, kAlice);
    auto build = [&](const Bytes32& first, const Bytes32& second) {
        Driver d;
        genesis(d);
        swap_in(d, kAlice, u256(100));
        for (const Bytes32& p : {first, second}) {
            d.ok(kAlice, kAmp, "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
                 abi::Encoder()
                     .bytes32(Bytes32{})
                     .address(kAlice)
                     .address(kAlice)
                     .uint256(u256(10))
                     .bytes(change_partition_data(p))
                     .bytes(Bytes{}));
        }
        return save_world(d.world());
    };
    const Bytes ab = build(plain1, plain2);
    const Bytes ba = build(plain2, plain1);
    EXPECT_NE(ab, ba);
    const std::unique_ptr<state::World> w = load_world(ba);
    EXPECT_EQ(w->contract_as<Amp>(kAmp)->partitionsOf(kAlice),
              (std::vector<Bytes32>{Bytes32{}, plain2, plain1}));
    EXPECT_EQ(w->contract_as<Amp>(kAmp)->totalPartitions(),
              (std::vector<Bytes32>{Bytes32{}, plain2, plain1}));
}

TEST(Snapshot, ManagerKeysWithZeroValuesAreStateBecauseTheyChangeStateWrites) {
    // A partition added then removed leaves its key (value false) in the
    // manager's node map; adding it again then journals one record less
    // than adding a never-seen key. The node charges for journal records,
    // so the two worlds differ and their snapshots must too.
    const Bytes32 pool2 = make_partition(0xccccccccU, 2, kManager);
    Driver touched;
    genesis(touched);
    touched.ok(kOperator, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool2));
    touched.ok(kOperator, kManager, "removePartition(bytes32)", abi::Encoder().bytes32(pool2));
    Driver fresh;
    genesis(fresh);
    fresh.block() = touched.block();
    EXPECT_NE(save_world(touched.world()), save_world(fresh.world()));

    Driver recovered(load_world(save_world(touched.world())));
    recovered.block() = touched.block();
    const ExecResult t =
        touched.tx(kOperator, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool2));
    const ExecResult f =
        fresh.tx(kOperator, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool2));
    const ExecResult r =
        recovered.tx(kOperator, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool2));
    ASSERT_TRUE(t.success && f.success && r.success);
    EXPECT_NE(t.state_writes, f.state_writes);
    EXPECT_EQ(r.state_writes, t.state_writes);
}

// --- The demo's world through the ABI

TEST(Snapshot, LoadedDemoWorldAnswersEveryViewLikeTheOriginal) {
    Driver original;
    demo(original);
    Driver loaded(load_world(save_world(original.world())));
    loaded.block() = original.block();

    const Address reg = erc1820_registry_address();
    const std::vector<Address> holders{kAlice, kBob, kCarol, kManager, kOwner, kOperator};
    const std::vector<Bytes32> partitions{Bytes32{}, pool(),
                                          make_partition(0xccccccccU, 2, kManager)};
    struct Call {
        Address to;
        std::string sig;
        abi::Encoder args;
    };
    std::vector<Call> calls{
        {kAmp, "name()", {}},
        {kAmp, "symbol()", {}},
        {kAmp, "totalSupply()", {}},
        {kAmp, "totalPartitions()", {}},
        {kAmp, "owner()", {}},
        {kAmp, "authorizedNewOwner()", {}},
        {kAmp, "swapToken()", {}},
        {kAmp, "collateralManagers(uint256)", abi::Encoder().uint256(u256(0))},
        {kAmp, "collateralManagers(uint256)", abi::Encoder().uint256(u256(1))},
        {kAmp, "partitionStrategies(uint256)", abi::Encoder().uint256(u256(0))},
        {kAmp, "partitionStrategies(uint256)", abi::Encoder().uint256(u256(1))},
        {kAmp, "partitionStrategies(uint256)", abi::Encoder().uint256(u256(2))},
        {kAmp, "isCollateralManager(address)", abi::Encoder().address(kManager)},
        {kAmp, "isPartitionStrategy(bytes4)", abi::Encoder().bytes4(B4("0xaaaaaaaa"))},
        {kManager, "owner()", {}},
        {kManager, "supplyNonce()", {}},
        {kManager, "withdrawalLimit()", {}},
        {kManager, "maxWithdrawalRootNonce()", {}},
        {kManager, "fallbackSetDate()", {}},
        {kManager, "fallbackWithdrawalDelaySeconds()", {}},
        {kManager, "partitions(bytes32)", abi::Encoder().bytes32(pool())},
        {kManager, "nonceToSupply(uint256)", abi::Encoder().uint256(u256(1))},
        {kManager, "nonceToSupply(uint256)", abi::Encoder().uint256(u256(2))},
        {kManager, "addressToWithdrawalNonce(bytes32,address)",
         abi::Encoder().bytes32(pool()).address(kBob)},
        {kFxc, "totalSupply()", {}},
        {kFxc, "owner()", {}},
        {kPoolValidator, "amp()", {}},
        {kPoolValidator, "partitionPrefix()", {}},
        {kHolderValidator, "partitionPrefix()", {}},
        {reg, "getInterfaceImplementer(address,bytes32)",
         abi::Encoder().address(kAmp).bytes32(Amp::amp_token_interface_hash())},
        {reg, "getInterfaceImplementer(address,bytes32)",
         abi::Encoder().address(kManager).bytes32(Amp::tokens_recipient_interface_hash())},
        {reg, "getManager(address)", abi::Encoder().address(kAmp)},
    };
    for (const Address& h : holders) {
        calls.push_back({kAmp, "balanceOf(address)", abi::Encoder().address(h)});
        calls.push_back({kAmp, "partitionsOf(address)", abi::Encoder().address(h)});
        calls.push_back({kFxc, "balanceOf(address)", abi::Encoder().address(h)});
        for (const Bytes32& p : partitions) {
            calls.push_back({kAmp, "balanceOfByPartition(bytes32,address)",
                             abi::Encoder().bytes32(p).address(h)});
            calls.push_back({kAmp, "isOperatorForPartition(bytes32,address,address)",
                             abi::Encoder().bytes32(p).address(kManager).address(h)});
        }
    }
    for (const Bytes32& p : partitions) {
        calls.push_back({kAmp, "totalSupplyByPartition(bytes32)", abi::Encoder().bytes32(p)});
    }
    for (const Call& c : calls) {
        const ExecResult a = original.view(c.to, c.sig, c.args);
        const ExecResult b = loaded.view(c.to, c.sig, c.args);
        EXPECT_EQ(a.success, b.success) << c.sig;
        EXPECT_EQ(a.output, b.output) << c.sig;
    }

    // Known answers, as the demo prints them.
    EXPECT_EQ(loaded.view_u256(kAmp, "balanceOf(address)", abi::Encoder().address(kBob)),
              u256(4650) * kToken);
    EXPECT_EQ(loaded.view_u256(kAmp, "balanceOfByPartition(bytes32,address)",
                               abi::Encoder().bytes32(pool()).address(kManager)),
              u256(1100) * kToken);
    EXPECT_EQ(loaded.view_u256(kAmp, "totalSupply()"), u256(15000) * kToken);
    const ExecResult parts =
        loaded.view(kAmp, "partitionsOf(address)", abi::Encoder().address(kManager));
    EXPECT_EQ(abi::Decoder(parts.output).bytes32_array(0),
              std::optional<std::vector<Bytes32>>(std::vector<Bytes32>{pool()}));
    EXPECT_EQ(loaded.view_u256(kManager, "supplyNonce()"), u256(2));

    // And carol's withdrawal against the same root behaves the same in both.
    const Bytes32 bob_leaf = FCM::withdrawal_leaf(kBob, pool(), u256(400) * kToken, u256(0));
    const abi::Encoder withdraw = abi::Encoder()
                                      .bytes32(pool())
                                      .address(kManager)
                                      .address(kCarol)
                                      .uint256(u256(200) * kToken)
                                      .bytes(change_partition_data(Bytes32{}))
                                      .bytes(abi::Encoder()
                                                 .bytes32(withdrawal_flag())
                                                 .address(kCarol)
                                                 .uint256(u256(0))
                                                 .bytes32_array({bob_leaf})
                                                 .finish());
    const std::string_view sig = "transferByPartition(bytes32,address,address,uint256,bytes,bytes)";
    const ExecResult a = original.tx(kCarol, kAmp, sig, withdraw);
    const ExecResult b = loaded.tx(kCarol, kAmp, sig, withdraw);
    ASSERT_TRUE(a.success) << a.revert_reason;
    ASSERT_TRUE(b.success) << b.revert_reason;
    EXPECT_EQ(a.output, b.output);
    EXPECT_EQ(a.state_writes, b.state_writes);
    ASSERT_EQ(a.logs.size(), b.logs.size());
    for (size_t i = 0; i < a.logs.size(); ++i) {
        EXPECT_EQ(state::encode_log(a.logs[i]).data, state::encode_log(b.logs[i]).data);
        EXPECT_EQ(state::encode_log(a.logs[i]).topics, state::encode_log(b.logs[i]).topics);
    }
    EXPECT_EQ(state_hash(original.world()), state_hash(loaded.world()));
}

// --- Damaged input

TEST(Snapshot, EveryTruncationIsRejected) {
    const Bytes snap = demo_snapshot();
    for (size_t len = 0; len < snap.size(); ++len) {
        const std::string err = load_error(ByteView(snap.data(), len));
        EXPECT_EQ(err.rfind("snapshot: ", 0), 0U) << "prefix of " << len << " bytes: " << err;
    }
}

TEST(Snapshot, EveryByteCorruptionIsRejectedOrCanonical) {
    // A damaged byte either makes the input invalid, or yields a world whose
    // own snapshot is exactly the damaged input (one state, one encoding).
    const Bytes snap = demo_snapshot();
    size_t rejected = 0;
    for (size_t i = 0; i < snap.size(); ++i) {
        for (const uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}}) {
            Bytes bad = snap;
            bad[i] ^= flip;
            try {
                const std::unique_ptr<state::World> w = load_world(bad);
                ASSERT_EQ(save_world(*w), bad) << "byte " << i << " ^ " << int{flip};
            } catch (const SnapshotError&) {
                ++rejected;
            }
        }
    }
    EXPECT_GT(rejected, snap.size() / 2);
}

TEST(Snapshot, RejectsBadHeaders) {
    Bytes snap = demo_snapshot();
    Bytes bad_magic = snap;
    bad_magic[0] = 'X';
    EXPECT_NE(load_error(bad_magic).find("bad magic"), std::string::npos);
    Bytes bad_version = snap;
    bad_version[8] = 2;
    EXPECT_NE(load_error(bad_version).find("unsupported format version 2"), std::string::npos);
    Bytes trailing = snap;
    trailing.push_back(0);
    EXPECT_NE(load_error(trailing).find("1 unread trailing bytes reading world"),
              std::string::npos);
}

TEST(Snapshot, RejectsUnknownTypesAndUnsortedContracts) {
    EXPECT_NE(load_error(single_contract_snapshot("Vault", kAmp, {}))
                  .find("unknown contract type 'Vault'"),
              std::string::npos);

    SnapshotWriter w;
    for (const char c : std::string_view("AMPDSNAP")) w.u8(static_cast<uint8_t>(c));
    w.u32(1);
    w.count(2);
    for (const Address& at : {kAmp, kPoolValidator}) {  // 0xe7.. then 0x9f..
        w.string("CollateralPoolPartitionValidator");
        w.address(at);
        SnapshotWriter body;
        body.address(kAmp);
        w.bytes(body.data());
    }
    EXPECT_NE(load_error(w.data()).find("contract addresses not strictly ascending"),
              std::string::npos);
}

TEST(Snapshot, RejectsBodiesWithTrailingBytes) {
    SnapshotWriter body;
    body.address(kAmp);
    body.u8(0);
    EXPECT_NE(load_error(single_contract_snapshot("CollateralPoolPartitionValidator",
                                                  kPoolValidator, body.data()))
                  .find("1 unread trailing bytes reading CollateralPoolPartitionValidator"),
              std::string::npos);
}

// A hand-written Amp body: the given totalPartitions and default-partition
// accounts (each listing only the default partition), every other table
// empty.
Bytes amp_body(const std::vector<Bytes32>& total_partitions, const u256& total_supply,
               const std::vector<std::pair<Address, u256>>& accounts = {}) {
    SnapshotWriter w;
    w.address(kFxc);
    w.string("Amp");
    w.string("AMP");
    w.address(kOwner);
    w.address(Address{});
    w.uint256(total_supply);
    w.uint256(total_supply);  // default partition supply
    w.count(accounts.size());
    for (const auto& [a, balance] : accounts) {
        w.address(a);
        w.uint256(balance);
        w.uint256(balance);
        w.u32(1);
        w.u32(1);
    }
    w.count(0);  // partition balances
    w.count(0);  // partition lists (the default partition's slot holds zero)
    w.count(total_partitions.size());
    for (const Bytes32& p : total_partitions) w.bytes32(p);
    for (int i = 0; i < 9; ++i) w.count(0);  // supplies .. is_partition_strategy
    return std::move(w).take();
}

TEST(Snapshot, RejectsInconsistentAmpTables) {
    const Bytes ok =
        single_contract_snapshot("Amp", kAmp, amp_body({Bytes32{}}, u256(5), {{kAlice, u256(5)}}));
    EXPECT_EQ(load_error(ok), "");

    EXPECT_NE(load_error(single_contract_snapshot("Amp", kAmp, amp_body({}, u256(0))))
                  .find("totalPartitions does not start with the default partition"),
              std::string::npos);
    EXPECT_NE(
        load_error(single_contract_snapshot("Amp", kAmp, amp_body({Bytes32{}, pool()}, u256(0))))
            .find("totalPartitions entry 1 has no matching supply"),
        std::string::npos);
    EXPECT_NE(load_error(single_contract_snapshot(
                             "Amp", kAmp, amp_body({Bytes32{}}, u256(4), {{kAlice, u256(5)}})))
                  .find("balances do not add up to totalSupply"),
              std::string::npos);
}

TEST(Snapshot, RejectsZeroValuesAndUnsortedKeys) {
    SnapshotWriter zero;
    zero.address(kOwner);
    zero.uint256(u256(0));
    zero.count(1);
    zero.address(kAlice);
    zero.uint256(u256(0));  // a zero balance must be left out
    zero.count(0);
    EXPECT_NE(load_error(single_contract_snapshot("SwapToken", kFxc, zero.data()))
                  .find("zero value stored reading SwapToken.balances"),
              std::string::npos);

    SnapshotWriter unsorted;
    unsorted.address(kOwner);
    unsorted.uint256(u256(3));
    unsorted.count(2);
    unsorted.address(kBob);  // 0x90.. after 0x3c..
    unsorted.uint256(u256(1));
    unsorted.address(kAlice);
    unsorted.uint256(u256(2));
    unsorted.count(0);
    EXPECT_NE(load_error(single_contract_snapshot("SwapToken", kFxc, unsorted.data()))
                  .find("keys not strictly ascending reading SwapToken.balances"),
              std::string::npos);
}

}  // namespace
}  // namespace ampd::contracts
