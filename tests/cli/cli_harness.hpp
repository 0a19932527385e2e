// Running amp commands in-process, and a real node to run them against:
// a dev-mode Node in a temporary directory served over JSON-RPC on an
// ephemeral loopback port, exactly as `ampd --dev` serves it.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ampd/cli/app.hpp"
#include "ampd/node/genesis.hpp"
#include "ampd/node/node.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/rpc/http_server.hpp"
#include "ampd/rpc/json_rpc.hpp"
#include "ampd/rpc/node_api.hpp"
#include "support/signed_tx.hpp"
#include "support/temp_dir.hpp"

namespace ampd::cli::test {

struct RunResult {
    int code = -1;
    std::string out;
    std::string err;
    // stdout as the JSON object a --json command prints.
    [[nodiscard]] nlohmann::json json() const {
        const auto j = nlohmann::json::parse(out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "not JSON: " << out;
        return j;
    }
};

// amp as a library: global options, environment and prompt chosen by the
// test; key files use a small scrypt cost so tests stay fast.
class Cli {
public:
    std::map<std::string, std::string> env;
    std::vector<std::string> prompt_answers;  // consumed in order; then "no terminal"

    RunResult run(const std::vector<std::string>& args) {
        std::ostringstream out;
        std::ostringstream err;
        Io io{out, err,
              [this](const std::string& n) -> std::optional<std::string> {
                  const auto it = env.find(n);
                  if (it == env.end()) return std::nullopt;
                  return it->second;
              },
              [this](const std::string&) -> std::optional<std::string> {
                  if (prompt_answers.empty()) return std::nullopt;
                  std::string a = prompt_answers.front();
                  prompt_answers.erase(prompt_answers.begin());
                  return a;
              }};
        io.kdf.n = 1024;
        io.poll_interval = std::chrono::milliseconds(5);
        CLI::App app{"amp"};
        app.require_subcommand(1);
        int exit_code = 0;
        add_node_commands(app, io, exit_code);
        std::vector<std::string> argv_storage{"amp"};
        argv_storage.insert(argv_storage.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (std::string& s : argv_storage) argv.push_back(s.data());
        RunResult r;
        try {
            app.parse(static_cast<int>(argv.size()), argv.data());
            r.code = exit_code;
        } catch (const CLI::ParseError& e) {
            r.code = app.exit(e, out, err) == 0 ? 0 : 2;
        }
        r.out = out.str();
        r.err = err.str();
        return r;
    }
};

inline const u256 kToken = u256(1'000'000'000'000'000'000ULL);

// A dev node (automine) served on 127.0.0.1:<ephemeral>.
class DevNode {
public:
    DevNode() : keys_(test_support::dev_keys(10)) {
        std::vector<Address> addrs;
        for (const auto& k : keys_) addrs.push_back(tx::address_of(k));
        genesis_ = node::dev_genesis(addrs);
        node::NodeConfig c;
        c.datadir = dir_.path() / "data";
        c.dev = true;
        c.fsync = false;  // tests: durability is not what is under test
        node_ = node::Node::open(c, genesis_);
        rpc::MethodTable table(true);
        rpc::register_node_api(table, *node_, rpc::NodeApiConfig{});
        dispatcher_ = std::make_unique<rpc::Dispatcher>(std::move(table));
        rpc::HttpServerConfig http;
        http.port = 0;
        http.worker_threads = 2;
        http.keep_alive_timeout = std::chrono::seconds(1);
        server_ = std::make_unique<rpc::HttpServer>(http, *dispatcher_);
        server_->start();
    }
    ~DevNode() { server_->stop(); }
    DevNode(const DevNode&) = delete;
    DevNode& operator=(const DevNode&) = delete;

    [[nodiscard]] std::string url() const { return server_->url(); }
    [[nodiscard]] node::Node& node() { return *node_; }
    [[nodiscard]] Address address(size_t i) const { return tx::address_of(keys_[i]); }
    [[nodiscard]] const tx::PrivateKey& key(size_t i) const { return keys_[i]; }
    [[nodiscard]] Address amp() const { return genesis_.contract("amp")->address; }
    [[nodiscard]] Address manager() const {
        return genesis_.contract("collateralManager")->address;
    }
    [[nodiscard]] Bytes32 collateral() const { return node::dev_collateral_partition(manager()); }

    // Views read straight from the node, independent of the CLI.
    u256 view(const Address& to, std::string_view sig, const abi::Encoder& args) {
        const node::CallOutcome o =
            node_->call(Address{}, to, args.finish_call(selector_of(sig)), 30'000'000);
        EXPECT_TRUE(o.result.success) << sig;
        return abi::Decoder(o.result.output).uint256(0).value_or(u256(0));
    }
    u256 balance(const Address& who) {
        return view(amp(), "balanceOf(address)", abi::Encoder().address(who));
    }
    u256 balance(const Bytes32& partition, const Address& who) {
        return view(amp(), "balanceOfByPartition(bytes32,address)",
                    abi::Encoder().bytes32(partition).address(who));
    }

private:
    test_support::TempDir dir_{"ampd-cli-node"};
    std::vector<tx::PrivateKey> keys_;
    node::Genesis genesis_;
    std::unique_ptr<node::Node> node_;
    std::unique_ptr<rpc::Dispatcher> dispatcher_;
    std::unique_ptr<rpc::HttpServer> server_;
};

}  // namespace ampd::cli::test
