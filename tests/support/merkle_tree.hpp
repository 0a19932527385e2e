// Merkle trees built with FlexaCollateralManager's pair rule, for tests
// that publish withdrawal and fallback roots and withdraw with proofs.
#pragma once

#include <utility>
#include <vector>

#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/primitives/bytes.hpp"

namespace ampd::test_support {

// A complete Merkle tree over `leaves` built with the contract's pair rule;
// proof(i) is the sibling path of leaf i (an odd node is promoted as is).
class MerkleTree {
public:
    explicit MerkleTree(std::vector<Bytes32> leaves) {
        levels_.push_back(std::move(leaves));
        while (levels_.back().size() > 1) {
            const std::vector<Bytes32>& cur = levels_.back();
            std::vector<Bytes32> next;
            for (size_t i = 0; i < cur.size(); i += 2) {
                next.push_back(
                    i + 1 < cur.size()
                        ? contracts::FlexaCollateralManager::merkle_parent(cur[i], cur[i + 1])
                        : cur[i]);
            }
            levels_.push_back(std::move(next));
        }
    }
    [[nodiscard]] const Bytes32& root() const { return levels_.back()[0]; }
    [[nodiscard]] std::vector<Bytes32> proof(size_t i) const {
        std::vector<Bytes32> out;
        for (size_t l = 0; l + 1 < levels_.size(); ++l) {
            const size_t sibling = i ^ 1U;
            if (sibling < levels_[l].size()) out.push_back(levels_[l][sibling]);
            i /= 2;
        }
        return out;
    }

private:
    std::vector<std::vector<Bytes32>> levels_;
};

}  // namespace ampd::test_support
