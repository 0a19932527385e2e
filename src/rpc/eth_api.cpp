// eth_*, net_* and web3_* methods over the node.
#include <fmt/core.h>

#include "ampd/node/gas_schedule.hpp"
#include "ampd/rpc/call_request.hpp"
#include "ampd/rpc/node_api.hpp"
#include "ampd/rpc/params.hpp"
#include "eth_format.hpp"
#include "history_access.hpp"
#include "log_query.hpp"
#include "node_api_internal.hpp"

namespace ampd::rpc {

namespace {

using nlohmann::json;

// ampd keeps only the newest state: calls name the head (or pending).
void require_current_state(node::Node& node, const BlockTag& tag) {
    if (const auto* label = std::get_if<BlockLabel>(&tag)) {
        if (*label != BlockLabel::kEarliest || node.head_number() == 0) return;
    } else if (const auto* n = std::get_if<uint64_t>(&tag)) {
        if (*n == node.head_number()) return;
        if (*n > node.head_number()) {
            throw RpcError(errc::kResourceNotFound, fmt::format("block {} not found", *n));
        }
    } else {
        const auto& ref = std::get<BlockHashRef>(tag);
        const std::optional<storage::BlockRecord> b =
            history::block_by_hash(node.history(), ref.hash);
        if (!b) throw RpcError(errc::kResourceNotFound, "block not found");
        if (b->number == node.head_number()) return;
    }
    throw RpcError(errc::kInvalidInput,
                   "historical state is not available: ampd keeps only the latest state");
}

// The block a tag names, for reads of the history.
std::optional<storage::BlockRecord> resolve_block(node::Node& node, const BlockTag& tag) {
    if (const auto* label = std::get_if<BlockLabel>(&tag)) {
        const uint64_t n = *label == BlockLabel::kEarliest ? 0 : node.head_number();
        return history::block_by_number(node.history(), n);
    }
    if (const auto* n = std::get_if<uint64_t>(&tag)) {
        return history::block_by_number(node.history(), *n);
    }
    return history::block_by_hash(node.history(), std::get<BlockHashRef>(tag).hash);
}

json block_json(node::Node& node, const std::optional<storage::BlockRecord>& b, bool full) {
    if (!b) return nullptr;
    if (!full) return format_block(*b, nullptr);
    const std::vector<storage::TxRecord> txs = history::txs_of_block(node.history(), *b);
    return format_block(*b, &txs);
}

json call_result(const node::CallOutcome& o, uint64_t gas_limit) {
    if (o.result.refused) {
        throw RpcError(errc::kInvalidInput,
                       fmt::format("out of gas: gas required exceeds allowance ({})", gas_limit));
    }
    if (!o.result.success) throw RpcError::execution_reverted(o.result.output);
    return to_data(o.result.output);
}

json fee_history(node::Node& node, const json& params) {
    const Params p(params, 2, 3);
    const json& count_arg = p.at(0);
    // Clients send the count as a quantity or as a plain number.
    const uint64_t count = count_arg.is_number_unsigned() ? count_arg.get<uint64_t>()
                                                          : quantity_u64(count_arg, "blockCount");
    if (count == 0 || count > 1024) {
        throw invalid_param("blockCount", "must be between 1 and 1024");
    }
    const uint64_t newest = std::min(block_number_of(node, p.block_tag(1)), node.head_number());
    const uint64_t oldest = newest + 1 >= count ? newest + 1 - count : 0;
    size_t percentiles = 0;
    if (const json* r = p.get(2)) {
        if (!r->is_array()) throw invalid_param("rewardPercentiles", "must be a list");
        percentiles = r->size();
    }
    json base = json::array();
    json ratio = json::array();
    json reward = json::array();
    for (uint64_t n = oldest; n <= newest; ++n) {
        const std::optional<storage::BlockRecord> b = history::block_by_number(node.history(), n);
        base.push_back("0x0");
        ratio.push_back(b ? static_cast<double>(b->gas_used) / static_cast<double>(b->gas_limit)
                          : 0.0);
        reward.push_back(json(std::vector<std::string>(percentiles, "0x0")));
    }
    base.push_back("0x0");  // the base fee of the block after the newest
    json out = {
        {"oldestBlock", to_quantity(oldest)}, {"baseFeePerGas", base}, {"gasUsedRatio", ratio}};
    if (p.get(2) != nullptr) out["reward"] = reward;
    return out;
}

}  // namespace

void register_eth_api(MethodTable& t, node::Node& node, const SharedConfig& cfg) {
    t.add_quick("web3_clientVersion", [cfg](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return cfg->client_version;
    });
    t.add_quick("web3_sha3", [](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 1);
        return to_hex(keccak_of(p.data_bytes(0)));
    });
    t.add_quick("net_version", [&node](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return std::to_string(node.chain_id());
    });
    t.add_quick("net_listening", [](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return true;
    });
    t.add_quick("net_peerCount", [](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return "0x0";
    });
    t.add_quick("eth_chainId", [&node](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return to_quantity(node.chain_id());
    });
    t.add_quick("eth_syncing", [](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return false;
    });
    t.add_quick("eth_blockNumber", [&node](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return to_quantity(node.head_number());
    });
    t.add_quick("eth_gasPrice", [](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return "0x0";
    });
    t.add_quick("eth_maxPriorityFeePerGas", [](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return "0x0";
    });
    t.add("eth_feeHistory", [&node](const json& params, const RequestContext&) -> json {
        return fee_history(node, params);
    });
    t.add("eth_getBalance", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 2);
        (void)p.address(0);
        require_current_state(node, p.block_tag_or(1, BlockLabel::kLatest));
        return "0x0";  // no native coin
    });
    t.add("eth_getCode", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 2);
        const Address a = p.address(0);
        require_current_state(node, p.block_tag_or(1, BlockLabel::kLatest));
        const std::optional<std::string> type = node.contract_type(a);
        return type ? to_data(builtin_code_marker(*type)) : "0x";
    });
    t.add("eth_getTransactionCount", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 2);
        const Address a = p.address(0);
        const BlockTag tag = p.block_tag_or(1, BlockLabel::kLatest);
        const auto* label = std::get_if<BlockLabel>(&tag);
        const bool pending = label != nullptr && *label == BlockLabel::kPending;
        if (!pending) require_current_state(node, tag);
        return to_quantity(node.nonce(a, pending));
    });
    t.add("eth_getBlockByNumber", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 2);
        const BlockTag tag = p.block_tag(0);
        if (std::holds_alternative<BlockHashRef>(tag)) {
            throw invalid_param("argument 0", "expected a block number or tag");
        }
        return block_json(node, resolve_block(node, tag), p.optional_bool(1).value_or(false));
    });
    t.add("eth_getBlockByHash", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 2);
        return block_json(node, history::block_by_hash(node.history(), p.hash32(0)),
                          p.optional_bool(1).value_or(false));
    });
    t.add("eth_getBlockTransactionCountByNumber",
          [&node](const json& params, const RequestContext&) -> json {
              const Params p(params, 1, 1);
              const auto b = resolve_block(node, p.block_tag(0));
              return b ? json(to_quantity(static_cast<uint64_t>(b->tx_hashes.size())))
                       : json(nullptr);
          });
    t.add("eth_getBlockTransactionCountByHash",
          [&node](const json& params, const RequestContext&) -> json {
              const Params p(params, 1, 1);
              const auto b = history::block_by_hash(node.history(), p.hash32(0));
              return b ? json(to_quantity(static_cast<uint64_t>(b->tx_hashes.size())))
                       : json(nullptr);
          });
    t.add("eth_getTransactionByBlockNumberAndIndex",
          [&node](const json& params, const RequestContext&) -> json {
              const Params p(params, 2, 2);
              const auto b = resolve_block(node, p.block_tag(0));
              const uint64_t i = p.quantity_u64(1);
              if (!b || i >= b->tx_hashes.size()) return nullptr;
              const auto t = history::tx_by_hash(node.history(), b->tx_hashes[i]);
              return t ? format_transaction(*t, &*b) : json(nullptr);
          });
    t.add("eth_getTransactionByHash", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 1);
        const Bytes32 h = p.hash32(0);
        if (const auto t = history::tx_by_hash(node.history(), h)) {
            const auto b = history::block_by_number(node.history(), t->block_number);
            return format_transaction(*t, b ? &*b : nullptr);
        }
        if (const auto pending = node.pending_transaction(h)) {
            return format_transaction(*pending, nullptr);
        }
        return nullptr;
    });
    t.add("eth_getTransactionReceipt", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 1);
        const auto r = history::receipt_by_tx_hash(node.history(), p.hash32(0));
        if (!r) return nullptr;
        const auto b = history::block_by_number(node.history(), r->block_number);
        if (!b) return nullptr;
        return format_receipt(*r, b->hash);
    });
    t.add("eth_getLogs", [&node, cfg](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 1);
        return run_log_query(node, *cfg, parse_log_query(p.at(0)));
    });
    t.add("eth_call", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 3);
        const CallRequest req = call_request(p.at(0), "transaction");
        require_current_state(node, p.block_tag_or(1, BlockLabel::kLatest));
        const uint64_t gas = std::min(req.gas.value_or(node::gas::kMaxTransactionGas),
                                      node::gas::kMaxTransactionGas);
        return call_result(
            node.call(req.from.value_or(Address{}), req.to, req.data.value_or(Bytes{}), gas), gas);
    });
    t.add("eth_estimateGas", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 3);
        const CallRequest req = call_request(p.at(0), "transaction");
        require_current_state(node, p.block_tag_or(1, BlockLabel::kPending));
        return to_quantity(estimate_gas(node, req));
    });
    // Deferred, so that the transactions of one batch share a WAL group
    // commit instead of waiting for one each.
    t.add_deferred(
        "eth_sendRawTransaction",
        [&node, cfg](const json& params, const RequestContext&) -> Completion {
            const Params p(params, 1, 1);
            return start_submit_raw(node, *cfg, p.data_bytes(0));
        },
        [&node, cfg](std::string_view param, const RequestContext&) -> TextCompletion {
            return start_submit_raw_text(node, *cfg, data_bytes(param, Params::name(0)));
        });
}

}  // namespace ampd::rpc
