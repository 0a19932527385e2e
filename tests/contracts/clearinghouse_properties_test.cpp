// Clearinghouse property test: seeded random sequences of supplies,
// guarantees (open, settle, claim, expire), release requests, withdrawal
// root publications and withdrawals with the published proofs, all through
// the ABI. After every step:
//   - each pool's locked amount is covered by its balance and equals the
//     sum of its open guarantees; no id is ever opened twice;
//   - the suppliers' withdrawable amounts never add up to more than the
//     unlocked balance;
//   - every stake matches an independent floating-point model of pro-rata
//     loss sharing;
// after every publication, no leaf authorizes more than the supplier's
// stake after losses or its withdrawable amount, and every leaf pays on the
// real manager; and once every guarantee is settled or claimed, the
// suppliers' withdrawable amounts add up to the pool balance less a dust
// below one base unit per supplier.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/clearinghouse.hpp"
#include "contracts/clearinghouse_fixture.hpp"

namespace ampd::contracts {
namespace {

using namespace ampd::test_support;  // NOLINT(google-build-using-namespace)

const std::vector<Address> kSuppliers{
    kSupplierA,
    kSupplierB,
    kSupplierC,
    A("0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f"),
    A("0xa0ee7a142d267c1f36714e4a8f75612f20a79720"),
    A("0xbcd4042de499d14e55001ccbb24a551f3b954096"),
};

long double to_ld(const u256& v) {
    long double x = 0;
    for (int i = 3; i >= 0; --i) x = x * 18446744073709551616.0L + static_cast<long double>(v.w[i]);
    return x;
}

// Pro-rata loss sharing in floating point, fed only with what the tests
// observe (supplies, claims, the authorized leaf values, withdrawals).
struct Model {
    std::map<Address, long double> exposed;
    std::map<Address, long double> reserved;

    long double total_exposed() const {
        long double t = 0;
        for (const auto& [a, v] : exposed) t += v;
        return t;
    }
    void loss(long double amount) {
        const long double t = total_exposed();
        const long double keep = t <= amount ? 0 : (t - amount) / t;
        for (auto& [a, v] : exposed) v *= keep;
    }
    // A publication authorized `value` (zero when no leaf): the reservation
    // left from the last one returns to the stake, the new one leaves it.
    void reserve(const Address& s, long double value) {
        exposed[s] += reserved[s] - value;
        reserved[s] = value;
    }
    long double stake(const Address& s) { return exposed[s] + reserved[s]; }
};

struct Open {
    Bytes32 id;
    size_t pool;
    u256 amount;
    Address beneficiary;
    uint64_t expires_at;
};

class Walk : public ClearinghouseWorld {
public:
    explicit Walk(uint64_t seed) : rng_(seed) {
        pools_ = {pool_, pool2_};
        must(register_pool(kManagerOwner, pool_, Clearinghouse::kPolicyBeneficiaryClaims));
        must(register_pool(kManagerOwner, pool2_, Clearinghouse::kPolicyAnyoneReleases));
        for (const Bytes32& p : pools_) must(set_assurer(kManagerOwner, p, kAssurer, true));
        for (size_t i = 3; i < kSuppliers.size(); ++i) fund(kSuppliers[i], tokens(1'000'000));
        // Room for every claim and withdrawal of the walk.
        must(tx(kManagerOwner, kManager, "modifyWithdrawalLimit(int256)",
                abi::Encoder().int256(tokens(100'000'000))));
        models_.resize(2);
    }

