#include "ampd/cli/withdrawal.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/rpc/params.hpp"

namespace ampd::cli {

namespace {

using nlohmann::json;
using FCM = contracts::FlexaCollateralManager;

std::vector<Bytes32> hashes_of(const json& list) {
    if (!list.is_array()) throw UsageError("proof file: \"proof\" must be a list of hashes");
    std::vector<Bytes32> out;
    for (const json& h : list) {
        if (!h.is_string()) throw UsageError("proof file: proof elements must be hex strings");
        out.push_back(parse_hash(h.get<std::string>(), "proof element"));
    }
    return out;
}

// An optional field of the file, read with one of the rpc:: parsers.
template <class T, class F>
std::optional<T> field(const json& doc, const char* name, F&& parse) {
    const auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) return std::nullopt;
    try {
        return parse(*it, name);
    } catch (const rpc::RpcError& e) {
        throw UsageError(fmt::format("proof file: {}", e.message));
    }
}

WithdrawalProof proof_only(std::vector<Bytes32> proof) {
    WithdrawalProof p;
    p.proof = std::move(proof);
    return p;
}

}  // namespace

std::vector<Bytes32> parse_proof_list(std::string_view text) {
    std::vector<Bytes32> out;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t end = text.find_first_of(", \t\r\n", pos);
        const std::string_view item = text.substr(pos, end - pos);
        if (!item.empty()) out.push_back(parse_hash(item, "proof element"));
        if (end == std::string_view::npos) break;
        pos = end + 1;
    }
    return out;
}

WithdrawalProof parse_proof_file(std::string_view text) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};  // an empty proof: a one-leaf tree
    if (text[first] != '[' && text[first] != '{') return proof_only(parse_proof_list(text));
    const json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) throw UsageError("proof file: not valid JSON");
    if (doc.is_array()) return proof_only(hashes_of(doc));
    const auto proof = doc.find("proof");
    if (proof == doc.end()) throw UsageError("proof file: no \"proof\" list");
    WithdrawalProof p;
    p.proof = hashes_of(*proof);
    p.supplier = field<Address>(doc, "supplier",
                                [](const json& v, const char* n) { return rpc::address(v, n); });
    p.partition = field<Bytes32>(doc, "partition",
                                 [](const json& v, const char* n) { return rpc::hash32(v, n); });
    p.root =
        field<Bytes32>(doc, "root", [](const json& v, const char* n) { return rpc::hash32(v, n); });
    p.amount = field<u256>(doc, "amount",
                           [](const json& v, const char* n) { return rpc::quantity_u256(v, n); });
    p.max_authorized_account_nonce =
        field<u256>(doc, "maxAuthorizedAccountNonce",
                    [](const json& v, const char* n) { return rpc::quantity_u256(v, n); });
    return p;
}

void check_proof_matches(const WithdrawalProof& file, const WithdrawalClaim& claim) {
    auto differs = [](const char* what, const std::string& in_file, const std::string& given) {
        return UsageError(fmt::format("the proof file is for {} {}, not {}", what, in_file, given));
    };
    if (file.supplier && *file.supplier != claim.supplier) {
        throw differs("supplier", checksum_address(*file.supplier),
                      checksum_address(claim.supplier));
    }
    if (file.partition && *file.partition != claim.partition) {
        throw differs("partition", file.partition->hex(), claim.partition.hex());
    }
    if (file.amount && *file.amount != claim.amount) {
        throw differs("amount", format_amount(*file.amount) + " AMP",
                      format_amount(claim.amount) + " AMP");
    }
    if (file.max_authorized_account_nonce &&
        *file.max_authorized_account_nonce != claim.max_authorized_account_nonce) {
        throw differs("nonce", file.max_authorized_account_nonce->to_dec(),
                      claim.max_authorized_account_nonce.to_dec());
    }
    if (file.root && *file.root != withdrawal_root(claim, file.proof)) {
        throw UsageError(fmt::format(
            "the proof does not lead to the file's root {}: wrong amount, nonce or proof",
            file.root->hex()));
    }
}

Bytes32 withdrawal_root(const WithdrawalClaim& claim, const std::vector<Bytes32>& proof) {
    return FCM::merkle_root(proof,
                            FCM::withdrawal_leaf(claim.supplier, claim.partition, claim.amount,
                                                 claim.max_authorized_account_nonce));
}

Bytes withdrawal_operator_data(const WithdrawalClaim& claim, const std::vector<Bytes32>& proof) {
    Bytes32 flag;
    flag.b.fill(FCM::kWithdrawalFlagByte);
    return abi::Encoder()
        .bytes32(flag)
        .address(claim.supplier)
        .uint256(claim.max_authorized_account_nonce)
        .bytes32_array(proof)
        .finish();
}

}  // namespace ampd::cli
