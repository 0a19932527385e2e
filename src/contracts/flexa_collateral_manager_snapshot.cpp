// FlexaCollateralManager: its state in a snapshot, and back.
//
// The three node-based maps are written with every key they hold, zero
// values included: fcm::slot journals the erasure of a key it creates, so
// whether a key exists decides how many journal records a transaction
// writes (ExecResult::state_writes, which the node charges for). Keys exist
// only once a committed transaction wrote them, so this is still a function
// of the committed history alone. Supplies keep their order (the index is
// the supply nonce), refunded ones included.
#include <utility>

#include "ampd/contracts/flexa_collateral_manager.hpp"
#include "ampd/state/snapshot_codec.hpp"
#include "contracts/snapshot_tables.hpp"

namespace ampd::contracts {

using state::SnapshotReader;
using state::SnapshotWriter;

namespace {

using snapshot::Less;

// Every key is kept (see above).
struct KeepAll {
    template <class V>
    bool operator()(const V& /*v*/) const {
        return false;
    }
};

}  // namespace

void FlexaCollateralManager::save(SnapshotWriter& w) const {
    for (const Address* a :
         {&amp_, &owner_, &authorized_new_owner_, &withdrawal_publisher_, &fallback_publisher_,
          &withdrawal_limit_publisher_, &direct_transferer_, &partition_manager_}) {
        w.address(*a);
    }
    w.uint256(supply_nonce_);
    w.uint256(withdrawal_limit_);
    w.uint256(max_withdrawal_root_nonce_);
    w.uint256(fallback_delay_);
    w.bytes32(fallback_root_);
    w.uint256(fallback_set_date_);
    w.uint256(fallback_max_included_supply_nonce_);

    snapshot::write_list(w, supplies_, [](SnapshotWriter& out, const Supply& s) {
        out.address(s.supplier);
        out.bytes32(s.partition);
        out.uint256(s.amount);
    });
    snapshot::write_table(w, partitions_, Less{}, KeepAll{},
                          [](SnapshotWriter& out, const Bytes32& p, bool permitted) {
                              out.bytes32(p);
                              out.boolean(permitted);
                          });
    snapshot::write_table(w, withdrawal_root_nonce_, Less{}, KeepAll{},
                          [](SnapshotWriter& out, const Bytes32& root, const u256& nonce) {
                              out.bytes32(root);
                              out.uint256(nonce);
                          });
    snapshot::write_table(
        w, accounts_,
        [](const AccountKey& a, const AccountKey& b) {
            const int c = snapshot::compare(a.partition, b.partition);
            return c != 0 ? c < 0 : snapshot::compare(a.supplier, b.supplier) < 0;
        },
        KeepAll{},
        [](SnapshotWriter& out, const AccountKey& k, const WithdrawalAccount& acc) {
            out.bytes32(k.partition);
            out.address(k.supplier);
            out.uint256(acc.withdrawal_nonce);
            out.uint256(acc.cumulative_withdrawn);
        });
}

std::unique_ptr<state::Contract> FlexaCollateralManager::load(const Address& self,
                                                              SnapshotReader& r) {
    r.section("FlexaCollateralManager.header");
    const Address amp = r.address();
    const Address owner = r.address();
    std::unique_ptr<FlexaCollateralManager> m(new FlexaCollateralManager(self, amp, owner));
    for (Address* a :
         {&m->authorized_new_owner_, &m->withdrawal_publisher_, &m->fallback_publisher_,
          &m->withdrawal_limit_publisher_, &m->direct_transferer_, &m->partition_manager_}) {
        *a = r.address();
    }
    m->supply_nonce_ = r.uint256();
    m->withdrawal_limit_ = r.uint256();
    m->max_withdrawal_root_nonce_ = r.uint256();
    m->fallback_delay_ = r.uint256();
    m->fallback_root_ = r.bytes32();
    m->fallback_set_date_ = r.uint256();
    m->fallback_max_included_supply_nonce_ = r.uint256();

    r.section("FlexaCollateralManager.supplies");
    m->supplies_ = snapshot::read_list<Supply>(r, 20 + 32 + 1, [](SnapshotReader& in) {
        Supply s;
        s.supplier = in.address();
        s.partition = in.bytes32();
        s.amount = in.uint256();
        return s;
    });
    // Every receipt takes the next nonce and appends its supply.
    if (m->supply_nonce_ != u256(static_cast<uint64_t>(m->supplies_.size()))) {
        r.fail("supply nonce does not match the number of supplies");
    }
    r.section("FlexaCollateralManager.partitions");
    snapshot::read_table(r, m->partitions_, 32 + 1, Less{}, KeepAll{}, [](SnapshotReader& in) {
        const Bytes32 p = in.bytes32();
        return std::pair{p, in.boolean()};
    });
    r.section("FlexaCollateralManager.withdrawal_roots");
    snapshot::read_table(r, m->withdrawal_root_nonce_, 32 + 1, Less{}, KeepAll{},
                         [](SnapshotReader& in) {
                             const Bytes32 root = in.bytes32();
                             return std::pair{root, in.uint256()};
                         });
    r.section("FlexaCollateralManager.accounts");
    snapshot::read_table(
        r, m->accounts_, 32 + 20 + 2,
        [](const AccountKey& a, const AccountKey& b) {
            const int c = snapshot::compare(a.partition, b.partition);
            return c != 0 ? c < 0 : snapshot::compare(a.supplier, b.supplier) < 0;
        },
        KeepAll{},
        [](SnapshotReader& in) {
            AccountKey k;
            k.partition = in.bytes32();
            k.supplier = in.address();
            WithdrawalAccount acc;
            acc.withdrawal_nonce = in.uint256();
            acc.cumulative_withdrawn = in.uint256();
            return std::pair{k, acc};
        });
    return m;
}

}  // namespace ampd::contracts
