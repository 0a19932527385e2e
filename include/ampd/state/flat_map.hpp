// Open-addressing hash map with inline records, for the large per-account
// tables (balances, partition balances). One cache miss per lookup instead
// of the bucket + node misses of std::unordered_map.
//
// Entries are never erased: a record whose value equals V{} is "absent" in
// the contract's sense (Solidity storage has no other notion of absence).
// Pointers returned by find()/get_or_insert() stay valid only until the next
// insertion, which may grow the table; the journal therefore refers to
// records by key, never by pointer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace ampd::state {

template <class K, class V, class Hash>
class FlatMap {
public:
    FlatMap() { rehash(16); }

    [[nodiscard]] size_t size() const { return size_; }
    [[nodiscard]] size_t capacity() const { return slots_.size(); }

    void reserve(size_t n) {
        size_t cap = slots_.size();
        while (n * 4 > cap * 3) cap *= 2;
        if (cap != slots_.size()) rehash(cap);
    }

    [[nodiscard]] V* find(const K& key) {
        size_t i = Hash{}(key)&mask_;
        while (true) {
            Slot& s = slots_[i];
            if (!s.used) return nullptr;
            if (s.key == key) return &s.value;
            i = (i + 1) & mask_;
        }
    }
    [[nodiscard]] const V* find(const K& key) const {
        return const_cast<FlatMap*>(this)->find(key);
    }

    // Hints the cache to fetch the home slot of `key` (for batched execution).
    void prefetch(const K& key) const {
        const char* p = reinterpret_cast<const char*>(&slots_[Hash{}(key)&mask_]);
        // The empty asm pins the address: GCC 12 silently drops a
        // __builtin_prefetch after some hash computations. A slot may span
        // two cache lines.
        asm volatile("" : "+r"(p));
        __builtin_prefetch(p);
        __builtin_prefetch(p + sizeof(Slot) - 1);
    }

    V& get_or_insert(const K& key) {
        if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.size() * 2);
        size_t i = Hash{}(key)&mask_;
        while (true) {
            Slot& s = slots_[i];
            if (!s.used) {
                s.used = true;
                s.key = key;
                s.value = V{};
                ++size_;
                return s.value;
            }
            if (s.key == key) return s.value;
            i = (i + 1) & mask_;
        }
    }

    // Visits every record (in table order: not deterministic across builds of
    // the table, so callers that need an order sort the keys).
    template <class F>
    void for_each(F&& f) const {
        for (const Slot& s : slots_) {
            if (s.used) f(s.key, s.value);
        }
    }

private:
    struct Slot {
        K key{};
        bool used = false;
        V value{};
    };

    void rehash(size_t cap) {
        std::vector<Slot> old;
        old.swap(slots_);
        // Allocate, ask for transparent huge pages before the first touch
        // (random probes into a large table otherwise miss the TLB on
        // nearly every access), then initialise.
        slots_.reserve(cap);
        advise_huge_pages(slots_.data(), cap * sizeof(Slot));
        slots_.resize(cap);
        mask_ = cap - 1;
        size_ = 0;
        for (Slot& s : old) {
            if (!s.used) continue;
            size_t i = Hash{}(s.key) & mask_;
            while (slots_[i].used) i = (i + 1) & mask_;
            slots_[i].used = true;
            slots_[i].key = s.key;
            slots_[i].value = std::move(s.value);
            ++size_;
        }
    }

    static void advise_huge_pages(const void* p, size_t bytes) {
#ifdef MADV_HUGEPAGE
        constexpr uintptr_t kHuge = uintptr_t{2} << 20;
        if (bytes < 2 * kHuge) return;
        const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
        const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
        if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
        (void)p;
        (void)bytes;
#endif
    }

    std::vector<Slot> slots_;
    size_t mask_ = 0;
    size_t size_ = 0;
};

}  // namespace ampd::state
