// Amp: the collateral token (amptoken/amp-token-contracts, Amp.sol with its
// Ownable, ERC1820Client and ERC1820Implementer bases), reimplemented
// natively.
//
// An ERC-20 whose balances are split into 32-byte partitions. ERC-20 calls
// move only the default (zero) partition; transferByPartition moves any
// partition, optionally into another one (the change-partition flag in
// `data`). Holders may name operators (globally or per partition) and
// partition allowances. Partitions whose 4-byte prefix is a registered
// partition strategy are validated by the strategy's validator, found
// through the ERC-1820 registry; holders' AmpTokensSender /
// AmpTokensRecipient hooks are found there too. Amp is minted only by
// swapping the swap token, which is sent to the graveyard address.
//
// Behaviour (return values, revert strings, events and their order, state
// including the order of the partition lists) matches the contract compiled
// with solc 0.6.10 (ABI decoder v1: narrow values masked; short calldata and
// unknown selectors revert without data; an out-of-range index into a
// public array is an invalid opcode).
//
// Storage is laid out for the ERC-20 hot path: one open-addressing record
// per account holds the total and default-partition balances and the
// default partition's list index, so a default-partition transfer touches
// two records, two registry lookups and no heap. Everything else (other
// partitions, list entries, operators, allowances) lives in side tables
// keyed by value. Every write is journaled by key.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/contracts/interfaces.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"
#include "ampd/state/contract.hpp"
#include "ampd/state/flat_map.hpp"
#include "ampd/state/log.hpp"

namespace ampd::contracts {

namespace amp_detail {

inline uint64_t load_u64(const uint8_t* p) {
    uint64_t x = 0;
    std::memcpy(&x, p, 8);
    return x;
}
inline uint32_t load_u32(const uint8_t* p) {
    uint32_t x = 0;
    std::memcpy(&x, p, 4);
    return x;
}
// Multiply-fold finalizer: the low bits (FlatMap indexes by them) depend on
// every input bit. (Kept this short on purpose: GCC 12 drops a
// __builtin_prefetch whose address needs a longer xorshift-multiply chain,
// which would disable FlatMap::prefetch.)
inline size_t mix(uint64_t x) {
    const unsigned __int128 r = static_cast<unsigned __int128>(x) * 0x9E3779B97F4A7C15ULL;
    return static_cast<size_t>(static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64));
}
// All 20 bytes: real addresses are uniform, synthetic ones (tests,
// benchmarks) differ only in their first or last bytes.
inline uint64_t address_bits(const Address& a) {
    return (load_u64(a.data()) * 0x9E3779B97F4A7C15ULL) ^ load_u64(a.data() + 8) ^
           (uint64_t{load_u32(a.data() + 16)} << 32 | load_u32(a.data() + 16));
}
inline uint64_t bytes32_bits(const Bytes32& b) {
    return (load_u64(b.data()) * 0xC2B2AE3D27D4EB4FULL) ^ load_u64(b.data() + 8) ^
           (load_u64(b.data() + 16) * 0x165667B19E3779F9ULL) ^ load_u64(b.data() + 24);
}

// Word-wise zero tests (FixedBytes::is_zero walks byte by byte).
inline bool is_zero(const Bytes32& b) {
    return (load_u64(b.data()) | load_u64(b.data() + 8) | load_u64(b.data() + 16) |
            load_u64(b.data() + 24)) == 0;
}
inline bool is_zero(const Bytes4& b) {
    return load_u32(b.data()) == 0;
}
inline bool is_zero(const Address& a) {
    return (load_u64(a.data()) | load_u64(a.data() + 8) | load_u32(a.data() + 16)) == 0;
}

// Word-wise equality (the defaulted FixedBytes == calls memcmp).
inline bool same(const Address& a, const Address& b) {
    return ((load_u64(a.data()) ^ load_u64(b.data())) |
            (load_u64(a.data() + 8) ^ load_u64(b.data() + 8)) |
            (load_u32(a.data() + 16) ^ load_u32(b.data() + 16))) == 0;
}
inline bool same(const Bytes32& a, const Bytes32& b) {
    return ((load_u64(a.data()) ^ load_u64(b.data())) |
            (load_u64(a.data() + 8) ^ load_u64(b.data() + 8)) |
            (load_u64(a.data() + 16) ^ load_u64(b.data() + 16)) |
            (load_u64(a.data() + 24) ^ load_u64(b.data() + 24))) == 0;
}

struct AddressKeyHash {
    size_t operator()(const Address& a) const noexcept { return mix(address_bits(a)); }
};

// An address as the key of the account table: compared as integers (an
// Address compares through memcmp), same size and alignment slack as an
// Address so a table slot stays 96 bytes.
struct AccountKey {
    uint32_t w[5] = {0, 0, 0, 0, 0};

