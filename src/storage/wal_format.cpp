#include "ampd/storage/wal_format.hpp"

#include <algorithm>
#include <cstring>

#include "storage/codec.hpp"

namespace ampd::storage::wal_format {
namespace {

using codec::get_le;
using codec::put_le;

constexpr std::string_view kPrefix = "wal-";
constexpr std::string_view kSuffix = ".log";
constexpr size_t kSeqDigits = 20;

}  // namespace

SegmentHeaderBytes encode_segment_header(uint64_t first_seq) {
    SegmentHeaderBytes h{};
    std::copy(kSegmentMagic.begin(), kSegmentMagic.end(), h.begin());
    put_le<uint32_t>(h.data() + 8, kVersion);
    put_le<uint64_t>(h.data() + 16, first_seq);
    put_le<uint32_t>(h.data() + 28, crc32c(ByteView(h.data(), 28)));
    return h;
}

Result<uint64_t> decode_segment_header(ByteView header) {
    if (header.size() < kSegmentHeaderSize) {
        return make_error(ErrorKind::kWalCorruption, "segment header is truncated");
    }
    if (!std::equal(kSegmentMagic.begin(), kSegmentMagic.end(), header.begin())) {
        return make_error(ErrorKind::kWalCorruption, "not a WAL segment (bad magic)");
    }
    // The version comes before the checksum: a future format may place its
    // checksum elsewhere, and "unknown version" is the useful message then.
    const auto version = get_le<uint32_t>(header.data() + 8);
    if (version != kVersion) {
        return make_error(ErrorKind::kWalCorruption,
                          "unknown WAL format version " + std::to_string(version));
    }
    if (get_le<uint32_t>(header.data() + 28) != crc32c(header.first(28))) {
        return make_error(ErrorKind::kWalCorruption, "segment header checksum mismatch");
    }
    if (get_le<uint32_t>(header.data() + 12) != 0 || get_le<uint32_t>(header.data() + 24) != 0) {
        return make_error(ErrorKind::kWalCorruption, "segment header has nonzero reserved fields");
    }
    const auto first_seq = get_le<uint64_t>(header.data() + 16);
    if (first_seq == 0) {
        return make_error(ErrorKind::kWalCorruption, "segment header has first sequence 0");
    }
    return first_seq;
}

RecordHeader decode_record_header(ByteView header) {
    RecordHeader h;
    h.crc = get_le<uint32_t>(header.data());
    h.length = get_le<uint32_t>(header.data() + 4);
    h.seq = get_le<uint64_t>(header.data() + 8);
    h.type = header[16];
    return h;
}

uint32_t finish_record_crc(Crc32c payload_crc, uint32_t length, uint64_t seq, uint8_t type) {
    std::array<uint8_t, kRecordHeaderSize - 4> fields{};
    put_le<uint32_t>(fields.data(), length);
    put_le<uint64_t>(fields.data() + 4, seq);
    fields[12] = type;
    payload_crc.update(fields);
    return payload_crc.value();
}

RecordHeaderBytes encode_record_header(const Crc32c& payload_crc, uint32_t length, uint64_t seq,
                                       uint8_t type) {
    RecordHeaderBytes h{};
    put_le<uint32_t>(h.data(), finish_record_crc(payload_crc, length, seq, type));
    put_le<uint32_t>(h.data() + 4, length);
    put_le<uint64_t>(h.data() + 8, seq);
    h[16] = type;
    return h;
}

bool record_crc_matches(const RecordHeader& h, ByteView payload) {
    Crc32c c;
    c.update(payload);
    return finish_record_crc(c, h.length, h.seq, h.type) == h.crc;
}

void append_record(Bytes& out, uint64_t seq, uint8_t type, ByteView payload) {
    Crc32c c;
    c.update(payload);
    const RecordHeaderBytes h =
        encode_record_header(c, static_cast<uint32_t>(payload.size()), seq, type);
    out.insert(out.end(), h.begin(), h.end());
    out.insert(out.end(), payload.begin(), payload.end());
}

std::string segment_file_name(uint64_t first_seq) {
    std::string digits = std::to_string(first_seq);
    std::string name(kPrefix);
    name.append(kSeqDigits - digits.size(), '0');
    name += digits;
    name += kSuffix;
    return name;
}

std::optional<uint64_t> parse_segment_file_name(std::string_view name) {
    if (name.size() != kPrefix.size() + kSeqDigits + kSuffix.size()) return std::nullopt;
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
    const std::string_view digits = name.substr(kPrefix.size(), kSeqDigits);
    uint64_t v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

}  // namespace ampd::storage::wal_format
