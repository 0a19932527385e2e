#include "ampd/storage/history_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <utility>

#include "storage/history_fixtures.hpp"
#include "storage/test_dir.hpp"

namespace ampd::storage {
namespace {

using test::address_n;
using test::BlockData;
using test::LogSpec;
using test::make_block;
using test::TestDir;
using test::topic_n;

uint32_t codec_le32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
           static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

HistoryOptions small_options() {
    HistoryOptions o;
    o.block_cache_bytes = 8 << 20;
    return o;
}

std::unique_ptr<HistoryStore> open_ok(const std::filesystem::path& dir) {
    auto r = HistoryStore::open(dir, small_options());
    if (!r) ADD_FAILURE() << r.error().describe();
    return r ? std::move(*r) : nullptr;
}

void put_ok(HistoryStore& store, const BlockData& d) {
    const Status st = store.put_block(d.block, d.txs, d.receipts);
    ASSERT_TRUE(st) << st.error().describe();
}

// Blocks 0..2: a few transactions with logs of addresses 1..3.
std::vector<BlockData> three_blocks() {
    return {
        make_block(0, {}),
        make_block(1, {{{1, {1, 2}}, {2, {1}}}, {{1, {3}}}}),
        make_block(2, {{}, {{3, {1, 2, 3, 4}}, {1, {}}}, {{2, {2, 2}}}}),
    };
}

TEST(HistoryStore, BlocksTransactionsReceiptsRoundTrip) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    EXPECT_FALSE(store->last_indexed_block());
    const auto blocks = three_blocks();
    for (const auto& d : blocks) put_ok(*store, d);
    EXPECT_EQ(store->last_indexed_block(), 2u);

    for (const auto& d : blocks) {
        EXPECT_EQ(**store->block_by_number(d.block.number), d.block);
        EXPECT_EQ(**store->block_by_hash(d.block.hash), d.block);
        for (size_t i = 0; i < d.txs.size(); ++i) {
            EXPECT_EQ(**store->tx_by_hash(d.txs[i].hash), d.txs[i]);
            EXPECT_EQ(**store->receipt_by_tx_hash(d.txs[i].hash), d.receipts[i]);
        }
        EXPECT_EQ(**store->receipts_of_block(d.block.number), d.receipts);
    }
    EXPECT_TRUE(store->receipts_of_block(0)->value().empty());  // present, no transactions
    EXPECT_FALSE(*store->block_by_number(3));
    EXPECT_FALSE(*store->block_by_hash(test::hash_of("nothing")));
    EXPECT_FALSE(*store->tx_by_hash(test::hash_of("nothing")));
    EXPECT_FALSE(*store->receipt_by_tx_hash(test::hash_of("nothing")));
    EXPECT_FALSE(*store->receipts_of_block(3));
}

TEST(HistoryStore, RejectsInconsistentOrOutOfOrderBlocks) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    auto blocks = three_blocks();
    put_ok(*store, blocks[0]);

    auto expect_invalid = [&](const BlockData& d, const std::string& fragment) {
        const Status st = store->put_block(d.block, d.txs, d.receipts);
        ASSERT_FALSE(st);
        EXPECT_EQ(st.error().kind, ErrorKind::kInvalidArgument);
        EXPECT_NE(st.error().message.find(fragment), std::string::npos) << st.error().message;
    };
    expect_invalid(blocks[2], "not the next block");
    expect_invalid(blocks[0], "not the next block");
    BlockData d = blocks[1];
    d.receipts.pop_back();
    expect_invalid(d, "receipts were given");
    d = blocks[1];
    std::swap(d.txs[0], d.txs[1]);
    expect_invalid(d, "hash differs");
    d = blocks[1];
    d.receipts[1].tx_index = 0;
    expect_invalid(d, "wrong index");
    d = blocks[1];
    d.receipts[1].from = address_n(9);
    expect_invalid(d, "sender differs");
    d = blocks[1];
    d.receipts[1].logs[0].log_index = 0;
    expect_invalid(d, "log indexes must increase");
    d = blocks[1];
    d.receipts[0].logs[0].topics.resize(5);
    expect_invalid(d, "over 4 topics");
    EXPECT_EQ(store->last_indexed_block(), 0u);
    put_ok(*store, blocks[1]);  // the valid one still goes in
}

// A store of another format is refused with a message that says so, not
// opened (or failed inside RocksDB) as if it were this one.
TEST(HistoryStore, RefusesAStoreOfAnotherFormat) {
    TestDir dir;
    {
        // The column families of format 6, which kept transactions and
        // receipts apart.
        rocksdb::Options o;
        o.create_if_missing = true;
        o.create_missing_column_families = true;
        std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
        for (const char* name : {"default", "blocks", "block_hashes", "tx_hashes", "txs",
                                 "receipts", "log_addr", "log_topic"}) {
            cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
        }
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* db = nullptr;
        ASSERT_TRUE(rocksdb::DB::Open(o, dir.path().string(), cfs, &handles, &db).ok());
        for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
        delete db;
    }
    auto r = HistoryStore::open(dir.path(), small_options());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kCorruption);
    EXPECT_NE(r.error().message.find("another version"), std::string::npos) << r.error().message;
}

