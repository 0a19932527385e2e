#include "workload.hpp"

#include <fmt/format.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/hex.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/tx/transaction.hpp"

namespace ampd_load {

using nlohmann::json;

std::vector<Sender> make_senders(size_t n) {
    std::vector<Sender> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const ampd::Bytes32 seed = ampd::keccak256(fmt::format("ampd-ingest-load sender {}", i));
        // A hash is a valid key unless it is zero or >= n: odds about 2^-128.
        auto key = ampd::tx::PrivateKey::from_bytes(ampd::ByteView(seed.data(), 32));
        if (!key) throw std::runtime_error(fmt::format("sender {}: seed is not a valid key", i));
        out.push_back(Sender{*key, ampd::tx::address_of(*key)});
    }
    return out;
}

json fund_senders(json genesis, const std::vector<Sender>& senders, const std::string& amount) {
    const json& accounts = genesis.at("accounts");
    if (!accounts.is_array() || accounts.empty()) {
        throw std::runtime_error("the dev genesis lists no accounts");
    }
    std::string amp;
    for (const json& c : genesis.at("contracts")) {
        if (c.at("name") == "amp") amp = c.at("address").get<std::string>();
    }
    if (amp.empty()) throw std::runtime_error("the dev genesis has no contract named amp");
    json& calls = genesis.at("calls");
    for (const Sender& s : senders) {
        calls.push_back({{"from", accounts[0]},
                         {"to", amp},
                         {"function", "transfer(address,uint256)"},
                         {"args", json::array({s.address.hex(), amount})}});
    }
    return genesis;
}

std::vector<std::vector<SignedTransfer>> sign_transfers(const std::vector<Sender>& senders,
                                                        size_t per_sender, uint64_t chain_id,
                                                        const ampd::Address& amp,
                                                        unsigned threads) {
    std::vector<std::vector<SignedTransfer>> out(senders.size());
    const ampd::Bytes4 transfer = ampd::selector_of("transfer(address,uint256)");
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t s = next++; s < senders.size(); s = next++) {
            const ampd::Address& to = senders[(s + 1) % senders.size()].address;
            out[s].reserve(per_sender);
            for (size_t k = 0; k < per_sender; ++k) {
                ampd::tx::Transaction t;
                t.type = ampd::tx::TxType::kDynamicFee;
                t.chain_id = chain_id;
                t.nonce = k;
                t.gas_limit = 100'000;
                t.max_fee_per_gas = ampd::u256(2);
                t.max_priority_fee_per_gas = ampd::u256(1);
                t.to = amp;
                t.data =
                    ampd::abi::Encoder().address(to).uint256(ampd::u256(1)).finish_call(transfer);
                t = ampd::tx::sign_transaction(t, senders[s].key);
                const ampd::Bytes raw = ampd::tx::encode_signed(t);
                out[s].push_back(SignedTransfer{ampd::hex::encode(raw),
                                                ampd::tx::tx_hash(ampd::ByteView(raw)).hex()});
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    return out;
}

}  // namespace ampd_load
