#include "ampd/cli/tx_sender.hpp"

#include <fmt/core.h>

#include <thread>

#include "ampd/cli/errors.hpp"
#include "ampd/node/gas_schedule.hpp"
#include "ampd/rpc/params.hpp"
#include "ampd/tx/transaction.hpp"

namespace ampd::cli {

uint64_t gas_limit_for(uint64_t estimate) {
    const uint64_t padded = estimate + estimate / 5;
    return std::max(estimate, std::min(padded, node::gas::kMaxTransactionGas));
}

nlohmann::json wait_for_receipt(NodeClient& node, const Bytes32& hash, const SendOptions& options) {
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    for (;;) {
        nlohmann::json r = node.receipt(hash);
        if (!r.is_null()) return r;
        if (std::chrono::steady_clock::now() >= deadline) {
            throw CommandError(fmt::format(
                "no receipt for {} after {} ms; it may still be mined: check with `amp receipt {}`",
                hash.hex(), options.timeout.count(), hash.hex()));
        }
        std::this_thread::sleep_for(options.poll_interval);
    }
}

SentTransaction send_transaction(NodeClient& node, const tx::PrivateKey& key, const Address& to,
                                 const Bytes& data, const SendOptions& options) {
    SentTransaction sent;
    sent.from = tx::address_of(key);
    // The estimate first: if the call would revert, stop before anything
    // is signed or sent.
    const uint64_t estimate = node.estimate_gas(sent.from, to, data);

    tx::Transaction t;
    t.type = tx::TxType::kDynamicFee;
    t.chain_id = node.chain_id();
    t.nonce = node.pending_nonce(sent.from);
    t.gas_limit = gas_limit_for(estimate);
    t.max_priority_fee_per_gas = node.max_priority_fee();
    // Room for the base fee to double before inclusion, as wallets allow.
    t.max_fee_per_gas = node.base_fee() * u256(2) + t.max_priority_fee_per_gas;
    t.to = to;
    t.data = data;
    t = tx::sign_transaction(std::move(t), key);
    const Bytes raw = tx::encode_signed(t);

    sent.nonce = t.nonce;
    sent.gas_limit = t.gas_limit;
    sent.hash = node.send_raw_transaction(raw);
    if (sent.hash != tx::tx_hash(raw)) {
        throw CommandError(fmt::format("the node answered with hash {} for transaction {}",
                                       sent.hash.hex(), tx::tx_hash(raw).hex()));
    }
    if (options.wait) sent.receipt = wait_for_receipt(node, sent.hash, options);
    return sent;
}

}  // namespace ampd::cli