TEST(HistoryStore, ReopenPersists) {
    TestDir dir;
    const auto blocks = three_blocks();
    {
        auto store = open_ok(dir.path());
        ASSERT_NE(store, nullptr);
        put_ok(*store, blocks[0]);
        put_ok(*store, blocks[1]);
    }
    {
        auto store = open_ok(dir.path());
        ASSERT_NE(store, nullptr);
        EXPECT_EQ(store->last_indexed_block(), 1u);
        EXPECT_EQ(**store->block_by_number(1), blocks[1].block);
        EXPECT_FALSE(store->put_block(blocks[1].block, blocks[1].txs, blocks[1].receipts));
        put_ok(*store, blocks[2]);
        LogFilter f;
        f.to_block = 10;
        EXPECT_EQ(store->get_logs(f)->size(), 6u);
    }
    // A second open of the same directory fails while the first holds it.
    auto first = open_ok(dir.path());
    ASSERT_NE(first, nullptr);
    EXPECT_FALSE(HistoryStore::open(dir.path(), small_options()));
}

// Pages of the table files in `dir` that are in the page cache, and all of
// their pages (mincore on a mapping of each file).
std::pair<size_t, size_t> table_pages_cached(const std::filesystem::path& dir) {
    const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    size_t cached = 0;
    size_t total = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() != ".sst" || e.file_size() == 0) continue;
        const int fd = ::open(e.path().c_str(), O_RDONLY);
        if (fd < 0) continue;
        const size_t size = e.file_size();
        void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
        ::close(fd);
        if (map == MAP_FAILED) continue;
        std::vector<unsigned char> resident((size + page - 1) / page);
        if (::mincore(map, size, resident.data()) == 0) {
            total += resident.size();
            for (const unsigned char r : resident) cached += r & 1;
        }
        ::munmap(map, size);
    }
    return {cached, total};
}

std::vector<BlockData> many_blocks() {
    std::vector<BlockData> blocks;
    for (uint64_t n = 0; n < 200; ++n) {
        std::vector<std::vector<LogSpec>> txs;
        for (uint64_t t = 0; t < 40 + n % 23; ++t) {
            txs.push_back({{static_cast<uint8_t>(1 + t % 3), {static_cast<uint8_t>(1 + n % 4)}}});
        }
        blocks.push_back(make_block(n, txs));
    }
    return blocks;
}

struct Flushed {
    bool direct = false;  // the store's direct_io()
    size_t cached = 0;    // table pages in the page cache after the flush
    size_t total = 0;     // all table pages
};

// Opens a store in `dir` with `o`, writes the blocks and flushes them.
Flushed write_and_flush(const std::filesystem::path& dir, const HistoryOptions& o,
                        const std::vector<BlockData>& blocks) {
    auto r = HistoryStore::open(dir, o);
    if (!r) {
        ADD_FAILURE() << r.error().describe();
        return {};
    }
    for (const auto& d : blocks) put_ok(**r, d);
    EXPECT_TRUE((*r)->flush());
    const auto [cached, total] = table_pages_cached(dir);
    return Flushed{(*r)->direct_io(), cached, total};
}

// Options with direct I/O as asked, and without RocksDB's log, so that only
// flushed table files hold the data.
HistoryOptions flushed_only(bool direct_io) {
    HistoryOptions o = small_options();
    o.direct_io = direct_io;
    o.disable_wal = true;
    return o;
}

// Table files written by flushes with O_DIRECT stay out of the page cache
// (but for what RocksDB reads back of them: the tail of each file, where its
// index and filters are, up to 512 KiB; hence blocks big enough for files
// larger than that), and hold exactly what was put: read back after a
// reopen with the block cache cold.
TEST(HistoryStore, DirectIoTablesRoundTripThroughFlushAndReopen) {
    TestDir dir;
    const auto blocks = many_blocks();
    const HistoryOptions o = flushed_only(true);
    const Flushed flushed = write_and_flush(dir.path(), o, blocks);
    ASSERT_GT(flushed.total, 0u);
    if (flushed.direct) {
        EXPECT_LT(flushed.cached, flushed.total) << "every table page is in the page cache";
    }
    EXPECT_FALSE(std::filesystem::exists(dir / ".direct_io_probe"));

    auto r = HistoryStore::open(dir.path(), o);
    ASSERT_TRUE(r) << r.error().describe();
    HistoryStore& store = **r;
    EXPECT_EQ(store.direct_io(), flushed.direct);
    EXPECT_EQ(store.last_indexed_block(), 199u);
    size_t n_logs = 0;
    for (const auto& d : blocks) {
        EXPECT_EQ(**store.block_by_number(d.block.number), d.block);
        EXPECT_EQ(**store.receipts_of_block(d.block.number), d.receipts);
        for (const auto& t : d.txs) EXPECT_EQ(**store.tx_by_hash(t.hash), t);
        for (const auto& rc : d.receipts) n_logs += rc.logs.size();
    }
    LogFilter f;
    f.to_block = 199;
    LogLimits limits;
    limits.max_results = 100000;
    EXPECT_EQ(store.get_logs(f, limits)->size(), n_logs);
}

// Without direct I/O the same flush leaves every table page in the page
// cache: the contrast that shows the option is what keeps them out.
TEST(HistoryStore, DirectIoCanBeTurnedOff) {
    TestDir dir;
    const Flushed flushed = write_and_flush(dir.path(), flushed_only(false), many_blocks());
    EXPECT_FALSE(flushed.direct);
    ASSERT_GT(flushed.total, 0u);
    EXPECT_EQ(flushed.cached, flushed.total);
}

