// Development methods, registered dev-only: unlocked accounts
// (eth_accounts, eth_sendTransaction) and time travel / state snapshots
// (evm_*), with the semantics Hardhat and Anvil give them.
#include <fmt/core.h>

#include "ampd/node/gas_schedule.hpp"
#include "ampd/rpc/params.hpp"
#include "ampd/tx/transaction.hpp"
#include "node_api_internal.hpp"

namespace ampd::rpc {

namespace {

using nlohmann::json;

// evm_* take numbers as JSON numbers or as quantities.
uint64_t number_arg(const json& v, std::string_view what) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer()) {
        const auto n = v.get<int64_t>();
        if (n < 0) throw invalid_param(what, "must not be negative");
        return static_cast<uint64_t>(n);
    }
    return quantity_u64(v, what);
}

// The node refuses a dev operation (e.g. a timestamp in the past) with a
// NodeError: the client gets its message.
template <class F>
auto node_call(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const node::NodeError& e) {
        throw RpcError(errc::kInvalidInput, e.what());
    }
}

}  // namespace

void register_dev_api(MethodTable& t, node::Node& node, const SharedConfig& cfg) {
    t.add("eth_accounts", [&node, cfg](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        json out = json::array();
        if (!node.config().dev) return out;  // no unlocked accounts outside dev mode
        for (const tx::PrivateKey& k : cfg->unlocked_keys) out.push_back(to_hex(tx::address_of(k)));
        return out;
    });
    t.add_dev(
        "eth_sendTransaction", [&node, cfg](const json& params, const RequestContext&) -> json {
            const Params p(params, 1, 1);
            const CallRequest req = call_request(p.at(0), "transaction");
            if (!req.from) throw invalid_param("transaction", "from is required");
            const tx::PrivateKey* key = nullptr;
            for (const tx::PrivateKey& k : cfg->unlocked_keys) {
                if (tx::address_of(k) == *req.from) key = &k;
            }
            if (key == nullptr) {
                throw RpcError(errc::kInvalidInput,
                               fmt::format("unknown account {}: not an unlocked dev account",
                                           to_hex(*req.from)));
            }
            tx::Transaction x;
            x.chain_id = req.chain_id.value_or(node.chain_id());
            x.nonce = req.nonce.value_or(node.nonce(*req.from, true));
            x.to = req.to;
            x.value = req.value.value_or(u256(0));
            x.data = req.data.value_or(Bytes{});
            if (req.access_list) {
                for (const AccessListEntry& e : *req.access_list) {
                    x.access_list.push_back(tx::AccessListEntry{e.address, e.storage_keys});
                }
            }
            const uint64_t type = req.type.value_or(req.gas_price && !req.max_fee_per_gas ? 0 : 2);
            if (type > 2) throw invalid_param("type", "unsupported transaction type");
            x.type = static_cast<tx::TxType>(type);
            if (x.type == tx::TxType::kDynamicFee) {
                x.max_fee_per_gas = req.max_fee_per_gas.value_or(u256(0));
                x.max_priority_fee_per_gas = req.max_priority_fee_per_gas.value_or(u256(0));
            } else {
                x.gas_price = req.gas_price.value_or(u256(0));
            }
            x.gas_limit = req.gas ? *req.gas : estimate_gas(node, req);
            x = tx::sign_transaction(std::move(x), *key);
            Bytes raw = tx::encode_signed(x);
            const Bytes32 hash = tx::tx_hash(raw);
            return to_hex(
                submit_signed(node, node::SignedTx{std::move(x), *req.from, hash, std::move(raw)}));
        });
    t.add_dev("evm_mine", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 0, 1);
        std::optional<uint64_t> ts;
        if (const json* v = p.get(0)) ts = number_arg(*v, "timestamp");
        (void)node_call([&] { return node.mine(ts); });
        return "0x0";
    });
    t.add_dev("evm_increaseTime", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 1);
        const uint64_t secs = number_arg(p.at(0), "seconds");
        return node_call([&] { return node.increase_time(secs); });
    });
    t.add_dev("evm_setNextBlockTimestamp",
              [&node](const json& params, const RequestContext&) -> json {
                  const Params p(params, 1, 1);
                  const uint64_t ts = number_arg(p.at(0), "timestamp");
                  node_call([&] {
                      node.set_next_block_timestamp(ts);
                      return 0;
                  });
                  return nullptr;
              });
    t.add_dev("evm_snapshot", [&node](const json& params, const RequestContext&) -> json {
        (void)Params(params, 0, 0);
        return to_quantity(node_call([&] { return node.take_snapshot(); }));
    });
    t.add_dev("evm_revert", [&node](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 1);
        const uint64_t id = number_arg(p.at(0), "snapshot id");
        return node_call([&] { return node.revert_to(id); });
    });
}

}  // namespace ampd::rpc
