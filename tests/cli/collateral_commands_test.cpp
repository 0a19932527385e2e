// amp supply, release-request and withdraw against a real dev node: the
// whole collateral round trip.
#include <gtest/gtest.h>

#include <fstream>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/tx_sender.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partitions.hpp"
#include "cli_harness.hpp"

namespace ampd::cli::test {
namespace {

using FCM = contracts::FlexaCollateralManager;
using nlohmann::json;

class CollateralCommands : public ::testing::Test {
protected:
    RunResult amp(std::vector<std::string> args) {
        args.insert(args.begin(), {"--rpc", net_.url()});
        return cli_.run(args);
    }

    // The event named `name` among a --json result's events.
    static json event(const RunResult& r, const std::string& name) {
        const json j = r.json();
        for (const json& e : j.at("events")) {
            if (e.at("event") == name) return e;
        }
        ADD_FAILURE() << "no " << name << " event in " << r.out;
        return json::object();
    }

    // Publishes a withdrawal root as the dev manager's owner (dev account
    // 1, who holds the withdrawal publisher role).
    void publish_root(const Bytes32& root, uint64_t nonce) {
        NodeClient node(net_.url());
        const SentTransaction sent = send_transaction(
            node, net_.key(1), net_.manager(),
            abi::Encoder()
                .bytes32(root)
                .uint256(u256(nonce))
                .bytes32_array({})
                .finish_call(selector_of("addWithdrawalRoot(bytes32,uint256,bytes32[])")),
            SendOptions{});
        ASSERT_EQ(sent.receipt.at("status"), "0x1");
    }

    DevNode net_;
    Cli cli_;
};

TEST_F(CollateralCommands, SupplyLocksAmpInTheManagersPartition) {
    const Address supplier = net_.address(3);
    const Bytes32 pool = net_.collateral();
    const RunResult r = amp({"--json", "supply", "250", "--dev-account", "3"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(net_.balance(pool, net_.manager()), u256(250) * kToken);
    EXPECT_EQ(net_.balance(supplier), u256(1'000'000 - 250) * kToken);
    const json receipt = event(r, "SupplyReceipt");
    EXPECT_EQ(receipt.at("contract"), "collateralManager");
    EXPECT_EQ(receipt.at("args").at("supplier"), supplier.hex());
    EXPECT_EQ(receipt.at("args").at("partition"), pool.hex());
    EXPECT_EQ(receipt.at("args").at("amount"), (u256(250) * kToken).to_dec());
    EXPECT_EQ(receipt.at("args").at("nonce"), "1");

    // An explicit --partition must be one of this manager's.
    const RunResult wrong = amp({"supply", "1", "--partition",
                                 contracts::make_partition(0xccccccccU, 1, net_.address(3)).hex(),
                                 "--dev-account", "3"});
    EXPECT_EQ(wrong.code, exit_code::kUsage);
    EXPECT_NE(wrong.err.find("not to the manager"), std::string::npos) << wrong.err;
}

TEST_F(CollateralCommands, ReleaseRequestThenWithdrawWithAProof) {
    const Address supplier = net_.address(3);
    const Bytes32 pool = net_.collateral();
    ASSERT_EQ(amp({"supply", "1000", "--dev-account", "3"}).code, 0);

    const RunResult req =
        amp({"--json", "release-request", "collateral", "400", "--dev-account", "3"});
    ASSERT_EQ(req.code, 0) << req.out << req.err;
    const json release = event(req, "ReleaseRequest");
    EXPECT_EQ(release.at("args").at("supplier"), supplier.hex());
    EXPECT_EQ(release.at("args").at("partition"), pool.hex());
    EXPECT_EQ(release.at("args").at("amount"), (u256(400) * kToken).to_dec());

    // The network's answer: a root with this withdrawal and another one.
    const u256 amount = u256(400) * kToken;
    const Bytes32 leaf = FCM::withdrawal_leaf(supplier, pool, amount, u256(0));
    const Bytes32 other = FCM::withdrawal_leaf(net_.address(4), pool, u256(1), u256(0));
    publish_root(FCM::merkle_parent(leaf, other), 1);

    // A wrong amount leads to another root: caught before anything is sent.
    const uint64_t nonce = net_.node().nonce(supplier, true);
    const RunResult bad = amp({"withdraw", "collateral", "399", "--nonce", "0", "--proof-hex",
                               other.hex(), "--dev-account", "3"});
    EXPECT_EQ(bad.code, exit_code::kFailed);
    EXPECT_NE(bad.err.find("not an active withdrawal root"), std::string::npos) << bad.err;
    EXPECT_EQ(net_.node().nonce(supplier, true), nonce);

    // The proof as a file in the shape amp_getWithdrawalProof will answer.
    test_support::TempDir tmp("ampd-cli-proof");
    std::ofstream(tmp / "proof.json") << json{
        {"supplier", supplier.hex()},
        {"partition", pool.hex()},
        {"amount", amount.to_hex()},
        {"maxAuthorizedAccountNonce", "0x0"},
        {"proof", {other.hex()}}}.dump();
    const u256 before = net_.balance(Bytes32{}, supplier);
    const RunResult w = amp({"--json", "withdraw", "collateral", "400", "--proof",
                             (tmp / "proof.json").string(), "--dev-account", "3"});
    ASSERT_EQ(w.code, 0) << w.out << w.err;
    EXPECT_EQ(net_.balance(Bytes32{}, supplier), before + amount);
    EXPECT_EQ(net_.balance(pool, net_.manager()), u256(600) * kToken);
    const json withdrawal = event(w, "Withdrawal");
    EXPECT_EQ(withdrawal.at("args").at("supplier"), supplier.hex());
    EXPECT_EQ(withdrawal.at("args").at("amount"), amount.to_dec());
    EXPECT_EQ(withdrawal.at("args").at("rootNonce"), "1");
}

TEST_F(CollateralCommands, AManagerWithSeveralPartitionsNeedsOneNamed) {
    // The partition manager (dev account 1) permits a second partition.
    const Bytes32 second = contracts::make_partition(0xccccccccU, 7, net_.manager());
    NodeClient node(net_.url());
    const SentTransaction added = send_transaction(
        node, net_.key(1), net_.manager(),
        abi::Encoder().bytes32(second).finish_call(selector_of("addPartition(bytes32)")),
        SendOptions{});
    ASSERT_EQ(added.receipt.at("status"), "0x1");

    const RunResult ambiguous = amp({"supply", "5", "--dev-account", "3"});
    EXPECT_EQ(ambiguous.code, exit_code::kUsage);
    EXPECT_NE(ambiguous.err.find("several collateral partitions"), std::string::npos);
    EXPECT_NE(ambiguous.err.find(second.hex()), std::string::npos) << ambiguous.err;

    const RunResult r = amp({"supply", "5", "--partition", second.hex(), "--dev-account", "3"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(net_.balance(second, net_.manager()), u256(5) * kToken);
    EXPECT_EQ(net_.balance(net_.collateral(), net_.manager()), u256(0));
}

TEST_F(CollateralCommands, ReleaseRequestNeedsAPartition) {
    const RunResult r = amp({"release-request", "nonsense", "1", "--dev-account", "3"});
    EXPECT_EQ(r.code, exit_code::kUsage);
    EXPECT_NE(r.err.find("PARTITION \"nonsense\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ampd::cli::test
