// A unique temporary directory per test, removed with everything in it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "ampd/primitives/bytes.hpp"

namespace ampd::storage::test {

class TestDir {
public:
    TestDir() {
        static std::atomic<unsigned> counter{0};
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        std::string name =
            "ampd-storage-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
        if (info != nullptr) {
            std::string test = info->name();  // "Name/3" for parameterized tests
            std::replace(test.begin(), test.end(), '/', '_');
            name += "-" + test;
        }
        path_ = std::filesystem::path(testing::TempDir()) / name;
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TestDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TestDir(const TestDir&) = delete;
    TestDir& operator=(const TestDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& s) const { return path_ / s; }

private:
    std::filesystem::path path_;
};

inline Bytes read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& p, ByteView data) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
}

inline void flip_byte(const std::filesystem::path& p, uint64_t offset) {
    Bytes b = read_file(p);
    b.at(offset) ^= 0x5A;
    write_file(p, b);
}

}  // namespace ampd::storage::test
