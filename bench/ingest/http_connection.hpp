// A minimal HTTP/1.1 keep-alive client for the load generator. Requests are
// built as bytes before the timed phase and one is in flight per connection,
// so the client's own CPU per request (which the node's two cores pay for)
// is a send() and a recv() or two.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ampd_load {

// The complete bytes of a POST of the JSON `body` to `path`.
[[nodiscard]] std::string post_request(std::string_view body, std::string_view path = "/");
// The complete bytes of a GET of `path`.
[[nodiscard]] std::string get_request(std::string_view path);

struct HttpResponse {
    int status = 0;
    std::string body;
};

class HttpConnection {
public:
    HttpConnection(std::string host, uint16_t port);
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    // Connects now (round_trip would otherwise connect on first use).
    void open();
    // Sends a prebuilt request and reads the whole response, connecting
    // first if the connection is closed (the server closes it after
    // keep_alive_max_requests, announcing it; a failed exchange closes it
    // too). Throws std::runtime_error on a transport failure.
    HttpResponse round_trip(std::string_view request);
    // Closes the connection (the next round trip reconnects).
    void close();

private:
    HttpResponse exchange(std::string_view request);
    void read_more();

    std::string host_;
    uint16_t port_;
    int fd_ = -1;
    std::string buf_;
};

}  // namespace ampd_load