    u256 random_amount(const u256& scale) {
        // Mostly below `scale`, sometimes above it; never round.
        if (scale.is_zero()) return u256(1 + rng_() % 1000);
        const u256 base = scale / u256(1000);
        return base * u256(rng_() % 1100) + u256(rng_() % 1'000'000'000);
    }

    void step() {
        const size_t pool = rng_() % 2;
        const Bytes32& partition = pools_[pool];
        const Address supplier = kSuppliers[rng_() % kSuppliers.size()];
        switch (rng_() % 12) {
            case 0:
            case 1: {
                const u256 amount = tokens(1 + rng_() % 500) + u256(rng_() % 1'000'000'007);
                must(supply(supplier, amount, partition));
                models_[pool].exposed[supplier] += to_ld(amount);
                break;
            }
            case 2:
            case 3:
            case 4:
                open_random(pool);
                break;
            case 5:
            case 6:
                close_random(false);
                break;
            case 7:
                close_random(true);
                break;
            case 8: {
                const u256 amount = rng_() % 5 == 0 ? u256() : random_amount(tokens(400));
                must(request_release(supplier, amount, partition));
                break;
            }
            case 9:
                publish_and_check(rng_() % 2 == 0 ? kAssurer : kManagerOwner);
                break;
            case 10:
                withdraw_random();
                break;
            default:
                advance(rng_() % 300);
                break;
        }
    }

    void open_random(size_t pool) {
        const auto info = pool_info(pools_[pool]);
        // Sometimes an id already used: it must be refused.
        if (!used_.empty() && rng_() % 10 == 0) {
            const Bytes32 id = *std::next(used_.begin(), static_cast<long>(rng_() % used_.size()));
            const ExecResult r =
                open(kAssurer, id, u256(1), kBeneficiary, block_.timestamp + 100, pools_[pool]);
            EXPECT_FALSE(r.success);
            EXPECT_EQ(r.revert_reason, "Guarantee exists");
            return;
        }
        const u256 amount = random_amount(info.available);
        const Bytes32 id = id_of(next_id_++);
        const Address beneficiary = rng_() % 2 == 0 ? kBeneficiary : kStranger;
        const uint64_t expires_at = block_.timestamp + 2 + rng_() % 900;
        const ExecResult r = open(kAssurer, id, amount, beneficiary, expires_at, pools_[pool]);
        const bool fits = !amount.is_zero() && amount <= info.available;
        ASSERT_EQ(r.success, fits) << r.revert_reason << " amount " << amount.to_dec()
                                   << " available " << info.available.to_dec();
        if (!r.success) {
            EXPECT_EQ(r.revert_reason,
                      amount.is_zero() ? "Invalid amount" : "Insufficient collateral");
            return;
        }
        used_.insert(id);
        ++opened_;
        open_.push_back(Open{id, pool, amount, beneficiary, expires_at});
    }

    // Settles, claims or releases a random open guarantee; with `claim`,
    // claims it (by the assurer, or by the beneficiary once expired).
    void close_random(bool claim_it) {
        if (open_.empty()) return;
        const size_t k = rng_() % open_.size();
        const Open g = open_[k];
        ExecResult r;
        bool claimed = false;
        const bool expired = block_.timestamp + 1 >= g.expires_at;
        if (claim_it) {
            const bool by_beneficiary = g.pool == 0 && expired && rng_() % 2 == 0;
            r = claim(by_beneficiary ? g.beneficiary : kAssurer, g.id);
            claimed = true;
        } else if (g.pool == 1 && expired && rng_() % 2 == 0) {
            r = release_expired(kStranger, g.id);
        } else {
            r = settle(kAssurer, g.id);
        }
        ASSERT_TRUE(r.success) << r.revert_reason;
        if (claimed) {
            models_[g.pool].loss(to_ld(g.amount));
            ++claims_;
        }
        open_.erase(open_.begin() + static_cast<long>(k));
        // Closed once: never again.
        const ExecResult again = settle(kAssurer, g.id);
        EXPECT_EQ(again.revert_reason, "Guarantee not open");
    }

    void publish_and_check(const Address& from) {
        const ExecResult r = publish(from);
        ASSERT_TRUE(r.success) << r.revert_reason;
        ++publications_;
        // Only the leaves of the new root can pay now.
        pending_.clear();
        for (size_t pool = 0; pool < 2; ++pool) {
            for (const Address& s : kSuppliers) {
                const auto proof = clearinghouse().withdrawal_proof(kManager, pools_[pool], s);
                const u256 value = proof ? proof->value : u256();
                models_[pool].reserve(s, to_ld(value));
                if (!proof) continue;
                ++leaves_;
                const auto st = stake(s, pools_[pool]);
                EXPECT_LE(value, st.stake) << "authorized beyond the stake after losses";
                EXPECT_LE(value, st.withdrawable) << "authorized beyond the withdrawable amount";
                pending_.push_back({pool, s});
            }
        }
    }

    void withdraw_random() {
        if (pending_.empty()) return;
        const size_t k = rng_() % pending_.size();
        const auto [pool, s] = pending_[k];
        pending_.erase(pending_.begin() + static_cast<long>(k));
        const auto proof = clearinghouse().withdrawal_proof(kManager, pools_[pool], s);
        ASSERT_TRUE(proof);
        const ExecResult r = withdraw(s, pools_[pool], proof->value, proof->operator_data);
        ASSERT_TRUE(r.success) << "a published leaf did not pay: " << r.revert_reason;
        ++withdrawals_;
        models_[pool].reserved[s] = 0;
    }

    void check_invariants(size_t step_no) {
        SCOPED_TRACE("step " + std::to_string(step_no));
        for (size_t pool = 0; pool < 2; ++pool) {
            const auto info = pool_info(pools_[pool]);
            ASSERT_LE(info.locked, info.balance) << "locked beyond the pool balance";
            u256 open_sum;
            size_t open_count = 0;
            for (const Open& g : open_) {
                if (g.pool != pool) continue;
                open_sum = open_sum + g.amount;
                ++open_count;
            }
            ASSERT_EQ(info.locked, open_sum);
            ASSERT_EQ(info.open_count, u256(open_count));
            u256 withdrawable;
            long double total = 0;
            for (const Address& s : kSuppliers) {
                const auto st = stake(s, pools_[pool]);
                withdrawable = withdrawable + st.withdrawable;
                ASSERT_LE(st.withdrawable, st.stake);
                const long double expected = models_[pool].stake(s);
                total += expected;
                // Float rounding of the model (64-bit mantissa) and the contract's
                // own rounding (units): far below any misallocation.
                const long double tolerance = 1e-16L * to_ld(info.balance) + 4096.0L;
                max_deviation_ = std::max(max_deviation_, std::fabs(to_ld(st.stake) - expected));
                ASSERT_LE(std::fabs(to_ld(st.stake) - expected), tolerance)
                    << "stake of " << s.hex() << " in pool " << pool << ": " << st.stake.to_dec()
                    << " vs model " << static_cast<double>(expected);
            }
            ASSERT_LE(withdrawable + info.locked, info.balance);
            (void)total;
        }
    }

    // Resolves every open guarantee, then checks the final balance sheet.
    void finish() {
        while (!open_.empty()) {
            close_random(rng_() % 3 == 0);
            if (::testing::Test::HasFatalFailure()) return;
        }
        for (size_t pool = 0; pool < 2; ++pool) {
            const auto info = pool_info(pools_[pool]);
            EXPECT_EQ(info.locked, u256());
            u256 withdrawable;
            for (const Address& s : kSuppliers) {
                withdrawable = withdrawable + stake(s, pools_[pool]).withdrawable;
            }
            ASSERT_LE(withdrawable, info.balance);
            const u256 dust = info.balance - withdrawable;
            EXPECT_LE(dust, u256(kSuppliers.size())) << "pool " << pool;
        }
        // Publishing everything now pays every supplier out exactly, dust aside.
        for (const Bytes32& p : pools_) {
            for (const Address& s : kSuppliers) must(request_release(s, tokens(1'000'000'000), p));
        }
        publish_and_check(kAssurer);
        for (size_t pool = 0; pool < 2; ++pool) {
            for (const Address& s : kSuppliers) {
                const auto proof = clearinghouse().withdrawal_proof(kManager, pools_[pool], s);
                if (!proof) continue;
                must(withdraw(s, pools_[pool], proof->value, proof->operator_data));
            }
            EXPECT_LE(pool_balance_of(pool), u256(kSuppliers.size())) << "pool " << pool;
        }
    }

    u256 pool_balance_of(size_t pool) { return amp_balance(pools_[pool], kManager); }

    std::mt19937_64 rng_;
    std::vector<Bytes32> pools_;
    std::vector<Model> models_;
    std::vector<Open> open_;
    std::set<Bytes32> used_;
    std::vector<std::pair<size_t, Address>> pending_;
    uint64_t next_id_ = 1;
    size_t publications_ = 0;
    size_t leaves_ = 0;
    size_t withdrawals_ = 0;
    size_t opened_ = 0;
    size_t claims_ = 0;
    long double max_deviation_ = 0;  // |stake - model|, base units
};

class ClearinghouseProperties : public ::testing::TestWithParam<uint64_t> {};

TEST_P(ClearinghouseProperties, InvariantsHoldAlongRandomWalks) {
    Walk w(GetParam());
    constexpr size_t kSteps = 400;
    for (size_t i = 0; i < kSteps; ++i) {
        w.step();
        if (HasFatalFailure()) return;
        w.check_invariants(i);
        if (HasFatalFailure()) return;
    }
    w.finish();
    // The walk did exercise the paths it is about.
    EXPECT_GT(w.next_id_, 40U);
    EXPECT_GT(w.publications_, 5U);
    EXPECT_GT(w.leaves_, 5U);
    EXPECT_GT(w.withdrawals_, 3U);
    EXPECT_GT(w.opened_, 20U);
    EXPECT_GT(w.claims_, 5U);
    if (std::getenv("AMPD_VERBOSE") != nullptr) {
        std::printf(
            "seed %llu: %zu opened, %zu claims, %zu publications, %zu leaves, %zu withdrawals, "
            "%llu ids, max model deviation %.1f units\n",
            static_cast<unsigned long long>(GetParam()), w.opened_, w.claims_, w.publications_,
            w.leaves_, w.withdrawals_, static_cast<unsigned long long>(w.next_id_ - 1),
            static_cast<double>(w.max_deviation_));
    }
    // And its state survives a snapshot unchanged.
    const Bytes snap = save_world(*w.world_);
    EXPECT_EQ(save_world(*load_world(snap)), snap);
}

INSTANTIATE_TEST_SUITE_P(ClearinghouseSeeds, ClearinghouseProperties,
                         ::testing::Values(1, 2, 3, 42, 1234, 98765));

}  // namespace
}  // namespace ampd::contracts
