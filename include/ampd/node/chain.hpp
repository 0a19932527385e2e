// The chain: the deterministic core of the node. It owns the world state,
// the account nonces and the head of the chain, admits and executes signed
// transactions into blocks, and seals blocks with their receipts.
//
// Nothing here does I/O, reads a clock or spawns threads: the node feeds it
// the same inputs when it runs live and when it replays the write-ahead log,
// so recovery reproduces exactly the state and the receipts clients saw.
// Not thread-safe: the node serializes access.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ampd/node/genesis.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/state/world.hpp"
#include "ampd/storage/history_types.hpp"
#include "ampd/tx/transaction.hpp"

namespace ampd::node {

// A transaction whose signature has been checked (sender recovered).
struct SignedTx {
    tx::Transaction tx;
    Address sender;
    Bytes32 hash;
    Bytes raw;
};

// Why a transaction was not admitted. Nothing about it is recorded.
struct Rejection {
    enum class Kind : uint8_t {
        kNoChainId,  // legacy pre-EIP-155 signature (replayable across chains)
        kWrongChainId,
        kNonceTooLow,
        kNonceTooHigh,
        kIntrinsicGasTooLow,
        kGasLimitTooHigh,
        kTipAboveFeeCap,     // EIP-1559: max priority fee above max fee
        kValueNotSupported,  // a non-zero native value: ampd has no native coin
        kBadCreation,        // creation payload that names no deployable type
    };
    Kind kind;
    std::string message;
};

// A creation transaction's calldata: abi.encode(string type, bytes args).
// The contract is placed where CREATE would put it: keccak256(rlp([sender,
// nonce]))[12:], and its constructor runs with the sender as msg.sender.
struct CreationPayload {
    std::string type;
    Bytes ctor_args;
};
[[nodiscard]] std::optional<CreationPayload> parse_creation(ByteView data);
[[nodiscard]] Address creation_address(const Address& sender, uint64_t nonce);

// The outcome of a read-only call or a gas estimate.
struct CallOutcome {
    state::ExecResult result;
    uint64_t gas_used = 0;
};

struct ChainHead {
    uint64_t number = 0;
    Bytes32 hash;
    Bytes32 state_root;
    uint64_t timestamp = 0;
};

struct SealedBlock {
    storage::BlockRecord block;
    std::vector<storage::TxRecord> txs;
    std::vector<storage::ReceiptRecord> receipts;
};

class Chain {
public:
    // A chain at its genesis block (number 0, no transactions).
    explicit Chain(const Genesis& genesis);
    // A chain restored from snapshot() bytes taken under the same genesis.
    // Throws state::SnapshotError on malformed bytes.
    Chain(const Genesis& genesis, ByteView snapshot);
    ~Chain();
    Chain(const Chain&) = delete;
    Chain& operator=(const Chain&) = delete;

    [[nodiscard]] uint64_t chain_id() const { return chain_id_; }
    [[nodiscard]] const ChainHead& head() const { return head_; }
    // The genesis block (number 0), to index at first start.
    [[nodiscard]] SealedBlock genesis_block() const;

    // Admission: would `t` be accepted now? (no state change)
    [[nodiscard]] std::optional<Rejection> check(const SignedTx& t) const;

    // Opens block head+1; `timestamp` must exceed the head's timestamp.
    void open_block(uint64_t timestamp);
    [[nodiscard]] bool block_open() const { return open_.has_value(); }
    [[nodiscard]] uint64_t open_block_number() const { return head_.number + 1; }
    [[nodiscard]] uint64_t open_block_timestamp() const;
    [[nodiscard]] size_t open_block_size() const { return open_ ? open_->txs.size() : 0; }
    // The open block's transaction with this hash, or null. A linear scan:
    // the lookup is rare (a client asking for a transaction that is
    // accepted but not sealed yet), while an index would cost every
    // transaction an insert and an erase.
    [[nodiscard]] const storage::TxRecord* open_transaction(const Bytes32& hash) const;
    // Executes an admitted transaction in the open block (the caller has
    // checked it with check()); a revert is recorded with status 0.
    const storage::ReceiptRecord& apply(SignedTx&& t);
    // Closes the open block and makes it the head.
    SealedBlock seal();

    // Next nonce of `a`: with the open block's transactions (pending) or as
    // of the head (latest).
    [[nodiscard]] uint64_t nonce(const Address& a, bool pending) const;

    // eth_call / eth_estimateGas against the current (pending) state; always
    // rolled back. `gas_limit` bounds the execution as for a transaction.
    [[nodiscard]] CallOutcome call(const Address& from, const std::optional<Address>& to,
                                   const Bytes& data, uint64_t gas_limit);

    [[nodiscard]] state::World& world() { return *world_; }
    [[nodiscard]] const state::World& world() const { return *world_; }

    // The whole state (world, nonces, head) at a sealed-block boundary.
    [[nodiscard]] Bytes snapshot() const;
    // keccak256 of snapshot(): equal hashes mean equal states.
    [[nodiscard]] Bytes32 state_hash() const;

private:
    struct OpenBlock {
        // Declared here, defaulted in chain.cpp: an implicit one would need
        // the member initializers below before Chain is complete, and clang
        // then finds OpenBlock not default-constructible for open_.emplace().
        OpenBlock();
        uint64_t timestamp = 0;
        std::vector<storage::TxRecord> txs;
        std::vector<storage::ReceiptRecord> receipts;
        // Transactions per sender in this block; only looked up, never
        // iterated, so its order cannot reach the state.
        std::unordered_map<Address, uint64_t, AddressHash> sent;
        uint64_t gas_used = 0;
        uint32_t log_count = 0;
    };

    // Runs `t`; its logs come back ABI-encoded in `raw_logs` (encoded once,
    // for the gas rule and the receipt alike).
    state::ExecResult execute(const SignedTx& t, uint64_t& gas_used,
                              std::vector<state::RawLog>& raw_logs);

    uint64_t chain_id_;
    storage::BlockRecord genesis_block_;
    std::unique_ptr<state::World> world_;
    std::unordered_map<Address, uint64_t, AddressHash> nonces_;
    ChainHead head_;
    std::optional<OpenBlock> open_;
    // Transactions in the last sealed block: the next block's vectors start
    // that large instead of growing by doubling (each doubling moves every
    // record so far).
    size_t last_block_txs_ = 0;
};

}  // namespace ampd::node
