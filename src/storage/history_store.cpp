#include "ampd/storage/history_store.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/snapshot.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "ampd/storage/crc32c.hpp"
#include "ampd/storage/history_codec.hpp"
#include "storage/history_impl.hpp"
#include "storage/posix_file.hpp"

namespace ampd::storage {

using namespace history_internal;  // NOLINT(google-build-using-namespace): internal key helpers

namespace {

// 2: the log indexes hold one key per block and address/topic (postings).
// 3: the blocks' receiptsRoot (so their hashes) takes log data whole; a
//    store of an older node would disagree with the blocks its log replays.
// 4: receiptsRoot is SHA-256 (block hashes change again).
// 5: transactions are kept by position; `tx_hashes` maps a hash to it.
// 6: the log indexes lead their keys with the block's epoch.
// 7: a block's transactions and receipts are one region of a file of their
//    own (`tx_regions` says where), replacing the `txs` and `receipts`
//    families.
constexpr uint32_t kFormatVersion = 7;
constexpr const char* kFormatVersionKey = "format_version";
constexpr size_t kMaxTopics = 4;

const char* cf_name(Cf c) {
    switch (c) {
        case kMeta:
            return rocksdb::kDefaultColumnFamilyName.c_str();
        case kBlocks:
            return "blocks";
        case kBlockHashes:
            return "block_hashes";
        case kTxHashes:
            return "tx_hashes";
        case kTxRegions:
            return "tx_regions";
        case kLogAddr:
            return "log_addr";
        case kLogTopic:
            return "log_topic";
        case kCfCount:
            break;
    }
    return "";
}

// The cheapest compression the library was built with: LZ4 compresses
// hashes-and-addresses data a little and costs little CPU.
rocksdb::CompressionType pick_compression() {
    const auto supported = rocksdb::GetSupportedCompressions();
    for (auto want : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
        if (std::find(supported.begin(), supported.end(), want) != supported.end()) return want;
    }
    return rocksdb::kNoCompression;
}

rocksdb::ColumnFamilyOptions cf_options(Cf c, const HistoryOptions& opt,
                                        const std::shared_ptr<rocksdb::Cache>& cache,
                                        rocksdb::CompressionType compression) {
    rocksdb::ColumnFamilyOptions o;
    // Files flushed from memtables and the next level are rewritten soon by
    // compaction: compressing them costs CPU on every block for little
    // space. Only the levels that keep data for long are compressed.
    o.compression = compression;
    o.compression_per_level = {rocksdb::kNoCompression,
                               rocksdb::kNoCompression,
                               compression,
                               compression,
                               compression,
                               compression,
                               compression};
    o.level_compaction_dynamic_level_bytes = true;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    if (c != kBlocks && c != kTxRegions) {
        // Not for the families keyed by position: their keys arrive in
        // order, so their files never overlap, a read is for a position that
        // tx_hashes or the block just named, and a filter would only be
        // hashed and built on every flush.
        t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(opt.bloom_bits_per_key));
    }
    t.cache_index_and_filter_blocks = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    if (c == kLogAddr || c == kLogTopic) {
        // Index entries are only ever range-scanned within one prefix: filter
        // on the prefix, not on whole keys.
        o.prefix_extractor.reset(
            rocksdb::NewFixedPrefixTransform(c == kLogAddr ? kAddrPrefix : kTopicPrefix));
        t.whole_key_filtering = false;
    }
    if (c == kTxHashes || c == kLogAddr || c == kLogTopic) {
        // Keys at random places: every flushed file overlaps the whole
        // family, and each compaction out of L0 rewrites everything below
        // that it overlaps. Merging more flushed files per compaction
        // rewrites that much less often; point reads check each file's
        // pinned Bloom filter first.
        o.level0_file_num_compaction_trigger = 16;
        o.level0_slowdown_writes_trigger = 48;
        o.level0_stop_writes_trigger = 64;
    }
    if (c == kTxHashes) {
        // put_block adds a block's hashes in key order. With one shared hint
        // the skiplist starts each search from where the previous insert
        // went and climbs only as far as the gap to the next key needs,
        // instead of descending from its top through cache misses.
        o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(0));
    }
    if (c == kLogAddr || c == kLogTopic) {
        // An address's or topic's entries for a new block follow its entries
        // for earlier blocks: a hint per address or topic inserts them next
        // to those.
        o.memtable_insert_with_hint_prefix_extractor.reset(
            rocksdb::NewFixedPrefixTransform(c == kLogAddr ? kAddrPrefix : kTopicPrefix));
    }
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    return o;
}

