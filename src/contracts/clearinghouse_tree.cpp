#include "contracts/clearinghouse_tree.hpp"

#include <algorithm>
#include <utility>

#include "ampd/contracts/flexa_collateral_manager.hpp"

namespace ampd::contracts::clearinghouse_detail {

bool leaf_before(const TreeLeaf& a, const TreeLeaf& b) {
    if (a.partition != b.partition) return a.partition < b.partition;
    return a.supplier < b.supplier;
}

MerkleTree::MerkleTree(Kind kind, std::vector<TreeLeaf> leaves, const u256& nonce)
    : kind_(kind), nonce_(nonce), leaves_(std::move(leaves)) {
    std::vector<Bytes32> level;
    level.reserve(leaves_.size());
    for (const TreeLeaf& l : leaves_) {
        level.push_back(
            kind_ == Kind::kWithdrawal
                ? FlexaCollateralManager::withdrawal_leaf(l.supplier, l.partition, l.value,
                                                          l.account_nonce)
                : FlexaCollateralManager::fallback_leaf(l.supplier, l.partition, l.value));
    }
    levels_.push_back(std::move(level));
    while (levels_.back().size() > 1) {
        const std::vector<Bytes32>& cur = levels_.back();
        std::vector<Bytes32> next;
        next.reserve((cur.size() + 1) / 2);
        for (size_t i = 0; i < cur.size(); i += 2) {
            next.push_back(i + 1 < cur.size()
                               ? FlexaCollateralManager::merkle_parent(cur[i], cur[i + 1])
                               : cur[i]);
        }
        levels_.push_back(std::move(next));
    }
}

std::optional<size_t> MerkleTree::find(const Bytes32& partition, const Address& supplier) const {
    const TreeLeaf probe{partition, supplier, u256(), u256()};
    auto it = std::lower_bound(leaves_.begin(), leaves_.end(), probe, leaf_before);
    if (it == leaves_.end() || it->partition != partition || it->supplier != supplier) {
        return std::nullopt;
    }
    return static_cast<size_t>(it - leaves_.begin());
}

std::vector<Bytes32> MerkleTree::proof(size_t i) const {
    std::vector<Bytes32> out;
    out.reserve(levels_.size());
    for (size_t l = 0; l + 1 < levels_.size(); ++l, i /= 2) {
        const size_t sibling = i ^ 1U;
        if (sibling < levels_[l].size()) out.push_back(levels_[l][sibling]);
    }
    return out;
}

}  // namespace ampd::contracts::clearinghouse_detail
