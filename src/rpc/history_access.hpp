// Reads of the history store for the RPC methods: a storage failure becomes
// an internal error (logged), a missing record an empty optional.
#pragma once

#include <optional>
#include <vector>

#include "ampd/storage/history_store.hpp"

namespace ampd::rpc::history {

[[nodiscard]] std::optional<storage::BlockRecord> block_by_number(storage::HistoryStore& h,
                                                                  uint64_t number);
[[nodiscard]] std::optional<storage::BlockRecord> block_by_hash(storage::HistoryStore& h,
                                                                const Bytes32& hash);
[[nodiscard]] std::optional<storage::TxRecord> tx_by_hash(storage::HistoryStore& h,
                                                          const Bytes32& hash);
[[nodiscard]] std::optional<storage::ReceiptRecord> receipt_by_tx_hash(storage::HistoryStore& h,
                                                                       const Bytes32& hash);
[[nodiscard]] std::vector<storage::TxRecord> txs_of_block(storage::HistoryStore& h,
                                                          const storage::BlockRecord& b);

}  // namespace ampd::rpc::history
