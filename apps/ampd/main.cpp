// ampd: the node. Recovers its state from the data directory, then serves
// JSON-RPC over HTTP until SIGINT/SIGTERM, and shuts down cleanly (the last
// acknowledged transaction is already durable; a final snapshot makes the
// next start fast).
#include <fmt/core.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "ampd/node/genesis.hpp"
#include "ampd/node/node.hpp"
#include "ampd/rpc/http_server.hpp"
#include "ampd/rpc/json_rpc.hpp"
#include "ampd/rpc/node_api.hpp"
#include "ampd/tx/hd_wallet.hpp"
#include "banner.hpp"
#include "heap_metrics.hpp"
#include "heap_release.hpp"
#include "node_metrics.hpp"

namespace {

struct Options {
    bool dev = false;
    std::string datadir;
    std::string genesis_file;
    std::string http = "127.0.0.1:8545";
    double block_time = -1;
    bool no_fsync = false;
    bool no_direct_io = false;
    bool print_genesis = false;
    std::string log_level = "info";
    size_t rpc_threads = 0;
    size_t rpc_call_threads = 4;
    uint64_t snapshot_interval = 250'000;
    uint64_t coalesce_ms = 25;
};

std::string default_dev_datadir() {
    const char* xdg = std::getenv("XDG_DATA_HOME");
    const char* home = std::getenv("HOME");
    if (xdg != nullptr && *xdg != '\0') return std::string(xdg) + "/ampd/dev";
    if (home != nullptr && *home != '\0') return std::string(home) + "/.local/share/ampd/dev";
    return ".ampd-dev";
}

std::pair<std::string, uint16_t> split_host_port(const std::string& s) {
    const size_t colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) {
        throw CLI::ValidationError("--http", "expected ADDR:PORT, e.g. 127.0.0.1:8545");
    }
    const std::string port = s.substr(colon + 1);
    unsigned long p = 0;
    try {
        size_t used = 0;
        p = std::stoul(port, &used);
        if (used != port.size()) throw std::invalid_argument(port);
    } catch (const std::exception&) {
        throw CLI::ValidationError("--http", "port must be a number");
    }
    if (p > 65535) throw CLI::ValidationError("--http", "port must be at most 65535");
    return {s.substr(0, colon), static_cast<uint16_t>(p)};
}

