// A published Merkle tree of the Clearinghouse: the leaves it authorized
// and every level above them, so that a proof is a lookup (the node serves
// amp_getWithdrawalProof from it) rather than a rebuild.
//
// Leaves are hashed and paired exactly as FlexaCollateralManager verifies
// them (withdrawal_leaf / fallback_leaf, merkle_parent: keccak256 of the
// smaller node followed by the larger). Leaves are sorted by (partition,
// supplier); a level of odd length promotes its last node unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::contracts::clearinghouse_detail {

struct TreeLeaf {
    Bytes32 partition;
    Address supplier;
    // Withdrawal trees: the authorized value. Fallback trees: the maximum
    // cumulative withdrawal amount.
    u256 value;
    // Withdrawal trees: maxAuthorizedAccountNonce (zero in fallback trees).
    u256 account_nonce;
    friend bool operator==(const TreeLeaf&, const TreeLeaf&) = default;
};

// Strict (partition, supplier) order.
[[nodiscard]] bool leaf_before(const TreeLeaf& a, const TreeLeaf& b);

class MerkleTree {
public:
    enum class Kind : uint8_t { kWithdrawal, kFallback };

    // `leaves` must be non-empty and sorted (leaf_before). `nonce` is the
    // withdrawal root nonce, or for a fallback tree the max supply nonce
    // included.
    MerkleTree(Kind kind, std::vector<TreeLeaf> leaves, const u256& nonce);

    [[nodiscard]] Kind kind() const { return kind_; }
    [[nodiscard]] const Bytes32& root() const { return levels_.back()[0]; }
    [[nodiscard]] const u256& nonce() const { return nonce_; }
    [[nodiscard]] const std::vector<TreeLeaf>& leaves() const { return leaves_; }
    // Index of the supplier's leaf in `partition`, if any.
    [[nodiscard]] std::optional<size_t> find(const Bytes32& partition,
                                             const Address& supplier) const;
    // Sibling path of leaf i, bottom up.
    [[nodiscard]] std::vector<Bytes32> proof(size_t i) const;

private:
    Kind kind_;
    u256 nonce_;
    std::vector<TreeLeaf> leaves_;
    std::vector<std::vector<Bytes32>> levels_;  // levels_[0]: leaf hashes
};

}  // namespace ampd::contracts::clearinghouse_detail
