// The JSON-RPC HTTP server: Boost.Beast's HTTP/1.1 parser over plain
// blocking sockets, one connection per worker at a time.
//
// Why not a general-purpose server library: ingest spends its CPU on sender
// recovery, and every system call here is paid per request. This server
// reads a request with as few recv calls as the kernel allows (64 KiB at a
// time, no poll before each read: timeouts are socket options) and writes
// the head and body of a response with one sendmsg.
#include "ampd/rpc/http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ampd::rpc {
namespace {

namespace http = boost::beast::http;

constexpr const char* kJson = "application/json";
// Request heads larger than this are refused (431); browsers send ~1 KiB.
constexpr uint32_t kMaxHeaderBytes = 16 * 1024;
constexpr size_t kReadChunk = 64 * 1024;

std::string error_body(int code, std::string message) {
    const nlohmann::json body = {{"jsonrpc", "2.0"},
                                 {"id", nullptr},
                                 {"error", RpcError{code, std::move(message)}.to_json()}};
    return body.dump();
}

std::string_view sv(boost::beast::string_view v) {
    return {v.data(), v.size()};
}

std::string host_for_url(const std::string& address) {
    return address.find(':') == std::string::npos ? address : "[" + address + "]";
}

const char* reason_of(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 200:
            return "OK";
        case 204:
            return "No Content";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 413:
            return "Payload Too Large";
        case 415:
            return "Unsupported Media Type";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

timeval to_timeval(std::chrono::seconds s) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(std::max<int64_t>(s.count(), 1));
    return tv;
}

std::string peer_of(const sockaddr_storage& addr) {
    char host[INET6_ADDRSTRLEN] = {};
    uint16_t port = 0;
    if (addr.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
        ::inet_ntop(AF_INET, &a.sin_addr, host, sizeof(host));
        port = ntohs(a.sin_port);
    } else if (addr.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
        ::inet_ntop(AF_INET6, &a.sin6_addr, host, sizeof(host));
        port = ntohs(a.sin6_port);
    }
    return fmt::format("{}:{}", host, port);
}

// What one request is answered with.
struct Response {
    int status = 200;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool close = false;  // the connection closes after this response
};

// Writes every byte of the iovecs, resuming after partial writes. False
// when the peer is gone or the write timeout passed.
bool send_all(int fd, iovec* iov, int count) {
    while (count > 0) {
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = static_cast<size_t>(count);
        const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        auto left = static_cast<size_t>(n);
        while (count > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            ++iov;
            --count;
        }
        if (count > 0) {
            iov->iov_base = static_cast<char*>(iov->iov_base) + left;
            iov->iov_len -= left;
        }
    }
    return true;
}

// The bytes of one connection not yet handed to a parser. The storage is
// kept between reads (no allocation or zeroing per recv); what a parser left
// unconsumed (part of a head) moves to the front before the next read.
class ReadBuffer {
public:
    [[nodiscard]] bool empty() const { return begin_ == end_; }
    [[nodiscard]] boost::asio::const_buffer pending() const {
        return {data_.data() + begin_, end_ - begin_};
    }
    void consume(size_t n) { begin_ += n; }
    void drop_all() { begin_ = end_; }

    // One recv of up to kReadChunk bytes after what is pending. Returns its
    // result (0 at the peer's end, -1 with errno).
    ssize_t fill(int fd) {
        if (begin_ > 0) {
            std::memmove(data_.data(), data_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (data_.size() < end_ + kReadChunk) data_.resize(end_ + kReadChunk);
        ssize_t n = 0;
        do {
            n = ::recv(fd, data_.data() + end_, kReadChunk, 0);
        } while (n < 0 && errno == EINTR);
        if (n > 0) end_ += static_cast<size_t>(n);
        return n;
    }

private:
    std::vector<char> data_;
    size_t begin_ = 0;
    size_t end_ = 0;
};

}  // namespace

struct HttpServer::Impl {
    HttpServerConfig config;
    const Dispatcher& dispatcher;
    MetricsRegistry* metrics;
    HealthCheck health;
    CounterFamily* responses = nullptr;
    // Bodies over the limit are read and dropped up to this many bytes in
    // all, so that a client sending a little too much reads a clean 413
    // rather than a reset connection; larger ones are refused unread.
    uint64_t drain_limit = 0;

