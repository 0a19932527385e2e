// Crash safety of the real node: client threads stream Amp transfers while
// the node is killed with SIGKILL at random moments and restarted on the
// same data directory, at least 20 times (and now and then once more while
// it recovers). After every restart, everything the clients were told must
// hold (ChainAudit); at the end, the chain replayed on a fresh node must give
// the same state hash.
//
// Randomness (kill times, recipients, amounts) comes from one seed, printed
// at the start; AMPD_CRASH_SEED=<seed> repeats the schedule (thread timing
// still varies). AMPD_CRASH_KILLS overrides the number of kills.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/rpc/client.hpp"
#include "ampd_process.hpp"
#include "chain_audit.hpp"
#include "ledger.hpp"
#include "support/signed_tx.hpp"
#include "support/temp_dir.hpp"

namespace ampd::process_test {
namespace {

using namespace std::chrono_literals;

const Address kAmp = *Address::from_hex("0xff20817765cb7f73d4bde2e66e067e58d11095c2");
constexpr size_t kClients = 6;
constexpr size_t kFirstSenderAccount = 10;  // dev accounts 10..15 send
// Pause of a client between acknowledged transfers, at most. A sanitizer
// build of this test parses JSON several times slower, and auditing is
// mostly that: fewer transfers keep it within its time.
#if defined(__SANITIZE_ADDRESS__)
constexpr auto kMaxPace = std::chrono::milliseconds(25);
#else
constexpr auto kMaxPace = std::chrono::milliseconds(6);
#endif

uint64_t env_u64(const char* name, uint64_t fallback) {
    const char* v = std::getenv(name);
    return v == nullptr || *v == '\0' ? fallback : std::stoull(v);
}

template <class Rep, class Period>
std::chrono::milliseconds uniform_ms(std::mt19937_64& rng, std::chrono::duration<Rep, Period> lo,
                                     std::chrono::duration<Rep, Period> hi) {
    const auto a = std::chrono::duration_cast<std::chrono::milliseconds>(lo).count();
    const auto b = std::chrono::duration_cast<std::chrono::milliseconds>(hi).count();
    return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(a, b)(rng));
}

// Threads that each own one sender and submit its transfers one after the
// other, through whatever the node is doing. pause() parks them all at the
// top of their loop (the ledger is then stable for an audit).
class Clients {
public:
    Clients(const AmpdProcess& node, std::vector<Sender>& senders, TxIndex& index,
            const std::vector<Address>& recipients, uint64_t seed)
        : node_(node), senders_(senders), index_(index), recipients_(recipients), seed_(seed) {}
    ~Clients() { stop(); }

    void start() {
        running_ = senders_.size();
        for (size_t i = 0; i < senders_.size(); ++i) threads_.emplace_back([this, i] { run(i); });
    }

    void pause() {
        std::unique_lock lk(mu_);
        paused_ = true;
        cv_.wait(lk, [&] { return parked_ == running_; });
    }

    void resume() {
        {
            std::lock_guard lk(mu_);
            paused_ = false;
        }
        cv_.notify_all();
    }

