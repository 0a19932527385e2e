// Clearinghouse: every function through the ABI and the transaction
// boundary, every revert reason with a check that a failed call changes
// nothing (state hash), the events it emits, claims through the manager's
// direct-transfer path, release requests turned into withdrawal roots that
// the real manager accepts, fallback roots, and snapshots.
#include "ampd/contracts/clearinghouse.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "ampd/contracts/builtin.hpp"
#include "ampd/state/snapshot_codec.hpp"
#include "contracts/clearinghouse_fixture.hpp"
#include "support/exec_expect.hpp"

namespace ampd::contracts {
namespace {

using namespace ampd::test_support;  // NOLINT(google-build-using-namespace)

Bytes32 W(const Address& a) {
    return word_from_address(a);
}
Bytes32 W(const u256& v) {
    return word_from_u256(v);
}
Bytes32 W(uint64_t v) {
    return word_from_u256(u256(v));
}

std::vector<LogRecord> logs_of(const ExecResult& r, const Address& emitter) {
    std::vector<LogRecord> out;
    for (const LogRecord& l : r.logs) {
        if (l.emitter == emitter) out.push_back(l);
    }
    return out;
}

void expect_event(const LogRecord& l, std::string_view name, const std::vector<Bytes32>& words) {
    ASSERT_NE(l.event, nullptr);
    EXPECT_EQ(l.event->name, name);
    ASSERT_EQ(l.event->params.size(), words.size()) << name;
    for (size_t i = 0; i < words.size(); ++i) EXPECT_EQ(l.words[i], words[i]) << name << " #" << i;
}

class ClearinghouseTest : public ::testing::Test, public ClearinghouseWorld {
protected:
    void SetUp() override {
        must(register_pool(kManagerOwner, pool_, Clearinghouse::kPolicyBeneficiaryClaims));
        must(set_assurer(kManagerOwner, pool_, kAssurer, true));
        must(supply(kSupplierA, tokens(600)));
        must(supply(kSupplierB, tokens(400)));
    }

    // `call` reverts with `reason` and leaves the state exactly as it was.
    void changes_nothing(const std::function<ExecResult()>& call, std::string_view reason) {
        const Bytes32 before = state_hash();
        reverts(call(), reason);
        EXPECT_EQ(state_hash(), before) << reason;
    }
    uint64_t now() const { return block_.timestamp; }
};

// --- Interface ---------------------------------------------------------------------------

TEST(ClearinghouseInterface, EventsHaveTheDocumentedSignatures) {
    const std::vector<std::pair<std::string, size_t>> expected{
        {"PoolRegistered(address,bytes32,uint8)", 2},
        {"AssurerSet(address,bytes32,address,bool)", 3},
        {"GuaranteeOpened(bytes32,address,bytes32,address,uint256,uint64,bytes32)", 3},
        {"GuaranteeSettled(bytes32)", 1},
        {"GuaranteeClaimed(bytes32,address,uint256)", 2},
        {"GuaranteeReleased(bytes32)", 1},
        {"LossRecorded(address,bytes32,uint256)", 2},
        {"WithdrawalRootPublished(address,bytes32,uint256,uint256)", 1},
        {"FallbackRootPublished(address,bytes32,uint256)", 1},
    };
    const auto& events = Clearinghouse::events();
    ASSERT_EQ(events.size(), expected.size());
    for (size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i]->signature, expected[i].first);
        EXPECT_EQ(events[i]->topic0, keccak256(std::string_view(expected[i].first)));
        size_t indexed = 0;
        for (const auto& p : events[i]->params) indexed += p.indexed ? 1 : 0;
        EXPECT_EQ(indexed, expected[i].second) << expected[i].first;
    }
}

TEST(ClearinghouseInterface, DeploysOnlyAgainstAmp) {
    ClearinghouseWorld w;
    EXPECT_TRUE(is_builtin_type("Clearinghouse"));
    const ExecResult bad =
        deploy_builtin(*w.world_, "Clearinghouse", A("0xc1ea000000000000000000000000000000000002"),
                       kAmpOwner, abi::Encoder().address(kManager).finish(), w.block_);
    EXPECT_FALSE(bad.success);
    EXPECT_EQ(bad.revert_kind, state::Revert::Kind::kEmpty);
    const Out amp = w.ch_view("amp()", abi::Encoder());
    EXPECT_EQ(amp.a(0), kAmp);
}

TEST(ClearinghouseInterface, UnknownSelectorsAndShortCalldataRevertWithoutData) {
    ClearinghouseWorld w;
    ExecResult r = w.ch(kAssurer, "noSuchFunction()");
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.revert_kind, state::Revert::Kind::kEmpty);
    r = w.world_->execute(
        Message{kAssurer, kClearinghouse,
                abi::Encoder().finish_call(selector_of("settleGuarantee(bytes32)"))},
        w.block_);
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.revert_kind, state::Revert::Kind::kEmpty);
}

// --- Pools and assurers ---------------------------------------------------------------------

TEST_F(ClearinghouseTest, RegisterPoolEmitsAndCountsWhatTheManagerHolds) {
    // pool2 already holds a supply when it is registered.
    must(supply(kSupplierC, tokens(50), pool2_));
    const ExecResult r = register_pool(kManagerOwner, pool2_, Clearinghouse::kPolicyAnyoneReleases);
    must(r);
    ASSERT_EQ(r.logs.size(), 1U);
    expect_event(r.logs[0], "PoolRegistered", {W(kManager), pool2_, W(1)});
    const auto info = pool_info(pool2_);
    EXPECT_TRUE(info.registered);
    EXPECT_EQ(info.expiry_policy, 1);
    EXPECT_EQ(info.balance, tokens(50));
    EXPECT_EQ(info.available, tokens(50));
    EXPECT_EQ(stake(kSupplierC, pool2_).stake, tokens(50));

    const Out v =
        ch_view("poolOf(address,bytes32)", abi::Encoder().address(kManager).bytes32(pool2_));
    EXPECT_TRUE(v.flag(0));
    EXPECT_EQ(v.u(1), u256(1));
    EXPECT_EQ(v.u(2), tokens(50));
    EXPECT_EQ(v.u(4), tokens(50));
}

