// SwapToken (Mock Flexacoin, FXC): OpenZeppelin 3.x ERC-20 + Ownable
// behaviour through the ABI, exact revert strings, events and rollback.
#include "ampd/contracts/swap_token.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ampd/contracts/builtin.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/world.hpp"
#include "support/literals.hpp"

namespace ampd::contracts {
namespace {

using namespace ampd::test_support;

using state::BlockContext;
using state::ExecResult;
using state::Message;
using state::RawLog;

const Address kOwner = A("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
const Address kAlice = A("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const Address kBob = A("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
const Address kSpender = A("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
const Address kToken = A("0x5fbdb2315678afecb367f032d93f642f64180aa3");

Bytes32 topic(std::string_view sig) {
    return keccak256(sig);
}
Bytes u256_word(const u256& v) {
    return abi::Encoder().uint256(v).finish();
}
Bytes true_word() {
    return abi::Encoder().boolean(true).finish();
}

class SwapTokenTest : public ::testing::Test {
protected:
    SwapTokenTest() : world_(new_world()) {
        deployed_ = deploy_builtin(*world_, "SwapToken", kToken, kOwner, {}, block_);
    }

    ExecResult tx(const Address& from, const Bytes& calldata) {
        return world_->execute(Message{from, kToken, calldata}, block_);
    }
    ExecResult call(const Bytes& calldata) {
        return world_->simulate(Message{kAlice, kToken, calldata}, block_);
    }

    static Bytes c_addr_amount(std::string_view sig, const Address& a, const u256& v) {
        return abi::Encoder().address(a).uint256(v).finish_call(selector_of(sig));
    }
    static Bytes mint(const Address& to, const u256& v) {
        return c_addr_amount("mint(address,uint256)", to, v);
    }
    static Bytes transfer(const Address& to, const u256& v) {
        return c_addr_amount("transfer(address,uint256)", to, v);
    }
    static Bytes approve(const Address& spender, const u256& v) {
        return c_addr_amount("approve(address,uint256)", spender, v);
    }
    static Bytes transfer_from(const Address& from, const Address& to, const u256& v) {
        return abi::Encoder().address(from).address(to).uint256(v).finish_call(
            selector_of("transferFrom(address,address,uint256)"));
    }

    u256 balance(const Address& a) {
        ExecResult r =
            call(abi::Encoder().address(a).finish_call(selector_of("balanceOf(address)")));
        EXPECT_TRUE(r.success);
        return u256_from_word(Bytes32::from(ByteView(r.output).first(32)));
    }
    u256 allowance(const Address& owner, const Address& spender) {
        ExecResult r = call(abi::Encoder().address(owner).address(spender).finish_call(
            selector_of("allowance(address,address)")));
        EXPECT_TRUE(r.success);
        return u256_from_word(Bytes32::from(ByteView(r.output).first(32)));
    }
    u256 total_supply() {
        ExecResult r = call(abi::Encoder().finish_call(selector_of("totalSupply()")));
        EXPECT_TRUE(r.success);
        return u256_from_word(Bytes32::from(ByteView(r.output).first(32)));
    }
    Address owner() {
        ExecResult r = call(abi::Encoder().finish_call(selector_of("owner()")));
        EXPECT_TRUE(r.success);
        return address_from_word(Bytes32::from(ByteView(r.output).first(32)));
    }

    static void expect_log(const state::LogRecord& log, std::string_view sig, const Address& a,
                           const Address& b, std::optional<u256> value) {
        RawLog raw = state::encode_log(log);
        EXPECT_EQ(raw.address, kToken);
        ASSERT_EQ(raw.topics.size(), 3U);
        EXPECT_EQ(raw.topics[0], topic(sig));
        EXPECT_EQ(raw.topics[1], word_from_address(a));
        EXPECT_EQ(raw.topics[2], word_from_address(b));
        EXPECT_EQ(raw.data, value ? u256_word(*value) : Bytes{});
    }

    static void expect_revert(const ExecResult& r, std::string_view reason) {
        EXPECT_FALSE(r.success);
        EXPECT_EQ(r.revert_reason, reason);
        EXPECT_EQ(r.output, abi::error_data(reason));
        EXPECT_TRUE(r.logs.empty());
    }

    std::unique_ptr<state::World> world_;
    BlockContext block_{1, 1600000000, 1};
    ExecResult deployed_;
};

TEST_F(SwapTokenTest, ConstructorMakesTheDeployerOwner) {
    ASSERT_TRUE(deployed_.success);
    ASSERT_EQ(deployed_.logs.size(), 1U);
    RawLog raw = state::encode_log(deployed_.logs[0]);
    // As recorded from the real contract.
    EXPECT_EQ(
        raw.topics[0],
        *Bytes32::from_hex("0x8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e0"));
    expect_log(deployed_.logs[0], "OwnershipTransferred(address,address)", Address{}, kOwner,
               std::nullopt);
    EXPECT_EQ(owner(), kOwner);
    EXPECT_EQ(world_->contract_at(kToken)->type_name(), "SwapToken");
    EXPECT_NE(world_->contract_as<ISwapToken>(kToken), nullptr);
}

TEST_F(SwapTokenTest, Metadata) {
    EXPECT_EQ(call(abi::Encoder().finish_call(selector_of("name()"))).output,
              abi::Encoder().string("Mock Flexacoin").finish());
    EXPECT_EQ(call(abi::Encoder().finish_call(selector_of("symbol()"))).output,
              abi::Encoder().string("FXC").finish());
    EXPECT_EQ(call(abi::Encoder().finish_call(selector_of("decimals()"))).output, u256_word(18));
    EXPECT_EQ(total_supply(), u256(0));
    EXPECT_EQ(balance(kAlice), u256(0));
}

TEST_F(SwapTokenTest, OwnerMints) {
    ExecResult r = tx(kOwner, mint(kAlice, 1000));
    ASSERT_TRUE(r.success);
    EXPECT_TRUE(r.output.empty());
    ASSERT_EQ(r.logs.size(), 1U);
    expect_log(r.logs[0], "Transfer(address,address,uint256)", Address{}, kAlice, u256(1000));
    EXPECT_EQ(balance(kAlice), u256(1000));
    EXPECT_EQ(total_supply(), u256(1000));

    expect_revert(tx(kAlice, mint(kAlice, 1)), "Ownable: caller is not the owner");
    expect_revert(tx(kOwner, mint(Address{}, 1)), "ERC20: mint to the zero address");
    ASSERT_TRUE(tx(kOwner, mint(kBob, u256::max() - u256(1000))).success);
    expect_revert(tx(kOwner, mint(kBob, 1)), "SafeMath: addition overflow");
    EXPECT_EQ(total_supply(), u256::max());
}

TEST_F(SwapTokenTest, Transfer) {
    ASSERT_TRUE(tx(kOwner, mint(kAlice, 100)).success);
    ExecResult r = tx(kAlice, transfer(kBob, 30));
    ASSERT_TRUE(r.success);
    EXPECT_EQ(r.output, true_word());
    ASSERT_EQ(r.logs.size(), 1U);
    expect_log(r.logs[0], "Transfer(address,address,uint256)", kAlice, kBob, u256(30));
    EXPECT_EQ(balance(kAlice), u256(70));
    EXPECT_EQ(balance(kBob), u256(30));

    expect_revert(tx(kAlice, transfer(kBob, 71)), "ERC20: transfer amount exceeds balance");
    expect_revert(tx(kAlice, transfer(Address{}, 1)), "ERC20: transfer to the zero address");
    // A zero transfer is fine, even from an empty account, and to oneself.
    EXPECT_TRUE(tx(kSpender, transfer(kBob, 0)).success);
    EXPECT_TRUE(tx(kAlice, transfer(kAlice, 70)).success);
    EXPECT_EQ(balance(kAlice), u256(70));
    EXPECT_EQ(total_supply(), u256(100));
}

TEST_F(SwapTokenTest, ApproveAndTransferFrom) {
    ASSERT_TRUE(tx(kOwner, mint(kAlice, 100)).success);
    ExecResult a = tx(kAlice, approve(kSpender, 60));
    ASSERT_TRUE(a.success);
    EXPECT_EQ(a.output, true_word());
    ASSERT_EQ(a.logs.size(), 1U);
    expect_log(a.logs[0], "Approval(address,address,uint256)", kAlice, kSpender, u256(60));
    EXPECT_EQ(allowance(kAlice, kSpender), u256(60));

    // Transfer first, then the Approval with what is left.
    ExecResult t = tx(kSpender, transfer_from(kAlice, kBob, 45));
    ASSERT_TRUE(t.success);
    EXPECT_EQ(t.output, true_word());
    ASSERT_EQ(t.logs.size(), 2U);
    expect_log(t.logs[0], "Transfer(address,address,uint256)", kAlice, kBob, u256(45));
    expect_log(t.logs[1], "Approval(address,address,uint256)", kAlice, kSpender, u256(15));
    EXPECT_EQ(allowance(kAlice, kSpender), u256(15));
    EXPECT_EQ(balance(kAlice), u256(55));
    EXPECT_EQ(balance(kBob), u256(45));

    // Over the allowance: the balance had already moved when the allowance
    // check fails, and the revert puts it back.
    expect_revert(tx(kSpender, transfer_from(kAlice, kBob, 16)),
                  "ERC20: transfer amount exceeds allowance");
    EXPECT_EQ(balance(kAlice), u256(55));
    EXPECT_EQ(balance(kBob), u256(45));
    EXPECT_EQ(allowance(kAlice, kSpender), u256(15));
    // The balance is checked before the allowance.
    expect_revert(tx(kSpender, transfer_from(kAlice, kBob, 56)),
                  "ERC20: transfer amount exceeds balance");
    expect_revert(tx(kSpender, transfer_from(kAlice, Address{}, 1)),
                  "ERC20: transfer to the zero address");
    expect_revert(tx(kSpender, transfer_from(Address{}, kBob, 0)),
                  "ERC20: transfer from the zero address");
    expect_revert(tx(kAlice, approve(Address{}, 1)), "ERC20: approve to the zero address");
}

TEST_F(SwapTokenTest, IncreaseAndDecreaseAllowance) {
    const Bytes inc = c_addr_amount("increaseAllowance(address,uint256)", kSpender, 10);
    ExecResult r = tx(kAlice, inc);
    ASSERT_TRUE(r.success);
    EXPECT_EQ(r.output, true_word());
    expect_log(r.logs.at(0), "Approval(address,address,uint256)", kAlice, kSpender, u256(10));
    ASSERT_TRUE(tx(kAlice, inc).success);
    EXPECT_EQ(allowance(kAlice, kSpender), u256(20));

    ExecResult d = tx(kAlice, c_addr_amount("decreaseAllowance(address,uint256)", kSpender, 5));
    ASSERT_TRUE(d.success);
    expect_log(d.logs.at(0), "Approval(address,address,uint256)", kAlice, kSpender, u256(15));
    expect_revert(tx(kAlice, c_addr_amount("decreaseAllowance(address,uint256)", kSpender, 16)),
                  "ERC20: decreased allowance below zero");
    ASSERT_TRUE(tx(kAlice, approve(kSpender, u256::max())).success);
    expect_revert(tx(kAlice, inc), "SafeMath: addition overflow");
    EXPECT_EQ(allowance(kAlice, kSpender), u256::max());
}

TEST_F(SwapTokenTest, Ownership) {
    const Bytes to_bob =
        abi::Encoder().address(kBob).finish_call(selector_of("transferOwnership(address)"));
    expect_revert(tx(kAlice, to_bob), "Ownable: caller is not the owner");
    expect_revert(tx(kOwner, abi::Encoder().address(Address{}).finish_call(
                                 selector_of("transferOwnership(address)"))),
                  "Ownable: new owner is the zero address");
    ExecResult r = tx(kOwner, to_bob);
    ASSERT_TRUE(r.success);
    ASSERT_EQ(r.logs.size(), 1U);
    expect_log(r.logs[0], "OwnershipTransferred(address,address)", kOwner, kBob, std::nullopt);
    EXPECT_EQ(owner(), kBob);
    expect_revert(tx(kOwner, mint(kAlice, 1)), "Ownable: caller is not the owner");
    EXPECT_TRUE(tx(kBob, mint(kAlice, 1)).success);

    const Bytes renounce = abi::Encoder().finish_call(selector_of("renounceOwnership()"));
    expect_revert(tx(kOwner, renounce), "Ownable: caller is not the owner");
    ExecResult n = tx(kBob, renounce);
    ASSERT_TRUE(n.success);
    expect_log(n.logs.at(0), "OwnershipTransferred(address,address)", kBob, Address{},
               std::nullopt);
    EXPECT_EQ(owner(), Address{});
    expect_revert(tx(kBob, mint(kAlice, 1)), "Ownable: caller is not the owner");
}

TEST_F(SwapTokenTest, TypedInterfaceAsAmpUsesIt) {
    // Amp.swap reads the allowance it was given and pulls the tokens with
    // transferFrom, in its own frame (msg.sender = Amp).
    ASSERT_TRUE(tx(kOwner, mint(kAlice, 500)).success);
    ASSERT_TRUE(tx(kAlice, approve(kSpender, 500)).success);
    auto& token = world_->require_contract<ISwapToken>(kToken);
    state::CallContext amp_frame{
        *world_, kToken, kSpender, kAlice, selector_of("transferFrom(address,address,uint256)"),
        block_};
    EXPECT_EQ(token.allowance(amp_frame, kAlice, kSpender), u256(500));
    EXPECT_TRUE(token.transferFrom(amp_frame, kAlice, kBob, 500));
    world_->journal().commit();
    EXPECT_EQ(balance(kBob), u256(500));
    EXPECT_EQ(allowance(kAlice, kSpender), u256(0));
}

TEST_F(SwapTokenTest, MalformedCallsRevertWithoutData) {
    for (const Bytes& data : {Bytes{}, Bytes{0xa9, 0x05, 0x9c}, Bytes{1, 2, 3, 4}}) {
        ExecResult r = tx(kAlice, data);
        EXPECT_FALSE(r.success);
        EXPECT_TRUE(r.output.empty());
        EXPECT_EQ(r.revert_kind, state::Revert::Kind::kEmpty);
    }
    Bytes short_transfer = transfer(kBob, 1);
    short_transfer.pop_back();
    ExecResult r = tx(kAlice, short_transfer);
    EXPECT_FALSE(r.success);
    EXPECT_TRUE(r.output.empty());
}

TEST_F(SwapTokenTest, ManyHolders) {
    constexpr uint32_t kN = 3000;
    auto holder = [](uint32_t i) {
        Address a;
        a.b[0] = 0xa1;
        a.b[18] = static_cast<uint8_t>(i >> 8);
        a.b[19] = static_cast<uint8_t>(i);
        return a;
    };
    for (uint32_t i = 0; i < kN; ++i) ASSERT_TRUE(tx(kOwner, mint(holder(i), i + 1)).success);
    for (uint32_t i = 0; i < kN; ++i) EXPECT_EQ(balance(holder(i)), u256(i + 1));
    EXPECT_EQ(total_supply(), u256(uint64_t{kN} * (kN + 1) / 2));
}

}  // namespace
}  // namespace ampd::contracts
