#include "ampd/state/snapshot_codec.hpp"

#include <cstring>

namespace ampd::state {

// --- Writer

void SnapshotWriter::uint256(const u256& v) {
    const unsigned len = (v.bit_length() + 7) / 8;
    uint8_t* p = grow(1 + len);
    p[0] = static_cast<uint8_t>(len);
    for (unsigned i = 0; i < len; ++i) p[1 + i] = static_cast<uint8_t>(v.w[i / 8] >> (8 * (i % 8)));
}

void SnapshotWriter::bytes(ByteView b) {
    u64(b.size());
    if (!b.empty()) raw(b.data(), b.size());
}

void SnapshotWriter::string(std::string_view s) {
    bytes(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

size_t SnapshotWriter::begin_block() {
    const size_t mark = out_.size();
    u64(0);
    return mark;
}

void SnapshotWriter::end_block(size_t mark) {
    le(out_.data() + mark, out_.size() - mark - 8, 8);
}

// --- Reader

void SnapshotReader::fail(std::string_view what) const {
    throw SnapshotError("snapshot: " + std::string(what) + " reading " + std::string(section_) +
                        " at offset " + std::to_string(offset()));
}

const uint8_t* SnapshotReader::take(size_t n) {
    if (n > remaining()) {
        fail("truncated (need " + std::to_string(n) + " bytes, " + std::to_string(remaining()) +
             " left)");
    }
    const uint8_t* p = data_.data() + pos_;
    pos_ += n;
    return p;
}

uint64_t SnapshotReader::le(size_t n) {
    const uint8_t* p = take(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
    return v;
}

uint8_t SnapshotReader::u8() {
    return *take(1);
}

uint32_t SnapshotReader::u32() {
    return static_cast<uint32_t>(le(4));
}

uint64_t SnapshotReader::u64() {
    return le(8);
}

bool SnapshotReader::boolean() {
    const uint8_t v = u8();
    if (v > 1) fail("invalid bool " + std::to_string(v));
    return v == 1;
}

u256 SnapshotReader::uint256() {
    const uint8_t len = u8();
    if (len > 32) fail("u256 length " + std::to_string(len) + " > 32");
    const uint8_t* p = take(len);
    // A zero top byte would give the same value a second encoding.
    if (len > 0 && p[len - 1] == 0) fail("non-canonical u256 (zero top byte)");
    u256 v;
    for (size_t i = 0; i < len; ++i) v.w[i / 8] |= uint64_t{p[i]} << (8 * (i % 8));
    return v;
}

Address SnapshotReader::address() {
    return Address::from(ByteView(take(20), 20));
}

Bytes32 SnapshotReader::bytes32() {
    return Bytes32::from(ByteView(take(32), 32));
}

Bytes4 SnapshotReader::bytes4() {
    return Bytes4::from(ByteView(take(4), 4));
}

ByteView SnapshotReader::bytes_view() {
    const uint64_t n = u64();
    if (n > remaining()) {
        fail("truncated (byte string of " + std::to_string(n) + " bytes, " +
             std::to_string(remaining()) + " left)");
    }
    return ByteView(take(static_cast<size_t>(n)), static_cast<size_t>(n));
}

Bytes SnapshotReader::bytes() {
    const ByteView v = bytes_view();
    return Bytes(v.begin(), v.end());
}

std::string SnapshotReader::string() {
    const Bytes b = bytes();
    return std::string(b.begin(), b.end());
}

size_t SnapshotReader::count(size_t min_entry_bytes) {
    const uint64_t n = u64();
    const size_t unit = min_entry_bytes == 0 ? 1 : min_entry_bytes;
    if (n > remaining() / unit) {
        fail("count " + std::to_string(n) + " cannot fit in the " + std::to_string(remaining()) +
             " bytes left");
    }
    return static_cast<size_t>(n);
}

SnapshotReader SnapshotReader::block() {
    const uint64_t n = u64();
    if (n > remaining()) {
        fail("truncated (block of " + std::to_string(n) + " bytes, " + std::to_string(remaining()) +
             " left)");
    }
    const size_t start = pos_;
    pos_ += static_cast<size_t>(n);
    SnapshotReader sub(data_.subspan(start, static_cast<size_t>(n)), base_ + start);
    sub.section_ = section_;
    return sub;
}

void SnapshotReader::expect_end() const {
    if (remaining() != 0) fail(std::to_string(remaining()) + " unread trailing bytes");
}

}  // namespace ampd::state
