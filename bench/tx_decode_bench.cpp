// What admitting one signed transaction costs on an RPC thread, split so that
// the part that is not sender recovery can be seen (docs/PERFORMANCE.md,
// "Ingest"):
//   RecoverAddress      libsecp256k1 recovery plus the address's keccak: what
//                       the ingest tool's bound counts.
//   DecodeTransaction   the whole of tx::decode_transaction on a signed
//                       EIP-1559 Amp transfer (173 bytes): RLP, both hashes,
//                       the signature checks and the recovery.
//   ParseTransaction    the RLP and field checks alone (no hash, no recovery).
// Each iteration uses the next of 256 distinct transactions, so that no
// result can be carried over from the previous one.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/tx/secp256k1.hpp"
#include "ampd/tx/transaction.hpp"

namespace {

using ampd::Bytes;

struct Signed {
    Bytes raw;
    ampd::tx::Transaction tx;
    ampd::Bytes32 signing_hash;
};

const std::vector<Signed>& transfers() {
    static const std::vector<Signed> out = [] {
        std::vector<Signed> v;
        const ampd::Bytes4 transfer = ampd::selector_of("transfer(address,uint256)");
        for (int i = 0; i < 256; ++i) {
            const ampd::Bytes32 k =
                ampd::keccak256("ampd tx_decode_bench key " + std::to_string(i));
            const auto key = ampd::tx::PrivateKey::from_bytes(ampd::ByteView(k.data(), 32));
            ampd::tx::Transaction t;
            t.type = ampd::tx::TxType::kDynamicFee;
            t.chain_id = 31337;
            t.nonce = static_cast<uint64_t>(i);
            t.gas_limit = 100'000;
            t.max_fee_per_gas = ampd::u256(2);
            t.max_priority_fee_per_gas = ampd::u256(1);
            t.to = ampd::Address::from(ampd::ByteView(k.data(), 20));
            t.data = ampd::abi::Encoder()
                         .address(ampd::Address::from(ampd::ByteView(k.data() + 12, 20)))
                         .uint256(ampd::u256(1))
                         .finish_call(transfer);
            t = ampd::tx::sign_transaction(t, *key);
            v.push_back(Signed{ampd::tx::encode_signed(t), t, ampd::tx::signing_hash(t)});
        }
        return v;
    }();
    return out;
}

void BM_RecoverAddress(benchmark::State& state) {
    const auto& txs = transfers();
    size_t i = 0;
    for (auto _ : state) {
        const Signed& s = txs[i++ % txs.size()];
        auto a = ampd::tx::recover_address(s.signing_hash, s.tx.r, s.tx.s, s.tx.y_parity);
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_RecoverAddress);

void BM_DecodeTransaction(benchmark::State& state) {
    const auto& txs = transfers();
    size_t i = 0;
    for (auto _ : state) {
        const Signed& s = txs[i++ % txs.size()];
        auto d = ampd::tx::decode_transaction(ampd::ByteView(s.raw));
        if (!d) state.SkipWithError("a signed transfer did not decode");
        benchmark::DoNotOptimize(d);
    }
}
BENCHMARK(BM_DecodeTransaction);

void BM_ParseTransaction(benchmark::State& state) {
    const auto& txs = transfers();
    size_t i = 0;
    for (auto _ : state) {
        const Signed& s = txs[i++ % txs.size()];
        auto d = ampd::tx::parse_transaction(ampd::ByteView(s.raw));
        benchmark::DoNotOptimize(d);
    }
}
BENCHMARK(BM_ParseTransaction);

}  // namespace
