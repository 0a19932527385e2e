// Log queries as eth_getLogs and the log filters take them: the parsed
// filter object, and its evaluation over the history store.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "ampd/node/node.hpp"
#include "ampd/rpc/node_api.hpp"
#include "ampd/rpc/params.hpp"

namespace ampd::rpc {

struct LogQuery {
    std::optional<BlockTag> from;  // absent: the head at evaluation time
    std::optional<BlockTag> to;
    std::optional<Bytes32> block_hash;                          // excludes from/to
    std::vector<Address> addresses;                             // empty: any
    std::array<std::optional<std::vector<Bytes32>>, 4> topics;  // nullopt: any
};

// Parses a filter object; throws RpcError(-32602) naming the bad member.
[[nodiscard]] LogQuery parse_log_query(const nlohmann::json& filter);

// The block number a tag names now (labels resolve to the head).
[[nodiscard]] uint64_t block_number_of(node::Node& node, const BlockTag& tag);

// The matching logs in JSON form. `first_block` (for filter changes)
// narrows the range to blocks from it on.
[[nodiscard]] nlohmann::json run_log_query(node::Node& node, const NodeApiConfig& cfg,
                                           const LogQuery& q,
                                           std::optional<uint64_t> first_block = std::nullopt);

}  // namespace ampd::rpc
