// eth_sendRawTransaction is deferred: a JSON-RPC batch of transactions is
// queued whole before any of them is waited for, so the batch shares WAL
// group commits instead of paying one fdatasync per transaction.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/rpc/json_rpc.hpp"
#include "ampd/rpc/node_api.hpp"
#include "ampd/rpc/params.hpp"
#include "support/signed_tx.hpp"
#include "support/temp_dir.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;

class BatchIngestTest : public ::testing::Test {
protected:
    BatchIngestTest() : keys_(test_support::dev_keys(3)) {
        std::vector<Address> addrs;
        for (const auto& k : keys_) addrs.push_back(tx::address_of(k));
        genesis_ = node::dev_genesis(addrs);
    }

    void open(std::chrono::milliseconds block_time) {
        node::NodeConfig c;
        c.datadir = dir_.path();
        c.dev = true;
        c.block_time = block_time;
        c.fsync = true;  // the point is the number of fdatasyncs
        node_ = node::Node::open(c, genesis_, [] { return uint64_t{1'800'000'000}; });
        MethodTable table(true);
        register_node_api(table, *node_, NodeApiConfig{});
        dispatcher_ = std::make_unique<Dispatcher>(std::move(table));
    }

    // Transfers from key 1 with nonces first..first+n-1, as a batch body,
    // and their hashes.
    std::pair<std::string, std::vector<std::string>> batch(uint64_t first, size_t n) {
        json body = json::array();
        std::vector<std::string> hashes;
        for (size_t i = 0; i < n; ++i) {
            test_support::TxSpec spec;
            spec.nonce = first + i;
            spec.to = genesis_.contract("amp")->address;
            spec.data = abi::Encoder()
                            .address(tx::address_of(keys_[2]))
                            .uint256(u256(1 + i))
                            .finish_call(selector_of("transfer(address,uint256)"));
            const node::SignedTx t = test_support::sign(keys_[1], spec);
            hashes.push_back(to_hex(t.hash));
            body.push_back({{"jsonrpc", "2.0"},
                            {"id", i},
                            {"method", "eth_sendRawTransaction"},
                            {"params", {to_data(t.raw)}}});
        }
        return {body.dump(), hashes};
    }

    // Handles `body` while the sequencer is held for `hold`, so that the
    // whole batch is queued before the sequencer takes any of it however
    // fast this machine's fdatasync is.
    json handle_while_held(const std::string& body, std::chrono::milliseconds hold) {
        std::thread holder([&] {
            node_->with_state([&](const node::Chain&) { std::this_thread::sleep_for(hold); });
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let it take the lock
        const std::string out = dispatcher_->handle(body);
        holder.join();
        return json::parse(out);
    }

    test_support::TempDir dir_{"ampd-batch"};
    std::vector<tx::PrivateKey> keys_;
    node::Genesis genesis_;
    std::unique_ptr<node::Node> node_;
    std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(BatchIngestTest, BatchOfOneSendersTransactionsSharesGroupCommits) {
    open(std::chrono::milliseconds(0));  // automine: every transaction is its own block
    const auto [body, hashes] = batch(0, 50);
    const uint64_t syncs_before = node_->stats().wal_syncs;
    const json out = handle_while_held(body, std::chrono::milliseconds(500));
    const uint64_t syncs = node_->stats().wal_syncs - syncs_before;
    RecordProperty("wal_group_commits", static_cast<int>(syncs));

    ASSERT_EQ(out.size(), 50U);
    for (size_t i = 0; i < 50; ++i) {
        EXPECT_EQ(out[i]["id"], i);
        EXPECT_EQ(out[i]["result"], hashes[i]) << out[i];
    }
    // One transaction when the sequencer first woke, the other 49 together
    // (a slow machine may split them once more).
    EXPECT_LE(syncs, 5U);
    EXPECT_GE(syncs, 1U);
    EXPECT_EQ(node_->nonce(tx::address_of(keys_[1]), false), 50U);
    // Acknowledged in automine mode: sealed, so the receipts are readable.
    for (const std::string& h : hashes) {
        const json r = dispatcher_->call("eth_getTransactionReceipt", {h});
        ASSERT_TRUE(r.is_object()) << h;
        EXPECT_EQ(r["status"], "0x1");
    }
}

TEST_F(BatchIngestTest, IntervalModeBatchAndARejectedItem) {
    open(std::chrono::milliseconds(100));
    auto [body, hashes] = batch(0, 20);
    // Nonce 25 is a gap: refused at admission, the others are unaffected.
    json items = json::parse(body);
    items.push_back(json::parse(batch(25, 1).first)[0]);
    items.back()["id"] = 20;
    const json out = handle_while_held(items.dump(), std::chrono::milliseconds(300));
    ASSERT_EQ(out.size(), 21U);
    for (size_t i = 0; i < 20; ++i) EXPECT_EQ(out[i]["result"], hashes[i]) << out[i];
    EXPECT_EQ(out[20]["error"]["code"], errc::kTransactionRejected);
    EXPECT_NE(out[20]["error"]["message"].get<std::string>().find("nonce too high"),
              std::string::npos);
    EXPECT_EQ(node_->nonce(tx::address_of(keys_[1]), true), 20U);
}

// The method's text form (json_rpc_text.cpp) and its JSON form refuse bad
// transactions with the same answer: an escape in "jsonrpc" sends the same
// request down the general path.
TEST_F(BatchIngestTest, TextAndJsonFormsRefuseBadTransactionsAlike) {
    open(std::chrono::milliseconds(0));
    const std::string gap = json::parse(batch(5, 1).first)[0]["params"][0];  // nonce too high
    for (const std::string& param :
         std::vector<std::string>{"0xzz", "0x123", "abc", "", "0x", "0xc0", "0x02f8", gap}) {
        const std::string rest =
            R"(","id":7,"method":"eth_sendRawTransaction","params":[")" + param + R"("]})";
        const std::string text = dispatcher_->handle(R"({"jsonrpc":"2.0)" + rest);
        const std::string general = dispatcher_->handle(R"({"jsonrpc":"2\u002e0)" + rest);
        EXPECT_EQ(text, general) << param;
        const json out = json::parse(text);
        EXPECT_TRUE(out.contains("error")) << param << ": " << text;
        EXPECT_EQ(out["id"], 7);
    }
    EXPECT_EQ(node_->nonce(tx::address_of(keys_[1]), true), 0U);
}

}  // namespace
}  // namespace ampd::rpc
