#include "ampd/node/node.hpp"

#include <fmt/core.h>
#include <linux/futex.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "ampd/node/wal_records.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/state/snapshot_codec.hpp"
#include "ampd/storage/snapshot_store.hpp"
#include "ampd/storage/wal.hpp"

namespace ampd::node {

namespace {

struct Batch;

// Shared by the batch that executes it and, for a transaction, the
// submitter's Submission, which points at tx_done inside it: one allocation
// per transaction for both.
struct Job {
    bool is_tx = true;
    SignedTx tx;
    Submission::State tx_done;  // transactions only
    std::function<void(Batch&)> control;
    std::optional<std::promise<void>> control_done;  // control jobs only
};

// Answers one job once what it waits for has happened. A plain struct
// rather than a std::function: one per transaction, no allocation.
struct Ack {
    Job* job = nullptr;
    Bytes32 hash;  // transactions only

    void operator()() const {
        if (job->is_tx) {
            job->tx_done.publish(SubmitResult{hash, std::nullopt});
        } else {
            job->control_done->set_value();
        }
    }
};

// Log records of one sequencer batch and what must happen once they are
// durable. Owns its jobs, so that the acks' pointers stay valid until the
// last of them has run.
struct Batch {
    std::vector<std::pair<uint8_t, Bytes>> records;
    std::vector<SealedBlock> sealed;
    std::optional<uint64_t> truncate_history_after;
    // Answered as soon as the records are durable: interval-mode
    // transactions, which promise durability and nothing about their block.
    std::vector<Ack> durable_acks;
    // Answered after the batch's blocks are in the history store: automine
    // transactions (their receipt must be readable once acknowledged) and
    // control jobs (mine, snapshots, ...), whose callers read the history.
    std::vector<Ack> acks;
    std::vector<std::shared_ptr<Job>> jobs;

    void add(const wal::Record& r) {
        records.emplace_back(static_cast<uint8_t>(wal::type_of(r)), wal::encode(r));
    }
    // add(wal::Transaction{sender, raw}) without copying `raw` into a record first.
    void add_transaction(const Address& sender, ByteView raw) {
        records.emplace_back(static_cast<uint8_t>(wal::RecordType::kTransaction),
                             wal::encode_transaction(sender, raw));
    }
    // Whether anything is left for the history indexer.
    [[nodiscard]] bool needs_indexing() const {
        return !sealed.empty() || truncate_history_after.has_value() || !acks.empty();
    }
};

// Durable batches waiting for the indexer (besides the one being indexed)
// beyond which a durability callback waits for it. Indexing a block then
// overlaps the next fdatasync, but the history store never falls more than
// a few blocks behind the chain: a history store that cannot keep up slows
// the log, and through it admission, and a client that saw its transaction
// mined (eth_getTransactionCount "latest") finds its receipt moments later,
// not seconds.
constexpr size_t kMaxQueuedIndexBatches = 2;

// Queued jobs at which the sequencer takes them even while a sync is in
// flight (see ready_to_sequence), so that a burst is executed while the
// disk works rather than after.
constexpr size_t kEagerQueue = 1024;

// Takes of at least this many jobs start coalescing (coalesced_until).
constexpr size_t kCoalesceFrom = 32;

constexpr auto kNever = std::chrono::steady_clock::time_point::max();
constexpr auto kNotCoalescing = std::chrono::steady_clock::time_point::min();

[[noreturn]] void fail_stop(const std::string& what) {
    // Running on after a storage failure would acknowledge transactions that
    // are not recorded, or serve a history that disagrees with the WAL.
    spdlog::critical("{}; stopping the node", what);
    spdlog::shutdown();
    std::abort();
}

void check_genesis_marker(const std::filesystem::path& datadir, const Bytes32& hash) {
    const std::filesystem::path marker = datadir / "GENESIS";
    if (std::filesystem::exists(marker)) {
        std::ifstream in(marker);
        std::string text;
        in >> text;
        if (text != hash.hex()) {
            throw NodeError(fmt::format(
                "data directory {} was created with another genesis ({}; this genesis is {}): "
                "use another --datadir, or remove this one to start the chain afresh",
                datadir.string(), text, hash.hex()));
        }
        return;
    }
    std::ofstream out(marker);
    out << hash.hex() << "\n";
    if (!out) throw NodeError(fmt::format("cannot write {}", marker.string()));
}

}  // namespace

uint64_t system_clock_seconds() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

struct Node::Impl {
    NodeConfig config;
    Genesis genesis;
    Clock clock;

    std::unique_ptr<storage::Wal> wal;
    std::optional<storage::SnapshotStore> snapshots;
    std::unique_ptr<storage::HistoryStore> history;

