// amp_getWithdrawalProof / amp_getFallbackProof on a dev node: the dev
// genesis' Clearinghouse publishes the manager's roots, and the proofs the
// node answers withdraw through Amp exactly as a client would use them.
#include <gtest/gtest.h>

#include "ampd/contracts/partitions.hpp"
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

const u256 kToken = u256(1'000'000'000'000'000'000ULL);

class ProofApiTest : public ::testing::Test {
protected:
    ProofApiTest() : keys_(test_support::dev_keys(6)) {
        std::vector<Address> addrs;
        for (const auto& k : keys_) addrs.push_back(tx::address_of(k));
        genesis_ = node::dev_genesis(addrs);
        node::NodeConfig c;
        c.datadir = dir_.path();
        c.dev = true;
        node_ = node::Node::open(c, genesis_, [] { return uint64_t{1'800'000'000}; });
        MethodTable table(true);
        register_node_api(table, *node_, NodeApiConfig{});
        dispatcher_ = std::make_unique<Dispatcher>(std::move(table));
        const json contracts = dispatcher_->call("amp_getContracts", json::array());
        amp_ = *Address::from_hex(contracts.at("amp").get<std::string>());
        manager_ = *Address::from_hex(contracts.at("managers")[0].at("address").get<std::string>());
        clearinghouse_ = *Address::from_hex(contracts.at("clearinghouse").get<std::string>());
        partition_ = *Bytes32::from_hex(contracts.at("collateralPartition").get<std::string>());
    }

    Address addr(size_t i) const { return tx::address_of(keys_[i]); }

    // Sends a signed transaction and returns its receipt.
    json send(size_t from, const Address& to, const Bytes& data) {
        test_support::TxSpec spec;
        spec.nonce = node_->nonce(addr(from), true);
        spec.to = to;
        spec.data = data;
        spec.gas_limit = 5'000'000;
        const node::SignedTx t = test_support::sign(keys_[from], spec);
        const json hash =
            dispatcher_->call("eth_sendRawTransaction", json::array({to_data(t.raw)}));
        return dispatcher_->call("eth_getTransactionReceipt", json::array({hash}));
    }
    void must(const json& receipt) { ASSERT_EQ(receipt.at("status"), "0x1") << receipt.dump(); }

    Bytes transfer_by_partition(const Bytes32& from_partition, const Address& from,
                                const Address& to, const u256& value, const Bytes& data,
                                const Bytes& operator_data) {
        return abi::Encoder()
            .bytes32(from_partition)
            .address(from)
            .address(to)
            .uint256(value)
            .bytes(data)
            .bytes(operator_data)
            .finish_call(
                selector_of("transferByPartition(bytes32,address,address,uint256,bytes,bytes)"));
    }
    void supply(size_t who, const u256& amount) {
        must(send(who, amp_,
                  transfer_by_partition(Bytes32{}, addr(who), manager_, amount,
                                        contracts::change_partition_data(partition_), {})));
    }
    void request_release(size_t who, const u256& amount) {
        must(send(who, manager_,
                  abi::Encoder()
                      .bytes32(partition_)
                      .uint256(amount)
                      .bytes({})
                      .finish_call(selector_of("requestRelease(bytes32,uint256,bytes)"))));
    }
    u256 balance(const Bytes32& partition, const Address& who) {
        const json r = dispatcher_->call(
            "eth_call",
            json::array(
                {json{{"to", to_hex(amp_)},
                      {"data", to_data(abi::Encoder().bytes32(partition).address(who).finish_call(
                                   selector_of("balanceOfByPartition(bytes32,address)")))}},
                 "latest"}));
        return *u256::from_hex(r.get<std::string>());
    }
    json proof(const std::string& method, const Address& supplier) {
        return dispatcher_->call(
            method, json::array({to_hex(manager_), to_hex(partition_), to_hex(supplier)}));
    }
    RpcError error_of(const std::string& method, const json& params) {
        try {
            (void)dispatcher_->call(method, params);
        } catch (const RpcError& e) {
            return e;
        }
        ADD_FAILURE() << method << " did not fail";
        return RpcError(0, "");
    }

    test_support::TempDir dir_{"ampd-rpc-proof"};
    std::vector<tx::PrivateKey> keys_;
    node::Genesis genesis_;
    std::unique_ptr<node::Node> node_;
    std::unique_ptr<Dispatcher> dispatcher_;
    Address amp_, manager_, clearinghouse_;
    Bytes32 partition_;
};

TEST_F(ProofApiTest, PublishedWithdrawalRootAnswersAProofThatWithdraws) {
    supply(3, u256(1000) * kToken);
    supply(4, u256(500) * kToken);
    request_release(3, u256(400) * kToken);
    // Nothing published yet.
    EXPECT_TRUE(proof("amp_getWithdrawalProof", addr(3)).is_null());

    // Account 2 is the dev pool's assurer and may publish.
    must(send(2, clearinghouse_,
              abi::Encoder().address(manager_).finish_call(
                  selector_of("publishWithdrawalRoot(address)"))));
    const json p = proof("amp_getWithdrawalProof", addr(3));
    ASSERT_TRUE(p.is_object()) << p.dump();
    EXPECT_EQ(p.at("value"), to_quantity(u256(400) * kToken));
    EXPECT_EQ(p.at("rootNonce"), "0x1");
    EXPECT_EQ(p.at("maxAuthorizedAccountNonce"), "0x0");
    // A supplier without a release request has no leaf.
    EXPECT_TRUE(proof("amp_getWithdrawalProof", addr(4)).is_null());

    // The answer is everything the withdrawal needs.
    const u256 before = balance(Bytes32{}, addr(3));
    const Bytes operator_data = data_bytes(p.at("operatorData"));
    must(send(3, amp_,
              transfer_by_partition(partition_, manager_, addr(3), u256(400) * kToken,
                                    contracts::change_partition_data(Bytes32{}), operator_data)));
    EXPECT_EQ(balance(Bytes32{}, addr(3)), before + u256(400) * kToken);
    EXPECT_EQ(balance(partition_, manager_), u256(1100) * kToken);
    // The same proof again is a replay the manager refuses.
    const json replay =
        send(3, amp_,
             transfer_by_partition(partition_, manager_, addr(3), u256(400) * kToken,
                                   contracts::change_partition_data(Bytes32{}), operator_data));
    EXPECT_EQ(replay.at("status"), "0x0");
}

TEST_F(ProofApiTest, FallbackRootAnswersAProof) {
    supply(3, u256(1000) * kToken);
    EXPECT_TRUE(proof("amp_getFallbackProof", addr(3)).is_null());
    // The manager's owner (account 1) may publish as well.
    must(send(
        1, clearinghouse_,
        abi::Encoder().address(manager_).finish_call(selector_of("publishFallbackRoot(address)"))));
    const json p = proof("amp_getFallbackProof", addr(3));
    ASSERT_TRUE(p.is_object()) << p.dump();
    EXPECT_EQ(p.at("maxCumulativeWithdrawalAmount"), to_quantity(u256(1000) * kToken));
    EXPECT_TRUE(p.at("proof").is_array());
    EXPECT_EQ(p.at("root").get<std::string>().size(), 66U);
    EXPECT_FALSE(data_bytes(p.at("operatorData")).empty());
    EXPECT_TRUE(proof("amp_getFallbackProof", addr(5)).is_null());
}

TEST_F(ProofApiTest, BadQueriesGetClearErrors) {
    const RpcError not_manager = error_of(
        "amp_getWithdrawalProof", json::array({to_hex(amp_), to_hex(partition_), to_hex(addr(3))}));
    EXPECT_EQ(not_manager.code, errc::kInvalidParams);
    EXPECT_NE(not_manager.message.find("not a FlexaCollateralManager"), std::string::npos)
        << not_manager.message;
    const RpcError missing =
        error_of("amp_getFallbackProof", json::array({to_hex(manager_), to_hex(partition_)}));
    EXPECT_EQ(missing.code, errc::kInvalidParams);
    const RpcError bad_hex = error_of("amp_getWithdrawalProof",
                                      json::array({to_hex(manager_), "0x12", to_hex(addr(3))}));
    EXPECT_EQ(bad_hex.code, errc::kInvalidParams);
}

TEST_F(ProofApiTest, DevGenesisWiresTheClearinghouse) {
    const json contracts = dispatcher_->call("amp_getContracts", json::array());
    EXPECT_EQ(contracts.at("contracts").at("clearinghouse").at("type"), "Clearinghouse");
    auto view = [&](const Address& to, const Bytes& data) {
        return dispatcher_->call(
            "eth_call", json::array({json{{"to", to_hex(to)}, {"data", to_data(data)}}, "latest"}));
    };
    const std::string ch_word = "0x000000000000000000000000" + to_hex(clearinghouse_).substr(2);
    for (const char* role :
         {"directTransferer()", "withdrawalPublisher()", "fallbackPublisher()"}) {
        EXPECT_EQ(view(manager_, abi::Encoder().finish_call(selector_of(role))), ch_word) << role;
    }
    const json assurer =
        view(clearinghouse_, abi::Encoder()
                                 .address(manager_)
                                 .bytes32(partition_)
                                 .address(addr(2))
                                 .finish_call(selector_of("isAssurer(address,bytes32,address)")));
    EXPECT_EQ(assurer, "0x0000000000000000000000000000000000000000000000000000000000000001");
}

}  // namespace
}  // namespace ampd::rpc
