// A directory of named keys, one Web3 Secret Storage v3 file per key
// (<dir>/<name>.json), readable by geth, ethers and other wallets.
//
// The directory is created 0700 and every file 0600: the files are
// encrypted, but a weak password is only as safe as the file is private. A
// key is written to a temporary file, synced and then linked into place,
// so a crash never leaves a half-written key and an existing key is never
// overwritten.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/cli/env.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/tx/keystore.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd::cli {

struct StoredKey {
    std::string name;
    Address address;  // from the file's "address" field: listing needs no password
    std::filesystem::path path;
};

class KeyStore {
public:
    explicit KeyStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

    // $XDG_DATA_HOME/ampd/keys, or ~/.local/share/ampd/keys.
    [[nodiscard]] static std::filesystem::path default_dir(const Env& env);

    // Letters, digits, '.', '_' and '-', 1 to 64 characters, not starting
    // with '.'. Throws UsageError.
    static void check_name(std::string_view name);

    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

    // Encrypts `key` with `password` and stores it as `name`. Throws
    // CommandError if the name is taken or the file cannot be written.
    StoredKey add(std::string_view name, const tx::PrivateKey& key, std::string_view password,
                  const tx::KdfParams& kdf) const;

    // The key named `name`; throws CommandError if there is none.
    [[nodiscard]] StoredKey find(std::string_view name) const;
    // The first key (by name) for `address`, if any.
    [[nodiscard]] std::optional<StoredKey> find_by_address(const Address& address) const;
    // Every key, sorted by name. Files that are not keystores are skipped.
    [[nodiscard]] std::vector<StoredKey> list() const;

    // Decrypts `key`. Throws CommandError for a wrong password or a damaged
    // file.
    [[nodiscard]] tx::PrivateKey unlock(const StoredKey& key, std::string_view password) const;

private:
    [[nodiscard]] std::filesystem::path path_of(std::string_view name) const;
    std::filesystem::path dir_;
};

}  // namespace ampd::cli
