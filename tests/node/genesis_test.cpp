#include "ampd/node/genesis.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "ampd/contracts/amp.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"

namespace ampd::node {
namespace {

std::vector<Address> accounts(int n) {
    std::vector<Address> out;
    for (int i = 1; i <= n; ++i) {
        Address a;
        a.b[19] = static_cast<uint8_t>(i);
        a.b[0] = 0x11;
        out.push_back(a);
    }
    return out;
}

TEST(Genesis, DevGenesisRoundTripsThroughJson) {
    const Genesis g = dev_genesis(accounts(3));
    const Genesis back = parse_genesis(to_json(g));
    EXPECT_EQ(genesis_hash(back), genesis_hash(g));
    EXPECT_EQ(back.contracts.size(), g.contracts.size());
    EXPECT_EQ(back.calls.size(), g.calls.size());
}

TEST(Genesis, DevWorldHasAmpAtItsMainnetAddressAndFundedAccounts) {
    const std::vector<Address> accts = accounts(2);
    const Genesis g = dev_genesis(accts);
    std::unique_ptr<state::World> w = build_genesis_world(g);
    auto* amp = w->contract_as<contracts::Amp>(
        *Address::from_hex("0xff20817765cb7f73d4bde2e66e067e58d11095c2"));
    ASSERT_NE(amp, nullptr);
    const u256 million = u256(1'000'000) * u256(1'000'000'000'000'000'000ULL);
    EXPECT_EQ(amp->balanceOf(accts[1]), million);
    EXPECT_EQ(amp->totalSupply(), million * u256(2));
    EXPECT_EQ(amp->partitionStrategies().size(), 2U);
    const GenesisContract* m = g.contract("collateralManager");
    ASSERT_NE(m, nullptr);
    EXPECT_NE(w->contract_as<contracts::FlexaCollateralManager>(m->address), nullptr);
}

TEST(Genesis, MalformedDocumentsNameTheBadField) {
    nlohmann::json j = to_json(dev_genesis(accounts(1)));
    j["contracts"][1]["address"] = "0x12";
    try {
        (void)parse_genesis(j);
        FAIL() << "accepted a bad address";
    } catch (const GenesisError& e) {
        EXPECT_NE(std::string(e.what()).find("contracts[1].address"), std::string::npos);
    }
    j = to_json(dev_genesis(accounts(1)));
    j["calls"][0]["function"] = "setPartitionStrategy(bytes4)";
    EXPECT_THROW((void)parse_genesis(j), GenesisError);
    j = to_json(dev_genesis(accounts(1)));
    j["contracts"][0]["type"] = "Nope";
    EXPECT_THROW((void)parse_genesis(j), GenesisError);
    EXPECT_THROW((void)parse_genesis(nlohmann::json::array()), GenesisError);
}

TEST(Genesis, RevertingCallIsReportedWithItsIndex) {
    Genesis g = dev_genesis(accounts(1));
    // A second swap with no allowance left reverts.
    g.calls.push_back(g.calls.back());
    try {
        (void)build_genesis_world(g);
        FAIL() << "a reverting genesis call was accepted";
    } catch (const GenesisError& e) {
        EXPECT_NE(std::string(e.what()).find(fmt::format("calls[{}]", g.calls.size() - 1)),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace ampd::node