StorageError invalid(std::string message) {
    return make_error(ErrorKind::kInvalidArgument, "history: " + std::move(message));
}

StorageError bad_record(std::string_view what, std::string_view key_hint) {
    return make_error(ErrorKind::kCorruption, "history: stored " + std::string(what) + " " +
                                                  std::string(key_hint) + " does not decode");
}

Status validate_block(const BlockRecord& block, const std::vector<TxRecord>& txs,
                      const std::vector<ReceiptRecord>& receipts) {
    const size_t n = block.tx_hashes.size();
    if (txs.size() != n || receipts.size() != n) {
        return invalid("block " + std::to_string(block.number) + " lists " + std::to_string(n) +
                       " transactions but " + std::to_string(txs.size()) + " txs and " +
                       std::to_string(receipts.size()) + " receipts were given");
    }
    bool have_log = false;
    uint32_t prev_log_index = 0;
    for (size_t i = 0; i < n; ++i) {
        const TxRecord& tx = txs[i];
        const ReceiptRecord& rc = receipts[i];
        // The message is built only for a refusal: this runs for every
        // transaction the node indexes.
        const auto refuse = [&](std::string_view why) {
            return invalid("block " + std::to_string(block.number) + " tx " + std::to_string(i) +
                           ": " + std::string(why));
        };
        if (tx.hash != block.tx_hashes[i] || rc.tx_hash != block.tx_hashes[i]) {
            return refuse("hash differs from the block's tx_hashes");
        }
        if (tx.block_number != block.number || rc.block_number != block.number) {
            return refuse("wrong block number");
        }
        if (tx.index != i || rc.tx_index != i) return refuse("wrong index");
        // Stored once for both (history_codec::append_position).
        if (tx.from != rc.from)
            return refuse("the receipt's sender differs from the transaction's");
        for (const LogRecordStored& log : rc.logs) {
            if (log.topics.size() > kMaxTopics) return refuse("log with over 4 topics");
            if (have_log && log.log_index <= prev_log_index) {
                return refuse("log indexes must increase through the block");
            }
            have_log = true;
            prev_log_index = log.log_index;
        }
    }
    return {};
}

}  // namespace

StorageError from_rocks(const rocksdb::Status& s, std::string_view what) {
    const ErrorKind kind = s.IsCorruption() ? ErrorKind::kCorruption
                           : s.IsBusy()     ? ErrorKind::kBusy
                                            : ErrorKind::kIo;
    return make_error(kind, "history: " + std::string(what) + ": " + s.ToString());
}

