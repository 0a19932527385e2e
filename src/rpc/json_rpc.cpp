#include "ampd/rpc/json_rpc.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <vector>

#include "ampd/rpc/task_pool.hpp"
#include "json_rpc_internal.hpp"

namespace ampd::rpc {
namespace {

using json_rpc_internal::dump;
using json_rpc_internal::error_response;
using json_rpc_internal::guarded;
using json_rpc_internal::result_response;
using nlohmann::json;

// Method names echoed in messages are cut to this many bytes: a client's
// 1 MB "method" must not come back in every error.
constexpr size_t kMaxEchoedName = 128;

// Whether arrays/objects nest deeper than `max`, scanning the raw text so
// that the check happens before the parser builds anything.
bool nests_deeper_than(std::string_view body, size_t max) {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : body) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max) return true;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return false;
}

bool valid_id(const json& id) {
    return id.is_string() || id.is_number() || id.is_null();
}

std::string echoed_name(std::string_view name) {
    if (name.size() <= kMaxEchoedName) return std::string(name);
    size_t cut = kMaxEchoedName;
    // Back off UTF-8 continuation bytes so the cut falls between characters.
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    return std::string(name.substr(0, cut)) + "...";
}

}  // namespace

Dispatcher::Dispatcher(MethodTable table, DispatcherConfig config, MetricsRegistry* metrics)
    : table_(std::move(table)), config_(config) {
    if (config_.call_threads > 0) {
        call_pool_ = std::make_shared<TaskPool>(config_.call_threads, "ampd-rpc-call");
    }
    if (metrics == nullptr) return;
    if (call_pool_) {
        metrics->gauge_callback(
            "rpc_call_queue_length",
            "JSON-RPC bodies waiting for a call thread (--rpc-call-threads): a queue that stays "
            "long means the call threads are all busy or blocked.",
            [pool = std::weak_ptr<TaskPool>(call_pool_)] {
                const auto p = pool.lock();
                return p ? static_cast<double>(p->queued()) : 0.0;
            });
    }
    auto& latency = metrics->histogram_family(
        "rpc_request_duration_seconds", "Time spent in a JSON-RPC method handler.", {"method"});
    auto& calls =
        metrics->counter_family("rpc_requests_total", "JSON-RPC calls by method.", {"method"});
    auto& errors =
        metrics->counter_family("rpc_request_errors_total",
                                "JSON-RPC calls answered with an error, by method.", {"method"});
    // Children exist up front, so recording a call never takes a lock; the
    // label set is the table's names, never a client's text.
    for (const auto& [name, entry] : table_.entries()) {
        if (!table_.callable(entry)) continue;
        metrics_by_method_.emplace(
            name, MethodMetrics{&latency.with({name}), &calls.with({name}), &errors.with({name})});
    }
    unknown_method_metrics_ = {nullptr, &calls.with({"unknown"}), &errors.with({"unknown"})};
    invalid_requests_ = &metrics->counter(
        "rpc_invalid_requests_total",
        "Request bodies or objects refused before reaching a method (parse errors, invalid "
        "requests, batch limit).");
    batch_size_ = &metrics->histogram("rpc_batch_size", "Requests per JSON-RPC batch.",
                                      {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000});
}

std::string Dispatcher::refuse(int code, std::string message) const {
    if (invalid_requests_ != nullptr) invalid_requests_->inc();
    return dump(error_response(nullptr, RpcError{code, std::move(message)}));
}

std::optional<std::string> Dispatcher::parse_body(std::string_view body, json& request) const {
    if (nests_deeper_than(body, config_.max_depth)) {
        return refuse(
            errc::kInvalidRequest,
            fmt::format("invalid request: JSON nested deeper than {} levels", config_.max_depth));
    }
    try {
        request = json::parse(body);
    } catch (const json::parse_error& e) {
        return refuse(errc::kParseError, fmt::format("parse error at byte {}", e.byte));
    } catch (const json::exception&) {
        // Numbers out of range and the like: not parseable as this server reads JSON.
        return refuse(errc::kParseError, "parse error: invalid JSON value");
    }
    if (!request.is_array()) return std::nullopt;
    if (request.empty()) return refuse(errc::kInvalidRequest, "invalid request: empty batch");
    if (request.size() > config_.max_batch) {
        return refuse(errc::kLimitExceeded,
                      fmt::format("batch of {} requests exceeds the limit of {}", request.size(),
                                  config_.max_batch));
    }
    if (batch_size_ != nullptr) batch_size_->observe(static_cast<double>(request.size()));
    return std::nullopt;
}

std::string Dispatcher::batch_response(std::vector<Item>& items) {
    json responses = json::array();
    for (Item& item : items) {
        if (item.response) responses.push_back(std::move(*item.response));
    }
    return responses.empty() ? std::string() : dump(responses);
}

std::string Dispatcher::handle(std::string_view body, std::string_view remote) const {
    if (std::optional<std::string> answer = handle_text(body, remote)) return std::move(*answer);
    json request;
    if (std::optional<std::string> refused = parse_body(body, request)) return std::move(*refused);

    if (!request.is_array()) {
        Item item = start(request, remote, false);
        finish(item);
        return item.response ? dump(*item.response) : std::string();
    }
    std::vector<Item> items;
    items.reserve(request.size());
    size_t unfinished = 0;  // items before this one are answered
    for (const json& r : request) {
        if (!is_deferred(r)) {
            // A plain method sees the effects of everything before it.
            for (; unfinished < items.size(); ++unfinished) finish(items[unfinished]);
        }
        items.push_back(start(r, remote, true));
    }
    for (; unfinished < items.size(); ++unfinished) finish(items[unfinished]);
    return batch_response(items);
}

