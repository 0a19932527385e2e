// The node's Prometheus metrics beyond the RPC layer's own: blocks,
// transactions, reverts, rejections, snapshots and WAL commit latency.
#pragma once

#include <functional>

#include "ampd/node/node.hpp"
#include "ampd/rpc/metrics.hpp"

namespace ampd_app {

// An observer for NodeConfig::on_commit feeding ampd_wal_commit_seconds and
// ampd_wal_commit_records.
std::function<void(double, size_t)> commit_observer(ampd::rpc::MetricsRegistry& metrics);
// Gauges read from the node at scrape time; `node` must outlive `metrics`'
// last render.
void register_node_metrics(ampd::rpc::MetricsRegistry& metrics, const ampd::node::Node& node);

}  // namespace ampd_app
