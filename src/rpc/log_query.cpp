#include "log_query.hpp"

#include "ampd/rpc/error.hpp"
#include "history_access.hpp"

namespace ampd::rpc {

namespace {
using nlohmann::json;
}  // namespace

uint64_t block_number_of(node::Node& node, const BlockTag& tag) {
    if (const auto* label = std::get_if<BlockLabel>(&tag)) {
        return *label == BlockLabel::kEarliest ? 0 : node.head_number();
    }
    if (const auto* n = std::get_if<uint64_t>(&tag)) return *n;
    const std::optional<storage::BlockRecord> b =
        history::block_by_hash(node.history(), std::get<BlockHashRef>(tag).hash);
    if (!b) throw RpcError(errc::kResourceNotFound, "block not found");
    return b->number;
}

LogQuery parse_log_query(const json& f) {
    if (!f.is_object()) throw invalid_param("argument 0", "filter must be an object");
    LogQuery q;
    if (auto it = f.find("blockHash"); it != f.end() && !it->is_null()) {
        if (f.contains("fromBlock") || f.contains("toBlock")) {
            throw invalid_param("filter", "blockHash cannot be combined with fromBlock/toBlock");
        }
        q.block_hash = hash32(*it, "blockHash");
    }
    if (auto it = f.find("fromBlock"); it != f.end() && !it->is_null()) {
        q.from = block_tag(*it, "fromBlock");
    }
    if (auto it = f.find("toBlock"); it != f.end() && !it->is_null()) {
        q.to = block_tag(*it, "toBlock");
    }
    if (auto it = f.find("address"); it != f.end() && !it->is_null()) {
        if (it->is_array()) {
            for (const json& a : *it) q.addresses.push_back(address(a, "address"));
        } else {
            q.addresses.push_back(address(*it, "address"));
        }
    }
    if (auto it = f.find("topics"); it != f.end() && !it->is_null()) {
        if (!it->is_array() || it->size() > 4) {
            throw invalid_param("topics", "must be a list of at most 4 entries");
        }
        for (size_t i = 0; i < it->size(); ++i) {
            const json& t = (*it)[i];
            if (t.is_null()) continue;
            std::vector<Bytes32> any;
            if (t.is_array()) {
                for (const json& x : t) {
                    if (!x.is_null()) any.push_back(hash32(x, "topic"));
                }
                if (any.size() != t.size()) continue;  // a null inside an OR-list matches all
            } else {
                any.push_back(hash32(t, "topic"));
            }
            q.topics[i] = std::move(any);
        }
    }
    return q;
}

json run_log_query(node::Node& node, const NodeApiConfig& cfg, const LogQuery& q,
                   std::optional<uint64_t> first_block) {
    storage::LogFilter filter;
    const uint64_t head = node.head_number();
    if (q.block_hash) {
        const std::optional<storage::BlockRecord> b =
            history::block_by_hash(node.history(), *q.block_hash);
        if (!b) throw RpcError(errc::kResourceNotFound, "block not found");
        filter.from_block = filter.to_block = b->number;
    } else {
        filter.from_block = q.from ? block_number_of(node, *q.from) : head;
        filter.to_block = std::min(q.to ? block_number_of(node, *q.to) : head, head);
    }
    if (first_block) filter.from_block = std::max(filter.from_block, *first_block);
    if (filter.from_block > filter.to_block) return json::array();
    filter.addresses = q.addresses;
    filter.topics = q.topics;

    storage::LogLimits limits;
    limits.max_block_range = cfg.max_log_block_range;
    limits.max_results = cfg.max_log_results;
    auto found = node.history().get_logs(filter, limits);
    if (!found) {
        if (found.error().kind == storage::ErrorKind::kLimitExceeded) {
            throw RpcError(errc::kLimitExceeded, found.error().message);
        }
        throw RpcError(errc::kInternalError, "history store read failed");
    }
    json out = json::array();
    for (const storage::FoundLog& l : *found) {
        json topics = json::array();
        for (const Bytes32& t : l.log.topics) topics.push_back(to_hex(t));
        out.push_back({{"address", to_hex(l.log.address)},
                       {"topics", topics},
                       {"data", to_data(l.log.data)},
                       {"blockNumber", to_quantity(l.block_number)},
                       {"blockHash", to_hex(l.block_hash)},
                       {"transactionHash", to_hex(l.tx_hash)},
                       {"transactionIndex", to_quantity(static_cast<uint64_t>(l.tx_index))},
                       {"logIndex", to_quantity(static_cast<uint64_t>(l.log.log_index))},
                       {"removed", false}});
    }
    return out;
}

}  // namespace ampd::rpc
