// The table from JSON-RPC method name to handler. Built once at start-up,
// then handed to a Dispatcher and never changed, so lookups need no lock.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ampd::rpc {

// What a handler knows about the call it serves. Views point into the
// request being handled and are valid only during the handler call.
struct RequestContext {
    std::string_view method;
    const nlohmann::json* id = nullptr;  // nullptr for a notification (no reply is sent)
    std::string_view remote;             // peer "ip:port"; empty when called in-process
    bool in_batch = false;
};

// `params` is the request's "params" member: an array (positional) or an
// object (by name); an absent member is passed as an empty array. The
// handler returns the "result" member, or throws RpcError.
using Handler =
    std::function<nlohmann::json(const nlohmann::json& params, const RequestContext& ctx)>;

// Calls its argument exactly once, on any thread, as soon as the operation
// a deferred handler started is done (at once if it already is). The
// argument must be cheap: it may run on the node's own threads.
using WhenReady = std::function<void(std::function<void()>)>;

// The second half of a deferred call: `finish` waits for the operation its
// handler started and returns the result (a "result" member for
// Completion, its JSON text for TextCompletion), or throws RpcError. Called
// exactly once, on a thread serving requests. With `when_ready` set, an
// asynchronous caller (Dispatcher::handle_async) calls `finish` only after
// `when_ready` has fired, so that it returns without waiting; without it,
// `finish` may block.
template <class Result>
class DeferredCompletion {
public:
    DeferredCompletion() = default;
    DeferredCompletion(std::nullptr_t) {}  // NOLINT(google-explicit-constructor): "no completion"
    template <class F>
    requires(!std::is_same_v<std::decay_t<F>, DeferredCompletion> &&
             std::is_invocable_r_v<Result, F&>)
        DeferredCompletion(
            F finish)  // NOLINT(google-explicit-constructor): a plain function is a completion
        : finish_(std::move(finish)) {}
    DeferredCompletion(std::function<Result()> finish, WhenReady when_ready)
        : finish_(std::move(finish)), when_ready_(std::move(when_ready)) {}

    explicit operator bool() const { return static_cast<bool>(finish_); }
    Result operator()() const { return finish_(); }
    [[nodiscard]] const WhenReady& when_ready() const { return when_ready_; }

private:
    std::function<Result()> finish_;
    WhenReady when_ready_;
};
using Completion = DeferredCompletion<nlohmann::json>;

// A deferred (pipelined) handler does its CPU work and starts the operation
// (e.g. queues a transaction for the sequencer), then returns without
// waiting for it. The dispatcher starts every deferred item of a run of
// consecutive deferred items in a batch, in order, before it completes any
// of them, so the operations of one batch overlap (a batch of transactions
// shares one WAL group commit instead of paying one each) while still being
// started in the batch's order. A throw from either half becomes that
// item's error. `params` and `ctx` are valid only during the start call:
// the completion must capture what it needs by value.
using DeferredHandler =
    std::function<Completion(const nlohmann::json& params, const RequestContext& ctx)>;

// The result member as JSON text, e.g. "\"0x12\"".
using TextCompletion = DeferredCompletion<std::string>;

// The text form of a deferred method whose params are one JSON string. The
// dispatcher uses it for bodies made only of requests of the plain shape
// {"jsonrpc": "2.0", "id": <integer, string or null>, "method": <name>,
// "params": ["<text without escapes>"]} (one request or a batch of them),
// reading them without building a JSON document: for a stream of signed
// transactions that document costs more than everything else the RPC layer
// does. It must answer exactly as the JSON form answers params [text], and
// it is started and completed under the same rules.
using TextDeferredHandler =
    std::function<TextCompletion(std::string_view param, const RequestContext& ctx)>;

class MethodTable {
public:
    // Development methods (add_dev) are callable only when dev_enabled.
    explicit MethodTable(bool dev_enabled = false) : dev_enabled_(dev_enabled) {}

    // Registers `name`; throws std::invalid_argument for an empty name, an
    // empty handler or a name registered twice (a wiring bug).
    MethodTable& add(std::string name, Handler handler);
    // Registers a method that never waits: it reads only constants or
    // atomics, takes no lock and touches no disk. The dispatcher answers it
    // on the thread that read the request instead of handing it to a call
    // thread (DispatcherConfig::call_threads), which would cost more than
    // the method itself.
    MethodTable& add_quick(std::string name, Handler handler);
    // Registers a development-only method (e.g. evm_mine, evm_snapshot):
    // without dev mode it answers "method not found" saying it needs --dev.
    MethodTable& add_dev(std::string name, Handler handler);
    // Registers a deferred method (see DeferredHandler); same checks as add.
    MethodTable& add_deferred(std::string name, DeferredHandler handler);
    // The same with its text form (see TextDeferredHandler).
    MethodTable& add_deferred(std::string name, DeferredHandler handler,
                              TextDeferredHandler text_form);

    // Exactly one of handler and deferred is set; text_deferred only
    // beside deferred.
    struct Entry {
        Handler handler;
        DeferredHandler deferred;
        bool dev_only = false;
        TextDeferredHandler text_deferred;
        bool quick = false;  // see add_quick
    };
    // nullptr if the name was never registered; a dev-only entry is
    // returned even with dev mode off (check callable()).
    [[nodiscard]] const Entry* find(std::string_view name) const;
    [[nodiscard]] bool callable(const Entry& e) const { return dev_enabled_ || !e.dev_only; }

    [[nodiscard]] bool dev_enabled() const { return dev_enabled_; }
    // Names a client can call, sorted.
    [[nodiscard]] std::vector<std::string> callable_names() const;
    [[nodiscard]] const std::map<std::string, Entry, std::less<>>& entries() const {
        return methods_;
    }

private:
    MethodTable& insert(std::string name, Entry entry);

    bool dev_enabled_;
    std::map<std::string, Entry, std::less<>> methods_;
};

}  // namespace ampd::rpc
