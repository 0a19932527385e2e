#include "ampd/storage/wal.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "ampd/storage/wal_format.hpp"
#include "storage/posix_file.hpp"
#include "storage/wal_reader.hpp"

namespace ampd::storage {
namespace {

namespace wf = wal_format;
using wal_internal::SegmentReader;

struct Segment {
    uint64_t first_seq = 0;
    uint64_t last_seq = 0;      // first_seq - 1 while empty
    uint64_t durable_size = 0;  // bytes known written and synced
    std::filesystem::path path;
};

// A record waiting for the flusher. The header (with its checksum) is built
// when the sequence number is assigned; the payload is moved, not copied,
// from submit().
struct Queued {
    uint64_t seq = 0;
    wf::RecordHeaderBytes header{};
    Bytes payload;
};

struct PendingCallback {
    uint64_t last_seq = 0;
    Wal::DurableCallback fn;
};

// A payload with its checksum, computed before taking the lock so that
// producers checksum in parallel.
struct Prepared {
    uint8_t type = 0;
    Crc32c crc;
    Bytes payload;
};

StorageError wal_corruption(const std::filesystem::path& path, uint64_t offset,
                            const std::string& reason) {
    return make_error(ErrorKind::kWalCorruption, "WAL corruption in " + path.string() +
                                                     " at offset " + std::to_string(offset) + ": " +
                                                     reason);
}

}  // namespace

struct Wal::Impl {
    std::filesystem::path dir;
    WalOptions opt;
    posix::DirLock lock;
    WalRecoveryInfo info;

    // Segment list, shared by the flusher (appends, updates back()),
    // replay() (copies) and remove_segments_before() (erases the front).
    mutable std::mutex seg_mu;
    std::vector<Segment> segments;

    // Flusher-only state: the open active segment.
    posix::File active;
    uint64_t active_size = 0;       // bytes of records (and header) in the active segment
    uint64_t active_allocated = 0;  // its file size: records, then zeros
    uint64_t active_records = 0;
    Bytes gather;

    // Producer/flusher state, guarded by mu.
    mutable std::mutex mu;
    std::condition_variable work_cv;  // wakes the flusher
    std::condition_variable done_cv;  // wakes waiters on durability, callbacks, back-pressure
    std::vector<Queued> queue;
    std::vector<PendingCallback> callbacks;
    uint64_t queued_bytes = 0;    // in `queue`
    uint64_t unsynced_bytes = 0;  // in `queue` or being written
    uint64_t last_assigned = 0;
    uint64_t taken_seq = 0;         // last sequence number handed to the flusher
    uint64_t sync_requested = 0;    // flush at least up to here without waiting for more
    uint64_t callbacks_queued = 0;  // callbacks ever queued
    uint64_t callbacks_run = 0;     // callbacks ever returned
    std::optional<StorageError> failure;
    bool stopping = false;
    std::atomic<uint64_t> durable{0};

    std::thread flusher;

    [[nodiscard]] bool syncing() const { return opt.sync_mode == SyncMode::kFdatasync; }
    [[nodiscard]] uint64_t flush_threshold() const {
        return std::max<uint64_t>(opt.max_pending_bytes / 4, 1);
    }

    void require_not_flusher(const char* what) const {
        if (std::this_thread::get_id() == flusher.get_id()) {
            throw std::logic_error(std::string("Wal::") + what +
                                   " called from a durability callback");
        }
    }