TEST_F(ClearinghouseTest, RegisterPoolRefusals) {
    changes_nothing([&] { return register_pool(kStranger, pool2_, 0); }, "Not the manager owner");
    changes_nothing([&] { return register_pool(kManagerOwner, pool2_, 2); },
                    "Invalid expiry policy");
    changes_nothing([&] { return register_pool(kManagerOwner, pool_, 0); }, "Pool exists");
    const Bytes32 not_permitted = make_partition(0xcccccccc, 9, kManager);
    changes_nothing([&] { return register_pool(kManagerOwner, not_permitted, 0); },
                    "Partition not permitted");
    changes_nothing(
        [&] {
            return ch(kManagerOwner, "registerPool(address,bytes32,uint8)",
                      abi::Encoder().address(kAmp).bytes32(pool2_).uint256(u256(0)));
        },
        "Not a collateral manager");
}

TEST_F(ClearinghouseTest, AssurersAreSetByTheManagerOwner) {
    const ExecResult r = set_assurer(kManagerOwner, pool_, kStranger, true);
    must(r);
    ASSERT_EQ(r.logs.size(), 1U);
    expect_event(r.logs[0], "AssurerSet", {W(kManager), pool_, W(kStranger), W(1)});
    auto is_assurer = [&](const Address& a) {
        return ch_view("isAssurer(address,bytes32,address)",
                       abi::Encoder().address(kManager).bytes32(pool_).address(a))
            .flag(0);
    };
    EXPECT_TRUE(is_assurer(kStranger));
    must(set_assurer(kManagerOwner, pool_, kStranger, false));
    EXPECT_FALSE(is_assurer(kStranger));
    EXPECT_TRUE(is_assurer(kAssurer));
    EXPECT_FALSE(clearinghouse().isAssurer(kManager, pool2_, kAssurer));

    changes_nothing([&] { return set_assurer(kStranger, pool_, kStranger, true); },
                    "Not the manager owner");
    changes_nothing([&] { return set_assurer(kManagerOwner, pool2_, kStranger, true); },
                    "Unknown pool");
}

TEST_F(ClearinghouseTest, UnknownPoolsReadAsZero) {
    const Out v =
        ch_view("poolOf(address,bytes32)", abi::Encoder().address(kManager).bytes32(pool2_));
    for (size_t i = 0; i < 7; ++i) EXPECT_EQ(v.u(i), u256()) << i;
    const Out s = ch_view("stakeOf(address,bytes32,address)",
                          abi::Encoder().address(kManager).bytes32(pool2_).address(kSupplierA));
    EXPECT_EQ(s.u(0), u256());
    EXPECT_EQ(s.u(1), u256());
}

// --- Opening ------------------------------------------------------------------------------------

TEST_F(ClearinghouseTest, OpenLocksWithoutMovingTokens) {
    const Bytes32 ref = keccak256(std::string_view("payment 1"));
    const uint64_t expiry = now() + 600;
    const u256 balance_before = pool_balance();
    const ExecResult r = open(kAssurer, id_of(1), tokens(250), kBeneficiary, expiry, pool_, ref);
    must(r);
    ASSERT_EQ(r.logs.size(), 1U);
    expect_event(r.logs[0], "GuaranteeOpened",
                 {id_of(1), W(kManager), pool_, W(kBeneficiary), W(tokens(250)), W(expiry), ref});
    const state::RawLog raw = state::encode_log(r.logs[0]);
    EXPECT_EQ(raw.topics.size(), 4U);
    EXPECT_EQ(raw.data.size(), 4U * 32);

    EXPECT_EQ(pool_balance(), balance_before);
    const auto info = pool_info(pool_);
    EXPECT_EQ(info.balance, tokens(1000));
    EXPECT_EQ(info.locked, tokens(250));
    EXPECT_EQ(info.available, tokens(750));
    EXPECT_EQ(info.open_count, u256(1));

    const Out g = ch_view("guaranteeOf(bytes32)", abi::Encoder().bytes32(id_of(1)));
    EXPECT_EQ(g.u(0), u256(1));
    EXPECT_EQ(g.a(1), kManager);
    EXPECT_EQ(g.b(2), pool_);
    EXPECT_EQ(g.u(3), tokens(250));
    EXPECT_EQ(g.a(4), kBeneficiary);
    EXPECT_EQ(g.u(5), u256(now()));
    EXPECT_EQ(g.u(6), u256(expiry));
    EXPECT_EQ(g.b(7), ref);
}

TEST_F(ClearinghouseTest, OpenRefusals) {
    const uint64_t later = now() + 3600;
    changes_nothing(
        [&] { return open(kAssurer, id_of(1), tokens(1), kBeneficiary, later, pool2_); },
        "Unknown pool");
    changes_nothing(
        [&] { return open(kStranger, id_of(1), tokens(1), kBeneficiary, later, pool_); },
        "Not an assurer");
    changes_nothing([&] { return open(kAssurer, id_of(1), u256(), kBeneficiary, later, pool_); },
                    "Invalid amount");
    changes_nothing([&] { return open(kAssurer, id_of(1), tokens(1), Address{}, later, pool_); },
                    "Invalid beneficiary");
    // The next block's timestamp is now() + 1: an expiry at that second is
    // already reached.
    changes_nothing(
        [&] { return open(kAssurer, id_of(1), tokens(1), kBeneficiary, now() + 1, pool_); },
        "Expiry in the past");
    changes_nothing(
        [&] {
            return open(kAssurer, id_of(1), tokens(1000) + u256(1), kBeneficiary, later, pool_);
        },
        "Insufficient collateral");
    must(open(kAssurer, id_of(1), tokens(1000), kBeneficiary, later, pool_));
    changes_nothing([&] { return open(kAssurer, id_of(2), u256(1), kBeneficiary, later, pool_); },
                    "Insufficient collateral");
    changes_nothing([&] { return open(kAssurer, id_of(1), u256(1), kBeneficiary, later, pool_); },
                    "Guarantee exists");
}

