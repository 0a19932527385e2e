#include "ampd/state/world.hpp"

#include <algorithm>
#include <utility>

namespace ampd::state {

Journal& CallContext::journal() const {
    return world.journal();
}

void CallContext::emit(LogRecord&& log) const {
    world.emit(std::move(log));
}

// Runs `body` as one atomic transaction: on a Revert every journaled change
// and every log since the start is dropped; `commit` = false drops them even
// on success (eth_call).
template <class Body>
ExecResult World::transact(bool commit, const Acceptor* accept, Body&& body) {
    ExecResult r;
    const Journal::Checkpoint cp = journal_.checkpoint();
    const size_t log_mark = logs_.size();
    try {
        r.output = body();
        r.success = true;
        r.logs.assign(std::make_move_iterator(logs_.begin() + static_cast<ptrdiff_t>(log_mark)),
                      std::make_move_iterator(logs_.end()));
        r.state_writes = journal_.size() - cp;
    } catch (const Revert& rv) {
        r.success = false;
        r.revert_kind = rv.kind;
        r.revert_reason = rv.reason;
        r.output = rv.data();
        r.state_writes = journal_.size() - cp;
    }
    logs_.resize(log_mark);
    if (r.success && accept != nullptr && *accept && !(*accept)(r)) {
        r.success = false;
        r.refused = true;
        r.output.clear();
        r.logs.clear();
    }
    if (r.success && commit) {
        if (cp == 0) journal_.commit();
    } else {
        journal_.rollback(cp);
    }
    return r;
}

ExecResult World::run(const Message& msg, const BlockContext& block, bool commit,
                       const Acceptor* accept) {
    return transact(commit, accept, [&]() -> Bytes {
        Contract* c = contract_at(msg.to);
        // A call to an address without code succeeds and returns nothing.
        if (c == nullptr) return {};
        Bytes4 sig;
        if (msg.data.size() >= 4) sig = Bytes4::from(ByteView(msg.data.data(), 4));
        CallContext ctx{*this, msg.to, msg.from, msg.from, sig, block};
        return c->dispatch(ctx, msg.data);
    });
}

ExecResult World::execute(const Message& msg, const BlockContext& block) {
    return run(msg, block, true, nullptr);
}

ExecResult World::execute(const Message& msg, const BlockContext& block, const Acceptor& accept) {
    return run(msg, block, true, &accept);
}

ExecResult World::simulate(const Message& msg, const BlockContext& block) {
    return run(msg, block, false, nullptr);
}

ExecResult World::deploy(const Address& at, const Address& from, const Constructor& ctor,
                         const BlockContext& block, const Acceptor& accept) {
    return transact(true, &accept, [&]() -> Bytes {
        // Deploying over existing code is a collision, as CREATE would report.
        if (contracts_.contains(at)) revert_empty();
        CallContext ctx{*this, at, from, from, Bytes4{}, block};
        std::unique_ptr<Contract> c = ctor(ctx);
        if (c == nullptr) revert_empty();
        contracts_.emplace(at, std::move(c));
        auto* self = this;
        journal_.record([self, at] { self->contracts_.erase(at); });
        return {};
    });
}

void World::install(std::unique_ptr<Contract> c) {
    const Address at = c->address();
    contracts_[at] = std::move(c);
}

std::vector<Address> World::contract_addresses() const {
    std::vector<Address> out;
    out.reserve(contracts_.size());
    for (const auto& [addr, c] : contracts_) out.push_back(addr);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace ampd::state
