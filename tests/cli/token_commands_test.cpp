// amp transfer, transfer-by-partition, approve, balance, tx, receipt and
// operators against a real dev node.
#include <gtest/gtest.h>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/tx/transaction.hpp"
#include "cli_harness.hpp"

namespace ampd::cli::test {
namespace {

using nlohmann::json;

class TokenCommands : public ::testing::Test {
protected:
    RunResult amp(std::vector<std::string> args) {
        args.insert(args.begin(), {"--rpc", net_.url()});
        return cli_.run(args);
    }

    DevNode net_;
    Cli cli_;
};

TEST_F(TokenCommands, TransferMovesExactlyTheAmount) {
    const Address alice = net_.address(1);
    const Address bob = net_.address(2);
    const u256 alice_before = net_.balance(alice);
    const u256 bob_before = net_.balance(bob);

    const RunResult r = amp({"transfer", bob.hex(), "12.5", "--dev-account", "1"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    const u256 amount = u256(12) * kToken + kToken / u256(2);
    EXPECT_EQ(net_.balance(alice), alice_before - amount);
    EXPECT_EQ(net_.balance(bob), bob_before + amount);
    // Human output: the call, the receipt and the decoded Transfer event.
    EXPECT_NE(r.out.find("amp.transfer(to=" + checksum_address(bob) + ", value=12.5 AMP)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("status    success"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("amp Transfer(from=" + checksum_address(alice) +
                         ", to=" + checksum_address(bob) + ", value=12.5 AMP)"),
              std::string::npos)
        << r.out;
}

TEST_F(TokenCommands, JsonOutputCarriesBaseUnitsAndEvents) {
    const Address bob = net_.address(2);
    const RunResult r = amp(
        {"--json", "transfer", bob.hex(), "1000000000000000001", "--raw", "--dev-account", "3"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    const json j = r.json();
    EXPECT_EQ(j.at("status"), "success");
    EXPECT_EQ(j.at("from"), net_.address(3).hex());
    EXPECT_EQ(j.at("to"), net_.amp().hex());
    EXPECT_EQ(j.at("blockNumber"), net_.node().head_number());
    EXPECT_GT(j.at("gasUsed").get<uint64_t>(), 21'000U);
    EXPECT_LE(j.at("gasUsed").get<uint64_t>(), j.at("gasLimit").get<uint64_t>());
    // Amp emits TransferByPartition and Transfer for an ERC-20 transfer.
    bool saw_transfer = false;
    for (const json& e : j.at("events")) {
        EXPECT_EQ(e.at("contract"), "amp");
        if (e.at("event") == "Transfer") {
            saw_transfer = true;
            EXPECT_EQ(e.at("args").at("to"), bob.hex());
            EXPECT_EQ(e.at("args").at("value"), "1000000000000000001");
        }
    }
    EXPECT_TRUE(saw_transfer) << j.dump(2);
}

TEST_F(TokenCommands, ARevertIsReportedAndNothingIsSent) {
    const Address alice = net_.address(1);
    const uint64_t head = net_.node().head_number();
    const uint64_t nonce = net_.node().nonce(alice, true);
    const u256 before = net_.balance(alice);

    // Every dev account holds 1,000,000 AMP.
    const RunResult r = amp({"transfer", net_.address(2).hex(), "2000000", "--dev-account", "1"});
    EXPECT_EQ(r.code, exit_code::kReverted);
    EXPECT_NE(r.err.find("execution reverted: 52 (insufficient balance)"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("nothing was sent"), std::string::npos) << r.err;
    EXPECT_EQ(net_.node().head_number(), head);
    EXPECT_EQ(net_.node().nonce(alice, true), nonce);
    EXPECT_EQ(net_.balance(alice), before);

    const RunResult j =
        amp({"--json", "transfer", net_.address(2).hex(), "2000000", "--dev-account", "1"});
    EXPECT_EQ(j.code, exit_code::kReverted);
    EXPECT_EQ(j.json().at("error").at("kind"), "reverted");
    EXPECT_EQ(j.json().at("error").at("reason"), "52");
}

TEST_F(TokenCommands, TransferByPartitionIntoTheCollateralPartition) {
    const Address holder = net_.address(4);
    const Address manager = net_.manager();
    const Bytes32 pool = net_.collateral();
    const RunResult r = amp({"transfer-by-partition", "default", manager.hex(), "100",
                             "--to-partition", pool.hex(), "--dev-account", "4"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(net_.balance(pool, manager), u256(100) * kToken);
    EXPECT_NE(r.out.find("ChangedPartition(fromPartition=default, toPartition=" + pool.hex()),
              std::string::npos)
        << r.out;

    const RunResult b = amp({"--json", "balance", manager.hex(), "--partitions"});
    ASSERT_EQ(b.code, 0) << b.err;
    const json j = b.json();
    EXPECT_EQ(j.at("balance"), (u256(100) * kToken).to_dec());
    ASSERT_EQ(j.at("partitions").size(), 1U);
    EXPECT_EQ(j.at("partitions")[0].at("partition"), pool.hex());
    EXPECT_EQ(j.at("partitions")[0].at("balance"), (u256(100) * kToken).to_dec());

    const RunResult human = amp({"balance", "--partitions", manager.hex()});
    ASSERT_EQ(human.code, 0) << human.err;
    EXPECT_NE(human.out.find("100 AMP  " + pool.hex() + " (collateral of collateralManager)"),
              std::string::npos)
        << human.out;
    // The sender's remaining balance, in its default partition.
    const RunResult s = amp({"--json", "balance", holder.hex(), "--partitions"});
    EXPECT_EQ(s.json().at("partitions")[0].at("partition"), Bytes32{}.hex());
    EXPECT_EQ(s.json().at("partitions")[0].at("balance"), (u256(999'900) * kToken).to_dec());
}

TEST_F(TokenCommands, ApproveSetsTheAllowance) {
    const Address owner = net_.address(5);
    const Address spender = net_.address(6);
    const RunResult r = amp({"approve", spender.hex(), "7.25", "--dev-account", "5"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(net_.view(net_.amp(), "allowance(address,address)",
                        abi::Encoder().address(owner).address(spender)),
              u256(7) * kToken + kToken / u256(4));
    EXPECT_NE(r.out.find("amp Approval(owner=" + checksum_address(owner) +
                         ", spender=" + checksum_address(spender) + ", value=7.25 AMP)"),
              std::string::npos)
        << r.out;
}

TEST_F(TokenCommands, TxAndReceiptLookups) {
    const RunResult sent =
        amp({"--json", "--no-wait", "transfer", net_.address(2).hex(), "3", "--dev-account", "1"});
    ASSERT_EQ(sent.code, 0) << sent.err;
    EXPECT_EQ(sent.json().at("status"), "pending");
    const std::string hash = sent.json().at("hash");

    const RunResult receipt = amp({"--json", "receipt", hash});
    ASSERT_EQ(receipt.code, 0) << receipt.err;
    EXPECT_EQ(receipt.json().at("hash"), hash);
    EXPECT_EQ(receipt.json().at("status"), "success");

    const RunResult t = amp({"tx", hash});
    ASSERT_EQ(t.code, 0) << t.err;
    EXPECT_NE(
        t.out.find("call      transfer(to=" + checksum_address(net_.address(2)) + ", value=3 AMP)"),
        std::string::npos)
        << t.out;
    const RunResult tj = amp({"--json", "tx", hash});
    EXPECT_EQ(tj.json().at("call").at("function"), "transfer");
    EXPECT_EQ(tj.json().at("call").at("args").at("value"), (u256(3) * kToken).to_dec());

    const RunResult unknown = amp({"receipt", Bytes32{}.hex()});
    EXPECT_EQ(unknown.code, exit_code::kFailed);
    EXPECT_NE(unknown.err.find("no receipt"), std::string::npos);
}

TEST_F(TokenCommands, ReceiptOfATransactionThatRevertedOnChain) {
    // Signed with a fixed gas limit, past any estimate: it is mined and reverts.
    test_support::TxSpec spec;
    spec.nonce = net_.node().nonce(net_.address(7), true);
    spec.to = net_.amp();
    spec.data = abi::Encoder()
                    .address(net_.address(2))
                    .uint256(u256(5'000'000) * kToken)
                    .finish_call(selector_of("transfer(address,uint256)"));
    const node::SignedTx t = test_support::sign(net_.key(7), spec);
    ASSERT_FALSE(net_.node().submit(t).rejection.has_value());

    const RunResult r = amp({"receipt", t.hash.hex()});
    EXPECT_EQ(r.code, exit_code::kReverted);
    EXPECT_NE(r.out.find("reverted (status 0"), std::string::npos) << r.out;
    EXPECT_EQ(amp({"--json", "receipt", t.hash.hex()}).json().at("status"), "reverted");
}

TEST_F(TokenCommands, OperatorsAuthorizeCheckListRevoke) {
    const Address holder = net_.address(1);
    const Address op = net_.address(8);
    auto check = [&] {
        return amp({"--json", "operators", "check", holder.hex(), op.hex()})
            .json()
            .at("isOperator")
            .get<bool>();
    };
    EXPECT_FALSE(check());
    ASSERT_EQ(amp({"operators", "authorize", op.hex(), "--dev-account", "1"}).code, 0);
    ASSERT_EQ(amp({"operators", "authorize", net_.address(9).hex(), "--dev-account", "1"}).code, 0);
    EXPECT_TRUE(check());
    EXPECT_EQ(amp({"--json", "operators", "list", holder.hex()}).json().at("operators"),
              json::array({op.hex(), net_.address(9).hex()}));

    const RunResult revoke = amp({"operators", "revoke", op.hex(), "--dev-account", "1"});
    ASSERT_EQ(revoke.code, 0) << revoke.err;
    EXPECT_NE(revoke.out.find("RevokedOperator(operator=" + checksum_address(op)),
              std::string::npos)
        << revoke.out;
    EXPECT_FALSE(check());
    EXPECT_EQ(amp({"--json", "operators", "list", holder.hex()}).json().at("operators"),
              json::array({net_.address(9).hex()}));
    EXPECT_EQ(amp({"operators", "list", net_.address(2).hex()}).out,
              checksum_address(net_.address(2)) + " has no operators\n");
}

}  // namespace
}  // namespace ampd::cli::test
