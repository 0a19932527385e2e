// The world of the Clearinghouse tests: Amp with the collateral pool
// strategy, a FlexaCollateralManager with two permitted pool partitions
// that has given the Clearinghouse its direct transferer, withdrawal
// publisher and fallback publisher roles, a pool registered on the first
// partition with one assurer, and funded suppliers. Everything goes through
// World::execute with ABI calldata, as a client's transactions would.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "support/literals.hpp"

namespace ampd::test_support {

using contracts::Clearinghouse;
using contracts::FlexaCollateralManager;
using state::BlockContext;
using state::ExecResult;
using state::LogRecord;
using state::Message;

inline const Address kAmpOwner = A("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
inline const Address kManagerOwner = A("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
inline const Address kAssurer = A("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
inline const Address kStranger = A("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
inline const Address kBeneficiary = A("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
inline const Address kSupplierA = A("0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc");
inline const Address kSupplierB = A("0x976ea74026e726554db657fa54763abd0c3a0aa9");
inline const Address kSupplierC = A("0x14dc79964da2c08b23698b3d3cc7ca32193d9955");
inline const Address kSwap = A("0x5fbdb2315678afecb367f032d93f642f64180aa3");
inline const Address kAmp = A("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
inline const Address kPoolValidator = A("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
inline const Address kManager = A("0x8464135c8f25da09e49bc8782676a84730c318bc");
inline const Address kClearinghouse = A("0xc1ea000000000000000000000000000000000001");

inline const u256 kToken = u256(1'000'000'000'000'000'000ULL);
inline u256 tokens(uint64_t n) {
    return u256(n) * kToken;
}

inline Bytes32 id_of(uint64_t n) {
    return keccak256(std::string_view("guarantee-" + std::to_string(n)));
}

// Decoded return words of a successful call.
struct Out {
    abi::Decoder d;
    u256 u(size_t i) const { return d.uint256(i).value_or(u256()); }
    Address a(size_t i) const { return d.address(i).value_or(Address{}); }
    Bytes32 b(size_t i) const { return d.bytes32(i).value_or(Bytes32{}); }
    bool flag(size_t i) const { return d.boolean(i).value_or(false); }
};

class ClearinghouseWorld {
public:
    ClearinghouseWorld() {
        world_ = contracts::new_world();
        block_.number = 1;
        block_.timestamp = 1'700'000'000;
        deploy("SwapToken", kSwap, kAmpOwner, {});
        deploy("Amp", kAmp, kAmpOwner,
               abi::Encoder().address(kSwap).string("Amp").string("AMP").finish());
        deploy("CollateralPoolPartitionValidator", kPoolValidator, kAmpOwner,
               abi::Encoder().address(kAmp).finish());
        must(tx(kAmpOwner, kAmp, "setPartitionStrategy(bytes4,address)",
                abi::Encoder().bytes4(B4("0xcccccccc")).address(kPoolValidator)));
        deploy("FlexaCollateralManager", kManager, kManagerOwner,
               abi::Encoder().address(kAmp).finish());
        must(tx(kManagerOwner, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool_)));
        must(tx(kManagerOwner, kManager, "addPartition(bytes32)", abi::Encoder().bytes32(pool2_)));
        deploy("Clearinghouse", kClearinghouse, kAmpOwner, abi::Encoder().address(kAmp).finish());
        for (std::string_view role :
             {"setDirectTransferer(address)", "setWithdrawalPublisher(address)",
              "setFallbackPublisher(address)"}) {
            must(tx(kManagerOwner, kManager, role, abi::Encoder().address(kClearinghouse)));
        }
        for (const Address& a : {kSupplierA, kSupplierB, kSupplierC, kAssurer, kStranger}) {
            fund(a, tokens(1'000'000));
        }
    }
    virtual ~ClearinghouseWorld() = default;

    // --- Transactions.
    void advance(uint64_t seconds) { block_.timestamp += seconds; }
    ExecResult tx(const Address& from, const Address& to, std::string_view sig,
                  const abi::Encoder& args = abi::Encoder()) {
        block_.number += 1;
        block_.timestamp += 1;
        return world_->execute(Message{from, to, args.finish_call(selector_of(sig))}, block_);
    }
    ExecResult call(const Address& to, std::string_view sig,
                    const abi::Encoder& args = abi::Encoder()) {
        return world_->simulate(Message{kStranger, to, args.finish_call(selector_of(sig))}, block_);
    }
    ExecResult ch(const Address& from, std::string_view sig,
                  const abi::Encoder& args = abi::Encoder()) {
        return tx(from, kClearinghouse, sig, args);
    }
    Out ch_view(std::string_view sig, const abi::Encoder& args) {
        ExecResult r = call(kClearinghouse, sig, args);
        EXPECT_TRUE(r.success) << sig << ": " << r.revert_reason;
        out_buffers_.push_back(std::make_unique<Bytes>(r.output));
        return Out{abi::Decoder(*out_buffers_.back())};
    }
    static void must(const ExecResult& r) {
        ASSERT_TRUE(r.success) << "reverted: " << r.revert_reason;
    }
    void deploy(std::string_view type, const Address& at, const Address& from, const Bytes& args) {
        must(contracts::deploy_builtin(*world_, type, at, from, args, block_));
    }
    void fund(const Address& u, const u256& amount) {
        must(tx(kAmpOwner, kSwap, "mint(address,uint256)",
                abi::Encoder().address(u).uint256(amount)));
        must(
            tx(u, kSwap, "approve(address,uint256)", abi::Encoder().address(kAmp).uint256(amount)));
        must(tx(u, kAmp, "swap(address)", abi::Encoder().address(u)));
    }

    // --- Amp and the manager.
    ExecResult supply(const Address& supplier, const u256& value, const Bytes32& partition) {
        return tx(supplier, kAmp,
                  "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
                  abi::Encoder()
                      .bytes32(Bytes32{})
                      .address(supplier)
                      .address(kManager)
                      .uint256(value)
                      .bytes(contracts::change_partition_data(partition))
                      .bytes(Bytes{}));
    }
    ExecResult supply(const Address& supplier, const u256& value) {
        return supply(supplier, value, pool_);
    }
    ExecResult request_release(const Address& supplier, const u256& amount,
                               const Bytes32& partition) {
        return tx(supplier, kManager, "requestRelease(bytes32,uint256,bytes)",
                  abi::Encoder().bytes32(partition).uint256(amount).bytes(Bytes{}));
    }
    ExecResult request_release(const Address& supplier, const u256& amount) {
        return request_release(supplier, amount, pool_);
    }
    // Withdraws `value` out of the manager's `partition` to the supplier's
    // default partition, authorized by `operator_data`.
    ExecResult withdraw(const Address& supplier, const Bytes32& partition, const u256& value,
                        const Bytes& operator_data) {
        return tx(supplier, kAmp,
                  "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
                  abi::Encoder()
                      .bytes32(partition)
                      .address(kManager)
                      .address(supplier)
                      .uint256(value)
                      .bytes(contracts::change_partition_data(Bytes32{}))
                      .bytes(operator_data));
    }
    u256 amp_balance(const Bytes32& partition, const Address& holder) {
        ExecResult r = call(kAmp, "balanceOfByPartition(bytes32,address)",
                            abi::Encoder().bytes32(partition).address(holder));
        EXPECT_TRUE(r.success);
        return abi::Decoder(r.output).uint256(0).value_or(u256());
    }
    u256 pool_balance() { return amp_balance(pool_, kManager); }

    // --- The Clearinghouse.
    ExecResult register_pool(const Address& from, const Bytes32& partition, uint8_t policy) {
        return ch(from, "registerPool(address,bytes32,uint8)",
                  abi::Encoder().address(kManager).bytes32(partition).uint256(u256(policy)));
    }
    ExecResult set_assurer(const Address& from, const Bytes32& partition, const Address& who,
                           bool allowed) {
        return ch(
            from, "setAssurer(address,bytes32,address,bool)",
            abi::Encoder().address(kManager).bytes32(partition).address(who).boolean(allowed));
    }
    ExecResult open(const Address& from, const Bytes32& id, const u256& amount,
                    const Address& beneficiary, uint64_t expires_at, const Bytes32& partition,
                    const Bytes32& ref = Bytes32{}) {
        return ch(from, "openGuarantee(bytes32,address,bytes32,uint256,address,uint64,bytes32)",
                  abi::Encoder()
                      .bytes32(id)
                      .address(kManager)
                      .bytes32(partition)
                      .uint256(amount)
                      .address(beneficiary)
                      .uint256(u256(expires_at))
                      .bytes32(ref));
    }
    ExecResult open(const Bytes32& id, const u256& amount, uint64_t ttl = 3600) {
        return open(kAssurer, id, amount, kBeneficiary, block_.timestamp + ttl, pool_);
    }
    ExecResult settle(const Address& from, const Bytes32& id) {
        return ch(from, "settleGuarantee(bytes32)", abi::Encoder().bytes32(id));
    }
    ExecResult claim(const Address& from, const Bytes32& id) {
        return ch(from, "claimGuarantee(bytes32)", abi::Encoder().bytes32(id));
    }
    ExecResult release_expired(const Address& from, const Bytes32& id) {
        return ch(from, "releaseExpired(bytes32)", abi::Encoder().bytes32(id));
    }
    ExecResult publish(const Address& from) {
        return ch(from, "publishWithdrawalRoot(address)", abi::Encoder().address(kManager));
    }
    ExecResult publish_fallback(const Address& from) {
        return ch(from, "publishFallbackRoot(address)", abi::Encoder().address(kManager));
    }

    Clearinghouse::PoolInfo pool_info(const Bytes32& partition) {
        // As a view in the next block would see it.
        return clearinghouse().poolOf(*world_, kManager, partition, block_.timestamp + 1);
    }
    Clearinghouse::StakeInfo stake(const Address& supplier, const Bytes32& partition) {
        return clearinghouse().stakeOf(*world_, kManager, partition, supplier);
    }
    Clearinghouse::StakeInfo stake(const Address& supplier) { return stake(supplier, pool_); }

    Clearinghouse& clearinghouse() { return *world_->contract_as<Clearinghouse>(kClearinghouse); }
    FlexaCollateralManager& fcm() { return *world_->contract_as<FlexaCollateralManager>(kManager); }
    Bytes32 state_hash() { return contracts::state_hash(*world_); }

    std::unique_ptr<state::World> world_;
    BlockContext block_;
    const Bytes32 pool_ = contracts::make_partition(0xcccccccc, 1, kManager);
    const Bytes32 pool2_ = contracts::make_partition(0xcccccccc, 2, kManager);
    std::vector<std::unique_ptr<Bytes>> out_buffers_;
};

}  // namespace ampd::test_support
