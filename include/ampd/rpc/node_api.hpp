// The node's JSON-RPC methods: the Ethereum API clients expect (eth_*, net_*,
// web3_*), the development methods (evm_*, eth_accounts and
// eth_sendTransaction from unlocked dev accounts; only with --dev) and the
// ampd extensions (amp_*).
#pragma once

#include <string>
#include <vector>

#include "ampd/node/node.hpp"
#include "ampd/rpc/method_table.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd::rpc {

struct NodeApiConfig {
    std::string client_version = "ampd/0.1.0";
    // Accounts eth_sendTransaction signs for (dev mode only).
    std::vector<tx::PrivateKey> unlocked_keys;
    // eth_getLogs bounds.
    uint64_t max_log_block_range = 100'000;
    size_t max_log_results = 10'000;
    // eth_sendRawTransaction: larger signed transactions are refused (geth's bound).
    size_t max_transaction_bytes = 128 * 1024;
};

// Registers every method on `table`; `node` must outlive the table. The
// configuration is copied (the handlers share the copy).
void register_node_api(MethodTable& table, node::Node& node, const NodeApiConfig& config);

}  // namespace ampd::rpc
