// amp conformance: runs recorded conformance vectors against the state machine.
#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "ampd/conformance/report.hpp"
#include "ampd/conformance/runner.hpp"
#include "commands.hpp"

namespace amp_cli {

namespace {

struct ConformanceOptions {
    std::vector<std::string> files;
    bool verbose = false;
    size_t mismatches = 1;
};

int run_conformance(const ConformanceOptions& opts) {
    using namespace ampd::conformance;
    RunOptions run_opts;
    run_opts.mismatches_per_scenario = opts.mismatches;
    Totals totals;
    for (const std::string& path : opts.files) {
        const FileResult result = run_file(path, run_opts);
        if (opts.verbose) {
            for (const ScenarioResult& s : result.failing) {
                fmt::print("{}", describe_failure(path, s));
            }
        }
        fmt::print("{}\n", file_line(result));
        std::fflush(stdout);
        totals.add(result);
    }
    fmt::print("{}\n", totals_line(totals.passed, totals.failed));
    return totals.ok() ? 0 : 1;
}

}  // namespace

void add_conformance_command(CLI::App& app, int& exit_code) {
    auto opts = std::make_shared<ConformanceOptions>();
    CLI::App* cmd = app.add_subcommand(
        "conformance",
        "Run conformance vector files (.jsonl or .jsonl.gz) against the state machine");
    cmd->add_option("files", opts->files, "Vector files")->required()->check(CLI::ExistingFile);
    cmd->add_flag("-v,--verbose", opts->verbose,
                  "Print the first mismatch of each failing scenario (expected and actual)");
    cmd->add_option("--mismatches", opts->mismatches,
                    "With --verbose, how many failing steps to show per scenario")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->callback([opts, &exit_code] { exit_code = run_conformance(*opts); });
}

}  // namespace amp_cli
