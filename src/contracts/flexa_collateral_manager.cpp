// FlexaCollateralManager: construction, ownership, roles, permitted
// partitions, withdrawal roots, withdrawal limit and the fallback mechanism.
#include "ampd/contracts/flexa_collateral_manager.hpp"

#include <algorithm>

#include "ampd/contracts/constants.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/world.hpp"
#include "contracts/flexa_collateral_manager_internal.hpp"

namespace ampd::contracts {

using state::CallContext;
using state::LogBuilder;
using state::require;

namespace fcm {

const Events& events() {
    using state::AbiType;
    using state::make_event;
    static const Events kEvents{
        make_event("SupplyReceipt", {{"supplier", AbiType::kAddress, true},
                                     {"partition", AbiType::kBytes32, true},
                                     {"amount", AbiType::kUint256, false},
                                     {"nonce", AbiType::kUint256, true}}),
        make_event("Withdrawal", {{"supplier", AbiType::kAddress, true},
                                  {"partition", AbiType::kBytes32, true},
                                  {"amount", AbiType::kUint256, false},
                                  {"rootNonce", AbiType::kUint256, true},
                                  {"authorizedAccountNonce", AbiType::kUint256, false}}),
        make_event("FallbackWithdrawal", {{"supplier", AbiType::kAddress, true},
                                          {"partition", AbiType::kBytes32, true},
                                          {"amount", AbiType::kUint256, true}}),
        make_event("ReleaseRequest", {{"supplier", AbiType::kAddress, true},
                                      {"partition", AbiType::kBytes32, true},
                                      {"amount", AbiType::kUint256, true},
                                      {"data", AbiType::kBytes, false}}),
        make_event("SupplyRefund", {{"supplier", AbiType::kAddress, true},
                                    {"partition", AbiType::kBytes32, true},
                                    {"amount", AbiType::kUint256, false},
                                    {"nonce", AbiType::kUint256, true}}),
        make_event("DirectTransfer", {{"operator", AbiType::kAddress, false},
                                      {"from_partition", AbiType::kBytes32, true},
                                      {"to_address", AbiType::kAddress, true},
                                      {"to_partition", AbiType::kBytes32, true},
                                      {"value", AbiType::kUint256, false}}),
        make_event("PartitionAdded", {{"partition", AbiType::kBytes32, true}}),
        make_event("PartitionRemoved", {{"partition", AbiType::kBytes32, true}}),
        make_event("WithdrawalRootHashAddition",
                   {{"rootHash", AbiType::kBytes32, true}, {"nonce", AbiType::kUint256, true}}),
        make_event("WithdrawalRootHashRemoval",
                   {{"rootHash", AbiType::kBytes32, true}, {"nonce", AbiType::kUint256, true}}),
        make_event("WithdrawalLimitUpdate",
                   {{"oldValue", AbiType::kUint256, true}, {"newValue", AbiType::kUint256, true}}),
        make_event("FallbackRootHashSet", {{"rootHash", AbiType::kBytes32, true},
                                           {"maxSupplyNonceIncluded", AbiType::kUint256, true},
                                           {"setDate", AbiType::kUint256, false}}),
        make_event("FallbackMechanismDateReset", {{"newDate", AbiType::kUint256, true}}),
        make_event("FallbackWithdrawalDelayUpdate",
                   {{"oldValue", AbiType::kUint256, true}, {"newValue", AbiType::kUint256, true}}),
        make_event("WithdrawalPublisherUpdate",
                   {{"oldValue", AbiType::kAddress, true}, {"newValue", AbiType::kAddress, true}}),
        make_event("FallbackPublisherUpdate",
                   {{"oldValue", AbiType::kAddress, true}, {"newValue", AbiType::kAddress, true}}),
        make_event("WithdrawalLimitPublisherUpdate",
                   {{"oldValue", AbiType::kAddress, true}, {"newValue", AbiType::kAddress, true}}),
        make_event("DirectTransfererUpdate",
                   {{"oldValue", AbiType::kAddress, true}, {"newValue", AbiType::kAddress, true}}),
        make_event("PartitionManagerUpdate",
                   {{"oldValue", AbiType::kAddress, true}, {"newValue", AbiType::kAddress, true}}),
        make_event("OwnershipTransferAuthorization",
                   {{"authorizedAddress", AbiType::kAddress, true}}),
        make_event("OwnerUpdate",
                   {{"oldValue", AbiType::kAddress, true}, {"newValue", AbiType::kAddress, true}}),
    };
    return kEvents;
}

}  // namespace fcm

const std::vector<const state::EventDescriptor*>& FlexaCollateralManager::events() {
    static const std::vector<const state::EventDescriptor*> kList = [] {
        const fcm::Events& e = fcm::events();
        return std::vector<const state::EventDescriptor*>{
            &e.supply_receipt,
            &e.withdrawal,
            &e.fallback_withdrawal,
            &e.release_request,
            &e.supply_refund,
            &e.direct_transfer,
            &e.partition_added,
            &e.partition_removed,
            &e.withdrawal_root_hash_addition,
            &e.withdrawal_root_hash_removal,
            &e.withdrawal_limit_update,
            &e.fallback_root_hash_set,
            &e.fallback_mechanism_date_reset,
            &e.fallback_withdrawal_delay_update,
            &e.withdrawal_publisher_update,
            &e.fallback_publisher_update,
            &e.withdrawal_limit_publisher_update,
            &e.direct_transferer_update,
            &e.partition_manager_update,
            &e.ownership_transfer_authorization,
            &e.owner_update,
        };
    }();
    return kList;
}

u256 FlexaCollateralManager::initial_withdrawal_limit() {
    // 100 * 1000 * 10^18
    return u256(100000ULL) * u256(1000000000000000000ULL);
}

u256 FlexaCollateralManager::initial_fallback_set_date() {
    return u256(1) << 200;
}

// --- Construction ------------------------------------------------------------

FlexaCollateralManager::FlexaCollateralManager(const Address& self, const Address& amp,
                                               const Address& owner)
    : Contract(self),
      amp_(amp),
      owner_(owner),
      withdrawal_limit_(initial_withdrawal_limit()),
      fallback_delay_(kInitialFallbackDelaySeconds),
      fallback_set_date_(initial_fallback_set_date()) {}

std::unique_ptr<state::Contract> FlexaCollateralManager::create(CallContext& ctx,
                                                                ByteView ctor_args) {
    const abi::Decoder args(ctor_args, abi::Cleaning::kMask);
    const std::optional<Address> amp = args.address(0);
    if (!amp) state::revert_empty();

    // The object's own fields are initialised directly: if the constructor
    // reverts, the half-built object is simply dropped.
    std::unique_ptr<FlexaCollateralManager> self(
        new FlexaCollateralManager(ctx.self, *amp, ctx.sender));

    static const Bytes4 kSetImplementerSig =
        selector_of("setInterfaceImplementer(address,bytes32,address)");
    static const Bytes4 kRegisterSig = selector_of("registerCollateralManager()");
    static const Bytes32 kRecipientHash = keccak256(std::string_view("AmpTokensRecipient"));
    static const Bytes32 kSenderHash = keccak256(std::string_view("AmpTokensSender"));

    const Address& registry_addr = erc1820_registry_address();
    {
        auto& registry = ctx.world.require_contract<IERC1820Registry>(registry_addr);
        CallContext sub = ctx.call_to(registry_addr, kSetImplementerSig);
        registry.setInterfaceImplementer(sub, ctx.self, kRecipientHash, ctx.self);
    }
    {
        auto& registry = ctx.world.require_contract<IERC1820Registry>(registry_addr);
        CallContext sub = ctx.call_to(registry_addr, kSetImplementerSig);
        registry.setInterfaceImplementer(sub, ctx.self, kSenderHash, ctx.self);
    }
    {
        auto& token = ctx.world.require_contract<IAmp>(*amp);
        CallContext sub = ctx.call_to(*amp, kRegisterSig);
        token.registerCollateralManager(sub);
    }
    return self;
}

// --- Views ---------------------------------------------------------------------

bool FlexaCollateralManager::partitions(const Bytes32& partition) const {
    auto it = partitions_.find(partition);
    return it != partitions_.end() && it->second;
}

std::vector<Bytes32> FlexaCollateralManager::permitted_partitions() const {
    std::vector<Bytes32> out;
    for (const auto& [p, permitted] : partitions_) {
        if (permitted) out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
}

FlexaCollateralManager::Supply FlexaCollateralManager::nonceToSupply(const u256& nonce) const {
    if (nonce.is_zero() || !nonce.fits_u64() || nonce.w[0] > supplies_.size()) return Supply{};
    return supplies_[nonce.w[0] - 1];
}

u256 FlexaCollateralManager::withdrawalRootToNonce(const Bytes32& root) const {
    auto it = withdrawal_root_nonce_.find(root);
    return it == withdrawal_root_nonce_.end() ? u256() : it->second;
}

const FlexaCollateralManager::WithdrawalAccount* FlexaCollateralManager::account(
    const Bytes32& partition, const Address& supplier) const {
    auto it = accounts_.find(AccountKey{partition, supplier});
    return it == accounts_.end() ? nullptr : &it->second;
}

FlexaCollateralManager::WithdrawalAccount& FlexaCollateralManager::account_slot(
    CallContext& ctx, const Bytes32& partition, const Address& supplier) {
    return fcm::slot(ctx.journal(), accounts_, AccountKey{partition, supplier});
}

u256 FlexaCollateralManager::addressToWithdrawalNonce(const Bytes32& partition,
                                                      const Address& supplier) const {
    const WithdrawalAccount* acc = account(partition, supplier);
    return acc == nullptr ? u256() : acc->withdrawal_nonce;
}

u256 FlexaCollateralManager::addressToCumulativeAmountWithdrawn(const Bytes32& partition,
                                                                const Address& supplier) const {
    const WithdrawalAccount* acc = account(partition, supplier);
    return acc == nullptr ? u256() : acc->cumulative_withdrawn;
}

u256 FlexaCollateralManager::fallback_active_from() const {
    return fcm::safe_add(fallback_set_date_, fallback_delay_);
}

// --- Release requests ----------------------------------------------------------

void FlexaCollateralManager::requestRelease(CallContext& ctx, const Bytes32& partition,
                                            const u256& amount, ByteView data) {
    ctx.emit(LogBuilder(address(), fcm::events().release_request)
                 .address(ctx.sender)
                 .bytes32(partition)
                 .u256v(amount)
                 .bytes(data)
                 .build());
    // Not in the deployed contract: a withdrawal publisher that is a
    // built-in observer (the Clearinghouse) learns of the request. An
    // account without code, as in every deployed configuration, is never
    // called, so nothing else changes.
    if (auto* observer = ctx.world.contract_as<IReleaseRequestObserver>(withdrawal_publisher_)) {
        static const Bytes4 kSig = selector_of("releaseRequested(address,bytes32,uint256)");
        CallContext sub = ctx.call_to(withdrawal_publisher_, kSig);
        observer->releaseRequested(sub, ctx.sender, partition, amount);
    }
}

// --- Permitted partitions --------------------------------------------------------

void FlexaCollateralManager::addPartition(CallContext& ctx, const Bytes32& partition) {
    require(is_owner_or(ctx.sender, partition_manager_), "Invalid sender");
    require(!partitions(partition), "Partition already permitted");
    const Bytes4 prefix = prefix_of(partition);
    const uint32_t prefix_value = (uint32_t{prefix.b[0]} << 24) | (uint32_t{prefix.b[1]} << 16) |
                                  (uint32_t{prefix.b[2]} << 8) | uint32_t{prefix.b[3]};
    require(prefix_value == kPartitionPrefix, "Invalid partition prefix");
    require(address_from_word(partition) == address(), "Invalid partition owner");

    ctx.journal().set(fcm::slot(ctx.journal(), partitions_, partition), true);
    ctx.emit(LogBuilder(address(), fcm::events().partition_added).bytes32(partition).build());
}

void FlexaCollateralManager::removePartition(CallContext& ctx, const Bytes32& partition) {
    require(is_owner_or(ctx.sender, partition_manager_), "Invalid sender");
    require(partitions(partition), "Partition not permitted");

    ctx.journal().set(partitions_.find(partition)->second, false);
    ctx.emit(LogBuilder(address(), fcm::events().partition_removed).bytes32(partition).build());
}

// --- Withdrawal limit and roots ----------------------------------------------------

void FlexaCollateralManager::modifyWithdrawalLimit(CallContext& ctx, const u256& amount) {
    require(is_owner_or(ctx.sender, withdrawal_limit_publisher_), "Invalid sender");
    const u256 old_limit = withdrawal_limit_;
    u256 new_limit;
    if (is_negative_i256(amount)) {
        // uint256(-amount); the negation wraps for the minimum int256.
        new_limit = fcm::safe_sub(withdrawal_limit_, u256() - amount);
    } else {
        new_limit = fcm::safe_add(withdrawal_limit_, amount);
    }
    ctx.journal().set(withdrawal_limit_, new_limit);
    ctx.emit(LogBuilder(address(), fcm::events().withdrawal_limit_update)
                 .u256v(old_limit)
                 .u256v(withdrawal_limit_)
                 .build());
}

void FlexaCollateralManager::addWithdrawalRoot(CallContext& ctx, const Bytes32& root,
                                               const u256& nonce,
                                               const std::vector<Bytes32>& replaced_roots) {
    require(is_owner_or(ctx.sender, withdrawal_publisher_), "Invalid sender");
    require(!root.is_zero(), "Invalid root");
    require(max_withdrawal_root_nonce_ + u256(1) == nonce, "Nonce not current max plus one");
    require(withdrawalRootToNonce(root).is_zero(), "Nonce already used");

    ctx.journal().set(fcm::slot(ctx.journal(), withdrawal_root_nonce_, root), nonce);
    ctx.journal().set(max_withdrawal_root_nonce_, nonce);
    ctx.emit(LogBuilder(address(), fcm::events().withdrawal_root_hash_addition)
                 .bytes32(root)
                 .u256v(nonce)
                 .build());

    for (const Bytes32& r : replaced_roots) delete_withdrawal_root(ctx, r);
}

void FlexaCollateralManager::removeWithdrawalRoots(CallContext& ctx,
                                                   const std::vector<Bytes32>& roots) {
    require(is_owner_or(ctx.sender, withdrawal_publisher_), "Invalid sender");
    for (const Bytes32& r : roots) delete_withdrawal_root(ctx, r);
}

void FlexaCollateralManager::delete_withdrawal_root(CallContext& ctx, const Bytes32& root) {
    auto it = withdrawal_root_nonce_.find(root);
    const u256 nonce = it == withdrawal_root_nonce_.end() ? u256() : it->second;
    require(!nonce.is_zero(), "Root not found");

    ctx.journal().set(it->second, u256());
    ctx.emit(LogBuilder(address(), fcm::events().withdrawal_root_hash_removal)
                 .bytes32(root)
                 .u256v(nonce)
                 .build());
}

// --- Fallback mechanism --------------------------------------------------------------

void FlexaCollateralManager::setFallbackRoot(CallContext& ctx, const Bytes32& root,
                                             const u256& max_supply_nonce) {
    require(is_owner_or(ctx.sender, fallback_publisher_), "Invalid sender");
    require(!root.is_zero(), "Invalid root");
    const u256 now(ctx.block.timestamp);
    require(fallback_active_from() > now, "Fallback is active");
    require(max_supply_nonce >= fallback_max_included_supply_nonce_,
            "Included supply nonce decreased");
    require(max_supply_nonce <= supply_nonce_, "Included supply nonce exceeds latest supply");

    ctx.journal().set(fallback_root_, root);
    ctx.journal().set(fallback_max_included_supply_nonce_, max_supply_nonce);
    ctx.journal().set(fallback_set_date_, now);
    ctx.emit(LogBuilder(address(), fcm::events().fallback_root_hash_set)
                 .bytes32(root)
                 .u256v(fallback_max_included_supply_nonce_)
                 .u256v(now)
                 .build());
}

void FlexaCollateralManager::resetFallbackMechanismDate(CallContext& ctx) {
    require(is_owner_or(ctx.sender, fallback_publisher_), "Invalid sender");
    ctx.journal().set(fallback_set_date_, u256(ctx.block.timestamp));
    ctx.emit(LogBuilder(address(), fcm::events().fallback_mechanism_date_reset)
                 .u256v(fallback_set_date_)
                 .build());
}

void FlexaCollateralManager::setFallbackWithdrawalDelay(CallContext& ctx, const u256& seconds) {
    require(ctx.sender == owner_, "Invalid sender");
    require(!seconds.is_zero(), "Invalid zero delay seconds");
    require(seconds < u256(kMaxFallbackDelaySeconds), "Invalid delay over 10 years");

    const u256 old_delay = fallback_delay_;
    ctx.journal().set(fallback_delay_, seconds);
    ctx.emit(LogBuilder(address(), fcm::events().fallback_withdrawal_delay_update)
                 .u256v(old_delay)
                 .u256v(seconds)
                 .build());
}

// --- Roles and ownership ---------------------------------------------------------------

void FlexaCollateralManager::set_role(CallContext& ctx, Address& role, const Address& value,
                                      const state::EventDescriptor& event) {
    require(ctx.sender == owner_, "Invalid sender");
    const Address old_value = role;
    ctx.journal().set(role, value);
    ctx.emit(LogBuilder(address(), event).address(old_value).address(role).build());
}

void FlexaCollateralManager::setWithdrawalPublisher(CallContext& ctx, const Address& a) {
    set_role(ctx, withdrawal_publisher_, a, fcm::events().withdrawal_publisher_update);
}

void FlexaCollateralManager::setFallbackPublisher(CallContext& ctx, const Address& a) {
    set_role(ctx, fallback_publisher_, a, fcm::events().fallback_publisher_update);
}

void FlexaCollateralManager::setWithdrawalLimitPublisher(CallContext& ctx, const Address& a) {
    set_role(ctx, withdrawal_limit_publisher_, a, fcm::events().withdrawal_limit_publisher_update);
}

void FlexaCollateralManager::setDirectTransferer(CallContext& ctx, const Address& a) {
    set_role(ctx, direct_transferer_, a, fcm::events().direct_transferer_update);
}

void FlexaCollateralManager::setPartitionManager(CallContext& ctx, const Address& a) {
    set_role(ctx, partition_manager_, a, fcm::events().partition_manager_update);
}

void FlexaCollateralManager::authorizeOwnershipTransfer(CallContext& ctx, const Address& a) {
    require(ctx.sender == owner_, "Invalid sender");
    ctx.journal().set(authorized_new_owner_, a);
    ctx.emit(LogBuilder(address(), fcm::events().ownership_transfer_authorization)
                 .address(authorized_new_owner_)
                 .build());
}

void FlexaCollateralManager::assumeOwnership(CallContext& ctx) {
    require(ctx.sender == authorized_new_owner_, "Invalid sender");
    const Address old_owner = owner_;
    ctx.journal().set(owner_, authorized_new_owner_);
    ctx.journal().set(authorized_new_owner_, Address{});
    ctx.emit(LogBuilder(address(), fcm::events().owner_update)
                 .address(old_owner)
                 .address(owner_)
                 .build());
}

}  // namespace ampd::contracts
