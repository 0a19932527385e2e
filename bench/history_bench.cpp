// What the history store costs per ingested transaction: HistoryStore::
// put_block with blocks shaped like the node's under an Amp-transfer load
// (each transaction a TxRecord of a 173-byte signed transfer and a receipt
// with the two logs an Amp transfer emits: TransferByPartition with 4 topics
// and 160 data bytes, Transfer with 3 topics and 32 data bytes): 2 keys per
// transaction (tx_hashes, and tx_receipts: the transaction with its
// receipt) plus the block's log index keys, one per distinct address or
// topic per block (about 1.4 per transaction here).
//   HistoryPutBlock/N/W   N transactions per block, 100 blocks per iteration;
//                         W = 1: HistoryOptions::disable_wal (as the node
//                         opens it), W = 0: RocksDB's log on; 3 iterations
//                         (600,000 transactions); HistoryPutBlockLong: the
//                         same with W = 1 over 20 (4,000,000).
//   HistoryGetLogs/Q      eth_getLogs over a store of 500 blocks of 2000
//                         such transactions (1,000,000 transactions, 2 M
//                         logs, 1024 accounts), built once: Q = 0 one
//                         account's Transfer logs as sender (topic 1) over
//                         the whole range, Q = 1 the token's Transfer logs
//                         (address + topic 0) over 5 blocks, Q = 2 one
//                         account as sender OR recipient (topic 2 of
//                         TransferByPartition, an OR list of 2) over 100
//                         blocks. Items are logs returned.
//   HistoryGetLogsCold/Q  the same queries, each on a freshly opened store
//                         (empty block cache): what the first query after a
//                         start pays. With direct I/O (the default) its reads
//                         come from the disk; without, from the page cache.
//   HistoryGetLogsSparse/0  query 0 on a store of 100,000 blocks of one
//                         such transaction each (a chain mining a block per
//                         transaction): the largest range eth_getLogs
//                         allows, 391 log index epochs.
//   HistoryReceiptOfNewBlock/A  eth_getTransactionReceipt of a transaction in
//                         the block just written (a client polling for its
//                         receipt): each iteration writes a block of 100 such
//                         transactions (untimed), then looks up the receipt of
//                         its 50th. A = 1 looks it up once untimed first (the
//                         second poll). With direct I/O the block's region was
//                         written around the page cache.
// AMPD_BENCH_HISTORY_DIRECT_IO=0 in the environment opens every store of
// this file without direct I/O (HistoryOptions::direct_io), for comparison;
// AMPD_BENCH_HISTORY_RECENT_REGIONS=0 keeps no recent regions in memory
// (HistoryOptions::recent_regions_bytes = 0).
// Items of HistoryPutBlock are transactions. cpu_us_per_tx counts the whole process's CPU
// (getrusage) from the first block written until HistoryStore::settle() has
// flushed the store and RocksDB has finished every compaction the writes set
// off, less the CPU spent making the blocks: the full cost of ingesting them.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "ampd/storage/history_store.hpp"

