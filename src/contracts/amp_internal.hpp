// Shared by the Amp translation units: checked arithmetic with the SafeMath
// revert strings, journaled FlatMap slots, and the selectors of the external
// functions Amp calls.
#pragma once

#include "ampd/contracts/amp.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"
#include "ampd/state/flat_map.hpp"
#include "ampd/state/journal.hpp"
#include "ampd/state/revert.hpp"

namespace ampd::contracts::amp_internal {

inline u256 safe_add(const u256& a, const u256& b) {
    u256 r;
    if (add_overflow(a, b, r)) [[unlikely]]
        state::revert("SafeMath: addition overflow");
    return r;
}

inline u256 safe_sub(const u256& a, const u256& b) {
    u256 r;
    if (sub_underflow(a, b, r)) [[unlikely]]
        state::revert("SafeMath: subtraction overflow");
    return r;
}

// Restores the record of `key` to `old` (the key is never erased, so it is
// still in the table when the journal rolls back).
template <class K, class V, class H>
struct RestoreSlot {
    state::FlatMap<K, V, H>* map;
    K key;
    V old;
    void operator()() const { *map->find(key) = old; }
};

// The record of `key` (created as V{} if absent), with its current value
// journaled: the caller may modify it in place until the next insertion
// into the same map.
template <class K, class V, class H>
V& journaled_slot(state::Journal& journal, state::FlatMap<K, V, H>& map, const K& key) {
    V& slot = map.get_or_insert(key);
    journal.record(RestoreSlot<K, V, H>{&map, key, slot});
    return slot;
}

// map[key] = value, journaled unless it changes nothing.
template <class K, class V, class H>
void journaled_put(state::Journal& journal, state::FlatMap<K, V, H>& map, const K& key,
                   const V& value) {
    V& slot = map.get_or_insert(key);
    if (slot == value) return;
    journal.record(RestoreSlot<K, V, H>{&map, key, slot});
    slot = value;
}

// The value at `key`, or V{} (Solidity's zero value) if never written.
template <class K, class V, class H>
V read_or_zero(const state::FlatMap<K, V, H>& map, const K& key) {
    const V* v = map.find(key);
    return v == nullptr ? V{} : *v;
}

// Selectors of the functions Amp calls on other contracts (msg.sig of the
// callee frame).
struct Selectors {
    Bytes4 get_interface_implementer;
    Bytes4 set_interface_implementer;
    Bytes4 tokens_to_transfer;
    Bytes4 tokens_received;
    Bytes4 tokens_from_partition_to_validate;
    Bytes4 tokens_to_partition_to_validate;
    Bytes4 is_operator_for_partition_scope;
    Bytes4 swap_allowance;
    Bytes4 swap_transfer_from;
};
const Selectors& selectors();

}  // namespace ampd::contracts::amp_internal
