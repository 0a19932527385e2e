// FlexaCollateralManager: the Amp collateral manager of the Flexa network
// (flexa/collateral-manager), reimplemented natively.
//
// Suppliers move Amp into one of the manager's permitted partitions
// (prefix 0xcccccccc, owner part = the manager's address); every receipt is
// recorded under an increasing supply nonce. Tokens leave the manager only
// through Amp transfers whose operator data starts with a flag word that
// selects how the transfer is authorized:
//   0xaa..aa  withdrawal: a Merkle proof against an active withdrawal root
//   0xbb..bb  fallback withdrawal: a Merkle proof against the fallback root,
//             once the fallback delay has passed since it was published
//   0xcc..cc  refund of a supply not yet covered by the fallback root
//   0xdd..dd  direct transfer by the owner or the direct transferer
// Withdrawals and direct transfers draw down a global withdrawal limit.
//
// Behaviour (return values, revert strings, events and their order, state)
// matches the deployed contract compiled with solc 0.6.10 without
// ABIEncoderV2, so arguments are decoded with the v1 rules (narrow values
// masked, short or out-of-bounds data reverts without data).
#pragma once

#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ampd/contracts/interfaces.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"
#include "ampd/state/contract.hpp"
#include "ampd/state/log.hpp"

namespace ampd::contracts {

class FlexaCollateralManager final : public state::Contract,
                                     public IAmpTokensSender,
                                     public IAmpTokensRecipient {
public:
    // A recorded token receipt (the `nonceToSupply` record).
    struct Supply {
        Address supplier;
        Bytes32 partition;
        u256 amount;
        friend bool operator==(const Supply&, const Supply&) = default;
    };

    // Required first four bytes of every permitted partition.
    static constexpr uint32_t kPartitionPrefix = 0xccccccccU;
    // Byte repeated 32 times in the operator-data flag word of each kind of
    // outgoing transfer.
    static constexpr uint8_t kWithdrawalFlagByte = 0xaa;
    static constexpr uint8_t kFallbackWithdrawalFlagByte = 0xbb;
    static constexpr uint8_t kRefundFlagByte = 0xcc;
    static constexpr uint8_t kDirectTransferFlagByte = 0xdd;
    // Initial values of the tunables.
    static u256 initial_withdrawal_limit();  // 100,000 Amp (10^23 base units)
    static constexpr uint64_t kInitialFallbackDelaySeconds = 7ULL * 24 * 3600;
    static u256 initial_fallback_set_date();  // 2^200: "never"
    // setFallbackWithdrawalDelay accepts values strictly below ten years.
    static constexpr uint64_t kMaxFallbackDelaySeconds = 10ULL * 365 * 24 * 3600;

    // Runs the constructor `constructor(address amp)` in frame `ctx`
    // (ctx.self = the new address, ctx.sender = the deployer, who becomes the
    // owner): registers the manager as its own AmpTokensRecipient and
    // AmpTokensSender in the ERC-1820 registry, then calls
    // amp.registerCollateralManager().
    static std::unique_ptr<state::Contract> create(state::CallContext& ctx, ByteView ctor_args);

    // Every event the contract can emit, in declaration order.
    static const std::vector<const state::EventDescriptor*>& events();

    [[nodiscard]] std::string_view type_name() const override { return "FlexaCollateralManager"; }
    Bytes dispatch(state::CallContext& ctx, ByteView calldata) override;
    // Snapshots: save() writes the state, load() rebuilds an instance at
    // `self` from it (see builtin.hpp, load_world).
    void save(state::SnapshotWriter& w) const override;
    static std::unique_ptr<state::Contract> load(const Address& self, state::SnapshotReader& r);

    // --- Amp transfer hooks (msg.sender must be the Amp contract).
    void tokensReceived(state::CallContext& ctx, const TransferHookArgs& a) override;
    void tokensToTransfer(state::CallContext& ctx, const TransferHookArgs& a) override;
    [[nodiscard]] bool canReceive(const state::CallContext& ctx, const TransferHookArgs& a) const;
    [[nodiscard]] bool canTransfer(const state::CallContext& ctx, const TransferHookArgs& a) const;

    // --- External functions; msg.sender is ctx.sender.
    void requestRelease(state::CallContext& ctx, const Bytes32& partition, const u256& amount,
                        ByteView data);
    void addPartition(state::CallContext& ctx, const Bytes32& partition);
    void removePartition(state::CallContext& ctx, const Bytes32& partition);
    // `amount` is an int256 in two's complement.
    void modifyWithdrawalLimit(state::CallContext& ctx, const u256& amount);
    void addWithdrawalRoot(state::CallContext& ctx, const Bytes32& root, const u256& nonce,
                           const std::vector<Bytes32>& replaced_roots);
    void removeWithdrawalRoots(state::CallContext& ctx, const std::vector<Bytes32>& roots);
    void setFallbackRoot(state::CallContext& ctx, const Bytes32& root,
                         const u256& max_supply_nonce);
    void resetFallbackMechanismDate(state::CallContext& ctx);
    void setFallbackWithdrawalDelay(state::CallContext& ctx, const u256& seconds);
    void setWithdrawalPublisher(state::CallContext& ctx, const Address& a);
    void setFallbackPublisher(state::CallContext& ctx, const Address& a);
    void setWithdrawalLimitPublisher(state::CallContext& ctx, const Address& a);
    void setDirectTransferer(state::CallContext& ctx, const Address& a);
    void setPartitionManager(state::CallContext& ctx, const Address& a);
    void authorizeOwnershipTransfer(state::CallContext& ctx, const Address& a);
    void assumeOwnership(state::CallContext& ctx);

    // --- Public state (getters).
    [[nodiscard]] const Address& amp() const { return amp_; }
    [[nodiscard]] const Address& owner() const { return owner_; }
    [[nodiscard]] const Address& authorizedNewOwner() const { return authorized_new_owner_; }
    [[nodiscard]] const Address& withdrawalPublisher() const { return withdrawal_publisher_; }
    [[nodiscard]] const Address& fallbackPublisher() const { return fallback_publisher_; }
    [[nodiscard]] const Address& withdrawalLimitPublisher() const {
        return withdrawal_limit_publisher_;
    }
    [[nodiscard]] const Address& directTransferer() const { return direct_transferer_; }
    [[nodiscard]] const Address& partitionManager() const { return partition_manager_; }
    [[nodiscard]] bool partitions(const Bytes32& partition) const;
    // Every permitted partition, sorted (the contract itself cannot
    // enumerate them; the node lists them for clients).
    [[nodiscard]] std::vector<Bytes32> permitted_partitions() const;
    [[nodiscard]] const u256& supplyNonce() const { return supply_nonce_; }
    [[nodiscard]] Supply nonceToSupply(const u256& nonce) const;
    // Every supply record: element n - 1 is nonceToSupply(n) (a refunded
    // supply reads as zero). Read-only, for the Clearinghouse's stakes.
    [[nodiscard]] const std::vector<Supply>& supply_records() const { return supplies_; }
    // When the fallback mechanism becomes active: fallbackSetDate +
    // fallbackWithdrawalDelaySeconds (reverts on overflow, as the manager does).
    [[nodiscard]] u256 fallback_active_from() const;
    [[nodiscard]] const u256& withdrawalLimit() const { return withdrawal_limit_; }
    [[nodiscard]] const u256& maxWithdrawalRootNonce() const { return max_withdrawal_root_nonce_; }
    [[nodiscard]] u256 withdrawalRootToNonce(const Bytes32& root) const;
    [[nodiscard]] u256 addressToWithdrawalNonce(const Bytes32& partition,
                                                const Address& supplier) const;
    [[nodiscard]] u256 addressToCumulativeAmountWithdrawn(const Bytes32& partition,
                                                          const Address& supplier) const;
    [[nodiscard]] const u256& fallbackWithdrawalDelaySeconds() const { return fallback_delay_; }
    [[nodiscard]] const Bytes32& fallbackRoot() const { return fallback_root_; }
    [[nodiscard]] const u256& fallbackSetDate() const { return fallback_set_date_; }
    [[nodiscard]] const u256& fallbackMaxIncludedSupplyNonce() const {
        return fallback_max_included_supply_nonce_;
    }

    // --- Merkle tree rules the contract verifies against (for tree builders).
    // Leaf of a withdrawal authorization: keccak256(supplier ‖ partition ‖
    // value ‖ maxAuthorizedAccountNonce), packed (20 + 32 + 32 + 32 bytes).
    static Bytes32 withdrawal_leaf(const Address& supplier, const Bytes32& partition,
                                   const u256& value, const u256& max_authorized_account_nonce);
    // Leaf of a fallback authorization: keccak256(supplier ‖ partition ‖
    // maxCumulativeWithdrawalAmount), packed (20 + 32 + 32 bytes).
    static Bytes32 fallback_leaf(const Address& supplier, const Bytes32& partition,
                                 const u256& max_cumulative_withdrawal_amount);
    // Parent of two nodes: keccak256 of the smaller followed by the larger.
    static Bytes32 merkle_parent(const Bytes32& a, const Bytes32& b);
    // Root reached from `leaf` by folding in each proof element in order.
    static Bytes32 merkle_root(const std::vector<Bytes32>& proof, const Bytes32& leaf);

private:
    FlexaCollateralManager(const Address& self, const Address& amp, const Address& owner);

    // Key of the per-(partition, supplier) withdrawal account.
    struct AccountKey {
        Bytes32 partition;
        Address supplier;
        friend bool operator==(const AccountKey&, const AccountKey&) = default;
    };
    struct AccountKeyHash {
        size_t operator()(const AccountKey& k) const noexcept {
            return Bytes32Hash{}(k.partition) ^ (AddressHash{}(k.supplier) * 31U);
        }
    };
    struct WithdrawalAccount {
        u256 withdrawal_nonce;      // addressToWithdrawalNonce
        u256 cumulative_withdrawn;  // addressToCumulativeAmountWithdrawn
    };
    // Decoded withdrawal / fallback withdrawal authorization.
    struct WithdrawalData {
        Address supplier;
        u256 max_authorized_account_nonce;
        u256 withdrawal_root_nonce;
    };
    struct FallbackData {
        Address supplier;
        u256 max_cumulative_withdrawal_amount;
        u256 new_cumulative_withdrawal_amount;
        Bytes32 calculated_root;
    };

    [[nodiscard]] bool is_owner_or(const Address& sender, const Address& role) const {
        return sender == owner_ || sender == role;
    }
    [[nodiscard]] const WithdrawalAccount* account(const Bytes32& partition,
                                                   const Address& supplier) const;
    WithdrawalAccount& account_slot(state::CallContext& ctx, const Bytes32& partition,
                                    const Address& supplier);
    void set_role(state::CallContext& ctx, Address& role, const Address& value,
                  const state::EventDescriptor& event);
    void delete_withdrawal_root(state::CallContext& ctx, const Bytes32& root);

    // Withdrawal paths (shared by the can* views and the hooks).
    [[nodiscard]] WithdrawalData withdrawal_data(const Bytes32& partition, const u256& value,
                                                 ByteView operator_data) const;
    [[nodiscard]] bool withdrawal_valid(const Bytes32& partition, const Address& operator_,
                                        const u256& value, const WithdrawalData& d) const;
    [[nodiscard]] FallbackData fallback_data(const Bytes32& partition, const u256& value,
                                             ByteView operator_data) const;
    [[nodiscard]] bool fallback_valid(const state::CallContext& ctx, const Address& operator_,
                                      const FallbackData& d) const;
    [[nodiscard]] bool refund_valid(const state::CallContext& ctx, const Bytes32& partition,
                                    const Address& operator_, const u256& value,
                                    const u256& supply_nonce, const Supply& supply) const;
    [[nodiscard]] bool direct_transfer_valid(const Address& operator_, const u256& value) const;

    void execute_withdrawal(state::CallContext& ctx, const TransferHookArgs& a);
    void execute_fallback_withdrawal(state::CallContext& ctx, const TransferHookArgs& a);
    void execute_refund(state::CallContext& ctx, const TransferHookArgs& a);
    void execute_direct_transfer(state::CallContext& ctx, const TransferHookArgs& a);

    Address amp_;
    Address owner_;
    Address authorized_new_owner_;
    Address withdrawal_publisher_;
    Address fallback_publisher_;
    Address withdrawal_limit_publisher_;
    Address direct_transferer_;
    Address partition_manager_;

    u256 supply_nonce_;
    std::vector<Supply> supplies_;  // supplies_[n - 1] is the supply of nonce n

    u256 withdrawal_limit_;
    u256 max_withdrawal_root_nonce_;

    u256 fallback_delay_;
    Bytes32 fallback_root_;
    u256 fallback_set_date_;
    u256 fallback_max_included_supply_nonce_;

    // Node-based maps: value addresses are stable, so the journal undoes
    // writes through pointers; keys inserted by a transaction are erased
    // again if it reverts. Never iterated.
    std::unordered_map<Bytes32, bool, Bytes32Hash> partitions_;
    std::unordered_map<Bytes32, u256, Bytes32Hash> withdrawal_root_nonce_;
    std::unordered_map<AccountKey, WithdrawalAccount, AccountKeyHash> accounts_;
};

}  // namespace ampd::contracts
