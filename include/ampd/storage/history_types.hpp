// Records of the history store: what the node keeps about past blocks,
// transactions, receipts and logs for the JSON-RPC read methods.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/primitives/u256.hpp"

namespace ampd::storage {

struct BlockRecord {
    uint64_t number = 0;
    Bytes32 hash;
    Bytes32 parent_hash;
    uint64_t timestamp = 0;
    uint64_t gas_limit = 0;
    uint64_t gas_used = 0;
    Bytes32 state_root;
    Bytes32 transactions_root;
    Bytes32 receipts_root;
    std::array<uint8_t, 256> logs_bloom{};
    std::vector<Bytes32> tx_hashes;  // in block order

    friend bool operator==(const BlockRecord&, const BlockRecord&) = default;
};

struct TxRecord {
    Bytes32 hash;
    Bytes raw;  // the signed RLP bytes as received
    Address from;
    uint64_t block_number = 0;
    uint32_t index = 0;  // position in the block

    friend bool operator==(const TxRecord&, const TxRecord&) = default;
};

struct LogRecordStored {
    Address address;
    std::vector<Bytes32> topics;  // at most 4
    Bytes data;
    uint32_t log_index = 0;  // position in the block, counting every log of every tx

    friend bool operator==(const LogRecordStored&, const LogRecordStored&) = default;
};

struct ReceiptRecord {
    Bytes32 tx_hash;
    uint64_t block_number = 0;
    uint32_t tx_index = 0;
    Address from;
    std::optional<Address> to;  // nullopt for a contract creation
    std::optional<Address> contract_address;
    uint8_t status = 0;  // 1 success, 0 revert
    uint8_t tx_type = 0;
    uint64_t gas_used = 0;
    uint64_t cumulative_gas_used = 0;
    u256 effective_gas_price;
    Bytes revert_data;
    std::vector<LogRecordStored> logs;

    friend bool operator==(const ReceiptRecord&, const ReceiptRecord&) = default;
};

// eth_getLogs filter. Blocks are inclusive. An empty address list matches
// any address. topics[i]: nullopt (or an empty list, as geth treats `[]`)
// matches anything; a list matches a log whose topic i equals any of its
// entries (and a log with fewer than i+1 topics never matches it).
struct LogFilter {
    uint64_t from_block = 0;
    uint64_t to_block = 0;
    std::vector<Address> addresses;
    std::array<std::optional<std::vector<Bytes32>>, 4> topics;
};

// The log index groups its keys by runs of this many blocks ("epochs"), so
// that the index of new blocks never makes compaction rewrite the index of
// old ones. A query seeks once per epoch its block range spans (and per
// value of the filter it walks), so a range of N blocks costs about
// N / kLogIndexEpochBlocks seeks. Part of the store's format.
inline constexpr uint64_t kLogIndexEpochBlocks = 256;

struct LogLimits {
    uint64_t max_block_range = 100000;
    size_t max_results = 10000;
    // Index entries a query may examine before it is refused: bounds the
    // work of a query whose filters match many logs that other filters then
    // reject.
    size_t max_scanned = 1000000;
};

struct FoundLog {
    LogRecordStored log;  // log.log_index is the log's position in the block
    uint64_t block_number = 0;
    Bytes32 block_hash;
    Bytes32 tx_hash;
    uint32_t tx_index = 0;

    friend bool operator==(const FoundLog&, const FoundLog&) = default;
};

}  // namespace ampd::storage
