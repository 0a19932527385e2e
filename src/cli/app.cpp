#include "ampd/cli/app.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "ampd/cli/decode.hpp"
#include "ampd/cli/errors.hpp"
#include "ampd/cli/report.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/primitives/keccak.hpp"
#include "commands.hpp"

namespace ampd::cli {

namespace {

using nlohmann::json;

void report_error(Context& ctx, std::string_view kind, const std::string& message,
                  const std::optional<std::string>& reason = std::nullopt) {
    ctx.err() << "amp: " << message << "\n";
    if (ctx.json()) {
        json e = {{"kind", kind}, {"message", message}};
        if (reason) e["reason"] = *reason;
        ctx.out() << json{{"error", e}}.dump() << "\n";
    }
}

}  // namespace

std::function<void()> Runner::command(std::function<int(Context&)> body) {
    return [self = shared_from_this(), body = std::move(body)] {
        Context ctx(self->options_, self->io_);
        int code = exit_code::kFailed;
        try {
            code = body(ctx);
        } catch (const UsageError& e) {
            report_error(ctx, "usage", e.what());
            code = exit_code::kUsage;
        } catch (const RevertError& e) {
            report_error(ctx, "reverted", e.what(), e.reason());
            code = exit_code::kReverted;
        } catch (const std::exception& e) {
            report_error(ctx, "failed", e.what());
            code = exit_code::kFailed;
        }
        self->exit_code_ = code;
    };
}

u256 AmountArg::value() const {
    return parse_amount(text, raw);
}

void add_amount(CLI::App& cmd, AmountArg& amount, const std::string& help) {
    cmd.add_option("amount", amount.text, help + " (AMP, up to 18 decimals: 12.5)")
        ->type_name("AMOUNT")
        ->required();
    cmd.add_flag("--raw", amount.raw, "AMOUNT is a whole number of base units (10^-18 AMP)");
}

Bytes calldata(std::string_view signature, const abi::Encoder& args) {
    return args.finish_call(selector_of(signature));
}

int send_call(Context& ctx, const Address& to, const Bytes& data) {
    const Signer& signer = ctx.signer();
    const SendOptions options = ctx.send_options();
    if (!ctx.json()) {
        const std::optional<DecodedCall> call = decode_call(data);
        const std::string label = ctx.label(to);
        ctx.out() << fmt::format(
            "{}.{}({}) from {} ({})\n", label, call ? call->name : "?",
            call ? describe_args(ctx, call->args, label == "swapToken" ? "FXC" : "AMP") : "",
            signer.label, checksum_address(signer.address));
    }
    if (signer.dev) {
        const uint64_t chain = ctx.node().chain_id();
        if (chain != kDevChainId) {
            ctx.err() << fmt::format(
                "warning: --dev-account keys are public, and chain {} is not the dev chain {}\n",
                chain, kDevChainId);
        }
    }
    SentTransaction sent;
    try {
        sent = send_transaction(ctx.node(), signer.key, to, data, options);
    } catch (const RevertError& e) {
        throw RevertError(std::string(e.what()) + "; found by the gas estimate, nothing was sent",
                          e.reason(), e.data());
    }
    return report_sent(ctx, sent);
}

u256 view_u256(Context& ctx, const Address& to, std::string_view signature,
               const abi::Encoder& args) {
    const Bytes out = ctx.node().call(to, calldata(signature, args));
    const std::optional<u256> v = abi::Decoder(out).uint256(0);
    if (!v)
        throw CommandError(
            fmt::format("{} answered {} bytes, not a number", signature, out.size()));
    return *v;
}

bool view_bool(Context& ctx, const Address& to, std::string_view signature,
               const abi::Encoder& args) {
    const Bytes out = ctx.node().call(to, calldata(signature, args));
    const std::optional<bool> v = abi::Decoder(out, abi::Cleaning::kStrict).boolean(0);
    if (!v) throw CommandError(fmt::format("{} did not answer a boolean", signature));
    return *v;
}

std::vector<Bytes32> view_bytes32_list(Context& ctx, const Address& to, std::string_view signature,
                                       const abi::Encoder& args) {
    const Bytes out = ctx.node().call(to, calldata(signature, args));
    auto v = abi::Decoder(out).bytes32_array(0);
    if (!v) throw CommandError(fmt::format("{} did not answer a bytes32 list", signature));
    return std::move(*v);
}

void add_node_commands(CLI::App& app, Io& io, int& exit_code) {
    auto runner = std::make_shared<Runner>(io, exit_code);
    GlobalOptions& o = runner->options();
    // Global options may follow the command: `amp transfer bob 5 --from alice`.
    app.fallthrough();

    const std::string node_group = "Node";
    app.add_option(
           "--rpc", o.rpc,
           "JSON-RPC URL of the node (env AMP_RPC; default " + std::string(kDefaultRpcUrl) + ")")
        ->type_name("URL")
        ->group(node_group);
    app.add_flag("--json", o.json,
                 "machine output: one JSON object, amounts in base units as decimal strings")
        ->group(node_group);
    app.add_option("--amp", o.amp,
                   "Amp contract address (default: from the node's amp_getContracts)")
        ->type_name("ADDR")
        ->group(node_group);
    app.add_option("--manager", o.manager,
                   "FlexaCollateralManager address (default: from amp_getContracts)")
        ->type_name("ADDR")
        ->group(node_group);
    app.add_option("--clearinghouse", o.clearinghouse,
                   "Clearinghouse address (default: from amp_getContracts)")
        ->type_name("ADDR")
        ->group(node_group);
    app.add_flag("--no-wait", o.no_wait, "send and print the hash; do not wait for the receipt")
        ->group(node_group);
    app.add_option("--timeout", o.timeout_seconds, "seconds to wait for a receipt")
        ->type_name("SECONDS")
        ->capture_default_str()
        ->group(node_group);

    const std::string key_group = "Signing";
    app.add_option("--from", o.from, "sign with the stored key NAME, or the stored key of ADDRESS")
        ->type_name("NAME|ADDRESS")
        ->group(key_group);
    app.add_option("--dev-account", o.dev_account,
                   "sign with dev account N of the public test mnemonic (\"test test ... junk\"); "
                   "only meaningful against a dev chain (ampd --dev), whose genesis funds them")
        ->type_name("N")
        ->group(key_group);
    app.add_option("--keystore", o.keystore,
                   "key directory (default $XDG_DATA_HOME/ampd/keys or ~/.local/share/ampd/keys)")
        ->type_name("DIR")
        ->group(key_group);
    app.add_option("--password-file", o.password_file,
                   "read the key password from the first line of FILE (else env AMP_PASSWORD, "
                   "else a prompt on the terminal)")
        ->type_name("FILE")
        ->group(key_group);

    add_keys_commands(app, runner);
    add_balance_command(app, runner);
    add_token_commands(app, runner);
    add_operator_commands(app, runner);
    add_clearinghouse_commands(app, runner);
    add_collateral_commands(app, runner);
    add_lookup_commands(app, runner);
}

}  // namespace ampd::cli
