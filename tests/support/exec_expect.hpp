// Expectations on an executed call that the contract suites share.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "ampd/primitives/abi.hpp"
#include "ampd/state/world.hpp"

namespace ampd::test_support {

// `r` reverted with Error(reason), returned exactly its ABI encoding and
// emitted nothing.
inline void reverts(const state::ExecResult& r, std::string_view reason) {
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.revert_kind, state::Revert::Kind::kReason);
    EXPECT_EQ(r.revert_reason, reason);
    EXPECT_EQ(r.output, abi::error_data(reason));
    EXPECT_TRUE(r.logs.empty());
}

}  // namespace ampd::test_support
