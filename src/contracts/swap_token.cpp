#include "ampd/contracts/swap_token.hpp"

#include "ampd/primitives/abi.hpp"
#include "ampd/state/revert.hpp"
#include "ampd/state/world.hpp"
#include "contracts/abi_methods.hpp"

namespace ampd::contracts {

using state::CallContext;
using namespace abi_methods;  // NOLINT(google-build-using-namespace)

namespace {

u256 checked_add(const u256& a, const u256& b) {
    u256 r;
    if (add_overflow(a, b, r)) state::revert("SafeMath: addition overflow");
    return r;
}

u256 checked_sub(const u256& a, const u256& b, std::string_view reason) {
    u256 r;
    if (sub_underflow(a, b, r)) state::revert(reason);
    return r;
}

}  // namespace

size_t SwapToken::AccountHash::operator()(const Address& a) const noexcept {
    return mix64(address_bits(a));
}

size_t SwapToken::AllowanceKeyHash::operator()(const AllowanceKey& k) const noexcept {
    return mix64(address_bits(k.owner) ^ (address_bits(k.spender) * 0x9E3779B97F4A7C15ULL));
}

SwapToken::SwapToken(const Address& self, const Address& owner)
    : state::Contract(self), owner_(owner) {}

std::unique_ptr<state::Contract> SwapToken::create(CallContext& ctx, ByteView /*ctor_args*/) {
    // A constructor without parameters ignores any appended arguments.
    auto token = std::unique_ptr<SwapToken>(new SwapToken(ctx.self, ctx.sender));
    ctx.emit(state::LogBuilder(ctx.self, ownership_transferred_event())
                 .address(Address{})
                 .address(ctx.sender)
                 .build());
    return token;
}

const state::EventDescriptor& SwapToken::transfer_event() {
    static const state::EventDescriptor kEv =
        state::make_event("Transfer", {{"from", state::AbiType::kAddress, true},
                                       {"to", state::AbiType::kAddress, true},
                                       {"value", state::AbiType::kUint256, false}});
    return kEv;
}

const state::EventDescriptor& SwapToken::approval_event() {
    static const state::EventDescriptor kEv =
        state::make_event("Approval", {{"owner", state::AbiType::kAddress, true},
                                       {"spender", state::AbiType::kAddress, true},
                                       {"value", state::AbiType::kUint256, false}});
    return kEv;
}

const state::EventDescriptor& SwapToken::ownership_transferred_event() {
    static const state::EventDescriptor kEv = state::make_event(
        "OwnershipTransferred", {{"previousOwner", state::AbiType::kAddress, true},
                                 {"newOwner", state::AbiType::kAddress, true}});
    return kEv;
}

const std::vector<const state::EventDescriptor*>& SwapToken::events() {
    static const std::vector<const state::EventDescriptor*> kAll{
        &transfer_event(), &approval_event(), &ownership_transferred_event()};
    return kAll;
}

// --- Views

u256 SwapToken::balanceOf(const Address& account) const {
    return read_or_zero(balances_, account);
}

u256 SwapToken::allowance_of(const Address& owner, const Address& spender) const {
    return read_or_zero(allowances_, AllowanceKey{owner, spender});
}

u256 SwapToken::allowance(CallContext& /*ctx*/, const Address& owner, const Address& spender) {
    return allowance_of(owner, spender);
}

// --- ERC-20

bool SwapToken::transfer(CallContext& ctx, const Address& recipient, const u256& amount) {
    move(ctx, ctx.sender, recipient, amount);
    return true;
}

bool SwapToken::approve(CallContext& ctx, const Address& spender, const u256& amount) {
    set_allowance(ctx, ctx.sender, spender, amount);
    return true;
}

bool SwapToken::transferFrom(CallContext& ctx, const Address& from, const Address& to,
                             const u256& value) {
    // The balance moves first; the allowance is checked and lowered after.
    move(ctx, from, to, value);
    const u256 remaining = checked_sub(allowance_of(from, ctx.sender), value,
                                       "ERC20: transfer amount exceeds allowance");
    set_allowance(ctx, from, ctx.sender, remaining);
    return true;
}

bool SwapToken::increaseAllowance(CallContext& ctx, const Address& spender, const u256& added) {
    set_allowance(ctx, ctx.sender, spender, checked_add(allowance_of(ctx.sender, spender), added));
    return true;
}

bool SwapToken::decreaseAllowance(CallContext& ctx, const Address& spender,
                                  const u256& subtracted) {
    set_allowance(ctx, ctx.sender, spender,
                  checked_sub(allowance_of(ctx.sender, spender), subtracted,
                              "ERC20: decreased allowance below zero"));
    return true;
}

void SwapToken::mint(CallContext& ctx, const Address& account, const u256& amount) {
    only_owner(ctx);
    state::require(!account.is_zero(), "ERC20: mint to the zero address");
    ctx.journal().set(total_supply_, checked_add(total_supply_, amount));
    journaled_put(ctx.journal(), balances_, account, checked_add(balanceOf(account), amount));
    ctx.emit(state::LogBuilder(address(), transfer_event())
                 .address(Address{})
                 .address(account)
                 .u256v(amount)
                 .build());
}

void SwapToken::move(CallContext& ctx, const Address& sender, const Address& recipient,
                     const u256& amount) {
    state::require(!sender.is_zero(), "ERC20: transfer from the zero address");
    state::require(!recipient.is_zero(), "ERC20: transfer to the zero address");
    journaled_put(ctx.journal(), balances_, sender,
                  checked_sub(balanceOf(sender), amount, "ERC20: transfer amount exceeds balance"));
    journaled_put(ctx.journal(), balances_, recipient, checked_add(balanceOf(recipient), amount));
    ctx.emit(state::LogBuilder(address(), transfer_event())
                 .address(sender)
                 .address(recipient)
                 .u256v(amount)
                 .build());
}

void SwapToken::set_allowance(CallContext& ctx, const Address& owner, const Address& spender,
                              const u256& amount) {
    state::require(!owner.is_zero(), "ERC20: approve from the zero address");
    state::require(!spender.is_zero(), "ERC20: approve to the zero address");
    journaled_put(ctx.journal(), allowances_, AllowanceKey{owner, spender}, amount);
    ctx.emit(state::LogBuilder(address(), approval_event())
                 .address(owner)
                 .address(spender)
                 .u256v(amount)
                 .build());
}

// --- Ownable

void SwapToken::only_owner(const CallContext& ctx) const {
    state::require(ctx.sender == owner_, "Ownable: caller is not the owner");
}

void SwapToken::set_owner(CallContext& ctx, const Address& new_owner) {
    ctx.emit(state::LogBuilder(address(), ownership_transferred_event())
                 .address(owner_)
                 .address(new_owner)
                 .build());
    ctx.journal().set(owner_, new_owner);
}

void SwapToken::renounceOwnership(CallContext& ctx) {
    only_owner(ctx);
    set_owner(ctx, Address{});
}

void SwapToken::transferOwnership(CallContext& ctx, const Address& new_owner) {
    only_owner(ctx);
    state::require(!new_owner.is_zero(), "Ownable: new owner is the zero address");
    set_owner(ctx, new_owner);
}

// --- ABI

Bytes SwapToken::dispatch(CallContext& ctx, ByteView calldata) {
    using T = SwapToken;
    static const SelectorTable<T> kTable{
        {"name()", 0, [](T&, CallContext&, const abi::Decoder&) { return ret_string(kName); }},
        {"symbol()", 0, [](T&, CallContext&, const abi::Decoder&) { return ret_string(kSymbol); }},
        {"decimals()", 0,
         [](T&, CallContext&, const abi::Decoder&) { return ret_u256(u256(kDecimals)); }},
        {"totalSupply()", 0,
         [](T& c, CallContext&, const abi::Decoder&) { return ret_u256(c.total_supply_); }},
        {"balanceOf(address)", 1,
         [](T& c, CallContext&, const abi::Decoder& d) {
             return ret_u256(c.balanceOf(arg(d.address(0))));
         }},
        {"allowance(address,address)", 2,
         [](T& c, CallContext&, const abi::Decoder& d) {
             const Address owner = arg(d.address(0));
             const Address spender = arg(d.address(1));
             return ret_u256(c.allowance_of(owner, spender));
         }},
        {"transfer(address,uint256)", 2,
         [](T& c, CallContext& ctx, const abi::Decoder& d) {
             const Address to = arg(d.address(0));
             const u256 amount = arg(d.uint256(1));
             return ret_bool(c.transfer(ctx, to, amount));
         }},
        {"approve(address,uint256)", 2,
         [](T& c, CallContext& ctx, const abi::Decoder& d) {
             const Address spender = arg(d.address(0));
             const u256 amount = arg(d.uint256(1));
             return ret_bool(c.approve(ctx, spender, amount));
         }},
        {"transferFrom(address,address,uint256)", 3,
         [](T& c, CallContext& ctx, const abi::Decoder& d) {
             const Address from = arg(d.address(0));
             const Address to = arg(d.address(1));
             const u256 amount = arg(d.uint256(2));
             return ret_bool(c.transferFrom(ctx, from, to, amount));
         }},
        {"increaseAllowance(address,uint256)", 2,
         [](T& c, CallContext& ctx, const abi::Decoder& d) {
             const Address spender = arg(d.address(0));
             const u256 added = arg(d.uint256(1));
             return ret_bool(c.increaseAllowance(ctx, spender, added));
         }},
        {"decreaseAllowance(address,uint256)", 2,
         [](T& c, CallContext& ctx, const abi::Decoder& d) {
             const Address spender = arg(d.address(0));
             const u256 subtracted = arg(d.uint256(1));
             return ret_bool(c.decreaseAllowance(ctx, spender, subtracted));
         }},
        {"mint(address,uint256)", 2,
         [](T& c, CallContext& ctx, const abi::Decoder& d) {
             const Address account = arg(d.address(0));
             const u256 amount = arg(d.uint256(1));
             c.mint(ctx, account, amount);
             return Bytes{};
         }},
        {"owner()", 0,
         [](T& c, CallContext&, const abi::Decoder&) { return ret_address(c.owner_); }},
        {"renounceOwnership()", 0,
         [](T& c, CallContext& ctx, const abi::Decoder&) {
             c.renounceOwnership(ctx);
             return Bytes{};
         }},
        {"transferOwnership(address)", 1,
         [](T& c, CallContext& ctx, const abi::Decoder& d) {
             c.transferOwnership(ctx, arg(d.address(0)));
             return Bytes{};
         }},
    };
    return kTable.dispatch(*this, ctx, calldata);
}

}  // namespace ampd::contracts
