#include "ampd/node/node.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "support/signed_tx.hpp"
#include "support/temp_dir.hpp"

namespace ampd::node {
namespace {

using test_support::TempDir;

class NodeTest : public ::testing::Test {
protected:
    NodeTest() : keys_(test_support::dev_keys(8)) {
        std::vector<Address> addrs;
        for (const auto& k : keys_) addrs.push_back(tx::address_of(k));
        genesis_ = dev_genesis(addrs);
    }

    NodeConfig config(bool dev = true) {
        NodeConfig c;
        c.datadir = dir_.path() / "data";
        c.dev = dev;
        return c;
    }

    std::unique_ptr<Node> open(const NodeConfig& c) {
        return Node::open(c, genesis_, [this] { return now_.load(); });
    }

    Address amp() const { return genesis_.contract("amp")->address; }
    Address addr(size_t i) const { return tx::address_of(keys_[i]); }

    SignedTx transfer(size_t from, uint64_t nonce, size_t to, uint64_t amount) {
        test_support::TxSpec spec;
        spec.nonce = nonce;
        spec.to = amp();
        spec.data = abi::Encoder()
                        .address(addr(to))
                        .uint256(u256(amount))
                        .finish_call(selector_of("transfer(address,uint256)"));
        return test_support::sign(keys_[from], spec);
    }

    TempDir dir_{"ampd-node"};
    std::vector<tx::PrivateKey> keys_;
    Genesis genesis_;
    std::atomic<uint64_t> now_{1'800'000'000};
};

TEST_F(NodeTest, AutomineSealsEachTransactionAndIndexesItsReceipt) {
    auto node = open(config());
    const SignedTx t = transfer(1, 0, 2, 100);
    const SubmitResult r = node->submit(t);
    ASSERT_FALSE(r.rejection.has_value());
    EXPECT_EQ(r.hash, t.hash);
    EXPECT_EQ(node->head_number(), 1U);
    auto receipt = node->history().receipt_by_tx_hash(t.hash);
    ASSERT_TRUE(receipt.ok());
    ASSERT_TRUE(receipt->has_value());
    EXPECT_EQ((*receipt)->status, 1);
    auto block = node->history().block_by_number(1);
    ASSERT_TRUE(block.ok() && block->has_value());
    EXPECT_EQ((*block)->tx_hashes, std::vector<Bytes32>{t.hash});
    EXPECT_EQ((*block)->timestamp, now_.load());
    EXPECT_EQ(node->nonce(addr(1), false), 1U);
}

TEST_F(NodeTest, RejectionsLeaveNoTrace) {
    auto node = open(config());
    const SubmitResult r = node->submit(transfer(1, 5, 2, 100));
    ASSERT_TRUE(r.rejection.has_value());
    EXPECT_EQ(r.rejection->kind, Rejection::Kind::kNonceTooHigh);
    EXPECT_EQ(node->head_number(), 0U);
    EXPECT_EQ(node->stats().rejections, 1U);
}

TEST_F(NodeTest, RestartRecoversTheSameState) {
    Bytes32 hash;
    {
        auto node = open(config());
        for (uint64_t i = 0; i < 5; ++i) ASSERT_FALSE(node->submit(transfer(1, i, 2, 7)).rejection);
        hash = node->state_hash();
    }
    auto node = open(config());
    EXPECT_EQ(node->head_number(), 5U);
    EXPECT_EQ(node->state_hash(), hash);
    EXPECT_EQ(node->nonce(addr(1), true), 5U);
    EXPECT_FALSE(node->submit(transfer(1, 5, 2, 7)).rejection);
}

// A child process submits transactions and dies without any shutdown work
// (as kill -9 would leave it); every acknowledged transaction must be there
// after recovery, replayed from the log alone.
TEST_F(NodeTest, AcknowledgedTransactionsSurviveAnAbruptExit) {
    std::vector<Bytes32> hashes;
    for (uint64_t i = 0; i < 20; ++i) hashes.push_back(transfer(3, i, 4, 1 + i).hash);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto node = open(config());
        for (uint64_t i = 0; i < 20; ++i) {
            if (node->submit(transfer(3, i, 4, 1 + i)).rejection) _exit(3);
        }
        _exit(0);  // no destructors: no final snapshot, no clean close
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);

