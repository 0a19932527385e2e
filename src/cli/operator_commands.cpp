// amp operators authorize|revoke|check|list: Amp's global operators, who
// may move all of a holder's tokens.
#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/contracts/amp.hpp"
#include "ampd/rpc/error.hpp"
#include "ampd/rpc/params.hpp"
#include "commands.hpp"

namespace ampd::cli {

namespace {

using nlohmann::json;

// The node's default eth_getLogs block range limit; a node with a smaller
// one answers -32005 and the range is halved.
constexpr uint64_t kLogBlockSpan = 100'000;

struct OperatorArgs {
    std::string operator_;
    std::string holder;
};

// eth_getLogs over [0, head] in spans the node accepts.
std::vector<json> all_logs(Context& ctx, json filter) {
    std::vector<json> out;
    const uint64_t head = ctx.node().block_number();
    uint64_t span = kLogBlockSpan;
    for (uint64_t from = 0; from <= head;) {
        const uint64_t to = std::min(head, from + span - 1);
        filter["fromBlock"] = rpc::to_quantity(from);
        filter["toBlock"] = rpc::to_quantity(to);
        json logs;
        try {
            logs = ctx.node().request("eth_getLogs", json::array({filter}));
        } catch (const NodeError& e) {
            if (e.code() != rpc::errc::kLimitExceeded || span == 1) throw;
            span /= 2;
            continue;
        }
        if (!logs.is_array()) throw CommandError("malformed answer to eth_getLogs");
        for (json& l : logs) out.push_back(std::move(l));
        from = to + 1;
    }
    return out;
}

// Amp has no list of a holder's operators, only AuthorizedOperator and
// RevokedOperator events: replay them in order, then keep those isOperator
// confirms on the current state.
std::vector<Address> operators_of(Context& ctx, const Address& amp, const Address& holder) {
    using contracts::Amp;
    const Bytes32 authorized = Amp::authorized_operator_event().topic0;
    const Bytes32 revoked = Amp::revoked_operator_event().topic0;
    json filter = {
        {"address", rpc::to_hex(amp)},
        {"topics", json::array({json::array({rpc::to_hex(authorized), rpc::to_hex(revoked)}),
                                nullptr, rpc::to_hex(word_from_address(holder))})}};
    std::vector<Address> current;
    for (const json& l : all_logs(ctx, filter)) {
        const json& topics = l.at("topics");
        if (!topics.is_array() || topics.size() != 3) continue;
        const Bytes32 kind = rpc::hash32(topics[0], "topic");
        const Address op = address_from_word(rpc::hash32(topics[1], "topic"));
        current.erase(std::remove(current.begin(), current.end(), op), current.end());
        if (kind == authorized) current.push_back(op);
    }
    std::vector<Address> confirmed;
    for (const Address& op : current) {
        if (view_bool(ctx, amp, "isOperator(address,address)",
                      abi::Encoder().address(op).address(holder))) {
            confirmed.push_back(op);
        }
    }
    return confirmed;
}

}  // namespace

void add_operator_commands(CLI::App& app, std::shared_ptr<Runner> runner) {
    CLI::App* ops = app.add_subcommand(
        "operators", "Amp operators: accounts allowed to move all of a holder's tokens");
    ops->require_subcommand(1);
    auto args = std::make_shared<OperatorArgs>();

    for (const auto& [name, fn, help] :
         {std::tuple{"authorize", "authorizeOperator(address)",
                     "Allow OPERATOR to move all of your Amp"},
          std::tuple{"revoke", "revokeOperator(address)", "Withdraw OPERATOR's permission"}}) {
        CLI::App* cmd = ops->add_subcommand(name, help);
        cmd->add_option("operator", args->operator_, "Operator address, or a stored key name")
            ->required();
        cmd->callback(runner->command([args, fn = std::string(fn)](Context& ctx) {
            const Address op = ctx.resolve_address(args->operator_, "OPERATOR");
            // Signer problems are usage errors: report them before contacting the node.
            (void)ctx.signer();
            return send_call(ctx, ctx.amp(), calldata(fn, abi::Encoder().address(op)));
        }));
    }

    CLI::App* check =
        ops->add_subcommand("check", "Is OPERATOR an operator of HOLDER? (isOperator)");
    check->add_option("holder", args->holder, "Holder address, or a stored key name")->required();
    check->add_option("operator", args->operator_, "Operator address, or a stored key name")
        ->required();
    check->callback(runner->command([args](Context& ctx) {
        const Address holder = ctx.resolve_address(args->holder, "HOLDER");
        const Address op = ctx.resolve_address(args->operator_, "OPERATOR");
        const bool yes = view_bool(ctx, ctx.amp(), "isOperator(address,address)",
                                   abi::Encoder().address(op).address(holder));
        if (ctx.json()) {
            ctx.out() << json{{"holder", holder.hex()}, {"operator", op.hex()}, {"isOperator", yes}}
                             .dump()
                      << "\n";
        } else {
            ctx.out() << fmt::format("{} {} an operator of {}\n", checksum_address(op),
                                     yes ? "is" : "is not", checksum_address(holder));
        }
        return exit_code::kOk;
    }));

    CLI::App* list = ops->add_subcommand(
        "list",
        "List HOLDER's operators (from AuthorizedOperator/RevokedOperator events, each "
        "confirmed with isOperator)");
    list->add_option("holder", args->holder, "Holder address, or a stored key name")->required();
    list->callback(runner->command([args](Context& ctx) {
        const Address holder = ctx.resolve_address(args->holder, "HOLDER");
        const std::vector<Address> ops_of = operators_of(ctx, ctx.amp(), holder);
        if (ctx.json()) {
            json list_json = json::array();
            for (const Address& a : ops_of) list_json.push_back(a.hex());
            ctx.out() << json{{"holder", holder.hex()}, {"operators", list_json}}.dump() << "\n";
        } else if (ops_of.empty()) {
            ctx.out() << fmt::format("{} has no operators\n", checksum_address(holder));
        } else {
            for (const Address& a : ops_of) ctx.out() << checksum_address(a) << "\n";
        }
        return exit_code::kOk;
    }));
}

}  // namespace ampd::cli
