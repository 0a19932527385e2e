#include "ampd/storage/wal.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "ampd/storage/wal_format.hpp"
#include "storage/test_dir.hpp"

namespace ampd::storage {
namespace {

using test::flip_byte;
using test::read_file;
using test::TestDir;
using test::write_file;
namespace wf = wal_format;

constexpr size_t kLen = 40;  // payload size used by most tests
constexpr uint64_t kRecordSize = wf::kRecordHeaderSize + kLen;

WalOptions no_sync() {
    WalOptions o;
    o.sync_mode = SyncMode::kNone;
    return o;
}

// For tests that reason about exact file sizes: each write grows the file
// by its records, with no zeros preallocated after them.
WalOptions exact_size() {
    WalOptions o = no_sync();
    o.preallocate_bytes = 0;
    return o;
}

// Zeros kept `step` bytes ahead of the records.
WalOptions preallocating(uint64_t step) {
    WalOptions o = no_sync();
    o.preallocate_bytes = step;
    return o;
}

Bytes payload_for(uint64_t i, size_t len = kLen) {
    Bytes b(len);
    for (size_t k = 0; k < len; ++k) b[k] = static_cast<uint8_t>(i * 31 + k * 7 + 1);
    return b;
}

std::unique_ptr<Wal> open_ok(const std::filesystem::path& dir, WalOptions opt = no_sync()) {
    auto r = Wal::open(dir, opt);
    if (!r) ADD_FAILURE() << r.error().describe();
    return r ? std::move(*r) : nullptr;
}

struct Replayed {
    uint64_t seq;
    uint8_t type;
    Bytes payload;
};

std::vector<Replayed> replay_all(const Wal& wal, uint64_t from = 1) {
    std::vector<Replayed> out;
    auto r = wal.replay(from, [&](const WalRecord& rec) {
        out.push_back({rec.seq, rec.type, Bytes(rec.payload.begin(), rec.payload.end())});
        return ok_status();
    });
    if (!r) ADD_FAILURE() << r.error().describe();
    return out;
}

// Writes records 1..n (type 1, payload_for(seq)) and closes the log.
void write_records(const std::filesystem::path& dir, uint64_t n, WalOptions opt = no_sync()) {
    auto wal = open_ok(dir, opt);
    ASSERT_NE(wal, nullptr);
    for (uint64_t i = 1; i <= n; ++i) ASSERT_EQ(*wal->append(1, payload_for(i)), i);
    ASSERT_TRUE(wal->sync());
}

std::vector<std::filesystem::path> segment_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (wf::parse_segment_file_name(e.path().filename().string())) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void expect_records(const Wal& wal, uint64_t first, uint64_t last) {
    const auto recs = replay_all(wal, first);
    ASSERT_EQ(recs.size(), last + 1 - first);
    for (uint64_t i = first; i <= last; ++i) {
        EXPECT_EQ(recs[i - first].seq, i);
        EXPECT_EQ(recs[i - first].payload, payload_for(i)) << "record " << i;
    }
}

TEST(WalFormat, SegmentNames) {
    EXPECT_EQ(wf::segment_file_name(1), "wal-00000000000000000001.log");
    EXPECT_EQ(wf::parse_segment_file_name("wal-00000000000000000042.log"), 42u);
    EXPECT_EQ(wf::parse_segment_file_name("wal-18446744073709551615.log"), UINT64_MAX);
    EXPECT_FALSE(wf::parse_segment_file_name("wal-18446744073709551616.log"));
    EXPECT_FALSE(wf::parse_segment_file_name("wal-0000000000000000001.log"));
    EXPECT_FALSE(wf::parse_segment_file_name("wal-0000000000000000000x.log"));
    EXPECT_FALSE(wf::parse_segment_file_name("wal-00000000000000000001.log.tmp"));
    EXPECT_FALSE(wf::parse_segment_file_name("LOCK"));
}

TEST(WalFormat, SegmentHeader) {
    const auto h = wf::encode_segment_header(77);
    EXPECT_EQ(*wf::decode_segment_header(h), 77u);
    auto bad = h;
    bad[20] ^= 1;
    EXPECT_FALSE(wf::decode_segment_header(bad));
    bad = h;
    bad[0] = 'X';
    EXPECT_NE(wf::decode_segment_header(bad).error().message.find("magic"), std::string::npos);
}

TEST(Wal, AppendSyncReopenReplay) {
    TestDir dir;
    {
        WalOptions opt;  // real fdatasync
        auto wal = open_ok(dir.path(), opt);
        ASSERT_NE(wal, nullptr);
        EXPECT_EQ(wal->last_seq(), 0u);
        EXPECT_EQ(wal->first_seq(), 1u);
        for (uint64_t i = 1; i <= 5; ++i) {
            auto seq = wal->append(static_cast<uint8_t>(i), payload_for(i));
            ASSERT_TRUE(seq);
            EXPECT_EQ(*seq, i);
        }
        EXPECT_EQ(wal->last_seq(), 5u);
        EXPECT_LT(wal->durable_seq(), 5u);  // buffered until sync
        ASSERT_TRUE(wal->sync());
        EXPECT_EQ(wal->durable_seq(), 5u);
        ASSERT_TRUE(wal->append(9, Bytes{}));  // empty payloads are records too
        ASSERT_TRUE(wal->sync());
    }
    auto wal = open_ok(dir.path());
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(wal->last_seq(), 6u);
    EXPECT_EQ(wal->durable_seq(), 6u);
    EXPECT_EQ(wal->recovery_info().dropped_bytes, 0u);
    EXPECT_EQ(wal->recovery_info().first_seq, 1u);
    EXPECT_EQ(wal->recovery_info().last_seq, 6u);
    const auto recs = replay_all(*wal);
    ASSERT_EQ(recs.size(), 6u);
    for (uint64_t i = 1; i <= 5; ++i) {
        EXPECT_EQ(recs[i - 1].seq, i);
        EXPECT_EQ(recs[i - 1].type, i);
        EXPECT_EQ(recs[i - 1].payload, payload_for(i));
    }
    EXPECT_EQ(recs[5].type, 9);
    EXPECT_TRUE(recs[5].payload.empty());
    // Appending continues the sequence.
    EXPECT_EQ(*wal->append(1, payload_for(7)), 7u);
}

// Operators find the flusher in `top -H` and profiles by its name.
TEST(Wal, FlusherThreadIsNamed) {
    TestDir dir;
    auto wal = open_ok(dir.path(), WalOptions{});
    ASSERT_NE(wal, nullptr);
    ASSERT_TRUE(wal->append(1, payload_for(1)));
    ASSERT_TRUE(wal->sync());  // the flusher has run, so it has named itself
    int named = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string name;
        std::getline(comm, name);
        if (name == "ampd-wal") ++named;
    }
    EXPECT_EQ(named, 1);
}

TEST(Wal, ReplayFromTheMiddleAndBounds) {
    TestDir dir;
    write_records(dir.path(), 10);
    auto wal = open_ok(dir.path());
    ASSERT_NE(wal, nullptr);
    expect_records(*wal, 5, 10);
    EXPECT_TRUE(replay_all(*wal, 11).empty());
    auto past = wal->replay(12, [](const WalRecord&) { return ok_status(); });
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error().kind, ErrorKind::kInvalidArgument);
    // A callback error stops the replay and comes back.
    int seen = 0;
    auto stopped = wal->replay(1, [&](const WalRecord& r) -> Status {
        ++seen;
        if (r.seq == 3) return make_error(ErrorKind::kInvalidArgument, "stop here");
        return {};
    });
    ASSERT_FALSE(stopped);
    EXPECT_EQ(stopped.error().message, "stop here");
    EXPECT_EQ(seen, 3);
}