// settle() flushes (without RocksDB's log nothing else would persist the
// blocks) and returns once background work is done; the store stays usable.
TEST(HistoryStore, SettleFlushesAndTheStoreGoesOn) {
    TestDir dir;
    const auto blocks = many_blocks();
    {
        auto r = HistoryStore::open(dir.path(), flushed_only(false));
        ASSERT_TRUE(r) << r.error().describe();
        for (size_t i = 0; i < 100; ++i) put_ok(**r, blocks[i]);
        ASSERT_TRUE((*r)->settle());
        for (size_t i = 100; i < blocks.size(); ++i) put_ok(**r, blocks[i]);
        ASSERT_TRUE((*r)->settle());
    }
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->last_indexed_block(), blocks.size() - 1);
    for (const auto& d : blocks) {
        EXPECT_EQ(**store->block_by_number(d.block.number), d.block);
        EXPECT_EQ(**store->tx_by_hash(d.txs.back().hash), d.txs.back());
    }
}

TEST(HistoryStore, StoreStartingAfterGenesis) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    put_ok(*store, make_block(1000, {{{1, {1}}}}));
    put_ok(*store, make_block(1001, {}));
    EXPECT_EQ(store->last_indexed_block(), 1001u);
    LogFilter f;
    f.from_block = 0;
    f.to_block = 5000;
    EXPECT_EQ(store->get_logs(f)->size(), 1u);
}

TEST(HistoryStore, TruncateAfterRemovesBlocksAndTheirLogIndex) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    const auto blocks = three_blocks();
    for (const auto& d : blocks) put_ok(*store, d);
    ASSERT_TRUE(store->truncate_after(1));
    EXPECT_EQ(store->last_indexed_block(), 1u);
    EXPECT_FALSE(*store->block_by_number(2));
    EXPECT_FALSE(*store->block_by_hash(blocks[2].block.hash));
    EXPECT_FALSE(*store->tx_by_hash(blocks[2].block.tx_hashes[1]));
    EXPECT_TRUE(*store->tx_by_hash(blocks[1].block.tx_hashes[1]));
    ASSERT_TRUE(store->truncate_after(5));  // nothing to do
    EXPECT_EQ(store->last_indexed_block(), 1u);

    // A different block 2: none of the old block 2's index entries remain
    // (one left behind would point at a log that no longer exists).
    const BlockData replacement = make_block(2, {{{3, {5}}}, {{1, {1}}}});
    put_ok(*store, replacement);
    // The old block's third transaction, which the new block lacks, is not
    // found (a hash entry left behind would point at a missing position).
    auto gone = store->tx_by_hash(blocks[2].block.tx_hashes[2]);
    ASSERT_TRUE(gone) << gone.error().describe();
    EXPECT_FALSE(*gone);
    EXPECT_EQ(**store->tx_by_hash(replacement.txs[1].hash), replacement.txs[1]);
    LogFilter f;
    f.to_block = 5;
    f.addresses = {address_n(3)};
    auto r = store->get_logs(f);
    ASSERT_TRUE(r) << r.error().describe();
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].log.topics, std::vector<Bytes32>{topic_n(5)});
    f.addresses.clear();
    f.topics[3] = std::vector<Bytes32>{topic_n(4)};
    r = store->get_logs(f);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_TRUE(r->empty());
    f.topics[3].reset();
    f.topics[0] = std::vector<Bytes32>{topic_n(1)};
    r = store->get_logs(f);
    ASSERT_TRUE(r) << r.error().describe();
    ASSERT_EQ(r->size(), 3u);  // (1,0), (1,1), and the new (2,1)
    EXPECT_EQ((*r)[2].block_number, 2u);
    EXPECT_EQ((*r)[2].log.log_index, 1u);
}

std::filesystem::path regions_file(const std::filesystem::path& dir) {
    return dir / "tx_receipts.dat";
}

// Without RocksDB's log only flushes persist: a copy of the files taken
// after flush() (what a crash would leave) holds exactly the blocks flushed.
// Block 2's region may have reached the regions file before the crash while
// RocksDB lost its span with the memtable: the reopened store cuts it off.
TEST(HistoryStore, WithoutItsLogAFlushKeepsAConsistentPrefix) {
    for (const bool region_reached_file : {false, true}) {
        SCOPED_TRACE(region_reached_file ? "block 2's region in the file" : "flushed files only");
        TestDir dir;
        TestDir copy;
        HistoryOptions o = small_options();
        o.disable_wal = true;
        // Buffered writes, so that the file's size is where its regions end
        // (direct writes fill their last page with zeros).
        o.direct_io = false;
        const auto blocks = three_blocks();
        uint64_t end_of_block_1 = 0;
        {
            auto r = HistoryStore::open(dir.path(), o);
            ASSERT_TRUE(r) << r.error().describe();
            auto& store = *r;
            put_ok(*store, blocks[0]);
            put_ok(*store, blocks[1]);
            ASSERT_TRUE(store->flush());
            end_of_block_1 = std::filesystem::file_size(regions_file(dir.path()));
            std::filesystem::remove_all(copy.path());
            std::filesystem::copy(dir.path(), copy.path(),
                                  std::filesystem::copy_options::recursive);
            put_ok(*store, blocks[2]);
            if (region_reached_file) {
                std::filesystem::copy_file(regions_file(dir.path()), regions_file(copy.path()),
                                           std::filesystem::copy_options::overwrite_existing);
                ASSERT_GT(std::filesystem::file_size(regions_file(copy.path())), end_of_block_1);
            }
        }
        auto r = HistoryStore::open(copy.path(), o);
        ASSERT_TRUE(r) << r.error().describe();
        auto& store = *r;
        EXPECT_EQ(store->last_indexed_block(), 1u);
        EXPECT_EQ(**store->block_by_number(1), blocks[1].block);
        EXPECT_FALSE(*store->block_by_number(2));
        EXPECT_EQ(std::filesystem::file_size(regions_file(copy.path())), end_of_block_1);
        LogFilter f;
        f.to_block = 10;
        f.addresses = {address_n(1)};
        EXPECT_EQ(store->get_logs(f)->size(), 2u);  // (1,0) and (1,2)
        put_ok(*store, blocks[2]);                  // the owner re-indexes the rest
        EXPECT_EQ(store->get_logs(f)->size(), 3u);
        for (size_t i = 0; i < blocks[2].txs.size(); ++i) {
            EXPECT_EQ(**store->tx_by_hash(blocks[2].txs[i].hash), blocks[2].txs[i]);
            EXPECT_EQ(**store->receipt_by_tx_hash(blocks[2].txs[i].hash), blocks[2].receipts[i]);
        }
    }
}

