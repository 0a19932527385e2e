// State snapshots: the node's full state as of a WAL sequence number, so
// recovery replays only the log after it.
//
// Each snapshot is one file `snapshot-<covers_seq, 20 digits>.bin`:
//
//   magic "AMPDSNAP" | version u32 | crc32c u32 | covers_seq u64 | length u64 | state
//
// (little-endian; the checksum covers every other header byte and the
// state). A snapshot is written to a temporary file, synced, renamed into
// place and the directory synced, so a crash leaves either the old set of
// snapshots or the new one, never a half-written file under a final name.
//
// Not thread-safe: one owner (the node's snapshot task) at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/storage/result.hpp"
#include "ampd/storage/sync_mode.hpp"

namespace ampd::storage {

struct SnapshotOptions {
    size_t keep = 2;  // newest snapshots retained (at least 1)
    SyncMode sync_mode = SyncMode::kFdatasync;
};

struct Snapshot {
    uint64_t covers_seq = 0;  // every WAL record up to here is in `state`
    Bytes state;
};

struct SkippedSnapshot {
    std::filesystem::path path;
    std::string reason;
};

struct SnapshotLoad {
    std::optional<Snapshot> snapshot;  // the newest valid one; nullopt if none
    // Newer snapshots that failed verification, newest first: log them.
    std::vector<SkippedSnapshot> skipped;
};

class SnapshotStore {
public:
    // Creates `dir` if needed and removes temporary files left by a crash.
    static Result<SnapshotStore> open(const std::filesystem::path& dir,
                                      SnapshotOptions options = {});

    // Atomically writes a snapshot, then deletes all but the newest `keep`.
    // kInvalidArgument if a newer snapshot exists (an equal one is replaced).
    [[nodiscard]] Status write(uint64_t covers_seq, ByteView state);

    // The newest snapshot that passes verification, falling back to older
    // ones when the newest is corrupt.
    [[nodiscard]] Result<SnapshotLoad> load_latest() const;

    // covers_seq of the oldest retained snapshot file (valid or not), or
    // nullopt when there is none. The WAL must keep every record after it:
    // wal.remove_segments_before(*oldest + 1).
    [[nodiscard]] Result<std::optional<uint64_t>> oldest_retained_seq() const;

    // covers_seq of every snapshot file present, ascending.
    [[nodiscard]] Result<std::vector<uint64_t>> list() const;

    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

private:
    SnapshotStore(std::filesystem::path dir, SnapshotOptions options)
        : dir_(std::move(dir)), options_(options) {}

    [[nodiscard]] std::filesystem::path path_of(uint64_t covers_seq) const;
    [[nodiscard]] bool syncing() const { return options_.sync_mode == SyncMode::kFdatasync; }

    std::filesystem::path dir_;
    SnapshotOptions options_;
};

// Reads and verifies one snapshot file (also used by tools and tests).
[[nodiscard]] Result<Snapshot> read_snapshot_file(const std::filesystem::path& path);

}  // namespace ampd::storage
