#include "ampd/storage/history_codec.hpp"

#include <gtest/gtest.h>

#include <random>

#include "storage/history_fixtures.hpp"

namespace ampd::storage {
namespace {

namespace hc = history_codec;
using test::LogSpec;
using test::make_block;

test::BlockData sample() {
    return make_block(7, {{{1, {1, 2}}, {2, {}}}, {}, {{3, {1, 2, 3, 4}}}});
}

// A position record decodes, at its position, to exactly the transaction
// and receipt it was encoded from.
void expect_position_round_trip(const TxRecord& t, const ReceiptRecord& r) {
    const auto p = hc::decode_position(hc::encode_position(t, r), t.block_number, t.index);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->tx, t);
    EXPECT_EQ(p->receipt, r);
}

TEST(HistoryCodec, RoundTrips) {
    const auto d = sample();
    EXPECT_EQ(*hc::decode_block(hc::encode(d.block)), d.block);
    for (size_t i = 0; i < d.txs.size(); ++i) expect_position_round_trip(d.txs[i], d.receipts[i]);
    // Both optional addresses absent and present.
    ReceiptRecord r = d.receipts[0];
    r.to.reset();
    r.contract_address.reset();
    expect_position_round_trip(d.txs[0], r);
    r.to = test::address_n(5);
    r.contract_address = test::address_n(6);
    r.effective_gas_price = u256::max();
    r.revert_data = Bytes{0x08, 0xc3, 0x79, 0xa0};
    expect_position_round_trip(d.txs[0], r);
}

// The position comes from the key: the same bytes read at another position
// give that position, in both records.
TEST(HistoryCodec, PositionComesFromTheKey) {
    const auto d = sample();
    const Bytes enc = hc::encode_position(d.txs[1], d.receipts[1]);
    const auto p = hc::decode_position(enc, 99, 5);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->tx.block_number, 99U);
    EXPECT_EQ(p->tx.index, 5U);
    EXPECT_EQ(p->receipt.block_number, 99U);
    EXPECT_EQ(p->receipt.tx_index, 5U);
    EXPECT_EQ(p->receipt.tx_hash, d.txs[1].hash);
    EXPECT_EQ(p->receipt.from, d.txs[1].from);
}

// Every prefix, an extra byte, a changed version: all rejected.
template <class Decode>
void expect_strict(const Bytes& enc, Decode decode) {
    ASSERT_TRUE(decode(enc));
    for (size_t n = 0; n < enc.size(); ++n) {
        EXPECT_FALSE(decode(ByteView(enc.data(), n))) << "prefix of " << n << " bytes";
    }
    Bytes longer = enc;
    longer.push_back(0);
    EXPECT_FALSE(decode(longer));
    Bytes version = enc;
    version[0] = 2;
    EXPECT_FALSE(decode(version));
}

bool decodes_position(ByteView b) {
    return hc::decode_position(b, 7, 0).has_value();
}

TEST(HistoryCodec, RejectsTruncatedTrailingAndVersion) {
    const auto d = sample();
    expect_strict(hc::encode(d.block), [](ByteView b) { return hc::decode_block(b).has_value(); });
    expect_strict(hc::encode_position(d.txs[0], d.receipts[0]), decodes_position);
}

TEST(HistoryCodec, RejectsBadCountsAndFlags) {
    const auto d = sample();
    Bytes enc = hc::encode(d.block);
    // The tx hash count sits just before the hashes: claim four billion.
    const size_t count_at = enc.size() - 32 * d.block.tx_hashes.size() - 4;
    enc[count_at + 3] = 0xFF;
    EXPECT_FALSE(hc::decode_block(enc));

    Bytes rc = hc::encode_position(d.txs[0], d.receipts[0]);
    // version, hash, sender, raw (u32 length + bytes), then the flags.
    const size_t flags_at = 1 + 32 + 20 + 4 + d.txs[0].raw.size();
    ASSERT_TRUE(decodes_position(rc));
    rc[flags_at] |= 0x80;
    EXPECT_FALSE(decodes_position(rc));

    ReceiptRecord five = d.receipts[0];
    five.logs[0].topics.push_back(test::topic_n(9));
    five.logs[0].topics.push_back(test::topic_n(9));
    five.logs[0].topics.push_back(test::topic_n(9));  // 5 topics: not a valid log
    EXPECT_FALSE(decodes_position(hc::encode_position(d.txs[0], five)));
}

TEST(HistoryCodec, RandomBytesNeverCrash) {
    std::mt19937 rng(1234);
    const auto d = sample();
    const Bytes seeds[] = {hc::encode(d.block), hc::encode_position(d.txs[0], d.receipts[0])};
    for (int i = 0; i < 3000; ++i) {
        Bytes b = seeds[i % 2];
        // Mutate a few bytes, sometimes cut.
        for (int k = 0; k < 1 + i % 4; ++k) b[rng() % b.size()] = static_cast<uint8_t>(rng());
        if (i % 5 == 0) b.resize(rng() % b.size());
        (void)hc::decode_block(b);
        (void)decodes_position(b);
    }
    SUCCEED();
}

}  // namespace
}  // namespace ampd::storage