    void stop() {
        {
            std::lock_guard lk(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) t.join();
        threads_.clear();
    }

    // Problems a client met that no crash explains; empty if none.
    [[nodiscard]] std::vector<std::string> failures() const {
        std::lock_guard lk(mu_);
        return failures_;
    }

    struct Counts {
        std::atomic<uint64_t> acknowledged{0};
        std::atomic<uint64_t> unanswered{0};       // submissions that got no answer
        std::atomic<uint64_t> resent_accepted{0};  // an unknown one, accepted when sent again
        std::atomic<uint64_t> resent_known{0};     // an unknown one, "nonce too low": in the chain
    };
    [[nodiscard]] const Counts& counts() const { return counts_; }

private:
    // false when the thread is to end.
    bool park_point() {
        std::unique_lock lk(mu_);
        if (paused_ && !stopping_) {
            ++parked_;
            cv_.notify_all();
            cv_.wait(lk, [&] { return !paused_ || stopping_; });
            --parked_;
        }
        return !stopping_;
    }

    void fail(std::string what) {
        std::lock_guard lk(mu_);
        failures_.push_back(std::move(what));
    }

    void exit_thread() {
        std::lock_guard lk(mu_);
        --running_;
        cv_.notify_all();
    }

    SentTx& next_tx(size_t i, std::mt19937_64& rng) {
        Sender& s = senders_[i];
        if (s.last_unknown()) return s.txs.back();
        test_support::TxSpec spec;
        spec.nonce = s.txs.size();
        spec.to = kAmp;
        spec.gas_limit = 200'000;
        spec.type = rng() % 2 == 0 ? tx::TxType::kDynamicFee : tx::TxType::kLegacy;
        const Address& to = recipients_[rng() % recipients_.size()];
        const u256 amount(std::uniform_int_distribution<uint64_t>(1, 1'000'000)(rng));
        spec.data = abi::Encoder().address(to).uint256(amount).finish_call(
            selector_of("transfer(address,uint256)"));
        const node::SignedTx signed_tx = test_support::sign(s.key, spec);
        {
            std::lock_guard lk(mu_);
            index_.emplace(signed_tx.hash, TxRef{i, spec.nonce});
            s.txs.push_back(SentTx{spec.nonce, signed_tx.hash, hex::encode(signed_tx.raw),
                                   TxFate::kUnknown, 0, false});
        }
        return s.txs.back();
    }

    void run(size_t i) {
        std::mt19937_64 rng(seed_ * 1000 + i);
        std::unique_ptr<rpc::JsonRpcClient> client;
        rpc::ClientConfig config;
        config.connect_timeout = 500ms;
        config.read_timeout = 20s;
        while (park_point()) {
            SentTx& t = next_tx(i, rng);
            // Sent before without an answer: it may be in the chain already.
            const bool resending = t.attempts++ > 0;
            if (!client) client = std::make_unique<rpc::JsonRpcClient>(node_.url(), config);
            try {
                const auto hash = client->call("eth_sendRawTransaction", json::array({t.raw_hex}));
                if (hash != t.hash.hex()) {
                    fail("sender " + std::to_string(i) + ": the node answered " + hash.dump() +
                         " for " + t.hash.hex());
                    break;
                }
                t.fate = TxFate::kAcknowledged;
                ++counts_.acknowledged;
                if (resending) ++counts_.resent_accepted;
                std::this_thread::sleep_for(uniform_ms(rng, 0ms, kMaxPace));
            } catch (const rpc::RpcError& e) {
                // Only a transaction that may already be in the chain can be
                // refused, and only as already used; then it must be there.
                if (resending && e.message.find("nonce too low") != std::string::npos &&
                    in_chain(*client, t)) {
                    t.fate = TxFate::kRecovered;
                    ++counts_.resent_known;
                    continue;
                }
                fail("sender " + std::to_string(i) + " nonce " + std::to_string(t.nonce) +
                     (resending ? " (sent again)" : "") + ": " + std::to_string(e.code) + " " +
                     e.message);
                break;
            } catch (const rpc::TransportError&) {
                // No answer: the node is down, or died while handling it.
                ++counts_.unanswered;
                client.reset();
                std::this_thread::sleep_for(20ms);
            }
        }
        exit_thread();
    }

    bool in_chain(rpc::JsonRpcClient& client, const SentTx& t) {
        try {
            const json found = client.call("eth_getTransactionByHash", json::array({t.hash.hex()}));
            return !found.is_null() && !found["blockNumber"].is_null();
        } catch (const std::exception&) {
            return false;
        }
    }

    const AmpdProcess& node_;
    std::vector<Sender>& senders_;
    TxIndex& index_;
    const std::vector<Address>& recipients_;
    const uint64_t seed_;
    std::vector<std::thread> threads_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool paused_ = false;
    bool stopping_ = false;
    size_t parked_ = 0;
    size_t running_ = 0;
    std::vector<std::string> failures_;
    Counts counts_;
};

// Adds the time `f` takes to `total`.
template <class F>
void timed(std::chrono::steady_clock::duration& total, F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    total += std::chrono::steady_clock::now() - t0;
}

int64_t ms(std::chrono::steady_clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::string state_hash(rpc::JsonRpcClient& client) {
    return client.call("amp_stateHash")["stateHash"].get<std::string>();
}

TEST(CrashTest, AcknowledgedTransactionsSurviveKill9) {
    const uint64_t seed = env_u64("AMPD_CRASH_SEED", std::random_device{}());
    const uint64_t kills = env_u64("AMPD_CRASH_KILLS", 20);
    std::cout << "[ crash    ] seed " << seed << " (repeat with AMPD_CRASH_SEED=" << seed << "), "
              << kills << " kills" << std::endl;
    RecordProperty("seed", std::to_string(seed));
    std::mt19937_64 rng(seed);
    const auto started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration restarting{}, auditing{}, replaying{};

    std::vector<Sender> senders;
    std::vector<Address> recipients;
    const std::vector<tx::DevAccount> accounts = tx::dev_accounts(20);
    for (const tx::DevAccount& a : accounts) recipients.push_back(a.address);
    for (size_t i = 0; i < kClients; ++i) {
        senders.push_back(Sender{
            accounts[kFirstSenderAccount + i].key, accounts[kFirstSenderAccount + i].address, {}});
    }
    TxIndex index;

    test_support::TempDir dir("ampd-crash");
    // Frequent snapshots, so that kills also land while one is written and
    // recovery starts from snapshots as well as from the log alone.
    AmpdProcess node(
        {"--dev", "--datadir", (dir / "chain").string(), "--snapshot-interval", "1500"},
        dir.path());
    node.start();

    ChainAudit audit;
    uint64_t recovery_kills = 0;
    Clients clients(node, senders, index, recipients, seed);
    clients.start();
    for (uint64_t k = 1; k <= kills; ++k) {
        std::this_thread::sleep_for(uniform_ms(rng, 30ms, 1200ms));
        node.kill9();
        std::this_thread::sleep_for(uniform_ms(rng, 0ms, 100ms));
        if (rng() % 4 == 0) {
            // Once in a while, also die during recovery.
            node.launch();
            std::this_thread::sleep_for(uniform_ms(rng, 0ms, 150ms));
            node.kill9();
            ++recovery_kills;
        }
        timed(restarting, [&] { EXPECT_NO_THROW(node.start()); });
        ASSERT_FALSE(HasFailure()) << "restart after kill " << k << ", seed " << seed << "\n"
                                   << node.log_tail();
        clients.pause();
        rpc::JsonRpcClient client(node.url());
        timed(auditing, [&] { audit.audit(client, senders, index, rng); });
        for (const std::string& f : clients.failures()) ADD_FAILURE() << f;
        if (HasFailure()) {
            clients.stop();
            FAIL() << "after kill " << k << " of " << kills << ", seed " << seed << "\n"
                   << node.log_tail();
        }
        clients.resume();
    }
    std::this_thread::sleep_for(300ms);
    clients.stop();
    for (const std::string& f : clients.failures()) ADD_FAILURE() << f;

    // Clients are done (every last submission was answered): a full audit.
    std::string final_hash;
    {
        rpc::JsonRpcClient client(node.url());
        audit.audit(client, senders, index, rng, /*recheck_all=*/true);
        ASSERT_FALSE(HasFailure()) << "final audit, seed " << seed;
        final_hash = state_hash(client);
    }
    // A clean stop and start keeps the state (the shutdown snapshot path).
    const int status = node.terminate();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    node.start();
    {
        rpc::JsonRpcClient client(node.url());
        EXPECT_EQ(state_hash(client), final_hash) << "after a clean restart";
    }
    EXPECT_EQ(node.terminate(), 0);

    // The chain as it ended up, replayed on a fresh node, gives the same state.
    AmpdProcess fresh({"--dev", "--no-fsync", "--datadir", (dir / "replay").string()}, dir.path());
    fresh.start();
    {
        rpc::JsonRpcClient client(fresh.url());
        timed(replaying, [&] { audit.replay(client, senders, index); });
        ASSERT_FALSE(HasFailure()) << "replay, seed " << seed;
        EXPECT_EQ(quantity(client.call("eth_blockNumber")), audit.blocks().size() - 1);
        EXPECT_EQ(client.call("eth_getBlockByNumber", json::array({"latest", false}))["hash"],
                  audit.blocks().back().hash.hex())
            << "the replayed head block differs";
        EXPECT_EQ(state_hash(client), final_hash) << "replayed state differs, seed " << seed;
    }
    EXPECT_EQ(fresh.terminate(), 0);

    const auto& c = clients.counts();
    uint64_t recovered = 0;
    for (const Sender& s : senders) {
        for (const SentTx& t : s.txs) recovered += t.fate == TxFate::kRecovered ? 1 : 0;
    }
    std::cout << "[ crash    ] " << kills << " kills under load and " << recovery_kills
              << " during recovery; " << audit.transactions_in_chain() << " transactions in "
              << audit.blocks().size() - 1 << " blocks: " << c.acknowledged << " acknowledged, "
              << recovered << " in the chain without an answer; " << c.unanswered
              << " submissions unanswered, " << c.resent_accepted << " accepted when sent again, "
              << c.resent_known << " already in the chain" << std::endl;
    std::cout << "[ crash    ] " << ms(std::chrono::steady_clock::now() - started)
              << " ms: " << ms(restarting) << " restarting, " << ms(auditing) << " auditing, "
              << ms(replaying) << " replaying" << std::endl;
}

// evm_revert is logged like a transaction (a reset to the snapshot's state):
// a SIGKILL right after it must not bring the dropped blocks back.
TEST(CrashTest, RevertSurvivesKill9) {
    test_support::TempDir dir("ampd-crash-revert");
    AmpdProcess node({"--dev", "--datadir", (dir / "chain").string()}, dir.path());
    node.start();
    const std::vector<tx::DevAccount> accounts = tx::dev_accounts(4);
    const std::string from = accounts[2].address.hex();
    auto send = [&](rpc::JsonRpcClient& c, uint64_t amount) {
        const std::string data =
            hex::encode(abi::Encoder()
                            .address(accounts[3].address)
                            .uint256(u256(amount))
                            .finish_call(selector_of("transfer(address,uint256)")));
        (void)c.call(
            "eth_sendTransaction",
            json::array(
                {{{"from", from}, {"to", kAmp.hex()}, {"gas", "0x30d40"}, {"data", data}}}));
    };
    std::string kept;
    {
        rpc::JsonRpcClient c(node.url());
        send(c, 1);
        send(c, 2);
        const std::string id = c.call("evm_snapshot").get<std::string>();
        kept = state_hash(c);
        send(c, 3);
        send(c, 4);
        EXPECT_EQ(c.call("eth_blockNumber"), "0x4");
        EXPECT_EQ(c.call("evm_revert", json::array({id})), true);
        EXPECT_EQ(state_hash(c), kept);
    }
    node.kill9();
    node.start();
    rpc::JsonRpcClient c(node.url());
    EXPECT_EQ(c.call("eth_blockNumber"), "0x2");
    EXPECT_EQ(state_hash(c), kept);
    EXPECT_EQ(c.call("eth_getTransactionCount", json::array({from, "latest"})), "0x2");
    // The chain goes on from the reverted state.
    send(c, 5);
    EXPECT_EQ(c.call("eth_blockNumber"), "0x3");
}

}  // namespace
}  // namespace ampd::process_test
