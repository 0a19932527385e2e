// Withdrawals from a FlexaCollateralManager: the Merkle proof a supplier
// presents, where it comes from, and the operator data that carries it.
//
// A proof file is JSON in the shape of the result the planned
// amp_getWithdrawalProof RPC method will answer with (docs/CLI.md), so that
// its output can be saved and passed with --proof as it is:
//
//   {"supplier": "0x..", "partition": "0x..", "amount": "0x..",
//    "maxAuthorizedAccountNonce": "0x..", "root": "0x..", "proof": ["0x..", ...]}
//
// Only "proof" is required; every other field present must agree with the
// command line, so a proof for another withdrawal is caught before sending.
// A bare JSON list of hashes, or hashes separated by commas or whitespace,
// are accepted too.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::cli {

struct WithdrawalProof {
    std::vector<Bytes32> proof;
    std::optional<Address> supplier;
    std::optional<Bytes32> partition;
    std::optional<u256> amount;
    std::optional<u256> max_authorized_account_nonce;
    std::optional<Bytes32> root;
};

// The contents of a --proof file. Throws UsageError naming the problem.
[[nodiscard]] WithdrawalProof parse_proof_file(std::string_view text);
// --proof-hex "0x..,0x..". Throws UsageError.
[[nodiscard]] std::vector<Bytes32> parse_proof_list(std::string_view text);

// What the withdrawal claims, checked against what a proof file says.
struct WithdrawalClaim {
    Address supplier;
    Bytes32 partition;
    u256 amount;
    u256 max_authorized_account_nonce;
};
// Throws UsageError naming the first field of `file` that disagrees.
void check_proof_matches(const WithdrawalProof& file, const WithdrawalClaim& claim);

// The Merkle root the manager must hold for `claim` and `proof`.
[[nodiscard]] Bytes32 withdrawal_root(const WithdrawalClaim& claim,
                                      const std::vector<Bytes32>& proof);

// Amp transferByPartition operator data for a withdrawal: the flag word
// 0xaa..aa, the supplier, the max authorized account nonce, the proof.
[[nodiscard]] Bytes withdrawal_operator_data(const WithdrawalClaim& claim,
                                             const std::vector<Bytes32>& proof);

}  // namespace ampd::cli
