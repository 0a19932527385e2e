// eth_getLogs over the history store's log indexes.
//
// A filter may constrain the address and up to four topic positions. Each
// constrained field is a candidate index (an OR list is the union of its
// values' key ranges). The query counts the entries each candidate has in
// the block range, stopping a count as soon as it can no longer beat the
// best so far, walks the smallest one, and checks every other condition on
// the logs it reads. Without any condition it scans the receipts of the
// range in order.
#include <rocksdb/db.h>

#include <algorithm>
#include <shared_mutex>
#include <tuple>

#include "ampd/storage/history_codec.hpp"
#include "ampd/storage/history_store.hpp"
#include "storage/history_impl.hpp"

namespace ampd::storage {

using namespace history_internal;  // NOLINT(google-build-using-namespace): internal key helpers

namespace {

// A filter with each OR list sorted and deduplicated; an empty list means
// "any", as in the filter.
struct Normalized {
    std::vector<Address> addresses;
    std::array<std::vector<Bytes32>, 4> topics;
};

template <class T>
std::vector<T> sorted_unique(std::vector<T> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

Normalized normalize(const LogFilter& f) {
    Normalized n;
    n.addresses = sorted_unique(f.addresses);
    for (size_t i = 0; i < 4; ++i) {
        if (f.topics[i]) n.topics[i] = sorted_unique(*f.topics[i]);
    }
    return n;
}

bool matches(const Normalized& f, const LogRecordStored& log) {
    if (!f.addresses.empty() &&
        !std::binary_search(f.addresses.begin(), f.addresses.end(), log.address)) {
        return false;
    }
    for (size_t i = 0; i < 4; ++i) {
        const auto& want = f.topics[i];
        if (want.empty()) continue;
        if (i >= log.topics.size()) return false;
        if (!std::binary_search(want.begin(), want.end(), log.topics[i])) return false;
    }
    return true;
}

struct Candidate {
    Cf cf = kLogAddr;
    std::vector<std::string> fields;  // of each value: its key without epoch and block
    int rank = 0;  // tried in rank order: likely-selective first keeps the counting short
};

// Topics after the first are usually indexed event arguments (an account),
// the most selective; then the emitting contract; the event signature
// (topic 0) matches every event of its kind.
std::vector<Candidate> candidates_of(const Normalized& f) {
    std::vector<Candidate> out;
    if (!f.addresses.empty()) {
        Candidate c{kLogAddr, {}, 1};
        for (const Address& a : f.addresses) c.fields.push_back(raw(a));
        out.push_back(std::move(c));
    }
    for (size_t i = 0; i < 4; ++i) {
        if (f.topics[i].empty()) continue;
        Candidate c{kLogTopic, {}, i == 0 ? 2 : 0};
        for (const Bytes32& t : f.topics[i]) {
            c.fields.push_back(topic_field(static_cast<uint8_t>(i), t));
        }
        out.push_back(std::move(c));
    }
    std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(a.rank, a.fields) < std::tie(b.rank, b.fields);
    });
    return out;
}

struct Entry {
    uint64_t block = 0;
    uint32_t log_index = 0;
    uint32_t tx_index = 0;

