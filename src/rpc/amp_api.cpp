// ampd's own methods: what the node runs (amp_getContracts) and a digest of
// its complete state (amp_stateHash), used to compare nodes and replays.
#include "ampd/rpc/params.hpp"
#include "node_api_internal.hpp"

namespace ampd::rpc {

namespace {
using nlohmann::json;
}  // namespace

void register_amp_api(MethodTable& t, node::Node& node, const SharedConfig&) {
    t.add("amp_getContracts", [&node](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        const node::Genesis& g = node.genesis();
        json contracts = json::object();
        for (const node::GenesisContract& c : g.contracts) {
            contracts[c.name] = {{"type", c.type}, {"address", to_hex(c.address)}};
        }
        json out = {{"chainId", to_quantity(g.chain_id)}, {"contracts", contracts}};
        if (const node::GenesisContract* m = g.contract("collateralManager");
            m != nullptr && node.config().dev) {
            out["collateralPartition"] = to_hex(node::dev_collateral_partition(m->address));
        }
        return out;
    });
    t.add("amp_stateHash", [&node](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return {{"blockNumber", to_quantity(node.head_number())},
                {"stateHash", to_hex(node.state_hash())}};
    });
}

}  // namespace ampd::rpc
