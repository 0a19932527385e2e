#include "ampd/node/genesis.hpp"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"

namespace ampd::node {

namespace {

using conformance::TypedValue;
using conformance::TypeSpec;
using nlohmann::json;

const json& member(const json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) throw GenesisError(fmt::format("genesis: {} lacks \"{}\"", where, key));
    return *it;
}

uint64_t parse_u64(const json& v, const std::string& where) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        const std::optional<u256> x = s.starts_with("0x") ? u256::from_hex(s) : u256::from_dec(s);
        if (x && x->fits_u64()) return x->w[0];
    }
    throw GenesisError(fmt::format("genesis: {} must be an unsigned 64-bit integer", where));
}

Address parse_address(const json& v, const std::string& where) {
    if (v.is_string()) {
        if (auto a = Address::from_hex(v.get<std::string>())) return *a;
    }
    throw GenesisError(fmt::format("genesis: {} must be a 20-byte hex address", where));
}

// "name(type1,type2)" → the parameter types, in order.
std::vector<TypeSpec> signature_types(const std::string& sig, const std::string& where) {
    const size_t open = sig.find('(');
    if (open == std::string::npos || open == 0 || sig.back() != ')') {
        throw GenesisError(
            fmt::format("genesis: {}: \"{}\" is not a function signature", where, sig));
    }
    std::vector<TypeSpec> out;
    const std::string inner = sig.substr(open + 1, sig.size() - open - 2);
    if (inner.empty()) return out;
    size_t start = 0;
    while (start <= inner.size()) {
        size_t comma = inner.find(',', start);
        if (comma == std::string::npos) comma = inner.size();
        const std::string name = inner.substr(start, comma - start);
        std::optional<TypeSpec> t = TypeSpec::parse(name);
        if (!t) {
            throw GenesisError(
                fmt::format("genesis: {}: unsupported parameter type \"{}\"", where, name));
        }
        out.push_back(*t);
        start = comma + 1;
    }
    return out;
}

std::vector<TypedValue> parse_args(const json& args, const std::vector<TypeSpec>* types,
                                   const std::string& where) {
    if (!args.is_array()) throw GenesisError(fmt::format("genesis: {}.args must be a list", where));
    if (types != nullptr && types->size() != args.size()) {
        throw GenesisError(fmt::format("genesis: {} takes {} arguments, {} given", where,
                                       types->size(), args.size()));
    }
    std::vector<TypedValue> out;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string at = fmt::format("{}.args[{}]", where, i);
        try {
            out.push_back(types != nullptr ? conformance::parse_value((*types)[i], args[i])
                                           : conformance::parse_typed(args[i]));
        } catch (const conformance::VectorError& e) {
            throw GenesisError(fmt::format("genesis: {}: {}", at, e.what()));
        }
    }
    return out;
}

Address labelled_address(std::string_view label) {
    const Bytes32 h =
        keccak256(ByteView(reinterpret_cast<const uint8_t*>(label.data()), label.size()));
    return Address::from(ByteView(h.b.data() + 12, 20));
}

TypedValue typed(const char* type, const json& value) {
    return conformance::parse_value(*TypeSpec::parse(type), value);
}

}  // namespace