int run(const Options& o) {
    std::vector<ampd::tx::PrivateKey> dev_keys;
    ampd::node::Genesis genesis;
    if (o.dev) {
        for (const ampd::tx::DevAccount& a : ampd::tx::dev_accounts(20)) dev_keys.push_back(a.key);
        std::vector<ampd::Address> addrs;
        for (const auto& k : dev_keys) addrs.push_back(ampd::tx::address_of(k));
        genesis = o.genesis_file.empty() ? ampd::node::dev_genesis(addrs)
                                         : ampd::node::load_genesis_file(o.genesis_file);
    } else {
        genesis = ampd::node::load_genesis_file(o.genesis_file);
    }
    if (o.print_genesis) {
        std::cout << ampd::node::to_json(genesis).dump(2) << "\n";
        return 0;
    }

    spdlog::info("heap: {}", ampd_app::configure_heap_release());

    ampd::node::NodeConfig cfg;
    cfg.dev = o.dev;
    cfg.datadir = o.datadir.empty() ? default_dev_datadir() : o.datadir;
    const double block_time = o.block_time >= 0 ? o.block_time : (o.dev ? 0.0 : 1.0);
    cfg.block_time = std::chrono::milliseconds(static_cast<int64_t>(block_time * 1000));
    cfg.fsync = !o.no_fsync;
    cfg.history_direct_io = !o.no_direct_io;
    cfg.snapshot_interval_transactions = o.snapshot_interval;
    cfg.coalesce_interval = std::chrono::milliseconds(o.coalesce_ms);
    if (!cfg.fsync) spdlog::warn("--no-fsync: acknowledged transactions can be lost in a crash");

    ampd::rpc::MetricsRegistry metrics;
    cfg.on_commit = ampd_app::commit_observer(metrics);

    // Signals are taken by sigwait() below, so every thread started from here
    // on must inherit them blocked.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    std::unique_ptr<ampd::node::Node> node = ampd::node::Node::open(cfg, genesis);

    ampd::rpc::NodeApiConfig api;
    api.unlocked_keys = dev_keys;
    ampd::rpc::MethodTable table(o.dev);
    ampd::rpc::register_node_api(table, *node, api);
    ampd::rpc::DispatcherConfig dispatch;
    // Methods that may wait for the state lock or the disk run off the
    // serving threads.
    dispatch.call_threads = o.rpc_call_threads;
    ampd::rpc::Dispatcher dispatcher(std::move(table), dispatch, &metrics);
    ampd_app::register_node_metrics(metrics, *node);
    ampd_app::register_heap_metrics(metrics);

    const auto [host, port] = split_host_port(o.http);
    ampd::rpc::HttpServerConfig http;
    http.bind_address = host;
    http.port = port;
    // 0: one serving thread per core. Connections do not hold threads.
    http.worker_threads = o.rpc_threads;
    http.read_timeout = std::chrono::seconds(10);
    ampd::rpc::HttpServer server(http, dispatcher, &metrics, [&node] {
        ampd::rpc::HealthReport r;
        r.body = {
            {"status", "ok"}, {"chainId", node->chain_id()}, {"blockNumber", node->head_number()}};
        return r;
    });
    server.start();
    ampd_app::print_banner(std::cout, *node, cfg, server.url(), dev_keys);

    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
    node.reset();
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ampd: the Amp collateral token node (JSON-RPC over HTTP)"};
    Options o;
    app.add_flag("--dev", o.dev,
                 "development chain: dev genesis, 20 funded unlocked accounts, instant mining, "
                 "evm_* methods");
    app.add_option("--datadir", o.datadir,
                   "data directory (default with --dev: $XDG_DATA_HOME/ampd/dev)");
    app.add_option("--genesis", o.genesis_file, "genesis file (JSON); required without --dev");
    app.add_option("--http", o.http, "JSON-RPC listen address ADDR:PORT")->capture_default_str();
    app.add_option("--block-time", o.block_time,
                   "seconds between blocks; 0 mines each transaction at once (default: 0 with "
                   "--dev, 1 otherwise)");
    app.add_flag("--no-fsync", o.no_fsync,
                 "do not fdatasync the log before acknowledging (unsafe; benchmarks only)");
    app.add_flag("--no-direct-io", o.no_direct_io,
                 "write the history store's files through the page cache (more CPU per "
                 "transaction; recent history stays cached for reads)");
    app.add_option("--coalesce-ms", o.coalesce_ms,
                   "under load, take queued transactions at most this often while the log is "
                   "idle, so group commits stay large (interval mode; 0: at once)")
        ->capture_default_str();
    app.add_option("--snapshot-interval", o.snapshot_interval,
                   "transactions between state snapshots")
        ->capture_default_str();
    app.add_option("--rpc-threads", o.rpc_threads,
                   "JSON-RPC serving threads (default: one per core, at least 2)");
    app.add_option("--rpc-call-threads", o.rpc_call_threads,
                   "threads that run the JSON-RPC methods that may wait for the state lock or "
                   "the disk: all but eth_sendRawTransaction and quick ones such as eth_chainId "
                   "(0: the serving threads run them)")
        ->capture_default_str();
    app.add_flag("--print-genesis", o.print_genesis, "print the genesis as JSON and exit");
    app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    if (!o.dev && (o.genesis_file.empty() || o.datadir.empty()) && !o.print_genesis) {
        std::cerr << "ampd: without --dev, --datadir and --genesis are required\n";
        return 2;
    }
    if (!o.dev && o.genesis_file.empty()) {
        std::cerr << "ampd: --print-genesis without --dev needs --genesis\n";
        return 2;
    }
    // Logs go to stderr; stdout carries the banner and --print-genesis.
    spdlog::set_default_logger(spdlog::stderr_color_mt("ampd"));
    spdlog::set_level(spdlog::level::from_str(o.log_level));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    try {
        return run(o);
    } catch (const CLI::Error& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
