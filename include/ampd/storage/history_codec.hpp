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
[[nodiscard]] Bytes encode(const TxRecord& t);
[[nodiscard]] Bytes encode(const ReceiptRecord& r);
// The same, replacing the contents of `out` (a buffer reused across records
// keeps its capacity: no allocation per record).
void encode_into(Bytes& out, const TxRecord& t);
void encode_into(Bytes& out, const ReceiptRecord& r);

[[nodiscard]] std::optional<BlockRecord> decode_block(ByteView in);
[[nodiscard]] std::optional<TxRecord> decode_tx(ByteView in);
[[nodiscard]] std::optional<ReceiptRecord> decode_receipt(ByteView in);

}  // namespace ampd::storage::history_codec
