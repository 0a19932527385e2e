// The block header commitments: the encodings of transactionsRoot,
// receiptsRoot and the block hash, and which receipt fields the root covers.
#include "ampd/node/block_header.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "ampd/primitives/keccak.hpp"
#include "ampd/primitives/sha256.hpp"

namespace ampd::node {
namespace {

Bytes32 filled(uint8_t v) {
    Bytes32 b;
    b.b.fill(v);
    return b;
}

Address address_of_byte(uint8_t v) {
    Address a;
    a.b.fill(v);
    return a;
}

storage::ReceiptRecord sample_receipt() {
    storage::ReceiptRecord r;
    r.tx_hash = filled(0x11);
    r.status = 1;
    r.gas_used = 0x0102;
    storage::LogRecordStored log;
    log.address = address_of_byte(0x22);
    log.topics = {filled(0x33), filled(0x44)};
    log.data = {0xde, 0xad};
    r.logs.push_back(log);
    return r;
}

void put_u64(Bytes& out, uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

TEST(BlockHeader, ReceiptsRootIsSha256OfTheDocumentedEncoding) {
    Bytes expected;
    expected.insert(expected.end(), 32, 0x11);  // tx hash
    expected.push_back(1);                      // status
    put_u64(expected, 0x0102);                  // gas used
    put_u64(expected, 1);                       // one log
    expected.insert(expected.end(), 20, 0x22);  // address
    put_u64(expected, 2);                       // two topics
    expected.insert(expected.end(), 32, 0x33);
    expected.insert(expected.end(), 32, 0x44);
    put_u64(expected, 2);  // data length
    expected.push_back(0xde);
    expected.push_back(0xad);
    EXPECT_EQ(receipts_root({sample_receipt()}), sha256(ByteView(expected)));
    EXPECT_EQ(receipts_root({}), sha256(ByteView{}));
}

TEST(BlockHeader, ReceiptsRootCoversEveryObservableField) {
    const storage::ReceiptRecord base = sample_receipt();
    const Bytes32 root = receipts_root({base});
    std::vector<storage::ReceiptRecord> changed(7, base);
    changed[0].tx_hash.b[31] ^= 1;
    changed[1].status = 0;
    changed[2].gas_used += 1;
    changed[3].logs[0].address.b[0] ^= 1;
    changed[4].logs[0].topics[1].b[0] ^= 1;
    changed[5].logs[0].data.push_back(0);
    changed[6].logs.push_back(base.logs[0]);
    for (size_t i = 0; i < changed.size(); ++i) {
        EXPECT_NE(receipts_root({changed[i]}), root) << "change " << i;
    }
    // Moving a byte between a log's topics and its data is a different
    // encoding (the counts and lengths are part of it).
    storage::ReceiptRecord shifted = base;
    shifted.logs[0].topics.pop_back();
    shifted.logs[0].data.insert(shifted.logs[0].data.begin(), 32, 0x44);
    EXPECT_NE(receipts_root({shifted}), root);
    // Order of receipts matters.
    storage::ReceiptRecord other = base;
    other.tx_hash = filled(0x99);
    EXPECT_NE(receipts_root({base, other}), receipts_root({other, base}));
}

TEST(BlockHeader, TransactionsRootIsKeccakOfTheHashesInOrder) {
    Bytes expected;
    expected.insert(expected.end(), 32, 0x01);
    expected.insert(expected.end(), 32, 0x02);
    EXPECT_EQ(transactions_root({filled(0x01), filled(0x02)}), keccak256(ByteView(expected)));
    EXPECT_EQ(transactions_root({}), keccak256(ByteView{}));
}

TEST(BlockHeader, BlockHashIsKeccakOfTheDocumentedHeader) {
    storage::BlockRecord b;
    b.parent_hash = filled(0x01);
    b.number = 7;
    b.timestamp = 0x0a0b;
    b.gas_limit = 30'000'000;
    b.gas_used = 21'000;
    b.state_root = filled(0x02);
    b.transactions_root = filled(0x03);
    b.receipts_root = filled(0x04);
    b.logs_bloom.fill(0x05);
    Bytes expected;
    expected.insert(expected.end(), 32, 0x01);   // parent hash
    put_u64(expected, 7);                        // number
    put_u64(expected, 0x0a0b);                   // timestamp
    put_u64(expected, 30'000'000);               // gas limit
    put_u64(expected, 21'000);                   // gas used
    expected.insert(expected.end(), 32, 0x02);   // state root
    expected.insert(expected.end(), 32, 0x03);   // transactions root
    expected.insert(expected.end(), 32, 0x04);   // receipts root
    expected.insert(expected.end(), 256, 0x05);  // logs bloom
    seal_hash(b);
    EXPECT_EQ(b.hash, keccak256(ByteView(expected)));
}

}  // namespace
}  // namespace ampd::node