    static AccountKey of(const Address& a) {
        AccountKey k;
        std::memcpy(k.w, a.data(), 20);
        return k;
    }
    [[nodiscard]] Address address() const {
        Address a;
        std::memcpy(a.data(), w, 20);
        return a;
    }
    friend bool operator==(const AccountKey& x, const AccountKey& y) {
        uint64_t x0 = 0;
        uint64_t x1 = 0;
        uint64_t y0 = 0;
        uint64_t y1 = 0;
        std::memcpy(&x0, x.w, 8);
        std::memcpy(&x1, x.w + 2, 8);
        std::memcpy(&y0, y.w, 8);
        std::memcpy(&y1, y.w + 2, 8);
        return ((x0 ^ y0) | (x1 ^ y1) | uint64_t{x.w[4] ^ y.w[4]}) == 0;
    }
};
struct AccountKeyHash {
    size_t operator()(const AccountKey& k) const noexcept {
        uint64_t a = 0;
        uint64_t b = 0;
        std::memcpy(&a, k.w, 8);
        std::memcpy(&b, k.w + 2, 8);
        return mix((a * 0x9E3779B97F4A7C15ULL) ^ b ^ (uint64_t{k.w[4]} << 32 | k.w[4]));
    }
};
struct Bytes32KeyHash {
    size_t operator()(const Bytes32& b) const noexcept { return mix(bytes32_bits(b)); }
};
struct Bytes4KeyHash {
    size_t operator()(const Bytes4& b) const noexcept { return mix(load_u32(b.data())); }
};

// (holder, partition): non-default partition balances.
struct HolderPartitionKey {
    Address holder;
    Bytes32 partition;
    friend bool operator==(const HolderPartitionKey&, const HolderPartitionKey&) = default;
};
struct HolderPartitionKeyHash {
    size_t operator()(const HolderPartitionKey& k) const noexcept {
        return mix(address_bits(k.holder) * 0x94D049BB133111EBULL ^ bytes32_bits(k.partition));
    }
};

// (holder, position): entries of a holder's partition list.
struct HolderSlotKey {
    Address holder;
    uint32_t position = 0;
    friend bool operator==(const HolderSlotKey&, const HolderSlotKey&) = default;
};
struct HolderSlotKeyHash {
    size_t operator()(const HolderSlotKey& k) const noexcept {
        return mix(address_bits(k.holder) ^ (uint64_t{k.position} * 0xD6E8FEB86659FD93ULL));
    }
};

// (first, second): operators (holder, operator) and default-partition
// allowances (owner, spender).
struct AddressPairKey {
    Address first;
    Address second;
    friend bool operator==(const AddressPairKey&, const AddressPairKey&) = default;
};
struct AddressPairKeyHash {
    size_t operator()(const AddressPairKey& k) const noexcept {
        return mix(address_bits(k.first) * 0x94D049BB133111EBULL ^ address_bits(k.second));
    }
};

// (partition, first, second): partition allowances (owner, spender) and
// partition operators (holder, operator).
struct PartitionPairKey {
    Bytes32 partition;
    Address first;
    Address second;
    friend bool operator==(const PartitionPairKey&, const PartitionPairKey&) = default;
};
struct PartitionPairKeyHash {
    size_t operator()(const PartitionPairKey& k) const noexcept {
        return mix(bytes32_bits(k.partition) ^ address_bits(k.first) * 0x94D049BB133111EBULL ^
                   address_bits(k.second) * 0xBF58476D1CE4E5B9ULL);
    }
};

// Per account: _balances, the default partition's balance and list index,
// and the length of _partitionsOf. A record equal to AccountRecord{} is an
// account Solidity storage would show as empty.
struct AccountRecord {
    u256 balance;                  // across all partitions
    u256 default_balance;          // _balanceOfByPartition[holder][0]
    uint32_t default_index = 0;    // _indexOfPartitionsOf[holder][0] (1-based, 0 = absent)
    uint32_t partition_count = 0;  // _partitionsOf[holder].length
    friend bool operator==(const AccountRecord&, const AccountRecord&) = default;
};

// A holder's balance in a non-default partition and its 1-based index in
// the holder's partition list.
struct PartitionBalance {
    u256 balance;
    uint64_t index = 0;
    friend bool operator==(const PartitionBalance&, const PartitionBalance&) = default;
};

// totalSupplyByPartition and the 1-based index in _totalPartitions of a
// non-default partition.
struct PartitionSupply {
    u256 supply;
    uint64_t index = 0;
    friend bool operator==(const PartitionSupply&, const PartitionSupply&) = default;
};

}  // namespace amp_detail