TEST(Wal, RejectsBadRecords) {
    TestDir dir;
    WalOptions opt = no_sync();
    opt.max_record_bytes = 100;
    auto wal = open_ok(dir.path(), opt);
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(wal->append(0, payload_for(1)).error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(wal->append(1, Bytes(101)).error().kind, ErrorKind::kInvalidArgument);
    std::vector<std::pair<uint8_t, Bytes>> batch;
    batch.emplace_back(1, payload_for(1));
    batch.emplace_back(0, payload_for(2));
    EXPECT_FALSE(wal->submit(std::move(batch), nullptr));
    EXPECT_EQ(wal->last_seq(), 0u);  // a rejected batch assigns nothing
}

TEST(Wal, SecondWriterIsRefused) {
    TestDir dir;
    auto wal = open_ok(dir.path());
    ASSERT_NE(wal, nullptr);
    auto second = Wal::open(dir.path(), no_sync());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().kind, ErrorKind::kBusy);
    wal.reset();
    EXPECT_TRUE(Wal::open(dir.path(), no_sync()));
}

TEST(Wal, SegmentsRoll) {
    TestDir dir;
    WalOptions opt = no_sync();
    opt.segment_bytes = wf::kSegmentHeaderSize + 3 * kRecordSize;  // three records per segment
    {
        auto wal = open_ok(dir.path(), opt);
        ASSERT_NE(wal, nullptr);
        for (uint64_t i = 1; i <= 10; ++i) ASSERT_TRUE(wal->append(1, payload_for(i)));
        ASSERT_TRUE(wal->sync());
        EXPECT_EQ(wal->segment_count(), 4u);
        // A record larger than a segment gets a segment of its own.
        ASSERT_TRUE(wal->append(1, payload_for(11, 1000)));
        ASSERT_TRUE(wal->append(1, payload_for(12)));
        ASSERT_TRUE(wal->sync());
        EXPECT_EQ(wal->segment_count(), 6u);
    }
    const auto files = segment_files(dir.path());
    ASSERT_EQ(files.size(), 6u);
    EXPECT_EQ(files[0].filename(), "wal-00000000000000000001.log");
    EXPECT_EQ(files[1].filename(), "wal-00000000000000000004.log");
    EXPECT_EQ(files[2].filename(), "wal-00000000000000000007.log");
    EXPECT_EQ(files[3].filename(), "wal-00000000000000000010.log");
    EXPECT_EQ(files[4].filename(), "wal-00000000000000000011.log");
    EXPECT_EQ(files[5].filename(), "wal-00000000000000000012.log");
    EXPECT_EQ(std::filesystem::file_size(files[0]), opt.segment_bytes);

    auto wal = open_ok(dir.path(), opt);
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(wal->last_seq(), 12u);
    const auto recs = replay_all(*wal);
    ASSERT_EQ(recs.size(), 12u);
    for (uint64_t i = 1; i <= 12; ++i) {
        EXPECT_EQ(recs[i - 1].seq, i);
        EXPECT_EQ(recs[i - 1].payload, payload_for(i, i == 11 ? 1000 : kLen));
    }
}