// A machine crash: RocksDB kept block 2 (and its span), but the region's
// bytes, written after the last flush() and never synced, were lost or
// came back as zeros. The reopened store checks the regions written since
// that flush(), drops block 2 and takes it again.
TEST(HistoryStore, UnsyncedRegionLostInACrashDropsItsBlock) {
    for (const bool zeros : {false, true}) {
        SCOPED_TRACE(zeros ? "zero-filled" : "cut off");
        TestDir dir;
        HistoryOptions o = small_options();
        o.direct_io = false;  // file sizes are region ends (see above)
        const auto open_buffered = [&] {
            auto r = HistoryStore::open(dir.path(), o);
            if (!r) ADD_FAILURE() << r.error().describe();
            return r ? std::move(*r) : nullptr;
        };
        const auto blocks = three_blocks();
        uint64_t end_of_block_1 = 0;
        uint64_t end_of_block_2 = 0;
        {
            auto store = open_buffered();
            ASSERT_NE(store, nullptr);
            put_ok(*store, blocks[0]);
            put_ok(*store, blocks[1]);
            ASSERT_TRUE(store->flush());
            end_of_block_1 = std::filesystem::file_size(regions_file(dir.path()));
            put_ok(*store, blocks[2]);
            end_of_block_2 = std::filesystem::file_size(regions_file(dir.path()));
        }
        if (zeros) {
            const int fd = ::open(regions_file(dir.path()).c_str(), O_WRONLY);
            ASSERT_GE(fd, 0);
            const std::vector<char> z(end_of_block_2 - end_of_block_1, 0);
            ASSERT_EQ(::pwrite(fd, z.data(), z.size(), static_cast<off_t>(end_of_block_1)),
                      static_cast<ssize_t>(z.size()));
            ::close(fd);
        } else {
            std::filesystem::resize_file(regions_file(dir.path()), end_of_block_1);
        }
        auto store = open_buffered();
        ASSERT_NE(store, nullptr);
        EXPECT_EQ(store->last_indexed_block(), 1u);
        EXPECT_FALSE(*store->block_by_number(2));
        EXPECT_FALSE(*store->tx_by_hash(blocks[2].txs[0].hash));
        // Cut where block 2's region began: after the flush, on a fresh page.
        EXPECT_EQ(std::filesystem::file_size(regions_file(dir.path())),
                  (end_of_block_1 + 4095) / 4096 * 4096);
        EXPECT_EQ(**store->receipt_by_tx_hash(blocks[1].txs[0].hash), blocks[1].receipts[0]);
        put_ok(*store, blocks[2]);
        EXPECT_EQ(**store->receipts_of_block(2), blocks[2].receipts);
        LogFilter f;
        f.to_block = 10;
        EXPECT_EQ(store->get_logs(f)->size(), 6u);
    }
}

// With direct I/O a region is written in whole pages, and a page a region
// ends inside is written again with the next region. Blocks of many sizes
// (empty ones, ones inside a page, ones across pages), a reopen, and a
// truncation into the middle of a page: every transaction and receipt
// reads back as it was put.
TEST(HistoryStore, RegionsWrittenInWholePagesReadBack) {
    TestDir dir;
    std::vector<BlockData> blocks;
    for (uint64_t n = 0; n < 40; ++n) {
        std::vector<std::vector<LogSpec>> txs((n * 7) % 23);  // 0 to 22 transactions
        for (size_t i = 0; i < txs.size(); ++i) {
            txs[i] = {{static_cast<uint8_t>(1 + i % 3), {static_cast<uint8_t>(n % 5)}}};
        }
        blocks.push_back(make_block(n, txs));
    }
    const auto check = [&](HistoryStore& store, uint64_t up_to) {
        for (uint64_t n = 0; n <= up_to; ++n) {
            const BlockData& d = blocks[n];
            for (size_t i = 0; i < d.txs.size(); ++i) {
                ASSERT_EQ(**store.tx_by_hash(d.txs[i].hash), d.txs[i]) << n << " " << i;
            }
            ASSERT_EQ(**store.receipts_of_block(n), d.receipts) << n;
        }
    };
    {
        auto store = open_ok(dir.path());
        ASSERT_NE(store, nullptr);
        if (!store->direct_io()) GTEST_SKIP() << "no O_DIRECT where the tests write";
        for (uint64_t n = 0; n < 20; ++n) {
            put_ok(*store, blocks[n]);
            // After a flush the next region starts on a fresh page.
            if (n == 9) {
                ASSERT_TRUE(store->flush());
            }
        }
        check(*store, 19);
    }
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    for (uint64_t n = 20; n < 30; ++n) put_ok(*store, blocks[n]);
    ASSERT_TRUE(store->flush());
    check(*store, 29);
    ASSERT_TRUE(store->truncate_after(24));  // below the synced mark
    for (uint64_t n = 25; n < 40; ++n) put_ok(*store, blocks[n]);
    check(*store, 39);
    store.reset();
    store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->last_indexed_block(), 39u);
    check(*store, 39);
}

