// The ERC-1820 registry: implementers, managers, the implementer acceptance
// check, ERC-165 ids, events and rollback, driven through the ABI as a client
// would (and the typed interface Amp uses).
#include "ampd/contracts/erc1820_registry.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/constants.hpp"
#include "ampd/contracts/partition_validators.hpp"
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

const Address kAlice = A("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
const Address kBob = A("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
const Address kCarol = A("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const Address kValidatorAt = A("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
const Address kSwapAt = A("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const Address kAmpAt = A("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");

class Erc1820RegistryTest : public ::testing::Test {
protected:
    Erc1820RegistryTest() : world_(new_world()) {}

    ExecResult tx(const Address& from, const Bytes& calldata) {
        return world_->execute(Message{from, registry(), calldata}, block_);
    }
    ExecResult call(const Address& from, const Bytes& calldata) {
        return world_->simulate(Message{from, registry(), calldata}, block_);
    }

    static const Address& registry() { return erc1820_registry_address(); }

    static Bytes set_implementer(const Address& addr, const Bytes32& hash, const Address& impl) {
        return abi::Encoder().address(addr).bytes32(hash).address(impl).finish_call(
            selector_of("setInterfaceImplementer(address,bytes32,address)"));
    }
    static Bytes get_implementer(const Address& addr, const Bytes32& hash) {
        return abi::Encoder().address(addr).bytes32(hash).finish_call(
            selector_of("getInterfaceImplementer(address,bytes32)"));
    }
    static Bytes set_manager(const Address& addr, const Address& manager) {
        return abi::Encoder().address(addr).address(manager).finish_call(
            selector_of("setManager(address,address)"));
    }
    static Bytes get_manager(const Address& addr) {
        return abi::Encoder().address(addr).finish_call(selector_of("getManager(address)"));
    }

    Address implementer(const Address& addr, const Bytes32& hash) {
        ExecResult r = call(kCarol, get_implementer(addr, hash));
        EXPECT_TRUE(r.success);
        return address_from_word(Bytes32::from(ByteView(r.output).first(32)));
    }
    Address manager(const Address& addr) {
        ExecResult r = call(kCarol, get_manager(addr));
        EXPECT_TRUE(r.success);
        return address_from_word(Bytes32::from(ByteView(r.output).first(32)));
    }

    void deploy(std::string_view type, const Address& at, const Bytes& args) {
        ExecResult r = deploy_builtin(*world_, type, at, kAlice, args, block_);
        ASSERT_TRUE(r.success) << type;
    }

    Erc1820Registry& reg() { return *world_->contract_as<Erc1820Registry>(registry()); }

    std::unique_ptr<state::World> world_;
    BlockContext block_{1, 1600000000, 1};
};

TEST_F(Erc1820RegistryTest, InstalledAtTheCanonicalAddress) {
    EXPECT_EQ(registry(), A("0x1820a4b7618bde71dce8cdc73aab6c95905fad24"));
    ASSERT_NE(world_->contract_as<Erc1820Registry>(registry()), nullptr);
    ASSERT_NE(world_->contract_as<IERC1820Registry>(registry()), nullptr);
    EXPECT_EQ(world_->contract_at(registry())->type_name(), "ERC1820Registry");
}

TEST_F(Erc1820RegistryTest, InterfaceHashIsKeccakOfTheName) {
    ExecResult r = call(kAlice, abi::Encoder()
                                    .string("ERC777TokensRecipient")
                                    .finish_call(selector_of("interfaceHash(string)")));
    ASSERT_TRUE(r.success);
    EXPECT_EQ(r.output,
              abi::Encoder()
                  .bytes32(B32("0xb281fc8c12954d22544db45de3159a39272895b169a852b314f9cc76"
                               "2e44c53b"))
                  .finish());
    EXPECT_EQ(Erc1820Registry::interface_hash("ERC777TokensSender"),
              B32("0x29ddb589b1fb5fc7cf394961c1adf5f8c6454761adf795e67fe149f658abe895"));
    EXPECT_EQ(Erc1820Registry::accept_magic(),
              B32("0xa2ef4600d742022d532d4747cb3547474667d6f13804902513b2ec01c848f4b4"));
}

TEST_F(Erc1820RegistryTest, UnsetImplementerIsZero) {
    EXPECT_EQ(implementer(kAlice, Erc1820Registry::interface_hash("AmpTokensSender")), Address{});
}

TEST_F(Erc1820RegistryTest, AddressSetsItselfAsImplementerAndEmits) {
    const Bytes32 hash = Erc1820Registry::interface_hash("AmpTokensRecipient");
    ExecResult r = tx(kAlice, set_implementer(kAlice, hash, kAlice));
    ASSERT_TRUE(r.success);
    EXPECT_TRUE(r.output.empty());
    ASSERT_EQ(r.logs.size(), 1U);
    RawLog raw = state::encode_log(r.logs[0]);
    EXPECT_EQ(raw.address, registry());
    ASSERT_EQ(raw.topics.size(), 4U);
    EXPECT_EQ(raw.topics[0],
              keccak256(std::string_view("InterfaceImplementerSet(address,bytes32,address)")));
    EXPECT_EQ(raw.topics[1], word_from_address(kAlice));
    EXPECT_EQ(raw.topics[2], hash);
    EXPECT_EQ(raw.topics[3], word_from_address(kAlice));
    EXPECT_TRUE(raw.data.empty());
    EXPECT_EQ(r.logs[0].event, &Erc1820Registry::interface_implementer_set_event());

    EXPECT_EQ(implementer(kAlice, hash), kAlice);
    EXPECT_EQ(implementer(kBob, hash), Address{});
    EXPECT_EQ(implementer(kAlice, Erc1820Registry::interface_hash("AmpTokensSender")), Address{});
}

TEST_F(Erc1820RegistryTest, ZeroAddressMeansTheSender) {
    const Bytes32 hash = Erc1820Registry::interface_hash("X");
    ExecResult r = tx(kBob, set_implementer(Address{}, hash, kBob));
    ASSERT_TRUE(r.success);
    RawLog raw = state::encode_log(r.logs.at(0));
    EXPECT_EQ(raw.topics[1], word_from_address(kBob));  // the event names the resolved address
    EXPECT_EQ(implementer(kBob, hash), kBob);
    // Reading with the zero address resolves to the caller too.
    ExecResult g = call(kBob, get_implementer(Address{}, hash));
    ASSERT_TRUE(g.success);
    EXPECT_EQ(g.output, abi::Encoder().address(kBob).finish());
    ExecResult other = call(kCarol, get_implementer(Address{}, hash));
    EXPECT_EQ(other.output, abi::Encoder().address(Address{}).finish());
}

TEST_F(Erc1820RegistryTest, ClearingAnImplementerWithZero) {
    const Bytes32 hash = Erc1820Registry::interface_hash("X");
    ASSERT_TRUE(tx(kAlice, set_implementer(kAlice, hash, kAlice)).success);
    ExecResult r = tx(kAlice, set_implementer(kAlice, hash, Address{}));
    ASSERT_TRUE(r.success);
    EXPECT_EQ(state::encode_log(r.logs.at(0)).topics[3], Bytes32{});
    EXPECT_EQ(implementer(kAlice, hash), Address{});
}

TEST_F(Erc1820RegistryTest, OnlyTheManagerSetsImplementers) {
    const Bytes32 hash = Erc1820Registry::interface_hash("X");
    ExecResult r = tx(kBob, set_implementer(kAlice, hash, kBob));
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.revert_reason, "Not the manager");
    EXPECT_EQ(r.output, abi::error_data("Not the manager"));
    EXPECT_TRUE(r.logs.empty());
    EXPECT_EQ(implementer(kAlice, hash), Address{});
}

TEST_F(Erc1820RegistryTest, Erc165HashesAreRejected) {
    Bytes32 erc165;
    erc165.b = {0x01, 0xff, 0xc9, 0xa7};
    ExecResult r = tx(kAlice, set_implementer(kAlice, erc165, kAlice));
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.revert_reason, "Must not be an ERC165 hash");
    // The manager check comes first.
    ExecResult m = tx(kBob, set_implementer(kAlice, erc165, kAlice));
    EXPECT_EQ(m.revert_reason, "Not the manager");
    // A hash with any bit in its last 28 bytes is not an ERC-165 id.
    Bytes32 almost = erc165;
    almost.b[31] = 1;
    EXPECT_TRUE(tx(kAlice, set_implementer(kAlice, almost, kAlice)).success);
    EXPECT_TRUE(Erc1820Registry::is_erc165_hash(Bytes32{}));
}

TEST_F(Erc1820RegistryTest, ManagerLifecycle) {
    EXPECT_EQ(manager(kAlice), kAlice);  // an address manages itself by default

    ExecResult r = tx(kAlice, set_manager(kAlice, kBob));
    ASSERT_TRUE(r.success);
    ASSERT_EQ(r.logs.size(), 1U);
    RawLog raw = state::encode_log(r.logs[0]);
    EXPECT_EQ(raw.address, registry());
    ASSERT_EQ(raw.topics.size(), 3U);
    EXPECT_EQ(raw.topics[0], keccak256(std::string_view("ManagerChanged(address,address)")));
    EXPECT_EQ(raw.topics[1], word_from_address(kAlice));
    EXPECT_EQ(raw.topics[2], word_from_address(kBob));
    EXPECT_TRUE(raw.data.empty());
    EXPECT_EQ(manager(kAlice), kBob);

    // The old manager lost control; the new one sets implementers for Alice.
    const Bytes32 hash = Erc1820Registry::interface_hash("X");
    EXPECT_EQ(tx(kAlice, set_implementer(kAlice, hash, kAlice)).revert_reason, "Not the manager");
    EXPECT_EQ(tx(kAlice, set_manager(kAlice, kCarol)).revert_reason, "Not the manager");
    ExecResult s = tx(kBob, set_implementer(kAlice, hash, kBob));  // implementer == msg.sender
    ASSERT_TRUE(s.success);
    EXPECT_EQ(implementer(kAlice, hash), kBob);

    // Handing management back to the address itself resets the default; the
    // event still names the address given.
    ExecResult back = tx(kBob, set_manager(kAlice, kAlice));
    ASSERT_TRUE(back.success);
    EXPECT_EQ(state::encode_log(back.logs.at(0)).topics[2], word_from_address(kAlice));
    EXPECT_EQ(manager(kAlice), kAlice);
    EXPECT_EQ(reg().manager_of(kAlice), kAlice);
    EXPECT_TRUE(tx(kAlice, set_manager(kAlice, kCarol)).success);
    EXPECT_EQ(manager(kAlice), kCarol);

    // setManager takes the zero address literally: its manager is itself.
    EXPECT_EQ(manager(Address{}), Address{});
    EXPECT_EQ(tx(kAlice, set_manager(Address{}, kAlice)).revert_reason, "Not the manager");
}

TEST_F(Erc1820RegistryTest, ImplementerWithoutCodeRevertsWithoutData) {
    const Bytes32 hash = Erc1820Registry::interface_hash("X");
    ExecResult r = tx(kAlice, set_implementer(kAlice, hash, kBob));
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.revert_kind, state::Revert::Kind::kEmpty);
    EXPECT_TRUE(r.output.empty());
    EXPECT_EQ(implementer(kAlice, hash), Address{});
}

TEST_F(Erc1820RegistryTest, ImplementerWithoutTheFunctionRevertsWithoutData) {
    deploy("SwapToken", kSwapAt, {});
    ExecResult r =
        tx(kAlice, set_implementer(kAlice, Erc1820Registry::interface_hash("X"), kSwapAt));
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.revert_kind, state::Revert::Kind::kEmpty);
    EXPECT_TRUE(r.output.empty());
}

