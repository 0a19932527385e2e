// amp: the command line of ampd, the native Amp token state machine.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "ampd/cli/app.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"amp: the Amp token and FlexaCollateralManager, natively"};
    app.require_subcommand(1);
    int exit_code = 0;
    amp_cli::add_conformance_command(app, exit_code);
    amp_cli::add_demo_command(app, exit_code);
    // Commands that talk to a node or manage keys (src/cli).
    ampd::cli::Io io = ampd::cli::standard_io();
    ampd::cli::add_node_commands(app, io, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; usage errors exit 2.
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "amp: {}\n", e.what());
        return 2;
    }
    return exit_code;
}
