// The world state: every contract instance by address, the undo journal and
// the logs of the transaction in progress. Execution is a pure function of
// (state, message, block context): nothing here reads a clock or iterates an
// unordered container in a way that decides state or event order.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "ampd/primitives/bytes.hpp"
#include "ampd/state/contract.hpp"
#include "ampd/state/journal.hpp"
#include "ampd/state/log.hpp"
#include "ampd/state/revert.hpp"

namespace ampd::state {

// A call into the state machine (a transaction or an eth_call).
struct Message {
    Address from;
    Address to;
    Bytes data;
};

struct ExecResult {
    bool success = false;
    Bytes output;  // return data on success, revert data otherwise
    Revert::Kind revert_kind = Revert::Kind::kEmpty;
    std::string revert_reason;  // Error(string) message when revert_kind == kReason
    std::vector<LogRecord> logs;
    // Journal records written by the call (state changes, counted before a
    // rollback too): the node's gas schedule charges for them.
    uint64_t state_writes = 0;
    // Set when the caller's admission check refused to commit a successful
    // call (the node's gas limit); state is rolled back as for a revert.
    bool refused = false;

    [[nodiscard]] std::string_view error_name() const {
        return revert_kind == Revert::Kind::kInvalidOpcode ? "invalid opcode" : "revert";
    }
};

class World {
public:
    World() = default;

    [[nodiscard]] Contract* contract_at(const Address& a) const {
        auto it = contracts_.find(a);
        return it == contracts_.end() ? nullptr : it->second.get();
    }

    // The contract at `a` as interface I, or nullptr if there is none or it
    // does not implement I.
    template <class I>
    [[nodiscard]] I* contract_as(const Address& a) const {
        return dynamic_cast<I*>(contract_at(a));
    }
    // Same, but reverts without data when absent, as Solidity does when an
    // external call targets an address without code or a missing function.
    template <class I>
    I& require_contract(const Address& a) const {
        I* c = contract_as<I>(a);
        if (c == nullptr) revert_empty();
        return *c;
    }

    // Runs `msg` as a transaction and commits it if it succeeds; a revert
    // leaves no trace in state. Logs are returned in the result.
    ExecResult execute(const Message& msg, const BlockContext& block);
    // Same, but a successful call commits only if `accept(result)` agrees;
    // otherwise it is rolled back and returned with success = false and
    // refused = true (used to enforce a gas limit computed from the result).
    using Acceptor = std::function<bool(const ExecResult&)>;
    ExecResult execute(const Message& msg, const BlockContext& block, const Acceptor& accept);
    // Runs `msg` and always rolls back (eth_call, view reads).
    ExecResult simulate(const Message& msg, const BlockContext& block);

    // Creates a contract at `at` from `from` as one atomic transaction: the
    // constructor `ctor` runs in a frame whose address(this) is `at`, and
    // must return the new instance; its events are the result's logs.
    using Constructor = std::function<std::unique_ptr<Contract>(CallContext&)>;
    ExecResult deploy(const Address& at, const Address& from, const Constructor& ctor,
                      const BlockContext& block, const Acceptor& accept = {});

    // Installs an instance outside any transaction (genesis).
    void install(std::unique_ptr<Contract> c);

    Journal& journal() { return journal_; }
    [[nodiscard]] const Journal& journal() const { return journal_; }
    void emit(LogRecord&& log) { logs_.push_back(std::move(log)); }
    // Logs emitted by typed calls made directly on contracts, outside
    // execute()/simulate()/deploy() (the node's and benchmarks' fast path).
    [[nodiscard]] const std::vector<LogRecord>& pending_logs() const { return logs_; }
    // Drops them, keeping the buffer's capacity.
    void clear_pending_logs() { logs_.clear(); }

    [[nodiscard]] size_t contract_count() const { return contracts_.size(); }
    // Addresses of every contract, sorted (deterministic order).
    [[nodiscard]] std::vector<Address> contract_addresses() const;

private:
    ExecResult run(const Message& msg, const BlockContext& block, bool commit,
                   const Acceptor* accept);
    template <class Body>
    ExecResult transact(bool commit, const Acceptor* accept, Body&& body);

    std::unordered_map<Address, std::unique_ptr<Contract>, AddressHash> contracts_;
    Journal journal_;
    std::vector<LogRecord> logs_;
};

}  // namespace ampd::state