const GenesisContract* Genesis::contract(std::string_view name) const {
    for (const GenesisContract& c : contracts) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

Genesis parse_genesis(const json& j) {
    if (!j.is_object()) throw GenesisError("genesis: the document must be a JSON object");
    Genesis g;
    g.chain_id = parse_u64(member(j, "chainId", "the document"), "chainId");
    if (g.chain_id == 0) throw GenesisError("genesis: chainId must not be 0");
    g.timestamp = parse_u64(member(j, "timestamp", "the document"), "timestamp");
    const json& contracts = member(j, "contracts", "the document");
    if (!contracts.is_array()) throw GenesisError("genesis: contracts must be a list");
    for (size_t i = 0; i < contracts.size(); ++i) {
        const std::string where = fmt::format("contracts[{}]", i);
        const json& c = contracts[i];
        if (!c.is_object()) throw GenesisError(fmt::format("genesis: {} must be an object", where));
        GenesisContract gc;
        const json& name = member(c, "name", where);
        const json& type = member(c, "type", where);
        if (!name.is_string() || !type.is_string()) {
            throw GenesisError(fmt::format("genesis: {}.name and .type must be strings", where));
        }
        gc.name = name.get<std::string>();
        gc.type = type.get<std::string>();
        if (!contracts::is_builtin_type(gc.type)) {
            throw GenesisError(
                fmt::format("genesis: {}: unknown built-in type \"{}\"", where, gc.type));
        }
        gc.address = parse_address(member(c, "address", where), where + ".address");
        gc.deployer = parse_address(member(c, "deployer", where), where + ".deployer");
        gc.args = parse_args(c.value("args", json::array()), nullptr, where);
        g.contracts.push_back(std::move(gc));
    }
    const json calls = j.value("calls", json::array());
    if (!calls.is_array()) throw GenesisError("genesis: calls must be a list");
    for (size_t i = 0; i < calls.size(); ++i) {
        const std::string where = fmt::format("calls[{}]", i);
        const json& c = calls[i];
        if (!c.is_object()) throw GenesisError(fmt::format("genesis: {} must be an object", where));
        GenesisCall gc;
        gc.from = parse_address(member(c, "from", where), where + ".from");
        gc.to = parse_address(member(c, "to", where), where + ".to");
        const json& fn = member(c, "function", where);
        if (!fn.is_string()) throw GenesisError(fmt::format("genesis: {}.function", where));
        gc.function = fn.get<std::string>();
        const std::vector<TypeSpec> types = signature_types(gc.function, where);
        gc.args = parse_args(c.value("args", json::array()), &types, where);
        g.calls.push_back(std::move(gc));
    }
    const json accounts = j.value("accounts", json::array());
    if (!accounts.is_array()) throw GenesisError("genesis: accounts must be a list");
    for (size_t i = 0; i < accounts.size(); ++i) {
        g.accounts.push_back(parse_address(accounts[i], fmt::format("accounts[{}]", i)));
    }
    return g;
}

Genesis load_genesis_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw GenesisError(fmt::format("genesis: cannot read {}", path));
    std::stringstream ss;
    ss << in.rdbuf();
    json j;
    try {
        j = json::parse(ss.str());
    } catch (const json::parse_error& e) {
        throw GenesisError(fmt::format("genesis: {} is not valid JSON: {}", path, e.what()));
    }
    return parse_genesis(j);
}

json to_json(const Genesis& g) {
    json j;
    j["chainId"] = g.chain_id;
    j["timestamp"] = g.timestamp;
    json contracts = json::array();
    for (const GenesisContract& c : g.contracts) {
        json args = json::array();
        for (const TypedValue& v : c.args) args.push_back(conformance::to_json(v));
        contracts.push_back({{"name", c.name},
                             {"type", c.type},
                             {"address", c.address.hex()},
                             {"deployer", c.deployer.hex()},
                             {"args", args}});
    }
    j["contracts"] = contracts;
    json calls = json::array();
    for (const GenesisCall& c : g.calls) {
        json args = json::array();
        for (const TypedValue& v : c.args) args.push_back(conformance::value_to_json(v));
        calls.push_back(
            {{"from", c.from.hex()}, {"to", c.to.hex()}, {"function", c.function}, {"args", args}});
    }
    j["calls"] = calls;
    json accounts = json::array();
    for (const Address& a : g.accounts) accounts.push_back(a.hex());
    j["accounts"] = accounts;
    return j;
}

Bytes32 genesis_hash(const Genesis& g) {
    const std::string canonical = to_json(g).dump();
    return keccak256(
        ByteView(reinterpret_cast<const uint8_t*>(canonical.data()), canonical.size()));
}

std::unique_ptr<state::World> build_genesis_world(const Genesis& g) {
    std::unique_ptr<state::World> world = contracts::new_world();
    const state::BlockContext block{0, g.timestamp, g.chain_id};
    for (const GenesisContract& c : g.contracts) {
        const state::ExecResult r = contracts::deploy_builtin(
            *world, c.type, c.address, c.deployer, conformance::encode_all(c.args), block);
        if (!r.success) {
            throw GenesisError(fmt::format(
                "genesis: deploying {} ({}) at {} reverted: {}", c.name, c.type, c.address.hex(),
                r.revert_reason.empty() ? "no reason" : r.revert_reason));
        }
    }
    for (size_t i = 0; i < g.calls.size(); ++i) {
        const GenesisCall& c = g.calls[i];
        abi::Encoder enc;
        for (const TypedValue& v : c.args) conformance::encode(enc, v);
        const state::ExecResult r = world->execute(
            state::Message{c.from, c.to, enc.finish_call(selector_of(c.function))}, block);
        if (!r.success) {
            throw GenesisError(fmt::format(
                "genesis: calls[{}] {} on {} from {} reverted: {}", i, c.function, c.to.hex(),
                c.from.hex(), r.revert_reason.empty() ? "no reason" : r.revert_reason));
        }
    }
    return world;
}

Bytes32 dev_collateral_partition(const Address& manager) {
    return contracts::make_partition(0xccccccccU, 0, manager);
}

