// Recursive Length Prefix: the serialization of Ethereum transactions.
//
// The encoder always produces the canonical form. The decoder accepts only
// the canonical form (one byte string per value, so one hash per
// transaction): every deviation is an error value with a precise message,
// never an exception and never an out-of-bounds read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::rlp {

struct Error {
    std::string message;  // "rlp: ..."
};

// A value or the reason there is none.
template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    // Precondition for the accessors: ok() (value) or !ok() (error).
    [[nodiscard]] T& value() { return std::get<0>(v_); }
    [[nodiscard]] const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    [[nodiscard]] const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// ---- Encoding -------------------------------------------------------------

// Appends the header of a string (list = false) or list of `payload_len` bytes.
void append_header(Bytes& out, bool list, size_t payload_len);
// Appends one byte string item.
void append_bytes(Bytes& out, ByteView b);
// Appends an integer as its minimal big-endian byte string (zero is empty).
void append_uint(Bytes& out, uint64_t v);
void append_uint(Bytes& out, const u256& v);

[[nodiscard]] Bytes encode_bytes(ByteView b);
[[nodiscard]] Bytes encode_uint(const u256& v);

// Builds a list item by appending its elements in order; lists nest by
// passing another builder.
class ListBuilder {
public:
    ListBuilder& bytes(ByteView b);
    ListBuilder& uint(uint64_t v);
    ListBuilder& uint(const u256& v);
    ListBuilder& list(const ListBuilder& nested);
    ListBuilder& raw(ByteView encoded_item);  // an item that is already RLP

    [[nodiscard]] const Bytes& payload() const { return payload_; }
    // The complete list item: header followed by the payload.
    [[nodiscard]] Bytes finish() const;
    void finish_into(Bytes& out) const;

private:
    Bytes payload_;  // concatenated encoded elements
};

// ---- Decoding -------------------------------------------------------------

// Lists nested deeper than this are rejected ("rlp: nesting too deep"). A
// transaction needs 3 (access list entries' storage keys).
inline constexpr unsigned kDefaultMaxDepth = 16;

// A decoded item: a view into the input, valid while the input lives.
struct Item {
    bool is_list = false;
    ByteView payload;  // the string's bytes, or the list's encoded elements
    ByteView encoded;  // the whole item, header included
};

// Decodes the single item that spans all of `input`, checking the whole tree:
// canonical headers, every length within its enclosing item, nesting no
// deeper than `max_depth`, no bytes after the item.
[[nodiscard]] Result<Item> decode(ByteView input, unsigned max_depth = kDefaultMaxDepth);

// The elements of a list item from decode() (or one of its elements).
[[nodiscard]] Result<std::vector<Item>> list_items(const Item& item);

// A string item's bytes.
[[nodiscard]] Result<ByteView> as_bytes(const Item& item);
// A string item read as an unsigned integer: minimal big-endian, so no
// leading zero byte ("rlp: non-canonical integer"); zero is the empty string.
[[nodiscard]] Result<ByteView> as_uint_bytes(const Item& item);
[[nodiscard]] Result<uint64_t> as_u64(const Item& item);
[[nodiscard]] Result<u256> as_u256(const Item& item);

}  // namespace ampd::rlp