namespace history_internal {

BlockIndex block_index(uint64_t number, const std::vector<ReceiptRecord>& receipts) {
    // Postings per distinct address and (position, topic), in first-seen
    // order; logs are visited in log_index order, so each postings list is
    // increasing.
    BlockIndex out;
    std::unordered_map<Address, size_t, AddressHash> addr_at;
    std::array<std::unordered_map<Bytes32, size_t, Bytes32Hash>, kMaxTopics> topic_at;
    const std::string suffix = be64(number);
    const uint64_t epoch = index_epoch(number);
    for (const ReceiptRecord& rc : receipts) {
        for (const LogRecordStored& log : rc.logs) {
            auto [a, added] = addr_at.try_emplace(log.address, out.addr.size());
            if (added) {
                std::string key = index_prefix(epoch, raw(log.address));
                key += suffix;
                out.addr.emplace_back(std::move(key), std::string());
            }
            append_posting(out.addr[a->second].second, log.log_index, rc.tx_index);
            for (size_t p = 0; p < log.topics.size() && p < kMaxTopics; ++p) {
                auto [t, new_topic] = topic_at[p].try_emplace(log.topics[p], out.topic.size());
                if (new_topic) {
                    std::string key =
                        index_prefix(epoch, topic_field(static_cast<uint8_t>(p), log.topics[p]));
                    key += suffix;
                    out.topic.emplace_back(std::move(key), std::string());
                }
                append_posting(out.topic[t->second].second, log.log_index, rc.tx_index);
            }
        }
    }
    return out;
}

}  // namespace history_internal