    friend bool operator<(const Entry& a, const Entry& b) {
        return std::tie(a.block, a.log_index) < std::tie(b.block, b.log_index);
    }
};

class SnapshotGuard {
public:
    explicit SnapshotGuard(rocksdb::DB& db) : db_(db), snap_(db.GetSnapshot()) {}
    ~SnapshotGuard() { db_.ReleaseSnapshot(snap_); }
    SnapshotGuard(const SnapshotGuard&) = delete;
    SnapshotGuard& operator=(const SnapshotGuard&) = delete;
    [[nodiscard]] const rocksdb::Snapshot* get() const { return snap_; }

private:
    rocksdb::DB& db_;
    const rocksdb::Snapshot* snap_;
};

StorageError bad_index(std::string_view why) {
    return make_error(ErrorKind::kCorruption, "history: log index " + std::string(why));
}

std::string quantity(uint64_t v) {
    return u256(v).to_hex();
}

StorageError too_many_results(size_t max) {
    return make_error(ErrorKind::kLimitExceeded, "query returns more than " + std::to_string(max) +
                                                     " results; narrow the block range");
}

// Walks the index entries of `c` in [from, to], one per log (a key holds
// the postings of one block): epoch by epoch, and within an epoch value by
// value. `visit(entry)` returns false to stop early. Returns false when
// stopped.
template <class Visit>
Result<bool> walk(const HistoryStore::Impl& impl, const rocksdb::Snapshot* snap, const Candidate& c,
                  uint64_t from, uint64_t to, Visit&& visit) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    ro.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(ro, impl.cf(c.cf)));
    for (uint64_t epoch = index_epoch(from);; ++epoch) {
        const uint64_t first = std::max(from, epoch * kLogIndexEpochBlocks);
        const uint64_t last = std::min(to, epoch * kLogIndexEpochBlocks + kLogIndexEpochBlocks - 1);
        for (const std::string& field : c.fields) {
            const std::string prefix = index_prefix(epoch, field);
            for (it->Seek(index_key(prefix, first)); it->Valid(); it->Next()) {
                const ByteView key = view(it->key());
                if (key.size() != prefix.size() + kPositionSuffix) {
                    return bad_index("key has a bad size");
                }
                if (!std::equal(prefix.begin(), prefix.end(), key.begin(),
                                [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; })) {
                    break;
                }
                Entry e;
                e.block = codec::get_be<uint64_t>(key.data() + prefix.size());
                if (index_epoch(e.block) != epoch) return bad_index("key is in the wrong epoch");
                if (e.block > last) break;
                const ByteView value = view(it->value());
                if (value.empty() || value.size() % kPostingSize != 0) {
                    return bad_index("value has a bad size");
                }
                for (size_t off = 0; off < value.size(); off += kPostingSize) {
                    e.log_index = codec::get_le<uint32_t>(value.data() + off);
                    e.tx_index = codec::get_le<uint32_t>(value.data() + off + 4);
                    if (!visit(e)) return false;
                }
            }
            if (!it->status().ok()) return from_rocks(it->status(), "scan log index");
        }
        if (last == to) break;
    }
    return true;
}

}  // namespace

