// Internals of the history store shared by its source files: the RocksDB
// handles and the key layouts.
//
// Column families and keys (integers big-endian, so byte order is numeric
// order and a block range is one contiguous key range):
//   default       "format_version" -> u32 LE, "last_indexed_block" -> u64 LE
//   blocks        number(8)                          -> BlockRecord
//   block_hashes  hash(32)                           -> number (8, BE)
//   txs           hash(32)                           -> TxRecord
//   receipts      number(8) tx_index(4)              -> ReceiptRecord
//   log_addr      address(20) number(8) log_index(4) -> tx_index (u32 LE)
//   log_topic     position(1) topic(32) number(8) log_index(4) -> tx_index
// The log index families use a fixed prefix extractor (address, or
// position+topic), so a query for one address over a block range is a
// prefix seek with prefix bloom filters.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ampd/storage/history_store.hpp"
#include "storage/codec.hpp"

namespace ampd::storage::history_internal {

enum Cf : size_t {
    kMeta = 0,
    kBlocks,
    kBlockHashes,
    kTxs,
    kReceipts,
    kLogAddr,
    kLogTopic,
    kCfCount,
};

// Meta key holding the number of the last indexed block.
inline constexpr const char* kLastIndexedKey = "last_indexed_block";

inline constexpr size_t kAddrPrefix = 20;
inline constexpr size_t kTopicPrefix = 33;
inline constexpr size_t kPositionSuffix = 12;  // block number + log index

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

inline std::string receipt_key(uint64_t block, uint32_t tx_index) {
    std::string k = be64(block);
    k.resize(12);
    codec::put_be<uint32_t>(reinterpret_cast<uint8_t*>(k.data() + 8), tx_index);
    return k;
}

inline std::string topic_prefix(uint8_t position, const Bytes32& topic) {
    std::string k(1, static_cast<char>(position));
    k += raw(topic);
    return k;
}

// prefix + block + log_index
inline std::string index_key(const std::string& prefix, uint64_t block, uint32_t log_index) {
    std::string k = prefix;
    k.resize(prefix.size() + kPositionSuffix);
    auto* p = reinterpret_cast<uint8_t*>(k.data() + prefix.size());
    codec::put_be<uint64_t>(p, block);
    codec::put_be<uint32_t>(p + 8, log_index);
    return k;
}

inline ByteView view(const rocksdb::Slice& s) {
    return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace ampd::storage::history_internal

namespace ampd::storage {

struct HistoryStore::Impl {
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> cfs;  // indexed by history_internal::Cf
    std::mutex write_mu;                            // serializes put_block
    // last indexed block + 1; 0 for an empty store.
    std::atomic<uint64_t> next_block{0};

    ~Impl();

    [[nodiscard]] rocksdb::ColumnFamilyHandle* cf(history_internal::Cf c) const { return cfs[c]; }

    // Point read: nullopt when absent.
    [[nodiscard]] Result<std::optional<std::string>> get(
        history_internal::Cf c, const std::string& key,
        const rocksdb::Snapshot* snapshot = nullptr) const;
    [[nodiscard]] Result<std::optional<BlockRecord>> get_block(
        uint64_t number, const rocksdb::Snapshot* snapshot = nullptr) const;
    [[nodiscard]] Result<std::optional<ReceiptRecord>> get_receipt(
        uint64_t block, uint32_t tx_index, const rocksdb::Snapshot* snapshot = nullptr) const;
    [[nodiscard]] Result<std::optional<uint64_t>> read_last_indexed(
        const rocksdb::Snapshot* snapshot) const;
};

StorageError from_rocks(const rocksdb::Status& s, std::string_view what);

}  // namespace ampd::storage