class Amp final : public state::Contract, public IAmp, public IERC1820Implementer {
public:
    static constexpr uint8_t kDecimals = 18;
    static constexpr uint64_t kGranularity = 1;

    // Revert reasons (ErrorCodes.sol and the Ownable messages).
    static constexpr std::string_view kErrInsufficientBalance = "52";
    static constexpr std::string_view kErrInsufficientAllowance = "53";
    static constexpr std::string_view kErrInvalidSender = "56";
    static constexpr std::string_view kErrInvalidReceiver = "57";
    static constexpr std::string_view kErrInvalidOperator = "58";
    static constexpr std::string_view kErrInvalidSwapTokenAddress = "5A";
    static constexpr std::string_view kErrAddressConflict = "5C";
    static constexpr std::string_view kErrPartitionReserved = "5D";
    static constexpr std::string_view kErrPartitionPrefixConflict = "5E";
    static constexpr std::string_view kErrInvalidPartitionPrefix0 = "5F";
    static constexpr std::string_view kErrSwapTransferFailure = "60";
    static constexpr std::string_view kErrOwnableInvalidSender = "Invalid sender";

    // 0x000000000000000000000000000000000000dEaD: where swapped tokens go.
    static const Address& swap_token_graveyard();
    // The default partition (all zero).
    static constexpr Bytes32 default_partition() { return Bytes32{}; }
    // ERC-1820 interface hashes Amp uses.
    static const Bytes32& amp_token_interface_hash();         // "AmpToken"
    static const Bytes32& erc20_token_interface_hash();       // "ERC20Token"
    static const Bytes32& tokens_sender_interface_hash();     // "AmpTokensSender"
    static const Bytes32& tokens_recipient_interface_hash();  // "AmpTokensRecipient"
    // "AmpPartitionStrategyValidator" followed by the four prefix bytes.
    static std::string partition_strategy_validator_name(const Bytes4& prefix);

    // constructor(address swapToken, string name, string symbol), run in
    // frame `ctx` (ctx.self is the new address, ctx.sender the deployer and
    // owner). Registers Amp with the ERC-1820 registry as its own
    // "AmpToken" and "ERC20Token" implementer (two InterfaceImplementerSet
    // logs). Reverts "5A" for a zero swap token.
    static std::unique_ptr<state::Contract> create(state::CallContext& ctx, ByteView ctor_args);

    // --- Events (exact Solidity names, types and indexed flags).
    static const state::EventDescriptor& transfer_event();
    static const state::EventDescriptor& approval_event();
    static const state::EventDescriptor& transfer_by_partition_event();
    static const state::EventDescriptor& changed_partition_event();
    static const state::EventDescriptor& approval_by_partition_event();
    static const state::EventDescriptor& authorized_operator_event();
    static const state::EventDescriptor& revoked_operator_event();
    static const state::EventDescriptor& authorized_operator_by_partition_event();
    static const state::EventDescriptor& revoked_operator_by_partition_event();
    static const state::EventDescriptor& collateral_manager_registered_event();
    static const state::EventDescriptor& partition_strategy_set_event();
    static const state::EventDescriptor& minted_event();
    static const state::EventDescriptor& swap_event();
    static const state::EventDescriptor& ownership_transfer_authorization_event();
    static const state::EventDescriptor& owner_update_event();
    // Every event the contract can emit.
    static const std::vector<const state::EventDescriptor*>& events();

