// The Clearinghouse: guarantees over FlexaCollateralManager pools, and the
// supplier accounting behind them (docs/CLEARINGHOUSE_DESIGN.md; the client
// interface is /work/shared/CLEARINGHOUSE.md).
//
// A pool is a (manager, collateral partition) pair registered by the
// manager's owner. Assurers (payment operators) open guarantees that lock
// part of the pool; a guarantee is settled (unlocked), claimed (unlocked and
// paid to its beneficiary out of the pool through the manager's direct
// transfer path, a loss for the pool's suppliers) or, under expiry policy
// 1, released once expired.
//
// Suppliers hold shares of a pool. Their supplies are read from the
// manager's receipts, losses lower the value of every share at once (pro
// rata to the stakes at the moment of the loss), and the Clearinghouse, as
// the manager's withdrawal and fallback publisher, turns release requests
// into the manager's Merkle withdrawal roots and publishes fallback roots.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ampd/contracts/amp.hpp"
#include "ampd/contracts/interfaces.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"
#include "ampd/state/contract.hpp"
#include "ampd/state/flat_map.hpp"
#include "ampd/state/log.hpp"

namespace ampd::state {
class World;
}

namespace ampd::contracts {

class FlexaCollateralManager;

namespace clearinghouse_detail {

class MerkleTree;

// (manager, partition): a pool.
struct PoolKey {
    Address manager;
    Bytes32 partition;
    // Word-wise (the defaulted comparison calls memcmp).
    friend bool operator==(const PoolKey& a, const PoolKey& b) {
        return amp_detail::same(a.manager, b.manager) && amp_detail::same(a.partition, b.partition);
    }
};
struct PoolKeyHash {
    size_t operator()(const PoolKey& k) const noexcept {
        return amp_detail::mix(amp_detail::address_bits(k.manager) * 0x94D049BB133111EBULL ^
                               amp_detail::bytes32_bits(k.partition));
    }
};

// (pool index, account): assurers and supplier accounts.
struct MemberKey {
    uint32_t pool = 0;
    Address account;
    friend bool operator==(const MemberKey& a, const MemberKey& b) {
        return a.pool == b.pool && amp_detail::same(a.account, b.account);
    }
};

// A guarantee id as a table key: compared a word at a time.
struct IdKey {
    uint64_t w[4] = {0, 0, 0, 0};
    static IdKey of(const Bytes32& id) {
        IdKey k;
        std::memcpy(k.w, id.data(), 32);
        return k;
    }
    [[nodiscard]] Bytes32 id() const {
        Bytes32 b;
        std::memcpy(b.data(), w, 32);
        return b;
    }
    friend bool operator==(const IdKey& a, const IdKey& b) {
        return ((a.w[0] ^ b.w[0]) | (a.w[1] ^ b.w[1]) | (a.w[2] ^ b.w[2]) | (a.w[3] ^ b.w[3])) == 0;
    }
};
struct IdKeyHash {
    size_t operator()(const IdKey& k) const noexcept {
        return amp_detail::mix((k.w[0] * 0xC2B2AE3D27D4EB4FULL) ^ k.w[1] ^
                               (k.w[2] * 0x165667B19E3779F9ULL) ^ k.w[3]);
    }
};
struct MemberKeyHash {
    size_t operator()(const MemberKey& k) const noexcept {
        return amp_detail::mix(amp_detail::address_bits(k.account) ^
                               (uint64_t{k.pool} * 0xD6E8FEB86659FD93ULL));
    }
};

// One guarantee. A record equal to Guarantee{} is an id never used.
struct Guarantee {
    u256 amount;
    Bytes32 payment_ref;
    Address beneficiary;
    uint8_t state = 0;  // Clearinghouse::State
    uint32_t pool = 0;  // index into the pool list
    uint64_t opened_at = 0;
    uint64_t expires_at = 0;
    friend bool operator==(const Guarantee&, const Guarantee&) = default;
};

// A supplier's position in one pool. Shares are worth
// shares * total_stake / total_shares of the pool's stake while `epoch`
// is the pool's; `reserved` is authorized in the current withdrawal root
// and no longer exposed to losses.
struct Account {
    u256 shares;
    u256 reserved;
    u256 withdrawn_seen;  // the manager's cumulative withdrawn, last accounted
    u256 requested;       // the latest release request, less what was withdrawn since
    uint32_t epoch = 0;
    friend bool operator==(const Account&, const Account&) = default;
};

// A supply still refundable when it was counted (its nonce above the
// manager's fallbackMaxIncludedSupplyNonce): watched until it no longer can
// be, so that a refund is taken out of the supplier's stake.
struct RefundWatch {
    uint64_t nonce = 0;
    Address supplier;
    u256 amount;  // zero once the refund has been accounted
};

struct Pool {
    Address manager;
    Bytes32 partition;
    uint8_t expiry_policy = 0;
    u256 locked;
    uint64_t open_count = 0;
    u256 total_losses;
    u256 total_stake;   // Σ stakes exposed to losses (excludes `reserved`)
    u256 total_shares;  // Σ shares of the current epoch
    u256 reserved;      // Σ account reservations
    uint32_t epoch = 0;
    uint64_t supply_cursor = 0;  // the manager's supplies counted so far (a nonce)
    std::vector<RefundWatch> refund_watch;
    uint64_t refund_head = 0;  // entries before it are settled
    // Cache, not state: the manager, found on first use.
    mutable FlexaCollateralManager* fcm = nullptr;
};

// Per manager: the trees last published (null when none).
struct ManagerTrees {
    std::unique_ptr<const MerkleTree> withdrawal;
    std::unique_ptr<const MerkleTree> fallback;
};

}  // namespace clearinghouse_detail

class Clearinghouse final : public state::Contract, public IReleaseRequestObserver {
public:
    enum class State : uint8_t { kNone = 0, kOpen = 1, kSettled = 2, kClaimed = 3, kReleased = 4 };
    // After expiry: 0 the beneficiary may claim; 1 anyone may release the lock.
    static constexpr uint8_t kPolicyBeneficiaryClaims = 0;
    static constexpr uint8_t kPolicyAnyoneReleases = 1;

