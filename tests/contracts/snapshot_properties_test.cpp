// Snapshot property test: a world driven by long random sequences of every
// kind of operation (Amp transfers, partition operators and allowances,
// collateral managers, partition strategies, swaps, ownership transfers,
// registry entries, and the FlexaCollateralManager's supplies, withdrawals,
// fallback withdrawals, refunds and direct transfers) is saved and loaded at
// checkpoints. save -> load -> save must give the same bytes; the loaded
// world must then answer the same further operations with identical
// results (status, output, revert reason, logs, state writes) as the
// original, and end in the same state hash.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
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
#include "support/amp_harness.hpp"
#include "support/merkle_tree.hpp"

namespace ampd::contracts {
namespace {

using state::ExecResult;
using state::Message;
using test_support::addr_from;
using test_support::Harness;
using test_support::MerkleTree;
using FCM = FlexaCollateralManager;

Bytes32 repeated(uint8_t byte) {
    Bytes32 w;
    w.b.fill(byte);
    return w;
}

Bytes proof_operator_data(uint8_t flag, const Address& supplier, const u256& number,
                          const std::vector<Bytes32>& proof) {
    return abi::Encoder()
        .bytes32(repeated(flag))
        .address(supplier)
        .uint256(number)
        .bytes32_array(proof)
        .finish();
}

// Everything a client or the node can observe of a result.
void expect_same_result(const ExecResult& a, const ExecResult& b, size_t step) {
    SCOPED_TRACE("step " + std::to_string(step));
    EXPECT_EQ(a.success, b.success);
    EXPECT_EQ(a.output, b.output);
    EXPECT_EQ(a.revert_kind, b.revert_kind);
    EXPECT_EQ(a.revert_reason, b.revert_reason);
    EXPECT_EQ(a.state_writes, b.state_writes);
    EXPECT_EQ(a.refused, b.refused);
    ASSERT_EQ(a.logs.size(), b.logs.size());
    for (size_t i = 0; i < a.logs.size(); ++i) {
        EXPECT_EQ(a.logs[i].emitter, b.logs[i].emitter) << "log " << i;
        EXPECT_EQ(a.logs[i].event, b.logs[i].event) << "log " << i;
        EXPECT_EQ(a.logs[i].words, b.logs[i].words) << "log " << i;
        EXPECT_EQ(a.logs[i].blob, b.logs[i].blob) << "log " << i;
        EXPECT_EQ(a.logs[i].empty_literals, b.logs[i].empty_literals) << "log " << i;
    }
}

// The property-test world plus a generator of every other kind of
// operation. Two instances built from the same seed generate the same
// operations for as long as their worlds answer the same.
class WorldOps : public Harness {
public:
    explicit WorldOps(uint64_t seed) : Harness(seed) {}

    ExecResult next_op() {
        const uint64_t kind = rng_() % 100;
        if (kind < 35) return random_op();
        if (kind < 70) return manager_op();
        if (kind < 84) return amp_op();
        if (kind < 92) return registry_op();
        if (kind < 98) return swap_op();
        return deploy_manager();
    }

private:
    struct Withdrawal {
        Address manager;
        Address supplier;
        Bytes32 partition;
        u256 value;
        u256 max_nonce;
        std::vector<Bytes32> proof;
        Bytes32 root;
    };
    struct Fallback {
        Address manager;
        Address supplier;
        Bytes32 partition;
        u256 max_cumulative;
        std::vector<Bytes32> proof;
    };
    struct Supply {
        Address supplier;
        Bytes32 partition;
        u256 amount;
    };

