// Throughput of the Amp token and the FlexaCollateralManager over a world of
// 2^20 (1,048,576) funded accounts, through two paths:
//   *_Execute   World::execute (or simulate for views) with ABI calldata: the
//               full transaction path (dispatch, decoding, journal, logs
//               moved into the ExecResult, commit).
//   *_Typed     typed calls on the contract through a CallContext, the
//               accounts of the next transactions prefetched, the journal
//               committed and the pending logs drained every kDrainEvery
//               operations (events are still built).
// Every iteration is one successful state-changing operation on randomly
// chosen accounts; a revert stops the benchmark with an error. The counter
// "events/op" is the number of logs the operations produced, per operation.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/contracts/amp.hpp"
#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/revert.hpp"
#include "ampd/state/world.hpp"
#include "bench_support.hpp"

namespace {

using namespace ampd::bench_support;  // NOLINT(google-build-using-namespace)

using ampd::Address;
using ampd::Bytes;
using ampd::Bytes32;
using ampd::Bytes4;
using ampd::ByteView;
using ampd::u256;
using ampd::contracts::Amp;
using ampd::contracts::FlexaCollateralManager;
using ampd::state::BlockContext;
using ampd::state::CallContext;
using ampd::state::ExecResult;
using ampd::state::Message;
using ampd::state::World;

constexpr size_t kAccounts = size_t{1} << 20;  // 20-deep withdrawal tree, one leaf each
constexpr size_t kAhead = 8;                   // typed path: prefetch distance
constexpr uint64_t kDrainEvery = 1024;         // typed path: log drain / journal commit period

class Rng {
public:
    explicit Rng(uint64_t seed) : s_(seed) {}
    uint64_t next() { return splitmix64(s_); }
    // Uniform in [0, n).
    size_t below(size_t n) {
        return static_cast<size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }

private:
    uint64_t s_;
};

Address account_address(uint64_t i) {
    return random_address(i, 0x1234567ULL);
}

void put_u64_be(uint8_t* p, uint64_t v) {
    for (int i = 7; i >= 0; --i) {
        p[i] = static_cast<uint8_t>(v);
        v >>= 8;
    }
}
// Overwrites the 20 address bytes of the ABI word at `word_offset`.
void put_address(Bytes& b, size_t word_offset, const Address& a) {
    std::memcpy(b.data() + word_offset + 12, a.data(), 20);
}
// Overwrites the ABI uint256 word at `word_offset` with a 64-bit value.
void put_small_uint(Bytes& b, size_t word_offset, uint64_t v) {
    std::memset(b.data() + word_offset, 0, 24);
    put_u64_be(b.data() + word_offset + 24, v);
}

// A complete Merkle tree with the contract's pair rule over 2^k leaves.
class MerkleTree {
public:
    explicit MerkleTree(std::vector<Bytes32> leaves) {
        levels_.push_back(std::move(leaves));
        while (levels_.back().size() > 1) {
            const std::vector<Bytes32>& cur = levels_.back();
            std::vector<Bytes32> next(cur.size() / 2);
            for (size_t i = 0; i < next.size(); ++i) {
                next[i] = FlexaCollateralManager::merkle_parent(cur[2 * i], cur[2 * i + 1]);
            }
            levels_.push_back(std::move(next));
        }
    }
    [[nodiscard]] const Bytes32& root() const { return levels_.back()[0]; }
    [[nodiscard]] std::vector<Bytes32> proof(size_t i) const {
        std::vector<Bytes32> out;
        out.reserve(levels_.size() - 1);
        for (size_t l = 0; l + 1 < levels_.size(); ++l, i >>= 1) out.push_back(levels_[l][i ^ 1]);
        return out;
    }

private:
    std::vector<std::vector<Bytes32>> levels_;
};

// The shared world: built once per process on first use.
struct Env {
    const Address deployer = fixed_address("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    const Address manager_owner = fixed_address("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    const Address treasury = fixed_address("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    const Address swap_addr = fixed_address("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    const Address amp_addr = fixed_address("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    const Address pool_validator = fixed_address("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
    const Address manager_addr = fixed_address("0x8464135c8f25da09e49bc8782676a84730c318bc");

    std::unique_ptr<World> world;
    Amp* amp = nullptr;
    FlexaCollateralManager* fcm = nullptr;
    BlockContext block;
    std::vector<Address> accounts;
    Bytes32 plain;  // a partition without strategy every account holds tokens in
    Bytes32 pool;   // the manager's permitted 0xcccccccc partition
    Bytes change_to_plain;
    Bytes change_to_pool;
    Bytes change_to_default;
    Bytes4 sel_transfer;
    Bytes4 sel_transfer_from;
    Bytes4 sel_transfer_by_partition;
    Bytes4 sel_balance_of_by_partition;
    // Withdrawal rounds: round r publishes a tree (root nonce r) holding one
    // leaf per account authorizing kWithdrawal with max account nonce r - 1.
    uint64_t withdrawal_round = 0;
    std::unique_ptr<MerkleTree> withdrawal_tree;
    std::vector<uint32_t> withdrawal_order;
    size_t withdrawal_next = 0;
    Rng withdrawal_rng{0xfeed};

    static constexpr uint64_t kWithdrawal = 1'000'000'000'000ULL;  // 10^12 base units

    Env() {
        const auto t0 = std::chrono::steady_clock::now();
        world = ampd::contracts::new_world();
        block.number = 1;
        block.timestamp = 1'600'000'000;
        deploy("SwapToken", swap_addr, deployer, {});
        deploy("Amp", amp_addr, deployer,
               ampd::abi::Encoder().address(swap_addr).string("Amp").string("AMP").finish());
        deploy("CollateralPoolPartitionValidator", pool_validator, deployer,
               ampd::abi::Encoder().address(amp_addr).finish());
        must(tx(
            deployer, amp_addr, "setPartitionStrategy(bytes4,address)",
            ampd::abi::Encoder().bytes4(*Bytes4::from_hex("0xcccccccc")).address(pool_validator)));
        deploy("FlexaCollateralManager", manager_addr, manager_owner,
               ampd::abi::Encoder().address(amp_addr).finish());
        pool = ampd::contracts::make_partition(FlexaCollateralManager::kPartitionPrefix, 1,
                                               manager_addr);
        must(tx(manager_owner, manager_addr, "addPartition(bytes32)",
                ampd::abi::Encoder().bytes32(pool)));
        amp = world->contract_as<Amp>(amp_addr);
        fcm = world->contract_as<FlexaCollateralManager>(manager_addr);
        if (amp == nullptr || fcm == nullptr) fail("contracts missing");

        plain = ampd::contracts::make_partition(0, 7, deployer);
        change_to_plain = ampd::contracts::change_partition_data(plain);
        change_to_pool = ampd::contracts::change_partition_data(pool);
        change_to_default = ampd::contracts::change_partition_data(Bytes32{});
        sel_transfer = ampd::selector_of("transfer(address,uint256)");
        sel_transfer_from = ampd::selector_of("transferFrom(address,address,uint256)");
        sel_transfer_by_partition =
            ampd::selector_of("transferByPartition(bytes32,address,address,uint256,bytes,bytes)");
        sel_balance_of_by_partition = ampd::selector_of("balanceOfByPartition(bytes32,address)");

        // Funding: a million Amp each in the default partition, ten thousand
        // of them moved into `plain`, and an allowance for the next account.
        accounts.reserve(kAccounts);
        for (size_t i = 0; i < kAccounts; ++i) accounts.push_back(account_address(i));
        amp->reserve_accounts(kAccounts + 64);
        const u256 grant = pow10(24);
        for (const Address& a : accounts) amp->genesis_mint(a, grant);
        amp->genesis_mint(treasury, pow10(30));
        const u256 in_plain = pow10(22);
        const u256 allowance = u256(1) << 200;
        for (size_t i = 0; i < kAccounts; ++i) {
            const Address& a = accounts[i];
            CallContext c1 = ctx(a, sel_transfer_by_partition);
            amp->transferByPartition(c1, Bytes32{}, a, a, in_plain, change_to_plain, {});
            CallContext c2 = ctx(a, ampd::selector_of("approve(address,uint256)"));
            amp->approve(c2, accounts[(i + 1) % kAccounts], allowance);
            if ((i & 4095) == 4095) drain();
        }
        drain();
        // The manager's pool, out of which the withdrawals are paid.
        must(world->execute(Message{treasury, amp_addr,
                                    ampd::abi::Encoder()
                                        .bytes32(Bytes32{})
                                        .address(treasury)
                                        .address(manager_addr)
                                        .uint256(pow10(28))
                                        .bytes(change_to_pool)
                                        .bytes(Bytes{})
                                        .finish_call(sel_transfer_by_partition)},
                            block));
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "setup: %zu accounts funded in %.2f s\n", kAccounts, secs);
    }

    [[nodiscard]] CallContext ctx(const Address& sender, const Bytes4& sig) const {
        return CallContext{*world, amp_addr, sender, sender, sig, block};
    }

    void drain() const {
        world->clear_pending_logs();
        world->journal().commit();
    }

    [[noreturn]] static void fail(const std::string& what) {
        std::fprintf(stderr, "bench setup failed: %s\n", what.c_str());
        std::abort();
    }
    static void must(const ExecResult& r) {
        if (!r.success) fail("reverted: " + r.revert_reason);
    }
    void deploy(std::string_view type, const Address& at, const Address& from, const Bytes& args) {
        ExecResult r = ampd::contracts::deploy_builtin(*world, type, at, from, args, block);
        if (!r.success) fail(std::string(type) + ": " + r.revert_reason);
    }
    ExecResult tx(const Address& from, const Address& to, std::string_view sig,
                  const ampd::abi::Encoder& args) {
        return world->execute(Message{from, to, args.finish_call(ampd::selector_of(sig))}, block);
    }

    // Starts the next withdrawal round: a tree over every account, its
    // root published by the manager's owner, the accounts in random order.
    void next_withdrawal_round() {
        ++withdrawal_round;
        std::vector<Bytes32> leaves(kAccounts);
        for (size_t i = 0; i < kAccounts; ++i) {
            leaves[i] = FlexaCollateralManager::withdrawal_leaf(
                accounts[i], pool, u256(kWithdrawal), u256(withdrawal_round - 1));
        }
        withdrawal_tree = std::make_unique<MerkleTree>(std::move(leaves));
        must(tx(manager_owner, manager_addr, "addWithdrawalRoot(bytes32,uint256,bytes32[])",
                ampd::abi::Encoder()
                    .bytes32(withdrawal_tree->root())
                    .uint256(u256(withdrawal_round))
                    .bytes32_array({})));
        withdrawal_order.resize(kAccounts);
        std::iota(withdrawal_order.begin(), withdrawal_order.end(), 0U);
        for (size_t i = kAccounts - 1; i > 0; --i) {
            std::swap(withdrawal_order[i], withdrawal_order[withdrawal_rng.below(i + 1)]);
        }
        withdrawal_next = 0;
    }

    // The next account allowed to withdraw and its operator data (flag,
    // supplier, max account nonce, 20-element proof).
    struct Withdrawal {
        Address supplier;
        Bytes operator_data;
        Bytes calldata;  // the full transferByPartition call
    };
    Withdrawal next_withdrawal() {
        if (withdrawal_tree == nullptr || withdrawal_next == kAccounts) next_withdrawal_round();
        const uint32_t i = withdrawal_order[withdrawal_next++];
        Withdrawal w;
        w.supplier = accounts[i];
        Bytes32 flag;
        flag.b.fill(FlexaCollateralManager::kWithdrawalFlagByte);
        w.operator_data = ampd::abi::Encoder()
                              .bytes32(flag)
                              .address(w.supplier)
                              .uint256(u256(withdrawal_round - 1))
                              .bytes32_array(withdrawal_tree->proof(i))
                              .finish();
        w.calldata = ampd::abi::Encoder()
                         .bytes32(pool)
                         .address(manager_addr)
                         .address(w.supplier)
                         .uint256(u256(kWithdrawal))
                         .bytes(change_to_default)
                         .bytes(w.operator_data)
                         .finish_call(sel_transfer_by_partition);
        return w;
    }
};

Env& env() {
    static Env e;
    return e;
}

// A random (from, to) pair of distinct accounts and a random small amount.
struct Pick {
    uint32_t from;
    uint32_t to;
    uint64_t value;
};
Pick pick(Rng& rng) {
    Pick p{};
    p.from = static_cast<uint32_t>(rng.below(kAccounts));
    p.to = static_cast<uint32_t>(rng.below(kAccounts - 1));
    if (p.to >= p.from) ++p.to;
    p.value = 1 + (rng.next() & 0xFFFFF);
    return p;
}

void finish(benchmark::State& state, uint64_t events) {
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    state.counters["events/op"] =
        benchmark::Counter(static_cast<double>(events), benchmark::Counter::kAvgIterations);
}

// ---------------------------------------------------------------------------
// Full transaction path
// ---------------------------------------------------------------------------

enum class Kind { kTransfer, kTransferFrom, kByPartition, kChangePartition, kSupply };

// Calldata template for `kind` and the offsets of its from / to / value words
// (from = SIZE_MAX when msg.sender is the holder and from is not encoded).
struct Template {
    Bytes data;
    size_t from_at = SIZE_MAX;
    size_t to_at = SIZE_MAX;
    size_t value_at = 0;
};

Template make_template(const Env& e, Kind kind) {
    Template t;
    const Address z;
    switch (kind) {
        case Kind::kTransfer:
            t.data = ampd::abi::Encoder().address(z).uint256(u256(1)).finish_call(e.sel_transfer);
            t.to_at = 4;
            t.value_at = 36;
            break;
        case Kind::kTransferFrom:
            t.data = ampd::abi::Encoder().address(z).address(z).uint256(u256(1)).finish_call(
                e.sel_transfer_from);
            t.from_at = 4;
            t.to_at = 36;
            t.value_at = 68;
            break;
        case Kind::kByPartition:
        case Kind::kChangePartition:
        case Kind::kSupply: {
            const bool by = kind == Kind::kByPartition;
            t.data = ampd::abi::Encoder()
                         .bytes32(by ? e.plain : Bytes32{})
                         .address(z)
                         .address(kind == Kind::kSupply ? e.manager_addr : z)
                         .uint256(u256(1))
                         .bytes(by                      ? Bytes{}
                                : kind == Kind::kSupply ? e.change_to_pool
                                                        : e.change_to_plain)
                         .bytes(Bytes{})
                         .finish_call(e.sel_transfer_by_partition);
            t.from_at = 36;
            t.to_at = kind == Kind::kSupply ? SIZE_MAX : 68;
            t.value_at = 100;
            break;
        }
    }
    return t;
}

// Transactions are generated in blocks of kBlock, outside the timed region,
// as a node receives them: decoded, their addresses in memory next to each
// other (looking them up in the 20 MB account list would add a cache miss
// per address that no node has).
constexpr size_t kBlock = 4096;

struct TypedTx {
    Address sender;
    Address from;
    Address to;
    uint64_t value;
};

TypedTx typed_tx(const Env& e, Kind kind, Rng& rng) {
    const Pick p = pick(rng);
    TypedTx t{};
    t.from = e.accounts[p.from];
    t.to = e.accounts[p.to];
    // transferFrom: the spender is the next account, whose allowance it holds.
    t.sender = kind == Kind::kTransferFrom ? e.accounts[(p.from + 1) % kAccounts] : t.from;
    t.value = p.value;
    return t;
}

// With `prefetch`, the accounts of the transaction kAhead positions later in
// the block are prefetched before each execute (as a node executing a block
// can do); without, every account record is a cold miss.
void BM_Execute(benchmark::State& state, Kind kind, bool prefetch) {
    Env& e = env();
    const Template t = make_template(e, kind);
    Rng rng(0xA11CE + static_cast<uint64_t>(kind));
    std::vector<Message> block(kBlock, Message{Address{}, e.amp_addr, t.data});
    std::vector<TypedTx> accounts(kBlock);
    size_t next = kBlock;
    auto refill = [&] {
        for (size_t i = 0; i < kBlock; ++i) {
            Message& msg = block[i];
            const TypedTx x = typed_tx(e, kind, rng);
            accounts[i] = x;
            msg.from = x.sender;
            if (t.from_at != SIZE_MAX) put_address(msg.data, t.from_at, x.from);
            if (t.to_at != SIZE_MAX) put_address(msg.data, t.to_at, x.to);
            put_small_uint(msg.data, t.value_at, x.value);
        }
        if (prefetch) {
            for (size_t i = 0; i < kAhead; ++i) {
                e.amp->prefetch_account(accounts[i].from);
                e.amp->prefetch_account(accounts[i].to);
            }
        }
        next = 0;
    };
    uint64_t events = 0;
    for (auto _ : state) {
        if (next == kBlock) {
            state.PauseTiming();
            refill();
            state.ResumeTiming();
        }
        if (prefetch && next + kAhead < kBlock) {
            e.amp->prefetch_account(accounts[next + kAhead].from);
            e.amp->prefetch_account(accounts[next + kAhead].to);
        }
        ExecResult r = e.world->execute(block[next++], e.block);
        if (!r.success) {
            state.SkipWithError(("reverted: " + r.revert_reason).c_str());
            break;
        }
        events += r.logs.size();
        benchmark::DoNotOptimize(r);
    }
    finish(state, events);
}

// ---------------------------------------------------------------------------
// Typed in-core path
// ---------------------------------------------------------------------------

void BM_Typed(benchmark::State& state, Kind kind) {
    Env& e = env();
    Amp& amp = *e.amp;
    Rng rng(0xB0B + static_cast<uint64_t>(kind));
    const Bytes4 sig = kind == Kind::kTransfer       ? e.sel_transfer
                       : kind == Kind::kTransferFrom ? e.sel_transfer_from
                                                     : e.sel_transfer_by_partition;
    const ByteView data = kind == Kind::kChangePartition ? ByteView(e.change_to_plain)
                          : kind == Kind::kSupply        ? ByteView(e.change_to_pool)
                                                         : ByteView();
    const Bytes32 expect = kind == Kind::kSupply ? e.pool : e.plain;
    std::vector<TypedTx> block(kBlock);
    size_t next = kBlock;
    auto refill = [&] {
        for (TypedTx& x : block) x = typed_tx(e, kind, rng);
        for (size_t i = 0; i < kAhead; ++i) {
            amp.prefetch_account(block[i].from);
            amp.prefetch_account(block[i].to);
        }
        next = 0;
    };
    e.drain();
    uint64_t events = 0;
    uint64_t n = 0;
    try {
        for (auto _ : state) {
            if (next == kBlock) {
                state.PauseTiming();
                refill();
                state.ResumeTiming();
            }
            if (next + kAhead < kBlock) {
                amp.prefetch_account(block[next + kAhead].from);
                amp.prefetch_account(block[next + kAhead].to);
            }
            const TypedTx& x = block[next++];
            const u256 value(x.value);
            CallContext c = e.ctx(x.sender, sig);
            bool ok = false;
            switch (kind) {
                case Kind::kTransfer:
                    ok = amp.transfer(c, x.to, value);
                    break;
                case Kind::kTransferFrom:
                    ok = amp.transferFrom(c, x.from, x.to, value);
                    break;
                case Kind::kByPartition:
                    ok =
                        amp.transferByPartition(c, e.plain, x.from, x.to, value, {}, {}) == e.plain;
                    break;
                case Kind::kChangePartition:
                    ok = amp.transferByPartition(c, Bytes32{}, x.from, x.to, value, data, {}) ==
                         expect;
                    break;
                case Kind::kSupply:
                    ok = amp.transferByPartition(c, Bytes32{}, x.from, e.manager_addr, value, data,
                                                 {}) == expect;
                    break;
            }
            if (!ok) {
                state.SkipWithError("unexpected result");
                break;
            }
            if (++n % kDrainEvery == 0) {
                events += e.world->pending_logs().size();
                e.drain();
            }
        }
    } catch (const ampd::state::Revert& r) {
        state.SkipWithError(("reverted: " + r.reason).c_str());
    }
    events += e.world->pending_logs().size();
    e.drain();
    finish(state, events);
}

// ---------------------------------------------------------------------------
// Merkle-proof withdrawals (20-deep proofs over a 2^20-leaf tree)
// ---------------------------------------------------------------------------

constexpr size_t kWithdrawalBatch = 1024;

void BM_Withdrawal(benchmark::State& state, bool typed) {
    Env& e = env();
    std::vector<Env::Withdrawal> batch;
    size_t next = 0;
    auto refill = [&] {
        batch.clear();
        for (size_t i = 0; i < kWithdrawalBatch; ++i) batch.push_back(e.next_withdrawal());
        next = 0;
    };
    refill();
    e.drain();
    uint64_t events = 0;
    uint64_t n = 0;
    const u256 value(Env::kWithdrawal);
    try {
        for (auto _ : state) {
            if (next == batch.size()) {
                state.PauseTiming();
                refill();
                state.ResumeTiming();
            }
            const Env::Withdrawal& w = batch[next++];
            if (typed) {
                CallContext c = e.ctx(w.supplier, e.sel_transfer_by_partition);
                const Bytes32 to_partition =
                    e.amp->transferByPartition(c, e.pool, e.manager_addr, w.supplier, value,
                                               e.change_to_default, w.operator_data);
                if (!ampd::contracts::amp_detail::is_zero(to_partition)) {
                    state.SkipWithError("unexpected destination");
                    break;
                }
                if (++n % kDrainEvery == 0) {
                    events += e.world->pending_logs().size();
                    e.drain();
                }
            } else {
                ExecResult r =
                    e.world->execute(Message{w.supplier, e.amp_addr, w.calldata}, e.block);
                if (!r.success) {
                    state.SkipWithError(("reverted: " + r.revert_reason).c_str());
                    break;
                }
                events += r.logs.size();
                benchmark::DoNotOptimize(r);
            }
        }
    } catch (const ampd::state::Revert& r) {
        state.SkipWithError(("reverted: " + r.reason).c_str());
    }
    events += e.world->pending_logs().size();
    e.drain();
    finish(state, events);
}

// ---------------------------------------------------------------------------
// View: balanceOfByPartition
// ---------------------------------------------------------------------------

void BM_BalanceOfByPartition_Simulate(benchmark::State& state) {
    Env& e = env();
    const Bytes data = ampd::abi::Encoder().bytes32(e.plain).address(Address{}).finish_call(
        e.sel_balance_of_by_partition);
    std::vector<Message> block(kBlock, Message{e.accounts[0], e.amp_addr, data});
    size_t next = kBlock;
    Rng rng(0xC0FFEE);
    for (auto _ : state) {
        if (next == kBlock) {
            state.PauseTiming();
            for (Message& m : block) put_address(m.data, 36, e.accounts[rng.below(kAccounts)]);
            next = 0;
            state.ResumeTiming();
        }
        ExecResult r = e.world->simulate(block[next++], e.block);
        if (!r.success || r.output.size() != 32 ||
            std::all_of(r.output.begin(), r.output.end(), [](uint8_t b) { return b == 0; })) {
            state.SkipWithError("view failed");
            break;
        }
        benchmark::DoNotOptimize(r);
    }
    finish(state, 0);
}

void BM_BalanceOfByPartition_Typed(benchmark::State& state) {
    Env& e = env();
    std::vector<Address> block(kBlock);
    size_t next = kBlock;
    Rng rng(0xC0FFEE);
    for (auto _ : state) {
        if (next == kBlock) {
            state.PauseTiming();
            for (Address& a : block) a = e.accounts[rng.below(kAccounts)];
            for (size_t i = 0; i < kAhead; ++i) e.amp->prefetch_account(block[i]);
            next = 0;
            state.ResumeTiming();
        }
        if (next + kAhead < kBlock) e.amp->prefetch_account(block[next + kAhead]);
        u256 b = e.amp->balance_of_by_partition(e.plain, block[next++]);
        if (b.is_zero()) {
            state.SkipWithError("zero balance");
            break;
        }
        benchmark::DoNotOptimize(b);
    }
    finish(state, 0);
}

BENCHMARK_CAPTURE(BM_Execute, Transfer, Kind::kTransfer, false);
BENCHMARK_CAPTURE(BM_Execute, Transfer_Prefetch, Kind::kTransfer, true);
BENCHMARK_CAPTURE(BM_Typed, Transfer, Kind::kTransfer);
BENCHMARK_CAPTURE(BM_Execute, TransferFrom, Kind::kTransferFrom, false);
BENCHMARK_CAPTURE(BM_Execute, TransferFrom_Prefetch, Kind::kTransferFrom, true);
BENCHMARK_CAPTURE(BM_Typed, TransferFrom, Kind::kTransferFrom);
BENCHMARK_CAPTURE(BM_Execute, TransferByPartition, Kind::kByPartition, false);
BENCHMARK_CAPTURE(BM_Execute, TransferByPartition_Prefetch, Kind::kByPartition, true);
BENCHMARK_CAPTURE(BM_Typed, TransferByPartition, Kind::kByPartition);
BENCHMARK_CAPTURE(BM_Execute, TransferByPartitionChange, Kind::kChangePartition, false);
BENCHMARK_CAPTURE(BM_Execute, TransferByPartitionChange_Prefetch, Kind::kChangePartition, true);
BENCHMARK_CAPTURE(BM_Typed, TransferByPartitionChange, Kind::kChangePartition);
BENCHMARK_CAPTURE(BM_Execute, FcmSupply, Kind::kSupply, false);
BENCHMARK_CAPTURE(BM_Execute, FcmSupply_Prefetch, Kind::kSupply, true);
BENCHMARK_CAPTURE(BM_Typed, FcmSupply, Kind::kSupply);
BENCHMARK_CAPTURE(BM_Withdrawal, Execute, false);
BENCHMARK_CAPTURE(BM_Withdrawal, Typed, true);
BENCHMARK(BM_BalanceOfByPartition_Simulate);
BENCHMARK(BM_BalanceOfByPartition_Typed);

}  // namespace
