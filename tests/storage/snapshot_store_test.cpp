#include "ampd/storage/snapshot_store.hpp"

#include <gtest/gtest.h>

#include "storage/test_dir.hpp"

namespace ampd::storage {
namespace {

using test::flip_byte;
using test::TestDir;

Bytes state_for(uint64_t seq, size_t len = 1000) {
    Bytes b(len);
    for (size_t i = 0; i < len; ++i) b[i] = static_cast<uint8_t>(seq * 13 + i);
    return b;
}

SnapshotStore open_ok(const std::filesystem::path& dir, SnapshotOptions opt = {}) {
    auto r = SnapshotStore::open(dir, opt);
    if (!r) throw std::runtime_error(r.error().describe());
    return std::move(*r);
}

std::filesystem::path file_of(const TestDir& dir, const std::string& digits) {
    return dir / ("snapshot-" + std::string(20 - digits.size(), '0') + digits + ".bin");
}

TEST(SnapshotStore, EmptyStoreLoadsNothing) {
    TestDir dir;
    auto store = open_ok(dir / "snaps");
    auto load = store.load_latest();
    ASSERT_TRUE(load);
    EXPECT_FALSE(load->snapshot);
    EXPECT_TRUE(load->skipped.empty());
    EXPECT_FALSE(*store.oldest_retained_seq());
}

TEST(SnapshotStore, WriteAndLoad) {
    TestDir dir;
    {
        auto store = open_ok(dir.path());
        ASSERT_TRUE(store.write(42, state_for(42)));
    }
    auto store = open_ok(dir.path());
    auto load = store.load_latest();
    ASSERT_TRUE(load);
    ASSERT_TRUE(load->snapshot);
    EXPECT_EQ(load->snapshot->covers_seq, 42u);
    EXPECT_EQ(load->snapshot->state, state_for(42));
    EXPECT_TRUE(std::filesystem::exists(file_of(dir, "42")));
    // Empty state and sequence 0 (state before any record) are fine.
    ASSERT_TRUE(store.write(42, Bytes{}));  // same sequence: replaced
    load = store.load_latest();
    ASSERT_TRUE(load->snapshot);
    EXPECT_TRUE(load->snapshot->state.empty());
}

TEST(SnapshotStore, KeepsTheNewestK) {
    TestDir dir;
    auto store = open_ok(dir.path());
    for (uint64_t s : {10, 20, 30, 40}) ASSERT_TRUE(store.write(s, state_for(s)));
    EXPECT_EQ(*store.list(), (std::vector<uint64_t>{30, 40}));
    EXPECT_EQ(**store.oldest_retained_seq(), 30u);

    TestDir dir3;
    SnapshotOptions keep3;
    keep3.keep = 3;
    auto store3 = open_ok(dir3.path(), keep3);
    for (uint64_t s : {1, 2, 3, 4, 5}) ASSERT_TRUE(store3.write(s, state_for(s)));
    EXPECT_EQ(*store3.list(), (std::vector<uint64_t>{3, 4, 5}));
}

TEST(SnapshotStore, RefusesAnOlderSnapshot) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_TRUE(store.write(50, state_for(50)));
    const Status st = store.write(49, state_for(49));
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::kInvalidArgument);
}

TEST(SnapshotStore, CorruptNewestFallsBack) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_TRUE(store.write(5, state_for(5)));
    ASSERT_TRUE(store.write(7, state_for(7)));
    flip_byte(file_of(dir, "7"), 500);
    auto load = store.load_latest();
    ASSERT_TRUE(load);
    ASSERT_TRUE(load->snapshot);
    EXPECT_EQ(load->snapshot->covers_seq, 5u);
    EXPECT_EQ(load->snapshot->state, state_for(5));
    ASSERT_EQ(load->skipped.size(), 1u);
    EXPECT_EQ(load->skipped[0].path, file_of(dir, "7"));
    EXPECT_NE(load->skipped[0].reason.find("checksum mismatch"), std::string::npos);
    // The WAL must still cover the fallback.
    EXPECT_EQ(**store.oldest_retained_seq(), 5u);
}

TEST(SnapshotStore, TruncatedOrMisnamedSnapshotsAreSkipped) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_TRUE(store.write(5, state_for(5)));
    ASSERT_TRUE(store.write(7, state_for(7)));
    std::filesystem::resize_file(file_of(dir, "7"), 600);
    auto load = store.load_latest();
    ASSERT_TRUE(load->snapshot);
    EXPECT_EQ(load->snapshot->covers_seq, 5u);
    EXPECT_NE(load->skipped.at(0).reason.find("header declares 1000 bytes"), std::string::npos);

    std::filesystem::rename(file_of(dir, "5"), file_of(dir, "6"));
    load = store.load_latest();
    EXPECT_FALSE(load->snapshot);
    ASSERT_EQ(load->skipped.size(), 2u);
    EXPECT_NE(load->skipped[1].reason.find("file name says 6"), std::string::npos);
}

TEST(SnapshotStore, AllCorruptGivesNothing) {
    TestDir dir;
    auto store = open_ok(dir.path());
    ASSERT_TRUE(store.write(1, state_for(1)));
    ASSERT_TRUE(store.write(2, state_for(2)));
    flip_byte(file_of(dir, "1"), 3);   // magic
    flip_byte(file_of(dir, "2"), 20);  // covers_seq
    auto load = store.load_latest();
    ASSERT_TRUE(load);
    EXPECT_FALSE(load->snapshot);
    ASSERT_EQ(load->skipped.size(), 2u);
    EXPECT_NE(load->skipped[1].reason.find("bad magic"), std::string::npos);
}

TEST(SnapshotStore, LeftoverTempFilesAreRemoved) {
    TestDir dir;
    {
        auto store = open_ok(dir.path());
        ASSERT_TRUE(store.write(3, state_for(3)));
    }
    const auto temp = dir / "snapshot-00000000000000000009.bin.tmp";
    test::write_file(temp, state_for(9));
    auto store = open_ok(dir.path());
    EXPECT_FALSE(std::filesystem::exists(temp));
    EXPECT_EQ(store.load_latest()->snapshot->covers_seq, 3u);
}

}  // namespace
}  // namespace ampd::storage