TEST_F(Erc1820RegistryTest, ImplementerMustAccept) {
    deploy("CollateralPoolPartitionValidator", kValidatorAt,
           abi::Encoder().address(kAmpAt).finish());
    const Bytes32 accepted = PartitionStrategyValidatorBase::validator_interface_hash(
        CollateralPoolPartitionValidator::prefix());
    Bytes4 other_prefix;
    other_prefix.b = {0xbb, 0xbb, 0xbb, 0xbb};
    const Bytes32 refused = PartitionStrategyValidatorBase::validator_interface_hash(other_prefix);

    ExecResult no = tx(kAlice, set_implementer(kAlice, refused, kValidatorAt));
    EXPECT_FALSE(no.success);
    EXPECT_EQ(no.revert_reason, "Does not implement the interface");
    EXPECT_EQ(no.output, abi::error_data("Does not implement the interface"));

    ExecResult yes = tx(kAlice, set_implementer(kAlice, accepted, kValidatorAt));
    ASSERT_TRUE(yes.success);
    RawLog raw = state::encode_log(yes.logs.at(0));
    EXPECT_EQ(raw.topics[3], word_from_address(kValidatorAt));
    EXPECT_EQ(implementer(kAlice, accepted), kValidatorAt);
    EXPECT_EQ(reg().stored_implementer(kAlice, accepted), kValidatorAt);
}