class HistoryLogs : public testing::Test {
protected:
    void SetUp() override {
        store_ = open_ok(dir_.path());
        ASSERT_NE(store_, nullptr);
        for (const auto& d : three_blocks()) put_ok(*store_, d);
    }

    // (block, log index) of each result.
    std::vector<std::pair<uint64_t, uint32_t>> query(const LogFilter& f) {
        auto r = store_->get_logs(f);
        if (!r) {
            ADD_FAILURE() << r.error().describe();
            return {};
        }
        std::vector<std::pair<uint64_t, uint32_t>> out;
        for (const FoundLog& l : *r) out.emplace_back(l.block_number, l.log.log_index);
        return out;
    }

    static LogFilter range(uint64_t from, uint64_t to) {
        LogFilter f;
        f.from_block = from;
        f.to_block = to;
        return f;
    }

    using Hits = std::vector<std::pair<uint64_t, uint32_t>>;
    TestDir dir_;
    std::unique_ptr<HistoryStore> store_;
};

// The logs of three_blocks(), as (block, log index): address; topics
//   (1,0): a1 [t1 t2]   (1,1): a2 [t1]   (1,2): a1 [t3]
//   (2,0): a3 [t1 t2 t3 t4]   (2,1): a1 []   (2,2): a2 [t2 t2]

TEST_F(HistoryLogs, EverythingInOrder) {
    EXPECT_EQ(query(range(0, 2)), (Hits{{1, 0}, {1, 1}, {1, 2}, {2, 0}, {2, 1}, {2, 2}}));
    EXPECT_EQ(query(range(2, 2)), (Hits{{2, 0}, {2, 1}, {2, 2}}));
    EXPECT_EQ(query(range(0, 0)), Hits{});
    EXPECT_EQ(query(range(3, 9)), Hits{});  // past the last indexed block
    EXPECT_EQ(query(range(1, 1000)).size(), 6u);
}

TEST_F(HistoryLogs, FoundLogCarriesItsContext) {
    LogFilter f = range(0, 2);
    f.addresses = {address_n(3)};
    auto r = store_->get_logs(f);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    const FoundLog& l = (*r)[0];
    const BlockData b2 = make_block(2, {{}, {{3, {1, 2, 3, 4}}, {1, {}}}, {{2, {2, 2}}}});
    EXPECT_EQ(l.block_number, 2u);
    EXPECT_EQ(l.block_hash, b2.block.hash);
    EXPECT_EQ(l.tx_hash, b2.block.tx_hashes[1]);
    EXPECT_EQ(l.tx_index, 1u);
    EXPECT_EQ(l.log, b2.receipts[1].logs[0]);
}

TEST_F(HistoryLogs, AddressFilters) {
    LogFilter f = range(0, 2);
    f.addresses = {address_n(1)};
    EXPECT_EQ(query(f), (Hits{{1, 0}, {1, 2}, {2, 1}}));
    f.addresses = {address_n(2), address_n(3), address_n(2)};  // OR, duplicates harmless
    EXPECT_EQ(query(f), (Hits{{1, 1}, {2, 0}, {2, 2}}));
    f.addresses = {address_n(9)};
    EXPECT_EQ(query(f), Hits{});
    f = range(2, 2);
    f.addresses = {address_n(1)};
    EXPECT_EQ(query(f), (Hits{{2, 1}}));
}

TEST_F(HistoryLogs, TopicFilters) {
    LogFilter f = range(0, 2);
    f.topics[0] = std::vector<Bytes32>{topic_n(1)};
    EXPECT_EQ(query(f), (Hits{{1, 0}, {1, 1}, {2, 0}}));
    f.topics[0] = std::vector<Bytes32>{topic_n(1), topic_n(3)};  // OR
    EXPECT_EQ(query(f), (Hits{{1, 0}, {1, 1}, {1, 2}, {2, 0}}));
    // Wildcard at 0, condition at 1: logs with fewer than two topics never match.
    f.topics[0].reset();
    f.topics[1] = std::vector<Bytes32>{topic_n(2)};
    EXPECT_EQ(query(f), (Hits{{1, 0}, {2, 0}, {2, 2}}));
    // An empty list is a wildcard too (as in geth).
    f.topics[0] = std::vector<Bytes32>{};
    EXPECT_EQ(query(f), (Hits{{1, 0}, {2, 0}, {2, 2}}));
    // Conditions on several positions and the address combine with AND.
    f.topics[0] = std::vector<Bytes32>{topic_n(2)};
    EXPECT_EQ(query(f), (Hits{{2, 2}}));
    f.addresses = {address_n(1)};
    EXPECT_EQ(query(f), Hits{});
    f = range(0, 2);
    f.topics[3] = std::vector<Bytes32>{topic_n(4)};
    EXPECT_EQ(query(f), (Hits{{2, 0}}));
    f.topics[3] = std::vector<Bytes32>{topic_n(5)};
    EXPECT_EQ(query(f), Hits{});
}

