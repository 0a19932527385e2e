// Fixed-size byte strings of the Ethereum data model: Address (20 bytes),
// Bytes32 (partitions, hashes, roots), Bytes4 (selectors, partition
// prefixes) and the dynamic Bytes buffer.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/primitives/u256.hpp"

namespace ampd {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

template <size_t N>
struct FixedBytes {
    std::array<uint8_t, N> b{};

    static constexpr size_t size() { return N; }
    [[nodiscard]] const uint8_t* data() const { return b.data(); }
    uint8_t* data() { return b.data(); }
    [[nodiscard]] bool is_zero() const {
        for (uint8_t x : b) {
            if (x != 0) return false;
        }
        return true;
    }
    friend bool operator==(const FixedBytes&, const FixedBytes&) = default;
    friend auto operator<=>(const FixedBytes&, const FixedBytes&) = default;

    static FixedBytes from(ByteView v) {  // caller guarantees v.size() == N
        FixedBytes r;
        std::memcpy(r.b.data(), v.data(), N);
        return r;
    }
    // Strict "0x" + exactly 2N hex digits (either case); nullopt otherwise.
    static std::optional<FixedBytes> from_hex(std::string_view s);
    [[nodiscard]] std::string hex() const;  // lowercase with 0x
};

using Address = FixedBytes<20>;
using Bytes32 = FixedBytes<32>;
using Bytes4 = FixedBytes<4>;

// Conversions between a 32-byte word and the narrower types, following the
// ABI: an address sits in the low 20 bytes, bytes4 in the high 4 bytes.
[[nodiscard]] Bytes32 word_from_address(const Address& a);
[[nodiscard]] Address address_from_word(const Bytes32& w);  // takes the low 20 bytes
[[nodiscard]] Bytes32 word_from_u256(const u256& v);
[[nodiscard]] u256 u256_from_word(const Bytes32& w);
[[nodiscard]] Address address_from_u256(const u256& v);  // low 160 bits
[[nodiscard]] u256 u256_from_address(const Address& a);
[[nodiscard]] Bytes4 prefix_of(const Bytes32& w);  // first 4 bytes

// Hash functors for unordered containers. Addresses and hashes are already
// uniformly distributed, so a slice of the bytes is a good hash.
struct AddressHash {
    size_t operator()(const Address& a) const noexcept {
        uint64_t x = 0;
        std::memcpy(&x, a.data() + 12, 8);
        return static_cast<size_t>(x * 0x9E3779B97F4A7C15ULL);
    }
};
struct Bytes32Hash {
    size_t operator()(const Bytes32& h) const noexcept {
        uint64_t x = 0;
        uint64_t y = 0;
        std::memcpy(&x, h.data() + 24, 8);
        std::memcpy(&y, h.data(), 8);
        return static_cast<size_t>((x ^ (y * 0xC2B2AE3D27D4EB4FULL)) * 0x9E3779B97F4A7C15ULL);
    }
};
struct Bytes4Hash {
    size_t operator()(const Bytes4& h) const noexcept {
        uint32_t x = 0;
        std::memcpy(&x, h.data(), 4);
        return static_cast<size_t>(x * 0x9E3779B97F4A7C15ULL);
    }
};

// Well-known addresses.
inline constexpr Address kZeroAddress{};

}  // namespace ampd