TEST_F(ClearinghouseTest, IdsAreNeverReused) {
    must(open(id_of(1), tokens(10)));
    must(settle(kAssurer, id_of(1)));
    changes_nothing([&] { return open(id_of(1), tokens(10)); }, "Guarantee exists");
    must(open(id_of(2), tokens(10)));
    must(claim(kAssurer, id_of(2)));
    changes_nothing([&] { return open(id_of(2), tokens(10)); }, "Guarantee exists");
}

TEST_F(ClearinghouseTest, NewSuppliesBackGuaranteesAtOnce) {
    must(open(id_of(1), tokens(1000)));
    changes_nothing([&] { return open(id_of(2), u256(1)); }, "Insufficient collateral");
    must(supply(kSupplierC, tokens(5)));
    EXPECT_EQ(pool_info(pool_).available, tokens(5));
    must(open(id_of(2), tokens(5)));
}

// --- Settling --------------------------------------------------------------------------------

TEST_F(ClearinghouseTest, SettleUnlocks) {
    must(open(id_of(1), tokens(100)));
    const ExecResult r = settle(kAssurer, id_of(1));
    must(r);
    ASSERT_EQ(r.logs.size(), 1U);
    expect_event(r.logs[0], "GuaranteeSettled", {id_of(1)});
    const auto info = pool_info(pool_);
    EXPECT_EQ(info.locked, u256());
    EXPECT_EQ(info.open_count, u256());
    EXPECT_EQ(info.available, tokens(1000));
    EXPECT_EQ(clearinghouse().guaranteeOf(id_of(1)).state, Clearinghouse::State::kSettled);

    changes_nothing([&] { return settle(kAssurer, id_of(1)); }, "Guarantee not open");
    changes_nothing([&] { return settle(kAssurer, id_of(9)); }, "Unknown guarantee");
    must(open(id_of(2), tokens(100)));
    changes_nothing([&] { return settle(kStranger, id_of(2)); }, "Not an assurer");
    changes_nothing([&] { return settle(kBeneficiary, id_of(2)); }, "Not an assurer");
}

// --- Claiming ----------------------------------------------------------------------------------

TEST_F(ClearinghouseTest, ClaimPaysExactlyItsAmountThroughTheDirectTransferPath) {
    must(open(id_of(1), tokens(250)));
    const u256 limit_before = fcm().withdrawalLimit();
    const u256 beneficiary_before = amp_balance(Bytes32{}, kBeneficiary);
    const ExecResult r = claim(kAssurer, id_of(1));
    must(r);
    EXPECT_EQ(pool_balance(), tokens(750));
    EXPECT_EQ(amp_balance(Bytes32{}, kBeneficiary), beneficiary_before + tokens(250));
    EXPECT_EQ(fcm().withdrawalLimit(), limit_before - tokens(250));

    // The manager's DirectTransfer (its sender hook ran), Amp's transfer
    // events, then the Clearinghouse's.
    const auto manager_logs = logs_of(r, kManager);
    ASSERT_EQ(manager_logs.size(), 1U);
    expect_event(manager_logs[0], "DirectTransfer",
                 {W(kClearinghouse), pool_, W(kBeneficiary), Bytes32{}, W(tokens(250))});
    const auto amp_logs = logs_of(r, kAmp);
    ASSERT_GE(amp_logs.size(), 2U);
    EXPECT_EQ(amp_logs[0].event->name, "Transfer");
    EXPECT_EQ(amp_logs[1].event->name, "TransferByPartition");
    const auto own = logs_of(r, kClearinghouse);
    ASSERT_EQ(own.size(), 2U);
    expect_event(own[0], "GuaranteeClaimed", {id_of(1), W(kBeneficiary), W(tokens(250))});
    expect_event(own[1], "LossRecorded", {W(kManager), pool_, W(tokens(250))});
    EXPECT_EQ(r.logs.back().emitter, kClearinghouse);

    const auto info = pool_info(pool_);
    EXPECT_EQ(info.locked, u256());
    EXPECT_EQ(info.total_losses, tokens(250));
    EXPECT_EQ(info.available, tokens(750));
    // The loss falls pro rata: 600/1000 and 400/1000 of it.
    EXPECT_EQ(stake(kSupplierA).stake, tokens(450));
    EXPECT_EQ(stake(kSupplierB).stake, tokens(300));
    EXPECT_EQ(clearinghouse().guaranteeOf(id_of(1)).state, Clearinghouse::State::kClaimed);
    changes_nothing([&] { return claim(kAssurer, id_of(1)); }, "Guarantee not open");
    changes_nothing([&] { return settle(kAssurer, id_of(1)); }, "Guarantee not open");
}

TEST_F(ClearinghouseTest, BeneficiaryClaimsOnlyAfterExpiryUnderPolicyZero) {
    must(open(kAssurer, id_of(1), tokens(10), kBeneficiary, now() + 100, pool_));
    changes_nothing([&] { return claim(kBeneficiary, id_of(1)); }, "Not expired");
    changes_nothing([&] { return claim(kStranger, id_of(1)); }, "Not an assurer");
    changes_nothing([&] { return release_expired(kStranger, id_of(1)); }, "Release not allowed");
    advance(100);
    changes_nothing([&] { return claim(kStranger, id_of(1)); }, "Not an assurer");
    const ExecResult r = claim(kBeneficiary, id_of(1));
    must(r);
    EXPECT_EQ(pool_balance(), tokens(990));
    changes_nothing([&] { return claim(kBeneficiary, id_of(1)); }, "Guarantee not open");
}

