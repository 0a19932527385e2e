// amp balance ADDRESS [--partitions]: Amp balances, in total and by partition.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partition_validators.hpp"
#include "commands.hpp"

namespace ampd::cli {

namespace {

using nlohmann::json;

struct BalanceArgs {
    std::string who;
    bool partitions = false;
};

// What a partition is, when its layout says: the default partition, or a
// collateral partition of a manager (prefix 0xcccccccc, owner part = the
// manager's address).
std::string describe_partition(Context& ctx, const Bytes32& p) {
    if (p.is_zero()) return "default";
    using Base = contracts::PartitionStrategyValidatorBase;
    const uint32_t prefix = (uint32_t{p.b[0]} << 24) | (uint32_t{p.b[1]} << 16) |
                            (uint32_t{p.b[2]} << 8) | uint32_t{p.b[3]};
    if (prefix == contracts::FlexaCollateralManager::kPartitionPrefix) {
        return fmt::format("{} (collateral of {})", p.hex(),
                           ctx.label(Base::partition_owner_of(p)));
    }
    return p.hex();
}

int run_balance(Context& ctx, const BalanceArgs& a) {
    const Address who = ctx.resolve_address(a.who, "ADDRESS");
    const Address amp = ctx.amp();
    const u256 total = view_u256(ctx, amp, "balanceOf(address)", abi::Encoder().address(who));
    std::vector<std::pair<Bytes32, u256>> parts;
    if (a.partitions) {
        for (const Bytes32& p :
             view_bytes32_list(ctx, amp, "partitionsOf(address)", abi::Encoder().address(who))) {
            parts.emplace_back(p, view_u256(ctx, amp, "balanceOfByPartition(bytes32,address)",
                                            abi::Encoder().bytes32(p).address(who)));
        }
    }
    if (ctx.json()) {
        json out = {{"address", who.hex()}, {"balance", total.to_dec()}};
        if (a.partitions) {
            json list = json::array();
            for (const auto& [p, v] : parts) {
                list.push_back({{"partition", p.hex()}, {"balance", v.to_dec()}});
            }
            out["partitions"] = list;
        }
        ctx.out() << out.dump() << "\n";
        return exit_code::kOk;
    }
    ctx.out() << fmt::format("{}  {} AMP\n", checksum_address(who), format_amount(total));
    for (const auto& [p, v] : parts) {
        ctx.out() << fmt::format("  {} AMP  {}\n", format_amount(v), describe_partition(ctx, p));
    }
    return exit_code::kOk;
}

}  // namespace

void add_balance_command(CLI::App& app, std::shared_ptr<Runner> runner) {
    auto args = std::make_shared<BalanceArgs>();
    CLI::App* cmd = app.add_subcommand("balance", "Show an account's Amp balance");
    cmd->add_option("address", args->who, "Address, or the name of a stored key")->required();
    cmd->add_flag("--partitions", args->partitions,
                  "also each partition the account holds (partitionsOf, balanceOfByPartition)");
    cmd->callback(runner->command([args](Context& ctx) { return run_balance(ctx, *args); }));
}

}  // namespace ampd::cli