Result<std::vector<FoundLog>> HistoryStore::get_logs(const LogFilter& filter,
                                                     const LogLimits& limits) const {
    if (filter.from_block > filter.to_block) {
        return make_error(ErrorKind::kInvalidArgument, "from block " + quantity(filter.from_block) +
                                                           " is after to block " +
                                                           quantity(filter.to_block));
    }
    if (filter.to_block - filter.from_block >= limits.max_block_range) {
        return make_error(ErrorKind::kLimitExceeded,
                          "block range " + quantity(filter.from_block) + "-" +
                              quantity(filter.to_block) + " exceeds the limit of " +
                              std::to_string(limits.max_block_range) + " blocks");
    }
    std::shared_lock regions_lock(impl_->regions_mu);
    SnapshotGuard snap(*impl_->db);
    auto last = impl_->read_last_indexed(snap.get());
    if (!last) return std::move(last).error();
    std::vector<FoundLog> out;
    if (!*last || filter.from_block > **last) return out;
    const uint64_t from = filter.from_block;
    const uint64_t to = std::min(filter.to_block, **last);  // < UINT64_MAX: put_block refuses it

    const Normalized norm = normalize(filter);
    const std::vector<Candidate> candidates = candidates_of(norm);

    // Block hashes, looked up once per block.
    uint64_t hash_of = UINT64_MAX;
    Bytes32 block_hash;
    auto hash_for = [&](uint64_t block) -> Status {
        if (block == hash_of) return {};
        auto b = impl_->get_block(block, snap.get());
        if (!b) return std::move(b).error();
        if (!*b) return bad_index("points at missing block " + std::to_string(block));
        hash_of = block;
        block_hash = (*b)->hash;
        return {};
    };
    auto emit = [&](const ReceiptRecord& rc, const LogRecordStored& log) -> Status {
        if (out.size() >= limits.max_results) return too_many_results(limits.max_results);
        if (auto st = hash_for(rc.block_number); !st) return st;
        out.push_back(FoundLog{log, rc.block_number, block_hash, rc.tx_hash, rc.tx_index});
        return {};
    };

    if (candidates.empty()) {
        // No condition: every log in the range, from the receipts in key order.
        rocksdb::ReadOptions ro;
        ro.snapshot = snap.get();
        const std::string upper = be64(to + 1);
        const rocksdb::Slice upper_slice(upper);
        ro.iterate_upper_bound = &upper_slice;
        std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf(kTxRegions)));
        for (it->Seek(be64(from)); it->Valid(); it->Next()) {
            const rocksdb::Slice key = it->key();
            if (key.size() != 8) {
                return make_error(ErrorKind::kCorruption,
                                  "history: bad region key (receipts scan)");
            }
            const uint64_t n =
                codec::get_be<uint64_t>(reinterpret_cast<const uint8_t*>(key.data()));
            auto region = impl_->get_region(n, snap.get());
            if (!region) return std::move(region).error();
            if (!*region) continue;
            for (const auto& p : **region) {
                for (const LogRecordStored& log : p.receipt.logs) {
                    if (auto st = emit(p.receipt, log); !st) return std::move(st).error();
                }
            }
        }
        if (!it->status().ok()) return from_rocks(it->status(), "scan receipts");
        return out;
    }

    // Choose the candidate with the fewest entries in range.
    const uint64_t scan_cap = limits.max_scanned >= UINT64_MAX - 1
                                  ? UINT64_MAX
                                  : static_cast<uint64_t>(limits.max_scanned) + 1;
    uint64_t best = scan_cap;
    const Candidate* winner = nullptr;
    for (const Candidate& c : candidates) {
        uint64_t n = 0;
        const uint64_t cutoff = best;
        auto walked =
            walk(*impl_, snap.get(), c, from, to, [&](const Entry&) { return ++n < cutoff; });
        if (!walked) return std::move(walked).error();
        if (n < best) {
            best = n;
            winner = &c;
        }
        if (best == 0) break;
    }
    if (winner == nullptr) {
        return make_error(ErrorKind::kLimitExceeded,
                          "query examines more than " + std::to_string(limits.max_scanned) +
                              " log index entries; narrow the block range or add filters");
    }

    std::vector<Entry> entries;
    entries.reserve(best);
    auto collected = walk(*impl_, snap.get(), *winner, from, to, [&](const Entry& e) {
        entries.push_back(e);
        return true;
    });
    if (!collected) return std::move(collected).error();
    std::sort(entries.begin(), entries.end());

    // Entries sorted by (block, log index) visit each receipt's logs
    // consecutively: decode each receipt once.
    std::optional<ReceiptRecord> rc;
    for (const Entry& e : entries) {
        if (!rc || rc->block_number != e.block || rc->tx_index != e.tx_index) {
            auto got = impl_->get_position(e.block, e.tx_index, snap.get());
            if (!got) return std::move(got).error();
            if (!*got) {
                return bad_index("points at a missing receipt (block " + std::to_string(e.block) +
                                 " tx " + std::to_string(e.tx_index) + ")");
            }
            rc = std::move((*got)->receipt);
        }
        const auto log = std::lower_bound(
            rc->logs.begin(), rc->logs.end(), e.log_index,
            [](const LogRecordStored& l, uint32_t idx) { return l.log_index < idx; });
        if (log == rc->logs.end() || log->log_index != e.log_index) {
            return bad_index("points at a missing log (block " + std::to_string(e.block) + " log " +
                             std::to_string(e.log_index) + ")");
        }
        if (!matches(norm, *log)) continue;
        if (auto st = emit(*rc, *log); !st) return std::move(st).error();
    }
    return out;
}

}  // namespace ampd::storage
