#include "ampd/node/chain.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>

#include "ampd/contracts/builtin.hpp"
#include "ampd/node/block_header.hpp"
#include "ampd/node/gas_schedule.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/snapshot_codec.hpp"

namespace ampd::node {

namespace {

constexpr uint32_t kSnapshotMagic = 0x414d5043;  // "AMPC"
constexpr uint32_t kSnapshotVersion = 1;

uint64_t access_list_keys(const tx::Transaction& t) {
    uint64_t n = 0;
    for (const tx::AccessListEntry& e : t.access_list) n += e.storage_keys.size();
    return n;
}

uint64_t intrinsic_gas(const tx::Transaction& t) {
    return gas::intrinsic(t.data, !t.to.has_value(), t.access_list.size(), access_list_keys(t));
}

}  // namespace

std::optional<CreationPayload> parse_creation(ByteView data) {
    const abi::Decoder d(data, abi::Cleaning::kStrict);
    std::optional<std::string> type = d.string(0);
    std::optional<Bytes> args = d.bytes(1);
    if (!type || !args) return std::nullopt;
    return CreationPayload{std::move(*type), std::move(*args)};
}

Address creation_address(const Address& sender, uint64_t nonce) {
    return tx::create_address(sender, nonce);
}

namespace {

storage::BlockRecord make_genesis_block(const Genesis& genesis) {
    storage::BlockRecord b;
    b.number = 0;
    b.timestamp = genesis.timestamp;
    b.gas_limit = gas::kBlockGasLimit;
    b.transactions_root = transactions_root({});
    b.receipts_root = receipts_root({});
    b.logs_bloom.fill(0);
    // The genesis commits to its configuration; later blocks chain from it.
    b.state_root = genesis_hash(genesis);
    seal_hash(b);
    return b;
}

}  // namespace

Chain::OpenBlock::OpenBlock() = default;

Chain::Chain(const Genesis& genesis)
    : chain_id_(genesis.chain_id),
      genesis_block_(make_genesis_block(genesis)),
      world_(build_genesis_world(genesis)) {
    head_ = ChainHead{0, genesis_block_.hash, genesis_block_.state_root, genesis_block_.timestamp};
}

Chain::Chain(const Genesis& genesis, ByteView snapshot)
    : chain_id_(genesis.chain_id), genesis_block_(make_genesis_block(genesis)) {
    state::SnapshotReader r(snapshot);
    if (r.u32() != kSnapshotMagic) throw state::SnapshotError("snapshot: not a chain snapshot");
    if (r.u32() != kSnapshotVersion) throw state::SnapshotError("snapshot: unknown version");
    if (r.u64() != chain_id_) throw state::SnapshotError("snapshot: taken on another chain");
    head_.number = r.u64();
    head_.hash = r.bytes32();
    head_.state_root = r.bytes32();
    head_.timestamp = r.u64();
    r.section("chain.nonces");
    const size_t n = r.count(28);
    nonces_.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
        const Address a = r.address();
        nonces_[a] = r.u64();
    }
    const ByteView world = r.bytes_view();
    r.expect_end();
    world_ = contracts::load_world(world);
}

Chain::~Chain() = default;

Bytes Chain::snapshot() const {
    if (open_) throw std::logic_error("Chain::snapshot with an open block");
    state::SnapshotWriter w;
    w.u32(kSnapshotMagic);
    w.u32(kSnapshotVersion);
    w.u64(chain_id_);
    w.u64(head_.number);
    w.bytes32(head_.hash);
    w.bytes32(head_.state_root);
    w.u64(head_.timestamp);
    std::vector<std::pair<Address, uint64_t>> nonces(nonces_.begin(), nonces_.end());
    std::sort(nonces.begin(), nonces.end());
    w.count(nonces.size());
    for (const auto& [a, n] : nonces) {
        w.address(a);
        w.u64(n);
    }
    contracts::save_world(*world_, w);  // as w.bytes(save_world(...)), without the copy
    return std::move(w).take();
}

Bytes32 Chain::state_hash() const {
    return keccak256(ByteView(snapshot()));
}

SealedBlock Chain::genesis_block() const {
    SealedBlock g;
    g.block = genesis_block_;
    return g;
}

