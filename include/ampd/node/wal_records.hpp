// What the node writes to the write-ahead log: the inputs of the chain, in
// the order it consumed them. Replaying them through the same Chain calls
// reproduces the state, blocks and receipts exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include "ampd/primitives/bytes.hpp"

namespace ampd::node::wal {

enum class RecordType : uint8_t {
    kOpenBlock = 1,    // number, timestamp
    kTransaction = 2,  // sender, signed raw transaction
    kSealBlock = 3,    // number
    kReset = 4,        // dev evm_revert: the complete chain snapshot to go back to
};

struct OpenBlock {
    uint64_t number = 0;
    uint64_t timestamp = 0;
};
struct Transaction {
    Address sender;
    Bytes raw;
};
struct SealBlock {
    uint64_t number = 0;
};
struct Reset {
    Bytes snapshot;
};

using Record = std::variant<OpenBlock, Transaction, SealBlock, Reset>;

[[nodiscard]] RecordType type_of(const Record& r);
[[nodiscard]] Bytes encode(const Record& r);
// encode(Transaction{sender, raw}) without copying `raw` into a record first
// (the sequencer's path: one allocation per transaction).
[[nodiscard]] Bytes encode_transaction(const Address& sender, ByteView raw);
// nullopt for an unknown type or a payload of the wrong shape.
[[nodiscard]] std::optional<Record> decode(uint8_t type, ByteView payload);

}  // namespace ampd::node::wal
