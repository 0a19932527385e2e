// FlexaCollateralManager: the ABI surface. Every external function and
// public getter by selector, with arguments decoded by the v1 rules of
// solc 0.6.10 without ABIEncoderV2 (narrow values masked; data too short or
// pointing out of bounds reverts without data) and results encoded as
// Solidity returns them.
#include <vector>

#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/primitives/abi.hpp"
#include "contracts/abi_methods.hpp"
#include "contracts/flexa_collateral_manager_internal.hpp"

namespace ampd::contracts {

using state::CallContext;

namespace {

using abi_methods::arg;
using abi_methods::decode_hook_args;
using abi_methods::DecodedHookArgs;
using abi_methods::ret_address;
using abi_methods::ret_bool;
using abi_methods::ret_bytes32;
using abi_methods::ret_u256;

}  // namespace

Bytes FlexaCollateralManager::dispatch(CallContext& ctx, ByteView calldata) {
    using Fcm = FlexaCollateralManager;
    static const abi_methods::SelectorTable<Fcm> kTable{
        // --- Public state
        {"amp()", 0, [](Fcm& c, CallContext&, const abi::Decoder&) { return ret_address(c.amp_); }},
        {"owner()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) { return ret_address(c.owner_); }},
        {"authorizedNewOwner()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) {
             return ret_address(c.authorized_new_owner_);
         }},
        {"partitions(bytes32)", 1,
         [](Fcm& c, CallContext&, const abi::Decoder& d) {
             return ret_bool(c.partitions(arg(d.bytes32(0))));
         }},
        {"withdrawalPublisher()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) {
             return ret_address(c.withdrawal_publisher_);
         }},
        {"fallbackPublisher()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) {
             return ret_address(c.fallback_publisher_);
         }},
        {"withdrawalLimitPublisher()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) {
             return ret_address(c.withdrawal_limit_publisher_);
         }},
        {"directTransferer()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) {
             return ret_address(c.direct_transferer_);
         }},
        {"partitionManager()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) {
             return ret_address(c.partition_manager_);
         }},
        {"supplyNonce()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) { return ret_u256(c.supply_nonce_); }},
        {"nonceToSupply(uint256)", 1,
         [](Fcm& c, CallContext&, const abi::Decoder& d) {
             const Supply s = c.nonceToSupply(arg(d.uint256(0)));
             return abi::Encoder()
                 .address(s.supplier)
                 .bytes32(s.partition)
                 .uint256(s.amount)
                 .finish();
         }},
        {"withdrawalLimit()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) { return ret_u256(c.withdrawal_limit_); }},
        {"maxWithdrawalRootNonce()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) {
             return ret_u256(c.max_withdrawal_root_nonce_);
         }},
        {"withdrawalRootToNonce(bytes32)", 1,
         [](Fcm& c, CallContext&, const abi::Decoder& d) {
             return ret_u256(c.withdrawalRootToNonce(arg(d.bytes32(0))));
         }},
        {"addressToWithdrawalNonce(bytes32,address)", 2,
         [](Fcm& c, CallContext&, const abi::Decoder& d) {
             return ret_u256(c.addressToWithdrawalNonce(arg(d.bytes32(0)), arg(d.address(1))));
         }},
        {"addressToCumulativeAmountWithdrawn(bytes32,address)", 2,
         [](Fcm& c, CallContext&, const abi::Decoder& d) {
             return ret_u256(
                 c.addressToCumulativeAmountWithdrawn(arg(d.bytes32(0)), arg(d.address(1))));
         }},
        {"fallbackWithdrawalDelaySeconds()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) { return ret_u256(c.fallback_delay_); }},
        {"fallbackRoot()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) { return ret_bytes32(c.fallback_root_); }},
        {"fallbackSetDate()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) { return ret_u256(c.fallback_set_date_); }},
        {"fallbackMaxIncludedSupplyNonce()", 0,
         [](Fcm& c, CallContext&, const abi::Decoder&) {
             return ret_u256(c.fallback_max_included_supply_nonce_);
         }},

        // --- Hooks
        {"canReceive(bytes4,bytes32,address,address,address,uint256,bytes,bytes)", 8,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             const DecodedHookArgs h = decode_hook_args(d);
             return ret_bool(c.canReceive(ctx, h.args));
         }},
        {"tokensReceived(bytes4,bytes32,address,address,address,uint256,bytes,bytes)", 8,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             const DecodedHookArgs h = decode_hook_args(d);
             c.tokensReceived(ctx, h.args);
             return Bytes{};
         }},
        {"canTransfer(bytes4,bytes32,address,address,address,uint256,bytes,bytes)", 8,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             const DecodedHookArgs h = decode_hook_args(d);
             return ret_bool(c.canTransfer(ctx, h.args));
         }},
        {"tokensToTransfer(bytes4,bytes32,address,address,address,uint256,bytes,bytes)", 8,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             const DecodedHookArgs h = decode_hook_args(d);
             c.tokensToTransfer(ctx, h.args);
             return Bytes{};
         }},

        // --- Release requests and administration
        {"requestRelease(bytes32,uint256,bytes)", 3,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             const Bytes32 partition = arg(d.bytes32(0));
             const u256 amount = arg(d.uint256(1));
             const Bytes data = arg(d.bytes(2));
             c.requestRelease(ctx, partition, amount, data);
             return Bytes{};
         }},
        {"addPartition(bytes32)", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.addPartition(ctx, arg(d.bytes32(0)));
             return Bytes{};
         }},
        {"removePartition(bytes32)", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.removePartition(ctx, arg(d.bytes32(0)));
             return Bytes{};
         }},
        {"modifyWithdrawalLimit(int256)", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.modifyWithdrawalLimit(ctx, arg(d.int256(0)));
             return Bytes{};
         }},
        {"addWithdrawalRoot(bytes32,uint256,bytes32[])", 3,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             const Bytes32 root = arg(d.bytes32(0));
             const u256 nonce = arg(d.uint256(1));
             const std::vector<Bytes32> replaced = arg(d.bytes32_array(2));
             c.addWithdrawalRoot(ctx, root, nonce, replaced);
             return Bytes{};
         }},
        {"removeWithdrawalRoots(bytes32[])", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.removeWithdrawalRoots(ctx, arg(d.bytes32_array(0)));
             return Bytes{};
         }},
        {"setFallbackRoot(bytes32,uint256)", 2,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             const Bytes32 root = arg(d.bytes32(0));
             const u256 max_nonce = arg(d.uint256(1));
             c.setFallbackRoot(ctx, root, max_nonce);
             return Bytes{};
         }},
        {"resetFallbackMechanismDate()", 0,
         [](Fcm& c, CallContext& ctx, const abi::Decoder&) {
             c.resetFallbackMechanismDate(ctx);
             return Bytes{};
         }},
        {"setFallbackWithdrawalDelay(uint256)", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.setFallbackWithdrawalDelay(ctx, arg(d.uint256(0)));
             return Bytes{};
         }},
        {"setWithdrawalPublisher(address)", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.setWithdrawalPublisher(ctx, arg(d.address(0)));
             return Bytes{};
         }},
        {"setFallbackPublisher(address)", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.setFallbackPublisher(ctx, arg(d.address(0)));
             return Bytes{};
         }},
        {"setWithdrawalLimitPublisher(address)", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.setWithdrawalLimitPublisher(ctx, arg(d.address(0)));
             return Bytes{};
         }},
        {"setDirectTransferer(address)", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.setDirectTransferer(ctx, arg(d.address(0)));
             return Bytes{};
         }},
        {"setPartitionManager(address)", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.setPartitionManager(ctx, arg(d.address(0)));
             return Bytes{};
         }},
        {"authorizeOwnershipTransfer(address)", 1,
         [](Fcm& c, CallContext& ctx, const abi::Decoder& d) {
             c.authorizeOwnershipTransfer(ctx, arg(d.address(0)));
             return Bytes{};
         }},
        {"assumeOwnership()", 0,
         [](Fcm& c, CallContext& ctx, const abi::Decoder&) {
             c.assumeOwnership(ctx);
             return Bytes{};
         }},
    };
    return kTable.dispatch(*this, ctx, calldata);
}

}  // namespace ampd::contracts
