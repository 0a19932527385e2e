#include "ampd/cli/node_client.hpp"

#include <fmt/core.h>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/revert_reason.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/rpc/params.hpp"

namespace ampd::cli {

namespace {

using nlohmann::json;

// Reads a field of an answer with one of the strict rpc:: parsers; a bad
// value is the node's fault, reported as such.
template <class F>
auto parse_answer(std::string_view method, F&& parse) -> decltype(parse()) {
    try {
        return parse();
    } catch (const rpc::RpcError& e) {
        throw CommandError(fmt::format("malformed answer to {}: {}", method, e.message));
    } catch (const json::exception& e) {
        throw CommandError(fmt::format("malformed answer to {}: {}", method, e.what()));
    }
}

bool is_revert(const rpc::RpcError& e) {
    return e.code == rpc::errc::kExecutionReverted ||
           (e.code == rpc::errc::kInvalidInput && e.message.starts_with("execution reverted"));
}

RevertError revert_of(const rpc::RpcError& e) {
    Bytes data;
    if (e.data && e.data->is_string()) {
        data = hex::decode(e.data->get<std::string>()).value_or(Bytes{});
    }
    std::optional<std::string> reason = revert_reason(data);
    const std::string message =
        reason ? "execution reverted: " + explain_reason(*reason)
               : (data.empty() ? std::string("execution reverted without a reason")
                               : "execution reverted with data " + hex::encode(data));
    return RevertError(message, std::move(reason), std::move(data));
}

json call_object(const std::optional<Address>& from, const Address& to, const Bytes& data) {
    json o = {{"to", rpc::to_hex(to)}, {"input", rpc::to_data(data)}};
    if (from) o["from"] = rpc::to_hex(*from);
    return o;
}

}  // namespace

std::optional<Address> NodeContracts::find(const std::string& name) const {
    const auto it = by_name.find(name);
    if (it == by_name.end()) return std::nullopt;
    return it->second;
}

const ManagerInfo* NodeContracts::manager(const Address& a) const {
    for (const ManagerInfo& m : managers) {
        if (m.address == a) return &m;
    }
    return nullptr;
}

NodeClient::NodeClient(std::string url) {
    try {
        client_ = std::make_unique<rpc::JsonRpcClient>(std::move(url));
    } catch (const std::invalid_argument& e) {
        throw UsageError(fmt::format("--rpc: {}", e.what()));
    }
}

json NodeClient::request(std::string_view method, const json& params) {
    try {
        return client_->call(method, params);
    } catch (const rpc::RpcError& e) {
        if (is_revert(e)) throw revert_of(e);
        throw NodeError(fmt::format("{} failed: {} (code {})", method, e.message, e.code), e.code);
    } catch (const rpc::TransportError& e) {
        throw CommandError(e.what());
    }
}

uint64_t NodeClient::chain_id() {
    const json r = request("eth_chainId");
    return parse_answer("eth_chainId", [&] { return rpc::quantity_u64(r); });
}

uint64_t NodeClient::block_number() {
    const json r = request("eth_blockNumber");
    return parse_answer("eth_blockNumber", [&] { return rpc::quantity_u64(r); });
}

const std::optional<NodeContracts>& NodeClient::contracts() {
    if (contracts_asked_) return contracts_;
    json r;
    try {
        r = client_->call("amp_getContracts");
    } catch (const rpc::RpcError& e) {
        if (e.code != rpc::errc::kMethodNotFound) {
            throw NodeError(fmt::format("amp_getContracts failed: {} (code {})", e.message, e.code),
                            e.code);
        }
        contracts_asked_ = true;
        return contracts_;
    } catch (const rpc::TransportError& e) {
        throw CommandError(e.what());
    }
    contracts_ = parse_answer("amp_getContracts", [&] {
        NodeContracts c;
        c.chain_id = rpc::quantity_u64(r.at("chainId"), "chainId");
        for (const auto& [name, entry] : r.at("contracts").items()) {
            c.by_name[name] = rpc::address(entry.at("address"), name);
        }
        for (const json& m : r.value("managers", json::array())) {
            ManagerInfo info{rpc::address(m.at("address"), "manager address"),
                             rpc::address(m.at("owner"), "manager owner"),
                             {}};
            for (const json& p : m.at("partitions")) {
                info.partitions.push_back(rpc::hash32(p, "manager partition"));
            }
            c.managers.push_back(std::move(info));
        }
        if (const auto it = r.find("collateralPartition"); it != r.end() && !it->is_null()) {
            c.collateral_partition = rpc::hash32(*it, "collateralPartition");
        }
        return c;
    });
    contracts_asked_ = true;
    return contracts_;
}

Bytes NodeClient::call(const Address& to, const Bytes& data, const std::optional<Address>& from) {
    const json r = request("eth_call", json::array({call_object(from, to, data), "latest"}));
    return parse_answer("eth_call", [&] { return rpc::data_bytes(r); });
}

uint64_t NodeClient::estimate_gas(const Address& from, const Address& to, const Bytes& data) {
    const json r = request("eth_estimateGas", json::array({call_object(from, to, data)}));
    return parse_answer("eth_estimateGas", [&] { return rpc::quantity_u64(r); });
}

uint64_t NodeClient::pending_nonce(const Address& a) {
    const json r = request("eth_getTransactionCount", json::array({rpc::to_hex(a), "pending"}));
    return parse_answer("eth_getTransactionCount", [&] { return rpc::quantity_u64(r); });
}

u256 NodeClient::max_priority_fee() {
    const json r = request("eth_maxPriorityFeePerGas");
    return parse_answer("eth_maxPriorityFeePerGas", [&] { return rpc::quantity_u256(r); });
}

u256 NodeClient::base_fee() {
    const json b = request("eth_getBlockByNumber", json::array({"latest", false}));
    return parse_answer("eth_getBlockByNumber", [&] {
        if (!b.is_object()) return u256(0);
        const auto it = b.find("baseFeePerGas");
        return it == b.end() || it->is_null() ? u256(0) : rpc::quantity_u256(*it);
    });
}

Bytes32 NodeClient::send_raw_transaction(ByteView raw) {
    const json r = request("eth_sendRawTransaction", json::array({rpc::to_data(raw)}));
    return parse_answer("eth_sendRawTransaction", [&] { return rpc::hash32(r); });
}

json NodeClient::transaction(const Bytes32& hash) {
    return request("eth_getTransactionByHash", json::array({rpc::to_hex(hash)}));
}

json NodeClient::receipt(const Bytes32& hash) {
    return request("eth_getTransactionReceipt", json::array({rpc::to_hex(hash)}));
}

}  // namespace ampd::cli
