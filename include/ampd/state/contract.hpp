// A built-in contract instance living at an address, and the frame it runs in.
#pragma once

#include <cstdint>
#include <string_view>

#include "ampd/primitives/bytes.hpp"
#include "ampd/state/journal.hpp"
#include "ampd/state/log.hpp"

namespace ampd::state {

class World;
class SnapshotReader;
class SnapshotWriter;

// Block-level inputs. The state machine reads time only from here.
struct BlockContext {
    uint64_t number = 0;
    uint64_t timestamp = 0;
    uint64_t chain_id = 1;
};

// One call frame: what Solidity code sees as address(this), msg.sender,
// tx.origin, msg.sig and block.*.
struct CallContext {
    World& world;
    Address self;
    Address sender;
    Address origin;
    Bytes4 sig;
    const BlockContext& block;

    [[nodiscard]] Journal& journal() const;
    void emit(LogRecord&& log) const;
    // The frame of an external call from this contract to `target` invoking
    // the function with selector `callee_sig`: msg.sender becomes address(this).
    [[nodiscard]] CallContext call_to(const Address& target, const Bytes4& callee_sig) const {
        return CallContext{world, target, self, origin, callee_sig, block};
    }
};

class Contract {
public:
    explicit Contract(const Address& self) : self_(self) {}
    virtual ~Contract() = default;
    Contract(const Contract&) = delete;
    Contract& operator=(const Contract&) = delete;
    Contract(Contract&&) = delete;
    Contract& operator=(Contract&&) = delete;

    [[nodiscard]] const Address& address() const { return self_; }
    [[nodiscard]] virtual std::string_view type_name() const = 0;

    // Runs the external function selected by the first four bytes of
    // `calldata` and returns its ABI-encoded return data. Throws Revert.
    // An unknown selector or short/malformed arguments revert without data,
    // as a Solidity contract without a fallback function does.
    virtual Bytes dispatch(CallContext& ctx, ByteView calldata) = 0;

    // Writes every piece of state that decides the contract's behaviour, in
    // a canonical form: two instances that behave the same write the same
    // bytes (tables sorted by key, entries equal to the zero value left
    // out, caches not written). Each type's loader reads it back (see
    // contracts/builtin.hpp, load_world). Only between transactions.
    virtual void save(SnapshotWriter& w) const = 0;

private:
    Address self_;
};

}  // namespace ampd::state