    mutable std::mutex state_mu;
    std::unique_ptr<Chain> chain;
    uint64_t time_offset = 0;
    std::optional<uint64_t> next_timestamp;
    std::map<uint64_t, Bytes> dev_snapshots;
    uint64_t next_dev_snapshot = 1;
    uint64_t txs_since_snapshot = 0;
    std::chrono::steady_clock::time_point block_deadline;

    std::mutex queue_mu;
    std::condition_variable queue_cv;
    // Batches handed to the WAL whose durability callback has not run yet.
    size_t in_flight = 0;
    // When the sequencer last took the queue, and how many jobs it took.
    std::chrono::steady_clock::time_point last_take;
    size_t last_take_size = 0;
    std::condition_variable space_cv;
    std::deque<std::shared_ptr<Job>> queue;
    bool stopping = false;
    std::thread sequencer;

    // Interval mode: batches whose sealed blocks are not in the history
    // store yet, for pending_transaction(). Registered per batch, not per
    // transaction: a lookup scans them, which is rare, where an index by
    // hash cost every transaction a copy, an insert and an erase on
    // another thread.
    mutable std::mutex pending_mu;
    std::vector<std::shared_ptr<const Batch>> unindexed;

    std::mutex snap_mu;
    std::condition_variable snap_cv;
    struct SnapJob {
        uint64_t generation = 0;
        uint64_t covers_seq = 0;
        Bytes bytes;
    };
    std::optional<SnapJob> snap_job;
    uint64_t snap_requested = 0;  // sequencer only
    bool snap_forced = false;     // sequencer only: checkpoint() asked for one
    uint64_t snap_done = 0;       // generation of the last finished snapshot
    bool snap_stop = false;
    std::thread snapshotter;

    // History indexing (RocksDB writes) runs on its own thread, batch by
    // batch in log order, so that it never holds up the WAL flusher's next
    // fdatasync: indexing a block of thousands of transactions takes
    // milliseconds, during which the log keeps making new batches durable.
    std::mutex index_mu;
    std::condition_variable index_cv;       // wakes the indexer
    std::condition_variable index_done_cv;  // progress: backlog space, snapshot waits
    std::deque<std::shared_ptr<Batch>> index_queue;
    uint64_t index_enqueued = 0;  // batches ever queued
    uint64_t index_finished = 0;  // batches ever completed
    bool index_stop = false;
    std::thread indexer;

    std::atomic<uint64_t> head_number{0};
    std::atomic<uint64_t> n_transactions{0};
    std::atomic<uint64_t> n_reverts{0};
    std::atomic<uint64_t> n_rejections{0};
    std::atomic<uint64_t> n_syncs{0};
    std::atomic<uint64_t> n_snapshots{0};

    [[nodiscard]] bool automine() const { return config.block_time.count() == 0; }

    // --- recovery ---------------------------------------------------------

