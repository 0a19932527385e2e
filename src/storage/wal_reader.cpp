#include "storage/wal_reader.hpp"

#include <algorithm>

#include "ampd/storage/wal_format.hpp"

namespace ampd::storage::wal_internal {
namespace {

namespace wf = wal_format;

constexpr size_t kReadChunk = 1 << 20;

StorageError corruption(const std::filesystem::path& path, uint64_t offset,
                        const std::string& reason) {
    return make_error(ErrorKind::kWalCorruption, "WAL corruption in " + path.string() +
                                                     " at offset " + std::to_string(offset) + ": " +
                                                     reason);
}

bool all_zero(ByteView b) {
    return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
}

Result<Bytes> read_range(const posix::File& file, uint64_t from, uint64_t to) {
    Bytes buf(to - from);
    auto n = file.pread_some(from, buf);
    if (!n) return std::move(n).error();
    buf.resize(*n);
    return buf;
}

// Looks for an intact record starting anywhere in `tail` after its first
// byte, with a sequence number in [seq_lo, seq_hi]. The window makes false
// candidates in garbage vanishingly rare, so the search is linear in
// practice. Returns the record's offset within `tail` and its sequence.
std::optional<std::pair<size_t, uint64_t>> find_intact_record(ByteView tail, uint64_t seq_lo,
                                                              uint64_t seq_hi) {
    for (size_t at = 1; at + wf::kRecordHeaderSize <= tail.size(); ++at) {
        const wf::RecordHeader h = wf::decode_record_header(tail.subspan(at));
        if (h.seq < seq_lo || h.seq > seq_hi || h.type == wf::kInvalidType) continue;
        const size_t room = tail.size() - at - wf::kRecordHeaderSize;
        if (h.length > room) continue;
        if (wf::record_crc_matches(h, tail.subspan(at + wf::kRecordHeaderSize, h.length))) {
            return std::make_pair(at, h.seq);
        }
    }
    return std::nullopt;
}

}  // namespace

SegmentReader::SegmentReader(const posix::File& file, uint64_t end)
    : file_(file), end_(end), pos_(wf::kSegmentHeaderSize) {}

Result<bool> SegmentReader::ensure(uint64_t n) {
    if (pos_ + n > end_) return false;
    if (pos_ >= buf_off_ && pos_ + n <= buf_off_ + buf_len_) return true;
    const uint64_t want = std::min<uint64_t>(std::max<uint64_t>(n, kReadChunk), end_ - pos_);
    if (buf_.size() < want) buf_.resize(want);
    auto got = file_.pread_some(pos_, std::span<uint8_t>(buf_.data(), want));
    if (!got) return std::move(got).error();
    buf_off_ = pos_;
    buf_len_ = *got;
    // A file shorter than its recorded end was cut behind our back: report
    // it as missing bytes (the caller names the offset).
    return pos_ + n <= buf_off_ + buf_len_;
}

Result<SegmentReader::Outcome> SegmentReader::next(WalRecord& out) {
    if (pos_ >= end_) return Outcome::kEnd;
    auto have_header = ensure(wf::kRecordHeaderSize);
    if (!have_header) return std::move(have_header).error();
    if (!*have_header) {
        damage_ =
            "incomplete record header (" + std::to_string(end_ - pos_) + " bytes before the end)";
        return Outcome::kDamaged;
    }
    const wf::RecordHeader h = wf::decode_record_header(ByteView(at_pos(), wf::kRecordHeaderSize));
    if (h.length > wf::kMaxPayload || h.type == wf::kInvalidType) {
        damage_ = "invalid record header";
        return Outcome::kDamaged;
    }
    auto have_record = ensure(wf::kRecordHeaderSize + h.length);
    if (!have_record) return std::move(have_record).error();
    if (!*have_record) {
        damage_ = "incomplete record payload (header declares " + std::to_string(h.length) +
                  " bytes, " + std::to_string(end_ - pos_ - wf::kRecordHeaderSize) + " remain)";
        return Outcome::kDamaged;
    }
    const ByteView payload(at_pos() + wf::kRecordHeaderSize, h.length);
    if (!wf::record_crc_matches(h, payload)) {
        damage_ = "record checksum mismatch";
        return Outcome::kDamaged;
    }
    out.seq = h.seq;
    out.type = h.type;
    out.payload = payload;
    pos_ += wf::kRecordHeaderSize + h.length;
    return Outcome::kRecord;
}

Result<SegmentScan> scan_segment(const std::filesystem::path& path, uint64_t name_seq,
                                 bool is_last) {
    auto file = posix::File::open_read(path);
    if (!file) return std::move(file).error();
    auto size = file->size();
    if (!size) return std::move(size).error();

    SegmentScan scan;
    scan.file_size = *size;
    scan.first_seq = name_seq;
    scan.last_seq = name_seq - 1;

    auto header = read_range(*file, 0, std::min<uint64_t>(*size, wf::kSegmentHeaderSize));
    if (!header) return std::move(header).error();
    if (*size < wf::kSegmentHeaderSize || (all_zero(*header) && *size > 0)) {
        // A crash while the segment was being created. Only harmless in the
        // last segment, and only if nothing but zeros follows.
        auto whole = read_range(*file, 0, *size);
        if (!whole) return std::move(whole).error();
        if (is_last && (*size < wf::kSegmentHeaderSize || all_zero(*whole))) {
            scan.valid_size = 0;
            scan.header_torn = true;
            scan.torn_reason = *size < wf::kSegmentHeaderSize ? "incomplete segment header"
                                                              : "zero-filled segment";
            return scan;
        }
        return corruption(path, 0, "missing segment header");
    }
    auto first = wf::decode_segment_header(*header);
    if (!first) return corruption(path, 0, first.error().message);
    if (*first != name_seq) {
        return corruption(path, 0,
                          "header says first sequence " + std::to_string(*first) +
                              " but the file name says " + std::to_string(name_seq));
    }

    SegmentReader reader(*file, *size);
    WalRecord rec;
    uint64_t expected = name_seq;
    for (;;) {
        const uint64_t rec_at = reader.offset();
        auto outcome = reader.next(rec);
        if (!outcome) return std::move(outcome).error();
        if (*outcome == SegmentReader::Outcome::kEnd) break;
        if (*outcome == SegmentReader::Outcome::kRecord) {
            if (rec.seq != expected) {
                return corruption(path, rec_at,
                                  "sequence " + std::string(rec.seq < expected ? "repeat" : "gap") +
                                      ": expected " + std::to_string(expected) + ", found " +
                                      std::to_string(rec.seq));
            }
            ++expected;
            continue;
        }
        // Damaged bytes at `at`. A torn write at the end of the last segment
        // is expected after a crash; damage with an intact record behind it
        // is not (those records were acknowledged), and neither is damage in
        // an older segment, which was complete and synced before the next
        // one began.
        const uint64_t at = reader.offset();
        if (!is_last)
            return corruption(path, at, reader.damage_reason() + " in a non-last segment");
        auto tail = read_range(*file, at, *size);
        if (!tail) return std::move(tail).error();
        if (all_zero(*tail)) {
            // Preallocated space, or a crash that left the file longer than
            // what reached it: either way no record is there.
            break;
        }
        const uint64_t seq_hi = expected + tail->size() / wf::kRecordHeaderSize;
        if (auto found = find_intact_record(*tail, name_seq, seq_hi)) {
            return corruption(path, at,
                              reader.damage_reason() + ", followed by an intact record (sequence " +
                                  std::to_string(found->second) + ") at offset " +
                                  std::to_string(at + found->first));
        }
        scan.torn_reason = reader.damage_reason();
        break;
    }
    scan.last_seq = expected - 1;
    scan.valid_size = reader.offset();
    return scan;
}

}  // namespace ampd::storage::wal_internal
