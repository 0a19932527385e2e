// History store: blocks, transactions, receipts and logs for the JSON-RPC
// read methods, on RocksDB (why RocksDB: docs/STORAGE.md), with each block's
// transactions and receipts as one region of a file beside it
// (docs/STORAGE.md, "Regions").
//
// The store is an index, not a source of truth: writes are not synced, and
// after a crash the node re-indexes, from the WAL, every block after
// last_indexed_block() (which is written in the same atomic batch as the
// block, so it never claims a block the store lacks).
//
// Threading: reads may run on any number of threads concurrently with one
// writer; put_block calls are serialized internally.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/storage/history_types.hpp"
#include "ampd/storage/result.hpp"

namespace ampd::storage {

struct HistoryOptions {
    // RocksDB block cache shared by all column families.
    size_t block_cache_bytes = 256ull << 20;
    // Bloom filter bits per key on the column families read by hash or
    // prefix (point lookups skip files that cannot hold the key); the ones
    // keyed by position have no filter (docs/STORAGE.md).
    int bloom_bits_per_key = 10;
    bool create_if_missing = true;
    int background_jobs = 2;
    // Write without RocksDB's own log. A crash (of the process or the
    // machine) then loses every write since the last memtable flush, but
    // flushes are atomic across the column families, so a reopened store
    // still holds a consistent prefix of the blocks, and last_indexed_block()
    // says which. Only for an owner that can re-index the lost blocks (the
    // node re-indexes from its own log every block it replays, and calls
    // flush() before it lets go of log records the store depends on). Saves
    // the log's write and its CPU on every put_block.
    bool disable_wal = false;
    // Flushes and compactions write their table files, and put_block the
    // regions, with O_DIRECT (reads still go through the page cache).
    // Through the page cache, the kernel's copy of every byte written was
    // the store's largest CPU cost under sustained ingest
    // (docs/PERFORMANCE.md, "Fifth round" and "Tenth round").
    // Used only where the directory's file system accepts O_DIRECT
    // (tmpfs, for one, may not): HistoryStore::direct_io() says whether it
    // is in effect.
    bool direct_io = true;
    // The newest regions (blocks' transactions and receipts) are also kept in
    // memory, up to this many bytes, and reads of them are served from there:
    // with direct I/O nothing of a region just written is in the page cache,
    // and a client polling for the receipt of its transaction reads exactly
    // those. 0 keeps none.
    size_t recent_regions_bytes = 64ull << 20;
};

class HistoryStore {
public:
    static Result<std::unique_ptr<HistoryStore>> open(const std::filesystem::path& dir,
                                                      HistoryOptions options = {});
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    // Stores a block with its transactions and receipts (in block order:
    // txs[i] and receipts[i] belong to block.tx_hashes[i]; their region is
    // written first) and its log indexes in one atomic batch, and advances
    // last_indexed_block(). The block must be the one after
    // last_indexed_block() (any number when the store is empty).
    // kInvalidArgument on inconsistent input.
    [[nodiscard]] Status put_block(const BlockRecord& block, const std::vector<TxRecord>& txs,
                                   const std::vector<ReceiptRecord>& receipts);

    // Makes everything written so far durable (the regions file synced, then
    // RocksDB memtables flushed to synced table files, atomically across the
    // column families). After it returns, a crash cannot take
    // last_indexed_block() below its value now.
    [[nodiscard]] Status flush();
    // flush(), then waits until RocksDB has no flush or compaction running
    // or pending: the work that writing so far set off is done (benchmarks
    // count it; the node never waits for it).
    [[nodiscard]] Status settle();

    // Removes every block after `number` with its transactions, receipts and
    // log index entries, so that `number` becomes the last indexed block
    // (a dev-mode evm_revert, or blocks a crash left beyond the log).
    // Nothing to do when `number` is at or beyond the last indexed block.
    [[nodiscard]] Status truncate_after(uint64_t number);

    // nullopt when absent; kCorruption when a stored record fails to decode.
    [[nodiscard]] Result<std::optional<BlockRecord>> block_by_number(uint64_t number) const;
    [[nodiscard]] Result<std::optional<BlockRecord>> block_by_hash(const Bytes32& hash) const;
    [[nodiscard]] Result<std::optional<TxRecord>> tx_by_hash(const Bytes32& hash) const;
    [[nodiscard]] Result<std::optional<ReceiptRecord>> receipt_by_tx_hash(
        const Bytes32& hash) const;
    // The receipts of a block in order; nullopt when the block is absent.
    [[nodiscard]] Result<std::optional<std::vector<ReceiptRecord>>> receipts_of_block(
        uint64_t number) const;

    // Whether table files are written bypassing the page cache
    // (HistoryOptions::direct_io, and the file system supports it).
    [[nodiscard]] bool direct_io() const;

    // The highest block stored; nullopt for an empty store.
    [[nodiscard]] std::optional<uint64_t> last_indexed_block() const;

    // eth_getLogs: matching logs ordered by (block, log index), read from one
    // consistent view of the store. Blocks past last_indexed_block() match
    // nothing. Errors: kInvalidArgument when from_block > to_block;
    // kLimitExceeded when the range, the result count or the index entries
    // examined exceed `limits`.
    [[nodiscard]] Result<std::vector<FoundLog>> get_logs(const LogFilter& filter,
                                                         const LogLimits& limits = {}) const;

    struct Impl;  // opaque; named here so the store's internal helpers can use it

private:
    explicit HistoryStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ampd::storage
