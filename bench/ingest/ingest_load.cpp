// ampd_ingest_load: signed-transaction ingest through eth_sendRawTransaction
// against the real ampd binary, compared with the machine's sender-recovery
// bound measured in the same run. See docs/PERFORMANCE.md ("Ingest").
//
//   1. bound: recover_address on every core for a few seconds -> recoveries/s
//   2. genesis: the dev genesis plus `--senders` funded accounts
//   3. every transaction signed and every request body built up front
//   4. ampd started as a child (fsync on, interval blocks), driven by
//      `--clients` keep-alive connections, one transaction per request or
//      JSON-RPC batches of `--batch` transactions of one sender
//   5. report: acknowledged tx/s, latency per request, CPU of the generator
//      and of the node, then a check that every acknowledged transaction is
//      in the chain (nonces) and that sampled receipts exist
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "ampd/primitives/bytes.hpp"
#include "drive.hpp"
#include "http_connection.hpp"
#include "node_process.hpp"
#include "recovery_bound.hpp"
#include "workload.hpp"

namespace ampd_load {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string ampd;
    size_t clients = 32;
    size_t batch = 0;
    size_t senders = 1024;
    size_t per_sender = 128;
    double block_time = 0.2;
    size_t rpc_threads = 0;
    std::string workdir;
    bool no_fsync = false;
    double bound_seconds = 3;
    size_t receipt_sample = 256;
    bool keep = false;
};

double percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)];
}

json rpc(HttpConnection& conn, const json& body) {
    const HttpResponse r = conn.round_trip(post_request(body.dump()));
    if (r.status != 200) throw std::runtime_error(fmt::format("HTTP {}: {}", r.status, r.body));
    return json::parse(r.body);
}

bool wait_until_serving(HttpConnection& conn, NodeProcess& node, double seconds) {
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < deadline) {
        if (!node.alive()) return false;
        try {
            conn.open();
            rpc(conn, {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "eth_chainId"}});
            return true;
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    return false;
}

// A metric's value from the Prometheus text, or -1.
double metric(const std::string& text, const std::string& name) {
    const size_t at = text.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + name.size() + 2));
}

struct Verification {
    bool nonces_ok = false;
    uint64_t chain_nonces = 0;
    size_t receipts_checked = 0;
    size_t receipts_ok = 0;
};

