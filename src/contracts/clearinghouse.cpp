// Clearinghouse: construction, events, pools, assurers and the views over
// them.
#include "ampd/contracts/clearinghouse.hpp"

#include <algorithm>

#include "ampd/contracts/clearinghouse_math.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/state/world.hpp"
#include "contracts/abi_methods.hpp"
#include "contracts/clearinghouse_internal.hpp"
#include "contracts/clearinghouse_tree.hpp"

namespace ampd::contracts {

using clearinghouse_detail::PoolKey;
using state::CallContext;
using state::LogBuilder;
using state::require;
namespace reason = clearinghouse_detail::reason;

namespace clearinghouse_detail {

const Events& events() {
    using state::AbiType;
    using state::make_event;
    static const Events kEvents{
        make_event("PoolRegistered", {{"manager", AbiType::kAddress, true},
                                      {"partition", AbiType::kBytes32, true},
                                      {"expiryPolicy", AbiType::kUint8, false}}),
        make_event("AssurerSet", {{"manager", AbiType::kAddress, true},
                                  {"partition", AbiType::kBytes32, true},
                                  {"assurer", AbiType::kAddress, true},
                                  {"allowed", AbiType::kBool, false}}),
        make_event("GuaranteeOpened", {{"id", AbiType::kBytes32, true},
                                       {"manager", AbiType::kAddress, true},
                                       {"partition", AbiType::kBytes32, true},
                                       {"beneficiary", AbiType::kAddress, false},
                                       {"amount", AbiType::kUint256, false},
                                       {"expiresAt", AbiType::kUint64, false},
                                       {"paymentRef", AbiType::kBytes32, false}}),
        make_event("GuaranteeSettled", {{"id", AbiType::kBytes32, true}}),
        make_event("GuaranteeClaimed", {{"id", AbiType::kBytes32, true},
                                        {"beneficiary", AbiType::kAddress, true},
                                        {"amount", AbiType::kUint256, false}}),
        make_event("GuaranteeReleased", {{"id", AbiType::kBytes32, true}}),
        make_event("LossRecorded", {{"manager", AbiType::kAddress, true},
                                    {"partition", AbiType::kBytes32, true},
                                    {"amount", AbiType::kUint256, false}}),
        make_event("WithdrawalRootPublished", {{"manager", AbiType::kAddress, true},
                                               {"root", AbiType::kBytes32, false},
                                               {"nonce", AbiType::kUint256, false},
                                               {"leaves", AbiType::kUint256, false}}),
        make_event("FallbackRootPublished", {{"manager", AbiType::kAddress, true},
                                             {"root", AbiType::kBytes32, false},
                                             {"maxSupplyNonce", AbiType::kUint256, false}}),
    };
    return kEvents;
}

}  // namespace clearinghouse_detail

const std::vector<const state::EventDescriptor*>& Clearinghouse::events() {
    static const std::vector<const state::EventDescriptor*> kList = [] {
        const clearinghouse_detail::Events& e = clearinghouse_detail::events();
        return std::vector<const state::EventDescriptor*>{
            &e.pool_registered,         &e.assurer_set,
            &e.guarantee_opened,        &e.guarantee_settled,
            &e.guarantee_claimed,       &e.guarantee_released,
            &e.loss_recorded,           &e.withdrawal_root_published,
            &e.fallback_root_published,
        };
    }();
    return kList;
}

// --- Construction -------------------------------------------------------------------

Clearinghouse::Clearinghouse(const Address& self, const Address& amp) : Contract(self), amp_(amp) {}

Clearinghouse::~Clearinghouse() = default;

std::unique_ptr<state::Contract> Clearinghouse::create(CallContext& ctx, ByteView ctor_args) {
    const std::optional<Address> amp = abi::Decoder(ctor_args, abi::Cleaning::kMask).address(0);
    // The pools' balances are read from Amp itself: it must be there.
    if (!amp || ctx.world.contract_as<Amp>(*amp) == nullptr) state::revert_empty();
    return std::unique_ptr<state::Contract>(new Clearinghouse(ctx.self, *amp));
}

// --- Lookup and roles ------------------------------------------------------------------

const uint32_t* Clearinghouse::pool_index(const Address& manager, const Bytes32& partition) const {
    const uint32_t* v = pool_ids_.find(PoolKey{manager, partition});
    return v == nullptr || *v == 0 ? nullptr : v;
}

uint32_t Clearinghouse::require_pool(const Address& manager, const Bytes32& partition) const {
    const uint32_t* v = pool_index(manager, partition);
    require(v != nullptr, reason::kUnknownPool);
    return *v - 1;
}

bool Clearinghouse::is_assurer(uint32_t pool, const Address& account) const {
    const bool* v = assurers_.find(MemberKey{pool, account});
    return v != nullptr && *v;
}

bool Clearinghouse::assures_any(const Address& manager, const Address& account) const {
    for (const uint32_t i : pools_of(manager)) {
        if (is_assurer(i, account)) return true;
    }
    return false;
}

FlexaCollateralManager& Clearinghouse::require_manager(const state::World& world,
                                                       const Address& manager) {
    auto* m = world.contract_as<FlexaCollateralManager>(manager);
    require(m != nullptr, reason::kNotManager);
    return *m;
}

FlexaCollateralManager& Clearinghouse::manager_of(const state::World& world,
                                                  const Pool& pool) const {
    if (pool.fcm == nullptr) [[unlikely]] {
        pool.fcm = world.contract_as<FlexaCollateralManager>(pool.manager);
        // Registration checked it; only a damaged snapshot gets here.
        if (pool.fcm == nullptr) state::revert_empty();
    }
    return *pool.fcm;
}

const Amp& Clearinghouse::amp_contract(const state::World& world) const {
    if (amp_contract_ == nullptr) [[unlikely]] {
        amp_contract_ = world.contract_as<Amp>(amp_);
        if (amp_contract_ == nullptr) state::revert_empty();
    }
    return *amp_contract_;
}

std::vector<uint32_t> Clearinghouse::pools_of(const Address& manager) const {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < pools_.size(); ++i) {
        if (pools_[i].manager == manager) out.push_back(i);
    }
    std::sort(out.begin(), out.end(),
              [this](uint32_t a, uint32_t b) { return pools_[a].partition < pools_[b].partition; });
    return out;
}

