// amp tx HASH, amp receipt HASH: what the node knows about a transaction.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "ampd/cli/decode.hpp"
#include "ampd/cli/errors.hpp"
#include "ampd/cli/report.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/rpc/params.hpp"
#include "commands.hpp"

namespace ampd::cli {

namespace {

using nlohmann::json;

json call_json(const DecodedCall& c) {
    json args = json::object();
    for (const DecodedArg& a : c.args) args[a.name] = a.value;
    return {{"function", c.name}, {"signature", c.signature}, {"args", args}};
}

int run_tx(Context& ctx, const std::string& hash_text) {
    const Bytes32 hash = parse_hash(hash_text, "HASH");
    const json t = ctx.node().transaction(hash);
    if (t.is_null())
        throw CommandError(fmt::format("the node knows no transaction {}", hash.hex()));
    std::optional<DecodedCall> call;
    std::optional<Address> to;
    try {
        call = decode_call(rpc::data_bytes(t.at("input"), "input"));
        if (!t.at("to").is_null()) to = rpc::address(t.at("to"), "to");
    } catch (const std::exception& e) {
        throw CommandError(fmt::format("malformed transaction in the node's answer: {}", e.what()));
    }
    if (ctx.json()) {
        json out = t;
        out["call"] = call ? call_json(*call) : json(nullptr);
        ctx.out() << out.dump() << "\n";
        return exit_code::kOk;
    }
    auto field = [&](const char* key) {
        const auto it = t.find(key);
        if (it == t.end() || it->is_null()) return std::string("-");
        if (it->is_string()) {
            const std::string s = it->get<std::string>();
            // Quantities in decimal for people; hashes and addresses as they are.
            if (s.size() <= 18 && s.starts_with("0x")) {
                if (auto v = u256::from_hex(s)) return v->to_dec();
            }
            return s;
        }
        return it->dump();
    };
    ctx.out() << fmt::format("transaction {}\n", hash.hex());
    ctx.out() << fmt::format("  from      {}\n", ctx.label(rpc::address(t.at("from"), "from")));
    ctx.out() << fmt::format("  to        {}\n", to ? ctx.label(*to) : "(contract creation)");
    ctx.out() << fmt::format("  nonce     {}\n", field("nonce"));
    ctx.out() << fmt::format("  block     {}\n",
                             t.at("blockNumber").is_null() ? "pending" : field("blockNumber"));
    ctx.out() << fmt::format("  gas limit {}\n", field("gas"));
    ctx.out() << fmt::format("  type      {}\n", field("type"));
    if (call) {
        const std::string label = to ? ctx.label(*to) : "";
        ctx.out() << fmt::format(
            "  call      {}({})\n", call->name,
            describe_args(ctx, call->args, label == "swapToken" ? "FXC" : "AMP"));
    } else {
        ctx.out() << fmt::format("  input     {}\n", field("input"));
    }
    return exit_code::kOk;
}

int run_receipt(Context& ctx, const std::string& hash_text) {
    const Bytes32 hash = parse_hash(hash_text, "HASH");
    const json r = ctx.node().receipt(hash);
    if (r.is_null()) {
        throw CommandError(
            fmt::format("no receipt for {}: unknown, or not in a block yet", hash.hex()));
    }
    return report_receipt(ctx, r);
}

}  // namespace

void add_lookup_commands(CLI::App& app, std::shared_ptr<Runner> runner) {
    auto tx_hash = std::make_shared<std::string>();
    CLI::App* tx = app.add_subcommand("tx", "Show a transaction and the call it makes");
    tx->add_option("hash", *tx_hash, "Transaction hash")->required();
    tx->callback(runner->command([tx_hash](Context& ctx) { return run_tx(ctx, *tx_hash); }));

    auto receipt_hash = std::make_shared<std::string>();
    CLI::App* receipt = app.add_subcommand(
        "receipt", "Show a transaction's receipt: status, gas used and decoded events");
    receipt->add_option("hash", *receipt_hash, "Transaction hash")->required();
    receipt->callback(
        runner->command([receipt_hash](Context& ctx) { return run_receipt(ctx, *receipt_hash); }));
}

}  // namespace ampd::cli
