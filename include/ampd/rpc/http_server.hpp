// JSON-RPC over HTTP/1.1: Boost.Beast's parser over non-blocking sockets.
//
//   POST <any path>   one JSON-RPC body (single or batch) -> application/json
//   GET  /health      the node's health report (200, or 503 when unhealthy)
//   GET  /metrics     Prometheus text exposition
//   OPTIONS <any>     CORS preflight (browser wallets and dapps call nodes
//                     cross-origin)
//
// Threading: `worker_threads` serving threads share one epoll set. A
// connection holds no thread while it idles between keep-alive requests or
// while its request waits for the node (Dispatcher::handle_async: a
// transaction waiting for its WAL group commit); a thread reads a request,
// does its CPU work (parsing, sender recovery), and writes the answer when
// it is ready. Requests of one connection are answered in order, one at a
// time (pipelined requests wait their turn). A handler that blocks (one
// without an asynchronous completion) holds its thread until it returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ampd/rpc/json_rpc.hpp"
#include "ampd/rpc/metrics.hpp"

namespace ampd::rpc {

struct HttpServerConfig {
    std::string bind_address = "127.0.0.1";
    uint16_t port = 8545;  // 0: an ephemeral port; HttpServer::port() tells which
    // Larger bodies get HTTP 413 (default 5 MiB, geth's limit).
    size_t max_body_bytes = size_t{5} << 20;
    // Serving threads; 0: one per core (at least 2). They do the requests'
    // CPU work, so more than the cores only adds scheduling.
    size_t worker_threads = 0;
    // Connections beyond this are closed as they are accepted.
    size_t max_connections = 4096;
    bool keep_alive = true;
    size_t keep_alive_max_requests = 1000;  // per connection, then the server closes it
    std::chrono::seconds keep_alive_timeout{5};
    std::chrono::seconds read_timeout{30};
    std::chrono::seconds write_timeout{30};
    // A burst of connecting clients queues in the kernel up to this many.
    int listen_backlog = 512;
    // Access-Control-Allow-Origin; empty disables CORS headers.
    std::string cors_origin = "*";
};

struct HealthReport {
    bool healthy = true;
    nlohmann::json body = {{"status", "ok"}};
};
using HealthCheck = std::function<HealthReport()>;

class HttpServer {
public:
    // `dispatcher` and `metrics` (optional: /metrics then answers 404) must
    // outlive the server. `health` may be empty (always healthy).
    HttpServer(HttpServerConfig config, const Dispatcher& dispatcher,
               MetricsRegistry* metrics = nullptr, HealthCheck health = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and starts serving on a background thread; returns once
    // connections are accepted. Throws std::runtime_error if the address
    // cannot be bound (e.g. the port is in use), std::logic_error if called
    // twice.
    void start();
    // Stops accepting, finishes requests in flight (their answers are
    // written, then their connections close) and joins the threads. Idle
    // keep-alive connections are closed at once. Idempotent.
    void stop();

    [[nodiscard]] bool running() const;
    // The bound port (the real one when configured as 0); 0 before start().
    [[nodiscard]] uint16_t port() const;
    // "http://<bind address>:<port>/".
    [[nodiscard]] std::string url() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ampd::rpc
