// Helpers the benchmark worlds share: a seeded generator, random-looking
// addresses, literal addresses and powers of ten.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::bench_support {

// SplitMix64: advances `s` and returns the next value.
inline uint64_t splitmix64(uint64_t& s) {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// The i-th of a sequence of uniformly random-looking addresses (as real
// ones are, so that hash tables see realistic keys); `salt` picks the
// sequence.
inline Address random_address(uint64_t i, uint64_t salt) {
    uint64_t s = i * 0x2545F4914F6CDD1DULL + salt;
    const uint64_t w[3] = {splitmix64(s), splitmix64(s), splitmix64(s)};
    Address a;
    std::memcpy(a.data(), w, 20);
    return a;
}

// A literal known to be well formed.
inline Address fixed_address(std::string_view hex) {
    return *Address::from_hex(hex);
}

inline u256 pow10(unsigned n) {
    u256 r(1);
    for (unsigned i = 0; i < n; ++i) r = r * u256(10);
    return r;
}

}  // namespace ampd::bench_support