TEST_F(HistoryLogs, Limits) {
    LogFilter f = range(0, 100000);
    auto r = store_->get_logs(f);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kLimitExceeded);
    EXPECT_EQ(r.error().message, "block range 0x0-0x186a0 exceeds the limit of 100000 blocks");
    EXPECT_TRUE(store_->get_logs(range(0, 99999)));  // exactly 100000 blocks

    LogLimits limits;
    limits.max_results = 5;
    r = store_->get_logs(range(0, 2), limits);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kLimitExceeded);
    EXPECT_EQ(r.error().message, "query returns more than 5 results; narrow the block range");
    limits.max_results = 6;
    EXPECT_EQ(store_->get_logs(range(0, 2), limits)->size(), 6u);
    r = store_->get_logs(range(0, 2));
    ASSERT_TRUE(r);

    // Through an index too.
    f = range(0, 2);
    f.addresses = {address_n(1)};
    limits.max_results = 2;
    r = store_->get_logs(f, limits);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "query returns more than 2 results; narrow the block range");

    limits = LogLimits{};
    limits.max_scanned = 2;
    r = store_->get_logs(f, limits);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kLimitExceeded);
    EXPECT_NE(r.error().message.find("more than 2 log index entries"), std::string::npos);

    limits.max_block_range = 2;
    r = store_->get_logs(range(5, 6), limits);
    EXPECT_TRUE(r);
    r = store_->get_logs(range(5, 7), limits);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "block range 0x5-0x7 exceeds the limit of 2 blocks");

    r = store_->get_logs(range(3, 2));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
}

TEST_F(HistoryLogs, EmptyStoreAnswersNothing) {
    TestDir other;
    auto empty = open_ok(other.path());
    ASSERT_NE(empty, nullptr);
    LogFilter f = range(0, 10);
    f.addresses = {address_n(1)};
    EXPECT_TRUE(empty->get_logs(f)->empty());
    EXPECT_TRUE(empty->get_logs(range(0, 10))->empty());
}

// Random blocks (numbers 0..n-1; a block has logs with probability
// 1/sparsity) and the store they are written to.
std::vector<BlockData> random_blocks(HistoryStore& store, std::mt19937& rng, uint64_t n,
                                     unsigned sparsity) {
    auto pick = [&](unsigned k) { return static_cast<uint8_t>(rng() % k); };
    std::vector<BlockData> blocks;
    for (uint64_t number = 0; number < n; ++number) {
        std::vector<std::vector<LogSpec>> txs;
        if (rng() % sparsity == 0) txs.resize(pick(5));
        for (auto& logs : txs) {
            logs.resize(pick(4));
            for (LogSpec& l : logs) {
                l.address = pick(5);
                l.topics.resize(pick(5));
                for (uint8_t& t : l.topics) t = pick(6);
            }
        }
        blocks.push_back(make_block(number, txs));
        const Status st =
            store.put_block(blocks.back().block, blocks.back().txs, blocks.back().receipts);
        EXPECT_TRUE(st) << st.error().describe();
    }
    return blocks;
}

// The logs of `blocks` that `f` selects, by scanning them all.
std::vector<FoundLog> brute_force(const std::vector<BlockData>& blocks, const LogFilter& f) {
    std::vector<FoundLog> out;
    for (const BlockData& d : blocks) {
        if (d.block.number < f.from_block || d.block.number > f.to_block) continue;
        for (const ReceiptRecord& r : d.receipts) {
            for (const LogRecordStored& log : r.logs) {
                bool ok = f.addresses.empty() || std::find(f.addresses.begin(), f.addresses.end(),
                                                           log.address) != f.addresses.end();
                for (size_t i = 0; ok && i < 4; ++i) {
                    if (!f.topics[i] || f.topics[i]->empty()) continue;
                    ok = i < log.topics.size() &&
                         std::find(f.topics[i]->begin(), f.topics[i]->end(), log.topics[i]) !=
                             f.topics[i]->end();
                }
                if (ok)
                    out.push_back(
                        FoundLog{log, d.block.number, d.block.hash, r.tx_hash, r.tx_index});
            }
        }
    }
    return out;
}

// `queries` random filters over ranges starting below `max_from` and
// spanning up to `max_span` blocks, each answered by the store as a scan of
// `blocks` answers it.
void expect_brute_force_answers(const HistoryStore& store, const std::vector<BlockData>& blocks,
                                std::mt19937& rng, int queries, unsigned max_from,
                                unsigned max_span) {
    auto pick = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
    for (int q = 0; q < queries; ++q) {
        LogFilter f;
        f.from_block = pick(max_from);
        f.to_block = f.from_block + pick(max_span);
        if (pick(2) == 0) {
            for (int k = static_cast<int>(pick(3)); k >= 0; --k) {
                f.addresses.push_back(address_n(static_cast<uint8_t>(pick(6))));
            }
        }
        for (auto& slot : f.topics) {
            if (pick(3) != 0) continue;
            slot.emplace();
            for (int k = static_cast<int>(pick(3)); k > 0; --k) {
                slot->push_back(topic_n(static_cast<uint8_t>(pick(7))));
            }
        }

        const std::vector<FoundLog> expected = brute_force(blocks, f);
        auto got = store.get_logs(f);
        ASSERT_TRUE(got) << got.error().describe();
        ASSERT_EQ(*got, expected) << "query " << q << ": blocks " << f.from_block << "-"
                                  << f.to_block;
    }
}

// Random blocks and random filters against a brute-force reference.
TEST(HistoryLogsProperty, MatchesBruteForce) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    std::mt19937 rng(20240601);
    const std::vector<BlockData> blocks = random_blocks(*store, rng, 80, 1);
    expect_brute_force_answers(*store, blocks, rng, 400, 85, 40);
}

