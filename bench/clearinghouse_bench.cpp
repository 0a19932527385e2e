// Throughput and latency of the Clearinghouse (docs/CLEARINGHOUSE_DESIGN.md,
// "Measured"):
//   BM_CH_Typed/OpenSettle    open + settle pairs through typed calls on the
//                             contract (journal committed and logs drained
//                             every kDrainEvery pairs; events still built)
//   BM_CH_OpenSettle_Execute  the same through World::execute with ABI
//                             calldata (dispatch, decoding, commit)
//   BM_CH_Typed/OpenClaim     open + claim pairs: each claim pays through
//                             Amp.transferByPartition and the manager's
//                             direct-transfer hook
//   BM_CH_PublishWithdrawalRoot / BM_CH_PublishFallbackRoot
//                             one publication over 100,000 suppliers with a
//                             pending release request each (rolled back
//                             after each iteration, outside the timing)
//   BM_CH_WithdrawalProof     proof lookup for a random supplier of the
//                             published 100,000-leaf tree
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/contracts/amp.hpp"
#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/clearinghouse.hpp"
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
using ampd::u256;
using ampd::contracts::Amp;
using ampd::contracts::Clearinghouse;
using ampd::contracts::FlexaCollateralManager;
using ampd::state::BlockContext;
using ampd::state::CallContext;
using ampd::state::ExecResult;
using ampd::state::Message;
using ampd::state::World;

constexpr uint64_t kDrainEvery = 1024;
constexpr size_t kSuppliers = 100'000;

// Random-looking 32-byte ids, as keccak-derived ones are.
Bytes32 guarantee_id(uint64_t n) {
    uint64_t s = n * 0x2545F4914F6CDD1DULL + 0xC1EAULL;
    Bytes32 id;
    for (size_t i = 0; i < 4; ++i) {
        const uint64_t w = splitmix64(s);
        std::memcpy(id.data() + 8 * i, &w, 8);
    }
    return id;
}

Address account_address(uint64_t i) {
    return random_address(i, 0x5EEDULL);
}

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "clearinghouse bench setup failed: %s\n", what.c_str());
    std::abort();
}

