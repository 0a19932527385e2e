// amp pool, amp guarantee, amp supplier: the Clearinghouse.
//
// A pool is a (manager, collateral partition) pair; its assurers open
// guarantees that lock part of the pool while a payment settles, settle them
// when it does, and claim them when it fails. Suppliers follow their stake
// (what they supplied less their share of losses), ask for a release, and
// withdraw with the proof the node serves for the Clearinghouse's current
// withdrawal root, or through the fallback root once the network has been
// silent for the manager's fallback delay (docs/CLI.md).
#include <fmt/core.h>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/rpc/params.hpp"
#include "commands.hpp"

namespace ampd::cli {

namespace {

using nlohmann::json;

constexpr std::string_view kTransferByPartition =
    "transferByPartition(bytes32,address,address,uint256,bytes,bytes)";

// The partition of the command's pool: --partition, else the manager's
// collateral partition.
Bytes32 pool_partition(Context& ctx, const std::string& text) {
    return collateral_partition(ctx, text.empty() ? "collateral" : text, "--partition");
}

// A guarantee id: 0x and 64 hex digits as is; any other text names the id
// keccak256(text), so that payment references can serve as ids.
Bytes32 parse_guarantee_id(std::string_view text) {
    if (text.empty()) throw UsageError("ID: empty");
    if (text.starts_with("0x") && text.size() == 66) {
        if (auto id = Bytes32::from_hex(text)) return *id;
        throw UsageError(fmt::format("ID: {} is not 0x and 64 hex digits", text));
    }
    return keccak256(text);
}

// The returned words of a view, checked for count.
std::vector<Bytes32> view_words(Context& ctx, const Address& to, std::string_view signature,
                                const abi::Encoder& args, size_t words) {
    const Bytes out = ctx.node().call(to, calldata(signature, args));
    const abi::Decoder d(out);
    std::vector<Bytes32> w;
    for (size_t i = 0; i < words; ++i) {
        auto v = d.word(i);
        if (!v) {
            throw CommandError(
                fmt::format("{} answered {} bytes, not {} words", signature, out.size(), words));
        }
        w.push_back(*v);
    }
    return w;
}

u256 word_u256(const Bytes32& w) {
    return *abi::Decoder(ByteView(w.data(), 32)).uint256(0);
}
Address word_address(const Bytes32& w) {
    Address a;
    std::copy(w.b.begin() + 12, w.b.end(), a.b.begin());
    return a;
}
uint64_t word_u64(const Bytes32& w, std::string_view what) {
    const u256 v = word_u256(w);
    if (!v.fits_u64()) throw CommandError(fmt::format("{} does not fit 64 bits", what));
    return v.w[0];
}

uint64_t latest_timestamp(Context& ctx) {
    const json b = ctx.node().request("eth_getBlockByNumber", json::array({"latest", false}));
    if (!b.is_object() || !b.contains("timestamp")) {
        throw CommandError("the node answered no latest block");
    }
    return rpc::quantity_u64(b.at("timestamp"), "timestamp");
}

// --- amp pool ------------------------------------------------------------------

struct PoolArgs {
    std::string partition;
    int expiry_policy = 0;
    std::string assurer;
    bool remove = false;
};

int run_pool_register(Context& ctx, const PoolArgs& a) {
    (void)ctx.signer();
    const Bytes32 partition = pool_partition(ctx, a.partition);
    return send_call(ctx, ctx.clearinghouse(),
                     calldata("registerPool(address,bytes32,uint8)",
                              abi::Encoder()
                                  .address(ctx.manager())
                                  .bytes32(partition)
                                  .uint256(u256(static_cast<uint64_t>(a.expiry_policy)))));
}

int run_pool_assurer(Context& ctx, const PoolArgs& a) {
    (void)ctx.signer();
    const Address assurer = ctx.resolve_address(a.assurer, "ASSURER");
    const Bytes32 partition = pool_partition(ctx, a.partition);
    return send_call(
        ctx, ctx.clearinghouse(),
        calldata("setAssurer(address,bytes32,address,bool)", abi::Encoder()
                                                                 .address(ctx.manager())
                                                                 .bytes32(partition)
                                                                 .address(assurer)
                                                                 .boolean(!a.remove)));
}

int run_pool_status(Context& ctx, const PoolArgs& a) {
    const Address manager = ctx.manager();
    const Bytes32 partition = pool_partition(ctx, a.partition);
    const std::vector<Bytes32> w =
        view_words(ctx, ctx.clearinghouse(), "poolOf(address,bytes32)",
                   abi::Encoder().address(manager).bytes32(partition), 7);
    const bool registered = !word_u256(w[0]).is_zero();
    const uint64_t policy = word_u64(w[1], "expiryPolicy");
    const u256 balance = word_u256(w[2]), locked = word_u256(w[3]), available = word_u256(w[4]);
    const u256 open = word_u256(w[5]), losses = word_u256(w[6]);
    if (ctx.json()) {
        ctx.out() << json{{"manager", manager.hex()},        {"partition", partition.hex()},
                          {"registered", registered},        {"expiryPolicy", policy},
                          {"balance", balance.to_dec()},     {"locked", locked.to_dec()},
                          {"available", available.to_dec()}, {"openGuarantees", open.to_dec()},
                          {"totalLosses", losses.to_dec()}}
                         .dump()
                  << "\n";
        return exit_code::kOk;
    }
    ctx.out() << fmt::format("pool {} / {}\n", ctx.label(manager), partition.hex());
    if (!registered) {
        ctx.out() << "  not registered with the Clearinghouse (amp pool register)\n";
        return exit_code::kOk;
    }
    ctx.out() << fmt::format("  expiry policy    {} ({})\n", policy,
                             policy == 0 ? "the beneficiary may claim after expiry"
                                         : "anyone may release the lock after expiry");
    ctx.out() << fmt::format("  balance          {} AMP\n", format_amount(balance));
    ctx.out() << fmt::format("  locked           {} AMP\n", format_amount(locked));
    ctx.out() << fmt::format("  available        {} AMP\n", format_amount(available));
    ctx.out() << fmt::format("  open guarantees  {}\n", open.to_dec());
    ctx.out() << fmt::format("  losses           {} AMP\n", format_amount(losses));
    return exit_code::kOk;
}

int run_publish(Context& ctx, bool fallback) {
    (void)ctx.signer();
    return send_call(
        ctx, ctx.clearinghouse(),
        calldata(fallback ? "publishFallbackRoot(address)" : "publishWithdrawalRoot(address)",
                 abi::Encoder().address(ctx.manager())));
}

// --- amp guarantee -------------------------------------------------------------

struct GuaranteeArgs {
    std::string id;
    AmountArg amount;
    std::string beneficiary;
    std::string expires_in;
    std::string expires_at;
    std::string payment_ref;
    std::string partition;
};

int run_guarantee_open(Context& ctx, const GuaranteeArgs& a) {
    const Bytes32 id = parse_guarantee_id(a.id);
    const u256 amount = a.amount.value();
    const Address beneficiary = ctx.resolve_address(a.beneficiary, "BENEFICIARY");
    Bytes32 payment_ref;
    if (!a.payment_ref.empty()) payment_ref = parse_guarantee_id(a.payment_ref);
    if (a.expires_in.empty() == a.expires_at.empty()) {
        throw UsageError("give exactly one of --expires-in SECONDS and --expires-at UNIX_TIME");
    }
    (void)ctx.signer();
    uint64_t expires_at = 0;
    if (!a.expires_at.empty()) {
        expires_at = parse_u64(a.expires_at, "--expires-at");
    } else {
        const uint64_t in = parse_u64(a.expires_in, "--expires-in");
        const uint64_t now = latest_timestamp(ctx);
        if (in > UINT64_MAX - now) throw UsageError("--expires-in: too far in the future");
        expires_at = now + in;
    }
    const Bytes32 partition = pool_partition(ctx, a.partition);
    if (!ctx.json()) ctx.out() << fmt::format("guarantee {}\n", id.hex());
    return send_call(
        ctx, ctx.clearinghouse(),
        calldata("openGuarantee(bytes32,address,bytes32,uint256,address,uint64,bytes32)",
                 abi::Encoder()
                     .bytes32(id)
                     .address(ctx.manager())
                     .bytes32(partition)
                     .uint256(amount)
                     .address(beneficiary)
                     .uint256(u256(expires_at))
                     .bytes32(payment_ref)));
}

int run_guarantee_call(Context& ctx, const std::string& id_text, std::string_view signature) {
    const Bytes32 id = parse_guarantee_id(id_text);
    (void)ctx.signer();
    return send_call(ctx, ctx.clearinghouse(), calldata(signature, abi::Encoder().bytes32(id)));
}

constexpr std::array<std::string_view, 5> kStateNames{"none", "open", "settled", "claimed",
                                                      "released"};

int run_guarantee_show(Context& ctx, const std::string& id_text) {
    const Bytes32 id = parse_guarantee_id(id_text);
    const std::vector<Bytes32> w =
        view_words(ctx, ctx.clearinghouse(), "guaranteeOf(bytes32)", abi::Encoder().bytes32(id), 8);
    const uint64_t state = word_u64(w[0], "state");
    const std::string state_name =
        state < kStateNames.size() ? std::string(kStateNames[state]) : std::to_string(state);
    const Address manager = word_address(w[1]);
    const u256 amount = word_u256(w[3]);
    const Address beneficiary = word_address(w[4]);
    const uint64_t opened_at = word_u64(w[5], "openedAt");
    const uint64_t expires_at = word_u64(w[6], "expiresAt");
    if (ctx.json()) {
        ctx.out() << json{{"id", id.hex()},
                          {"state", state_name},
                          {"manager", manager.hex()},
                          {"partition", w[2].hex()},
                          {"amount", amount.to_dec()},
                          {"beneficiary", beneficiary.hex()},
                          {"openedAt", opened_at},
                          {"expiresAt", expires_at},
                          {"paymentRef", w[7].hex()}}
                         .dump()
                  << "\n";
        return exit_code::kOk;
    }
    ctx.out() << fmt::format("guarantee {}\n  state        {}\n", id.hex(), state_name);
    if (state == 0) return exit_code::kOk;
    ctx.out() << fmt::format("  pool         {} / {}\n", ctx.label(manager), w[2].hex());
    ctx.out() << fmt::format("  amount       {} AMP\n", format_amount(amount));
    ctx.out() << fmt::format("  beneficiary  {}\n", ctx.label(beneficiary));
    ctx.out() << fmt::format("  opened at    {}\n  expires at   {}\n", opened_at, expires_at);
    ctx.out() << fmt::format("  payment ref  {}\n", w[7].hex());
    return exit_code::kOk;
}

// --- amp supplier --------------------------------------------------------------

struct SupplierArgs {
    std::string supplier;
    std::string partition;
    AmountArg amount;
    std::string to_partition = "default";
};

json proof_of(Context& ctx, std::string_view method, const Address& manager,
              const Bytes32& partition, const Address& supplier) {
    return ctx.node().request(method,
                              json::array({manager.hex(), partition.hex(), supplier.hex()}));
}

int run_supplier_status(Context& ctx, const SupplierArgs& a) {
    const Address supplier =
        a.supplier.empty() ? ctx.signer().address : ctx.resolve_address(a.supplier, "SUPPLIER");
    const Address manager = ctx.manager();
    const Bytes32 partition = pool_partition(ctx, a.partition);
    const std::vector<Bytes32> w =
        view_words(ctx, ctx.clearinghouse(), "stakeOf(address,bytes32,address)",
                   abi::Encoder().address(manager).bytes32(partition).address(supplier), 2);
    const u256 stake = word_u256(w[0]), withdrawable = word_u256(w[1]);
    const u256 withdrawn =
        view_u256(ctx, manager, "addressToCumulativeAmountWithdrawn(bytes32,address)",
                  abi::Encoder().bytes32(partition).address(supplier));
    const json proof = proof_of(ctx, "amp_getWithdrawalProof", manager, partition, supplier);
    const json fallback = proof_of(ctx, "amp_getFallbackProof", manager, partition, supplier);
    const std::optional<u256> authorized =
        proof.is_object() ? std::optional(rpc::quantity_u256(proof.at("value"))) : std::nullopt;
    const std::optional<u256> fallback_max =
        fallback.is_object()
            ? std::optional(rpc::quantity_u256(fallback.at("maxCumulativeWithdrawalAmount")))
            : std::nullopt;
    if (ctx.json()) {
        json out{
            {"supplier", supplier.hex()},
            {"manager", manager.hex()},
            {"partition", partition.hex()},
            {"stake", stake.to_dec()},
            {"withdrawable", withdrawable.to_dec()},
            {"withdrawn", withdrawn.to_dec()},
            {"authorized", authorized ? json(authorized->to_dec()) : json(nullptr)},
            {"fallbackMaxCumulative", fallback_max ? json(fallback_max->to_dec()) : json(nullptr)}};
        ctx.out() << out.dump() << "\n";
        return exit_code::kOk;
    }
    ctx.out() << fmt::format("supplier {} in {} / {}\n", ctx.label(supplier), ctx.label(manager),
                             partition.hex());
    ctx.out() << fmt::format("  stake                {} AMP\n", format_amount(stake));
    ctx.out() << fmt::format("  withdrawable now     {} AMP\n", format_amount(withdrawable));
    ctx.out() << fmt::format("  withdrawn so far     {} AMP\n", format_amount(withdrawn));
    ctx.out() << fmt::format("  in withdrawal root   {}\n",
                             authorized ? format_amount(*authorized) + " AMP" : "nothing");
    ctx.out() << fmt::format("  fallback maximum     {}\n",
                             fallback_max ? format_amount(*fallback_max) + " AMP (cumulative)"
                                          : "not in a fallback root");
    return exit_code::kOk;
}

int run_supplier_request(Context& ctx, const SupplierArgs& a) {
    const u256 value = a.amount.value();
    (void)ctx.signer();
    const Bytes32 partition = pool_partition(ctx, a.partition);
    return send_call(ctx, ctx.manager(),
                     calldata("requestRelease(bytes32,uint256,bytes)",
                              abi::Encoder().bytes32(partition).uint256(value).bytes(Bytes{})));
}

// Sends the withdrawal transferByPartition(partition, manager, supplier,
// value, changePartition(to), operator_data).
int send_withdrawal(Context& ctx, const Address& manager, const Bytes32& partition,
                    const Address& supplier, const u256& value, const SupplierArgs& a,
                    const Bytes& operator_data) {
    const Bytes32 to_partition = parse_partition(a.to_partition, "--to-partition");
    return send_call(
        ctx, ctx.amp(),
        calldata(kTransferByPartition, abi::Encoder()
                                           .bytes32(partition)
                                           .address(manager)
                                           .address(supplier)
                                           .uint256(value)
                                           .bytes(contracts::change_partition_data(to_partition))
                                           .bytes(operator_data)));
}

// The signer's position for a withdrawal: the pool and the node's proof
// (JSON null when the current root has no leaf for the signer).
struct SignerProof {
    Address supplier;
    Address manager;
    Bytes32 partition;
    json proof;
};

SignerProof signer_proof(Context& ctx, const SupplierArgs& a, std::string_view method) {
    SignerProof s{ctx.signer().address, ctx.manager(), pool_partition(ctx, a.partition), nullptr};
    s.proof = proof_of(ctx, method, s.manager, s.partition, s.supplier);
    return s;
}

int run_supplier_withdraw(Context& ctx, const SupplierArgs& a) {
    const auto [supplier, manager, partition, proof] =
        signer_proof(ctx, a, "amp_getWithdrawalProof");
    if (!proof.is_object()) {
        throw CommandError(fmt::format(
            "the current withdrawal root authorizes nothing for {}: request a release "
            "(amp supplier request-release) and wait for the next root (amp pool publish-root)",
            ctx.label(supplier)));
    }
    const u256 value = rpc::quantity_u256(proof.at("value"), "value");
    const u256 nonce = rpc::quantity_u256(proof.at("maxAuthorizedAccountNonce"));
    const u256 used = view_u256(ctx, manager, "addressToWithdrawalNonce(bytes32,address)",
                                abi::Encoder().bytes32(partition).address(supplier));
    if (used > nonce) {
        throw CommandError(fmt::format(
            "the withdrawal of the current root (account nonce {}) was already made; wait for "
            "the next root",
            nonce.to_dec()));
    }
    return send_withdrawal(ctx, manager, partition, supplier, value, a,
                           rpc::data_bytes(proof.at("operatorData"), "operatorData"));
}

int run_supplier_fallback(Context& ctx, const SupplierArgs& a) {
    const auto [supplier, manager, partition, proof] = signer_proof(ctx, a, "amp_getFallbackProof");
    if (!proof.is_object()) {
        throw CommandError(
            fmt::format("the current fallback root has no leaf for {}", ctx.label(supplier)));
    }
    const u256 max = rpc::quantity_u256(proof.at("maxCumulativeWithdrawalAmount"));
    const u256 withdrawn =
        view_u256(ctx, manager, "addressToCumulativeAmountWithdrawn(bytes32,address)",
                  abi::Encoder().bytes32(partition).address(supplier));
    if (max <= withdrawn) {
        throw CommandError(
            fmt::format("nothing left: {} AMP of the fallback maximum {} AMP "
                        "has been withdrawn",
                        format_amount(withdrawn), format_amount(max)));
    }
    // The fallback opens once the network has been silent for the delay.
    const u256 set = view_u256(ctx, manager, "fallbackSetDate()", abi::Encoder());
    const u256 delay = view_u256(ctx, manager, "fallbackWithdrawalDelaySeconds()", abi::Encoder());
    const u256 opens = set + delay;
    if (u256(latest_timestamp(ctx)) < opens) {
        throw CommandError(fmt::format(
            "fallback withdrawals open at unix time {} (the fallback root's date plus the "
            "manager's {} s delay); nothing was sent",
            opens.to_dec(), delay.to_dec()));
    }
    return send_withdrawal(ctx, manager, partition, supplier, max - withdrawn, a,
                           rpc::data_bytes(proof.at("operatorData"), "operatorData"));
}

void add_partition_option(CLI::App& cmd, std::string& partition) {
    cmd.add_option("--partition", partition,
                   "the pool's collateral partition (default: the manager's, as the node names "
                   "it)");
}

}  // namespace

void add_clearinghouse_commands(CLI::App& app, std::shared_ptr<Runner> runner) {
    // amp pool ...
    CLI::App* pool = app.add_subcommand("pool",
                                        "Clearinghouse pools: a manager's collateral "
                                        "partition that guarantees draw on");
    pool->require_subcommand(1);
    auto p = std::make_shared<PoolArgs>();
    CLI::App* reg = pool->add_subcommand(
        "register", "Register the manager's partition as a pool (the manager's owner signs)");
    add_partition_option(*reg, p->partition);
    reg->add_option("--expiry-policy", p->expiry_policy,
                    "0: after expiry the beneficiary may claim; 1: anyone may release the lock")
        ->check(CLI::Range(0, 1))
        ->capture_default_str();
    reg->callback(runner->command([p](Context& ctx) { return run_pool_register(ctx, *p); }));

    CLI::App* assurer =
        pool->add_subcommand("assurer",
                             "Allow (or with --remove, disallow) an assurer to open "
                             "guarantees on the pool (the manager's owner signs)");
    assurer->add_option("assurer", p->assurer, "the assurer: an address or a stored key name")
        ->required();
    assurer->add_flag("--remove", p->remove, "take the role away");
    add_partition_option(*assurer, p->partition);
    assurer->callback(runner->command([p](Context& ctx) { return run_pool_assurer(ctx, *p); }));

    CLI::App* status = pool->add_subcommand(
        "status", "Balance, locked, available, open guarantees and losses of the pool");
    add_partition_option(*status, p->partition);
    status->callback(runner->command([p](Context& ctx) { return run_pool_status(ctx, *p); }));

    CLI::App* publish = pool->add_subcommand(
        "publish-root",
        "Build and publish the manager's withdrawal root from the pending release requests");
    publish->callback(runner->command([](Context& ctx) { return run_publish(ctx, false); }));
    CLI::App* publish_fallback =
        pool->add_subcommand("publish-fallback", "Build and publish the manager's fallback root");
    publish_fallback->callback(
        runner->command([](Context& ctx) { return run_publish(ctx, true); }));

    // amp guarantee ...
    CLI::App* guarantee =
        app.add_subcommand("guarantee", "Collateral guarantees behind payments that settle later");
    guarantee->require_subcommand(1);
    auto g = std::make_shared<GuaranteeArgs>();
    const std::string id_help =
        "guarantee id: 0x and 64 hex digits, or any text, whose keccak256 is the id";
    CLI::App* open = guarantee->add_subcommand(
        "open", "Lock AMOUNT of the pool for BENEFICIARY until the payment settles (assurer)");
    open->add_option("id", g->id, id_help)->required();
    add_amount(*open, g->amount, "Amount to guarantee");
    open->add_option("beneficiary", g->beneficiary, "who is paid if the payment fails")->required();
    open->add_option("--expires-in", g->expires_in, "seconds after the latest block's timestamp");
    open->add_option("--expires-at", g->expires_at, "unix time of expiry");
    open->add_option("--payment-ref", g->payment_ref,
                     "the payment's reference: 0x+64 hex digits or text (hashed)");
    add_partition_option(*open, g->partition);
    open->callback(runner->command([g](Context& ctx) { return run_guarantee_open(ctx, *g); }));

    struct Transition {
        const char* name;
        const char* help;
        const char* signature;
    };
    for (const Transition& t :
         {Transition{"settle", "The payment settled: unlock (assurer)", "settleGuarantee(bytes32)"},
          Transition{"claim",
                     "The payment failed: pay the beneficiary out of the pool (assurer; the "
                     "beneficiary after expiry under policy 0)",
                     "claimGuarantee(bytes32)"},
          Transition{"release", "Release an expired guarantee's lock (anyone, under policy 1)",
                     "releaseExpired(bytes32)"}}) {
        CLI::App* cmd = guarantee->add_subcommand(t.name, t.help);
        auto id = std::make_shared<std::string>();
        cmd->add_option("id", *id, id_help)->required();
        const std::string signature = t.signature;
        cmd->callback(runner->command(
            [id, signature](Context& ctx) { return run_guarantee_call(ctx, *id, signature); }));
    }
    CLI::App* show = guarantee->add_subcommand("show", "A guarantee's state, parties and times");
    auto show_id = std::make_shared<std::string>();
    show->add_option("id", *show_id, id_help)->required();
    show->callback(
        runner->command([show_id](Context& ctx) { return run_guarantee_show(ctx, *show_id); }));

    // amp supplier ...
    CLI::App* supplier =
        app.add_subcommand("supplier", "A collateral supplier's stake, releases and withdrawals");
    supplier->require_subcommand(1);
    auto s = std::make_shared<SupplierArgs>();
    CLI::App* st = supplier->add_subcommand(
        "status", "Stake after losses, what is withdrawable, and the published authorizations");
    st->add_option("supplier", s->supplier, "the supplier (default: the signer)");
    add_partition_option(*st, s->partition);
    st->callback(runner->command([s](Context& ctx) { return run_supplier_status(ctx, *s); }));

    CLI::App* req = supplier->add_subcommand(
        "request-release", "Ask for AMOUNT of the stake back (the manager's requestRelease)");
    add_amount(*req, s->amount, "Amount to release");
    add_partition_option(*req, s->partition);
    req->callback(runner->command([s](Context& ctx) { return run_supplier_request(ctx, *s); }));

    for (const bool fallback : {false, true}) {
        CLI::App* cmd = supplier->add_subcommand(
            fallback ? "fallback-withdraw" : "withdraw",
            fallback ? "Withdraw what the fallback root allows, once the fallback delay has passed"
                     : "Withdraw what the current withdrawal root authorizes (the proof comes "
                       "from the node)");
        add_partition_option(*cmd, s->partition);
        cmd->add_option("--to-partition", s->to_partition, "partition the tokens return into")
            ->capture_default_str();
        cmd->callback(runner->command([s, fallback](Context& ctx) {
            return fallback ? run_supplier_fallback(ctx, *s) : run_supplier_withdraw(ctx, *s);
        }));
    }
}

}  // namespace ampd::cli