    auto node = open(config());
    EXPECT_EQ(node->head_number(), 20U);
    for (const Bytes32& h : hashes) {
        auto r = node->history().receipt_by_tx_hash(h);
        ASSERT_TRUE(r.ok() && r->has_value());
        EXPECT_EQ((*r)->status, 1);
    }
    // The state equals that of a fresh replay of the same transactions.
    const Bytes32 recovered = node->state_hash();
    node.reset();
    TempDir other("ampd-node-fresh");
    NodeConfig c = config();
    c.datadir = other.path();
    auto fresh = open(c);
    for (uint64_t i = 0; i < 20; ++i)
        ASSERT_FALSE(fresh->submit(transfer(3, i, 4, 1 + i)).rejection);
    EXPECT_EQ(fresh->state_hash(), recovered);
}

TEST_F(NodeTest, ConcurrentSubmittersAreAllAcknowledgedInOrderPerSender) {
    auto node = open(config());
    constexpr int kThreads = 6;
    constexpr uint64_t kEach = 25;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (uint64_t i = 0; i < kEach; ++i) {
                if (node->submit(transfer(t, i, (t + 1) % kThreads, 1)).rejection) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(node->head_number(), kThreads * kEach);
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(node->nonce(addr(t), false), kEach);
}

TEST_F(NodeTest, IntervalModeBatchesTransactionsIntoBlocks) {
    NodeConfig c = config(false);
    c.block_time = std::chrono::milliseconds(200);
    auto node = open(c);
    const SignedTx a = transfer(1, 0, 2, 1);
    const SignedTx b = transfer(1, 1, 2, 1);
    ASSERT_FALSE(node->submit(a).rejection);
    ASSERT_FALSE(node->submit(b).rejection);
    // Acknowledged (durable) but possibly not sealed yet.
    EXPECT_EQ(node->nonce(addr(1), true), 2U);
    for (int i = 0; i < 100 && node->head_number() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(node->head_number(), 1U);
    auto block = node->history().block_by_number(1);
    ASSERT_TRUE(block.ok() && block->has_value());
    EXPECT_EQ((*block)->tx_hashes, (std::vector<Bytes32>{a.hash, b.hash}));
    EXPECT_FALSE(node->pending_transaction(a.hash).has_value());
    EXPECT_EQ(node->nonce(addr(1), false), 2U);
}

TEST_F(NodeTest, WhenReadyFiresOnceWhetherRegisteredBeforeOrAfterTheAnswer) {
    NodeConfig c = config(false);
    c.block_time = std::chrono::milliseconds(50);
    std::mutex mu;
    std::condition_variable cv;
    bool hold = true;
    c.on_commit = [&](double, size_t) {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return !hold; });
    };
    auto node = open(c);
    std::atomic<int> before{0};
    std::atomic<int> after{0};
    const Submission first = node->submit_async(transfer(1, 0, 2, 1));
    // Registered while the commit is held: not ready yet, so not called.
    first.when_ready([&] { ++before; });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(before.load(), 0);
    EXPECT_FALSE(first.ready());
    {
        std::lock_guard lk(mu);
        hold = false;
    }
    cv.notify_all();
    for (int i = 0; i < 500 && before.load() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(before.load(), 1);
    EXPECT_TRUE(first.ready());
    // Registered once answered: called at once, on this thread.
    first.when_ready([&] { ++after; });
    EXPECT_EQ(after.load(), 1);
    EXPECT_FALSE(first.wait().rejection);
    EXPECT_EQ(before.load(), 1);
}

// Interval mode, under load: after the sequencer took many transactions at
// once, the next ones wait for the coalescing interval and share a group
// commit. A lone client's transactions (takes of one) never wait for it.
TEST_F(NodeTest, UnderLoadTransactionsAreCoalescedIntoFewerGroupCommits) {
    NodeConfig c = config(false);
    // No block is due during the test (a due block is sealed at once, with
    // whatever is queued), so every commit holds only transactions but the
    // first, which also opens the block.
    c.block_time = std::chrono::hours(1);
    c.coalesce_interval = std::chrono::seconds(2);
    std::mutex mu;
    std::condition_variable cv;
    bool hold = false;
    bool held = false;
    std::vector<size_t> commits;
    c.on_commit = [&](double, size_t records) {
        std::unique_lock lk(mu);
        commits.push_back(records);
        if (!hold) return;
        held = true;
        cv.notify_all();
        cv.wait(lk, [&] { return !hold; });
    };
    auto node = open(c);

    const auto lone_start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < 5; ++i) ASSERT_FALSE(node->submit(transfer(0, i, 1, 1)).rejection);
    EXPECT_LT(std::chrono::steady_clock::now() - lone_start, std::chrono::seconds(2));

    // A burst of 40 queues up behind a held commit, so that the sequencer
    // takes it whole.
    std::vector<SignedTx> burst;
    for (size_t from = 1; from < 8; ++from) {
        for (uint64_t n = 0; n < 6; ++n) burst.push_back(transfer(from, n, 0, 1));
    }
    {
        std::lock_guard lk(mu);
        hold = true;
    }
    const Submission opener = node->submit_async(transfer(0, 5, 1, 1));
    {
        std::unique_lock lk(mu);
        ASSERT_TRUE(cv.wait_for(lk, std::chrono::seconds(10), [&] { return held; }));
    }
    std::vector<Submission> pending;
    for (SignedTx& t : burst) pending.push_back(node->submit_async(std::move(t)));
    {
        std::lock_guard lk(mu);
        hold = false;
    }
    cv.notify_all();
    for (const Submission& p : pending) ASSERT_FALSE(p.wait().rejection);
    ASSERT_FALSE(opener.wait().rejection);
    size_t commits_before_trickle = 0;
    {
        std::lock_guard lk(mu);
        ASSERT_FALSE(commits.empty());
        EXPECT_EQ(commits.back(), burst.size());
        commits_before_trickle = commits.size();
    }

    // Ten more, 20 ms apart (well inside the interval): one commit, not ten.
    std::vector<Submission> trickle;
    for (uint64_t n = 6; n < 16; ++n) {
        trickle.push_back(node->submit_async(transfer(0, n, 1, 1)));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (const Submission& t : trickle) ASSERT_FALSE(t.wait().rejection);
    std::lock_guard lk(mu);
    ASSERT_EQ(commits.size(), commits_before_trickle + 1);
    EXPECT_EQ(commits.back(), 10U);
}

// Interval mode: an acknowledged transaction is found as pending while its
// block is open and while the block is sealed but not yet in the history
// store, and from the history store after that; never with a block number
// the history store cannot show.
TEST_F(NodeTest, PendingTransactionFromOpenAndUnindexedBlocks) {
    NodeConfig c = config();
    c.block_time = std::chrono::hours(1);  // sealed only by mine() below
    std::mutex mu;
    std::condition_variable cv;
    bool hold = false;
    bool held = false;
    c.on_commit = [&](double, size_t) {
        std::unique_lock lk(mu);
        if (!hold) return;
        held = true;
        cv.notify_all();
        cv.wait(lk, [&] { return !hold; });
    };
    auto node = open(c);
    const SignedTx a = transfer(1, 0, 2, 1);
    ASSERT_FALSE(node->submit(a).rejection);

    auto in_open_block = node->pending_transaction(a.hash);
    ASSERT_TRUE(in_open_block.has_value());
    EXPECT_EQ(in_open_block->hash, a.hash);
    EXPECT_EQ(in_open_block->raw, a.raw);
    EXPECT_EQ(in_open_block->from, addr(1));
    EXPECT_EQ(in_open_block->block_number, 0U);
    EXPECT_FALSE(node->pending_transaction(keccak256(std::string("not sent"))).has_value());

    // Seal the block, and stop its batch between the log and the history
    // store.
    {
        std::lock_guard lk(mu);
        hold = true;
    }
    std::thread miner([&] { EXPECT_EQ(node->mine(), 1U); });
    {
        std::unique_lock lk(mu);
        ASSERT_TRUE(cv.wait_for(lk, std::chrono::seconds(10), [&] { return held; }));
    }
    auto sealed = node->pending_transaction(a.hash);
    ASSERT_TRUE(sealed.has_value());
    EXPECT_EQ(sealed->raw, a.raw);
    EXPECT_EQ(sealed->block_number, 0U);
    EXPECT_EQ(sealed->index, 0U);
    auto from_history = node->history().tx_by_hash(a.hash);
    ASSERT_TRUE(from_history.ok());
    EXPECT_FALSE(from_history->has_value());
    {
        std::lock_guard lk(mu);
        hold = false;
    }
    cv.notify_all();
    miner.join();

    EXPECT_FALSE(node->pending_transaction(a.hash).has_value());
    from_history = node->history().tx_by_hash(a.hash);
    ASSERT_TRUE(from_history.ok() && from_history->has_value());
    EXPECT_EQ((*from_history)->block_number, 1U);
}

TEST_F(NodeTest, DevTimeTravelAndSnapshots) {
    auto node = open(config());
    node->increase_time(1000);
    EXPECT_EQ(node->mine(), 1U);
    auto b1 = node->history().block_by_number(1);
    ASSERT_TRUE(b1.ok() && b1->has_value());
    EXPECT_EQ((*b1)->timestamp, now_.load() + 1000);

    node->set_next_block_timestamp(now_.load() + 5000);
    EXPECT_THROW(node->set_next_block_timestamp(1), NodeError);
    const uint64_t id = node->take_snapshot();
    const Bytes32 before = node->state_hash();
    ASSERT_FALSE(node->submit(transfer(1, 0, 2, 1)).rejection);
    auto b2 = node->history().block_by_number(2);
    ASSERT_TRUE(b2.ok() && b2->has_value());
    EXPECT_EQ((*b2)->timestamp, now_.load() + 5000);
    EXPECT_NE(node->state_hash(), before);

    EXPECT_TRUE(node->revert_to(id));
    EXPECT_FALSE(node->revert_to(id));  // used up
    EXPECT_EQ(node->state_hash(), before);
    EXPECT_EQ(node->head_number(), 1U);
    auto gone = node->history().block_by_number(2);
    ASSERT_TRUE(gone.ok());
    EXPECT_FALSE(gone->has_value());
    EXPECT_EQ(node->nonce(addr(1), true), 0U);

    // The revert is in the log: a restart lands on the same state.
    node.reset();
    node = open(config());
    EXPECT_EQ(node->state_hash(), before);
    EXPECT_EQ(node->head_number(), 1U);
}

TEST_F(NodeTest, DevMethodsNeedDevMode) {
    auto node = open(config(false));
    EXPECT_THROW(node->mine(), NodeError);
    EXPECT_THROW(node->take_snapshot(), NodeError);
}

TEST_F(NodeTest, RefusesADataDirectoryOfAnotherGenesis) {
    { auto node = open(config()); }
    genesis_.timestamp += 1;
    EXPECT_THROW(open(config()), NodeError);
}

TEST_F(NodeTest, StopsOnACorruptLog) {
    NodeConfig c = config();
    c.snapshot_interval_transactions = 1'000'000;
    {
        auto node = open(c);
        for (uint64_t i = 0; i < 10; ++i)
            ASSERT_FALSE(node->submit(transfer(1, i, 2, 1)).rejection);
    }
    // The clean shutdown wrote a snapshot; remove it so the log is needed.
    std::filesystem::remove_all(c.datadir / "snapshots");
    std::filesystem::path segment;
    for (const auto& e : std::filesystem::directory_iterator(c.datadir / "wal")) {
        if (e.path().filename().string().starts_with("wal-")) segment = e.path();
    }
    ASSERT_FALSE(segment.empty());
    {
        std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
        // Inside an early record: valid records follow it.
        f.seekp(300);
        const char c = static_cast<char>(f.peek());
        f.put(static_cast<char>(c ^ 0x5a));
    }
    EXPECT_THROW(open(c), NodeError);
}

}  // namespace
}  // namespace ampd::node
