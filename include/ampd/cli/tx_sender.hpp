// Sending a contract call as a signed transaction, the way a wallet does:
// nonce (pending), chain id, a gas estimate (a revert there is reported
// and nothing is sent), EIP-1559 fees, sign, eth_sendRawTransaction, then
// wait for the receipt.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "ampd/cli/node_client.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd::cli {

struct SendOptions {
    bool wait = true;  // poll for the receipt
    std::chrono::milliseconds timeout{60'000};
    std::chrono::milliseconds poll_interval{100};
};

struct SentTransaction {
    Bytes32 hash;
    Address from;
    uint64_t nonce = 0;
    uint64_t gas_limit = 0;
    nlohmann::json receipt;  // null when not waited for
};

// The gas limit sent for an estimate: a fifth more, so that a state change
// between estimate and execution (a new partition entry, another
// transaction first) does not run it out of gas; never above the node's
// per-transaction cap unless the estimate itself is.
[[nodiscard]] uint64_t gas_limit_for(uint64_t estimate);

// Throws RevertError if the estimate reverts (nothing is sent), CommandError
// if the node refuses the transaction or no receipt arrives in time (the
// message says the transaction may still be mined).
SentTransaction send_transaction(NodeClient& node, const tx::PrivateKey& key, const Address& to,
                                 const Bytes& data, const SendOptions& options);

// Polls for the receipt of `hash`; throws CommandError after `timeout`.
nlohmann::json wait_for_receipt(NodeClient& node, const Bytes32& hash, const SendOptions& options);

}  // namespace ampd::cli
