#include "ampd/cli/decode.hpp"

#include <fmt/core.h>

#include <array>
#include <string_view>
#include <unordered_map>

#include "ampd/cli/errors.hpp"
#include "ampd/contracts/amp.hpp"
#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/contracts/erc1820_registry.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partition_validators.hpp"
#include "ampd/contracts/swap_token.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/rpc/params.hpp"

namespace ampd::cli {

namespace {

using nlohmann::json;

// One head word (or the value behind its offset) of an ABI encoding, or of
// a topic, as JSON.
std::optional<json> decode_value(std::string_view type, const abi::Decoder& d, size_t i) {
    auto to_json = [](const auto& v, auto&& f) -> std::optional<json> {
        if (!v) return std::nullopt;
        return f(*v);
    };
    if (type == "address") {
        return to_json(d.address(i), [](const Address& a) { return json(a.hex()); });
    }
    if (type == "uint256" || type == "int256" || type == "uint8" || type == "uint64") {
        return to_json(d.uint256(i), [](const u256& v) { return json(v.to_dec()); });
    }
    if (type == "bool") return to_json(d.boolean(i), [](bool b) { return json(b); });
    if (type == "bytes32") {
        return to_json(d.bytes32(i), [](const Bytes32& b) { return json(b.hex()); });
    }
    if (type == "bytes4") {
        return to_json(d.bytes4(i), [](const Bytes4& b) { return json(b.hex()); });
    }
    if (type == "bytes") {
        return to_json(d.bytes(i), [](const Bytes& b) { return json(hex::encode(b)); });
    }
    if (type == "string") return to_json(d.string(i), [](const std::string& s) { return json(s); });
    if (type == "bytes32[]") {
        return to_json(d.bytes32_array(i), [](const std::vector<Bytes32>& v) {
            json out = json::array();
            for (const Bytes32& b : v) out.push_back(b.hex());
            return out;
        });
    }
    return std::nullopt;
}

// Event descriptors of every built-in contract by topic0. Amp and the swap
// token share Transfer/Approval signatures (with the same indexing).
const std::unordered_multimap<Bytes32, const state::EventDescriptor*, Bytes32Hash>& events() {
    static const auto kByTopic = [] {
        std::unordered_multimap<Bytes32, const state::EventDescriptor*, Bytes32Hash> m;
        for (const auto* list :
             {&contracts::Amp::events(), &contracts::FlexaCollateralManager::events(),
              &contracts::SwapToken::events(), &contracts::Erc1820Registry::events(),
              &contracts::PartitionStrategyValidatorBase::events(),
              &contracts::Clearinghouse::events()}) {
            for (const state::EventDescriptor* d : *list) {
                bool seen = false;
                for (auto [it, end] = m.equal_range(d->topic0); it != end; ++it) {
                    seen = seen || it->second->signature == d->signature;
                }
                if (!seen) m.emplace(d->topic0, d);
            }
        }
        return m;
    }();
    return kByTopic;
}

std::optional<DecodedLog> decode_with(const state::EventDescriptor& d, const state::RawLog& log) {
    size_t indexed = 0;
    for (const state::EventParam& p : d.params) indexed += p.indexed ? 1 : 0;
    if (log.topics.size() != indexed + 1) return std::nullopt;
    DecodedLog out{log.address, d.name, d.signature, {}};
    const abi::Decoder data(log.data, abi::Cleaning::kStrict);
    size_t topic = 1;
    size_t head = 0;
    for (const state::EventParam& p : d.params) {
        const std::string type(state::abi_type_name(p.type));
        std::optional<json> v;
        if (p.indexed) {
            const Bytes32& t = log.topics[topic++];
            // An indexed dynamic value is only its hash.
            v = state::is_dynamic(p.type)
                    ? std::optional<json>(t.hex())
                    : decode_value(type, abi::Decoder(ByteView(t.b), abi::Cleaning::kStrict), 0);
        } else {
            v = decode_value(type, data, head++);
        }
        if (!v) return std::nullopt;
        out.args.push_back(DecodedArg{std::string(p.name),
                                      p.indexed && state::is_dynamic(p.type) ? "bytes32" : type,
                                      std::move(*v)});
    }
    return out;
}

struct KnownFunction {
    std::string_view name;
    std::vector<std::pair<std::string_view, std::string_view>> params;  // (type, name)
};

std::string signature_of(const KnownFunction& f) {
    std::string s(f.name);
    s += "(";
    for (size_t i = 0; i < f.params.size(); ++i) {
        if (i > 0) s += ",";
        s += f.params[i].first;
    }
    return s + ")";
}

// The state-changing functions of the built-in contracts, with the
// parameter names of their Solidity sources.
const std::vector<KnownFunction>& known_functions() {
    static const std::vector<KnownFunction> kAll{
        // Amp and the swap token (ERC-20).
        {"transfer", {{"address", "to"}, {"uint256", "value"}}},
        {"transferFrom", {{"address", "from"}, {"address", "to"}, {"uint256", "value"}}},
        {"approve", {{"address", "spender"}, {"uint256", "value"}}},
        {"increaseAllowance", {{"address", "spender"}, {"uint256", "addedValue"}}},
        {"decreaseAllowance", {{"address", "spender"}, {"uint256", "subtractedValue"}}},
        // Amp.
        {"transferByPartition",
         {{"bytes32", "partition"},
          {"address", "from"},
          {"address", "to"},
          {"uint256", "value"},
          {"bytes", "data"},
          {"bytes", "operatorData"}}},
        {"authorizeOperator", {{"address", "operator"}}},
        {"revokeOperator", {{"address", "operator"}}},
        {"authorizeOperatorByPartition", {{"bytes32", "partition"}, {"address", "operator"}}},
        {"revokeOperatorByPartition", {{"bytes32", "partition"}, {"address", "operator"}}},
        {"approveByPartition",
         {{"bytes32", "partition"}, {"address", "spender"}, {"uint256", "value"}}},
        {"increaseAllowanceByPartition",
         {{"bytes32", "partition"}, {"address", "spender"}, {"uint256", "addedValue"}}},
        {"decreaseAllowanceByPartition",
         {{"bytes32", "partition"}, {"address", "spender"}, {"uint256", "subtractedValue"}}},
        {"swap", {{"address", "from"}}},
        {"setPartitionStrategy", {{"bytes4", "prefix"}, {"address", "implementation"}}},
        {"registerCollateralManager", {}},
        {"authorizeOwnershipTransfer", {{"address", "authorizedAddress"}}},
        {"assumeOwnership", {}},
        // Swap token.
        {"mint", {{"address", "to"}, {"uint256", "amount"}}},
        {"transferOwnership", {{"address", "newOwner"}}},
        {"renounceOwnership", {}},
        // FlexaCollateralManager.
        {"requestRelease", {{"bytes32", "partition"}, {"uint256", "amount"}, {"bytes", "data"}}},
        {"addPartition", {{"bytes32", "partition"}}},
        {"removePartition", {{"bytes32", "partition"}}},
        {"modifyWithdrawalLimit", {{"int256", "amount"}}},
        {"addWithdrawalRoot",
         {{"bytes32", "root"}, {"uint256", "nonce"}, {"bytes32[]", "replacedRoots"}}},
        {"removeWithdrawalRoots", {{"bytes32[]", "roots"}}},
        {"setFallbackRoot", {{"bytes32", "root"}, {"uint256", "maxSupplyNonce"}}},
        {"resetFallbackMechanismDate", {}},
        {"setFallbackWithdrawalDelay", {{"uint256", "newFallbackDelaySeconds"}}},
        {"setWithdrawalPublisher", {{"address", "newWithdrawalPublisher"}}},
        {"setFallbackPublisher", {{"address", "newFallbackPublisher"}}},
        {"setWithdrawalLimitPublisher", {{"address", "newWithdrawalLimitPublisher"}}},
        {"setDirectTransferer", {{"address", "newDirectTransferer"}}},
        {"setPartitionManager", {{"address", "newPartitionManager"}}},
        // Clearinghouse (docs/CLEARINGHOUSE.md).
        {"registerPool",
         {{"address", "manager"}, {"bytes32", "partition"}, {"uint8", "expiryPolicy"}}},
        {"setAssurer",
         {{"address", "manager"},
          {"bytes32", "partition"},
          {"address", "assurer"},
          {"bool", "allowed"}}},
        {"openGuarantee",
         {{"bytes32", "id"},
          {"address", "manager"},
          {"bytes32", "partition"},
          {"uint256", "amount"},
          {"address", "beneficiary"},
          {"uint64", "expiresAt"},
          {"bytes32", "paymentRef"}}},
        {"settleGuarantee", {{"bytes32", "id"}}},
        {"claimGuarantee", {{"bytes32", "id"}}},
        {"releaseExpired", {{"bytes32", "id"}}},
        {"settleGuarantees", {{"bytes32[]", "ids"}}},
        {"publishWithdrawalRoot", {{"address", "manager"}}},
        {"publishFallbackRoot", {{"address", "manager"}}},
    };
    return kAll;
}

}  // namespace

std::optional<DecodedLog> decode_log(const state::RawLog& log) {
    if (log.topics.empty()) return std::nullopt;
    for (auto [it, end] = events().equal_range(log.topics[0]); it != end; ++it) {
        if (auto d = decode_with(*it->second, log)) return d;
    }
    return std::nullopt;
}

state::RawLog raw_log_from_json(const json& log) {
    try {
        state::RawLog raw;
        raw.address = rpc::address(log.at("address"), "log address");
        for (const json& t : log.at("topics")) raw.topics.push_back(rpc::hash32(t, "log topic"));
        raw.data = rpc::data_bytes(log.at("data"), "log data");
        return raw;
    } catch (const rpc::RpcError& e) {
        throw CommandError(fmt::format("malformed log in the node's answer: {}", e.message));
    } catch (const json::exception& e) {
        throw CommandError(fmt::format("malformed log in the node's answer: {}", e.what()));
    }
}

std::optional<DecodedCall> decode_call(ByteView input) {
    if (input.size() < 4) return std::nullopt;
    const Bytes4 selector = Bytes4::from(input.first(4));
    for (const KnownFunction& f : known_functions()) {
        const std::string sig = signature_of(f);
        if (selector_of(sig) != selector) continue;
        DecodedCall call{std::string(f.name), sig, {}};
        const abi::Decoder args(input.subspan(4), abi::Cleaning::kStrict);
        for (size_t i = 0; i < f.params.size(); ++i) {
            std::optional<json> v = decode_value(f.params[i].first, args, i);
            if (!v) return std::nullopt;
            call.args.push_back(
                DecodedArg{std::string(f.params[i].second), std::string(f.params[i].first), *v});
        }
        return call;
    }
    return std::nullopt;
}

bool is_token_amount(const DecodedArg& arg) {
    return arg.type == "uint256" && (arg.name == "value" || arg.name == "amount");
}

}  // namespace ampd::cli
