// Hierarchical deterministic keys: BIP-39 mnemonic to seed, BIP-32 private
// derivation, the BIP-44 Ethereum path m/44'/60'/0'/0/i, and the dev
// accounts every Ethereum dev chain (Hardhat, Anvil) funds at genesis.
//
// The mnemonic's checksum is not verified against the BIP-39 word list:
// any ASCII phrase of a BIP-39 length derives a seed, as the standard's
// seed function defines. A mistyped word gives other accounts, not an error.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/tx/result.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd::tx {

inline constexpr std::string_view kDevMnemonic =
    "test test test test test test test test test test test junk";
inline constexpr uint32_t kHardened = 0x80000000U;

using Seed = std::array<uint8_t, 64>;

// PBKDF2-HMAC-SHA512, 2048 iterations, salt "mnemonic" + passphrase. The
// words may be separated by any ASCII whitespace (normalized to single
// spaces); mnemonic and passphrase must be ASCII, where NFKD is the
// identity. Errors: non-ASCII text, a word count other than 12-24 in
// steps of 3.
[[nodiscard]] Result<Seed, std::string> mnemonic_to_seed(std::string_view mnemonic,
                                                         std::string_view passphrase = "");

struct ExtendedKey {
    PrivateKey key;
    Bytes32 chain_code;
};

// BIP-32 master key: HMAC-SHA512(key "Bitcoin seed", seed).
[[nodiscard]] Result<ExtendedKey, std::string> master_key(ByteView seed);
// Private parent to private child; `index` >= kHardened is a hardened child.
// Fails (with probability about 2^-127) when the index yields no valid key;
// BIP-32 says to skip to the next index.
[[nodiscard]] Result<ExtendedKey, std::string> derive_child(const ExtendedKey& parent,
                                                            uint32_t index);
// "m/44'/60'/0'/0/0": "m", then indices below 2^31, each hardened by a
// trailing ' (or h/H).
[[nodiscard]] Result<std::vector<uint32_t>, std::string> parse_path(std::string_view path);
[[nodiscard]] Result<ExtendedKey, std::string> derive_path(const ExtendedKey& root,
                                                           std::string_view path);

// The key at m/44'/60'/0'/0/index.
[[nodiscard]] Result<PrivateKey, std::string> derive_ethereum_key(std::string_view mnemonic,
                                                                  uint32_t index,
                                                                  std::string_view passphrase = "");

struct DevAccount {
    PrivateKey key;
    Address address;
};

// The first `n` accounts of kDevMnemonic: index 0 is
// 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266.
[[nodiscard]] std::vector<DevAccount> dev_accounts(size_t n = 20);

}  // namespace ampd::tx