    struct GuaranteeInfo {
        State state = State::kNone;
        Address manager;
        Bytes32 partition;
        u256 amount;
        Address beneficiary;
        uint64_t opened_at = 0;
        uint64_t expires_at = 0;
        Bytes32 payment_ref;
    };
    struct PoolInfo {
        bool registered = false;
        uint8_t expiry_policy = 0;
        u256 balance;  // Amp balanceOfByPartition(partition, manager)
        u256 locked;
        u256 available;  // what openGuarantee accepts at `now` (zero once the fallback is active)
        u256 open_count;
        u256 total_losses;
    };
    struct StakeInfo {
        u256 stake;         // supplied − refunded − withdrawn − allocated losses
        u256 withdrawable;  // stake less its pro-rata share of what is locked now
    };
    struct ReleaseInfo {
        u256 requested;   // pending release request
        u256 authorized;  // value of the supplier's leaf in the current withdrawal root
    };
    struct OpenRequest {
        Bytes32 id;
        u256 amount;
        Address beneficiary;
        uint64_t expires_at = 0;
        Bytes32 payment_ref;
    };
    struct PublishedRoot {
        Bytes32 root;  // zero when nothing is authorized
        u256 nonce;    // the manager's withdrawal root nonce (zero with no root)
        uint64_t leaves = 0;
    };
    // What a supplier needs to withdraw with Amp's transferByPartition(
    // partition, manager, supplier, value, FLAG‖0x00…00, operator_data).
    struct WithdrawalProof {
        Bytes32 root;
        u256 root_nonce;
        u256 value;
        u256 max_authorized_account_nonce;
        std::vector<Bytes32> proof;
        Bytes operator_data;
    };
    struct FallbackProof {
        Bytes32 root;
        u256 max_cumulative_withdrawal_amount;
        std::vector<Bytes32> proof;
        Bytes operator_data;
    };

    // Runs `constructor(address amp)` in frame `ctx` (ctx.self = the new
    // address); `amp` must be the Amp contract.
    static std::unique_ptr<state::Contract> create(state::CallContext& ctx, ByteView ctor_args);
    ~Clearinghouse() override;

    // Every event the contract can emit, in declaration order.
    static const std::vector<const state::EventDescriptor*>& events();

    [[nodiscard]] std::string_view type_name() const override { return "Clearinghouse"; }
    Bytes dispatch(state::CallContext& ctx, ByteView calldata) override;
    void save(state::SnapshotWriter& w) const override;
    static std::unique_ptr<state::Contract> load(const Address& self, state::SnapshotReader& r);

    // --- Pools and assurers (msg.sender is ctx.sender).
    void registerPool(state::CallContext& ctx, const Address& manager, const Bytes32& partition,
                      uint8_t expiry_policy);
    void setAssurer(state::CallContext& ctx, const Address& manager, const Bytes32& partition,
                    const Address& assurer, bool allowed);
    [[nodiscard]] bool isAssurer(const Address& manager, const Bytes32& partition,
                                 const Address& account) const;
    [[nodiscard]] PoolInfo poolOf(const state::World& world, const Address& manager,
                                  const Bytes32& partition, uint64_t now) const;

