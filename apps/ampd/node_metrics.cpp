#include "node_metrics.hpp"

namespace ampd_app {

std::function<void(double, size_t)> commit_observer(ampd::rpc::MetricsRegistry& metrics) {
    ampd::rpc::Histogram& latency = metrics.histogram(
        "ampd_wal_commit_seconds",
        "Time from handing a batch to the write-ahead log until it was fdatasync'ed");
    ampd::rpc::Histogram& records =
        metrics.histogram("ampd_wal_commit_records", "Log records made durable per group commit",
                          {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192});
    return [&latency, &records](double seconds, size_t n) {
        latency.observe(seconds);
        records.observe(static_cast<double>(n));
    };
}

void register_node_metrics(ampd::rpc::MetricsRegistry& metrics, const ampd::node::Node& node) {
    const ampd::node::Node* n = &node;
    metrics.gauge_callback("ampd_block_number", "Number of the newest sealed block",
                           [n] { return static_cast<double>(n->stats().blocks); });
    metrics.gauge_callback("ampd_transactions_total",
                           "Transactions executed into blocks since the node started",
                           [n] { return static_cast<double>(n->stats().transactions); });
    metrics.gauge_callback("ampd_reverts_total", "Executed transactions that reverted",
                           [n] { return static_cast<double>(n->stats().reverts); });
    metrics.gauge_callback("ampd_rejections_total",
                           "Submitted transactions refused at admission (nonce, chain id, gas)",
                           [n] { return static_cast<double>(n->stats().rejections); });
    metrics.gauge_callback("ampd_wal_group_commits_total", "Write-ahead log group commits",
                           [n] { return static_cast<double>(n->stats().wal_syncs); });
    metrics.gauge_callback("ampd_snapshots_total", "State snapshots written",
                           [n] { return static_cast<double>(n->stats().snapshots); });
    metrics.gauge_callback("ampd_history_direct_io",
                           "1 when the history store writes its table files with O_DIRECT, else 0",
                           [n] { return n->stats().history_direct_io ? 1.0 : 0.0; });
}

}  // namespace ampd_app
