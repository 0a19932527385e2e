#include "recovery_bound.hpp"

#include <fmt/format.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "ampd/primitives/keccak.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd_load {
namespace {

struct Sample {
    ampd::Bytes32 hash;
    ampd::tx::Signature sig;
    ampd::Address signer;
};

std::vector<Sample> make_samples(size_t n) {
    std::vector<Sample> out;
    for (size_t i = 0; i < n; ++i) {
        const ampd::Bytes32 k = ampd::keccak256(fmt::format("ampd-ingest-load bound key {}", i));
        const auto key = ampd::tx::PrivateKey::from_bytes(ampd::ByteView(k.data(), 32));
        if (!key) throw std::runtime_error("bound: invalid key");
        const ampd::Bytes32 h = ampd::keccak256(fmt::format("ampd-ingest-load bound msg {}", i));
        out.push_back(Sample{h, ampd::tx::sign(h, *key), ampd::tx::address_of(*key)});
    }
    return out;
}

int64_t thread_cpu_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

RecoveryRate measure_recovery_rate(unsigned threads, double seconds) {
    const std::vector<Sample> samples = make_samples(256);
    std::atomic<bool> go{false};
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> total{0};
    std::atomic<int64_t> cpu_ns{0};
    std::atomic<bool> wrong{false};
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
            const int64_t cpu0 = thread_cpu_ns();
            uint64_t n = 0;
            size_t i = t * 37;
            while (!stop.load(std::memory_order_relaxed)) {
                const Sample& s = samples[i++ % samples.size()];
                const auto a = ampd::tx::recover_address(s.hash, s.sig.r, s.sig.s, s.sig.y_parity);
                // Checked, so that the work cannot be optimized away or wrong.
                if (!a || *a != s.signer) wrong = true;
                ++n;
            }
            total += n;
            cpu_ns += thread_cpu_ns() - cpu0;
        });
    }
    const auto start = std::chrono::steady_clock::now();
    go.store(true, std::memory_order_release);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : pool) t.join();
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (wrong) throw std::runtime_error("bound: a recovery returned the wrong address");
    const auto n = static_cast<double>(total.load());
    return RecoveryRate{threads, n / took, static_cast<double>(cpu_ns.load()) / 1e9 / n};
}

RecoveryProbe::RecoveryProbe(double interval_seconds, unsigned batch)
    : interval_(interval_seconds), batch_(batch) {}

RecoveryProbe::~RecoveryProbe() {
    if (thread_.joinable()) (void)stop();
}

void RecoveryProbe::start() {
    {
        std::lock_guard lk(mu_);
        stop_ = false;
    }
    result_ = {};
    thread_ = std::thread([this] {
        const std::vector<Sample> samples = make_samples(batch_);
        const int64_t life0 = thread_cpu_ns();
        int64_t measured_ns = 0;
        uint64_t measured = 0;
        bool wrong = false;
        const auto step = std::chrono::duration<double>(interval_);
        auto next = std::chrono::steady_clock::now() + step;
        for (;;) {
            {
                std::unique_lock lk(mu_);
                if (wake_.wait_until(lk, next, [this] { return stop_; })) break;
            }
            next += step;
            const int64_t cpu0 = thread_cpu_ns();
            for (const Sample& s : samples) {
                const auto a = ampd::tx::recover_address(s.hash, s.sig.r, s.sig.s, s.sig.y_parity);
                if (!a || *a != s.signer) wrong = true;
            }
            measured_ns += thread_cpu_ns() - cpu0;
            measured += samples.size();
            ++result_.samples;
        }
        result_.wrong = wrong;
        result_.cpu_per_recovery =
            measured > 0 ? static_cast<double>(measured_ns) / 1e9 / static_cast<double>(measured)
                         : 0;
        result_.cpu_seconds = static_cast<double>(thread_cpu_ns() - life0) / 1e9;
    });
}

RecoveryProbe::Result RecoveryProbe::stop() {
    {
        std::lock_guard lk(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    return result_;
}

}  // namespace ampd_load