    [[nodiscard]] std::string_view type_name() const override { return "Amp"; }
    Bytes dispatch(state::CallContext& ctx, ByteView calldata) override;
    // Snapshots: save() writes the state, load() rebuilds an instance at
    // `self` from it (see builtin.hpp, load_world).
    void save(state::SnapshotWriter& w) const override;
    static std::unique_ptr<state::Contract> load(const Address& self, state::SnapshotReader& r);

    // ========================================================================
    // External functions. msg.sender is ctx.sender; hooks receive ctx.sig.
    // ========================================================================

    // --- ERC-20 (default partition only; balanceOf counts all partitions).
    [[nodiscard]] const u256& totalSupply() const { return total_supply_; }
    [[nodiscard]] u256 balanceOf(const Address& holder) const;
    [[nodiscard]] u256 allowance(const Address& owner, const Address& spender) const;
    bool transfer(state::CallContext& ctx, const Address& to, const u256& value);
    bool transferFrom(state::CallContext& ctx, const Address& from, const Address& to,
                      const u256& value);
    bool approve(state::CallContext& ctx, const Address& spender, const u256& value);
    bool increaseAllowance(state::CallContext& ctx, const Address& spender, const u256& added);
    bool decreaseAllowance(state::CallContext& ctx, const Address& spender, const u256& subtracted);

    // --- Swap: mints the swap token allowance `from` granted Amp.
    void swap(state::CallContext& ctx, const Address& from);

    // --- Partitions.
    [[nodiscard]] u256 balance_of_by_partition(const Bytes32& partition,
                                               const Address& holder) const;
    u256 balanceOfByPartition(state::CallContext& ctx, const Bytes32& partition,
                              const Address& holder) override;
    [[nodiscard]] std::vector<Bytes32> partitionsOf(const Address& holder) const;
    Bytes32 transferByPartition(state::CallContext& ctx, const Bytes32& partition,
                                const Address& from, const Address& to, const u256& value,
                                ByteView data, ByteView operator_data) override;
    [[nodiscard]] const std::vector<Bytes32>& totalPartitions() const { return total_partitions_; }
    [[nodiscard]] u256 totalSupplyByPartition(const Bytes32& partition) const;

    // --- Operators.
    void authorizeOperator(state::CallContext& ctx, const Address& operator_);
    void revokeOperator(state::CallContext& ctx, const Address& operator_);
    void authorizeOperatorByPartition(state::CallContext& ctx, const Bytes32& partition,
                                      const Address& operator_);
    void revokeOperatorByPartition(state::CallContext& ctx, const Bytes32& partition,
                                   const Address& operator_);
    // Global operator (or the holder itself); no external calls.
    [[nodiscard]] bool is_operator(const Address& operator_, const Address& holder) const;
    // The explicit per-partition authorization only.
    [[nodiscard]] bool is_authorized_for_partition(const Bytes32& partition,
                                                   const Address& operator_,
                                                   const Address& holder) const;
    bool isOperator(state::CallContext& ctx, const Address& operator_,
                    const Address& holder) override;
    // Also asks the partition strategy validator (an external call).
    bool isOperatorForPartition(state::CallContext& ctx, const Bytes32& partition,
                                const Address& operator_, const Address& holder) override;
    bool isOperatorForCollateralManager(state::CallContext& ctx, const Bytes32& partition,
                                        const Address& operator_,
                                        const Address& collateral_manager) override;

