// Amp partition strategy validators: the contracts Amp consults, through
// the ERC-1820 interface "AmpPartitionStrategyValidator" + prefix, for
// partitions whose first four bytes are a registered strategy prefix.
//
// A strategy partition is laid out as prefix (4 bytes) ‖ sub-partition
// (8 bytes) ‖ partition owner (20 bytes, an address).
//
//   CollateralPoolPartitionValidator (0xcccccccc): tokens of the partition
//     sit at the owner's address, which must be a registered collateral
//     manager; the owner may move them as operator.
//   HolderCollateralPartitionValidator (0xaaaaaaaa): tokens stay at the
//     holder's address while the owner (a registered collateral manager) and
//     its operators control them; the owner's AmpTokensSender hook may veto
//     transfers out of the partition.
//
// Behaviour (return values, revert strings including the original
// misspelling, state) matches the amp-token-contracts validators compiled
// with solc 0.6.10 (ABI decoder v1). They emit no events.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "ampd/contracts/interfaces.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/state/contract.hpp"
#include "ampd/state/log.hpp"

namespace ampd::contracts {

// What the two validators share: the public state (partitionPrefix, amp),
// the ERC-1820 implementer answering for the validator interface of its
// prefix, the ABI surface and no-op defaults for the hooks.
class PartitionStrategyValidatorBase : public state::Contract,
                                       public IAmpPartitionStrategyValidator,
                                       public IERC1820Implementer {
public:
    // Parts of a strategy partition.
    [[nodiscard]] static Bytes4 partition_prefix_of(const Bytes32& partition);
    [[nodiscard]] static Address partition_owner_of(const Bytes32& partition);
    // ERC-1820 interface name "AmpPartitionStrategyValidator" followed by the
    // four raw prefix bytes, and its hash.
    [[nodiscard]] static Bytes validator_interface_name(const Bytes4& prefix);
    [[nodiscard]] static Bytes32 validator_interface_hash(const Bytes4& prefix);

    // The validators emit no events.
    static const std::vector<const state::EventDescriptor*>& events();

    Bytes dispatch(state::CallContext& ctx, ByteView calldata) override;
    // The only state is `amp` (the prefix is fixed by the type and the
    // accepted interface hash follows from it).
    void save(state::SnapshotWriter& w) const override;

    [[nodiscard]] const Bytes4& partitionPrefix() const { return prefix_; }
    [[nodiscard]] const Address& amp() const { return amp_; }

    // ERC1820_ACCEPT_MAGIC for the validator interface of the prefix (for
    // any address), zero for every other hash.
    Bytes32 canImplementInterfaceForAddress(state::CallContext& ctx, const Bytes32& interface_hash,
                                            const Address& addr) override;

    // Defaults: accept every transfer, grant no operator rights.
    void tokensFromPartitionToValidate(state::CallContext& ctx, const TransferHookArgs& a) override;
    void tokensToPartitionToValidate(state::CallContext& ctx, const TransferHookArgs& a) override;
    bool isOperatorForPartitionScope(state::CallContext& ctx, const Bytes32& partition,
                                     const Address& operator_,
                                     const Address& token_holder) override;

protected:
    PartitionStrategyValidatorBase(const Address& self, const Bytes4& prefix, const Address& amp);

    // The constructor argument `address amp`; short data reverts without data.
    static Address decode_amp_arg(ByteView ctor_args);

    // Typed calls to Amp and the registry from this contract's frame.
    [[nodiscard]] bool amp_is_collateral_manager(const state::CallContext& ctx,
                                                 const Address& manager) const;
    [[nodiscard]] bool amp_is_operator_for_collateral_manager(const state::CallContext& ctx,
                                                              const Bytes32& partition,
                                                              const Address& operator_,
                                                              const Address& manager) const;

private:
    Bytes4 prefix_;
    Address amp_;
    Bytes32 interface_hash_;  // the one hash the ERC-1820 implementer accepts
};

class CollateralPoolPartitionValidator final : public PartitionStrategyValidatorBase {
public:
    static constexpr uint32_t kPrefix = 0xccccccccU;
    static Bytes4 prefix();

    // constructor(address amp)
    static std::unique_ptr<state::Contract> create(state::CallContext& ctx, ByteView ctor_args);
    // Rebuilds an instance from what save() wrote.
    static std::unique_ptr<state::Contract> load(const Address& self, state::SnapshotReader& r);

    [[nodiscard]] std::string_view type_name() const override {
        return "CollateralPoolPartitionValidator";
    }

    // The destination must be the partition owner, a registered collateral
    // manager.
    void tokensToPartitionToValidate(state::CallContext& ctx, const TransferHookArgs& a) override;
    // True when the holder is the partition owner and a registered
    // collateral manager (whoever the operator is).
    bool isOperatorForPartitionScope(state::CallContext& ctx, const Bytes32& partition,
                                     const Address& operator_,
                                     const Address& token_holder) override;

private:
    CollateralPoolPartitionValidator(const Address& self, const Address& amp);
};

class HolderCollateralPartitionValidator final : public PartitionStrategyValidatorBase {
public:
    static constexpr uint32_t kPrefix = 0xaaaaaaaaU;
    static Bytes4 prefix();

    // constructor(address amp)
    static std::unique_ptr<state::Contract> create(state::CallContext& ctx, ByteView ctor_args);
    // Rebuilds an instance from what save() wrote.
    static std::unique_ptr<state::Contract> load(const Address& self, state::SnapshotReader& r);

    [[nodiscard]] std::string_view type_name() const override {
        return "HolderCollateralPartitionValidator";
    }

    // Lets the partition owner's operators through; otherwise runs the
    // owner's AmpTokensSender hook, if it has one.
    void tokensFromPartitionToValidate(state::CallContext& ctx, const TransferHookArgs& a) override;
    // The partition owner must be a registered collateral manager and must
    // not be the destination.
    void tokensToPartitionToValidate(state::CallContext& ctx, const TransferHookArgs& a) override;
    // True for the partition owner and its operators (for the partition).
    bool isOperatorForPartitionScope(state::CallContext& ctx, const Bytes32& partition,
                                     const Address& operator_,
                                     const Address& token_holder) override;

private:
    HolderCollateralPartitionValidator(const Address& self, const Address& amp);
};

}  // namespace ampd::contracts
