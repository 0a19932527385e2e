// The partition strategy validators (0xcccccccc collateral pool, 0xaaaaaaaa
// holder collateral), driven through Amp and the ABI exactly as a client
// would: registration as ERC-1820 implementers, the rules each enforces on
// transfers into and out of its partitions, the operator scopes they grant,
// and their exact revert strings (including the original misspelling).
#include "ampd/contracts/partition_validators.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/constants.hpp"
#include "ampd/contracts/erc1820_registry.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/world.hpp"
#include "support/literals.hpp"

namespace ampd::contracts {
namespace {

using namespace ampd::test_support;

using state::BlockContext;
using state::ExecResult;
using state::Message;
using state::RawLog;

const Address kOwner = A("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
const Address kManagerOwner = A("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
const Address kUser0 = A("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const Address kUser1 = A("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
const Address kUser2 = A("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
const Address kUser3 = A("0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc");

const Address kSwap = A("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const Address kAmp = A("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
const Address kPool = A("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
const Address kHolder = A("0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9");
const Address kManager = A("0x8464135c8f25da09e49bc8782676a84730c318bc");

constexpr uint32_t kPoolPrefix = 0xccccccccU;
constexpr uint32_t kHolderPrefix = 0xaaaaaaaaU;

const Bytes32 kDefault{};

class PartitionValidatorsTest : public ::testing::Test {
protected:
    PartitionValidatorsTest() : world_(new_world()) {}

    void SetUp() override {
        deploy("SwapToken", kSwap, kOwner, {});
        deploy("Amp", kAmp, kOwner,
               abi::Encoder().address(kSwap).string("Amp").string("AMP").finish());
        pool_deploy_ = deploy("CollateralPoolPartitionValidator", kPool, kOwner,
                              abi::Encoder().address(kAmp).finish());
        holder_deploy_ = deploy("HolderCollateralPartitionValidator", kHolder, kOwner,
                                abi::Encoder().address(kAmp).finish());
        pool_strategy_ = set_partition_strategy(kOwner, kPoolPrefix, kPool);
        holder_strategy_ = set_partition_strategy(kOwner, kHolderPrefix, kHolder);
        ASSERT_TRUE(pool_strategy_.success);
        ASSERT_TRUE(holder_strategy_.success);
        for (const Address& u : {kUser0, kUser1, kUser2, kUser3}) fund(u, 1000);
    }

    ExecResult deploy(std::string_view type, const Address& at, const Address& from,
                      const Bytes& args) {
        ExecResult r = deploy_builtin(*world_, type, at, from, args, block_);
        EXPECT_TRUE(r.success) << type;
        return r;
    }

    ExecResult tx(const Address& from, const Address& to, const Bytes& calldata) {
        return world_->execute(Message{from, to, calldata}, block_);
    }
    ExecResult view(const Address& to, const Bytes& calldata) {
        return world_->simulate(Message{kUser3, to, calldata}, block_);
    }

    ExecResult set_partition_strategy(const Address& from, uint32_t prefix, const Address& impl) {
        Bytes4 p;
        for (int i = 0; i < 4; ++i) p.b[i] = static_cast<uint8_t>(prefix >> (24 - 8 * i));
        return tx(from, kAmp,
                  abi::Encoder().bytes4(p).address(impl).finish_call(
                      selector_of("setPartitionStrategy(bytes4,address)")));
    }

    void fund(const Address& user, uint64_t amount) {
        ASSERT_TRUE(tx(kOwner, kSwap,
                       abi::Encoder().address(user).uint256(amount).finish_call(
                           selector_of("mint(address,uint256)")))
                        .success);
        ASSERT_TRUE(tx(user, kSwap,
                       abi::Encoder().address(kAmp).uint256(amount).finish_call(
                           selector_of("approve(address,uint256)")))
                        .success);
        ASSERT_TRUE(
            tx(user, kAmp, abi::Encoder().address(user).finish_call(selector_of("swap(address)")))
                .success);
    }

    ExecResult transfer_by_partition(const Address& operator_, const Bytes32& partition,
                                     const Address& from, const Address& to, uint64_t value,
                                     const Bytes& data) {
        return tx(operator_, kAmp,
                  abi::Encoder()
                      .bytes32(partition)
                      .address(from)
                      .address(to)
                      .uint256(value)
                      .bytes(data)
                      .bytes(Bytes{})
                      .finish_call(selector_of(
                          "transferByPartition(bytes32,address,address,uint256,bytes,bytes)")));
    }

    ExecResult register_collateral_manager(const Address& who) {
        return tx(who, kAmp,
                  abi::Encoder().finish_call(selector_of("registerCollateralManager()")));
    }

    u256 balance_of_by_partition(const Bytes32& partition, const Address& holder) {
        ExecResult r = view(kAmp, abi::Encoder().bytes32(partition).address(holder).finish_call(
                                      selector_of("balanceOfByPartition(bytes32,address)")));
        EXPECT_TRUE(r.success);
        return u256_from_word(Bytes32::from(ByteView(r.output).first(32)));
    }

    static void expect_revert(const ExecResult& r, std::string_view reason) {
        EXPECT_FALSE(r.success);
        EXPECT_EQ(r.revert_reason, reason);
        EXPECT_EQ(r.output, abi::error_data(reason));
        EXPECT_TRUE(r.logs.empty());
    }

    static Bytes hook_call(std::string_view name, const Bytes32& partition,
                           const Address& operator_, const Address& from, const Address& to) {
        const std::string sig =
            std::string(name) + "(bytes4,bytes32,address,address,address,uint256,bytes,bytes)";
        return abi::Encoder()
            .bytes4(selector_of("transferByPartition(bytes32,address,address,uint256,bytes,bytes)"))
            .bytes32(partition)
            .address(operator_)
            .address(from)
            .address(to)
            .uint256(1)
            .bytes(Bytes{})
            .bytes(Bytes{})
            .finish_call(selector_of(sig));
    }
    static Bytes scope_call(const Bytes32& partition, const Address& operator_,
                            const Address& holder) {
        return abi::Encoder().bytes32(partition).address(operator_).address(holder).finish_call(
            selector_of("isOperatorForPartitionScope(bytes32,address,address)"));
    }

    // The frame in which Amp calls a validator hook.
    state::CallContext amp_frame(const Address& validator) {
        return state::CallContext{*world_, validator, kAmp, kUser0, Bytes4{}, block_};
    }

    std::unique_ptr<state::World> world_;
    BlockContext block_{1, 1600000000, 1};
    ExecResult pool_deploy_, holder_deploy_, pool_strategy_, holder_strategy_;
};

TEST_F(PartitionValidatorsTest, DeploymentEmitsNothingAndExposesItsState) {
    EXPECT_TRUE(pool_deploy_.logs.empty());
    EXPECT_TRUE(holder_deploy_.logs.empty());
    EXPECT_EQ(world_->contract_at(kPool)->type_name(), "CollateralPoolPartitionValidator");
    EXPECT_EQ(world_->contract_at(kHolder)->type_name(), "HolderCollateralPartitionValidator");
    EXPECT_NE(world_->contract_as<IAmpPartitionStrategyValidator>(kPool), nullptr);
    EXPECT_NE(world_->contract_as<IERC1820Implementer>(kHolder), nullptr);

    const Bytes prefix_call = abi::Encoder().finish_call(selector_of("partitionPrefix()"));
    const Bytes32 pool_word =
        B32("0xcccccccc00000000000000000000000000000000000000000000000000000000");
    EXPECT_EQ(view(kPool, prefix_call).output, Bytes(pool_word.b.begin(), pool_word.b.end()));
    EXPECT_EQ(view(kHolder, prefix_call).output,
              abi::Encoder().bytes4(*Bytes4::from_hex("0xaaaaaaaa")).finish());
    const Bytes amp_call = abi::Encoder().finish_call(selector_of("amp()"));
    EXPECT_EQ(view(kPool, amp_call).output, abi::Encoder().address(kAmp).finish());
    EXPECT_EQ(view(kHolder, amp_call).output, abi::Encoder().address(kAmp).finish());
}

TEST_F(PartitionValidatorsTest, AcceptsOnlyItsOwnValidatorInterface) {
    // Hashes of "AmpPartitionStrategyValidator" ‖ prefix, as recorded.
    const Bytes32 pool_hash =
        B32("0x2c8f2151d082d980bc6c06d28b364b16371b6c228f9552bb0254f1658050629d");
    const Bytes32 holder_hash =
        B32("0xffdd21c9fd62da983b0b89cdbdad6f800407a95a444602a5640a2528c12c5f85");
    EXPECT_EQ(PartitionStrategyValidatorBase::validator_interface_hash(
                  CollateralPoolPartitionValidator::prefix()),
              pool_hash);
    EXPECT_EQ(PartitionStrategyValidatorBase::validator_interface_hash(
                  HolderCollateralPartitionValidator::prefix()),
              holder_hash);
    EXPECT_EQ(PartitionStrategyValidatorBase::validator_interface_name(
                  HolderCollateralPartitionValidator::prefix())
                  .size(),
              33U);

    auto can_implement = [&](const Address& v, const Bytes32& hash, const Address& addr) {
        ExecResult r = view(v, abi::Encoder().bytes32(hash).address(addr).finish_call(selector_of(
                                   "canImplementInterfaceForAddress(bytes32,address)")));
        EXPECT_TRUE(r.success);
        return r.output;
    };
    const Bytes magic = abi::Encoder().bytes32(Erc1820Registry::accept_magic()).finish();
    const Bytes zero = abi::Encoder().bytes32(Bytes32{}).finish();
    EXPECT_EQ(can_implement(kPool, pool_hash, kAmp), magic);
    EXPECT_EQ(can_implement(kPool, pool_hash, kUser0), magic);  // for any address
    EXPECT_EQ(can_implement(kPool, holder_hash, kAmp), zero);
    EXPECT_EQ(can_implement(kHolder, holder_hash, kAmp), magic);
    EXPECT_EQ(can_implement(kHolder, Erc1820Registry::interface_hash("AmpTokensSender"), kAmp),
              zero);
}

TEST_F(PartitionValidatorsTest, RegisteredForAmpThroughTheRegistry) {
    // setPartitionStrategy made the registry name the validator for Amp.
    ASSERT_FALSE(pool_strategy_.logs.empty());
    RawLog raw = state::encode_log(pool_strategy_.logs[0]);
    EXPECT_EQ(raw.address, erc1820_registry_address());
    ASSERT_EQ(raw.topics.size(), 4U);
    EXPECT_EQ(raw.topics[1], word_from_address(kAmp));
    EXPECT_EQ(raw.topics[2],
              B32("0x2c8f2151d082d980bc6c06d28b364b16371b6c228f9552bb0254f1658050629d"));
    EXPECT_EQ(raw.topics[3], word_from_address(kPool));
    auto* registry = world_->contract_as<Erc1820Registry>(erc1820_registry_address());
    EXPECT_EQ(
        registry->stored_implementer(kAmp, PartitionStrategyValidatorBase::validator_interface_hash(
                                               HolderCollateralPartitionValidator::prefix())),
        kHolder);

    // A validator refuses to stand for another prefix.
    expect_revert(set_partition_strategy(kOwner, 0xbbbbbbbbU, kPool),
                  "Does not implement the interface");
}

TEST_F(PartitionValidatorsTest, HooksAcceptOnlyAmpAsCaller) {
    const Bytes32 pool_p = make_partition(kPoolPrefix, 1, kUser2);
    const Bytes32 holder_p = make_partition(kHolderPrefix, 1, kUser2);
    expect_revert(
        tx(kUser0, kPool, hook_call("tokensToPartitionToValidate", pool_p, kUser0, kUser0, kUser2)),
        "Hook must be called by amp");
    expect_revert(tx(kUser0, kPool, scope_call(pool_p, kUser0, kUser2)),
                  "Hook must be called by amp");
    // The pool validator keeps the base's empty from-partition hook: no
    // caller check at all.
    ExecResult from_hook = tx(
        kUser0, kPool, hook_call("tokensFromPartitionToValidate", pool_p, kUser0, kUser0, kUser2));
    EXPECT_TRUE(from_hook.success);
    EXPECT_TRUE(from_hook.output.empty());

    expect_revert(tx(kUser0, kHolder,
                     hook_call("tokensFromPartitionToValidate", holder_p, kUser0, kUser0, kUser1)),
                  "Validator hook must be called by amp");
    expect_revert(tx(kUser0, kHolder,
                     hook_call("tokensToPartitionToValidate", holder_p, kUser0, kUser0, kUser1)),
                  "Validator hook must be called by amp");
    expect_revert(tx(kUser0, kHolder, scope_call(holder_p, kUser2, kUser0)),
                  "Operator hook must be called by amp");
}

TEST_F(PartitionValidatorsTest, CollateralPoolTransfersIn) {
    const Bytes32 pool_p = make_partition(kPoolPrefix, 7, kUser2);
    expect_revert(
        transfer_by_partition(kUser0, kDefault, kUser0, kUser1, 40, change_partition_data(pool_p)),
        "Transfers to this partition must be to the partitionOwner");
    expect_revert(
        transfer_by_partition(kUser0, kDefault, kUser0, kUser2, 40, change_partition_data(pool_p)),
        "Partition owner is not a registered collateral manager");

    ASSERT_TRUE(register_collateral_manager(kUser2).success);
    expect_revert(
        transfer_by_partition(kUser0, kDefault, kUser0, kUser1, 40, change_partition_data(pool_p)),
        "Transfers to this partition must be to the partitionOwner");
    ExecResult ok =
        transfer_by_partition(kUser0, kDefault, kUser0, kUser2, 40, change_partition_data(pool_p));
    ASSERT_TRUE(ok.success) << ok.revert_reason;
    EXPECT_EQ(balance_of_by_partition(pool_p, kUser2), u256(40));
}

TEST_F(PartitionValidatorsTest, CollateralPoolLetsAnyoneTryToMoveTheManagersPool) {
    const Bytes32 pool_p = make_partition(kPoolPrefix, 7, kUser2);
    ASSERT_TRUE(register_collateral_manager(kUser2).success);
    ASSERT_TRUE(
        transfer_by_partition(kUser0, kDefault, kUser0, kUser2, 40, change_partition_data(pool_p))
            .success);

    // The manager's own sender hook is the only guard; an externally owned
    // manager has none, so any operator may move the pool.
    ExecResult r =
        transfer_by_partition(kUser3, pool_p, kUser2, kUser3, 15, change_partition_data(kDefault));
    ASSERT_TRUE(r.success) << r.revert_reason;
    EXPECT_EQ(balance_of_by_partition(pool_p, kUser2), u256(25));
    // Staying in the pool partition needs the owner as destination.
    expect_revert(transfer_by_partition(kUser3, pool_p, kUser2, kUser3, 1, Bytes{}),
                  "Transfers to this partition must be to the partitionOwner");

    // Typed, in Amp's frame: the scope holds only for the owner's own tokens
    // and only while the owner is a collateral manager.
    auto& pool = world_->require_contract<IAmpPartitionStrategyValidator>(kPool);
    state::CallContext frame = amp_frame(kPool);
    EXPECT_TRUE(pool.isOperatorForPartitionScope(frame, pool_p, kUser3, kUser2));
    EXPECT_FALSE(pool.isOperatorForPartitionScope(frame, pool_p, kUser3, kUser0));
    EXPECT_FALSE(pool.isOperatorForPartitionScope(frame, make_partition(kPoolPrefix, 7, kUser1),
                                                  kUser3, kUser1));
    EXPECT_EQ(view(kPool, scope_call(pool_p, kUser3, kUser2)).revert_reason,
              "Hook must be called by amp");
}

TEST_F(PartitionValidatorsTest, HolderCollateralTransfersIn) {
    const Bytes32 holder_p = make_partition(kHolderPrefix, 7, kUser2);
    expect_revert(transfer_by_partition(kUser0, kDefault, kUser0, kUser0, 300,
                                        change_partition_data(holder_p)),
                  "Partition owner is not a registered collateral manager");
    ASSERT_TRUE(register_collateral_manager(kUser2).success);
    expect_revert(transfer_by_partition(kUser0, kDefault, kUser0, kUser2, 40,
                                        change_partition_data(holder_p)),
                  "Transfers to this partitoin must not be to the partition owner address");
    ASSERT_TRUE(transfer_by_partition(kUser0, kDefault, kUser0, kUser0, 300,
                                      change_partition_data(holder_p))
                    .success);
    ASSERT_TRUE(
        transfer_by_partition(kUser0, kDefault, kUser0, kUser1, 40, change_partition_data(holder_p))
            .success);
    EXPECT_EQ(balance_of_by_partition(holder_p, kUser0), u256(300));
    EXPECT_EQ(balance_of_by_partition(holder_p, kUser1), u256(40));
}

TEST_F(PartitionValidatorsTest, HolderCollateralOperatorScope) {
    const Bytes32 holder_p = make_partition(kHolderPrefix, 7, kUser2);
    ASSERT_TRUE(register_collateral_manager(kUser2).success);
    ASSERT_TRUE(transfer_by_partition(kUser0, kDefault, kUser0, kUser0, 300,
                                      change_partition_data(holder_p))
                    .success);

    // The partition owner moves the holder's tokens.
    ExecResult by_owner = transfer_by_partition(kUser2, holder_p, kUser0, kUser2, 50,
                                                change_partition_data(kDefault));
    ASSERT_TRUE(by_owner.success) << by_owner.revert_reason;
    EXPECT_EQ(balance_of_by_partition(holder_p, kUser0), u256(250));

    // Someone else may not, until the owner makes them its operator.
    EXPECT_EQ(
        transfer_by_partition(kUser3, holder_p, kUser0, kUser3, 5, change_partition_data(kDefault))
            .revert_reason,
        "53");
    ASSERT_TRUE(
        tx(kUser2, kAmp,
           abi::Encoder().address(kUser3).finish_call(selector_of("authorizeOperator(address)")))
            .success);
    ExecResult by_operator =
        transfer_by_partition(kUser3, holder_p, kUser0, kUser3, 5, change_partition_data(kDefault));
    ASSERT_TRUE(by_operator.success) << by_operator.revert_reason;
    EXPECT_EQ(balance_of_by_partition(holder_p, kUser0), u256(245));

    auto& holder = world_->require_contract<IAmpPartitionStrategyValidator>(kHolder);
    state::CallContext frame = amp_frame(kHolder);
    EXPECT_TRUE(holder.isOperatorForPartitionScope(frame, holder_p, kUser2, kUser0));
    EXPECT_TRUE(holder.isOperatorForPartitionScope(frame, holder_p, kUser3, kUser1));
    EXPECT_FALSE(holder.isOperatorForPartitionScope(frame, holder_p, kUser1, kUser0));
}

TEST_F(PartitionValidatorsTest, HolderCollateralTransfersOut) {
    const Bytes32 holder_p = make_partition(kHolderPrefix, 7, kUser2);
    ASSERT_TRUE(register_collateral_manager(kUser2).success);
    ASSERT_TRUE(transfer_by_partition(kUser0, kDefault, kUser0, kUser0, 300,
                                      change_partition_data(holder_p))
                    .success);

    // Without a sender hook at the owner, the holder moves its own tokens.
    ASSERT_TRUE(
        transfer_by_partition(kUser0, holder_p, kUser0, kUser1, 10, change_partition_data(kDefault))
            .success);
    EXPECT_EQ(balance_of_by_partition(holder_p, kUser0), u256(290));

    // The owner names itself (an account without code) as its AmpTokensSender:
    // the validator's call to it now fails without data.
    const Bytes32 sender_hash = Erc1820Registry::interface_hash("AmpTokensSender");
    ASSERT_TRUE(
        tx(kUser2, erc1820_registry_address(),
           abi::Encoder()
               .address(kUser2)
               .bytes32(sender_hash)
               .address(kUser2)
               .finish_call(selector_of("setInterfaceImplementer(address,bytes32,address)")))
            .success);
    ExecResult r = transfer_by_partition(kUser0, holder_p, kUser0, kUser1, 10,
                                         change_partition_data(kDefault));
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.revert_kind, state::Revert::Kind::kEmpty);
    EXPECT_TRUE(r.output.empty());
    EXPECT_EQ(balance_of_by_partition(holder_p, kUser0), u256(290));
    // The owner's own transfers skip the hook.
    EXPECT_TRUE(
        transfer_by_partition(kUser2, holder_p, kUser0, kUser1, 10, change_partition_data(kDefault))
            .success);
}

TEST_F(PartitionValidatorsTest, HolderCollateralOwnedByAManagerContract) {
    // The FlexaCollateralManager is its own AmpTokensSender and accepts hook
    // calls only from Amp, so a holder cannot move tokens out of its space
    // (the validator, not Amp, is the caller).
    deploy("FlexaCollateralManager", kManager, kManagerOwner,
           abi::Encoder().address(kAmp).finish());
    const Bytes32 holder_p = make_partition(kHolderPrefix, 1, kManager);
    ASSERT_TRUE(transfer_by_partition(kUser0, kDefault, kUser0, kUser0, 500,
                                      change_partition_data(holder_p))
                    .success);
    expect_revert(
        transfer_by_partition(kUser0, holder_p, kUser0, kUser1, 5, change_partition_data(kDefault)),
        "Invalid sender");
    EXPECT_EQ(transfer_by_partition(kUser1, holder_p, kUser0, kUser1, 5, Bytes{}).revert_reason,
              "53");
    EXPECT_EQ(balance_of_by_partition(holder_p, kUser0), u256(500));
}

TEST_F(PartitionValidatorsTest, MalformedCallsRevertWithoutData) {
    for (const Address& v : {kPool, kHolder}) {
        for (const Bytes& data : {Bytes{}, Bytes{0x01, 0x02}, Bytes{0xde, 0xad, 0xbe, 0xef}}) {
            ExecResult r = tx(kUser0, v, data);
            EXPECT_FALSE(r.success);
            EXPECT_TRUE(r.output.empty());
        }
        // A hook call whose `data` offset points past the end.
        Bytes bad = hook_call("tokensFromPartitionToValidate", Bytes32{}, kUser0, kUser0, kUser1);
        bad[4 + 6 * 32 + 30] = 0x7f;
        ExecResult r = tx(kUser0, v, bad);
        EXPECT_FALSE(r.success);
        EXPECT_EQ(r.revert_kind, state::Revert::Kind::kEmpty);
    }
}

TEST_F(PartitionValidatorsTest, ConstructorNeedsTheAmpArgument) {
    ExecResult r =
        deploy_builtin(*world_, "HolderCollateralPartitionValidator",
                       A("0x00000000000000000000000000000000000000d1"), kOwner, Bytes{}, block_);
    EXPECT_FALSE(r.success);
    EXPECT_TRUE(r.output.empty());
}

}  // namespace
}  // namespace ampd::contracts