    // --- Guarantees.
    void openGuarantee(state::CallContext& ctx, const Bytes32& id, const Address& manager,
                       const Bytes32& partition, const u256& amount, const Address& beneficiary,
                       uint64_t expires_at, const Bytes32& payment_ref);
    void settleGuarantee(state::CallContext& ctx, const Bytes32& id);
    void claimGuarantee(state::CallContext& ctx, const Bytes32& id);
    void releaseExpired(state::CallContext& ctx, const Bytes32& id);
    [[nodiscard]] GuaranteeInfo guaranteeOf(const Bytes32& id) const;
    // All or nothing: the first failure reverts the whole call.
    void openGuarantees(state::CallContext& ctx, const Address& manager, const Bytes32& partition,
                        std::span<const OpenRequest> guarantees);
    void settleGuarantees(state::CallContext& ctx, std::span<const Bytes32> ids);

    // --- Suppliers.
    [[nodiscard]] StakeInfo stakeOf(const state::World& world, const Address& manager,
                                    const Bytes32& partition, const Address& supplier) const;
    [[nodiscard]] ReleaseInfo releaseOf(const state::World& world, const Address& manager,
                                        const Bytes32& partition, const Address& supplier) const;
    PublishedRoot publishWithdrawalRoot(state::CallContext& ctx, const Address& manager);
    Bytes32 publishFallbackRoot(state::CallContext& ctx, const Address& manager);
    // IReleaseRequestObserver: the manager's requestRelease.
    void releaseRequested(state::CallContext& ctx, const Address& supplier,
                          const Bytes32& partition, const u256& amount) override;

    // --- For the node (amp_getWithdrawalProof / amp_getFallbackProof):
    // the supplier's leaf in the manager's current published tree, or
    // nullopt when the tree has none for it. O(log leaves), no hashing of
    // the tree.
    [[nodiscard]] std::optional<WithdrawalProof> withdrawal_proof(const Address& manager,
                                                                  const Bytes32& partition,
                                                                  const Address& supplier) const;
    [[nodiscard]] std::optional<FallbackProof> fallback_proof(const Address& manager,
                                                              const Bytes32& partition,
                                                              const Address& supplier) const;
    // Every registered pool, sorted by (manager, partition).
    [[nodiscard]] std::vector<clearinghouse_detail::PoolKey> pools() const;
    [[nodiscard]] const Address& amp() const { return amp_; }
    // Performance helpers: room for `n` guarantees without growing the
    // table; fetching the record of `id` ahead of use (a node executing a
    // block knows the ids of the next transactions).
    void reserve_guarantees(size_t n) { guarantees_.reserve(n); }
    void prefetch_guarantee(const Bytes32& id) const {
        guarantees_.prefetch(clearinghouse_detail::IdKey::of(id));
    }

private:
    using Pool = clearinghouse_detail::Pool;
    using Account = clearinghouse_detail::Account;
    using Guarantee = clearinghouse_detail::Guarantee;
    using MemberKey = clearinghouse_detail::MemberKey;
    using MerkleTree = clearinghouse_detail::MerkleTree;
    using AccountMap = state::FlatMap<MemberKey, Account, clearinghouse_detail::MemberKeyHash>;

    // The figures of a pool that the share arithmetic changes; a working
    // copy, written back through the journal (or dropped, in views).
    struct Shares {
        u256 total_stake;
        u256 total_shares;
        u256 reserved;
        uint32_t epoch = 0;
    };

    Clearinghouse(const Address& self, const Address& amp);

    // --- Lookup and roles.
    // The pool's index + 1 (as pool_ids_ holds it), or nullptr.
    [[nodiscard]] const uint32_t* pool_index(const Address& manager,
                                             const Bytes32& partition) const;
    uint32_t require_pool(const Address& manager, const Bytes32& partition) const;
    [[nodiscard]] bool is_assurer(uint32_t pool, const Address& account) const;
    [[nodiscard]] bool assures_any(const Address& manager, const Address& account) const;
    FlexaCollateralManager& manager_of(const state::World& world, const Pool& pool) const;
    static FlexaCollateralManager& require_manager(const state::World& world,
                                                   const Address& manager);
    const Amp& amp_contract(const state::World& world) const;
    [[nodiscard]] std::vector<uint32_t> pools_of(const Address& manager) const;