TEST_F(ClearinghouseTest, AnyoneReleasesAfterExpiryUnderPolicyOne) {
    must(register_pool(kManagerOwner, pool2_, Clearinghouse::kPolicyAnyoneReleases));
    must(set_assurer(kManagerOwner, pool2_, kAssurer, true));
    must(supply(kSupplierC, tokens(100), pool2_));
    must(open(kAssurer, id_of(1), tokens(60), kBeneficiary, now() + 100, pool2_));
    changes_nothing([&] { return release_expired(kStranger, id_of(1)); }, "Not expired");
    advance(100);
    // The beneficiary has no claim under policy 1.
    changes_nothing([&] { return claim(kBeneficiary, id_of(1)); }, "Not an assurer");
    const ExecResult r = release_expired(kStranger, id_of(1));
    must(r);
    ASSERT_EQ(r.logs.size(), 1U);
    expect_event(r.logs[0], "GuaranteeReleased", {id_of(1)});
    EXPECT_EQ(pool_info(pool2_).locked, u256());
    EXPECT_EQ(pool_info(pool2_).total_losses, u256());
    EXPECT_EQ(clearinghouse().guaranteeOf(id_of(1)).state, Clearinghouse::State::kReleased);
    changes_nothing([&] { return release_expired(kStranger, id_of(1)); }, "Guarantee not open");
    changes_nothing([&] { return release_expired(kStranger, id_of(7)); }, "Unknown guarantee");
    // An assurer may still claim an open, expired guarantee under policy 1.
    must(open(kAssurer, id_of(2), tokens(5), kBeneficiary, now() + 10, pool2_));
    advance(20);
    must(claim(kAssurer, id_of(2)));
}

TEST_F(ClearinghouseTest, ClaimOverTheWithdrawalLimitRevertsWithAReason) {
    must(open(id_of(1), tokens(300)));
    // Lower the manager's limit to 200 tokens.
    const u256 minus = u256() - (fcm().withdrawalLimit() - tokens(200));
    must(
        tx(kManagerOwner, kManager, "modifyWithdrawalLimit(int256)", abi::Encoder().int256(minus)));
    changes_nothing([&] { return claim(kAssurer, id_of(1)); }, "Withdrawal limit exceeded");
    must(tx(kManagerOwner, kManager, "modifyWithdrawalLimit(int256)",
            abi::Encoder().int256(tokens(100))));
    must(claim(kAssurer, id_of(1)));
    EXPECT_EQ(fcm().withdrawalLimit(), u256());
}

TEST_F(ClearinghouseTest, ClaimNeedsTheDirectTransfererRole) {
    must(open(id_of(1), tokens(1)));
    must(tx(kManagerOwner, kManager, "setDirectTransferer(address)",
            abi::Encoder().address(kStranger)));
    changes_nothing([&] { return claim(kAssurer, id_of(1)); }, "Not the direct transferer");
}

TEST_F(ClearinghouseTest, ARefusedTransferRevertsTheWholeClaim) {
    // The beneficiary's own Amp hooks cannot refuse (no user code), but the
    // pool can be emptied by the manager's owner outside the
    // Clearinghouse: the claim then stops before the transfer.
    must(open(id_of(1), tokens(100)));
    const Bytes flag(32, FlexaCollateralManager::kDirectTransferFlagByte);
    must(tx(kManagerOwner, kAmp, "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
            abi::Encoder()
                .bytes32(pool_)
                .address(kManager)
                .address(kManagerOwner)
                .uint256(tokens(950))
                .bytes(change_partition_data(Bytes32{}))
                .bytes(flag)));
    changes_nothing([&] { return claim(kAssurer, id_of(1)); }, "Pool balance too low");
    // And no new guarantee beyond what the pool still holds.
    EXPECT_EQ(pool_info(pool_).available, u256());
}

// --- Batches
// --------------------------------------------------------------------------------------

ExecResult open_batch(ClearinghouseWorld& w, const Address& from, const std::vector<Bytes32>& ids,
                      const std::vector<Bytes32>& amounts, const std::vector<Address>& to,
                      const std::vector<Bytes32>& expiries, const std::vector<Bytes32>& refs) {
    return w.ch(from,
                "openGuarantees(bytes32[],address,bytes32,uint256[],address[],uint64[],bytes32[])",
                abi::Encoder()
                    .bytes32_array(ids)
                    .address(kManager)
                    .bytes32(w.pool_)
                    .bytes32_array(amounts)
                    .address_array(to)
                    .bytes32_array(expiries)
                    .bytes32_array(refs));
}

