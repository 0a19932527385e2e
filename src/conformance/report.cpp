#include "ampd/conformance/report.hpp"

#include <fmt/format.h>

namespace ampd::conformance {

std::string file_line(const FileResult& file) {
    std::string s = fmt::format("{}: {} passed, {} failed ({} scenarios", file.path, file.passed,
                                file.failed, file.scenarios);
    if (!file.failing.empty()) s += fmt::format(", {} failing", file.failing.size());
    s += ")";
    if (!file.error.empty()) s += fmt::format(" error: {}", file.error);
    return s;
}

std::string totals_line(size_t passed, size_t failed) {
    return fmt::format("{} passed, {} failed", passed, failed);
}

std::string describe_failure(const std::string& path, const ScenarioResult& scenario) {
    std::string s = fmt::format("FAIL {} line {} scenario \"{}\": {} of {} steps failed\n", path,
                                scenario.line, scenario.name, scenario.failed, scenario.steps);
    if (!scenario.error.empty()) s += fmt::format("  error: {}\n", scenario.error);
    for (const Mismatch& m : scenario.mismatches) {
        s += fmt::format("  step {} {} {}{}{}\n", m.step, m.kind, m.contract,
                         m.contract.empty() || m.signature.empty() ? "" : ".", m.signature);
        if (!m.from.empty()) s += fmt::format("    from      {}\n", m.from);
        if (!m.to.empty()) s += fmt::format("    to        {}\n", m.to);
        s += fmt::format("    field     {}\n", m.field);
        s += fmt::format("    expected  {}\n", m.expected);
        s += fmt::format("    actual    {}\n", m.actual);
    }
    return s;
}

}  // namespace ampd::conformance
