#include "ampd/cli/context.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "ampd/cli/errors.hpp"
#include "ampd/cli/values.hpp"
#include "ampd/tx/hd_wallet.hpp"

namespace ampd::cli {

Io standard_io() {
    return Io{std::cout, std::cerr, process_env(), terminal_prompt()};
}

std::string Context::rpc_url() const {
    if (!options_.rpc.empty()) return options_.rpc;
    if (auto env = io_.env("AMP_RPC")) return *env;
    return std::string(kDefaultRpcUrl);
}

NodeClient& Context::node() {
    if (!node_) node_ = std::make_unique<NodeClient>(rpc_url());
    return *node_;
}

Address Context::contract(const std::string& name, const std::string& override_value,
                          std::string_view option) {
    if (!override_value.empty()) return parse_address(override_value, option);
    const std::optional<NodeContracts>& c = node().contracts();
    if (!c) {
        throw CommandError(fmt::format(
            "the node at {} does not answer amp_getContracts (not an ampd node?): give {} ADDR",
            rpc_url(), option));
    }
    if (auto a = c->find(name)) return *a;
    throw CommandError(
        fmt::format("the node runs no contract named \"{}\": give {} ADDR", name, option));
}

Address Context::amp() {
    return contract("amp", options_.amp, "--amp");
}

Address Context::manager() {
    // A node without a genesis manager but with exactly one in its state.
    if (options_.manager.empty()) {
        const std::optional<NodeContracts>& c = node().contracts();
        if (c && !c->find("collateralManager") && c->managers.size() == 1) {
            return c->managers.front().address;
        }
    }
    return contract("collateralManager", options_.manager, "--manager");
}

Address Context::clearinghouse() {
    return contract("clearinghouse", options_.clearinghouse, "--clearinghouse");
}

std::optional<Bytes32> Context::default_collateral_partition(const Address& manager) {
    const std::optional<NodeContracts>& c = node().contracts();
    if (!c) return std::nullopt;
    if (const ManagerInfo* m = c->manager(manager); m != nullptr && !m->partitions.empty()) {
        if (m->partitions.size() == 1) return m->partitions.front();
        std::string list;
        for (const Bytes32& p : m->partitions) list += "\n  " + p.hex();
        throw UsageError(fmt::format("{} permits several collateral partitions; name one:{}",
                                     label(manager), list));
    }
    if (c->collateral_partition &&
        std::equal(manager.b.begin(), manager.b.end(), c->collateral_partition->b.begin() + 12)) {
        return c->collateral_partition;
    }
    return std::nullopt;
}

std::string Context::label(const Address& a) {
    try {
        if (!options_.amp.empty() && parse_address(options_.amp) == a) return "amp";
        if (!options_.manager.empty() && parse_address(options_.manager) == a) {
            return "collateralManager";
        }
        if (const auto& c = node().contracts()) {
            for (const auto& [name, addr] : c->by_name) {
                if (addr == a) return name;
            }
        }
    } catch (const std::exception&) {
        // Labels are a convenience: an address is always a fine answer.
    }
    try {
        if (!stored_keys_) stored_keys_ = keystore().list();
        for (const StoredKey& k : *stored_keys_) {
            if (k.address == a) return k.name;
        }
    } catch (const std::exception&) {
        stored_keys_.emplace();  // no key store: no key names
    }
    return checksum_address(a);
}

KeyStore Context::keystore() const {
    return KeyStore(options_.keystore.empty() ? KeyStore::default_dir(io_.env)
                                              : std::filesystem::path(options_.keystore));
}

Address Context::resolve_address(std::string_view name_or_address, std::string_view what) {
    if (name_or_address.starts_with("0x") || name_or_address.starts_with("0X")) {
        return parse_address(name_or_address, what);
    }
    return keystore().find(name_or_address).address;
}

const Signer& Context::signer() {
    if (!signer_) signer_ = load_signer();
    return *signer_;
}

Signer Context::load_signer() {
    const bool has_from = !options_.from.empty();
    const bool has_dev = !options_.dev_account.empty();
    if (has_from && has_dev) throw UsageError("give either --from or --dev-account, not both");
    if (!has_from && !has_dev) {
        throw UsageError(
            "this command signs a transaction: give --from NAME|ADDRESS or --dev-account N");
    }
    if (has_dev) {
        const uint64_t index = parse_u64(options_.dev_account, "--dev-account");
        if (index >= tx::kHardened) throw UsageError("--dev-account: the index must be below 2^31");
        auto key = tx::derive_ethereum_key(tx::kDevMnemonic, static_cast<uint32_t>(index));
        if (!key) throw CommandError("cannot derive the dev account: " + key.error());
        return Signer{*key, tx::address_of(*key), fmt::format("dev account {}", index), true};
    }
    const KeyStore store = keystore();
    StoredKey stored = [&] {
        if (options_.from.starts_with("0x") || options_.from.starts_with("0X")) {
            const Address a = parse_address(options_.from, "--from");
            if (auto k = store.find_by_address(a)) return *k;
            throw CommandError(
                fmt::format("no key for {} in {}", checksum_address(a), store.dir().string()));
        }
        return store.find(options_.from);
    }();
    const std::string purpose = fmt::format("key \"{}\"", stored.name);
    const std::string password = obtain_password(
        PasswordRequest{options_.password_file, purpose, false}, io_.env, io_.prompt);
    tx::PrivateKey key = store.unlock(stored, password);
    return Signer{key, stored.address, purpose, false};
}

SendOptions Context::send_options() const {
    if (!(options_.timeout_seconds > 0) || !std::isfinite(options_.timeout_seconds)) {
        throw UsageError("--timeout must be a positive number of seconds");
    }
    SendOptions o;
    o.wait = !options_.no_wait;
    o.timeout = std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_seconds * 1000));
    o.poll_interval = io_.poll_interval;
    return o;
}

}  // namespace ampd::cli
