// Durability throughput: what one fdatasync per write costs on this disk,
// and how many durable records per second the WAL's group commit delivers.
//   RawFdatasync/N     append N bytes to a file, fdatasync, repeat: the rate a
//                      log without group commit could acknowledge records,
//                      and, as N grows to megabytes, the sequential durable
//                      bandwidth of the disk (bytes/s) that any log is bound by.
//   WalPipelined/N     one producer submits 1-record batches of N bytes without
//                      waiting (the sequencer's pattern); the flusher coalesces.
//                      Each iteration is 1000 records, then flush_and_wait.
//   WalClosedLoop/T/A  T client threads each submit one 256-byte record and wait
//                      for its acknowledgement before sending the next: a sync
//                      per few records. A = the WAL's preallocation step in KiB
//                      (0: the file grows with every write, so every fdatasync
//                      also commits the file's new size). cpu_us_per_record is
//                      the process's CPU (all threads, user + system).
//   WalProducers/T/K/P T producer threads each submit batches of K records of
//                      P payload bytes without waiting (one callback per batch,
//                      as the node's sequencer submits), 20000 records per
//                      producer per iteration, then flush_and_wait. Bytes are
//                      counted as written to the log (payload + 17-byte header).
//                      P = 200: a node transaction record (20-byte sender and
//                      a ~175-byte signed Amp transfer).
// Items are durable records. Files live under the system temporary directory
// (set TMPDIR to measure another disk).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ampd/storage/wal.hpp"

