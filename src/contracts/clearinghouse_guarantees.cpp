// Clearinghouse: opening, settling, claiming and releasing guarantees.
//
// The hot path (open + settle) touches three open-addressing tables (pool
// ids, assurers, guarantees), the pool record, Amp's balance record of the
// pool and two of the manager's fields; it writes two or three journal
// records and one event.
#include <utility>

#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/contracts/clearinghouse_math.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/world.hpp"
#include "contracts/clearinghouse_internal.hpp"

namespace ampd::contracts {

using state::CallContext;
using state::LogBuilder;
using state::require;
namespace reason = clearinghouse_detail::reason;
namespace math = clearinghouse_math;

namespace {

// Solidity's block.timestamp >= expiresAt: a guarantee is expired from its
// expiry second on.
bool expired(const CallContext& ctx, const clearinghouse_detail::Guarantee& g) {
    return ctx.block.timestamp >= g.expires_at;
}


}  // namespace

// --- Open ------------------------------------------------------------------------------------

void Clearinghouse::openGuarantee(CallContext& ctx, const Bytes32& id, const Address& manager,
                                  const Bytes32& partition, const u256& amount,
                                  const Address& beneficiary, uint64_t expires_at,
                                  const Bytes32& payment_ref) {
    const uint32_t pool = require_pool(manager, partition);
    require(is_assurer(pool, ctx.sender), reason::kNotAssurer);
    open_one(ctx, pool, id, amount, beneficiary, expires_at, payment_ref);
}

void Clearinghouse::openGuarantees(CallContext& ctx, const Address& manager,
                                   const Bytes32& partition,
                                   std::span<const OpenRequest> guarantees) {
    const uint32_t pool = require_pool(manager, partition);
    require(is_assurer(pool, ctx.sender), reason::kNotAssurer);
    for (const OpenRequest& g : guarantees) {
        open_one(ctx, pool, g.id, g.amount, g.beneficiary, g.expires_at, g.payment_ref);
    }
}

void Clearinghouse::open_one(CallContext& ctx, uint32_t pool_id, const Bytes32& id,
                             const u256& amount, const Address& beneficiary, uint64_t expires_at,
                             const Bytes32& payment_ref) {
    // Ids are never reused: a settled, claimed or released guarantee keeps
    // its record.
    const clearinghouse_detail::IdKey key = clearinghouse_detail::IdKey::of(id);
    const Guarantee* existing = guarantees_.find(key);
    require(existing == nullptr || existing->state == 0, reason::kGuaranteeExists);
    require(!amount.is_zero(), reason::kInvalidAmount);
    require(!amp_detail::is_zero(beneficiary), reason::kInvalidBeneficiary);
    require(expires_at > ctx.block.timestamp, reason::kExpiryInPast);

    Pool& p = pools_[pool_id];
    const FlexaCollateralManager& m = manager_of(ctx.world, p);
    // Once the fallback is active, suppliers may leave through fallback
    // withdrawals and refunds at any time: the pool backs no new guarantee.
    // Before that, the last fallback root authorizes what suppliers could
    // withdraw when it was published, not counting later locks: a guarantee
    // must therefore be over (expired at the latest) by the time that root
    // can be used.
    const u256 fallback = m.fallback_active_from();
    require(fallback > u256(ctx.block.timestamp), reason::kFallbackActive);
    require(u256(expires_at) <= fallback, reason::kExpiryAfterFallback);
    if (p.supply_cursor != m.supply_records().size()) [[unlikely]]
        sync_supplies(ctx, pool_id);
    // The pool's stake bounds what may be locked; its balance too, should
    // tokens have left it outside the Clearinghouse's accounting.
    const u256 balance = amp_contract(ctx.world).balance_of_by_partition(p.partition, p.manager);
    const u256 available = math::sub_floor(math::min(p.total_stake, balance), p.locked);
    require(amount <= available, reason::kInsufficientCollateral);

    state::Journal& j = ctx.journal();
    j.set(p.locked, p.locked + amount);
    j.set(p.open_count, p.open_count + 1);
    Guarantee& g = guarantees_.get_or_insert(key);
    j.record(clearinghouse_detail::ClearSlot<clearinghouse_detail::IdKey, Guarantee,
                                             clearinghouse_detail::IdKeyHash>{&guarantees_, key});
    g.amount = amount;
    g.payment_ref = payment_ref;
    g.beneficiary = beneficiary;
    g.state = static_cast<uint8_t>(State::kOpen);
    g.pool = pool_id;
    g.opened_at = ctx.block.timestamp;
    g.expires_at = expires_at;

    ctx.emit(LogBuilder(address(), clearinghouse_detail::events().guarantee_opened)
                 .bytes32(id)
                 .address(p.manager)
                 .bytes32(p.partition)
                 .address(beneficiary)
                 .u256v(amount)
                 .u256v(u256(expires_at))
                 .bytes32(payment_ref)
                 .build());
}

// --- Settle, claim, release --------------------------------------------------------------

Clearinghouse::Guarantee& Clearinghouse::open_guarantee_for(const clearinghouse_detail::IdKey& id) {
    Guarantee* g = guarantees_.find(id);
    require(g != nullptr && g->state != 0, reason::kUnknownGuarantee);
    require(g->state == static_cast<uint8_t>(State::kOpen), reason::kNotOpen);
    return *g;
}

void Clearinghouse::set_state(CallContext& ctx, const clearinghouse_detail::IdKey& id, Guarantee& g,
                              State s) {
    using Map = decltype(guarantees_);
    ctx.journal().record(
        clearinghouse_detail::RestoreField<Map, clearinghouse_detail::IdKey, Guarantee, uint8_t>{
            &guarantees_, id, &Guarantee::state, g.state});
    g.state = static_cast<uint8_t>(s);
}

void Clearinghouse::unlock(CallContext& ctx, Pool& pool, const u256& amount) {
    state::Journal& j = ctx.journal();
    j.set(pool.locked, pool.locked - amount);
    j.set(pool.open_count, pool.open_count - 1);
}

void Clearinghouse::settleGuarantee(CallContext& ctx, const Bytes32& id) {
    settle_one(ctx, id);
}

void Clearinghouse::settleGuarantees(CallContext& ctx, std::span<const Bytes32> ids) {
    for (const Bytes32& id : ids) settle_one(ctx, id);
}

void Clearinghouse::settle_one(CallContext& ctx, const Bytes32& id) {
    const clearinghouse_detail::IdKey key = clearinghouse_detail::IdKey::of(id);
    Guarantee& g = open_guarantee_for(key);
    require(is_assurer(g.pool, ctx.sender), reason::kNotAssurer);
    set_state(ctx, key, g, State::kSettled);
    unlock(ctx, pools_[g.pool], g.amount);
    ctx.emit(LogBuilder(address(), clearinghouse_detail::events().guarantee_settled)
                 .bytes32(id)
                 .build());
}

void Clearinghouse::claimGuarantee(CallContext& ctx, const Bytes32& id) {
    const clearinghouse_detail::IdKey key = clearinghouse_detail::IdKey::of(id);
    const Guarantee g = open_guarantee_for(key);
    Pool& p = pools_[g.pool];
    if (!is_assurer(g.pool, ctx.sender)) {
        // Otherwise only the beneficiary, once expired, under policy 0.
        require(ctx.sender == g.beneficiary && p.expiry_policy == kPolicyBeneficiaryClaims,
                reason::kNotAssurer);
        require(expired(ctx, g), reason::kNotExpired);
    }
    // The checks the manager's direct transfer makes, with readable reasons.
    const FlexaCollateralManager& m = manager_of(ctx.world, p);
    require(m.directTransferer() == address() || m.owner() == address(),
            reason::kNotDirectTransferer);
    require(g.amount <= m.withdrawalLimit(), reason::kWithdrawalLimit);
    require(g.amount <= amp_contract(ctx.world).balance_of_by_partition(p.partition, p.manager),
            reason::kPoolBalanceTooLow);
    // The loss falls on the stakes as they are at this moment: count the
    // supplies made so far first.
    if (p.supply_cursor != m.supply_records().size()) sync_supplies(ctx, g.pool);

    // (sync_supplies wrote only the accounts table: the record has not moved.)
    set_state(ctx, key, *guarantees_.find(key), State::kClaimed);
    unlock(ctx, p, g.amount);
    Shares s = shares_of(p);
    s.total_stake = math::sub_floor(s.total_stake, g.amount);
    check_price(s);
    write_shares(ctx, p, s);
    ctx.journal().set(p.total_losses, p.total_losses + g.amount);

    pay_claim(ctx, p, g);

    const auto& ev = clearinghouse_detail::events();
    ctx.emit(LogBuilder(address(), ev.guarantee_claimed)
                 .bytes32(id)
                 .address(g.beneficiary)
                 .u256v(g.amount)
                 .build());
    ctx.emit(LogBuilder(address(), ev.loss_recorded)
                 .address(p.manager)
                 .bytes32(p.partition)
                 .u256v(g.amount)
                 .build());
}

void Clearinghouse::pay_claim(CallContext& ctx, const Pool& pool, const Guarantee& g) {
    // Amp.transferByPartition(pool partition, manager → beneficiary's
    // default partition) with the Clearinghouse as operator: the pool
    // partition's strategy makes any operator an operator of the manager,
    // and the manager's sender hook authorizes it as a direct transfer
    // (flag 0xdd..dd) by its direct transferer, drawing down its withdrawal
    // limit. A refusal anywhere reverts the claim with that reason.
    static const Bytes4 kSig =
        selector_of("transferByPartition(bytes32,address,address,uint256,bytes,bytes)");
    static const Bytes kToDefault = change_partition_data(Bytes32{});
    static const Bytes kDirectTransfer(32, FlexaCollateralManager::kDirectTransferFlagByte);
    auto& token = ctx.world.require_contract<IAmp>(amp_);
    CallContext sub = ctx.call_to(amp_, kSig);
    token.transferByPartition(sub, pool.partition, pool.manager, g.beneficiary, g.amount,
                              kToDefault, kDirectTransfer);
}

void Clearinghouse::releaseExpired(CallContext& ctx, const Bytes32& id) {
    const clearinghouse_detail::IdKey key = clearinghouse_detail::IdKey::of(id);
    Guarantee& g = open_guarantee_for(key);
    Pool& p = pools_[g.pool];
    require(p.expiry_policy == kPolicyAnyoneReleases, reason::kReleaseNotAllowed);
    require(expired(ctx, g), reason::kNotExpired);
    set_state(ctx, key, g, State::kReleased);
    unlock(ctx, p, g.amount);
    ctx.emit(LogBuilder(address(), clearinghouse_detail::events().guarantee_released)
                 .bytes32(id)
                 .build());
}

Clearinghouse::GuaranteeInfo Clearinghouse::guaranteeOf(const Bytes32& id) const {
    const Guarantee* g = guarantees_.find(clearinghouse_detail::IdKey::of(id));
    if (g == nullptr || g->state == 0) return GuaranteeInfo{};
    const Pool& p = pools_[g->pool];
    return GuaranteeInfo{static_cast<State>(g->state),
                         p.manager,
                         p.partition,
                         g->amount,
                         g->beneficiary,
                         g->opened_at,
                         g->expires_at,
                         g->payment_ref};
}

}  // namespace ampd::contracts
