// Shared by the FlexaCollateralManager translation units: event descriptors,
// checked arithmetic with the SafeMath revert strings, journaled map slots.
#pragma once

#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/primitives/u256.hpp"
#include "ampd/state/journal.hpp"
#include "ampd/state/log.hpp"
#include "ampd/state/revert.hpp"

namespace ampd::contracts::fcm {

struct Events {
    state::EventDescriptor supply_receipt;
    state::EventDescriptor withdrawal;
    state::EventDescriptor fallback_withdrawal;
    state::EventDescriptor release_request;
    state::EventDescriptor supply_refund;
    state::EventDescriptor direct_transfer;
    state::EventDescriptor partition_added;
    state::EventDescriptor partition_removed;
    state::EventDescriptor withdrawal_root_hash_addition;
    state::EventDescriptor withdrawal_root_hash_removal;
    state::EventDescriptor withdrawal_limit_update;
    state::EventDescriptor fallback_root_hash_set;
    state::EventDescriptor fallback_mechanism_date_reset;
    state::EventDescriptor fallback_withdrawal_delay_update;
    state::EventDescriptor withdrawal_publisher_update;
    state::EventDescriptor fallback_publisher_update;
    state::EventDescriptor withdrawal_limit_publisher_update;
    state::EventDescriptor direct_transferer_update;
    state::EventDescriptor partition_manager_update;
    state::EventDescriptor ownership_transfer_authorization;
    state::EventDescriptor owner_update;
};

const Events& events();

inline u256 safe_add(const u256& a, const u256& b) {
    u256 r;
    if (add_overflow(a, b, r)) state::revert("SafeMath: addition overflow");
    return r;
}

inline u256 safe_sub(const u256& a, const u256& b) {
    u256 r;
    if (sub_underflow(a, b, r)) state::revert("SafeMath: subtraction overflow");
    return r;
}

// The value slot of `key` in a node-based map, created on first write. A
// key created here is erased again if the transaction rolls back, so a
// reverted write leaves the map exactly as it was.
template <class Map, class Key>
typename Map::mapped_type& slot(state::Journal& journal, Map& map, const Key& key) {
    auto [it, inserted] = map.try_emplace(key);
    if (inserted) {
        Map* m = &map;
        journal.record([m, key] { m->erase(key); });
    }
    return it->second;
}

}  // namespace ampd::contracts::fcm
