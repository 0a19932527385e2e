// Binary encodings of the history records: a version byte, then fixed-width
// little-endian fields; variable-length fields carry a u32 length or count.
// Decoding checks every length against the input and rejects trailing
// bytes, unknown versions and unknown flag bits: bad bytes give nullopt,
// never a crash or a huge allocation.
#pragma once

#include <optional>

#include "ampd/primitives/bytes.hpp"
#include "ampd/storage/history_types.hpp"

namespace ampd::storage::history_codec {

inline constexpr uint8_t kVersion = 1;

[[nodiscard]] Bytes encode(const BlockRecord& b);
[[nodiscard]] std::optional<BlockRecord> decode_block(ByteView in);

// A transaction and its receipt as one record, kept at their position
// (block number, index in the block), which the reader knows and which is
// therefore not stored; the hash and the sender, which both records carry,
// are stored once. The caller guarantees that the two records agree (hash,
// position, sender). append_position adds the record to the end of `out`.
void append_position(Bytes& out, const TxRecord& t, const ReceiptRecord& r);
[[nodiscard]] Bytes encode_position(const TxRecord& t, const ReceiptRecord& r);

// Both records of a position record read at (block, index).
struct PositionRecord {
    TxRecord tx;
    ReceiptRecord receipt;
};
[[nodiscard]] std::optional<PositionRecord> decode_position(ByteView in, uint64_t block,
                                                            uint32_t index);

}  // namespace ampd::storage::history_codec
