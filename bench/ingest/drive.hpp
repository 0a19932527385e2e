// The timed phase of the load generator: requests built before it starts,
// then every client sending its own over one keep-alive connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "workload.hpp"

namespace ampd_load {

// One HTTP request: transactions first..first+count-1 (by nonce) of one
// sender, as the complete bytes to send.
struct Request {
    std::string bytes;
    uint32_t sender = 0;
    uint32_t first = 0;
    uint32_t count = 0;
};

// Requests per client. Client c owns senders c, c + clients, ... and takes
// turns between them, so a sender's transactions always go out in nonce
// order on one connection: one transaction per request (batch 0) or
// JSON-RPC batches of `batch` consecutive nonces.
[[nodiscard]] std::vector<std::vector<Request>> build_requests(
    size_t clients, size_t batch, size_t per_sender,
    const std::vector<std::vector<SignedTransfer>>& txs);

struct TimedPhase {
    double wall_seconds = 0;
    std::vector<double> latencies_us;  // per request, sorted
    uint64_t acked = 0;                // answered with the transaction's hash
    uint64_t failed = 0;
    std::vector<uint32_t> acked_per_sender;
    std::vector<std::string> failures;  // the first few answers that were not
};

// Connects every client to 127.0.0.1:`port`, calls `on_start` (to take CPU
// readings), releases them together and waits until each has sent all its
// requests, one at a time, each after the answer to the previous one.
[[nodiscard]] TimedPhase drive(uint16_t port, const std::vector<std::vector<Request>>& requests,
                               const std::vector<std::vector<SignedTransfer>>& txs, size_t senders,
                               const std::function<void()>& on_start);

}  // namespace ampd_load
