// The JSON-RPC calls the amp commands make, with answers parsed and
// failures turned into the CLI's errors: RevertError for a reverted call or
// estimate, CommandError for an unreachable node or any other error answer
// (naming the method and the node's message).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"
#include "ampd/rpc/client.hpp"

namespace ampd::cli {

// A FlexaCollateralManager the node runs, with its permitted partitions.
struct ManagerInfo {
    Address address;
    Address owner;
    std::vector<Bytes32> partitions;
};

// What amp_getContracts says the node runs.
struct NodeContracts {
    uint64_t chain_id = 0;
    // The genesis contracts: "amp", "collateralManager", "swapToken", ...
    std::map<std::string, Address> by_name;
    // Every manager in the state (genesis or created later).
    std::vector<ManagerInfo> managers;
    // The permitted collateral partition of the dev manager (dev nodes only).
    std::optional<Bytes32> collateral_partition;

    [[nodiscard]] std::optional<Address> find(const std::string& name) const;
    [[nodiscard]] const ManagerInfo* manager(const Address& a) const;
};

class NodeClient {
public:
    // Throws UsageError for a URL that is not http(s)://host[:port][/path].
    explicit NodeClient(std::string url);

    [[nodiscard]] const std::string& url() const { return client_->url(); }

    // One call; errors mapped as described above.
    nlohmann::json request(std::string_view method,
                           const nlohmann::json& params = nlohmann::json::array());

    uint64_t chain_id();
    uint64_t block_number();
    // amp_getContracts, asked once. nullopt when the node does not have the
    // method (not an ampd node).
    const std::optional<NodeContracts>& contracts();

    // eth_call against the latest state; the return data.
    Bytes call(const Address& to, const Bytes& data, const std::optional<Address>& from = {});
    uint64_t estimate_gas(const Address& from, const Address& to, const Bytes& data);
    uint64_t pending_nonce(const Address& a);
    u256 max_priority_fee();
    // The latest block's baseFeePerGas (0 when the block has none).
    u256 base_fee();
    Bytes32 send_raw_transaction(ByteView raw);
    // null when the node does not know the hash (or, for the receipt, the
    // transaction is not in a block yet).
    nlohmann::json transaction(const Bytes32& hash);
    nlohmann::json receipt(const Bytes32& hash);

private:
    std::unique_ptr<rpc::JsonRpcClient> client_;
    bool contracts_asked_ = false;
    std::optional<NodeContracts> contracts_;
};

}  // namespace ampd::cli
