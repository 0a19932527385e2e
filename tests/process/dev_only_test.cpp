// A node started without --dev (from the dev genesis printed by
// `ampd --dev --print-genesis`) refuses the development methods, saying
// they need --dev, and signs for no one.
#include <sys/wait.h>

#include "node_fixture.hpp"

namespace ampd::process_test {
namespace {

using nlohmann::json;

constexpr int kMethodNotFound = -32601;

class DevOnlyTest : public RunningNode {
protected:
    std::vector<std::string> node_args() override {
        const auto genesis = dir_ / "genesis.json";
        const int status = run_ampd({"--dev", "--print-genesis"}, genesis, dir_ / "print.err");
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(dir_ / "print.err");
        return {"--genesis", genesis.string(), "--datadir", (dir_ / "chain").string()};
    }
};

TEST_F(DevOnlyTest, DevMethodsAreNotFoundWithoutDev) {
    EXPECT_EQ(call("eth_chainId", json::array())["result"], "0x7a69");
    for (const auto& [method, params] : std::vector<std::pair<std::string, json>>{
             {"evm_snapshot", json::array()},
             {"evm_revert", json::array({"0x1"})},
             {"evm_mine", json::array()},
             {"evm_increaseTime", json::array({60})},
             {"evm_setNextBlockTimestamp", json::array({4'000'000'000ULL})},
             {"eth_sendTransaction",
              json::array({{{"from", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"},
                            {"to", "0xff20817765cb7f73d4bde2e66e067e58d11095c2"}}})}}) {
        expect_error(method, params, kMethodNotFound,
                     {"the method " + method + " is only available with --dev"});
    }
    // Not a dev method, but there are no unlocked accounts to list.
    EXPECT_EQ(call("eth_accounts", json::array())["result"], json::array());
    // The same genesis: the same contracts as on a dev node.
    const json contracts = call("amp_getContracts", json::array())["result"];
    EXPECT_EQ(contracts["contracts"]["amp"]["address"],
              "0xff20817765cb7f73d4bde2e66e067e58d11095c2");
    EXPECT_FALSE(contracts.contains("collateralPartition"));
}

}  // namespace
}  // namespace ampd::process_test
