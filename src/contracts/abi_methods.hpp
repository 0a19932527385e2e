// Helpers shared by the small built-in contracts (ERC-1820 registry, swap
// token, partition strategy validators): a selector table for the ABI
// dispatch, one-word return encoders and journaled writes into FlatMaps.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "ampd/contracts/interfaces.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/contract.hpp"
#include "ampd/state/flat_map.hpp"
#include "ampd/state/journal.hpp"
#include "ampd/state/revert.hpp"

namespace ampd::contracts::abi_methods {

// Unwraps a decoded argument; malformed calldata reverts without data, as
// Solidity's decoder does.
template <class T>
T arg(std::optional<T> v) {
    if (!v) state::revert_empty();
    return std::move(*v);
}

inline uint32_t selector_key(const Bytes4& s) {
    return (uint32_t{s.b[0]} << 24) | (uint32_t{s.b[1]} << 16) | (uint32_t{s.b[2]} << 8) |
           uint32_t{s.b[3]};
}

// One external function of contract type C.
template <class C>
struct Method {
    using Handler = Bytes (*)(C&, state::CallContext&, const abi::Decoder&);
    std::string_view signature;  // canonical "name(type,...)"
    size_t head_words;           // size of the static head of the arguments
    Handler handler;
};

// The external functions of C by selector. Built once per type.
template <class C>
class SelectorTable {
public:
    SelectorTable(std::initializer_list<Method<C>> methods) {
        entries_.reserve(methods.size());
        for (const Method<C>& m : methods) {
            entries_.push_back(
                Entry{selector_key(selector_of(m.signature)), m.head_words, m.handler});
        }
        std::sort(entries_.begin(), entries_.end(),
                  [](const Entry& a, const Entry& b) { return a.selector < b.selector; });
    }

    // Selects the function by the first four bytes of `calldata`, checks the
    // static head size (as the Solidity dispatcher does before decoding) and
    // runs it. No fallback function: an unknown selector or short calldata
    // reverts without data.
    Bytes dispatch(C& self, state::CallContext& ctx, ByteView calldata) const {
        if (calldata.size() < 4) state::revert_empty();
        const uint32_t key = selector_key(Bytes4::from(calldata.first(4)));
        auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                                   [](const Entry& e, uint32_t k) { return e.selector < k; });
        if (it == entries_.end() || it->selector != key) state::revert_empty();
        const abi::Decoder args(calldata.subspan(4), abi::Cleaning::kMask);
        if (!args.has_words(it->head_words)) state::revert_empty();
        return it->handler(self, ctx, args);
    }

private:
    struct Entry {
        uint32_t selector;
        size_t head_words;
        typename Method<C>::Handler handler;
    };
    std::vector<Entry> entries_;
};

inline Bytes ret_address(const Address& a) {
    return abi::Encoder().address(a).finish();
}
inline Bytes ret_u256(const u256& v) {
    return abi::Encoder().uint256(v).finish();
}
inline Bytes ret_bytes32(const Bytes32& v) {
    return abi::Encoder().bytes32(v).finish();
}
inline Bytes ret_bytes4(const Bytes4& v) {
    return abi::Encoder().bytes4(v).finish();
}
inline Bytes ret_bool(bool b) {
    return abi::Encoder().boolean(b).finish();
}
inline Bytes ret_string(std::string_view s) {
    return abi::Encoder().string(s).finish();
}

// map[key] = value, undone by key on rollback (FlatMap slots move when the
// table grows, so the undo record never holds a pointer into the table).
template <class K, class V, class H>
void journaled_put(state::Journal& journal, state::FlatMap<K, V, H>& map, const K& key,
                   const V& value) {
    V& slot = map.get_or_insert(key);
    if (slot == value) return;
    const V old = slot;
    state::FlatMap<K, V, H>* m = &map;
    journal.record([m, key, old] { m->get_or_insert(key) = old; });
    slot = value;
}

// The value at `key`, or V{} (Solidity's zero value) if it was never written.
template <class K, class V, class H>
V read_or_zero(const state::FlatMap<K, V, H>& map, const K& key) {
    const V* v = map.find(key);
    return v == nullptr ? V{} : *v;
}

// Mixes 64-bit words into a hash whose low bits depend on every input bit
// (FlatMap indexes by the low bits).
inline size_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return static_cast<size_t>(x);
}

inline uint64_t load64(const uint8_t* p) {
    uint64_t x = 0;
    std::memcpy(&x, p, 8);
    return x;
}

// Hash of an address: its last 8 bytes mixed with the 4 before them.
inline uint64_t address_bits(const Address& a) {
    uint32_t hi = 0;
    std::memcpy(&hi, a.data() + 8, 4);
    return load64(a.data() + 12) ^ (uint64_t{hi} << 29);
}

// The eight arguments of the transfer hook functions (bytes4 functionSig,
// bytes32 partition, address operator, address from, address to, uint256
// value, bytes data, bytes operatorData). The dynamic values are owned here
// and `args` views them, so keep the struct alive while using `args`.
struct DecodedHookArgs {
    TransferHookArgs args;
    Bytes data;
    Bytes operator_data;
};

inline DecodedHookArgs decode_hook_args(const abi::Decoder& d) {
    if (!d.has_words(8)) state::revert_empty();
    DecodedHookArgs h;
    h.args.function_sig = arg(d.bytes4(0));
    h.args.partition = arg(d.bytes32(1));
    h.args.operator_ = arg(d.address(2));
    h.args.from = arg(d.address(3));
    h.args.to = arg(d.address(4));
    h.args.value = arg(d.uint256(5));
    h.data = arg(d.bytes(6));
    h.operator_data = arg(d.bytes(7));
    h.args.data = h.data;
    h.args.operator_data = h.operator_data;
    return h;
}

}  // namespace ampd::contracts::abi_methods