HistoryStore::Impl::~Impl() {
    if (!db) return;
    if (pinned_snapshot != nullptr) db->ReleaseSnapshot(pinned_snapshot);
    for (rocksdb::ColumnFamilyHandle* h : cfs) {
        if (h != nullptr) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    db->Close().PermitUncheckedError();
}

Result<std::optional<std::string>> HistoryStore::Impl::get(
    Cf c, const std::string& key, const rocksdb::Snapshot* snapshot) const {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    std::string value;
    const rocksdb::Status s = db->Get(ro, cfs[c], key, &value);
    if (s.IsNotFound()) return std::optional<std::string>{};
    if (!s.ok()) return from_rocks(s, "read");
    return std::optional<std::string>{std::move(value)};
}

Result<std::optional<BlockRecord>> HistoryStore::Impl::get_block(
    uint64_t number, const rocksdb::Snapshot* snapshot) const {
    auto v = get(kBlocks, be64(number), snapshot);
    if (!v) return std::move(v).error();
    if (!*v) return std::optional<BlockRecord>{};
    auto b = history_codec::decode_block(view(**v));
    if (!b || b->number != number) return bad_record("block", std::to_string(number));
    return std::optional<BlockRecord>{std::move(*b)};
}

Result<std::optional<std::string>> HistoryStore::Impl::position_of(
    const Bytes32& hash, const rocksdb::Snapshot* snapshot) const {
    auto v = get(kTxHashes, raw(hash), snapshot);
    if (v && *v && (*v)->size() != 12) return bad_record("position of transaction", hash.hex());
    return v;
}

Result<std::optional<uint64_t>> HistoryStore::Impl::read_last_indexed(
    const rocksdb::Snapshot* snapshot) const {
    auto v = get(kMeta, kLastIndexedKey, snapshot);
    if (!v) return std::move(v).error();
    if (!*v) return std::optional<uint64_t>{};
    if ((*v)->size() != 8) return bad_record("value", kLastIndexedKey);
    return std::optional<uint64_t>{
        codec::get_le<uint64_t>(reinterpret_cast<const uint8_t*>((*v)->data()))};
}

HistoryStore::HistoryStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HistoryStore::~HistoryStore() = default;

Result<std::unique_ptr<HistoryStore>> HistoryStore::open(const std::filesystem::path& dir,
                                                         HistoryOptions options) {
    rocksdb::DBOptions db_opt;
    db_opt.create_if_missing = options.create_if_missing;
    db_opt.create_missing_column_families = true;
    db_opt.max_background_jobs = options.background_jobs;
    // The store is rebuilt from the WAL after a crash; RocksDB's own log
    // (left on, not synced) only has to give a consistent prefix of batches,
    // which point-in-time recovery does.
    db_opt.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    // Without the log (disable_wal) only flushes persist anything: they must
    // cover every family at the same point, or a crash could leave blocks
    // whose index entries are missing. Harmless with the log on.
    db_opt.atomic_flush = true;
    bool direct_io = false;
    if (options.direct_io) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);  // RocksDB would create it anyway
        direct_io = !ec && posix::supports_direct_io(dir);
    }
    // Reads stay buffered: with use_direct_reads (which would also spare
    // compaction's reads the page cache) every lookup that misses the block
    // cache waits for the disk, and a query on a freshly opened store took
    // 1.7 s instead of 30 ms (docs/PERFORMANCE.md, "Fifth round").
    db_opt.use_direct_io_for_flush_and_compaction = direct_io;

    // A store of another format may have column families this build does
    // not know; RocksDB would refuse to open it without naming the cause.
    std::vector<std::string> existing;
    if (rocksdb::DB::ListColumnFamilies(db_opt, dir.string(), &existing).ok()) {
        for (const std::string& name : existing) {
            bool known = false;
            for (size_t c = 0; c < kCfCount; ++c)
                known = known || name == cf_name(static_cast<Cf>(c));
            if (!known) {
                return make_error(ErrorKind::kCorruption,
                                  "history: the store in " + dir.string() +
                                      " has a column family '" + name + "' that format version " +
                                      std::to_string(kFormatVersion) +
                                      " does not have (a store written by another version "
                                      "cannot be used)");
            }
        }
    }
    const auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
    const auto compression = pick_compression();
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (size_t c = 0; c < kCfCount; ++c) {
        descriptors.emplace_back(cf_name(static_cast<Cf>(c)),
                                 cf_options(static_cast<Cf>(c), options, cache, compression));
    }

    auto impl = std::make_unique<Impl>();
    impl->write_options.sync = false;  // the node's WAL is the source of truth; see the header
    impl->write_options.disableWAL = options.disable_wal;
    impl->direct_io = direct_io;
    impl->recent_budget = options.recent_regions_bytes;
    rocksdb::DB* db = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(db_opt, dir.string(), descriptors, &impl->cfs, &db);
    if (!s.ok()) return from_rocks(s, "open " + dir.string());
    impl->db.reset(db);
    // Blocks, transactions and receipts arrive in key order, so their
    // table files move down to the last level whole,
    // without a rewrite. RocksDB 7.8 then rewrites each such file once more
    // only to zero its sequence numbers ("BottommostFiles" compactions: in
    // one ingest run about 70% of all bytes compacted), unless a snapshot
    // older than the file is held. So the store holds one from open to
    // close. The cost: an overwritten or deleted key keeps one version from
    // before the open (only the last-indexed marker is overwritten, and
    // keys are deleted only by truncate_after).
    impl->pinned_snapshot = db->GetSnapshot();

    auto version = impl->get(kMeta, kFormatVersionKey);
    if (!version) return std::move(version).error();
    if (!*version) {
        std::string v(4, '\0');
        codec::put_le<uint32_t>(reinterpret_cast<uint8_t*>(v.data()), kFormatVersion);
        const rocksdb::Status ws =
            impl->db->Put(impl->write_options, impl->cf(kMeta), kFormatVersionKey, v);
        if (!ws.ok()) return from_rocks(ws, "write format version");
    } else {
        const std::string& v = **version;
        const uint32_t found =
            v.size() == 4 ? codec::get_le<uint32_t>(reinterpret_cast<const uint8_t*>(v.data())) : 0;
        if (found != kFormatVersion) {
            return make_error(ErrorKind::kCorruption,
                              "history: unknown store format version " + std::to_string(found) +
                                  " in " + dir.string() + " (this build writes version " +
                                  std::to_string(kFormatVersion) +
                                  "; a store written by another version cannot be used)");
        }
    }
    auto last = impl->read_last_indexed(nullptr);
    if (!last) return std::move(last).error();
    impl->next_block.store(*last ? **last + 1 : 0);
    auto regions = posix::File::open_write(dir / kRegionsFile);
    if (!regions) return std::move(regions).error();
    impl->regions = std::move(*regions);
    if (direct_io) {
        auto direct = posix::File::open_write_direct(dir / kRegionsFile);
        if (!direct) return std::move(direct).error();
        impl->regions_direct = std::move(*direct);
    }
    if (auto st = impl->recover_regions(); !st) return std::move(st).error();
    return std::unique_ptr<HistoryStore>(new HistoryStore(std::move(impl)));
}

