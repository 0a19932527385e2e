// /metrics of a running node: the heap gauges name the allocator the binary
// was linked with and report the heap in use; the history store says
// whether it bypasses the page cache.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <new>
#include <sstream>
#include <string>
#include <string_view>

#include "node_fixture.hpp"

namespace ampd::process_test {
namespace {

// Sample lines of a Prometheus text body: "name{labels} value" -> value.
std::map<std::string, double> samples(const std::string& body) {
    std::map<std::string, double> out;
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        if (space == std::string::npos) continue;
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

class MetricsTest : public RunningNode {
protected:
    // The gauge and the start-up log line both say `direct`.
    void expect_direct_io_reported(bool direct) {
        auto res = http()->Get("/metrics");
        ASSERT_TRUE(res);
        const auto m = samples(res->body);
        ASSERT_TRUE(m.contains("ampd_history_direct_io")) << res->body;
        EXPECT_EQ(m.at("ampd_history_direct_io"), direct ? 1 : 0);
        const std::string log = node_->log_tail(4000);
        EXPECT_NE(log.find(direct ? "written with O_DIRECT" : "go through the page cache"),
                  std::string::npos)
            << log;
    }
};

TEST_F(MetricsTest, HeapGaugesNameTheAllocatorAndReportUse) {
    auto res = http()->Get("/metrics");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    const auto first = samples(res->body);

    // The binary this test was built with, unless another one was named.
    const char* other = std::getenv("AMPD_BIN");
    if (other == nullptr || *other == '\0') {
        const std::string info =
            std::string("ampd_heap_allocator_info{allocator=\"") + AMPD_EXPECTED_ALLOCATOR + "\"}";
        ASSERT_TRUE(first.contains(info)) << res->body;
        EXPECT_EQ(first.at(info), 1);
        if (std::string_view(AMPD_EXPECTED_ALLOCATOR) == "tcmalloc") {
            // Freed memory is kept for reuse (apps/ampd/heap_release.hpp).
            ASSERT_TRUE(first.contains("ampd_heap_release_rate")) << res->body;
            EXPECT_EQ(first.at("ampd_heap_release_rate"), 0);
            const std::string log = node_->log_tail(4000);
            EXPECT_NE(log.find("tcmalloc keeps freed memory for reuse"), std::string::npos) << log;
        } else {
            EXPECT_FALSE(first.contains("ampd_heap_release_rate")) << res->body;
        }
    }
    ASSERT_TRUE(first.contains("ampd_heap_allocated_bytes")) << res->body;
    ASSERT_TRUE(first.contains("ampd_heap_reserved_bytes")) << res->body;
    const double allocated = first.at("ampd_heap_allocated_bytes");
    // The dev node's genesis state alone is well over a kilobyte of heap.
    EXPECT_GT(allocated, 1024);
    EXPECT_GE(first.at("ampd_heap_reserved_bytes"), allocated);
}

// Whether a 4 KiB block can be written with O_DIRECT in `dir`.
bool direct_write_works(const std::filesystem::path& dir) {
    const auto probe = dir / "test-direct-probe";
    const int fd = ::open(probe.c_str(), O_CREAT | O_WRONLY | O_DIRECT, 0600);
    if (fd < 0) return false;
    auto* block = static_cast<char*>(::operator new (4096, std::align_val_t{4096}));
    std::memset(block, 0, 4096);
    const bool ok = ::pwrite(fd, block, 4096, 0) == 4096;
    ::operator delete (block, std::align_val_t{4096});
    ::close(fd);
    std::filesystem::remove(probe);
    return ok;
}

TEST_F(MetricsTest, HistoryDirectIoGaugeSaysWhatTheFileSystemAllows) {
    expect_direct_io_reported(direct_write_works(dir_ / "chain" / "history"));
}

class NoDirectIoMetricsTest : public MetricsTest {
protected:
    std::vector<std::string> node_args() override {
        auto args = MetricsTest::node_args();
        args.emplace_back("--no-direct-io");
        return args;
    }
};

TEST_F(NoDirectIoMetricsTest, NoDirectIoTurnsItOff) {
    expect_direct_io_reported(false);
}

}  // namespace
}  // namespace ampd::process_test
