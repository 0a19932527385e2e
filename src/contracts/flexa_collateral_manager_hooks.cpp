// FlexaCollateralManager: the Amp transfer hooks. Incoming transfers are
// recorded as supplies; outgoing transfers are authorized by the flag word
// at the start of the operator data (withdrawal with a Merkle proof,
// fallback withdrawal, supply refund, direct transfer).
#include <array>
#include <cstring>

#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "contracts/flexa_collateral_manager_internal.hpp"

namespace ampd::contracts {

using state::CallContext;
using state::LogBuilder;
using state::require;

namespace {

enum class Flag : uint8_t { kNone, kWithdrawal, kFallbackWithdrawal, kRefund, kDirectTransfer };

bool is_repeated(const Bytes32& w, uint8_t byte) {
    for (uint8_t x : w.b) {
        if (x != byte) return false;
    }
    return true;
}

// The operation flag: the first word of the operator data, which must hold
// at least one word (abi.decode reverts without data otherwise).
Flag decode_flag(ByteView operator_data) {
    const std::optional<Bytes32> w = abi::Decoder(operator_data, abi::Cleaning::kMask).bytes32(0);
    if (!w) state::revert_empty();
    if (is_repeated(*w, FlexaCollateralManager::kWithdrawalFlagByte)) return Flag::kWithdrawal;
    if (is_repeated(*w, FlexaCollateralManager::kFallbackWithdrawalFlagByte)) {
        return Flag::kFallbackWithdrawal;
    }
    if (is_repeated(*w, FlexaCollateralManager::kRefundFlagByte)) return Flag::kRefund;
    if (is_repeated(*w, FlexaCollateralManager::kDirectTransferFlagByte)) {
        return Flag::kDirectTransfer;
    }
    return Flag::kNone;
}

// (flag, supplier, nonce or amount, proof) = abi.decode(data, (bytes32, address, uint256,
// bytes32[])).
struct WithdrawalOperatorData {
    Address supplier;
    u256 number;
    std::vector<Bytes32> proof;
};

WithdrawalOperatorData decode_withdrawal_operator_data(ByteView operator_data) {
    const abi::Decoder d(operator_data, abi::Cleaning::kMask);
    if (!d.has_words(4)) state::revert_empty();
    std::optional<Address> supplier = d.address(1);
    std::optional<u256> number = d.uint256(2);
    std::optional<std::vector<Bytes32>> proof = d.bytes32_array(3);
    if (!supplier || !number || !proof) state::revert_empty();
    return WithdrawalOperatorData{*supplier, *number, std::move(*proof)};
}

// (flag, supplyNonce) = abi.decode(data, (bytes32, uint256)).
u256 decode_refund_operator_data(ByteView operator_data) {
    const abi::Decoder d(operator_data, abi::Cleaning::kMask);
    if (!d.has_words(2)) state::revert_empty();
    const std::optional<u256> nonce = d.uint256(1);
    if (!nonce) state::revert_empty();
    return *nonce;
}

}  // namespace

// --- Merkle rules --------------------------------------------------------------

Bytes32 FlexaCollateralManager::withdrawal_leaf(const Address& supplier, const Bytes32& partition,
                                                const u256& value,
                                                const u256& max_authorized_account_nonce) {
    std::array<uint8_t, 20 + 32 + 32 + 32> buf{};
    std::memcpy(buf.data(), supplier.data(), 20);
    std::memcpy(buf.data() + 20, partition.data(), 32);
    value.to_be(std::span<uint8_t, 32>(buf.data() + 52, 32));
    max_authorized_account_nonce.to_be(std::span<uint8_t, 32>(buf.data() + 84, 32));
    return keccak256(ByteView(buf.data(), buf.size()));
}

Bytes32 FlexaCollateralManager::fallback_leaf(const Address& supplier, const Bytes32& partition,
                                              const u256& max_cumulative_withdrawal_amount) {
    std::array<uint8_t, 20 + 32 + 32> buf{};
    std::memcpy(buf.data(), supplier.data(), 20);
    std::memcpy(buf.data() + 20, partition.data(), 32);
    max_cumulative_withdrawal_amount.to_be(std::span<uint8_t, 32>(buf.data() + 52, 32));
    return keccak256(ByteView(buf.data(), buf.size()));
}

Bytes32 FlexaCollateralManager::merkle_parent(const Bytes32& a, const Bytes32& b) {
    const bool a_first = a < b;
    const Bytes32& lo = a_first ? a : b;
    const Bytes32& hi = a_first ? b : a;
    std::array<uint8_t, 64> buf{};
    std::memcpy(buf.data(), lo.data(), 32);
    std::memcpy(buf.data() + 32, hi.data(), 32);
    return keccak256(ByteView(buf.data(), buf.size()));
}

Bytes32 FlexaCollateralManager::merkle_root(const std::vector<Bytes32>& proof,
                                            const Bytes32& leaf) {
    Bytes32 node = leaf;
    for (const Bytes32& sibling : proof) node = merkle_parent(node, sibling);
    return node;
}

// --- Withdrawals -----------------------------------------------------------------

FlexaCollateralManager::WithdrawalData FlexaCollateralManager::withdrawal_data(
    const Bytes32& partition, const u256& value, ByteView operator_data) const {
    const WithdrawalOperatorData d = decode_withdrawal_operator_data(operator_data);
    const Bytes32 leaf = withdrawal_leaf(d.supplier, partition, value, d.number);
    const Bytes32 root = merkle_root(d.proof, leaf);
    return WithdrawalData{d.supplier, d.number, withdrawalRootToNonce(root)};
}

bool FlexaCollateralManager::withdrawal_valid(const Bytes32& partition, const Address& operator_,
                                              const u256& value, const WithdrawalData& d) const {
    return (operator_ == owner_ || operator_ == withdrawal_publisher_ || operator_ == d.supplier) &&
           addressToWithdrawalNonce(partition, d.supplier) <= d.max_authorized_account_nonce &&
           value <= withdrawal_limit_ && !d.withdrawal_root_nonce.is_zero() &&
           d.withdrawal_root_nonce > d.max_authorized_account_nonce;
}

void FlexaCollateralManager::execute_withdrawal(CallContext& ctx, const TransferHookArgs& a) {
    const WithdrawalData d = withdrawal_data(a.partition, a.value, a.operator_data);
    require(withdrawal_valid(a.partition, a.operator_, a.value, d), "Transfer unauthorized");

    WithdrawalAccount& acc = account_slot(ctx, a.partition, d.supplier);
    ctx.journal().set(acc.cumulative_withdrawn, fcm::safe_add(a.value, acc.cumulative_withdrawn));
    ctx.journal().set(acc.withdrawal_nonce, d.withdrawal_root_nonce);
    ctx.journal().set(withdrawal_limit_, fcm::safe_sub(withdrawal_limit_, a.value));

    ctx.emit(LogBuilder(address(), fcm::events().withdrawal)
                 .address(d.supplier)
                 .bytes32(a.partition)
                 .u256v(a.value)
                 .u256v(d.withdrawal_root_nonce)
                 .u256v(d.max_authorized_account_nonce)
                 .build());
}

// --- Fallback withdrawals -------------------------------------------------------------

FlexaCollateralManager::FallbackData FlexaCollateralManager::fallback_data(
    const Bytes32& partition, const u256& value, ByteView operator_data) const {
    const WithdrawalOperatorData d = decode_withdrawal_operator_data(operator_data);
    const u256 new_cumulative =
        fcm::safe_add(value, addressToCumulativeAmountWithdrawn(partition, d.supplier));
    const Bytes32 leaf = fallback_leaf(d.supplier, partition, d.number);
    return FallbackData{d.supplier, d.number, new_cumulative, merkle_root(d.proof, leaf)};
}

bool FlexaCollateralManager::fallback_valid(const CallContext& ctx, const Address& operator_,
                                            const FallbackData& d) const {
    return (operator_ == owner_ || operator_ == d.supplier) &&
           fallback_active_from() <= u256(ctx.block.timestamp) &&
           d.new_cumulative_withdrawal_amount <= d.max_cumulative_withdrawal_amount &&
           fallback_root_ == d.calculated_root;
}

void FlexaCollateralManager::execute_fallback_withdrawal(CallContext& ctx,
                                                         const TransferHookArgs& a) {
    const FallbackData d = fallback_data(a.partition, a.value, a.operator_data);
    require(fallback_valid(ctx, a.operator_, d), "Transfer unauthorized");

    WithdrawalAccount& acc = account_slot(ctx, a.partition, d.supplier);
    ctx.journal().set(acc.cumulative_withdrawn, d.new_cumulative_withdrawal_amount);
    ctx.journal().set(acc.withdrawal_nonce, max_withdrawal_root_nonce_);

    ctx.emit(LogBuilder(address(), fcm::events().fallback_withdrawal)
                 .address(d.supplier)
                 .bytes32(a.partition)
                 .u256v(a.value)
                 .build());
}

// --- Supply refunds -------------------------------------------------------------------

bool FlexaCollateralManager::refund_valid(const CallContext& ctx, const Bytes32& partition,
                                          const Address& operator_, const u256& value,
                                          const u256& supply_nonce, const Supply& supply) const {
    return !supply.amount.is_zero() && (operator_ == owner_ || operator_ == supply.supplier) &&
           partition == supply.partition && value == supply.amount &&
           fallback_active_from() <= u256(ctx.block.timestamp) &&
           supply_nonce > fallback_max_included_supply_nonce_;
}

void FlexaCollateralManager::execute_refund(CallContext& ctx, const TransferHookArgs& a) {
    const u256 nonce = decode_refund_operator_data(a.operator_data);
    const Supply supply = nonceToSupply(nonce);
    require(refund_valid(ctx, a.partition, a.operator_, a.value, nonce, supply),
            "Transfer unauthorized");

    // A valid refund names a recorded supply, so nonce indexes supplies_.
    ctx.journal().assign(supplies_, static_cast<size_t>(nonce.w[0] - 1), Supply{});

    ctx.emit(LogBuilder(address(), fcm::events().supply_refund)
                 .address(supply.supplier)
                 .bytes32(a.partition)
                 .u256v(supply.amount)
                 .u256v(nonce)
                 .build());
}

// --- Direct transfers --------------------------------------------------------------------

bool FlexaCollateralManager::direct_transfer_valid(const Address& operator_,
                                                   const u256& value) const {
    return (operator_ == owner_ || operator_ == direct_transferer_) && value <= withdrawal_limit_;
}

void FlexaCollateralManager::execute_direct_transfer(CallContext& ctx, const TransferHookArgs& a) {
    require(direct_transfer_valid(a.operator_, a.value), "Transfer unauthorized");
    ctx.journal().set(withdrawal_limit_, fcm::safe_sub(withdrawal_limit_, a.value));
    const Bytes32 to_partition = destination_partition(a.data, a.partition);

    ctx.emit(LogBuilder(address(), fcm::events().direct_transfer)
                 .address(a.operator_)
                 .bytes32(a.partition)
                 .address(a.to)
                 .bytes32(to_partition)
                 .u256v(a.value)
                 .build());
}

// --- Hooks -----------------------------------------------------------------------------------

bool FlexaCollateralManager::canReceive(const CallContext& ctx, const TransferHookArgs& a) const {
    if (ctx.sender != amp_ || a.to != address()) return false;
    return partitions(destination_partition(a.data, a.partition));
}

void FlexaCollateralManager::tokensReceived(CallContext& ctx, const TransferHookArgs& a) {
    require(ctx.sender == amp_, "Invalid sender");
    require(a.to == address(), "Invalid to address");
    const Bytes32 destination = destination_partition(a.data, a.partition);
    require(partitions(destination), "Invalid destination partition");

    const u256 nonce = fcm::safe_add(supply_nonce_, u256(1));
    ctx.journal().set(supply_nonce_, nonce);
    ctx.journal().push(supplies_, Supply{a.operator_, destination, a.value});

    ctx.emit(LogBuilder(address(), fcm::events().supply_receipt)
                 .address(a.operator_)
                 .bytes32(destination)
                 .u256v(a.value)
                 .u256v(nonce)
                 .build());
}

bool FlexaCollateralManager::canTransfer(const CallContext& ctx, const TransferHookArgs& a) const {
    if (ctx.sender != amp_ || a.from != address()) return false;
    switch (decode_flag(a.operator_data)) {
        case Flag::kWithdrawal:
            return withdrawal_valid(a.partition, a.operator_, a.value,
                                    withdrawal_data(a.partition, a.value, a.operator_data));
        case Flag::kFallbackWithdrawal:
            return fallback_valid(ctx, a.operator_,
                                  fallback_data(a.partition, a.value, a.operator_data));
        case Flag::kRefund: {
            const u256 nonce = decode_refund_operator_data(a.operator_data);
            return refund_valid(ctx, a.partition, a.operator_, a.value, nonce,
                                nonceToSupply(nonce));
        }
        case Flag::kDirectTransfer:
            return direct_transfer_valid(a.operator_, a.value);
        case Flag::kNone:
            break;
    }
    return false;
}

void FlexaCollateralManager::tokensToTransfer(CallContext& ctx, const TransferHookArgs& a) {
    require(ctx.sender == amp_, "Invalid sender");
    require(a.from == address(), "Invalid from address");
    switch (decode_flag(a.operator_data)) {
        case Flag::kWithdrawal:
            execute_withdrawal(ctx, a);
            return;
        case Flag::kFallbackWithdrawal:
            execute_fallback_withdrawal(ctx, a);
            return;
        case Flag::kRefund:
            execute_refund(ctx, a);
            return;
        case Flag::kDirectTransfer:
            execute_direct_transfer(ctx, a);
            return;
        case Flag::kNone:
            break;
    }
    state::revert("invalid flag");
}

}  // namespace ampd::contracts
