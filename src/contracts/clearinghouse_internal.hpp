// Shared by the Clearinghouse translation units: event descriptors, revert
// reasons, selectors of the calls it makes, and journaled writes into its
// tables.
#pragma once

#include <string_view>

#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/primitives/bytes.hpp"
#include "ampd/state/flat_map.hpp"
#include "ampd/state/journal.hpp"
#include "ampd/state/log.hpp"

namespace ampd::contracts::clearinghouse_detail {

struct Events {
    state::EventDescriptor pool_registered;
    state::EventDescriptor assurer_set;
    state::EventDescriptor guarantee_opened;
    state::EventDescriptor guarantee_settled;
    state::EventDescriptor guarantee_claimed;
    state::EventDescriptor guarantee_released;
    state::EventDescriptor loss_recorded;
    state::EventDescriptor withdrawal_root_published;
    state::EventDescriptor fallback_root_published;
};
const Events& events();

// Revert reasons (docs/CLEARINGHOUSE_DESIGN.md lists when each applies).
namespace reason {
inline constexpr std::string_view kUnknownPool = "Unknown pool";
inline constexpr std::string_view kNotAssurer = "Not an assurer";
inline constexpr std::string_view kGuaranteeExists = "Guarantee exists";
inline constexpr std::string_view kUnknownGuarantee = "Unknown guarantee";
inline constexpr std::string_view kNotOpen = "Guarantee not open";
inline constexpr std::string_view kNotExpired = "Not expired";
inline constexpr std::string_view kInsufficientCollateral = "Insufficient collateral";
inline constexpr std::string_view kInvalidBeneficiary = "Invalid beneficiary";
inline constexpr std::string_view kInvalidAmount = "Invalid amount";
inline constexpr std::string_view kExpiryInPast = "Expiry in the past";
// Additions in the same style.
inline constexpr std::string_view kNotManager = "Not a collateral manager";
inline constexpr std::string_view kNotOwner = "Not the manager owner";
inline constexpr std::string_view kPartitionNotPermitted = "Partition not permitted";
inline constexpr std::string_view kInvalidPolicy = "Invalid expiry policy";
inline constexpr std::string_view kPoolExists = "Pool exists";
inline constexpr std::string_view kReleaseNotAllowed = "Release not allowed";
inline constexpr std::string_view kFallbackActive = "Fallback active";
inline constexpr std::string_view kExpiryAfterFallback = "Expiry after fallback";
inline constexpr std::string_view kNotDirectTransferer = "Not the direct transferer";
inline constexpr std::string_view kWithdrawalLimit = "Withdrawal limit exceeded";
inline constexpr std::string_view kPoolBalanceTooLow = "Pool balance too low";
inline constexpr std::string_view kLengthMismatch = "Length mismatch";
inline constexpr std::string_view kNothingToPublish = "Nothing to publish";
inline constexpr std::string_view kNotWithdrawalPublisher = "Not the withdrawal publisher";
inline constexpr std::string_view kNotFallbackPublisher = "Not the fallback publisher";
}  // namespace reason

// Restores one field of the record of `key` (records are never erased, so
// the key is still in the table when the journal rolls back; FlatMap slots
// move as the table grows, so the undo names the key, not a pointer).
template <class Map, class K, class V, class F>
struct RestoreField {
    Map* map;
    K key;
    F V::*field;
    F old;
    void operator()() const { map->find(key)->*field = old; }
};

template <class K, class V, class H, class F>
void journaled_field(state::Journal& journal, state::FlatMap<K, V, H>& map, const K& key,
                     F V::*field, const F& value) {
    V* rec = map.find(key);
    if (rec == nullptr) {
        if (value == F{}) return;  // an absent record already holds the zero value
        rec = &map.get_or_insert(key);
    }
    if ((*rec).*field == value) return;
    journal.record(RestoreField<state::FlatMap<K, V, H>, K, V, F>{&map, key, field, (*rec).*field});
    (*rec).*field = value;
}

// Sets a record that is absent (zero) now; undone by zeroing it again.
template <class K, class V, class H>
struct ClearSlot {
    state::FlatMap<K, V, H>* map;
    K key;
    void operator()() const { *map->find(key) = V{}; }
};

}  // namespace ampd::contracts::clearinghouse_detail
