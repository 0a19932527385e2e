// FlexaCollateralManager: supplies, permitted partitions, Merkle withdrawals,
// the withdrawal limit, fallback withdrawals, refunds, direct transfers and
// roles, driven through Amp and the ABI exactly as a client would.
#include "ampd/contracts/flexa_collateral_manager.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/constants.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "support/exec_expect.hpp"
#include "support/literals.hpp"
#include "support/merkle_tree.hpp"

namespace ampd::contracts {
namespace {

using namespace ampd::test_support;

using state::BlockContext;
using state::ExecResult;
using state::LogRecord;
using state::Message;
using state::RawLog;

Bytes32 repeated(uint8_t byte) {
    Bytes32 w;
    w.b.fill(byte);
    return w;
}

Bytes withdrawal_operator_data(uint8_t flag, const Address& supplier, const u256& number,
                               const std::vector<Bytes32>& proof) {
    return abi::Encoder()
        .bytes32(repeated(flag))
        .address(supplier)
        .uint256(number)
        .bytes32_array(proof)
        .finish();
}

Bytes refund_operator_data(const u256& nonce) {
    return abi::Encoder().bytes32(repeated(0xcc)).uint256(nonce).finish();
}

// Accounts and addresses as in the recorded vectors.
const Address kAmpOwner = A("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
const Address kManagerOwner = A("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
const Address kUser0 = A("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const Address kUser1 = A("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
const Address kUser2 = A("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
const Address kSwap = A("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const Address kAmp = A("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
const Address kPoolValidator = A("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
const Address kManager = A("0x8464135c8f25da09e49bc8782676a84730c318bc");

const u256 kFunds = u256(1000000) * u256(1000000000000000000ULL);

const state::EventDescriptor& event_named(std::string_view name) {
    for (const state::EventDescriptor* e : FlexaCollateralManager::events()) {
        if (e->name == name) return *e;
    }
    ADD_FAILURE() << "no event " << name;
    static const state::EventDescriptor kNone;
    return kNone;
}

class FcmTest : public ::testing::Test {
protected:
    void SetUp() override {
        world_ = new_world();
        block_.timestamp = 1600000000;
        deploy("SwapToken", kSwap, kAmpOwner, {});
        deploy("Amp", kAmp, kAmpOwner,
               abi::Encoder().address(kSwap).string("Amp").string("AMP").finish());
        deploy("CollateralPoolPartitionValidator", kPoolValidator, kAmpOwner,
               abi::Encoder().address(kAmp).finish());
        ok(tx(kAmpOwner, kAmp, "setPartitionStrategy(bytes4,address)",
              abi::Encoder().bytes4(*Bytes4::from_hex("0xcccccccc")).address(kPoolValidator)));
        deploy_result_ = deploy("FlexaCollateralManager", kManager, kManagerOwner,
                                abi::Encoder().address(kAmp).finish());
        ok(tx(kManagerOwner, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool1_)));
        ok(tx(kManagerOwner, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool2_)));
        for (const Address& u : {kUser0, kUser1, kUser2}) fund(u);
    }

    ExecResult deploy(std::string_view type, const Address& at, const Address& from,
                      const Bytes& args) {
        ExecResult r = deploy_builtin(*world_, type, at, from, args, block_);
        EXPECT_TRUE(r.success) << type << ": " << r.revert_reason;
        return r;
    }

    void fund(const Address& u) {
        ok(tx(kAmpOwner, kSwap, "mint(address,uint256)",
              abi::Encoder().address(u).uint256(kFunds)));
        ok(tx(u, kSwap, "approve(address,uint256)", abi::Encoder().address(kAmp).uint256(kFunds)));
        ok(tx(u, kAmp, "swap(address)", abi::Encoder().address(u)));
    }

    ExecResult tx(const Address& from, const Address& to, std::string_view sig,
                  const abi::Encoder& args = abi::Encoder()) {
        block_.timestamp += 13;
        block_.number += 1;
        return world_->execute(Message{from, to, args.finish_call(selector_of(sig))}, block_);
    }

    ExecResult view(const Address& to, std::string_view sig,
                    const abi::Encoder& args = abi::Encoder()) {
        return world_->simulate(Message{kUser0, to, args.finish_call(selector_of(sig))}, block_);
    }

    u256 view_u256(std::string_view sig, const abi::Encoder& args = abi::Encoder()) {
        ExecResult r = view(kManager, sig, args);
        EXPECT_TRUE(r.success) << sig;
        return r.success ? *abi::Decoder(r.output).uint256(0) : u256();
    }

    static void ok(const ExecResult& r) {
        ASSERT_TRUE(r.success) << "reverted: " << r.revert_reason;
    }
    static void reverts_empty(const ExecResult& r) {
        EXPECT_FALSE(r.success);
        EXPECT_EQ(r.revert_kind, state::Revert::Kind::kEmpty);
        EXPECT_TRUE(r.output.empty());
    }

    // The logs `r` emitted from the manager.
    static std::vector<LogRecord> manager_logs(const ExecResult& r) {
        std::vector<LogRecord> out;
        for (const LogRecord& l : r.logs) {
            if (l.emitter == kManager) out.push_back(l);
        }
        return out;
    }

    // Supplies `value` from `from` (operator `op`) into `partition`.
    ExecResult supply(const Address& op, const Address& from, const u256& value,
                      const Bytes32& partition) {
        return tx(op, kAmp, "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
                  abi::Encoder()
                      .bytes32(Bytes32{})
                      .address(from)
                      .address(kManager)
                      .uint256(value)
                      .bytes(change_partition_data(partition))
                      .bytes(Bytes{}));
    }

    // Moves `value` out of the manager's `partition` to `to`'s default
    // partition, with `operator_data` authorizing it.
    ExecResult release(const Address& op, const Bytes32& partition, const Address& to,
                       const u256& value, const Bytes& operator_data,
                       const Bytes32& to_partition = Bytes32{}) {
        return tx(op, kAmp, "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
                  abi::Encoder()
                      .bytes32(partition)
                      .address(kManager)
                      .address(to)
                      .uint256(value)
                      .bytes(change_partition_data(to_partition))
                      .bytes(operator_data));
    }

    u256 amp_balance(const Bytes32& partition, const Address& holder) {
        ExecResult r = view(kAmp, "balanceOfByPartition(bytes32,address)",
                            abi::Encoder().bytes32(partition).address(holder));
        EXPECT_TRUE(r.success);
        return r.success ? *abi::Decoder(r.output).uint256(0) : u256();
    }

    FlexaCollateralManager& fcm() { return *world_->contract_as<FlexaCollateralManager>(kManager); }

    void advance(uint64_t seconds) { block_.timestamp += seconds; }

    std::unique_ptr<state::World> world_;
    BlockContext block_;
    ExecResult deploy_result_;
    const Bytes32 pool1_ = make_partition(0xcccccccc, 1, kManager);
    const Bytes32 pool2_ = make_partition(0xcccccccc, 2, kManager);
};

// --- Merkle rules, checked against roots published in the recorded vectors ----------

TEST(FcmMerkle, WithdrawalLeafAndProofReachTheRecordedRoot) {
    // supplyAndWithdraw: user0 withdraws 400 from pool 1 with account nonce 0
    // under root 0x08b4…; the proof is copied from the operator data.
    const Bytes32 leaf = FlexaCollateralManager::withdrawal_leaf(
        kUser0, B32("0xcccccccc00000000000000018464135c8f25da09e49bc8782676a84730c318bc"),
        u256(400), u256(0));
    const std::vector<Bytes32> proof = {
        B32("0x83b86f53af3dd4e8d0adf4dd7b0843a196ca69748928b51e4dcd93c5d68c6c86"),
        B32("0xa5170348d115f04a3c474e53c974ccaa28003984fdee8ea9b1f417033187e64e")};
    EXPECT_EQ(FlexaCollateralManager::merkle_root(proof, leaf),
              B32("0x08b4804ecebbf94880903a615eb27c349bcfb498ac0e11ab2da95109aaa53186"));
}

TEST(FcmMerkle, FallbackLeafAndProofReachTheRecordedRoot) {
    // fallbackAndRefund: user0 may withdraw up to 400 in total from pool 1.
    const Bytes32 leaf = FlexaCollateralManager::fallback_leaf(
        kUser0, B32("0xcccccccc00000000000000018464135c8f25da09e49bc8782676a84730c318bc"),
        u256(400));
    const std::vector<Bytes32> proof = {
        B32("0x834fae4c7e2c5e67663a55104332c7c28b4e5277e48ea6a7d022cc1e9834e86d")};
    EXPECT_EQ(FlexaCollateralManager::merkle_root(proof, leaf),
              B32("0xf5d04fd6796cd8c889fefbbdef990d4fb0185be80f812932ef0adcdbdfc59475"));
}

TEST(FcmMerkle, PairsAreHashedInAscendingOrder) {
    const Bytes32 lo = repeated(0x01);
    const Bytes32 hi = repeated(0x02);
    // Sized up front: GCC 12 misreports the bounds of a growing insert()
    // (-Warray-bounds false positive at -O2).
    Bytes cat(64);
    std::copy(lo.b.begin(), lo.b.end(), cat.begin());
    std::copy(hi.b.begin(), hi.b.end(), cat.begin() + 32);
    EXPECT_EQ(FlexaCollateralManager::merkle_parent(lo, hi), keccak256(cat));
    EXPECT_EQ(FlexaCollateralManager::merkle_parent(hi, lo), keccak256(cat));
    EXPECT_EQ(FlexaCollateralManager::merkle_root({}, lo), lo);
}

// --- Construction -----------------------------------------------------------------------

TEST_F(FcmTest, ConstructorRegistersHooksAndManagerInOrder) {
    ASSERT_TRUE(deploy_result_.success);
    ASSERT_EQ(deploy_result_.logs.size(), 3U);
    const RawLog recipient = state::encode_log(deploy_result_.logs[0]);
    const RawLog sender = state::encode_log(deploy_result_.logs[1]);
    const RawLog registered = state::encode_log(deploy_result_.logs[2]);
    EXPECT_EQ(recipient.address, erc1820_registry_address());
    EXPECT_EQ(recipient.topics[2], keccak256(std::string_view("AmpTokensRecipient")));
    EXPECT_EQ(recipient.topics[3], word_from_address(kManager));
    EXPECT_EQ(sender.address, erc1820_registry_address());
    EXPECT_EQ(sender.topics[2], keccak256(std::string_view("AmpTokensSender")));
    EXPECT_EQ(registered.address, kAmp);
    EXPECT_EQ(registered.data, abi::Encoder().address(kManager).finish());

    ExecResult is_manager =
        view(kAmp, "isCollateralManager(address)", abi::Encoder().address(kManager));
    ASSERT_TRUE(is_manager.success);
    EXPECT_EQ(is_manager.output, abi::Encoder().boolean(true).finish());
}

TEST_F(FcmTest, InitialState) {
    EXPECT_EQ(view(kManager, "amp()").output, abi::Encoder().address(kAmp).finish());
    EXPECT_EQ(view(kManager, "owner()").output, abi::Encoder().address(kManagerOwner).finish());
    EXPECT_EQ(view(kManager, "authorizedNewOwner()").output,
              abi::Encoder().address(Address{}).finish());
    EXPECT_EQ(view_u256("withdrawalLimit()"), u256(100000) * u256(1000000000000000000ULL));
    EXPECT_EQ(view_u256("fallbackWithdrawalDelaySeconds()"), u256(604800));
    EXPECT_EQ(view_u256("fallbackSetDate()"), u256(1) << 200);
    EXPECT_EQ(view_u256("supplyNonce()"), u256(0));
    EXPECT_EQ(view_u256("maxWithdrawalRootNonce()"), u256(0));
    EXPECT_EQ(view_u256("fallbackMaxIncludedSupplyNonce()"), u256(0));
    EXPECT_EQ(view(kManager, "fallbackRoot()").output, abi::Encoder().bytes32(Bytes32{}).finish());
    for (const char* role :
         {"withdrawalPublisher()", "fallbackPublisher()", "withdrawalLimitPublisher()",
          "directTransferer()", "partitionManager()"}) {
        EXPECT_EQ(view(kManager, role).output, abi::Encoder().address(Address{}).finish()) << role;
    }
}

TEST_F(FcmTest, ConstructorRevertsWithoutAmpContract) {
    const Address at = A("0x00000000000000000000000000000000000000f1");
    ExecResult r = deploy_builtin(*world_, "FlexaCollateralManager", at, kManagerOwner,
                                  abi::Encoder().address(kUser0).finish(), block_);
    reverts_empty(r);
    EXPECT_EQ(world_->contract_at(at), nullptr);
    // Its registry entries were rolled back with it.
    ExecResult implementer =
        view(erc1820_registry_address(), "getInterfaceImplementer(address,bytes32)",
             abi::Encoder().address(at).bytes32(keccak256(std::string_view("AmpTokensSender"))));
    ASSERT_TRUE(implementer.success);
    EXPECT_EQ(implementer.output, abi::Encoder().address(Address{}).finish());
    reverts_empty(
        deploy_builtin(*world_, "FlexaCollateralManager", at, kManagerOwner, Bytes{}, block_));
}

// --- Roles ------------------------------------------------------------------------------------

TEST_F(FcmTest, RoleSettersAreOwnerOnlyAndEmitUpdates) {
    const struct {
        const char* setter;
        const char* getter;
        const char* event;
    } roles[] = {
        {"setWithdrawalPublisher(address)", "withdrawalPublisher()", "WithdrawalPublisherUpdate"},
        {"setFallbackPublisher(address)", "fallbackPublisher()", "FallbackPublisherUpdate"},
        {"setWithdrawalLimitPublisher(address)", "withdrawalLimitPublisher()",
         "WithdrawalLimitPublisherUpdate"},
        {"setDirectTransferer(address)", "directTransferer()", "DirectTransfererUpdate"},
        {"setPartitionManager(address)", "partitionManager()", "PartitionManagerUpdate"},
    };
    for (const auto& role : roles) {
        reverts(tx(kUser0, kManager, role.setter, abi::Encoder().address(kUser1)),
                "Invalid sender");
        ExecResult r = tx(kManagerOwner, kManager, role.setter, abi::Encoder().address(kUser1));
        ASSERT_TRUE(r.success) << role.setter;
        ASSERT_EQ(r.logs.size(), 1U);
        EXPECT_EQ(r.logs[0].event, &event_named(role.event));
        const RawLog raw = state::encode_log(r.logs[0]);
        EXPECT_EQ(raw.topics[1], word_from_address(Address{}));
        EXPECT_EQ(raw.topics[2], word_from_address(kUser1));
        EXPECT_EQ(view(kManager, role.getter).output, abi::Encoder().address(kUser1).finish());
    }
}

TEST_F(FcmTest, TwoPhaseOwnershipTransfer) {
    reverts(
        tx(kUser0, kManager, "authorizeOwnershipTransfer(address)", abi::Encoder().address(kUser0)),
        "Invalid sender");
    ok(tx(kManagerOwner, kManager, "authorizeOwnershipTransfer(address)",
          abi::Encoder().address(kUser0)));
    reverts(tx(kUser1, kManager, "assumeOwnership()"), "Invalid sender");
    ExecResult r = tx(kUser0, kManager, "assumeOwnership()");
    ok(r);
    ASSERT_EQ(r.logs.size(), 1U);
    EXPECT_EQ(r.logs[0].event, &event_named("OwnerUpdate"));
    EXPECT_EQ(fcm().owner(), kUser0);
    EXPECT_EQ(fcm().authorizedNewOwner(), Address{});
    // The old owner has lost its powers; the new one has them.
    reverts(
        tx(kManagerOwner, kManager, "setDirectTransferer(address)", abi::Encoder().address(kUser2)),
        "Invalid sender");
    ok(tx(kUser0, kManager, "setDirectTransferer(address)", abi::Encoder().address(kUser2)));
}

TEST_F(FcmTest, PartitionManagement) {
    const Bytes32 pool3 = make_partition(0xcccccccc, 3, kManager);
    reverts(tx(kUser0, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool3)),
            "Invalid sender");
    ok(tx(kManagerOwner, kManager, "setPartitionManager(address)", abi::Encoder().address(kUser1)));
    ExecResult added = tx(kUser1, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool3));
    ok(added);
    ASSERT_EQ(added.logs.size(), 1U);
    EXPECT_EQ(added.logs[0].event, &event_named("PartitionAdded"));
    reverts(tx(kUser1, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool3)),
            "Partition already permitted");
    reverts(tx(kUser1, kManager, "addPartition(bytes32)",
               abi::Encoder().bytes32(make_partition(0xaaaaaaaa, 3, kManager))),
            "Invalid partition prefix");
    reverts(tx(kUser1, kManager, "addPartition(bytes32)",
               abi::Encoder().bytes32(make_partition(0xcccccccc, 3, kUser0))),
            "Invalid partition owner");
    EXPECT_EQ(view(kManager, "partitions(bytes32)", abi::Encoder().bytes32(pool3)).output,
              abi::Encoder().boolean(true).finish());

    reverts(tx(kUser2, kManager, "removePartition(bytes32)", abi::Encoder().bytes32(pool3)),
            "Invalid sender");
    ExecResult removed =
        tx(kUser1, kManager, "removePartition(bytes32)", abi::Encoder().bytes32(pool3));
    ok(removed);
    EXPECT_EQ(removed.logs[0].event, &event_named("PartitionRemoved"));
    reverts(tx(kUser1, kManager, "removePartition(bytes32)", abi::Encoder().bytes32(pool3)),
            "Partition not permitted");
    EXPECT_FALSE(fcm().partitions(pool3));
}

// --- Supply -------------------------------------------------------------------------------------

TEST_F(FcmTest, SupplyIsRecordedWithIncreasingNonces) {
    ExecResult first = supply(kUser0, kUser0, u256(1000), pool1_);
    ok(first);
    std::vector<LogRecord> logs = manager_logs(first);
    ASSERT_EQ(logs.size(), 1U);
    EXPECT_EQ(logs[0].event, &event_named("SupplyReceipt"));
    RawLog raw = state::encode_log(logs[0]);
    ASSERT_EQ(raw.topics.size(), 4U);
    EXPECT_EQ(raw.topics[1], word_from_address(kUser0));
    EXPECT_EQ(raw.topics[2], pool1_);
    EXPECT_EQ(raw.topics[3], word_from_u256(u256(1)));
    EXPECT_EQ(raw.data, abi::Encoder().uint256(u256(1000)).finish());
    // The receipt is logged before Amp's own transfer events.
    EXPECT_EQ(first.logs[0].emitter, kManager);

    // An operator supplying on a holder's behalf is credited as the supplier.
    ok(tx(kUser1, kAmp, "authorizeOperator(address)", abi::Encoder().address(kUser2)));
    ok(supply(kUser2, kUser1, u256(50), pool2_));

    EXPECT_EQ(view_u256("supplyNonce()"), u256(2));
    EXPECT_EQ(view(kManager, "nonceToSupply(uint256)", abi::Encoder().uint256(u256(2))).output,
              abi::Encoder().address(kUser2).bytes32(pool2_).uint256(u256(50)).finish());
    EXPECT_EQ(view(kManager, "nonceToSupply(uint256)", abi::Encoder().uint256(u256(9))).output,
              abi::Encoder().address(Address{}).bytes32(Bytes32{}).uint256(u256(0)).finish());
    EXPECT_EQ(amp_balance(pool1_, kManager), u256(1000));
    EXPECT_EQ(amp_balance(pool2_, kManager), u256(50));
}

TEST_F(FcmTest, SupplyToUnpermittedPartitionIsRejected) {
    reverts(supply(kUser0, kUser0, u256(5), make_partition(0xcccccccc, 9, kManager)),
            "Invalid destination partition");
    // A plain ERC-20 transfer lands in the default partition, never permitted.
    reverts(tx(kUser0, kAmp, "transfer(address,uint256)",
               abi::Encoder().address(kManager).uint256(u256(5))),
            "Invalid destination partition");
    EXPECT_EQ(view_u256("supplyNonce()"), u256(0));
}

TEST_F(FcmTest, HooksRejectCallersOtherThanAmp) {
    const auto hook_args = [&](const Address& from, const Address& to, const Bytes& op_data) {
        return abi::Encoder()
            .bytes4(Bytes4{})
            .bytes32(pool1_)
            .address(kUser0)
            .address(from)
            .address(to)
            .uint256(u256(1))
            .bytes(Bytes{})
            .bytes(op_data);
    };
    const char* received =
        "tokensReceived(bytes4,bytes32,address,address,address,uint256,bytes,bytes)";
    const char* to_transfer =
        "tokensToTransfer(bytes4,bytes32,address,address,address,uint256,bytes,bytes)";
    const char* can_receive =
        "canReceive(bytes4,bytes32,address,address,address,uint256,bytes,bytes)";
    const char* can_transfer =
        "canTransfer(bytes4,bytes32,address,address,address,uint256,bytes,bytes)";
    reverts(tx(kUser0, kManager, received, hook_args(kUser0, kManager, {})), "Invalid sender");
    reverts(tx(kUser0, kManager, to_transfer, hook_args(kManager, kUser0, {})), "Invalid sender");
    EXPECT_EQ(view(kManager, can_receive, hook_args(kUser0, kManager, {})).output,
              abi::Encoder().boolean(false).finish());
    EXPECT_EQ(view(kManager, can_transfer,
                   hook_args(kManager, kUser0, abi::Encoder().bytes32(repeated(0xdd)).finish()))
                  .output,
              abi::Encoder().boolean(false).finish());

    // Called as Amp would call them.
    EXPECT_EQ(
        world_
            ->simulate(
                Message{kAmp, kManager,
                        hook_args(kUser0, kManager, {}).finish_call(selector_of(can_receive))},
                block_)
            .output,
        abi::Encoder().boolean(true).finish());
    reverts(
        world_->execute(Message{kAmp, kManager,
                                hook_args(kUser0, kUser1, {}).finish_call(selector_of(received))},
                        block_),
        "Invalid to address");
    reverts(world_->execute(
                Message{kAmp, kManager,
                        hook_args(kUser0, kUser1, {}).finish_call(selector_of(to_transfer))},
                block_),
            "Invalid from address");
    // The direct-transfer flag from the owner is acceptable to canTransfer.
    const Bytes dd = abi::Encoder().bytes32(repeated(0xdd)).finish();
    ExecResult can = world_->simulate(Message{kAmp, kManager,
                                              abi::Encoder()
                                                  .bytes4(Bytes4{})
                                                  .bytes32(pool1_)
                                                  .address(kManagerOwner)
                                                  .address(kManager)
                                                  .address(kUser0)
                                                  .uint256(u256(1))
                                                  .bytes(Bytes{})
                                                  .bytes(dd)
                                                  .finish_call(selector_of(can_transfer))},
                                      block_);
    EXPECT_EQ(can.output, abi::Encoder().boolean(true).finish());
    // Operator data shorter than the flag word fails to decode.
    reverts_empty(world_->simulate(
        Message{kAmp, kManager,
                hook_args(kManager, kUser0, Bytes{0xdd}).finish_call(selector_of(can_transfer))},
        block_));
}

// --- Withdrawals
// ----------------------------------------------------------------------------------

class FcmWithdrawalTest : public FcmTest {
protected:
    void SetUp() override {
        FcmTest::SetUp();
        ok(supply(kUser0, kUser0, u256(1000), pool1_));
        ok(supply(kUser1, kUser1, u256(2000), pool1_));
        ok(tx(kManagerOwner, kManager, "setWithdrawalPublisher(address)",
              abi::Encoder().address(kUser2)));
    }

    // A root authorizing user0 400 and user1 700 from pool 1 (account nonce 0).
    MerkleTree first_tree() const {
        return MerkleTree({
            FlexaCollateralManager::withdrawal_leaf(kUser0, pool1_, u256(400), u256(0)),
            FlexaCollateralManager::withdrawal_leaf(kUser1, pool1_, u256(700), u256(0)),
            FlexaCollateralManager::withdrawal_leaf(kUser2, pool2_, u256(5), u256(0)),
        });
    }

    ExecResult add_root(const Address& from, const Bytes32& root, const u256& nonce,
                        const std::vector<Bytes32>& replaced = {}) {
        return tx(from, kManager, "addWithdrawalRoot(bytes32,uint256,bytes32[])",
                  abi::Encoder().bytes32(root).uint256(nonce).bytes32_array(replaced));
    }
};

TEST_F(FcmWithdrawalTest, RootPublicationRules) {
    const Bytes32 root = first_tree().root();
    reverts(add_root(kUser0, root, u256(1)), "Invalid sender");
    reverts(add_root(kUser2, root, u256(2)), "Nonce not current max plus one");
    reverts(add_root(kUser2, Bytes32{}, u256(1)), "Invalid root");
    ExecResult r = add_root(kUser2, root, u256(1));
    ok(r);
    ASSERT_EQ(r.logs.size(), 1U);
    EXPECT_EQ(r.logs[0].event, &event_named("WithdrawalRootHashAddition"));
    reverts(add_root(kUser2, root, u256(2)), "Nonce already used");
    EXPECT_EQ(view_u256("withdrawalRootToNonce(bytes32)", abi::Encoder().bytes32(root)), u256(1));
    EXPECT_EQ(view_u256("maxWithdrawalRootNonce()"), u256(1));

    // Replacing: the addition is logged before the removals.
    const Bytes32 next = repeated(0x42);
    ExecResult replaced = add_root(kManagerOwner, next, u256(2), {root});
    ok(replaced);
    ASSERT_EQ(replaced.logs.size(), 2U);
    EXPECT_EQ(replaced.logs[0].event, &event_named("WithdrawalRootHashAddition"));
    EXPECT_EQ(replaced.logs[1].event, &event_named("WithdrawalRootHashRemoval"));
    EXPECT_EQ(state::encode_log(replaced.logs[1]).topics[2], word_from_u256(u256(1)));
    EXPECT_EQ(view_u256("withdrawalRootToNonce(bytes32)", abi::Encoder().bytes32(root)), u256(0));

    reverts(tx(kUser0, kManager, "removeWithdrawalRoots(bytes32[])",
               abi::Encoder().bytes32_array({next})),
            "Invalid sender");
    ok(tx(kUser2, kManager, "removeWithdrawalRoots(bytes32[])",
          abi::Encoder().bytes32_array({next})));
    reverts(tx(kUser2, kManager, "removeWithdrawalRoots(bytes32[])",
               abi::Encoder().bytes32_array({next})),
            "Root not found");
}

TEST_F(FcmWithdrawalTest, WithdrawalWithMerkleProof) {
    const MerkleTree tree = first_tree();
    ok(add_root(kUser2, tree.root(), u256(1)));
    const u256 limit_before = fcm().withdrawalLimit();
    const u256 user_before = amp_balance(Bytes32{}, kUser0);

    const Bytes op = withdrawal_operator_data(0xaa, kUser0, u256(0), tree.proof(0));
    ExecResult r = release(kUser0, pool1_, kUser0, u256(400), op);
    ok(r);
    std::vector<LogRecord> logs = manager_logs(r);
    ASSERT_EQ(logs.size(), 1U);
    EXPECT_EQ(logs[0].event, &event_named("Withdrawal"));
    const RawLog raw = state::encode_log(logs[0]);
    EXPECT_EQ(raw.topics[1], word_from_address(kUser0));
    EXPECT_EQ(raw.topics[2], pool1_);
    EXPECT_EQ(raw.topics[3], word_from_u256(u256(1)));
    EXPECT_EQ(raw.data, abi::Encoder().uint256(u256(400)).uint256(u256(0)).finish());

    EXPECT_EQ(amp_balance(Bytes32{}, kUser0), user_before + u256(400));
    EXPECT_EQ(amp_balance(pool1_, kManager), u256(2600));
    EXPECT_EQ(fcm().withdrawalLimit(), limit_before - u256(400));
    EXPECT_EQ(view_u256("addressToWithdrawalNonce(bytes32,address)",
                        abi::Encoder().bytes32(pool1_).address(kUser0)),
              u256(1));
    EXPECT_EQ(view_u256("addressToCumulativeAmountWithdrawn(bytes32,address)",
                        abi::Encoder().bytes32(pool1_).address(kUser0)),
              u256(400));

    // The same authorization cannot be used twice.
    reverts(release(kUser0, pool1_, kUser0, u256(400), op), "Transfer unauthorized");
}

TEST_F(FcmWithdrawalTest, WithdrawalAuthorizationRules) {
    const MerkleTree tree = first_tree();
    ok(add_root(kUser2, tree.root(), u256(1)));
    const Bytes op1 = withdrawal_operator_data(0xaa, kUser1, u256(0), tree.proof(1));
    // Wrong amount: the leaf differs, so the root is unknown.
    reverts(release(kUser1, pool1_, kUser1, u256(701), op1), "Transfer unauthorized");
    // Someone other than the supplier, the owner or the withdrawal publisher.
    reverts(release(kUser0, pool1_, kUser1, u256(700), op1), "Transfer unauthorized");
    // Wrong proof.
    reverts(release(kUser1, pool1_, kUser1, u256(700),
                    withdrawal_operator_data(0xaa, kUser1, u256(0), tree.proof(0))),
            "Transfer unauthorized");
    // The withdrawal publisher may execute it on the supplier's behalf.
    ok(release(kUser2, pool1_, kUser1, u256(700), op1));

    // A later root with account nonce 1 for user1; the old nonce-0 leaf under
    // the new root is refused as already used.
    const MerkleTree second({
        FlexaCollateralManager::withdrawal_leaf(kUser1, pool1_, u256(600), u256(1)),
        FlexaCollateralManager::withdrawal_leaf(kUser0, pool1_, u256(1), u256(0)),
    });
    ok(add_root(kUser2, second.root(), u256(2)));
    ExecResult r = release(kUser1, pool1_, kUser1, u256(600),
                           withdrawal_operator_data(0xaa, kUser1, u256(1), second.proof(0)));
    ok(r);
    EXPECT_EQ(state::encode_log(manager_logs(r)[0]).data,
              abi::Encoder().uint256(u256(600)).uint256(u256(1)).finish());
    EXPECT_EQ(fcm().addressToWithdrawalNonce(pool1_, kUser1), u256(2));
    EXPECT_EQ(fcm().addressToCumulativeAmountWithdrawn(pool1_, kUser1), u256(1300));

    // Malformed operator data reverts without a reason.
    reverts_empty(release(kUser1, pool1_, kUser1, u256(1), Bytes{}));
    reverts_empty(
        release(kUser1, pool1_, kUser1, u256(1), abi::Encoder().bytes32(repeated(0xaa)).finish()));
    reverts(
        release(kUser1, pool1_, kUser1, u256(1), abi::Encoder().bytes32(repeated(0x12)).finish()),
        "invalid flag");
}

TEST_F(FcmWithdrawalTest, WithdrawalLimitBoundsWithdrawals) {
    const MerkleTree tree = first_tree();
    ok(add_root(kUser2, tree.root(), u256(1)));
    const u256 limit = fcm().withdrawalLimit();

    reverts(tx(kUser0, kManager, "modifyWithdrawalLimit(int256)", abi::Encoder().int256(u256(5))),
            "Invalid sender");
    ok(tx(kManagerOwner, kManager, "setWithdrawalLimitPublisher(address)",
          abi::Encoder().address(kUser1)));
    // Lower the limit to 399: the 400 withdrawal no longer fits.
    const u256 delta = limit - u256(399);
    ExecResult lowered = tx(kUser1, kManager, "modifyWithdrawalLimit(int256)",
                            abi::Encoder().int256(u256() - delta));
    ok(lowered);
    ASSERT_EQ(lowered.logs.size(), 1U);
    const RawLog raw = state::encode_log(lowered.logs[0]);
    EXPECT_EQ(raw.topics[1], word_from_u256(limit));
    EXPECT_EQ(raw.topics[2], word_from_u256(u256(399)));

    const Bytes op = withdrawal_operator_data(0xaa, kUser0, u256(0), tree.proof(0));
    reverts(release(kUser0, pool1_, kUser0, u256(400), op), "Transfer unauthorized");
    ok(tx(kUser1, kManager, "modifyWithdrawalLimit(int256)", abi::Encoder().int256(u256(1))));
    ok(release(kUser0, pool1_, kUser0, u256(400), op));
    EXPECT_EQ(fcm().withdrawalLimit(), u256(0));

    reverts(tx(kUser1, kManager, "modifyWithdrawalLimit(int256)",
               abi::Encoder().int256(u256() - u256(1))),
            "SafeMath: subtraction overflow");
    // The most negative int256 negates to itself: 2^255 cannot be subtracted.
    reverts(tx(kUser1, kManager, "modifyWithdrawalLimit(int256)",
               abi::Encoder().int256(u256(1) << 255)),
            "SafeMath: subtraction overflow");
    // Two maximal increments reach 2^256 - 2; a third overflows.
    const u256 max_i256 = (u256(1) << 255) - u256(1);
    ok(tx(kUser1, kManager, "modifyWithdrawalLimit(int256)", abi::Encoder().int256(max_i256)));
    ok(tx(kUser1, kManager, "modifyWithdrawalLimit(int256)", abi::Encoder().int256(max_i256)));
    EXPECT_EQ(fcm().withdrawalLimit(), u256::max() - u256(1));
    reverts(tx(kUser1, kManager, "modifyWithdrawalLimit(int256)",
               abi::Encoder().int256((u256(1) << 255) - u256(1))),
            "SafeMath: addition overflow");
}

// --- Fallback withdrawals and refunds ------------------------------------------------------

class FcmFallbackTest : public FcmTest {
protected:
    void SetUp() override {
        FcmTest::SetUp();
        ok(supply(kUser0, kUser0, u256(100), pool1_));  // nonce 1
        ok(supply(kUser1, kUser1, u256(200), pool1_));  // nonce 2
        ok(supply(kUser0, kUser0, u256(300), pool1_));  // nonce 3
        ok(supply(kUser1, kUser1, u256(400), pool1_));  // nonce 4
        ok(tx(kManagerOwner, kManager, "setFallbackPublisher(address)",
              abi::Encoder().address(kUser2)));
    }

    // Fallback authorizations covering supplies 1 and 2.
    MerkleTree tree() const {
        return MerkleTree({
            FlexaCollateralManager::fallback_leaf(kUser0, pool1_, u256(400)),
            FlexaCollateralManager::fallback_leaf(kUser1, pool1_, u256(150)),
        });
    }

    ExecResult set_root(const Address& from, const Bytes32& root, const u256& max_nonce) {
        return tx(from, kManager, "setFallbackRoot(bytes32,uint256)",
                  abi::Encoder().bytes32(root).uint256(max_nonce));
    }
};

TEST_F(FcmFallbackTest, FallbackRootRules) {
    const Bytes32 root = tree().root();
    reverts(set_root(kUser0, root, u256(2)), "Invalid sender");
    reverts(set_root(kUser2, Bytes32{}, u256(2)), "Invalid root");
    reverts(set_root(kUser2, root, u256(5)), "Included supply nonce exceeds latest supply");
    ExecResult r = set_root(kUser2, root, u256(2));
    ok(r);
    ASSERT_EQ(r.logs.size(), 1U);
    const RawLog raw = state::encode_log(r.logs[0]);
    EXPECT_EQ(raw.topics[1], root);
    EXPECT_EQ(raw.topics[2], word_from_u256(u256(2)));
    EXPECT_EQ(raw.data, abi::Encoder().uint256(u256(block_.timestamp)).finish());
    EXPECT_EQ(fcm().fallbackSetDate(), u256(block_.timestamp));
    reverts(set_root(kUser2, root, u256(1)), "Included supply nonce decreased");

    advance(604800);
    reverts(set_root(kUser2, root, u256(2)), "Fallback is active");
    // Resetting the date deactivates the fallback again.
    ExecResult reset = tx(kUser2, kManager, "resetFallbackMechanismDate()");
    ok(reset);
    EXPECT_EQ(state::encode_log(reset.logs[0]).topics[1], word_from_u256(u256(block_.timestamp)));
    reverts(tx(kUser0, kManager, "resetFallbackMechanismDate()"), "Invalid sender");
    ok(set_root(kUser2, root, u256(3)));
}

TEST_F(FcmFallbackTest, FallbackDelayRules) {
    reverts(tx(kUser2, kManager, "setFallbackWithdrawalDelay(uint256)",
               abi::Encoder().uint256(u256(100))),
            "Invalid sender");
    reverts(tx(kManagerOwner, kManager, "setFallbackWithdrawalDelay(uint256)",
               abi::Encoder().uint256(u256(0))),
            "Invalid zero delay seconds");
    reverts(tx(kManagerOwner, kManager, "setFallbackWithdrawalDelay(uint256)",
               abi::Encoder().uint256(u256(315360000))),
            "Invalid delay over 10 years");
    ExecResult r = tx(kManagerOwner, kManager, "setFallbackWithdrawalDelay(uint256)",
                      abi::Encoder().uint256(u256(315359999)));
    ok(r);
    const RawLog raw = state::encode_log(r.logs[0]);
    EXPECT_EQ(raw.topics[1], word_from_u256(u256(604800)));
    EXPECT_EQ(raw.topics[2], word_from_u256(u256(315359999)));
}

TEST_F(FcmFallbackTest, FallbackWithdrawalAfterDelay) {
    const MerkleTree t = tree();
    ok(tx(kUser0, kManager, "requestRelease(bytes32,uint256,bytes)",
          abi::Encoder().bytes32(pool1_).uint256(u256(250)).bytes(Bytes{0x01, 0x02})));
    ok(set_root(kUser2, t.root(), u256(2)));
    const Bytes op0 = withdrawal_operator_data(0xbb, kUser0, u256(400), t.proof(0));

    // Not yet: the delay has not passed.
    reverts(release(kUser0, pool1_, kUser0, u256(250), op0), "Transfer unauthorized");
    advance(604800);
    ExecResult r = release(kUser0, pool1_, kUser0, u256(250), op0);
    ok(r);
    std::vector<LogRecord> logs = manager_logs(r);
    ASSERT_EQ(logs.size(), 1U);
    EXPECT_EQ(logs[0].event, &event_named("FallbackWithdrawal"));
    const RawLog raw = state::encode_log(logs[0]);
    ASSERT_EQ(raw.topics.size(), 4U);
    EXPECT_EQ(raw.topics[3], word_from_u256(u256(250)));
    EXPECT_TRUE(raw.data.empty());

    // Cumulative bound: 250 + 151 > 400, 250 + 150 = 400.
    reverts(release(kUser0, pool1_, kUser0, u256(151), op0), "Transfer unauthorized");
    ok(release(kUser0, pool1_, kUser0, u256(150), op0));
    EXPECT_EQ(fcm().addressToCumulativeAmountWithdrawn(pool1_, kUser0), u256(400));
    // Another account may not execute user1's fallback withdrawal; the owner may.
    const Bytes op1 = withdrawal_operator_data(0xbb, kUser1, u256(150), t.proof(1));
    reverts(release(kUser2, pool1_, kUser1, u256(150), op1), "Transfer unauthorized");
    ok(release(kManagerOwner, pool1_, kUser1, u256(150), op1));
    // The fallback path does not draw down the withdrawal limit.
    EXPECT_EQ(fcm().withdrawalLimit(), FlexaCollateralManager::initial_withdrawal_limit());
}

TEST_F(FcmFallbackTest, RefundOfSupplyNotCoveredByFallbackRoot) {
    ok(set_root(kUser2, tree().root(), u256(2)));
    // Before the fallback is active no refund is possible.
    reverts(release(kUser1, pool1_, kUser1, u256(400), refund_operator_data(u256(4))),
            "Transfer unauthorized");
    advance(604800);
    // Supply 2 is covered by the fallback root.
    reverts(release(kUser1, pool1_, kUser1, u256(200), refund_operator_data(u256(2))),
            "Transfer unauthorized");
    // Amount must match the record exactly.
    reverts(release(kUser1, pool1_, kUser1, u256(399), refund_operator_data(u256(4))),
            "Transfer unauthorized");
    // Only the supplier or the owner.
    reverts(release(kUser0, pool1_, kUser1, u256(400), refund_operator_data(u256(4))),
            "Transfer unauthorized");
    ExecResult r = release(kUser1, pool1_, kUser1, u256(400), refund_operator_data(u256(4)));
    ok(r);
    std::vector<LogRecord> logs = manager_logs(r);
    ASSERT_EQ(logs.size(), 1U);
    EXPECT_EQ(logs[0].event, &event_named("SupplyRefund"));
    const RawLog raw = state::encode_log(logs[0]);
    EXPECT_EQ(raw.topics[1], word_from_address(kUser1));
    EXPECT_EQ(raw.topics[3], word_from_u256(u256(4)));
    EXPECT_EQ(raw.data, abi::Encoder().uint256(u256(400)).finish());
    EXPECT_EQ(fcm().nonceToSupply(u256(4)), FlexaCollateralManager::Supply{});
    // Refunded once only.
    reverts(release(kUser1, pool1_, kUser1, u256(400), refund_operator_data(u256(4))),
            "Transfer unauthorized");
    // The owner may refund on the supplier's behalf.
    ok(release(kManagerOwner, pool1_, kUser0, u256(300), refund_operator_data(u256(3))));
}

// --- Direct transfers ---------------------------------------------------------------------------

TEST_F(FcmTest, DirectTransfers) {
    ok(supply(kUser0, kUser0, u256(5000), pool1_));
    ok(tx(kManagerOwner, kManager, "setDirectTransferer(address)", abi::Encoder().address(kUser2)));
    const Bytes dd = abi::Encoder().bytes32(repeated(0xdd)).finish();
    reverts(release(kUser1, pool1_, kUser1, u256(10), dd), "Transfer unauthorized");

    ExecResult r = release(kUser2, pool1_, kUser1, u256(10), dd);
    ok(r);
    std::vector<LogRecord> logs = manager_logs(r);
    ASSERT_EQ(logs.size(), 1U);
    EXPECT_EQ(logs[0].event, &event_named("DirectTransfer"));
    RawLog raw = state::encode_log(logs[0]);
    EXPECT_EQ(raw.topics[1], pool1_);
    EXPECT_EQ(raw.topics[2], word_from_address(kUser1));
    EXPECT_EQ(raw.topics[3], Bytes32{});
    EXPECT_EQ(raw.data, abi::Encoder().address(kUser2).uint256(u256(10)).finish());
    EXPECT_EQ(fcm().withdrawalLimit(),
              FlexaCollateralManager::initial_withdrawal_limit() - u256(10));

    // Moving collateral between the manager's own pools re-supplies it.
    ExecResult internal = release(kUser2, pool1_, kManager, u256(20), dd, pool2_);
    ok(internal);
    logs = manager_logs(internal);
    ASSERT_EQ(logs.size(), 2U);
    EXPECT_EQ(logs[0].event, &event_named("DirectTransfer"));
    EXPECT_EQ(state::encode_log(logs[0]).topics[3], pool2_);
    EXPECT_EQ(logs[1].event, &event_named("SupplyReceipt"));
    EXPECT_EQ(fcm().nonceToSupply(u256(2)),
              (FlexaCollateralManager::Supply{kUser2, pool2_, u256(20)}));

    // Bounded by the withdrawal limit.
    ok(tx(kManagerOwner, kManager, "modifyWithdrawalLimit(int256)",
          abi::Encoder().int256(u256() - (fcm().withdrawalLimit() - u256(15)))));
    reverts(release(kUser2, pool1_, kUser1, u256(16), dd), "Transfer unauthorized");
    ok(release(kManagerOwner, pool1_, kUser1, u256(15), dd));
    EXPECT_EQ(fcm().withdrawalLimit(), u256(0));
}

// --- Atomicity and the ABI surface ------------------------------------------------------------

TEST_F(FcmTest, RevertLeavesNoTrace) {
    ok(tx(kManagerOwner, kManager, "addWithdrawalRoot(bytes32,uint256,bytes32[])",
          abi::Encoder().bytes32(repeated(0x11)).uint256(u256(1)).bytes32_array({})));
    // The new root is added, then removing an unknown root reverts the whole call.
    reverts(tx(kManagerOwner, kManager, "addWithdrawalRoot(bytes32,uint256,bytes32[])",
               abi::Encoder()
                   .bytes32(repeated(0x22))
                   .uint256(u256(2))
                   .bytes32_array({repeated(0x11), repeated(0x33)})),
            "Root not found");
    EXPECT_EQ(fcm().maxWithdrawalRootNonce(), u256(1));
    EXPECT_EQ(fcm().withdrawalRootToNonce(repeated(0x22)), u256(0));
    EXPECT_EQ(fcm().withdrawalRootToNonce(repeated(0x11)), u256(1));
    EXPECT_EQ(world_->journal().size(), 0U);

    // A direct transfer into an unpermitted pool of the manager itself: the
    // sender hook draws down the limit and logs, then the recipient hook
    // rejects the destination; everything is rolled back.
    ok(supply(kUser0, kUser0, u256(100), pool1_));
    const u256 limit = fcm().withdrawalLimit();
    reverts(release(kManagerOwner, pool1_, kManager, u256(20),
                    abi::Encoder().bytes32(repeated(0xdd)).finish(),
                    make_partition(0xcccccccc, 9, kManager)),
            "Invalid destination partition");
    EXPECT_EQ(fcm().withdrawalLimit(), limit);
    EXPECT_EQ(fcm().supplyNonce(), u256(1));
    EXPECT_EQ(amp_balance(pool1_, kManager), u256(100));
    EXPECT_EQ(world_->journal().size(), 0U);
}

TEST_F(FcmTest, MalformedCallsRevertWithoutData) {
    reverts_empty(world_->execute(Message{kUser0, kManager, Bytes{0x01, 0x02}}, block_));
    reverts_empty(
        world_->execute(Message{kUser0, kManager, Bytes{0xde, 0xad, 0xbe, 0xef}}, block_));
    Bytes short_call = abi::Encoder().finish_call(selector_of("nonceToSupply(uint256)"));
    short_call.resize(4 + 31);
    reverts_empty(world_->simulate(Message{kUser0, kManager, short_call}, block_));
    // Address arguments are masked to 160 bits (ABI decoder v1).
    Bytes dirty =
        abi::Encoder().address(kUser1).finish_call(selector_of("setDirectTransferer(address)"));
    dirty[4] = 0xff;
    ok(world_->execute(Message{kManagerOwner, kManager, dirty}, block_));
    EXPECT_EQ(fcm().directTransferer(), kUser1);
}

TEST(FcmEvents, DescriptorsMatchTheSolidityDeclarations) {
    const auto& evs = FlexaCollateralManager::events();
    ASSERT_EQ(evs.size(), 21U);
    EXPECT_EQ(evs[0]->signature, "SupplyReceipt(address,bytes32,uint256,uint256)");
    EXPECT_EQ(evs[0]->topic0,
              B32("0xa5521f7d015e07af98ded530ac91a9ccef09b2b0fe09f6a0c8742f40d88e00d1"));
    EXPECT_EQ(event_named("DirectTransfer").topic0,
              B32("0x4df85043c2fcb97b502fd05c3737899069bb1b523c06beaf6999f3c1f8e5a4b5"));
    EXPECT_EQ(event_named("OwnerUpdate").topic0,
              B32("0x343765429aea5a34b3ff6a3785a98a5abb2597aca87bfbb58632c173d585373a"));
}

}  // namespace
}  // namespace ampd::contracts
