// The load generator's workload: independent senders derived from a fixed
// seed, a genesis that funds them, and every transaction signed before the
// timed phase (signing is the client's cost, not the node's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd_load {

struct Sender {
    ampd::tx::PrivateKey key;
    ampd::Address address;
};

// Sender i's key is keccak256("ampd-ingest-load sender <i>"): the same
// accounts in every run.
[[nodiscard]] std::vector<Sender> make_senders(size_t n);

// `dev_genesis` (as `ampd --dev --print-genesis` prints it) with a genesis
// call per sender in which the first dev account transfers `amount` Amp
// base units to it, as the dev genesis funds its own accounts with calls.
[[nodiscard]] nlohmann::json fund_senders(nlohmann::json dev_genesis,
                                          const std::vector<Sender>& senders,
                                          const std::string& amount);

struct SignedTransfer {
    std::string raw_hex;   // "0x..." as eth_sendRawTransaction takes it
    std::string hash_hex;  // "0x..." as the node answers it
};

// txs[s][k]: sender s's transaction with nonce k, an EIP-1559 Amp
// transfer(sender (s + 1) % n, 1). Signed on `threads` threads.
[[nodiscard]] std::vector<std::vector<SignedTransfer>> sign_transfers(
    const std::vector<Sender>& senders, size_t per_sender, uint64_t chain_id,
    const ampd::Address& amp, unsigned threads);

}  // namespace ampd_load
