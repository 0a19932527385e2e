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

TEST(HistoryCodec, RoundTrips) {
    const auto d = sample();
    EXPECT_EQ(*hc::decode_block(hc::encode(d.block)), d.block);
    for (size_t i = 0; i < d.txs.size(); ++i) {
        EXPECT_EQ(*hc::decode_tx(hc::encode(d.txs[i])), d.txs[i]);
        EXPECT_EQ(*hc::decode_receipt(hc::encode(d.receipts[i])), d.receipts[i]);
    }
    // Both optional addresses absent and present.
    ReceiptRecord r = d.receipts[0];
    r.to.reset();
    r.contract_address.reset();
    EXPECT_EQ(*hc::decode_receipt(hc::encode(r)), r);
    r.to = test::address_n(5);
    r.contract_address = test::address_n(6);
    r.effective_gas_price = u256::max();
    EXPECT_EQ(*hc::decode_receipt(hc::encode(r)), r);
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

TEST(HistoryCodec, RejectsTruncatedTrailingAndVersion) {
    const auto d = sample();
    expect_strict(hc::encode(d.block), [](ByteView b) { return hc::decode_block(b).has_value(); });
    expect_strict(hc::encode(d.txs[0]), [](ByteView b) { return hc::decode_tx(b).has_value(); });
    expect_strict(hc::encode(d.receipts[0]),
                  [](ByteView b) { return hc::decode_receipt(b).has_value(); });
}

TEST(HistoryCodec, RejectsBadCountsAndFlags) {
    const auto d = sample();
    Bytes enc = hc::encode(d.block);
    // The tx hash count sits just before the hashes: claim four billion.
    const size_t count_at = enc.size() - 32 * d.block.tx_hashes.size() - 4;
    enc[count_at + 3] = 0xFF;
    EXPECT_FALSE(hc::decode_block(enc));

    Bytes rc = hc::encode(d.receipts[0]);
    const size_t flags_at = 1 + 32 + 8 + 4 + 20;
    rc[flags_at] |= 0x80;
    EXPECT_FALSE(hc::decode_receipt(rc));

    ReceiptRecord five = d.receipts[0];
    five.logs[0].topics.push_back(test::topic_n(9));
    five.logs[0].topics.push_back(test::topic_n(9));
    five.logs[0].topics.push_back(test::topic_n(9));  // 5 topics: not a valid log
    EXPECT_FALSE(hc::decode_receipt(hc::encode(five)));
}

TEST(HistoryCodec, RandomBytesNeverCrash) {
    std::mt19937 rng(1234);
    const auto d = sample();
    const Bytes seeds[] = {hc::encode(d.block), hc::encode(d.txs[0]), hc::encode(d.receipts[0])};
    for (int i = 0; i < 3000; ++i) {
        Bytes b = seeds[i % 3];
        // Mutate a few bytes, sometimes cut.
        for (int k = 0; k < 1 + i % 4; ++k) b[rng() % b.size()] = static_cast<uint8_t>(rng());
        if (i % 5 == 0) b.resize(rng() % b.size());
        (void)hc::decode_block(b);
        (void)hc::decode_tx(b);
        (void)hc::decode_receipt(b);
    }
    SUCCEED();
}

}  // namespace
}  // namespace ampd::storage