Genesis dev_genesis(const std::vector<Address>& dev_accounts) {
    if (dev_accounts.empty()) throw GenesisError("genesis: the dev genesis needs accounts");
    const Address owner = dev_accounts[0];
    // The manager belongs to another account than Amp's owner, as on
    // mainnet, where Flexa runs it (docs/NODE.md).
    const Address manager_owner = dev_accounts.size() > 1 ? dev_accounts[1] : dev_accounts[0];
    // Amp and Flexacoin at their Ethereum mainnet addresses, so that tooling
    // configured for mainnet finds them; the rest at addresses derived from
    // a label, which no CREATE from a dev account can collide with.
    const Address fxc = *Address::from_hex("0x4a57e687b9126435a9b19e4a802113e266adebde");
    const Address amp = *Address::from_hex("0xff20817765cb7f73d4bde2e66e067e58d11095c2");
    const Address pool_validator = labelled_address("ampd:dev:CollateralPoolPartitionValidator");
    const Address holder_validator =
        labelled_address("ampd:dev:HolderCollateralPartitionValidator");
    const Address manager = labelled_address("ampd:dev:FlexaCollateralManager");
    const Address clearinghouse = labelled_address("ampd:dev:Clearinghouse");
    const Address assurer = dev_accounts.size() > 2 ? dev_accounts[2] : manager_owner;
    const Bytes32 partition = dev_collateral_partition(manager);
    const std::string token = "1000000000000000000";  // 10^18

    Genesis g;
    g.chain_id = 31337;
    g.timestamp = 1'700'000'000;
    g.accounts = dev_accounts;
    g.contracts = {
        {"swapToken", "SwapToken", fxc, owner, {}},
        {"amp",
         "Amp",
         amp,
         owner,
         {typed("address", fxc.hex()), typed("string", "Amp"), typed("string", "AMP")}},
        {"collateralPoolValidator",
         "CollateralPoolPartitionValidator",
         pool_validator,
         owner,
         {typed("address", amp.hex())}},
        {"holderCollateralValidator",
         "HolderCollateralPartitionValidator",
         holder_validator,
         owner,
         {typed("address", amp.hex())}},
        {"collateralManager",
         "FlexaCollateralManager",
         manager,
         manager_owner,
         {typed("address", amp.hex())}},
        {"clearinghouse", "Clearinghouse", clearinghouse, owner, {typed("address", amp.hex())}},
    };
    auto call = [&](const Address& from, const Address& to, std::string fn,
                    std::vector<TypedValue> args) {
        g.calls.push_back(GenesisCall{from, to, std::move(fn), std::move(args)});
    };
    call(owner, amp, "setPartitionStrategy(bytes4,address)",
         {typed("bytes4", "0xcccccccc"), typed("address", pool_validator.hex())});
    call(owner, amp, "setPartitionStrategy(bytes4,address)",
         {typed("bytes4", "0xaaaaaaaa"), typed("address", holder_validator.hex())});
    // The Clearinghouse settles guarantees over the manager's pool, so it
    // holds the three roles that path needs (docs/CLEARINGHOUSE.md); the
    // owner keeps the others.
    for (const char* role : {"setWithdrawalPublisher(address)", "setFallbackPublisher(address)",
                             "setDirectTransferer(address)"}) {
        call(manager_owner, manager, role, {typed("address", clearinghouse.hex())});
    }
    for (const char* role :
         {"setWithdrawalLimitPublisher(address)", "setPartitionManager(address)"}) {
        call(manager_owner, manager, role, {typed("address", manager_owner.hex())});
    }
    call(manager_owner, manager, "addPartition(bytes32)", {typed("bytes32", partition.hex())});
    call(manager_owner, clearinghouse, "registerPool(address,bytes32,uint8)",
         {typed("address", manager.hex()), typed("bytes32", partition.hex()), typed("uint8", "0")});
    call(manager_owner, clearinghouse, "setAssurer(address,bytes32,address,bool)",
         {typed("address", manager.hex()), typed("bytes32", partition.hex()),
          typed("address", assurer.hex()), typed("bool", true)});
    const std::string two_million = "2000000" + token.substr(1);
    const std::string one_million = "1000000" + token.substr(1);
    for (const Address& a : dev_accounts) {
        // Amp comes into being only through a swap of the old token.
        call(owner, fxc, "mint(address,uint256)",
             {typed("address", a.hex()), typed("uint256", two_million)});
        call(a, fxc, "approve(address,uint256)",
             {typed("address", amp.hex()), typed("uint256", one_million)});
        call(a, amp, "swap(address)", {typed("address", a.hex())});
    }
    return g;
}

}  // namespace ampd::node