std::optional<Rejection> Chain::check(const SignedTx& t) const {
    using K = Rejection::Kind;
    const tx::Transaction& x = t.tx;
    if (!x.has_chain_id) {
        return Rejection{K::kNoChainId,
                         "only replay-protected (EIP-155) transactions are accepted"};
    }
    if (x.chain_id != chain_id_) {
        return Rejection{K::kWrongChainId, fmt::format("invalid chain id: expected {}, got {}",
                                                       chain_id_, x.chain_id)};
    }
    const uint64_t next = nonce(t.sender, true);
    if (x.nonce < next) {
        return Rejection{K::kNonceTooLow,
                         fmt::format("nonce too low: next nonce {}, tx nonce {}", next, x.nonce)};
    }
    if (x.nonce > next) {
        return Rejection{K::kNonceTooHigh,
                         fmt::format("nonce too high: next nonce {}, tx nonce {}", next, x.nonce)};
    }
    if (x.gas_limit > gas::kMaxTransactionGas) {
        return Rejection{K::kGasLimitTooHigh,
                         fmt::format("exceeds block gas limit: gas limit {} is above {}",
                                     x.gas_limit, gas::kMaxTransactionGas)};
    }
    const uint64_t intrinsic = intrinsic_gas(x);
    if (x.gas_limit < intrinsic) {
        return Rejection{
            K::kIntrinsicGasTooLow,
            fmt::format("intrinsic gas too low: have {}, want {}", x.gas_limit, intrinsic)};
    }
    if (x.type == tx::TxType::kDynamicFee && x.max_fee_per_gas < x.max_priority_fee_per_gas) {
        return Rejection{K::kTipAboveFeeCap,
                         "max priority fee per gas higher than max fee per gas"};
    }
    if (!x.value.is_zero()) {
        return Rejection{K::kValueNotSupported,
                         "ampd has no native coin: transaction value must be 0"};
    }
    if (!x.to) {
        const std::optional<CreationPayload> p = parse_creation(x.data);
        if (!p || !contracts::is_builtin_type(p->type)) {
            return Rejection{K::kBadCreation,
                             "contract creation data must be abi.encode(string type, bytes "
                             "args) naming a built-in contract type"};
        }
    }
    return std::nullopt;
}

void Chain::open_block(uint64_t timestamp) {
    if (open_) throw std::logic_error("Chain::open_block: a block is already open");
    if (timestamp <= head_.timestamp) {
        throw std::logic_error(fmt::format("Chain::open_block: timestamp {} not after {}",
                                           timestamp, head_.timestamp));
    }
    open_.emplace();
    open_->timestamp = timestamp;
    open_->txs.reserve(last_block_txs_);
    open_->receipts.reserve(last_block_txs_);
}

uint64_t Chain::open_block_timestamp() const {
    return open_ ? open_->timestamp : 0;
}

state::ExecResult Chain::execute(const SignedTx& t, uint64_t& gas_used,
                                 std::vector<state::RawLog>& raw_logs) {
    const tx::Transaction& x = t.tx;
    const uint64_t intrinsic = intrinsic_gas(x);
    const uint64_t budget = x.gas_limit - intrinsic;
    const state::BlockContext block{head_.number + 1, open_->timestamp, chain_id_};
    // The acceptor sees the result that will be committed: encode its logs
    // there, once, and keep them for the receipt.
    bool accepted = false;  // raw_logs and exec_gas describe the committed result
    uint64_t exec_gas = 0;
    const state::World::Acceptor accept = [&](const state::ExecResult& r) {
        raw_logs.clear();
        raw_logs.reserve(r.logs.size());
        for (const state::LogRecord& log : r.logs) raw_logs.push_back(state::encode_log(log));
        exec_gas = gas::execution(r.state_writes, raw_logs);
        accepted = exec_gas <= budget;
        return accepted;
    };
    state::ExecResult r;
    if (x.to) {
        r = world_->execute(state::Message{t.sender, *x.to, x.data}, block, accept);
    } else {
        const CreationPayload p = *parse_creation(x.data);
        r = contracts::deploy_builtin(*world_, p.type, creation_address(t.sender, x.nonce),
                                      t.sender, p.ctor_args, block, accept);
    }
    if (!r.success || !accepted) {
        // A revert or a refusal: whatever logs remain (none) are encoded afresh.
        raw_logs.clear();
        for (const state::LogRecord& log : r.logs) raw_logs.push_back(state::encode_log(log));
        exec_gas = gas::execution(r.state_writes, raw_logs);
    }
    gas_used = r.refused ? x.gas_limit : std::min(x.gas_limit, intrinsic + exec_gas);
    return r;
}