namespace {

using ampd::Address;
using ampd::Bytes;
using ampd::Bytes32;
namespace storage = ampd::storage;

storage::HistoryOptions bench_options() {
    storage::HistoryOptions o;
#ifndef AMPD_HISTORY_BENCH_OLD_API
    const char* d = std::getenv("AMPD_BENCH_HISTORY_DIRECT_IO");
    o.direct_io = d == nullptr || std::string(d) != "0";
    const char* r = std::getenv("AMPD_BENCH_HISTORY_RECENT_REGIONS");
    if (r != nullptr && std::string(r) == "0") o.recent_regions_bytes = 0;
#endif
    return o;
}

double thread_cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double process_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

template <class T>
T random_bytes(std::mt19937_64& rng) {
    T out;
    for (auto& b : out.b) b = static_cast<uint8_t>(rng());
    return out;
}

template <class T>
T fixed_bytes(uint64_t seed) {
    std::mt19937_64 rng(seed);
    return random_bytes<T>(rng);
}

struct BlockData {
    storage::BlockRecord block;
    std::vector<storage::TxRecord> txs;
    std::vector<storage::ReceiptRecord> receipts;
};

BlockData make_block(uint64_t number, size_t n, std::mt19937_64& rng,
                     const std::vector<Address>& accounts) {
    // Every log comes from the one token contract with one of two signatures.
    static const Address kAmp = fixed_bytes<Address>(7);
    static const Bytes32 kTransferByPartition = fixed_bytes<Bytes32>(8);
    static const Bytes32 kTransfer = fixed_bytes<Bytes32>(9);
    static const Bytes32 kDefaultPartition{};
    BlockData d;
    d.block.number = number;
    d.block.hash = random_bytes<Bytes32>(rng);
    d.block.timestamp = 1'800'000'000 + number;
    uint32_t log_index = 0;
    for (size_t i = 0; i < n; ++i) {
        const Bytes32 hash = random_bytes<Bytes32>(rng);
        const Address& from = accounts[rng() % accounts.size()];
        const Address& to = accounts[rng() % accounts.size()];
        Bytes32 from_topic;
        Bytes32 to_topic;
        std::copy(from.b.begin(), from.b.end(), from_topic.b.begin() + 12);
        std::copy(to.b.begin(), to.b.end(), to_topic.b.begin() + 12);
        d.block.tx_hashes.push_back(hash);
        d.txs.push_back(
            storage::TxRecord{hash, Bytes(173, 0x42), from, number, static_cast<uint32_t>(i)});
        storage::ReceiptRecord r;
        r.tx_hash = hash;
        r.block_number = number;
        r.tx_index = static_cast<uint32_t>(i);
        r.from = from;
        r.to = kAmp;
        r.status = 1;
        r.tx_type = 2;
        r.gas_used = 60'000;
        r.cumulative_gas_used = 60'000 * (i + 1);
        r.logs.push_back(storage::LogRecordStored{
            kAmp,
            {kTransferByPartition, kDefaultPartition, from_topic, to_topic},
            Bytes(160, 0x01),
            log_index++});
        r.logs.push_back(storage::LogRecordStored{
            kAmp, {kTransfer, from_topic, to_topic}, Bytes(32, 0x01), log_index++});
        d.receipts.push_back(std::move(r));
    }
    return d;
}

std::vector<Address> random_accounts(std::mt19937_64& rng) {
    std::vector<Address> accounts;
    for (int i = 0; i < 1024; ++i) accounts.push_back(random_bytes<Address>(rng));
    return accounts;
}

// A store in a fresh temporary directory, removed with it.
struct ScratchStore {
    std::filesystem::path dir;
    std::unique_ptr<storage::HistoryStore> store;

