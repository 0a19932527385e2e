#include "ampd/storage/snapshot_store.hpp"

#include <algorithm>
#include <array>
#include <system_error>

#include "ampd/storage/crc32c.hpp"
#include "storage/codec.hpp"
#include "storage/posix_file.hpp"

namespace ampd::storage {
namespace {

using codec::get_le;
using codec::put_le;

constexpr std::array<uint8_t, 8> kMagic = {'A', 'M', 'P', 'D', 'S', 'N', 'A', 'P'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 32;
constexpr std::string_view kPrefix = "snapshot-";
constexpr std::string_view kSuffix = ".bin";
constexpr std::string_view kTempSuffix = ".tmp";
constexpr size_t kSeqDigits = 20;

using Header = std::array<uint8_t, kHeaderSize>;

uint32_t snapshot_crc(const Header& h, ByteView state) {
    Crc32c c;
    c.update(ByteView(h.data(), 12));                     // magic, version
    c.update(ByteView(h.data() + 16, kHeaderSize - 16));  // covers_seq, length
    c.update(state);
    return c.value();
}

Header encode_header(uint64_t covers_seq, ByteView state) {
    Header h{};
    std::copy(kMagic.begin(), kMagic.end(), h.begin());
    put_le<uint32_t>(h.data() + 8, kVersion);
    put_le<uint64_t>(h.data() + 16, covers_seq);
    put_le<uint64_t>(h.data() + 24, state.size());
    put_le<uint32_t>(h.data() + 12, snapshot_crc(h, state));
    return h;
}

std::string file_name(uint64_t covers_seq) {
    const std::string digits = std::to_string(covers_seq);
    std::string name(kPrefix);
    name.append(kSeqDigits - digits.size(), '0');
    name += digits;
    name += kSuffix;
    return name;
}

std::optional<uint64_t> parse_file_name(std::string_view name) {
    if (name.size() != kPrefix.size() + kSeqDigits + kSuffix.size()) return std::nullopt;
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
    uint64_t v = 0;
    for (char c : name.substr(kPrefix.size(), kSeqDigits)) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

StorageError corrupt(const std::filesystem::path& path, const std::string& reason) {
    return make_error(ErrorKind::kCorruption, "snapshot " + path.string() + ": " + reason);
}

}  // namespace

Result<Snapshot> read_snapshot_file(const std::filesystem::path& path) {
    auto file = posix::File::open_read(path);
    if (!file) return std::move(file).error();
    auto size = file->size();
    if (!size) return std::move(size).error();
    if (*size < kHeaderSize) return corrupt(path, "file is shorter than the header");
    Header h{};
    auto got = file->pread_some(0, h);
    if (!got) return std::move(got).error();
    if (*got != kHeaderSize) return corrupt(path, "file is shorter than the header");
    if (!std::equal(kMagic.begin(), kMagic.end(), h.begin())) return corrupt(path, "bad magic");
    const auto version = get_le<uint32_t>(h.data() + 8);
    if (version != kVersion) {
        return corrupt(path, "unknown snapshot format version " + std::to_string(version));
    }
    Snapshot snap;
    snap.covers_seq = get_le<uint64_t>(h.data() + 16);
    const auto length = get_le<uint64_t>(h.data() + 24);
    if (length != *size - kHeaderSize) {
        return corrupt(path, "header declares " + std::to_string(length) +
                                 " bytes of state, file holds " +
                                 std::to_string(*size - kHeaderSize));
    }
    snap.state.resize(length);
    got = file->pread_some(kHeaderSize, snap.state);
    if (!got) return std::move(got).error();
    if (*got != length) return corrupt(path, "file shrank while being read");
    if (get_le<uint32_t>(h.data() + 12) != snapshot_crc(h, snap.state)) {
        return corrupt(path, "checksum mismatch");
    }
    if (auto named = parse_file_name(path.filename().string());
        named && *named != snap.covers_seq) {
        return corrupt(path, "header covers sequence " + std::to_string(snap.covers_seq) +
                                 " but the file name says " + std::to_string(*named));
    }
    return snap;
}

Result<SnapshotStore> SnapshotStore::open(const std::filesystem::path& dir,
                                          SnapshotOptions options) {
    if (options.keep == 0) {
        return make_error(ErrorKind::kInvalidArgument, "SnapshotOptions::keep must be at least 1");
    }
    std::error_code ec;
    const bool created = std::filesystem::create_directories(dir, ec);
    if (ec) return posix::io_error("create directory", dir, ec.value());
    if (created && options.sync_mode == SyncMode::kFdatasync) {
        const auto parent = std::filesystem::absolute(dir, ec).parent_path();
        if (ec) return posix::io_error("resolve", dir, ec.value());
        if (auto st = posix::sync_dir(parent); !st) return std::move(st).error();
    }
    // A temporary file is a write that never reached its rename: garbage.
    auto entries = posix::list_dir(dir);
    if (!entries) return std::move(entries).error();
    for (const auto& p : *entries) {
        const std::string name = p.filename().string();
        if (!name.starts_with(kPrefix) || !name.ends_with(kTempSuffix)) continue;
        std::filesystem::remove(p, ec);
        if (ec) return posix::io_error("remove", p, ec.value());
    }
    return SnapshotStore(dir, options);
}

std::filesystem::path SnapshotStore::path_of(uint64_t covers_seq) const {
    return dir_ / file_name(covers_seq);
}

Result<std::vector<uint64_t>> SnapshotStore::list() const {
    auto entries = posix::list_dir(dir_);
    if (!entries) return std::move(entries).error();
    std::vector<uint64_t> seqs;
    for (const auto& p : *entries) {
        if (auto seq = parse_file_name(p.filename().string())) seqs.push_back(*seq);
    }
    std::sort(seqs.begin(), seqs.end());
    return seqs;
}

Status SnapshotStore::write(uint64_t covers_seq, ByteView state) {
    auto existing = list();
    if (!existing) return std::move(existing).error();
    if (!existing->empty() && existing->back() > covers_seq) {
        return make_error(ErrorKind::kInvalidArgument,
                          "snapshot for sequence " + std::to_string(covers_seq) +
                              " is older than the retained snapshot for " +
                              std::to_string(existing->back()));
    }

    const std::filesystem::path final_path = path_of(covers_seq);
    std::filesystem::path temp_path = final_path;
    temp_path += kTempSuffix;
    {
        auto file = posix::File::create_truncate(temp_path);
        if (!file) return std::move(file).error();
        const Header h = encode_header(covers_seq, state);
        if (auto st = file->pwrite_all(0, h); !st) return st;
        if (auto st = file->pwrite_all(kHeaderSize, state); !st) return st;
        if (syncing()) {
            if (auto st = file->sync_data(); !st) return st;
        }
        if (auto st = file->close(); !st) return st;
    }
    std::error_code ec;
    std::filesystem::rename(temp_path, final_path, ec);
    if (ec) return posix::io_error("rename to", final_path, ec.value());
    if (syncing()) {
        if (auto st = posix::sync_dir(dir_); !st) return st;
    }

    // Retention, only after the new snapshot is durable.
    auto seqs = list();
    if (!seqs) return std::move(seqs).error();
    if (seqs->size() > options_.keep) {
        const size_t drop = seqs->size() - options_.keep;
        for (size_t i = 0; i < drop; ++i) {
            const std::filesystem::path old = path_of((*seqs)[i]);
            std::filesystem::remove(old, ec);
            if (ec) return posix::io_error("remove", old, ec.value());
        }
        if (syncing()) {
            if (auto st = posix::sync_dir(dir_); !st) return st;
        }
    }
    return {};
}

Result<SnapshotLoad> SnapshotStore::load_latest() const {
    auto seqs = list();
    if (!seqs) return std::move(seqs).error();
    SnapshotLoad load;
    std::reverse(seqs->begin(), seqs->end());  // newest first
    for (const uint64_t seq : *seqs) {
        const std::filesystem::path path = path_of(seq);
        auto snap = read_snapshot_file(path);
        if (snap) {
            load.snapshot = std::move(*snap);
            break;
        }
        load.skipped.push_back(SkippedSnapshot{path, snap.error().message});
    }
    return load;
}

Result<std::optional<uint64_t>> SnapshotStore::oldest_retained_seq() const {
    auto seqs = list();
    if (!seqs) return std::move(seqs).error();
    if (seqs->empty()) return std::optional<uint64_t>{};
    return std::optional<uint64_t>{seqs->front()};
}

}  // namespace ampd::storage