    int listen_fd = -1;
    int wake_fd = -1;  // eventfd: tells the acceptor to stop
    uint16_t bound_port = 0;
    bool started = false;
    std::atomic<bool> serving{false};
    std::thread acceptor;
    std::vector<std::thread> workers;

    std::mutex mu;
    std::condition_variable work_cv;
    std::deque<std::pair<int, std::string>> accepted;  // fd, peer
    std::set<int> open;                                // connections being served
    std::atomic<bool> stopping{false};  // set under mu, read without it between requests

    Impl(HttpServerConfig c, const Dispatcher& d, MetricsRegistry* m, HealthCheck h)
        : config(std::move(c)), dispatcher(d), metrics(m), health(std::move(h)) {
        const uint64_t max = config.max_body_bytes;
        drain_limit = max > UINT64_MAX / 2 ? UINT64_MAX : 2 * max;
        if (metrics != nullptr) {
            responses = &metrics->counter_family("rpc_http_responses_total",
                                                 "HTTP responses by status code.", {"code"});
        }
    }

    ~Impl() {
        if (listen_fd >= 0) ::close(listen_fd);
        if (wake_fd >= 0) ::close(wake_fd);
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    [[nodiscard]] Response json_error(int status, int code, std::string message, bool close) const {
        return Response{status, kJson, error_body(code, std::move(message)), {}, close};
    }

    [[nodiscard]] static Response not_allowed(const char* allow, std::string message) {
        return Response{405,
                        kJson,
                        error_body(errc::kInvalidRequest, std::move(message)),
                        {{"Allow", allow}},
                        false};
    }

    [[nodiscard]] Response too_large() const {
        // The unread rest of the body may still be on the connection.
        return json_error(
            413, errc::kLimitExceeded,
            fmt::format("request body exceeds the limit of {} bytes", config.max_body_bytes), true);
    }

    // ---- listening -------------------------------------------------------

    void bind_and_listen() {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
        addrinfo* found = nullptr;
        const std::string port = std::to_string(config.port);
        const int rc = ::getaddrinfo(config.bind_address.c_str(), port.c_str(), &hints, &found);
        if (rc != 0) {
            throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", config.bind_address,
                                                 config.port, ::gai_strerror(rc)));
        }
        int err = 0;
        for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
            const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
            if (fd < 0) {
                err = errno;
                continue;
            }
            // Reuse a port left in TIME_WAIT, but not SO_REUSEPORT: a second
            // node must not silently share our port.
            const int yes = 1;
            ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
            if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
                ::listen(fd, config.listen_backlog) == 0) {
                listen_fd = fd;
                break;
            }
            err = errno;
            ::close(fd);
        }
        ::freeaddrinfo(found);
        if (listen_fd < 0) {
            throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", config.bind_address,
                                                 config.port, std::strerror(err)));
        }
        sockaddr_storage addr{};
        socklen_t len = sizeof(addr);
        ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
        bound_port = addr.ss_family == AF_INET6
                         ? ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port)
                         : ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
        wake_fd = ::eventfd(0, EFD_CLOEXEC);
        if (wake_fd < 0) {
            throw std::runtime_error(fmt::format("eventfd: {}", std::strerror(errno)));
        }
    }

    void run_acceptor() {
        ::pthread_setname_np(::pthread_self(), "ampd-accept");
        const timeval read_tv = to_timeval(config.keep_alive_timeout);
        const timeval write_tv = to_timeval(config.write_timeout);
        for (;;) {
            pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                spdlog::error("JSON-RPC listener: poll: {}", std::strerror(errno));
                return;
            }
            if (fds[1].revents != 0) return;
            sockaddr_storage addr{};
            socklen_t len = sizeof(addr);
            const int fd =
                ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
            if (fd < 0) {
                // The peer gave up, or a transient shortage (EMFILE): the
                // next poll tries again.
                if (errno == EMFILE || errno == ENFILE) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
                continue;
            }
            const int yes = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
            // recv waits at most the keep-alive timeout for the next bytes;
            // a request in progress may take several such waits, up to
            // read_timeout in all (see read_request).
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &read_tv, sizeof(read_tv));
            ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &write_tv, sizeof(write_tv));
            {
                std::lock_guard lk(mu);
                accepted.emplace_back(fd, peer_of(addr));
            }
            work_cv.notify_one();
        }
    }

    void run_worker() {
        ::pthread_setname_np(::pthread_self(), "ampd-rpc");
        for (;;) {
            std::pair<int, std::string> conn;
            {
                std::unique_lock lk(mu);
                work_cv.wait(lk, [&] { return stopping || !accepted.empty(); });
                if (accepted.empty()) return;  // stopping
                conn = std::move(accepted.front());
                accepted.pop_front();
                open.insert(conn.first);
            }
            serve_connection(conn.first, conn.second);
            {
                std::lock_guard lk(mu);
                open.erase(conn.first);
            }
            ::close(conn.first);
        }
    }

    // ---- one connection ----------------------------------------------------

    enum class ReadOutcome { kRequest, kClosed, kAnswered };

    void serve_connection(int fd, const std::string& peer) {
        ReadBuffer in;
        const size_t max_requests =
            config.keep_alive ? std::max<size_t>(1, config.keep_alive_max_requests) : 1;
        for (size_t served = 0; served < max_requests; ++served) {
            http::request_parser<http::string_body> parser;
            Response res;
            const ReadOutcome got = read_request(fd, in, parser, res);
            if (got == ReadOutcome::kClosed) return;
            if (got == ReadOutcome::kRequest) {
                const auto& req = parser.get();
                res = route(req, peer);
                if (!parser.keep_alive() || served + 1 == max_requests) res.close = true;
                log(req.method_string(), req.target(), peer, res.status);
            }
            if (!write_response(fd, res) || res.close) return;
            if (stopping) return;
        }
    }

    // Reads one request into `parser`. kAnswered: `res` holds the answer to
    // a request that cannot be served (and closes the connection).
    ReadOutcome read_request(int fd, ReadBuffer& in,
                             http::request_parser<http::string_body>& parser, Response& res) {
        parser.header_limit(kMaxHeaderBytes);
        // Enforced below, with the drain. (Not boost::none: Beast 1.74
        // compares a declared length against the empty optional as if it
        // were a limit of zero.)
        parser.body_limit(std::numeric_limits<uint64_t>::max());
        // Not eager until the head is checked: the body's storage is sized
        // from the declared length when the parser starts on the body.
        parser.eager(false);
        bool began = false;  // bytes of this request have arrived
        bool head_checked = false;
        bool draining = false;  // over the limit: the body is dropped as it arrives
        uint64_t dropped = 0;
        auto started = std::chrono::steady_clock::now();
        for (;;) {
            while (!in.empty() && !parser.is_done()) {
                boost::system::error_code ec;
                const size_t used = parser.put(in.pending(), ec);
                in.consume(used);
                if (ec == http::error::need_more) break;
                if (ec) {
                    in.drop_all();
                    res = ec == http::error::header_limit
                              ? json_error(431, errc::kInvalidRequest, "request header too large",
                                           true)
                              : json_error(400, errc::kInvalidRequest,
                                           "malformed HTTP request: " + ec.message(), true);
                    return ReadOutcome::kAnswered;
                }
                if (parser.is_header_done() && !head_checked) {
                    head_checked = true;
                    if (auto refused = check_head(fd, parser, draining)) {
                        res = std::move(*refused);
                        return ReadOutcome::kAnswered;
                    }
                    parser.eager(true);
                }
                if (head_checked) {
                    std::string& body = parser.get().body();
                    if (body.size() > config.max_body_bytes) draining = true;
                    if (draining) {
                        dropped += body.size();
                        body.clear();
                        // Far too much: answer without reading on (the peer
                        // may see a reset before it reads the answer).
                        if (dropped > drain_limit) {
                            res = too_large();
                            return ReadOutcome::kAnswered;
                        }
                    }
                }
                if (used == 0) break;
            }
            if (parser.is_done()) {
                if (draining) {
                    res = too_large();
                    return ReadOutcome::kAnswered;
                }
                return ReadOutcome::kRequest;
            }
            const ssize_t n = in.fill(fd);
            if (n > 0) {
                if (!began) started = std::chrono::steady_clock::now();
                began = true;
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && began &&
                std::chrono::steady_clock::now() - started < config.read_timeout) {
                continue;  // a slow request: wait on, up to read_timeout in all
            }
            // The peer closed, the idle keep-alive wait ended, or the request
            // took too long: nothing to answer on a connection going away.
            return ReadOutcome::kClosed;
        }
    }

    // Checks a request's head before its body is read. Returns the answer
    // when the request is refused outright; sets `draining` when the body is
    // to be read and dropped.
    std::optional<Response> check_head(int fd,
                                       const http::request_parser<http::string_body>& parser,
                                       bool& draining) const {
        const auto& req = parser.get();
        const bool expects_continue =
            boost::beast::iequals(req[http::field::expect], "100-continue");
        const auto length = parser.content_length();
        if (length && *length > config.max_body_bytes) {
            // Refused before any of the body is read: a length far over the
            // limit, or one the client waits for our word to send.
            if (*length > drain_limit || expects_continue) return too_large();
            draining = true;
            return std::nullopt;
        }
        if (expects_continue && !parser.is_done()) {
            static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
            iovec iov{const_cast<char*>(kContinue), sizeof(kContinue) - 1};
            send_all(fd, &iov, 1);
        }
        return std::nullopt;
    }

    bool write_response(int fd, Response& res) {
        // Counted before the response is written, so a client that has its
        // answer also sees it counted.
        if (responses != nullptr) responses->with({std::to_string(res.status)}).inc();
        std::string head = fmt::format("HTTP/1.1 {} {}\r\n", res.status, reason_of(res.status));
        if (!res.content_type.empty()) {
            head.append("Content-Type: ").append(res.content_type).append("\r\n");
        }
        if (res.status != 204) {
            head.append("Content-Length: ").append(std::to_string(res.body.size())).append("\r\n");
        }
        if (!config.cors_origin.empty()) {
            head.append("Access-Control-Allow-Origin: ").append(config.cors_origin).append("\r\n");
        }
        for (const auto& [name, value] : res.headers) {
            head.append(name).append(": ").append(value).append("\r\n");
        }
        head.append(res.close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n");
        iovec iov[2] = {{head.data(), head.size()}, {res.body.data(), res.body.size()}};
        const int count = res.status == 204 || res.body.empty() ? 1 : 2;
        return send_all(fd, iov, count);
    }

    static void log(boost::beast::string_view method, boost::beast::string_view target,
                    const std::string& peer, int status) {
        if (spdlog::should_log(spdlog::level::debug)) {
            spdlog::debug("HTTP {} {} from {} -> {}", sv(method), sv(target), peer, status);
        }
    }

    // ---- routing -------------------------------------------------------------

    Response route(const http::request<http::string_body>& req, const std::string& peer) const {
        const boost::beast::string_view target = req.target();
        const boost::beast::string_view path = target.substr(0, target.find('?'));
        try {
            switch (req.method()) {
                case http::verb::post:
                    return serve_rpc(req, peer);
                case http::verb::get:
                    if (path == "/health") return serve_health();
                    if (path == "/metrics") return serve_metrics();
                    return not_allowed("POST, OPTIONS", "JSON-RPC requests are sent with POST");
                case http::verb::options:
                    return serve_preflight(req);
                default:
                    return not_allowed("POST, GET, OPTIONS",
                                       "method not allowed: JSON-RPC requests are sent with POST");
            }
        } catch (const std::exception& e) {
            spdlog::error("HTTP {} {} failed: {}", sv(req.method_string()), sv(target), e.what());
        } catch (...) {
            spdlog::error("HTTP {} {} failed", sv(req.method_string()), sv(target));
        }
        return json_error(500, errc::kInternalError, "internal error", false);
    }

    Response serve_rpc(const http::request<http::string_body>& req, const std::string& peer) const {
        const boost::beast::string_view type = req[http::field::content_type];
        if (type.size() >= 19 && boost::beast::iequals(type.substr(0, 19), "multipart/form-data")) {
            return json_error(415, errc::kInvalidRequest, "expected a JSON body", false);
        }
        std::string answer = dispatcher.handle(req.body(), peer);
        if (answer.empty()) return Response{204, {}, {}, {}, false};  // only notifications
        return Response{200, kJson, std::move(answer), {}, false};
    }

    Response serve_health() const {
        HealthReport report;
        if (health) {
            try {
                report = health();
            } catch (const std::exception& e) {
                spdlog::error("health check failed: {}", e.what());
                report = {false, {{"status", "error"}}};
            }
        }
        return Response{report.healthy ? 200 : 503,
                        kJson,
                        report.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                        {},
                        false};
    }

    Response serve_metrics() const {
        if (metrics == nullptr) return Response{404, "text/plain", "no metrics\n", {}, false};
        return Response{
            200, "text/plain; version=0.0.4; charset=utf-8", metrics->render(), {}, false};
    }

    Response serve_preflight(const http::request<http::string_body>& req) const {
        Response res{204, {}, {}, {{"Allow", "POST, GET, OPTIONS"}}, false};
        if (config.cors_origin.empty()) return res;
        const boost::beast::string_view asked = req[http::field::access_control_request_headers];
        res.headers.emplace_back("Access-Control-Allow-Methods", "POST, GET, OPTIONS");
        res.headers.emplace_back("Access-Control-Allow-Headers",
                                 asked.empty() ? std::string("Content-Type") : std::string(asked));
        res.headers.emplace_back("Access-Control-Max-Age", "600");
        return res;
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
    s.bind_and_listen();
    s.started = true;
    s.serving = true;
    const size_t workers = std::max<size_t>(1, s.config.worker_threads);
    s.workers.reserve(workers);
    for (size_t i = 0; i < workers; ++i) s.workers.emplace_back([&s] { s.run_worker(); });
    s.acceptor = std::thread([&s] { s.run_acceptor(); });
    spdlog::info("JSON-RPC listening on {}", url());
}

void HttpServer::stop() {
    Impl& s = *impl_;
    if (!s.acceptor.joinable()) return;
    const uint64_t one = 1;
    if (::write(s.wake_fd, &one, sizeof(one)) != sizeof(one)) {
        spdlog::warn("cannot wake the JSON-RPC listener: {}", std::strerror(errno));
    }
    s.acceptor.join();
    ::close(s.listen_fd);
    s.listen_fd = -1;
    {
        std::lock_guard lk(s.mu);
        s.stopping = true;
        // Idle keep-alive connections wake from their wait at once; a
        // request being served still gets its answer written.
        for (const int fd : s.open) ::shutdown(fd, SHUT_RD);
        for (const auto& [fd, peer] : s.accepted) ::close(fd);
        s.accepted.clear();
    }
    s.work_cv.notify_all();
    for (std::thread& t : s.workers) t.join();
    s.workers.clear();
    s.serving = false;
}

bool HttpServer::running() const {
    return impl_->serving.load();
}

uint16_t HttpServer::port() const {
    return impl_->bound_port;
}

std::string HttpServer::url() const {
    return fmt::format("http://{}:{}/", host_for_url(impl_->config.bind_address), port());
}

}  // namespace ampd::rpc
