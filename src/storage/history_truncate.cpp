// Removal of the newest blocks from the history store.
#include <rocksdb/write_batch.h>

#include "storage/history_impl.hpp"

namespace ampd::storage {

using namespace history_internal;  // NOLINT(google-build-using-namespace)

Status HistoryStore::truncate_after(uint64_t number) {
    std::lock_guard lk(impl_->write_mu);
    const uint64_t next = impl_->next_block.load();
    if (next == 0 || number + 1 >= next) return {};
    rocksdb::WriteBatch batch;
    rocksdb::Status s;
    for (uint64_t n = next - 1; n > number && s.ok(); --n) {
        auto block = impl_->get_block(n);
        if (!block) return std::move(block).error();
        if (!*block) continue;
        const BlockRecord& b = **block;
        s = batch.Delete(impl_->cf(kBlocks), be64(n));
        if (s.ok()) s = batch.Delete(impl_->cf(kBlockHashes), raw(b.hash));
        std::vector<ReceiptRecord> receipts;
        for (uint32_t i = 0; s.ok() && i < b.tx_hashes.size(); ++i) {
            s = batch.Delete(impl_->cf(kTxHashes), raw(b.tx_hashes[i]));
            auto position = impl_->get_position(n, i);
            if (!position) return std::move(position).error();
            if (s.ok()) s = batch.Delete(impl_->cf(kTxReceipts), position_key(n, i));
            if (*position) receipts.push_back(std::move((*position)->receipt));
        }
        // The block's index keys are those its logs produce.
        const BlockIndex index = block_index(n, receipts);
        for (size_t i = 0; s.ok() && i < index.addr.size(); ++i) {
            s = batch.Delete(impl_->cf(kLogAddr), index.addr[i].first);
        }
        for (size_t i = 0; s.ok() && i < index.topic.size(); ++i) {
            s = batch.Delete(impl_->cf(kLogTopic), index.topic[i].first);
        }
    }
    if (s.ok()) {
        std::string last(8, '\0');
        codec::put_le<uint64_t>(reinterpret_cast<uint8_t*>(last.data()), number);
        s = batch.Put(impl_->cf(kMeta), kLastIndexedKey, last);
    }
    if (!s.ok()) return from_rocks(s, "build truncation batch");
    s = impl_->db->Write(impl_->write_options, &batch);
    if (!s.ok()) return from_rocks(s, "truncate after block " + std::to_string(number));
    impl_->next_block.store(number + 1);
    return {};
}

}  // namespace ampd::storage
