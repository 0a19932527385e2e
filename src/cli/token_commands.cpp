// amp transfer, transfer-by-partition, approve: Amp token transactions.
#include "ampd/cli/values.hpp"
#include "ampd/contracts/partitions.hpp"
#include "commands.hpp"

namespace ampd::cli {

namespace {

struct TransferArgs {
    std::string to;
    AmountArg amount;
};

struct PartitionTransferArgs {
    std::string partition;
    std::string to;
    AmountArg amount;
    std::string to_partition;
};

struct ApproveArgs {
    std::string spender;
    AmountArg amount;
};

}  // namespace

void add_token_commands(CLI::App& app, std::shared_ptr<Runner> runner) {
    auto t = std::make_shared<TransferArgs>();
    CLI::App* transfer =
        app.add_subcommand("transfer", "ERC-20 transfer of Amp from the default partition");
    transfer->add_option("to", t->to, "Recipient address, or the name of a stored key")->required();
    add_amount(*transfer, t->amount, "Amount to send");
    transfer->callback(runner->command([t](Context& ctx) {
        const u256 value = t->amount.value();
        const Address to = ctx.resolve_address(t->to, "TO");
        // Signer problems are usage errors: report them before contacting the node.
        (void)ctx.signer();
        return send_call(
            ctx, ctx.amp(),
            calldata("transfer(address,uint256)", abi::Encoder().address(to).uint256(value)));
    }));

    auto p = std::make_shared<PartitionTransferArgs>();
    CLI::App* by_partition = app.add_subcommand(
        "transfer-by-partition",
        "Move Amp out of one of your partitions, optionally into another partition");
    by_partition
        ->add_option("partition", p->partition, "Partition to take from: \"default\" or 0x+64 hex")
        ->required();
    by_partition->add_option("to", p->to, "Recipient address, or the name of a stored key")
        ->required();
    add_amount(*by_partition, p->amount, "Amount to move");
    by_partition->add_option("--to-partition", p->to_partition,
                             "the recipient receives into this partition (change-partition data)");
    by_partition->callback(runner->command([p](Context& ctx) {
        const Bytes32 from_partition = parse_partition(p->partition);
        const u256 value = p->amount.value();
        const Address to = ctx.resolve_address(p->to, "TO");
        const Bytes data = p->to_partition.empty()
                               ? Bytes{}
                               : contracts::change_partition_data(
                                     parse_partition(p->to_partition, "--to-partition"));
        const Address from = ctx.signer().address;
        return send_call(
            ctx, ctx.amp(),
            calldata("transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
                     abi::Encoder()
                         .bytes32(from_partition)
                         .address(from)
                         .address(to)
                         .uint256(value)
                         .bytes(data)
                         .bytes(Bytes{})));
    }));

    auto a = std::make_shared<ApproveArgs>();
    CLI::App* approve = app.add_subcommand(
        "approve", "Allow SPENDER to transfer up to AMOUNT of your default-partition Amp");
    approve->add_option("spender", a->spender, "Spender address, or the name of a stored key")
        ->required();
    add_amount(*approve, a->amount, "Allowance");
    approve->callback(runner->command([a](Context& ctx) {
        const u256 value = a->amount.value();
        const Address spender = ctx.resolve_address(a->spender, "SPENDER");
        // Signer problems are usage errors: report them before contacting the node.
        (void)ctx.signer();
        return send_call(
            ctx, ctx.amp(),
            calldata("approve(address,uint256)", abi::Encoder().address(spender).uint256(value)));
    }));
}

}  // namespace ampd::cli
