// The partition strategy validators: their state in a snapshot, and back.
// The prefix is fixed by the type and the accepted interface hash follows
// from it, so `amp` is all there is.
#include "ampd/contracts/partition_validators.hpp"
#include "ampd/state/snapshot_codec.hpp"

namespace ampd::contracts {

void PartitionStrategyValidatorBase::save(state::SnapshotWriter& w) const {
    w.address(amp_);
}

std::unique_ptr<state::Contract> CollateralPoolPartitionValidator::load(const Address& self,
                                                                        state::SnapshotReader& r) {
    r.section("CollateralPoolPartitionValidator");
    const Address amp = r.address();
    return std::unique_ptr<state::Contract>(new CollateralPoolPartitionValidator(self, amp));
}

std::unique_ptr<state::Contract> HolderCollateralPartitionValidator::load(
    const Address& self, state::SnapshotReader& r) {
    r.section("HolderCollateralPartitionValidator");
    const Address amp = r.address();
    return std::unique_ptr<state::Contract>(new HolderCollateralPartitionValidator(self, amp));
}

}  // namespace ampd::contracts
