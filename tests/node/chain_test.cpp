#include "ampd/node/chain.hpp"

#include <gtest/gtest.h>

#include "ampd/node/gas_schedule.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/snapshot_codec.hpp"
#include "ampd/tx/secp256k1.hpp"
#include "ampd/tx/transaction.hpp"
#include "support/signed_tx.hpp"

namespace ampd::node {
namespace {

const u256 kToken = u256(1'000'000'000'000'000'000ULL);

class ChainTest : public ::testing::Test {
protected:
    ChainTest()
        : keys_(test_support::dev_keys(3)),
          genesis_(dev_genesis(
              {tx::address_of(keys_[0]), tx::address_of(keys_[1]), tx::address_of(keys_[2])})),
          chain_(genesis_) {}

    Address addr(int i) const { return tx::address_of(keys_[i]); }
    Address amp() const { return genesis_.contract("amp")->address; }

    // A signed type-2 transaction from account `i` with its next nonce.
    SignedTx make_tx(int i, std::optional<Address> to, Bytes data, uint64_t gas_limit = 500'000,
                     std::optional<uint64_t> nonce = std::nullopt, uint64_t chain_id = 31337) {
        test_support::TxSpec spec;
        spec.chain_id = chain_id;
        spec.nonce = nonce.value_or(chain_.nonce(addr(i), true));
        spec.to = to;
        spec.data = std::move(data);
        spec.gas_limit = gas_limit;
        return test_support::sign(keys_[i], spec);
    }

    Bytes transfer(const Address& to, const u256& v) {
        return abi::Encoder().address(to).uint256(v).finish_call(
            selector_of("transfer(address,uint256)"));
    }

    u256 balance(const Address& who) {
        CallOutcome o =
            chain_.call(Address{}, amp(),
                        abi::Encoder().address(who).finish_call(selector_of("balanceOf(address)")),
                        gas::kMaxTransactionGas);
        EXPECT_TRUE(o.result.success);
        return *abi::Decoder(o.result.output).uint256(0);
    }

    const storage::ReceiptRecord& run(SignedTx t) {
        EXPECT_FALSE(chain_.check(t).has_value());
        if (!chain_.block_open()) chain_.open_block(chain_.head().timestamp + 1);
        return chain_.apply(std::move(t));
    }

    std::vector<tx::PrivateKey> keys_;
    Genesis genesis_;
    Chain chain_;
};

TEST_F(ChainTest, GenesisFundsAccountsAndStartsAtBlockZero) {
    EXPECT_EQ(chain_.head().number, 0U);
    EXPECT_EQ(chain_.head().timestamp, genesis_.timestamp);
    EXPECT_EQ(balance(addr(1)), u256(1'000'000) * kToken);
    EXPECT_EQ(chain_.nonce(addr(0), true), 0U);
    EXPECT_EQ(chain_.genesis_block().block.hash, chain_.head().hash);
}

TEST_F(ChainTest, TransferExecutesIntoASealedBlock) {
    const Bytes32 parent = chain_.head().hash;
    const storage::ReceiptRecord& r = run(make_tx(1, amp(), transfer(addr(2), u256(5) * kToken)));
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.block_number, 1U);
    EXPECT_EQ(r.from, addr(1));
    ASSERT_EQ(r.logs.size(), 2U);  // TransferByPartition and Transfer
    EXPECT_EQ(r.logs[0].address, amp());
    EXPECT_EQ(r.logs[1].log_index, 1U);
    EXPECT_GT(r.gas_used, gas::kTransaction);
    EXPECT_EQ(chain_.nonce(addr(1), true), 1U);
    EXPECT_EQ(chain_.nonce(addr(1), false), 0U);  // not sealed yet

