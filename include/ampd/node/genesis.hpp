// The genesis of a chain: its id, the built-in contracts with their addresses
// and constructor arguments, and the calls that configure and fund them.
//
// A genesis is data (JSON), so that operators can write their own; the dev
// genesis is generated in code from the well-known development accounts and
// can be printed as JSON (`ampd --dev --print-genesis`) as a starting point.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "ampd/conformance/typed_value.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/state/world.hpp"

namespace ampd::node {

// A genesis file that does not follow the format, or a genesis whose
// deployment or calls revert. The message names the offending entry.
class GenesisError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct GenesisContract {
    std::string name;  // a label for people and amp_getContracts ("amp", "manager")
    std::string type;  // a built-in type (contracts::is_builtin_type)
    Address address;
    Address deployer;  // msg.sender of the constructor
    std::vector<conformance::TypedValue> args;
};

struct GenesisCall {
    Address from;
    Address to;
    std::string function;  // "setPartitionStrategy(bytes4,address)"
    std::vector<conformance::TypedValue> args;
};

struct Genesis {
    uint64_t chain_id = 0;
    uint64_t timestamp = 0;  // the genesis block's timestamp
    std::vector<GenesisContract> contracts;
    std::vector<GenesisCall> calls;
    // Accounts worth listing at start-up (the dev accounts); informational.
    std::vector<Address> accounts;

    // Looks up a contract by name; nullptr if absent.
    [[nodiscard]] const GenesisContract* contract(std::string_view name) const;
};

// Parses the JSON form. Throws GenesisError with the path of the bad field.
[[nodiscard]] Genesis parse_genesis(const nlohmann::json& j);
[[nodiscard]] Genesis load_genesis_file(const std::string& path);
[[nodiscard]] nlohmann::json to_json(const Genesis& g);
// keccak256 of the canonical JSON form: a data directory remembers it and
// refuses to open under a different genesis.
[[nodiscard]] Bytes32 genesis_hash(const Genesis& g);

// Builds the genesis state: deploys every contract and runs every call in
// order, in block 0. Throws GenesisError naming the step that reverted.
[[nodiscard]] std::unique_ptr<state::World> build_genesis_world(const Genesis& g);

// The dev genesis: chain id 31337; the 20 accounts of the standard test
// mnemonic, each holding 1,000,000 AMP and 1,000,000 FXC; the swap token and
// Amp at their Ethereum mainnet addresses, owned by account 0; both
// partition strategies; one FlexaCollateralManager owned by account 1 with
// one permitted collateral partition; the Clearinghouse, holding the
// manager's direct-transfer, withdrawal- and fallback-publisher roles (account
// 1 keeps the others), with that partition registered as a pool (expiry
// policy 0) whose assurer is account 2.
[[nodiscard]] Genesis dev_genesis(const std::vector<Address>& dev_accounts);

// The permitted collateral partition of the dev genesis' manager.
[[nodiscard]] Bytes32 dev_collateral_partition(const Address& manager);

}  // namespace ampd::node