namespace {

using ampd::Bytes;
using ampd::storage::Result;
using ampd::storage::Wal;

class BenchDir {
public:
    explicit BenchDir(const std::string& name)
        : path_(std::filesystem::temp_directory_path() /
                ("ampd-bench-" + name + "-" + std::to_string(::getpid()))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~BenchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    BenchDir(const BenchDir&) = delete;
    BenchDir& operator=(const BenchDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

void BM_RawFdatasync(benchmark::State& state) {
    const auto size = static_cast<size_t>(state.range(0));
    BenchDir dir("raw");
    const int fd = ::open((dir.path() / "raw.log").c_str(), O_CREAT | O_WRONLY | O_APPEND, 0644);
    if (fd < 0) {
        state.SkipWithError("open failed");
        return;
    }
    const Bytes buf(size, 0xAB);
    for (auto _ : state) {
        if (::write(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size()) ||
            ::fdatasync(fd) != 0) {
            state.SkipWithError("write or fdatasync failed");
            break;
        }
    }
    ::close(fd);
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(size));
}
BENCHMARK(BM_RawFdatasync)
    ->Arg(256)
    ->Arg(4096)
    ->Arg(16 << 10)
    ->Arg(64 << 10)
    ->Arg(256 << 10)
    ->Arg(1 << 20)
    ->Arg(4 << 20)
    ->Arg(16 << 20)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

double process_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::unique_ptr<Wal> open_wal(benchmark::State& state, const BenchDir& dir,
                              const ampd::storage::WalOptions& options = {}) {
    auto wal = Wal::open(dir.path() / "wal", options);
    if (!wal) {
        state.SkipWithError(wal.error().message.c_str());
        return nullptr;
    }
    return std::move(*wal);
}

void BM_WalPipelined(benchmark::State& state) {
    const auto size = static_cast<size_t>(state.range(0));
    constexpr int kPerIteration = 1000;
    BenchDir dir("pipelined");
    auto wal = open_wal(state, dir);
    if (!wal) return;
    std::atomic<uint64_t> acked{0};
    for (auto _ : state) {
        for (int i = 0; i < kPerIteration; ++i) {
            std::vector<std::pair<uint8_t, Bytes>> recs;
            recs.emplace_back(1, Bytes(size, 0xCD));
            auto seq = wal->submit(std::move(recs), [&](const Result<uint64_t>& r) {
                if (r) acked.fetch_add(1, std::memory_order_relaxed);
            });
            if (!seq) {
                state.SkipWithError("submit failed");
                return;
            }
        }
        if (!wal->flush_and_wait()) {
            state.SkipWithError("flush failed");
            return;
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(acked.load()));
    state.SetBytesProcessed(static_cast<int64_t>(acked.load() * size));
}
BENCHMARK(BM_WalPipelined)->Arg(256)->Arg(4096)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_WalClosedLoop(benchmark::State& state) {
    const auto threads = static_cast<int>(state.range(0));
    ampd::storage::WalOptions options;
    options.preallocate_bytes = static_cast<uint64_t>(state.range(1)) << 10;
    constexpr int kPerThread = 50;
    BenchDir dir("closed");
    auto wal = open_wal(state, dir, options);
    if (!wal) return;
    std::atomic<bool> failed{false};
    const double cpu0 = process_cpu_seconds();
    for (auto _ : state) {
        std::vector<std::thread> clients;
        for (int t = 0; t < threads; ++t) {
            clients.emplace_back([&] {
                std::mutex mu;
                std::condition_variable cv;
                for (int i = 0; i < kPerThread && !failed; ++i) {
                    bool done = false;
                    std::vector<std::pair<uint8_t, Bytes>> recs;
                    recs.emplace_back(1, Bytes(256, 0xEF));
                    auto seq = wal->submit(std::move(recs), [&](const Result<uint64_t>& r) {
                        if (!r) failed = true;
                        std::lock_guard lk(mu);
                        done = true;
                        cv.notify_one();
                    });
                    if (!seq) {
                        failed = true;
                        break;
                    }
                    std::unique_lock lk(mu);
                    cv.wait(lk, [&] { return done; });
                }
            });
        }
        for (auto& c : clients) c.join();
    }
    if (failed) state.SkipWithError("a submit failed");
    const auto records = static_cast<double>(state.iterations() * threads * kPerThread);
    state.counters["cpu_us_per_record"] = 1e6 * (process_cpu_seconds() - cpu0) / records;
    state.SetItemsProcessed(state.iterations() * threads * kPerThread);
}
BENCHMARK(BM_WalClosedLoop)
    ->ArgsProduct({{1, 8, 64}, {0, 4096}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_WalProducers(benchmark::State& state) {
    const auto producers = static_cast<int>(state.range(0));
    const auto per_submit = static_cast<size_t>(state.range(1));
    const auto payload = static_cast<size_t>(state.range(2));
    constexpr size_t kPerProducer = 20000;
    BenchDir dir("producers");
    auto wal = open_wal(state, dir);
    if (!wal) return;
    std::atomic<uint64_t> acked{0};
    std::atomic<bool> failed{false};
    for (auto _ : state) {
        std::vector<std::thread> threads;
        for (int t = 0; t < producers; ++t) {
            threads.emplace_back([&] {
                for (size_t done = 0; done < kPerProducer && !failed; done += per_submit) {
                    const size_t n = std::min(per_submit, kPerProducer - done);
                    std::vector<std::pair<uint8_t, Bytes>> recs;
                    recs.reserve(n);
                    for (size_t i = 0; i < n; ++i) recs.emplace_back(1, Bytes(payload, 0x5A));
                    auto seq = wal->submit(std::move(recs), [&, n](const Result<uint64_t>& r) {
                        if (r) acked.fetch_add(n, std::memory_order_relaxed);
                    });
                    if (!seq) failed = true;
                }
            });
        }
        for (auto& t : threads) t.join();
        if (failed || !wal->flush_and_wait()) {
            state.SkipWithError("submit or flush failed");
            return;
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(acked.load()));
    state.SetBytesProcessed(static_cast<int64_t>(acked.load() * (payload + 17)));
}
BENCHMARK(BM_WalProducers)
    ->Args({1, 1, 200})
    ->Args({8, 1, 200})
    ->Args({64, 1, 200})
    ->Args({1, 64, 200})
    ->Args({8, 64, 200})
    ->Args({2, 1024, 200})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
