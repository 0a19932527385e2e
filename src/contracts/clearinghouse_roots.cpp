// Clearinghouse: publishing the manager's withdrawal and fallback roots,
// and the proofs the node serves from the published trees.
#include <utility>

#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/contracts/clearinghouse_math.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/world.hpp"
#include "contracts/clearinghouse_internal.hpp"
#include "contracts/clearinghouse_tree.hpp"

namespace ampd::contracts {

using clearinghouse_detail::TreeLeaf;
using state::CallContext;
using state::LogBuilder;
using state::require;
namespace reason = clearinghouse_detail::reason;

namespace {

Bytes32 flag_word(uint8_t byte) {
    Bytes32 w;
    w.b.fill(byte);
    return w;
}

}  // namespace

void Clearinghouse::require_publisher(const CallContext& ctx, const Address& manager) const {
    const std::vector<uint32_t> pools = pools_of(manager);
    require(!pools.empty(), reason::kUnknownPool);
    const FlexaCollateralManager& m = manager_of(ctx.world, pools_[pools[0]]);
    require(ctx.sender == m.owner() || assures_any(manager, ctx.sender), reason::kNotAssurer);
}

const clearinghouse_detail::MerkleTree* Clearinghouse::tree_of(const Address& manager,
                                                               bool fallback) const {
    auto it = trees_.find(manager);
    if (it == trees_.end()) return nullptr;
    return fallback ? it->second.fallback.get() : it->second.withdrawal.get();
}

void Clearinghouse::maintain(const CallContext& ctx, const std::vector<uint32_t>& pools) {
    // Only while no undo record exists: none can refer to a retired tree or
    // to a position in a refund watch list.
    if (ctx.journal().size() != 0) return;
    retired_.clear();
    for (const uint32_t i : pools) {
        Pool& p = pools_[i];
        if (p.refund_head * 2 < p.refund_watch.size() || p.refund_head == 0) continue;
        p.refund_watch.erase(p.refund_watch.begin(),
                             p.refund_watch.begin() + static_cast<ptrdiff_t>(p.refund_head));
        p.refund_head = 0;
    }
}

void Clearinghouse::replace_tree(CallContext& ctx, const Address& manager, bool fallback,
                                 std::unique_ptr<const MerkleTree> tree) {
    // The replaced tree is kept until no undo record can bring it back
    // (maintain() drops it).
    auto [it, created] = trees_.try_emplace(manager);
    std::unique_ptr<const MerkleTree>& slot =
        fallback ? it->second.fallback : it->second.withdrawal;
    retired_.push_back(std::move(slot));
    slot = std::move(tree);
    struct Undo {
        Clearinghouse* self;
        Address manager;
        bool fallback;
        bool created;
        void operator()() const {
            auto at = self->trees_.find(manager);
            std::unique_ptr<const MerkleTree>& s =
                fallback ? at->second.fallback : at->second.withdrawal;
            s = std::move(self->retired_.back());
            self->retired_.pop_back();
            if (created) self->trees_.erase(at);
        }
    };
    ctx.journal().record(Undo{this, manager, fallback, created});
}

Clearinghouse::PublishedRoot Clearinghouse::publishWithdrawalRoot(CallContext& ctx,
                                                                  const Address& manager) {
    require_publisher(ctx, manager);
    const std::vector<uint32_t> pools = pools_of(manager);
    maintain(ctx, pools);
    FlexaCollateralManager& m = manager_of(ctx.world, pools_[pools[0]]);
    require(m.withdrawalPublisher() == address() || m.owner() == address(),
            reason::kNotWithdrawalPublisher);

    // Bring every account up to date and reserve each pending request (up
    // to what the account can withdraw) ...
    std::vector<std::vector<Address>> suppliers;
    for (const uint32_t pool : pools) suppliers.push_back(sync_accounts(ctx, pool, true));
    // ... then authorize exactly the reservations. Pools are in partition
    // order and suppliers sorted, so the leaves are sorted.
    std::vector<TreeLeaf> leaves;
    for (size_t k = 0; k < pools.size(); ++k) {
        const uint32_t pool = pools[k];
        const Pool& p = pools_[pool];
        for (const Address& supplier : suppliers[k]) {
            const Account a = account(pool, supplier);
            if (a.reserved.is_zero()) continue;
            leaves.push_back(TreeLeaf{p.partition, supplier, a.reserved,
                                      m.addressToWithdrawalNonce(p.partition, supplier)});
        }
    }

    const auto& ev = clearinghouse_detail::events();
    const MerkleTree* old = tree_of(manager, false);
    const bool old_live = old != nullptr && !m.withdrawalRootToNonce(old->root()).is_zero();
    if (leaves.empty()) {
        // Nothing to authorize: retire the previous root.
        if (old_live) {
            static const Bytes4 kRemove = selector_of("removeWithdrawalRoots(bytes32[])");
            CallContext sub = ctx.call_to(manager, kRemove);
            m.removeWithdrawalRoots(sub, {old->root()});
        }
        if (old != nullptr) replace_tree(ctx, manager, false, nullptr);
        ctx.emit(LogBuilder(address(), ev.withdrawal_root_published)
                     .address(manager)
                     .bytes32(Bytes32{})
                     .u256v(u256())
                     .u256v(u256())
                     .build());
        return PublishedRoot{};
    }

    const u256 nonce = m.maxWithdrawalRootNonce() + u256(1);
    auto tree =
        std::make_unique<const MerkleTree>(MerkleTree::Kind::kWithdrawal, std::move(leaves), nonce);
    PublishedRoot out{tree->root(), nonce, tree->leaves().size()};
    if (old_live && old->root() == tree->root() &&
        m.withdrawalRootToNonce(old->root()) == old->nonce()) {
        // The same authorizations are already live: the manager would refuse
        // the root again ("Nonce already used"), and nothing needs to change.
        out.nonce = old->nonce();
    } else {
        std::vector<Bytes32> replaced;
        if (old_live) replaced.push_back(old->root());
        static const Bytes4 kAdd = selector_of("addWithdrawalRoot(bytes32,uint256,bytes32[])");
        CallContext sub = ctx.call_to(manager, kAdd);
        m.addWithdrawalRoot(sub, out.root, nonce, replaced);
        replace_tree(ctx, manager, false, std::move(tree));
    }
    ctx.emit(LogBuilder(address(), ev.withdrawal_root_published)
                 .address(manager)
                 .bytes32(out.root)
                 .u256v(out.nonce)
                 .u256v(u256(out.leaves))
                 .build());
    return out;
}

Bytes32 Clearinghouse::publishFallbackRoot(CallContext& ctx, const Address& manager) {
    require_publisher(ctx, manager);
    const std::vector<uint32_t> pools = pools_of(manager);
    maintain(ctx, pools);
    FlexaCollateralManager& m = manager_of(ctx.world, pools_[pools[0]]);
    require(m.fallbackPublisher() == address() || m.owner() == address(),
            reason::kNotFallbackPublisher);

    std::vector<std::vector<Address>> suppliers;
    for (const uint32_t pool : pools) suppliers.push_back(sync_accounts(ctx, pool, false));
    // Each supplier may take, in all, what it has withdrawn plus what it
    // may withdraw now (its reservation included: spending it raises the
    // cumulative amount the leaf caps).
    std::vector<TreeLeaf> leaves;
    for (size_t k = 0; k < pools.size(); ++k) {
        const uint32_t pool = pools[k];
        const Pool& p = pools_[pool];
        const Shares s = shares_of(p);
        for (const Address& supplier : suppliers[k]) {
            const Account a = account(pool, supplier);
            const u256 withdrawable = a.reserved + exposed_withdrawable(s, a, p.locked);
            if (withdrawable.is_zero()) continue;
            leaves.push_back(
                TreeLeaf{p.partition, supplier, a.withdrawn_seen + withdrawable, u256()});
        }
    }
    require(!leaves.empty(), reason::kNothingToPublish);

    // Every supply is counted now: the root covers them all.
    const u256 max_supply_nonce = m.supplyNonce();
    auto tree = std::make_unique<const MerkleTree>(MerkleTree::Kind::kFallback, std::move(leaves),
                                                   max_supply_nonce);
    const Bytes32 root = tree->root();
    static const Bytes4 kSet = selector_of("setFallbackRoot(bytes32,uint256)");
    CallContext sub = ctx.call_to(manager, kSet);
    m.setFallbackRoot(sub, root, max_supply_nonce);
    replace_tree(ctx, manager, true, std::move(tree));
    ctx.emit(LogBuilder(address(), clearinghouse_detail::events().fallback_root_published)
                 .address(manager)
                 .bytes32(root)
                 .u256v(max_supply_nonce)
                 .build());
    return root;
}

// --- Proofs for the node ---------------------------------------------------------------------

std::optional<Clearinghouse::WithdrawalProof> Clearinghouse::withdrawal_proof(
    const Address& manager, const Bytes32& partition, const Address& supplier) const {
    const MerkleTree* tree = tree_of(manager, false);
    if (tree == nullptr) return std::nullopt;
    const std::optional<size_t> i = tree->find(partition, supplier);
    if (!i) return std::nullopt;
    const TreeLeaf& leaf = tree->leaves()[*i];
    WithdrawalProof out;
    out.root = tree->root();
    out.root_nonce = tree->nonce();
    out.value = leaf.value;
    out.max_authorized_account_nonce = leaf.account_nonce;
    out.proof = tree->proof(*i);
    out.operator_data = abi::Encoder()
                            .bytes32(flag_word(FlexaCollateralManager::kWithdrawalFlagByte))
                            .address(supplier)
                            .uint256(leaf.account_nonce)
                            .bytes32_array(out.proof)
                            .finish();
    return out;
}

std::optional<Clearinghouse::FallbackProof> Clearinghouse::fallback_proof(
    const Address& manager, const Bytes32& partition, const Address& supplier) const {
    const MerkleTree* tree = tree_of(manager, true);
    if (tree == nullptr) return std::nullopt;
    const std::optional<size_t> i = tree->find(partition, supplier);
    if (!i) return std::nullopt;
    const TreeLeaf& leaf = tree->leaves()[*i];
    FallbackProof out;
    out.root = tree->root();
    out.max_cumulative_withdrawal_amount = leaf.value;
    out.proof = tree->proof(*i);
    out.operator_data = abi::Encoder()
                            .bytes32(flag_word(FlexaCollateralManager::kFallbackWithdrawalFlagByte))
                            .address(supplier)
                            .uint256(leaf.value)
                            .bytes32_array(out.proof)
                            .finish();
    return out;
}

}  // namespace ampd::contracts