    const SealedBlock b = chain_.seal();
    EXPECT_EQ(b.block.number, 1U);
    EXPECT_EQ(b.block.parent_hash, parent);
    EXPECT_EQ(b.block.tx_hashes.size(), 1U);
    EXPECT_EQ(b.receipts.size(), 1U);
    EXPECT_EQ(chain_.head().hash, b.block.hash);
    EXPECT_EQ(chain_.nonce(addr(1), false), 1U);
    EXPECT_EQ(balance(addr(2)), u256(1'000'005) * kToken);
    bool any_bit = false;
    for (uint8_t x : b.block.logs_bloom) any_bit |= x != 0;
    EXPECT_TRUE(any_bit);
}

TEST_F(ChainTest, AdmissionRejectsWithPreciseReasons) {
    using K = Rejection::Kind;
    auto kind = [&](const SignedTx& t) { return chain_.check(t)->kind; };
    EXPECT_EQ(kind(make_tx(0, amp(), {}, 100'000, std::nullopt, 1)), K::kWrongChainId);
    EXPECT_EQ(chain_.check(make_tx(0, amp(), {}, 100'000, std::nullopt, 1))->message,
              "invalid chain id: expected 31337, got 1");
    EXPECT_EQ(kind(make_tx(0, amp(), {}, 100'000, 3)), K::kNonceTooHigh);
    EXPECT_EQ(kind(make_tx(0, amp(), {}, 20'000)), K::kIntrinsicGasTooLow);
    EXPECT_EQ(kind(make_tx(0, amp(), {}, gas::kMaxTransactionGas + 1)), K::kGasLimitTooHigh);
    run(make_tx(0, amp(), transfer(addr(1), u256(1))));
    EXPECT_EQ(kind(make_tx(0, amp(), {}, 100'000, 0)), K::kNonceTooLow);
    EXPECT_EQ(chain_.check(make_tx(0, amp(), {}, 100'000, 0))->message,
              "nonce too low: next nonce 1, tx nonce 0");
    EXPECT_EQ(kind(make_tx(0, std::nullopt, Bytes{1, 2, 3})), K::kBadCreation);
}

TEST_F(ChainTest, RevertKeepsStateButAdvancesNonce) {
    const u256 before = balance(addr(1));
    const storage::ReceiptRecord& r =
        run(make_tx(1, amp(), transfer(addr(2), u256(10'000'000) * kToken)));
    EXPECT_EQ(r.status, 0);
    EXPECT_TRUE(r.logs.empty());
    EXPECT_FALSE(r.revert_data.empty());  // Error(string)
    EXPECT_EQ(balance(addr(1)), before);
    EXPECT_EQ(chain_.nonce(addr(1), true), 1U);
}

TEST_F(ChainTest, EstimateIsExactlyEnoughGas) {
    const Bytes data = transfer(addr(2), u256(7));
    const CallOutcome est = chain_.call(addr(1), amp(), data, gas::kMaxTransactionGas);
    ASSERT_TRUE(est.result.success);

    const storage::ReceiptRecord& short_of_gas = run(make_tx(1, amp(), data, est.gas_used - 1));
    EXPECT_EQ(short_of_gas.status, 0);
    EXPECT_EQ(short_of_gas.gas_used, est.gas_used - 1);
    EXPECT_EQ(balance(addr(2)), u256(1'000'000) * kToken);

    const CallOutcome again = chain_.call(addr(1), amp(), data, gas::kMaxTransactionGas);
    const storage::ReceiptRecord& enough = run(make_tx(1, amp(), data, again.gas_used));
    EXPECT_EQ(enough.status, 1);
    EXPECT_EQ(enough.gas_used, again.gas_used);
    EXPECT_EQ(balance(addr(2)), u256(1'000'000) * kToken + u256(7));
}

TEST_F(ChainTest, CreationTransactionDeploysAManagerOwnedByTheSender) {
    const Bytes payload = abi::Encoder()
                              .string("FlexaCollateralManager")
                              .bytes(abi::Encoder().address(amp()).finish())
                              .finish();
    const Address expected = tx::create_address(addr(2), 0);
    const CallOutcome est = chain_.call(addr(2), std::nullopt, payload, gas::kMaxTransactionGas);
    ASSERT_TRUE(est.result.success);
    EXPECT_EQ(chain_.world().contract_at(expected), nullptr);  // the estimate left no trace

    const storage::ReceiptRecord& r = run(make_tx(2, std::nullopt, payload, est.gas_used));
    ASSERT_EQ(r.status, 1);
    ASSERT_TRUE(r.contract_address.has_value());
    EXPECT_EQ(*r.contract_address, expected);
    const CallOutcome owner =
        chain_.call(Address{}, expected, abi::Encoder().finish_call(selector_of("owner()")),
                    gas::kMaxTransactionGas);
    ASSERT_TRUE(owner.result.success);
    EXPECT_EQ(*abi::Decoder(owner.result.output).address(0), addr(2));
}

TEST_F(ChainTest, CreationTransactionDeploysAClearinghouse) {
    const Bytes payload = abi::Encoder()
                              .string("Clearinghouse")
                              .bytes(abi::Encoder().address(amp()).finish())
                              .finish();
    const Address created = tx::create_address(addr(2), 0);
    const CallOutcome est = chain_.call(addr(2), std::nullopt, payload, gas::kMaxTransactionGas);
    ASSERT_TRUE(est.result.success);
    const storage::ReceiptRecord& r = run(make_tx(2, std::nullopt, payload, est.gas_used));
    ASSERT_EQ(r.status, 1);
    ASSERT_EQ(r.contract_address, created);

    // The dev manager's owner (account 1) registers its partition with the
    // new Clearinghouse too: pools are per Clearinghouse.
    const Address manager = genesis_.contract("collateralManager")->address;
    const Bytes32 partition = dev_collateral_partition(manager);
    const Bytes reg =
        abi::Encoder().address(manager).bytes32(partition).uint256(u256(1)).finish_call(
            selector_of("registerPool(address,bytes32,uint8)"));
    EXPECT_EQ(run(make_tx(2, created, reg)).status, 0);  // not the manager's owner
    EXPECT_EQ(run(make_tx(1, created, reg)).status, 1);
    const CallOutcome pool =
        chain_.call(Address{}, created,
                    abi::Encoder().address(manager).bytes32(partition).finish_call(
                        selector_of("poolOf(address,bytes32)")),
                    gas::kMaxTransactionGas);
    ASSERT_TRUE(pool.result.success);
    const abi::Decoder d(pool.result.output);
    EXPECT_EQ(d.boolean(0), true);
    EXPECT_EQ(d.uint256(1), u256(1));  // its own expiry policy, not the genesis pool's 0
}

TEST_F(ChainTest, SnapshotRestoresTheSameStateAndBehaviour) {
    run(make_tx(1, amp(), transfer(addr(2), u256(3))));
    run(make_tx(2, amp(), transfer(addr(0), u256(4))));
    chain_.seal();
    const Bytes snap = chain_.snapshot();
    Chain restored(genesis_, snap);
    EXPECT_EQ(restored.state_hash(), chain_.state_hash());
    EXPECT_EQ(restored.head().hash, chain_.head().hash);
    EXPECT_EQ(restored.nonce(addr(1), true), 1U);

    SignedTx t = make_tx(1, amp(), transfer(addr(0), u256(9)));
    SignedTx copy = t;
    run(std::move(t));
    restored.open_block(chain_.open_block_timestamp());
    restored.apply(std::move(copy));
    EXPECT_EQ(restored.seal().block.hash, chain_.seal().block.hash);
    EXPECT_EQ(restored.state_hash(), chain_.state_hash());
}

TEST_F(ChainTest, SnapshotFromAnotherChainIsRefused) {
    Genesis other = genesis_;
    other.chain_id = 5;
    Chain foreign(other);
    EXPECT_THROW(Chain(genesis_, foreign.snapshot()), state::SnapshotError);
}

}  // namespace
}  // namespace ampd::node