    void recover() {
        std::filesystem::create_directories(config.datadir);
        check_genesis_marker(config.datadir, genesis_hash(genesis));

        storage::SnapshotOptions sopts;
        sopts.sync_mode = config.fsync ? storage::SyncMode::kFdatasync : storage::SyncMode::kNone;
        auto snaps = storage::SnapshotStore::open(config.datadir / "snapshots", sopts);
        if (!snaps) throw NodeError(snaps.error().describe());
        snapshots.emplace(std::move(*snaps));
        auto latest = snapshots->load_latest();
        if (!latest) throw NodeError(latest.error().describe());
        for (const storage::SkippedSnapshot& skip : latest->skipped) {
            spdlog::warn("skipped snapshot {}: {}", skip.path.string(), skip.reason);
        }
        uint64_t from_seq = 1;
        if (latest->snapshot) {
            const storage::Snapshot& s = *latest->snapshot;
            try {
                chain = std::make_unique<Chain>(genesis, ByteView(s.state));
            } catch (const state::SnapshotError& e) {
                throw NodeError(
                    fmt::format("snapshot {} does not load: {}", s.covers_seq, e.what()));
            }
            from_seq = s.covers_seq + 1;
            spdlog::info("loaded the snapshot at WAL record {} (block {})", s.covers_seq,
                         chain->head().number);
        } else {
            chain = std::make_unique<Chain>(genesis);
        }

        storage::WalOptions wopts;
        wopts.sync_mode = config.fsync ? storage::SyncMode::kFdatasync : storage::SyncMode::kNone;
        auto w = storage::Wal::open(config.datadir / "wal", wopts);
        if (!w) throw NodeError(w.error().describe());
        wal = std::move(*w);
        if (const auto& info = wal->recovery_info(); info.dropped_bytes > 0) {
            spdlog::warn("WAL: dropped a torn tail of {} bytes from {} ({})", info.dropped_bytes,
                         info.truncated_file.string(), info.truncation_reason);
        }
        if (from_seq > 1 && wal->last_seq() + 1 < from_seq) {
            throw NodeError(fmt::format("the WAL ends at record {} but the snapshot covers {}",
                                        wal->last_seq(), from_seq - 1));
        }

        // The history store is rebuilt from this node's own log: every block
        // replayed below that the store lacks is indexed again. So it needs no
        // log of its own, provided no log record it depends on goes away
        // before it is flushed: write_snapshot flushes it before the snapshot
        // that lets WAL segments go.
        storage::HistoryOptions hopts;
        hopts.disable_wal = true;
        hopts.direct_io = config.history_direct_io;
        auto h = storage::HistoryStore::open(config.datadir / "history", hopts);
        if (!h) throw NodeError(h.error().describe());
        history = std::move(*h);
        spdlog::info("history store: table files {}",
                     history->direct_io() ? "written with O_DIRECT" : "go through the page cache");
        if (!history->last_indexed_block().has_value()) {
            const SealedBlock g = chain->genesis_block();
            index_block(g);
        }

        uint64_t replayed = 0;
        auto r = wal->replay(from_seq, [&](const storage::WalRecord& rec) -> storage::Status {
            replay_record(rec);
            ++replayed;
            return {};
        });
        if (!r) throw NodeError(r.error().describe());

        // The history store is written only after the WAL is durable, so it
        // cannot be ahead of the replayed chain unless syncing was disabled.
        const uint64_t indexed = history->last_indexed_block().value_or(0);
        if (indexed > chain->head().number) {
            spdlog::warn("history store holds blocks {}..{} beyond the log; dropping them",
                         chain->head().number + 1, indexed);
            auto t = history->truncate_after(chain->head().number);
            if (!t) throw NodeError(t.error().describe());
        }
        head_number = chain->head().number;
        if (chain->block_open() && automine()) {
            // The last block's seal record was lost with a torn tail; its
            // transactions were never acknowledged, but they are in the log:
            // keep them and seal the block now.
            Batch b;
            seal_into(b);
            write_sync(b);
        }
        spdlog::info("recovered block {} after replaying {} WAL records", chain->head().number,
                     replayed);
    }

    void replay_record(const storage::WalRecord& rec) {
        const std::optional<wal::Record> r = wal::decode(rec.type, rec.payload);
        if (!r) {
            throw NodeError(
                fmt::format("WAL record {} has an unknown shape (type {})", rec.seq, rec.type));
        }
        if (const auto* o = std::get_if<wal::OpenBlock>(&*r)) {
            chain->open_block(o->timestamp);
        } else if (const auto* t = std::get_if<wal::Transaction>(&*r)) {
            // The sender was recovered at admission and logged beside the bytes.
            auto d = tx::parse_transaction(t->raw);
            if (!d) {
                throw NodeError(fmt::format("WAL record {}: transaction does not decode: {}",
                                            rec.seq, d.error().message));
            }
            SignedTx s{std::move(*d), t->sender, tx::tx_hash(t->raw), t->raw};
            if (auto rej = chain->check(s)) {
                throw NodeError(
                    fmt::format("WAL record {}: replay diverged: {}", rec.seq, rej->message));
            }
            const storage::ReceiptRecord& receipt = chain->apply(std::move(s));
            count_receipt(receipt);
        } else if (std::holds_alternative<wal::SealBlock>(*r)) {
            SealedBlock b = chain->seal();
            if (b.block.number > history->last_indexed_block().value_or(0)) index_block(b);
        } else if (const auto* x = std::get_if<wal::Reset>(&*r)) {
            chain = std::make_unique<Chain>(genesis, ByteView(x->snapshot));
            auto t = history->truncate_after(chain->head().number);
            if (!t) throw NodeError(t.error().describe());
        }
        ++txs_since_snapshot;
    }

    void index_block(const SealedBlock& b) {
        auto r = history->put_block(b.block, b.txs, b.receipts);
        if (!r) fail_stop("history store write failed: " + r.error().describe());
        head_number = b.block.number;
    }

    void count_receipt(const storage::ReceiptRecord& r) {
        ++n_transactions;
        if (r.status == 0) ++n_reverts;
    }

    // --- sequencing -------------------------------------------------------

    uint64_t take_timestamp() {
        // Dev time travel is bounded (kMaxTimestamp), so this cannot wrap.
        const uint64_t after = chain->head().timestamp + 1;
        if (next_timestamp) {
            const uint64_t t = std::max(*next_timestamp, after);
            next_timestamp.reset();
            return t;
        }
        return std::max(after, clock() + time_offset);
    }

