#include "ampd/rpc/node_api.hpp"

#include <fmt/core.h>

#include "ampd/node/gas_schedule.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/rpc/error.hpp"
#include "ampd/tx/transaction.hpp"
#include "node_api_internal.hpp"

namespace ampd::rpc {

Bytes builtin_code_marker(std::string_view type) {
    Bytes code{0xfe};
    const std::string text = fmt::format("ampd:{}", type);
    code.insert(code.end(), text.begin(), text.end());
    return code;
}

Bytes32 keccak_of(const Bytes& data) {
    return keccak256(ByteView(data));
}

uint64_t estimate_gas(node::Node& node, const CallRequest& req) {
    if (req.value && !req.value->is_zero()) {
        throw RpcError(errc::kInvalidInput, "ampd has no native coin: value must be 0");
    }
    const uint64_t cap =
        std::min(req.gas.value_or(node::gas::kMaxTransactionGas), node::gas::kMaxTransactionGas);
    const node::CallOutcome o =
        node.call(req.from.value_or(Address{}), req.to, req.data.value_or(Bytes{}), cap);
    if (o.result.refused) {
        throw RpcError(errc::kInvalidInput,
                       fmt::format("gas required exceeds allowance ({})", cap));
    }
    if (!o.result.success) throw RpcError::execution_reverted(o.result.output);
    return o.gas_used;
}

Bytes32 submit_signed(node::Node& node, node::SignedTx tx) {
    const node::SubmitResult r = node.submit(std::move(tx));
    if (r.rejection) throw RpcError(errc::kTransactionRejected, r.rejection->message);
    return r.hash;
}

Bytes32 submit_raw(node::Node& node, const NodeApiConfig& cfg, const Bytes& raw) {
    if (raw.size() > cfg.max_transaction_bytes) {
        throw RpcError(errc::kInvalidInput,
                       fmt::format("oversized transaction: {} bytes, at most {}", raw.size(),
                                   cfg.max_transaction_bytes));
    }
    auto decoded = tx::decode_transaction(raw);
    if (!decoded) {
        throw RpcError(errc::kInvalidInput,
                       fmt::format("invalid transaction: {}", decoded.error().message));
    }
    node::SignedTx s{std::move(decoded->tx), decoded->sender, decoded->hash, raw};
    return submit_signed(node, std::move(s));
}

void register_node_api(MethodTable& table, node::Node& node, const NodeApiConfig& config) {
    const auto shared = std::make_shared<const NodeApiConfig>(config);
    register_eth_api(table, node, shared);
    register_dev_api(table, node, shared);
    register_amp_api(table, node, shared);
}

}  // namespace ampd::rpc