    // --- Metadata.
    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] const std::string& symbol() const { return symbol_; }

    // --- Partition allowances.
    [[nodiscard]] u256 allowanceByPartition(const Bytes32& partition, const Address& owner,
                                            const Address& spender) const;
    bool approveByPartition(state::CallContext& ctx, const Bytes32& partition,
                            const Address& spender, const u256& value);
    bool increaseAllowanceByPartition(state::CallContext& ctx, const Bytes32& partition,
                                      const Address& spender, const u256& added);
    bool decreaseAllowanceByPartition(state::CallContext& ctx, const Bytes32& partition,
                                      const Address& spender, const u256& subtracted);

    // --- Collateral managers.
    void registerCollateralManager(state::CallContext& ctx) override;
    bool isCollateralManager(state::CallContext& ctx, const Address& manager) override;
    [[nodiscard]] bool is_collateral_manager(const Address& manager) const;
    [[nodiscard]] const std::vector<Address>& collateralManagers() const {
        return collateral_managers_;
    }

    // --- Partition strategies.
    void setPartitionStrategy(state::CallContext& ctx, const Bytes4& prefix,
                              const Address& implementation);
    [[nodiscard]] bool isPartitionStrategy(const Bytes4& prefix) const;
    [[nodiscard]] const std::vector<Bytes4>& partitionStrategies() const {
        return partition_strategies_;
    }

    // --- Swap token, ownership.
    [[nodiscard]] const Address& swapToken() const { return swap_token_; }
    [[nodiscard]] const Address& owner() const { return owner_; }
    [[nodiscard]] const Address& authorizedNewOwner() const { return authorized_new_owner_; }
    void authorizeOwnershipTransfer(state::CallContext& ctx, const Address& authorized);
    void assumeOwnership(state::CallContext& ctx);

    // --- ERC1820Implementer: accepts "AmpToken" and "ERC20Token".
    Bytes32 canImplementInterfaceForAddress(state::CallContext& ctx, const Bytes32& interface_hash,
                                            const Address& addr) override;

    // ========================================================================
    // Inspection (no call frame), for tools, property tests and benchmarks.
    // ========================================================================

    // Number of account records (every address that ever held tokens).
    [[nodiscard]] size_t account_records() const { return accounts_.size(); }
    // Visits every address holding tokens or listing partitions, as
    // f(address, const amp_detail::AccountRecord&), in table order.
    template <class F>
    void for_each_account(F&& f) const {
        accounts_.for_each(
            [&](const amp_detail::AccountKey& k, const amp_detail::AccountRecord& r) {
                if (!(r == amp_detail::AccountRecord{})) f(k.address(), r);
            });
    }
    // Addresses with a non-zero balance, sorted.
    [[nodiscard]] std::vector<Address> holders() const;
    // Sum of every account's balance (equals totalSupply when consistent).
    [[nodiscard]] u256 sum_of_balances() const;
    // Cross-checks every internal invariant (balances add up per holder and
    // per partition, lists and index maps agree, totalPartitions holds the
    // default and exactly the partitions with supply); one message per
    // violation, empty when consistent.
    [[nodiscard]] std::vector<std::string> check_invariants() const;

    // Performance helpers.
    void reserve_accounts(size_t n) { accounts_.reserve(n); }
    void prefetch_account(const Address& a) const {
        accounts_.prefetch(amp_detail::AccountKey::of(a));
    }
    // Outside any transaction (genesis, benchmark setup): credits `value` to
    // `to`'s default partition and the supply exactly as a swap's mint would,
    // without the swap token, hooks, events or journal.
    void genesis_mint(const Address& to, const u256& value);