// A world with Amp, the pool strategy, a manager whose pool partition is a
// registered Clearinghouse pool with one assurer, and `suppliers` suppliers
// (each with a release request pending) besides one large treasury supply.
struct Env {
    const Address deployer = fixed_address("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    const Address owner = fixed_address("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    const Address assurer = fixed_address("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    const Address treasury = fixed_address("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
    const Address swap_addr = fixed_address("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    const Address amp_addr = fixed_address("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    const Address validator = fixed_address("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
    const Address manager_addr = fixed_address("0x8464135c8f25da09e49bc8782676a84730c318bc");
    const Address ch_addr = fixed_address("0xc1ea000000000000000000000000000000000001");

    std::unique_ptr<World> world;
    Amp* amp = nullptr;
    FlexaCollateralManager* fcm = nullptr;
    Clearinghouse* ch = nullptr;
    BlockContext block;
    Bytes32 pool;
    std::vector<Address> suppliers;
    std::vector<Address> beneficiaries;
    uint64_t next_id = 0;

    explicit Env(size_t supplier_count) {
        const auto t0 = std::chrono::steady_clock::now();
        world = ampd::contracts::new_world();
        block.number = 1;
        block.timestamp = 1'700'000'000;
        deploy("SwapToken", swap_addr, {});
        deploy("Amp", amp_addr,
               ampd::abi::Encoder().address(swap_addr).string("Amp").string("AMP").finish());
        deploy("CollateralPoolPartitionValidator", validator,
               ampd::abi::Encoder().address(amp_addr).finish());
        must(tx(deployer, amp_addr, "setPartitionStrategy(bytes4,address)",
                ampd::abi::Encoder().bytes4(*Bytes4::from_hex("0xcccccccc")).address(validator)));
        must(ampd::contracts::deploy_builtin(*world, "FlexaCollateralManager", manager_addr, owner,
                                             ampd::abi::Encoder().address(amp_addr).finish(),
                                             block));
        deploy("Clearinghouse", ch_addr, ampd::abi::Encoder().address(amp_addr).finish());
        pool = ampd::contracts::make_partition(FlexaCollateralManager::kPartitionPrefix, 1,
                                               manager_addr);
        must(tx(owner, manager_addr, "addPartition(bytes32)", ampd::abi::Encoder().bytes32(pool)));
        for (std::string_view role :
             {"setDirectTransferer(address)", "setWithdrawalPublisher(address)",
              "setFallbackPublisher(address)"}) {
            must(tx(owner, manager_addr, role, ampd::abi::Encoder().address(ch_addr)));
        }
        must(tx(owner, manager_addr, "modifyWithdrawalLimit(int256)",
                ampd::abi::Encoder().int256(pow10(40))));
        amp = world->contract_as<Amp>(amp_addr);
        fcm = world->contract_as<FlexaCollateralManager>(manager_addr);
        ch = world->contract_as<Clearinghouse>(ch_addr);
        if (amp == nullptr || fcm == nullptr || ch == nullptr) fail("contracts missing");

        must(tx(owner, ch_addr, "registerPool(address,bytes32,uint8)",
                ampd::abi::Encoder().address(manager_addr).bytes32(pool).uint256(u256(0))));
        must(tx(owner, ch_addr, "setAssurer(address,bytes32,address,bool)",
                ampd::abi::Encoder()
                    .address(manager_addr)
                    .bytes32(pool)
                    .address(assurer)
                    .boolean(true)));

        amp->reserve_accounts(supplier_count + 2048);
        amp->genesis_mint(treasury, pow10(30));
        const Bytes to_pool = ampd::contracts::change_partition_data(pool);
        static const Bytes4 kTbp =
            ampd::selector_of("transferByPartition(bytes32,address,address,uint256,bytes,bytes)");
        static const Bytes4 kRelease = ampd::selector_of("requestRelease(bytes32,uint256,bytes)");
        {
            CallContext c{*world, amp_addr, treasury, treasury, kTbp, block};
            amp->transferByPartition(c, Bytes32{}, treasury, manager_addr, pow10(29), to_pool, {});
        }
        suppliers.reserve(supplier_count);
        for (size_t i = 0; i < supplier_count; ++i) {
            const Address s = account_address(i);
            suppliers.push_back(s);
            const u256 amount = pow10(21) + u256(i);
            amp->genesis_mint(s, amount);
            CallContext c{*world, amp_addr, s, s, kTbp, block};
            amp->transferByPartition(c, Bytes32{}, s, manager_addr, amount, to_pool, {});
            CallContext r{*world, manager_addr, s, s, kRelease, block};
            fcm->requestRelease(r, pool, amount / u256(2 + i % 3), {});
            if ((i & 4095) == 4095) drain();
        }
        for (size_t i = 0; i < 1024; ++i) beneficiaries.push_back(account_address(1'000'000 + i));
        drain();
        // Count the supplies now, outside the measurements.
        must(tx(assurer, ch_addr,
                "openGuarantee(bytes32,address,bytes32,uint256,address,uint64,bytes32)",
                ampd::abi::Encoder()
                    .bytes32(guarantee_id(~uint64_t{0}))
                    .address(manager_addr)
                    .bytes32(pool)
                    .uint256(u256(1))
                    .address(assurer)
                    .uint256(u256(block.timestamp + 3600))
                    .bytes32(Bytes32{})));
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "clearinghouse setup: %zu suppliers in %.2f s\n", supplier_count,
                     secs);
    }

    void drain() const {
        world->clear_pending_logs();
        world->journal().commit();
    }
    static void must(const ExecResult& r) {
        if (!r.success) fail("reverted: " + r.revert_reason);
    }
    void deploy(std::string_view type, const Address& at, const Bytes& args) {
        must(ampd::contracts::deploy_builtin(*world, type, at, deployer, args, block));
    }
    ExecResult tx(const Address& from, const Address& to, std::string_view sig,
                  const ampd::abi::Encoder& args) {
        return world->execute(Message{from, to, args.finish_call(ampd::selector_of(sig))}, block);
    }
    [[nodiscard]] CallContext ctx(const Address& sender, const Bytes4& sig) const {
        return CallContext{*world, ch_addr, sender, sender, sig, block};
    }
};

// Small: the guarantee benchmarks (the pool has one large supply and a few
// suppliers; what they measure does not depend on the supplier count).
Env& small_env() {
    static Env e(64);
    // Room for every guarantee the runs open: the table's growth (page
    // zeroing, rehashing) would otherwise dominate and vary with the run.
    static const bool reserved = (e.ch->reserve_guarantees(size_t{1} << 23), true);
    (void)reserved;
    return e;
}
// Large: the publication and proof benchmarks.
Env& large_env() {
    static Env e(kSuppliers);
    return e;
}

void finish(benchmark::State& state, uint64_t events) {
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    state.counters["events/op"] =
        benchmark::Counter(static_cast<double>(events), benchmark::Counter::kAvgIterations);
}

// Guarantees stay open for kWindow pairs: iteration n opens guarantee n and
// closes guarantee n - kWindow, so the record a settle or claim touches has
// left the cache, as it would have minutes after its opening. The ids of
// the next kAhead operations are prefetched, as a node executing a block
// can do.
constexpr uint64_t kWindow = 4096;
constexpr uint64_t kAhead = 8;

enum class Close { kSettle, kClaim };

void BM_CH_Typed(benchmark::State& state, Close close) {
    Env& e = small_env();
    Clearinghouse& ch = *e.ch;
    static const Bytes4 kOpen =
        ampd::selector_of("openGuarantee(bytes32,address,bytes32,uint256,address,uint64,bytes32)");
    static const Bytes4 kSettle = ampd::selector_of("settleGuarantee(bytes32)");
    static const Bytes4 kClaim = ampd::selector_of("claimGuarantee(bytes32)");
    const u256 amount = close == Close::kSettle ? pow10(18) : u256(1'000'000);
    const uint64_t expiry = e.block.timestamp + 3600;
    const uint64_t first = e.next_id;
    auto open_one = [&](uint64_t n) {
        CallContext c = e.ctx(e.assurer, kOpen);
        ch.openGuarantee(c, guarantee_id(n), e.manager_addr, e.pool, amount,
                         e.beneficiaries[n & 1023], expiry, Bytes32{});
    };
    auto close_one = [&](uint64_t n) {
        const Bytes32 id = guarantee_id(n);
        if (close == Close::kSettle) {
            CallContext c = e.ctx(e.assurer, kSettle);
            ch.settleGuarantee(c, id);
        } else {
            CallContext c = e.ctx(e.assurer, kClaim);
            ch.claimGuarantee(c, id);
        }
    };
    uint64_t events = 0;
    try {
        // Fill the window (untimed).
        for (uint64_t i = 0; i < kWindow; ++i) open_one(first + i);
        e.drain();
        uint64_t n = first + kWindow;
        for (auto _ : state) {
            ch.prefetch_guarantee(guarantee_id(n + kAhead));
            ch.prefetch_guarantee(guarantee_id(n + kAhead - kWindow));
            open_one(n);
            close_one(n - kWindow);
            if (++n % kDrainEvery == 0) {
                events += e.world->pending_logs().size();
                e.drain();
            }
        }
        events += e.world->pending_logs().size();
        // Close the window (untimed).
        for (uint64_t i = n - kWindow; i < n; ++i) close_one(i);
        e.next_id = n;
    } catch (const ampd::state::Revert& r) {
        state.SkipWithError(("reverted: " + r.reason).c_str());
    }
    e.drain();
    finish(state, events);
}

void BM_CH_OpenSettle_Execute(benchmark::State& state) {
    Env& e = small_env();
    const uint64_t expiry = e.block.timestamp + 3600;
    Bytes open = ampd::abi::Encoder()
                     .bytes32(Bytes32{})
                     .address(e.manager_addr)
                     .bytes32(e.pool)
                     .uint256(pow10(18))
                     .address(e.beneficiaries[0])
                     .uint256(u256(expiry))
                     .bytes32(Bytes32{})
                     .finish_call(ampd::selector_of(
                         "openGuarantee(bytes32,address,bytes32,uint256,address,uint64,bytes32)"));
    Bytes settle = ampd::abi::Encoder().bytes32(Bytes32{}).finish_call(
        ampd::selector_of("settleGuarantee(bytes32)"));
    Message open_msg{e.assurer, e.ch_addr, open};
    Message settle_msg{e.assurer, e.ch_addr, settle};
    auto run = [&](Message& m, uint64_t n) {
        const Bytes32 id = guarantee_id(n);
        std::memcpy(m.data.data() + 4, id.data(), 32);
        return e.world->execute(m, e.block);
    };
    const uint64_t first = e.next_id;
    for (uint64_t i = 0; i < kWindow; ++i) Env::must(run(open_msg, first + i));
    uint64_t n = first + kWindow;
    uint64_t events = 0;
    for (auto _ : state) {
        e.ch->prefetch_guarantee(guarantee_id(n + kAhead));
        e.ch->prefetch_guarantee(guarantee_id(n + kAhead - kWindow));
        ExecResult a = run(open_msg, n);
        ExecResult b = run(settle_msg, n - kWindow);
        ++n;
        if (!a.success || !b.success) {
            state.SkipWithError(("reverted: " + a.revert_reason + b.revert_reason).c_str());
            break;
        }
        events += a.logs.size() + b.logs.size();
        benchmark::DoNotOptimize(b);
    }
    for (uint64_t i = n - kWindow; i < n; ++i) Env::must(run(settle_msg, i));
    e.next_id = n;
    finish(state, events);
}

// One publication per iteration, rolled back (untimed) so that each one
// does the full work: sync every account, reserve every request, build and
// hash the tree, and hand the root to the manager.
void BM_CH_Publish(benchmark::State& state, bool fallback) {
    Env& e = large_env();
    static const Bytes4 kPublish = ampd::selector_of("publishWithdrawalRoot(address)");
    static const Bytes4 kFallback = ampd::selector_of("publishFallbackRoot(address)");
    e.drain();
    uint64_t leaves = 0;
    try {
        for (auto _ : state) {
            CallContext c = e.ctx(e.assurer, fallback ? kFallback : kPublish);
            if (fallback) {
                benchmark::DoNotOptimize(e.ch->publishFallbackRoot(c, e.manager_addr));
                leaves = kSuppliers;
            } else {
                leaves = e.ch->publishWithdrawalRoot(c, e.manager_addr).leaves;
            }
            state.PauseTiming();
            e.world->journal().rollback(0);
            e.world->clear_pending_logs();
            state.ResumeTiming();
        }
    } catch (const ampd::state::Revert& r) {
        state.SkipWithError(("reverted: " + r.reason).c_str());
    }
    state.counters["leaves"] = static_cast<double>(leaves);
}

void BM_CH_WithdrawalProof(benchmark::State& state) {
    Env& e = large_env();
    static bool published = false;
    if (!published) {
        CallContext c = e.ctx(e.assurer, ampd::selector_of("publishWithdrawalRoot(address)"));
        if (e.ch->publishWithdrawalRoot(c, e.manager_addr).leaves != kSuppliers) {
            fail("not every supplier has a leaf");
        }
        e.drain();
        published = true;
    }
    uint64_t s = 0xABCD;
    size_t bytes = 0;
    for (auto _ : state) {
        const Address& who = e.suppliers[splitmix64(s) % kSuppliers];
        const auto proof = e.ch->withdrawal_proof(e.manager_addr, e.pool, who);
        if (!proof) {
            state.SkipWithError("no proof");
            break;
        }
        bytes = proof->operator_data.size();
        benchmark::DoNotOptimize(proof);
    }
    state.counters["operatorData bytes"] = static_cast<double>(bytes);
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

BENCHMARK_CAPTURE(BM_CH_Typed, OpenSettle, Close::kSettle);
BENCHMARK(BM_CH_OpenSettle_Execute);
BENCHMARK_CAPTURE(BM_CH_Typed, OpenClaim, Close::kClaim);
BENCHMARK_CAPTURE(BM_CH_Publish, WithdrawalRoot, false)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);
BENCHMARK_CAPTURE(BM_CH_Publish, FallbackRoot, true)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_CH_WithdrawalProof);

}  // namespace