// Each torn-tail variant: record 10 of 10 damaged the way a crash can leave
// it. Open must drop exactly the damaged bytes and carry on from record 9.
// Zeros after the last intact record are not damage but free space (what
// preallocation leaves): kept in place, nothing dropped. The log is written
// without preallocation so that the file ends where the records do.
struct TornCase {
    const char* name;
    // Damages the segment; returns the expected dropped byte count (0: the
    // file is left as it is).
    std::function<uint64_t(const std::filesystem::path&)> damage;
    uint64_t last_after;
    const char* reason;
};

class WalTornTail : public testing::TestWithParam<int> {};

std::vector<TornCase> torn_cases() {
    const uint64_t rec10 = wf::kSegmentHeaderSize + 9 * kRecordSize;
    return {
        {"cut inside header",
         [=](const std::filesystem::path& p) {
             std::filesystem::resize_file(p, rec10 + 5);
             return uint64_t{5};
         },
         9, "incomplete record header"},
        {"cut inside payload",
         [=](const std::filesystem::path& p) {
             std::filesystem::resize_file(p, rec10 + kRecordSize - 3);
             return kRecordSize - 3;
         },
         9, "incomplete record payload"},
        {"zeroed last record",
         [=](const std::filesystem::path& p) {
             Bytes b = read_file(p);
             std::fill(b.begin() + static_cast<std::ptrdiff_t>(rec10), b.end(), 0);
             write_file(p, b);
             return uint64_t{0};
         },
         9, ""},
        {"zero-filled space after the last record",
         [=](const std::filesystem::path& p) {
             std::filesystem::resize_file(p, rec10 + kRecordSize + 4096);
             return uint64_t{0};
         },
         10, ""},
        {"flipped last byte",
         [=](const std::filesystem::path& p) {
             flip_byte(p, rec10 + kRecordSize - 1);
             return kRecordSize;
         },
         9, "checksum mismatch"},
        {"flipped sequence number of the last record",
         [=](const std::filesystem::path& p) {
             flip_byte(p, rec10 + 8);
             return kRecordSize;
         },
         9, "checksum mismatch"},
        {"length field beyond the end",
         [=](const std::filesystem::path& p) {
             flip_byte(p, rec10 + 6);
             return kRecordSize;
         },
         9, "incomplete record payload"},
        {"garbage partial record",
         [=](const std::filesystem::path& p) {
             Bytes b = read_file(p);
             for (int i = 0; i < 30; ++i) b.push_back(static_cast<uint8_t>(0xA5 ^ i));
             write_file(p, b);
             return uint64_t{30};
         },
         10, ""},
    };
}

TEST_P(WalTornTail, TruncatedAndAppendingContinues) {
    const TornCase c = torn_cases()[static_cast<size_t>(GetParam())];
    SCOPED_TRACE(c.name);
    TestDir dir;
    write_records(dir.path(), 10, exact_size());
    const auto seg = segment_files(dir.path()).at(0);
    const uint64_t dropped = c.damage(seg);
    const uint64_t damaged_size = std::filesystem::file_size(seg);
    {
        auto wal = open_ok(dir.path(), exact_size());
        ASSERT_NE(wal, nullptr);
        const WalRecoveryInfo& info = wal->recovery_info();
        EXPECT_EQ(wal->last_seq(), c.last_after);
        EXPECT_EQ(info.dropped_bytes, dropped);
        if (dropped > 0) {
            EXPECT_EQ(info.truncated_file, seg);
            EXPECT_EQ(info.truncated_at, damaged_size - dropped);
            EXPECT_NE(info.truncation_reason.find(c.reason), std::string::npos)
                << info.truncation_reason;
        } else {
            EXPECT_TRUE(info.truncated_file.empty());
        }
        EXPECT_EQ(std::filesystem::file_size(seg), damaged_size - dropped);
        expect_records(*wal, 1, c.last_after);
        for (uint64_t i = c.last_after + 1; i <= 12; ++i) {
            ASSERT_EQ(*wal->append(1, payload_for(i)), i);
        }
        ASSERT_TRUE(wal->sync());
    }
    auto wal = open_ok(dir.path(), exact_size());
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(wal->recovery_info().dropped_bytes, 0u);
    expect_records(*wal, 1, 12);
}

