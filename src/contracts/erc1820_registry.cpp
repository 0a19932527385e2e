#include "ampd/contracts/erc1820_registry.hpp"

#include <cstring>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/revert.hpp"
#include "ampd/state/world.hpp"
#include "contracts/abi_methods.hpp"

namespace ampd::contracts {

using state::CallContext;
using namespace abi_methods;  // NOLINT(google-build-using-namespace)

namespace {

// The id as the 32-byte mapping key Solidity converts a bytes4 to.
Bytes32 erc165_key(const Bytes4& id) {
    Bytes32 w;
    std::memcpy(w.data(), id.data(), 4);
    return w;
}

const Bytes4& can_implement_selector() {
    static const Bytes4 kSel = selector_of("canImplementInterfaceForAddress(bytes32,address)");
    return kSel;
}

}  // namespace

size_t Erc1820Registry::KeyHash::operator()(const Key& k) const noexcept {
    return mix64(address_bits(k.addr) ^ load64(k.hash.data() + 24) ^
                 (load64(k.hash.data()) * 0x9E3779B97F4A7C15ULL));
}

size_t Erc1820Registry::CacheKeyHash::operator()(const CacheKey& k) const noexcept {
    uint32_t id = 0;
    std::memcpy(&id, k.id.data(), 4);
    return mix64(address_bits(k.addr) ^ (uint64_t{id} * 0x9E3779B97F4A7C15ULL));
}

size_t Erc1820Registry::AddressKeyHash::operator()(const Address& a) const noexcept {
    return mix64(address_bits(a));
}

Erc1820Registry::Erc1820Registry(const Address& at) : state::Contract(at) {}

const Bytes32& Erc1820Registry::accept_magic() {
    static const Bytes32 kMagic = keccak256(std::string_view("ERC1820_ACCEPT_MAGIC"));
    return kMagic;
}

Bytes32 Erc1820Registry::interface_hash(std::string_view name) {
    return keccak256(name);
}

bool Erc1820Registry::is_erc165_hash(const Bytes32& hash) {
    uint32_t mid = 0;
    std::memcpy(&mid, hash.data() + 4, 4);
    return (uint64_t{mid} | load64(hash.data() + 8) | load64(hash.data() + 16) |
            load64(hash.data() + 24)) == 0;
}

const state::EventDescriptor& Erc1820Registry::interface_implementer_set_event() {
    static const state::EventDescriptor kEv = state::make_event(
        "InterfaceImplementerSet", {{"addr", state::AbiType::kAddress, true},
                                    {"interfaceHash", state::AbiType::kBytes32, true},
                                    {"implementer", state::AbiType::kAddress, true}});
    return kEv;
}

const state::EventDescriptor& Erc1820Registry::manager_changed_event() {
    static const state::EventDescriptor kEv = state::make_event(
        "ManagerChanged",
        {{"addr", state::AbiType::kAddress, true}, {"newManager", state::AbiType::kAddress, true}});
    return kEv;
}

const std::vector<const state::EventDescriptor*>& Erc1820Registry::events() {
    static const std::vector<const state::EventDescriptor*> kAll{&interface_implementer_set_event(),
                                                                 &manager_changed_event()};
    return kAll;
}

// --- Interface implementers

Address Erc1820Registry::getInterfaceImplementer(CallContext& ctx, const Address& addr,
                                                 const Bytes32& interface_hash) {
    const Address& a = addr.is_zero() ? ctx.sender : addr;
    if (is_erc165_hash(interface_hash)) [[unlikely]] {
        return implementsERC165Interface(ctx, a, prefix_of(interface_hash)) ? a : Address{};
    }
    const Address* impl = interfaces_.find(Key{a, interface_hash});
    return impl == nullptr ? Address{} : *impl;
}

void Erc1820Registry::setInterfaceImplementer(CallContext& ctx, const Address& addr,
                                              const Bytes32& interface_hash,
                                              const Address& implementer) {
    const Address a = addr.is_zero() ? ctx.sender : addr;
    state::require(getManager(ctx, a) == ctx.sender, "Not the manager");
    state::require(!is_erc165_hash(interface_hash), "Must not be an ERC165 hash");
    if (!implementer.is_zero() && implementer != ctx.sender) {
        // An external call: no code at `implementer`, or no such function
        // there, reverts the whole call without data.
        auto& target = ctx.world.require_contract<IERC1820Implementer>(implementer);
        CallContext sub = ctx.call_to(implementer, can_implement_selector());
        state::require(
            target.canImplementInterfaceForAddress(sub, interface_hash, a) == accept_magic(),
            "Does not implement the interface");
    }
    journaled_put(ctx.journal(), interfaces_, Key{a, interface_hash}, implementer);
    ctx.emit(state::LogBuilder(address(), interface_implementer_set_event())
                 .address(a)
                 .bytes32(interface_hash)
                 .address(implementer)
                 .build());
}

// --- Managers

Address Erc1820Registry::getManager(CallContext& /*ctx*/, const Address& addr) {
    return manager_of(addr);
}

void Erc1820Registry::setManager(CallContext& ctx, const Address& addr,
                                 const Address& new_manager) {
    state::require(manager_of(addr) == ctx.sender, "Not the manager");
    // Naming the address itself resets the entry to the default.
    journaled_put(ctx.journal(), managers_, addr, new_manager == addr ? Address{} : new_manager);
    ctx.emit(state::LogBuilder(address(), manager_changed_event())
                 .address(addr)
                 .address(new_manager)
                 .build());
}

Address Erc1820Registry::manager_of(const Address& addr) const {
    const Address m = read_or_zero(managers_, addr);
    return m.is_zero() ? addr : m;
}

Address Erc1820Registry::stored_implementer(const Address& addr, const Bytes32& hash) const {
    return read_or_zero(interfaces_, Key{addr, hash});
}

// --- ERC-165

void Erc1820Registry::updateERC165Cache(CallContext& ctx, const Address& contract,
                                        const Bytes4& interface_id) {
    const bool implements = implementsERC165InterfaceNoCache(ctx, contract, interface_id);
    journaled_put(ctx.journal(), interfaces_, Key{contract, erc165_key(interface_id)},
                  implements ? contract : Address{});
    journaled_put(ctx.journal(), erc165_cached_, CacheKey{contract, interface_id}, true);
}

bool Erc1820Registry::implementsERC165Interface(const CallContext& ctx, const Address& contract,
                                                const Bytes4& interface_id) const {
    if (!read_or_zero(erc165_cached_, CacheKey{contract, interface_id})) {
        return implementsERC165InterfaceNoCache(ctx, contract, interface_id);
    }
    // A cached entry means "implemented" when it names the contract itself;
    // for the zero address the zero entry does, as on chain.
    return read_or_zero(interfaces_, Key{contract, erc165_key(interface_id)}) == contract;
}

bool Erc1820Registry::implementsERC165InterfaceNoCache(const CallContext& /*ctx*/,
                                                       const Address& /*contract*/,
                                                       const Bytes4& /*interface_id*/) {
    // The reference probes supportsInterface(0x01ffc9a7) and
    // supportsInterface(0xffffffff) with a static call that tolerates
    // failure, and accepts only a contract answering true, then false. None
    // of the built-in contracts has supportsInterface (the probe reverts), and
    // at an address without code the probe "succeeds" with the call's input
    // words still in the output buffer, so the 0xffffffff probe reads as
    // true: every address fails the check.
    return false;
}

// --- ABI

Bytes Erc1820Registry::dispatch(CallContext& ctx, ByteView calldata) {
    using R = Erc1820Registry;
    static const SelectorTable<R> kTable{
        {"getInterfaceImplementer(address,bytes32)", 2,
         [](R& c, CallContext& ctx, const abi::Decoder& d) {
             const Address addr = arg(d.address(0));
             const Bytes32 hash = arg(d.bytes32(1));
             return ret_address(c.getInterfaceImplementer(ctx, addr, hash));
         }},
        {"setInterfaceImplementer(address,bytes32,address)", 3,
         [](R& c, CallContext& ctx, const abi::Decoder& d) {
             const Address addr = arg(d.address(0));
             const Bytes32 hash = arg(d.bytes32(1));
             const Address impl = arg(d.address(2));
             c.setInterfaceImplementer(ctx, addr, hash, impl);
             return Bytes{};
         }},
        {"setManager(address,address)", 2,
         [](R& c, CallContext& ctx, const abi::Decoder& d) {
             const Address addr = arg(d.address(0));
             const Address manager = arg(d.address(1));
             c.setManager(ctx, addr, manager);
             return Bytes{};
         }},
        {"getManager(address)", 1,
         [](R& c, CallContext& ctx, const abi::Decoder& d) {
             return ret_address(c.getManager(ctx, arg(d.address(0))));
         }},
        {"interfaceHash(string)", 1,
         [](R&, CallContext&, const abi::Decoder& d) {
             return ret_bytes32(interface_hash(arg(d.string(0))));
         }},
        {"updateERC165Cache(address,bytes4)", 2,
         [](R& c, CallContext& ctx, const abi::Decoder& d) {
             const Address contract = arg(d.address(0));
             const Bytes4 id = arg(d.bytes4(1));
             c.updateERC165Cache(ctx, contract, id);
             return Bytes{};
         }},
        {"implementsERC165Interface(address,bytes4)", 2,
         [](R& c, CallContext& ctx, const abi::Decoder& d) {
             const Address contract = arg(d.address(0));
             const Bytes4 id = arg(d.bytes4(1));
             return ret_bool(c.implementsERC165Interface(ctx, contract, id));
         }},
        {"implementsERC165InterfaceNoCache(address,bytes4)", 2,
         [](R&, CallContext& ctx, const abi::Decoder& d) {
             const Address contract = arg(d.address(0));
             const Bytes4 id = arg(d.bytes4(1));
             return ret_bool(implementsERC165InterfaceNoCache(ctx, contract, id));
         }},
    };
    return kTable.dispatch(*this, ctx, calldata);
}

}  // namespace ampd::contracts
