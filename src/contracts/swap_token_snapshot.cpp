// The swap token: its state in a snapshot, and back (name, symbol and
// decimals are constants of the type).
#include <utility>

#include "ampd/contracts/swap_token.hpp"
#include "ampd/state/snapshot_codec.hpp"
#include "contracts/snapshot_tables.hpp"

namespace ampd::contracts {

using snapshot::IsZero;
using state::SnapshotReader;
using state::SnapshotWriter;

void SwapToken::save(SnapshotWriter& w) const {
    w.address(owner_);
    w.uint256(total_supply_);
    snapshot::write_table(w, balances_, snapshot::Less{}, IsZero{},
                          [](SnapshotWriter& out, const Address& account, const u256& balance) {
                              out.address(account);
                              out.uint256(balance);
                          });
    snapshot::write_table(
        w, allowances_,
        [](const AllowanceKey& a, const AllowanceKey& b) {
            const int c = snapshot::compare(a.owner, b.owner);
            return c != 0 ? c < 0 : snapshot::compare(a.spender, b.spender) < 0;
        },
        IsZero{},
        [](SnapshotWriter& out, const AllowanceKey& k, const u256& amount) {
            out.address(k.owner);
            out.address(k.spender);
            out.uint256(amount);
        });
}

std::unique_ptr<state::Contract> SwapToken::load(const Address& self, SnapshotReader& r) {
    r.section("SwapToken.header");
    const Address owner = r.address();
    std::unique_ptr<SwapToken> token(new SwapToken(self, owner));
    token->total_supply_ = r.uint256();
    r.section("SwapToken.balances");
    snapshot::read_table(r, token->balances_, 20 + 1, snapshot::Less{}, IsZero{},
                         [](SnapshotReader& in) {
                             const Address account = in.address();
                             return std::pair{account, in.uint256()};
                         });
    r.section("SwapToken.allowances");
    snapshot::read_table(
        r, token->allowances_, 20 + 20 + 1,
        [](const AllowanceKey& a, const AllowanceKey& b) {
            const int c = snapshot::compare(a.owner, b.owner);
            return c != 0 ? c < 0 : snapshot::compare(a.spender, b.spender) < 0;
        },
        IsZero{},
        [](SnapshotReader& in) {
            AllowanceKey k;
            k.owner = in.address();
            k.spender = in.address();
            return std::pair{k, in.uint256()};
        });
    return token;
}

}  // namespace ampd::contracts
