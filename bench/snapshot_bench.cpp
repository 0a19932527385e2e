// Full-state snapshots of a world of 2^20 (1,048,576) Amp holders: how long
// save_world, load_world and state_hash take and how large the snapshot is,
// so the node can choose a snapshot interval. Two worlds, each built once
// per process:
//   Plain  every holder has a default-partition balance only (one account
//          record each: the smallest state a holder can have);
//   Rich   as the world of amp_bench.cpp: every holder also holds tokens in
//          a second partition (a partition balance and a list entry) and has
//          approved the next holder (an allowance).
// Counters: snapshot_MB and bytes/holder.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "ampd/contracts/amp.hpp"
#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/world.hpp"
#include "bench_support.hpp"

namespace {

using namespace ampd::bench_support;  // NOLINT(google-build-using-namespace)

using ampd::Address;
using ampd::Bytes;
using ampd::Bytes32;
using ampd::u256;
using ampd::contracts::Amp;

constexpr size_t kHolders = size_t{1} << 20;

Address holder_address(uint64_t i) {
    return random_address(i, 0x51A9ULL);
}

struct SnapshotWorld {
    std::unique_ptr<ampd::state::World> world;
    Bytes snapshot;  // save_world(*world), for the load benchmarks
};

std::unique_ptr<SnapshotWorld> build(bool rich) {
    const Address owner = *Address::from_hex("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    const Address fxc = *Address::from_hex("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    const Address amp_addr = *Address::from_hex("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    auto out = std::make_unique<SnapshotWorld>();
    out->world = ampd::contracts::new_world();
    ampd::state::BlockContext block{1, 1'600'000'000, 1};
    ampd::contracts::deploy_builtin(*out->world, "SwapToken", fxc, owner, {}, block);
    ampd::contracts::deploy_builtin(
        *out->world, "Amp", amp_addr, owner,
        ampd::abi::Encoder().address(fxc).string("Amp").string("AMP").finish(), block);
    Amp* amp = out->world->contract_as<Amp>(amp_addr);
    amp->reserve_accounts(kHolders);
    std::vector<Address> holders;
    holders.reserve(kHolders);
    for (size_t i = 0; i < kHolders; ++i) holders.push_back(holder_address(i));
    const u256 grant = pow10(24);
    for (const Address& h : holders) amp->genesis_mint(h, grant);
    if (rich) {
        const Bytes to_plain =
            ampd::contracts::change_partition_data(ampd::contracts::make_partition(0, 7, owner));
        const ampd::Bytes4 sel_move =
            ampd::selector_of("transferByPartition(bytes32,address,address,uint256,bytes,bytes)");
        const ampd::Bytes4 sel_approve = ampd::selector_of("approve(address,uint256)");
        const u256 moved = pow10(22);
        for (size_t i = 0; i < kHolders; ++i) {
            const Address& h = holders[i];
            ampd::state::CallContext c1{*out->world, amp_addr, h, h, sel_move, block};
            amp->transferByPartition(c1, Bytes32{}, h, h, moved, to_plain, {});
            ampd::state::CallContext c2{*out->world, amp_addr, h, h, sel_approve, block};
            amp->approve(c2, holders[(i + 1) % kHolders], u256(1) << 200);
            if ((i & 4095) == 4095 || i + 1 == kHolders) {
                out->world->journal().commit();
                out->world->clear_pending_logs();
            }
        }
    }
    out->snapshot = ampd::contracts::save_world(*out->world);
    return out;
}

SnapshotWorld& world(bool rich) {
    static std::unique_ptr<SnapshotWorld> plain;
    static std::unique_ptr<SnapshotWorld> full;
    std::unique_ptr<SnapshotWorld>& w = rich ? full : plain;
    if (!w) w = build(rich);
    return *w;
}

void report(benchmark::State& state, const SnapshotWorld& w) {
    state.counters["snapshot_MB"] = static_cast<double>(w.snapshot.size()) / 1e6;
    state.counters["bytes/holder"] =
        static_cast<double>(w.snapshot.size()) / static_cast<double>(kHolders);
}

void BM_SaveWorld(benchmark::State& state) {
    SnapshotWorld& w = world(state.range(0) != 0);
    for (auto _ : state) {
        Bytes snap = ampd::contracts::save_world(*w.world);
        benchmark::DoNotOptimize(snap.data());
        if (snap != w.snapshot) state.SkipWithError("snapshot is not deterministic");
    }
    report(state, w);
}

void BM_LoadWorld(benchmark::State& state) {
    SnapshotWorld& w = world(state.range(0) != 0);
    for (auto _ : state) {
        std::unique_ptr<ampd::state::World> loaded = ampd::contracts::load_world(w.snapshot);
        benchmark::DoNotOptimize(loaded.get());
        state.PauseTiming();
        loaded.reset();  // freeing the tables is not part of loading
        state.ResumeTiming();
    }
    report(state, w);
}

void BM_StateHash(benchmark::State& state) {
    SnapshotWorld& w = world(state.range(0) != 0);
    for (auto _ : state) benchmark::DoNotOptimize(ampd::contracts::state_hash(*w.world));
    report(state, w);
}

// Arg 0 = Plain, 1 = Rich.
BENCHMARK(BM_SaveWorld)
    ->ArgName("rich")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK(BM_LoadWorld)
    ->ArgName("rich")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK(BM_StateHash)
    ->ArgName("rich")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace
