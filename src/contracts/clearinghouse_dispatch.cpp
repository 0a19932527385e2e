// Clearinghouse: the ABI surface (/work/shared/CLEARINGHOUSE.md, plus the
// additions documented in docs/CLEARINGHOUSE_DESIGN.md). Arguments are
// decoded as the other built-in contracts decode theirs: narrow values
// masked, short or out-of-bounds data reverts without data.
#include <vector>

#include "ampd/contracts/clearinghouse.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/state/world.hpp"
#include "contracts/abi_methods.hpp"
#include "contracts/clearinghouse_internal.hpp"

namespace ampd::contracts {

using state::CallContext;

namespace {

using abi_methods::arg;
using abi_methods::ret_address;
using abi_methods::ret_bool;
using abi_methods::ret_bytes32;

uint8_t arg_u8(const abi::Decoder& d, size_t i) {
    return static_cast<uint8_t>(arg(d.uint_n(i, 8)).w[0]);
}
uint64_t arg_u64(const abi::Decoder& d, size_t i) {
    return arg(d.uint_n(i, 64)).w[0];
}

// uint256[] and uint64[] (masked, as a single uint64 argument is).
std::vector<u256> arg_u256_array(const abi::Decoder& d, size_t i) {
    const std::vector<Bytes32> words = arg(d.bytes32_array(i));
    std::vector<u256> out;
    out.reserve(words.size());
    for (const Bytes32& w : words) out.push_back(u256_from_word(w));
    return out;
}
std::vector<uint64_t> arg_u64_array(const abi::Decoder& d, size_t i) {
    const std::vector<Bytes32> words = arg(d.bytes32_array(i));
    std::vector<uint64_t> out;
    out.reserve(words.size());
    for (const Bytes32& w : words) out.push_back(u256_from_word(w).w[0]);
    return out;
}

Bytes open_batch(Clearinghouse& c, CallContext& ctx, const abi::Decoder& d) {
    const std::vector<Bytes32> ids = arg(d.bytes32_array(0));
    const Address manager = arg(d.address(1));
    const Bytes32 partition = arg(d.bytes32(2));
    const std::vector<u256> amounts = arg_u256_array(d, 3);
    const std::vector<Address> beneficiaries = arg(d.address_array(4));
    const std::vector<uint64_t> expiries = arg_u64_array(d, 5);
    const std::vector<Bytes32> refs = arg(d.bytes32_array(6));
    const size_t n = ids.size();
    state::require(amounts.size() == n && beneficiaries.size() == n && expiries.size() == n &&
                       refs.size() == n,
                   clearinghouse_detail::reason::kLengthMismatch);
    std::vector<Clearinghouse::OpenRequest> batch(n);
    for (size_t i = 0; i < n; ++i) {
        batch[i] =
            Clearinghouse::OpenRequest{ids[i], amounts[i], beneficiaries[i], expiries[i], refs[i]};
    }
    c.openGuarantees(ctx, manager, partition, batch);
    return {};
}

}  // namespace

Bytes Clearinghouse::dispatch(CallContext& ctx, ByteView calldata) {
    using C = Clearinghouse;
    static const abi_methods::SelectorTable<C> kTable{
        {"amp()", 0, [](C& c, CallContext&, const abi::Decoder&) { return ret_address(c.amp_); }},

        // --- Pools and assurers
        {"registerPool(address,bytes32,uint8)", 3,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             c.registerPool(ctx, arg(d.address(0)), arg(d.bytes32(1)), arg_u8(d, 2));
             return Bytes{};
         }},
        {"setAssurer(address,bytes32,address,bool)", 4,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             c.setAssurer(ctx, arg(d.address(0)), arg(d.bytes32(1)), arg(d.address(2)),
                          arg(d.boolean(3)));
             return Bytes{};
         }},
        {"isAssurer(address,bytes32,address)", 3,
         [](C& c, CallContext&, const abi::Decoder& d) {
             return ret_bool(c.isAssurer(arg(d.address(0)), arg(d.bytes32(1)), arg(d.address(2))));
         }},
        {"poolOf(address,bytes32)", 2,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             const PoolInfo p =
                 c.poolOf(ctx.world, arg(d.address(0)), arg(d.bytes32(1)), ctx.block.timestamp);
             return abi::Encoder()
                 .boolean(p.registered)
                 .uint256(u256(p.expiry_policy))
                 .uint256(p.balance)
                 .uint256(p.locked)
                 .uint256(p.available)
                 .uint256(p.open_count)
                 .uint256(p.total_losses)
                 .finish();
         }},

        // --- Guarantees
        {"openGuarantee(bytes32,address,bytes32,uint256,address,uint64,bytes32)", 7,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             c.openGuarantee(ctx, arg(d.bytes32(0)), arg(d.address(1)), arg(d.bytes32(2)),
                             arg(d.uint256(3)), arg(d.address(4)), arg_u64(d, 5),
                             arg(d.bytes32(6)));
             return Bytes{};
         }},
        {"settleGuarantee(bytes32)", 1,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             c.settleGuarantee(ctx, arg(d.bytes32(0)));
             return Bytes{};
         }},
        {"claimGuarantee(bytes32)", 1,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             c.claimGuarantee(ctx, arg(d.bytes32(0)));
             return Bytes{};
         }},
        {"releaseExpired(bytes32)", 1,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             c.releaseExpired(ctx, arg(d.bytes32(0)));
             return Bytes{};
         }},
        {"guaranteeOf(bytes32)", 1,
         [](C& c, CallContext&, const abi::Decoder& d) {
             const GuaranteeInfo g = c.guaranteeOf(arg(d.bytes32(0)));
             return abi::Encoder()
                 .uint256(u256(static_cast<uint8_t>(g.state)))
                 .address(g.manager)
                 .bytes32(g.partition)
                 .uint256(g.amount)
                 .address(g.beneficiary)
                 .uint256(u256(g.opened_at))
                 .uint256(u256(g.expires_at))
                 .bytes32(g.payment_ref)
                 .finish();
         }},
        {"openGuarantees(bytes32[],address,bytes32,uint256[],address[],uint64[],bytes32[])", 7,
         &open_batch},
        {"settleGuarantees(bytes32[])", 1,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             c.settleGuarantees(ctx, arg(d.bytes32_array(0)));
             return Bytes{};
         }},

        // --- Suppliers
        {"stakeOf(address,bytes32,address)", 3,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             const StakeInfo s =
                 c.stakeOf(ctx.world, arg(d.address(0)), arg(d.bytes32(1)), arg(d.address(2)));
             return abi::Encoder().uint256(s.stake).uint256(s.withdrawable).finish();
         }},
        {"releaseOf(address,bytes32,address)", 3,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             const ReleaseInfo r =
                 c.releaseOf(ctx.world, arg(d.address(0)), arg(d.bytes32(1)), arg(d.address(2)));
             return abi::Encoder().uint256(r.requested).uint256(r.authorized).finish();
         }},
        {"publishWithdrawalRoot(address)", 1,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             const PublishedRoot r = c.publishWithdrawalRoot(ctx, arg(d.address(0)));
             return abi::Encoder().bytes32(r.root).uint256(r.nonce).finish();
         }},
        {"publishFallbackRoot(address)", 1,
         [](C& c, CallContext& ctx, const abi::Decoder& d) {
             return ret_bytes32(c.publishFallbackRoot(ctx, arg(d.address(0))));
         }},
    };
    return kTable.dispatch(*this, ctx, calldata);
}

}  // namespace ampd::contracts
