#include "ampd/rpc/node_api.hpp"

#include <fmt/core.h>

#include "ampd/node/gas_schedule.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/rpc/error.hpp"
#include "ampd/rpc/params.hpp"
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

namespace {

// The admission checks that need no state: size, canonical encoding,
// signature. The sender recovery here is the CPU cost of a transaction,
// paid on the RPC thread so that it runs in parallel across requests.
node::SignedTx decode_raw(const NodeApiConfig& cfg, Bytes raw) {
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
    return node::SignedTx{std::move(decoded->tx), decoded->sender, decoded->hash, std::move(raw)};
}

Bytes32 answer(const node::SubmitResult& r) {
    if (r.rejection) throw RpcError(errc::kTransactionRejected, r.rejection->message);
    return r.hash;
}

}  // namespace

Bytes32 submit_signed(node::Node& node, node::SignedTx tx) {
    return answer(node.submit(std::move(tx)));
}

Bytes32 submit_raw(node::Node& node, const NodeApiConfig& cfg, const Bytes& raw) {
    return submit_signed(node, decode_raw(cfg, raw));
}

namespace {

// Lets an asynchronous caller learn when `done` is answered.
WhenReady readiness_of(const node::Submission& done) {
    return [done](std::function<void()> f) { done.when_ready(std::move(f)); };
}

}  // namespace

Completion start_submit_raw(node::Node& node, const NodeApiConfig& cfg, Bytes raw) {
    node::Submission done = node.submit_async(decode_raw(cfg, std::move(raw)));
    WhenReady ready = readiness_of(done);
    return {[done = std::move(done)]() -> nlohmann::json { return to_hex(answer(done.wait())); },
            std::move(ready)};
}

TextCompletion start_submit_raw_text(node::Node& node, const NodeApiConfig& cfg, Bytes raw) {
    node::Submission done = node.submit_async(decode_raw(cfg, std::move(raw)));
    WhenReady ready = readiness_of(done);
    return {[done = std::move(done)]() -> std::string {
                std::string text = to_hex(answer(done.wait()));
                text.insert(text.begin(), '"');
                text.push_back('"');
                return text;
            },
            std::move(ready)};
}

void register_node_api(MethodTable& table, node::Node& node, const NodeApiConfig& config) {
    const auto shared = std::make_shared<const NodeApiConfig>(config);
    register_eth_api(table, node, shared);
    register_dev_api(table, node, shared);
    register_amp_api(table, node, shared);
    register_filter_api(table, node, shared);
    register_proof_api(table, node, shared);
}

}  // namespace ampd::rpc
