// Text report of a conformance run.
#pragma once

#include <cstddef>
#include <string>

#include "ampd/conformance/runner.hpp"

namespace ampd::conformance {

// "erc20.jsonl.gz: 1234 passed, 0 failed (20 scenarios)", with the number of
// failing scenarios and any read error.
[[nodiscard]] std::string file_line(const FileResult& file);

// Exactly "N passed, N failed".
[[nodiscard]] std::string totals_line(size_t passed, size_t failed);

// Multi-line description of the recorded mismatches of a failing scenario:
// file, scenario, step index, kind, contract and signature, the field, and
// the expected and actual values. Ends with a newline.
[[nodiscard]] std::string describe_failure(const std::string& path, const ScenarioResult& scenario);

// Running totals over several files.
struct Totals {
    size_t passed = 0;
    size_t failed = 0;
    void add(const FileResult& f) {
        passed += f.passed;
        failed += f.failed;
    }
    [[nodiscard]] bool ok() const { return failed == 0; }
};

}  // namespace ampd::conformance
