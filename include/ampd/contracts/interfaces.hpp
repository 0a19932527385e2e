// The external interfaces through which built-in contracts call each other.
//
// A cross-contract call is a typed C++ virtual call in a new CallContext
// (CallContext::call_to), so msg.sender becomes the calling contract exactly
// as in an EVM external call, without ABI-encoding arguments on the hot
// path. The callee is found by address with World::require_contract<I>(),
// which reverts without data when the address has no code or the contract
// lacks the interface (as Solidity's extcodesize check / missing function
// would). A Revert thrown by the callee propagates to the caller, as revert
// data bubbles up in Solidity.
#pragma once

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"
#include "ampd/state/contract.hpp"

namespace ampd::contracts {

using state::CallContext;

// Arguments shared by every Amp transfer hook (sender, recipient and the
// partition strategy validators).
struct TransferHookArgs {
    Bytes4 function_sig;  // msg.sig of the Amp function that moved the tokens
    Bytes32 partition;    // from-partition for "from" hooks, to-partition for "to" hooks
    Address operator_;
    Address from;
    Address to;
    u256 value;
    ByteView data;
    ByteView operator_data;
};

// ERC1820 interface "AmpTokensSender".
class IAmpTokensSender {
public:
    virtual ~IAmpTokensSender() = default;
    virtual void tokensToTransfer(CallContext& ctx, const TransferHookArgs& a) = 0;
};

// ERC1820 interface "AmpTokensRecipient".
class IAmpTokensRecipient {
public:
    virtual ~IAmpTokensRecipient() = default;
    virtual void tokensReceived(CallContext& ctx, const TransferHookArgs& a) = 0;
};

// The validator registered for a partition-strategy prefix
// ("AmpPartitionStrategyValidator" + prefix).
class IAmpPartitionStrategyValidator {
public:
    virtual ~IAmpPartitionStrategyValidator() = default;
    virtual void tokensFromPartitionToValidate(CallContext& ctx, const TransferHookArgs& a) = 0;
    virtual void tokensToPartitionToValidate(CallContext& ctx, const TransferHookArgs& a) = 0;
    virtual bool isOperatorForPartitionScope(CallContext& ctx, const Bytes32& partition,
                                             const Address& operator_,
                                             const Address& token_holder) = 0;
};

// ERC1820ImplementerInterface.
class IERC1820Implementer {
public:
    virtual ~IERC1820Implementer() = default;
    virtual Bytes32 canImplementInterfaceForAddress(CallContext& ctx, const Bytes32& interface_hash,
                                                    const Address& addr) = 0;
};

// The ERC-1820 registry, at its canonical address.
class IERC1820Registry {
public:
    virtual ~IERC1820Registry() = default;
    virtual Address getInterfaceImplementer(CallContext& ctx, const Address& addr,
                                            const Bytes32& interface_hash) = 0;
    virtual void setInterfaceImplementer(CallContext& ctx, const Address& addr,
                                         const Bytes32& interface_hash,
                                         const Address& implementer) = 0;
    virtual Address getManager(CallContext& ctx, const Address& addr) = 0;
};

// The swap token's ERC-20 surface that Amp.swap uses.
class ISwapToken {
public:
    virtual ~ISwapToken() = default;
    virtual u256 allowance(CallContext& ctx, const Address& owner, const Address& spender) = 0;
    virtual bool transferFrom(CallContext& ctx, const Address& from, const Address& to,
                              const u256& value) = 0;
};

// Told of every FlexaCollateralManager.requestRelease by the manager whose
// withdrawal publisher it is (the Clearinghouse builds withdrawal trees
// from these requests). Not part of the deployed manager: a manager calls it
// only when its withdrawal publisher is a built-in contract implementing it,
// which an externally owned account never is, so the manager's own
// behaviour (state, events, return values) is unchanged. Must not revert.
class IReleaseRequestObserver {
public:
    virtual ~IReleaseRequestObserver() = default;
    // msg.sender (ctx.sender) is the manager; `supplier` asked for `amount`
    // of its stake in `partition`.
    virtual void releaseRequested(CallContext& ctx, const Address& supplier,
                                  const Bytes32& partition, const u256& amount) = 0;
};

// The part of Amp that other built-in contracts call.
class IAmp {
public:
    virtual ~IAmp() = default;
    virtual void registerCollateralManager(CallContext& ctx) = 0;
    virtual bool isCollateralManager(CallContext& ctx, const Address& manager) = 0;
    virtual u256 balanceOfByPartition(CallContext& ctx, const Bytes32& partition,
                                      const Address& holder) = 0;
    virtual bool isOperator(CallContext& ctx, const Address& operator_, const Address& holder) = 0;
    virtual bool isOperatorForPartition(CallContext& ctx, const Bytes32& partition,
                                        const Address& operator_, const Address& holder) = 0;
    // True when `collateral_manager` is a registered collateral manager and
    // `operator_` is its operator, globally or for `partition` (no partition
    // strategy hooks run). Used by HolderCollateralPartitionValidator.
    virtual bool isOperatorForCollateralManager(CallContext& ctx, const Bytes32& partition,
                                                const Address& operator_,
                                                const Address& collateral_manager) = 0;
    virtual Bytes32 transferByPartition(CallContext& ctx, const Bytes32& partition,
                                        const Address& from, const Address& to, const u256& value,
                                        ByteView data, ByteView operator_data) = 0;
};

}  // namespace ampd::contracts
