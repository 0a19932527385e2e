// Dispatcher::handle_async: the same answers as handle(), without a thread
// waiting on each deferred call. A body's requests are started on the
// calling thread; when a deferred call's operation is pending (a
// transaction waiting for its WAL group commit), the run parks in the
// completions' when_ready callbacks, and the last of them to fire posts the
// rest of the body back to a serving thread.
#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ampd/rpc/json_rpc.hpp"
#include "ampd/rpc/task_pool.hpp"
#include "json_rpc_internal.hpp"

namespace ampd::rpc {

struct Dispatcher::AsyncRun {
    std::string body;  // what the items' views point into
    std::string remote;
    Post post;
    Reply reply;

    // The text path's items.
    std::vector<TextItem> text;
    bool batch = false;

    // The general path's request and items.
    nlohmann::json request;
    std::vector<Item> items;
    size_t next = 0;        // the next request of the batch to start
    size_t unfinished = 0;  // items before this one are answered
    size_t awaited = 0;     // items before this one are known to be ready

    // Parked: the callbacks still to fire, plus one held while registering.
    std::atomic<size_t> pending{0};
    std::function<void()> then;  // what runs once they all have
};

namespace {

// Runs `then` once every completion in `waits` is ready: at once, on this
// thread, if they all already are; otherwise through run->post from the
// thread of the last one to become ready.
template <class Run>
void when_all_ready(const std::shared_ptr<Run>& run, const std::vector<const WhenReady*>& waits,
                    std::function<void()>&& then) {
    if (waits.empty()) {
        then();
        return;
    }
    run->then = std::move(then);
    // One count per callback and one held until all are registered, so that
    // callbacks firing during registration cannot finish the run early.
    run->pending.store(waits.size() + 1, std::memory_order_release);
    const auto arrive = [](const std::shared_ptr<Run>& r, bool on_caller) {
        if (r->pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        std::function<void()> next = std::move(r->then);
        r->then = nullptr;
        if (on_caller) {
            next();
        } else {
            r->post(std::move(next));
        }
    };
    for (const WhenReady* w : waits) (*w)([run, arrive] { arrive(run, false); });
    arrive(run, true);
}

template <class Completions>
void collect_waits(Completions& items, size_t from, std::vector<const WhenReady*>& waits) {
    for (size_t i = from; i < items.size(); ++i) {
        const auto& c = items[i].completion;
        if (c && c.when_ready()) waits.push_back(&c.when_ready());
    }
}

}  // namespace

void Dispatcher::handle_async(std::string body, std::string remote, Post post, Reply reply) const {
    auto run = std::make_shared<AsyncRun>();
    run->body = std::move(body);
    run->remote = std::move(remote);
    run->post = std::move(post);
    run->reply = std::move(reply);
    try {
        if (read_text_items(run->body, run->text, run->batch)) {
            if (run->batch && batch_size_ != nullptr) {
                batch_size_->observe(static_cast<double>(run->text.size()));
            }
            start_text_items(run->text, run->remote, run->batch);
            std::vector<const WhenReady*> waits;
            collect_waits(run->text, 0, waits);
            when_all_ready(run, waits,
                           [this, run] { run->reply(finish_text_items(run->text, run->batch)); });
            return;
        }
        run->text.clear();  // a partial read: the general path answers
        if (std::optional<std::string> refused = parse_body(run->body, run->request)) {
            run->reply(std::move(*refused));
            return;
        }
    } catch (const std::exception& e) {
        fail(run, e);
        return;
    }
    if (!call_pool_ || only_quick(run->request)) {
        run_general(run);
        return;
    }
    // On the call threads, with every resumption, and the reply too: posting
    // it back to a serving thread would cost one more thread wake-up.
    TaskPool* pool = call_pool_.get();
    run->post = [pool](std::function<void()> task) { pool->post(std::move(task)); };
    pool->post([this, run] { run_general(run); });
}

bool Dispatcher::only_quick(const nlohmann::json& request) const {
    // Anything refused before a method runs (not an object, no such method)
    // is answered at once: only a callable method that may wait needs a
    // call thread.
    const auto quick = [this](const nlohmann::json& r) {
        if (!r.is_object()) return true;
        const auto m = r.find("method");
        if (m == r.end() || !m->is_string()) return true;
        const MethodTable::Entry* e = table_.find(m->get_ref<const std::string&>());
        return e == nullptr || !table_.callable(*e) || e->quick;
    };
    if (!request.is_array()) return quick(request);
    return std::all_of(request.begin(), request.end(), quick);
}

void Dispatcher::run_general(const std::shared_ptr<AsyncRun>& run) const {
    try {
        if (!run->request.is_array()) {
            run->items.push_back(start(run->request, run->remote, false));
            std::vector<const WhenReady*> waits;
            collect_waits(run->items, 0, waits);
            when_all_ready(run, waits, [this, run] {
                Item& item = run->items.front();
                finish(item);
                run->reply(item.response ? json_rpc_internal::dump(*item.response) : std::string());
            });
            return;
        }
        run->items.reserve(run->request.size());
        resume_batch(run);
    } catch (const std::exception& e) {
        fail(run, e);
    }
}

void Dispatcher::fail(const std::shared_ptr<AsyncRun>& run, const std::exception& e) const {
    // Only resource exhaustion gets here: the items catch their own errors.
    spdlog::error("JSON-RPC body failed: {}", e.what());
    run->reply(refuse(errc::kInternalError, "internal error"));
}

void Dispatcher::resume_batch(const std::shared_ptr<AsyncRun>& run) const {
    while (run->next < run->request.size()) {
        const nlohmann::json& r = run->request[run->next];
        if (!is_deferred(r) && run->unfinished < run->items.size()) {
            // A plain method sees the effects of everything before it: park
            // until the deferred items before it are ready, then go on here.
            std::vector<const WhenReady*> waits;
            collect_waits(run->items, run->awaited, waits);
            run->awaited = run->items.size();
            if (!waits.empty()) {
                when_all_ready(run, waits, [this, run] { resume_batch(run); });
                return;
            }
            for (; run->unfinished < run->items.size(); ++run->unfinished) {
                finish(run->items[run->unfinished]);
            }
        }
        run->items.push_back(start(r, run->remote, true));
        ++run->next;
    }
    std::vector<const WhenReady*> waits;
    collect_waits(run->items, run->awaited, waits);
    run->awaited = run->items.size();
    when_all_ready(run, waits, [this, run] { answer_batch(run); });
}

void Dispatcher::answer_batch(const std::shared_ptr<AsyncRun>& run) const {
    for (; run->unfinished < run->items.size(); ++run->unfinished) {
        finish(run->items[run->unfinished]);
    }
    run->reply(batch_response(run->items));
}

}  // namespace ampd::rpc
