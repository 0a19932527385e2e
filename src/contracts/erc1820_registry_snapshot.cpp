// The ERC-1820 registry: its state in a snapshot, and back. Entries that
// were reset to zero are left out (a FlatMap record equal to zero is an
// absent one, and writes to it journal the same either way).
#include <utility>

#include "ampd/contracts/erc1820_registry.hpp"
#include "ampd/state/snapshot_codec.hpp"
#include "contracts/snapshot_tables.hpp"

namespace ampd::contracts {

using snapshot::IsZero;
using state::SnapshotReader;
using state::SnapshotWriter;

void Erc1820Registry::save(SnapshotWriter& w) const {
    snapshot::write_table(
        w, interfaces_,
        [](const Key& a, const Key& b) {
            const int c = snapshot::compare(a.addr, b.addr);
            return c != 0 ? c < 0 : snapshot::compare(a.hash, b.hash) < 0;
        },
        IsZero{},
        [](SnapshotWriter& out, const Key& k, const Address& implementer) {
            out.address(k.addr);
            out.bytes32(k.hash);
            out.address(implementer);
        });
    snapshot::write_table(w, managers_, snapshot::Less{}, IsZero{},
                          [](SnapshotWriter& out, const Address& addr, const Address& manager) {
                              out.address(addr);
                              out.address(manager);
                          });
    snapshot::write_key_set(
        w, erc165_cached_,
        [](const CacheKey& a, const CacheKey& b) {
            const int c = snapshot::compare(a.addr, b.addr);
            return c != 0 ? c < 0 : snapshot::compare(a.id, b.id) < 0;
        },
        [](SnapshotWriter& out, const CacheKey& k) {
            out.address(k.addr);
            out.bytes4(k.id);
        });
}

std::unique_ptr<state::Contract> Erc1820Registry::load(const Address& self, SnapshotReader& r) {
    auto reg = std::make_unique<Erc1820Registry>(self);
    r.section("ERC1820Registry.interfaces");
    snapshot::read_table(
        r, reg->interfaces_, 20 + 32 + 20,
        [](const Key& a, const Key& b) {
            const int c = snapshot::compare(a.addr, b.addr);
            return c != 0 ? c < 0 : snapshot::compare(a.hash, b.hash) < 0;
        },
        IsZero{},
        [](SnapshotReader& in) {
            Key k;
            k.addr = in.address();
            k.hash = in.bytes32();
            return std::pair{k, in.address()};
        });
    r.section("ERC1820Registry.managers");
    snapshot::read_table(r, reg->managers_, 20 + 20, snapshot::Less{}, IsZero{},
                         [](SnapshotReader& in) {
                             const Address addr = in.address();
                             return std::pair{addr, in.address()};
                         });
    r.section("ERC1820Registry.erc165_cached");
    snapshot::read_key_set(
        r, reg->erc165_cached_, 20 + 4,
        [](const CacheKey& a, const CacheKey& b) {
            const int c = snapshot::compare(a.addr, b.addr);
            return c != 0 ? c < 0 : snapshot::compare(a.id, b.id) < 0;
        },
        [](SnapshotReader& in) {
            CacheKey k;
            k.addr = in.address();
            k.id = in.bytes4();
            return k;
        });
    return reg;
}

}  // namespace ampd::contracts
