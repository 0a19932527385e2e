// The command groups of add_node_commands, one file each, and what they
// share: running a command body with its errors mapped to exit codes, and
// sending or reading contract calls.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ampd/cli/context.hpp"
#include "ampd/primitives/abi.hpp"

namespace ampd::cli {

// Runs command bodies: builds their Context, reports what they throw
// (text on stderr; with --json also {"error": ...} on stdout) and stores
// the exit code.
class Runner : public std::enable_shared_from_this<Runner> {
public:
    Runner(Io& io, int& exit_code) : io_(io), exit_code_(exit_code) {}

    GlobalOptions& options() { return options_; }
    // A callback for CLI11 that runs `body` when the command was given.
    std::function<void()> command(std::function<int(Context&)> body);

private:
    GlobalOptions options_;
    Io& io_;
    int& exit_code_;
};

void add_keys_commands(CLI::App& app, std::shared_ptr<Runner> runner);
void add_balance_command(CLI::App& app, std::shared_ptr<Runner> runner);
void add_token_commands(CLI::App& app, std::shared_ptr<Runner> runner);
void add_operator_commands(CLI::App& app, std::shared_ptr<Runner> runner);
void add_collateral_commands(CLI::App& app, std::shared_ptr<Runner> runner);
void add_lookup_commands(CLI::App& app, std::shared_ptr<Runner> runner);
void add_clearinghouse_commands(CLI::App& app, std::shared_ptr<Runner> runner);

// A collateral partition as typed: "collateral" is the manager's default
// (Context::default_collateral_partition); otherwise parse_partition's forms.
Bytes32 collateral_partition(Context& ctx, std::string_view text, std::string_view what);

// An AMOUNT argument and its --raw flag, filled in by CLI11.
struct AmountArg {
    std::string text;
    bool raw = false;
    [[nodiscard]] u256 value() const;
};
void add_amount(CLI::App& cmd, AmountArg& amount, const std::string& help);

// Signs `calldata` to `to` with the command's signer, sends it and prints
// the outcome; the exit code. A gas estimate that reverts is reported as
// such (exit 1) and nothing is sent.
int send_call(Context& ctx, const Address& to, const Bytes& calldata);

// Calldata for `signature` with `args`.
[[nodiscard]] Bytes calldata(std::string_view signature, const abi::Encoder& args);

// eth_call of a view returning one word / a bytes32[] list.
u256 view_u256(Context& ctx, const Address& to, std::string_view signature,
               const abi::Encoder& args);
bool view_bool(Context& ctx, const Address& to, std::string_view signature,
               const abi::Encoder& args);
std::vector<Bytes32> view_bytes32_list(Context& ctx, const Address& to, std::string_view signature,
                                       const abi::Encoder& args);

}  // namespace ampd::cli
