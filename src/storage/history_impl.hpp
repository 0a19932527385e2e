// Internals of the history store shared by its source files: the RocksDB
// handles and the key layouts.
//
// Column families and keys (integers big-endian, so byte order is numeric
// order and a block range is one contiguous key range):
//   default       "format_version" -> u32 LE, "last_indexed_block" -> u64 LE
//   blocks        number(8)                          -> BlockRecord
//   block_hashes  hash(32)                           -> number (8, BE)
//   tx_hashes     hash(32)                           -> number(8) tx_index(4)
//   tx_regions    number(8)                          -> RegionSpan (encode_span)
//   log_addr      epoch(8) address(20) number(8)           -> postings
//   log_topic     epoch(8) position(1) topic(32) number(8) -> postings
// A block's transactions and receipts are not in RocksDB: they are one
// region of the file kRegionsFile, appended after the previous block's
// (offsets table, then one history_codec position record per transaction),
// and `tx_regions` says where. Appending costs a copy and a pwrite per
// block, where a memtable insert per transaction, a flush and the moves of
// compaction cost several times more (docs/PERFORMANCE.md, "Tenth round").
// Transactions are found by hash through the small `tx_hashes` map: the
// hash-keyed family holds 12-byte values, so compaction, which merges every
// family with keys at random places, rewrites little.
// The log indexes hold one key per block and distinct address (or topic at
// a position) among the block's logs; its value, the postings, lists that
// key's logs in the block: (log_index u32 LE, tx_index u32 LE) pairs in
// increasing log_index order. Their keys start with the block's epoch
// (number / kLogIndexEpochBlocks, big-endian): without it a new block's
// keys would land all over the family (one per account it touches), every
// flushed file would overlap the whole index, and compaction would rewrite
// the entire index over and over as it grows. With it, new keys land in the
// newest epoch's key range only, compaction merges within that range, and
// the files of closed epochs move down the levels without being rewritten.
// They use a fixed prefix extractor (epoch+address, or
// epoch+position+topic), so a query for one address over a block range is
// one prefix seek per epoch it spans, with prefix bloom filters.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/storage/history_codec.hpp"
#include "ampd/storage/history_store.hpp"
#include "storage/codec.hpp"
#include "storage/posix_file.hpp"

