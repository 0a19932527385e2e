// What test handlers ran, in order, from any thread.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace test_support {

struct CallTrace {
    std::mutex mu;
    std::vector<std::string> events;
    void add(std::string e) {
        std::lock_guard lk(mu);
        events.push_back(std::move(e));
    }
};

}  // namespace test_support
