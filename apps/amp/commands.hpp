// The amp command line: each command group lives in its own file and
// registers its subcommands here (the commands that talk to a node live in
// src/cli, see ampd/cli/app.hpp). A subcommand's callback runs after parsing
// and leaves the process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace amp_cli {

// amp conformance [--verbose] FILE...
void add_conformance_command(CLI::App& app, int& exit_code);

// amp demo
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace amp_cli