INSTANTIATE_TEST_SUITE_P(Variants, WalTornTail, testing::Range(0, 8));

// A parameterized test's directory sits directly in the temporary root, so
// removing it leaves nothing behind (its name has a '/' in it).
class TempDirOfParameterizedTest : public testing::TestWithParam<int> {};

TEST_P(TempDirOfParameterizedTest, IsRemovedWhole) {
    std::filesystem::path made;
    {
        TestDir dir;
        made = dir.path();
        EXPECT_TRUE(std::filesystem::equivalent(made.parent_path(), testing::TempDir())) << made;
    }
    EXPECT_FALSE(std::filesystem::exists(made));
}

INSTANTIATE_TEST_SUITE_P(Variants, TempDirOfParameterizedTest, testing::Range(0, 2));

void expect_corruption(const std::filesystem::path& dir, const std::string& file,
                       const std::string& fragment) {
    auto r = Wal::open(dir, no_sync());
    ASSERT_FALSE(r) << "expected corruption: " << fragment;
    EXPECT_EQ(r.error().kind, ErrorKind::kWalCorruption);
    EXPECT_NE(r.error().message.find(file), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
}

TEST(WalCorruption, FlippedByteInTheMiddleIsFatal) {
    TestDir dir;
    write_records(dir.path(), 10, exact_size());
    const auto seg = segment_files(dir.path()).at(0);
    const uint64_t rec3 = wf::kSegmentHeaderSize + 2 * kRecordSize;
    flip_byte(seg, rec3 + wf::kRecordHeaderSize + 7);  // inside record 3's payload
    expect_corruption(dir.path(), seg.string(), "at offset " + std::to_string(rec3));
    expect_corruption(dir.path(), seg.string(), "followed by an intact record (sequence 4)");
    // Nothing was truncated by the failed open.
    EXPECT_EQ(std::filesystem::file_size(seg), wf::kSegmentHeaderSize + 10 * kRecordSize);
}

TEST(WalCorruption, ZerosBeforeValidDataAreFatal) {
    TestDir dir;
    write_records(dir.path(), 10);
    const auto seg = segment_files(dir.path()).at(0);
    Bytes b = read_file(seg);
    const uint64_t rec5 = wf::kSegmentHeaderSize + 4 * kRecordSize;
    std::fill_n(b.begin() + static_cast<std::ptrdiff_t>(rec5), kRecordSize, 0);
    write_file(seg, b);
    expect_corruption(dir.path(), seg.string(), "at offset " + std::to_string(rec5));
}

TEST(WalCorruption, DamageInANonLastSegmentIsFatal) {
    TestDir dir;
    WalOptions opt = no_sync();
    opt.segment_bytes = wf::kSegmentHeaderSize + 3 * kRecordSize;
    write_records(dir.path(), 10, opt);
    const auto files = segment_files(dir.path());
    ASSERT_EQ(files.size(), 4u);
    // The last record of the first segment: would pass for a torn tail if
    // the segment were the last one.
    const uint64_t last_in_first = wf::kSegmentHeaderSize + 2 * kRecordSize;
    flip_byte(files[0], last_in_first + kRecordSize - 1);
    expect_corruption(dir.path(), files[0].string(), "non-last segment");
}

TEST(WalCorruption, TruncatedNonLastSegmentIsFatal) {
    TestDir dir;
    WalOptions opt = no_sync();
    opt.segment_bytes = wf::kSegmentHeaderSize + 3 * kRecordSize;
    write_records(dir.path(), 10, opt);
    const auto files = segment_files(dir.path());
    std::filesystem::resize_file(files[1], std::filesystem::file_size(files[1]) - 1);
    expect_corruption(dir.path(), files[1].string(), "non-last segment");
}

TEST(WalCorruption, MissingSegmentIsASequenceGap) {
    TestDir dir;
    WalOptions opt = no_sync();
    opt.segment_bytes = wf::kSegmentHeaderSize + 3 * kRecordSize;
    write_records(dir.path(), 10, opt);
    const auto files = segment_files(dir.path());
    std::filesystem::remove(files[1]);
    expect_corruption(dir.path(), files[2].string(), "sequence gap between segments");
}

// Forges a segment holding records with the given sequence numbers.
void forge_segment(const std::filesystem::path& dir, uint64_t first_seq,
                   const std::vector<uint64_t>& seqs) {
    const auto header = wf::encode_segment_header(first_seq);
    Bytes b(header.begin(), header.end());
    for (uint64_t s : seqs) wf::append_record(b, s, 1, payload_for(s));
    write_file(dir / wf::segment_file_name(first_seq), b);
}

TEST(WalCorruption, SequenceGapInsideASegmentIsFatal) {
    TestDir dir;
    forge_segment(dir.path(), 1, {1, 2, 4, 5});
    expect_corruption(dir.path(), "wal-00000000000000000001.log",
                      "at offset " + std::to_string(wf::kSegmentHeaderSize + 2 * kRecordSize));
    expect_corruption(dir.path(), "wal-00000000000000000001.log",
                      "sequence gap: expected 3, found 4");
}

TEST(WalCorruption, SequenceRepeatIsFatal) {
    TestDir dir;
    forge_segment(dir.path(), 1, {1, 2, 2});
    expect_corruption(dir.path(), "wal-00000000000000000001.log",
                      "sequence repeat: expected 3, found 2");
}

TEST(WalCorruption, ForgedSegmentsThatFitTogetherAreAccepted) {
    TestDir dir;
    forge_segment(dir.path(), 1, {1, 2, 3});
    forge_segment(dir.path(), 4, {4, 5});
    auto wal = open_ok(dir.path());
    ASSERT_NE(wal, nullptr);
    expect_records(*wal, 1, 5);
}

TEST(WalCorruption, UnknownVersionIsFatal) {
    TestDir dir;
    write_records(dir.path(), 3);
    const auto seg = segment_files(dir.path()).at(0);
    Bytes b = read_file(seg);
    b[8] = 2;  // version field
    write_file(seg, b);
    expect_corruption(dir.path(), seg.string(), "unknown WAL format version 2");
}

TEST(WalCorruption, HeaderDisagreeingWithFileNameIsFatal) {
    TestDir dir;
    write_records(dir.path(), 3);
    const auto seg = segment_files(dir.path()).at(0);
    const auto renamed = dir / wf::segment_file_name(5);
    std::filesystem::rename(seg, renamed);
    expect_corruption(dir.path(), renamed.string(), "file name says 5");
}

TEST(Wal, TornSegmentHeaderOfANewLastSegmentIsRepaired) {
    TestDir dir;
    // As the writer leaves a segment when it starts the next: cut to its records.
    write_records(dir.path(), 4, exact_size());
    // A crash just after creating segment 5, with part of its header written.
    const auto header = wf::encode_segment_header(5);
    write_file(dir / wf::segment_file_name(5), ByteView(header.data(), 10));
    {
        auto wal = open_ok(dir.path());
        ASSERT_NE(wal, nullptr);
        EXPECT_EQ(wal->recovery_info().dropped_bytes, 10u);
        EXPECT_EQ(wal->last_seq(), 4u);
        EXPECT_EQ(*wal->append(1, payload_for(5)), 5u);
        ASSERT_TRUE(wal->sync());
    }
    auto wal = open_ok(dir.path());
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(wal->segment_count(), 2u);
    expect_records(*wal, 1, 5);
}

TEST(Wal, RemoveSegmentsBefore) {
    TestDir dir;
    WalOptions opt = no_sync();
    opt.segment_bytes = wf::kSegmentHeaderSize + 3 * kRecordSize;
    write_records(dir.path(), 10, opt);  // segments start at 1, 4, 7, 10
    auto wal = open_ok(dir.path(), opt);
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(*wal->remove_segments_before(6), 1u);  // 1..3 goes; 4..6 still holds 6
    EXPECT_EQ(wal->first_seq(), 4u);
    EXPECT_EQ(*wal->remove_segments_before(7), 1u);  // 4..6 all < 7
    EXPECT_EQ(wal->first_seq(), 7u);
    EXPECT_EQ(segment_files(dir.path()).size(), 2u);
    auto early = wal->replay(3, [](const WalRecord&) { return ok_status(); });
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().kind, ErrorKind::kNotFound);
    expect_records(*wal, 7, 10);
    // The active segment is never removed, even when all of it is covered.
    EXPECT_EQ(*wal->remove_segments_before(UINT64_MAX), 1u);
    EXPECT_EQ(wal->segment_count(), 1u);
    EXPECT_EQ(wal->first_seq(), 10u);
    wal.reset();
    wal = open_ok(dir.path(), opt);
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(wal->first_seq(), 10u);
    EXPECT_EQ(wal->last_seq(), 10u);
    EXPECT_EQ(*wal->append(1, payload_for(11)), 11u);
    ASSERT_TRUE(wal->sync());
    expect_records(*wal, 10, 11);
}

