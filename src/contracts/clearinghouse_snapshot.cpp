// Clearinghouse: its state in a snapshot, and back (docs/DESIGN.md,
// "Snapshots"; docs/CLEARINGHOUSE_DESIGN.md, "Persistence").
//
// Pools are written sorted by (manager, partition) and every table refers
// to a pool by its position in that order, so the bytes do not depend on
// the order in which pools were registered. Tables are sorted by key with
// zero records left out; a refund watch list is written from its first
// unsettled entry; a published tree is its root, nonce and sorted leaves
// (the levels are rebuilt on load and must reach the root). The loader
// accepts only that form and cross-checks the tables against the pools'
// totals, so an accepted snapshot saves back to the same bytes.
#include <algorithm>
#include <numeric>
#include <utility>

#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/state/snapshot_codec.hpp"
#include "contracts/clearinghouse_tree.hpp"
#include "contracts/snapshot_tables.hpp"

namespace ampd::contracts {

using clearinghouse_detail::TreeLeaf;
using state::SnapshotReader;
using state::SnapshotWriter;

namespace {

using clearinghouse_detail::IdKey;

// Ids in byte order (the order of the Bytes32 they are).
bool id_less(const IdKey& a, const IdKey& b) {
    return snapshot::compare_bytes<32>(reinterpret_cast<const uint8_t*>(a.w),
                                       reinterpret_cast<const uint8_t*>(b.w)) < 0;
}

bool pool_before(const clearinghouse_detail::Pool& a, const clearinghouse_detail::Pool& b) {
    const int c = snapshot::compare(a.manager, b.manager);
    return c != 0 ? c < 0 : snapshot::compare(a.partition, b.partition) < 0;
}

void write_tree(SnapshotWriter& w, const clearinghouse_detail::MerkleTree* tree) {
    w.boolean(tree != nullptr);
    if (tree == nullptr) return;
    w.bytes32(tree->root());
    w.uint256(tree->nonce());
    const bool withdrawal = tree->kind() == clearinghouse_detail::MerkleTree::Kind::kWithdrawal;
    snapshot::write_list(w, tree->leaves(), [withdrawal](SnapshotWriter& out, const TreeLeaf& l) {
        out.bytes32(l.partition);
        out.address(l.supplier);
        out.uint256(l.value);
        if (withdrawal) out.uint256(l.account_nonce);
    });
}

std::unique_ptr<const clearinghouse_detail::MerkleTree> read_tree(
    SnapshotReader& r, clearinghouse_detail::MerkleTree::Kind kind) {
    if (!r.boolean()) return nullptr;
    const Bytes32 root = r.bytes32();
    const u256 nonce = r.uint256();
    const bool withdrawal = kind == clearinghouse_detail::MerkleTree::Kind::kWithdrawal;
    std::vector<TreeLeaf> leaves =
        snapshot::read_list<TreeLeaf>(r, 32 + 20 + 1, [withdrawal](SnapshotReader& in) {
            TreeLeaf l;
            l.partition = in.bytes32();
            l.supplier = in.address();
            l.value = in.uint256();
            if (withdrawal) l.account_nonce = in.uint256();
            return l;
        });
    if (leaves.empty()) r.fail("published tree without leaves");
    for (size_t i = 1; i < leaves.size(); ++i) {
        if (!clearinghouse_detail::leaf_before(leaves[i - 1], leaves[i])) {
            r.fail("tree leaves not strictly ascending");
        }
    }
    auto tree =
        std::make_unique<const clearinghouse_detail::MerkleTree>(kind, std::move(leaves), nonce);
    if (tree->root() != root) r.fail("tree leaves do not reach the stored root");
    return tree;
}

}  // namespace

void Clearinghouse::save(SnapshotWriter& w) const {
    w.address(amp_);

    // Pools in (manager, partition) order; position[i] is pool i's place.
    std::vector<uint32_t> order(pools_.size());
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(),
              [this](uint32_t a, uint32_t b) { return pool_before(pools_[a], pools_[b]); });
    std::vector<uint32_t> position(pools_.size());
    for (uint32_t k = 0; k < order.size(); ++k) position[order[k]] = k;

