// eth_sendRawTransaction with bytes a broken or hostile client might send:
// each is refused with its precise reason and leaves no trace (RunningNode
// checks the state hash after every test).
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/primitives/rlp.hpp"
#include "ampd/tx/hd_wallet.hpp"
#include "ampd/tx/transaction.hpp"
#include "node_fixture.hpp"

namespace ampd::process_test {
namespace {

using nlohmann::json;

constexpr int kInvalidInput = -32000;
constexpr int kTransactionRejected = -32003;

const Address kAmp = *Address::from_hex("0xff20817765cb7f73d4bde2e66e067e58d11095c2");

class BadTransactionTest : public RunningNode {
protected:
    BadTransactionTest() : key_(tx::dev_accounts(2)[1].key) {}

    // A valid transfer from dev account 1 at nonce 0, unsigned.
    [[nodiscard]] tx::Transaction transfer(tx::TxType type = tx::TxType::kDynamicFee) const {
        tx::Transaction t;
        t.type = type;
        t.chain_id = 31337;
        t.nonce = 0;
        t.gas_limit = 200'000;
        if (type == tx::TxType::kDynamicFee) {
            t.max_fee_per_gas = u256(2);
            t.max_priority_fee_per_gas = u256(1);
        } else {
            t.gas_price = u256(1);
        }
        t.to = kAmp;
        t.data = abi::Encoder()
                     .address(tx::address_of(key_))
                     .uint256(u256(5))
                     .finish_call(selector_of("transfer(address,uint256)"));
        return t;
    }

    [[nodiscard]] tx::Transaction signed_transfer(tx::TxType type = tx::TxType::kDynamicFee) const {
        return tx::sign_transaction(transfer(type), key_);
    }

    void expect_refused(const Bytes& raw, int code, std::initializer_list<std::string_view> parts,
                        const std::string& what) const {
        SCOPED_TRACE(what);
        expect_error("eth_sendRawTransaction", json::array({hex::encode(raw)}), code, parts);
    }

