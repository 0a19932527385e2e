#include "ampd/contracts/partition_validators.hpp"

#include <algorithm>
#include <cstring>

#include "ampd/contracts/constants.hpp"
#include "ampd/contracts/erc1820_registry.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/revert.hpp"
#include "ampd/state/world.hpp"
#include "contracts/abi_methods.hpp"

namespace ampd::contracts {

using state::CallContext;
using namespace abi_methods;  // NOLINT(google-build-using-namespace)

namespace {

Bytes4 prefix_from(uint32_t v) {
    Bytes4 p;
    p.b = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
           static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    return p;
}

// Selectors of the external functions the validators call.
const Bytes4& sel_is_collateral_manager() {
    static const Bytes4 kSel = selector_of("isCollateralManager(address)");
    return kSel;
}
const Bytes4& sel_is_operator_for_collateral_manager() {
    static const Bytes4 kSel =
        selector_of("isOperatorForCollateralManager(bytes32,address,address)");
    return kSel;
}
const Bytes4& sel_get_interface_implementer() {
    static const Bytes4 kSel = selector_of("getInterfaceImplementer(address,bytes32)");
    return kSel;
}
const Bytes4& sel_tokens_to_transfer() {
    static const Bytes4 kSel =
        selector_of("tokensToTransfer(bytes4,bytes32,address,address,address,uint256,bytes,bytes)");
    return kSel;
}

const Bytes32& amp_tokens_sender_hash() {
    static const Bytes32 kHash = Erc1820Registry::interface_hash("AmpTokensSender");
    return kHash;
}

}  // namespace

// --- Base

PartitionStrategyValidatorBase::PartitionStrategyValidatorBase(const Address& self,
                                                               const Bytes4& prefix,
                                                               const Address& amp)
    : state::Contract(self),
      prefix_(prefix),
      amp_(amp),
      interface_hash_(validator_interface_hash(prefix)) {}

Bytes4 PartitionStrategyValidatorBase::partition_prefix_of(const Bytes32& partition) {
    return prefix_of(partition);
}

Address PartitionStrategyValidatorBase::partition_owner_of(const Bytes32& partition) {
    return address_from_word(partition);
}

Bytes PartitionStrategyValidatorBase::validator_interface_name(const Bytes4& prefix) {
    static constexpr std::string_view kBase = "AmpPartitionStrategyValidator";
    // Sized up front: GCC 12 misreports the bounds of an insert() that grows
    // the vector (-Warray-bounds false positive at -O2).
    Bytes name(kBase.size() + prefix.b.size());
    std::copy(kBase.begin(), kBase.end(), name.begin());
    std::copy(prefix.b.begin(), prefix.b.end(),
              name.begin() + static_cast<ptrdiff_t>(kBase.size()));
    return name;
}

Bytes32 PartitionStrategyValidatorBase::validator_interface_hash(const Bytes4& prefix) {
    return keccak256(ByteView(validator_interface_name(prefix)));
}

const std::vector<const state::EventDescriptor*>& PartitionStrategyValidatorBase::events() {
    static const std::vector<const state::EventDescriptor*> kNone;
    return kNone;
}

Address PartitionStrategyValidatorBase::decode_amp_arg(ByteView ctor_args) {
    return arg(abi::Decoder(ctor_args, abi::Cleaning::kMask).address(0));
}

Bytes32 PartitionStrategyValidatorBase::canImplementInterfaceForAddress(
    CallContext& /*ctx*/, const Bytes32& interface_hash, const Address& /*addr*/) {
    return interface_hash == interface_hash_ ? Erc1820Registry::accept_magic() : Bytes32{};
}

void PartitionStrategyValidatorBase::tokensFromPartitionToValidate(CallContext& /*ctx*/,
                                                                   const TransferHookArgs& /*a*/) {}

void PartitionStrategyValidatorBase::tokensToPartitionToValidate(CallContext& /*ctx*/,
                                                                 const TransferHookArgs& /*a*/) {}

bool PartitionStrategyValidatorBase::isOperatorForPartitionScope(CallContext& /*ctx*/,
                                                                 const Bytes32& /*partition*/,
                                                                 const Address& /*operator_*/,
                                                                 const Address& /*holder*/) {
    return false;
}

bool PartitionStrategyValidatorBase::amp_is_collateral_manager(const CallContext& ctx,
                                                               const Address& manager) const {
    auto& amp = ctx.world.require_contract<IAmp>(amp_);
    CallContext sub = ctx.call_to(amp_, sel_is_collateral_manager());
    return amp.isCollateralManager(sub, manager);
}

bool PartitionStrategyValidatorBase::amp_is_operator_for_collateral_manager(
    const CallContext& ctx, const Bytes32& partition, const Address& operator_,
    const Address& manager) const {
    auto& amp = ctx.world.require_contract<IAmp>(amp_);
    CallContext sub = ctx.call_to(amp_, sel_is_operator_for_collateral_manager());
    return amp.isOperatorForCollateralManager(sub, partition, operator_, manager);
}

Bytes PartitionStrategyValidatorBase::dispatch(CallContext& ctx, ByteView calldata) {
    using V = PartitionStrategyValidatorBase;
    static const SelectorTable<V> kTable{
        {"partitionPrefix()", 0,
         [](V& c, CallContext&, const abi::Decoder&) { return ret_bytes4(c.prefix_); }},
        {"amp()", 0, [](V& c, CallContext&, const abi::Decoder&) { return ret_address(c.amp_); }},
        {"canImplementInterfaceForAddress(bytes32,address)", 2,
         [](V& c, CallContext& ctx, const abi::Decoder& d) {
             const Bytes32 hash = arg(d.bytes32(0));
             const Address addr = arg(d.address(1));
             return ret_bytes32(c.canImplementInterfaceForAddress(ctx, hash, addr));
         }},
        {"tokensFromPartitionToValidate(bytes4,bytes32,address,address,address,uint256,bytes,"
         "bytes)",
         8,
         [](V& c, CallContext& ctx, const abi::Decoder& d) {
             const DecodedHookArgs h = decode_hook_args(d);
             c.tokensFromPartitionToValidate(ctx, h.args);
             return Bytes{};
         }},
        {"tokensToPartitionToValidate(bytes4,bytes32,address,address,address,uint256,bytes,bytes)",
         8,
         [](V& c, CallContext& ctx, const abi::Decoder& d) {
             const DecodedHookArgs h = decode_hook_args(d);
             c.tokensToPartitionToValidate(ctx, h.args);
             return Bytes{};
         }},
        {"isOperatorForPartitionScope(bytes32,address,address)", 3,
         [](V& c, CallContext& ctx, const abi::Decoder& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address operator_ = arg(d.address(1));
             const Address holder = arg(d.address(2));
             return ret_bool(c.isOperatorForPartitionScope(ctx, partition, operator_, holder));
         }},
    };
    return kTable.dispatch(*this, ctx, calldata);
}

// --- CollateralPoolPartitionValidator

CollateralPoolPartitionValidator::CollateralPoolPartitionValidator(const Address& self,
                                                                   const Address& amp)
    : PartitionStrategyValidatorBase(self, prefix(), amp) {}

Bytes4 CollateralPoolPartitionValidator::prefix() {
    return prefix_from(kPrefix);
}

std::unique_ptr<state::Contract> CollateralPoolPartitionValidator::create(CallContext& ctx,
                                                                          ByteView ctor_args) {
    const Address amp = decode_amp_arg(ctor_args);
    return std::unique_ptr<state::Contract>(new CollateralPoolPartitionValidator(ctx.self, amp));
}

void CollateralPoolPartitionValidator::tokensToPartitionToValidate(CallContext& ctx,
                                                                   const TransferHookArgs& a) {
    state::require(ctx.sender == amp(), "Hook must be called by amp");
    const Address owner = partition_owner_of(a.partition);
    state::require(a.to == owner, "Transfers to this partition must be to the partitionOwner");
    state::require(amp_is_collateral_manager(ctx, owner),
                   "Partition owner is not a registered collateral manager");
}

bool CollateralPoolPartitionValidator::isOperatorForPartitionScope(CallContext& ctx,
                                                                   const Bytes32& partition,
                                                                   const Address& /*operator_*/,
                                                                   const Address& token_holder) {
    state::require(ctx.sender == amp(), "Hook must be called by amp");
    const Address owner = partition_owner_of(partition);
    if (!amp_is_collateral_manager(ctx, owner)) return false;
    return token_holder == owner;
}

// --- HolderCollateralPartitionValidator

HolderCollateralPartitionValidator::HolderCollateralPartitionValidator(const Address& self,
                                                                       const Address& amp)
    : PartitionStrategyValidatorBase(self, prefix(), amp) {}

Bytes4 HolderCollateralPartitionValidator::prefix() {
    return prefix_from(kPrefix);
}

std::unique_ptr<state::Contract> HolderCollateralPartitionValidator::create(CallContext& ctx,
                                                                            ByteView ctor_args) {
    const Address amp = decode_amp_arg(ctor_args);
    return std::unique_ptr<state::Contract>(new HolderCollateralPartitionValidator(ctx.self, amp));
}

void HolderCollateralPartitionValidator::tokensFromPartitionToValidate(CallContext& ctx,
                                                                       const TransferHookArgs& a) {
    state::require(ctx.sender == amp(), "Validator hook must be called by amp");
    const Address owner = partition_owner_of(a.partition);
    // The collateral manager (or its operator) moving the tokens needs no
    // further consent.
    if (amp_is_operator_for_collateral_manager(ctx, a.partition, a.operator_, owner)) return;

    const Address& registry_at = erc1820_registry_address();
    auto& registry = ctx.world.require_contract<IERC1820Registry>(registry_at);
    CallContext lookup = ctx.call_to(registry_at, sel_get_interface_implementer());
    const Address sender_hook =
        registry.getInterfaceImplementer(lookup, owner, amp_tokens_sender_hash());
    if (sender_hook.is_zero()) return;

    auto& hook = ctx.world.require_contract<IAmpTokensSender>(sender_hook);
    CallContext sub = ctx.call_to(sender_hook, sel_tokens_to_transfer());
    hook.tokensToTransfer(sub, a);
}

void HolderCollateralPartitionValidator::tokensToPartitionToValidate(CallContext& ctx,
                                                                     const TransferHookArgs& a) {
    state::require(ctx.sender == amp(), "Validator hook must be called by amp");
    const Address owner = partition_owner_of(a.partition);
    state::require(amp_is_collateral_manager(ctx, owner),
                   "Partition owner is not a registered collateral manager");
    // The message's spelling is the deployed contract's.
    state::require(a.to != owner,
                   "Transfers to this partitoin must not be to the partition owner address");
}

bool HolderCollateralPartitionValidator::isOperatorForPartitionScope(
    CallContext& ctx, const Bytes32& partition, const Address& operator_,
    const Address& /*token_holder*/) {
    state::require(ctx.sender == amp(), "Operator hook must be called by amp");
    const Address owner = partition_owner_of(partition);
    return owner == operator_ ||
           amp_is_operator_for_collateral_manager(ctx, partition, operator_, owner);
}

}  // namespace ampd::contracts
