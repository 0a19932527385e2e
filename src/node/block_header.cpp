#include "ampd/node/block_header.hpp"

#include <cstring>
#include <unordered_set>

#include "ampd/primitives/keccak.hpp"
#include "ampd/primitives/sha256.hpp"

namespace ampd::node {

namespace {

// Writes into a buffer already sized for everything written: the roots and
// the header are fixed layouts whose size is known before the first byte.
class Cursor {
public:
    explicit Cursor(uint8_t* at) : at_(at) {}
    void bytes(const uint8_t* p, size_t n) {
        if (n > 0) std::memcpy(at_, p, n);
        at_ += n;
    }
    template <size_t N>
    void fixed(const FixedBytes<N>& b) {
        bytes(b.data(), N);
    }
    void byte(uint8_t v) { *at_++ = v; }
    void be64(uint64_t v) {
        for (int i = 7; i >= 0; --i) *at_++ = static_cast<uint8_t>(v >> (8 * i));
    }

private:
    uint8_t* at_;
};

}  // namespace

void bloom_add(Bloom& bloom, ByteView item) {
    const Bytes32 h = keccak256(item);
    for (size_t i = 0; i < 3; ++i) {
        const unsigned bit = ((static_cast<unsigned>(h.b[2 * i]) << 8) | h.b[2 * i + 1]) & 2047U;
        bloom[255 - bit / 8] |= static_cast<uint8_t>(1U << (bit % 8));
    }
}

void bloom_add_log(Bloom& bloom, const storage::LogRecordStored& log) {
    bloom_add(bloom, ByteView(log.address.b));
    for (const Bytes32& t : log.topics) bloom_add(bloom, ByteView(t.b));
}

Bloom logs_bloom(const std::vector<storage::ReceiptRecord>& receipts) {
    Bloom bloom{};
    std::unordered_set<Address, AddressHash> addresses;
    std::unordered_set<Bytes32, Bytes32Hash> topics;
    for (const storage::ReceiptRecord& r : receipts) {
        for (const storage::LogRecordStored& log : r.logs) {
            if (addresses.insert(log.address).second) bloom_add(bloom, ByteView(log.address.b));
            for (const Bytes32& t : log.topics) {
                if (topics.insert(t).second) bloom_add(bloom, ByteView(t.b));
            }
        }
    }
    return bloom;
}

Bytes32 transactions_root(const std::vector<Bytes32>& tx_hashes) {
    Bytes buf(tx_hashes.size() * 32);
    Cursor w(buf.data());
    for (const Bytes32& h : tx_hashes) w.fixed(h);
    return keccak256(ByteView(buf));
}

Bytes32 receipts_root(const std::vector<storage::ReceiptRecord>& receipts) {
    // Each receipt contributes what a client can observe of it: its
    // transaction, status, gas and logs. Log data goes in whole, length
    // first, rather than as its own hash: one pass over the block's
    // receipts instead of an extra one per log. SHA-256, not Keccak: no
    // Ethereum rule fixes this root (it is not a trie root), and with the
    // CPU's SHA extensions hashing the block's receipts, the sequencer's
    // largest single cost per block, takes a third of the time.
    size_t size = 0;
    for (const storage::ReceiptRecord& r : receipts) {
        size += 32 + 1 + 8 + 8;
        for (const storage::LogRecordStored& log : r.logs) {
            size += 20 + 8 + 32 * log.topics.size() + 8 + log.data.size();
        }
    }
    // The encoding of a full block is about a megabyte: a buffer kept per
    // thread (the sequencer seals every block) spares a fresh allocation and
    // its page faults on every block. It is sized once and filled through a
    // cursor: appending field by field (a range insert per hash, a push per
    // byte of each integer) cost the sequencer more than the hashing itself.
    thread_local Bytes buf;
    buf.resize(size);
    Cursor w(buf.data());
    for (const storage::ReceiptRecord& r : receipts) {
        w.fixed(r.tx_hash);
        w.byte(r.status);
        w.be64(r.gas_used);
        w.be64(r.logs.size());
        for (const storage::LogRecordStored& log : r.logs) {
            w.fixed(log.address);
            w.be64(log.topics.size());
            for (const Bytes32& t : log.topics) w.fixed(t);
            w.be64(log.data.size());
            w.bytes(log.data.data(), log.data.size());
        }
    }
    return sha256(ByteView(buf));
}

void seal_hash(storage::BlockRecord& block) {
    std::array<uint8_t, 32 * 4 + 8 * 4 + sizeof(Bloom)> buf{};
    Cursor w(buf.data());
    w.fixed(block.parent_hash);
    w.be64(block.number);
    w.be64(block.timestamp);
    w.be64(block.gas_limit);
    w.be64(block.gas_used);
    w.fixed(block.state_root);
    w.fixed(block.transactions_root);
    w.fixed(block.receipts_root);
    w.bytes(block.logs_bloom.data(), block.logs_bloom.size());
    block.hash = keccak256(ByteView(buf));
}

}  // namespace ampd::node
