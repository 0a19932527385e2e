// Pieces shared by the method groups of the node API.
#pragma once

#include <memory>
#include <string_view>

#include "ampd/node/node.hpp"
#include "ampd/rpc/call_request.hpp"
#include "ampd/rpc/method_table.hpp"
#include "ampd/rpc/node_api.hpp"

namespace ampd::rpc {

// The handlers share one copy of the configuration, owned with them (the
// caller's NodeApiConfig may go away once the table is built).
using SharedConfig = std::shared_ptr<const NodeApiConfig>;

void register_eth_api(MethodTable& t, node::Node& node, const SharedConfig& cfg);
void register_dev_api(MethodTable& t, node::Node& node, const SharedConfig& cfg);
void register_amp_api(MethodTable& t, node::Node& node, const SharedConfig& cfg);
void register_filter_api(MethodTable& t, node::Node& node, const SharedConfig& cfg);
// amp_getWithdrawalProof, amp_getFallbackProof.
void register_proof_api(MethodTable& t, node::Node& node, const SharedConfig& cfg);

// eth_getCode of a built-in contract: 0xfe (INVALID, so nothing could run
// it as EVM code) followed by "ampd:" and the type name.
[[nodiscard]] Bytes builtin_code_marker(std::string_view type);
[[nodiscard]] Bytes32 keccak_of(const Bytes& data);

// The gas `req` uses on the current state; throws RpcError for a revert
// (code 3 with the revert data) or an allowance that is too low.
[[nodiscard]] uint64_t estimate_gas(node::Node& node, const CallRequest& req);

// Decodes, admits and durably records a signed transaction; returns its
// hash or throws RpcError with the precise reason.
Bytes32 submit_raw(node::Node& node, const NodeApiConfig& cfg, const Bytes& raw);
// The same as a deferred call: decodes and recovers the sender now (throwing
// RpcError), queues the transaction, and returns the completion that waits
// until it is durable and answers its hash.
[[nodiscard]] Completion start_submit_raw(node::Node& node, const NodeApiConfig& cfg, Bytes raw);
// The same for the method's text form: the result as JSON text.
[[nodiscard]] TextCompletion start_submit_raw_text(node::Node& node, const NodeApiConfig& cfg,
                                                   Bytes raw);
Bytes32 submit_signed(node::Node& node, node::SignedTx tx);

}  // namespace ampd::rpc