// Records submitted by many threads: every callback fires exactly once, in
// sequence order, and every record replays with the payload its thread gave.
TEST(WalPreallocation, ZeroTailIsFreeSpaceNotDamage) {
    TestDir dir;
    const WalOptions opt = preallocating(4096);
    write_records(dir.path(), 5, opt);
    const auto seg = segment_files(dir.path()).at(0);
    const uint64_t records_end = wf::kSegmentHeaderSize + 5 * kRecordSize;
    // Zeros follow the records, a whole preallocation step past them.
    EXPECT_EQ(std::filesystem::file_size(seg), records_end + 4096);
    {
        auto wal = open_ok(dir.path(), opt);
        ASSERT_NE(wal, nullptr);
        // Reopening drops nothing and does not cut the file.
        EXPECT_EQ(wal->recovery_info().dropped_bytes, 0u);
        EXPECT_TRUE(wal->recovery_info().truncated_file.empty());
        EXPECT_EQ(std::filesystem::file_size(seg), records_end + 4096);
        expect_records(*wal, 1, 5);
        // New records go into the zeros, in place.
        for (uint64_t i = 6; i <= 8; ++i) ASSERT_EQ(*wal->append(1, payload_for(i)), i);
        ASSERT_TRUE(wal->sync());
        EXPECT_EQ(std::filesystem::file_size(seg), records_end + 4096);
    }
    auto wal = open_ok(dir.path(), opt);
    ASSERT_NE(wal, nullptr);
    expect_records(*wal, 1, 8);
}

