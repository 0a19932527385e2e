// The catalogue of built-in contract types: how a fresh world is set up,
// how a deployment of a named type is carried out, and how a whole world is
// saved to a snapshot and loaded back.
#pragma once

#include <memory>
#include <string_view>

#include "ampd/primitives/bytes.hpp"
#include "ampd/state/snapshot_codec.hpp"
#include "ampd/state/world.hpp"

namespace ampd::contracts {

// An empty world holding only the ERC-1820 registry at its canonical address.
[[nodiscard]] std::unique_ptr<state::World> new_world();

// True for the contract types deploy_builtin() knows:
// Amp, SwapToken, CollateralPoolPartitionValidator,
// HolderCollateralPartitionValidator, FlexaCollateralManager, Clearinghouse
// (constructor `(address amp)`).
[[nodiscard]] bool is_builtin_type(std::string_view type);

// Deploys a contract of built-in `type` at `at` with `from` as msg.sender;
// `ctor_args` is the ABI encoding of the constructor arguments. Atomic: a
// failed constructor leaves no trace. An unknown type reverts without data.
state::ExecResult deploy_builtin(state::World& world, std::string_view type, const Address& at,
                                 const Address& from, ByteView ctor_args,
                                 const state::BlockContext& block,
                                 const state::World::Acceptor& accept = {});

// --- Snapshots of the complete state (docs/DESIGN.md, "Snapshots").

// Every contract of `world` as bytes: magic "AMPDSNAP", format version, the
// number of contracts, then for each contract in address order its type
// name, address and length-prefixed body (Contract::save). Deterministic:
// worlds that behave the same give the same bytes. Only between
// transactions: throws std::logic_error while the journal holds records.
[[nodiscard]] Bytes save_world(const state::World& world);
// Appends what w.bytes(save_world(world)) would (a length-prefixed field)
// without the intermediate copy: for a world inside a larger snapshot. Read
// it back with load_world(r.bytes_view()).
void save_world(const state::World& world, state::SnapshotWriter& w);

// The world save_world() wrote. Throws state::SnapshotError for malformed,
// truncated, non-canonical or inconsistent input and for unknown types.
[[nodiscard]] std::unique_ptr<state::World> load_world(ByteView snapshot);

// keccak256(save_world(world)): equal exactly when the states are.
[[nodiscard]] Bytes32 state_hash(const state::World& world);

}  // namespace ampd::contracts
