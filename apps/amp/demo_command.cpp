// amp demo: one instant-settlement story on a fresh state machine, step by
// step, with every event the contracts emit. Everything runs through the same
// ABI dispatch and transaction boundary the node will use.
#include <fmt/core.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/conformance/events.hpp"
#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "commands.hpp"

namespace amp_cli {

namespace {

using ampd::Address;
using ampd::Bytes;
using ampd::Bytes32;
using ampd::u256;
namespace abi = ampd::abi;
namespace state = ampd::state;

Address addr(std::string_view hex) {
    return *Address::from_hex(hex);
}

const u256 kToken = u256(1'000'000'000'000'000'000ULL);  // 10^18 base units

std::string amount(const u256& v) {
    const u256 whole = v / kToken;
    const u256 frac = v % kToken;
    if (frac.is_zero()) return whole.to_dec();
    std::string f = frac.to_dec();
    f.insert(0, 18 - f.size(), '0');
    while (f.back() == '0') f.pop_back();
    return whole.to_dec() + "." + f;
}

class Demo {
public:
    Demo() : world_(ampd::contracts::new_world()) {}

    void deploy(std::string_view label, std::string_view type, const Address& at,
                const Address& from, const Bytes& args) {
        advance();
        state::ExecResult r =
            ampd::contracts::deploy_builtin(*world_, type, at, from, args, block_);
        report(fmt::format("deploy {} at {}", label, at.hex()), r);
    }

    state::ExecResult tx(std::string_view label, const Address& from, const Address& to,
                         std::string_view sig, const abi::Encoder& args) {
        advance();
        state::ExecResult r = world_->execute(
            state::Message{from, to, args.finish_call(ampd::selector_of(sig))}, block_);
        report(label, r);
        return r;
    }

    u256 view(const Address& to, std::string_view sig, const abi::Encoder& args) {
        state::ExecResult r = world_->simulate(
            state::Message{Address{}, to, args.finish_call(ampd::selector_of(sig))}, block_);
        if (!r.success) throw std::runtime_error(fmt::format("view {} reverted", sig));
        return abi::Decoder(r.output).uint256(0).value_or(u256(0));
    }

private:
    void advance() {
        ++block_.number;
        block_.timestamp += 12;
    }

    static void report(std::string_view label, const state::ExecResult& r) {
        if (!r.success) {
            throw std::runtime_error(fmt::format("{} reverted: {}", label, r.revert_reason));
        }
        fmt::print("* {}\n", label);
        for (const state::LogRecord& log : r.logs) {
            const ampd::conformance::DecodedEvent e = ampd::conformance::decode_event(log);
            std::string args;
            // In declaration order, as the event is written in Solidity.
            for (const state::EventParam& p : log.event->params) {
                auto it = e.args.find(std::string(p.name));
                if (it == e.args.end()) continue;
                if (!args.empty()) args += ", ";
                args += std::string(p.name) + "=" + ampd::conformance::to_display(it->second);
            }
            fmt::print("    {} {}({})\n", e.address.hex().substr(0, 10), e.name.value_or("?"),
                       args);
        }
    }

