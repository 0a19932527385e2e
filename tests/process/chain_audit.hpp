// Checks a node's chain against the crash test's ledger over JSON-RPC, as a
// client would, and replays the chain on a fresh node.
//
// The audit is incremental: blocks are scanned once, and each later audit
// first checks that the newest block it saw still has the same hash. A
// block hash commits to its parent's hash, its transactions and receipts,
// so that one comparison covers every block before it.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "ampd/rpc/client.hpp"
#include "ledger.hpp"

namespace ampd::process_test {

using nlohmann::json;

inline uint64_t quantity(const json& v) {
    if (!v.is_string()) throw std::runtime_error("expected a quantity, got " + v.dump());
    return std::stoull(v.get<std::string>().substr(2), nullptr, 16);
}

inline std::string hex_quantity(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// Runs `calls` in batches of at most `per_batch` (the node takes up to 1000).
inline std::vector<rpc::BatchResult> batched(rpc::JsonRpcClient& client,
                                             const std::vector<rpc::BatchCall>& calls,
                                             size_t per_batch = 500) {
    std::vector<rpc::BatchResult> out;
    out.reserve(calls.size());
    for (size_t i = 0; i < calls.size(); i += per_batch) {
        const size_t end = std::min(calls.size(), i + per_batch);
        std::vector<rpc::BatchCall> part(calls.begin() + static_cast<std::ptrdiff_t>(i),
                                         calls.begin() + static_cast<std::ptrdiff_t>(end));
        for (auto& r : client.batch(part)) out.push_back(std::move(r));
    }
    return out;
}

struct SeenBlock {
    Bytes32 hash;
    uint64_t timestamp = 0;
    std::vector<Bytes32> txs;
};

class ChainAudit {
public:
    // Checks everything the clients were told against the node behind
    // `client`; resolves unknown transactions found in the chain to
    // kRecovered. `recheck_all` verifies every receipt again rather than
    // only new ones and a sample. Reports problems as test failures.
    void audit(rpc::JsonRpcClient& client, std::vector<Sender>& senders, const TxIndex& index,
               std::mt19937_64& rng, bool recheck_all = false) {
        const uint64_t head = quantity(client.call("eth_blockNumber"));
        if (!check_prefix(client, head)) return;
        if (!scan(client, head, index)) return;
        resolve_unknown(senders);
        check_nonces(client, senders);
        check_receipts(client, senders, rng, recheck_all);
    }

    // The blocks seen so far, genesis first.
    [[nodiscard]] const std::vector<SeenBlock>& blocks() const { return blocks_; }
    [[nodiscard]] uint64_t transactions_in_chain() const { return block_of_.size(); }

    // Sends the audited chain to a fresh dev node, block by block with the
    // original timestamps, so that its state must come out identical.
    void replay(rpc::JsonRpcClient& fresh, const std::vector<Sender>& senders,
                const TxIndex& index) const {
        std::vector<rpc::BatchCall> calls;
        for (size_t n = 1; n < blocks_.size(); ++n) {
            const SeenBlock& b = blocks_[n];
            // Automine: one transaction per block, so a replay reproduces the blocks.
            ASSERT_EQ(b.txs.size(), 1U) << "block " << n;
            const TxRef ref = index.at(b.txs[0]);
            calls.push_back({"evm_setNextBlockTimestamp", json::array({b.timestamp})});
            calls.push_back({"eth_sendRawTransaction",
                             json::array({senders[ref.sender].txs[ref.nonce].raw_hex})});
        }
        const auto results = batched(fresh, calls, 400);
        for (size_t i = 0; i < results.size(); ++i) {
            ASSERT_TRUE(results[i].ok()) << calls[i].method << " " << calls[i].params.dump() << ": "
                                         << results[i].error->message;
        }
    }

private:
    // The newest block of the last audit is unchanged, so is every block
    // before it.
    bool check_prefix(rpc::JsonRpcClient& client, uint64_t head) {
        if (blocks_.empty()) return true;
        const uint64_t last = blocks_.size() - 1;
        if (head < last) {
            ADD_FAILURE() << "the head went back from block " << last << " to " << head
                          << ": acknowledged blocks were lost";
            return false;
        }
        const json b =
            client.call("eth_getBlockByNumber", json::array({hex_quantity(last), false}));
        if (b.is_null() || b["hash"] != blocks_[last].hash.hex()) {
            ADD_FAILURE() << "block " << last << " changed across a restart: was "
                          << blocks_[last].hash.hex() << ", now " << b.dump();
            return false;
        }
        return true;
    }

    // Reads the blocks after the last audit: each chains to its parent, and
    // each transaction is one a client sent and is in no other block.
    bool scan(rpc::JsonRpcClient& client, uint64_t head, const TxIndex& index) {
        const uint64_t first = blocks_.size();
        std::vector<rpc::BatchCall> calls;
        for (uint64_t n = first; n <= head; ++n) {
            calls.push_back({"eth_getBlockByNumber", json::array({hex_quantity(n), false})});
        }
        const auto results = batched(client, calls);
        for (size_t i = 0; i < results.size(); ++i) {
            const uint64_t n = first + i;
            const json& b = results[i].value();
            if (b.is_null() || quantity(b["number"]) != n) {
                ADD_FAILURE() << "block " << n << " (head " << head << ") reads as " << b.dump();
                return false;
            }
            SeenBlock seen;
            seen.hash = *Bytes32::from_hex(b["hash"].get<std::string>());
            seen.timestamp = quantity(b["timestamp"]);
            if (n > 0 && b["parentHash"] != blocks_[n - 1].hash.hex()) {
                ADD_FAILURE() << "block " << n << " does not chain to block " << n - 1;
                return false;
            }
            for (const json& t : b["transactions"]) {
                const Bytes32 h = *Bytes32::from_hex(t.get<std::string>());
                if (!index.contains(h)) {
                    ADD_FAILURE() << "block " << n << " holds " << h.hex()
                                  << ", which no client sent";
                    return false;
                }
                if (const auto [it, fresh] = block_of_.emplace(h, n); !fresh) {
                    ADD_FAILURE() << h.hex() << " is in block " << it->second << " and in block "
                                  << n;
                    return false;
                }
                seen.txs.push_back(h);
            }
            blocks_.push_back(std::move(seen));
        }
        return true;
    }

    void resolve_unknown(std::vector<Sender>& senders) const {
        for (Sender& s : senders) {
            if (s.last_unknown() && block_of_.contains(s.txs.back().hash)) {
                s.txs.back().fate = TxFate::kRecovered;
            }
        }
    }

    // Every transaction a client knows to be in the chain is, and the
    // sender's nonce counts exactly those: no gap, nothing extra.
    void check_nonces(rpc::JsonRpcClient& client, const std::vector<Sender>& senders) const {
        std::vector<rpc::BatchCall> calls;
        for (const Sender& s : senders) {
            calls.push_back({"eth_getTransactionCount", json::array({s.address.hex(), "latest"})});
        }
        const auto results = client.batch(calls);
        uint64_t expected_total = 0;
        for (size_t i = 0; i < senders.size(); ++i) {
            const Sender& s = senders[i];
            for (const SentTx& t : s.txs) {
                if (t.fate == TxFate::kUnknown) continue;
                EXPECT_TRUE(block_of_.contains(t.hash))
                    << "sender " << i << " nonce " << t.nonce << " " << t.hash.hex() << " was "
                    << (t.fate == TxFate::kAcknowledged ? "acknowledged" : "recovered")
                    << " but is in no block";
            }
            EXPECT_EQ(quantity(results[i].value()), s.known_in_chain())
                << "nonce of sender " << i << " (" << s.address.hex() << ")";
            expected_total += s.known_in_chain();
        }
        EXPECT_EQ(block_of_.size(), expected_total) << "transactions in the chain";
    }

    // Receipts (status 1, in the block the scan found) and the transaction
    // lookups agree with the blocks: for every transaction not checked yet,
    // and a sample of those that were.
    void check_receipts(rpc::JsonRpcClient& client, std::vector<Sender>& senders,
                        std::mt19937_64& rng, bool recheck_all) const {
        std::vector<SentTx*> todo;
        std::vector<size_t> todo_sender;
        std::vector<std::pair<SentTx*, size_t>> checked;
        for (size_t i = 0; i < senders.size(); ++i) {
            for (SentTx& t : senders[i].txs) {
                if (t.fate == TxFate::kUnknown) continue;
                if (!t.receipt_checked || recheck_all) {
                    todo.push_back(&t);
                    todo_sender.push_back(i);
                } else {
                    checked.emplace_back(&t, i);
                }
            }
        }
        std::shuffle(checked.begin(), checked.end(), rng);
        for (size_t k = 0; k < std::min<size_t>(checked.size(), 100); ++k) {
            todo.push_back(checked[k].first);
            todo_sender.push_back(checked[k].second);
        }
        std::vector<rpc::BatchCall> calls;
        for (const SentTx* t : todo) {
            calls.push_back({"eth_getTransactionReceipt", json::array({t->hash.hex()})});
            calls.push_back({"eth_getTransactionByHash", json::array({t->hash.hex()})});
        }
        const auto results = batched(client, calls);
        for (size_t k = 0; k < todo.size(); ++k) {
            SentTx& t = *todo[k];
            const Sender& s = senders[todo_sender[k]];
            const json& receipt = results[2 * k].value();
            const json& tx = results[2 * k + 1].value();
            const auto where = block_of_.find(t.hash);
            ASSERT_TRUE(where != block_of_.end()) << t.hash.hex() << " is in no block";
            const std::string block = hex_quantity(where->second);
            ASSERT_FALSE(receipt.is_null()) << t.hash.hex() << " has no receipt";
            EXPECT_EQ(receipt["status"], "0x1") << t.hash.hex();
            EXPECT_EQ(receipt["blockNumber"], block) << t.hash.hex();
            ASSERT_FALSE(tx.is_null()) << t.hash.hex() << " is not found by hash";
            EXPECT_EQ(tx["blockNumber"], block) << t.hash.hex();
            EXPECT_EQ(tx["from"], s.address.hex()) << t.hash.hex();
            EXPECT_EQ(tx["nonce"], hex_quantity(t.nonce)) << t.hash.hex();
            t.receipt_checked = true;
        }
    }

    std::vector<SeenBlock> blocks_;
    std::unordered_map<Bytes32, uint64_t, Bytes32Hash> block_of_;
};

}  // namespace ampd::process_test