    void open_into(Batch& b) {
        const uint64_t ts = take_timestamp();
        chain->open_block(ts);
        b.add(wal::OpenBlock{chain->open_block_number(), ts});
        block_deadline = std::chrono::steady_clock::now() + config.block_time;
    }

    void seal_into(Batch& b) {
        SealedBlock s = chain->seal();
        b.add(wal::SealBlock{s.block.number});
        b.sealed.push_back(std::move(s));
    }

    void sequence_tx(Job& job, Batch& b) {
        SignedTx& t = job.tx;
        if (std::optional<Rejection> rej = chain->check(t)) {
            ++n_rejections;
            job.tx_done.publish(SubmitResult{t.hash, std::move(rej)});
            return;
        }
        if (!chain->block_open()) open_into(b);
        b.add_transaction(t.sender, t.raw);
        const Bytes32 hash = t.hash;
        const storage::ReceiptRecord& receipt = chain->apply(std::move(t));
        count_receipt(receipt);
        ++txs_since_snapshot;
        if (automine()) seal_into(b);
        (automine() ? b.acks : b.durable_acks).push_back(Ack{&job, hash});
    }

    void run_sequencer() {
        ::pthread_setname_np(::pthread_self(), "ampd-sequencer");
        for (;;) {
            std::vector<std::shared_ptr<Job>> jobs;
            {
                std::unique_lock lk(queue_mu);
                // Only this thread changes the chain, so it reads it unlocked.
                const bool timed = !automine() && chain->block_open();
                while (!ready_to_sequence()) {
                    auto until = timed ? block_deadline : kNever;
                    const auto coalescing = coalesced_until();
                    if (coalescing != kNotCoalescing) until = std::min(until, coalescing);
                    if (until == kNever) {
                        queue_cv.wait(lk);
                    } else if (queue_cv.wait_until(lk, until) == std::cv_status::timeout && timed &&
                               std::chrono::steady_clock::now() >= block_deadline) {
                        break;  // the open block is due
                    }
                }
                if (stopping && queue.empty()) break;
                const size_t n = std::min<size_t>(queue.size(), 4096);
                last_take = std::chrono::steady_clock::now();
                last_take_size = n;
                for (size_t i = 0; i < n; ++i) {
                    jobs.push_back(std::move(queue.front()));
                    queue.pop_front();
                }
            }
            space_cv.notify_all();
            Batch batch;
            std::optional<SnapJob> snapshot;
            {
                std::lock_guard st(state_mu);
                for (auto& job : jobs) {
                    if (job->is_tx) {
                        sequence_tx(*job, batch);
                        if (!automine() &&
                            chain->open_block_size() >= config.max_block_transactions) {
                            seal_into(batch);
                        }
                    } else {
                        job->control(batch);
                        batch.acks.push_back(Ack{job.get(), {}});
                    }
                }
                if (!automine() && chain->block_open() &&
                    std::chrono::steady_clock::now() >= block_deadline) {
                    seal_into(batch);
                }
                if ((snap_forced || txs_since_snapshot >= config.snapshot_interval_transactions) &&
                    !chain->block_open()) {
                    snapshot.emplace(SnapJob{++snap_requested, 0, chain->snapshot()});
                    txs_since_snapshot = 0;
                    snap_forced = false;
                }
            }
            batch.jobs = std::move(jobs);
            const uint64_t last_seq = submit_batch(std::move(batch));
            if (snapshot) {
                snapshot->covers_seq = last_seq;
                schedule_snapshot(std::move(*snapshot));
            }
        }
    }

    // Whether the sequencer takes the queue now (queue_mu held). While the
    // log syncs a batch, new jobs wait for that sync to end unless many are
    // queued: executed at once they would only wait for the next sync
    // anyway, and waking the sequencer for each of them costs a context
    // switch per transaction (with transactions arriving one recovery
    // apart, tens of microseconds each). Waiting adds the time to execute
    // the batch, well under a millisecond, to a sync of milliseconds.
    //
    // Under load the sequencer also waits for coalesced_until(): see there.
    [[nodiscard]] bool ready_to_sequence() const {
        if (stopping) return true;
        if (queue.empty()) return false;
        if (queue.size() >= kEagerQueue) return true;
        if (in_flight != 0) return false;
        // The clock is read only while coalescing: this runs on every enqueue.
        const auto until = coalesced_until();
        return until == kNotCoalescing || std::chrono::steady_clock::now() >= until;
    }

