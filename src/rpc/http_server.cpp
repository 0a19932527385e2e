// The JSON-RPC HTTP server: Boost.Beast's HTTP/1.1 parser over non-blocking
// sockets, served by a few threads that share one epoll set.
//
// Why not a general-purpose server library: ingest spends its CPU on sender
// recovery, and every system call here is paid per request. This server
// reads a request with as few recv calls as the kernel allows (64 KiB at a
// time) and writes the head and body of a response with one sendmsg.
//
// Why event-driven: a thread per connection held a thread through every
// idle keep-alive wait and every WAL group commit, so the node needed as
// many threads as clients, and those threads crowded out the sequencer and
// the log on a small machine (docs/PERFORMANCE.md, "Eleventh round"). Here
// a connection is armed in the epoll set (EPOLLONESHOT, so one thread owns
// it at a time) only while it waits for the network; while its request
// waits for a group commit it is held by the dispatcher's callback alone.
#include "ampd/rpc/http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
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
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
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
constexpr size_t kReadChunk = size_t{64} * 1024;

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

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int64_t ns_of(std::chrono::seconds s) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::max(s, std::chrono::seconds(1)))
        .count();
}

// The bytes of one connection not yet handed to a parser. What a parser
// left unconsumed (part of a head) moves to the front before the next read.
// The storage is freed while the connection idles, so that many idle
// keep-alive clients cost little memory.
class ReadBuffer {
public:
    [[nodiscard]] bool empty() const { return begin_ == end_; }
    [[nodiscard]] boost::asio::const_buffer pending() const {
        return {data_.get() + begin_, end_ - begin_};
    }
    void consume(size_t n) { begin_ += n; }
    void drop_all() { begin_ = end_; }
    void release_if_empty() {
        if (!empty()) return;
        data_.reset();
        capacity_ = begin_ = end_ = 0;
    }

    // One non-blocking recv of up to kReadChunk bytes after what is pending.
    // Returns its result (0 at the peer's end, -1 with errno).
    ssize_t fill(int fd) {
        if (begin_ > 0) {
            std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (capacity_ < end_ + kReadChunk) {
            const size_t grown = end_ + kReadChunk;
            auto bigger = std::make_unique_for_overwrite<char[]>(grown);
            if (end_ > 0) std::memcpy(bigger.get(), data_.get(), end_);
            data_ = std::move(bigger);
            capacity_ = grown;
        }
        ssize_t n = 0;
        do {
            n = ::recv(fd, data_.get() + end_, kReadChunk, MSG_DONTWAIT);
        } while (n < 0 && errno == EINTR);
        if (n > 0) end_ += static_cast<size_t>(n);
        return n;
    }

private:
    std::unique_ptr<char[]> data_;
    size_t capacity_ = 0;
    size_t begin_ = 0;
    size_t end_ = 0;
};

// One client connection. Owned by the thread that took its epoll event, or
// by the dispatcher's reply while its request is answered; never by two.
struct Connection {
    enum class Phase { kReading, kAnswering, kWriting };

    int fd = -1;
    std::string peer;
    Phase phase = Phase::kReading;
    bool registered = false;  // in the epoll set (armed or not)
    size_t served = 0;        // responses written

    // The request being read.
    ReadBuffer in;
    std::optional<http::request_parser<http::string_body>> parser;
    bool began = false;  // bytes of this request have arrived
    int64_t started_ns = 0;
    bool head_checked = false;
    bool draining = false;  // over the limit: the body is dropped as it arrives
    uint64_t dropped = 0;

    // The response being written.
    std::string head;
    std::string body;
    size_t written = 0;
    bool close_after = false;

    // When the reaper shuts the socket down (steady clock, ns); 0: never.
    // Set while the connection waits on the network, cleared by whichever
    // of its owner and the reaper takes it first.
    std::atomic<int64_t> deadline{0};
};

// Why a request could not be read.
enum class Feed { kNeedMore, kRequest, kAnswered };

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
    size_t max_requests = 1;  // per connection

    int listen_fd = -1;
    int epoll_fd = -1;
    int task_fd = -1;  // eventfd (semaphore): one count per posted task
    int stop_fd = -1;  // eventfd: wakes every worker to exit
    uint16_t bound_port = 0;
    bool started = false;
    std::atomic<bool> serving{false};
    std::atomic<bool> stopping{false};
    std::vector<std::thread> workers;
    std::thread reaper;
    Dispatcher::Post post_fn;

