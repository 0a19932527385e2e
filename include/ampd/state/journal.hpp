// Undo journal: every state write of a transaction records how to undo it,
// so a revert anywhere (a hook deep in a call chain, after balances moved)
// rolls the live state back without copying it.
//
// An undo record is a small trivially-copyable callable stored inline in a
// fixed-size entry: no allocation per write, and rollback is a reverse walk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

namespace ampd::state {

class Journal {
public:
    static constexpr size_t kPayload = 120;
    using Checkpoint = size_t;

    Journal() { entries_.reserve(256); }

    [[nodiscard]] Checkpoint checkpoint() const { return entries_.size(); }

    // Runs the undo records above `cp`, newest first, and drops them.
    void rollback(Checkpoint cp) {
        while (entries_.size() > cp) {
            Entry& e = entries_.back();
            e.undo(e.payload);
            entries_.pop_back();
        }
    }

    // Makes every change so far permanent.
    void commit() { entries_.clear(); }

    [[nodiscard]] size_t size() const { return entries_.size(); }

    // Records `undo`, a callable that restores what the caller is about to
    // change. It must be trivially copyable (capture pointers, keys and old
    // values by value) and fit the inline payload.
    template <class Undo>
    void record(const Undo& undo) {
        static_assert(std::is_trivially_copyable_v<Undo>, "undo records are copied bytewise");
        static_assert(sizeof(Undo) <= kPayload, "undo record too large");
        static_assert(alignof(Undo) <= alignof(std::max_align_t));
        Entry& e = entries_.emplace_back();
        e.undo = [](void* p) { (*std::launder(static_cast<Undo*>(p)))(); };
        ::new (static_cast<void*>(e.payload)) Undo(undo);
    }

    // --- Helpers for storage whose address is stable for the contract's life
    // (members of a contract object, values in node-based maps).

    template <class T>
    void set(T& slot, const T& value) {
        static_assert(std::is_trivially_copyable_v<T>);
        T* p = &slot;
        T old = slot;
        record([p, old] { *p = old; });
        slot = value;
    }

    template <class T>
    void push(std::vector<T>& vec, const T& value) {
        std::vector<T>* p = &vec;
        record([p] { p->pop_back(); });
        vec.push_back(value);
    }

    template <class T>
    void pop(std::vector<T>& vec) {
        std::vector<T>* p = &vec;
        T old = vec.back();
        record([p, old] { p->push_back(old); });
        vec.pop_back();
    }

    // vec[i] = value; undone by index, since a later push may move the buffer.
    template <class T>
    void assign(std::vector<T>& vec, size_t i, const T& value) {
        std::vector<T>* p = &vec;
        T old = vec[i];
        record([p, i, old] { (*p)[i] = old; });
        vec[i] = value;
    }

private:
    struct Entry {
        // User-provided so that emplace_back() does not zero the payload,
        // which record() overwrites at once.
        Entry() {}  // NOLINT(modernize-use-equals-default)
        void (*undo)(void*) = nullptr;
        alignas(std::max_align_t) unsigned char payload[kPayload];
    };
    std::vector<Entry> entries_;
};

}  // namespace ampd::state