    // Until when jobs wait to be taken with the log idle (queue_mu held);
    // kNotCoalescing when they do not wait.
    // Each group commit costs CPU (the write, the sync, waking what waits on
    // it, a batch for the indexer), and once the serving threads no longer
    // crowd out the sequencer it would take the queue after every sync:
    // with syncs well under a millisecond, a few transactions each
    // (docs/PERFORMANCE.md, "Twelfth round"). So after a take of at least
    // kCoalesceFrom jobs, the next one waits until config.coalesce_interval
    // has passed since it (or until kEagerQueue jobs are queued). A lone
    // client sending one transaction after another makes takes of one job,
    // which do not start it.
    [[nodiscard]] std::chrono::steady_clock::time_point coalesced_until() const {
        if (automine() || last_take_size < kCoalesceFrom || queue.empty() || in_flight != 0) {
            return kNotCoalescing;
        }
        return last_take + config.coalesce_interval;
    }

    // Hands the batch to the WAL. Its durability callback runs on the WAL's
    // flusher thread: it answers what waited only for durability and passes
    // the rest to the indexer.
    uint64_t submit_batch(Batch&& batch) {
        if (batch.records.empty()) {
            // Nothing to make durable (refusals, settings, reads): answer now.
            for (const Ack& a : batch.durable_acks) a();
            for (const Ack& a : batch.acks) a();
            return wal->last_seq();
        }
        auto shared_batch = std::make_shared<Batch>(std::move(batch));
        if (!automine() && !shared_batch->sealed.empty()) {
            // Before the log can make it durable, so before any of its
            // transactions is acknowledged.
            std::lock_guard lk(pending_mu);
            unindexed.push_back(shared_batch);
        }
        auto records = std::move(shared_batch->records);
        const size_t n = records.size();
        const auto start = std::chrono::steady_clock::now();
        {
            std::lock_guard lk(queue_mu);
            ++in_flight;
        }
        auto seq = wal->submit(std::move(records), [this, shared_batch, n,
                                                    start](const storage::Result<uint64_t>& r) {
            if (!r) fail_stop("write-ahead log commit failed: " + r.error().describe());
            ++n_syncs;
            // Before the sequencer may go on: a test that holds the observer
            // holds the pipeline at a known point.
            if (config.on_commit) {
                config.on_commit(
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                    n);
            }
            {
                std::lock_guard lk(queue_mu);
                --in_flight;
                // Also when coalescing: the sequencer then sets its timer.
                if (!queue.empty()) queue_cv.notify_one();
            }
            for (const Ack& a : shared_batch->durable_acks) a();
            if (shared_batch->needs_indexing()) enqueue_indexing(shared_batch);
        });
        if (!seq) fail_stop("write-ahead log append failed: " + seq.error().describe());
        return *seq;
    }

    // --- history indexing -------------------------------------------------

    // On the flusher thread, in log order.
    void enqueue_indexing(std::shared_ptr<Batch> b) {
        std::unique_lock lk(index_mu);
        index_done_cv.wait(lk, [&] { return index_queue.size() < kMaxQueuedIndexBatches; });
        index_queue.push_back(std::move(b));
        ++index_enqueued;
        index_cv.notify_one();
    }

    void run_indexer() {
        ::pthread_setname_np(::pthread_self(), "ampd-indexer");
        std::unique_lock lk(index_mu);
        for (;;) {
            index_cv.wait(lk, [&] { return index_stop || !index_queue.empty(); });
            if (index_queue.empty()) return;  // stopping, and everything is indexed
            std::shared_ptr<Batch> b = std::move(index_queue.front());
            index_queue.pop_front();
            index_done_cv.notify_all();  // room in the queue
            lk.unlock();
            complete(*b);
            b.reset();  // the jobs go here, not under the lock
            lk.lock();
            ++index_finished;
            index_done_cv.notify_all();
        }
    }

    // Waits until every batch made durable so far is in the history store.
    // Call after wal->flush_and_wait(), which has run their callbacks.
    void wait_indexed() {
        std::unique_lock lk(index_mu);
        const uint64_t target = index_enqueued;
        index_done_cv.wait(lk, [&] { return index_finished >= target; });
    }

    void stop_indexer() {
        {
            std::lock_guard lk(index_mu);
            index_stop = true;
        }
        index_cv.notify_all();
        if (indexer.joinable()) indexer.join();
    }

    // Indexes the batch's blocks, then answers what waited for them.
    void complete(Batch& b) {
        if (b.truncate_history_after) {
            auto t = history->truncate_after(*b.truncate_history_after);
            if (!t) fail_stop("history store truncation failed: " + t.error().describe());
            head_number = *b.truncate_history_after;
        }
        for (const SealedBlock& s : b.sealed) index_block(s);
        if (!b.sealed.empty()) {
            std::lock_guard lk(pending_mu);
            std::erase_if(unindexed, [&](const auto& u) { return u.get() == &b; });
        }
        for (const Ack& a : b.acks) a();
    }

