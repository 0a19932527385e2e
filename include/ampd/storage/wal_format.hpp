// The on-disk format of write-ahead log segments (see docs/STORAGE.md).
//
// A segment file `wal-<first seq, 20 digits>.log` starts with a 32-byte
// header and holds records back to back:
//
//   segment header: magic "AMPDWAL\0" | version u32 | 0 u32 | first_seq u64
//                   | 0 u32 | crc32c u32 (of the 28 bytes before it)
//   record:         crc32c u32 | length u32 | seq u64 | type u8 | payload
//
// All integers are little-endian. A record's checksum covers its payload
// followed by the 13 header bytes after the checksum field (length, seq,
// type); payload first so a writer can checksum the payload before it knows
// the sequence number. Exposed so tests and tools can read and forge
// segments; the Wal class is the only writer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ampd/primitives/bytes.hpp"
#include "ampd/storage/crc32c.hpp"
#include "ampd/storage/result.hpp"

namespace ampd::storage::wal_format {

inline constexpr std::array<uint8_t, 8> kSegmentMagic = {'A', 'M', 'P', 'D', 'W', 'A', 'L', 0};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kRecordHeaderSize = 17;
// Hard limit of the format; WalOptions::max_record_bytes is usually lower.
inline constexpr uint32_t kMaxPayload = 1u << 30;
// Type 0 is never written, so zero-filled space never reads as a record.
inline constexpr uint8_t kInvalidType = 0;

using SegmentHeaderBytes = std::array<uint8_t, kSegmentHeaderSize>;
using RecordHeaderBytes = std::array<uint8_t, kRecordHeaderSize>;

[[nodiscard]] SegmentHeaderBytes encode_segment_header(uint64_t first_seq);
// The first sequence number, or a reason: bad magic, unknown version, bad
// checksum, nonzero reserved fields. The caller adds the file name.
[[nodiscard]] Result<uint64_t> decode_segment_header(ByteView header);

struct RecordHeader {
    uint32_t crc = 0;
    uint32_t length = 0;
    uint64_t seq = 0;
    uint8_t type = 0;
};

// `header` must hold kRecordHeaderSize bytes.
[[nodiscard]] RecordHeader decode_record_header(ByteView header);

// Checksum of a record: `payload_crc` must hold the payload already.
[[nodiscard]] uint32_t finish_record_crc(Crc32c payload_crc, uint32_t length, uint64_t seq,
                                         uint8_t type);
[[nodiscard]] RecordHeaderBytes encode_record_header(const Crc32c& payload_crc, uint32_t length,
                                                     uint64_t seq, uint8_t type);
// True when the record's checksum matches.
[[nodiscard]] bool record_crc_matches(const RecordHeader& h, ByteView payload);
// Appends a complete record (header + payload) to `out`.
void append_record(Bytes& out, uint64_t seq, uint8_t type, ByteView payload);

[[nodiscard]] std::string segment_file_name(uint64_t first_seq);
// The first sequence number in a segment file name; nullopt for any other name.
[[nodiscard]] std::optional<uint64_t> parse_segment_file_name(std::string_view name);

}  // namespace ampd::storage::wal_format