private:
    Amp(const Address& self, const Address& swap_token, std::string name, std::string symbol,
        const Address& owner);

    // ERC-1820 client calls (external calls from Amp's frame).
    IERC1820Registry& registry(const state::CallContext& ctx);
    Address interface_addr(state::CallContext& ctx, const Address& addr, const Bytes32& hash);
    static void set_interface_implementation(state::CallContext& ctx, const Bytes32& hash,
                                             const Address& implementation);
    const Bytes32& validator_interface_hash(const Bytes4& prefix) const;

    // Internal functions of the reference.
    Bytes32 transfer_by_partition(state::CallContext& ctx, const Bytes32& from_partition,
                                  const Address& operator_, const Address& from, const Address& to,
                                  const u256& value, ByteView data, ByteView operator_data);
    void spend_allowance(state::CallContext& ctx, const Bytes32& partition,
                         const Address& operator_, const Address& from, const u256& value);
    // Balance check and removal for a non-zero default-partition debit.
    void debit_default(state::CallContext& ctx, const Address& from, const u256& value);
    void remove_tokens(state::CallContext& ctx, const Address& from, const Bytes32& partition,
                       const u256& value, bool touch_default_supply);
    void add_tokens(state::CallContext& ctx, const Address& to, const Bytes32& partition,
                    const u256& value, bool touch_default_supply);
    void call_pre_transfer_hooks(state::CallContext& ctx, const TransferHookArgs& a);
    void call_post_transfer_hooks(state::CallContext& ctx, const TransferHookArgs& a);
    bool call_partition_strategy_operator_hook(state::CallContext& ctx, const Bytes32& partition,
                                               const Address& operator_, const Address& holder);
    void approve_by_partition(state::CallContext& ctx, const Bytes32& partition,
                              const Address& holder, const Address& spender, const u256& amount);
    void mint(state::CallContext& ctx, const Address& operator_, const Address& to,
              const u256& value);
    void set_operator(state::CallContext& ctx, const Address& holder, const Address& operator_,
                      bool value);
    void set_partition_operator(state::CallContext& ctx, const Bytes32& partition,
                                const Address& holder, const Address& operator_, bool value);

    // Partition list helpers (_partitionsOf / _indexOfPartitionsOf).
    [[nodiscard]] uint64_t holder_partition_index(const Address& holder,
                                                  const Bytes32& partition) const;
    void set_holder_partition_index(state::CallContext& ctx, const Address& holder,
                                    const Bytes32& partition, uint64_t index);
    void push_holder_partition(state::CallContext& ctx, const Address& holder,
                               const Bytes32& partition);
    void remove_holder_partition(state::CallContext& ctx, const Address& holder,
                                 const Bytes32& partition);
    // _totalPartitions / _indexOfTotalPartitions for non-default partitions.
    void add_total_partition(state::CallContext& ctx, const Bytes32& partition);
    void remove_total_partition(state::CallContext& ctx, const Bytes32& partition);
    void set_total_partition_index(state::CallContext& ctx, const Bytes32& partition,
                                   uint64_t index);
    [[nodiscard]] uint64_t total_partition_index(const Bytes32& partition) const;

    void set_allowance(state::CallContext& ctx, const Bytes32& partition, const Address& owner,
                       const Address& spender, const u256& value);

    // After load: throws SnapshotError unless the tables agree with each
    // other (lists and their indexes, totals), so a corrupt snapshot cannot
    // drive the contract out of the states it can reach.
    void check_loaded(state::SnapshotReader& r) const;

    // Immutable after construction.
    Address swap_token_;
    std::string name_;
    std::string symbol_;

    // Ownable.
    Address owner_;
    Address authorized_new_owner_;

    u256 total_supply_;
    u256 default_supply_;  // totalSupplyByPartition[0]; always listed first in totalPartitions

    state::FlatMap<amp_detail::AccountKey, amp_detail::AccountRecord, amp_detail::AccountKeyHash>
        accounts_;
    state::FlatMap<amp_detail::HolderPartitionKey, amp_detail::PartitionBalance,
                   amp_detail::HolderPartitionKeyHash>
        partition_balances_;
    state::FlatMap<amp_detail::HolderSlotKey, Bytes32, amp_detail::HolderSlotKeyHash>
        partition_lists_;
    std::vector<Bytes32> total_partitions_;
    state::FlatMap<Bytes32, amp_detail::PartitionSupply, amp_detail::Bytes32KeyHash>
        partition_supplies_;

    state::FlatMap<amp_detail::AddressPairKey, bool, amp_detail::AddressPairKeyHash> operators_;
    state::FlatMap<amp_detail::PartitionPairKey, bool, amp_detail::PartitionPairKeyHash>
        partition_operators_;
    state::FlatMap<amp_detail::AddressPairKey, u256, amp_detail::AddressPairKeyHash> allowances_;
    state::FlatMap<amp_detail::PartitionPairKey, u256, amp_detail::PartitionPairKeyHash>
        partition_allowances_;

    std::vector<Address> collateral_managers_;
    state::FlatMap<Address, bool, amp_detail::AddressKeyHash> is_collateral_manager_;
    std::vector<Bytes4> partition_strategies_;
    state::FlatMap<Bytes4, bool, amp_detail::Bytes4KeyHash> is_partition_strategy_;

    // Derived, not state: validator interface hash per prefix, and the
    // registry instance (installed at genesis, never replaced).
    mutable state::FlatMap<Bytes4, Bytes32, amp_detail::Bytes4KeyHash> validator_hashes_;
    IERC1820Registry* registry_ = nullptr;
};

}  // namespace ampd::contracts
