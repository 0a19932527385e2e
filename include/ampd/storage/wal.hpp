// Write-ahead log: the node's record of every acknowledged transaction.
//
// Records (a type byte and an opaque payload) get consecutive sequence
// numbers from 1 and are appended to segment files in one directory. A
// record is durable once written and fdatasync'ed; the node acknowledges a
// transaction only after that. Recovery is: latest snapshot, then replay()
// of the records after it. Formats and recovery rules: docs/STORAGE.md.
//
// Threading: every method may be called from any thread. One flusher thread
// owned by the Wal does all writes and syncs, coalescing everything queued
// since its last flush into one write and one fdatasync (group commit), so a
// producer can prepare batch N+1 while batch N is being synced. Durability
// callbacks run on the flusher thread in sequence order; they must be short
// and must not call append/submit/sync/flush_and_wait (that would wait on
// the very thread running them; doing so throws std::logic_error).
//
// Fail-stop: after a failed write or sync the Wal accepts nothing more and
// every pending and later operation reports kFailed, because after a failed
// fdatasync the kernel may have dropped the dirty pages and a retry could
// report success for lost data.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/storage/result.hpp"
#include "ampd/storage/sync_mode.hpp"

namespace ampd::storage {

struct WalOptions {
    // A new segment is started when the next record would take the active
    // one past this size (a record larger than this gets a segment alone).
    uint64_t segment_bytes = 64ull << 20;
    SyncMode sync_mode = SyncMode::kFdatasync;
    // Back-pressure: append/submit block while this many bytes are queued or
    // being written but not yet durable (a single larger batch still goes
    // through when nothing else is pending).
    uint64_t max_pending_bytes = 64ull << 20;
    // Largest accepted payload.
    uint32_t max_record_bytes = 16u << 20;
    // The active segment grows by this many bytes of zeros at a time, ahead
    // of the records: a sync then writes data into blocks the file already
    // has, with no change to its size, so fdatasync has no metadata (no
    // journal commit) to wait for. A segment is cut back to its records when
    // the next one starts; a zero tail of the last segment is its free space.
    // 0 grows the file with each write instead.
    uint64_t preallocate_bytes = 4ull << 20;
};

struct WalRecord {
    uint64_t seq = 0;
    uint8_t type = 0;
    ByteView payload;  // valid only during the callback that receives it
};

// What open() found and repaired.
struct WalRecoveryInfo {
    size_t segments = 0;                   // segment files present after open
    uint64_t first_seq = 0;                // first sequence number held (0 if no record)
    uint64_t last_seq = 0;                 // last sequence number held (0 if no record)
    uint64_t dropped_bytes = 0;            // torn tail removed from the last segment
    std::filesystem::path truncated_file;  // empty when nothing was dropped
    uint64_t truncated_at = 0;             // new size of truncated_file
    std::string truncation_reason;         // e.g. "incomplete record payload ..."
};

class Wal {
public:
    // Called once with the outcome for a submitted batch: the batch's last
    // sequence number once it is durable, or the error that stopped the Wal.
    using DurableCallback = std::function<void(const Result<uint64_t>&)>;
    // Receives replayed records; a returned error stops the replay and is
    // returned from replay().
    using ReplayCallback = std::function<Status(const WalRecord&)>;

    // Opens (creating if needed) the log in `dir`, validates every segment,
    // truncates a torn tail of the last segment, and starts the flusher.
    // Damage anywhere else is a kWalCorruption error naming file and offset.
    // kBusy if another Wal holds the directory.
    static Result<std::unique_ptr<Wal>> open(const std::filesystem::path& dir,
                                             WalOptions options = {});

    // Flushes and syncs everything queued, runs the remaining callbacks and
    // stops the flusher.
    ~Wal();
    Wal(const Wal&) = delete;
    Wal& operator=(const Wal&) = delete;

    // Queues one record (copying the payload) and returns its sequence
    // number. Not durable until sync() (or a later flush) returns.
    // `type` must not be 0.
    [[nodiscard]] Result<uint64_t> append(uint8_t type, ByteView payload);
    // Makes every record appended or submitted so far durable.
    [[nodiscard]] Status sync();

    // Assigns consecutive sequence numbers to `records` and queues them,
    // returning the last one (last_seq() unchanged for an empty batch) without
    // waiting for I/O; `on_durable` runs once the batch is durable (or the Wal
    // failed). Blocks only for back-pressure.
    [[nodiscard]] Result<uint64_t> submit(std::vector<std::pair<uint8_t, Bytes>> records,
                                          DurableCallback on_durable);
    // Like sync(), and also waits until the callbacks of everything
    // submitted so far have returned.
    [[nodiscard]] Status flush_and_wait();

    // Calls `fn` for every durable record with seq >= from_seq, in order,
    // re-verifying checksums. Returns the last sequence number passed to
    // `fn` (from_seq - 1 if none). kNotFound when from_seq precedes the
    // oldest retained record; kInvalidArgument when it is past last_seq()+1.
    // Must not run concurrently with remove_segments_before().
    [[nodiscard]] Result<uint64_t> replay(uint64_t from_seq, const ReplayCallback& fn) const;

    // Deletes the segments all of whose records are < seq (never the active
    // segment) and returns how many were deleted. Call after a snapshot made
    // them unnecessary.
    [[nodiscard]] Result<size_t> remove_segments_before(uint64_t seq);

    // Highest sequence number assigned (0 when the log is empty).
    [[nodiscard]] uint64_t last_seq() const;
    // Highest sequence number known to be durable.
    [[nodiscard]] uint64_t durable_seq() const;
    // Lowest sequence number still held (the first segment's first), i.e.
    // the smallest valid from_seq for replay().
    [[nodiscard]] uint64_t first_seq() const;
    [[nodiscard]] size_t segment_count() const;
    [[nodiscard]] const WalRecoveryInfo& recovery_info() const;
    [[nodiscard]] const std::filesystem::path& dir() const;

private:
    struct Impl;
    explicit Wal(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ampd::storage
