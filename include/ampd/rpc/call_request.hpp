// The transaction-call object of eth_call, eth_estimateGas and
// eth_sendTransaction. Every field is optional here: which ones a method
// requires, and the defaults, are the method's business. A field given as
// null counts as absent; unknown fields are ignored, as geth ignores them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::rpc {

struct AccessListEntry {
    Address address;
    std::vector<Bytes32> storage_keys;
    friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};
using AccessList = std::vector<AccessListEntry>;

struct CallRequest {
    std::optional<Address> from;
    std::optional<Address> to;  // absent: contract creation
    std::optional<uint64_t> gas;
    std::optional<u256> gas_price;
    std::optional<u256> max_fee_per_gas;
    std::optional<u256> max_priority_fee_per_gas;
    std::optional<u256> value;
    std::optional<Bytes> data;  // "input", or its older name "data"
    std::optional<uint64_t> nonce;
    std::optional<uint64_t> chain_id;
    std::optional<uint64_t> type;  // EIP-2718 type as given; the method checks it is supported
    std::optional<AccessList> access_list;
};

// Throws RpcError -32602 naming the field ("argument 0.gas: ..."), also
// when both "data" and "input" are given and differ.
[[nodiscard]] CallRequest call_request(const nlohmann::json& v, std::string_view what = "value");

}  // namespace ampd::rpc
