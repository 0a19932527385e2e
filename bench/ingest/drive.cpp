#include "drive.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <thread>

#include "http_connection.hpp"

namespace ampd_load {
namespace {

using Clock = std::chrono::steady_clock;

struct ClientResult {
    std::vector<double> latencies_us;
    uint64_t acked = 0;
    uint64_t failed = 0;
    std::vector<std::string> failures;  // the first few response bodies
};

std::string send_raw_body(const SignedTransfer& t, uint64_t id) {
    return fmt::format(
        R"({{"jsonrpc":"2.0","id":{},"method":"eth_sendRawTransaction","params":["{}"]}})", id,
        t.raw_hex);
}

// Counts the request's transactions the response acknowledges with their
// hash, in order; the rest failed.
uint32_t acknowledged(const HttpResponse& resp, const Request& r,
                      const std::vector<std::vector<SignedTransfer>>& txs) {
    if (resp.status != 200) return 0;
    uint32_t ok = 0;
    size_t pos = 0;
    for (uint32_t k = 0; k < r.count; ++k) {
        const std::string& hash = txs[r.sender][r.first + k].hash_hex;
        const size_t at = resp.body.find(hash, pos);
        if (at == std::string::npos) continue;
        ++ok;
        pos = at + hash.size();
    }
    return ok;
}

}  // namespace

std::vector<std::vector<Request>> build_requests(
    size_t clients, size_t batch, size_t per_sender,
    const std::vector<std::vector<SignedTransfer>>& txs) {
    std::vector<std::vector<Request>> per_client(clients);
    const size_t step = std::max<size_t>(batch, 1);
    uint64_t id = 1;
    for (size_t c = 0; c < clients; ++c) {
        for (size_t first = 0; first < per_sender; first += step) {
            for (size_t s = c; s < txs.size(); s += clients) {
                const size_t n = std::min(step, per_sender - first);
                Request r;
                r.sender = static_cast<uint32_t>(s);
                r.first = static_cast<uint32_t>(first);
                r.count = static_cast<uint32_t>(n);
                std::string body;
                if (batch == 0) {
                    body = send_raw_body(txs[s][first], id++);
                } else {
                    body = "[";
                    for (size_t k = 0; k < n; ++k) {
                        if (k > 0) body += ',';
                        body += send_raw_body(txs[s][first + k], id++);
                    }
                    body += "]";
                }
                r.bytes = post_request(body);
                per_client[c].push_back(std::move(r));
            }
        }
    }
    return per_client;
}

TimedPhase drive(uint16_t port, const std::vector<std::vector<Request>>& requests,
                 const std::vector<std::vector<SignedTransfer>>& txs, size_t senders,
                 const std::function<void()>& on_start) {
    const size_t clients = requests.size();
    std::vector<ClientResult> results(clients);
    std::vector<uint32_t> acked_per_sender(senders, 0);
    std::atomic<size_t> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (size_t c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            ClientResult& res = results[c];
            HttpConnection conn("127.0.0.1", port);
            try {
                conn.open();
            } catch (const std::exception&) {
                // The first round trip tries again and counts the failure.
            }
            res.latencies_us.reserve(requests[c].size());
            ++ready;
            while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
            for (const Request& r : requests[c]) {
                const auto t0 = Clock::now();
                HttpResponse resp;
                try {
                    resp = conn.round_trip(r.bytes);
                } catch (const std::exception& e) {
                    resp.status = 0;  // the next round trip reconnects
                    resp.body = e.what();
                }
                const auto t1 = Clock::now();
                res.latencies_us.push_back(
                    std::chrono::duration<double, std::micro>(t1 - t0).count());
                const uint32_t ok = acknowledged(resp, r, txs);
                res.acked += ok;
                acked_per_sender[r.sender] += ok;
                if (ok < r.count) {
                    res.failed += r.count - ok;
                    if (res.failures.size() < 3) res.failures.push_back(resp.body.substr(0, 400));
                }
            }
        });
    }
    while (ready.load() < clients) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    on_start();
    const auto start = Clock::now();
    go.store(true, std::memory_order_release);
    for (auto& t : threads) t.join();
    TimedPhase out;
    out.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    out.acked_per_sender = std::move(acked_per_sender);
    for (const ClientResult& r : results) {
        out.latencies_us.insert(out.latencies_us.end(), r.latencies_us.begin(),
                                r.latencies_us.end());
        out.acked += r.acked;
        out.failed += r.failed;
        out.failures.insert(out.failures.end(), r.failures.begin(), r.failures.end());
    }
    std::sort(out.latencies_us.begin(), out.latencies_us.end());
    return out;
}

}  // namespace ampd_load
