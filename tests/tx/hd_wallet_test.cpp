#include "ampd/tx/hd_wallet.hpp"

#include <gtest/gtest.h>

#include "ampd/primitives/hex.hpp"
#include "ethers_vectors.hpp"
#include "support/literals.hpp"

namespace ampd::tx {
namespace {

using test_support::A;
using test_support::B32;

Bytes H(std::string_view s) {
    auto b = hex::decode(s);
    if (!b) std::abort();
    return *b;
}

PrivateKey K(std::string_view s) {
    return *PrivateKey::from_hex(s);
}

TEST(HdWallet, DevAccountsOfTheTask) {
    const auto accounts = dev_accounts();
    ASSERT_EQ(accounts.size(), 20U);
    EXPECT_EQ(accounts[0].address, A("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
    EXPECT_EQ(accounts[0].key.hex(),
              "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    EXPECT_EQ(accounts[1].address, A("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));
    EXPECT_EQ(accounts[19].address, A("0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199"));
}

TEST(HdWallet, AllTwentyDevAccountsMatchEthers) {
    const auto accounts = dev_accounts(20);
    for (size_t i = 0; i < 20; ++i) {
        const auto& expected = test_vectors::kDevAccounts[i];
        EXPECT_EQ(accounts[i].address, A(expected.address)) << i;
        EXPECT_EQ(accounts[i].key, K(expected.key)) << i;
        EXPECT_EQ(address_of(accounts[i].key), accounts[i].address) << i;
    }
    EXPECT_EQ(dev_accounts(3).size(), 3U);
    EXPECT_TRUE(dev_accounts(0).empty());
}

TEST(HdWallet, DeriveEthereumKey) {
    auto k0 = derive_ethereum_key(kDevMnemonic, 0);
    ASSERT_TRUE(k0) << k0.error();
    EXPECT_EQ(k0->hex(), "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    auto k19 = derive_ethereum_key(kDevMnemonic, 19);
    ASSERT_TRUE(k19);
    EXPECT_EQ(address_of(*k19), A("0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199"));
    // A passphrase gives a different wallet (ethers: fromPhrase(dev, "ampd")).
    auto kp = derive_ethereum_key(kDevMnemonic, 0, "ampd");
    ASSERT_TRUE(kp);
    EXPECT_EQ(kp->hex(), "0x4a4f814a2e032d1a582913aab3ede0f950da527045dca4edfd956e83d8e53d3f");
    EXPECT_EQ(address_of(*kp), A("0x2b99e89B437B0398dE347f2E49D61234409e8cA6"));
    // A 24-word mnemonic (BIP-39 test phrase), index 3.
    auto k24 = derive_ethereum_key(
        "legal winner thank year wave sausage worth useful legal winner thank year wave sausage "
        "worth useful legal winner thank year wave sausage worth title",
        3);
    ASSERT_TRUE(k24);
    EXPECT_EQ(k24->hex(), "0x13441c9571b3e599f5afe678f1219eb8edfdba27f7619facaa484bec24efd6be");
    EXPECT_FALSE(derive_ethereum_key(kDevMnemonic, kHardened));
}

TEST(HdWallet, MnemonicToSeed) {
    // BIP-39's reference vector (passphrase "TREZOR").
    auto s = mnemonic_to_seed(
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
        "about",
        "TREZOR");
    ASSERT_TRUE(s) << s.error();
    EXPECT_EQ(hex::encode(*s),
              "0xc55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d182"
              "64c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04");
    auto dev = mnemonic_to_seed(kDevMnemonic);
    ASSERT_TRUE(dev);
    EXPECT_EQ(hex::encode(*dev),
              "0x9dfc3c64c2f8bede1533b6a79f8570e5943e0b8fd1cf77107adf7b72cef42185d564a3aee24cab43"
              "f80e3c4538087d70fc824eabbad596a23c97b6ee8322ccc0");
}

TEST(HdWallet, WhitespaceIsNormalized) {
    const auto reference = *mnemonic_to_seed(kDevMnemonic);
    for (const char* variant :
         {"  test test test test test test test test test test test junk  ",
          "test\ttest test\ntest test  test test test test test test\r\njunk",
          "\ntest test test test test test test test test test test junk\n"}) {
        auto s = mnemonic_to_seed(variant);
        ASSERT_TRUE(s) << s.error();
        EXPECT_EQ(*s, reference) << variant;
    }
    // Case is significant (BIP-39 does not fold it).
    EXPECT_NE(*mnemonic_to_seed("Test test test test test test test test test test test junk"),
              reference);
}

TEST(HdWallet, MnemonicErrors) {
    auto non_ascii =
        mnemonic_to_seed("test test test test test test test test test test test j\xc3\xbcnk");
    ASSERT_FALSE(non_ascii);
    EXPECT_EQ(non_ascii.error(), "mnemonic must be ASCII");
    auto pass = mnemonic_to_seed(kDevMnemonic, "p\xc3\xa4ss");
    ASSERT_FALSE(pass);
    EXPECT_EQ(pass.error(), "passphrase must be ASCII");
    auto eleven = mnemonic_to_seed("test test test test test test test test test test junk");
    ASSERT_FALSE(eleven);
    EXPECT_EQ(eleven.error(), "mnemonic must have 12, 15, 18, 21 or 24 words, got 11");
    auto empty = mnemonic_to_seed("   ");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error(), "mnemonic must have 12, 15, 18, 21 or 24 words, got 0");
    auto k = derive_ethereum_key("too short", 0);
    ASSERT_FALSE(k);
    EXPECT_EQ(k.error(), "mnemonic must have 12, 15, 18, 21 or 24 words, got 2");
}

struct Bip32Step {
    const char* path;
    const char* key;
    const char* chain_code;
};

void check_chain(std::string_view seed_hex, const std::vector<Bip32Step>& steps) {
    const Bytes seed = H(seed_hex);
    auto master = master_key(seed);
    ASSERT_TRUE(master) << master.error();
    for (const auto& step : steps) {
        auto k = derive_path(*master, step.path);
        ASSERT_TRUE(k) << k.error();
        EXPECT_EQ(k->key, K(step.key)) << step.path;
        EXPECT_EQ(k->chain_code, B32(step.chain_code)) << step.path;
    }
}

// BIP-32 test vectors 1 and 2 (private keys and chain codes as ethers
// derives them from the same seeds).
TEST(HdWallet, Bip32Vector1) {
    check_chain(
        "0x000102030405060708090a0b0c0d0e0f",
        {{"m", "0xe8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35",
          "0x873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508"},
         {"m/0'", "0xedb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea",
          "0x47fdacbd0f1097043b78c63c20c34ef4ed9a111d980047ad16282c7ae6236141"},
         {"m/0'/1", "0x3c6cb8d0f6a264c91ea8b5030fadaa8e538b020f0a387421a12de9319dc93368",
          "0x2a7857631386ba23dacac34180dd1983734e444fdbf774041578e9b6adb37c19"},
         {"m/0H/1/2h", "0xcbce0d719ecf7431d88e6a89fa1483e02e35092af60c042b1df2ff59fa424dca",
          "0x04466b9cc8e161e966409ca52986c584f07e9dc81f735db683c3ff6ec7b1503f"},
         {"m/0'/1/2'/2", "0x0f479245fb19a38a1954c5c7c0ebab2f9bdfd96a17563ef28a6a4b1a2a764ef4",
          "0xcfb71883f01676f587d023cc53a35bc7f88f724b1f8c2892ac1275ac822a3edd"},
         {"m/0'/1/2'/2/1000000000",
          "0x471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8",
          "0xc783e67b921d2beb8f6b389cc646d7263b4145701dadd2161548a8b078e65e9e"}});
}

TEST(HdWallet, Bip32Vector2) {
    check_chain(
        "0xfffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e"
        "7b7875726f6c696663605d5a5754514e4b484542",
        {{"m", "0x4b03d6fc340455b363f51020ad3ecca4f0850280cf436c70c727923f6db46c3e",
          "0x60499f801b896d83179a4374aeb7822aaeaceaa0db1f85ee3e904c4defbd9689"},
         {"m/0", "0xabe74a98f6c7eabee0428f53798f0ab8aa1bd37873999041703c742f15ac7e1e",
          "0xf0909affaa7ee7abe5dd4e100598d4dc53cd709d5a5c2cac40e7412f232f7c9c"},
         {"m/0/2147483647'", "0x877c779ad9687164e9c2f4f0f4ff0340814392330693ce95a58fe18fd52e6e93",
          "0xbe17a268474a6bb9c61e1d720cf6215e2a88c5406c4aee7b38547f585c9a37d9"},
         {"m/0/2147483647'/1", "0x704addf544a06e5ee4bea37098463c23613da32020d604506da8c0518e1da4b7",
          "0xf366f48f1ea9f2d1d3fe958c95ca84ea18e4c4ddb9366c336c927eb246fb38cb"},
         {"m/0/2147483647'/1/2147483646'",
          "0xf1c7c871a54a804afe328b4c83a1c33b8e5ff48f5087273f04efa83b247d6a2d",
          "0x637807030d55d01f9a0cb3a7839515d796bd07706386a6eddf06cc29a65a0e29"},
         {"m/0/2147483647'/1/2147483646'/2",
          "0xbb7d39bdb83ecf58f2fd82b6d918341cbef428661ef01ab97c28a4842125ac23",
          "0x9452b549be8cea3ecb7a84bec10dcfd94afe4d129ebfd3b3cb58eedf394ed271"}});
}

TEST(HdWallet, ChildStepEqualsPathStep) {
    const Bytes seed = H("0x000102030405060708090a0b0c0d0e0f");
    const auto master = *master_key(seed);
    const auto hardened = *derive_child(master, kHardened + 0);
    const auto normal = *derive_child(hardened, 1);
    EXPECT_EQ(normal.key, derive_path(master, "m/0'/1")->key);
    // Hardened and normal children of the same index differ.
    EXPECT_NE(derive_child(master, 0)->key, hardened.key);
}

TEST(HdWallet, PathParsing) {
    EXPECT_EQ(*parse_path("m"), std::vector<uint32_t>{});
    EXPECT_EQ(*parse_path("m/44'/60'/0'/0/7"),
              (std::vector<uint32_t>{kHardened + 44, kHardened + 60, kHardened, 0, 7}));
    EXPECT_EQ(*parse_path("m/2147483647h"), std::vector<uint32_t>{0xffffffffU});
    EXPECT_EQ(parse_path("").error(), "bad derivation path \"\": must start with m");
    EXPECT_EQ(parse_path("44'/60'").error(), "bad derivation path \"44'/60'\": must start with m");
    EXPECT_EQ(parse_path("m/").error(), "bad derivation path \"m/\": expected an index");
    EXPECT_EQ(parse_path("m//1").error(), "bad derivation path \"m//1\": expected an index");
    EXPECT_EQ(parse_path("m/1x").error(), "bad derivation path \"m/1x\": expected /");
    EXPECT_EQ(parse_path("m/1''").error(), "bad derivation path \"m/1''\": expected /");
    EXPECT_EQ(parse_path("m/2147483648").error(),
              "bad derivation path \"m/2147483648\": index must be below 2^31");
    EXPECT_EQ(parse_path("m/99999999999999999999999").error(),
              "bad derivation path \"m/99999999999999999999999\": index must be below 2^31");
    const auto master = *master_key(H("0x000102030405060708090a0b0c0d0e0f"));
    EXPECT_FALSE(derive_path(master, "m/x"));
}

TEST(HdWallet, SeedLengthIsChecked) {
    EXPECT_EQ(master_key(Bytes(15, 1)).error(), "seed must be 16 to 64 bytes");
    EXPECT_EQ(master_key(Bytes(65, 1)).error(), "seed must be 16 to 64 bytes");
    EXPECT_TRUE(master_key(Bytes(64, 1)));
}

}  // namespace
}  // namespace ampd::tx
