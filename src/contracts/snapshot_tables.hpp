// Shared by the contracts' save()/load(): writing a key-value table in
// canonical form and reading it back strictly.
//
// A table is written as a count and its entries sorted by key, leaving out
// the entries the caller's `absent` predicate names: for FlatMaps the zero
// value (records are never erased, and a zero record behaves exactly like a
// missing one). The reader accepts only that form: keys strictly ascending
// and no absent values, so one state has one encoding and a loaded snapshot
// saves back to the same bytes.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/state/flat_map.hpp"
#include "ampd/state/snapshot_codec.hpp"

namespace ampd::contracts::snapshot {

// Byte strings compared as memcmp orders them (unsigned, first byte most
// significant), a big-endian word at a time: sorting a table of a million
// keys makes ~20 million comparisons, and a libc memcmp call each is most
// of the sort's time.
template <size_t N>
int compare_bytes(const uint8_t* a, const uint8_t* b) {
    size_t i = 0;
    for (; i + 8 <= N; i += 8) {
        uint64_t x = 0;
        uint64_t y = 0;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
    }
    for (; i < N; ++i) {
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}
template <size_t N>
int compare(const FixedBytes<N>& a, const FixedBytes<N>& b) {
    return compare_bytes<N>(a.data(), b.data());
}
inline int compare(uint32_t a, uint32_t b) {
    return a < b ? -1 : (a > b ? 1 : 0);
}

// Orders single-field keys (Address, Bytes32, Bytes4).
struct Less {
    template <size_t N>
    bool operator()(const FixedBytes<N>& a, const FixedBytes<N>& b) const {
        return compare(a, b) < 0;
    }
};

// The zero value, which Solidity storage cannot tell from absence.
struct IsZero {
    template <class V>
    bool operator()(const V& v) const {
        return v == V{};
    }
};

template <class K, class V, class H, class F>
void visit(const state::FlatMap<K, V, H>& m, F&& f) {
    m.for_each(f);
}
template <class K, class V, class H, class F>
void visit(const std::unordered_map<K, V, H>& m, F&& f) {
    for (const auto& [k, v] : m) f(k, v);
}

template <class K, class V, class H>
void reserve(state::FlatMap<K, V, H>& m, size_t n) {
    m.reserve(n);
}
template <class K, class V, class H>
void reserve(std::unordered_map<K, V, H>& m, size_t n) {
    m.reserve(n);
}

template <class K, class V, class H>
void insert(state::FlatMap<K, V, H>& m, const K& k, const V& v) {
    m.get_or_insert(k) = v;
}
template <class K, class V, class H>
void insert(std::unordered_map<K, V, H>& m, const K& k, const V& v) {
    m.emplace(k, v);
}

template <class K, class V, class H>
void prefetch(const state::FlatMap<K, V, H>& m, const K& k) {
    m.prefetch(k);
}
template <class K, class V, class H>
void prefetch(const std::unordered_map<K, V, H>& /*m*/, const K& /*k*/) {}

template <class K, class V, class H>
K key_type_of(const state::FlatMap<K, V, H>&);
template <class K, class V, class H>
K key_type_of(const std::unordered_map<K, V, H>&);
template <class K, class V, class H>
V value_type_of(const state::FlatMap<K, V, H>&);
template <class K, class V, class H>
V value_type_of(const std::unordered_map<K, V, H>&);

// Writes the entries of `map` that are not `absent`, sorted by `less` on the
// key, each as write(writer, key, value). Keys are copied next to a value
// pointer so that sorting compares contiguous memory.
template <class Map, class Less, class Absent, class Write>
void write_table(state::SnapshotWriter& w, const Map& map, Less less, Absent absent, Write write) {
    using K = decltype(key_type_of(map));
    using V = decltype(value_type_of(map));
    std::vector<std::pair<K, const V*>> entries;
    entries.reserve(map.size());
    visit(map, [&](const K& k, const V& v) {
        if (!absent(v)) entries.emplace_back(k, &v);
    });
    std::sort(entries.begin(), entries.end(),
              [&](const auto& a, const auto& b) { return less(a.first, b.first); });
    w.count(entries.size());
    // The values sit in hash order: fetch them ahead of use, or every write
    // waits on a cache miss.
    constexpr size_t kAhead = 16;
    for (size_t i = 0; i < entries.size(); ++i) {
        if (i + kAhead < entries.size()) {
            const char* p = reinterpret_cast<const char*>(entries[i + kAhead].second);
            __builtin_prefetch(p);
            __builtin_prefetch(p + sizeof(V) - 1);
        }
        write(w, entries[i].first, *entries[i].second);
    }
}

// Reads what write_table wrote into the empty `map`; read(reader) returns
// one (key, value) pair and `min_entry_bytes` is the smallest encoding of
// an entry (bounds the count before reserving).
template <class Map, class Less, class Absent, class Read>
void read_table(state::SnapshotReader& r, Map& map, size_t min_entry_bytes, Less less,
                Absent absent, Read read) {
    using K = decltype(key_type_of(map));
    using V = decltype(value_type_of(map));
    const size_t n = r.count(min_entry_bytes);
    reserve(map, n);
    // Entries arrive in key order but land at random slots: decode a batch,
    // prefetch the slots, then insert, so the cache misses overlap. (The
    // table is reserved, so no insertion moves the prefetched slots.)
    constexpr size_t kBatch = 16;
    std::array<std::pair<K, V>, kBatch> batch;
    K prev{};
    for (size_t done = 0; done < n;) {
        const size_t b = std::min(kBatch, n - done);
        for (size_t j = 0; j < b; ++j) {
            batch[j] = read(r);
            const K& k = batch[j].first;
            if (absent(batch[j].second)) r.fail("zero value stored");
            if (done + j > 0 && !less(prev, k)) r.fail("keys not strictly ascending");
            prev = k;
            prefetch(map, k);
        }
        for (size_t j = 0; j < b; ++j) insert(map, batch[j].first, batch[j].second);
        done += b;
    }
}

// A set-like table (value true or absent): only the keys are written.
template <class Map, class Less, class WriteKey>
void write_key_set(state::SnapshotWriter& w, const Map& map, Less less, WriteKey write_key) {
    write_table(
        w, map, less, [](bool v) { return !v; },
        [&](state::SnapshotWriter& out, const auto& k, bool) { write_key(out, k); });
}

template <class Map, class Less, class ReadKey>
void read_key_set(state::SnapshotReader& r, Map& map, size_t min_key_bytes, Less less,
                  ReadKey read_key) {
    read_table(
        r, map, min_key_bytes, less, [](bool v) { return !v; },
        [&](state::SnapshotReader& in) {
            return std::pair{read_key(in), true};
        });
}

// An ordered list (its order is observable), as a count and the elements.
template <class T, class WriteElem>
void write_list(state::SnapshotWriter& w, const std::vector<T>& list, WriteElem write) {
    w.count(list.size());
    for (const T& x : list) write(w, x);
}

template <class T, class ReadElem>
std::vector<T> read_list(state::SnapshotReader& r, size_t min_elem_bytes, ReadElem read) {
    const size_t n = r.count(min_elem_bytes);
    std::vector<T> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) out.push_back(read(r));
    return out;
}

}  // namespace ampd::contracts::snapshot