// The log index keys each block under its epoch: ranges that start, end or
// straddle epoch boundaries, and a truncation in the middle of an epoch.
TEST(HistoryLogsProperty, MatchesBruteForceAcrossIndexEpochs) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    std::mt19937 rng(20261202);
    constexpr uint64_t kEpoch = kLogIndexEpochBlocks;
    std::vector<BlockData> blocks = random_blocks(*store, rng, 3 * kEpoch + 40, 6);
    expect_brute_force_answers(*store, blocks, rng, 300, 3 * kEpoch + 50, 2 * kEpoch);

    // Exactly one epoch; its last block with the next one's first; one
    // block at each end of an epoch; the first block to the last.
    const std::pair<uint64_t, uint64_t> ranges[] = {
        {kEpoch, 2 * kEpoch - 1}, {2 * kEpoch - 1, 2 * kEpoch}, {kEpoch, kEpoch},
        {kEpoch - 1, kEpoch - 1}, {0, 3 * kEpoch + 39},
    };
    for (const auto& [from, to] : ranges) {
        for (uint8_t a = 1; a <= 3; ++a) {
            LogFilter f;
            f.from_block = from;
            f.to_block = to;
            f.addresses = {address_n(a)};
            const std::vector<FoundLog> expected = brute_force(blocks, f);
            auto got = store->get_logs(f);
            ASSERT_TRUE(got) << got.error().describe();
            EXPECT_EQ(*got, expected) << "blocks " << from << "-" << to;
            f.addresses.clear();
            f.topics[1] = std::vector<Bytes32>{topic_n(a)};
            got = store->get_logs(f);
            ASSERT_TRUE(got) << got.error().describe();
            EXPECT_EQ(*got, brute_force(blocks, f)) << "blocks " << from << "-" << to;
        }
    }
    LogFilter whole;
    whole.to_block = 3 * kEpoch + 39;
    whole.addresses = {address_n(1)};
    EXPECT_GT(brute_force(blocks, whole).size(), 20u);  // the blocks have logs to find

    // Truncating into the second epoch drops the later epochs' keys and the
    // tail of the second.
    const uint64_t keep = kEpoch + kEpoch / 2;
    ASSERT_TRUE(store->truncate_after(keep));
    blocks.resize(keep + 1);
    expect_brute_force_answers(*store, blocks, rng, 200, 3 * kEpoch + 50, 2 * kEpoch);
}

// Overwrites the whole regions file with zeros behind the store's back.
void zero_regions_file(const std::filesystem::path& dir) {
    const auto size = std::filesystem::file_size(regions_file(dir));
    const Bytes zeros(size, 0);
    const int fd = ::open(regions_file(dir).c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, zeros.data(), zeros.size(), 0), static_cast<ssize_t>(zeros.size()));
    ::close(fd);
}

TEST(HistoryStore, RecentRegionsAreReadFromMemory) {
    const auto blocks = three_blocks();
    for (const size_t budget : {size_t{64} << 20, size_t{0}}) {
        SCOPED_TRACE(budget == 0 ? "no recent regions" : "recent regions kept");
        TestDir dir;
        HistoryOptions o = small_options();
        o.recent_regions_bytes = budget;
        auto r = HistoryStore::open(dir.path(), o);
        ASSERT_TRUE(r) << r.error().describe();
        HistoryStore& store = **r;
        for (const auto& d : blocks) put_ok(store, d);
        // Synced and marked so: a reopen trusts the file and reads its zeros.
        ASSERT_TRUE(store.flush());
        zero_regions_file(dir.path());
        const TxRecord& tx = blocks[2].txs[1];
        if (budget > 0) {
            EXPECT_EQ(**store.tx_by_hash(tx.hash), tx);
            EXPECT_EQ(**store.receipt_by_tx_hash(tx.hash), blocks[2].receipts[1]);
            EXPECT_EQ(**store.receipts_of_block(1), blocks[1].receipts);
        } else {
            EXPECT_EQ(store.tx_by_hash(tx.hash).error().kind, ErrorKind::kCorruption);
            EXPECT_EQ(store.receipts_of_block(1).error().kind, ErrorKind::kCorruption);
        }
        r->reset();
        // What the store reads after a reopen is the file.
        auto reopened = HistoryStore::open(dir.path(), o);
        ASSERT_TRUE(reopened) << reopened.error().describe();
        EXPECT_EQ((*reopened)->tx_by_hash(tx.hash).error().kind, ErrorKind::kCorruption);
    }
}

TEST(HistoryStore, RecentRegionsWrapAroundTheirBuffer) {
    TestDir dir;
    HistoryOptions o = small_options();
    o.recent_regions_bytes = 1500;  // a few of these blocks' regions
    auto r = HistoryStore::open(dir.path(), o);
    ASSERT_TRUE(r) << r.error().describe();
    HistoryStore& store = **r;
    std::vector<BlockData> blocks;
    for (uint64_t n = 0; n < 20; ++n) {
        blocks.push_back(make_block(n, {{}, {{3, {1, 2, 3, 4}}, {1, {}}}, {{2, {2, 2}}}}));
        put_ok(store, blocks.back());
        // Every block so far reads back, from the buffer or from the file.
        for (const BlockData& d : blocks) {
            ASSERT_EQ(**store.receipts_of_block(d.block.number), d.receipts) << n;
        }
    }
    ASSERT_TRUE(store.flush());
    zero_regions_file(dir.path());
    // The newest block is still served from memory; the oldest was only in
    // the file.
    EXPECT_EQ(**store.receipts_of_block(19), blocks[19].receipts);
    EXPECT_EQ(**store.receipt_by_tx_hash(blocks[19].txs[2].hash), blocks[19].receipts[2]);
    EXPECT_EQ(store.receipts_of_block(0).error().kind, ErrorKind::kCorruption);
}