TEST_F(Erc1820RegistryTest, Erc165QueriesAnswerFalseForEveryAddress) {
    deploy("SwapToken", kSwapAt, {});
    const Bytes4 erc165_id = *Bytes4::from_hex("0x01ffc9a7");
    Bytes32 erc165_hash;
    erc165_hash.b = {0x01, 0xff, 0xc9, 0xa7};
    for (const Address& a : {kAlice, kSwapAt, registry()}) {
        EXPECT_EQ(implementer(a, erc165_hash), Address{});
        for (const char* sig : {"implementsERC165Interface(address,bytes4)",
                                "implementsERC165InterfaceNoCache(address,bytes4)"}) {
            ExecResult r = call(
                kAlice, abi::Encoder().address(a).bytes4(erc165_id).finish_call(selector_of(sig)));
            ASSERT_TRUE(r.success);
            EXPECT_EQ(r.output, abi::Encoder().boolean(false).finish()) << sig;
        }
    }
}

TEST_F(Erc1820RegistryTest, Erc165CacheUpdate) {
    const Bytes4 id = *Bytes4::from_hex("0x12345678");
    const Bytes update_alice = abi::Encoder().address(kAlice).bytes4(id).finish_call(
        selector_of("updateERC165Cache(address,bytes4)"));
    ExecResult u = tx(kBob, update_alice);  // anyone may refresh the cache
    ASSERT_TRUE(u.success);
    EXPECT_TRUE(u.logs.empty());
    EXPECT_TRUE(u.output.empty());
    CallContext frame{*world_, registry(), kCarol, kCarol, Bytes4{}, block_};
    EXPECT_FALSE(reg().implementsERC165Interface(frame, kAlice, id));

    // The cached "no" is stored as a zero implementer, which for the zero
    // address reads as "implements", as on chain.
    const Bytes update_zero = abi::Encoder().address(Address{}).bytes4(id).finish_call(
        selector_of("updateERC165Cache(address,bytes4)"));
    const Bytes query_zero = abi::Encoder().address(Address{}).bytes4(id).finish_call(
        selector_of("implementsERC165Interface(address,bytes4)"));
    EXPECT_EQ(call(kAlice, query_zero).output, abi::Encoder().boolean(false).finish());
    ASSERT_TRUE(tx(kAlice, update_zero).success);
    EXPECT_EQ(call(kAlice, query_zero).output, abi::Encoder().boolean(true).finish());
}

