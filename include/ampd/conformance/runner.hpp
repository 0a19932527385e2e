// The conformance runner: executes every step of a recorded scenario on a
// fresh state machine and compares each outcome with the recording
// (../shared/conformance/README.md describes the format).
//
// A step passes when every recorded field matches: status, revert reason and
// error kind, return data (byte-exact and as typed values), decoded events
// and raw logs; for a deployment, the contract at the recorded address. A
// step that fails is a bug in the state machine: nothing is skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace ampd::conformance {

struct RunOptions {
    uint64_t chain_id = 31337;
    // How many failing steps per scenario keep their mismatch details.
    size_t mismatches_per_scenario = 1;
};

// The first field of a step that differs from the recording.
struct Mismatch {
    size_t step = 0;        // 0-based index into the scenario's steps
    std::string kind;       // "deploy", "tx" or "call"
    std::string contract;   // type of the contract the step targets ("Amp", ...)
    std::string signature;  // function signature, or "constructor(types)" for a deployment
    std::string from;       // sender, with its label when the scenario names it
    std::string to;         // target (or the deployment address), likewise
    // What differs: "status", "reason", "error", "returndata", "return[i]",
    // "events" (count), "events[i]", "logs" (count), "logs[i]", "address"
    // (deployment), "vector" (the step cannot be read) or "exception" (the
    // state machine threw; the rest of the scenario is not run and fails).
    std::string field;
    std::string expected;
    std::string actual;
};

struct ScenarioResult {
    std::string name;
    size_t line = 0;  // line of the vector file (1-based), 0 if not from a file
    size_t steps = 0;
    size_t passed = 0;
    size_t failed = 0;
    // The first RunOptions::mismatches_per_scenario failures, in step order.
    std::vector<Mismatch> mismatches;
    // A scenario that could not be run at all (unreadable JSON, no steps);
    // it counts as one failed step.
    std::string error;

    [[nodiscard]] bool ok() const { return failed == 0 && error.empty(); }
};

struct FileResult {
    std::string path;
    size_t scenarios = 0;
    size_t passed = 0;  // steps
    size_t failed = 0;  // steps (a file or scenario that cannot be read counts as one)
    std::vector<ScenarioResult> failing;  // scenarios with at least one failure
    std::string error;                    // the file could not be read to its end

    [[nodiscard]] bool ok() const { return failed == 0 && error.empty(); }
};

// Runs one scenario (a parsed line of a vector file) on a fresh world.
[[nodiscard]] ScenarioResult run_scenario(const nlohmann::json& scenario,
                                          const RunOptions& options = {});

// Runs every scenario of a `.jsonl` or `.jsonl.gz` file. `on_scenario`, if
// given, sees each result as soon as it is known.
[[nodiscard]] FileResult run_file(
    const std::string& path, const RunOptions& options = {},
    const std::function<void(const ScenarioResult&)>& on_scenario = {});

}  // namespace ampd::conformance