bool Dispatcher::is_deferred(const json& request) const {
    if (!request.is_object()) return false;
    const auto method = request.find("method");
    if (method == request.end() || !method->is_string()) return false;
    const MethodTable::Entry* entry = table_.find(method->get_ref<const std::string&>());
    return entry != nullptr && table_.callable(*entry) && entry->deferred;
}

Dispatcher::Item Dispatcher::start(const json& request, std::string_view remote,
                                   bool in_batch) const {
    static const json kNullId = nullptr;
    static const json kNoParams = json::array();

    Item item;
    item.id = &kNullId;
    // An invalid request is answered even without an id (with id null): a
    // malformed notification cannot be told apart from a request whose id
    // was lost, and silence would leave the client waiting.
    const auto invalid = [&](std::string_view why) {
        if (invalid_requests_ != nullptr) invalid_requests_->inc();
        item.response = error_response(
            *item.id, RpcError{errc::kInvalidRequest, fmt::format("invalid request: {}", why)});
        return std::move(item);
    };
    if (!request.is_object()) return invalid("expected a JSON object");

    const auto id_it = request.find("id");
    item.notification = id_it == request.end();
    if (!item.notification && !valid_id(*id_it)) {
        return invalid("id must be a string, a number or null");
    }
    if (!item.notification) item.id = &*id_it;

    const auto version = request.find("jsonrpc");
    if (version == request.end() || !version->is_string() ||
        version->get_ref<const std::string&>() != "2.0") {
        return invalid("jsonrpc must be \"2.0\"");
    }
    const auto method = request.find("method");
    if (method == request.end() || !method->is_string()) {
        return invalid("method must be a string");
    }
    const auto params_it = request.find("params");
    if (params_it != request.end() && !params_it->is_array() && !params_it->is_object()) {
        return invalid("params must be an array or an object");
    }
    const json& params = params_it == request.end() ? kNoParams : *params_it;

    item.method = method->get_ref<const std::string&>();
    item.started = std::chrono::steady_clock::now();
    const RequestContext ctx{item.method, item.notification ? nullptr : item.id, remote, in_batch};
    try {
        const MethodTable::Entry& entry = lookup(item.method);
        if (entry.deferred) {
            item.completion = guarded(item.method, [&] { return entry.deferred(params, ctx); });
            if (!item.completion) {
                spdlog::error("JSON-RPC method {} returned no completion", item.method);
                throw RpcError{errc::kInternalError, "internal error"};
            }
            return item;
        }
        json result = guarded(item.method, [&] { return entry.handler(params, ctx); });
        record(item.method, item.started, false);
        if (!item.notification) item.response = result_response(*item.id, std::move(result));
    } catch (const RpcError& e) {
        record(item.method, item.started, true);
        if (!item.notification) item.response = error_response(*item.id, e);
    }
    return item;
}

void Dispatcher::finish(Item& item) const {
    if (!item.completion) return;
    const Completion completion = std::move(item.completion);
    item.completion = nullptr;
    try {
        json result = guarded(item.method, completion);
        record(item.method, item.started, false);
        if (!item.notification) item.response = result_response(*item.id, std::move(result));
    } catch (const RpcError& e) {
        record(item.method, item.started, true);
        if (!item.notification) item.response = error_response(*item.id, e);
    }
}

const MethodTable::Entry& Dispatcher::lookup(std::string_view method) const {
    const MethodTable::Entry* entry = table_.find(method);
    if (entry != nullptr && table_.callable(*entry)) return *entry;
    if (unknown_method_metrics_.calls != nullptr) unknown_method_metrics_.calls->inc();
    if (unknown_method_metrics_.errors != nullptr) unknown_method_metrics_.errors->inc();
    if (entry != nullptr) {
        throw RpcError{errc::kMethodNotFound,
                       fmt::format("the method {} is only available with --dev", method)};
    }
    throw RpcError{
        errc::kMethodNotFound,
        fmt::format("the method {} does not exist/is not available", echoed_name(method))};
}

void Dispatcher::record(std::string_view method, std::chrono::steady_clock::time_point started,
                        bool failed) const {
    // Names outside the table (unknown or dev-only methods) have no children.
    const auto m = metrics_by_method_.find(method);
    if (m == metrics_by_method_.end()) return;
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    m->second.latency->observe(took.count());
    m->second.calls->inc();
    if (failed) m->second.errors->inc();
}

json Dispatcher::call(std::string_view method, const json& params) const {
    if (!params.is_array() && !params.is_object()) {
        throw RpcError{errc::kInvalidRequest,
                       "invalid request: params must be an array or an object"};
    }
    static const json kInProcessId = 0;
    const auto started = std::chrono::steady_clock::now();
    const RequestContext ctx{method, &kInProcessId, {}, false};
    const MethodTable::Entry& entry = lookup(method);
    try {
        if (entry.deferred) {
            const Completion completion =
                guarded(method, [&] { return entry.deferred(params, ctx); });
            if (!completion) throw RpcError{errc::kInternalError, "internal error"};
            json result = guarded(method, completion);
            record(method, started, false);
            return result;
        }
        json result = guarded(method, [&] { return entry.handler(params, ctx); });
        record(method, started, false);
        return result;
    } catch (const RpcError&) {
        record(method, started, true);
        throw;
    }
}

}  // namespace ampd::rpc
