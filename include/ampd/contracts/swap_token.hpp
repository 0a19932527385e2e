// SwapToken: the ERC-20 that Amp.swap converts from — the "Mock Flexacoin"
// (FXC) used alongside Amp: an OpenZeppelin 3.x ERC20 with 18 decimals and
// Ownable, whose owner may mint.
//
// Behaviour (return values, revert strings, events and their order, state)
// matches that contract compiled with solc 0.6 (ABI decoder v1: narrow
// values masked; short calldata reverts without data). transferFrom emits an
// Approval with the reduced allowance after the Transfer.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "ampd/contracts/interfaces.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"
#include "ampd/state/contract.hpp"
#include "ampd/state/flat_map.hpp"
#include "ampd/state/log.hpp"

namespace ampd::contracts {

class SwapToken final : public state::Contract, public ISwapToken {
public:
    static constexpr std::string_view kName = "Mock Flexacoin";
    static constexpr std::string_view kSymbol = "FXC";
    static constexpr uint8_t kDecimals = 18;

    // Runs the constructor (no arguments) in frame `ctx`: the deployer
    // (ctx.sender) becomes the owner (OwnershipTransferred(0, deployer)).
    static std::unique_ptr<state::Contract> create(state::CallContext& ctx, ByteView ctor_args);

    // Transfer(address indexed from, address indexed to, uint256 value)
    static const state::EventDescriptor& transfer_event();
    // Approval(address indexed owner, address indexed spender, uint256 value)
    static const state::EventDescriptor& approval_event();
    // OwnershipTransferred(address indexed previousOwner, address indexed newOwner)
    static const state::EventDescriptor& ownership_transferred_event();
    // Every event the contract can emit, in declaration order.
    static const std::vector<const state::EventDescriptor*>& events();

    [[nodiscard]] std::string_view type_name() const override { return "SwapToken"; }
    Bytes dispatch(state::CallContext& ctx, ByteView calldata) override;
    // Snapshots: save() writes the state, load() rebuilds an instance at
    // `self` from it (see builtin.hpp, load_world).
    void save(state::SnapshotWriter& w) const override;
    static std::unique_ptr<state::Contract> load(const Address& self, state::SnapshotReader& r);

    // --- Views.
    [[nodiscard]] const u256& totalSupply() const { return total_supply_; }
    [[nodiscard]] u256 balanceOf(const Address& account) const;
    [[nodiscard]] u256 allowance_of(const Address& owner, const Address& spender) const;
    [[nodiscard]] const Address& owner() const { return owner_; }

    // --- External functions; msg.sender is ctx.sender. All revert with the
    // OpenZeppelin 3.x messages.
    u256 allowance(state::CallContext& ctx, const Address& owner, const Address& spender) override;
    bool transfer(state::CallContext& ctx, const Address& recipient, const u256& amount);
    bool approve(state::CallContext& ctx, const Address& spender, const u256& amount);
    bool transferFrom(state::CallContext& ctx, const Address& from, const Address& to,
                      const u256& value) override;
    bool increaseAllowance(state::CallContext& ctx, const Address& spender, const u256& added);
    bool decreaseAllowance(state::CallContext& ctx, const Address& spender, const u256& subtracted);
    void mint(state::CallContext& ctx, const Address& account, const u256& amount);
    void renounceOwnership(state::CallContext& ctx);
    void transferOwnership(state::CallContext& ctx, const Address& new_owner);

private:
    SwapToken(const Address& self, const Address& owner);

    struct AllowanceKey {
        Address owner;
        Address spender;
        friend bool operator==(const AllowanceKey&, const AllowanceKey&) = default;
    };
    struct AllowanceKeyHash {
        size_t operator()(const AllowanceKey& k) const noexcept;
    };
    struct AccountHash {
        size_t operator()(const Address& a) const noexcept;
    };

    void only_owner(const state::CallContext& ctx) const;
    void set_owner(state::CallContext& ctx, const Address& new_owner);
    void move(state::CallContext& ctx, const Address& sender, const Address& recipient,
              const u256& amount);
    void set_allowance(state::CallContext& ctx, const Address& owner, const Address& spender,
                       const u256& amount);

    Address owner_;
    u256 total_supply_;
    state::FlatMap<Address, u256, AccountHash> balances_;
    state::FlatMap<AllowanceKey, u256, AllowanceKeyHash> allowances_;
};

}  // namespace ampd::contracts