namespace ampd::storage::history_internal {

enum Cf : size_t {
    kMeta = 0,
    kBlocks,
    kBlockHashes,
    kTxHashes,
    kTxRegions,
    kLogAddr,
    kLogTopic,
    kCfCount,
};

// Meta key holding the number of the last indexed block.
inline constexpr const char* kLastIndexedKey = "last_indexed_block";
// Meta key: the regions of every block up to this one were synced (flush()).
inline constexpr const char* kRegionsSyncedKey = "regions_synced_through";
// The file of transaction and receipt regions, in the store's directory.
inline constexpr const char* kRegionsFile = "tx_receipts.dat";

// Where a block's region is in kRegionsFile. The region starts with count+1
// u32 LE offsets (from the region's start): record i is [off[i], off[i+1]).
struct RegionSpan {
    uint64_t offset = 0;
    uint64_t length = 0;
    uint32_t count = 0;
    uint32_t crc = 0;  // CRC32C of the region, checked where it may be torn (open)
    [[nodiscard]] uint64_t end() const { return offset + length; }
};
inline constexpr size_t kSpanSize = 24;
[[nodiscard]] std::string encode_span(const RegionSpan& s);
[[nodiscard]] std::optional<RegionSpan> decode_span(ByteView v);

inline constexpr size_t kEpochSize = 8;
inline constexpr size_t kAddrPrefix = kEpochSize + 20;
inline constexpr size_t kTopicPrefix = kEpochSize + 1 + 32;
inline constexpr size_t kPositionSuffix = 8;  // block number
inline constexpr size_t kPostingSize = 8;     // log_index u32 LE, tx_index u32 LE

inline std::string be64(uint64_t v) {
    std::string s(8, '\0');
    codec::put_be<uint64_t>(reinterpret_cast<uint8_t*>(s.data()), v);
    return s;
}

inline std::string raw(ByteView b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

template <size_t N>
std::string raw(const FixedBytes<N>& b) {
    return raw(ByteView(b.b));
}

// The key of a transaction and of its receipt: its position in the chain.
inline std::string position_key(uint64_t block, uint32_t tx_index) {
    std::string k = be64(block);
    k.resize(12);
    codec::put_be<uint32_t>(reinterpret_cast<uint8_t*>(k.data() + 8), tx_index);
    return k;
}

inline uint64_t index_epoch(uint64_t block) {
    return block / kLogIndexEpochBlocks;
}

// What follows the epoch in a log_addr or log_topic key, before the block.
inline std::string topic_field(uint8_t position, const Bytes32& topic) {
    std::string k(1, static_cast<char>(position));
    k += raw(topic);
    return k;
}

// epoch + field: the prefix extractor's unit.
inline std::string index_prefix(uint64_t epoch, std::string_view field) {
    std::string k = be64(epoch);
    k += field;
    return k;
}

// prefix + block
inline std::string index_key(std::string_view prefix, uint64_t block) {
    std::string k(prefix);
    k.resize(prefix.size() + kPositionSuffix);
    codec::put_be<uint64_t>(reinterpret_cast<uint8_t*>(k.data() + prefix.size()), block);
    return k;
}

inline void append_posting(std::string& postings, uint32_t log_index, uint32_t tx_index) {
    uint8_t p[kPostingSize];
    codec::put_le<uint32_t>(p, log_index);
    codec::put_le<uint32_t>(p + 4, tx_index);
    postings.append(reinterpret_cast<const char*>(p), kPostingSize);
}

// The log index entries of one block, per family: (key, postings) with one
// key per distinct address or (position, topic) among the block's logs.
struct BlockIndex {
    std::vector<std::pair<std::string, std::string>> addr;
    std::vector<std::pair<std::string, std::string>> topic;
};
[[nodiscard]] BlockIndex block_index(uint64_t number, const std::vector<ReceiptRecord>& receipts);

inline ByteView view(const rocksdb::Slice& s) {
    return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace ampd::storage::history_internal

namespace ampd::storage {

struct HistoryStore::Impl {
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> cfs;  // indexed by history_internal::Cf
    std::mutex write_mu;                            // serializes put_block
    // put_block's batch and record buffer (under write_mu), kept between
    // blocks so that a block of thousands of transactions neither
    // reallocates them as they grow nor page-faults fresh memory each time
    // (they keep the capacity of the largest block, at most a few MB).
    rocksdb::WriteBatch block_batch;
    Bytes region_buffer;
    // kRegionsFile, and where the next block's region goes (under write_mu).
    // Reads, truncation and syncs use `regions`; with direct I/O, writes go
    // through `regions_direct` in whole pages: through the page cache the
    // kernel's copy cost 1.5 ns per byte, a third of the indexer's CPU
    // (docs/PERFORMANCE.md, "Tenth round"). A page is then written again
    // with the next region when a region ends inside it: `regions_tail`
    // holds its bytes before regions_end.
    posix::File regions;
    posix::File regions_direct;
    uint64_t regions_end = 0;
    Bytes regions_tail;
    Bytes next_tail;  // put_block's scratch for the tail after its region
    // Set by flush() before it syncs (under write_mu): the next region
    // starts on a fresh page, so that no later write, torn by a power cut,
    // can damage the synced regions that share a page with it (they are not
    // checked again at open). The gap before it is never read.
    bool regions_fresh_page = false;
    struct FreeAligned {
        void operator()(uint8_t* p) const;
    };
    std::unique_ptr<uint8_t, FreeAligned> direct_buffer;
    size_t direct_capacity = 0;
    // The newest bytes of the regions file (HistoryOptions::
    // recent_regions_bytes): file offset x is at recent_ring[x % size], and
    // [recent_begin, recent_end) are valid (under recent_mu). One buffer,
    // allocated once, so that keeping a region costs a copy and no fresh
    // memory. The copy happens outside the lock: recent_begin moves past
    // what it overwrites first.
    Bytes recent_ring;
    size_t recent_budget = 0;
    mutable std::mutex recent_mu;
    uint64_t recent_begin = 0;
    uint64_t recent_end = 0;
    // Readers of regions hold it shared for the whole read, their snapshot
    // included; truncate_after holds it exclusively while it deletes spans
    // and cuts the file, so no reader follows a span into a cut region.
    mutable std::shared_mutex regions_mu;
    // Counts remove_blocks_from calls (under write_mu): flush() marks regions
    // synced only if none rewrote them while it synced.
    uint64_t removals = 0;
    // Options for every write: RocksDB's own log off when
    // HistoryOptions::disable_wal (see there).
    rocksdb::WriteOptions write_options;
    // last indexed block + 1; 0 for an empty store.
    std::atomic<uint64_t> next_block{0};
    bool direct_io = false;  // see HistoryOptions::direct_io
    // Held from open to close: see HistoryStore::open.
    const rocksdb::Snapshot* pinned_snapshot = nullptr;

    ~Impl();

    [[nodiscard]] rocksdb::ColumnFamilyHandle* cf(history_internal::Cf c) const { return cfs[c]; }

    // Point read: nullopt when absent.
    [[nodiscard]] Result<std::optional<std::string>> get(
        history_internal::Cf c, const std::string& key,
        const rocksdb::Snapshot* snapshot = nullptr) const;
    [[nodiscard]] Result<std::optional<BlockRecord>> get_block(
        uint64_t number, const rocksdb::Snapshot* snapshot = nullptr) const;
    // Where block `number`'s transactions and receipts are; nullopt when absent.
    [[nodiscard]] Result<std::optional<history_internal::RegionSpan>> get_span(
        uint64_t number, const rocksdb::Snapshot* snapshot = nullptr) const;
    // The transaction and receipt at (block, tx_index). Readers of regions
    // hold regions_mu shared (see there).
    [[nodiscard]] Result<std::optional<history_codec::PositionRecord>> get_position(
        uint64_t block, uint32_t tx_index, const rocksdb::Snapshot* snapshot = nullptr) const;
    // All of a block's transactions and receipts, in order; nullopt when the
    // block has no region.
    [[nodiscard]] Result<std::optional<std::vector<history_codec::PositionRecord>>> get_region(
        uint64_t number, const rocksdb::Snapshot* snapshot = nullptr) const;
    // At open, after next_block is known: checks the regions written since
    // the last flush() (a machine crash may have lost them while RocksDB
    // kept their spans), drops the blocks from the first bad one on, and
    // cuts the file to the last block's region.
    [[nodiscard]] Status recover_regions();
    // Writes `region` at regions_end (not advancing it); `tail` receives what
    // regions_tail must become once the block is stored.
    [[nodiscard]] Status write_region(ByteView region, Bytes& tail);
    // Sets regions_end and reloads regions_tail from the file; forgets the
    // recent regions from `end` on.
    [[nodiscard]] Status set_regions_end(uint64_t end);
    // Keeps a copy of the region just written at `offset` (under write_mu).
    void remember_region(uint64_t offset, ByteView region);
    // Fills `out` with the file's bytes at `offset` if they are among the
    // recent ones; false if not.
    [[nodiscard]] bool read_recent(uint64_t offset, std::span<uint8_t> out) const;
    // Removes block `first` and every later one (their records, index
    // entries and regions); the callers hold write_mu and regions_mu. With
    // `damaged_regions`, a region that cannot be read is passed over (its log
    // index entries stay; indexing the block again writes the same ones).
    [[nodiscard]] Status remove_blocks_from(uint64_t first, bool damaged_regions);
    // The position key (block, index) of the transaction with `hash`.
    [[nodiscard]] Result<std::optional<std::string>> position_of(
        const Bytes32& hash, const rocksdb::Snapshot* snapshot) const;
    [[nodiscard]] Result<std::optional<uint64_t>> read_last_indexed(
        const rocksdb::Snapshot* snapshot) const;
};

StorageError from_rocks(const rocksdb::Status& s, std::string_view what);

}  // namespace ampd::storage