TEST_F(ClearinghouseTest, BatchesAreAllOrNothing) {
    const Bytes32 exp = W(now() + 1000);
    const std::vector<Bytes32> ids{id_of(1), id_of(2), id_of(3)};
    const std::vector<Bytes32> amounts{W(tokens(100)), W(tokens(200)), W(tokens(300))};
    const std::vector<Address> to{kBeneficiary, kBeneficiary, kStranger};
    const std::vector<Bytes32> exps{exp, exp, exp};
    const std::vector<Bytes32> refs{W(1), W(2), W(3)};

    // One bad entry (the third one's amount) fails the whole batch.
    changes_nothing(
        [&] {
            return open_batch(*this, kAssurer, ids, {amounts[0], amounts[1], W(u256())}, to, exps,
                              refs);
        },
        "Invalid amount");
    changes_nothing(
        [&] {
            return open_batch(*this, kAssurer, {id_of(1), id_of(1)}, {amounts[0], amounts[1]},
                              {to[0], to[1]}, {exp, exp}, {refs[0], refs[1]});
        },
        "Guarantee exists");
    changes_nothing([&] { return open_batch(*this, kAssurer, ids, amounts, to, exps, {refs[0]}); },
                    "Length mismatch");
    changes_nothing([&] { return open_batch(*this, kStranger, ids, amounts, to, exps, refs); },
                    "Not an assurer");
    changes_nothing(
        [&] {
            return open_batch(*this, kAssurer, ids, {amounts[0], amounts[1], W(tokens(701))}, to,
                              exps, refs);
        },
        "Insufficient collateral");

    const ExecResult r = open_batch(*this, kAssurer, ids, amounts, to, exps, refs);
    must(r);
    ASSERT_EQ(r.logs.size(), 3U);
    expect_event(r.logs[2], "GuaranteeOpened",
                 {id_of(3), W(kManager), pool_, W(kStranger), W(tokens(300)), exp, W(3)});
    EXPECT_EQ(pool_info(pool_).locked, tokens(600));

    auto settle_batch = [&](const std::vector<Bytes32>& list) {
        return ch(kAssurer, "settleGuarantees(bytes32[])", abi::Encoder().bytes32_array(list));
    };
    changes_nothing([&] { return settle_batch({id_of(1), id_of(9)}); }, "Unknown guarantee");
    changes_nothing([&] { return settle_batch({id_of(1), id_of(1)}); }, "Guarantee not open");
    const ExecResult s = settle_batch(ids);
    must(s);
    ASSERT_EQ(s.logs.size(), 3U);
    expect_event(s.logs[1], "GuaranteeSettled", {id_of(2)});
    EXPECT_EQ(pool_info(pool_).locked, u256());
    EXPECT_EQ(pool_info(pool_).open_count, u256());
}

// --- Stakes
// ----------------------------------------------------------------------------------------

TEST_F(ClearinghouseTest, StakesShareLossesAndLocksProRata) {
    must(open(id_of(1), tokens(500)));
    const Out a = ch_view("stakeOf(address,bytes32,address)",
                          abi::Encoder().address(kManager).bytes32(pool_).address(kSupplierA));
    EXPECT_EQ(a.u(0), tokens(600));
    EXPECT_EQ(a.u(1), tokens(300));  // 600 - 600/1000 of 500 locked
    EXPECT_EQ(stake(kSupplierB).withdrawable, tokens(200));

    // C joins after the first loss, then a second loss hits all three.
    must(claim(kAssurer, id_of(1)));  // A 300, B 200
    must(supply(kSupplierC, tokens(500)));
    must(open(id_of(2), tokens(100)));
    must(claim(kAssurer, id_of(2)));  // 100 over 1000: A 270, B 180, C 450
    EXPECT_EQ(stake(kSupplierA).stake, tokens(270));
    EXPECT_EQ(stake(kSupplierB).stake, tokens(180));
    EXPECT_EQ(stake(kSupplierC).stake, tokens(450));
    EXPECT_EQ(pool_balance(), tokens(900));
    EXPECT_EQ(pool_info(pool_).total_losses, tokens(600));
}

TEST_F(ClearinghouseTest, AFullLossWipesTheSharesAndLaterSuppliersStartAfresh) {
    must(open(id_of(1), tokens(1000)));
    must(claim(kAssurer, id_of(1)));
    EXPECT_EQ(stake(kSupplierA).stake, u256());
    EXPECT_EQ(stake(kSupplierB).stake, u256());
    must(supply(kSupplierA, tokens(10)));
    must(supply(kSupplierC, tokens(30)));
    EXPECT_EQ(stake(kSupplierA).stake, tokens(10));
    EXPECT_EQ(stake(kSupplierB).stake, u256());
    EXPECT_EQ(stake(kSupplierC).stake, tokens(30));
    must(open(id_of(2), tokens(20)));
    must(claim(kAssurer, id_of(2)));
    EXPECT_EQ(stake(kSupplierA).stake, tokens(5));
    EXPECT_EQ(stake(kSupplierC).stake, tokens(15));
}

// --- Withdrawal roots --------------------------------------------------------------------------