Status HistoryStore::put_block(const BlockRecord& block, const std::vector<TxRecord>& txs,
                               const std::vector<ReceiptRecord>& receipts) {
    if (auto st = validate_block(block, txs, receipts); !st) return st;
    // RocksDB's per-thread perf counters are thread-local lookups on every
    // call; nothing reads them.
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    std::lock_guard lk(impl_->write_mu);
    const uint64_t next = impl_->next_block.load();
    if (next != 0 && block.number != next) {
        return invalid("block " + std::to_string(block.number) +
                       " is not the next block: last indexed is " + std::to_string(next - 1));
    }
    if (block.number == UINT64_MAX) return invalid("block number 2^64-1 is reserved");

    if (impl_->regions_fresh_page) {
        constexpr uint64_t kPage = posix::kDirectIoAlign;
        impl_->regions_end = (impl_->regions_end + kPage - 1) / kPage * kPage;
        impl_->regions_tail.clear();
        impl_->regions_fresh_page = false;
    }
    // The block's region: the offsets table, then the records. Written
    // before the batch that names it, so a span never points at bytes not
    // yet handed to the file.
    Bytes& region = impl_->region_buffer;
    const size_t table = 4 * (txs.size() + 1);
    region.assign(table, 0);
    for (size_t i = 0; i < txs.size(); ++i) {
        codec::put_le<uint32_t>(region.data() + 4 * i, static_cast<uint32_t>(region.size()));
        history_codec::append_position(region, txs[i], receipts[i]);
    }
    if (region.size() > UINT32_MAX)
        return invalid("block " + std::to_string(block.number) + " is over 4 GiB");
    codec::put_le<uint32_t>(region.data() + 4 * txs.size(), static_cast<uint32_t>(region.size()));
    const RegionSpan span{impl_->regions_end, region.size(), static_cast<uint32_t>(txs.size()),
                          crc32c(region)};
    Bytes& tail = impl_->next_tail;
    if (auto st = impl_->write_region(region, tail); !st) return st;
    impl_->remember_region(span.offset, region);

    rocksdb::WriteBatch& batch = impl_->block_batch;
    batch.Clear();
    auto put = [&](Cf c, const rocksdb::Slice& key, ByteView value) {
        return batch.Put(impl_->cf(c), key,
                         rocksdb::Slice(reinterpret_cast<const char*>(value.data()), value.size()));
    };
    const std::string number = be64(block.number);
    rocksdb::Status s;
    s = put(kBlocks, number, history_codec::encode(block));
    if (s.ok()) s = batch.Put(impl_->cf(kBlockHashes), raw(block.hash), number);
    if (s.ok()) s = batch.Put(impl_->cf(kTxRegions), number, encode_span(span));
    // The hash map's keys go into the batch in key order: the memtable's
    // skiplist then inserts each next to the one before instead of
    // searching for a random place (a walk of cache misses).
    std::vector<const TxRecord*> by_hash;
    by_hash.reserve(txs.size());
    for (const TxRecord& t : txs) by_hash.push_back(&t);
    std::sort(by_hash.begin(), by_hash.end(),
              [](const TxRecord* a, const TxRecord* b) { return a->hash < b->hash; });
    for (size_t i = 0; s.ok() && i < by_hash.size(); ++i) {
        const TxRecord& t = *by_hash[i];
        s = batch.Put(impl_->cf(kTxHashes),
                      rocksdb::Slice(reinterpret_cast<const char*>(t.hash.data()), 32),
                      position_key(block.number, t.index));
    }
    if (s.ok()) {
        BlockIndex index = block_index(block.number, receipts);
        std::sort(index.addr.begin(), index.addr.end());
        std::sort(index.topic.begin(), index.topic.end());
        for (size_t i = 0; s.ok() && i < index.addr.size(); ++i) {
            s = batch.Put(impl_->cf(kLogAddr), index.addr[i].first, index.addr[i].second);
        }
        for (size_t i = 0; s.ok() && i < index.topic.size(); ++i) {
            s = batch.Put(impl_->cf(kLogTopic), index.topic[i].first, index.topic[i].second);
        }
    }
    if (s.ok()) {
        std::string last(8, '\0');
        codec::put_le<uint64_t>(reinterpret_cast<uint8_t*>(last.data()), block.number);
        s = batch.Put(impl_->cf(kMeta), kLastIndexedKey, last);
    }
    if (!s.ok()) return from_rocks(s, "build batch");
    s = impl_->db->Write(impl_->write_options, &batch);
    if (!s.ok()) return from_rocks(s, "write block " + std::to_string(block.number));
    impl_->regions_end = span.end();
    impl_->regions_tail.swap(tail);
    impl_->next_block.store(block.number + 1);
    return {};
}

