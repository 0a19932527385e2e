// Signed transactions for tests: what a wallet would send.
#pragma once

#include <optional>

#include "ampd/node/chain.hpp"
#include "ampd/tx/hd_wallet.hpp"
#include "ampd/tx/transaction.hpp"

namespace ampd::test_support {

struct TxSpec {
    uint64_t chain_id = 31337;
    uint64_t nonce = 0;
    std::optional<Address> to;
    Bytes data;
    uint64_t gas_limit = 500'000;
    tx::TxType type = tx::TxType::kDynamicFee;
};

// Signs `spec` with `key` and returns it as the node receives it (decoded,
// sender recovered, raw bytes kept).
inline node::SignedTx sign(const tx::PrivateKey& key, const TxSpec& spec) {
    tx::Transaction t;
    t.type = spec.type;
    t.chain_id = spec.chain_id;
    t.nonce = spec.nonce;
    t.gas_limit = spec.gas_limit;
    if (spec.type == tx::TxType::kDynamicFee) {
        t.max_fee_per_gas = u256(2);
        t.max_priority_fee_per_gas = u256(1);
    } else {
        t.gas_price = u256(1);
    }
    t.to = spec.to;
    t.data = spec.data;
    t = tx::sign_transaction(t, key);
    Bytes raw = tx::encode_signed(t);
    auto d = tx::decode_transaction(raw);
    return node::SignedTx{d->tx, d->sender, d->hash, std::move(raw)};
}

// The first `n` dev accounts' keys (the standard test mnemonic).
inline std::vector<tx::PrivateKey> dev_keys(size_t n) {
    std::vector<tx::PrivateKey> out;
    for (const tx::DevAccount& a : tx::dev_accounts(n)) out.push_back(a.key);
    return out;
}

}  // namespace ampd::test_support