    // --- Views through the ABI (simulate), as a client reads them.
    Bytes read(const Address& to, std::string_view sig, const abi::Encoder& args = {}) {
        const ExecResult r =
            world_->simulate(Message{owner_, to, args.finish_call(selector_of(sig))}, block_);
        EXPECT_TRUE(r.success) << sig;
        return r.output;
    }
    u256 read_u256(const Address& to, std::string_view sig, const abi::Encoder& args = {}) {
        return abi::Decoder(read(to, sig, args)).uint256(0).value_or(u256(0));
    }
    Address read_address(const Address& to, std::string_view sig, const abi::Encoder& args = {}) {
        return abi::Decoder(read(to, sig, args)).address(0).value_or(Address{});
    }
    Supply supply(const Address& m, uint64_t nonce) {
        const Bytes out = read(m, "nonceToSupply(uint256)", abi::Encoder().uint256(u256(nonce)));
        const abi::Decoder d(out);
        return Supply{d.address(0).value_or(Address{}), d.bytes32(1).value_or(Bytes32{}),
                      d.uint256(2).value_or(u256(0))};
    }
    u256 below(const u256& bound) {  // uniform-ish in [1, bound] for bound >= 1
        if (bound.is_zero()) return u256(0);
        if (!bound.fits_u64()) return u256(1 + rng_() % 1'000'000);
        return u256(1 + rng_() % bound.w[0]);
    }
    // Mostly the role holder, sometimes a random actor (which usually reverts).
    Address mostly(const Address& who) { return rng_() % 5 == 0 ? pick(actors_) : who; }
    Bytes32 pool_of(const Address& m, uint64_t sub) const {
        return make_partition(0xccccccccU, sub, m);
    }
    ExecResult transfer_by_partition(const Address& sender, const Bytes32& partition,
                                     const Address& from, const Address& to, const u256& value,
                                     const Bytes& data, const Bytes& operator_data) {
        return tx(sender, amp_, "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
                  abi::Encoder()
                      .bytes32(partition)
                      .address(from)
                      .address(to)
                      .uint256(value)
                      .bytes(data)
                      .bytes(operator_data));
    }