    tx::PrivateKey key_;
};

TEST_F(BadTransactionTest, UndecodableBytes) {
    expect_refused({}, kInvalidInput, {"invalid transaction: empty transaction"}, "empty");
    expect_refused({0xf8}, kInvalidInput, {"invalid transaction: malformed transaction"},
                   "a lone list prefix");
    expect_refused({0xc0}, kInvalidInput, {"legacy transaction must have 9 fields, got 0"},
                   "an empty list");
    expect_refused({0x02}, kInvalidInput, {"typed transaction has no payload"}, "type byte only");
    expect_refused({0x80}, kInvalidInput, {"must be an RLP list"}, "an empty string");

    const Bytes good = tx::encode_signed(signed_transfer());
    expect_refused(Bytes(good.begin(), good.end() - 7), kInvalidInput,
                   {"invalid transaction: malformed transaction"}, "truncated");
    Bytes trailing = good;
    trailing.push_back(0x00);
    expect_refused(trailing, kInvalidInput, {"malformed transaction", "trailing"}, "trailing byte");
    Bytes legacy_good = tx::encode_signed(signed_transfer(tx::TxType::kLegacy));
    expect_refused(Bytes(legacy_good.begin(), legacy_good.begin() + 40), kInvalidInput,
                   {"malformed transaction"}, "legacy truncated");
}

TEST_F(BadTransactionTest, UnsupportedTypes) {
    const Bytes good = tx::encode_signed(signed_transfer());
    for (const uint8_t type : {0x00, 0x03, 0x04, 0x7f}) {
        Bytes raw = good;
        raw[0] = type;
        char want[40];
        std::snprintf(want, sizeof(want), "unsupported transaction type 0x%02x", type);
        expect_refused(raw, kInvalidInput, {"invalid transaction: ", want}, want);
    }
}

TEST_F(BadTransactionTest, BadSignatures) {
    const tx::Transaction good = signed_transfer();

    tx::Transaction t = good;
    t.r = u256(0);
    expect_refused(tx::encode_signed(t), kInvalidInput, {"invalid signature: r is not in [1, n-1]"},
                   "r = 0");
    t = good;
    t.s = u256(0);
    expect_refused(tx::encode_signed(t), kInvalidInput, {"invalid signature: s is not in [1, n-1]"},
                   "s = 0");
    t = good;
    t.r = tx::kCurveOrder;
    expect_refused(tx::encode_signed(t), kInvalidInput, {"invalid signature: r is not in [1, n-1]"},
                   "r = n");

    // The same signature with s replaced by n - s (and the parity flipped)
    // is valid ECDSA for the same key, and forbidden by EIP-2.
    t = good;
    t.s = tx::kCurveOrder - good.s;
    t.y_parity = good.y_parity ^ 1U;
    expect_refused(tx::encode_signed(t), kInvalidInput, {"s is above n/2", "EIP-2"}, "high s");

    // A byte of r flipped: most such r still recover some other key (a valid
    // signature of a stranger); take the first flip that recovers none.
    bool found = false;
    for (int byte = 31; byte >= 0 && !found; --byte) {
        t = good;
        std::array<uint8_t, 32> be{};
        t.r.to_be(std::span<uint8_t, 32>(be));
        be[static_cast<size_t>(byte)] ^= 0x01;
        t.r = u256::from_be(be);
        if (!tx::recover_address(tx::signing_hash(t), t.r, t.s, t.y_parity)) {
            found = true;
            expect_refused(tx::encode_signed(t), kInvalidInput,
                           {"invalid signature: no public key recovers"}, "r flipped");
        }
    }
    EXPECT_TRUE(found);

    // Typed: a y parity other than 0 or 1.
    Bytes raw = tx::encode_signed(good);
    auto fields = rlp::list_items(*rlp::decode(ByteView(raw).subspan(1)));
    ASSERT_TRUE(fields.ok());
    rlp::ListBuilder rebuilt;
    for (size_t i = 0; i < fields->size(); ++i) {
        if (i == 9) {
            rebuilt.uint(uint64_t{2});
        } else {
            rebuilt.raw((*fields)[i].encoded);
        }
    }
    Bytes parity2{0x02};
    const Bytes body = rebuilt.finish();
    parity2.insert(parity2.end(), body.begin(), body.end());
    expect_refused(parity2, kInvalidInput, {"y parity must be 0 or 1"}, "y parity 2");

    // Legacy: v that is neither 27/28 nor EIP-155.
    tx::Transaction legacy = signed_transfer(tx::TxType::kLegacy);
    Bytes legacy_raw = tx::encode_signed(legacy);
    auto lf = rlp::list_items(*rlp::decode(legacy_raw));
    ASSERT_TRUE(lf.ok());
    rlp::ListBuilder bad_v;
    for (size_t i = 0; i < lf->size(); ++i) {
        if (i == 6) {
            bad_v.uint(uint64_t{30});
        } else {
            bad_v.raw((*lf)[i].encoded);
        }
    }
    expect_refused(bad_v.finish(), kInvalidInput, {"legacy v must be 27, 28 or at least 35"},
                   "v = 30");
}

TEST_F(BadTransactionTest, FieldsWiderThanTheirType) {
    // A legacy transaction written by hand: [nonce, gasPrice, gas, to,
    // value, data, v, r, s] with one field too wide.
    const tx::Transaction good = signed_transfer(tx::TxType::kLegacy);
    auto build = [&](int wide_field, size_t width) {
        const Bytes wide(width, 0x01);
        rlp::ListBuilder b;
        auto field = [&](int i, const u256& v) {
            if (i == wide_field) {
                b.bytes(wide);
            } else {
                b.uint(v);
            }
        };
        field(0, u256(good.nonce));
        field(1, good.gas_price);
        field(2, u256(good.gas_limit));
        b.bytes(good.to->b);
        field(4, good.value);
        b.bytes(good.data);
        field(6, good.v);
        field(7, good.r);
        field(8, good.s);
        return b.finish();
    };
    expect_refused(build(0, 9), kInvalidInput, {"nonce exceeds 64 bits"}, "nonce");
    expect_refused(build(2, 9), kInvalidInput, {"gas limit exceeds 64 bits"}, "gas");
    expect_refused(build(1, 33), kInvalidInput, {"gas price exceeds 256 bits"}, "gas price");
    expect_refused(build(4, 33), kInvalidInput, {"value exceeds 256 bits"}, "value");
    expect_refused(build(7, 33), kInvalidInput, {"r exceeds 256 bits"}, "r");
    // v = chain id * 2 + 35 + parity: 10 bytes of v hold a chain id beyond 64 bits.
    expect_refused(build(6, 10), kInvalidInput, {"chain id exceeds 64 bits"}, "chain id");
}

TEST_F(BadTransactionTest, AdmissionRefusals) {
    tx::Transaction t = transfer();
    t.chain_id = 1;
    expect_refused(tx::encode_signed(tx::sign_transaction(t, key_)), kTransactionRejected,
                   {"invalid chain id: expected 31337, got 1"}, "chain id 1");

    t = transfer(tx::TxType::kLegacy);
    t.has_chain_id = false;
    t.chain_id = 0;
    expect_refused(tx::encode_signed(tx::sign_transaction(t, key_)), kTransactionRejected,
                   {"only replay-protected (EIP-155) transactions are accepted"}, "pre-EIP-155");

    t = transfer();
    t.nonce = 3;
    expect_refused(tx::encode_signed(tx::sign_transaction(t, key_)), kTransactionRejected,
                   {"nonce too high: next nonce 0, tx nonce 3"}, "nonce gap");

    t = transfer();
    t.gas_limit = 21'000;
    expect_refused(tx::encode_signed(tx::sign_transaction(t, key_)), kTransactionRejected,
                   {"intrinsic gas too low"}, "gas below intrinsic");

    t = transfer();
    t.gas_limit = 30'000'001;
    expect_refused(tx::encode_signed(tx::sign_transaction(t, key_)), kTransactionRejected,
                   {"exceeds block gas limit"}, "gas above the block limit");

    t = transfer();
    t.max_priority_fee_per_gas = u256(3);
    expect_refused(tx::encode_signed(tx::sign_transaction(t, key_)), kTransactionRejected,
                   {"max priority fee per gas higher than max fee per gas"}, "tip above cap");

    t = transfer();
    t.value = u256(1);
    expect_refused(tx::encode_signed(tx::sign_transaction(t, key_)), kTransactionRejected,
                   {"no native coin"}, "value");

    t = transfer();
    t.data.assign(200 * 1024, 0x01);
    t.gas_limit = 10'000'000;
    expect_refused(tx::encode_signed(tx::sign_transaction(t, key_)), kInvalidInput,
                   {"oversized transaction", "at most 131072"}, "200 KiB of data");

    // After all of that, the real thing goes through at nonce 0.
    state_may_change_ = true;
    const json ok = call("eth_sendRawTransaction",
                         json::array({hex::encode(tx::encode_signed(signed_transfer()))}));
    EXPECT_TRUE(ok.contains("result")) << ok.dump();
    const json again = call("eth_sendRawTransaction",
                            json::array({hex::encode(tx::encode_signed(signed_transfer()))}));
    EXPECT_EQ(again["error"]["code"], kTransactionRejected) << again.dump();
    EXPECT_NE(again["error"]["message"].get<std::string>().find("nonce too low"),
              std::string::npos);
}

}  // namespace
}  // namespace ampd::process_test