TEST_F(Erc1820RegistryTest, MalformedCallsRevertWithoutData) {
    for (const Bytes& data : {Bytes{}, Bytes{0xaa, 0xbb, 0xb8}, Bytes{0xde, 0xad, 0xbe, 0xef}}) {
        ExecResult r = tx(kAlice, data);
        EXPECT_FALSE(r.success);
        EXPECT_EQ(r.revert_kind, state::Revert::Kind::kEmpty);
        EXPECT_TRUE(r.output.empty());
    }
    // One argument word short.
    Bytes short_call = get_implementer(kAlice, Bytes32{});
    short_call.resize(short_call.size() - 1);
    EXPECT_FALSE(call(kAlice, short_call).success);
    // An out-of-range string offset.
    const Bytes4 sel = selector_of("interfaceHash(string)");
    Bytes bad_string(sel.b.begin(), sel.b.end());
    Bytes32 offset = word_from_u256(u256(0x1000));
    bad_string.insert(bad_string.end(), offset.b.begin(), offset.b.end());
    ExecResult s = call(kAlice, bad_string);
    EXPECT_FALSE(s.success);
    EXPECT_TRUE(s.output.empty());
}

TEST_F(Erc1820RegistryTest, DirtyAddressBitsAreMasked) {
    Bytes data = get_manager(kAlice);
    data[4] = 0xff;  // high byte of the address word
    ExecResult r = call(kAlice, data);
    ASSERT_TRUE(r.success);
    EXPECT_EQ(r.output, abi::Encoder().address(kAlice).finish());
}

