// A unique temporary directory per use, removed with everything in it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>

namespace ampd::test_support {

class TempDir {
public:
    explicit TempDir(const std::string& prefix = "ampd") {
        static std::atomic<unsigned> counter{0};
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        std::string name =
            prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
        if (info != nullptr) {
            // A parameterized test is named "Case/0": without this the
            // directory would be a child of one the destructor never removes.
            std::string test = info->name();
            std::replace(test.begin(), test.end(), '/', '_');
            name += "-" + test;
        }
        path_ = std::filesystem::path(testing::TempDir()) / name;
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& s) const { return path_ / s; }

private:
    std::filesystem::path path_;
};

}  // namespace ampd::test_support
