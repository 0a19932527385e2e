#include "http_connection.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ampd_load {
namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        const char a = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
        if (a != prefix[i]) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

std::string post_request(std::string_view body, std::string_view path) {
    return fmt::format(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: {}\r\n\r\n{}",
        path, body.size(), body);
}

std::string get_request(std::string_view path) {
    return fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
}

HttpConnection::HttpConnection(std::string host, uint16_t port)
    : host_(std::move(host)), port_(port) {}

HttpConnection::~HttpConnection() {
    close();
}

void HttpConnection::open() {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    const int yes = 1;
    // Requests are written whole; without this a small one waits for an ACK.
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) {
        throw std::runtime_error("bad IPv4 address " + host_);
    }
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        const int err = errno;
        close();
        throw std::runtime_error(
            fmt::format("connect to {}:{} failed: {}", host_, port_, std::strerror(err)));
    }
}

void HttpConnection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
}

void HttpConnection::read_more() {
    char chunk[64 * 1024];
    for (;;) {
        const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n > 0) {
            buf_.append(chunk, static_cast<size_t>(n));
            return;
        }
        if (n < 0 && errno == EINTR) continue;
        throw std::runtime_error(n == 0 ? "the server closed the connection"
                                        : fmt::format("recv failed: {}", std::strerror(errno)));
    }
}

HttpResponse HttpConnection::round_trip(std::string_view request) {
    try {
        return exchange(request);
    } catch (const std::exception&) {
        close();  // the stream's state is unknown: the next request reconnects
        throw;
    }
}

HttpResponse HttpConnection::exchange(std::string_view request) {
    if (fd_ < 0) open();
    size_t sent = 0;
    while (sent < request.size()) {
        const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(fmt::format("send failed: {}", std::strerror(errno)));
        sent += static_cast<size_t>(n);
    }
    buf_.clear();
    size_t header_end = std::string::npos;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) read_more();

    const std::string_view head(buf_.data(), header_end);
    HttpResponse response;
    if (head.size() < 12 || !head.starts_with("HTTP/1.1 ")) {
        throw std::runtime_error("malformed HTTP response");
    }
    response.status = std::atoi(std::string(head.substr(9, 3)).c_str());
    size_t length = 0;
    bool closing = false;
    size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos < head.size()) {
        const size_t next = head.find("\r\n", pos + 2);
        const std::string_view line =
            head.substr(pos + 2, (next == std::string_view::npos ? head.size() : next) - pos - 2);
        if (starts_with_ci(line, "content-length:")) {
            length = std::stoul(std::string(trim(line.substr(15))));
        } else if (starts_with_ci(line, "connection:")) {
            closing = starts_with_ci(trim(line.substr(11)), "close");
        }
        pos = next;
    }
    const size_t body_start = header_end + 4;
    while (buf_.size() < body_start + length) read_more();
    response.body.assign(buf_, body_start, length);
    if (closing) close();
    return response;
}

}  // namespace ampd_load
