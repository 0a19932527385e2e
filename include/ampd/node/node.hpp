// The node: the chain behind a sequencer thread, the write-ahead log, the
// snapshot store and the history store.
//
// The path of a transaction: an RPC thread decodes it and recovers its sender
// (in parallel across threads), then hands it to submit(), which queues it
// for the sequencer and waits. The sequencer takes everything queued as one
// batch, admits and executes each transaction on the chain, and hands the
// batch's log records to the WAL's group commit. While the WAL syncs batch
// N, arriving transactions queue up and become batch N+1 when the sync ends
// (or at once when many are queued), so a batch costs one sequencer wakeup
// and one fdatasync however many transactions it holds. Once a batch is
// durable, an indexer thread writes its sealed blocks to the history store
// (off the WAL's thread, so the next fdatasync never waits for RocksDB). A
// submitter is answered once its transaction is durable (interval mode: the
// block may still be open) or, in automine mode, once its block is also in
// the history store. Either way an acknowledged transaction is on disk, and
// its receipt can be read as soon as head_number() reaches its block.
//
// Recovery: the latest valid snapshot, then a replay of the WAL after it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ampd/node/chain.hpp"
#include "ampd/node/genesis.hpp"
#include "ampd/storage/history_store.hpp"

namespace ampd::node {

struct NodeConfig {
    std::filesystem::path datadir;
    // Enables the development conveniences (time travel, state snapshots).
    bool dev = false;
    // 0: every transaction is mined into its own block at once (dev mode,
    // as Hardhat and Anvil do). Otherwise blocks are sealed on this interval.
    std::chrono::milliseconds block_time{0};
    // Transactions per block at most, in interval mode.
    size_t max_block_transactions = 20'000;
    // A state snapshot after this many transactions since the last one.
    uint64_t snapshot_interval_transactions = 250'000;
    // fdatasync the WAL before acknowledging (off only for benchmarks/tests).
    bool fsync = true;
    // Write the history store's table files with O_DIRECT where the file
    // system allows (storage::HistoryOptions::direct_io): less CPU per
    // transaction; recently flushed history is then not in the page cache,
    // so its first reads come from the disk.
    bool history_direct_io = true;
    // Bound on queued, not yet sequenced submissions (back-pressure).
    size_t max_queued = 65'536;
    // Under load (the last batch held many transactions), the sequencer
    // takes the queue at most this often while the log is idle, so that
    // group commits stay large. Interval mode only; 0 disables it.
    std::chrono::milliseconds coalesce_interval{25};
    // Called after every WAL group commit with the time from handing the
    // batch to the log until it was durable, and the records it held.
    std::function<void(double seconds, size_t records)> on_commit;
};

// The answer to a submission: the transaction hash, or why it was refused.
struct SubmitResult {
    Bytes32 hash;
    std::optional<Rejection> rejection;
};

// A transaction handed to the node and not yet answered. Cheap to wait on:
// the sequencer's side publishes the answer with one atomic store and wakes
// a thread only if one is already waiting, so the transactions of one
// group commit cost their waiters one wakeup, not one each.
class Submission {
public:
    struct State;
    Submission() = default;
    explicit Submission(std::shared_ptr<State> state) : state_(std::move(state)) {}
    // Blocks until the transaction is durable or refused.
    [[nodiscard]] const SubmitResult& wait() const;
    [[nodiscard]] bool ready() const;
    // Calls `f` once the transaction is durable or refused: at once, on this
    // thread, if it already is; otherwise on the node's thread that answers
    // it, so `f` must be quick (hand the work to another thread). Use either
    // this or wait() on one submission, not both, and this at most once.
    void when_ready(std::function<void()> f) const;

private:
    std::shared_ptr<State> state_;
};

struct Submission::State {
    // 0: pending; 1: answered; 2: pending with a thread asleep on it;
    // 3: pending with `on_ready` to call.
    std::atomic<uint32_t> word{0};
    SubmitResult result;
    std::function<void()> on_ready;  // written before the word becomes 3

    // Called once, by the node. A system call only when a waiter sleeps.
    void publish(SubmitResult r);
};

// Counters for /metrics and /health.
struct NodeStats {
    uint64_t transactions = 0;  // admitted since start (including replay)
    uint64_t reverts = 0;
    uint64_t rejections = 0;
    uint64_t blocks = 0;  // head block number
    uint64_t wal_syncs = 0;
    uint64_t snapshots = 0;
    bool history_direct_io = false;  // the history store's table files bypass the page cache
};

// A time source in whole seconds (block timestamps). Tests substitute one.
using Clock = std::function<uint64_t()>;
[[nodiscard]] uint64_t system_clock_seconds();

class NodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Node {
public:
    // Opens (or creates) the data directory and recovers the chain.
    // Throws NodeError on a damaged WAL, a genesis mismatch or I/O errors.
    static std::unique_ptr<Node> open(const NodeConfig& config, Genesis genesis,
                                      Clock clock = system_clock_seconds);
    ~Node();
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    [[nodiscard]] const NodeConfig& config() const;
    [[nodiscard]] const Genesis& genesis() const;
    [[nodiscard]] uint64_t chain_id() const;

    // Admits, executes and durably records `tx`; blocks until then.
    // Thread-safe; many threads submit concurrently.
    SubmitResult submit(SignedTx tx);
    // The same without waiting: the submission is ready once `tx` is durable
    // (or refused). Lets one caller keep many transactions in flight, so
    // they share group commits.
    Submission submit_async(SignedTx tx);

    // --- reads (thread-safe) ---
    // The newest block in the history store (sealed and durable).
    [[nodiscard]] uint64_t head_number() const;
    [[nodiscard]] storage::HistoryStore& history();
    [[nodiscard]] uint64_t nonce(const Address& a, bool pending) const;
    // A read-only call against the current state.
    [[nodiscard]] CallOutcome call(const Address& from, const std::optional<Address>& to,
                                   const Bytes& data, uint64_t gas_limit) const;
    // The contract type at `a`, if any (eth_getCode).
    [[nodiscard]] std::optional<std::string> contract_type(const Address& a) const;
    // A transaction accepted but not yet in a sealed block (interval mode).
    [[nodiscard]] std::optional<storage::TxRecord> pending_transaction(const Bytes32& hash) const;
    [[nodiscard]] Bytes32 state_hash() const;
    [[nodiscard]] NodeStats stats() const;
    // Runs `f` on the state under the sequencer's lock (consistent reads of
    // contract views beyond the ABI, for the RPC extensions).
    void with_state(const std::function<void(const Chain&)>& f) const;

    // --- dev conveniences (throw NodeError unless config.dev) ---
    // Seals the open block, or mines an empty one; returns its number.
    uint64_t mine(std::optional<uint64_t> timestamp = std::nullopt);
    // Adds `seconds` to the clock offset; returns the total offset.
    uint64_t increase_time(uint64_t seconds);
    // The next block gets exactly this timestamp (must exceed the head's).
    void set_next_block_timestamp(uint64_t timestamp);
    // Remembers the current state; returns an id for revert_to().
    uint64_t take_snapshot();
    // Goes back to snapshot `id` (dropping it and every later one); false if
    // the id is unknown.
    bool revert_to(uint64_t id);

    // Writes a snapshot now and waits for it (used at shutdown and by tests).
    void checkpoint();

private:
    struct Impl;
    explicit Node(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ampd::node