    w.count(order.size());
    for (const uint32_t i : order) {
        const Pool& p = pools_[i];
        w.address(p.manager);
        w.bytes32(p.partition);
        w.u8(p.expiry_policy);
        w.uint256(p.locked);
        w.u64(p.open_count);
        w.uint256(p.total_losses);
        w.uint256(p.total_stake);
        w.uint256(p.total_shares);
        w.uint256(p.reserved);
        w.u32(p.epoch);
        w.u64(p.supply_cursor);
        w.count(p.refund_watch.size() - p.refund_head);
        for (size_t k = p.refund_head; k < p.refund_watch.size(); ++k) {
            const clearinghouse_detail::RefundWatch& rw = p.refund_watch[k];
            w.u64(rw.nonce);
            w.address(rw.supplier);
            w.uint256(rw.amount);
        }
    }

    auto member_less = [&position](const MemberKey& a, const MemberKey& b) {
        if (a.pool != b.pool) return position[a.pool] < position[b.pool];
        return snapshot::compare(a.account, b.account) < 0;
    };
    auto write_member = [&position](SnapshotWriter& out, const MemberKey& k) {
        out.u32(position[k.pool]);
        out.address(k.account);
    };
    snapshot::write_key_set(w, assurers_, member_less, write_member);
    snapshot::write_table(w, accounts_, member_less, snapshot::IsZero{},
                          [&](SnapshotWriter& out, const MemberKey& k, const Account& a) {
                              write_member(out, k);
                              out.uint256(a.shares);
                              out.uint256(a.reserved);
                              out.uint256(a.withdrawn_seen);
                              out.uint256(a.requested);
                              out.u32(a.epoch);
                          });
    snapshot::write_table(w, guarantees_, id_less, snapshot::IsZero{},
                          [&](SnapshotWriter& out, const IdKey& id, const Guarantee& g) {
                              out.bytes32(id.id());
                              out.uint256(g.amount);
                              out.bytes32(g.payment_ref);
                              out.address(g.beneficiary);
                              out.u8(g.state);
                              out.u32(position[g.pool]);
                              out.u64(g.opened_at);
                              out.u64(g.expires_at);
                          });

    // std::map: already in address order. Entries without a tree are left
    // out (a publication that retired the last root may leave one).
    size_t managers = 0;
    for (const auto& [m, t] : trees_) managers += (t.withdrawal || t.fallback) ? 1 : 0;
    w.count(managers);
    for (const auto& [m, t] : trees_) {
        if (!t.withdrawal && !t.fallback) continue;
        w.address(m);
        write_tree(w, t.withdrawal.get());
        write_tree(w, t.fallback.get());
    }
}

