#include "ampd/rpc/call_request.hpp"

#include <fmt/format.h>

#include "ampd/rpc/params.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;

// Reads `obj[key]` with `parse` unless it is absent or null.
template <class Parse>
auto field(const json& obj, std::string_view key, std::string_view what, Parse parse)
    -> std::optional<decltype(parse(obj, what))> {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    return parse(*it, fmt::format("{}.{}", what, key));
}

const json& array_of(const json& v, std::string_view what) {
    if (!v.is_array()) {
        throw invalid_param(what, fmt::format("expected an array, got {}", v.type_name()));
    }
    return v;
}

AccessList access_list(const json& v, std::string_view what) {
    AccessList out;
    size_t i = 0;
    for (const json& item : array_of(v, what)) {
        const std::string item_what = fmt::format("{}[{}]", what, i++);
        if (!item.is_object()) {
            throw invalid_param(item_what,
                                fmt::format("expected an object, got {}", item.type_name()));
        }
        auto addr = field(item, "address", item_what,
                          [](const json& x, std::string_view w) { return address(x, w); });
        if (!addr) throw invalid_param(item_what, "missing address");
        const auto keys_it = item.find("storageKeys");
        if (keys_it == item.end() || keys_it->is_null()) {
            throw invalid_param(item_what, "missing storageKeys");
        }
        const std::string keys_what = item_what + ".storageKeys";
        AccessListEntry entry{*addr, {}};
        size_t k = 0;
        for (const json& key : array_of(*keys_it, keys_what)) {
            entry.storage_keys.push_back(hash32(key, fmt::format("{}[{}]", keys_what, k++)));
        }
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace

CallRequest call_request(const json& v, std::string_view what) {
    if (!v.is_object()) {
        throw invalid_param(
            what, fmt::format("expected a transaction call object, got {}", v.type_name()));
    }
    const auto addr = [](const json& x, std::string_view w) { return address(x, w); };
    const auto u256_ = [](const json& x, std::string_view w) { return quantity_u256(x, w); };
    const auto u64 = [](const json& x, std::string_view w) { return quantity_u64(x, w); };
    const auto bytes = [](const json& x, std::string_view w) { return data_bytes(x, w); };

    CallRequest r;
    r.from = field(v, "from", what, addr);
    r.to = field(v, "to", what, addr);
    r.gas = field(v, "gas", what, u64);
    r.gas_price = field(v, "gasPrice", what, u256_);
    r.max_fee_per_gas = field(v, "maxFeePerGas", what, u256_);
    r.max_priority_fee_per_gas = field(v, "maxPriorityFeePerGas", what, u256_);
    r.value = field(v, "value", what, u256_);
    r.nonce = field(v, "nonce", what, u64);
    r.chain_id = field(v, "chainId", what, u64);
    r.type = field(v, "type", what, u64);
    r.access_list = field(v, "accessList", what, access_list);

    auto input = field(v, "input", what, bytes);
    auto data = field(v, "data", what, bytes);
    if (input && data && *input != *data) {
        throw invalid_param(what,
                            "both \"data\" and \"input\" are set and not equal; use \"input\"");
    }
    r.data = input ? std::move(input) : std::move(data);
    return r;
}

}  // namespace ampd::rpc