    std::unique_ptr<state::World> world_;
    state::BlockContext block_{0, 1'700'000'000, 31337};
};

int run_demo() {
    const Address owner = addr("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    const Address operator_ = addr("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    const Address alice = addr("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    const Address bob = addr("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
    const Address carol = addr("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");
    const Address fxc = addr("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    const Address amp = addr("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    const Address pool_validator = addr("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
    const Address holder_validator = addr("0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9");
    const Address manager = addr("0x8464135c8f25da09e49bc8782676a84730c318bc");
    const Bytes32 pool = ampd::contracts::make_partition(0xccccccccU, 1, manager);
    const Bytes32 default_partition{};

    Demo d;
    fmt::print(
        "== Genesis: the swap token, Amp, both partition strategies, a collateral manager\n");
    d.deploy("SwapToken (FXC)", "SwapToken", fxc, owner, {});
    d.deploy("Amp", "Amp", amp, owner,
             abi::Encoder().address(fxc).string("Amp").string("AMP").finish());
    d.deploy("CollateralPoolPartitionValidator", "CollateralPoolPartitionValidator", pool_validator,
             owner, abi::Encoder().address(amp).finish());
    d.deploy("HolderCollateralPartitionValidator", "HolderCollateralPartitionValidator",
             holder_validator, owner, abi::Encoder().address(amp).finish());
    d.tx("Amp.setPartitionStrategy(0xcccccccc)", owner, amp, "setPartitionStrategy(bytes4,address)",
         abi::Encoder().bytes4(*ampd::Bytes4::from_hex("0xcccccccc")).address(pool_validator));
    d.tx("Amp.setPartitionStrategy(0xaaaaaaaa)", owner, amp, "setPartitionStrategy(bytes4,address)",
         abi::Encoder().bytes4(*ampd::Bytes4::from_hex("0xaaaaaaaa")).address(holder_validator));
    d.deploy("FlexaCollateralManager", "FlexaCollateralManager", manager, operator_,
             abi::Encoder().address(amp).finish());
    d.tx("manager.addPartition(pool)", operator_, manager, "addPartition(bytes32)",
         abi::Encoder().bytes32(pool));

    fmt::print("\n== Holders swap FXC for Amp\n");
    for (const auto& [name, who] :
         {std::pair{"alice", alice}, std::pair{"bob", bob}, std::pair{"carol", carol}}) {
        const u256 fxc_amount = u256(5000) * kToken;
        d.tx(fmt::format("FXC.mint({}, 5000)", name), owner, fxc, "mint(address,uint256)",
             abi::Encoder().address(who).uint256(fxc_amount));
        d.tx(fmt::format("FXC.approve(Amp) by {}", name), who, fxc, "approve(address,uint256)",
             abi::Encoder().address(amp).uint256(fxc_amount));
        d.tx(fmt::format("Amp.swap({})", name), who, amp, "swap(address)",
             abi::Encoder().address(who));
    }

    fmt::print("\n== An ERC-20 transfer\n");
    d.tx("Amp.transfer(bob, 250) by alice", alice, amp, "transfer(address,uint256)",
         abi::Encoder().address(bob).uint256(u256(250) * kToken));

    fmt::print("\n== Suppliers lock collateral in place, in the manager's pool partition\n");
    for (const auto& [name, who, n] :
         {std::tuple{"bob", bob, 1000}, std::tuple{"carol", carol, 500}}) {
        d.tx(fmt::format("{} supplies {} Amp", name, n), who, amp,
             "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
             abi::Encoder()
                 .bytes32(default_partition)
                 .address(who)
                 .address(manager)
                 .uint256(u256(static_cast<uint64_t>(n)) * kToken)
                 .bytes(ampd::contracts::change_partition_data(pool))
                 .bytes(Bytes{}));
    }

    fmt::print("\n== Bob asks for 400 back; the network publishes a withdrawal root\n");
    const u256 bob_release = u256(400) * kToken;
    d.tx("manager.requestRelease(pool, 400) by bob", bob, manager,
         "requestRelease(bytes32,uint256,bytes)",
         abi::Encoder().bytes32(pool).uint256(bob_release).bytes(Bytes{}));
    using FCM = ampd::contracts::FlexaCollateralManager;
    const Bytes32 bob_leaf = FCM::withdrawal_leaf(bob, pool, bob_release, u256(0));
    const Bytes32 carol_leaf = FCM::withdrawal_leaf(carol, pool, u256(200) * kToken, u256(0));
    const Bytes32 root = FCM::merkle_parent(bob_leaf, carol_leaf);
    d.tx("manager.addWithdrawalRoot(root, nonce 1)", operator_, manager,
         "addWithdrawalRoot(bytes32,uint256,bytes32[])",
         abi::Encoder().bytes32(root).uint256(u256(1)).bytes32_array({}));

    fmt::print("\n== Bob withdraws with his Merkle proof\n");
    std::vector<Bytes32> proof{carol_leaf};
    Bytes32 flag;
    flag.b.fill(FCM::kWithdrawalFlagByte);
    d.tx("Amp.transferByPartition(pool -> bob, 400) with proof", bob, amp,
         "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
         abi::Encoder()
             .bytes32(pool)
             .address(manager)
             .address(bob)
             .uint256(bob_release)
             .bytes(ampd::contracts::change_partition_data(default_partition))
             .bytes(abi::Encoder()
                        .bytes32(flag)
                        .address(bob)
                        .uint256(u256(0))
                        .bytes32_array(proof)
                        .finish()));

    fmt::print("\n== Final balances (Amp)\n");
    fmt::print("{:<8} {:>12} {:>12} {:>12}\n", "holder", "total", "default", "pool");
    for (const auto& [name, who] : {std::pair{"alice", alice}, std::pair{"bob", bob},
                                    std::pair{"carol", carol}, std::pair{"manager", manager}}) {
        fmt::print("{:<8} {:>12} {:>12} {:>12}\n", name,
                   amount(d.view(amp, "balanceOf(address)", abi::Encoder().address(who))),
                   amount(d.view(amp, "balanceOfByPartition(bytes32,address)",
                                 abi::Encoder().bytes32(default_partition).address(who))),
                   amount(d.view(amp, "balanceOfByPartition(bytes32,address)",
                                 abi::Encoder().bytes32(pool).address(who))));
    }
    fmt::print("totalSupply {}\n", amount(d.view(amp, "totalSupply()", abi::Encoder())));
    return 0;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
    CLI::App* cmd =
        app.add_subcommand("demo", "Run a short instant-settlement story on a fresh state machine");
    cmd->callback([&exit_code] {
        try {
            exit_code = run_demo();
        } catch (const std::exception& e) {
            fmt::print(stderr, "demo failed: {}\n", e.what());
            exit_code = 1;
        }
    });
}

}  // namespace amp_cli
