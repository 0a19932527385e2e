// What ampd prints once it serves: where, which chain, which contracts and,
// in dev mode, the funded accounts with their keys (as Hardhat and Anvil do).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "ampd/node/node.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd_app {

void print_banner(std::ostream& out, const ampd::node::Node& node,
                  const ampd::node::NodeConfig& config, const std::string& url,
                  const std::vector<ampd::tx::PrivateKey>& dev_keys);

}  // namespace ampd_app