    // --- FlexaCollateralManager
    ExecResult manager_op() {
        const Address m = pick(managers_);
        const Address owner = read_address(m, "owner()");
        const u256 nonce = read_u256(m, "supplyNonce()");
        const uint64_t supplies = nonce.w[0];
        switch (rng_() % 16) {
            case 0:
            case 1:
            case 2: {
                const Address from = pick(actors_);
                const u256 bal = read_u256(amp_, "balanceOfByPartition(bytes32,address)",
                                           abi::Encoder().bytes32(Bytes32{}).address(from));
                const u256 value = rng_() % 5 == 0 ? amount() : below(bal);
                return transfer_by_partition(from, Bytes32{}, from, m, value,
                                             change_partition_data(pool_of(m, 1 + rng_() % 2)), {});
            }
            case 3: {
                // Publish a withdrawal root over the latest supplies.
                std::vector<Withdrawal> leaves;
                for (uint64_t n = supplies > 6 ? supplies - 5 : 1; n <= supplies; ++n) {
                    const Supply s = supply(m, n);
                    if (s.amount.is_zero()) continue;
                    const u256 max_nonce =
                        read_u256(m, "addressToWithdrawalNonce(bytes32,address)",
                                  abi::Encoder().bytes32(s.partition).address(s.supplier));
                    leaves.push_back(
                        Withdrawal{m, s.supplier, s.partition, below(s.amount), max_nonce, {}, {}});
                }
                if (leaves.empty()) return transfer_to_manager(m);
                std::vector<Bytes32> hashes;
                for (const Withdrawal& w : leaves) {
                    hashes.push_back(
                        FCM::withdrawal_leaf(w.supplier, w.partition, w.value, w.max_nonce));
                }
                const MerkleTree tree(hashes);
                const u256 root_nonce =
                    read_u256(m, "maxWithdrawalRootNonce()") + u256(rng_() % 8 == 0 ? 2 : 1);
                std::vector<Bytes32> replaced;
                if (!withdrawals_.empty() && rng_() % 3 == 0)
                    replaced.push_back(pick(withdrawals_).root);
                const ExecResult r =
                    tx(mostly(owner), m, "addWithdrawalRoot(bytes32,uint256,bytes32[])",
                       abi::Encoder()
                           .bytes32(tree.root())
                           .uint256(root_nonce)
                           .bytes32_array(replaced));
                if (r.success) {
                    for (size_t i = 0; i < leaves.size(); ++i) {
                        leaves[i].proof = tree.proof(i);
                        leaves[i].root = tree.root();
                        withdrawals_.push_back(leaves[i]);
                    }
                }
                return r;
            }
            case 4:
            case 5: {
                if (withdrawals_.empty()) return transfer_to_manager(m);
                const Withdrawal& w = pick(withdrawals_);
                const Bytes data = rng_() % 6 == 0 ? Bytes{} : change_partition_data(Bytes32{});
                return transfer_by_partition(
                    rng_() % 4 == 0 ? read_address(w.manager, "owner()") : w.supplier, w.partition,
                    w.manager, w.supplier, w.value, data,
                    proof_operator_data(FCM::kWithdrawalFlagByte, w.supplier, w.max_nonce,
                                        w.proof));
            }
            case 6: {
                // Publish a fallback root over the latest supplies.
                std::vector<Fallback> leaves;
                for (uint64_t n = supplies > 6 ? supplies - 5 : 1; n <= supplies; ++n) {
                    const Supply s = supply(m, n);
                    if (s.amount.is_zero()) continue;
                    const u256 withdrawn =
                        read_u256(m, "addressToCumulativeAmountWithdrawn(bytes32,address)",
                                  abi::Encoder().bytes32(s.partition).address(s.supplier));
                    leaves.push_back(
                        Fallback{m, s.supplier, s.partition, withdrawn + s.amount, {}});
                }
                if (leaves.empty()) return transfer_to_manager(m);
                std::vector<Bytes32> hashes;
                for (const Fallback& f : leaves) {
                    hashes.push_back(FCM::fallback_leaf(f.supplier, f.partition, f.max_cumulative));
                }
                const MerkleTree tree(hashes);
                const u256 included = read_u256(m, "fallbackMaxIncludedSupplyNonce()");
                const u256 max_nonce = included + u256(rng_() % (supplies - included.w[0] + 1));
                const ExecResult r = tx(mostly(owner), m, "setFallbackRoot(bytes32,uint256)",
                                        abi::Encoder().bytes32(tree.root()).uint256(max_nonce));
                if (r.success) {
                    for (size_t i = 0; i < leaves.size(); ++i) {
                        leaves[i].proof = tree.proof(i);
                        fallbacks_.push_back(leaves[i]);
                    }
                }
                return r;
            }
            case 7:
                return tx(mostly(owner), m, "setFallbackWithdrawalDelay(uint256)",
                          abi::Encoder().uint256(u256(1 + rng_() % 40)));
            case 8: {
                if (fallbacks_.empty()) return transfer_to_manager(m);
                block_.timestamp += rng_() % 64;  // let the fallback delay pass now and then
                const Fallback& f = pick(fallbacks_);
                return transfer_by_partition(
                    rng_() % 4 == 0 ? read_address(f.manager, "owner()") : f.supplier, f.partition,
                    f.manager, f.supplier, below(f.max_cumulative / u256(2)),
                    change_partition_data(Bytes32{}),
                    proof_operator_data(FCM::kFallbackWithdrawalFlagByte, f.supplier,
                                        f.max_cumulative, f.proof));
            }
            case 9: {
                if (supplies == 0) return transfer_to_manager(m);
                block_.timestamp += rng_() % 64;
                const uint64_t n = 1 + rng_() % supplies;
                const Supply s = supply(m, n);
                return transfer_by_partition(rng_() % 4 == 0 ? owner : s.supplier, s.partition, m,
                                             s.supplier.is_zero() ? pick(actors_) : s.supplier,
                                             s.amount, change_partition_data(Bytes32{}),
                                             abi::Encoder()
                                                 .bytes32(repeated(FCM::kRefundFlagByte))
                                                 .uint256(u256(n))
                                                 .finish());
            }
            case 10: {
                const Bytes32 pool = pool_of(m, 1 + rng_() % 2);
                const u256 bal = read_u256(amp_, "balanceOfByPartition(bytes32,address)",
                                           abi::Encoder().bytes32(pool).address(m));
                const Address sender =
                    rng_() % 3 == 0 ? read_address(m, "directTransferer()") : mostly(owner);
                return transfer_by_partition(sender, pool, m, pick(actors_), below(bal),
                                             change_partition_data(Bytes32{}),
                                             Bytes(32, FCM::kDirectTransferFlagByte));
            }
            case 11: {
                u256 delta(rng_() % 1'000'000);
                if (rng_() % 2 == 0) delta = u256(0) - delta;  // negative int256
                return tx(mostly(owner), m, "modifyWithdrawalLimit(int256)",
                          abi::Encoder().int256(delta));
            }
            case 12: {
                static constexpr std::string_view kRoles[] = {
                    "setWithdrawalPublisher(address)", "setFallbackPublisher(address)",
                    "setWithdrawalLimitPublisher(address)", "setDirectTransferer(address)",
                    "setPartitionManager(address)"};
                return tx(mostly(owner), m, kRoles[rng_() % 5],
                          abi::Encoder().address(pick(actors_)));
            }
            case 13: {
                const Bytes32 p =
                    rng_() % 6 == 0 ? pool_of(pick(actors_), 1) : pool_of(m, 1 + rng_() % 3);
                const Address sender =
                    rng_() % 6 == 0 ? read_address(m, "partitionManager()") : mostly(owner);
                return tx(sender, m,
                          rng_() % 2 == 0 ? "addPartition(bytes32)" : "removePartition(bytes32)",
                          abi::Encoder().bytes32(p));
            }
            case 14: {
                if (rng_() % 2 == 0) {
                    return tx(mostly(owner), m, "resetFallbackMechanismDate()", abi::Encoder());
                }
                std::vector<Bytes32> roots;
                if (!withdrawals_.empty()) roots.push_back(pick(withdrawals_).root);
                return tx(mostly(owner), m, "removeWithdrawalRoots(bytes32[])",
                          abi::Encoder().bytes32_array(roots));
            }
            default: {
                if (rng_() % 3 == 0) {
                    return tx(mostly(owner), m, "authorizeOwnershipTransfer(address)",
                              abi::Encoder().address(pick(actors_)));
                }
                if (rng_() % 2 == 0) {
                    return tx(pick(actors_), m, "requestRelease(bytes32,uint256,bytes)",
                              abi::Encoder()
                                  .bytes32(pool_of(m, 1))
                                  .uint256(amount())
                                  .bytes(Bytes{1, 2, 3}));
                }
                return tx(mostly(read_address(m, "authorizedNewOwner()")), m, "assumeOwnership()",
                          abi::Encoder());
            }
        }
    }

