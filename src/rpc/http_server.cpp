#include "ampd/rpc/http_server.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace ampd::rpc {
namespace {

constexpr const char* kJson = "application/json";

// Exposes the listening socket, which cpp-httplib keeps protected, so that
// the backlog can be raised after binding.
class Server : public httplib::Server {
public:
    [[nodiscard]] socket_t listening_socket() const { return svr_sock_; }
};

std::string error_body(int code, std::string message) {
    const nlohmann::json body = {{"jsonrpc", "2.0"},
                                 {"id", nullptr},
                                 {"error", RpcError{code, std::move(message)}.to_json()}};
    return body.dump();
}

std::string host_for_url(const std::string& address) {
    return address.find(':') == std::string::npos ? address : "[" + address + "]";
}

}  // namespace

struct HttpServer::Impl {
    HttpServerConfig config;
    const Dispatcher& dispatcher;
    MetricsRegistry* metrics;
    HealthCheck health;
    CounterFamily* responses = nullptr;

    Server server;
    std::thread listener;
    std::atomic<bool> listener_done{false};
    // Bodies over the limit are read and dropped up to this many bytes in
    // all, so that a client sending a little too much reads a clean 413
    // rather than a reset connection; larger ones are refused unread.
    uint64_t drain_limit = 0;
    bool started = false;
    uint16_t bound_port = 0;

    Impl(HttpServerConfig c, const Dispatcher& d, MetricsRegistry* m, HealthCheck h)
        : config(std::move(c)), dispatcher(d), metrics(m), health(std::move(h)) {
        const uint64_t max = config.max_body_bytes;
        drain_limit = max > UINT64_MAX / 2 ? UINT64_MAX : 2 * max;
        if (metrics != nullptr) {
            responses = &metrics->counter_family("rpc_http_responses_total",
                                                 "HTTP responses by status code.", {"code"});
        }
        configure();
        route();
    }

    void too_large(httplib::Response& res) const {
        res.status = 413;
        // The unread rest of the body is still on the connection.
        res.set_header("Connection", "close");
        res.set_content(error_body(errc::kLimitExceeded,
                                   fmt::format("request body exceeds the limit of {} bytes",
                                               config.max_body_bytes)),
                        kJson);
    }

