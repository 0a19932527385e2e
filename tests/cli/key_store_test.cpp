#include "ampd/cli/key_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ampd/cli/errors.hpp"
#include "ampd/tx/hd_wallet.hpp"
#include "support/temp_dir.hpp"

namespace ampd::cli {
namespace {

using test_support::TempDir;

tx::KdfParams fast_kdf() {
    tx::KdfParams p;
    p.n = 1024;
    return p;
}

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

TEST(KeyStore, StoresPrivateFilesInAPrivateDirectory) {
    TempDir tmp("ampd-cli-keys");
    const KeyStore store(tmp / "nested" / "keys");
    const tx::PrivateKey key = tx::generate_private_key();
    const StoredKey k = store.add("alice", key, "pw", fast_kdf());
    EXPECT_EQ(k.name, "alice");
    EXPECT_EQ(k.address, tx::address_of(key));
    EXPECT_EQ(k.path, tmp / "nested" / "keys" / "alice.json");
    EXPECT_EQ(mode_of(store.dir()), 0700U);
    EXPECT_EQ(mode_of(k.path), 0600U);
    // No temporary file is left behind.
    size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(store.dir())) {
        (void)e;
        ++files;
    }
    EXPECT_EQ(files, 1U);

    // A v3 keystore with scrypt, as other wallets expect.
    std::ifstream in(k.path);
    const nlohmann::json doc = nlohmann::json::parse(in);
    EXPECT_EQ(doc.at("version"), 3);
    EXPECT_EQ(doc.at("crypto").at("kdf"), "scrypt");
    EXPECT_EQ("0x" + doc.at("address").get<std::string>(), k.address.hex());

    EXPECT_EQ(store.unlock(store.find("alice"), "pw"), key);
}

TEST(KeyStore, NeverOverwritesAKey) {
    TempDir tmp("ampd-cli-keys");
    const KeyStore store(tmp.path());
    const tx::PrivateKey first = tx::generate_private_key();
    (void)store.add("bob", first, "pw", fast_kdf());
    try {
        (void)store.add("bob", tx::generate_private_key(), "pw", fast_kdf());
        FAIL();
    } catch (const CommandError& e) {
        EXPECT_NE(std::string(e.what()).find("already exists"), std::string::npos);
    }
    EXPECT_EQ(store.unlock(store.find("bob"), "pw"), first);
}

TEST(KeyStore, WrongPasswordIsNamed) {
    TempDir tmp("ampd-cli-keys");
    const KeyStore store(tmp.path());
    (void)store.add("carol", tx::generate_private_key(), "right", fast_kdf());
    try {
        (void)store.unlock(store.find("carol"), "wrong");
        FAIL();
    } catch (const CommandError& e) {
        EXPECT_EQ(std::string(e.what()), "wrong password for key \"carol\"");
    }
}

TEST(KeyStore, ListsByNameAndFindsByAddress) {
    TempDir tmp("ampd-cli-keys");
    const KeyStore store(tmp.path());
    EXPECT_TRUE(store.list().empty());
    const auto dev = tx::dev_accounts(3);
    (void)store.add("zed", dev[2].key, "pw", fast_kdf());
    (void)store.add("amy", dev[1].key, "pw", fast_kdf());
    // Files that are not keystores are ignored.
    std::ofstream(tmp / "notes.json") << "{\"hello\": 1}";
    std::ofstream(tmp / "readme.txt") << "x";
    const std::vector<StoredKey> all = store.list();
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].name, "amy");
    EXPECT_EQ(all[0].address, dev[1].address);
    EXPECT_EQ(all[1].name, "zed");
    ASSERT_TRUE(store.find_by_address(dev[2].address).has_value());
    EXPECT_EQ(store.find_by_address(dev[2].address)->name, "zed");
    EXPECT_FALSE(store.find_by_address(dev[0].address).has_value());
    EXPECT_THROW((void)store.find("nobody"), CommandError);
}

TEST(KeyStore, NamesAreCheckedBeforeTouchingTheDisk) {
    TempDir tmp("ampd-cli-keys");
    const KeyStore store(tmp / "keys");
    for (const std::string& bad :
         {std::string(), std::string(".hidden"), std::string("a/b"), std::string("../x"),
          std::string("x y"), std::string("é"), std::string(65, 'a')}) {
        EXPECT_THROW((void)store.add(bad, tx::generate_private_key(), "pw", fast_kdf()), UsageError)
            << bad;
    }
    EXPECT_FALSE(std::filesystem::exists(tmp / "keys"));
    EXPECT_NO_THROW(KeyStore::check_name("alice.2-test_x"));
    EXPECT_NO_THROW(KeyStore::check_name(std::string(64, 'a')));
}

TEST(KeyStore, DefaultDirectoryFollowsXdg) {
    auto env = [](std::optional<std::string> xdg, std::optional<std::string> home) -> Env {
        return [=](const std::string& n) -> std::optional<std::string> {
            if (n == "XDG_DATA_HOME") return xdg;
            if (n == "HOME") return home;
            return std::nullopt;
        };
    };
    EXPECT_EQ(KeyStore::default_dir(env("/x", "/h")), std::filesystem::path("/x/ampd/keys"));
    EXPECT_EQ(KeyStore::default_dir(env(std::nullopt, "/h")),
              std::filesystem::path("/h/.local/share/ampd/keys"));
    EXPECT_THROW((void)KeyStore::default_dir(env(std::nullopt, std::nullopt)), CommandError);
}

}  // namespace
}  // namespace ampd::cli
