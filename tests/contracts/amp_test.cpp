// Amp: construction, swap minting, ERC-20 transfers and allowances,
// partitions and the change-partition flag, the order of partition lists
// after removals, operators, collateral managers, partition strategies,
// ownership, the ABI surface, and that a revert leaves no trace — driven
// through the ABI as a client would, plus the typed fast path.
#include "ampd/contracts/amp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/constants.hpp"
#include "ampd/contracts/erc1820_registry.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/world.hpp"
#include "support/exec_expect.hpp"
#include "support/literals.hpp"

namespace ampd::contracts {
namespace {

using test_support::reverts;

using namespace ampd::test_support;

using state::BlockContext;
using state::ExecResult;
using state::LogRecord;
using state::Message;
using state::RawLog;

const Address kOwner = A("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
const Address kUser0 = A("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const Address kUser1 = A("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
const Address kUser2 = A("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
const Address kUser3 = A("0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc");
const Address kSwap = A("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const Address kAmp = A("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
const Address kPoolValidator = A("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
const Address kHolderValidator = A("0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9");
const Address kGraveyard = A("0x000000000000000000000000000000000000dead");

const u256 kFunds = u256(1000000);

class AmpTest : public ::testing::Test {
protected:
    void SetUp() override {
        world_ = new_world();
        block_.timestamp = 1600000000;
        block_.chain_id = 31337;
        ASSERT_TRUE(deploy_builtin(*world_, "SwapToken", kSwap, kOwner, {}, block_).success);
        deploy_result_ = deploy_builtin(
            *world_, "Amp", kAmp, kOwner,
            abi::Encoder().address(kSwap).string("Amp").string("AMP").finish(), block_);
        ASSERT_TRUE(deploy_result_.success) << deploy_result_.revert_reason;
        amp_ = world_->contract_as<Amp>(kAmp);
        ASSERT_NE(amp_, nullptr);
    }

    void deploy_validators() {
        ASSERT_TRUE(deploy_builtin(*world_, "CollateralPoolPartitionValidator", kPoolValidator,
                                   kOwner, abi::Encoder().address(kAmp).finish(), block_)
                        .success);
        ASSERT_TRUE(deploy_builtin(*world_, "HolderCollateralPartitionValidator", kHolderValidator,
                                   kOwner, abi::Encoder().address(kAmp).finish(), block_)
                        .success);
        ok(tx(kOwner, kAmp, "setPartitionStrategy(bytes4,address)",
              abi::Encoder().bytes4(B4("0xcccccccc")).address(kPoolValidator)));
        ok(tx(kOwner, kAmp, "setPartitionStrategy(bytes4,address)",
              abi::Encoder().bytes4(B4("0xaaaaaaaa")).address(kHolderValidator)));
    }

    // Mints `amount` swap tokens to `user`, approves Amp and swaps them.
    ExecResult fund(const Address& user, const u256& amount = kFunds) {
        ok(tx(kOwner, kSwap, "mint(address,uint256)",
              abi::Encoder().address(user).uint256(amount)));
        ok(tx(user, kSwap, "approve(address,uint256)",
              abi::Encoder().address(kAmp).uint256(amount)));
        return tx(user, kAmp, "swap(address)", abi::Encoder().address(user));
    }

    ExecResult tx(const Address& from, const Address& to, std::string_view sig,
                  const abi::Encoder& args = abi::Encoder()) {
        block_.timestamp += 13;
        block_.number += 1;
        return world_->execute(Message{from, to, args.finish_call(selector_of(sig))}, block_);
    }
    ExecResult raw_tx(const Address& from, const Bytes& calldata) {
        return world_->execute(Message{from, kAmp, calldata}, block_);
    }
    ExecResult view(std::string_view sig, const abi::Encoder& args = abi::Encoder()) {
        return world_->simulate(Message{kUser0, kAmp, args.finish_call(selector_of(sig))}, block_);
    }
    u256 view_u256(std::string_view sig, const abi::Encoder& args = abi::Encoder()) {
        ExecResult r = view(sig, args);
        EXPECT_TRUE(r.success) << sig;
        return r.success ? *abi::Decoder(r.output).uint256(0) : u256();
    }
    bool view_bool(std::string_view sig, const abi::Encoder& args) {
        ExecResult r = view(sig, args);
        EXPECT_TRUE(r.success) << sig;
        return r.success && *abi::Decoder(r.output).boolean(0);
    }
    std::vector<Bytes32> view_partitions(std::string_view sig, const abi::Encoder& args) {
        ExecResult r = view(sig, args);
        EXPECT_TRUE(r.success) << sig;
        return abi::Decoder(r.output).bytes32_array(0).value_or(std::vector<Bytes32>{});
    }
    u256 balance(const Address& a) {
        return view_u256("balanceOf(address)", abi::Encoder().address(a));
    }
    u256 balance_in(const Bytes32& p, const Address& a) {
        return view_u256("balanceOfByPartition(bytes32,address)",
                         abi::Encoder().bytes32(p).address(a));
    }
    std::vector<Bytes32> partitions_of(const Address& a) {
        return view_partitions("partitionsOf(address)", abi::Encoder().address(a));
    }
    ExecResult transfer_by_partition(const Address& op, const Bytes32& part, const Address& from,
                                     const Address& to, const u256& value, const Bytes& data = {},
                                     const Bytes& op_data = {}) {
        return tx(
            op, kAmp, "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
            abi::Encoder().bytes32(part).address(from).address(to).uint256(value).bytes(data).bytes(
                op_data));
    }

    static void ok(const ExecResult& r) {
        ASSERT_TRUE(r.success) << "reverted: " << r.revert_reason;
    }
    static void reverts_empty(const ExecResult& r) {
        EXPECT_FALSE(r.success);
        EXPECT_EQ(r.revert_kind, state::Revert::Kind::kEmpty);
        EXPECT_TRUE(r.output.empty());
        EXPECT_TRUE(r.logs.empty());
    }
    static std::vector<std::string> names(const ExecResult& r) {
        std::vector<std::string> out;
        for (const LogRecord& l : r.logs) out.push_back(l.event->name);
        return out;
    }
    void expect_consistent() {
        const std::vector<std::string> errors = amp_->check_invariants();
        EXPECT_TRUE(errors.empty()) << errors.front();
    }

    std::unique_ptr<state::World> world_;
    BlockContext block_;
    ExecResult deploy_result_;
    Amp* amp_ = nullptr;
};

// --- Construction and metadata

TEST_F(AmpTest, ConstructorRegistersWithTheRegistry) {
    ASSERT_EQ(deploy_result_.logs.size(), 2U);
    const Bytes32 amp_hash = keccak256(std::string_view("AmpToken"));
    const Bytes32 erc20_hash = keccak256(std::string_view("ERC20Token"));
    EXPECT_EQ(amp_hash, B32("0x3d0242d3e5548aaa8c3dc6b925e4464988e06d3670738710304c77fc0e9cc208"));
    const Bytes32 hashes[] = {amp_hash, erc20_hash};
    for (size_t i = 0; i < 2; ++i) {
        const RawLog raw = state::encode_log(deploy_result_.logs[i]);
        EXPECT_EQ(raw.address, erc1820_registry_address());
        EXPECT_EQ(deploy_result_.logs[i].event->name, "InterfaceImplementerSet");
        ASSERT_EQ(raw.topics.size(), 4U);
        EXPECT_EQ(raw.topics[1], word_from_address(kAmp));
        EXPECT_EQ(raw.topics[2], hashes[i]);
        EXPECT_EQ(raw.topics[3], word_from_address(kAmp));
    }
    auto* reg = world_->contract_as<Erc1820Registry>(erc1820_registry_address());
    EXPECT_EQ(reg->stored_implementer(kAmp, amp_hash), kAmp);
    EXPECT_EQ(reg->stored_implementer(kAmp, erc20_hash), kAmp);

    EXPECT_EQ(view("canImplementInterfaceForAddress(bytes32,address)",
                   abi::Encoder().bytes32(erc20_hash).address(kUser0))
                  .output,
              abi::Encoder().bytes32(Erc1820Registry::accept_magic()).finish());
    EXPECT_EQ(view("canImplementInterfaceForAddress(bytes32,address)",
                   abi::Encoder().bytes32(keccak256(std::string_view("Other"))).address(kUser0))
                  .output,
              abi::Encoder().bytes32(Bytes32{}).finish());
}

TEST_F(AmpTest, MetadataAndPublicGetters) {
    EXPECT_EQ(view("name()").output, abi::Encoder().string("Amp").finish());
    EXPECT_EQ(view("symbol()").output, abi::Encoder().string("AMP").finish());
    EXPECT_EQ(view_u256("decimals()"), u256(18));
    EXPECT_EQ(view_u256("granularity()"), u256(1));
    EXPECT_EQ(view_u256("totalSupply()"), u256(0));
    EXPECT_EQ(view("defaultPartition()").output, abi::Encoder().bytes32(Bytes32{}).finish());
    EXPECT_EQ(view("swapToken()").output, abi::Encoder().address(kSwap).finish());
    EXPECT_EQ(view("swapTokenGraveyard()").output, abi::Encoder().address(kGraveyard).finish());
    EXPECT_EQ(view("owner()").output, abi::Encoder().address(kOwner).finish());
    EXPECT_EQ(view("authorizedNewOwner()").output, abi::Encoder().address(Address{}).finish());
    EXPECT_EQ(view_partitions("totalPartitions()", abi::Encoder()),
              std::vector<Bytes32>{Bytes32{}});
    EXPECT_TRUE(partitions_of(kUser0).empty());
}

TEST_F(AmpTest, ConstructorRejectsZeroSwapToken) {
    const Address at = A("0x00000000000000000000000000000000000a0001");
    ExecResult r =
        deploy_builtin(*world_, "Amp", at, kOwner,
                       abi::Encoder().address(Address{}).string("A").string("B").finish(), block_);
    reverts(r, "5A");
    EXPECT_EQ(world_->contract_at(at), nullptr);
    // Truncated constructor arguments revert without data.
    r = deploy_builtin(*world_, "Amp", at, kOwner, abi::Encoder().address(kSwap).finish(), block_);
    reverts_empty(r);
}

TEST_F(AmpTest, EventDescriptorsMatchTheSolidityEvents) {
    EXPECT_EQ(Amp::events().size(), 15U);
    EXPECT_EQ(Amp::transfer_by_partition_event().signature,
              "TransferByPartition(bytes32,address,address,address,uint256,bytes,bytes)");
    EXPECT_EQ(Amp::transfer_by_partition_event().topic0,
              B32("0xff4e9a26af4eb73b8bacfaa4abd4fea03d9448e7b912dc5ff4019048875aa2d4"));
    EXPECT_EQ(Amp::minted_event().topic0,
              B32("0xbcd28e05e57d4bcd5bfcc92a4661d412893e6112c44a2e25d96cfdfc30d5f22e"));
    EXPECT_EQ(Amp::partition_strategy_set_event().topic0,
              B32("0xb1c6e929e0b0638c228622a32f1f2fb3375541d8faa4a0176173b50b4bfc75ea"));
    EXPECT_EQ(Amp::transfer_event().topic0,
              B32("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"));
}

// --- Swap

TEST_F(AmpTest, SwapMintsTheSwapTokenAllowance) {
    const ExecResult r = fund(kUser0);
    ok(r);
    EXPECT_EQ(names(r), (std::vector<std::string>{"Transfer", "Approval", "Minted", "Transfer",
                                                  "TransferByPartition", "Swap"}));
    EXPECT_EQ(r.logs[0].emitter, kSwap);
    EXPECT_EQ(r.logs[2].emitter, kAmp);
    // The "" literals of Minted and the mint's TransferByPartition carry a
    // padding word in the raw data, as solc 0.6 encodes them.
    const RawLog minted = state::encode_log(r.logs[2]);
    EXPECT_EQ(minted.data,
              *hex::decode("0x00000000000000000000000000000000000000000000000000000000000f4240"
                           "0000000000000000000000000000000000000000000000000000000000000040"
                           "0000000000000000000000000000000000000000000000000000000000000000"
                           "0000000000000000000000000000000000000000000000000000000000000000"));
    const RawLog tbp = state::encode_log(r.logs[4]);
    ASSERT_EQ(tbp.data.size(), 32U * 8);  // 4 heads, 2 tails of length + padding
    EXPECT_EQ(u256_from_word(Bytes32::from(ByteView(tbp.data).subspan(64, 32))), u256(0x80));
    EXPECT_EQ(u256_from_word(Bytes32::from(ByteView(tbp.data).subspan(96, 32))), u256(0xc0));

    EXPECT_EQ(balance(kUser0), kFunds);
    EXPECT_EQ(view_u256("totalSupply()"), kFunds);
    EXPECT_EQ(view_u256("totalSupplyByPartition(bytes32)", abi::Encoder().bytes32(Bytes32{})),
              kFunds);
    EXPECT_EQ(partitions_of(kUser0), std::vector<Bytes32>{Bytes32{}});
    const ExecResult grave = world_->simulate(
        Message{kUser0, kSwap,
                abi::Encoder().address(kGraveyard).finish_call(selector_of("balanceOf(address)"))},
        block_);
    EXPECT_EQ(grave.output, abi::Encoder().uint256(kFunds).finish());

    // Nothing left to swap: "53". Someone else may swap on a holder's behalf.
    reverts(tx(kUser0, kAmp, "swap(address)", abi::Encoder().address(kUser0)), "53");
    ok(tx(kOwner, kSwap, "mint(address,uint256)", abi::Encoder().address(kUser1).uint256(5)));
    ok(tx(kUser1, kSwap, "approve(address,uint256)", abi::Encoder().address(kAmp).uint256(5)));
    const ExecResult other = tx(kUser2, kAmp, "swap(address)", abi::Encoder().address(kUser1));
    ok(other);
    EXPECT_EQ(other.logs.back().event->name, "Swap");
    EXPECT_EQ(other.logs.back().words[0], word_from_address(kUser2));  // operator
    EXPECT_EQ(other.logs.back().words[1], word_from_address(kUser1));  // from
    EXPECT_EQ(balance(kUser1), u256(5));
    EXPECT_EQ(balance(kUser2), u256(0));
    // More allowance than balance: the swap token's own message.
    ok(tx(kUser1, kSwap, "approve(address,uint256)", abi::Encoder().address(kAmp).uint256(7)));
    reverts(tx(kUser1, kAmp, "swap(address)", abi::Encoder().address(kUser1)),
            "ERC20: transfer amount exceeds balance");
    expect_consistent();
}

// --- ERC-20

TEST_F(AmpTest, TransferMovesTheDefaultPartition) {
    ok(fund(kUser0));
    const ExecResult r =
        tx(kUser0, kAmp, "transfer(address,uint256)", abi::Encoder().address(kUser1).uint256(100));
    ok(r);
    EXPECT_EQ(r.output, abi::Encoder().boolean(true).finish());
    EXPECT_EQ(names(r), (std::vector<std::string>{"Transfer", "TransferByPartition"}));
    const RawLog tbp = state::encode_log(r.logs[1]);
    EXPECT_EQ(tbp.topics[1], Bytes32{});
    EXPECT_EQ(tbp.topics[2], word_from_address(kUser0));
    EXPECT_EQ(tbp.topics[3], word_from_address(kUser1));
    EXPECT_EQ(tbp.data.size(), 32U * 6);  // operator, value, 2 offsets, 2 empty tails
    EXPECT_EQ(balance(kUser0), kFunds - u256(100));
    EXPECT_EQ(balance(kUser1), u256(100));
    EXPECT_EQ(partitions_of(kUser1), std::vector<Bytes32>{Bytes32{}});

    // Zero transfers succeed and still log; zero receiver "57"; too much "52".
    ok(tx(kUser0, kAmp, "transfer(address,uint256)", abi::Encoder().address(kUser1).uint256(0)));
    reverts(
        tx(kUser0, kAmp, "transfer(address,uint256)", abi::Encoder().address(Address{}).uint256(1)),
        "57");
    reverts(tx(kUser0, kAmp, "transfer(address,uint256)",
               abi::Encoder().address(kUser1).uint256(kFunds)),
            "52");
    // Sending everything empties the sender's partition list.
    ok(tx(kUser1, kAmp, "transfer(address,uint256)", abi::Encoder().address(kUser0).uint256(100)));
    EXPECT_TRUE(partitions_of(kUser1).empty());
    EXPECT_EQ(view_u256("totalSupply()"), kFunds);
    expect_consistent();
}

TEST_F(AmpTest, AllowancesAndTransferFrom) {
    ok(fund(kUser0));
    const ExecResult a =
        tx(kUser0, kAmp, "approve(address,uint256)", abi::Encoder().address(kUser2).uint256(500));
    ok(a);
    EXPECT_EQ(names(a), (std::vector<std::string>{"ApprovalByPartition", "Approval"}));
    EXPECT_EQ(
        view_u256("allowance(address,address)", abi::Encoder().address(kUser0).address(kUser2)),
        u256(500));
    ok(tx(kUser2, kAmp, "transferFrom(address,address,uint256)",
          abi::Encoder().address(kUser0).address(kUser2).uint256(200)));
    EXPECT_EQ(
        view_u256("allowance(address,address)", abi::Encoder().address(kUser0).address(kUser2)),
        u256(300));
    reverts(tx(kUser2, kAmp, "transferFrom(address,address,uint256)",
               abi::Encoder().address(kUser0).address(kUser2).uint256(301)),
            "53");
    reverts(tx(kUser2, kAmp, "transferFrom(address,address,uint256)",
               abi::Encoder().address(kUser0).address(Address{}).uint256(1)),
            "57");
    // The holder itself needs no allowance.
    ok(tx(kUser0, kAmp, "transferFrom(address,address,uint256)",
          abi::Encoder().address(kUser0).address(kUser1).uint256(7)));

    ok(tx(kUser0, kAmp, "increaseAllowance(address,uint256)",
          abi::Encoder().address(kUser2).uint256(50)));
    ok(tx(kUser0, kAmp, "decreaseAllowance(address,uint256)",
          abi::Encoder().address(kUser2).uint256(20)));
    EXPECT_EQ(
        view_u256("allowance(address,address)", abi::Encoder().address(kUser0).address(kUser2)),
        u256(330));
    reverts(tx(kUser0, kAmp, "decreaseAllowance(address,uint256)",
               abi::Encoder().address(kUser2).uint256(331)),
            "SafeMath: subtraction overflow");
    reverts(
        tx(kUser0, kAmp, "approve(address,uint256)", abi::Encoder().address(Address{}).uint256(5)),
        "58");
    // The addition comes first, then the spender check.
    reverts(tx(kUser0, kAmp, "increaseAllowance(address,uint256)",
               abi::Encoder().address(Address{}).uint256(5)),
            "58");
    reverts(tx(kUser0, kAmp, "decreaseAllowance(address,uint256)",
               abi::Encoder().address(Address{}).uint256(5)),
            "SafeMath: subtraction overflow");
    ok(tx(kUser0, kAmp, "approve(address,uint256)",
          abi::Encoder().address(kUser2).uint256(u256::max())));
    reverts(tx(kUser0, kAmp, "increaseAllowance(address,uint256)",
               abi::Encoder().address(kUser2).uint256(1)),
            "SafeMath: addition overflow");
    expect_consistent();
}

TEST_F(AmpTest, OperatorWithTooSmallAllowanceResetsIt) {
    ok(fund(kUser0));
    ok(tx(kUser0, kAmp, "approve(address,uint256)", abi::Encoder().address(kUser1).uint256(5)));
    ok(tx(kUser0, kAmp, "authorizeOperator(address)", abi::Encoder().address(kUser1)));
    // An allowance covering the transfer is consumed even for an operator...
    ok(tx(kUser1, kAmp, "transferFrom(address,address,uint256)",
          abi::Encoder().address(kUser0).address(kUser2).uint256(3)));
    EXPECT_EQ(
        view_u256("allowance(address,address)", abi::Encoder().address(kUser0).address(kUser1)),
        u256(2));
    // ... and one that does not is reset to zero.
    ok(tx(kUser1, kAmp, "transferFrom(address,address,uint256)",
          abi::Encoder().address(kUser0).address(kUser2).uint256(10)));
    EXPECT_EQ(
        view_u256("allowance(address,address)", abi::Encoder().address(kUser0).address(kUser1)),
        u256(0));
    EXPECT_EQ(balance(kUser2), u256(13));
}

// --- Partitions

TEST_F(AmpTest, ChangePartitionFlag) {
    ok(fund(kUser0));
    const Bytes32 plain = make_partition(0, 9, kUser0);
    ExecResult r = transfer_by_partition(kUser0, Bytes32{}, kUser0, kUser1, u256(40),
                                         change_partition_data(plain), *hex::decode("0xdeadbeef"));
    ok(r);
    EXPECT_EQ(r.output, abi::Encoder().bytes32(plain).finish());
    EXPECT_EQ(names(r),
              (std::vector<std::string>{"Transfer", "TransferByPartition", "ChangedPartition"}));
    const RawLog changed = state::encode_log(r.logs[2]);
    EXPECT_EQ(changed.topics[1], Bytes32{});
    EXPECT_EQ(changed.topics[2], plain);
    EXPECT_EQ(balance_in(plain, kUser1), u256(40));
    EXPECT_EQ(balance_in(Bytes32{}, kUser1), u256(0));
    EXPECT_EQ(balance(kUser1), u256(40));
    EXPECT_EQ(partitions_of(kUser1), std::vector<Bytes32>{plain});
    EXPECT_EQ(view_partitions("totalPartitions()", abi::Encoder()),
              (std::vector<Bytes32>{Bytes32{}, plain}));
    EXPECT_EQ(view_u256("totalSupplyByPartition(bytes32)", abi::Encoder().bytes32(plain)),
              u256(40));

    // ERC-20 transfer moves only the default partition, while balanceOf
    // counts every partition.
    reverts(
        tx(kUser1, kAmp, "transfer(address,uint256)", abi::Encoder().address(kUser0).uint256(1)),
        "52");

    // Data shorter than 64 bytes or without the exact flag: no change.
    Bytes almost = change_partition_data(plain);
    almost[0] = 0xfe;
    r = transfer_by_partition(kUser0, Bytes32{}, kUser0, kUser2, u256(1), almost);
    ok(r);
    EXPECT_EQ(r.output, abi::Encoder().bytes32(Bytes32{}).finish());
    EXPECT_EQ(names(r), (std::vector<std::string>{"Transfer", "TransferByPartition"}));
    Bytes short_data = change_partition_data(plain);
    short_data.pop_back();
    ok(transfer_by_partition(kUser0, Bytes32{}, kUser0, kUser2, u256(1), short_data));
    EXPECT_EQ(balance_in(Bytes32{}, kUser2), u256(2));

    // A non-zero prefix without a strategy is reserved, even for value 0.
    reverts(transfer_by_partition(kUser0, Bytes32{}, kUser0, kUser0, u256(0),
                                  change_partition_data(make_partition(0x12345678, 1, kUser0))),
            "5D");
    // Back to the default partition empties and delists the plain one.
    ok(transfer_by_partition(kUser1, plain, kUser1, kUser1, u256(40),
                             change_partition_data(Bytes32{})));
    EXPECT_EQ(partitions_of(kUser1), std::vector<Bytes32>{Bytes32{}});
    EXPECT_EQ(view_partitions("totalPartitions()", abi::Encoder()),
              std::vector<Bytes32>{Bytes32{}});
    expect_consistent();
}

TEST_F(AmpTest, PartitionListsKeepSolidityOrderAfterRemovals) {
    ok(fund(kUser0));
    const Bytes32 p1 = make_partition(0, 1, kUser0);
    const Bytes32 p2 = make_partition(0, 2, kUser0);
    const Bytes32 p3 = make_partition(0, 3, kUser0);
    for (const Bytes32& p : {p1, p2, p3}) {
        ok(transfer_by_partition(kUser0, Bytes32{}, kUser0, kUser0, u256(10),
                                 change_partition_data(p)));
    }
    EXPECT_EQ(partitions_of(kUser0), (std::vector<Bytes32>{Bytes32{}, p1, p2, p3}));
    EXPECT_EQ(view_partitions("totalPartitions()", abi::Encoder()),
              (std::vector<Bytes32>{Bytes32{}, p1, p2, p3}));

    // Emptying p1 moves the last entry (p3) into its place.
    ok(transfer_by_partition(kUser0, p1, kUser0, kUser0, u256(10),
                             change_partition_data(Bytes32{})));
    EXPECT_EQ(partitions_of(kUser0), (std::vector<Bytes32>{Bytes32{}, p3, p2}));
    EXPECT_EQ(view_partitions("totalPartitions()", abi::Encoder()),
              (std::vector<Bytes32>{Bytes32{}, p3, p2}));

    // Emptying the default partition delists it for the holder (but never
    // from totalPartitions); receiving again appends it at the end.
    ok(tx(kUser0, kAmp, "transfer(address,uint256)",
          abi::Encoder().address(kUser1).uint256(kFunds - u256(20))));
    EXPECT_EQ(partitions_of(kUser0), (std::vector<Bytes32>{p2, p3}));
    EXPECT_EQ(view_partitions("totalPartitions()", abi::Encoder()),
              (std::vector<Bytes32>{Bytes32{}, p3, p2}));
    ok(tx(kUser1, kAmp, "transfer(address,uint256)", abi::Encoder().address(kUser0).uint256(1)));
    EXPECT_EQ(partitions_of(kUser0), (std::vector<Bytes32>{p2, p3, Bytes32{}}));

    // Moving a whole partition to another holder within the same partition
    // removes it and re-adds it at the end of totalPartitions.
    ok(transfer_by_partition(kUser0, p3, kUser0, kUser1, u256(10)));
    EXPECT_EQ(view_partitions("totalPartitions()", abi::Encoder()),
              (std::vector<Bytes32>{Bytes32{}, p2, p3}));
    EXPECT_EQ(partitions_of(kUser0), (std::vector<Bytes32>{p2, Bytes32{}}));
    EXPECT_EQ(partitions_of(kUser1), (std::vector<Bytes32>{Bytes32{}, p3}));
    expect_consistent();
}

TEST_F(AmpTest, PartitionAllowances) {
    ok(fund(kUser0));
    const Bytes32 plain = make_partition(0, 5, kUser0);
    ok(transfer_by_partition(kUser0, Bytes32{}, kUser0, kUser0, u256(100),
                             change_partition_data(plain)));
    const ExecResult a = tx(kUser0, kAmp, "approveByPartition(bytes32,address,uint256)",
                            abi::Encoder().bytes32(plain).address(kUser1).uint256(30));
    ok(a);
    EXPECT_EQ(names(a), std::vector<std::string>{"ApprovalByPartition"});  // no Approval
    EXPECT_EQ(
        view_u256("allowance(address,address)", abi::Encoder().address(kUser0).address(kUser1)),
        u256(0));
    reverts(transfer_by_partition(kUser1, plain, kUser0, kUser2, u256(31)), "53");
    ok(transfer_by_partition(kUser1, plain, kUser0, kUser2, u256(20)));
    EXPECT_EQ(view_u256("allowanceByPartition(bytes32,address,address)",
                        abi::Encoder().bytes32(plain).address(kUser0).address(kUser1)),
              u256(10));
    ok(tx(kUser0, kAmp, "increaseAllowanceByPartition(bytes32,address,uint256)",
          abi::Encoder().bytes32(plain).address(kUser1).uint256(5)));
    ok(tx(kUser0, kAmp, "decreaseAllowanceByPartition(bytes32,address,uint256)",
          abi::Encoder().bytes32(plain).address(kUser1).uint256(3)));
    EXPECT_EQ(view_u256("allowanceByPartition(bytes32,address,address)",
                        abi::Encoder().bytes32(plain).address(kUser0).address(kUser1)),
              u256(12));
    reverts(tx(kUser0, kAmp, "decreaseAllowanceByPartition(bytes32,address,uint256)",
               abi::Encoder().bytes32(plain).address(kUser1).uint256(13)),
            "SafeMath: subtraction overflow");
    // The default-partition allowance is the ERC-20 one.
    ok(tx(kUser0, kAmp, "approveByPartition(bytes32,address,uint256)",
          abi::Encoder().bytes32(Bytes32{}).address(kUser1).uint256(9)));
    EXPECT_EQ(
        view_u256("allowance(address,address)", abi::Encoder().address(kUser0).address(kUser1)),
        u256(9));
    expect_consistent();
}

// --- Operators

TEST_F(AmpTest, Operators) {
    ok(fund(kUser0));
    reverts(tx(kUser0, kAmp, "authorizeOperator(address)", abi::Encoder().address(kUser0)), "58");
    reverts(tx(kUser0, kAmp, "revokeOperator(address)", abi::Encoder().address(kUser0)), "58");
    EXPECT_TRUE(
        view_bool("isOperator(address,address)", abi::Encoder().address(kUser0).address(kUser0)));
    EXPECT_FALSE(
        view_bool("isOperator(address,address)", abi::Encoder().address(kUser1).address(kUser0)));

    ExecResult r = tx(kUser0, kAmp, "authorizeOperator(address)", abi::Encoder().address(kUser1));
    ok(r);
    EXPECT_EQ(names(r), std::vector<std::string>{"AuthorizedOperator"});
    EXPECT_EQ(r.logs[0].words[0], word_from_address(kUser1));
    EXPECT_EQ(r.logs[0].words[1], word_from_address(kUser0));
    EXPECT_TRUE(
        view_bool("isOperator(address,address)", abi::Encoder().address(kUser1).address(kUser0)));
    r = transfer_by_partition(kUser1, Bytes32{}, kUser0, kUser2, u256(11), {},
                              *hex::decode("0xabcd"));
    ok(r);
    EXPECT_EQ(r.logs[1].words[1], word_from_address(kUser1));  // operator
    ok(tx(kUser1, kAmp, "transferFrom(address,address,uint256)",
          abi::Encoder().address(kUser0).address(kUser2).uint256(12)));
    ok(tx(kUser0, kAmp, "revokeOperator(address)", abi::Encoder().address(kUser1)));
    reverts(transfer_by_partition(kUser1, Bytes32{}, kUser0, kUser2, u256(1)), "53");

    // Per-partition operators.
    const Bytes32 plain = make_partition(0, 1, kUser0);
    reverts(tx(kUser0, kAmp, "authorizeOperatorByPartition(bytes32,address)",
               abi::Encoder().bytes32(Bytes32{}).address(kUser0)),
            "58");
    r = tx(kUser0, kAmp, "authorizeOperatorByPartition(bytes32,address)",
           abi::Encoder().bytes32(Bytes32{}).address(kUser2));
    ok(r);
    EXPECT_EQ(names(r), std::vector<std::string>{"AuthorizedOperatorByPartition"});
    EXPECT_TRUE(view_bool("isOperatorForPartition(bytes32,address,address)",
                          abi::Encoder().bytes32(Bytes32{}).address(kUser2).address(kUser0)));
    EXPECT_FALSE(view_bool("isOperatorForPartition(bytes32,address,address)",
                           abi::Encoder().bytes32(plain).address(kUser2).address(kUser0)));
    ok(tx(kUser2, kAmp, "transferFrom(address,address,uint256)",
          abi::Encoder().address(kUser0).address(kUser3).uint256(14)));
    r = tx(kUser0, kAmp, "revokeOperatorByPartition(bytes32,address)",
           abi::Encoder().bytes32(Bytes32{}).address(kUser2));
    ok(r);
    EXPECT_EQ(names(r), std::vector<std::string>{"RevokedOperatorByPartition"});
    reverts(tx(kUser2, kAmp, "transferFrom(address,address,uint256)",
               abi::Encoder().address(kUser0).address(kUser3).uint256(1)),
            "53");
    EXPECT_EQ(balance(kUser2), u256(23));
    EXPECT_EQ(balance(kUser3), u256(14));

    // Operators of a collateral manager count only once it is registered.
    ok(tx(kUser3, kAmp, "authorizeOperator(address)", abi::Encoder().address(kUser1)));
    EXPECT_FALSE(view_bool("isOperatorForCollateralManager(bytes32,address,address)",
                           abi::Encoder().bytes32(plain).address(kUser1).address(kUser3)));
    ok(tx(kUser3, kAmp, "registerCollateralManager()"));
    EXPECT_TRUE(view_bool("isOperatorForCollateralManager(bytes32,address,address)",
                          abi::Encoder().bytes32(plain).address(kUser1).address(kUser3)));
    EXPECT_TRUE(view_bool("isOperatorForCollateralManager(bytes32,address,address)",
                          abi::Encoder().bytes32(plain).address(kUser3).address(kUser3)));
    expect_consistent();
}

// --- Collateral managers, strategies, ownership

TEST_F(AmpTest, CollateralManagersAndStrategies) {
    const ExecResult r = tx(kUser0, kAmp, "registerCollateralManager()");
    ok(r);
    EXPECT_EQ(names(r), std::vector<std::string>{"CollateralManagerRegistered"});
    reverts(tx(kUser0, kAmp, "registerCollateralManager()"), "5C");
    ok(tx(kUser1, kAmp, "registerCollateralManager()"));
    EXPECT_TRUE(view_bool("isCollateralManager(address)", abi::Encoder().address(kUser0)));
    EXPECT_FALSE(view_bool("isCollateralManager(address)", abi::Encoder().address(kUser2)));
    EXPECT_EQ(view("collateralManagers(uint256)", abi::Encoder().uint256(1)).output,
              abi::Encoder().address(kUser1).finish());
    const ExecResult oob = view("collateralManagers(uint256)", abi::Encoder().uint256(2));
    EXPECT_FALSE(oob.success);
    EXPECT_EQ(oob.revert_kind, state::Revert::Kind::kInvalidOpcode);
    EXPECT_TRUE(oob.output.empty());
    EXPECT_EQ(view("collateralManagers(uint256)", abi::Encoder().uint256(u256::max())).revert_kind,
              state::Revert::Kind::kInvalidOpcode);

    deploy_validators();
    EXPECT_EQ(view("partitionStrategies(uint256)", abi::Encoder().uint256(1)).output,
              abi::Encoder().bytes4(B4("0xaaaaaaaa")).finish());
    EXPECT_EQ(view("partitionStrategies(uint256)", abi::Encoder().uint256(2)).revert_kind,
              state::Revert::Kind::kInvalidOpcode);
    EXPECT_TRUE(view_bool("isPartitionStrategy(bytes4)", abi::Encoder().bytes4(B4("0xcccccccc"))));
    EXPECT_FALSE(view_bool("isPartitionStrategy(bytes4)", abi::Encoder().bytes4(B4("0xbbbbbbbb"))));
    reverts(tx(kUser1, kAmp, "setPartitionStrategy(bytes4,address)",
               abi::Encoder().bytes4(B4("0xbbbbbbbb")).address(kUser1)),
            "56");
    reverts(tx(kOwner, kAmp, "setPartitionStrategy(bytes4,address)",
               abi::Encoder().bytes4(B4("0xcccccccc")).address(kUser1)),
            "5E");
    reverts(tx(kOwner, kAmp, "setPartitionStrategy(bytes4,address)",
               abi::Encoder().bytes4(B4("0x00000000")).address(kUser1)),
            "5F");
    // The registry asks the implementer: a validator of another prefix
    // refuses, an address without code reverts without data.
    reverts(tx(kOwner, kAmp, "setPartitionStrategy(bytes4,address)",
               abi::Encoder().bytes4(B4("0xbbbbbbbb")).address(kPoolValidator)),
            "Does not implement the interface");
    reverts_empty(tx(kOwner, kAmp, "setPartitionStrategy(bytes4,address)",
                     abi::Encoder().bytes4(B4("0xbbbbbbbb")).address(kUser1)));
    EXPECT_FALSE(view_bool("isPartitionStrategy(bytes4)", abi::Encoder().bytes4(B4("0xbbbbbbbb"))));
    EXPECT_EQ(amp_->partitionStrategies().size(), 2U);
}

TEST_F(AmpTest, PartitionStrategySetLogsTheRawInterfaceName) {
    ASSERT_TRUE(deploy_builtin(*world_, "CollateralPoolPartitionValidator", kPoolValidator, kOwner,
                               abi::Encoder().address(kAmp).finish(), block_)
                    .success);
    const ExecResult r = tx(kOwner, kAmp, "setPartitionStrategy(bytes4,address)",
                            abi::Encoder().bytes4(B4("0xcccccccc")).address(kPoolValidator));
    ok(r);
    ASSERT_EQ(r.logs.size(), 2U);
    EXPECT_EQ(r.logs[0].event->name, "InterfaceImplementerSet");
    const RawLog raw = state::encode_log(r.logs[1]);
    EXPECT_EQ(raw.topics[0],
              B32("0xb1c6e929e0b0638c228622a32f1f2fb3375541d8faa4a0176173b50b4bfc75ea"));
    EXPECT_EQ(raw.topics[1], word_from_address(kPoolValidator));
    EXPECT_EQ(hex::encode(raw.data),
              "0xcccccccc00000000000000000000000000000000000000000000000000000000"
              "0000000000000000000000000000000000000000000000000000000000000040"
              "0000000000000000000000000000000000000000000000000000000000000021"
              "416d70506172746974696f6e537472617465677956616c696461746f72cccccccc"
              "00000000000000000000000000000000000000000000000000000000000000");
}

TEST_F(AmpTest, TwoPhaseOwnership) {
    reverts(tx(kUser0, kAmp, "authorizeOwnershipTransfer(address)", abi::Encoder().address(kUser1)),
            "Invalid sender");
    ExecResult r =
        tx(kOwner, kAmp, "authorizeOwnershipTransfer(address)", abi::Encoder().address(kUser1));
    ok(r);
    EXPECT_EQ(names(r), std::vector<std::string>{"OwnershipTransferAuthorization"});
    reverts(tx(kUser0, kAmp, "assumeOwnership()"), "Invalid sender");
    r = tx(kUser1, kAmp, "assumeOwnership()");
    ok(r);
    EXPECT_EQ(names(r), std::vector<std::string>{"OwnerUpdate"});
    EXPECT_EQ(r.logs[0].words[0], word_from_address(kOwner));
    EXPECT_EQ(r.logs[0].words[1], word_from_address(kUser1));
    EXPECT_EQ(amp_->owner(), kUser1);
    EXPECT_TRUE(amp_->authorizedNewOwner().is_zero());
    reverts(tx(kUser1, kAmp, "assumeOwnership()"), "Invalid sender");
    reverts(tx(kOwner, kAmp, "setPartitionStrategy(bytes4,address)",
               abi::Encoder().bytes4(B4("0xdddddddd")).address(kUser0)),
            "56");
}

// --- Reverts leave no trace

TEST_F(AmpTest, RevertInAPostHookRollsEverythingBack) {
    ok(fund(kUser0));
    const Bytes32 plain = make_partition(0, 1, kUser0);
    ok(transfer_by_partition(kUser0, Bytes32{}, kUser0, kUser0, u256(50),
                             change_partition_data(plain)));
    ok(tx(kUser0, kAmp, "approveByPartition(bytes32,address,uint256)",
          abi::Encoder().bytes32(plain).address(kUser1).uint256(100)));
    const std::vector<Bytes32> parts_before = partitions_of(kUser0);
    const std::vector<Bytes32> total_before = view_partitions("totalPartitions()", abi::Encoder());

    // Balances, lists, supply and the allowance all move before the
    // reserved-prefix check in the post-transfer hook reverts.
    reverts(transfer_by_partition(kUser1, plain, kUser0, kUser2, u256(50),
                                  change_partition_data(make_partition(0x99999999, 0, kUser0))),
            "5D");
    EXPECT_EQ(partitions_of(kUser0), parts_before);
    EXPECT_TRUE(partitions_of(kUser2).empty());
    EXPECT_EQ(view_partitions("totalPartitions()", abi::Encoder()), total_before);
    EXPECT_EQ(balance_in(plain, kUser0), u256(50));
    EXPECT_EQ(balance(kUser0), kFunds);
    EXPECT_EQ(view_u256("allowanceByPartition(bytes32,address,address)",
                        abi::Encoder().bytes32(plain).address(kUser0).address(kUser1)),
              u256(100));
    EXPECT_EQ(view_u256("totalSupplyByPartition(bytes32)", abi::Encoder().bytes32(plain)),
              u256(50));
    EXPECT_EQ(world_->journal().size(), 0U);

    // An operator's too-small allowance is zeroed before the balance check fails.
    ok(tx(kUser0, kAmp, "authorizeOperator(address)", abi::Encoder().address(kUser1)));
    reverts(transfer_by_partition(kUser1, plain, kUser0, kUser2, u256(500)), "52");
    EXPECT_EQ(view_u256("allowanceByPartition(bytes32,address,address)",
                        abi::Encoder().bytes32(plain).address(kUser0).address(kUser1)),
              u256(100));
    expect_consistent();
}

// --- ABI

TEST_F(AmpTest, AbiSurface) {
    ok(fund(kUser0));
    // Unknown selector and short arguments revert without data.
    reverts_empty(raw_tx(kUser0, *hex::decode("0x12345678")));
    reverts_empty(raw_tx(kUser0, *hex::decode("0xa9059c")));
    Bytes short_args =
        abi::Encoder().address(kUser1).finish_call(selector_of("transfer(address,uint256)"));
    reverts_empty(raw_tx(kUser0, short_args));
    // ABI decoder v1 masks the high bits of an address argument.
    Bytes dirty = abi::Encoder().address(kUser1).uint256(5).finish_call(
        selector_of("transfer(address,uint256)"));
    dirty[4] = 0xff;
    ok(raw_tx(kUser0, dirty));
    EXPECT_EQ(balance(kUser1), u256(5));
    // A bytes offset pointing outside the calldata reverts without data.
    Bytes bad = abi::Encoder()
                    .bytes32(Bytes32{})
                    .address(kUser0)
                    .address(kUser1)
                    .uint256(1)
                    .bytes({})
                    .bytes({})
                    .finish_call(selector_of(
                        "transferByPartition(bytes32,address,address,uint256,bytes,bytes)"));
    bad[4 + 4 * 32 + 31] = 0xf0;
    reverts_empty(raw_tx(kUser0, bad));
    EXPECT_EQ(view_partitions("partitionsOf(address)", abi::Encoder().address(kUser0)),
              std::vector<Bytes32>{Bytes32{}});
}

// --- Typed fast path and inspection

TEST_F(AmpTest, TypedFastPathAndInspection) {
    amp_->genesis_mint(kUser0, u256(1000));
    amp_->genesis_mint(kUser1, u256(500));
    EXPECT_EQ(amp_->totalSupply(), u256(1500));
    EXPECT_EQ(amp_->partitionsOf(kUser0), std::vector<Bytes32>{Bytes32{}});
    expect_consistent();

    state::CallContext ctx{*world_, kAmp, kUser0, kUser0, selector_of("transfer(address,uint256)"),
                           block_};
    const state::Journal::Checkpoint cp = world_->journal().checkpoint();
    EXPECT_TRUE(amp_->transfer(ctx, kUser2, u256(300)));
    EXPECT_EQ(amp_->balanceOf(kUser0), u256(700));
    EXPECT_EQ(amp_->balanceOf(kUser2), u256(300));
    EXPECT_EQ(amp_->holders(), (std::vector<Address>{kUser2, kUser0, kUser1}));
    EXPECT_EQ(amp_->sum_of_balances(), amp_->totalSupply());
    expect_consistent();
    // Rolling the journal back undoes the typed call.
    world_->journal().rollback(cp);
    EXPECT_EQ(amp_->balanceOf(kUser0), u256(1000));
    EXPECT_EQ(amp_->balanceOf(kUser2), u256(0));
    EXPECT_TRUE(amp_->partitionsOf(kUser2).empty());
    expect_consistent();

    EXPECT_THROW(amp_->transfer(ctx, kUser2, u256(5000)), state::Revert);
    world_->journal().rollback(cp);
    EXPECT_EQ(amp_->balanceOf(kUser0), u256(1000));
}

TEST_F(AmpTest, ManyAccountsStayConsistent) {
    amp_->reserve_accounts(5000);
    std::vector<Address> users;
    for (uint32_t i = 0; i < 3000; ++i) {
        Address a;
        a.b[16] = static_cast<uint8_t>(i >> 24);
        a.b[17] = static_cast<uint8_t>(i >> 16);
        a.b[18] = static_cast<uint8_t>(i >> 8);
        a.b[19] = static_cast<uint8_t>(i + 1);
        a.b[0] = 0x42;
        users.push_back(a);
        amp_->genesis_mint(a, u256(100 + i));
    }
    for (uint32_t i = 0; i < 3000; ++i) {
        const Address& from = users[i];
        const Address& to = users[(i * 7 + 3) % users.size()];
        ok(tx(from, kAmp, "transfer(address,uint256)",
              abi::Encoder().address(to).uint256(u256(50 + (i % 60)))));
    }
    EXPECT_EQ(amp_->sum_of_balances(), amp_->totalSupply());
    expect_consistent();
}

}  // namespace
}  // namespace ampd::contracts
