// What the crash test's clients sent, per sender and nonce, and what they
// were told: the reference the node's chain is checked against.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd::process_test {

enum class TxFate : uint8_t {
    // Sent, but no answer came (the node died meanwhile): it may or may not
    // be in the chain.
    kUnknown,
    // eth_sendRawTransaction returned its hash: it must be in the chain.
    kAcknowledged,
    // Never acknowledged, but found in the chain after a restart (it was in
    // the log when the node died).
    kRecovered,
};

struct SentTx {
    uint64_t nonce = 0;
    Bytes32 hash;
    std::string raw_hex;
    TxFate fate = TxFate::kUnknown;
    uint32_t attempts = 0;         // submissions so far
    bool receipt_checked = false;  // its receipt was verified after a restart
};

// One sender's transactions, txs[i].nonce == i. Every one but the last is
// in the chain (acknowledged or recovered): a client signs nonce n+1 only
// once it knows n is in. The last may be unknown.
struct Sender {
    tx::PrivateKey key;
    Address address;
    std::vector<SentTx> txs;

    [[nodiscard]] bool last_unknown() const {
        return !txs.empty() && txs.back().fate == TxFate::kUnknown;
    }
    // Transactions known to be in the chain.
    [[nodiscard]] uint64_t known_in_chain() const { return txs.size() - (last_unknown() ? 1 : 0); }
};

// Where each transaction hash sent by any client lives in the ledger.
struct TxRef {
    size_t sender = 0;
    uint64_t nonce = 0;
};
using TxIndex = std::unordered_map<Bytes32, TxRef, Bytes32Hash>;

}  // namespace ampd::process_test
