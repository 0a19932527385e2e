// amp pool, amp guarantee and amp supplier against a real dev node, whose
// genesis has the Clearinghouse in place with the manager's collateral
// partition as a pool and dev account 2 as its assurer.
#include <gtest/gtest.h>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/primitives/keccak.hpp"
#include "cli_harness.hpp"

namespace ampd::cli::test {
namespace {

using nlohmann::json;

class ClearinghouseCommands : public ::testing::Test {
protected:
    RunResult amp(std::vector<std::string> args) {
        args.insert(args.begin(), {"--rpc", net_.url()});
        return cli_.run(args);
    }
    RunResult ok(std::vector<std::string> args) {
        RunResult r = amp(std::move(args));
        EXPECT_EQ(r.code, 0) << r.out << r.err;
        return r;
    }
    json pool_status() { return ok({"--json", "pool", "status"}).json(); }
    json supplier_status(size_t who) {
        return ok({"--json", "supplier", "status", net_.address(who).hex()}).json();
    }
    static std::string tokens(uint64_t n) { return (u256(n) * kToken).to_dec(); }

    DevNode net_;
    Cli cli_;
};

TEST_F(ClearinghouseCommands, GuaranteeLifecycleThroughThePool) {
    json pool = pool_status();
    EXPECT_EQ(pool.at("registered"), true);
    EXPECT_EQ(pool.at("expiryPolicy"), 0);
    EXPECT_EQ(pool.at("balance"), "0");

    ok({"supply", "1000", "--dev-account", "3"});
    const Address beneficiary = net_.address(5);
    const u256 before = net_.balance(beneficiary);

    const RunResult opened = ok({"--json", "guarantee", "open", "payment-1", "100",
                                 beneficiary.hex(), "--expires-in", "3600", "--dev-account", "2"});
    bool saw_event = false;
    const json opened_json = opened.json();
    for (const json& e : opened_json.at("events")) {
        if (e.at("event") != "GuaranteeOpened") continue;
        saw_event = true;
        EXPECT_EQ(e.at("contract"), "clearinghouse");
        EXPECT_EQ(e.at("args").at("id"), keccak256(std::string_view("payment-1")).hex());
        EXPECT_EQ(e.at("args").at("amount"), tokens(100));
    }
    EXPECT_TRUE(saw_event) << opened.out;
    pool = pool_status();
    EXPECT_EQ(pool.at("locked"), tokens(100));
    EXPECT_EQ(pool.at("available"), tokens(900));
    EXPECT_EQ(pool.at("openGuarantees"), "1");

    const json shown = ok({"--json", "guarantee", "show", "payment-1"}).json();
    EXPECT_EQ(shown.at("state"), "open");
    EXPECT_EQ(shown.at("beneficiary"), beneficiary.hex());
    EXPECT_EQ(shown.at("amount"), tokens(100));

    // Someone who is not an assurer: refused by the gas estimate, nothing sent.
    const uint64_t nonce = net_.node().nonce(net_.address(4), true);
    const RunResult refused = amp({"guarantee", "open", "payment-2", "1", beneficiary.hex(),
                                   "--expires-in", "60", "--dev-account", "4"});
    EXPECT_EQ(refused.code, exit_code::kReverted);
    EXPECT_NE(refused.err.find("Not an assurer"), std::string::npos) << refused.err;
    EXPECT_EQ(net_.node().nonce(net_.address(4), true), nonce);
    // Neither may anyone lock more than is available.
    const RunResult too_much = amp({"guarantee", "open", "payment-3", "901", beneficiary.hex(),
                                    "--expires-in", "60", "--dev-account", "2"});
    EXPECT_EQ(too_much.code, exit_code::kReverted);
    EXPECT_NE(too_much.err.find("Insufficient collateral"), std::string::npos) << too_much.err;

    // The payment failed: the assurer claims, the beneficiary is paid.
    ok({"guarantee", "claim", "payment-1", "--dev-account", "2"});
    EXPECT_EQ(net_.balance(beneficiary), before + u256(100) * kToken);
    pool = pool_status();
    EXPECT_EQ(pool.at("balance"), tokens(900));
    EXPECT_EQ(pool.at("locked"), "0");
    EXPECT_EQ(pool.at("totalLosses"), tokens(100));
    EXPECT_EQ(ok({"--json", "guarantee", "show", "payment-1"}).json().at("state"), "claimed");
    const RunResult again = amp({"guarantee", "settle", "payment-1", "--dev-account", "2"});
    EXPECT_EQ(again.code, exit_code::kReverted);
    EXPECT_NE(again.err.find("Guarantee not open"), std::string::npos) << again.err;

    // The only supplier bore the whole loss.
    EXPECT_EQ(supplier_status(3).at("stake"), tokens(900));
}

TEST_F(ClearinghouseCommands, SupplierReleasesAndWithdrawsWithTheNodesProof) {
    ok({"supply", "1000", "--dev-account", "3"});
    ok({"supply", "500", "--dev-account", "4"});
    const RunResult nothing = amp({"supplier", "withdraw", "--dev-account", "3"});
    EXPECT_EQ(nothing.code, exit_code::kFailed);
    EXPECT_NE(nothing.err.find("authorizes nothing"), std::string::npos) << nothing.err;

    ok({"supplier", "request-release", "400", "--dev-account", "3"});
    ok({"pool", "publish-root", "--dev-account", "2"});
    json status = supplier_status(3);
    EXPECT_EQ(status.at("authorized"), tokens(400));
    EXPECT_EQ(status.at("stake"), tokens(1000));

    const u256 before = net_.balance(Bytes32{}, net_.address(3));
    const RunResult human = ok({"supplier", "withdraw", "--dev-account", "3"});
    EXPECT_NE(human.out.find("Withdrawal"), std::string::npos) << human.out;
    EXPECT_EQ(net_.balance(Bytes32{}, net_.address(3)), before + u256(400) * kToken);
    EXPECT_EQ(net_.balance(net_.collateral(), net_.manager()), u256(1100) * kToken);
    status = supplier_status(3);
    EXPECT_EQ(status.at("stake"), tokens(600));
    EXPECT_EQ(status.at("withdrawn"), tokens(400));
    // The leaf is spent: said so before anything is sent.
    const RunResult twice = amp({"supplier", "withdraw", "--dev-account", "3"});
    EXPECT_EQ(twice.code, exit_code::kFailed);
    EXPECT_NE(twice.err.find("already made"), std::string::npos) << twice.err;
}

TEST_F(ClearinghouseCommands, FallbackWithdrawalOpensAfterTheDelay) {
    ok({"supply", "700", "--dev-account", "3"});
    ok({"pool", "publish-fallback", "--dev-account", "1"});
    EXPECT_EQ(supplier_status(3).at("fallbackMaxCumulative"), tokens(700));
    const RunResult early = amp({"supplier", "fallback-withdraw", "--dev-account", "3"});
    EXPECT_EQ(early.code, exit_code::kFailed);
    EXPECT_NE(early.err.find("fallback withdrawals open at"), std::string::npos) << early.err;

    const u256 delay =
        net_.view(net_.manager(), "fallbackWithdrawalDelaySeconds()", abi::Encoder());
    ASSERT_TRUE(delay.fits_u64());
    net_.node().increase_time(delay.w[0] + 1);
    net_.node().mine();
    const u256 before = net_.balance(Bytes32{}, net_.address(3));
    ok({"supplier", "fallback-withdraw", "--dev-account", "3"});
    EXPECT_EQ(net_.balance(Bytes32{}, net_.address(3)), before + u256(700) * kToken);
    EXPECT_EQ(net_.balance(net_.collateral(), net_.manager()), u256(0));
}

TEST_F(ClearinghouseCommands, PoolRegistrationAndAssurersNeedTheManagersOwner) {
    const RunResult stranger =
        amp({"pool", "assurer", net_.address(6).hex(), "--dev-account", "6"});
    EXPECT_EQ(stranger.code, exit_code::kReverted);
    ok({"pool", "assurer", net_.address(6).hex(), "--dev-account", "1"});
    ok({"supply", "10", "--dev-account", "3"});
    ok({"guarantee", "open", "0x" + std::string(63, '0') + "1", "1", net_.address(7).hex(),
        "--expires-in", "60", "--dev-account", "6"});
    ok({"guarantee", "settle", "0x" + std::string(63, '0') + "1", "--dev-account", "6"});
    ok({"pool", "assurer", net_.address(6).hex(), "--remove", "--dev-account", "1"});
    const RunResult removed = amp({"guarantee", "open", "another", "1", net_.address(7).hex(),
                                   "--expires-in", "60", "--dev-account", "6"});
    EXPECT_EQ(removed.code, exit_code::kReverted);
    // The dev pool is registered already.
    const RunResult dup = amp({"pool", "register", "--dev-account", "1"});
    EXPECT_EQ(dup.code, exit_code::kReverted);
    const RunResult bad_id = amp({"guarantee", "show", "0x12zz" + std::string(60, '0')});
    EXPECT_EQ(bad_id.code, exit_code::kUsage);
}

}  // namespace
}  // namespace ampd::cli::test
