// Deterministic blocks, transactions, receipts and logs for the history
// store tests.
#pragma once

#include <string>
#include <vector>

#include "ampd/primitives/keccak.hpp"
#include "ampd/storage/history_types.hpp"

namespace ampd::storage::test {

inline Bytes32 hash_of(const std::string& what) {
    return keccak256(std::string_view(what));
}

inline Address address_n(uint8_t n) {
    Address a;
    a.b[0] = 0xAA;
    a.b[19] = n;
    return a;
}

inline Bytes32 topic_n(uint8_t n) {
    Bytes32 t;
    t.b[0] = 0x70;
    t.b[31] = n;
    return t;
}

struct LogSpec {
    uint8_t address = 0;
    std::vector<uint8_t> topics;
};

struct BlockData {
    BlockRecord block;
    std::vector<TxRecord> txs;
    std::vector<ReceiptRecord> receipts;
};

// A block whose transaction i emits the logs in logs_per_tx[i]; log indexes
// count through the whole block.
inline BlockData make_block(uint64_t number, const std::vector<std::vector<LogSpec>>& logs_per_tx) {
    BlockData d;
    BlockRecord& b = d.block;
    b.number = number;
    b.hash = hash_of("block " + std::to_string(number));
    b.parent_hash = number == 0 ? Bytes32{} : hash_of("block " + std::to_string(number - 1));
    b.timestamp = 1700000000 + number * 12;
    b.gas_limit = 30000000;
    b.state_root = hash_of("state " + std::to_string(number));
    b.transactions_root = hash_of("txs " + std::to_string(number));
    b.receipts_root = hash_of("receipts " + std::to_string(number));
    b.logs_bloom[number % 256] = 0x80;
    uint32_t log_index = 0;
    uint64_t cumulative = 0;
    for (size_t i = 0; i < logs_per_tx.size(); ++i) {
        const std::string id = std::to_string(number) + "/" + std::to_string(i);
        const Bytes32 h = hash_of("tx " + id);
        b.tx_hashes.push_back(h);
        TxRecord tx;
        tx.hash = h;
        tx.raw = Bytes{0x02, 0xf8, static_cast<uint8_t>(i), static_cast<uint8_t>(number)};
        tx.from = address_n(static_cast<uint8_t>(100 + i));
        tx.block_number = number;
        tx.index = static_cast<uint32_t>(i);
        d.txs.push_back(tx);

        ReceiptRecord r;
        r.tx_hash = h;
        r.block_number = number;
        r.tx_index = static_cast<uint32_t>(i);
        r.from = tx.from;
        if (i % 3 == 2) {
            r.contract_address = address_n(static_cast<uint8_t>(200 + i));
        } else {
            r.to = address_n(1);
        }
        r.status = i % 4 == 3 ? 0 : 1;
        r.tx_type = 2;
        r.gas_used = 21000 + i;
        cumulative += r.gas_used;
        r.cumulative_gas_used = cumulative;
        r.effective_gas_price = u256(0, 0, 1, 1000000007);
        if (r.status == 0) r.revert_data = Bytes{0x08, 0xc3, 0x79, 0xa0};
        for (const LogSpec& spec : logs_per_tx[i]) {
            LogRecordStored log;
            log.address = address_n(spec.address);
            for (uint8_t t : spec.topics) log.topics.push_back(topic_n(t));
            log.data = Bytes{static_cast<uint8_t>(log_index), 0x42};
            log.log_index = log_index++;
            r.logs.push_back(log);
        }
        d.receipts.push_back(r);
    }
    b.gas_used = cumulative;
    return d;
}

}  // namespace ampd::storage::test