    // Synchronous write of a batch (recovery and shutdown paths).
    void write_sync(Batch& b) {
        for (auto& [type, payload] : b.records) {
            auto a = wal->append(type, payload);
            if (!a) throw NodeError(a.error().describe());
        }
        auto r = wal->sync();
        if (!r) throw NodeError(r.error().describe());
        for (const Ack& a : b.durable_acks) a();
        complete(b);
    }

    // --- snapshots --------------------------------------------------------

    void schedule_snapshot(SnapJob job) {
        std::lock_guard lk(snap_mu);
        snap_job = std::move(job);  // a newer one supersedes one still waiting
        snap_cv.notify_all();
    }

    void run_snapshotter() {
        ::pthread_setname_np(::pthread_self(), "ampd-snapshot");
        for (;;) {
            SnapJob job;
            {
                std::unique_lock lk(snap_mu);
                snap_cv.wait(lk, [&] { return snap_stop || snap_job.has_value(); });
                if (!snap_job) return;
                job = std::move(*snap_job);
                snap_job.reset();
            }
            write_snapshot(job);
            {
                std::lock_guard lk(snap_mu);
                snap_done = std::max(snap_done, job.generation);
            }
            snap_cv.notify_all();
        }
    }

    void write_snapshot(const SnapJob& job) {
        // The snapshot may only be relied on once the log up to it is durable.
        if (auto f = wal->flush_and_wait(); !f) {
            spdlog::error("snapshot skipped: the log did not sync: {}", f.error().describe());
            return;
        }
        // The WAL segments it lets go may only go once the history store
        // holds their blocks: recovery indexes only the blocks it replays.
        wait_indexed();
        // Recovery replays only the log after the snapshot, so the history
        // store must hold every block the snapshot covers durably before the
        // snapshot exists: its writes skip RocksDB's log (recover()).
        if (auto f = history->flush(); !f) {
            spdlog::error("snapshot skipped: the history store did not flush: {}",
                          f.error().describe());
            return;
        }
        if (auto r = snapshots->write(job.covers_seq, ByteView(job.bytes)); !r) {
            spdlog::error("snapshot at WAL record {} failed: {}", job.covers_seq,
                          r.error().describe());
            return;
        }
        ++n_snapshots;
        // Only log segments that no retained snapshot needs may go.
        auto oldest = snapshots->oldest_retained_seq();
        if (oldest && oldest->has_value()) {
            auto rm = wal->remove_segments_before(**oldest + 1);
            if (!rm) spdlog::warn("WAL cleanup failed: {}", rm.error().describe());
        }
    }

    void wait_snapshot(uint64_t generation) {
        std::unique_lock lk(snap_mu);
        snap_cv.wait(lk, [&] { return snap_done >= generation || snap_stop; });
    }

    // --- queue ------------------------------------------------------------

    void enqueue(std::shared_ptr<Job> job) {
        std::unique_lock lk(queue_mu);
        space_cv.wait(lk, [&] { return stopping || queue.size() < config.max_queued; });
        if (stopping) throw NodeError("the node is shutting down");
        queue.push_back(std::move(job));
        // Only when the sequencer should act on it, or set its coalescing
        // timer for it: a wakeup that finds nothing to do is a wasted
        // context switch.
        if (ready_to_sequence() || (queue.size() == 1 && in_flight == 0)) queue_cv.notify_one();
    }

    void run_control(std::function<void(Batch&)> f) {
        auto job = std::make_shared<Job>();
        job->is_tx = false;
        job->control = std::move(f);
        std::future<void> done = job->control_done.emplace().get_future();
        enqueue(std::move(job));
        done.get();
    }

    void require_dev(const char* what) const {
        if (!config.dev) throw NodeError(fmt::format("{} is available only with --dev", what));
    }

