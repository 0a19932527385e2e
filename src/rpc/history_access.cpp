#include "history_access.hpp"

#include <spdlog/spdlog.h>

#include "ampd/rpc/error.hpp"

namespace ampd::rpc::history {

namespace {

template <class T>
std::optional<T> unwrap(storage::Result<std::optional<T>>&& r, const char* what) {
    if (!r) {
        spdlog::error("history store: {} failed: {}", what, r.error().describe());
        throw RpcError(errc::kInternalError, "history store read failed");
    }
    return std::move(*r);
}

}  // namespace

std::optional<storage::BlockRecord> block_by_number(storage::HistoryStore& h, uint64_t number) {
    return unwrap(h.block_by_number(number), "block_by_number");
}

std::optional<storage::BlockRecord> block_by_hash(storage::HistoryStore& h, const Bytes32& hash) {
    return unwrap(h.block_by_hash(hash), "block_by_hash");
}

std::optional<storage::TxRecord> tx_by_hash(storage::HistoryStore& h, const Bytes32& hash) {
    return unwrap(h.tx_by_hash(hash), "tx_by_hash");
}

std::optional<storage::ReceiptRecord> receipt_by_tx_hash(storage::HistoryStore& h,
                                                         const Bytes32& hash) {
    return unwrap(h.receipt_by_tx_hash(hash), "receipt_by_tx_hash");
}

std::vector<storage::TxRecord> txs_of_block(storage::HistoryStore& h,
                                            const storage::BlockRecord& b) {
    std::vector<storage::TxRecord> out;
    out.reserve(b.tx_hashes.size());
    for (const Bytes32& hash : b.tx_hashes) {
        std::optional<storage::TxRecord> t = tx_by_hash(h, hash);
        if (!t) throw RpcError(errc::kInternalError, "history store lacks a block's transaction");
        out.push_back(std::move(*t));
    }
    return out;
}

}  // namespace ampd::rpc::history
