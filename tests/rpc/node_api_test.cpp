// The node's JSON-RPC methods, called in-process through the dispatcher on a
// real node (temporary data directory, dev genesis).
#include "ampd/rpc/node_api.hpp"

#include <gtest/gtest.h>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/rpc/json_rpc.hpp"
#include "ampd/rpc/params.hpp"
#include "support/signed_tx.hpp"
#include "support/temp_dir.hpp"

namespace ampd::rpc {
namespace {

using nlohmann::json;

class NodeApiTest : public ::testing::Test {
protected:
    explicit NodeApiTest(bool dev = true) : keys_(test_support::dev_keys(4)) {
        std::vector<Address> addrs;
        for (const auto& k : keys_) addrs.push_back(tx::address_of(k));
        genesis_ = node::dev_genesis(addrs);
        node::NodeConfig c;
        c.datadir = dir_.path();
        c.dev = dev;
        node_ = node::Node::open(c, genesis_, [] { return uint64_t{1'800'000'000}; });
        NodeApiConfig api;
        api.unlocked_keys = keys_;
        MethodTable table(dev);
        register_node_api(table, *node_, api);
        dispatcher_ = std::make_unique<Dispatcher>(std::move(table));
    }

    json call(const std::string& method, json params = json::array()) {
        return dispatcher_->call(method, params);
    }
    RpcError error_of(const std::string& method, json params = json::array()) {
        try {
            (void)call(method, std::move(params));
        } catch (const RpcError& e) {
            return e;
        }
        ADD_FAILURE() << method << " did not fail";
        return RpcError(0, "");
    }

    Address amp() const { return genesis_.contract("amp")->address; }
    Address addr(size_t i) const { return tx::address_of(keys_[i]); }
    static Bytes transfer_data(const Address& to, uint64_t v) {
        return abi::Encoder().address(to).uint256(u256(v)).finish_call(
            selector_of("transfer(address,uint256)"));
    }
    std::string send(size_t from, const Bytes& data, uint64_t gas = 200'000) {
        test_support::TxSpec spec;
        spec.nonce = node_->nonce(addr(from), true);
        spec.to = amp();
        spec.data = data;
        spec.gas_limit = gas;
        const node::SignedTx t = test_support::sign(keys_[from], spec);
        return call("eth_sendRawTransaction", {to_data(t.raw)}).get<std::string>();
    }

    test_support::TempDir dir_{"ampd-rpc"};
    std::vector<tx::PrivateKey> keys_;
    node::Genesis genesis_;
    std::unique_ptr<node::Node> node_;
    std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(NodeApiTest, ChainIdentity) {
    EXPECT_EQ(call("eth_chainId"), "0x7a69");
    EXPECT_EQ(call("net_version"), "31337");
    EXPECT_EQ(call("eth_blockNumber"), "0x0");
    EXPECT_EQ(call("eth_syncing"), false);
    EXPECT_EQ(call("eth_gasPrice"), "0x0");
    const json code = call("eth_getCode", {to_hex(amp()), "latest"});
    EXPECT_EQ(code, to_data(Bytes{0xfe, 'a', 'm', 'p', 'd', ':', 'A', 'm', 'p'}));
    EXPECT_EQ(call("eth_getCode", {to_hex(addr(1)), "latest"}), "0x");
    const json contracts = call("amp_getContracts");
    EXPECT_EQ(contracts["contracts"]["amp"]["address"], to_hex(amp()));
    EXPECT_TRUE(contracts.contains("collateralPartition"));
    EXPECT_EQ(contracts["amp"], to_hex(amp()));
    EXPECT_EQ(contracts["registry"], "0x1820a4b7618bde71dce8cdc73aab6c95905fad24");
    ASSERT_EQ(contracts["managers"].size(), 1U);
    EXPECT_EQ(contracts["managers"][0]["owner"], to_hex(addr(1)));
    EXPECT_EQ(contracts["managers"][0]["partitions"][0], contracts["collateralPartition"]);
}

TEST_F(NodeApiTest, TransferRoundTripThroughReceiptsBlocksAndLogs) {
    const std::string hash = send(1, transfer_data(addr(2), 1234));
    const json receipt = call("eth_getTransactionReceipt", {hash});
    ASSERT_TRUE(receipt.is_object());
    EXPECT_EQ(receipt["status"], "0x1");
    EXPECT_EQ(receipt["blockNumber"], "0x1");
    EXPECT_EQ(receipt["from"], to_hex(addr(1)));
    ASSERT_EQ(receipt["logs"].size(), 2U);
    EXPECT_EQ(receipt["logs"][1]["logIndex"], "0x1");
    EXPECT_EQ(receipt["logs"][0]["removed"], false);

    const json block = call("eth_getBlockByNumber", {"0x1", true});
    EXPECT_EQ(block["hash"], receipt["blockHash"]);
    EXPECT_EQ(block["transactions"][0]["hash"], hash);
    EXPECT_EQ(block["transactions"][0]["from"], to_hex(addr(1)));
    EXPECT_EQ(call("eth_getBlockByHash", {block["hash"], false})["transactions"][0], hash);
    EXPECT_EQ(call("eth_getTransactionByHash", {hash})["blockNumber"], "0x1");

    const std::string transfer_topic =
        to_hex(keccak256(std::string_view("Transfer(address,address,uint256)")));
    const json logs = call("eth_getLogs", {{{"fromBlock", "0x0"},
                                            {"toBlock", "latest"},
                                            {"address", to_hex(amp())},
                                            {"topics", {transfer_topic}}}});
    ASSERT_EQ(logs.size(), 1U);
    EXPECT_EQ(logs[0]["transactionHash"], hash);
    // A null position matches anything; an OR-list any of its topics.
    const std::string default_partition = to_hex(Bytes32{});  // TransferByPartition's topic 1
    const std::string other = to_hex(keccak256(std::string_view("no such topic")));
    const json by_partition = call(
        "eth_getLogs", {{{"fromBlock", "0x0"}, {"topics", {nullptr, {other, default_partition}}}}});
    ASSERT_EQ(by_partition.size(), 1U);
    EXPECT_EQ(by_partition[0]["topics"][1], default_partition);
    const json none = call("eth_getLogs", {{{"fromBlock", "0x0"}, {"topics", {nullptr, other}}}});
    EXPECT_TRUE(none.empty());
    EXPECT_EQ(call("eth_getTransactionCount", {to_hex(addr(1)), "latest"}), "0x1");
}

TEST_F(NodeApiTest, EstimateIsHonestAndCallRevertsWithCode3) {
    const json est = call("eth_estimateGas", {{{"from", to_hex(addr(1))},
                                               {"to", to_hex(amp())},
                                               {"data", to_data(transfer_data(addr(2), 5))}}});
    const uint64_t gas = quantity_u64(est);
    const json receipt =
        call("eth_getTransactionReceipt", {send(1, transfer_data(addr(2), 5), gas)});
    EXPECT_EQ(receipt["status"], "0x1");
    EXPECT_EQ(receipt["gasUsed"], est);

    // More than anyone holds: Amp reverts with its reason code.
    const RpcError big =
        error_of("eth_call",
                 {{{"from", to_hex(addr(3))},
                   {"to", to_hex(amp())},
                   {"data", to_data(abi::Encoder()
                                        .address(addr(2))
                                        .uint256(u256(1) << 255)
                                        .finish_call(selector_of("transfer(address,uint256)")))}}});
    EXPECT_EQ(big.code, errc::kExecutionReverted);
    ASSERT_TRUE(big.data.has_value());
    EXPECT_EQ(big.data->get<std::string>().substr(0, 10), "0x08c379a0");  // Error(string)
}

TEST_F(NodeApiTest, HistoricalStateIsRefused) {
    send(1, transfer_data(addr(2), 1));
    const RpcError e = error_of("eth_call", {{{"to", to_hex(amp())}}, "0x0"});
    EXPECT_EQ(e.code, errc::kInvalidInput);
    EXPECT_NE(e.message.find("historical state"), std::string::npos);
}

TEST_F(NodeApiTest, RejectionsCarryGethMessages) {
    test_support::TxSpec spec;
    spec.to = amp();
    spec.chain_id = 1;
    const node::SignedTx wrong_chain = test_support::sign(keys_[1], spec);
    const RpcError e = error_of("eth_sendRawTransaction", {to_data(wrong_chain.raw)});
    EXPECT_EQ(e.code, errc::kTransactionRejected);
    EXPECT_EQ(e.message, "invalid chain id: expected 31337, got 1");

    const RpcError garbage = error_of("eth_sendRawTransaction", {"0xf86c"});
    EXPECT_EQ(garbage.code, errc::kInvalidInput);
    EXPECT_EQ(garbage.message, "invalid transaction: malformed transaction: rlp: input truncated");
    EXPECT_EQ(call("eth_blockNumber"), "0x0");
}

TEST_F(NodeApiTest, DevAccountsSignAndTimeTravel) {
    const json accounts = call("eth_accounts");
    ASSERT_EQ(accounts.size(), 4U);
    const std::string hash =
        call("eth_sendTransaction", {{{"from", accounts[1]},
                                      {"to", to_hex(amp())},
                                      {"data", to_data(transfer_data(addr(2), 9))}}})
            .get<std::string>();
    EXPECT_EQ(call("eth_getTransactionReceipt", {hash})["status"], "0x1");
    const RpcError unknown =
        error_of("eth_sendTransaction", {{{"from", to_hex(Address{})}, {"to", to_hex(amp())}}});
    EXPECT_EQ(unknown.code, errc::kInvalidInput);

    const json snap = call("evm_snapshot");
    EXPECT_EQ(call("evm_increaseTime", {3600}), 3600);
    call("evm_mine");
    const json b = call("eth_getBlockByNumber", {"latest", false});
    EXPECT_EQ(quantity_u64(b["timestamp"]), 1'800'000'000ULL + 3600);
    EXPECT_EQ(call("evm_revert", {snap}), true);
    EXPECT_EQ(call("eth_blockNumber"), "0x1");
}

TEST_F(NodeApiTest, PollingFiltersReportEachChangeOnce) {
    const json logs = call("eth_newFilter", {{{"address", to_hex(amp())}}});
    const json blocks = call("eth_newBlockFilter");
    EXPECT_TRUE(call("eth_getFilterChanges", {logs}).empty());
    const std::string hash = send(1, transfer_data(addr(2), 3));
    const json changes = call("eth_getFilterChanges", {logs});
    ASSERT_EQ(changes.size(), 2U);
    EXPECT_EQ(changes[0]["transactionHash"], hash);
    EXPECT_TRUE(call("eth_getFilterChanges", {logs}).empty());  // reported once
    const json new_blocks = call("eth_getFilterChanges", {blocks});
    ASSERT_EQ(new_blocks.size(), 1U);
    EXPECT_EQ(new_blocks[0], call("eth_getBlockByNumber", {"0x1", false})["hash"]);
    EXPECT_EQ(call("eth_getFilterLogs", {logs}).size(), 2U);
    EXPECT_EQ(call("eth_uninstallFilter", {logs}), true);
    EXPECT_EQ(call("eth_uninstallFilter", {logs}), false);
    EXPECT_EQ(error_of("eth_getFilterChanges", {logs}).message, "filter not found");

    // A filter from block 0 reports the past on its first poll.
    const json past = call("eth_newFilter", {{{"fromBlock", "0x0"}, {"address", to_hex(amp())}}});
    EXPECT_EQ(call("eth_getFilterChanges", {past}).size(), 2U);
}

TEST_F(NodeApiTest, FeeHistoryShape) {
    send(1, transfer_data(addr(2), 1));
    const json h = call("eth_feeHistory", {"0x2", "latest", {25, 75}});
    EXPECT_EQ(h["oldestBlock"], "0x0");
    EXPECT_EQ(h["baseFeePerGas"].size(), 3U);
    EXPECT_EQ(h["gasUsedRatio"].size(), 2U);
    EXPECT_EQ(h["reward"][1].size(), 2U);
}

class NodeApiNonDevTest : public NodeApiTest {
protected:
    NodeApiNonDevTest() : NodeApiTest(false) {}
};

TEST_F(NodeApiNonDevTest, DevMethodsAreAbsent) {
    EXPECT_TRUE(call("eth_accounts").empty());
    const RpcError e = error_of("evm_mine");
    EXPECT_EQ(e.code, errc::kMethodNotFound);
    EXPECT_NE(e.message.find("--dev"), std::string::npos);
}

}  // namespace
}  // namespace ampd::rpc