TEST(WalPreallocation, GrowsAStepAheadOfTheRecords) {
    TestDir dir;
    const WalOptions opt = preallocating(2 * kRecordSize);
    auto wal = open_ok(dir.path(), opt);
    ASSERT_NE(wal, nullptr);
    const auto seg = segment_files(dir.path()).at(0);
    std::set<uint64_t> sizes;
    for (uint64_t i = 1; i <= 7; ++i) {
        ASSERT_EQ(*wal->append(1, payload_for(i)), i);
        ASSERT_TRUE(wal->sync());
        const uint64_t records_end = wf::kSegmentHeaderSize + i * kRecordSize;
        const uint64_t size = std::filesystem::file_size(seg);
        EXPECT_GT(size, records_end) << "after record " << i;
        EXPECT_LE(size, records_end + 2 * kRecordSize) << "after record " << i;
        sizes.insert(size);
    }
    // The file grew with records 1, 3, 5 and 7 only: a step at a time.
    EXPECT_EQ(sizes.size(), 4u);
}

TEST(WalPreallocation, FullSegmentIsCutToItsRecordsBeforeTheNextStarts) {
    TestDir dir;
    WalOptions opt = preallocating(1 << 20);  // capped at the segment size
    opt.segment_bytes = wf::kSegmentHeaderSize + 3 * kRecordSize;
    write_records(dir.path(), 7, opt);  // segments start at 1, 4, 7
    const auto files = segment_files(dir.path());
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(std::filesystem::file_size(files[0]), opt.segment_bytes);
    EXPECT_EQ(std::filesystem::file_size(files[1]), opt.segment_bytes);
    // The last one holds record 7, then zeros up to the segment size.
    EXPECT_EQ(std::filesystem::file_size(files[2]), opt.segment_bytes);
    auto wal = open_ok(dir.path(), opt);
    ASSERT_NE(wal, nullptr);
    expect_records(*wal, 1, 7);
}

TEST(WalPreallocation, ZerosInANonLastSegmentAreFatal) {
    TestDir dir;
    const WalOptions opt = preallocating(4096);
    write_records(dir.path(), 4, opt);  // one segment: records 1..4, then zeros
    // A segment 5 beside it: the writer never leaves zeros in a segment it
    // has moved on from, so these zeros stand where records should be.
    const auto first = segment_files(dir.path()).at(0);
    const auto header = wf::encode_segment_header(5);
    write_file(dir / wf::segment_file_name(5), ByteView(header.data(), header.size()));
    expect_corruption(dir.path(), first.string(), "in a non-last segment");
}

TEST(WalPreallocation, TornRecordInsideTheZerosIsRepaired) {
    TestDir dir;
    const WalOptions opt = preallocating(4096);
    write_records(dir.path(), 5, opt);
    const auto seg = segment_files(dir.path()).at(0);
    const uint64_t records_end = wf::kSegmentHeaderSize + 5 * kRecordSize;
    // Part of record 6 reached the disk before a crash.
    Bytes b = read_file(seg);
    Bytes torn = payload_for(6);
    std::copy(torn.begin(), torn.begin() + 20, b.begin() + static_cast<ptrdiff_t>(records_end));
    write_file(seg, b);
    {
        auto wal = open_ok(dir.path(), opt);
        ASSERT_NE(wal, nullptr);
        EXPECT_EQ(wal->recovery_info().truncated_at, records_end);
        EXPECT_GT(wal->recovery_info().dropped_bytes, 0u);
        EXPECT_EQ(wal->last_seq(), 5u);
        ASSERT_EQ(*wal->append(1, payload_for(6)), 6u);
        ASSERT_TRUE(wal->sync());
    }
    auto wal = open_ok(dir.path(), opt);
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(wal->recovery_info().dropped_bytes, 0u);
    expect_records(*wal, 1, 6);
}

