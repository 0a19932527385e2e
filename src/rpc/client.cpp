#include "ampd/rpc/client.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <charconv>
#include <map>

namespace ampd::rpc {
namespace {

using nlohmann::json;

struct Url {
    std::string scheme;
    std::string host;  // without brackets
    int port = 0;
    std::string path;
};

std::invalid_argument bad_url(std::string_view url, std::string_view why) {
    return std::invalid_argument(fmt::format("invalid JSON-RPC URL \"{}\": {}", url, why));
}

Url parse_url(std::string_view url) {
    Url u;
    const size_t sep = url.find("://");
    if (sep == std::string_view::npos) throw bad_url(url, "expected http://host[:port][/path]");
    u.scheme = std::string(url.substr(0, sep));
    if (u.scheme != "http" && u.scheme != "https")
        throw bad_url(url, "scheme must be http or https");
    std::string_view rest = url.substr(sep + 3);
    const size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    u.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (authority.find('@') != std::string_view::npos)
        throw bad_url(url, "credentials in URLs are not supported");

    std::string_view port;
    if (authority.starts_with('[')) {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) throw bad_url(url, "unterminated IPv6 address");
        u.host = std::string(authority.substr(1, close - 1));
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') throw bad_url(url, "unexpected text after the IPv6 address");
            port = after.substr(1);
            if (port.empty()) throw bad_url(url, "empty port");
        }
    } else {
        const size_t colon = authority.find(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) throw bad_url(url, "empty port");
        }
    }
    if (u.host.empty()) throw bad_url(url, "missing host");
    if (port.empty()) {
        u.port = u.scheme == "https" ? 443 : 80;
    } else {
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), u.port);
        if (ec != std::errc() || end != port.data() + port.size() || u.port < 1 || u.port > 65535) {
            throw bad_url(url, "port must be a number from 1 to 65535");
        }
    }
    return u;
}

std::string describe(httplib::Error e) {
    switch (e) {
        case httplib::Error::Connection:
            return "connection failed";
        case httplib::Error::ConnectionTimeout:
            return "connection timed out";
        case httplib::Error::Read:
            return "no complete response (timed out or connection closed)";
        case httplib::Error::Write:
            return "failed to send the request";
        case httplib::Error::SSLConnection:
            return "TLS handshake failed";
        case httplib::Error::SSLServerVerification:
            return "TLS certificate not trusted";
        default:
            return httplib::to_string(e);
    }
}

}  // namespace

const json& BatchResult::value() const {
    if (error) throw *error;
    return *result;
}

struct JsonRpcClient::Impl {
    Url target;
    httplib::Client http;

    explicit Impl(Url u)
        : target(std::move(u)),
          http(fmt::format(
              "{}://{}:{}", target.scheme,
              target.host.find(':') == std::string::npos ? target.host : "[" + target.host + "]",
              target.port)) {}
};

JsonRpcClient::JsonRpcClient(std::string url, ClientConfig config) : url_(std::move(url)) {
    impl_ = std::make_unique<Impl>(parse_url(url_));
    if (!impl_->http.is_valid()) throw bad_url(url_, "this build cannot connect to it");
    auto& http = impl_->http;
    http.set_keep_alive(config.keep_alive);
    http.set_connection_timeout(config.connect_timeout);
    http.set_read_timeout(config.read_timeout);
    http.set_write_timeout(config.write_timeout);
    http.set_tcp_nodelay(true);
}

JsonRpcClient::~JsonRpcClient() = default;

json JsonRpcClient::post(const std::string& body) {
    const httplib::Result res = impl_->http.Post(impl_->target.path, body, "application/json");
    if (!res) {
        throw TransportError(
            fmt::format("cannot reach JSON-RPC server at {}: {}", url_, describe(res.error())));
    }
    json answer = json::parse(res->body, nullptr, false);
    // A refusal the server explains in JSON-RPC (413 body too large, for
    // one) is an answer too; anything else that is not 200 is a transport
    // failure (proxy error page, wrong URL).
    const bool rpc_error = answer.is_object() && answer.contains("error");
    if (res->status != 200 && !rpc_error) {
        throw TransportError(fmt::format("HTTP {} from JSON-RPC server at {}", res->status, url_),
                             res->status);
    }
    if (answer.is_discarded()) {
        throw TransportError(
            fmt::format("invalid JSON in the response of JSON-RPC server at {}", url_),
            res->status);
    }
    return answer;
}

namespace {

// The result of one response object, or throws its error.
json result_of(const json& response, const std::string& url) {
    if (!response.is_object()) {
        throw TransportError(fmt::format("malformed JSON-RPC response from {}", url));
    }
    if (const auto error = response.find("error"); error != response.end()) {
        if (auto e = RpcError::from_json(*error)) throw std::move(*e);
        throw TransportError(fmt::format("malformed JSON-RPC error from {}", url));
    }
    const auto result = response.find("result");
    if (result == response.end()) {
        throw TransportError(fmt::format("JSON-RPC response from {} has no result", url));
    }
    return *result;
}

json request_object(std::string_view method, const json& params, uint64_t id) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
}

}  // namespace

json JsonRpcClient::call(std::string_view method, const json& params) {
    std::lock_guard lock(mutex_);
    const uint64_t id = next_id_++;
    const json response = post(request_object(method, params, id).dump());
    // An error answered without an id (id null) is still this call's error.
    if (response.is_object() && response.contains("id") && !response["id"].is_null() &&
        response["id"] != id) {
        throw TransportError(fmt::format("JSON-RPC response from {} has the wrong id", url_));
    }
    return result_of(response, url_);
}

std::vector<BatchResult> JsonRpcClient::batch(const std::vector<BatchCall>& calls) {
    if (calls.empty()) return {};
    std::lock_guard lock(mutex_);
    const uint64_t first_id = next_id_;
    next_id_ += calls.size();
    json request = json::array();
    for (size_t i = 0; i < calls.size(); ++i) {
        request.push_back(request_object(calls[i].method, calls[i].params, first_id + i));
    }
    const json response = post(request.dump());
    if (response.is_object()) {
        // The whole batch was refused; result_of throws its error.
        (void)result_of(response, url_);
        throw TransportError(
            fmt::format("JSON-RPC server at {} answered a batch with one object", url_));
    }
    std::map<uint64_t, const json*> by_id;
    for (const json& r : response) {
        const auto id = r.is_object() ? r.find("id") : r.end();
        if (id != r.end() && id->is_number_unsigned()) by_id[id->get<uint64_t>()] = &r;
    }
    std::vector<BatchResult> out(calls.size());
    for (size_t i = 0; i < calls.size(); ++i) {
        const auto it = by_id.find(first_id + i);
        if (it == by_id.end()) {
            throw TransportError(
                fmt::format("JSON-RPC server at {} did not answer call {} ({}) of a batch", url_, i,
                            calls[i].method));
        }
        try {
            out[i].result = result_of(*it->second, url_);
        } catch (RpcError& e) {
            out[i].error = std::move(e);
        }
    }
    return out;
}

}  // namespace ampd::rpc