    // --- Guarantees (shared by the single and batch forms).
    void open_one(state::CallContext& ctx, uint32_t pool, const Bytes32& id, const u256& amount,
                  const Address& beneficiary, uint64_t expires_at, const Bytes32& payment_ref);
    void settle_one(state::CallContext& ctx, const Bytes32& id);
    Guarantee& open_guarantee_for(const clearinghouse_detail::IdKey& id);
    void unlock(state::CallContext& ctx, Pool& pool, const u256& amount);
    void set_state(state::CallContext& ctx, const clearinghouse_detail::IdKey& id, Guarantee& g,
                   State s);
    void pay_claim(state::CallContext& ctx, const Pool& pool, const Guarantee& g);

    // --- Stakes (clearinghouse_stakes.cpp).
    [[nodiscard]] static Shares shares_of(const Pool& pool);
    void write_shares(state::CallContext& ctx, Pool& pool, const Shares& s);
    [[nodiscard]] Account account(uint32_t pool, const Address& supplier) const;
    void write_account(state::CallContext& ctx, uint32_t pool, const Address& supplier,
                       const Account& updated);
    // Counts the manager's supplies since the pool's cursor (and watches the
    // refundable ones).
    void sync_supplies(state::CallContext& ctx, uint32_t pool);
    // Takes refunds of watched supplies out of their suppliers' stakes.
    void sync_refunds(state::CallContext& ctx, uint32_t pool);
    // Accounts the manager's withdrawals for the supplier since last seen.
    static void settle_withdrawals(Shares& s, Account& a, const u256& cumulative_withdrawn);
    static void mint(Shares& s, Account& a, const u256& amount);
    static void outflow(Shares& s, Account& a, const u256& amount);
    static void reserve(Shares& s, Account& a, const u256& target);
    static void normalize(const Shares& s, Account& a);
    static void check_price(Shares& s);
    [[nodiscard]] static u256 stake_value(const Shares& s, const Account& a);
    [[nodiscard]] static u256 exposed_withdrawable(const Shares& s, const Account& a,
                                                   const u256& locked);
    // The pool's figures and the supplier's account as a sync now would
    // leave them (views).
    void preview(const state::World& world, uint32_t pool, const Address& supplier, Shares& s,
                 Account& a) const;
    [[nodiscard]] u256 preview_total_stake(const state::World& world, uint32_t pool) const;
    // Suppliers with an account in `pool`, sorted.
    [[nodiscard]] std::vector<Address> suppliers_of(uint32_t pool) const;
    // Brings every account of `pool` up to date with the manager; with
    // `adjust_reservations`, also re-reserves each to its request. Returns
    // the pool's suppliers, sorted.
    std::vector<Address> sync_accounts(state::CallContext& ctx, uint32_t pool,
                                       bool adjust_reservations);

    // --- Roots (clearinghouse_roots.cpp).
    void require_publisher(const state::CallContext& ctx, const Address& manager) const;
    // Housekeeping at the start of a transaction: drops retired trees and
    // the settled prefix of the pools' refund watch lists.
    void maintain(const state::CallContext& ctx, const std::vector<uint32_t>& pools);
    void replace_tree(state::CallContext& ctx, const Address& manager, bool fallback,
                      std::unique_ptr<const MerkleTree> tree);
    [[nodiscard]] const MerkleTree* tree_of(const Address& manager, bool fallback) const;

    // --- Snapshots (clearinghouse_snapshot.cpp).
    void check_loaded(state::SnapshotReader& r) const;

    Address amp_;
    // Registered pools; a deque so that references to a pool (and undo
    // records pointing into one) stay valid as pools are added.
    std::deque<Pool> pools_;
    state::FlatMap<clearinghouse_detail::PoolKey, uint32_t, clearinghouse_detail::PoolKeyHash>
        pool_ids_;  // index + 1
    state::FlatMap<MemberKey, bool, clearinghouse_detail::MemberKeyHash> assurers_;
    AccountMap accounts_;
    state::FlatMap<clearinghouse_detail::IdKey, Guarantee, clearinghouse_detail::IdKeyHash>
        guarantees_;
    // Ordered by manager address, as snapshots write it.
    std::map<Address, clearinghouse_detail::ManagerTrees> trees_;
    // Trees replaced in a transaction that may still roll back; dropped once
    // no undo record can refer to them.
    std::vector<std::unique_ptr<const MerkleTree>> retired_;

    // Cache, not state.
    mutable const Amp* amp_contract_ = nullptr;
};

}  // namespace ampd::contracts