TEST(WalGroupCommit, ConcurrentSubmitters) {
    TestDir dir;
    constexpr int kThreads = 8;
    constexpr int kBatches = 150;
    std::mutex mu;
    std::vector<uint64_t> fired;                            // last_seq per callback, in call order
    std::vector<std::vector<uint64_t>> returned(kThreads);  // per thread: submit results
    std::atomic<int> fire_count{0};
    {
        WalOptions opt;  // real fdatasync: that is what group commit amortizes
        opt.segment_bytes = 64 << 10;
        auto wal = open_ok(dir.path(), opt);
        ASSERT_NE(wal, nullptr);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int b = 0; b < kBatches; ++b) {
                    std::vector<std::pair<uint8_t, Bytes>> recs;
                    const int n = 1 + (b % 3);
                    for (int k = 0; k < n; ++k) {
                        Bytes p = payload_for(static_cast<uint64_t>(t * 1000 + b), 24);
                        p[0] = static_cast<uint8_t>(t);
                        p[1] = static_cast<uint8_t>(b);
                        p[2] = static_cast<uint8_t>(k);
                        recs.emplace_back(static_cast<uint8_t>(1 + k), std::move(p));
                    }
                    auto last = wal->submit(std::move(recs), [&](const Result<uint64_t>& r) {
                        ASSERT_TRUE(r);
                        std::lock_guard lk(mu);
                        fired.push_back(*r);
                        ++fire_count;
                    });
                    ASSERT_TRUE(last);
                    returned[static_cast<size_t>(t)].push_back(*last);
                }
            });
        }
        for (auto& th : threads) th.join();
        ASSERT_TRUE(wal->flush_and_wait());
        EXPECT_EQ(fire_count.load(), kThreads * kBatches);
        EXPECT_EQ(wal->durable_seq(), wal->last_seq());
    }
    ASSERT_EQ(fired.size(), static_cast<size_t>(kThreads * kBatches));
    EXPECT_TRUE(std::is_sorted(fired.begin(), fired.end()));
    EXPECT_EQ(std::adjacent_find(fired.begin(), fired.end()), fired.end()) << "duplicate callback";
    std::vector<uint64_t> all_returned;
    for (const auto& v : returned) {
        EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
        all_returned.insert(all_returned.end(), v.begin(), v.end());
    }
    std::sort(all_returned.begin(), all_returned.end());
    EXPECT_EQ(all_returned, fired);  // each submit's callback got that submit's last seq

    auto wal = open_ok(dir.path());
    ASSERT_NE(wal, nullptr);
    const auto recs = replay_all(*wal);
    size_t expected_records = 0;
    for (int b = 0; b < kBatches; ++b) expected_records += kThreads * (1 + b % 3);
    ASSERT_EQ(recs.size(), expected_records);
    // Each thread's records appear in its submission order, batches unbroken.
    std::vector<int> next_batch(kThreads, 0);
    for (size_t i = 0; i < recs.size();) {
        const int t = recs[i].payload[0];
        const int b = recs[i].payload[1];
        ASSERT_LT(t, kThreads);
        EXPECT_EQ(b, next_batch[static_cast<size_t>(t)] % 256);
        ++next_batch[static_cast<size_t>(t)];
        const int n = 1 + (b % 3);
        for (int k = 0; k < n; ++k, ++i) {
            ASSERT_LT(i, recs.size());
            EXPECT_EQ(recs[i].payload[0], t);
            EXPECT_EQ(recs[i].payload[2], k);
            EXPECT_EQ(recs[i].type, 1 + k);
        }
    }
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next_batch[static_cast<size_t>(t)], kBatches);
}

// The producer is never held up by the flusher: while batch 1's callback
// is still running, batch 2 is accepted and sequenced.
TEST(WalGroupCommit, SubmitDoesNotWaitForTheFlusher) {
    TestDir dir;
    auto wal = open_ok(dir.path());
    ASSERT_NE(wal, nullptr);
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    bool first_running = false;
    std::vector<uint64_t> order;
    std::vector<std::pair<uint8_t, Bytes>> b1;
    b1.emplace_back(1, payload_for(1));
    ASSERT_EQ(*wal->submit(std::move(b1),
                           [&](const Result<uint64_t>& r) {
                               std::unique_lock lk(mu);
                               first_running = true;
                               cv.notify_all();
                               cv.wait(lk, [&] { return release; });
                               order.push_back(*r);
                           }),
              1u);
    {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return first_running; });
    }
    std::vector<std::pair<uint8_t, Bytes>> b2;
    b2.emplace_back(1, payload_for(2));
    b2.emplace_back(1, payload_for(3));
    ASSERT_EQ(*wal->submit(std::move(b2),
                           [&](const Result<uint64_t>& r) {
                               std::lock_guard lk(mu);
                               order.push_back(*r);
                           }),
              3u);
    EXPECT_EQ(wal->last_seq(), 3u);
    {
        std::lock_guard lk(mu);
        release = true;
    }
    cv.notify_all();
    ASSERT_TRUE(wal->flush_and_wait());
    EXPECT_EQ(order, (std::vector<uint64_t>{1, 3}));
    expect_records(*wal, 1, 3);
}

