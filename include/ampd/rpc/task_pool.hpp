// A fixed set of threads running posted tasks in the order they were posted.
// The JSON-RPC dispatcher runs the methods that may wait (for the state lock
// while the sequencer applies a group of transactions, or for the history
// store's disk reads) on one, so that the few serving threads of the
// event-driven server never wait: a slow eth_getLogs then stalls its own
// client, not every client of the node.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ampd::rpc {

class TaskPool {
public:
    // Starts `threads` (at least 1) threads named `name` (at most 15
    // characters are kept, as Linux keeps them).
    TaskPool(size_t threads, std::string name);
    // Runs every task already posted, then joins the threads.
    ~TaskPool();
    TaskPool(const TaskPool&) = delete;
    TaskPool& operator=(const TaskPool&) = delete;

    // Queues `task` for the next free thread. A task that throws is logged
    // and dropped; the thread goes on with the next one.
    void post(std::function<void()> task);

    // Tasks posted and not yet started.
    [[nodiscard]] size_t queued() const;

private:
    void run();

    mutable std::mutex mu_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> tasks_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace ampd::rpc
