#include "eth_format.hpp"

#include "ampd/node/block_header.hpp"
#include "ampd/rpc/params.hpp"
#include "ampd/tx/transaction.hpp"

namespace ampd::rpc {

namespace {

using nlohmann::json;

// keccak256(rlp([])): the uncles hash of a block without uncles.
constexpr const char* kEmptyUnclesHash =
    "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";

json access_list_json(const std::vector<tx::AccessListEntry>& list) {
    json out = json::array();
    for (const tx::AccessListEntry& e : list) {
        json keys = json::array();
        for (const Bytes32& k : e.storage_keys) keys.push_back(to_hex(k));
        out.push_back({{"address", to_hex(e.address)}, {"storageKeys", keys}});
    }
    return out;
}

}  // namespace

json format_log(const storage::LogRecordStored& log, const storage::ReceiptRecord& receipt,
                const Bytes32& block_hash) {
    json topics = json::array();
    for (const Bytes32& t : log.topics) topics.push_back(to_hex(t));
    return {{"address", to_hex(log.address)},
            {"topics", topics},
            {"data", to_data(log.data)},
            {"blockNumber", to_quantity(receipt.block_number)},
            {"blockHash", to_hex(block_hash)},
            {"transactionHash", to_hex(receipt.tx_hash)},
            {"transactionIndex", to_quantity(static_cast<uint64_t>(receipt.tx_index))},
            {"logIndex", to_quantity(static_cast<uint64_t>(log.log_index))},
            {"removed", false}};
}

json format_transaction(const storage::TxRecord& t, const storage::BlockRecord* block) {
    json j;
    // Stored bytes were admitted (signature checked) and the sender is
    // recorded, so no recovery is needed to show them.
    auto decoded = tx::parse_transaction(t.raw);
    if (!decoded) throw RpcError(errc::kInternalError, "stored transaction does not decode");
    const tx::Transaction& x = *decoded;
    j["hash"] = to_hex(t.hash);
    j["from"] = to_hex(t.from);
    j["to"] = x.to ? json(to_hex(*x.to)) : json(nullptr);
    j["nonce"] = to_quantity(x.nonce);
    j["gas"] = to_quantity(x.gas_limit);
    j["value"] = to_quantity(x.value);
    j["input"] = to_data(x.data);
    j["type"] = to_quantity(static_cast<uint64_t>(x.type));
    j["r"] = to_quantity(x.r);
    j["s"] = to_quantity(x.s);
    if (x.type == tx::TxType::kLegacy) {
        j["v"] = to_quantity(x.v);
        j["gasPrice"] = to_quantity(x.gas_price);
        if (x.has_chain_id) j["chainId"] = to_quantity(x.chain_id);
    } else {
        j["v"] = to_quantity(static_cast<uint64_t>(x.y_parity));
        j["yParity"] = to_quantity(static_cast<uint64_t>(x.y_parity));
        j["chainId"] = to_quantity(x.chain_id);
        j["accessList"] = access_list_json(x.access_list);
        if (x.type == tx::TxType::kDynamicFee) {
            j["maxFeePerGas"] = to_quantity(x.max_fee_per_gas);
            j["maxPriorityFeePerGas"] = to_quantity(x.max_priority_fee_per_gas);
            // The base fee is always zero.
            j["gasPrice"] = to_quantity(tx::effective_gas_price(x, u256(0)));
        } else {
            j["gasPrice"] = to_quantity(x.gas_price);
        }
    }
    if (block != nullptr) {
        j["blockHash"] = to_hex(block->hash);
        j["blockNumber"] = to_quantity(block->number);
        j["transactionIndex"] = to_quantity(static_cast<uint64_t>(t.index));
    } else {
        j["blockHash"] = nullptr;
        j["blockNumber"] = nullptr;
        j["transactionIndex"] = nullptr;
    }
    return j;
}

json format_receipt(const storage::ReceiptRecord& r, const Bytes32& block_hash) {
    json logs = json::array();
    node::Bloom bloom{};
    for (const storage::LogRecordStored& log : r.logs) {
        logs.push_back(format_log(log, r, block_hash));
        node::bloom_add_log(bloom, log);
    }
    return {
        {"transactionHash", to_hex(r.tx_hash)},
        {"transactionIndex", to_quantity(static_cast<uint64_t>(r.tx_index))},
        {"blockHash", to_hex(block_hash)},
        {"blockNumber", to_quantity(r.block_number)},
        {"from", to_hex(r.from)},
        {"to", r.to ? json(to_hex(*r.to)) : json(nullptr)},
        {"contractAddress", r.contract_address ? json(to_hex(*r.contract_address)) : json(nullptr)},
        {"cumulativeGasUsed", to_quantity(r.cumulative_gas_used)},
        {"gasUsed", to_quantity(r.gas_used)},
        {"effectiveGasPrice", to_quantity(r.effective_gas_price)},
        {"logs", logs},
        {"logsBloom", to_data(ByteView(bloom.data(), bloom.size()))},
        {"status", to_quantity(static_cast<uint64_t>(r.status))},
        {"type", to_quantity(static_cast<uint64_t>(r.tx_type))}};
}

json format_block(const storage::BlockRecord& b, const std::vector<storage::TxRecord>* full) {
    json txs = json::array();
    uint64_t size = 540;  // the fixed part of a header
    if (full != nullptr) {
        for (const storage::TxRecord& t : *full) {
            txs.push_back(format_transaction(t, &b));
            size += t.raw.size();
        }
    } else {
        for (const Bytes32& h : b.tx_hashes) txs.push_back(to_hex(h));
        size += 110 * b.tx_hashes.size();  // a typical transfer's encoded size
    }
    const Bytes32 zero{};
    return {{"number", to_quantity(b.number)},
            {"hash", to_hex(b.hash)},
            {"parentHash", to_hex(b.parent_hash)},
            {"nonce", "0x0000000000000000"},
            {"mixHash", to_hex(zero)},
            {"sha3Uncles", kEmptyUnclesHash},
            {"logsBloom", to_data(ByteView(b.logs_bloom.data(), b.logs_bloom.size()))},
            {"transactionsRoot", to_hex(b.transactions_root)},
            {"stateRoot", to_hex(b.state_root)},
            {"receiptsRoot", to_hex(b.receipts_root)},
            {"miner", to_hex(Address{})},
            {"difficulty", "0x0"},
            {"totalDifficulty", "0x0"},
            {"extraData", "0x"},
            {"size", to_quantity(size)},
            {"gasLimit", to_quantity(b.gas_limit)},
            {"gasUsed", to_quantity(b.gas_used)},
            {"timestamp", to_quantity(b.timestamp)},
            {"baseFeePerGas", "0x0"},
            {"transactions", txs},
            {"uncles", json::array()}};
}

}  // namespace ampd::rpc