TEST(WalGroupCommit, EmptyBatchCallbackFiresAtTheCurrentSeq) {
    TestDir dir;
    auto wal = open_ok(dir.path());
    ASSERT_NE(wal, nullptr);
    ASSERT_TRUE(wal->append(1, payload_for(1)));
    std::atomic<uint64_t> got{0};
    ASSERT_EQ(*wal->submit({}, [&](const Result<uint64_t>& r) { got = *r; }), 1u);
    ASSERT_TRUE(wal->flush_and_wait());
    EXPECT_EQ(got.load(), 1u);
    EXPECT_EQ(wal->durable_seq(), 1u);
}

TEST(WalGroupCommit, BackPressureBoundsPendingBytes) {
    TestDir dir;
    WalOptions opt = no_sync();
    opt.max_pending_bytes = 4096;
    auto wal = open_ok(dir.path(), opt);
    ASSERT_NE(wal, nullptr);
    std::atomic<int> fired{0};
    for (uint64_t i = 1; i <= 200; ++i) {
        std::vector<std::pair<uint8_t, Bytes>> recs;
        recs.emplace_back(1, payload_for(i, 1000));
        ASSERT_TRUE(wal->submit(std::move(recs), [&](const Result<uint64_t>&) { ++fired; }));
        ASSERT_LE(wal->last_seq() - wal->durable_seq(), 5u);  // about 4096 / 1017 in flight
    }
    // A batch bigger than the bound still goes through on its own.
    std::vector<std::pair<uint8_t, Bytes>> big;
    big.emplace_back(1, Bytes(10000, 7));
    ASSERT_TRUE(wal->submit(std::move(big), nullptr));
    // Appends alone (no callbacks, no sync) are flushed by pressure too.
    for (uint64_t i = 0; i < 50; ++i) ASSERT_TRUE(wal->append(2, payload_for(i, 1000)));
    ASSERT_TRUE(wal->flush_and_wait());
    EXPECT_EQ(fired.load(), 200);
    EXPECT_EQ(replay_all(*wal).size(), 251u);
}

TEST(WalGroupCommit, CallbacksMayNotWaitOnTheWal) {
    TestDir dir;
    auto wal = open_ok(dir.path());
    ASSERT_NE(wal, nullptr);
    std::atomic<bool> threw{false};
    Wal* w = wal.get();
    ASSERT_TRUE(w->submit({}, [&](const Result<uint64_t>&) {
        try {
            (void)w->sync();
        } catch (const std::logic_error&) {
            threw = true;
        }
    }));
    ASSERT_TRUE(wal->flush_and_wait());
    EXPECT_TRUE(threw.load());
}

TEST(WalGroupCommit, DestructorFlushesAndRunsCallbacks) {
    TestDir dir;
    std::atomic<int> fired{0};
    {
        auto wal = open_ok(dir.path());
        ASSERT_NE(wal, nullptr);
        for (uint64_t i = 1; i <= 20; ++i) {
            std::vector<std::pair<uint8_t, Bytes>> recs;
            recs.emplace_back(1, payload_for(i));
            ASSERT_TRUE(wal->submit(std::move(recs), [&](const Result<uint64_t>& r) {
                if (r) ++fired;
            }));
        }
        ASSERT_TRUE(wal->append(1, payload_for(21)));
    }
    EXPECT_EQ(fired.load(), 20);
    auto wal = open_ok(dir.path());
    ASSERT_NE(wal, nullptr);
    expect_records(*wal, 1, 21);
}

// A write error (here: the file size limit) stops the log; every waiting
// and later caller learns it, and nothing is acknowledged by mistake.
TEST(WalFailure, WriteErrorStopsTheLog) {
    TestDir dir;
    write_records(dir.path(), 3, exact_size());
    auto wal = open_ok(dir.path(), exact_size());
    ASSERT_NE(wal, nullptr);
    const uint64_t size = std::filesystem::file_size(segment_files(dir.path()).at(0));

    rlimit old{};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
    auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = size + 10;  // room for part of one more record
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);

    std::atomic<int> failed{0};
    std::vector<std::pair<uint8_t, Bytes>> recs;
    recs.emplace_back(1, payload_for(4));
    ASSERT_TRUE(wal->submit(std::move(recs), [&](const Result<uint64_t>& r) {
        if (!r && r.error().kind == ErrorKind::kFailed) ++failed;
    }));
    const Status st = wal->flush_and_wait();

    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
    std::signal(SIGXFSZ, old_handler);

    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().kind, ErrorKind::kFailed);
    EXPECT_EQ(failed.load(), 1);
    EXPECT_EQ(wal->durable_seq(), 3u);
    EXPECT_FALSE(wal->append(1, payload_for(5)));
    EXPECT_FALSE(wal->submit({}, nullptr));
    EXPECT_FALSE(wal->sync());
    wal.reset();
    // On restart the partial record is a torn tail.
    auto reopened = open_ok(dir.path());
    ASSERT_NE(reopened, nullptr);
    EXPECT_EQ(reopened->last_seq(), 3u);
    EXPECT_EQ(reopened->recovery_info().dropped_bytes, 10u);
}

}  // namespace
}  // namespace ampd::storage