    // Tags of the epoll set's own descriptors (connections are tagged with
    // their Connection).
    char listen_tag = 0;
    char task_tag = 0;
    char stop_tag = 0;

    std::mutex tasks_mu;
    std::deque<std::function<void()>> tasks;

    std::mutex conns_mu;
    std::condition_variable conns_cv;  // signalled when the last connection closes
    std::set<Connection*> conns;

    std::mutex reaper_mu;
    std::condition_variable reaper_cv;
    bool reaper_stop = false;

    Impl(HttpServerConfig c, const Dispatcher& d, MetricsRegistry* m, HealthCheck h)
        : config(std::move(c)), dispatcher(d), metrics(m), health(std::move(h)) {
        const uint64_t max = config.max_body_bytes;
        drain_limit = max > UINT64_MAX / 2 ? UINT64_MAX : 2 * max;
        max_requests = config.keep_alive ? std::max<size_t>(1, config.keep_alive_max_requests) : 1;
        if (metrics != nullptr) {
            responses = &metrics->counter_family("rpc_http_responses_total",
                                                 "HTTP responses by status code.", {"code"});
        }
        post_fn = [this](std::function<void()> task) { post(std::move(task)); };
    }

    ~Impl() {
        for (const int fd : {listen_fd, epoll_fd, task_fd, stop_fd}) {
            if (fd >= 0) ::close(fd);
        }
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    [[nodiscard]] static Response json_error(int status, int code, std::string message,
                                             bool close) {
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
            const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                                    ai->ai_protocol);
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

        epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
        task_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
        stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (epoll_fd < 0 || task_fd < 0 || stop_fd < 0) {
            throw std::runtime_error(fmt::format("epoll/eventfd: {}", std::strerror(errno)));
        }
        add_to_epoll(listen_fd, &listen_tag, EPOLLIN | EPOLLONESHOT);
        add_to_epoll(task_fd, &task_tag, EPOLLIN);  // level-triggered: one count, one task
        add_to_epoll(stop_fd, &stop_tag, EPOLLIN);
    }

