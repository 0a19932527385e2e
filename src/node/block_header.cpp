#include "ampd/node/block_header.hpp"

#include <cstring>
#include <unordered_set>

#include "ampd/primitives/keccak.hpp"
#include "ampd/primitives/sha256.hpp"

namespace ampd::node {

namespace {

void put_u64(Bytes& out, uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

template <size_t N>
void put(Bytes& out, const FixedBytes<N>& b) {
    out.insert(out.end(), b.b.begin(), b.b.end());
}

}  // namespace

void bloom_add(Bloom& bloom, ByteView item) {
    const Bytes32 h = keccak256(item);
    for (int i = 0; i < 3; ++i) {
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
    Bytes buf;
    buf.reserve(tx_hashes.size() * 32);
    for (const Bytes32& h : tx_hashes) put(buf, h);
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
    uint8_t* at = buf.data();
    const auto put_bytes = [&at](const uint8_t* p, size_t n) {
        std::memcpy(at, p, n);
        at += n;
    };
    const auto put_be64 = [&at](uint64_t v) {
        for (int i = 7; i >= 0; --i) *at++ = static_cast<uint8_t>(v >> (8 * i));
    };
    for (const storage::ReceiptRecord& r : receipts) {
        put_bytes(r.tx_hash.data(), 32);
        *at++ = r.status;
        put_be64(r.gas_used);
        put_be64(r.logs.size());
        for (const storage::LogRecordStored& log : r.logs) {
            put_bytes(log.address.data(), 20);
            put_be64(log.topics.size());
            for (const Bytes32& t : log.topics) put_bytes(t.data(), 32);
            put_be64(log.data.size());
            if (!log.data.empty()) put_bytes(log.data.data(), log.data.size());
        }
    }
    return sha256(ByteView(buf));
}

void seal_hash(storage::BlockRecord& block) {
    Bytes buf;
    buf.reserve(32 * 5 + 8 * 4 + 256);
    put(buf, block.parent_hash);
    put_u64(buf, block.number);
    put_u64(buf, block.timestamp);
    put_u64(buf, block.gas_limit);
    put_u64(buf, block.gas_used);
    put(buf, block.state_root);
    put(buf, block.transactions_root);
    put(buf, block.receipts_root);
    buf.insert(buf.end(), block.logs_bloom.begin(), block.logs_bloom.end());
    block.hash = keccak256(ByteView(buf));
}

}  // namespace ampd::node
