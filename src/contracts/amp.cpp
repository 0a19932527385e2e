#include "ampd/contracts/amp.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "ampd/contracts/constants.hpp"
#include "ampd/contracts/erc1820_registry.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/revert.hpp"
#include "ampd/state/world.hpp"
#include "contracts/amp_internal.hpp"

namespace ampd::contracts {

using amp_detail::AccountKey;
using amp_detail::AccountRecord;
using amp_detail::AddressPairKey;
using amp_detail::HolderPartitionKey;
using amp_detail::HolderSlotKey;
using amp_detail::PartitionBalance;
using amp_detail::PartitionPairKey;
using amp_detail::PartitionSupply;
using amp_internal::journaled_put;
using amp_internal::journaled_slot;
using amp_internal::read_or_zero;
using amp_internal::safe_add;
using amp_internal::safe_sub;
using amp_internal::selectors;
using state::AbiType;
using state::CallContext;

namespace {

// LogBuilder's interface with the word conversions inline (the transfer
// events are on the hot path). LogRecord zero-initialises its words, so
// narrow values only fill their bytes.
class Log {
public:
    Log(const Address& emitter, const state::EventDescriptor& desc) {
        rec_.emitter = emitter;
        rec_.event = &desc;
    }
    Log& address(const Address& a) {
        std::memcpy(next().b.data() + 12, a.data(), 20);
        return *this;
    }
    Log& u256v(const u256& v) {
        Bytes32& w = next();
        for (int i = 0; i < 4; ++i) {
            const uint64_t be = __builtin_bswap64(v.w[3 - i]);
            std::memcpy(w.b.data() + 8 * i, &be, 8);
        }
        return *this;
    }
    Log& bytes32(const Bytes32& b) {
        next() = b;
        return *this;
    }
    Log& bytes4(const Bytes4& b) {
        std::memcpy(next().b.data(), b.data(), 4);
        return *this;
    }
    Log& bytes(ByteView b) {
        if (!b.empty()) rec_.blob.insert(rec_.blob.end(), b.begin(), b.end());
        return u256v(u256(static_cast<uint64_t>(b.size())));
    }
    Log& string(std::string_view s) {
        return bytes(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    }
    // The literal "" (see LogRecord::empty_literals).
    Log& empty_literal() {
        rec_.empty_literals = static_cast<uint8_t>(rec_.empty_literals | (1U << n_));
        next();
        return *this;
    }
    // Moves the record straight into the transaction's log (one copy).
    void emit(const CallContext& ctx) { ctx.emit(std::move(rec_)); }

private:
    Bytes32& next() { return rec_.words[n_++]; }
    state::LogRecord rec_;
    size_t n_ = 0;
};

}  // namespace

namespace amp_internal {

const Selectors& selectors() {
    static const Selectors kSel{
        selector_of("getInterfaceImplementer(address,bytes32)"),
        selector_of("setInterfaceImplementer(address,bytes32,address)"),
        selector_of("tokensToTransfer(bytes4,bytes32,address,address,address,uint256,bytes,bytes)"),
        selector_of("tokensReceived(bytes4,bytes32,address,address,address,uint256,bytes,bytes)"),
        selector_of("tokensFromPartitionToValidate(bytes4,bytes32,address,address,address,uint256,"
                    "bytes,bytes)"),
        selector_of("tokensToPartitionToValidate(bytes4,bytes32,address,address,address,uint256,"
                    "bytes,bytes)"),
        selector_of("isOperatorForPartitionScope(bytes32,address,address)"),
        selector_of("allowance(address,address)"),
        selector_of("transferFrom(address,address,uint256)"),
    };
    return kSel;
}

}  // namespace amp_internal

// ============================================================================
// Constants
// ============================================================================

const Address& Amp::swap_token_graveyard() {
    static const Address kAddr = *Address::from_hex("0x000000000000000000000000000000000000dead");
    return kAddr;
}

const Bytes32& Amp::amp_token_interface_hash() {
    static const Bytes32 kHash = keccak256(std::string_view("AmpToken"));
    return kHash;
}
const Bytes32& Amp::erc20_token_interface_hash() {
    static const Bytes32 kHash = keccak256(std::string_view("ERC20Token"));
    return kHash;
}
const Bytes32& Amp::tokens_sender_interface_hash() {
    static const Bytes32 kHash = keccak256(std::string_view("AmpTokensSender"));
    return kHash;
}
const Bytes32& Amp::tokens_recipient_interface_hash() {
    static const Bytes32 kHash = keccak256(std::string_view("AmpTokensRecipient"));
    return kHash;
}

std::string Amp::partition_strategy_validator_name(const Bytes4& prefix) {
    std::string name = "AmpPartitionStrategyValidator";
    name.append(reinterpret_cast<const char*>(prefix.data()), 4);
    return name;
}

const Bytes32& Amp::validator_interface_hash(const Bytes4& prefix) const {
    if (const Bytes32* h = validator_hashes_.find(prefix)) return *h;
    const Bytes32 h = keccak256(std::string_view(partition_strategy_validator_name(prefix)));
    Bytes32& slot = validator_hashes_.get_or_insert(prefix);
    slot = h;
    return slot;
}

// ============================================================================
// Events
// ============================================================================

const state::EventDescriptor& Amp::transfer_event() {
    static const state::EventDescriptor kEv =
        state::make_event("Transfer", {{"from", AbiType::kAddress, true},
                                       {"to", AbiType::kAddress, true},
                                       {"value", AbiType::kUint256, false}});
    return kEv;
}
const state::EventDescriptor& Amp::approval_event() {
    static const state::EventDescriptor kEv =
        state::make_event("Approval", {{"owner", AbiType::kAddress, true},
                                       {"spender", AbiType::kAddress, true},
                                       {"value", AbiType::kUint256, false}});
    return kEv;
}
const state::EventDescriptor& Amp::transfer_by_partition_event() {
    static const state::EventDescriptor kEv =
        state::make_event("TransferByPartition", {{"fromPartition", AbiType::kBytes32, true},
                                                  {"operator", AbiType::kAddress, false},
                                                  {"from", AbiType::kAddress, true},
                                                  {"to", AbiType::kAddress, true},
                                                  {"value", AbiType::kUint256, false},
                                                  {"data", AbiType::kBytes, false},
                                                  {"operatorData", AbiType::kBytes, false}});
    return kEv;
}
const state::EventDescriptor& Amp::changed_partition_event() {
    static const state::EventDescriptor kEv =
        state::make_event("ChangedPartition", {{"fromPartition", AbiType::kBytes32, true},
                                               {"toPartition", AbiType::kBytes32, true},
                                               {"value", AbiType::kUint256, false}});
    return kEv;
}
const state::EventDescriptor& Amp::approval_by_partition_event() {
    static const state::EventDescriptor kEv =
        state::make_event("ApprovalByPartition", {{"partition", AbiType::kBytes32, true},
                                                  {"owner", AbiType::kAddress, true},
                                                  {"spender", AbiType::kAddress, true},
                                                  {"value", AbiType::kUint256, false}});
    return kEv;
}
const state::EventDescriptor& Amp::authorized_operator_event() {
    static const state::EventDescriptor kEv = state::make_event(
        "AuthorizedOperator",
        {{"operator", AbiType::kAddress, true}, {"tokenHolder", AbiType::kAddress, true}});
    return kEv;
}
const state::EventDescriptor& Amp::revoked_operator_event() {
    static const state::EventDescriptor kEv = state::make_event(
        "RevokedOperator",
        {{"operator", AbiType::kAddress, true}, {"tokenHolder", AbiType::kAddress, true}});
    return kEv;
}
const state::EventDescriptor& Amp::authorized_operator_by_partition_event() {
    static const state::EventDescriptor kEv = state::make_event(
        "AuthorizedOperatorByPartition", {{"partition", AbiType::kBytes32, true},
                                          {"operator", AbiType::kAddress, true},
                                          {"tokenHolder", AbiType::kAddress, true}});
    return kEv;
}
const state::EventDescriptor& Amp::revoked_operator_by_partition_event() {
    static const state::EventDescriptor kEv =
        state::make_event("RevokedOperatorByPartition", {{"partition", AbiType::kBytes32, true},
                                                         {"operator", AbiType::kAddress, true},
                                                         {"tokenHolder", AbiType::kAddress, true}});
    return kEv;
}
const state::EventDescriptor& Amp::collateral_manager_registered_event() {
    static const state::EventDescriptor kEv = state::make_event(
        "CollateralManagerRegistered", {{"collateralManager", AbiType::kAddress, false}});
    return kEv;
}
const state::EventDescriptor& Amp::partition_strategy_set_event() {
    static const state::EventDescriptor kEv =
        state::make_event("PartitionStrategySet", {{"flag", AbiType::kBytes4, false},
                                                   {"name", AbiType::kString, false},
                                                   {"implementation", AbiType::kAddress, true}});
    return kEv;
}
const state::EventDescriptor& Amp::minted_event() {
    static const state::EventDescriptor kEv =
        state::make_event("Minted", {{"operator", AbiType::kAddress, true},
                                     {"to", AbiType::kAddress, true},
                                     {"value", AbiType::kUint256, false},
                                     {"data", AbiType::kBytes, false}});
    return kEv;
}
const state::EventDescriptor& Amp::swap_event() {
    static const state::EventDescriptor kEv =
        state::make_event("Swap", {{"operator", AbiType::kAddress, true},
                                   {"from", AbiType::kAddress, true},
                                   {"value", AbiType::kUint256, false}});
    return kEv;
}
const state::EventDescriptor& Amp::ownership_transfer_authorization_event() {
    static const state::EventDescriptor kEv = state::make_event(
        "OwnershipTransferAuthorization", {{"authorizedAddress", AbiType::kAddress, true}});
    return kEv;
}
const state::EventDescriptor& Amp::owner_update_event() {
    static const state::EventDescriptor kEv = state::make_event(
        "OwnerUpdate",
        {{"oldValue", AbiType::kAddress, true}, {"newValue", AbiType::kAddress, true}});
    return kEv;
}

const std::vector<const state::EventDescriptor*>& Amp::events() {
    static const std::vector<const state::EventDescriptor*> kAll{
        &transfer_event(),
        &approval_event(),
        &transfer_by_partition_event(),
        &changed_partition_event(),
        &approval_by_partition_event(),
        &authorized_operator_event(),
        &revoked_operator_event(),
        &authorized_operator_by_partition_event(),
        &revoked_operator_by_partition_event(),
        &collateral_manager_registered_event(),
        &partition_strategy_set_event(),
        &minted_event(),
        &swap_event(),
        &ownership_transfer_authorization_event(),
        &owner_update_event(),
    };
    return kAll;
}

// ============================================================================
// Construction
// ============================================================================

Amp::Amp(const Address& self, const Address& swap_token, std::string name, std::string symbol,
         const Address& owner)
    : state::Contract(self),
      swap_token_(swap_token),
      name_(std::move(name)),
      symbol_(std::move(symbol)),
      owner_(owner) {
    // The default partition is the first entry of totalPartitions, forever
    // (only non-default partitions are ever removed, by swap-with-last).
    total_partitions_.push_back(default_partition());
}

std::unique_ptr<state::Contract> Amp::create(CallContext& ctx, ByteView ctor_args) {
    const abi::Decoder args(ctor_args, abi::Cleaning::kMask);
    std::optional<Address> swap_token = args.address(0);
    std::optional<std::string> name = args.string(1);
    std::optional<std::string> symbol = args.string(2);
    if (!swap_token || !name || !symbol) state::revert_empty();
    state::require(!amp_detail::is_zero(*swap_token), kErrInvalidSwapTokenAddress);

    // The object's own fields are initialised directly (Ownable makes the
    // deployer the owner): if the constructor reverts, the half-built object
    // is dropped, so nothing of it is journaled.
    std::unique_ptr<Amp> self(
        new Amp(ctx.self, *swap_token, std::move(*name), std::move(*symbol), ctx.sender));

    set_interface_implementation(ctx, amp_token_interface_hash(), ctx.self);
    set_interface_implementation(ctx, erc20_token_interface_hash(), ctx.self);
    return self;
}

// ============================================================================
// ERC-1820 client
// ============================================================================

IERC1820Registry& Amp::registry(const CallContext& ctx) {
    if (registry_ == nullptr) [[unlikely]] {
        IERC1820Registry* r = ctx.world.contract_as<IERC1820Registry>(erc1820_registry_address());
        if (r == nullptr) state::revert_empty();
        registry_ = r;
    }
    return *registry_;
}

Address Amp::interface_addr(CallContext& ctx, const Address& addr, const Bytes32& hash) {
    IERC1820Registry& reg = registry(ctx);
    CallContext sub =
        ctx.call_to(erc1820_registry_address(), selectors().get_interface_implementer);
    return reg.getInterfaceImplementer(sub, addr, hash);
}

void Amp::set_interface_implementation(CallContext& ctx, const Bytes32& hash,
                                       const Address& implementation) {
    const Address& at = erc1820_registry_address();
    auto& reg = ctx.world.require_contract<IERC1820Registry>(at);
    CallContext sub = ctx.call_to(at, selectors().set_interface_implementer);
    reg.setInterfaceImplementer(sub, ctx.self, hash, implementation);
}

Bytes32 Amp::canImplementInterfaceForAddress(CallContext& /*ctx*/, const Bytes32& interface_hash,
                                             const Address& /*addr*/) {
    if (interface_hash == amp_token_interface_hash() ||
        interface_hash == erc20_token_interface_hash()) {
        return Erc1820Registry::accept_magic();
    }
    return Bytes32{};
}

// ============================================================================
// Views
// ============================================================================

u256 Amp::balanceOf(const Address& holder) const {
    const AccountRecord* r = accounts_.find(AccountKey::of(holder));
    return r == nullptr ? u256() : r->balance;
}

u256 Amp::balance_of_by_partition(const Bytes32& partition, const Address& holder) const {
    if (amp_detail::is_zero(partition)) {
        const AccountRecord* r = accounts_.find(AccountKey::of(holder));
        return r == nullptr ? u256() : r->default_balance;
    }
    const PartitionBalance* p = partition_balances_.find(HolderPartitionKey{holder, partition});
    return p == nullptr ? u256() : p->balance;
}

u256 Amp::balanceOfByPartition(CallContext& /*ctx*/, const Bytes32& partition,
                               const Address& holder) {
    return balance_of_by_partition(partition, holder);
}

std::vector<Bytes32> Amp::partitionsOf(const Address& holder) const {
    std::vector<Bytes32> out;
    const AccountRecord* r = accounts_.find(AccountKey::of(holder));
    if (r == nullptr) return out;
    out.reserve(r->partition_count);
    for (uint32_t i = 0; i < r->partition_count; ++i) {
        out.push_back(read_or_zero(partition_lists_, HolderSlotKey{holder, i}));
    }
    return out;
}

u256 Amp::totalSupplyByPartition(const Bytes32& partition) const {
    if (amp_detail::is_zero(partition)) return default_supply_;
    const PartitionSupply* s = partition_supplies_.find(partition);
    return s == nullptr ? u256() : s->supply;
}

u256 Amp::allowance(const Address& owner, const Address& spender) const {
    return read_or_zero(allowances_, AddressPairKey{owner, spender});
}

u256 Amp::allowanceByPartition(const Bytes32& partition, const Address& owner,
                               const Address& spender) const {
    if (amp_detail::is_zero(partition)) return allowance(owner, spender);
    return read_or_zero(partition_allowances_, PartitionPairKey{partition, owner, spender});
}

bool Amp::is_operator(const Address& operator_, const Address& holder) const {
    return amp_detail::same(operator_, holder) ||
           read_or_zero(operators_, AddressPairKey{holder, operator_});
}

bool Amp::is_authorized_for_partition(const Bytes32& partition, const Address& operator_,
                                      const Address& holder) const {
    return read_or_zero(partition_operators_, PartitionPairKey{partition, holder, operator_});
}

bool Amp::isOperator(CallContext& /*ctx*/, const Address& operator_, const Address& holder) {
    return is_operator(operator_, holder);
}

bool Amp::isOperatorForPartition(CallContext& ctx, const Bytes32& partition,
                                 const Address& operator_, const Address& holder) {
    return is_operator(operator_, holder) ||
           is_authorized_for_partition(partition, operator_, holder) ||
           call_partition_strategy_operator_hook(ctx, partition, operator_, holder);
}

bool Amp::isOperatorForCollateralManager(CallContext& /*ctx*/, const Bytes32& partition,
                                         const Address& operator_,
                                         const Address& collateral_manager) {
    return is_collateral_manager(collateral_manager) &&
           (is_operator(operator_, collateral_manager) ||
            is_authorized_for_partition(partition, operator_, collateral_manager));
}

bool Amp::is_collateral_manager(const Address& manager) const {
    return read_or_zero(is_collateral_manager_, manager);
}

bool Amp::isCollateralManager(CallContext& /*ctx*/, const Address& manager) {
    return is_collateral_manager(manager);
}

bool Amp::isPartitionStrategy(const Bytes4& prefix) const {
    // The zero prefix can never be registered (5F).
    if (amp_detail::is_zero(prefix)) return false;
    return read_or_zero(is_partition_strategy_, prefix);
}

// ============================================================================
// ERC-20
// ============================================================================

bool Amp::transfer(CallContext& ctx, const Address& to, const u256& value) {
    transfer_by_partition(ctx, default_partition(), ctx.sender, ctx.sender, to, value, {}, {});
    return true;
}

bool Amp::transferFrom(CallContext& ctx, const Address& from, const Address& to,
                       const u256& value) {
    transfer_by_partition(ctx, default_partition(), ctx.sender, from, to, value, {}, {});
    return true;
}

bool Amp::approve(CallContext& ctx, const Address& spender, const u256& value) {
    approve_by_partition(ctx, default_partition(), ctx.sender, spender, value);
    return true;
}

bool Amp::increaseAllowance(CallContext& ctx, const Address& spender, const u256& added) {
    return increaseAllowanceByPartition(ctx, default_partition(), spender, added);
}

bool Amp::decreaseAllowance(CallContext& ctx, const Address& spender, const u256& subtracted) {
    return decreaseAllowanceByPartition(ctx, default_partition(), spender, subtracted);
}

// ============================================================================
// Swap and mint
// ============================================================================

void Amp::swap(CallContext& ctx, const Address& from) {
    const Address token_addr = swap_token_;
    u256 amount;
    {
        auto& token = ctx.world.require_contract<ISwapToken>(token_addr);
        CallContext sub = ctx.call_to(token_addr, selectors().swap_allowance);
        amount = token.allowance(sub, from, address());
    }
    state::require(!amount.is_zero(), kErrInsufficientAllowance);
    {
        auto& token = ctx.world.require_contract<ISwapToken>(token_addr);
        CallContext sub = ctx.call_to(token_addr, selectors().swap_transfer_from);
        state::require(token.transferFrom(sub, from, swap_token_graveyard(), amount),
                       kErrSwapTransferFailure);
    }
    mint(ctx, ctx.sender, from, amount);
    Log(address(), swap_event()).address(ctx.sender).address(from).u256v(amount).emit(ctx);
}

// The events pass "" literals for data and operatorData, which solc encodes
// with a padding word (LogRecord::empty_literals).
void Amp::mint(CallContext& ctx, const Address& operator_, const Address& to, const u256& value) {
    state::require(!amp_detail::is_zero(to), kErrInvalidReceiver);
    ctx.journal().set(total_supply_, safe_add(total_supply_, value));
    add_tokens(ctx, to, default_partition(), value, true);
    call_post_transfer_hooks(
        ctx,
        TransferHookArgs{ctx.sig, default_partition(), operator_, Address{}, to, value, {}, {}});
    Log(address(), minted_event())
        .address(operator_)
        .address(to)
        .u256v(value)
        .empty_literal()
        .emit(ctx);
    Log(address(), transfer_event()).address(Address{}).address(to).u256v(value).emit(ctx);
    Log(address(), transfer_by_partition_event())
        .bytes32(default_partition())
        .address(operator_)
        .address(Address{})
        .address(to)
        .u256v(value)
        .empty_literal()
        .empty_literal()
        .emit(ctx);
}

void Amp::genesis_mint(const Address& to, const u256& value) {
    if (amp_detail::is_zero(to)) state::revert(kErrInvalidReceiver);
    total_supply_ = safe_add(total_supply_, value);
    if (value.is_zero()) return;
    default_supply_ = safe_add(default_supply_, value);
    AccountRecord& r = accounts_.get_or_insert(AccountKey::of(to));
    r.balance = safe_add(r.balance, value);
    r.default_balance = safe_add(r.default_balance, value);
    if (r.default_index == 0) {
        const uint32_t pos = r.partition_count;
        r.partition_count = pos + 1;
        r.default_index = pos + 1;
        partition_lists_.get_or_insert(HolderSlotKey{to, pos}) = default_partition();
    }
}

// ============================================================================
// Transfers
// ============================================================================

Bytes32 Amp::transferByPartition(CallContext& ctx, const Bytes32& partition, const Address& from,
                                 const Address& to, const u256& value, ByteView data,
                                 ByteView operator_data) {
    return transfer_by_partition(ctx, partition, ctx.sender, from, to, value, data, operator_data);
}

Bytes32 Amp::transfer_by_partition(CallContext& ctx, const Bytes32& from_partition,
                                   const Address& operator_, const Address& from, const Address& to,
                                   const u256& value, ByteView data, ByteView operator_data) {
    state::require(!amp_detail::is_zero(to), kErrInvalidReceiver);
    if (!amp_detail::same(from, operator_)) {
        spend_allowance(ctx, from_partition, operator_, from, value);
    }

    TransferHookArgs hook{ctx.sig, from_partition, operator_, from, to, value, data, operator_data};
    call_pre_transfer_hooks(ctx, hook);

    const Bytes32 to_partition = destination_partition(data, from_partition);
    const bool within_default =
        amp_detail::is_zero(from_partition) && amp_detail::is_zero(to_partition);
    if (within_default && !value.is_zero()) [[likely]] {
        // The ERC-20 path: one probe of the sender's record for both the
        // balance check and the debit. The default partition's supply does
        // not change (and it is never removed from totalPartitions).
        debit_default(ctx, from, value);
        add_tokens(ctx, to, to_partition, value, false);
    } else {
        state::require(balance_of_by_partition(from_partition, from) >= value,
                       kErrInsufficientBalance);
        remove_tokens(ctx, from, from_partition, value, !within_default);
        add_tokens(ctx, to, to_partition, value, !within_default);
    }

    hook.partition = to_partition;
    call_post_transfer_hooks(ctx, hook);

    Log(address(), transfer_event()).address(from).address(to).u256v(value).emit(ctx);
    Log(address(), transfer_by_partition_event())
        .bytes32(from_partition)
        .address(operator_)
        .address(from)
        .address(to)
        .u256v(value)
        .bytes(data)
        .bytes(operator_data)
        .emit(ctx);
    if (!amp_detail::same(to_partition, from_partition)) {
        Log(address(), changed_partition_event())
            .bytes32(from_partition)
            .bytes32(to_partition)
            .u256v(value)
            .emit(ctx);
    }
    return to_partition;
}

void Amp::spend_allowance(CallContext& ctx, const Bytes32& partition, const Address& operator_,
                          const Address& from, const u256& value) {
    state::require(isOperatorForPartition(ctx, partition, operator_, from) ||
                       value <= allowanceByPartition(partition, from, operator_),
                   kErrInsufficientAllowance);
    // An allowance that covers the transfer is consumed even when the
    // operator rights alone would have sufficed; one that does not is reset.
    const u256 allowed = allowanceByPartition(partition, from, operator_);
    if (allowed >= value) {
        set_allowance(ctx, partition, from, ctx.sender, allowed - value);
    } else {
        set_allowance(ctx, partition, from, operator_, u256());
    }
}

void Amp::debit_default(CallContext& ctx, const Address& from, const u256& value) {
    bool emptied = false;
    {
        // find(), not get_or_insert(): a failed debit adds no record.
        const AccountKey key = AccountKey::of(from);
        AccountRecord* acct = accounts_.find(key);
        state::require(acct != nullptr && acct->default_balance >= value, kErrInsufficientBalance);
        ctx.journal().record(
            amp_internal::RestoreSlot<AccountKey, AccountRecord, amp_detail::AccountKeyHash>{
                &accounts_, key, *acct});
        acct->balance = safe_sub(acct->balance, value);
        acct->default_balance = acct->default_balance - value;
        emptied = acct->default_balance.is_zero();
    }
    if (emptied) [[unlikely]]
        remove_holder_partition(ctx, from, default_partition());
}

void Amp::remove_tokens(CallContext& ctx, const Address& from, const Bytes32& partition,
                        const u256& value, bool touch_default_supply) {
    if (value.is_zero()) return;
    state::Journal& j = ctx.journal();
    bool emptied = false;
    if (amp_detail::is_zero(partition)) {
        AccountRecord& acct = journaled_slot(j, accounts_, AccountKey::of(from));
        acct.balance = safe_sub(acct.balance, value);
        acct.default_balance = safe_sub(acct.default_balance, value);
        emptied = acct.default_balance.is_zero();
        if (touch_default_supply) j.set(default_supply_, safe_sub(default_supply_, value));
    } else {
        {
            AccountRecord& acct = journaled_slot(j, accounts_, AccountKey::of(from));
            acct.balance = safe_sub(acct.balance, value);
        }
        {
            PartitionBalance& pb =
                journaled_slot(j, partition_balances_, HolderPartitionKey{from, partition});
            pb.balance = safe_sub(pb.balance, value);
            emptied = pb.balance.is_zero();
        }
        bool supply_emptied = false;
        {
            PartitionSupply& ps = journaled_slot(j, partition_supplies_, partition);
            ps.supply = safe_sub(ps.supply, value);
            supply_emptied = ps.supply.is_zero();
        }
        if (supply_emptied) remove_total_partition(ctx, partition);
    }
    if (emptied) [[unlikely]]
        remove_holder_partition(ctx, from, partition);
}

void Amp::add_tokens(CallContext& ctx, const Address& to, const Bytes32& partition,
                     const u256& value, bool touch_default_supply) {
    if (value.is_zero()) return;
    state::Journal& j = ctx.journal();
    if (amp_detail::is_zero(partition)) {
        uint32_t new_pos = UINT32_MAX;
        {
            AccountRecord& acct = journaled_slot(j, accounts_, AccountKey::of(to));
            acct.balance = safe_add(acct.balance, value);
            if (acct.default_index == 0) {
                // First tokens in the default partition: append it to the list.
                new_pos = acct.partition_count;
                acct.partition_count = new_pos + 1;
                acct.default_index = new_pos + 1;
            }
            acct.default_balance = safe_add(acct.default_balance, value);
        }
        if (new_pos != UINT32_MAX) [[unlikely]] {
            journaled_put(j, partition_lists_, HolderSlotKey{to, new_pos}, default_partition());
        }
        if (touch_default_supply) j.set(default_supply_, safe_add(default_supply_, value));
        return;
    }
    {
        AccountRecord& acct = journaled_slot(j, accounts_, AccountKey::of(to));
        acct.balance = safe_add(acct.balance, value);
    }
    if (holder_partition_index(to, partition) == 0) push_holder_partition(ctx, to, partition);
    {
        PartitionBalance& pb =
            journaled_slot(j, partition_balances_, HolderPartitionKey{to, partition});
        pb.balance = safe_add(pb.balance, value);
    }
    if (total_partition_index(partition) == 0) add_total_partition(ctx, partition);
    PartitionSupply& ps = journaled_slot(j, partition_supplies_, partition);
    ps.supply = safe_add(ps.supply, value);
}

// --- _partitionsOf / _indexOfPartitionsOf

uint64_t Amp::holder_partition_index(const Address& holder, const Bytes32& partition) const {
    if (amp_detail::is_zero(partition)) {
        const AccountRecord* r = accounts_.find(AccountKey::of(holder));
        return r == nullptr ? 0 : r->default_index;
    }
    const PartitionBalance* p = partition_balances_.find(HolderPartitionKey{holder, partition});
    return p == nullptr ? 0 : p->index;
}

void Amp::set_holder_partition_index(CallContext& ctx, const Address& holder,
                                     const Bytes32& partition, uint64_t index) {
    if (amp_detail::is_zero(partition)) {
        AccountRecord r = read_or_zero(accounts_, AccountKey::of(holder));
        r.default_index = static_cast<uint32_t>(index);
        journaled_put(ctx.journal(), accounts_, AccountKey::of(holder), r);
        return;
    }
    const HolderPartitionKey key{holder, partition};
    PartitionBalance p = read_or_zero(partition_balances_, key);
    p.index = index;
    journaled_put(ctx.journal(), partition_balances_, key, p);
}

void Amp::push_holder_partition(CallContext& ctx, const Address& holder, const Bytes32& partition) {
    AccountRecord r = read_or_zero(accounts_, AccountKey::of(holder));
    const uint32_t pos = r.partition_count;
    r.partition_count = pos + 1;
    journaled_put(ctx.journal(), accounts_, AccountKey::of(holder), r);
    journaled_put(ctx.journal(), partition_lists_, HolderSlotKey{holder, pos}, partition);
    set_holder_partition_index(ctx, holder, partition, uint64_t{pos} + 1);
}

void Amp::remove_holder_partition(CallContext& ctx, const Address& holder,
                                  const Bytes32& partition) {
    const uint64_t index = holder_partition_index(holder, partition);
    if (index == 0) return;
    state::Journal& j = ctx.journal();
    const uint32_t count = read_or_zero(accounts_, AccountKey::of(holder)).partition_count;
    // Swap with the last entry, then pop (the reference's order of writes).
    const Bytes32 last = read_or_zero(partition_lists_, HolderSlotKey{holder, count - 1});
    journaled_put(j, partition_lists_, HolderSlotKey{holder, static_cast<uint32_t>(index - 1)},
                  last);
    set_holder_partition_index(ctx, holder, last, index);
    {
        AccountRecord r = read_or_zero(accounts_, AccountKey::of(holder));
        r.partition_count = count - 1;
        journaled_put(j, accounts_, AccountKey::of(holder), r);
    }
    journaled_put(j, partition_lists_, HolderSlotKey{holder, count - 1}, Bytes32{});
    set_holder_partition_index(ctx, holder, partition, 0);
}

// --- _totalPartitions / _indexOfTotalPartitions

uint64_t Amp::total_partition_index(const Bytes32& partition) const {
    if (amp_detail::is_zero(partition)) return 1;
    const PartitionSupply* s = partition_supplies_.find(partition);
    return s == nullptr ? 0 : s->index;
}

void Amp::set_total_partition_index(CallContext& ctx, const Bytes32& partition, uint64_t index) {
    if (amp_detail::is_zero(partition))
        return;  // fixed at 1: the default is never moved or removed
    PartitionSupply s = read_or_zero(partition_supplies_, partition);
    s.index = index;
    journaled_put(ctx.journal(), partition_supplies_, partition, s);
}

void Amp::add_total_partition(CallContext& ctx, const Bytes32& partition) {
    ctx.journal().push(total_partitions_, partition);
    set_total_partition_index(ctx, partition, total_partitions_.size());
}

void Amp::remove_total_partition(CallContext& ctx, const Bytes32& partition) {
    const uint64_t index = total_partition_index(partition);
    if (index == 0) return;
    const Bytes32 last = total_partitions_.back();
    ctx.journal().assign(total_partitions_, index - 1, last);
    set_total_partition_index(ctx, last, index);
    ctx.journal().pop(total_partitions_);
    set_total_partition_index(ctx, partition, 0);
}

// ============================================================================
// Hooks
// ============================================================================

void Amp::call_pre_transfer_hooks(CallContext& ctx, const TransferHookArgs& a) {
    const Address sender_impl = interface_addr(ctx, a.from, tokens_sender_interface_hash());
    if (!amp_detail::is_zero(sender_impl)) [[unlikely]] {
        auto& hook = ctx.world.require_contract<IAmpTokensSender>(sender_impl);
        CallContext sub = ctx.call_to(sender_impl, selectors().tokens_to_transfer);
        hook.tokensToTransfer(sub, a);
    }
    const Bytes4 prefix = prefix_of(a.partition);
    if (isPartitionStrategy(prefix)) {
        const Address impl = interface_addr(ctx, address(), validator_interface_hash(prefix));
        if (!amp_detail::is_zero(impl)) {
            auto& validator = ctx.world.require_contract<IAmpPartitionStrategyValidator>(impl);
            CallContext sub = ctx.call_to(impl, selectors().tokens_from_partition_to_validate);
            validator.tokensFromPartitionToValidate(sub, a);
        }
    }
}

void Amp::call_post_transfer_hooks(CallContext& ctx, const TransferHookArgs& a) {
    const Bytes4 prefix = prefix_of(a.partition);
    if (isPartitionStrategy(prefix)) {
        const Address impl = interface_addr(ctx, address(), validator_interface_hash(prefix));
        if (!amp_detail::is_zero(impl)) {
            auto& validator = ctx.world.require_contract<IAmpPartitionStrategyValidator>(impl);
            CallContext sub = ctx.call_to(impl, selectors().tokens_to_partition_to_validate);
            validator.tokensToPartitionToValidate(sub, a);
        }
    } else {
        state::require(amp_detail::is_zero(prefix), kErrPartitionReserved);
    }
    const Address recipient_impl = interface_addr(ctx, a.to, tokens_recipient_interface_hash());
    if (!amp_detail::is_zero(recipient_impl)) [[unlikely]] {
        auto& hook = ctx.world.require_contract<IAmpTokensRecipient>(recipient_impl);
        CallContext sub = ctx.call_to(recipient_impl, selectors().tokens_received);
        hook.tokensReceived(sub, a);
    }
}

bool Amp::call_partition_strategy_operator_hook(CallContext& ctx, const Bytes32& partition,
                                                const Address& operator_, const Address& holder) {
    const Bytes4 prefix = prefix_of(partition);
    if (!isPartitionStrategy(prefix)) return false;
    const Address impl = interface_addr(ctx, address(), validator_interface_hash(prefix));
    if (amp_detail::is_zero(impl)) return false;
    auto& validator = ctx.world.require_contract<IAmpPartitionStrategyValidator>(impl);
    CallContext sub = ctx.call_to(impl, selectors().is_operator_for_partition_scope);
    return validator.isOperatorForPartitionScope(sub, partition, operator_, holder);
}

// ============================================================================
// Allowances
// ============================================================================

void Amp::set_allowance(CallContext& ctx, const Bytes32& partition, const Address& owner,
                        const Address& spender, const u256& value) {
    if (amp_detail::is_zero(partition)) {
        journaled_put(ctx.journal(), allowances_, AddressPairKey{owner, spender}, value);
    } else {
        journaled_put(ctx.journal(), partition_allowances_,
                      PartitionPairKey{partition, owner, spender}, value);
    }
}

void Amp::approve_by_partition(CallContext& ctx, const Bytes32& partition, const Address& holder,
                               const Address& spender, const u256& amount) {
    state::require(!amp_detail::is_zero(holder), kErrInvalidSender);
    state::require(!amp_detail::is_zero(spender), kErrInvalidOperator);
    set_allowance(ctx, partition, holder, spender, amount);
    Log(address(), approval_by_partition_event())
        .bytes32(partition)
        .address(holder)
        .address(spender)
        .u256v(amount)
        .emit(ctx);
    if (amp_detail::is_zero(partition)) {
        Log(address(), approval_event()).address(holder).address(spender).u256v(amount).emit(ctx);
    }
}

bool Amp::approveByPartition(CallContext& ctx, const Bytes32& partition, const Address& spender,
                             const u256& value) {
    approve_by_partition(ctx, partition, ctx.sender, spender, value);
    return true;
}

bool Amp::increaseAllowanceByPartition(CallContext& ctx, const Bytes32& partition,
                                       const Address& spender, const u256& added) {
    const u256 current = allowanceByPartition(partition, ctx.sender, spender);
    approve_by_partition(ctx, partition, ctx.sender, spender, safe_add(current, added));
    return true;
}

bool Amp::decreaseAllowanceByPartition(CallContext& ctx, const Bytes32& partition,
                                       const Address& spender, const u256& subtracted) {
    const u256 current = allowanceByPartition(partition, ctx.sender, spender);
    approve_by_partition(ctx, partition, ctx.sender, spender, safe_sub(current, subtracted));
    return true;
}

// ============================================================================
// Operators
// ============================================================================

void Amp::set_operator(CallContext& ctx, const Address& holder, const Address& operator_,
                       bool value) {
    journaled_put(ctx.journal(), operators_, AddressPairKey{holder, operator_}, value);
}

void Amp::set_partition_operator(CallContext& ctx, const Bytes32& partition, const Address& holder,
                                 const Address& operator_, bool value) {
    journaled_put(ctx.journal(), partition_operators_,
                  PartitionPairKey{partition, holder, operator_}, value);
}

void Amp::authorizeOperator(CallContext& ctx, const Address& operator_) {
    state::require(!amp_detail::same(operator_, ctx.sender), kErrInvalidOperator);
    set_operator(ctx, ctx.sender, operator_, true);
    Log(address(), authorized_operator_event()).address(operator_).address(ctx.sender).emit(ctx);
}

void Amp::revokeOperator(CallContext& ctx, const Address& operator_) {
    state::require(!amp_detail::same(operator_, ctx.sender), kErrInvalidOperator);
    set_operator(ctx, ctx.sender, operator_, false);
    Log(address(), revoked_operator_event()).address(operator_).address(ctx.sender).emit(ctx);
}

void Amp::authorizeOperatorByPartition(CallContext& ctx, const Bytes32& partition,
                                       const Address& operator_) {
    state::require(!amp_detail::same(operator_, ctx.sender), kErrInvalidOperator);
    set_partition_operator(ctx, partition, ctx.sender, operator_, true);
    Log(address(), authorized_operator_by_partition_event())
        .bytes32(partition)
        .address(operator_)
        .address(ctx.sender)
        .emit(ctx);
}

void Amp::revokeOperatorByPartition(CallContext& ctx, const Bytes32& partition,
                                    const Address& operator_) {
    state::require(!amp_detail::same(operator_, ctx.sender), kErrInvalidOperator);
    set_partition_operator(ctx, partition, ctx.sender, operator_, false);
    Log(address(), revoked_operator_by_partition_event())
        .bytes32(partition)
        .address(operator_)
        .address(ctx.sender)
        .emit(ctx);
}

// ============================================================================
// Collateral managers, partition strategies, ownership
// ============================================================================

void Amp::registerCollateralManager(CallContext& ctx) {
    state::require(!is_collateral_manager(ctx.sender), kErrAddressConflict);
    ctx.journal().push(collateral_managers_, ctx.sender);
    journaled_put(ctx.journal(), is_collateral_manager_, ctx.sender, true);
    Log(address(), collateral_manager_registered_event()).address(ctx.sender).emit(ctx);
}

void Amp::setPartitionStrategy(CallContext& ctx, const Bytes4& prefix,
                               const Address& implementation) {
    state::require(ctx.sender == owner_, kErrInvalidSender);
    state::require(!isPartitionStrategy(prefix), kErrPartitionPrefixConflict);
    state::require(!amp_detail::is_zero(prefix), kErrInvalidPartitionPrefix0);

    const std::string iname = partition_strategy_validator_name(prefix);
    set_interface_implementation(ctx, validator_interface_hash(prefix), implementation);
    ctx.journal().push(partition_strategies_, prefix);
    journaled_put(ctx.journal(), is_partition_strategy_, prefix, true);
    Log(address(), partition_strategy_set_event())
        .bytes4(prefix)
        .string(iname)
        .address(implementation)
        .emit(ctx);
}

void Amp::authorizeOwnershipTransfer(CallContext& ctx, const Address& authorized) {
    state::require(ctx.sender == owner_, kErrOwnableInvalidSender);
    ctx.journal().set(authorized_new_owner_, authorized);
    Log(address(), ownership_transfer_authorization_event())
        .address(authorized_new_owner_)
        .emit(ctx);
}

void Amp::assumeOwnership(CallContext& ctx) {
    state::require(ctx.sender == authorized_new_owner_, kErrOwnableInvalidSender);
    const Address old_owner = owner_;
    ctx.journal().set(owner_, authorized_new_owner_);
    ctx.journal().set(authorized_new_owner_, Address{});
    Log(address(), owner_update_event()).address(old_owner).address(owner_).emit(ctx);
}

// ============================================================================
// Inspection
// ============================================================================

std::vector<Address> Amp::holders() const {
    std::vector<Address> out;
    accounts_.for_each([&](const AccountKey& k, const AccountRecord& r) {
        if (!r.balance.is_zero()) out.push_back(k.address());
    });
    std::sort(out.begin(), out.end());
    return out;
}

u256 Amp::sum_of_balances() const {
    u256 sum;
    accounts_.for_each([&](const AccountKey&, const AccountRecord& r) { sum = sum + r.balance; });
    return sum;
}

std::vector<std::string> Amp::check_invariants() const {
    std::vector<std::string> errors;
    auto fail = [&](std::string msg) { errors.push_back(std::move(msg)); };

    // Per holder: balances add up, the list holds exactly the non-zero
    // partitions and agrees with the index map.
    std::map<Address, u256> other_sums;
    std::map<Bytes32, u256> partition_sums;
    partition_balances_.for_each([&](const HolderPartitionKey& k, const PartitionBalance& p) {
        other_sums[k.holder] = other_sums[k.holder] + p.balance;
        if (!p.balance.is_zero()) {
            partition_sums[k.partition] = partition_sums[k.partition] + p.balance;
        }
        if (p.balance.is_zero() != (p.index == 0)) {
            fail("holder " + k.holder.hex() + " partition " + k.partition.hex() +
                 ": balance and list index disagree");
        }
    });
    u256 sum;
    u256 default_sum;
    accounts_.for_each([&](const AccountKey& key, const AccountRecord& r) {
        const Address a = key.address();
        sum = sum + r.balance;
        default_sum = default_sum + r.default_balance;
        const auto other = other_sums.find(a);
        const u256 others = other == other_sums.end() ? u256() : other->second;
        if (r.default_balance + others != r.balance) {
            fail("holder " + a.hex() + ": partition balances do not add up to the balance");
        }
        if (r.default_balance.is_zero() != (r.default_index == 0)) {
            fail("holder " + a.hex() + ": default balance and list index disagree");
        }
        std::set<Bytes32> seen;
        for (uint32_t i = 0; i < r.partition_count; ++i) {
            const Bytes32 p = read_or_zero(partition_lists_, HolderSlotKey{a, i});
            if (!seen.insert(p).second) fail("holder " + a.hex() + ": duplicate list entry");
            if (holder_partition_index(a, p) != uint64_t{i} + 1) {
                fail("holder " + a.hex() + ": index of " + p.hex() +
                     " does not match its position");
            }
            if (balance_of_by_partition(p, a).is_zero()) {
                fail("holder " + a.hex() + ": lists empty partition " + p.hex());
            }
        }
    });
    partition_balances_.for_each([&](const HolderPartitionKey& k, const PartitionBalance& p) {
        if (p.index == 0) return;
        const AccountRecord r = read_or_zero(accounts_, AccountKey::of(k.holder));
        if (p.index > r.partition_count ||
            read_or_zero(partition_lists_,
                         HolderSlotKey{k.holder, static_cast<uint32_t>(p.index - 1)}) !=
                k.partition) {
            fail("holder " + k.holder.hex() + ": index of " + k.partition.hex() +
                 " points elsewhere");
        }
    });
    if (sum != total_supply_) fail("sum of balances != totalSupply");
    if (default_sum != default_supply_) fail("sum of default balances != its partition supply");

    // totalPartitions: the default first, then exactly the partitions with supply.
    if (total_partitions_.empty() || !amp_detail::is_zero(total_partitions_[0])) {
        fail("totalPartitions does not start with the default partition");
    }
    std::set<Bytes32> listed;
    for (size_t i = 0; i < total_partitions_.size(); ++i) {
        const Bytes32& p = total_partitions_[i];
        if (!listed.insert(p).second) fail("totalPartitions lists " + p.hex() + " twice");
        if (i > 0 && total_partition_index(p) != i + 1) {
            fail("index of " + p.hex() + " does not match its totalPartitions position");
        }
    }
    partition_supplies_.for_each([&](const Bytes32& p, const PartitionSupply& s) {
        const auto it = partition_sums.find(p);
        if (s.supply != (it == partition_sums.end() ? u256() : it->second)) {
            fail("totalSupplyByPartition of " + p.hex() + " != sum of its balances");
        }
        if (s.supply.is_zero() == listed.contains(p)) {
            fail("partition " + p.hex() + ": supply and totalPartitions disagree");
        }
    });
    for (const auto& [p, s] : partition_sums) {
        if (partition_supplies_.find(p) == nullptr) fail("partition " + p.hex() + " has no supply");
    }
    return errors;
}

}  // namespace ampd::contracts