TEST(HistoryStore, RecentRegionsFollowATruncation) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    auto blocks = three_blocks();
    for (const auto& d : blocks) put_ok(*store, d);
    EXPECT_EQ(**store->receipts_of_block(2), blocks[2].receipts);
    ASSERT_TRUE(store->truncate_after(1));
    // Block 2 again, of the same shape and size, with other statuses: its
    // region lands where the old one was.
    BlockData again = blocks[2];
    for (ReceiptRecord& rc : again.receipts) rc.status = rc.status == 1 ? 0 : 1;
    put_ok(*store, again);
    EXPECT_EQ(**store->receipts_of_block(2), again.receipts);
    for (size_t i = 0; i < again.txs.size(); ++i) {
        EXPECT_EQ(**store->receipt_by_tx_hash(again.txs[i].hash), again.receipts[i]);
    }
    EXPECT_EQ(**store->receipts_of_block(1), blocks[1].receipts);
}

TEST(HistoryStore, CorruptStoredRecordIsAnErrorNotACrash) {
    TestDir dir;
    {
        auto store = open_ok(dir.path());
        ASSERT_NE(store, nullptr);
        for (const auto& d : three_blocks()) put_ok(*store, d);
        // Synced and marked so: the open below trusts these regions and
        // does not check them again.
        ASSERT_TRUE(store->flush());
    }
    {
        // Overwrite block 1 with garbage behind the store's back.
        std::vector<std::string> names;
        ASSERT_TRUE(
            rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path().string(), &names)
                .ok());
        std::vector<rocksdb::ColumnFamilyDescriptor> descs;
        for (const auto& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* raw = nullptr;
        ASSERT_TRUE(
            rocksdb::DB::Open(rocksdb::DBOptions(), dir.path().string(), descs, &handles, &raw)
                .ok());
        std::unique_ptr<rocksdb::DB> db(raw);
        auto handle = [&](const std::string& name) {
            for (size_t i = 0; i < names.size(); ++i) {
                if (names[i] == name) return handles[i];
            }
            return handles[0];
        };
        const std::string key("\0\0\0\0\0\0\0\x01", 8);  // block 1, big-endian
        ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handle("blocks"), key, "\x01garbage").ok());
        // Position (2, 1), a transaction with its receipt, in the regions
        // file: its version byte becomes one no decoder knows. Block 2's
        // span (offset u64 LE first) leads to its offsets table.
        std::string span;
        const std::string key2("\0\0\0\0\0\0\0\x02", 8);
        ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), handle("tx_regions"), key2, &span).ok());
        ASSERT_EQ(span.size(), 24U);
        uint64_t region = 0;
        std::memcpy(&region, span.data(), 8);  // little-endian, as this machine
        const int fd = ::open(regions_file(dir.path()).c_str(), O_RDWR);
        ASSERT_GE(fd, 0);
        uint8_t entry[4];
        ASSERT_EQ(::pread(fd, entry, 4, static_cast<off_t>(region + 4)), 4);
        const uint8_t bad = 0xEE;
        ASSERT_EQ(::pwrite(fd, &bad, 1, static_cast<off_t>(region + codec_le32(entry))), 1);
        ::close(fd);
        // Block 1's second transaction now points at block 2's first, and
        // block 2's last at a position of the wrong size.
        const auto blocks = three_blocks();
        const auto hash_key = [](const Bytes32& h) {
            return std::string(reinterpret_cast<const char*>(h.data()), h.size());
        };
        const std::string moved("\0\0\0\0\0\0\0\x02\0\0\0\0", 12);  // block 2, tx 0
        ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handle("tx_hashes"),
                            hash_key(blocks[1].txs[1].hash), moved)
                        .ok());
        ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handle("tx_hashes"),
                            hash_key(blocks[2].txs[2].hash), "short")
                        .ok());
        for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
        ASSERT_TRUE(db->Close().ok());
    }
    auto store = open_ok(dir.path());
    ASSERT_NE(store, nullptr);
    auto b = store->block_by_number(1);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().kind, ErrorKind::kCorruption);
    EXPECT_EQ(store->receipts_of_block(2).error().kind, ErrorKind::kCorruption);
    LogFilter f;
    f.to_block = 2;
    f.addresses = {address_n(1)};  // (2,1) is address 1's log in tx 1
    EXPECT_EQ(store->get_logs(f).error().kind, ErrorKind::kCorruption);
    EXPECT_EQ(**store->block_by_number(2), three_blocks()[2].block);
    const auto blocks = three_blocks();
    for (const Bytes32& h : {blocks[1].txs[1].hash, blocks[2].txs[2].hash}) {
        EXPECT_EQ(store->tx_by_hash(h).error().kind, ErrorKind::kCorruption);
        EXPECT_EQ(store->receipt_by_tx_hash(h).error().kind, ErrorKind::kCorruption);
    }
    // The transaction whose position was borrowed is still found where it is.
    EXPECT_EQ(**store->tx_by_hash(blocks[2].txs[0].hash), blocks[2].txs[0]);
    EXPECT_EQ(**store->receipt_by_tx_hash(blocks[2].txs[0].hash), blocks[2].receipts[0]);
}

}  // namespace
}  // namespace ampd::storage
