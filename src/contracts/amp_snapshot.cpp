// Amp: its state in a snapshot, and back.
//
// Every table is written whole (sorted, zero records left out): the
// partition list entries and the 1-based indexes into them are state of
// their own in the reference contract, and writing them as they are keeps
// the loader from having to re-derive anything. The ordered lists
// (totalPartitions, collateral managers, partition strategies) keep their
// order, which the views expose. validator_hashes_ and registry_ are caches
// and fill again on first use.
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "ampd/contracts/amp.hpp"
#include "ampd/state/snapshot_codec.hpp"
#include "contracts/snapshot_tables.hpp"

namespace ampd::contracts {

using amp_detail::AccountKey;
using amp_detail::AccountRecord;
using amp_detail::AddressPairKey;
using amp_detail::HolderPartitionKey;
using amp_detail::HolderSlotKey;
using amp_detail::PartitionBalance;
using amp_detail::PartitionPairKey;
using amp_detail::PartitionSupply;
using snapshot::IsZero;
using state::SnapshotReader;
using state::SnapshotWriter;

namespace {

// Smallest encodings, for bounding counts: a zero u256 is one byte.
constexpr size_t kU256Min = 1;

using snapshot::compare;

// Orders addresses by their bytes (AccountKey holds them verbatim).
struct AccountKeyLess {
    bool operator()(const AccountKey& a, const AccountKey& b) const {
        return snapshot::compare_bytes<20>(reinterpret_cast<const uint8_t*>(a.w),
                                           reinterpret_cast<const uint8_t*>(b.w)) < 0;
    }
};
struct HolderPartitionLess {
    bool operator()(const HolderPartitionKey& a, const HolderPartitionKey& b) const {
        const int c = compare(a.holder, b.holder);
        return c != 0 ? c < 0 : compare(a.partition, b.partition) < 0;
    }
};
struct HolderSlotLess {
    bool operator()(const HolderSlotKey& a, const HolderSlotKey& b) const {
        const int c = compare(a.holder, b.holder);
        return c != 0 ? c < 0 : a.position < b.position;
    }
};
struct AddressPairLess {
    bool operator()(const AddressPairKey& a, const AddressPairKey& b) const {
        const int c = compare(a.first, b.first);
        return c != 0 ? c < 0 : compare(a.second, b.second) < 0;
    }
};
struct PartitionPairLess {
    bool operator()(const PartitionPairKey& a, const PartitionPairKey& b) const {
        int c = compare(a.partition, b.partition);
        if (c == 0) c = compare(a.first, b.first);
        return c != 0 ? c < 0 : compare(a.second, b.second) < 0;
    }
};
using snapshot::Less;

// True when `list` has no repeats and its entries are exactly the keys of
// the set-like table `members` (loaded, so it has no false records).
template <class T, class Map>
bool same_members(const std::vector<T>& list, const Map& members) {
    std::vector<T> sorted = list;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return false;
    if (sorted.size() != members.size()) return false;
    return std::all_of(sorted.begin(), sorted.end(),
                       [&](const T& x) { return members.find(x) != nullptr; });
}

void write_address_pair(SnapshotWriter& w, const AddressPairKey& k) {
    w.address(k.first);
    w.address(k.second);
}
AddressPairKey read_address_pair(SnapshotReader& r) {
    AddressPairKey k;
    k.first = r.address();
    k.second = r.address();
    return k;
}
void write_partition_pair(SnapshotWriter& w, const PartitionPairKey& k) {
    w.bytes32(k.partition);
    w.address(k.first);
    w.address(k.second);
}
PartitionPairKey read_partition_pair(SnapshotReader& r) {
    PartitionPairKey k;
    k.partition = r.bytes32();
    k.first = r.address();
    k.second = r.address();
    return k;
}

}  // namespace

void Amp::save(SnapshotWriter& w) const {
    w.address(swap_token_);
    w.string(name_);
    w.string(symbol_);
    w.address(owner_);
    w.address(authorized_new_owner_);
    w.uint256(total_supply_);
    w.uint256(default_supply_);

    snapshot::write_table(w, accounts_, AccountKeyLess{}, IsZero{},
                          [](SnapshotWriter& out, const AccountKey& k, const AccountRecord& r) {
                              out.address(k.address());
                              out.uint256(r.balance);
                              out.uint256(r.default_balance);
                              out.u32(r.default_index);
                              out.u32(r.partition_count);
                          });
    snapshot::write_table(
        w, partition_balances_, HolderPartitionLess{}, IsZero{},
        [](SnapshotWriter& out, const HolderPartitionKey& k, const PartitionBalance& p) {
            out.address(k.holder);
            out.bytes32(k.partition);
            out.uint256(p.balance);
            out.u64(p.index);
        });
    snapshot::write_table(w, partition_lists_, HolderSlotLess{}, IsZero{},
                          [](SnapshotWriter& out, const HolderSlotKey& k, const Bytes32& p) {
                              out.address(k.holder);
                              out.u32(k.position);
                              out.bytes32(p);
                          });
    snapshot::write_list(w, total_partitions_,
                         [](SnapshotWriter& out, const Bytes32& p) { out.bytes32(p); });
    snapshot::write_table(w, partition_supplies_, Less{}, IsZero{},
                          [](SnapshotWriter& out, const Bytes32& p, const PartitionSupply& s) {
                              out.bytes32(p);
                              out.uint256(s.supply);
                              out.u64(s.index);
                          });

    snapshot::write_key_set(w, operators_, AddressPairLess{}, write_address_pair);
    snapshot::write_key_set(w, partition_operators_, PartitionPairLess{}, write_partition_pair);
    snapshot::write_table(w, allowances_, AddressPairLess{}, IsZero{},
                          [](SnapshotWriter& out, const AddressPairKey& k, const u256& v) {
                              write_address_pair(out, k);
                              out.uint256(v);
                          });
    snapshot::write_table(w, partition_allowances_, PartitionPairLess{}, IsZero{},
                          [](SnapshotWriter& out, const PartitionPairKey& k, const u256& v) {
                              write_partition_pair(out, k);
                              out.uint256(v);
                          });

    snapshot::write_list(w, collateral_managers_,
                         [](SnapshotWriter& out, const Address& a) { out.address(a); });
    snapshot::write_key_set(w, is_collateral_manager_, Less{},
                            [](SnapshotWriter& out, const Address& a) { out.address(a); });
    snapshot::write_list(w, partition_strategies_,
                         [](SnapshotWriter& out, const Bytes4& p) { out.bytes4(p); });
    snapshot::write_key_set(w, is_partition_strategy_, Less{},
                            [](SnapshotWriter& out, const Bytes4& p) { out.bytes4(p); });
}

std::unique_ptr<state::Contract> Amp::load(const Address& self, SnapshotReader& r) {
    r.section("Amp.header");
    const Address swap_token = r.address();
    std::string name = r.string();
    std::string symbol = r.string();
    const Address owner = r.address();
    std::unique_ptr<Amp> a(new Amp(self, swap_token, std::move(name), std::move(symbol), owner));
    a->authorized_new_owner_ = r.address();
    a->total_supply_ = r.uint256();
    a->default_supply_ = r.uint256();

    r.section("Amp.accounts");
    snapshot::read_table(r, a->accounts_, 20 + 2 * kU256Min + 8, AccountKeyLess{}, IsZero{},
                         [](SnapshotReader& in) {
                             const AccountKey k = AccountKey::of(in.address());
                             AccountRecord rec;
                             rec.balance = in.uint256();
                             rec.default_balance = in.uint256();
                             rec.default_index = in.u32();
                             rec.partition_count = in.u32();
                             return std::pair{k, rec};
                         });
    r.section("Amp.partition_balances");
    snapshot::read_table(r, a->partition_balances_, 20 + 32 + kU256Min + 8, HolderPartitionLess{},
                         IsZero{}, [](SnapshotReader& in) {
                             HolderPartitionKey k;
                             k.holder = in.address();
                             k.partition = in.bytes32();
                             PartitionBalance p;
                             p.balance = in.uint256();
                             p.index = in.u64();
                             return std::pair{k, p};
                         });
    r.section("Amp.partition_lists");
    snapshot::read_table(r, a->partition_lists_, 20 + 4 + 32, HolderSlotLess{}, IsZero{},
                         [](SnapshotReader& in) {
                             HolderSlotKey k;
                             k.holder = in.address();
                             k.position = in.u32();
                             return std::pair{k, in.bytes32()};
                         });
    r.section("Amp.total_partitions");
    a->total_partitions_ =
        snapshot::read_list<Bytes32>(r, 32, [](SnapshotReader& in) { return in.bytes32(); });
    r.section("Amp.partition_supplies");
    snapshot::read_table(r, a->partition_supplies_, 32 + kU256Min + 8, Less{}, IsZero{},
                         [](SnapshotReader& in) {
                             const Bytes32 p = in.bytes32();
                             PartitionSupply s;
                             s.supply = in.uint256();
                             s.index = in.u64();
                             return std::pair{p, s};
                         });

    r.section("Amp.operators");
    snapshot::read_key_set(r, a->operators_, 40, AddressPairLess{}, read_address_pair);
    r.section("Amp.partition_operators");
    snapshot::read_key_set(r, a->partition_operators_, 72, PartitionPairLess{},
                           read_partition_pair);
    r.section("Amp.allowances");
    snapshot::read_table(r, a->allowances_, 40 + kU256Min, AddressPairLess{}, IsZero{},
                         [](SnapshotReader& in) {
                             const AddressPairKey k = read_address_pair(in);
                             return std::pair{k, in.uint256()};
                         });
    r.section("Amp.partition_allowances");
    snapshot::read_table(r, a->partition_allowances_, 72 + kU256Min, PartitionPairLess{}, IsZero{},
                         [](SnapshotReader& in) {
                             const PartitionPairKey k = read_partition_pair(in);
                             return std::pair{k, in.uint256()};
                         });

    r.section("Amp.collateral_managers");
    a->collateral_managers_ =
        snapshot::read_list<Address>(r, 20, [](SnapshotReader& in) { return in.address(); });
    r.section("Amp.is_collateral_manager");
    snapshot::read_key_set(r, a->is_collateral_manager_, 20, Less{},
                           [](SnapshotReader& in) { return in.address(); });
    r.section("Amp.partition_strategies");
    a->partition_strategies_ =
        snapshot::read_list<Bytes4>(r, 4, [](SnapshotReader& in) { return in.bytes4(); });
    r.section("Amp.is_partition_strategy");
    snapshot::read_key_set(r, a->is_partition_strategy_, 4, Less{},
                           [](SnapshotReader& in) { return in.bytes4(); });

    a->check_loaded(r);
    return a;
}

// Checks, in one pass over each table and without allocating, what the
// contract's code relies on: every index points at an entry that names it
// back (totalPartitions is a vector indexed by them), every list is exactly
// as long as its recorded length, and the balances add up to the supplies.
void Amp::check_loaded(SnapshotReader& r) const {
    r.section("Amp (consistency of the loaded tables)");

    if (total_partitions_.empty() || !amp_detail::is_zero(total_partitions_[0])) {
        r.fail("totalPartitions does not start with the default partition");
    }
    for (size_t i = 1; i < total_partitions_.size(); ++i) {
        const PartitionSupply* s = partition_supplies_.find(total_partitions_[i]);
        if (s == nullptr || s->supply.is_zero() || s->index != i + 1) {
            r.fail("totalPartitions entry " + std::to_string(i) + " has no matching supply");
        }
    }
    bool bad = false;
    u256 supplies;
    partition_supplies_.for_each([&](const Bytes32& p, const PartitionSupply& s) {
        bad = bad || amp_detail::is_zero(p) || s.supply.is_zero() != (s.index == 0) ||
              (s.index != 0 &&
               (s.index > total_partitions_.size() || total_partitions_[s.index - 1] != p));
        supplies = supplies + s.supply;
    });
    if (bad) r.fail("a partition supply disagrees with totalPartitions");

    u256 balances;
    u256 default_balances;
    uint64_t list_lengths = 0;
    uint64_t filled_slots = 0;
    accounts_.for_each([&](const AccountKey& k, const AccountRecord& a) {
        bad = bad || a.default_index > a.partition_count ||
              (a.default_index == 0) != a.default_balance.is_zero() ||
              a.default_balance > a.balance;
        if (a.default_index != 0) {
            // The default partition's slot holds the zero partition, which
            // is not stored.
            ++filled_slots;
            bad = bad ||
                  partition_lists_.find(HolderSlotKey{k.address(), a.default_index - 1}) != nullptr;
        }
        list_lengths += a.partition_count;
        balances = balances + a.balance;
        default_balances = default_balances + a.default_balance;
    });
    if (bad) r.fail("an account record is inconsistent");
    if (balances != total_supply_) r.fail("balances do not add up to totalSupply");
    if (default_balances != default_supply_) {
        r.fail("default-partition balances do not add up to its supply");
    }

    u256 partition_balances;
    partition_balances_.for_each([&](const HolderPartitionKey& k, const PartitionBalance& p) {
        partition_balances = partition_balances + p.balance;
        if (amp_detail::is_zero(k.partition) || p.balance.is_zero() != (p.index == 0)) {
            bad = true;
            return;
        }
        const AccountRecord* a = accounts_.find(AccountKey::of(k.holder));
        if (a == nullptr || p.index > a->partition_count) {
            bad = true;
            return;
        }
        const Bytes32* listed =
            partition_lists_.find(HolderSlotKey{k.holder, static_cast<uint32_t>(p.index - 1)});
        bad = bad || listed == nullptr || *listed != k.partition;
    });
    if (bad) r.fail("a partition balance disagrees with its holder's list");
    if (partition_balances != supplies) r.fail("partition balances do not add up to the supplies");

    // Each stored entry names a partition whose index points back at it, so
    // entries of one holder sit at distinct positions below its list length;
    // with the default slots they fill every list exactly when the counts
    // agree.
    partition_lists_.for_each([&](const HolderSlotKey& k, const Bytes32& p) {
        ++filled_slots;
        const AccountRecord* a = accounts_.find(AccountKey::of(k.holder));
        const PartitionBalance* b = partition_balances_.find(HolderPartitionKey{k.holder, p});
        bad = bad || a == nullptr || k.position >= a->partition_count || b == nullptr ||
              b->index != uint64_t{k.position} + 1;
    });
    if (bad || filled_slots != list_lengths) r.fail("a partition list is inconsistent");

    // The lists and their membership tables only ever grow together, so
    // each holds exactly the other's entries.
    if (!same_members(collateral_managers_, is_collateral_manager_) ||
        !same_members(partition_strategies_, is_partition_strategy_)) {
        r.fail("a list disagrees with its membership table");
    }
}

}  // namespace ampd::contracts
