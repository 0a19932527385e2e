#include "ampd/contracts/builtin.hpp"

#include <array>
#include <utility>

#include "ampd/contracts/amp.hpp"
#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/contracts/constants.hpp"
#include "ampd/contracts/erc1820_registry.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partition_validators.hpp"
#include "ampd/contracts/swap_token.hpp"

namespace ampd::contracts {

namespace {

using Factory = std::unique_ptr<state::Contract> (*)(state::CallContext&, ByteView);

struct BuiltinType {
    std::string_view name;
    Factory create;
};

constexpr std::array<BuiltinType, 6> kTypes{{
    {"Amp", &Amp::create},
    {"SwapToken", &SwapToken::create},
    {"CollateralPoolPartitionValidator", &CollateralPoolPartitionValidator::create},
    {"HolderCollateralPartitionValidator", &HolderCollateralPartitionValidator::create},
    {"FlexaCollateralManager", &FlexaCollateralManager::create},
    {"Clearinghouse", &Clearinghouse::create},
}};

Factory find_factory(std::string_view type) {
    for (const auto& t : kTypes) {
        if (t.name == type) return t.create;
    }
    return nullptr;
}

}  // namespace

std::unique_ptr<state::World> new_world() {
    auto world = std::make_unique<state::World>();
    world->install(std::make_unique<Erc1820Registry>(erc1820_registry_address()));
    return world;
}

bool is_builtin_type(std::string_view type) {
    return find_factory(type) != nullptr;
}

state::ExecResult deploy_builtin(state::World& world, std::string_view type, const Address& at,
                                 const Address& from, ByteView ctor_args,
                                 const state::BlockContext& block,
                                 const state::World::Acceptor& accept) {
    Factory create = find_factory(type);
    Bytes args(ctor_args.begin(), ctor_args.end());
    return world.deploy(
        at, from,
        [create,
         args = std::move(args)](state::CallContext& ctx) -> std::unique_ptr<state::Contract> {
            if (create == nullptr) state::revert_empty();
            return create(ctx, args);
        },
        block, accept);
}

}  // namespace ampd::contracts
