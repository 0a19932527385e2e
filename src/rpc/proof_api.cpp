// amp_getWithdrawalProof and amp_getFallbackProof: a supplier's leaf in the
// trees the Clearinghouse last published for a manager, with the proof and
// the operatorData that Amp's transferByPartition takes for the withdrawal.
//
// The Clearinghouse asked is the manager's withdrawal (or fallback)
// publisher: the contract whose roots the manager accepts.
#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/rpc/params.hpp"
#include "node_api_internal.hpp"

namespace ampd::rpc {

namespace {

using contracts::Clearinghouse;
using contracts::FlexaCollateralManager;
using nlohmann::json;

struct ProofQuery {
    Address manager;
    Bytes32 partition;
    Address supplier;
};

ProofQuery parse_query(const json& params) {
    const Params p(params, 3, 3);
    return {p.address(0), p.hash32(1), p.address(2)};
}

json proof_hashes(const std::vector<Bytes32>& proof) {
    json out = json::array();
    for (const Bytes32& h : proof) out.push_back(to_hex(h));
    return out;
}

// The Clearinghouse that publishes the manager's roots of one kind; throws
// a clear error when the address is no manager or the role is held by
// something else (an operator's own key, which keeps its trees off-chain).
const Clearinghouse& publisher_of(const state::World& w, const Address& manager, bool fallback) {
    const auto* m = w.contract_as<FlexaCollateralManager>(manager);
    if (m == nullptr) {
        throw RpcError::invalid_params("invalid params: argument 0: " + to_hex(manager) +
                                       " is not a FlexaCollateralManager");
    }
    const Address& publisher = fallback ? m->fallbackPublisher() : m->withdrawalPublisher();
    const auto* ch = w.contract_as<Clearinghouse>(publisher);
    if (ch == nullptr) {
        throw RpcError::invalid_params(std::string("invalid params: the manager's ") +
                                       (fallback ? "fallback" : "withdrawal") + " publisher " +
                                       to_hex(publisher) + " is not a Clearinghouse");
    }
    return *ch;
}

// Registers `method`: the supplier's proof from the manager's withdrawal
// (or fallback) publisher, as `to_json` writes it, or null.
template <class Lookup, class ToJson>
void add_proof_method(MethodTable& t, node::Node& node, const char* method, bool fallback,
                      Lookup lookup, ToJson to_json) {
    t.add(method,
          [&node, fallback, lookup, to_json](const json& params, const RequestContext&) -> json {
              const ProofQuery q = parse_query(params);
              json out = nullptr;
              node.with_state([&](const node::Chain& chain) {
                  const Clearinghouse& ch = publisher_of(chain.world(), q.manager, fallback);
                  if (const auto proof = lookup(ch, q)) out = to_json(*proof);
              });
              return out;
          });
}

}  // namespace

void register_proof_api(MethodTable& t, node::Node& node, const SharedConfig&) {
    add_proof_method(
        t, node, "amp_getWithdrawalProof", false,
        [](const Clearinghouse& ch, const ProofQuery& q) {
            return ch.withdrawal_proof(q.manager, q.partition, q.supplier);
        },
        [](const Clearinghouse::WithdrawalProof& p) -> json {
            return {{"root", to_hex(p.root)},
                    {"rootNonce", to_quantity(p.root_nonce)},
                    {"value", to_quantity(p.value)},
                    {"maxAuthorizedAccountNonce", to_quantity(p.max_authorized_account_nonce)},
                    {"proof", proof_hashes(p.proof)},
                    {"operatorData", to_data(p.operator_data)}};
        });
    add_proof_method(
        t, node, "amp_getFallbackProof", true,
        [](const Clearinghouse& ch, const ProofQuery& q) {
            return ch.fallback_proof(q.manager, q.partition, q.supplier);
        },
        [](const Clearinghouse::FallbackProof& p) -> json {
            return {
                {"root", to_hex(p.root)},
                {"maxCumulativeWithdrawalAmount", to_quantity(p.max_cumulative_withdrawal_amount)},
                {"proof", proof_hashes(p.proof)},
                {"operatorData", to_data(p.operator_data)}};
        });
}

}  // namespace ampd::rpc