std::vector<PoolKey> Clearinghouse::pools() const {
    std::vector<PoolKey> out;
    out.reserve(pools_.size());
    for (const Pool& p : pools_) out.push_back(PoolKey{p.manager, p.partition});
    std::sort(out.begin(), out.end(), [](const PoolKey& a, const PoolKey& b) {
        return a.manager != b.manager ? a.manager < b.manager : a.partition < b.partition;
    });
    return out;
}

// --- Pools and assurers -------------------------------------------------------------------

void Clearinghouse::registerPool(CallContext& ctx, const Address& manager, const Bytes32& partition,
                                 uint8_t expiry_policy) {
    FlexaCollateralManager& m = require_manager(ctx.world, manager);
    require(m.amp() == amp_, reason::kNotManager);
    require(ctx.sender == m.owner(), reason::kNotOwner);
    require(m.partitions(partition), reason::kPartitionNotPermitted);
    require(expiry_policy <= kPolicyAnyoneReleases, reason::kInvalidPolicy);
    require(pool_index(manager, partition) == nullptr, reason::kPoolExists);

    const auto index = static_cast<uint32_t>(pools_.size());
    Pool& p = pools_.emplace_back();
    std::deque<Pool>* list = &pools_;
    ctx.journal().record([list] { list->pop_back(); });
    // A new record: its fields are set directly, the pop above undoes them.
    p.manager = manager;
    p.partition = partition;
    p.expiry_policy = expiry_policy;
    p.fcm = &m;
    abi_methods::journaled_put(ctx.journal(), pool_ids_, PoolKey{manager, partition}, index + 1);
    // What the manager already holds in the partition belongs to its
    // suppliers from the start: count it, net of refunds and withdrawals.
    sync_accounts(ctx, index, false);

    ctx.emit(LogBuilder(address(), clearinghouse_detail::events().pool_registered)
                 .address(manager)
                 .bytes32(partition)
                 .u256v(u256(expiry_policy))
                 .build());
}

void Clearinghouse::setAssurer(CallContext& ctx, const Address& manager, const Bytes32& partition,
                               const Address& assurer, bool allowed) {
    const uint32_t pool = require_pool(manager, partition);
    require(ctx.sender == manager_of(ctx.world, pools_[pool]).owner(), reason::kNotOwner);
    abi_methods::journaled_put(ctx.journal(), assurers_, MemberKey{pool, assurer}, allowed);
    ctx.emit(LogBuilder(address(), clearinghouse_detail::events().assurer_set)
                 .address(manager)
                 .bytes32(partition)
                 .address(assurer)
                 .boolean(allowed)
                 .build());
}

bool Clearinghouse::isAssurer(const Address& manager, const Bytes32& partition,
                              const Address& account) const {
    const uint32_t* v = pool_index(manager, partition);
    return v != nullptr && is_assurer(*v - 1, account);
}

Clearinghouse::PoolInfo Clearinghouse::poolOf(const state::World& world, const Address& manager,
                                              const Bytes32& partition, uint64_t now) const {
    const uint32_t* v = pool_index(manager, partition);
    if (v == nullptr) return PoolInfo{};
    const Pool& p = pools_[*v - 1];
    PoolInfo info;
    info.registered = true;
    info.expiry_policy = p.expiry_policy;
    info.balance = amp_contract(world).balance_of_by_partition(p.partition, p.manager);
    info.locked = p.locked;
    // As openGuarantee computes it: after counting the supplies not yet seen.
    const u256 stake = preview_total_stake(world, *v - 1);
    info.available =
        clearinghouse_math::sub_floor(clearinghouse_math::min(stake, info.balance), p.locked);
    // openGuarantee refuses everything once the manager's fallback is active.
    const FlexaCollateralManager& m = manager_of(world, p);
    if (m.fallback_active_from() <= u256(now))
        info.available = u256();
    info.open_count = u256(p.open_count);
    info.total_losses = p.total_losses;
    return info;
}

}  // namespace ampd::contracts
