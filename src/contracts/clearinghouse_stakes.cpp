// Clearinghouse: suppliers' stakes, derived from the manager's records and
// shared out as pool shares (docs/CLEARINGHOUSE_DESIGN.md, "Stakes").
//
// A pool's exposed stake T is split into S shares; an account's stake is
// shares * T / S, rounded down. A supply mints amount * S / T shares
// (rounded down) and adds the amount to T; a loss lowers T alone, which
// lowers every share's value at once: each stake loses exactly its pro-rata
// part, whatever the order of later reads. Outflows (withdrawals beyond the
// reservation, refunds) and reservations burn shares rounded up. Rounding
// therefore always favours the pool: Σ stakes <= T, and since Σ shares = S
// the shortfall is below one base unit per account.
#include <algorithm>
#include <map>
#include <type_traits>

#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/contracts/clearinghouse_math.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/state/world.hpp"
#include "contracts/clearinghouse_internal.hpp"
#include "contracts/snapshot_tables.hpp"

namespace ampd::contracts {

using state::CallContext;
namespace math = clearinghouse_math;

// --- Share arithmetic (pure) -------------------------------------------------------------------

Clearinghouse::Shares Clearinghouse::shares_of(const Pool& pool) {
    return Shares{pool.total_stake, pool.total_shares, pool.reserved, pool.epoch};
}

void Clearinghouse::normalize(const Shares& s, Account& a) {
    // Shares of an earlier epoch were wiped out with the whole stake.
    if (a.epoch != s.epoch) {
        a.shares = u256();
        a.epoch = s.epoch;
    }
}

void Clearinghouse::check_price(Shares& s) {
    if (s.total_shares.is_zero()) return;
    // Once nothing is left behind the shares, or so little that a share is
    // worth less than 2^-128 units (where minting would outgrow 256 bits),
    // the shares are wiped out: a new epoch starts, and whatever remains of
    // the stake goes to the next suppliers.
    const bool worthless = s.total_stake.is_zero() || (s.total_stake.bit_length() <= 128 &&
                                                       (s.total_stake << 128) < s.total_shares);
    if (worthless) {
        s.total_shares = u256();
        ++s.epoch;
    }
}

u256 Clearinghouse::stake_value(const Shares& s, const Account& a) {
    if (a.epoch != s.epoch || s.total_shares.is_zero()) return u256();
    return math::mul_div(a.shares, s.total_stake, s.total_shares);
}

u256 Clearinghouse::exposed_withdrawable(const Shares& s, const Account& a, const u256& locked) {
    if (a.epoch != s.epoch || s.total_shares.is_zero()) return u256();
    return math::mul_div(a.shares, math::sub_floor(s.total_stake, locked), s.total_shares);
}

void Clearinghouse::mint(Shares& s, Account& a, const u256& amount) {
    if (amount.is_zero()) return;
    u256 minted;
    if (s.total_shares.is_zero() || s.total_stake.is_zero()) {
        if (!s.total_shares.is_zero()) {
            s.total_shares = u256();
            ++s.epoch;
        }
        minted = amount;
    } else {
        minted = math::mul_div(amount, s.total_shares, s.total_stake);
    }
    normalize(s, a);
    a.shares = a.shares + minted;
    s.total_shares = s.total_shares + minted;
    s.total_stake = s.total_stake + amount;
}

void Clearinghouse::outflow(Shares& s, Account& a, const u256& amount) {
    if (amount.is_zero()) return;
    normalize(s, a);
    // Tokens that left the pool without a reservation: out of the
    // account's shares, and out of the stake whatever they were worth.
    const u256 value = stake_value(s, a);
    const u256 burned =
        amount >= value
            ? a.shares
            : math::min(a.shares, math::mul_div_up(amount, s.total_shares, s.total_stake));
    a.shares = a.shares - burned;
    s.total_shares = s.total_shares - burned;
    s.total_stake = math::sub_floor(s.total_stake, amount);
    check_price(s);
}

void Clearinghouse::reserve(Shares& s, Account& a, const u256& target) {
    if (target > a.reserved) {
        // Callers reserve at most the account's withdrawable value, which
        // its shares cover.
        const u256 more = target - a.reserved;
        normalize(s, a);
        const u256 burned =
            math::min(a.shares, math::mul_div_up(more, s.total_shares, s.total_stake));
        a.shares = a.shares - burned;
        s.total_shares = s.total_shares - burned;
        s.total_stake = math::sub_floor(s.total_stake, more);
        s.reserved = s.reserved + more;
        check_price(s);
    } else if (target < a.reserved) {
        const u256 back = a.reserved - target;
        mint(s, a, back);
        s.reserved = math::sub_floor(s.reserved, back);
    }
    a.reserved = target;
}

void Clearinghouse::settle_withdrawals(Shares& s, Account& a, const u256& cumulative_withdrawn) {
    const u256 withdrawn = math::sub_floor(cumulative_withdrawn, a.withdrawn_seen);
    a.withdrawn_seen = cumulative_withdrawn;
    if (withdrawn.is_zero()) return;
    // A withdrawal spends the reservation first (it left the stake when it
    // was reserved); the rest left the pool some other way.
    const u256 consumed = math::min(withdrawn, a.reserved);
    a.reserved = a.reserved - consumed;
    s.reserved = math::sub_floor(s.reserved, consumed);
    a.requested = math::sub_floor(a.requested, withdrawn);
    outflow(s, a, withdrawn - consumed);
}

// --- Journaled state -----------------------------------------------------------------------------

void Clearinghouse::write_shares(CallContext& ctx, Pool& pool, const Shares& s) {
    state::Journal& j = ctx.journal();
    if (pool.total_stake != s.total_stake) j.set(pool.total_stake, s.total_stake);
    if (pool.total_shares != s.total_shares) j.set(pool.total_shares, s.total_shares);
    if (pool.reserved != s.reserved) j.set(pool.reserved, s.reserved);
    if (pool.epoch != s.epoch) j.set(pool.epoch, s.epoch);
}

Clearinghouse::Account Clearinghouse::account(uint32_t pool, const Address& supplier) const {
    const Account* a = accounts_.find(MemberKey{pool, supplier});
    return a == nullptr ? Account{} : *a;
}

void Clearinghouse::write_account(CallContext& ctx, uint32_t pool, const Address& supplier,
                                  const Account& u) {
    const MemberKey key{pool, supplier};
    Account* rec = accounts_.find(key);
    if (rec == nullptr) {
        if (u == Account{}) return;  // an absent record reads as zero already
        rec = &accounts_.get_or_insert(key);
    }
    // Field by field, each change undone by key (one record would not fit
    // a journal entry).
    state::Journal& j = ctx.journal();
    auto put = [&](auto Account::*field) {
        using F = std::remove_reference_t<decltype(rec->*field)>;
        if (rec->*field == u.*field) return;
        j.record(clearinghouse_detail::RestoreField<AccountMap, MemberKey, Account, F>{
            &accounts_, key, field, rec->*field});
        rec->*field = u.*field;
    };
    put(&Account::shares);
    put(&Account::reserved);
    put(&Account::withdrawn_seen);
    put(&Account::requested);
    put(&Account::epoch);
}

std::vector<Address> Clearinghouse::suppliers_of(uint32_t pool) const {
    std::vector<Address> out;
    accounts_.for_each([&](const MemberKey& k, const Account& a) {
        if (k.pool == pool && !(a == Account{})) out.push_back(k.account);
    });
    // Table order depends on the table's history: sort (word-wise: the
    // defaulted comparison calls memcmp).
    std::sort(out.begin(), out.end(),
              [](const Address& a, const Address& b) { return snapshot::compare(a, b) < 0; });
    return out;
}

// --- Syncing with the manager ----------------------------------------------------------------

void Clearinghouse::sync_supplies(CallContext& ctx, uint32_t pool_id) {
    Pool& p = pools_[pool_id];
    const FlexaCollateralManager& m = manager_of(ctx.world, p);
    const std::vector<FlexaCollateralManager::Supply>& supplies = m.supply_records();
    const uint64_t end = supplies.size();
    if (p.supply_cursor >= end) return;
    const u256 fallback_max = m.fallbackMaxIncludedSupplyNonce();
    Shares s = shares_of(p);
    for (uint64_t n = p.supply_cursor + 1; n <= end; ++n) {
        const FlexaCollateralManager::Supply& supply = supplies[n - 1];
        // A refunded supply reads as zero: it never counts.
        if (supply.amount.is_zero() || supply.partition != p.partition) continue;
        Account a = account(pool_id, supply.supplier);
        mint(s, a, supply.amount);
        write_account(ctx, pool_id, supply.supplier, a);
        if (u256(n) > fallback_max) {
            ctx.journal().push(p.refund_watch, clearinghouse_detail::RefundWatch{n, supply.supplier,
                                                                                 supply.amount});
        }
    }
    write_shares(ctx, p, s);
    ctx.journal().set(p.supply_cursor, end);
}

void Clearinghouse::sync_refunds(CallContext& ctx, uint32_t pool_id) {
    Pool& p = pools_[pool_id];
    if (p.refund_head == p.refund_watch.size()) return;
    const FlexaCollateralManager& m = manager_of(ctx.world, p);
    const std::vector<FlexaCollateralManager::Supply>& supplies = m.supply_records();
    Shares s = shares_of(p);
    for (size_t i = p.refund_head; i < p.refund_watch.size(); ++i) {
        clearinghouse_detail::RefundWatch w = p.refund_watch[i];
        if (w.amount.is_zero() || !supplies[w.nonce - 1].amount.is_zero()) continue;
        Account a = account(pool_id, w.supplier);
        outflow(s, a, w.amount);
        write_account(ctx, pool_id, w.supplier, a);
        w.amount = u256();
        ctx.journal().assign(p.refund_watch, i, w);
    }
    write_shares(ctx, p, s);
    // A supply the fallback root includes can no longer be refunded.
    const u256 fallback_max = m.fallbackMaxIncludedSupplyNonce();
    uint64_t head = p.refund_head;
    while (head < p.refund_watch.size() && u256(p.refund_watch[head].nonce) <= fallback_max) {
        ++head;
    }
    if (head != p.refund_head) ctx.journal().set(p.refund_head, head);
}

std::vector<Address> Clearinghouse::sync_accounts(CallContext& ctx, uint32_t pool_id,
                                                  bool adjust_reservations) {
    sync_supplies(ctx, pool_id);
    sync_refunds(ctx, pool_id);
    Pool& p = pools_[pool_id];
    const FlexaCollateralManager& m = manager_of(ctx.world, p);
    Shares s = shares_of(p);
    std::vector<Address> suppliers = suppliers_of(pool_id);
    for (const Address& supplier : suppliers) {
        Account a = account(pool_id, supplier);
        settle_withdrawals(s, a, m.addressToCumulativeAmountWithdrawn(p.partition, supplier));
        if (adjust_reservations) {
            // Release what was asked for, up to what the stake can spare
            // while the locks stay covered.
            const u256 withdrawable = a.reserved + exposed_withdrawable(s, a, p.locked);
            reserve(s, a, math::min(a.requested, withdrawable));
        }
        write_account(ctx, pool_id, supplier, a);
    }
    write_shares(ctx, p, s);
    return suppliers;
}

void Clearinghouse::releaseRequested(CallContext& ctx, const Address& supplier,
                                     const Bytes32& partition, const u256& amount) {
    // The latest request stands (zero withdraws it); requests for pools the
    // Clearinghouse does not run are not its business.
    const uint32_t* pool = pool_index(ctx.sender, partition);
    if (pool == nullptr) return;
    clearinghouse_detail::journaled_field(ctx.journal(), accounts_, MemberKey{*pool - 1, supplier},
                                          &Account::requested, amount);
}

// --- Views
// -----------------------------------------------------------------------------------------

u256 Clearinghouse::preview_total_stake(const state::World& world, uint32_t pool_id) const {
    const Pool& p = pools_[pool_id];
    const std::vector<FlexaCollateralManager::Supply>& supplies =
        manager_of(world, p).supply_records();
    u256 total = p.total_stake;
    for (uint64_t n = p.supply_cursor + 1; n <= supplies.size(); ++n) {
        if (supplies[n - 1].partition == p.partition) total = total + supplies[n - 1].amount;
    }
    return total;
}

void Clearinghouse::preview(const state::World& world, uint32_t pool_id, const Address& supplier,
                            Shares& s, Account& out) const {
    // The same steps as a sync, on copies: every pending supply and refund
    // of the pool (they move the share price), then the supplier's
    // withdrawals.
    const Pool& p = pools_[pool_id];
    const FlexaCollateralManager& m = manager_of(world, p);
    const std::vector<FlexaCollateralManager::Supply>& supplies = m.supply_records();
    s = shares_of(p);
    std::map<Address, Account> touched;
    auto get = [&](const Address& a) -> Account& {
        auto [it, inserted] = touched.try_emplace(a);
        if (inserted) it->second = account(pool_id, a);
        return it->second;
    };
    for (uint64_t n = p.supply_cursor + 1; n <= supplies.size(); ++n) {
        const FlexaCollateralManager::Supply& supply = supplies[n - 1];
        if (supply.amount.is_zero() || supply.partition != p.partition) continue;
        mint(s, get(supply.supplier), supply.amount);
    }
    for (size_t i = p.refund_head; i < p.refund_watch.size(); ++i) {
        const clearinghouse_detail::RefundWatch& w = p.refund_watch[i];
        if (w.amount.is_zero() || !supplies[w.nonce - 1].amount.is_zero()) continue;
        outflow(s, get(w.supplier), w.amount);
    }
    Account& a = get(supplier);
    settle_withdrawals(s, a, m.addressToCumulativeAmountWithdrawn(p.partition, supplier));
    out = a;
}

Clearinghouse::StakeInfo Clearinghouse::stakeOf(const state::World& world, const Address& manager,
                                                const Bytes32& partition,
                                                const Address& supplier) const {
    const uint32_t* pool = pool_index(manager, partition);
    if (pool == nullptr) return StakeInfo{};
    Shares s;
    Account a;
    preview(world, *pool - 1, supplier, s, a);
    return StakeInfo{a.reserved + stake_value(s, a),
                     a.reserved + exposed_withdrawable(s, a, pools_[*pool - 1].locked)};
}

Clearinghouse::ReleaseInfo Clearinghouse::releaseOf(const state::World& world,
                                                    const Address& manager,
                                                    const Bytes32& partition,
                                                    const Address& supplier) const {
    const uint32_t* pool = pool_index(manager, partition);
    if (pool == nullptr) return ReleaseInfo{};
    Shares s;
    Account a;
    preview(world, *pool - 1, supplier, s, a);
    return ReleaseInfo{a.requested, a.reserved};
}

}  // namespace ampd::contracts