TEST_F(Erc1820RegistryTest, WritesRollBackWithTheTransaction) {
    // A constructor that registers in the registry and then fails: nothing
    // it wrote survives.
    const Bytes32 hash = Erc1820Registry::interface_hash("Rollback");
    const Address at = A("0x00000000000000000000000000000000000000c0");
    ExecResult r = world_->deploy(
        at, kAlice,
        [&](state::CallContext& ctx) -> std::unique_ptr<state::Contract> {
            auto& registry_if = ctx.world.require_contract<IERC1820Registry>(registry());
            state::CallContext sub = ctx.call_to(registry(), Bytes4{});
            registry_if.setInterfaceImplementer(sub, Address{}, hash, at);
            EXPECT_EQ(registry_if.getInterfaceImplementer(sub, at, hash), at);
            reg().setManager(sub, at, kBob);
            state::revert("constructor failed");
        },
        block_);
    EXPECT_FALSE(r.success);
    EXPECT_TRUE(r.logs.empty());
    EXPECT_EQ(implementer(at, hash), Address{});
    EXPECT_EQ(manager(at), at);
    EXPECT_EQ(world_->journal().size(), 0U);
}

TEST_F(Erc1820RegistryTest, ManyEntriesThroughTheTypedInterface) {
    // Amp's hot path: typed lookups from another contract's frame. Thousands
    // of entries (the table grows many times) stay exact.
    auto& r = *world_->contract_as<IERC1820Registry>(registry());
    const Bytes32 sender_hash = Erc1820Registry::interface_hash("AmpTokensSender");
    const Bytes32 recipient_hash = Erc1820Registry::interface_hash("AmpTokensRecipient");
    auto holder = [](uint32_t i) {
        Address a;
        a.b[0] = 0xa1;
        a.b[16] = static_cast<uint8_t>(i >> 24);
        a.b[17] = static_cast<uint8_t>(i >> 16);
        a.b[18] = static_cast<uint8_t>(i >> 8);
        a.b[19] = static_cast<uint8_t>(i);
        return a;
    };
    constexpr uint32_t kN = 5000;
    for (uint32_t i = 0; i < kN; ++i) {
        const Address h = holder(i);
        ASSERT_TRUE(
            tx(h, set_implementer(h, (i % 2 == 0) ? sender_hash : recipient_hash, h)).success);
    }
    state::CallContext amp_frame{*world_, registry(), kAmpAt, kAlice, Bytes4{}, block_};
    for (uint32_t i = 0; i < kN; ++i) {
        const Address h = holder(i);
        EXPECT_EQ(r.getInterfaceImplementer(amp_frame, h, sender_hash),
                  (i % 2 == 0) ? h : Address{});
        EXPECT_EQ(r.getInterfaceImplementer(amp_frame, h, recipient_hash),
                  (i % 2 == 1) ? h : Address{});
    }
    EXPECT_EQ(r.getManager(amp_frame, holder(7)), holder(7));
}

}  // namespace
}  // namespace ampd::contracts