TEST_F(ClearinghouseTest, PublishedRootsPayEachSupplierOnTheRealManager) {
    must(request_release(kSupplierA, tokens(100)));
    must(request_release(kSupplierB, tokens(1000)));  // more than it can have
    must(open(id_of(1), tokens(500)));

    const ExecResult r = publish(kAssurer);
    must(r);
    const abi::Decoder ret(r.output);
    const Bytes32 root = *ret.bytes32(0);
    EXPECT_EQ(*ret.uint256(1), u256(1));
    EXPECT_EQ(fcm().withdrawalRootToNonce(root), u256(1));
    const auto own = logs_of(r, kClearinghouse);
    ASSERT_EQ(own.size(), 1U);
    expect_event(own[0], "WithdrawalRootPublished", {W(kManager), root, W(1), W(2)});
    const auto manager_logs = logs_of(r, kManager);
    ASSERT_EQ(manager_logs.size(), 1U);
    EXPECT_EQ(manager_logs[0].event->name, "WithdrawalRootHashAddition");

    // A asked for 100 of its 300 withdrawable; B is capped at its 200.
    const auto pa = clearinghouse().withdrawal_proof(kManager, pool_, kSupplierA);
    const auto pb = clearinghouse().withdrawal_proof(kManager, pool_, kSupplierB);
    ASSERT_TRUE(pa && pb);
    EXPECT_EQ(pa->value, tokens(100));
    EXPECT_EQ(pb->value, tokens(200));
    EXPECT_EQ(pa->root, root);
    EXPECT_EQ(pa->root_nonce, u256(1));
    EXPECT_EQ(pa->max_authorized_account_nonce, u256());
    EXPECT_EQ(
        FlexaCollateralManager::merkle_root(pa->proof, FlexaCollateralManager::withdrawal_leaf(
                                                           kSupplierA, pool_, pa->value, u256())),
        root);
    EXPECT_FALSE(clearinghouse().withdrawal_proof(kManager, pool_, kSupplierC));
    const Out rel = ch_view("releaseOf(address,bytes32,address)",
                            abi::Encoder().address(kManager).bytes32(pool_).address(kSupplierB));
    EXPECT_EQ(rel.u(0), tokens(1000));
    EXPECT_EQ(rel.u(1), tokens(200));

    // Reserved amounts stay the suppliers' but leave the lockable stake.
    EXPECT_EQ(pool_info(pool_).available, tokens(200));
    changes_nothing([&] { return open(id_of(2), tokens(201)); }, "Insufficient collateral");

    const u256 a_before = amp_balance(Bytes32{}, kSupplierA);
    must(withdraw(kSupplierA, pool_, pa->value, pa->operator_data));
    EXPECT_EQ(amp_balance(Bytes32{}, kSupplierA), a_before + tokens(100));
    must(withdraw(kSupplierB, pool_, pb->value, pb->operator_data));
    EXPECT_EQ(pool_balance(), tokens(700));
    EXPECT_EQ(pool_info(pool_).locked, tokens(500));
    // A leaf pays once.
    EXPECT_FALSE(withdraw(kSupplierA, pool_, pa->value, pa->operator_data).success);

    EXPECT_EQ(stake(kSupplierA).stake, tokens(500));
    EXPECT_EQ(stake(kSupplierB).stake, tokens(200));

    // The next root replaces this one; B still wants 800 and gets its share
    // of the unlocked 200 (200 * 200 / 700).
    const ExecResult r2 = publish(kManagerOwner);
    must(r2);
    const Bytes32 root2 = *abi::Decoder(r2.output).bytes32(0);
    EXPECT_EQ(fcm().withdrawalRootToNonce(root), u256());
    EXPECT_EQ(fcm().withdrawalRootToNonce(root2), u256(2));
    EXPECT_FALSE(clearinghouse().withdrawal_proof(kManager, pool_, kSupplierA));
    const auto pb2 = clearinghouse().withdrawal_proof(kManager, pool_, kSupplierB);
    ASSERT_TRUE(pb2);
    EXPECT_EQ(pb2->value, tokens(200) * u256(200) / u256(700));
    EXPECT_EQ(pb2->max_authorized_account_nonce, u256(1));
    EXPECT_LE(pb2->value, stake(kSupplierB).withdrawable);
    must(withdraw(kSupplierB, pool_, pb2->value, pb2->operator_data));
    EXPECT_GE(pool_balance(), pool_info(pool_).locked);
}

TEST_F(ClearinghouseTest, PublishingTheSameAuthorizationsKeepsTheLiveRoot) {
    must(request_release(kSupplierA, tokens(10)));
    const ExecResult r1 = publish(kAssurer);
    must(r1);
    const ExecResult r2 = publish(kAssurer);
    must(r2);
    EXPECT_EQ(r1.output, r2.output);
    EXPECT_TRUE(logs_of(r2, kManager).empty());
}

TEST_F(ClearinghouseTest, PublishingNothingRetiresThePreviousRoot) {
    must(request_release(kSupplierA, tokens(10)));
    const ExecResult r1 = publish(kAssurer);
    must(r1);
    const Bytes32 root = *abi::Decoder(r1.output).bytes32(0);
    must(request_release(kSupplierA, u256()));  // withdrawn request
    const ExecResult r2 = publish(kAssurer);
    must(r2);
    EXPECT_EQ(*abi::Decoder(r2.output).bytes32(0), Bytes32{});
    EXPECT_EQ(fcm().withdrawalRootToNonce(root), u256());
    EXPECT_FALSE(clearinghouse().withdrawal_proof(kManager, pool_, kSupplierA));
    const auto own = logs_of(r2, kClearinghouse);
    ASSERT_EQ(own.size(), 1U);
    expect_event(own[0], "WithdrawalRootPublished", {W(kManager), Bytes32{}, W(0), W(0)});
    EXPECT_EQ(stake(kSupplierA).withdrawable, tokens(600));
}

TEST_F(ClearinghouseTest, PublishRefusals) {
    changes_nothing([&] { return publish(kStranger); }, "Not an assurer");
    changes_nothing([&] { return publish_fallback(kBeneficiary); }, "Not an assurer");
    changes_nothing(
        [&] {
            return ch(kAssurer, "publishWithdrawalRoot(address)", abi::Encoder().address(kAmp));
        },
        "Unknown pool");
    must(tx(kManagerOwner, kManager, "setWithdrawalPublisher(address)",
            abi::Encoder().address(kStranger)));
    changes_nothing([&] { return publish(kAssurer); }, "Not the withdrawal publisher");
    must(tx(kManagerOwner, kManager, "setFallbackPublisher(address)",
            abi::Encoder().address(kStranger)));
    changes_nothing([&] { return publish_fallback(kAssurer); }, "Not the fallback publisher");
}

TEST_F(ClearinghouseTest, RequestsForOtherPartitionsAreIgnored) {
    const Bytes32 before = state_hash();
    must(request_release(kSupplierA, tokens(5), pool2_));
    EXPECT_EQ(state_hash(), before);
}

TEST_F(ClearinghouseTest, WithdrawalsOutsideTheClearinghouseReduceTheStake) {
    // The owner publishes a root of its own and A withdraws 100 with it.
    const Bytes32 leaf =
        FlexaCollateralManager::withdrawal_leaf(kSupplierA, pool_, tokens(100), u256());
    must(tx(kManagerOwner, kManager, "addWithdrawalRoot(bytes32,uint256,bytes32[])",
            abi::Encoder().bytes32(leaf).uint256(u256(1)).bytes32_array({})));
    Bytes32 flag;
    flag.b.fill(FlexaCollateralManager::kWithdrawalFlagByte);
    must(withdraw(kSupplierA, pool_, tokens(100),
                  abi::Encoder()
                      .bytes32(flag)
                      .address(kSupplierA)
                      .uint256(u256())
                      .bytes32_array({})
                      .finish()));
    EXPECT_EQ(stake(kSupplierA).stake, tokens(500));
    EXPECT_EQ(stake(kSupplierB).stake, tokens(400));
    // Counted for good at the next publication.
    must(publish(kAssurer));
    EXPECT_EQ(stake(kSupplierA).stake, tokens(500));
    EXPECT_EQ(pool_info(pool_).available, tokens(900));
}

