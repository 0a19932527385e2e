// The history store's regions: each block's transactions and receipts as
// one stretch of kRegionsFile, found through the block's span in
// `tx_regions` (history_impl.hpp).
#include <rocksdb/iterator.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "ampd/storage/crc32c.hpp"
#include "storage/history_impl.hpp"

namespace ampd::storage {

using namespace history_internal;  // NOLINT(google-build-using-namespace): internal key helpers

namespace history_internal {

std::string encode_span(const RegionSpan& s) {
    std::string v(kSpanSize, '\0');
    auto* p = reinterpret_cast<uint8_t*>(v.data());
    codec::put_le<uint64_t>(p, s.offset);
    codec::put_le<uint64_t>(p + 8, s.length);
    codec::put_le<uint32_t>(p + 16, s.count);
    codec::put_le<uint32_t>(p + 20, s.crc);
    return v;
}

std::optional<RegionSpan> decode_span(ByteView v) {
    if (v.size() != kSpanSize) return std::nullopt;
    RegionSpan s;
    s.offset = codec::get_le<uint64_t>(v.data());
    s.length = codec::get_le<uint64_t>(v.data() + 8);
    s.count = codec::get_le<uint32_t>(v.data() + 16);
    s.crc = codec::get_le<uint32_t>(v.data() + 20);
    // The offsets table alone takes 4 * (count + 1) bytes.
    if (s.length < 4 * (uint64_t{s.count} + 1) || s.offset > UINT64_MAX - s.length) {
        return std::nullopt;
    }
    return s;
}

}  // namespace history_internal

namespace {

StorageError bad_region(uint64_t block, const std::string& why) {
    return make_error(ErrorKind::kCorruption, "history: the transactions and receipts of block " +
                                                  std::to_string(block) + " " + why);
}

// Reads exactly out.size() bytes at `offset`; a short read is corruption
// (the span points past the end of the file).
Status read_exact(const posix::File& file, uint64_t block, uint64_t offset,
                  std::span<uint8_t> out) {
    auto n = file.pread_some(offset, out);
    if (!n) return std::move(n).error();
    if (*n != out.size()) return bad_region(block, "end past the end of " + file.path().string());
    return {};
}

// Whether record bounds read from a region's offsets table lie within the
// region, after the table.
bool record_bounds_ok(const RegionSpan& s, uint32_t from, uint32_t to) {
    return from >= 4 * (uint64_t{s.count} + 1) && to >= from && to <= s.length;
}

}  // namespace

Result<std::optional<RegionSpan>> HistoryStore::Impl::get_span(
    uint64_t number, const rocksdb::Snapshot* snapshot) const {
    auto v = get(kTxRegions, be64(number), snapshot);
    if (!v) return std::move(v).error();
    if (!*v) return std::optional<RegionSpan>{};
    auto span = decode_span(view(**v));
    if (!span) return bad_region(number, "have a span that does not decode");
    return std::optional<RegionSpan>{*span};
}

void HistoryStore::Impl::remember_region(uint64_t offset, ByteView region) {
    if (recent_budget == 0) return;
    const uint64_t end = offset + region.size();
    {
        std::lock_guard lk(recent_mu);
        // The window holds the file's bytes without a hole: a region that
        // does not follow it (the first after an open or a flush's fresh
        // page, or one rewriting a failed put_block's) starts it again.
        // A region larger than the buffer leaves it empty.
        if (offset != recent_end || region.size() > recent_budget) {
            recent_begin = offset;
            recent_end = offset;
        }
        if (region.size() > recent_budget) return;
        // The bytes about to be overwritten leave the window first.
        if (end > recent_budget) recent_begin = std::max(recent_begin, end - recent_budget);
    }
    if (recent_ring.size() != recent_budget) recent_ring.resize(recent_budget);
    const size_t at = offset % recent_budget;
    const size_t first = std::min(region.size(), recent_budget - at);
    std::memcpy(recent_ring.data() + at, region.data(), first);
    if (first < region.size()) {
        std::memcpy(recent_ring.data(), region.data() + first, region.size() - first);
    }
    std::lock_guard lk(recent_mu);
    recent_end = end;
}

bool HistoryStore::Impl::read_recent(uint64_t offset, std::span<uint8_t> out) const {
    if (recent_budget == 0) return false;
    std::lock_guard lk(recent_mu);
    if (offset < recent_begin || offset > recent_end || out.size() > recent_end - offset) {
        return false;
    }
    const size_t at = offset % recent_budget;
    const size_t first = std::min(out.size(), recent_budget - at);
    std::memcpy(out.data(), recent_ring.data() + at, first);
    if (first < out.size()) std::memcpy(out.data() + first, recent_ring.data(), out.size() - first);
    return true;
}

Result<std::optional<history_codec::PositionRecord>> HistoryStore::Impl::get_position(
    uint64_t block, uint32_t tx_index, const rocksdb::Snapshot* snapshot) const {
    using Found = std::optional<history_codec::PositionRecord>;
    auto span = get_span(block, snapshot);
    if (!span) return std::move(span).error();
    if (!*span || tx_index >= (*span)->count) return Found{};
    const RegionSpan& s = **span;
    const auto read = [&](uint64_t at, std::span<uint8_t> out) -> Status {
        if (read_recent(s.offset + at, out)) return {};
        return read_exact(regions, block, s.offset + at, out);
    };
    uint8_t bounds[8];
    if (auto st = read(4 * uint64_t{tx_index}, bounds); !st) return std::move(st).error();
    const auto from = codec::get_le<uint32_t>(bounds);
    const auto to = codec::get_le<uint32_t>(bounds + 4);
    if (!record_bounds_ok(s, from, to))
        return bad_region(block, "have offsets outside their region");
    Bytes record(to - from);
    if (auto st = read(from, record); !st) return std::move(st).error();
    auto p = history_codec::decode_position(record, block, tx_index);
    if (!p) return bad_region(block, "tx " + std::to_string(tx_index) + " does not decode");
    return Found{std::move(*p)};
}

Result<std::optional<std::vector<history_codec::PositionRecord>>> HistoryStore::Impl::get_region(
    uint64_t number, const rocksdb::Snapshot* snapshot) const {
    using Found = std::optional<std::vector<history_codec::PositionRecord>>;
    auto span = get_span(number, snapshot);
    if (!span) return std::move(span).error();
    if (!*span) return Found{};
    const RegionSpan& s = **span;
    Bytes region(s.length);
    if (!read_recent(s.offset, region)) {
        if (auto st = read_exact(regions, number, s.offset, region); !st) {
            return std::move(st).error();
        }
    }
    std::vector<history_codec::PositionRecord> out;
    out.reserve(s.count);
    for (uint32_t i = 0; i < s.count; ++i) {
        const auto from = codec::get_le<uint32_t>(region.data() + 4 * uint64_t{i});
        const auto to = codec::get_le<uint32_t>(region.data() + 4 * (uint64_t{i} + 1));
        if (!record_bounds_ok(s, from, to)) {
            return bad_region(number, "have offsets outside their region");
        }
        auto p =
            history_codec::decode_position(ByteView(region.data() + from, to - from), number, i);
        if (!p) return bad_region(number, "tx " + std::to_string(i) + " does not decode");
        out.push_back(std::move(*p));
    }
    return Found{std::move(out)};
}

void HistoryStore::Impl::FreeAligned::operator()(uint8_t* p) const {
    std::free(p);  // NOLINT(cppcoreguidelines-no-malloc): posix_memalign's buffer
}

Status HistoryStore::Impl::write_region(ByteView region, Bytes& tail) {
    if (!regions_direct.is_open()) return regions.pwrite_all(regions_end, region);
    constexpr uint64_t kPage = posix::kDirectIoAlign;
    const uint64_t start = regions_end - regions_end % kPage;
    const size_t head = regions_tail.size();  // == regions_end - start
    const size_t used = head + region.size();
    const size_t total = (used + kPage - 1) / kPage * kPage;
    if (direct_capacity < total) {
        void* p = nullptr;
        if (::posix_memalign(&p, kPage, total) != 0) {
            return make_error(ErrorKind::kFailed, "history: no memory for a region's pages");
        }
        direct_buffer.reset(static_cast<uint8_t*>(p));
        direct_capacity = total;
    }
    uint8_t* buf = direct_buffer.get();
    if (head > 0) std::memcpy(buf, regions_tail.data(), head);  // an empty tail may have no data()
    std::memcpy(buf + head, region.data(), region.size());
    std::memset(buf + used, 0, total - used);
    if (auto st = regions_direct.pwrite_all(start, ByteView(buf, total)); !st) return st;
    const size_t tail_from = used - used % kPage;
    tail.assign(buf + tail_from, buf + used);
    return {};
}

Status HistoryStore::Impl::set_regions_end(uint64_t end) {
    {
        std::lock_guard lk(recent_mu);
        recent_end = std::min(recent_end, end);
        recent_begin = std::min(recent_begin, recent_end);
    }
    regions_end = end;
    regions_tail.clear();
    if (!regions_direct.is_open()) return {};
    regions_tail.resize(end % posix::kDirectIoAlign);
    if (regions_tail.empty()) return {};
    auto n = regions.pread_some(end - regions_tail.size(), regions_tail);
    if (!n) return std::move(n).error();
    if (*n != regions_tail.size()) {
        return make_error(ErrorKind::kCorruption,
                          "history: " + regions.path().string() + " ends before its last region");
    }
    return {};
}

Status HistoryStore::Impl::recover_regions() {
    auto size = regions.size();
    if (!size) return std::move(size).error();
    const uint64_t next = next_block.load();
    if (next == 0) {
        if (*size > 0) {
            if (auto st = regions.truncate(0); !st) return st;
        }
        return set_regions_end(0);
    }
    auto synced = get(kMeta, kRegionsSyncedKey);
    if (!synced) return std::move(synced).error();
    uint64_t check_from = 0;
    if (*synced) {
        if ((*synced)->size() != 8) {
            return make_error(ErrorKind::kCorruption, std::string("history: stored value ") +
                                                          kRegionsSyncedKey + " does not decode");
        }
        check_from =
            codec::get_le<uint64_t>(reinterpret_cast<const uint8_t*>((*synced)->data())) + 1;
    }
    // Regions written since the last flush() were not synced: RocksDB may
    // have kept their spans through a machine crash that lost the bytes.
    // Each is checked whole against its checksum; from the first that fails,
    // the blocks go, and the node indexes them again from its log.
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf(kTxRegions)));
    Bytes region;
    for (it->Seek(be64(check_from)); it->Valid(); it->Next()) {
        const rocksdb::Slice key = it->key();
        if (key.size() != 8) return make_error(ErrorKind::kCorruption, "history: bad region key");
        const auto n = codec::get_be<uint64_t>(reinterpret_cast<const uint8_t*>(key.data()));
        if (n >= next) break;  // beyond the last indexed block (a batch RocksDB lost part of)
        const auto span = decode_span(view(it->value()));
        bool intact = span && span->end() <= *size;
        if (intact) {
            region.resize(span->length);
            auto got = regions.pread_some(span->offset, region);
            if (!got) return std::move(got).error();
            intact = *got == region.size() && crc32c(region) == span->crc;
        }
        if (!intact) {
            it.reset();
            return remove_blocks_from(n, true);
        }
    }
    if (!it->status().ok()) return from_rocks(it->status(), "scan regions");
    it.reset();
    auto last = get_span(next - 1);
    if (!last) return std::move(last).error();
    if (!*last) return bad_region(next - 1, "have no span (the last indexed block)");
    const uint64_t end = (*last)->end();
    // Regions of blocks RocksDB lost after a process crash (their spans were
    // in a memtable) are cut, and so are the zeros that fill a page written
    // whole; the node writes the blocks again.
    if (*size > end) {
        if (auto st = regions.truncate(end); !st) return st;
    }
    return set_regions_end(end);
}

}  // namespace ampd::storage