    void configure() {
        // cpp-httplib's defaults: max(8, cores - 1) workers, no body limit,
        // 5 requests per keep-alive connection, SO_REUSEPORT on the listening
        // socket (which would let a second node silently share our port).
        const size_t workers = std::max<size_t>(1, config.worker_threads);
        server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
        server.set_payload_max_length(config.max_body_bytes);
        server.set_keep_alive_max_count(config.keep_alive ? config.keep_alive_max_requests : 1);
        server.set_keep_alive_timeout(config.keep_alive_timeout.count());
        server.set_read_timeout(config.read_timeout.count(), 0);
        server.set_write_timeout(config.write_timeout.count(), 0);
        server.set_tcp_nodelay(true);
        server.set_socket_options([](socket_t sock) {
            const int yes = 1;
            ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        });
        if (!config.cors_origin.empty()) {
            server.set_default_headers({{"Access-Control-Allow-Origin", config.cors_origin}});
        }
        // A declared length far over the limit is refused before reading any
        // of the body; one a little over it is read and dropped by
        // cpp-httplib, whose 413 serve_rpc then fills in.
        server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (req.has_header("Content-Length") &&
                req.get_header_value<uint64_t>("Content-Length") > drain_limit) {
                too_large(res);
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });
        // Refuse an announced oversized body before the client sends it.
        server.set_expect_100_continue_handler(
            [this](const httplib::Request& req, httplib::Response& res) {
                if (req.get_header_value<uint64_t>("Content-Length") > config.max_body_bytes) {
                    too_large(res);
                    return 413;
                }
                return 100;
            });
        server.set_exception_handler(
            [](const httplib::Request& req, httplib::Response& res, const std::exception_ptr& ep) {
                // cpp-httplib would put e.what() in a response header; keep it in the log.
                try {
                    std::rethrow_exception(ep);
                } catch (const std::exception& e) {
                    spdlog::error("HTTP {} {} failed: {}", req.method, req.path, e.what());
                } catch (...) {
                    spdlog::error("HTTP {} {} failed", req.method, req.path);
                }
                res.status = 500;
                res.set_content(error_body(errc::kInternalError, "internal error"), kJson);
            });
        // Counted before the response is written (the logger runs after), so
        // a client that has its answer also sees it counted.
        server.set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
            if (responses != nullptr) responses->with({std::to_string(res.status)}).inc();
        });
        server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
            if (spdlog::should_log(spdlog::level::debug)) {
                spdlog::debug("HTTP {} {} from {}:{} -> {}", req.method, req.path, req.remote_addr,
                              req.remote_port, res.status);
            }
        });
    }

    void route() {
        server.Get("/health",
                   [this](const httplib::Request&, httplib::Response& res) { serve_health(res); });
        server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
            if (metrics == nullptr) {
                res.status = 404;
                return;
            }
            res.set_content(metrics->render(), "text/plain; version=0.0.4; charset=utf-8");
        });
        server.Get(".*", [](const httplib::Request&, httplib::Response& res) {
            res.status = 405;
            res.set_header("Allow", "POST, OPTIONS");
            res.set_content(
                error_body(errc::kInvalidRequest, "JSON-RPC requests are sent with POST"), kJson);
        });
        server.Post(".*",
                    [this](const httplib::Request& req, httplib::Response& res,
                           const httplib::ContentReader& reader) { serve_rpc(req, res, reader); });
        server.Options(".*", [this](const httplib::Request& req, httplib::Response& res) {
            res.status = 204;
            res.set_header("Allow", "POST, GET, OPTIONS");
            if (config.cors_origin.empty()) return;
            res.set_header("Access-Control-Allow-Methods", "POST, GET, OPTIONS");
            const std::string asked = req.get_header_value("Access-Control-Request-Headers");
            res.set_header("Access-Control-Allow-Headers", asked.empty() ? "Content-Type" : asked);
            res.set_header("Access-Control-Max-Age", "600");
        });
    }

    void serve_health(httplib::Response& res) const {
        HealthReport report;
        if (health) {
            try {
                report = health();
            } catch (const std::exception& e) {
                spdlog::error("health check failed: {}", e.what());
                report = {false, {{"status", "error"}}};
            }
        }
        res.status = report.healthy ? 200 : 503;
        res.set_content(report.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                        kJson);
    }

    void serve_rpc(const httplib::Request& req, httplib::Response& res,
                   const httplib::ContentReader& reader) const {
        if (req.is_multipart_form_data()) {
            // cpp-httplib would route the body to a multipart parser we do not use.
            res.status = 415;
            res.set_content(error_body(errc::kInvalidRequest, "expected a JSON body"), kJson);
            return;
        }
        std::string body;
        // A declared length within the limit is reserved at once; the limit
        // still applies to what actually arrives (chunked bodies declare none).
        const uint64_t declared = req.get_header_value<uint64_t>("Content-Length");
        if (declared <= config.max_body_bytes) body.reserve(static_cast<size_t>(declared));
        uint64_t received = 0;
        bool exceeded = false;
        const bool complete = reader([&](const char* data, size_t n) {
            received += n;
            if (received > config.max_body_bytes) {
                exceeded = true;
                body = std::string();
                // Drop the rest up to the drain limit, so that the client
                // gets to send it all and then reads our 413.
                return received <= drain_limit;
            }
            body.append(data, n);
            return true;
        });
        if (exceeded || res.status == 413) {
            too_large(res);
            return;
        }
        if (!complete) {
            res.status = 400;
            res.set_header("Connection", "close");
            res.set_content(error_body(errc::kInvalidRequest, "incomplete request body"), kJson);
            return;
        }
        const std::string remote = fmt::format("{}:{}", req.remote_addr, req.remote_port);
        std::string response = dispatcher.handle(body, remote);
        if (response.empty()) {
            res.status = 204;  // only notifications: nothing to answer
            return;
        }
        res.set_content(std::move(response), kJson);
    }
};

HttpServer::HttpServer(HttpServerConfig config, const Dispatcher& dispatcher,
                       MetricsRegistry* metrics, HealthCheck health)
    : impl_(std::make_unique<Impl>(std::move(config), dispatcher, metrics, std::move(health))) {}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start() {
    Impl& s = *impl_;
    if (s.started) throw std::logic_error("HttpServer::start called twice");
    const auto& c = s.config;
    int port = 0;
    if (c.port == 0) {
        port = s.server.bind_to_any_port(c.bind_address);
    } else {
        port = s.server.bind_to_port(c.bind_address, c.port) ? c.port : -1;
    }
    if (port <= 0) {
        const int err = errno;
        throw std::runtime_error(
            fmt::format("cannot listen on {}:{}: {}", c.bind_address, c.port, std::strerror(err)));
    }
    s.bound_port = static_cast<uint16_t>(port);
    // Linux takes a second listen() on a listening socket as a new backlog.
    if (::listen(s.server.listening_socket(), c.listen_backlog) != 0) {
        spdlog::warn("cannot raise the listen backlog to {}: {}", c.listen_backlog,
                     std::strerror(errno));
    }
    s.started = true;
    s.listener = std::thread([&s] {
        if (!s.server.listen_after_bind()) spdlog::error("JSON-RPC HTTP listener stopped on error");
        s.listener_done = true;
    });
    // Server::stop() is a no-op until the listener runs; wait for it so that
    // a stop() right after start() cannot be lost.
    while (!s.server.is_running() && !s.listener_done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    spdlog::info("JSON-RPC listening on {}", url());
}

void HttpServer::stop() {
    Impl& s = *impl_;
    if (!s.listener.joinable()) return;
    s.server.stop();
    s.listener.join();
}

bool HttpServer::running() const {
    return impl_->server.is_running();
}

uint16_t HttpServer::port() const {
    return impl_->bound_port;
}

std::string HttpServer::url() const {
    return fmt::format("http://{}:{}/", host_for_url(impl_->config.bind_address), port());
}

}  // namespace ampd::rpc