    ExecResult transfer_to_manager(const Address& m) {
        const Address from = pick(actors_);
        return transfer_by_partition(from, Bytes32{}, from, m, u256(1 + rng_() % 1000),
                                     change_partition_data(pool_of(m, 1)), {});
    }

    // --- Amp beyond the base generator
    ExecResult amp_op() {
        const Address from = pick(actors_);
        const Bytes32 part = pick(partitions_);
        const Address amp_owner = read_address(amp_, "owner()");
        switch (rng_() % 10) {
            case 0:
                return tx(from, amp_, "authorizeOperatorByPartition(bytes32,address)",
                          abi::Encoder().bytes32(part).address(pick(actors_)));
            case 1:
                return tx(from, amp_, "revokeOperatorByPartition(bytes32,address)",
                          abi::Encoder().bytes32(part).address(pick(actors_)));
            case 2:
                return tx(from, amp_, "increaseAllowanceByPartition(bytes32,address,uint256)",
                          abi::Encoder().bytes32(part).address(pick(actors_)).uint256(amount()));
            case 3:
                return tx(from, amp_, "decreaseAllowanceByPartition(bytes32,address,uint256)",
                          abi::Encoder().bytes32(part).address(pick(actors_)).uint256(amount()));
            case 4:
                return tx(from, amp_,
                          rng_() % 2 == 0 ? "increaseAllowance(address,uint256)"
                                          : "decreaseAllowance(address,uint256)",
                          abi::Encoder().address(pick(actors_)).uint256(amount()));
            case 5:
                return tx(from, amp_, "registerCollateralManager()", abi::Encoder());
            case 6: {
                static constexpr uint32_t kPrefixes[] = {0x11111111U, 0x22222222U, 0xddddddddU,
                                                         0xccccccccU};
                Bytes4 prefix;
                const uint32_t p = kPrefixes[rng_() % 4];
                for (int i = 0; i < 4; ++i) prefix.b[i] = static_cast<uint8_t>(p >> (24 - 8 * i));
                return tx(
                    mostly(amp_owner), amp_, "setPartitionStrategy(bytes4,address)",
                    abi::Encoder().bytes4(prefix).address(rng_() % 2 == 0 ? Address{} : amp_));
            }
            case 7:
                return tx(mostly(amp_owner), amp_, "authorizeOwnershipTransfer(address)",
                          abi::Encoder().address(rng_() % 4 == 0 ? owner_ : pick(actors_)));
            case 8:
                return tx(mostly(read_address(amp_, "authorizedNewOwner()")), amp_,
                          "assumeOwnership()", abi::Encoder());
            default:
                return tx(from, amp_, "revokeOperator(address)",
                          abi::Encoder().address(pick(actors_)));
        }
    }

