// Block-level commitments: the logs bloom, the transaction and receipt
// roots, and the block hash.
//
// ampd's blocks are not Ethereum's Merkle-Patricia structures (there is no
// EVM state trie to commit to). The roots are keccak256 over the ordered list
// of transaction hashes and of receipt digests, and the block hash is
// keccak256 over a fixed binary header (parent hash, number, timestamp, gas
// limit, gas used, the roots and the bloom): every field a client sees is
// covered, so equal hashes mean equal blocks. The bloom is Ethereum's
// (2048 bits, three 11-bit indexes from keccak of each address and topic), so
// clients that pre-filter blocks by bloom get correct answers.
#pragma once

#include <array>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/storage/history_types.hpp"

namespace ampd::node {

using Bloom = std::array<uint8_t, 256>;

void bloom_add(Bloom& bloom, ByteView item);
void bloom_add_log(Bloom& bloom, const storage::LogRecordStored& log);
// The bloom of every log of `receipts` (a block's logs bloom). Hashes each
// distinct address and topic once: a block's logs repeat the same contract,
// event signatures and accounts many times.
[[nodiscard]] Bloom logs_bloom(const std::vector<storage::ReceiptRecord>& receipts);

[[nodiscard]] Bytes32 transactions_root(const std::vector<Bytes32>& tx_hashes);
// SHA-256 over each receipt's transaction hash, status (1 byte), gas used,
// then its logs: count, and for each the address, topic count, topics, data
// length and data (counts and lengths u64 big-endian).
[[nodiscard]] Bytes32 receipts_root(const std::vector<storage::ReceiptRecord>& receipts);
// Fills block.hash from every other field of `block`.
void seal_hash(storage::BlockRecord& block);

}  // namespace ampd::node