    void shutdown() {
        {
            std::lock_guard lk(queue_mu);
            stopping = true;
        }
        queue_cv.notify_all();
        space_cv.notify_all();
        if (sequencer.joinable()) sequencer.join();
        if (wal) {
            if (auto f = wal->flush_and_wait(); !f) {
                spdlog::error("final log sync failed: {}", f.error().describe());
            }
        }
        stop_indexer();  // after the last callback queued its batch
        {
            std::lock_guard lk(snap_mu);
            snap_stop = true;
        }
        snap_cv.notify_all();
        if (snapshotter.joinable()) snapshotter.join();
    }
};

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<Node> Node::open(const NodeConfig& config, Genesis genesis, Clock clock) {
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->genesis = std::move(genesis);
    impl->clock = std::move(clock);
    impl->recover();
    Impl* p = impl.get();
    p->indexer = std::thread([p] { p->run_indexer(); });
    p->sequencer = std::thread([p] { p->run_sequencer(); });
    p->snapshotter = std::thread([p] { p->run_snapshotter(); });
    return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::~Node() {
    try {
        // A clean shutdown leaves a snapshot, so the next start replays nothing.
        checkpoint();
    } catch (const std::exception& e) {
        spdlog::warn("final snapshot failed: {}", e.what());
    }
    impl_->shutdown();
}

const NodeConfig& Node::config() const {
    return impl_->config;
}
const Genesis& Node::genesis() const {
    return impl_->genesis;
}
uint64_t Node::chain_id() const {
    return impl_->genesis.chain_id;
}

// Submissions sleep on a futex of their own rather than std::atomic::wait,
// whose libstdc++ implementation spins through sched_yield first: with more
// RPC threads than cores, those yields were a context switch each.
namespace {

void futex_wait(std::atomic<uint32_t>& word, uint32_t expected) {
    ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr,
              nullptr, 0);
}

void futex_wake_all(std::atomic<uint32_t>& word) {
    ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT32_MAX, nullptr,
              nullptr, 0);
}

}  // namespace

void Submission::State::publish(SubmitResult r) {
    result = std::move(r);
    const uint32_t before = word.exchange(1, std::memory_order_acq_rel);
    if (before == 2) futex_wake_all(word);
    if (before == 3) {
        // Moved out first: the callback may drop the last reference to the
        // submission, and with it this state.
        const std::function<void()> f = std::move(on_ready);
        f();
    }
}

void Submission::when_ready(std::function<void()> f) const {
    State& s = *state_;
    s.on_ready = std::move(f);
    uint32_t expected = 0;
    if (s.word.compare_exchange_strong(expected, 3, std::memory_order_acq_rel)) return;
    // Already answered (a waiter would be a misuse: see the header).
    const std::function<void()> now = std::move(s.on_ready);
    s.on_ready = nullptr;
    now();
}

const SubmitResult& Submission::wait() const {
    std::atomic<uint32_t>& word = state_->word;
    uint32_t w = word.load(std::memory_order_acquire);
    while (w != 1) {
        // Announce the sleeper, then sleep unless the answer came meanwhile
        // (the futex re-checks the word atomically).
        if (w == 2 || word.compare_exchange_weak(w, 2, std::memory_order_acq_rel)) {
            futex_wait(word, 2);
        }
        w = word.load(std::memory_order_acquire);
    }
    return state_->result;
}

bool Submission::ready() const {
    return state_->word.load(std::memory_order_acquire) == 1;
}

SubmitResult Node::submit(SignedTx tx) {
    return submit_async(std::move(tx)).wait();
}

Submission Node::submit_async(SignedTx tx) {
    auto job = std::make_shared<Job>();
    job->tx = std::move(tx);
    Submission done(std::shared_ptr<Submission::State>(job, &job->tx_done));
    impl_->enqueue(std::move(job));
    return done;
}

uint64_t Node::head_number() const {
    return impl_->head_number.load();
}

storage::HistoryStore& Node::history() {
    return *impl_->history;
}

uint64_t Node::nonce(const Address& a, bool pending) const {
    std::lock_guard st(impl_->state_mu);
    return impl_->chain->nonce(a, pending);
}

CallOutcome Node::call(const Address& from, const std::optional<Address>& to, const Bytes& data,
                       uint64_t gas_limit) const {
    std::lock_guard st(impl_->state_mu);
    return impl_->chain->call(from, to, data, gas_limit);
}

std::optional<std::string> Node::contract_type(const Address& a) const {
    std::lock_guard st(impl_->state_mu);
    const state::Contract* c = impl_->chain->world().contract_at(a);
    if (c == nullptr) return std::nullopt;
    return std::string(c->type_name());
}

std::optional<storage::TxRecord> Node::pending_transaction(const Bytes32& hash) const {
    if (impl_->automine()) return std::nullopt;  // acknowledged only once indexed
    // Reported without a block (number and index 0) until the history store
    // has the block, so that it never names a block that cannot be read.
    const auto as_pending = [](const storage::TxRecord& t) {
        return storage::TxRecord{t.hash, t.raw, t.from, 0, 0};
    };
    // In the order a transaction moves: the open block, then sealed blocks
    // waiting for the history store.
    {
        std::lock_guard st(impl_->state_mu);
        if (const storage::TxRecord* t = impl_->chain->open_transaction(hash)) {
            return as_pending(*t);
        }
    }
    std::lock_guard lk(impl_->pending_mu);
    for (const auto& batch : impl_->unindexed) {
        for (const SealedBlock& s : batch->sealed) {
            for (const storage::TxRecord& t : s.txs) {
                if (t.hash == hash) return as_pending(t);
            }
        }
    }
    return std::nullopt;
}