    // --- ERC-1820 registry
    ExecResult registry_op() {
        const Address reg = erc1820_registry_address();
        const Address from = pick(actors_);
        static const Bytes32 kHashes[] = {
            Erc1820Registry::interface_hash("Foo"), Erc1820Registry::interface_hash("Bar"),
            Amp::tokens_recipient_interface_hash(), Amp::tokens_sender_interface_hash()};
        const Bytes32 hash = kHashes[rng_() % 4];
        switch (rng_() % 4) {
            case 0:
                // Naming itself as its own hook makes the actor's transfers
                // revert until it resets the entry (the common case).
                return tx(from, reg, "setInterfaceImplementer(address,bytes32,address)",
                          abi::Encoder()
                              .address(rng_() % 2 == 0 ? Address{} : from)
                              .bytes32(hash)
                              .address(rng_() % 3 == 0 ? from : Address{}));
            case 1:
                return tx(
                    from, reg, "setManager(address,address)",
                    abi::Encoder().address(from).address(rng_() % 2 == 0 ? from : pick(actors_)));
            case 2: {
                const Address addr = pick(actors_);
                const Address manager =
                    read_address(reg, "getManager(address)", abi::Encoder().address(addr));
                return tx(mostly(manager), reg, "setInterfaceImplementer(address,bytes32,address)",
                          abi::Encoder().address(addr).bytes32(hash).address(Address{}));
            }
            default:
                return tx(from, reg, "updateERC165Cache(address,bytes4)",
                          abi::Encoder()
                              .address(rng_() % 2 == 0 ? from : pick(managers_))
                              .bytes4(rng_() % 2 == 0 ? *Bytes4::from_hex("0x01ffc9a7")
                                                      : *Bytes4::from_hex("0x12345678")));
        }
    }

    // --- Swap token and swaps
    ExecResult swap_op() {
        const Address a = pick(actors_);
        const Address fxc_owner = read_address(swap_, "owner()");
        switch (rng_() % 6) {
            case 0:
                return tx(mostly(fxc_owner), swap_, "mint(address,uint256)",
                          abi::Encoder().address(a).uint256(amount()));
            case 1: {
                // Usually exactly the balance, so that the swap can succeed.
                const u256 bal = read_u256(swap_, "balanceOf(address)", abi::Encoder().address(a));
                return tx(a, swap_, "approve(address,uint256)",
                          abi::Encoder().address(amp_).uint256(rng_() % 4 == 0 ? amount() : bal));
            }
            case 2:
            case 3:
                return tx(pick(actors_), amp_, "swap(address)", abi::Encoder().address(a));
            case 4:
                return tx(a, swap_, "transfer(address,uint256)",
                          abi::Encoder().address(pick(actors_)).uint256(amount()));
            default:
                return tx(mostly(fxc_owner), swap_, "transferOwnership(address)",
                          abi::Encoder().address(rng_() % 2 == 0 ? owner_ : pick(actors_)));
        }
    }

