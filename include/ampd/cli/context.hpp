// What every node command shares: the global options, the streams and
// environment it runs with, and lazily the node connection, the contract
// addresses, the key store and the signer.
#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/cli/env.hpp"
#include "ampd/cli/key_store.hpp"
#include "ampd/cli/node_client.hpp"
#include "ampd/cli/password.hpp"
#include "ampd/cli/tx_sender.hpp"
#include "ampd/tx/keystore.hpp"
#include "ampd/tx/secp256k1.hpp"

namespace ampd::cli {

inline constexpr std::string_view kDefaultRpcUrl = "http://127.0.0.1:8545";

// The options every node command accepts (before or after its name).
struct GlobalOptions {
    std::string rpc;  // empty: AMP_RPC, then kDefaultRpcUrl
    bool json = false;
    std::string from;         // key name or address
    std::string dev_account;  // index, as typed
    std::string keystore;     // empty: KeyStore::default_dir
    std::string password_file;
    std::string amp;            // empty: from amp_getContracts
    std::string manager;        // empty: from amp_getContracts
    std::string clearinghouse;  // empty: from amp_getContracts
    bool no_wait = false;
    double timeout_seconds = 60;
};

// Where a command reads and writes. The amp binary uses the process's
// streams, environment and terminal; tests substitute their own.
struct Io {
    std::ostream& out;
    std::ostream& err;
    Env env;
    Prompt prompt;
    // Key derivation for new key files: geth's standard scrypt parameters
    // (about a second and 256 MiB, on purpose); tests use a small n.
    tx::KdfParams kdf{};
    std::chrono::milliseconds poll_interval{100};
};

// The process's stdout, stderr, environment and terminal.
[[nodiscard]] Io standard_io();

struct Signer {
    tx::PrivateKey key;
    Address address;
    std::string label;  // "key \"alice\"" or "dev account 1"
    bool dev = false;   // a dev account: its key is public
};

// The dev chain's id (ampd --dev, Hardhat, Anvil): the only chain where the
// test mnemonic's accounts are meant to be used.
inline constexpr uint64_t kDevChainId = 31337;

class Context {
public:
    Context(const GlobalOptions& options, Io& io) : options_(options), io_(io) {}

    [[nodiscard]] bool json() const { return options_.json; }
    [[nodiscard]] std::ostream& out() const { return io_.out; }
    [[nodiscard]] std::ostream& err() const { return io_.err; }
    [[nodiscard]] Io& io() const { return io_; }
    [[nodiscard]] const GlobalOptions& options() const { return options_; }

    // --rpc, else AMP_RPC, else http://127.0.0.1:8545.
    [[nodiscard]] std::string rpc_url() const;
    NodeClient& node();

    // --amp / --manager, else the node's amp_getContracts.
    Address amp();
    Address manager();
    Address clearinghouse();
    // The collateral partition to use with `manager` when none is given:
    // the manager's only permitted partition (from amp_getContracts'
    // managers), else the dev node's collateralPartition if it is the
    // manager's. Throws UsageError when the manager permits several.
    std::optional<Bytes32> default_collateral_partition(const Address& manager);
    // A name for an address in human output: "amp", "collateralManager",
    // a key name, or the checksummed address.
    std::string label(const Address& a);

    [[nodiscard]] KeyStore keystore() const;
    // An address as typed ("0x...") or the address of a stored key name.
    Address resolve_address(std::string_view name_or_address, std::string_view what);
    // The signer named by --from or --dev-account (asks for the password
    // of a stored key, once). Throws UsageError when neither or both are
    // given.
    const Signer& signer();
    [[nodiscard]] SendOptions send_options() const;

private:
    Address contract(const std::string& name, const std::string& override_value,
                     std::string_view option);

    Signer load_signer();

    const GlobalOptions& options_;
    Io& io_;
    std::unique_ptr<NodeClient> node_;
    std::optional<Signer> signer_;
    std::optional<std::vector<StoredKey>> stored_keys_;  // for labels, read once
};

}  // namespace ampd::cli