// Waits for the last block to be sealed, then checks every sender's mined
// nonce against what was acknowledged, and a sample of receipts.
Verification verify(HttpConnection& conn, const std::vector<Sender>& senders,
                    const std::vector<uint32_t>& acked_per_sender,
                    const std::vector<std::vector<SignedTransfer>>& txs, size_t sample) {
    Verification v;
    uint64_t expected = 0;
    for (uint32_t n : acked_per_sender) expected += n;
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
        v.chain_nonces = 0;
        bool each_ok = true;
        for (size_t from = 0; from < senders.size(); from += 500) {
            json batch = json::array();
            const size_t to = std::min(senders.size(), from + 500);
            for (size_t s = from; s < to; ++s) {
                batch.push_back({{"jsonrpc", "2.0"},
                                 {"id", s},
                                 {"method", "eth_getTransactionCount"},
                                 {"params", {senders[s].address.hex(), "latest"}}});
            }
            for (const json& r : rpc(conn, batch)) {
                const auto s = r.at("id").get<size_t>();
                const uint64_t n = std::stoull(r.at("result").get<std::string>(), nullptr, 16);
                v.chain_nonces += n;
                if (n != acked_per_sender[s]) each_ok = false;
            }
        }
        if (each_ok && v.chain_nonces == expected) {
            v.nonces_ok = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    // The history store indexes sealed blocks a moment after the chain
    // seals them: wait until the newest block number stops moving.
    uint64_t head = 0;
    for (int stable = 0; stable < 3 && Clock::now() < deadline;) {
        const json r = rpc(conn, {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "eth_blockNumber"}});
        const uint64_t now = std::stoull(r.at("result").get<std::string>(), nullptr, 16);
        stable = now == head ? stable + 1 : 0;
        head = now;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::mt19937_64 rng(42);
    json batch = json::array();
    for (size_t i = 0; i < sample; ++i) {
        const size_t s = rng() % senders.size();
        if (acked_per_sender[s] == 0) continue;
        const size_t k = rng() % acked_per_sender[s];
        batch.push_back({{"jsonrpc", "2.0"},
                         {"id", i},
                         {"method", "eth_getTransactionReceipt"},
                         {"params", {txs[s][k].hash_hex}}});
    }
    if (batch.empty()) return v;
    for (const json& r : rpc(conn, batch)) {
        ++v.receipts_checked;
        const json& receipt = r.at("result");
        if (receipt.is_object() && receipt.value("status", "") == "0x1") ++v.receipts_ok;
    }
    return v;
}

int run(const Options& o) {
    const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
    fmt::print("machine: {} cores, load average {:.2f} at start\n", cores, load_average());

    // 1. The bound, before the node exists (nothing else of ours running).
    const RecoveryRate one = measure_recovery_rate(1, o.bound_seconds / 2);
    const RecoveryRate before = measure_recovery_rate(cores, o.bound_seconds);
    fmt::print(
        "recovery bound before: {:.0f} recoveries/s on {} threads ({:.0f}/s on 1 thread; {:.1f} "
        "us of CPU each)\n",
        before.per_second, before.threads, one.per_second, 1e6 * before.cpu_seconds);

    // 2. Genesis and workload.
    const std::filesystem::path work = o.workdir.empty()
                                           ? std::filesystem::temp_directory_path() /
                                                 fmt::format("ampd-ingest-load-{}", ::getpid())
                                           : std::filesystem::path(o.workdir);
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    // Removed however the run ends (the data directory holds every block).
    struct Cleanup {
        std::filesystem::path dir;
        bool keep;
        ~Cleanup() {
            std::error_code ec;
            if (!keep) std::filesystem::remove_all(dir, ec);
        }
    } cleanup{work, o.keep};
    const json dev = json::parse(run_capture({o.ampd, "--dev", "--print-genesis"}));
    const std::vector<Sender> senders = make_senders(o.senders);
    const json genesis = fund_senders(dev, senders, "100000000000000000000");
    {
        std::ofstream out(work / "genesis.json");
        out << genesis.dump(1) << "\n";
    }
    ampd::Address amp;
    for (const json& c : genesis.at("contracts")) {
        if (c.at("name") == "amp")
            amp = *ampd::Address::from_hex(c.at("address").get<std::string>());
    }
    const auto chain_id = genesis.at("chainId").get<uint64_t>();

    const auto sign_start = Clock::now();
    const auto txs = sign_transfers(senders, o.per_sender, chain_id, amp, cores);
    const size_t raw_bytes = (txs[0][0].raw_hex.size() - 2) / 2;
    fmt::print("a transaction: {} bytes signed; its WAL record {} bytes (17 header + 20 sender)\n",
               raw_bytes, raw_bytes + 37);
    const auto requests = build_requests(o.clients, o.batch, o.per_sender, txs);
    fmt::print(
        "signed {} transactions of {} senders in {:.1f} s; {} requests over {} clients ({})\n",
        o.senders * o.per_sender, o.senders,
        std::chrono::duration<double>(Clock::now() - sign_start).count(),
        [&] {
            size_t n = 0;
            for (const auto& r : requests) n += r.size();
            return n;
        }(),
        o.clients,
        o.batch == 0 ? std::string("one transaction per request")
                     : fmt::format("batches of {} transactions of one sender", o.batch));

    // 3. The node.
    const uint16_t port = free_port();
    std::vector<std::string> argv{o.ampd,
                                  "--genesis",
                                  (work / "genesis.json").string(),
                                  "--datadir",
                                  (work / "data").string(),
                                  "--http",
                                  fmt::format("127.0.0.1:{}", port),
                                  "--block-time",
                                  fmt::format("{}", o.block_time),
                                  "--log-level",
                                  "warn"};
    if (o.rpc_threads > 0) {
        argv.emplace_back("--rpc-threads");
        argv.emplace_back(std::to_string(o.rpc_threads));
    }
    if (o.no_fsync) argv.emplace_back("--no-fsync");
    fmt::print("node: {}\n", fmt::join(argv, " "));
    NodeProcess node(argv, work / "ampd.log");
    HttpConnection control("127.0.0.1", port);
    if (!wait_until_serving(control, node, 120)) {
        std::ifstream log(work / "ampd.log");
        const std::string text((std::istreambuf_iterator<char>(log)),
                               std::istreambuf_iterator<char>());
        throw std::runtime_error("ampd did not come up:\n" +
                                 text.substr(text.size() > 2000 ? text.size() - 2000 : 0));
    }

    // 4. The timed phase. The control connection is closed first, so that
    // the node serves exactly the clients' connections. (Before the server
    // was event-driven, an idle connection held one of its threads until the
    // keep-alive timeout, 5 s: a client waited that long for a thread.)
    control.close();
    const double load_before = load_average();
    MachineCpu machine0;
    double self0 = 0;
    double node0 = 0;
    std::map<std::string, double> threads0;
    RecoveryProbe probe;
    const TimedPhase t = drive(port, requests, txs, o.senders, [&] {
        machine0 = machine_cpu();
        self0 = self_cpu_seconds();
        node0 = node.cpu_seconds();
        threads0 = node.thread_cpu_seconds();
        probe.start();
    });
    const RecoveryProbe::Result during = probe.stop();
    if (during.wrong) throw std::runtime_error("probe: a recovery returned the wrong address");
    // The probe runs in this process; its CPU is reported on its own.
    const double self_cpu = self_cpu_seconds() - self0 - during.cpu_seconds;
    const double node_cpu = node.cpu_seconds() - node0;
    // Per thread name: the RPC workers (where recovery runs) apart from the
    // sequencer, the indexer, the WAL and RocksDB's flush and compaction
    // threads, whose work is the node's own cost per transaction.
    std::map<std::string, double> thread_cpu = node.thread_cpu_seconds();
    for (auto& [name, s] : thread_cpu) {
        auto it = threads0.find(name);
        if (it != threads0.end()) s -= it->second;
    }
    const MachineCpu machine1 = machine_cpu();
    const double busy = machine1.busy - machine0.busy;
    const double total_cpu = machine1.total - machine0.total;
    for (const std::string& f : t.failures) fmt::print("failure: {}\n", f);
    const uint64_t acked = t.acked;
    const uint64_t failed = t.failed;
    const double wall = t.wall_seconds;
    std::vector<double> lat = t.latencies_us;
    const double rate = static_cast<double>(acked) / wall;

    // 5. Verification and the node's own counters. A fresh connection: the
    // node closes idle keep-alive connections after a few seconds.
    control.open();
    const Verification v = verify(control, senders, t.acked_per_sender, txs, o.receipt_sample);
    const std::string metrics = control.round_trip(get_request("/metrics")).body;
    const double commits = metric(metrics, "ampd_wal_group_commits_total");
    rusage node_usage{};
    const int status = node.stop(&node_usage);
    const double node_life_cpu = node_usage.ru_utime.tv_sec + node_usage.ru_utime.tv_usec / 1e6 +
                                 node_usage.ru_stime.tv_sec + node_usage.ru_stime.tv_usec / 1e6;

    // The bound again, now that the node is gone: other work on the machine
    // changes it over a run, and the higher of the two makes the ratio the
    // conservative one.
    const RecoveryRate after = measure_recovery_rate(cores, o.bound_seconds);
    const double bound = std::max(before.per_second, after.per_second);
    fmt::print("recovery bound after: {:.0f} recoveries/s; the ratio uses {:.0f}\n",
               after.per_second, bound);
    // Recovery's share of the CPU the node and the generator spent per
    // transaction: the ratio this run would reach if both had the cores to
    // themselves and kept them busy (a projection, not a measurement).
    const double cpu_per_tx = (node_cpu + self_cpu) / std::max<double>(1, acked);
    const double recovery_cpu = (before.cpu_seconds + after.cpu_seconds) / 2;
    const double efficiency = recovery_cpu / cpu_per_tx;
    // The same two figures at what a recovery cost during the run.
    const double bound_during = during.cpu_per_recovery > 0 ? cores / during.cpu_per_recovery : 0;
    const double efficiency_during = during.cpu_per_recovery / cpu_per_tx;

    fmt::print("acknowledged {} transactions ({} failed) in {:.2f} s: {:.0f} tx/s\n", acked, failed,
               wall, rate);
    fmt::print("ratio to the recovery bound: {:.1f}% ({:.0f} / {:.0f})\n", 100 * rate / bound, rate,
               bound);
    fmt::print(
        "latency per request (us): p50 {:.0f}  p90 {:.0f}  p99 {:.0f}  max {:.0f}  ({} requests)\n",
        percentile(lat, 0.5), percentile(lat, 0.9), percentile(lat, 0.99),
        lat.empty() ? 0.0 : lat.back(), lat.size());
    fmt::print(
        "CPU in the timed phase: node {:.2f} s ({:.1f} us/tx), load generator {:.2f} s "
        "({:.1f} us/tx), machine busy {:.2f} of {:.2f} core-s (others {:.2f})\n",
        node_cpu, 1e6 * node_cpu / std::max<double>(1, acked), self_cpu,
        1e6 * self_cpu / std::max<double>(1, acked), busy, total_cpu,
        std::max(0.0, busy - node_cpu - self_cpu - during.cpu_seconds));
    std::string by_thread;
    json thread_us = json::object();
    for (const auto& [name, s] : thread_cpu) {
        const double us = 1e6 * s / std::max<double>(1, acked);
        if (us < 0.05) continue;
        by_thread += fmt::format("{}{} {:.1f}", by_thread.empty() ? "" : ", ", name, us);
        thread_us[name] = us;
    }
    fmt::print("node CPU per transaction by thread (us): {}\n", by_thread);
    fmt::print(
        "recovery is {:.1f}% of the node + generator CPU per transaction ({:.1f} of {:.1f} us)\n",
        100 * efficiency, 1e6 * recovery_cpu, 1e6 * cpu_per_tx);
    if (during.samples > 0) {
        fmt::print(
            "recovery during the timed phase (probe: {} batches on 1 thread, {:.2f} core-s): "
            "{:.1f} us of CPU each, so {:.0f} recoveries/s on {} cores; ratio at that speed "
            "{:.1f}%, recovery {:.1f}% of the node + generator CPU per transaction\n",
            during.samples, during.cpu_seconds, 1e6 * during.cpu_per_recovery, bound_during, cores,
            100 * rate / bound_during, 100 * efficiency_during);
    }
    fmt::print("load average {:.2f} before the timed phase, {:.2f} after\n", load_before,
               load_average());
    fmt::print(
        "WAL group commits: {:.0f} over the node's life ({:.1f} records each on average); "
        "node CPU over its life {:.2f} s; exit status {}\n",
        commits, commits > 0 ? static_cast<double>(acked) / commits : 0.0, node_life_cpu, status);
    fmt::print("verify: mined nonces {} ({}), receipts {}/{} with status 1\n", v.chain_nonces,
               v.nonces_ok ? "match the acknowledged transactions" : "MISMATCH", v.receipts_ok,
               v.receipts_checked);

    const json summary = {{"mode", o.batch == 0 ? "single" : fmt::format("batch{}", o.batch)},
                          {"clients", o.clients},
                          {"fsync", !o.no_fsync},
                          {"block_time", o.block_time},
                          {"bound", bound},
                          {"bound_before", before.per_second},
                          {"bound_after", after.per_second},
                          {"bound_1thread", one.per_second},
                          {"recovery_cpu_us", 1e6 * recovery_cpu},
                          {"tx_per_s", rate},
                          {"ratio", rate / bound},
                          {"probe_recovery_us", 1e6 * during.cpu_per_recovery},
                          {"probe_cpu_s", during.cpu_seconds},
                          {"bound_during", bound_during},
                          {"ratio_during", bound_during > 0 ? rate / bound_during : 0.0},
                          {"cpu_efficiency_during", efficiency_during},
                          {"cpu_efficiency", efficiency},
                          {"acked", acked},
                          {"failed", failed},
                          {"p50_us", percentile(lat, 0.5)},
                          {"p99_us", percentile(lat, 0.99)},
                          {"node_cpu_s", node_cpu},
                          {"node_thread_us_per_tx", thread_us},
                          {"load_cpu_s", self_cpu},
                          {"others_cpu_s", std::max(0.0, busy - node_cpu - self_cpu)},
                          {"wall_s", wall},
                          {"wal_commits", commits},
                          {"load_avg_before", load_before},
                          {"verified", v.nonces_ok && v.receipts_ok == v.receipts_checked}};
    fmt::print("RESULT {}\n", summary.dump());
    const bool good = failed == 0 && v.nonces_ok && v.receipts_ok == v.receipts_checked;
    return good ? 0 : 1;
}

}  // namespace
}  // namespace ampd_load