// --- Fallback roots -----------------------------------------------------------------------------

TEST_F(ClearinghouseTest, FallbackRootLetsSuppliersLeaveOnceTheDelayHasPassed) {
    must(open(id_of(1), tokens(500)));
    const ExecResult r = publish_fallback(kAssurer);
    must(r);
    const Bytes32 root = *abi::Decoder(r.output).bytes32(0);
    EXPECT_EQ(fcm().fallbackRoot(), root);
    EXPECT_EQ(fcm().fallbackMaxIncludedSupplyNonce(), u256(2));
    const auto own = logs_of(r, kClearinghouse);
    ASSERT_EQ(own.size(), 1U);
    expect_event(own[0], "FallbackRootPublished", {W(kManager), root, W(2)});

    // Guarantees opened now must be over before this root can be used.
    const uint64_t active_from = now() + FlexaCollateralManager::kInitialFallbackDelaySeconds;
    changes_nothing(
        [&] { return open(kAssurer, id_of(2), tokens(1), kBeneficiary, active_from + 1, pool_); },
        "Expiry after fallback");
    must(open(kAssurer, id_of(3), tokens(1), kBeneficiary, active_from, pool_));
    must(settle(kAssurer, id_of(3)));

    const auto pa = clearinghouse().fallback_proof(kManager, pool_, kSupplierA);
    ASSERT_TRUE(pa);
    EXPECT_EQ(pa->root, root);
    EXPECT_EQ(pa->max_cumulative_withdrawal_amount, tokens(300));  // withdrawable, none withdrawn
    EXPECT_FALSE(clearinghouse().fallback_proof(kManager, pool_, kSupplierC));

    // Too early.
    EXPECT_FALSE(withdraw(kSupplierA, pool_, tokens(300), pa->operator_data).success);
    advance(FlexaCollateralManager::kInitialFallbackDelaySeconds);
    // Once the fallback is active the pool backs no new guarantee, and says so.
    changes_nothing([&] { return open(id_of(2), tokens(1)); }, "Fallback active");
    EXPECT_TRUE(pool_info(pool_).available.is_zero());
    must(withdraw(kSupplierA, pool_, tokens(300), pa->operator_data));
    EXPECT_EQ(pool_balance(), tokens(700));
    EXPECT_EQ(stake(kSupplierA).stake, tokens(300));
    // The open guarantee is still covered.
    EXPECT_GE(pool_balance(), pool_info(pool_).locked);
    must(claim(kAssurer, id_of(1)));
}

TEST_F(ClearinghouseTest, NothingToPublishInAnEmptyPool) {
    must(register_pool(kManagerOwner, pool2_, 0));
    must(open(id_of(1), tokens(1000)));  // everything in pool 1 locked
    changes_nothing([&] { return publish_fallback(kAssurer); }, "Nothing to publish");
}

TEST_F(ClearinghouseTest, RefundsAreTakenOutOfTheSupplierStake) {
    must(publish_fallback(kAssurer));  // includes supplies 1 and 2
    must(supply(kSupplierC, tokens(50)));
    EXPECT_EQ(stake(kSupplierC).stake, tokens(50));
    must(open(id_of(1), tokens(10)));  // counts C's supply
    must(settle(kAssurer, id_of(1)));
    advance(FlexaCollateralManager::kInitialFallbackDelaySeconds);
    Bytes32 flag;
    flag.b.fill(FlexaCollateralManager::kRefundFlagByte);
    must(withdraw(kSupplierC, pool_, tokens(50),
                  abi::Encoder().bytes32(flag).uint256(u256(3)).finish()));
    EXPECT_EQ(stake(kSupplierC).stake, u256());
    must(publish(kAssurer));
    EXPECT_EQ(stake(kSupplierC).stake, u256());
    EXPECT_EQ(stake(kSupplierA).stake, tokens(600));
    EXPECT_EQ(pool_balance(), tokens(1000));
}

// --- Snapshots
// ------------------------------------------------------------------------------------

class ClearinghouseSnapshotTest : public ClearinghouseTest {
protected:
    void build_history() {
        must(register_pool(kManagerOwner, pool2_, 1));
        must(set_assurer(kManagerOwner, pool2_, kStranger, true));
        must(supply(kSupplierC, tokens(70), pool2_));
        must(open(id_of(1), tokens(100)));
        must(open(id_of(2), tokens(200)));
        must(settle(kAssurer, id_of(1)));
        must(claim(kAssurer, id_of(2)));
        must(open(kStranger, id_of(3), tokens(30), kBeneficiary, now() + 50, pool2_));
        must(request_release(kSupplierA, tokens(40)));
        must(request_release(kSupplierC, tokens(5), pool2_));
        must(publish(kAssurer));
        must(publish_fallback(kAssurer));
        must(supply(kSupplierB, tokens(3)));  // watched for refunds
    }
};