    ScratchStore() = default;
    ScratchStore(const ScratchStore&) = delete;
    ScratchStore& operator=(const ScratchStore&) = delete;
    ~ScratchStore() {
        store.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

// Null (and the benchmark skipped) when the store does not open.
std::unique_ptr<ScratchStore> open_scratch(benchmark::State& state, const std::string& name,
                                           [[maybe_unused]] bool disable_wal) {
    auto s = std::make_unique<ScratchStore>();
    s->dir = std::filesystem::temp_directory_path() /
             ("ampd-bench-history-" + name + std::to_string(::getpid()));
    std::filesystem::remove_all(s->dir);
    storage::HistoryOptions options = bench_options();
#ifndef AMPD_HISTORY_BENCH_OLD_API
    options.disable_wal = disable_wal;
#endif
    auto store = storage::HistoryStore::open(s->dir, options);
    if (!store) {
        state.SkipWithError(store.error().message.c_str());
        return nullptr;
    }
    s->store = std::move(*store);
    return s;
}

void BM_HistoryPutBlock(benchmark::State& state) {
    const auto per_block = static_cast<size_t>(state.range(0));
    constexpr uint64_t kBlocksPerIteration = 100;
    const auto scratch = open_scratch(state, "", state.range(1) != 0);
    if (!scratch) return;
    storage::HistoryStore* store = scratch->store.get();
    std::mt19937_64 rng(1);
    const std::vector<Address> accounts = random_accounts(rng);
    uint64_t number = 0;
    uint64_t txs = 0;
    // The process's CPU from the first put_block to the end of settle(),
    // less this thread's CPU making blocks: RocksDB's background threads
    // keep flushing and compacting while the next blocks are made, and that
    // work is part of what ingest costs.
    double making = 0;
    const double cpu0 = process_cpu_seconds();
    for (auto _ : state) {
        state.PauseTiming();
        const double make0 = thread_cpu_seconds();
        std::vector<BlockData> blocks;
        for (uint64_t b = 0; b < kBlocksPerIteration; ++b) {
            blocks.push_back(make_block(number++, per_block, rng, accounts));
        }
        making += thread_cpu_seconds() - make0;
        state.ResumeTiming();
        for (const BlockData& d : blocks) {
            if (auto st = store->put_block(d.block, d.txs, d.receipts); !st) {
                state.SkipWithError(st.error().message.c_str());
                return;
            }
        }
        txs += kBlocksPerIteration * per_block;
    }
#ifndef AMPD_HISTORY_BENCH_OLD_API
    if (auto st = store->settle(); !st) {
        state.SkipWithError(st.error().message.c_str());
        return;
    }
#endif
    const double cpu = process_cpu_seconds() - cpu0 - making;
    state.SetItemsProcessed(static_cast<int64_t>(txs));
    state.counters["cpu_us_per_tx"] = 1e6 * cpu / static_cast<double>(txs);
}
BENCHMARK(BM_HistoryPutBlock)
    ->Args({2000, 0})
    ->Args({2000, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
// 4,000,000 transactions (about 2.5 GB of history): long enough for the
// store to outgrow its first compaction level, as a node's does.
BENCHMARK(BM_HistoryPutBlock)
    ->Name("BM_HistoryPutBlockLong")
    ->Args({2000, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

void BM_HistoryReceiptOfNewBlock(benchmark::State& state) {
    const bool second_poll = state.range(0) == 1;
    const auto scratch = open_scratch(state, "receipt-", true);
    if (!scratch) return;
    storage::HistoryStore* store = scratch->store.get();
    std::mt19937_64 rng(3);
    const std::vector<Address> accounts = random_accounts(rng);
    uint64_t number = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const BlockData d = make_block(number++, 100, rng, accounts);
        if (auto st = store->put_block(d.block, d.txs, d.receipts); !st) {
            state.SkipWithError(st.error().message.c_str());
            return;
        }
        const Bytes32 hash = d.txs[50].hash;
        if (second_poll) benchmark::DoNotOptimize(store->receipt_by_tx_hash(hash));
        state.ResumeTiming();
        auto r = store->receipt_by_tx_hash(hash);
        if (!r || !*r || (*r)->tx_hash != hash) {
            state.SkipWithError("receipt lookup failed");
            return;
        }
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_HistoryReceiptOfNewBlock)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(3000);

// A store of `blocks` blocks of `per_block` transactions, built on first
// use and shared by the runs of its benchmarks.
struct LogsFixture {
    std::filesystem::path dir;
    std::unique_ptr<storage::HistoryStore> store;
    std::vector<Address> accounts;
    uint64_t blocks = 0;

    LogsFixture(uint64_t n_blocks, size_t per_block) : blocks(n_blocks) {
        dir = std::filesystem::temp_directory_path() /
              ("ampd-bench-history-logs-" + std::to_string(n_blocks) + "-" +
               std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        auto s = storage::HistoryStore::open(dir, bench_options());
        if (!s) throw std::runtime_error(s.error().message);
        store = std::move(*s);
        std::mt19937_64 rng(1);
        for (int i = 0; i < 1024; ++i) accounts.push_back(random_bytes<Address>(rng));
        for (uint64_t b = 0; b < blocks; ++b) {
            const BlockData d = make_block(b, per_block, rng, accounts);
            if (!store->put_block(d.block, d.txs, d.receipts)) {
                throw std::runtime_error("put_block failed");
            }
        }
    }
    ~LogsFixture() {
        store.reset();
        std::filesystem::remove_all(dir);
    }
};

// 500 blocks of 2000 transactions: a busy chain.
LogsFixture& logs_fixture() {
    static LogsFixture f(500, 2000);
    return f;
}

// 100,000 blocks of one transaction: a quiet chain mining a block per
// transaction (dev automine), where a range of the largest size eth_getLogs
// allows spans 391 log index epochs.
LogsFixture& sparse_fixture() {
    static LogsFixture f(100'000, 1);
    return f;
}

storage::LogFilter query_filter(const LogsFixture& f, int64_t q) {
    static const Address kAmp = fixed_bytes<Address>(7);
    static const Bytes32 kTransferByPartition = fixed_bytes<Bytes32>(8);
    static const Bytes32 kTransfer = fixed_bytes<Bytes32>(9);
    auto topic_of = [](const Address& a) {
        Bytes32 t;
        std::copy(a.b.begin(), a.b.end(), t.b.begin() + 12);
        return t;
    };
    storage::LogFilter filter;
    switch (q) {
        case 0:
            filter.from_block = 0;
            filter.to_block = f.blocks - 1;
            filter.topics[0] = std::vector<Bytes32>{kTransfer};
            filter.topics[1] = std::vector<Bytes32>{topic_of(f.accounts[5])};
            break;
        case 1:
            filter.from_block = 200;
            filter.to_block = 204;
            filter.addresses = {kAmp};
            filter.topics[0] = std::vector<Bytes32>{kTransfer};
            break;
        default:
            filter.from_block = 100;
            filter.to_block = 199;
            filter.topics[0] = std::vector<Bytes32>{kTransferByPartition};
            filter.topics[2] =
                std::vector<Bytes32>{topic_of(f.accounts[7]), topic_of(f.accounts[8])};
            break;
    }
    return filter;
}

// Runs query Q (state.range(0)) once per iteration; `reopen` opens the
// store afresh before each (untimed), so every query starts with an empty
// block cache.
void run_get_logs(benchmark::State& state, LogsFixture& f, bool reopen) {
    const storage::LogFilter filter = query_filter(f, state.range(0));
    storage::LogLimits limits;
    limits.max_results = 1'000'000;
    size_t found = 0;
    for (auto _ : state) {
        if (reopen) {
            state.PauseTiming();
            f.store.reset();
            auto s = storage::HistoryStore::open(f.dir, bench_options());
            if (!s) {
                state.SkipWithError(s.error().message.c_str());
                return;
            }
            f.store = std::move(*s);
            state.ResumeTiming();
        }
        auto r = f.store->get_logs(filter, limits);
        if (!r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
        found += r->size();
        benchmark::DoNotOptimize(r->data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(found));
    state.counters["logs"] = static_cast<double>(found) / static_cast<double>(state.iterations());
}

void BM_HistoryGetLogs(benchmark::State& state) {
    run_get_logs(state, logs_fixture(), false);
}
BENCHMARK(BM_HistoryGetLogs)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_HistoryGetLogsCold(benchmark::State& state) {
    run_get_logs(state, logs_fixture(), true);
}
BENCHMARK(BM_HistoryGetLogsCold)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

// Query 0 (one account as sender, every block) on the quiet chain: 100,000
// blocks, the most eth_getLogs allows.
void BM_HistoryGetLogsSparse(benchmark::State& state) {
    run_get_logs(state, sparse_fixture(), false);
}
BENCHMARK(BM_HistoryGetLogsSparse)->Arg(0)->Unit(benchmark::kMillisecond);

}  // namespace
