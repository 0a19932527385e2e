// amp keys new|import|address|list, and signing with a stored key.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/tx/hd_wallet.hpp"
#include "cli_harness.hpp"

namespace ampd::cli::test {
namespace {

using nlohmann::json;
using test_support::TempDir;

class KeysCommands : public ::testing::Test {
protected:
    KeysCommands() { cli_.env["XDG_DATA_HOME"] = (tmp_ / "xdg").string(); }

    [[nodiscard]] std::filesystem::path key_dir() const { return tmp_ / "xdg" / "ampd" / "keys"; }

    TempDir tmp_{"ampd-cli-keys"};
    Cli cli_;
};

TEST_F(KeysCommands, NewStoresAnEncryptedKeyInTheDefaultDirectory) {
    cli_.env["AMP_PASSWORD"] = "correct horse";
    const RunResult r = cli_.run({"--json", "keys", "new", "alice"});
    ASSERT_EQ(r.code, 0) << r.err;
    const json j = r.json();
    EXPECT_EQ(j.at("name"), "alice");
    EXPECT_EQ(j.at("path"), (key_dir() / "alice.json").string());
    const KeyStore store(key_dir());
    const StoredKey k = store.find("alice");
    EXPECT_EQ(j.at("address"), k.address.hex());
    EXPECT_EQ(tx::address_of(store.unlock(k, "correct horse")), k.address);

    // Two keys are never the same: the generator is the OS's.
    ASSERT_EQ(cli_.run({"keys", "new", "bob"}).code, 0);
    EXPECT_NE(store.find("bob").address, k.address);

    // Same name again: refused, the first key is untouched.
    const RunResult again = cli_.run({"keys", "new", "alice"});
    EXPECT_EQ(again.code, exit_code::kFailed);
    EXPECT_NE(again.err.find("already exists"), std::string::npos);
    EXPECT_EQ(store.find("alice").address, k.address);

    const RunResult list = cli_.run({"keys", "list"});
    ASSERT_EQ(list.code, 0);
    EXPECT_NE(list.out.find("alice"), std::string::npos);
    EXPECT_NE(list.out.find(checksum_address(k.address)), std::string::npos);
    const RunResult addr = cli_.run({"keys", "address", "alice"});
    EXPECT_EQ(addr.out, "alice " + checksum_address(k.address) + "\n");
}

TEST_F(KeysCommands, NewAsksTwiceOnATerminal) {
    cli_.prompt_answers = {"pw", "pw"};
    ASSERT_EQ(cli_.run({"keys", "new", "carol"}).code, 0);
    EXPECT_TRUE(cli_.prompt_answers.empty());

    cli_.prompt_answers = {"pw", "typo"};
    const RunResult r = cli_.run({"keys", "new", "dave"});
    EXPECT_EQ(r.code, exit_code::kFailed);
    EXPECT_NE(r.err.find("do not match"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(key_dir() / "dave.json"));

    // No terminal, no file, no environment: a clear error, not a hang.
    const RunResult none = cli_.run({"keys", "new", "erin"});
    EXPECT_EQ(none.code, exit_code::kFailed);
    EXPECT_NE(none.err.find("--password-file"), std::string::npos);
}

TEST_F(KeysCommands, ImportPrivateKeyAndMnemonic) {
    std::ofstream(tmp_ / "pw") << "from-file\n";
    const auto dev = tx::dev_accounts(3);
    std::ofstream(tmp_ / "key") << dev[1].key.hex() << "\n";
    const RunResult pk =
        cli_.run({"keys", "import", "one", "--private-key-file", (tmp_ / "key").string(),
                  "--password-file", (tmp_ / "pw").string()});
    ASSERT_EQ(pk.code, 0) << pk.err;
    EXPECT_EQ(pk.out, "one " + checksum_address(dev[1].address) + "\n");

    std::ofstream(tmp_ / "words") << tx::kDevMnemonic << "\n";
    const RunResult mn =
        cli_.run({"--password-file", (tmp_ / "pw").string(), "keys", "import", "two",
                  "--mnemonic-file", (tmp_ / "words").string(), "--index", "2"});
    ASSERT_EQ(mn.code, 0) << mn.err;
    EXPECT_EQ(mn.out, "two " + checksum_address(dev[2].address) + "\n");
    const KeyStore store(key_dir());
    EXPECT_EQ(store.unlock(store.find("two"), "from-file"), dev[2].key);

    std::ofstream(tmp_ / "junk") << "not a key";
    const RunResult junk =
        cli_.run({"keys", "import", "three", "--private-key-file", (tmp_ / "junk").string(),
                  "--password-file", (tmp_ / "pw").string()});
    EXPECT_EQ(junk.code, exit_code::kUsage);
    EXPECT_EQ(cli_.run({"keys", "import", "four"}).code, exit_code::kUsage);
    EXPECT_EQ(
        cli_.run({"keys", "import", "five", "--private-key-file", "a", "--mnemonic-file", "b"})
            .code,
        exit_code::kUsage);
}

TEST_F(KeysCommands, ANewKeySignsATransfer) {
    DevNode net;
    cli_.env["AMP_RPC"] = net.url();
    cli_.env["AMP_PASSWORD"] = "pw";
    const RunResult created = cli_.run({"--json", "keys", "new", "alice"});
    ASSERT_EQ(created.code, 0) << created.err;
    const Address alice = parse_address(created.json().at("address").get<std::string>());

    // Fund the new key from a dev account, addressing it by its name.
    ASSERT_EQ(cli_.run({"transfer", "alice", "10", "--dev-account", "1"}).code, 0);
    EXPECT_EQ(net.balance(alice), u256(10) * kToken);

    const Address bob = net.address(2);
    const u256 bob_before = net.balance(bob);
    const RunResult sent = cli_.run({"transfer", bob.hex(), "2.5", "--from", "alice"});
    ASSERT_EQ(sent.code, 0) << sent.out << sent.err;
    EXPECT_NE(sent.out.find("from key \"alice\""), std::string::npos) << sent.out;
    EXPECT_EQ(net.balance(alice), u256(7) * kToken + kToken / u256(2));
    EXPECT_EQ(net.balance(bob), bob_before + u256(2) * kToken + kToken / u256(2));

    // By address too; and a wrong password sends nothing.
    EXPECT_EQ(cli_.run({"transfer", bob.hex(), "1", "--from", alice.hex()}).code, 0);
    cli_.env["AMP_PASSWORD"] = "wrong";
    const RunResult denied = cli_.run({"transfer", bob.hex(), "1", "--from", "alice"});
    EXPECT_EQ(denied.code, exit_code::kFailed);
    EXPECT_NE(denied.err.find("wrong password"), std::string::npos);
    EXPECT_EQ(net.balance(alice), u256(6) * kToken + kToken / u256(2));
}

}  // namespace
}  // namespace ampd::cli::test
