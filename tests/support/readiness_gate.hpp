// Readiness a test controls, as a node's submission gives it to deferred
// JSON-RPC calls: callbacks registered before open() fire when it is
// called (on the opening thread), later ones at once.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "ampd/rpc/method_table.hpp"

namespace test_support {

class ReadinessGate {
public:
    ampd::rpc::WhenReady when_ready() {
        return [this](std::function<void()> f) {
            std::unique_lock lk(mu_);
            if (!open_) {
                waiting_.push_back(std::move(f));
                return;
            }
            lk.unlock();
            f();
        };
    }
    void open() {
        std::vector<std::function<void()>> fire;
        {
            std::lock_guard lk(mu_);
            open_ = true;
            fire.swap(waiting_);
        }
        for (auto& f : fire) f();
    }
    [[nodiscard]] size_t waiting() {
        std::lock_guard lk(mu_);
        return waiting_.size();
    }

private:
    std::mutex mu_;
    bool open_ = false;
    std::vector<std::function<void()>> waiting_;
};

}  // namespace test_support
