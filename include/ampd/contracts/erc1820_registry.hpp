// The ERC-1820 pseudo-introspection registry (EIP-1820), reimplemented
// natively at its canonical address.
//
// Every address may name, per interface hash, a contract that implements
// that interface on its behalf; the address's manager (by default the
// address itself) sets the entries. Hashes whose last 28 bytes are zero are
// ERC-165 interface ids and are answered by ERC-165 introspection instead.
//
// Behaviour (return values, revert strings, events, state) matches the
// registry deployed on Ethereum (solc 0.5.3, ABI decoder v1: narrow values
// masked; short calldata reverts without data).
//
// Amp looks up two implementers on every transfer, so getInterfaceImplementer
// is one probe of an open-addressing table keyed by (address, hash) and never
// allocates.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "ampd/contracts/interfaces.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/state/contract.hpp"
#include "ampd/state/flat_map.hpp"
#include "ampd/state/log.hpp"

namespace ampd::contracts {

class Erc1820Registry final : public state::Contract, public IERC1820Registry {
public:
    explicit Erc1820Registry(const Address& at);

    // keccak256("ERC1820_ACCEPT_MAGIC"): what canImplementInterfaceForAddress
    // answers when the implementer accepts.
    static const Bytes32& accept_magic();
    // keccak256 of an interface name, as interfaceHash(string) computes it.
    static Bytes32 interface_hash(std::string_view name);
    // True for hashes that are ERC-165 ids (last 28 bytes zero).
    static bool is_erc165_hash(const Bytes32& hash);

    // InterfaceImplementerSet(address indexed addr, bytes32 indexed interfaceHash,
    //                         address indexed implementer)
    static const state::EventDescriptor& interface_implementer_set_event();
    // ManagerChanged(address indexed addr, address indexed newManager)
    static const state::EventDescriptor& manager_changed_event();
    // Every event the contract can emit, in declaration order.
    static const std::vector<const state::EventDescriptor*>& events();

    [[nodiscard]] std::string_view type_name() const override { return "ERC1820Registry"; }
    Bytes dispatch(state::CallContext& ctx, ByteView calldata) override;
    // Snapshots: save() writes the state, load() rebuilds an instance at
    // `self` from it (see builtin.hpp, load_world).
    void save(state::SnapshotWriter& w) const override;
    static std::unique_ptr<state::Contract> load(const Address& self, state::SnapshotReader& r);

    // --- External functions; msg.sender is ctx.sender. `addr` zero means
    // msg.sender in the two interface functions.
    Address getInterfaceImplementer(state::CallContext& ctx, const Address& addr,
                                    const Bytes32& interface_hash) override;
    void setInterfaceImplementer(state::CallContext& ctx, const Address& addr,
                                 const Bytes32& interface_hash,
                                 const Address& implementer) override;
    Address getManager(state::CallContext& ctx, const Address& addr) override;
    void setManager(state::CallContext& ctx, const Address& addr, const Address& new_manager);
    void updateERC165Cache(state::CallContext& ctx, const Address& contract,
                           const Bytes4& interface_id);
    [[nodiscard]] bool implementsERC165Interface(const state::CallContext& ctx,
                                                 const Address& contract,
                                                 const Bytes4& interface_id) const;
    [[nodiscard]] static bool implementsERC165InterfaceNoCache(const state::CallContext& ctx,
                                                               const Address& contract,
                                                               const Bytes4& interface_id);

    // --- Direct reads of the state (no call frame), for tools and tests.
    // The stored implementer of (addr, hash), without the ERC-165 path.
    [[nodiscard]] Address stored_implementer(const Address& addr, const Bytes32& hash) const;
    [[nodiscard]] Address manager_of(const Address& addr) const;

private:
    struct Key {
        Address addr;
        Bytes32 hash;
        friend bool operator==(const Key&, const Key&) = default;
    };
    struct KeyHash {
        size_t operator()(const Key& k) const noexcept;
    };
    struct CacheKey {
        Address addr;
        Bytes4 id;
        friend bool operator==(const CacheKey&, const CacheKey&) = default;
    };
    struct CacheKeyHash {
        size_t operator()(const CacheKey& k) const noexcept;
    };
    struct AddressKeyHash {
        size_t operator()(const Address& a) const noexcept;
    };

    // interfaces[addr][hash]; ERC-165 cache results live here too, under
    // the id left-aligned in a 32-byte key, as in the reference storage.
    state::FlatMap<Key, Address, KeyHash> interfaces_;
    // managers[addr]; zero means the address manages itself.
    state::FlatMap<Address, Address, AddressKeyHash> managers_;
    // erc165Cached[addr][id]
    state::FlatMap<CacheKey, bool, CacheKeyHash> erc165_cached_;
};

}  // namespace ampd::contracts