bool HistoryStore::direct_io() const {
    return impl_->direct_io;
}

Status HistoryStore::flush() {
    // Not under write_mu: put_block may go on meanwhile (what it writes
    // after this call began may or may not be included). Every block before
    // `next` had its region written before it was counted: sync them, then
    // record that they need no check at the next open (recover_regions).
    uint64_t next = 0;
    uint64_t removals = 0;
    {
        std::lock_guard lk(impl_->write_mu);
        next = impl_->next_block.load();
        removals = impl_->removals;
        impl_->regions_fresh_page = true;
    }
    if (auto st = impl_->regions.sync_data(); !st) return st;
    if (next > 0) {
        std::lock_guard lk(impl_->write_mu);
        if (impl_->removals == removals) {
            std::string mark(8, '\0');
            codec::put_le<uint64_t>(reinterpret_cast<uint8_t*>(mark.data()), next - 1);
            const rocksdb::Status ms =
                impl_->db->Put(impl_->write_options, impl_->cf(kMeta), kRegionsSyncedKey, mark);
            if (!ms.ok()) return from_rocks(ms, "write the regions' synced mark");
        }
    }
    rocksdb::FlushOptions fo;
    fo.wait = true;
    fo.allow_write_stall = true;
    // Every family at once: with atomic_flush set this is one atomic flush.
    std::vector<rocksdb::ColumnFamilyHandle*> all(impl_->cfs.begin(), impl_->cfs.end());
    const rocksdb::Status s = impl_->db->Flush(fo, all);
    if (!s.ok()) return from_rocks(s, "flush");
    return {};
}