    // A new collateral manager (at most a few), which registers with Amp.
    ExecResult deploy_manager() {
        if (extra_managers_ >= 3) return amp_op();
        const Address m = addr_from(0x3000 + extra_managers_);
        ++block_.number;
        ExecResult r = deploy_builtin(*world_, "FlexaCollateralManager", m, pick(actors_),
                                      abi::Encoder().address(amp_).finish(), block_);
        if (r.success) {
            ++extra_managers_;
            managers_.push_back(m);
            holders_.push_back(m);
            partitions_.push_back(pool_of(m, 1));
        }
        return r;
    }

    std::vector<Withdrawal> withdrawals_;
    std::vector<Fallback> fallbacks_;
    uint32_t extra_managers_ = 0;
};

class SnapshotProperties : public ::testing::TestWithParam<uint64_t> {};

TEST_P(SnapshotProperties, LoadedWorldBehavesExactlyLikeTheOriginal) {
    constexpr size_t kSteps = 1500;
    constexpr size_t kCheckpointEvery = 50;
    // `original` runs uninterrupted; `recovered` is replaced by a load of its
    // own snapshot at every checkpoint, as a node restarting from one.
    WorldOps original(GetParam());
    WorldOps recovered(GetParam());
    std::map<std::string, size_t> events;
    size_t successes = 0;
    for (size_t step = 0; step <= kSteps; ++step) {
        if (step % kCheckpointEvery == 0) {
            SCOPED_TRACE("checkpoint at step " + std::to_string(step));
            const Bytes snap = save_world(*recovered.world_);
            ASSERT_EQ(snap, save_world(*original.world_));
            std::unique_ptr<state::World> loaded = load_world(snap);
            ASSERT_EQ(save_world(*loaded), snap);
            ASSERT_EQ(state_hash(*loaded), state_hash(*original.world_));
            ASSERT_EQ(state_hash(*loaded), keccak256(ByteView(snap)));
            EXPECT_TRUE(loaded->contract_as<Amp>(original.amp_)->check_invariants().empty());
            recovered.world_ = std::move(loaded);
        }
        if (step == kSteps) break;
        const ExecResult a = original.next_op();
        const ExecResult b = recovered.next_op();
        expect_same_result(a, b, step);
        if (::testing::Test::HasFailure()) break;
        if (a.success) {
            ++successes;
            for (const auto& log : a.logs) ++events[log.event->name];
        }
    }
    EXPECT_EQ(state_hash(*original.world_), state_hash(*recovered.world_));
    EXPECT_EQ(original.digest(), recovered.digest());

    // The generator must reach the paths whose state the snapshot carries.
    EXPECT_GT(successes, kSteps / 3);
    for (const char* name :
         {"SupplyReceipt", "WithdrawalRootHashAddition", "WithdrawalRootHashRemoval", "Withdrawal",
          "FallbackRootHashSet", "FallbackWithdrawal", "SupplyRefund", "DirectTransfer",
          "WithdrawalLimitUpdate", "AuthorizedOperatorByPartition", "ApprovalByPartition",
          "CollateralManagerRegistered", "PartitionStrategySet", "Swap", "OwnerUpdate",
          "InterfaceImplementerSet", "ManagerChanged", "PartitionAdded", "PartitionRemoved"}) {
        EXPECT_GT(events[name], 0U) << "no successful operation emitted " << name;
    }
    std::cout << "[ snapshot ] " << successes << " of " << kSteps << " succeeded;";
    for (const char* name : {"Withdrawal", "FallbackWithdrawal", "SupplyRefund", "DirectTransfer",
                             "OwnerUpdate", "SupplyReceipt"}) {
        std::cout << " " << name << "=" << events[name];
    }
    std::cout << "\n";
}

INSTANTIATE_TEST_SUITE_P(Seeds, SnapshotProperties, ::testing::Values(11, 12, 13, 14, 15, 16));

}  // namespace
}  // namespace ampd::contracts
