#include "ampd/rpc/task_pool.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace ampd::rpc {

TaskPool::TaskPool(size_t threads, std::string name) {
    if (threads == 0) threads = 1;
    name.resize(std::min<size_t>(name.size(), 15));
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i) {
        threads_.emplace_back([this] { run(); });
        pthread_setname_np(threads_.back().native_handle(), name.c_str());
    }
}

TaskPool::~TaskPool() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    ready_.notify_all();
    for (std::thread& t : threads_) t.join();
}

void TaskPool::post(std::function<void()> task) {
    {
        std::lock_guard lk(mu_);
        tasks_.push_back(std::move(task));
    }
    ready_.notify_one();
}

size_t TaskPool::queued() const {
    std::lock_guard lk(mu_);
    return tasks_.size();
}

void TaskPool::run() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lk(mu_);
            ready_.wait(lk, [this] { return stopping_ || !tasks_.empty(); });
            // Stopping drains the queue first: a posted task may be the
            // answer a client is waiting for.
            if (tasks_.empty()) return;
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        try {
            task();
        } catch (const std::exception& e) {
            spdlog::error("task pool: a task failed: {}", e.what());
        } catch (...) {
            spdlog::error("task pool: a task failed");
        }
    }
}

}  // namespace ampd::rpc