std::unique_ptr<state::Contract> Clearinghouse::load(const Address& self, SnapshotReader& r) {
    r.section("Clearinghouse.header");
    std::unique_ptr<Clearinghouse> c(new Clearinghouse(self, r.address()));

    r.section("Clearinghouse.pools");
    const size_t n = r.count(20 + 32 + 1 + 8 + 4 + 8 + 8);
    for (size_t i = 0; i < n; ++i) {
        Pool& p = c->pools_.emplace_back();
        p.manager = r.address();
        p.partition = r.bytes32();
        p.expiry_policy = r.u8();
        if (p.expiry_policy > kPolicyAnyoneReleases) r.fail("invalid expiry policy");
        p.locked = r.uint256();
        p.open_count = r.u64();
        p.total_losses = r.uint256();
        p.total_stake = r.uint256();
        p.total_shares = r.uint256();
        p.reserved = r.uint256();
        p.epoch = r.u32();
        p.supply_cursor = r.u64();
        const size_t watched = r.count(8 + 20 + 1);
        for (size_t k = 0; k < watched; ++k) {
            clearinghouse_detail::RefundWatch rw;
            rw.nonce = r.u64();
            rw.supplier = r.address();
            rw.amount = r.uint256();
            // Watched supplies are counted ones, in nonce order.
            if (rw.nonce == 0 || rw.nonce > p.supply_cursor ||
                (!p.refund_watch.empty() && rw.nonce <= p.refund_watch.back().nonce)) {
                r.fail("refund watch list out of order");
            }
            p.refund_watch.push_back(rw);
        }
        if (i > 0 && !pool_before(c->pools_[i - 1], p)) r.fail("pools not strictly ascending");
        c->pool_ids_.get_or_insert(clearinghouse_detail::PoolKey{p.manager, p.partition}) =
            static_cast<uint32_t>(i + 1);
    }

    auto member_less = [](const MemberKey& a, const MemberKey& b) {
        if (a.pool != b.pool) return a.pool < b.pool;
        return snapshot::compare(a.account, b.account) < 0;
    };
    auto read_member = [n](SnapshotReader& in) {
        MemberKey k;
        k.pool = in.u32();
        if (k.pool >= n) in.fail("pool position out of range");
        k.account = in.address();
        return k;
    };
    r.section("Clearinghouse.assurers");
    snapshot::read_key_set(r, c->assurers_, 4 + 20, member_less, read_member);
    r.section("Clearinghouse.accounts");
    snapshot::read_table(r, c->accounts_, 4 + 20 + 4 + 4, member_less, snapshot::IsZero{},
                         [&](SnapshotReader& in) {
                             const MemberKey k = read_member(in);
                             Account a;
                             a.shares = in.uint256();
                             a.reserved = in.uint256();
                             a.withdrawn_seen = in.uint256();
                             a.requested = in.uint256();
                             a.epoch = in.u32();
                             return std::pair{k, a};
                         });
    r.section("Clearinghouse.guarantees");
    snapshot::read_table(r, c->guarantees_, 32 + 1 + 32 + 20 + 1 + 4 + 8 + 8, id_less,
                         snapshot::IsZero{}, [n](SnapshotReader& in) {
                             const IdKey id = IdKey::of(in.bytes32());
                             Guarantee g;
                             g.amount = in.uint256();
                             g.payment_ref = in.bytes32();
                             g.beneficiary = in.address();
                             g.state = in.u8();
                             if (g.state == 0 || g.state > static_cast<uint8_t>(State::kReleased)) {
                                 in.fail("invalid guarantee state");
                             }
                             g.pool = in.u32();
                             if (g.pool >= n) in.fail("pool position out of range");
                             g.opened_at = in.u64();
                             g.expires_at = in.u64();
                             return std::pair{id, g};
                         });

    r.section("Clearinghouse.trees");
    const size_t managers = r.count(20 + 1 + 1);
    Address prev;
    for (size_t i = 0; i < managers; ++i) {
        const Address m = r.address();
        if (i > 0 && !(prev < m)) r.fail("managers not strictly ascending");
        prev = m;
        clearinghouse_detail::ManagerTrees t;
        t.withdrawal = read_tree(r, clearinghouse_detail::MerkleTree::Kind::kWithdrawal);
        t.fallback = read_tree(r, clearinghouse_detail::MerkleTree::Kind::kFallback);
        if (!t.withdrawal && !t.fallback) r.fail("manager entry without a tree");
        c->trees_.emplace(m, std::move(t));
    }
    c->check_loaded(r);
    return c;
}

void Clearinghouse::check_loaded(SnapshotReader& r) const {
    r.section("Clearinghouse.consistency");
    const size_t n = pools_.size();
    std::vector<u256> locked(n);
    std::vector<uint64_t> open(n, 0);
    guarantees_.for_each([&](const IdKey&, const Guarantee& g) {
        if (g.state != static_cast<uint8_t>(State::kOpen)) return;
        locked[g.pool] = locked[g.pool] + g.amount;
        ++open[g.pool];
    });
    std::vector<u256> shares(n);
    std::vector<u256> reserved(n);
    accounts_.for_each([&](const MemberKey& k, const Account& a) {
        if (a.epoch == pools_[k.pool].epoch) shares[k.pool] = shares[k.pool] + a.shares;
        reserved[k.pool] = reserved[k.pool] + a.reserved;
    });
    for (size_t i = 0; i < n; ++i) {
        const Pool& p = pools_[i];
        if (locked[i] != p.locked || open[i] != p.open_count) {
            r.fail("open guarantees do not add up to the pool's locked amount");
        }
        if (shares[i] != p.total_shares || reserved[i] != p.reserved) {
            r.fail("accounts do not add up to the pool's shares and reservations");
        }
    }
}

}  // namespace ampd::contracts
