#include "ampd/storage/history_codec.hpp"

#include "storage/codec.hpp"

namespace ampd::storage::history_codec {
namespace {

using codec::Reader;
using codec::Writer;

constexpr uint8_t kHasTo = 1;
constexpr uint8_t kHasContract = 2;
constexpr size_t kMaxTopics = 4;
// Smallest encodings, for sanity checks on element counts.
constexpr size_t kMinLogSize = 20 + 1 + 4 + 4;

void put_log(Writer& w, const LogRecordStored& log) {
    w.fixed(log.address);
    w.u8(static_cast<uint8_t>(log.topics.size()));
    for (const Bytes32& t : log.topics) w.fixed(t);
    w.bytes(log.data);
    w.u32(log.log_index);
}

bool get_log(Reader& r, LogRecordStored& log) {
    log.address = r.fixed<20>();
    const uint8_t n = r.u8();
    if (n > kMaxTopics) return false;
    log.topics.resize(n);
    for (Bytes32& t : log.topics) t = r.fixed<32>();
    log.data = r.bytes();
    log.log_index = r.u32();
    return r.ok();
}

}  // namespace

Bytes encode(const BlockRecord& b) {
    Bytes out;
    out.reserve(1 + 8 * 4 + 32 * 5 + 256 + 4 + 32 * b.tx_hashes.size());
    Writer w(out);
    w.u8(kVersion);
    w.u64(b.number);
    w.fixed(b.hash);
    w.fixed(b.parent_hash);
    w.u64(b.timestamp);
    w.u64(b.gas_limit);
    w.u64(b.gas_used);
    w.fixed(b.state_root);
    w.fixed(b.transactions_root);
    w.fixed(b.receipts_root);
    w.fixed(ByteView(b.logs_bloom));
    w.u32(static_cast<uint32_t>(b.tx_hashes.size()));
    for (const Bytes32& h : b.tx_hashes) w.fixed(h);
    return out;
}

std::optional<BlockRecord> decode_block(ByteView in) {
    Reader r(in);
    if (r.u8() != kVersion) return std::nullopt;
    BlockRecord b;
    b.number = r.u64();
    b.hash = r.fixed<32>();
    b.parent_hash = r.fixed<32>();
    b.timestamp = r.u64();
    b.gas_limit = r.u64();
    b.gas_used = r.u64();
    b.state_root = r.fixed<32>();
    b.transactions_root = r.fixed<32>();
    b.receipts_root = r.fixed<32>();
    b.logs_bloom = r.fixed<256>().b;
    b.tx_hashes.resize(r.count(32));
    for (Bytes32& h : b.tx_hashes) h = r.fixed<32>();
    if (!r.done()) return std::nullopt;
    return b;
}

void append_position(Bytes& out, const TxRecord& t, const ReceiptRecord& rc) {
    // No reserve: a block's records are appended one after another into one
    // buffer, which must keep growing geometrically.
    Writer w(out);
    w.u8(kVersion);
    w.fixed(t.hash);
    w.fixed(t.from);
    w.bytes(t.raw);
    const auto flags =
        static_cast<uint8_t>((rc.to ? kHasTo : 0) | (rc.contract_address ? kHasContract : 0));
    w.u8(flags);
    if (rc.to) w.fixed(*rc.to);
    if (rc.contract_address) w.fixed(*rc.contract_address);
    w.u8(rc.status);
    w.u8(rc.tx_type);
    w.u64(rc.gas_used);
    w.u64(rc.cumulative_gas_used);
    w.u256_le(rc.effective_gas_price);
    w.bytes(rc.revert_data);
    w.u32(static_cast<uint32_t>(rc.logs.size()));
    for (const LogRecordStored& log : rc.logs) put_log(w, log);
}

Bytes encode_position(const TxRecord& t, const ReceiptRecord& r) {
    Bytes out;
    append_position(out, t, r);
    return out;
}

std::optional<PositionRecord> decode_position(ByteView in, uint64_t block, uint32_t index) {
    Reader r(in);
    if (r.u8() != kVersion) return std::nullopt;
    PositionRecord p;
    TxRecord& t = p.tx;
    ReceiptRecord& rc = p.receipt;
    t.hash = r.fixed<32>();
    t.from = r.fixed<20>();
    t.raw = r.bytes();
    t.block_number = block;
    t.index = index;
    rc.tx_hash = t.hash;
    rc.block_number = block;
    rc.tx_index = index;
    rc.from = t.from;
    const uint8_t flags = r.u8();
    if ((flags & ~(kHasTo | kHasContract)) != 0) return std::nullopt;
    if ((flags & kHasTo) != 0) rc.to = r.fixed<20>();
    if ((flags & kHasContract) != 0) rc.contract_address = r.fixed<20>();
    rc.status = r.u8();
    rc.tx_type = r.u8();
    rc.gas_used = r.u64();
    rc.cumulative_gas_used = r.u64();
    rc.effective_gas_price = r.u256_le();
    rc.revert_data = r.bytes();
    rc.logs.resize(r.count(kMinLogSize));
    for (LogRecordStored& log : rc.logs) {
        if (!get_log(r, log)) return std::nullopt;
    }
    if (!r.done()) return std::nullopt;
    return p;
}

}  // namespace ampd::storage::history_codec
