// Snapshots of a whole world: every contract, in address order, as its type
// name, address and the body its save() writes. See docs/DESIGN.md,
// "Snapshots", for the format and the determinism rules.
#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ampd/contracts/amp.hpp"
#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/contracts/erc1820_registry.hpp"
#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/contracts/partition_validators.hpp"
#include "ampd/contracts/swap_token.hpp"
#include "ampd/primitives/keccak.hpp"
#include "ampd/state/snapshot_codec.hpp"

namespace ampd::contracts {

namespace {

constexpr std::array<uint8_t, 8> kMagic{'A', 'M', 'P', 'D', 'S', 'N', 'A', 'P'};
// Bumped whenever any contract's body layout changes: a node must not read
// a snapshot written by a build with a different layout.
constexpr uint32_t kVersion = 1;

using Loader = std::unique_ptr<state::Contract> (*)(const Address&, state::SnapshotReader&);

struct LoadableType {
    std::string_view name;  // Contract::type_name()
    Loader load;
};

// Every type a world can hold: the deployable ones and the registry that
// new_world() installs.
constexpr std::array<LoadableType, 7> kLoadable{{
    {"ERC1820Registry", &Erc1820Registry::load},
    {"Amp", &Amp::load},
    {"SwapToken", &SwapToken::load},
    {"CollateralPoolPartitionValidator", &CollateralPoolPartitionValidator::load},
    {"HolderCollateralPartitionValidator", &HolderCollateralPartitionValidator::load},
    {"FlexaCollateralManager", &FlexaCollateralManager::load},
    {"Clearinghouse", &Clearinghouse::load},
}};

Loader find_loader(std::string_view type) {
    for (const auto& t : kLoadable) {
        if (t.name == type) return t.load;
    }
    return nullptr;
}

// A type name from untrusted input, safe to put in a message.
std::string printable(std::string_view s) {
    std::string out;
    for (const char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (s.size() > 64) out += "...";
    return out;
}

// The snapshot of `world`, appended to `w` without a length prefix.
void write_world(const state::World& world, state::SnapshotWriter& w) {
    if (world.journal().size() != 0) {
        throw std::logic_error("save_world: a transaction is in progress (journal not empty)");
    }
    for (const uint8_t b : kMagic) w.u8(b);
    w.u32(kVersion);
    const std::vector<Address> addresses = world.contract_addresses();
    w.count(addresses.size());
    for (const Address& at : addresses) {
        const state::Contract* c = world.contract_at(at);
        w.string(c->type_name());
        w.address(at);
        const size_t mark = w.begin_block();
        c->save(w);
        w.end_block(mark);
    }
}

}  // namespace

Bytes save_world(const state::World& world) {
    state::SnapshotWriter w;
    write_world(world, w);
    return std::move(w).take();
}

void save_world(const state::World& world, state::SnapshotWriter& w) {
    const size_t mark = w.begin_block();
    write_world(world, w);
    w.end_block(mark);
}

std::unique_ptr<state::World> load_world(ByteView snapshot) {
    state::SnapshotReader r(snapshot);
    r.section("world header");
    for (const uint8_t b : kMagic) {
        if (r.u8() != b) r.fail("bad magic (not an ampd world snapshot)");
    }
    const uint32_t version = r.u32();
    if (version != kVersion) {
        r.fail("unsupported format version " + std::to_string(version) + " (this build reads " +
               std::to_string(kVersion) + ")");
    }
    // Smallest entry: an empty type name, an address and an empty body.
    const size_t n = r.count(8 + 20 + 8);
    auto world = std::make_unique<state::World>();
    Address prev;
    for (size_t i = 0; i < n; ++i) {
        r.section("world contract table");
        const std::string type = r.string();
        const Address at = r.address();
        if (i > 0 && !(prev < at)) r.fail("contract addresses not strictly ascending");
        prev = at;
        const Loader load = find_loader(type);
        if (load == nullptr) r.fail("unknown contract type '" + printable(type) + "'");
        state::SnapshotReader body = r.block();
        std::unique_ptr<state::Contract> c = load(at, body);
        body.expect_end();
        world->install(std::move(c));
    }
    r.section("world");
    r.expect_end();
    return world;
}

Bytes32 state_hash(const state::World& world) {
    return keccak256(ByteView(save_world(world)));
}

}  // namespace ampd::contracts