const storage::ReceiptRecord& Chain::apply(SignedTx&& t) {
    if (!open_) throw std::logic_error("Chain::apply without an open block");
    uint64_t gas_used = 0;
    std::vector<state::RawLog> raw_logs;
    const state::ExecResult r = execute(t, gas_used, raw_logs);
    // The nonce advances whether or not the call reverted, as on Ethereum.
    ++nonces_[t.sender];
    ++open_->sent[t.sender];

    const uint64_t number = head_.number + 1;
    const auto index = static_cast<uint32_t>(open_->txs.size());
    storage::ReceiptRecord rec;
    rec.tx_hash = t.hash;
    rec.block_number = number;
    rec.tx_index = index;
    rec.from = t.sender;
    rec.to = t.tx.to;
    if (!t.tx.to && r.success) rec.contract_address = creation_address(t.sender, t.tx.nonce);
    rec.status = r.success ? 1 : 0;
    rec.tx_type = static_cast<uint8_t>(t.tx.type);
    rec.gas_used = gas_used;
    open_->gas_used += gas_used;
    rec.cumulative_gas_used = open_->gas_used;
    // The base fee is always zero.
    rec.effective_gas_price = tx::effective_gas_price(t.tx, u256(0));
    if (!r.success) rec.revert_data = r.output;
    rec.logs.reserve(raw_logs.size());
    for (state::RawLog& raw : raw_logs) {
        rec.logs.push_back(storage::LogRecordStored{raw.address, std::move(raw.topics),
                                                    std::move(raw.data), open_->log_count++});
    }
    open_->txs.push_back(storage::TxRecord{t.hash, std::move(t.raw), t.sender, number, index});
    open_->receipts.push_back(std::move(rec));
    return open_->receipts.back();
}

const storage::TxRecord* Chain::open_transaction(const Bytes32& hash) const {
    if (!open_) return nullptr;
    for (const storage::TxRecord& t : open_->txs) {
        if (t.hash == hash) return &t;
    }
    return nullptr;
}

SealedBlock Chain::seal() {
    if (!open_) throw std::logic_error("Chain::seal without an open block");
    SealedBlock out;
    storage::BlockRecord& b = out.block;
    b.number = head_.number + 1;
    b.parent_hash = head_.hash;
    b.timestamp = open_->timestamp;
    b.gas_limit = gas::kBlockGasLimit;
    b.gas_used = open_->gas_used;
    b.tx_hashes.reserve(open_->txs.size());
    for (const storage::TxRecord& t : open_->txs) b.tx_hashes.push_back(t.hash);
    b.transactions_root = transactions_root(b.tx_hashes);
    b.receipts_root = receipts_root(open_->receipts);
    b.logs_bloom = logs_bloom(open_->receipts);
    // Not a state trie root: a chained commitment to every transition so far
    // (parent's commitment, this block's transactions and their receipts).
    Bytes buf;
    buf.insert(buf.end(), head_.state_root.b.begin(), head_.state_root.b.end());
    buf.insert(buf.end(), b.transactions_root.b.begin(), b.transactions_root.b.end());
    buf.insert(buf.end(), b.receipts_root.b.begin(), b.receipts_root.b.end());
    b.state_root = keccak256(ByteView(buf));
    seal_hash(b);
    last_block_txs_ = open_->txs.size();
    out.txs = std::move(open_->txs);
    out.receipts = std::move(open_->receipts);
    head_ = ChainHead{b.number, b.hash, b.state_root, b.timestamp};
    open_.reset();
    return out;
}

uint64_t Chain::nonce(const Address& a, bool pending) const {
    auto it = nonces_.find(a);
    uint64_t n = it == nonces_.end() ? 0 : it->second;
    if (!pending && open_) {
        auto s = open_->sent.find(a);
        if (s != open_->sent.end()) n -= s->second;
    }
    return n;
}

CallOutcome Chain::call(const Address& from, const std::optional<Address>& to, const Bytes& data,
                        uint64_t gas_limit) {
    CallOutcome out;
    const uint64_t intrinsic = gas::intrinsic(data, !to.has_value(), 0, 0);
    const state::BlockContext block{head_.number + 1,
                                    open_ ? open_->timestamp : head_.timestamp + 1, chain_id_};
    if (to) {
        out.result = world_->simulate(state::Message{from, *to, data}, block);
        out.gas_used = intrinsic + gas::execution(out.result);
    } else {
        // A deployment is simulated by refusing to commit it once it has run.
        const std::optional<CreationPayload> p = parse_creation(data);
        if (!p || !contracts::is_builtin_type(p->type)) {
            out.result.success = false;
            out.gas_used = intrinsic;
            return out;
        }
        uint64_t exec_gas = 0;
        state::ExecResult r = contracts::deploy_builtin(
            *world_, p->type, creation_address(from, nonce(from, true)), from, p->ctor_args, block,
            [&exec_gas](const state::ExecResult& res) {
                exec_gas = gas::execution(res);
                return false;
            });
        if (r.refused) {
            r.success = true;
            r.refused = false;
        } else {
            exec_gas = gas::execution(r);
        }
        out.result = std::move(r);
        out.gas_used = intrinsic + exec_gas;
    }
    if (out.gas_used > gas_limit) {
        out.result.success = false;
        out.result.refused = true;
        out.result.output.clear();
        out.result.logs.clear();
    }
    return out;
}

}  // namespace ampd::node
