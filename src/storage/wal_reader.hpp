// Sequential reader of one WAL segment's records, and the checks that tell
// a torn tail from real corruption. Internal to the storage layer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "ampd/storage/result.hpp"
#include "ampd/storage/wal.hpp"
#include "storage/posix_file.hpp"

namespace ampd::storage::wal_internal {

// Reads records from an open segment, starting after its header and
// stopping at `end` (the file size, or the durable size of an active
// segment). Checks framing and checksums; sequence order is the caller's.
class SegmentReader {
public:
    enum class Outcome { kRecord, kEnd, kDamaged };

    SegmentReader(const posix::File& file, uint64_t end);

    // On kRecord, `out` holds a record whose payload stays valid until the
    // next call. On kDamaged, damage_reason() says why the bytes at offset()
    // are not a record.
    [[nodiscard]] Result<Outcome> next(WalRecord& out);
    // File offset of the next record (or of the damaged one).
    [[nodiscard]] uint64_t offset() const { return pos_; }
    [[nodiscard]] const std::string& damage_reason() const { return damage_; }

private:
    // Makes bytes [pos_, pos_ + n) available in the buffer; false when the
    // segment ends first.
    [[nodiscard]] Result<bool> ensure(uint64_t n);
    [[nodiscard]] const uint8_t* at_pos() const { return buf_.data() + (pos_ - buf_off_); }

    const posix::File& file_;
    uint64_t end_;
    uint64_t pos_;
    Bytes buf_;
    uint64_t buf_off_ = 0;
    size_t buf_len_ = 0;
    std::string damage_;
};

struct SegmentScan {
    uint64_t first_seq = 0;   // from the header (and the file name)
    uint64_t last_seq = 0;    // first_seq - 1 when the segment holds no record
    uint64_t valid_size = 0;  // header + intact records: where the next record goes
    uint64_t file_size = 0;
    // Set for a torn tail of the last segment: bytes from valid_size on are
    // to be dropped. header_torn means even the header is incomplete.
    std::optional<std::string> torn_reason;
    bool header_torn = false;
    // Zeros from valid_size to the end of the file are not damage (space the
    // writer preallocated and had not filled): torn_reason stays unset.
};

// Validates a whole segment. In the last segment a torn tail is reported in
// the result; any other damage is a kWalCorruption error naming the file and
// offset. `name_seq` is the first sequence number from the file name.
[[nodiscard]] Result<SegmentScan> scan_segment(const std::filesystem::path& path, uint64_t name_seq,
                                               bool is_last);

}  // namespace ampd::storage::wal_internal
