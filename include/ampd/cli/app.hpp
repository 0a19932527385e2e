// The amp commands that talk to a node or manage keys, registered on the
// amp command line (apps/amp/main.cpp) and on test harnesses alike.
//
// Global options (--rpc, --json, --from, --dev-account, --keystore,
// --password-file, --amp, --manager, --no-wait, --timeout) go on `app`
// and may be written before or after the command. Each command's callback
// leaves its exit code (errors.hpp) in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

#include "ampd/cli/context.hpp"

namespace ampd::cli {

// `io` must outlive `app`.
void add_node_commands(CLI::App& app, Io& io, int& exit_code);

}  // namespace ampd::cli