int main(int argc, char** argv) {
    CLI::App app{"ampd_ingest_load: eth_sendRawTransaction ingest against a child ampd"};
    ampd_load::Options o;
    app.add_option("ampd", o.ampd, "path of the ampd binary")->required();
    app.add_option("--clients", o.clients, "concurrent keep-alive connections")
        ->capture_default_str();
    app.add_option("--batch", o.batch,
                   "transactions of one sender per JSON-RPC batch (0: one per request)")
        ->capture_default_str();
    app.add_option("--senders", o.senders, "funded sender accounts")->capture_default_str();
    app.add_option("--per-sender", o.per_sender, "transactions per sender")->capture_default_str();
    app.add_option("--block-time", o.block_time, "the node's --block-time (seconds, > 0)")
        ->capture_default_str();
    app.add_option("--rpc-threads", o.rpc_threads,
                   "the node's --rpc-threads (default: the node's own default)");
    app.add_option("--workdir", o.workdir, "genesis, data directory and log (default: a temp dir)");
    app.add_flag("--no-fsync", o.no_fsync, "run the node with --no-fsync (comparison only)");
    app.add_option("--bound-seconds", o.bound_seconds, "duration of the recovery-bound measurement")
        ->capture_default_str();
    app.add_option("--receipts", o.receipt_sample, "receipts to check afterwards")
        ->capture_default_str();
    app.add_flag("--keep", o.keep, "keep the work directory");
    CLI11_PARSE(app, argc, argv);
    if (o.clients == 0 || o.senders < o.clients || o.per_sender == 0 || o.block_time <= 0) {
        std::cerr << "need clients > 0, senders >= clients, per-sender > 0, block-time > 0\n";
        return 2;
    }
    try {
        return ampd_load::run(o);
    } catch (const std::exception& e) {
        std::cerr << "ampd_ingest_load: " << e.what() << "\n";
        return 1;
    }
}
