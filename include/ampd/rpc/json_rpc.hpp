// JSON-RPC 2.0 request handling, independent of the transport: a body in,
// a body out. Validation follows the specification to the letter, since
// wallets and libraries differ in what they send and expect back:
// https://www.jsonrpc.org/specification
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/rpc/error.hpp"
#include "ampd/rpc/method_table.hpp"
#include "ampd/rpc/metrics.hpp"

namespace ampd::rpc {

class TaskPool;

struct DispatcherConfig {
    // Requests in one batch; a longer batch is refused whole with -32005.
    size_t max_batch = 1000;
    // Nesting of arrays/objects in a body. Nothing in Ethereum's API nests
    // deeper than a handful of levels; the bound keeps recursive code that
    // looks at params (dumping, logging) away from stack exhaustion.
    size_t max_depth = 64;
    // Threads that run handle_async's general path: every body but the
    // plain eth_sendRawTransaction requests of the text path and bodies of
    // quick methods only (MethodTable::add_quick). Its methods may
    // wait (for the state lock while the sequencer applies transactions, for
    // the history store's disk reads), and the event-driven server has only
    // a few serving threads: on them, one slow eth_getLogs would stall every
    // client. 0 runs the general path on the calling thread.
    size_t call_threads = 0;
};

class Dispatcher {
public:
    // `metrics`, when given, must outlive the dispatcher; it receives
    // rpc_request_duration_seconds{method}, rpc_requests_total{method},
    // rpc_request_errors_total{method}, rpc_invalid_requests_total,
    // rpc_batch_size and, with call threads, rpc_call_queue_length. The
    // duration of a deferred method runs from its start until its
    // completion returned.
    explicit Dispatcher(MethodTable table, DispatcherConfig config = {},
                        MetricsRegistry* metrics = nullptr);

    // Handles one request body (a single request or a batch) and returns the
    // response body, or "" when every request was a notification. Never
    // throws for anything a client sends. Thread-safe when the handlers are.
    //
    // A batch's items run in order. Deferred methods (MethodTable::
    // add_deferred) are pipelined: each run of consecutive deferred items is
    // started in order, then completed in order, before the next
    // non-deferred item runs, so every plain method still sees the effects
    // of all the items before it, as if the batch ran one item at a time.
    [[nodiscard]] std::string handle(std::string_view body, std::string_view remote = {}) const;

    // Runs a task on a thread that serves requests (never inline).
    using Post = std::function<void(std::function<void()>)>;
    // Receives the response body ("" when every request was a notification).
    using Reply = std::function<void(std::string)>;

    // The same as handle() without waiting: answers exactly as handle()
    // would, through `reply`, which is called exactly once. The calling
    // thread does the CPU work of starting the requests; a deferred call
    // whose completion tells when it is ready (Completion::when_ready)
    // holds no thread while its operation is pending: once it is done the
    // rest of the body resumes through `post`, and `reply` is called there.
    // Deferred calls without when_ready are completed on the calling thread
    // (blocking it). With DispatcherConfig::call_threads, a body that is
    // neither plain requests of text-deferred methods nor only quick methods
    // (MethodTable::add_quick) is answered on those threads instead, and
    // `reply` is called on one of them. `post` must stay usable
    // until `reply` was called.
    void handle_async(std::string body, std::string remote, Post post, Reply reply) const;

    // Calls one method in-process, as a client would through handle(): the
    // result, or the RpcError the client would receive. A deferred method is
    // started and completed.
    nlohmann::json call(std::string_view method,
                        const nlohmann::json& params = nlohmann::json::array()) const;

    [[nodiscard]] const MethodTable& methods() const { return table_; }
    [[nodiscard]] const DispatcherConfig& config() const { return config_; }

private:
    struct MethodMetrics {
        Histogram* latency = nullptr;
        Counter* calls = nullptr;
        Counter* errors = nullptr;
    };

    // One request object of a body, from validation to its answer. Views
    // point into the parsed body, which outlives the item.
    struct Item {
        const nlohmann::json* id = nullptr;  // the id to echo (null for invalid requests)
        bool notification = false;
        std::string_view method;
        std::chrono::steady_clock::time_point started;
        Completion completion;                   // set while a deferred call is in flight
        std::optional<nlohmann::json> response;  // unset for an answered notification
    };

    // A request of the plain shape handled through a text form.
    struct TextItem {
        nlohmann::json id;
        std::string_view id_text;  // as the client wrote it (and nlohmann would)
        std::string_view method;
        std::string_view param;
        const MethodTable::Entry* entry = nullptr;
        std::chrono::steady_clock::time_point started;
        TextCompletion completion;
        std::string response;
    };
    // The answer to `body` through the methods' text forms, or nullopt when
    // the body is anything but plain requests of such methods (the general
    // path then handles it, and every error, as before). json_rpc_text.cpp.
    [[nodiscard]] std::optional<std::string> handle_text(std::string_view body,
                                                         std::string_view remote) const;
    [[nodiscard]] bool read_text_items(std::string_view body, std::vector<TextItem>& items,
                                       bool& batch) const;
    void start_text_items(std::vector<TextItem>& items, std::string_view remote, bool batch) const;
    // Completes the started items; returns the response body.
    std::string finish_text_items(std::vector<TextItem>& items, bool batch) const;

    // One body being answered by handle_async (json_rpc_async.cpp).
    struct AsyncRun;
    // The general path of handle_async, once the body is parsed: start the
    // requests and park.
    void run_general(const std::shared_ptr<AsyncRun>& run) const;
    // Whether every request of a parsed body names a quick method
    // (MethodTable::add_quick) or is refused before any method runs.
    [[nodiscard]] bool only_quick(const nlohmann::json& request) const;
    // Answers a body that failed outside its items with an internal error.
    void fail(const std::shared_ptr<AsyncRun>& run, const std::exception& e) const;
    void resume_batch(const std::shared_ptr<AsyncRun>& run) const;
    void answer_batch(const std::shared_ptr<AsyncRun>& run) const;

    // Parses a body for the general path into `request`; the response body
    // instead when it is refused whole (parse error, nesting, batch limits).
    std::optional<std::string> parse_body(std::string_view body, nlohmann::json& request) const;
    // The response body of a batch whose items are all answered.
    static std::string batch_response(std::vector<Item>& items);
    // Validates `request` and runs it, or starts it if its method is deferred.
    Item start(const nlohmann::json& request, std::string_view remote, bool in_batch) const;
    // Completes a deferred call started by start(); no-op for anything else.
    void finish(Item& item) const;
    // Whether `request` names a callable deferred method.
    [[nodiscard]] bool is_deferred(const nlohmann::json& request) const;
    // The callable entry for `method`, or the "method not found" RpcError.
    const MethodTable::Entry& lookup(std::string_view method) const;
    // Per-method metrics of a call that started at `started` and ends now.
    void record(std::string_view method, std::chrono::steady_clock::time_point started,
                bool failed) const;
    [[nodiscard]] std::string refuse(int code, std::string message) const;

    MethodTable table_;
    DispatcherConfig config_;
    std::map<std::string, MethodMetrics, std::less<>> metrics_by_method_;
    MethodMetrics unknown_method_metrics_;
    Counter* invalid_requests_ = nullptr;
    Histogram* batch_size_ = nullptr;
    // Last, so that it is destroyed first: its threads use the members above.
    // Shared with the metrics registry's queue gauge, which holds it weakly.
    std::shared_ptr<TaskPool> call_pool_;
};

}  // namespace ampd::rpc
