// JSON forms of blocks, transactions, receipts and logs, as Ethereum
// clients parse them (the shapes geth returns).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "ampd/storage/history_types.hpp"

namespace ampd::rpc {

[[nodiscard]] nlohmann::json format_log(const storage::LogRecordStored& log,
                                        const storage::ReceiptRecord& receipt,
                                        const Bytes32& block_hash);
// A transaction; `block` is null for a pending one.
[[nodiscard]] nlohmann::json format_transaction(const storage::TxRecord& t,
                                                const storage::BlockRecord* block);
[[nodiscard]] nlohmann::json format_receipt(const storage::ReceiptRecord& r,
                                            const Bytes32& block_hash);
// `full`: the transactions themselves rather than their hashes.
[[nodiscard]] nlohmann::json format_block(const storage::BlockRecord& b,
                                          const std::vector<storage::TxRecord>* full);

}  // namespace ampd::rpc
