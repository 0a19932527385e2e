// amp supply, release-request, withdraw: Amp collateral in a
// FlexaCollateralManager.
//
// Supplying is an Amp transfer from the supplier's default partition to
// the manager with change-partition data naming one of the manager's
// collateral partitions: the tokens stay Amp, now in that partition of the
// manager's balance, and the manager records a supply. Getting them back
// takes a release request, a withdrawal root the network publishes, and a
// withdrawal: a transfer out of the manager authorized by a Merkle proof.
#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/cli/withdrawal.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partition_validators.hpp"
#include "ampd/contracts/partitions.hpp"
#include "commands.hpp"

namespace ampd::cli {

namespace {

using FCM = contracts::FlexaCollateralManager;

struct SupplyArgs {
    AmountArg amount;
    std::string partition;
};

struct ReleaseArgs {
    std::string partition;
    AmountArg amount;
};

struct WithdrawArgs {
    std::string partition;
    AmountArg amount;
    std::string nonce;
    std::string proof_file;
    std::string proof_hex;
    bool proof_hex_given = false;  // "" is a valid (empty) proof
    std::string supplier;
    std::string to_partition = "default";
};

// A manager accepts only partitions laid out as 0xcccccccc ‖ sub ‖ its own
// address; saying so here beats an opaque revert.
void check_manager_partition(Context& ctx, const Bytes32& p, const Address& manager,
                             std::string_view what) {
    using Base = contracts::PartitionStrategyValidatorBase;
    const uint32_t prefix = (uint32_t{p.b[0]} << 24) | (uint32_t{p.b[1]} << 16) |
                            (uint32_t{p.b[2]} << 8) | uint32_t{p.b[3]};
    if (prefix != FCM::kPartitionPrefix) {
        throw UsageError(fmt::format("{} {} is not a collateral partition (prefix 0x{:08x})", what,
                                     p.hex(), FCM::kPartitionPrefix));
    }
    const Address owner = Base::partition_owner_of(p);
    if (owner != manager) {
        throw UsageError(fmt::format("{} {} belongs to {}, not to the manager {} (--manager)", what,
                                     p.hex(), ctx.label(owner), checksum_address(manager)));
    }
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError(fmt::format("cannot read proof file {}", path));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int run_supply(Context& ctx, const SupplyArgs& a) {
    const u256 value = a.amount.value();
    const Address supplier = ctx.signer().address;
    const Address manager = ctx.manager();
    Bytes32 partition;
    if (!a.partition.empty()) {
        partition = collateral_partition(ctx, a.partition, "--partition");
    } else if (auto p = ctx.default_collateral_partition(manager)) {
        partition = *p;
    } else {
        throw UsageError(
            "the node names no collateral partition of the manager: give --partition P");
    }
    check_manager_partition(ctx, partition, manager, "--partition");
    return send_call(ctx, ctx.amp(),
                     calldata("transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
                              abi::Encoder()
                                  .bytes32(Bytes32{})
                                  .address(supplier)
                                  .address(manager)
                                  .uint256(value)
                                  .bytes(contracts::change_partition_data(partition))
                                  .bytes(Bytes{})));
}

int run_release_request(Context& ctx, const ReleaseArgs& a) {
    const u256 value = a.amount.value();
    (void)ctx.signer();  // before the node: the partition may need it
    const Bytes32 partition = collateral_partition(ctx, a.partition, "PARTITION");
    return send_call(ctx, ctx.manager(),
                     calldata("requestRelease(bytes32,uint256,bytes)",
                              abi::Encoder().bytes32(partition).uint256(value).bytes(Bytes{})));
}

int run_withdraw(Context& ctx, const WithdrawArgs& a) {
    const u256 value = a.amount.value();
    const Address signer = ctx.signer().address;
    const Bytes32 partition = collateral_partition(ctx, a.partition, "PARTITION");
    const Bytes32 to_partition = parse_partition(a.to_partition, "--to-partition");
    WithdrawalProof file;
    if (!a.proof_file.empty()) file = parse_proof_file(read_text_file(a.proof_file));
    if (a.proof_hex_given) file.proof = parse_proof_list(a.proof_hex);
    if (a.proof_file.empty() && !a.proof_hex_given) {
        throw UsageError("give the Merkle proof with --proof FILE or --proof-hex H,H,...");
    }
    u256 nonce;
    if (!a.nonce.empty()) {
        nonce = u256(parse_u64(a.nonce, "--nonce"));
    } else if (file.max_authorized_account_nonce) {
        nonce = *file.max_authorized_account_nonce;
    } else {
        throw UsageError("give --nonce N (the max authorized account nonce of the withdrawal)");
    }
    const Address supplier =
        a.supplier.empty() ? signer : ctx.resolve_address(a.supplier, "--supplier");
    const WithdrawalClaim claim{supplier, partition, value, nonce};
    check_proof_matches(file, claim);

    // The manager must hold the root this proof leads to; checked here so
    // that a wrong amount, nonce or proof is named as such.
    const Address manager = ctx.manager();
    const Bytes32 root = withdrawal_root(claim, file.proof);
    if (view_u256(ctx, manager, "withdrawalRootToNonce(bytes32)", abi::Encoder().bytes32(root))
            .is_zero()) {
        throw CommandError(fmt::format(
            "the proof leads to root {}, which is not an active withdrawal root of {}: check "
            "the amount, --nonce, supplier and proof; nothing was sent",
            root.hex(), ctx.label(manager)));
    }
    return send_call(ctx, ctx.amp(),
                     calldata("transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
                              abi::Encoder()
                                  .bytes32(partition)
                                  .address(manager)
                                  .address(supplier)
                                  .uint256(value)
                                  .bytes(contracts::change_partition_data(to_partition))
                                  .bytes(withdrawal_operator_data(claim, file.proof))));
}

}  // namespace

Bytes32 collateral_partition(Context& ctx, std::string_view text, std::string_view what) {
    if (text != "collateral") return parse_partition(text, what);
    if (auto p = ctx.default_collateral_partition(ctx.manager())) return *p;
    throw UsageError(fmt::format(
        "{}: the node names no collateral partition of the manager; give it as 0x+64 hex digits",
        what));
}

void add_collateral_commands(CLI::App& app, std::shared_ptr<Runner> runner) {
    auto s = std::make_shared<SupplyArgs>();
    CLI::App* supply = app.add_subcommand(
        "supply", "Lock Amp as collateral in place: into the manager's collateral partition");
    add_amount(*supply, s->amount, "Amount to supply");
    supply->add_option("--partition", s->partition,
                       "collateral partition of the manager (default: the one the node "
                       "advertises, on dev nodes)");
    supply->callback(runner->command([s](Context& ctx) { return run_supply(ctx, *s); }));

    auto r = std::make_shared<ReleaseArgs>();
    CLI::App* release = app.add_subcommand(
        "release-request", "Ask the collateral manager to release supplied Amp (requestRelease)");
    release
        ->add_option("partition", r->partition,
                     "collateral partition: 0x+64 hex, or \"collateral\" for the node's")
        ->required();
    add_amount(*release, r->amount, "Amount to release");
    release->callback(runner->command([r](Context& ctx) { return run_release_request(ctx, *r); }));

    auto w = std::make_shared<WithdrawArgs>();
    CLI::App* withdraw = app.add_subcommand(
        "withdraw",
        "Withdraw released collateral with a Merkle proof against a published withdrawal root");
    withdraw
        ->add_option("partition", w->partition,
                     "collateral partition: 0x+64 hex, or \"collateral\" for the node's")
        ->required();
    add_amount(*withdraw, w->amount, "Amount authorized by the withdrawal root");
    withdraw->add_option("--nonce", w->nonce,
                         "max authorized account nonce of the withdrawal leaf (may come from the "
                         "proof file)");
    auto* file = withdraw->add_option(
        "--proof", w->proof_file,
        "proof file: JSON as amp_getWithdrawalProof will answer ({\"proof\": [...], ...}), a "
        "JSON list, or hashes separated by commas or whitespace");
    auto* hex = withdraw->add_option("--proof-hex", w->proof_hex,
                                     "the proof as hashes separated by commas (\"\" for none)");
    file->excludes(hex);
    withdraw->add_option("--supplier", w->supplier,
                         "supplier the withdrawal is for (default: the signer)");
    withdraw->add_option("--to-partition", w->to_partition, "partition the tokens return into")
        ->capture_default_str();
    withdraw->callback(runner->command([w, hex](Context& ctx) {
        w->proof_hex_given = hex->count() > 0;
        return run_withdraw(ctx, *w);
    }));
}

}  // namespace ampd::cli
