// /metrics of a running node: the heap gauges name the allocator the binary
// was linked with and report the heap in use.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

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

class MetricsTest : public RunningNode {};

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
    }
    ASSERT_TRUE(first.contains("ampd_heap_allocated_bytes")) << res->body;
    ASSERT_TRUE(first.contains("ampd_heap_reserved_bytes")) << res->body;
    const double allocated = first.at("ampd_heap_allocated_bytes");
    // The dev node's genesis state alone is well over a kilobyte of heap.
    EXPECT_GT(allocated, 1024);
    EXPECT_GE(first.at("ampd_heap_reserved_bytes"), allocated);
}

}  // namespace
}  // namespace ampd::process_test
