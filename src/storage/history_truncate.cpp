// Removal of the newest blocks from the history store.
#include <rocksdb/write_batch.h>

#include "storage/history_impl.hpp"

namespace ampd::storage {

using namespace history_internal;  // NOLINT(google-build-using-namespace)

Status HistoryStore::truncate_after(uint64_t number) {
    std::lock_guard lk(impl_->write_mu);
    std::unique_lock regions_lock(impl_->regions_mu);
    const uint64_t next = impl_->next_block.load();
    if (next == 0 || number + 1 >= next) return {};
    return impl_->remove_blocks_from(number + 1, false);
}

Status HistoryStore::Impl::remove_blocks_from(uint64_t first, bool damaged_regions) {
    const uint64_t next = next_block.load();
    ++removals;
    rocksdb::WriteBatch batch;
    rocksdb::Status s;
    std::optional<uint64_t> cut_at;  // where the first removed region began
    for (uint64_t n = next; n-- > first && s.ok();) {
        auto block = get_block(n);
        if (!block) return std::move(block).error();
        auto span = get_span(n);
        if (!span) return std::move(span).error();
        if (*span) cut_at = (*span)->offset;
        s = batch.Delete(cf(kTxRegions), be64(n));
        if (!*block) continue;
        const BlockRecord& b = **block;
        if (s.ok()) s = batch.Delete(cf(kBlocks), be64(n));
        if (s.ok()) s = batch.Delete(cf(kBlockHashes), raw(b.hash));
        for (size_t i = 0; s.ok() && i < b.tx_hashes.size(); ++i) {
            s = batch.Delete(cf(kTxHashes), raw(b.tx_hashes[i]));
        }
        // The block's index keys are those its logs produce.
        auto region = get_region(n);
        if (!region) {
            if (damaged_regions) continue;
            return std::move(region).error();
        }
        std::vector<ReceiptRecord> receipts;
        if (*region) {
            for (auto& p : **region) receipts.push_back(std::move(p.receipt));
        }
        const BlockIndex index = block_index(n, receipts);
        for (size_t i = 0; s.ok() && i < index.addr.size(); ++i) {
            s = batch.Delete(cf(kLogAddr), index.addr[i].first);
        }
        for (size_t i = 0; s.ok() && i < index.topic.size(); ++i) {
            s = batch.Delete(cf(kLogTopic), index.topic[i].first);
        }
    }
    std::string last(8, '\0');
    if (s.ok()) {
        if (first == 0) {
            s = batch.Delete(cf(kMeta), kLastIndexedKey);
        } else {
            codec::put_le<uint64_t>(reinterpret_cast<uint8_t*>(last.data()), first - 1);
            s = batch.Put(cf(kMeta), kLastIndexedKey, last);
        }
    }
    // The synced mark may not name a block whose region is written again.
    auto synced = get(kMeta, kRegionsSyncedKey);
    if (!synced) return std::move(synced).error();
    if (s.ok() && *synced && (*synced)->size() == 8 &&
        codec::get_le<uint64_t>(reinterpret_cast<const uint8_t*>((*synced)->data())) >= first) {
        s = first == 0 ? batch.Delete(cf(kMeta), kRegionsSyncedKey)
                       : batch.Put(cf(kMeta), kRegionsSyncedKey, last);
    }
    if (!s.ok()) return from_rocks(s, "build truncation batch");
    s = db->Write(write_options, &batch);
    if (!s.ok()) return from_rocks(s, "remove blocks from " + std::to_string(first));
    next_block.store(first);
    if (cut_at) {
        if (auto st = regions.truncate(*cut_at); !st) return st;
        return set_regions_end(*cut_at);
    }
    return {};
}

}  // namespace ampd::storage
