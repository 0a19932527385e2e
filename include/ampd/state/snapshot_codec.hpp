// The byte codec of state snapshots: what a contract's save() writes and its
// loader reads back.
//
// Fixed-width integers are little-endian; Address, Bytes32 and Bytes4 are
// their raw bytes; a u256 is one length byte L (0..32) followed by its L
// low-order bytes, little-endian, the last one non-zero (so each value has
// exactly one encoding and typical balances take ~10 bytes instead of 32);
// byte strings, strings, counts and nested blocks carry a u64 length.
//
// The reader trusts nothing: every read is bounds-checked, every value that
// has one canonical form must be in it, and any violation throws
// SnapshotError naming the section being read ("snapshot: truncated reading
// FlexaCollateralManager.accounts ..."). A count is checked against the
// bytes left before anything is reserved, so a corrupt count cannot make
// the loader allocate gigabytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::state {

// Malformed, truncated or inconsistent snapshot input.
class SnapshotError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SnapshotWriter {
public:
    void u8(uint8_t v) { out_.push_back(v); }
    void u32(uint32_t v) { le(grow(4), v, 4); }
    void u64(uint64_t v) { le(grow(8), v, 8); }
    void boolean(bool v) { u8(v ? 1 : 0); }
    void uint256(const u256& v);
    void address(const Address& a) { raw(a.data(), a.size()); }
    void bytes32(const Bytes32& b) { raw(b.data(), b.size()); }
    void bytes4(const Bytes4& b) { raw(b.data(), b.size()); }
    // u64 length, then the bytes.
    void bytes(ByteView b);
    void string(std::string_view s);
    // Number of entries that follow.
    void count(size_t n) { u64(n); }

    // A nested block with a u64 length prefix: begin_block() reserves the
    // prefix and returns a mark; end_block(mark) fills in the length of
    // everything written since.
    [[nodiscard]] size_t begin_block();
    void end_block(size_t mark);

    void reserve(size_t n) { out_.reserve(n); }
    [[nodiscard]] size_t size() const { return out_.size(); }
    [[nodiscard]] const Bytes& data() const { return out_; }
    [[nodiscard]] Bytes take() && { return std::move(out_); }

private:
    // Appends `n` bytes to be filled in through the returned pointer (one
    // size update per field rather than one per byte: snapshots of large
    // worlds are hundreds of megabytes).
    uint8_t* grow(size_t n) {
        const size_t at = out_.size();
        out_.resize(at + n);
        return out_.data() + at;
    }
    static void le(uint8_t* p, uint64_t v, size_t n) {
        for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
    }
    void raw(const uint8_t* p, size_t n) { std::memcpy(grow(n), p, n); }

    Bytes out_;
};

class SnapshotReader {
public:
    explicit SnapshotReader(ByteView data) : SnapshotReader(data, 0) {}

    // Names what is being read, for error messages ("Amp.accounts"). Must
    // outlive the reads (a string literal).
    void section(std::string_view name) { section_ = name; }
    [[nodiscard]] std::string_view current_section() const { return section_; }

    uint8_t u8();
    uint32_t u32();
    uint64_t u64();
    bool boolean();  // exactly 0 or 1
    u256 uint256();  // canonical compact form only
    Address address();
    Bytes32 bytes32();
    Bytes4 bytes4();
    Bytes bytes();
    // The same field as bytes(), as a view into the input (no copy; valid
    // as long as the input is).
    ByteView bytes_view();
    std::string string();

    // A count of entries each at least `min_entry_bytes` long (>= 1); throws
    // when that many entries cannot fit in the bytes left.
    size_t count(size_t min_entry_bytes);

    // The next length-prefixed block as a reader of its own (for offsets in
    // messages it knows where it sits in the whole input); this reader moves
    // past it.
    SnapshotReader block();

    [[nodiscard]] size_t remaining() const { return data_.size() - pos_; }
    // Offset of the next read from the start of the whole input.
    [[nodiscard]] size_t offset() const { return base_ + pos_; }

    // Throws unless every byte has been read.
    void expect_end() const;

    // Throws SnapshotError "snapshot: <what> reading <section> at offset N".
    [[noreturn]] void fail(std::string_view what) const;

private:
    SnapshotReader(ByteView data, size_t base) : data_(data), base_(base) {}
    // The next `n` bytes; throws when fewer are left.
    const uint8_t* take(size_t n);
    uint64_t le(size_t n);

    ByteView data_;
    size_t base_ = 0;
    size_t pos_ = 0;
    std::string_view section_ = "header";
};

}  // namespace ampd::state