Status HistoryStore::settle() {
    if (auto st = flush(); !st) return st;
    rocksdb::DB& db = *impl_->db;
    const auto in_db = [&db](const char* property) {
        uint64_t n = 0;
        return db.GetIntProperty(property, &n) ? n : 0;
    };
    const auto in_families = [&](const char* property) {
        uint64_t total = 0;
        for (rocksdb::ColumnFamilyHandle* h : impl_->cfs) {
            uint64_t n = 0;
            if (db.GetIntProperty(h, property, &n)) total += n;
        }
        return total;
    };
    // RocksDB 7.8 has no call that waits for compactions, so they are
    // polled: done once nothing runs and nothing is pending, or once nothing
    // has run for a while (a pending flag RocksDB does not act on).
    int idle_polls = 0;
    while (idle_polls < 40) {
        const bool running = in_db("rocksdb.num-running-flushes") > 0 ||
                             in_db("rocksdb.num-running-compactions") > 0 ||
                             in_families("rocksdb.mem-table-flush-pending") > 0;
        if (!running && in_families("rocksdb.compaction-pending") == 0) break;
        idle_polls = running ? 0 : idle_polls + 1;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return {};
}

Result<std::optional<BlockRecord>> HistoryStore::block_by_number(uint64_t number) const {
    return impl_->get_block(number);
}

Result<std::optional<BlockRecord>> HistoryStore::block_by_hash(const Bytes32& hash) const {
    // One view for both reads, so the number found is looked up in the same state.
    rocksdb::ManagedSnapshot snap(impl_->db.get());
    auto number = impl_->get(kBlockHashes, raw(hash), snap.snapshot());
    if (!number) return std::move(number).error();
    if (!*number) return std::optional<BlockRecord>{};
    if ((*number)->size() != 8) return bad_record("block number for hash", hash.hex());
    return impl_->get_block(
        codec::get_be<uint64_t>(reinterpret_cast<const uint8_t*>((*number)->data())),
        snap.snapshot());
}

namespace {

// The transaction and receipt stored for `hash`: nullopt when the hash is
// not indexed, kCorruption (naming `what`) when its position holds no
// record or another transaction's. One view for both reads, so a
// truncation between them cannot pair the position with another record.
Result<std::optional<history_codec::PositionRecord>> record_by_hash(const HistoryStore::Impl& impl,
                                                                    const Bytes32& hash,
                                                                    std::string_view what) {
    using Found = std::optional<history_codec::PositionRecord>;
    std::shared_lock regions_lock(impl.regions_mu);
    rocksdb::ManagedSnapshot snap(impl.db.get());
    auto position = impl.position_of(hash, snap.snapshot());
    if (!position) return std::move(position).error();
    if (!*position) return Found{};
    const auto* key = reinterpret_cast<const uint8_t*>((*position)->data());
    auto p = impl.get_position(codec::get_be<uint64_t>(key), codec::get_be<uint32_t>(key + 8),
                               snap.snapshot());
    if (!p) return std::move(p).error();
    if (!*p || (*p)->tx.hash != hash) return bad_record(what, hash.hex());
    return p;
}

}  // namespace

Result<std::optional<TxRecord>> HistoryStore::tx_by_hash(const Bytes32& hash) const {
    auto p = record_by_hash(*impl_, hash, "transaction");
    if (!p) return std::move(p).error();
    if (!*p) return std::optional<TxRecord>{};
    return std::optional<TxRecord>{std::move((*p)->tx)};
}

Result<std::optional<ReceiptRecord>> HistoryStore::receipt_by_tx_hash(const Bytes32& hash) const {
    auto p = record_by_hash(*impl_, hash, "receipt for transaction");
    if (!p) return std::move(p).error();
    if (!*p) return std::optional<ReceiptRecord>{};
    return std::optional<ReceiptRecord>{std::move((*p)->receipt)};
}

Result<std::optional<std::vector<ReceiptRecord>>> HistoryStore::receipts_of_block(
    uint64_t number) const {
    using Found = std::optional<std::vector<ReceiptRecord>>;
    std::shared_lock regions_lock(impl_->regions_mu);
    rocksdb::ManagedSnapshot snap(impl_->db.get());
    auto block = impl_->get_block(number, snap.snapshot());
    if (!block) return std::move(block).error();
    if (!*block) return Found{};
    auto region = impl_->get_region(number, snap.snapshot());
    if (!region) return std::move(region).error();
    if (!*region || (*region)->size() != (*block)->tx_hashes.size()) {
        return bad_record("receipts", "of block " + std::to_string(number) +
                                          " (missing, or not one per transaction)");
    }
    std::vector<ReceiptRecord> out;
    out.reserve((*region)->size());
    for (auto& p : **region) out.push_back(std::move(p.receipt));
    return Found{std::move(out)};
}

std::optional<uint64_t> HistoryStore::last_indexed_block() const {
    const uint64_t next = impl_->next_block.load();
    if (next == 0) return std::nullopt;
    return next - 1;
}

}  // namespace ampd::storage
