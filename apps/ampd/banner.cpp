#include "banner.hpp"

#include <fmt/core.h>

namespace ampd_app {

void print_banner(std::ostream& out, const ampd::node::Node& node,
                  const ampd::node::NodeConfig& config, const std::string& url,
                  const std::vector<ampd::tx::PrivateKey>& dev_keys) {
    const ampd::node::Genesis& g = node.genesis();
    out << fmt::format("ampd {} (chain id {}, block {})\n", config.dev ? "dev node" : "node",
                       g.chain_id, node.head_number());
    out << fmt::format("JSON-RPC   {}\n", url);
    out << fmt::format("Data       {}\n", config.datadir.string());
    out << fmt::format("Blocks     {}\n",
                       config.block_time.count() == 0
                           ? std::string("one per transaction, mined at once")
                           : fmt::format("every {} ms", config.block_time.count()));
    out << "\nContracts\n";
    for (const ampd::node::GenesisContract& c : g.contracts) {
        out << fmt::format("  {:<26} {:<36} {}\n", c.name, c.type, c.address.hex());
    }
    if (const ampd::node::GenesisContract* m = g.contract("collateralManager");
        m != nullptr && config.dev) {
        out << fmt::format("  {:<26} {}\n", "collateral partition",
                           ampd::node::dev_collateral_partition(m->address).hex());
        out << fmt::format("  {:<26} {}\n", "",
                           "a Clearinghouse pool (expiry policy 0); account 1 owns the "
                           "manager, account 2 is the pool's assurer");
    }
    if (!dev_keys.empty()) {
        out << "\nAccounts (unlocked; 1,000,000 AMP and 1,000,000 FXC each)\n"
            << "  These keys are public knowledge: never use them outside development.\n";
        for (size_t i = 0; i < dev_keys.size(); ++i) {
            out << fmt::format("  ({:>2}) {}  {}\n", i, ampd::tx::address_of(dev_keys[i]).hex(),
                               dev_keys[i].hex());
        }
    }
    out << "\n" << std::flush;
}

}  // namespace ampd_app