    Status create_segment(uint64_t first_seq);
    Status preallocate(uint64_t end);
    Status close_active();
    Status recover();
    Status write_batch(const std::vector<Queued>& batch);
    void run_flusher();
    Status enqueue(std::vector<Prepared>& records, DurableCallback cb, uint64_t& last);
    // Waits until `target` is durable and, when callbacks_target is set, that
    // many callbacks have returned.
    Status wait_until(uint64_t target, std::optional<uint64_t> callbacks_target);
};

Status Wal::Impl::create_segment(uint64_t first_seq) {
    const std::filesystem::path path = dir / wf::segment_file_name(first_seq);
    auto file = posix::File::create_new(path);
    if (!file) return std::move(file).error();
    const wf::SegmentHeaderBytes header = wf::encode_segment_header(first_seq);
    if (auto st = file->pwrite_all(0, header); !st) return st;
    if (syncing()) {
        if (auto st = file->sync_data(); !st) return st;
        // The file's directory entry must be durable before any record in it
        // is acknowledged.
        if (auto st = posix::sync_dir(dir); !st) return st;
    }
    active = std::move(*file);
    active_size = wf::kSegmentHeaderSize;
    active_allocated = wf::kSegmentHeaderSize;
    active_records = 0;
    std::lock_guard seg_lock(seg_mu);
    segments.push_back(Segment{first_seq, first_seq - 1, wf::kSegmentHeaderSize, path});
    return {};
}

// Zeros from `end` (where the records being written stop) on, so that the
// next syncs write into blocks the file already has. Written, not
// fallocate'd: ext4 marks fallocated blocks unwritten, and converting them on
// the first write is again a journal commit.
Status Wal::Impl::preallocate(uint64_t end) {
    // At the allocated end already: the next write would grow the file.
    if (opt.preallocate_bytes == 0 || end < active_allocated) return {};
    const uint64_t target = std::max(end, std::min(end + opt.preallocate_bytes, opt.segment_bytes));
    static const Bytes zeros(1u << 20, 0);
    for (uint64_t at = end; at < target;) {
        const uint64_t n = std::min<uint64_t>(zeros.size(), target - at);
        if (auto st = active.pwrite_all(at, ByteView(zeros.data(), n)); !st) return st;
        at += n;
    }
    active_allocated = std::max(active_allocated, target);
    return {};
}

// Cuts the active segment back to its records before the next one starts:
// only the last segment may end in zeros, and the cut is durable before the
// next segment exists.
Status Wal::Impl::close_active() {
    if (active_allocated > active_size) {
        if (auto st = active.truncate(active_size); !st) return st;
        if (syncing()) {
            if (auto st = active.sync_all(); !st) return st;
        }
        active_allocated = active_size;
    }
    return active.close();
}

Status Wal::Impl::recover() {
    auto entries = posix::list_dir(dir);
    if (!entries) return std::move(entries).error();
    std::vector<std::pair<uint64_t, std::filesystem::path>> found;
    for (const auto& path : *entries) {
        if (auto seq = wf::parse_segment_file_name(path.filename().string())) {
            found.emplace_back(*seq, path);
        }
    }
    std::sort(found.begin(), found.end());

    if (found.empty()) {
        if (auto st = create_segment(1); !st) return st;
        info.segments = 1;
        return {};
    }

    for (size_t i = 0; i < found.size(); ++i) {
        const auto& [name_seq, path] = found[i];
        const bool is_last = i + 1 == found.size();
        if (name_seq == 0) return wal_corruption(path, 0, "segment named for sequence 0");
        if (i > 0 && name_seq != segments.back().last_seq + 1) {
            return wal_corruption(path, 0,
                                  "sequence gap between segments: the previous one ends at " +
                                      std::to_string(segments.back().last_seq) +
                                      ", this one starts at " + std::to_string(name_seq));
        }
        auto scan = wal_internal::scan_segment(path, name_seq, is_last);
        if (!scan) return std::move(scan).error();
        segments.push_back(Segment{scan->first_seq, scan->last_seq, scan->valid_size, path});
        if (!is_last) continue;

        auto file = posix::File::open_write(path);
        if (!file) return std::move(file).error();
        if (scan->torn_reason) {
            info.dropped_bytes = scan->file_size - scan->valid_size;
            info.truncated_file = path;
            info.truncated_at = scan->valid_size;
            info.truncation_reason = *scan->torn_reason;
            if (auto st = file->truncate(scan->valid_size); !st) return st;
            if (scan->header_torn) {
                const wf::SegmentHeaderBytes header = wf::encode_segment_header(name_seq);
                if (auto st = file->pwrite_all(0, header); !st) return st;
                segments.back().durable_size = wf::kSegmentHeaderSize;
            }
            // fsync, not fdatasync: the shrink is a metadata change that must
            // be durable before new records land where the torn bytes were.
            if (syncing()) {
                if (auto st = file->sync_all(); !st) return st;
            }
        }
        active = std::move(*file);
        active_size = segments.back().durable_size;
        active_allocated = scan->torn_reason ? active_size : scan->file_size;
        active_records = scan->last_seq + 1 - scan->first_seq;
    }
    info.segments = segments.size();
    return {};
}

Status Wal::Impl::write_batch(const std::vector<Queued>& batch) {
    gather.clear();
    uint64_t active_last = 0;  // last sequence number written into the active segment
    auto write_out = [&]() -> Status {
        if (gather.empty()) return {};  // the active segment is already durable
        if (auto st = active.pwrite_all(active_size, gather); !st) return st;
        if (auto st = preallocate(active_size + gather.size()); !st) return st;
        active_size += gather.size();
        gather.clear();
        if (syncing()) {
            if (auto st = active.sync_data(); !st) return st;
        }
        std::lock_guard seg_lock(seg_mu);
        segments.back().durable_size = active_size;
        if (active_last != 0) segments.back().last_seq = active_last;
        return {};
    };
    for (const Queued& q : batch) {
        const uint64_t size = wf::kRecordHeaderSize + q.payload.size();
        if (active_records > 0 && active_size + gather.size() + size > opt.segment_bytes) {
            if (auto st = write_out(); !st) return st;
            if (auto st = close_active(); !st) return st;
            if (auto st = create_segment(q.seq); !st) return st;
            active_last = 0;
        }
        gather.insert(gather.end(), q.header.begin(), q.header.end());
        gather.insert(gather.end(), q.payload.begin(), q.payload.end());
        ++active_records;
        active_last = q.seq;
    }
    return write_out();
}

void Wal::Impl::run_flusher() {
    ::pthread_setname_np(::pthread_self(), "ampd-wal");
    std::vector<Queued> batch;
    std::vector<PendingCallback> batch_callbacks;
    std::unique_lock lk(mu);
    for (;;) {
        work_cv.wait(lk, [&] {
            return stopping || !callbacks.empty() ||
                   (!queue.empty() &&
                    (sync_requested > taken_seq || queued_bytes >= flush_threshold()));
        });
        if (queue.empty() && callbacks.empty()) {
            if (stopping) break;
            continue;
        }
        batch.swap(queue);
        batch_callbacks.swap(callbacks);
        const uint64_t batch_bytes = queued_bytes;
        queued_bytes = 0;
        // Sequence numbers are assigned and queued under one lock, so the
        // queue always ends at last_assigned.
        const uint64_t batch_last = last_assigned;
        taken_seq = batch_last;
        const std::optional<StorageError> earlier_failure = failure;
        lk.unlock();

        Status st = earlier_failure ? Status(*earlier_failure)
                    : batch.empty() ? Status()
                                    : write_batch(batch);
        batch.clear();

        lk.lock();
        if (st.ok()) {
            durable.store(batch_last, std::memory_order_release);
        } else if (!failure) {
            failure = make_error(ErrorKind::kFailed,
                                 "WAL stopped after a failed write: " + st.error().message);
        }
        unsynced_bytes -= batch_bytes;
        done_cv.notify_all();
        lk.unlock();

        const Result<uint64_t> failed =
            st.ok() ? Result<uint64_t>(uint64_t{0}) : Result<uint64_t>(*failure);
        for (PendingCallback& cb : batch_callbacks) {
            if (!cb.fn) continue;
            if (st.ok()) {
                cb.fn(Result<uint64_t>(cb.last_seq));
            } else {
                cb.fn(failed);
            }
        }
        const size_t ran = batch_callbacks.size();
        batch_callbacks.clear();

        lk.lock();
        callbacks_run += ran;
        done_cv.notify_all();
    }
}

Status Wal::Impl::enqueue(std::vector<Prepared>& records, DurableCallback cb, uint64_t& last) {
    uint64_t bytes = 0;
    for (const Prepared& r : records) bytes += wf::kRecordHeaderSize + r.payload.size();

    std::unique_lock lk(mu);
    // Back-pressure. Something must be in flight or queued for the wait to
    // end, and asking for a flush guarantees the flusher takes it.
    while (!failure && unsynced_bytes > 0 && unsynced_bytes + bytes > opt.max_pending_bytes) {
        sync_requested = std::max(sync_requested, last_assigned);
        work_cv.notify_one();
        done_cv.wait(lk);
    }
    if (failure) return *failure;
    if (stopping) throw std::logic_error("Wal used during destruction");
    for (Prepared& r : records) {
        Queued q;
        q.seq = ++last_assigned;
        q.header =
            wf::encode_record_header(r.crc, static_cast<uint32_t>(r.payload.size()), q.seq, r.type);
        q.payload = std::move(r.payload);
        queue.push_back(std::move(q));
    }
    queued_bytes += bytes;
    unsynced_bytes += bytes;
    last = last_assigned;
    if (cb) {
        callbacks.push_back(PendingCallback{last_assigned, std::move(cb)});
        ++callbacks_queued;
    }
    if (!callbacks.empty() || queued_bytes >= flush_threshold()) work_cv.notify_one();
    return {};
}

Status Wal::Impl::wait_until(uint64_t target, std::optional<uint64_t> callbacks_target) {
    std::unique_lock lk(mu);
    sync_requested = std::max(sync_requested, target);
    work_cv.notify_one();
    auto done = [&] {
        return durable.load(std::memory_order_acquire) >= target &&
               (!callbacks_target || callbacks_run >= *callbacks_target);
    };
    done_cv.wait(lk, [&] { return done() || failure.has_value(); });
    if (done()) return {};
    if (failure && callbacks_target) {
        // Let the callbacks already taken learn of the failure first.
        done_cv.wait(lk, [&] { return callbacks_run >= *callbacks_target; });
    }
    return *failure;
}

Result<std::unique_ptr<Wal>> Wal::open(const std::filesystem::path& dir, WalOptions options) {
    if (options.segment_bytes < wf::kSegmentHeaderSize + wf::kRecordHeaderSize) {
        return make_error(ErrorKind::kInvalidArgument, "WalOptions::segment_bytes is too small");
    }
    if (options.max_record_bytes > wf::kMaxPayload) {
        return make_error(ErrorKind::kInvalidArgument,
                          "WalOptions::max_record_bytes exceeds the format limit of " +
                              std::to_string(wf::kMaxPayload));
    }
    std::error_code ec;
    const bool created = std::filesystem::create_directories(dir, ec);
    if (ec) return posix::io_error("create directory", dir, ec.value());
    if (created && options.sync_mode == SyncMode::kFdatasync) {
        // The new directory's own entry must be durable too.
        const auto parent = std::filesystem::absolute(dir, ec).parent_path();
        if (ec) return posix::io_error("resolve", dir, ec.value());
        if (auto st = posix::sync_dir(parent); !st) return std::move(st).error();
    }

    auto impl = std::make_unique<Impl>();
    impl->dir = dir;
    impl->opt = options;
    auto lock = posix::DirLock::acquire(dir);
    if (!lock) return std::move(lock).error();
    impl->lock = std::move(*lock);
    if (auto st = impl->recover(); !st) return std::move(st).error();

    const Segment& first = impl->segments.front();
    const Segment& last = impl->segments.back();
    impl->last_assigned = last.last_seq;
    impl->taken_seq = last.last_seq;
    impl->durable.store(last.last_seq);
    if (last.last_seq >= first.first_seq) {
        impl->info.first_seq = first.first_seq;
        impl->info.last_seq = last.last_seq;
    }
    Impl* raw = impl.get();
    impl->flusher = std::thread([raw] { raw->run_flusher(); });
    return std::unique_ptr<Wal>(new Wal(std::move(impl)));
}

Wal::Wal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Wal::~Wal() {
    {
        std::lock_guard lk(impl_->mu);
        impl_->stopping = true;
    }
    impl_->work_cv.notify_one();
    impl_->flusher.join();
}

Result<uint64_t> Wal::append(uint8_t type, ByteView payload) {
    impl_->require_not_flusher("append");
    if (type == wf::kInvalidType) {
        return make_error(ErrorKind::kInvalidArgument, "WAL record type 0 is reserved");
    }
    if (payload.size() > impl_->opt.max_record_bytes) {
        return make_error(
            ErrorKind::kInvalidArgument,
            "WAL record of " + std::to_string(payload.size()) + " bytes exceeds max_record_bytes");
    }
    std::vector<Prepared> one(1);
    one[0].type = type;
    one[0].crc.update(payload);
    one[0].payload.assign(payload.begin(), payload.end());
    uint64_t last = 0;
    if (auto st = impl_->enqueue(one, nullptr, last); !st) return std::move(st).error();
    return last;
}

Status Wal::sync() {
    impl_->require_not_flusher("sync");
    uint64_t target = 0;
    {
        std::lock_guard lk(impl_->mu);
        target = impl_->last_assigned;
    }
    return impl_->wait_until(target, std::nullopt);
}

Result<uint64_t> Wal::submit(std::vector<std::pair<uint8_t, Bytes>> records,
                             DurableCallback on_durable) {
    impl_->require_not_flusher("submit");
    std::vector<Prepared> prepared(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
        auto& [type, payload] = records[i];
        if (type == wf::kInvalidType) {
            return make_error(ErrorKind::kInvalidArgument, "WAL record type 0 is reserved");
        }
        if (payload.size() > impl_->opt.max_record_bytes) {
            return make_error(ErrorKind::kInvalidArgument, "WAL record of " +
                                                               std::to_string(payload.size()) +
                                                               " bytes exceeds max_record_bytes");
        }
        prepared[i].type = type;
        prepared[i].crc.update(payload);
        prepared[i].payload = std::move(payload);
    }
    uint64_t last = 0;
    if (auto st = impl_->enqueue(prepared, std::move(on_durable), last); !st) {
        return std::move(st).error();
    }
    return last;
}

Status Wal::flush_and_wait() {
    impl_->require_not_flusher("flush_and_wait");
    uint64_t target = 0;
    uint64_t callbacks = 0;
    {
        std::lock_guard lk(impl_->mu);
        target = impl_->last_assigned;
        callbacks = impl_->callbacks_queued;
    }
    return impl_->wait_until(target, callbacks);
}

Result<uint64_t> Wal::replay(uint64_t from_seq, const ReplayCallback& fn) const {
    std::vector<Segment> segs;
    {
        std::lock_guard lk(impl_->seg_mu);
        segs = impl_->segments;
    }
    const uint64_t from = std::max<uint64_t>(from_seq, 1);
    const uint64_t first = segs.front().first_seq;
    const uint64_t last = segs.back().last_seq;
    if (from < first) {
        return make_error(ErrorKind::kNotFound, "cannot replay from sequence " +
                                                    std::to_string(from) + ": the WAL starts at " +
                                                    std::to_string(first));
    }
    if (from > last + 1) {
        return make_error(ErrorKind::kInvalidArgument,
                          "cannot replay from sequence " + std::to_string(from) +
                              ": the WAL ends at " + std::to_string(last));
    }
    uint64_t replayed = from - 1;
    for (const Segment& seg : segs) {
        if (seg.last_seq < from || seg.last_seq < seg.first_seq) continue;
        auto file = posix::File::open_read(seg.path);
        if (!file) return std::move(file).error();
        SegmentReader reader(*file, seg.durable_size);
        WalRecord rec;
        uint64_t expected = seg.first_seq;
        for (;;) {
            const uint64_t at = reader.offset();
            auto outcome = reader.next(rec);
            if (!outcome) return std::move(outcome).error();
            if (*outcome == SegmentReader::Outcome::kEnd) break;
            if (*outcome == SegmentReader::Outcome::kDamaged) {
                return wal_corruption(seg.path, at, reader.damage_reason());
            }
            if (rec.seq != expected) {
                return wal_corruption(seg.path, at,
                                      "expected sequence " + std::to_string(expected) + ", found " +
                                          std::to_string(rec.seq));
            }
            ++expected;
            if (rec.seq < from) continue;
            if (auto st = fn(rec); !st) return std::move(st).error();
            replayed = rec.seq;
        }
        if (expected != seg.last_seq + 1) {
            return wal_corruption(seg.path, reader.offset(),
                                  "segment ends at sequence " + std::to_string(expected - 1) +
                                      ", expected " + std::to_string(seg.last_seq));
        }
    }
    return replayed;
}

Result<size_t> Wal::remove_segments_before(uint64_t seq) {
    std::lock_guard lk(impl_->seg_mu);
    size_t removed = 0;
    auto& segs = impl_->segments;
    while (segs.size() > 1 && segs.front().last_seq < seq) {
        std::error_code ec;
        std::filesystem::remove(segs.front().path, ec);
        if (ec) return posix::io_error("remove", segs.front().path, ec.value());
        segs.erase(segs.begin());
        ++removed;
    }
    if (removed > 0 && impl_->syncing()) {
        if (auto st = posix::sync_dir(impl_->dir); !st) return std::move(st).error();
    }
    return removed;
}

uint64_t Wal::last_seq() const {
    std::lock_guard lk(impl_->mu);
    return impl_->last_assigned;
}

uint64_t Wal::durable_seq() const {
    return impl_->durable.load(std::memory_order_acquire);
}

uint64_t Wal::first_seq() const {
    std::lock_guard lk(impl_->seg_mu);
    return impl_->segments.front().first_seq;
}

size_t Wal::segment_count() const {
    std::lock_guard lk(impl_->seg_mu);
    return impl_->segments.size();
}

const WalRecoveryInfo& Wal::recovery_info() const {
    return impl_->info;
}

const std::filesystem::path& Wal::dir() const {
    return impl_->dir;
}

}  // namespace ampd::storage
