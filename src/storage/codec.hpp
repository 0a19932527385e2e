// Little-endian fixed-width encoding for the storage layer's own formats:
// an appending Writer and a bounds-checked Reader that never reads past its
// input and reports failure instead of crashing on bad bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::storage::codec {

template <class T>
inline void put_le(uint8_t* p, T v) {
    for (size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

template <class T>
[[nodiscard]] inline T get_le(const uint8_t* p) {
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
    return v;
}

// Big-endian, for RocksDB keys: byte order then equals numeric order.
template <class T>
inline void put_be(uint8_t* p, T v) {
    for (size_t i = 0; i < sizeof(T); ++i) {
        p[i] = static_cast<uint8_t>(v >> (8 * (sizeof(T) - 1 - i)));
    }
}

template <class T>
[[nodiscard]] inline T get_be(const uint8_t* p) {
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | p[i]);
    return v;
}

class Writer {
public:
    explicit Writer(Bytes& out) : out_(out) {}

    void u8(uint8_t v) { out_.push_back(v); }
    void u32(uint32_t v) { put(v); }
    void u64(uint64_t v) { put(v); }
    void fixed(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
    template <size_t N>
    void fixed(const FixedBytes<N>& b) {
        fixed(ByteView(b.b));
    }
    void u256_le(const u256& v) {
        for (uint64_t limb : v.w) u64(limb);
    }
    // u32 length prefix, then the bytes.
    void bytes(ByteView b) {
        u32(static_cast<uint32_t>(b.size()));
        fixed(b);
    }

private:
    template <class T>
    void put(T v) {
        const size_t at = out_.size();
        out_.resize(at + sizeof(T));
        put_le(out_.data() + at, v);
    }

    Bytes& out_;
};

// Every read on a failed (or exhausted) reader returns zeros and keeps it
// failed, so a decoder can read a whole record and check ok() once.
class Reader {
public:
    explicit Reader(ByteView in) : in_(in) {}

    [[nodiscard]] bool ok() const { return ok_; }
    // True when everything was read without error and nothing is left over.
    [[nodiscard]] bool done() const { return ok_ && pos_ == in_.size(); }
    [[nodiscard]] size_t remaining() const { return ok_ ? in_.size() - pos_ : 0; }
    void fail() { ok_ = false; }

    uint8_t u8() {
        const uint8_t* p = take(1);
        return p != nullptr ? *p : 0;
    }
    uint32_t u32() { return get<uint32_t>(); }
    uint64_t u64() { return get<uint64_t>(); }
    template <size_t N>
    FixedBytes<N> fixed() {
        FixedBytes<N> r;
        const uint8_t* p = take(N);
        if (p != nullptr) std::memcpy(r.b.data(), p, N);
        return r;
    }
    u256 u256_le() {
        u256 v;
        for (uint64_t& limb : v.w) limb = u64();
        return v;
    }
    Bytes bytes() {
        const uint32_t n = u32();
        const uint8_t* p = take(n);
        if (p == nullptr) return {};
        return Bytes(p, p + n);
    }
    // A element count for a vector whose elements take at least `min_size`
    // bytes each: fails (instead of allocating) when the input cannot hold
    // that many.
    uint32_t count(size_t min_size) {
        const uint32_t n = u32();
        if (min_size > 0 && n > remaining() / min_size) fail();
        return ok_ ? n : 0;
    }

private:
    const uint8_t* take(size_t n) {
        if (!ok_ || in_.size() - pos_ < n) {
            ok_ = false;
            return nullptr;
        }
        const uint8_t* p = in_.data() + pos_;
        pos_ += n;
        return p;
    }
    template <class T>
    T get() {
        const uint8_t* p = take(sizeof(T));
        return p != nullptr ? get_le<T>(p) : 0;
    }

    ByteView in_;
    size_t pos_ = 0;
    bool ok_ = true;
};

}  // namespace ampd::storage::codec
