// Polling filters (eth_newFilter, eth_newBlockFilter, eth_getFilterChanges,
// eth_getFilterLogs, eth_uninstallFilter): how dapps and ethers'
// contract.on() follow a chain over HTTP. A filter remembers the last block
// it reported; it lives in memory (a restart forgets it, and clients then
// get "filter not found" and install a new one, as with geth) and expires
// after five minutes without a poll.
#include <fmt/core.h>

#include <chrono>
#include <map>
#include <mutex>

#include "ampd/rpc/params.hpp"
#include "history_access.hpp"
#include "log_query.hpp"
#include "node_api_internal.hpp"

namespace ampd::rpc {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr auto kFilterLifetime = std::chrono::minutes(5);
constexpr size_t kMaxFilters = 10'000;

struct Filter {
    bool blocks = false;  // a block filter; otherwise a log filter
    LogQuery query;
    uint64_t next_block = 0;  // the first block the next poll reports
    Clock::time_point last_poll;
};

class FilterRegistry {
public:
    std::string add(Filter f) {
        std::lock_guard lk(mu_);
        expire();
        if (filters_.size() >= kMaxFilters) {
            throw RpcError(errc::kLimitExceeded,
                           fmt::format("too many filters installed (at most {})", kMaxFilters));
        }
        f.last_poll = Clock::now();
        const std::string id = to_quantity(++next_id_);
        filters_.emplace(id, std::move(f));
        return id;
    }

    // Runs `f` on the filter `id` under the lock; throws if it is unknown.
    template <class F>
    auto with(const std::string& id, F&& f) {
        std::lock_guard lk(mu_);
        expire();
        auto it = filters_.find(id);
        if (it == filters_.end()) throw RpcError(errc::kInvalidInput, "filter not found");
        it->second.last_poll = Clock::now();
        return f(it->second);
    }

    bool remove(const std::string& id) {
        std::lock_guard lk(mu_);
        return filters_.erase(id) > 0;
    }

private:
    void expire() {
        const auto now = Clock::now();
        for (auto it = filters_.begin(); it != filters_.end();) {
            it = now - it->second.last_poll > kFilterLifetime ? filters_.erase(it) : std::next(it);
        }
    }

    std::mutex mu_;
    std::map<std::string, Filter> filters_;
    uint64_t next_id_ = 0;
};

std::string filter_id(const Params& p) {
    const json& v = p.at(0);
    if (!v.is_string()) throw invalid_param("argument 0", "filter id must be a hex string");
    // Canonical form, so "0x01" and "0x1" name the same filter.
    return to_quantity(quantity_u64(v, "filter id"));
}

}  // namespace

void register_filter_api(MethodTable& t, node::Node& node, const SharedConfig& cfg) {
    auto filters = std::make_shared<FilterRegistry>();
    t.add("eth_newFilter", [&node, filters](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 1);
        Filter f;
        f.query = parse_log_query(p.at(0));
        if (f.query.block_hash) {
            throw invalid_param("filter", "blockHash is not allowed in an installed filter");
        }
        f.next_block = node.head_number() + 1;
        // A filter from a past block reports the blocks since then on its first poll.
        if (f.query.from)
            f.next_block = std::min(f.next_block, block_number_of(node, *f.query.from));
        return filters->add(std::move(f));
    });
    t.add("eth_newBlockFilter",
          [&node, filters](const json& params, const RequestContext&) -> json {
              (void)Params(params, 0, 0);
              Filter f;
              f.blocks = true;
              f.next_block = node.head_number() + 1;
              return filters->add(std::move(f));
          });
    t.add("eth_getFilterChanges",
          [&node, filters, cfg](const json& params, const RequestContext&) -> json {
              const Params p(params, 1, 1);
              return filters->with(filter_id(p), [&](Filter& f) -> json {
                  const uint64_t head = node.head_number();
                  json out = json::array();
                  if (f.blocks) {
                      for (uint64_t n = f.next_block; n <= head; ++n) {
                          const auto b = history::block_by_number(node.history(), n);
                          if (b) out.push_back(to_hex(b->hash));
                      }
                  } else if (f.next_block <= head) {
                      LogQuery q = f.query;
                      // Without fromBlock the filter starts where it was installed.
                      if (!q.from) q.from = BlockTag{f.next_block};
                      out = run_log_query(node, *cfg, q, f.next_block);
                  }
                  f.next_block = std::max(f.next_block, head + 1);
                  return out;
              });
          });
    t.add("eth_getFilterLogs",
          [&node, filters, cfg](const json& params, const RequestContext&) -> json {
              const Params p(params, 1, 1);
              const LogQuery q = filters->with(filter_id(p), [](Filter& f) {
                  if (f.blocks) throw RpcError(errc::kInvalidInput, "filter not found");
                  return f.query;
              });
              return run_log_query(node, *cfg, q);
          });
    t.add("eth_uninstallFilter", [filters](const json& params, const RequestContext&) -> json {
        const Params p(params, 1, 1);
        return filters->remove(filter_id(p));
    });
}

}  // namespace ampd::rpc
