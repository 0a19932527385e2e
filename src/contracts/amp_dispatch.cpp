// Amp's ABI surface: every external and public function, including the
// public state getters, decoded with the v1 rules (narrow values masked) and
// encoded exactly as solc 0.6.10 returns them.
#include <span>

#include "ampd/contracts/amp.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/state/revert.hpp"
#include "contracts/abi_methods.hpp"

namespace ampd::contracts {

namespace {

using abi_methods::arg;
using abi_methods::Method;
using abi_methods::SelectorTable;
using state::CallContext;

// One-word return values without going through the general encoder (the
// ERC-20 calls are the hot path).
Bytes word_u256(const u256& v) {
    Bytes out(32);
    v.to_be(std::span<uint8_t, 32>(out.data(), 32));
    return out;
}
Bytes word_bool(bool b) {
    Bytes out(32, 0);
    out[31] = b ? 1 : 0;
    return out;
}
Bytes word_address(const Address& a) {
    Bytes out(32, 0);
    std::copy(a.b.begin(), a.b.end(), out.begin() + 12);
    return out;
}
Bytes word_bytes32(const Bytes32& w) {
    return Bytes(w.b.begin(), w.b.end());
}
Bytes word_bytes4(const Bytes4& w) {
    Bytes out(32, 0);
    std::copy(w.b.begin(), w.b.end(), out.begin());
    return out;
}

// Index into a public array getter: out of range is an invalid opcode in
// solc 0.6.
template <class T>
const T& array_at(const std::vector<T>& v, const u256& index) {
    if (!index.fits_u64() || index.w[0] >= v.size()) state::invalid_opcode();
    return v[static_cast<size_t>(index.w[0])];
}

}  // namespace

Bytes Amp::dispatch(CallContext& ctx, ByteView calldata) {
    using A = Amp;
    using D = abi::Decoder;
    static const SelectorTable<A> kTable{
        // --- ERC-20
        {"name()", 0,
         [](A& c, CallContext&, const D&) { return abi_methods::ret_string(c.name_); }},
        {"symbol()", 0,
         [](A& c, CallContext&, const D&) { return abi_methods::ret_string(c.symbol_); }},
        {"decimals()", 0, [](A&, CallContext&, const D&) { return word_u256(u256(kDecimals)); }},
        {"granularity()", 0,
         [](A&, CallContext&, const D&) { return word_u256(u256(kGranularity)); }},
        {"totalSupply()", 0,
         [](A& c, CallContext&, const D&) { return word_u256(c.total_supply_); }},
        {"balanceOf(address)", 1,
         [](A& c, CallContext&, const D& d) { return word_u256(c.balanceOf(arg(d.address(0)))); }},
        {"allowance(address,address)", 2,
         [](A& c, CallContext&, const D& d) {
             const Address owner = arg(d.address(0));
             const Address spender = arg(d.address(1));
             return word_u256(c.allowance(owner, spender));
         }},
        {"transfer(address,uint256)", 2,
         [](A& c, CallContext& ctx, const D& d) {
             const Address to = arg(d.address(0));
             const u256 value = arg(d.uint256(1));
             return word_bool(c.transfer(ctx, to, value));
         }},
        {"transferFrom(address,address,uint256)", 3,
         [](A& c, CallContext& ctx, const D& d) {
             const Address from = arg(d.address(0));
             const Address to = arg(d.address(1));
             const u256 value = arg(d.uint256(2));
             return word_bool(c.transferFrom(ctx, from, to, value));
         }},
        {"approve(address,uint256)", 2,
         [](A& c, CallContext& ctx, const D& d) {
             const Address spender = arg(d.address(0));
             const u256 value = arg(d.uint256(1));
             return word_bool(c.approve(ctx, spender, value));
         }},
        {"increaseAllowance(address,uint256)", 2,
         [](A& c, CallContext& ctx, const D& d) {
             const Address spender = arg(d.address(0));
             const u256 value = arg(d.uint256(1));
             return word_bool(c.increaseAllowance(ctx, spender, value));
         }},
        {"decreaseAllowance(address,uint256)", 2,
         [](A& c, CallContext& ctx, const D& d) {
             const Address spender = arg(d.address(0));
             const u256 value = arg(d.uint256(1));
             return word_bool(c.decreaseAllowance(ctx, spender, value));
         }},

        // --- Swap
        {"swap(address)", 1,
         [](A& c, CallContext& ctx, const D& d) {
             c.swap(ctx, arg(d.address(0)));
             return Bytes{};
         }},
        {"swapToken()", 0,
         [](A& c, CallContext&, const D&) { return word_address(c.swap_token_); }},
        {"swapTokenGraveyard()", 0,
         [](A&, CallContext&, const D&) { return word_address(swap_token_graveyard()); }},

        // --- Partitions
        {"balanceOfByPartition(bytes32,address)", 2,
         [](A& c, CallContext&, const D& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address holder = arg(d.address(1));
             return word_u256(c.balance_of_by_partition(partition, holder));
         }},
        {"partitionsOf(address)", 1,
         [](A& c, CallContext&, const D& d) {
             return abi::Encoder().bytes32_array(c.partitionsOf(arg(d.address(0)))).finish();
         }},
        {"transferByPartition(bytes32,address,address,uint256,bytes,bytes)", 6,
         [](A& c, CallContext& ctx, const D& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address from = arg(d.address(1));
             const Address to = arg(d.address(2));
             const u256 value = arg(d.uint256(3));
             const Bytes data = arg(d.bytes(4));
             const Bytes operator_data = arg(d.bytes(5));
             return word_bytes32(
                 c.transferByPartition(ctx, partition, from, to, value, data, operator_data));
         }},
        {"totalPartitions()", 0,
         [](A& c, CallContext&, const D&) {
             return abi::Encoder().bytes32_array(c.total_partitions_).finish();
         }},
        {"totalSupplyByPartition(bytes32)", 1,
         [](A& c, CallContext&, const D& d) {
             return word_u256(c.totalSupplyByPartition(arg(d.bytes32(0))));
         }},
        {"defaultPartition()", 0,
         [](A&, CallContext&, const D&) { return word_bytes32(default_partition()); }},

        // --- Operators
        {"authorizeOperator(address)", 1,
         [](A& c, CallContext& ctx, const D& d) {
             c.authorizeOperator(ctx, arg(d.address(0)));
             return Bytes{};
         }},
        {"revokeOperator(address)", 1,
         [](A& c, CallContext& ctx, const D& d) {
             c.revokeOperator(ctx, arg(d.address(0)));
             return Bytes{};
         }},
        {"authorizeOperatorByPartition(bytes32,address)", 2,
         [](A& c, CallContext& ctx, const D& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address operator_ = arg(d.address(1));
             c.authorizeOperatorByPartition(ctx, partition, operator_);
             return Bytes{};
         }},
        {"revokeOperatorByPartition(bytes32,address)", 2,
         [](A& c, CallContext& ctx, const D& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address operator_ = arg(d.address(1));
             c.revokeOperatorByPartition(ctx, partition, operator_);
             return Bytes{};
         }},
        {"isOperator(address,address)", 2,
         [](A& c, CallContext&, const D& d) {
             const Address operator_ = arg(d.address(0));
             const Address holder = arg(d.address(1));
             return word_bool(c.is_operator(operator_, holder));
         }},
        {"isOperatorForPartition(bytes32,address,address)", 3,
         [](A& c, CallContext& ctx, const D& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address operator_ = arg(d.address(1));
             const Address holder = arg(d.address(2));
             return word_bool(c.isOperatorForPartition(ctx, partition, operator_, holder));
         }},
        {"isOperatorForCollateralManager(bytes32,address,address)", 3,
         [](A& c, CallContext& ctx, const D& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address operator_ = arg(d.address(1));
             const Address manager = arg(d.address(2));
             return word_bool(c.isOperatorForCollateralManager(ctx, partition, operator_, manager));
         }},

        // --- Partition allowances
        {"allowanceByPartition(bytes32,address,address)", 3,
         [](A& c, CallContext&, const D& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address owner = arg(d.address(1));
             const Address spender = arg(d.address(2));
             return word_u256(c.allowanceByPartition(partition, owner, spender));
         }},
        {"approveByPartition(bytes32,address,uint256)", 3,
         [](A& c, CallContext& ctx, const D& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address spender = arg(d.address(1));
             const u256 value = arg(d.uint256(2));
             return word_bool(c.approveByPartition(ctx, partition, spender, value));
         }},
        {"increaseAllowanceByPartition(bytes32,address,uint256)", 3,
         [](A& c, CallContext& ctx, const D& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address spender = arg(d.address(1));
             const u256 value = arg(d.uint256(2));
             return word_bool(c.increaseAllowanceByPartition(ctx, partition, spender, value));
         }},
        {"decreaseAllowanceByPartition(bytes32,address,uint256)", 3,
         [](A& c, CallContext& ctx, const D& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const Address spender = arg(d.address(1));
             const u256 value = arg(d.uint256(2));
             return word_bool(c.decreaseAllowanceByPartition(ctx, partition, spender, value));
         }},

        // --- Collateral managers
        {"registerCollateralManager()", 0,
         [](A& c, CallContext& ctx, const D&) {
             c.registerCollateralManager(ctx);
             return Bytes{};
         }},
        {"isCollateralManager(address)", 1,
         [](A& c, CallContext&, const D& d) {
             return word_bool(c.is_collateral_manager(arg(d.address(0))));
         }},
        {"collateralManagers(uint256)", 1,
         [](A& c, CallContext&, const D& d) {
             return word_address(array_at(c.collateral_managers_, arg(d.uint256(0))));
         }},

        // --- Partition strategies
        {"setPartitionStrategy(bytes4,address)", 2,
         [](A& c, CallContext& ctx, const D& d) {
             const Bytes4 prefix = arg(d.bytes4(0));
             const Address implementation = arg(d.address(1));
             c.setPartitionStrategy(ctx, prefix, implementation);
             return Bytes{};
         }},
        {"isPartitionStrategy(bytes4)", 1,
         [](A& c, CallContext&, const D& d) {
             return word_bool(c.isPartitionStrategy(arg(d.bytes4(0))));
         }},
        {"partitionStrategies(uint256)", 1,
         [](A& c, CallContext&, const D& d) {
             return word_bytes4(array_at(c.partition_strategies_, arg(d.uint256(0))));
         }},

        // --- Ownable
        {"owner()", 0, [](A& c, CallContext&, const D&) { return word_address(c.owner_); }},
        {"authorizedNewOwner()", 0,
         [](A& c, CallContext&, const D&) { return word_address(c.authorized_new_owner_); }},
        {"authorizeOwnershipTransfer(address)", 1,
         [](A& c, CallContext& ctx, const D& d) {
             c.authorizeOwnershipTransfer(ctx, arg(d.address(0)));
             return Bytes{};
         }},
        {"assumeOwnership()", 0,
         [](A& c, CallContext& ctx, const D&) {
             c.assumeOwnership(ctx);
             return Bytes{};
         }},

        // --- ERC1820Implementer
        {"canImplementInterfaceForAddress(bytes32,address)", 2,
         [](A& c, CallContext& ctx, const D& d) {
             const Bytes32 hash = arg(d.bytes32(0));
             const Address addr = arg(d.address(1));
             return word_bytes32(c.canImplementInterfaceForAddress(ctx, hash, addr));
         }},
    };
    return kTable.dispatch(*this, ctx, calldata);
}

}  // namespace ampd::contracts
