// ampd's own methods: what the node runs (amp_getContracts) and a digest of
// its complete state (amp_stateHash), used to compare nodes and replays.
#include "ampd/contracts/constants.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/rpc/params.hpp"
#include "node_api_internal.hpp"

namespace ampd::rpc {

namespace {

using nlohmann::json;

// Every FlexaCollateralManager in the state (the genesis' and those created
// by transactions), in address order.
json managers_of(const node::Node& node) {
    json out = json::array();
    node.with_state([&out](const node::Chain& chain) {
        const state::World& w = chain.world();
        for (const Address& a : w.contract_addresses()) {
            const auto* m = w.contract_as<contracts::FlexaCollateralManager>(a);
            if (m == nullptr) continue;
            json partitions = json::array();
            for (const Bytes32& p : m->permitted_partitions()) partitions.push_back(to_hex(p));
            out.push_back({{"address", to_hex(a)},
                           {"owner", to_hex(m->owner())},
                           {"partitions", partitions}});
        }
    });
    return out;
}

}  // namespace

void register_amp_api(MethodTable& t, node::Node& node, const SharedConfig&) {
    t.add("amp_getContracts", [&node](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        const node::Genesis& g = node.genesis();
        // The well-known contracts by name (docs/NODE.md), then every genesis
        // contract with its type.
        json out = {{"chainId", to_quantity(g.chain_id)},
                    {"registry", to_hex(contracts::erc1820_registry_address())},
                    {"managers", managers_of(node)}};
        json contracts = json::object();
        for (const node::GenesisContract& c : g.contracts) {
            contracts[c.name] = {{"type", c.type}, {"address", to_hex(c.address)}};
            if (c.type != "FlexaCollateralManager") out[c.name] = to_hex(c.address);
            // CLEARINGHOUSE.md's key, whatever a genesis file names it.
            if (c.type == "Clearinghouse" && !out.contains("clearinghouse")) {
                out["clearinghouse"] = to_hex(c.address);
            }
        }
        out["contracts"] = contracts;
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