TEST_F(ClearinghouseSnapshotTest, RoundTripsAndKeepsBehavingTheSame) {
    build_history();
    const Bytes snap = save_world(*world_);
    std::unique_ptr<state::World> loaded = load_world(snap);
    EXPECT_EQ(save_world(*loaded), snap);
    auto* c = loaded->contract_as<Clearinghouse>(kClearinghouse);
    ASSERT_NE(c, nullptr);
    for (const Address& s : {kSupplierA, kSupplierB, kSupplierC}) {
        for (const Bytes32& p : {pool_, pool2_}) {
            const auto x = clearinghouse().stakeOf(*world_, kManager, p, s);
            const auto y = c->stakeOf(*loaded, kManager, p, s);
            EXPECT_EQ(x.stake, y.stake);
            EXPECT_EQ(x.withdrawable, y.withdrawable);
            const auto wx = clearinghouse().withdrawal_proof(kManager, p, s);
            const auto wy = c->withdrawal_proof(kManager, p, s);
            ASSERT_EQ(wx.has_value(), wy.has_value());
            if (wx) {
                EXPECT_EQ(wx->operator_data, wy->operator_data);
            }
            const auto fx = clearinghouse().fallback_proof(kManager, p, s);
            const auto fy = c->fallback_proof(kManager, p, s);
            ASSERT_EQ(fx.has_value(), fy.has_value());
            if (fx) {
                EXPECT_EQ(fx->operator_data, fy->operator_data);
            }
        }
    }
    // The same further transactions give the same results, logs and state.
    struct Run {
        std::vector<ExecResult> results;
        Bytes32 hash;
    };
    auto run_further = [&](std::unique_ptr<state::World>& w) {
        std::swap(world_, w);
        const BlockContext start = block_;
        Run out;
        out.results.push_back(open(id_of(4), tokens(50)));
        out.results.push_back(claim(kAssurer, id_of(4)));
        out.results.push_back(request_release(kSupplierB, tokens(2)));
        out.results.push_back(publish(kAssurer));
        advance(100);
        out.results.push_back(release_expired(kBeneficiary, id_of(3)));
        out.hash = state_hash();
        block_ = start;
        std::swap(world_, w);
        return out;
    };
    std::unique_ptr<state::World> original = load_world(snap);
    const Run a = run_further(original);
    const Run b = run_further(loaded);
    ASSERT_EQ(a.results.size(), b.results.size());
    for (size_t i = 0; i < a.results.size(); ++i) {
        EXPECT_TRUE(a.results[i].success) << i << ": " << a.results[i].revert_reason;
        EXPECT_EQ(a.results[i].output, b.results[i].output) << i;
        EXPECT_EQ(a.results[i].state_writes, b.results[i].state_writes) << i;
        ASSERT_EQ(a.results[i].logs.size(), b.results[i].logs.size()) << i;
        for (size_t k = 0; k < a.results[i].logs.size(); ++k) {
            EXPECT_EQ(state::encode_log(a.results[i].logs[k]).data,
                      state::encode_log(b.results[i].logs[k]).data);
        }
    }
    EXPECT_EQ(a.hash, b.hash);
}

TEST_F(ClearinghouseSnapshotTest, RegistrationOrderDoesNotChangeTheBytes) {
    // The same pools, registered in the other order in a second world with
    // as many transactions (block times match).
    ClearinghouseWorld other;
    must(other.register_pool(kManagerOwner, pool2_, 0));
    must(other.register_pool(kManagerOwner, pool_, 0));
    must(other.set_assurer(kManagerOwner, pool_, kAssurer, true));
    must(other.supply(kSupplierA, tokens(600)));
    must(other.supply(kSupplierB, tokens(400)));
    must(register_pool(kManagerOwner, pool2_, 0));
    EXPECT_NE(other.state_hash(), state_hash());  // pool 1 counted its supplies at different times
    must(other.publish_fallback(kAssurer));       // brings every account up to date
    must(publish_fallback(kAssurer));
    EXPECT_EQ(other.state_hash(), state_hash());
}

std::string load_error(ByteView bytes) {
    try {
        (void)load_world(bytes);
    } catch (const state::SnapshotError& e) {
        return e.what();
    }
    return "";
}

TEST_F(ClearinghouseSnapshotTest, DamagedInputIsRejectedOrCanonical) {
    build_history();
    const Bytes snap = save_world(*world_);
    // The Clearinghouse's body: after its type name, address and length.
    state::SnapshotWriter body;
    clearinghouse().save(body);
    const std::string_view name = "Clearinghouse";
    const auto at = std::search(snap.begin(), snap.end(), name.begin(), name.end());
    ASSERT_NE(at, snap.end());
    const size_t begin = static_cast<size_t>(at - snap.begin()) + name.size() + 20 + 8;
    const size_t end = begin + body.size();
    ASSERT_LE(end, snap.size());
    ASSERT_TRUE(std::equal(body.data().begin(), body.data().end(), snap.begin() + begin));
    size_t rejected = 0;
    size_t tried = 0;
    for (size_t i = begin; i < end; ++i) {
        for (const uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}}) {
            Bytes bad = snap;
            bad[i] ^= flip;
            ++tried;
            try {
                const std::unique_ptr<state::World> w = load_world(bad);
                ASSERT_EQ(save_world(*w), bad) << "byte " << i - begin << " ^ " << int{flip};
            } catch (const state::SnapshotError&) {
                ++rejected;
            }
        }
    }
    EXPECT_GT(rejected, tried / 2);
    for (size_t len = begin; len < end; ++len) {
        EXPECT_EQ(load_error(ByteView(snap.data(), len)).rfind("snapshot: ", 0), 0U) << len;
    }
}

TEST_F(ClearinghouseSnapshotTest, RejectsInconsistentTotals) {
    build_history();
    must(open(id_of(5), tokens(1)));  // pool 1 has something locked
    state::SnapshotWriter out;
    clearinghouse().save(out);
    Bytes body = out.data();
    // amp (20), pool count (8), then pool 1: manager (20), partition (32),
    // policy (1), locked (length byte, then its low byte).
    const size_t at = 20 + 8 + 20 + 32 + 1 + 1;
    body[at] ^= 0x01;
    state::SnapshotReader r(body);
    try {
        (void)Clearinghouse::load(kClearinghouse, r);
        ADD_FAILURE() << "accepted";
    } catch (const state::SnapshotError& e) {
        EXPECT_NE(std::string(e.what()).find("locked amount"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace ampd::contracts
