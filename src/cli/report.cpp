#include "ampd/cli/report.hpp"

#include <fmt/core.h>

#include <ostream>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/rpc/params.hpp"

namespace ampd::cli {

namespace {

using nlohmann::json;

// The unit of the amounts a contract's events carry: the swap token's are
// FXC; Amp's and the collateral manager's are Amp.
std::string unit_of(const std::string& contract_label) {
    return contract_label == "swapToken" ? "FXC" : "AMP";
}

struct ReceiptFields {
    Bytes32 hash;
    uint64_t block = 0;
    bool success = false;
    uint64_t gas_used = 0;
    Address from;
    std::optional<Address> to;
    json logs;
};

ReceiptFields read_receipt(const json& r) {
    try {
        ReceiptFields f;
        f.hash = rpc::hash32(r.at("transactionHash"), "transactionHash");
        f.block = rpc::quantity_u64(r.at("blockNumber"), "blockNumber");
        f.success = rpc::quantity_u64(r.at("status"), "status") == 1;
        f.gas_used = rpc::quantity_u64(r.at("gasUsed"), "gasUsed");
        f.from = rpc::address(r.at("from"), "from");
        if (const auto it = r.find("to"); it != r.end() && !it->is_null()) {
            f.to = rpc::address(*it, "to");
        }
        f.logs = r.value("logs", json::array());
        if (!f.logs.is_array()) throw CommandError("malformed receipt: logs is not a list");
        return f;
    } catch (const rpc::RpcError& e) {
        throw CommandError("malformed receipt: " + e.message);
    } catch (const json::exception& e) {
        throw CommandError(std::string("malformed receipt: ") + e.what());
    }
}

json receipt_json(Context& ctx, const ReceiptFields& f) {
    return {{"hash", f.hash.hex()},
            {"blockNumber", f.block},
            {"status", f.success ? "success" : "reverted"},
            {"gasUsed", f.gas_used},
            {"from", f.from.hex()},
            {"to", f.to ? json(f.to->hex()) : json(nullptr)},
            {"events", events_json(ctx, f.logs)}};
}

void print_receipt_lines(Context& ctx, const ReceiptFields& f, std::optional<uint64_t> gas_limit) {
    std::ostream& out = ctx.out();
    out << fmt::format("  block     {}\n", f.block);
    out << fmt::format("  status    {}\n",
                       f.success ? "success" : "reverted (status 0; receipts carry no reason)");
    if (gas_limit) {
        out << fmt::format("  gas used  {} (limit {})\n", f.gas_used, *gas_limit);
    } else {
        out << fmt::format("  gas used  {}\n", f.gas_used);
    }
    if (f.logs.empty()) return;
    out << "  events\n";
    for (const json& l : f.logs) {
        const state::RawLog raw = raw_log_from_json(l);
        if (auto d = decode_log(raw)) {
            out << "    " << describe_event(ctx, *d) << "\n";
        } else {
            out << fmt::format("    {} log with {} topics and {} bytes of data\n",
                               ctx.label(raw.address), raw.topics.size(), raw.data.size());
        }
    }
}

std::string describe_value(Context& ctx, const DecodedArg& a, const std::string& amounts_in) {
    if (a.type == "address") return ctx.label(parse_address(a.value.get<std::string>()));
    if (a.type == "bytes32" && a.name.find("artition") != std::string::npos) {
        return format_partition(parse_partition(a.value.get<std::string>()));
    }
    if (!amounts_in.empty() && is_token_amount(a)) {
        if (auto v = u256::from_dec(a.value.get<std::string>())) {
            return format_amount(*v) + " " + amounts_in;
        }
    }
    if (a.value.is_string()) return a.value.get<std::string>();
    return a.value.dump();
}

}  // namespace

json events_json(Context& ctx, const json& logs) {
    json out = json::array();
    for (const json& l : logs) {
        const state::RawLog raw = raw_log_from_json(l);
        const std::optional<DecodedLog> d = decode_log(raw);
        if (!d) {
            out.push_back({{"address", raw.address.hex()},
                           {"topics", l.at("topics")},
                           {"data", l.at("data")}});
            continue;
        }
        json args = json::object();
        for (const DecodedArg& a : d->args) args[a.name] = a.value;
        const std::string label = ctx.label(raw.address);
        out.push_back({{"address", raw.address.hex()},
                       {"contract", label.starts_with("0x") ? json(nullptr) : json(label)},
                       {"event", d->name},
                       {"signature", d->signature},
                       {"args", args}});
    }
    return out;
}

std::string describe_args(Context& ctx, const std::vector<DecodedArg>& args,
                          const std::string& amounts_in) {
    std::string s;
    for (const DecodedArg& a : args) {
        if (!s.empty()) s += ", ";
        s += a.name + "=" + describe_value(ctx, a, amounts_in);
    }
    return s;
}

std::string describe_event(Context& ctx, const DecodedLog& log) {
    const std::string label = ctx.label(log.address);
    return fmt::format("{} {}({})", label, log.name, describe_args(ctx, log.args, unit_of(label)));
}

int report_sent(Context& ctx, const SentTransaction& sent) {
    if (sent.receipt.is_null()) {
        if (ctx.json()) {
            ctx.out() << json{{"hash", sent.hash.hex()},
                              {"from", sent.from.hex()},
                              {"nonce", sent.nonce},
                              {"gasLimit", sent.gas_limit},
                              {"status", "pending"}}
                             .dump()
                      << "\n";
        } else {
            ctx.out() << fmt::format("sent {} (nonce {}); not waiting for the receipt\n",
                                     sent.hash.hex(), sent.nonce);
        }
        return exit_code::kOk;
    }
    const ReceiptFields f = read_receipt(sent.receipt);
    if (ctx.json()) {
        json j = receipt_json(ctx, f);
        j["nonce"] = sent.nonce;
        j["gasLimit"] = sent.gas_limit;
        ctx.out() << j.dump() << "\n";
    } else {
        ctx.out() << fmt::format("transaction {}\n", f.hash.hex());
        print_receipt_lines(ctx, f, sent.gas_limit);
    }
    return f.success ? exit_code::kOk : exit_code::kReverted;
}

int report_receipt(Context& ctx, const json& receipt) {
    const ReceiptFields f = read_receipt(receipt);
    if (ctx.json()) {
        ctx.out() << receipt_json(ctx, f).dump() << "\n";
    } else {
        ctx.out() << fmt::format("receipt of {}\n", f.hash.hex());
        ctx.out() << fmt::format("  from      {}\n", ctx.label(f.from));
        if (f.to) ctx.out() << fmt::format("  to        {}\n", ctx.label(*f.to));
        print_receipt_lines(ctx, f, std::nullopt);
    }
    return f.success ? exit_code::kOk : exit_code::kReverted;
}

}  // namespace ampd::cli