Bytes32 Node::state_hash() const {
    Bytes32 h;
    // Taken by the sequencer so that no block is half-applied.
    const_cast<Impl*>(impl_.get())->run_control([&](Batch&) {
        h = impl_->chain->block_open() ? Bytes32{} : impl_->chain->state_hash();
    });
    return h;
}

NodeStats Node::stats() const {
    NodeStats s;
    s.transactions = impl_->n_transactions;
    s.reverts = impl_->n_reverts;
    s.rejections = impl_->n_rejections;
    s.blocks = impl_->head_number;
    s.wal_syncs = impl_->n_syncs;
    s.snapshots = impl_->n_snapshots;
    s.history_direct_io = impl_->history->direct_io();
    return s;
}

void Node::with_state(const std::function<void(const Chain&)>& f) const {
    std::lock_guard st(impl_->state_mu);
    f(*impl_->chain);
}

namespace {

// Dev time travel stops here (about the year 36800): far beyond any real
// use, and far enough below 2^64 that timestamps never wrap.
constexpr uint64_t kMaxTimestamp = uint64_t{1} << 40;

void check_timestamp(uint64_t t, const char* what) {
    if (t > kMaxTimestamp) {
        throw NodeError(fmt::format("{} {} is too large (at most 2^40)", what, t));
    }
}

}  // namespace

uint64_t Node::mine(std::optional<uint64_t> timestamp) {
    impl_->require_dev("evm_mine");
    if (timestamp) check_timestamp(*timestamp, "timestamp");
    uint64_t number = 0;
    impl_->run_control([&](Batch& b) {
        if (timestamp) impl_->next_timestamp = timestamp;
        if (!impl_->chain->block_open()) impl_->open_into(b);
        impl_->seal_into(b);
        number = impl_->chain->head().number;
    });
    return number;
}

uint64_t Node::increase_time(uint64_t seconds) {
    impl_->require_dev("evm_increaseTime");
    check_timestamp(seconds, "time increase");
    uint64_t total = 0;
    std::string error;
    impl_->run_control([&](Batch&) {
        if (impl_->time_offset + seconds > kMaxTimestamp) {
            error =
                fmt::format("time offset would exceed 2^40 seconds (now {})", impl_->time_offset);
            return;
        }
        impl_->time_offset += seconds;
        total = impl_->time_offset;
    });
    if (!error.empty()) throw NodeError(error);
    return total;
}

void Node::set_next_block_timestamp(uint64_t timestamp) {
    impl_->require_dev("evm_setNextBlockTimestamp");
    check_timestamp(timestamp, "timestamp");
    std::string error;
    impl_->run_control([&](Batch&) {
        if (timestamp <= impl_->chain->head().timestamp) {
            error = fmt::format("timestamp {} is not after the latest block's {}", timestamp,
                                impl_->chain->head().timestamp);
            return;
        }
        impl_->next_timestamp = timestamp;
    });
    if (!error.empty()) throw NodeError(error);
}

uint64_t Node::take_snapshot() {
    impl_->require_dev("evm_snapshot");
    uint64_t id = 0;
    impl_->run_control([&](Batch& b) {
        if (impl_->chain->block_open()) impl_->seal_into(b);
        id = impl_->next_dev_snapshot++;
        impl_->dev_snapshots[id] = impl_->chain->snapshot();
    });
    return id;
}

bool Node::revert_to(uint64_t id) {
    impl_->require_dev("evm_revert");
    bool found = false;
    impl_->run_control([&](Batch& b) {
        auto it = impl_->dev_snapshots.find(id);
        if (it == impl_->dev_snapshots.end()) return;
        found = true;
        if (impl_->chain->block_open()) impl_->seal_into(b);
        Bytes bytes = std::move(it->second);
        impl_->dev_snapshots.erase(it, impl_->dev_snapshots.end());
        impl_->chain = std::make_unique<Chain>(impl_->genesis, ByteView(bytes));
        b.truncate_history_after = impl_->chain->head().number;
        b.add(wal::Reset{std::move(bytes)});
    });
    return found;
}

void Node::checkpoint() {
    uint64_t generation = 0;
    impl_->run_control([&](Batch& b) {
        if (impl_->chain->block_open()) impl_->seal_into(b);
        // Taken by the sequencer at the end of this batch.
        impl_->snap_forced = true;
        generation = impl_->snap_requested + 1;
    });
    impl_->wait_snapshot(generation);
}

}  // namespace ampd::node
