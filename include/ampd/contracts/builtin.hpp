// The catalogue of built-in contract types: how a fresh world is set up and
// how a deployment of a named type is carried out.
#pragma once

#include <memory>
#include <string_view>

#include "ampd/primitives/bytes.hpp"
#include "ampd/state/world.hpp"

namespace ampd::contracts {

// An empty world holding only the ERC-1820 registry at its canonical address.
[[nodiscard]] std::unique_ptr<state::World> new_world();

// True for the contract types deploy_builtin() knows:
// Amp, SwapToken, CollateralPoolPartitionValidator,
// HolderCollateralPartitionValidator, FlexaCollateralManager.
[[nodiscard]] bool is_builtin_type(std::string_view type);

// Deploys a contract of built-in `type` at `at` with `from` as msg.sender;
// `ctor_args` is the ABI encoding of the constructor arguments. Atomic: a
// failed constructor leaves no trace. An unknown type reverts without data.
state::ExecResult deploy_builtin(state::World& world, std::string_view type, const Address& at,
                                 const Address& from, ByteView ctor_args,
                                 const state::BlockContext& block);

}  // namespace ampd::contracts