    void add_to_epoll(int fd, void* tag, uint32_t events) const {
        epoll_event ev{};
        ev.events = events;
        ev.data.ptr = tag;
        if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            throw std::runtime_error(fmt::format("epoll_ctl: {}", std::strerror(errno)));
        }
    }

    // ---- the serving threads -------------------------------------------------

    void run_worker() {
        ::pthread_setname_np(::pthread_self(), "ampd-rpc");
        for (;;) {
            // One event at a time: a thread that took several would serve
            // them one after another while another thread sat idle.
            epoll_event ev{};
            const int n = ::epoll_wait(epoll_fd, &ev, 1, -1);
            if (n < 0) {
                if (errno == EINTR) continue;
                spdlog::error("JSON-RPC server: epoll_wait: {}", std::strerror(errno));
                return;
            }
            if (n == 0) continue;
            void* tag = ev.data.ptr;
            if (tag == &stop_tag) return;
            if (tag == &listen_tag) {
                accept_all();
            } else if (tag == &task_tag) {
                run_one_task();
            } else {
                serve(*static_cast<Connection*>(tag));
            }
        }
    }

    // Runs `task` on a serving thread (the dispatcher's resumptions).
    void post(std::function<void()> task) {
        {
            std::lock_guard lk(tasks_mu);
            tasks.push_back(std::move(task));
        }
        const uint64_t one = 1;
        while (::write(task_fd, &one, sizeof(one)) < 0 && errno == EINTR) {
        }
    }

    void run_one_task() {
        uint64_t count = 0;
        // Another thread woken for the same count may have taken it.
        if (::read(task_fd, &count, sizeof(count)) != sizeof(count)) return;
        std::function<void()> task;
        {
            std::lock_guard lk(tasks_mu);
            if (tasks.empty()) return;
            task = std::move(tasks.front());
            tasks.pop_front();
        }
        try {
            task();
        } catch (const std::exception& e) {
            spdlog::error("JSON-RPC server task failed: {}", e.what());
        }
    }

    // Deadlines: every 100 ms, the sockets of connections past theirs are
    // shut down; their owners then see the end of the stream and close them.
    void run_reaper() {
        ::pthread_setname_np(::pthread_self(), "ampd-rpc-timer");
        std::unique_lock lk(reaper_mu);
        while (
            !reaper_cv.wait_for(lk, std::chrono::milliseconds(100), [&] { return reaper_stop; })) {
            const int64_t now = now_ns();
            std::lock_guard cl(conns_mu);
            for (Connection* c : conns) {
                int64_t d = c->deadline.load(std::memory_order_acquire);
                if (d != 0 && now > d && c->deadline.compare_exchange_strong(d, 0)) {
                    ::shutdown(c->fd, SHUT_RDWR);
                }
            }
        }
    }

    void accept_all() {
        for (;;) {
            sockaddr_storage addr{};
            socklen_t len = sizeof(addr);
            const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len,
                                     SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                if (stopping) return;  // the listener is shut down: not re-armed
                if (errno == EMFILE || errno == ENFILE) {
                    // A transient shortage: back off before the next attempt.
                    spdlog::warn("JSON-RPC listener: {}", std::strerror(errno));
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
                break;  // EAGAIN: every pending connection is taken
            }
            const int yes = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
            auto c = std::make_unique<Connection>();
            c->fd = fd;
            c->peer = peer_of(addr);
            {
                std::lock_guard lk(conns_mu);
                if (stopping) {  // stop() has shut the others down already
                    ::close(fd);
                    return;
                }
                if (conns.size() >= std::max<size_t>(1, config.max_connections)) {
                    ::close(fd);
                    spdlog::debug("JSON-RPC: refused {}: {} connections open", c->peer,
                                  conns.size());
                    continue;
                }
                conns.insert(c.get());
            }
            Connection& conn = *c.release();
            begin_request(conn);
            arm_read(conn);
        }
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLONESHOT;
        ev.data.ptr = &listen_tag;
        ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, listen_fd, &ev);
    }

    // ---- one connection ----------------------------------------------------

    void arm(Connection& c, uint32_t events, int64_t deadline) {
        c.deadline.store(deadline, std::memory_order_release);
        epoll_event ev{};
        // No EPOLLRDHUP: a peer that shut its side down while its answer is
        // being written would fire it again on every re-arm; a read sees the
        // end of the stream anyway, and a write the error.
        ev.events = events | EPOLLONESHOT;
        ev.data.ptr = &c;
        const int op = c.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        c.registered = true;
        if (::epoll_ctl(epoll_fd, op, c.fd, &ev) != 0) {
            spdlog::error("JSON-RPC: epoll_ctl on {}: {}", c.peer, std::strerror(errno));
            close_connection(c);
        }
    }

    void arm_read(Connection& c) {
        c.phase = Connection::Phase::kReading;
        if (!c.began) c.in.release_if_empty();
        // An idle connection may wait keep_alive_timeout for its next
        // request; a request in progress gets read_timeout from its first byte.
        const int64_t deadline = c.began ? c.started_ns + ns_of(config.read_timeout)
                                         : now_ns() + ns_of(config.keep_alive_timeout);
        arm(c, EPOLLIN, deadline);
    }

    void close_connection(Connection& c) {
        if (c.registered) ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
        {
            std::lock_guard lk(conns_mu);
            conns.erase(&c);
            if (conns.empty()) conns_cv.notify_all();
        }
        ::close(c.fd);
        delete &c;
    }

    static void begin_request(Connection& c) {
        c.parser.emplace();
        c.parser->header_limit(kMaxHeaderBytes);
        // Enforced in feed(), with the drain. (Not boost::none: Beast 1.74
        // compares a declared length against the empty optional as if it
        // were a limit of zero.)
        c.parser->body_limit(std::numeric_limits<uint64_t>::max());
        // Not eager until the head is checked: the body's storage is sized
        // from the declared length when the parser starts on the body.
        c.parser->eager(false);
        c.began = !c.in.empty();  // pipelined bytes already belong to it
        c.started_ns = c.began ? now_ns() : 0;
        c.head_checked = false;
        c.draining = false;
        c.dropped = 0;
    }

    // An epoll event of `c`: its socket is readable (or writable).
    void serve(Connection& c) {
        int64_t d = c.deadline.load(std::memory_order_acquire);
        // Taken back from the reaper; if it came first, the socket is shut
        // down and the reads and writes below end the connection.
        while (d != 0 && !c.deadline.compare_exchange_weak(d, 0)) {
        }
        if (c.phase == Connection::Phase::kWriting) {
            write_some(c);
        } else {
            read_some(c);
        }
    }

    void read_some(Connection& c) {
        for (;;) {
            Response res;
            switch (feed(c, res)) {
                case Feed::kRequest:
                    answer(c);
                    return;
                case Feed::kAnswered:
                    respond(c, std::move(res));
                    return;
                case Feed::kNeedMore:
                    break;
            }
            const ssize_t n = c.in.fill(c.fd);
            if (n > 0) {
                if (!c.began) {
                    c.began = true;
                    c.started_ns = now_ns();
                }
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !stopping) {
                arm_read(c);
                return;
            }
            // The peer closed, the idle keep-alive wait or the request's
            // read time ended (the reaper shut the socket down), the server
            // is stopping: nothing to answer on a connection going away.
            close_connection(c);
            return;
        }
    }

    // Hands the buffered bytes to the request's parser.
    Feed feed(Connection& c, Response& res) const {
        auto& parser = *c.parser;
        while (!c.in.empty() && !parser.is_done()) {
            boost::system::error_code ec;
            const size_t used = parser.put(c.in.pending(), ec);
            c.in.consume(used);
            if (ec == http::error::need_more) break;
            if (ec) {
                c.in.drop_all();
                res = ec == http::error::header_limit
                          ? json_error(431, errc::kInvalidRequest, "request header too large", true)
                          : json_error(400, errc::kInvalidRequest,
                                       "malformed HTTP request: " + ec.message(), true);
                return Feed::kAnswered;
            }
            if (parser.is_header_done() && !c.head_checked) {
                c.head_checked = true;
                if (auto refused = check_head(c)) {
                    res = std::move(*refused);
                    return Feed::kAnswered;
                }
                parser.eager(true);
            }
            if (c.head_checked) {
                std::string& body = parser.get().body();
                if (body.size() > config.max_body_bytes) c.draining = true;
                if (c.draining) {
                    c.dropped += body.size();
                    body.clear();
                    // Far too much: answer without reading on (the peer
                    // may see a reset before it reads the answer).
                    if (c.dropped > drain_limit) {
                        res = too_large();
                        return Feed::kAnswered;
                    }
                }
            }
            if (used == 0) break;
        }
        if (!parser.is_done()) return Feed::kNeedMore;
        if (c.draining) {
            res = too_large();
            return Feed::kAnswered;
        }
        return Feed::kRequest;
    }

    // Checks a request's head before its body is read. Returns the answer
    // when the request is refused outright; sets `draining` when the body is
    // to be read and dropped.
    std::optional<Response> check_head(Connection& c) const {
        const auto& parser = *c.parser;
        const auto& req = parser.get();
        const bool expects_continue =
            boost::beast::iequals(req[http::field::expect], "100-continue");
        const auto length = parser.content_length();
        if (length && *length > config.max_body_bytes) {
            // Refused before any of the body is read: a length far over the
            // limit, or one the client waits for our word to send.
            if (*length > drain_limit || expects_continue) return too_large();
            c.draining = true;
            return std::nullopt;
        }
        if (expects_continue && !parser.is_done()) {
            // 25 bytes into an empty send buffer: a short write would mean
            // the peer is gone, which the next read finds out.
            static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
            (void)::send(c.fd, kContinue, sizeof(kContinue) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        return std::nullopt;
    }

    // A whole request is read: route it. JSON-RPC bodies go to the
    // dispatcher, which replies later (or at once) from a serving thread.
    void answer(Connection& c) {
        auto& req = c.parser->get();
        const bool keep = c.parser->keep_alive() && c.served + 1 < max_requests;
        log(req.method_string(), req.target(), c.peer, req.method() == http::verb::post);
        c.close_after = !keep;
        if (req.method() != http::verb::post) {
            respond(c, route(req));
            return;
        }
        const boost::beast::string_view type = req[http::field::content_type];
        if (type.size() >= 19 && boost::beast::iequals(type.substr(0, 19), "multipart/form-data")) {
            respond(c, json_error(415, errc::kInvalidRequest, "expected a JSON body", false));
            return;
        }
        c.phase = Connection::Phase::kAnswering;
        std::string body = std::move(req.body());
        dispatcher.handle_async(std::move(body), c.peer, post_fn, [this, &c](std::string out) {
            if (out.empty()) {
                respond(c, Response{204, {}, {}, {}, false});  // only notifications
            } else {
                respond(c, Response{200, kJson, std::move(out), {}, false});
            }
        });
    }

    void respond(Connection& c, Response res) {
        // Counted before the response is written, so a client that has its
        // answer also sees it counted.
        if (responses != nullptr) responses->with({std::to_string(res.status)}).inc();
        c.close_after = c.close_after || res.close || stopping;
        std::string& head = c.head;
        head.clear();
        fmt::format_to(std::back_inserter(head), "HTTP/1.1 {} {}\r\n", res.status,
                       reason_of(res.status));
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
        head.append(c.close_after ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n");
        c.body = res.status == 204 ? std::string() : std::move(res.body);
        c.written = 0;
        c.phase = Connection::Phase::kWriting;
        write_some(c);
    }

    // Writes what is left of the response; arms for writability when the
    // socket's buffer is full.
    void write_some(Connection& c) {
        const size_t total = c.head.size() + c.body.size();
        while (c.written < total) {
            iovec iov[2];
            int count = 0;
            if (c.written < c.head.size()) {
                iov[count++] = {c.head.data() + c.written, c.head.size() - c.written};
                if (!c.body.empty()) iov[count++] = {c.body.data(), c.body.size()};
            } else {
                const size_t at = c.written - c.head.size();
                iov[count++] = {c.body.data() + at, c.body.size() - at};
            }
            msghdr msg{};
            msg.msg_iov = iov;
            msg.msg_iovlen = static_cast<size_t>(count);
            const ssize_t n = ::sendmsg(c.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    arm(c, EPOLLOUT, now_ns() + ns_of(config.write_timeout));
                    return;
                }
                close_connection(c);  // the peer is gone, or the write timed out
                return;
            }
            c.written += static_cast<size_t>(n);
        }
        if (c.close_after) {
            close_connection(c);
            return;
        }
        ++c.served;
        c.body = std::string();  // a large answer's memory is not kept while idle
        begin_request(c);
        if (c.began) {
            // A pipelined request is already buffered: read it from a task,
            // so that a long pipeline does not nest calls on this stack.
            c.phase = Connection::Phase::kReading;
            post([this, &c] { read_some(c); });
            return;
        }
        arm_read(c);
    }

    static void log(boost::beast::string_view method, boost::beast::string_view target,
                    const std::string& peer, bool rpc) {
        if (spdlog::should_log(spdlog::level::debug)) {
            spdlog::debug("HTTP {} {} from {}{}", sv(method), sv(target), peer,
                          rpc ? " (JSON-RPC)" : "");
        }
    }

    // ---- routing (everything but JSON-RPC bodies) ----------------------------

    [[nodiscard]] Response route(const http::request<http::string_body>& req) const {
        const boost::beast::string_view target = req.target();
        const boost::beast::string_view path = target.substr(0, target.find('?'));
        try {
            switch (req.method()) {
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

    [[nodiscard]] Response serve_health() const {
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

    [[nodiscard]] Response serve_metrics() const {
        if (metrics == nullptr) return Response{404, "text/plain", "no metrics\n", {}, false};
        return Response{
            200, "text/plain; version=0.0.4; charset=utf-8", metrics->render(), {}, false};
    }

    [[nodiscard]] Response serve_preflight(const http::request<http::string_body>& req) const {
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
    size_t workers = s.config.worker_threads;
    if (workers == 0) workers = std::max(2U, std::thread::hardware_concurrency());
    s.workers.reserve(workers);
    for (size_t i = 0; i < workers; ++i) s.workers.emplace_back([&s] { s.run_worker(); });
    s.reaper = std::thread([&s] { s.run_reaper(); });
    spdlog::info("JSON-RPC listening on {} ({} serving threads)", url(), workers);
}

void HttpServer::stop() {
    Impl& s = *impl_;
    if (!s.reaper.joinable()) return;
    {
        std::unique_lock lk(s.conns_mu);
        s.stopping = true;
        // No new connections (accept now fails and the listener is not
        // re-armed). Idle keep-alive connections see the end of their
        // stream at once; a request being answered still gets its answer
        // written, then its connection closes.
        ::shutdown(s.listen_fd, SHUT_RDWR);
        for (Connection* c : s.conns) ::shutdown(c->fd, SHUT_RD);
        s.conns_cv.wait(lk, [&] { return s.conns.empty(); });
    }
    const uint64_t one = 1;
    if (::write(s.stop_fd, &one, sizeof(one)) != sizeof(one)) {
        spdlog::warn("cannot wake the JSON-RPC threads: {}", std::strerror(errno));
    }
    for (std::thread& t : s.workers) t.join();
    s.workers.clear();
    {
        std::lock_guard lk(s.reaper_mu);
        s.reaper_stop = true;
    }
    s.reaper_cv.notify_all();
    s.reaper.join();
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
