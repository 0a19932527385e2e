// Solidity ABI codec: calldata arguments, return data, Error(string) revert
// data, event topics and data.
//
// Decoding is strict and bounds-checked: every accessor returns nullopt for
// data that is too short, an offset or length that points outside the
// buffer, or (in strict mode) a value with dirty high bits. It never reads
// out of bounds and never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::abi {

// How strictly narrow values are checked. Solidity's ABI decoder v1 (used
// by the Amp contract) silently masks address and small-integer words; the
// v2 decoder rejects dirty high bits.
enum class Cleaning : uint8_t { kMask, kStrict };

class Decoder {
public:
    // `data` is the argument area (calldata after the selector, or return data).
    explicit Decoder(ByteView data, Cleaning cleaning = Cleaning::kMask)
        : data_(data), cleaning_(cleaning) {}

    // True when the head holds at least `n` words (static part of n params).
    [[nodiscard]] bool has_words(size_t n) const { return data_.size() >= n * 32; }

    [[nodiscard]] std::optional<Bytes32> word(size_t i) const;
    [[nodiscard]] std::optional<u256> uint256(size_t i) const;
    [[nodiscard]] std::optional<u256> uint_n(size_t i, unsigned bits) const;
    [[nodiscard]] std::optional<u256> int256(size_t i) const { return uint256(i); }
    [[nodiscard]] std::optional<Address> address(size_t i) const;
    [[nodiscard]] std::optional<bool> boolean(size_t i) const;
    [[nodiscard]] std::optional<Bytes32> bytes32(size_t i) const { return word(i); }
    [[nodiscard]] std::optional<Bytes4> bytes4(size_t i) const;
    // Dynamic values: head word i holds the offset of the tail.
    [[nodiscard]] std::optional<Bytes> bytes(size_t i) const;
    [[nodiscard]] std::optional<std::string> string(size_t i) const;
    [[nodiscard]] std::optional<std::vector<Bytes32>> bytes32_array(size_t i) const;
    [[nodiscard]] std::optional<std::vector<Address>> address_array(size_t i) const;

    [[nodiscard]] ByteView data() const { return data_; }

private:
    // Offset + length of a dynamic tail whose elements take `elem_size` bytes
    // each (1 for bytes/string, 32 for arrays); nullopt if out of bounds.
    [[nodiscard]] std::optional<std::pair<size_t, size_t>> tail(size_t i, size_t elem_size) const;

    ByteView data_;
    Cleaning cleaning_;
};

// Builds an ABI encoding (head words followed by the tails of dynamic values).
class Encoder {
public:
    // Room for the values of any event or return the contracts encode, so
    // that encoding one allocates once rather than once per doubling.
    Encoder() { items_.reserve(8); }
    Encoder& uint256(const u256& v);
    Encoder& int256(const u256& twos_complement) { return uint256(twos_complement); }
    Encoder& address(const Address& a);
    Encoder& boolean(bool b);
    Encoder& bytes32(const Bytes32& b);
    Encoder& bytes4(const Bytes4& b);
    Encoder& bytes(ByteView b);
    Encoder& string(std::string_view s);
    Encoder& bytes32_array(const std::vector<Bytes32>& v);
    Encoder& address_array(const std::vector<Address>& v);

    // The encoding of everything added so far.
    [[nodiscard]] Bytes finish() const;
    // The same, prefixed with a 4-byte selector (calldata).
    [[nodiscard]] Bytes finish_call(const Bytes4& selector) const;

private:
    struct Item {
        bool dynamic = false;
        Bytes32 head;  // static value
        Bytes tail;    // encoded tail of a dynamic value (length word + padded payload)
    };
    std::vector<Item> items_;
};

// Appends `b` right-padded with zeros to a multiple of 32 bytes.
void append_padded(Bytes& out, ByteView b);

// Revert data for `revert(reason)` / `require(cond, reason)`: the
// Error(string) selector 0x08c379a0 followed by the ABI-encoded string.
[[nodiscard]] Bytes error_data(std::string_view reason);
// The reason string inside Error(string) revert data, if it is one.
[[nodiscard]] std::optional<std::string> decode_error(ByteView revert_data);

}  // namespace ampd::abi
