// Property tests: long random operation sequences over many actors,
// partitions, operators and collateral managers, driven through the ABI
// exactly as a client would, checking Amp's accounting invariants after
// every step and that a reverted transaction changes nothing.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "support/amp_harness.hpp"

namespace ampd {
namespace {

using state::ExecResult;
using test_support::Harness;

class AmpProperties : public ::testing::TestWithParam<uint64_t> {};

TEST_P(AmpProperties, InvariantsHoldAndRevertsChangeNothing) {
    Harness h(GetParam());
    h.check_invariants(0);
    size_t successes = 0;
    size_t reverts = 0;
    size_t partition_moves = 0;
    size_t supplies = 0;
    for (size_t step = 1; step <= 400; ++step) {
        const std::string before = h.digest();
        const ExecResult r = h.random_op();
        if (r.success) {
            ++successes;
            for (const auto& log : r.logs) {
                if (log.event->name == "ChangedPartition") ++partition_moves;
                if (log.event->name == "SupplyReceipt") ++supplies;
            }
        } else {
            ++reverts;
            EXPECT_TRUE(r.logs.empty());
            ASSERT_EQ(h.digest(), before)
                << "reverted step " << step << " changed state (" << r.revert_reason << ")";
        }
        h.check_invariants(step);
        if (::testing::Test::HasFailure()) break;
    }
    // The generator must exercise both outcomes and real partition changes,
    // or the properties above prove little.
    EXPECT_GT(successes, 100U);
    EXPECT_GT(reverts, 20U);
    EXPECT_GT(partition_moves, 5U);
    EXPECT_GT(supplies, 0U) << "no supply reached a collateral manager";
    std::cout << "[ property ] " << successes << " succeeded, " << reverts << " reverted, "
              << partition_moves << " partition changes, " << supplies << " supplies\n";
}

INSTANTIATE_TEST_SUITE_P(Seeds, AmpProperties, ::testing::Values(1, 2, 3, 4, 5, 6));

}  // namespace
}  // namespace ampd
