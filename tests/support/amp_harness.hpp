// The world of the Amp property tests, shared by the suites that drive
// long random operation sequences: the swap token, Amp with both partition
// strategies, two FlexaCollateralManagers with a permitted pool partition
// each, eight funded actors, and a generator of random Amp operations sent
// through the ABI exactly as a client would.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ampd/contracts/builtin.hpp"
#include "ampd/contracts/partitions.hpp"
#include "ampd/primitives/abi.hpp"
#include "ampd/primitives/keccak.hpp"

namespace ampd::test_support {

using state::BlockContext;
using state::ExecResult;
using state::Message;

inline Address addr_from(uint32_t n) {
    Address a;
    a.b[0] = 0xa1;
    a.b[16] = static_cast<uint8_t>(n >> 24);
    a.b[17] = static_cast<uint8_t>(n >> 16);
    a.b[18] = static_cast<uint8_t>(n >> 8);
    a.b[19] = static_cast<uint8_t>(n);
    return a;
}

class Harness {
public:
    explicit Harness(uint64_t seed) : rng_(seed), world_(contracts::new_world()) {
        owner_ = addr_from(1);
        swap_ = addr_from(0x1000);
        amp_ = addr_from(0x1001);
        pool_validator_ = addr_from(0x1002);
        holder_validator_ = addr_from(0x1003);
        deploy("SwapToken", swap_, owner_, {});
        deploy("Amp", amp_, owner_,
               abi::Encoder().address(swap_).string("Amp").string("AMP").finish());
        deploy("CollateralPoolPartitionValidator", pool_validator_, owner_,
               abi::Encoder().address(amp_).finish());
        deploy("HolderCollateralPartitionValidator", holder_validator_, owner_,
               abi::Encoder().address(amp_).finish());
        must(tx(owner_, amp_, "setPartitionStrategy(bytes4,address)",
                abi::Encoder().bytes4(*Bytes4::from_hex("0xcccccccc")).address(pool_validator_)));
        must(tx(owner_, amp_, "setPartitionStrategy(bytes4,address)",
                abi::Encoder().bytes4(*Bytes4::from_hex("0xaaaaaaaa")).address(holder_validator_)));

        for (uint32_t i = 0; i < 8; ++i) actors_.push_back(addr_from(100 + i));
        for (uint32_t i = 0; i < 2; ++i) {
            Address m = addr_from(0x2000 + i);
            Address mowner = actors_[i];
            deploy("FlexaCollateralManager", m, mowner, abi::Encoder().address(amp_).finish());
            managers_.push_back(m);
            Bytes32 pool = contracts::make_partition(0xcccccccc, 1, m);
            must(tx(mowner, m, "addPartition(bytes32)", abi::Encoder().bytes32(pool)));
            partitions_.push_back(pool);
            partitions_.push_back(contracts::make_partition(0xcccccccc, 2, m));  // not permitted
            partitions_.push_back(contracts::make_partition(0xaaaaaaaa, 0, m));
        }
        partitions_.push_back(Bytes32{});  // default
        partitions_.push_back(
            contracts::make_partition(0x00000000, 7, actors_[3]));  // plain partition
        partitions_.push_back(
            contracts::make_partition(0xdddddddd, 0, actors_[4]));  // reserved prefix

        for (const Address& a : actors_) {
            const u256 amount = u256(1'000'000) + u256(rng_() % 1000);
            must(tx(owner_, swap_, "mint(address,uint256)",
                    abi::Encoder().address(a).uint256(amount)));
            must(tx(a, swap_, "approve(address,uint256)",
                    abi::Encoder().address(amp_).uint256(amount)));
            must(tx(a, amp_, "swap(address)", abi::Encoder().address(a)));
        }
        holders_ = actors_;
        holders_.insert(holders_.end(), managers_.begin(), managers_.end());
    }

    ExecResult tx(const Address& from, const Address& to, std::string_view sig,
                  const abi::Encoder& args) {
        ++block_.number;
        ++block_.timestamp;
        return world_->execute(Message{from, to, args.finish_call(selector_of(sig))}, block_);
    }
    ExecResult view(const Address& to, std::string_view sig, const abi::Encoder& args) {
        return world_->simulate(Message{owner_, to, args.finish_call(selector_of(sig))}, block_);
    }
    static void must(const ExecResult& r) {
        ASSERT_TRUE(r.success) << "setup step reverted: " << r.revert_reason;
    }

    u256 view_u256(std::string_view sig, const abi::Encoder& args) {
        ExecResult r = view(amp_, sig, args);
        EXPECT_TRUE(r.success) << sig;
        return abi::Decoder(r.output).uint256(0).value_or(u256(0));
    }
    std::vector<Bytes32> view_partitions(std::string_view sig, const abi::Encoder& args) {
        ExecResult r = view(amp_, sig, args);
        EXPECT_TRUE(r.success) << sig;
        return abi::Decoder(r.output).bytes32_array(0).value_or(std::vector<Bytes32>{});
    }

    // Everything the Amp views can say about the holders and partitions we use.
    std::string digest() {
        std::string d = view_u256("totalSupply()", abi::Encoder()).to_dec();
        for (const Bytes32& p : view_partitions("totalPartitions()", abi::Encoder())) d += p.hex();
        for (const Address& h : holders_) {
            d += "|" + view_u256("balanceOf(address)", abi::Encoder().address(h)).to_dec();
            for (const Bytes32& p :
                 view_partitions("partitionsOf(address)", abi::Encoder().address(h))) {
                d += p.hex();
            }
            for (const Bytes32& p : partitions_) {
                d += "," + view_u256("balanceOfByPartition(bytes32,address)",
                                     abi::Encoder().bytes32(p).address(h))
                               .to_dec();
                for (const Address& s : actors_) {
                    d += view_u256("allowanceByPartition(bytes32,address,address)",
                                   abi::Encoder().bytes32(p).address(h).address(s))
                             .to_dec();
                }
            }
        }
        return d;
    }

    void check_invariants(size_t step) {
        SCOPED_TRACE("after step " + std::to_string(step));
        const u256 total = view_u256("totalSupply()", abi::Encoder());
        u256 sum_balances = 0;
        std::map<Bytes32, u256> by_partition;
        for (const Address& h : holders_) {
            const u256 bal = view_u256("balanceOf(address)", abi::Encoder().address(h));
            sum_balances = sum_balances + bal;
            u256 sum_parts = 0;
            std::set<Bytes32> nonzero;
            for (const Bytes32& p : partitions_) {
                const u256 pb = view_u256("balanceOfByPartition(bytes32,address)",
                                          abi::Encoder().bytes32(p).address(h));
                sum_parts = sum_parts + pb;
                by_partition[p] = by_partition[p] + pb;
                if (!pb.is_zero()) nonzero.insert(p);
            }
            EXPECT_EQ(sum_parts, bal) << "holder partitions do not add up";
            const auto listed = view_partitions("partitionsOf(address)", abi::Encoder().address(h));
            const std::set<Bytes32> listed_set(listed.begin(), listed.end());
            EXPECT_EQ(listed_set.size(), listed.size()) << "duplicate in partitionsOf";
            EXPECT_EQ(listed_set, nonzero) << "partitionsOf is not the non-zero partitions";
        }
        EXPECT_EQ(sum_balances, total) << "sum of balances != totalSupply";
        std::set<Bytes32> nonzero_total{Bytes32{}};  // the default partition is always listed
        for (const Bytes32& p : partitions_) {
            const u256 ts = view_u256("totalSupplyByPartition(bytes32)", abi::Encoder().bytes32(p));
            EXPECT_EQ(ts, by_partition[p]) << "partition supply mismatch " << p.hex();
            if (!ts.is_zero()) nonzero_total.insert(p);
        }
        const auto listed = view_partitions("totalPartitions()", abi::Encoder());
        const std::set<Bytes32> listed_set(listed.begin(), listed.end());
        EXPECT_EQ(listed_set.size(), listed.size()) << "duplicate in totalPartitions";
        EXPECT_EQ(listed_set, nonzero_total) << "totalPartitions is not the non-zero partitions";
    }

    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[rng_() % v.size()];
    }
    u256 amount() {
        switch (rng_() % 4) {
            case 0:
                return u256(0);
            case 1:
                return u256(rng_() % 100);
            case 2:
                return u256(rng_() % 200'000);
            default:
                return u256(rng_() % 3'000'000);
        }
    }

    // One random operation; returns its result.
    ExecResult random_op() {
        const Address from = pick(actors_);
        const Address to = rng_() % 6 == 0 ? pick(managers_) : pick(actors_);
        const Bytes32 part = pick(partitions_);
        switch (rng_() % 10) {
            case 0:
                return tx(from, amp_, "transfer(address,uint256)",
                          abi::Encoder().address(to).uint256(amount()));
            case 1:
                return tx(from, amp_, "transferFrom(address,address,uint256)",
                          abi::Encoder().address(pick(actors_)).address(to).uint256(amount()));
            case 2:
                return tx(from, amp_, "approve(address,uint256)",
                          abi::Encoder().address(pick(actors_)).uint256(amount()));
            case 3:
                return tx(from, amp_, "approveByPartition(bytes32,address,uint256)",
                          abi::Encoder().bytes32(part).address(pick(actors_)).uint256(amount()));
            case 4:
                return tx(from, amp_, "authorizeOperator(address)",
                          abi::Encoder().address(pick(actors_)));
            case 5:
                return tx(from, amp_, "authorizeOperatorByPartition(bytes32,address)",
                          abi::Encoder().bytes32(part).address(pick(actors_)));
            case 6:
                return tx(from, amp_, "revokeOperator(address)",
                          abi::Encoder().address(pick(actors_)));
            default: {
                // transferByPartition, usually from a partition the holder
                // really has and for an amount it can cover, often with the
                // change-partition flag, so that moves succeed as well as fail.
                Address holder = rng_() % 3 == 0 ? pick(actors_) : from;
                if (rng_() % 8 == 0) holder = pick(managers_);
                Bytes32 source = part;
                const auto held =
                    view_partitions("partitionsOf(address)", abi::Encoder().address(holder));
                if (!held.empty() && rng_() % 4 != 0) source = pick(held);
                u256 value = amount();
                const u256 bal = view_u256("balanceOfByPartition(bytes32,address)",
                                           abi::Encoder().bytes32(source).address(holder));
                if (!bal.is_zero() && rng_() % 4 != 0) value = u256(1 + rng_() % bal.w[0]);
                Bytes data;
                Address recipient = to;
                if (rng_() % 2 == 0) {
                    data.assign(64, 0xff);
                    const Bytes32 dest = pick(partitions_);
                    std::copy(dest.b.begin(), dest.b.end(), data.begin() + 32);
                    // Pool partitions accept only their manager as recipient.
                    if (prefix_of(dest) == *Bytes4::from_hex("0xcccccccc") && rng_() % 4 != 0) {
                        recipient = address_from_word(dest);
                    }
                }
                Bytes op_data;
                if (rng_() % 4 == 0) op_data.assign(32, static_cast<uint8_t>(rng_()));
                return tx(from, amp_,
                          "transferByPartition(bytes32,address,address,uint256,bytes,bytes)",
                          abi::Encoder()
                              .bytes32(source)
                              .address(holder)
                              .address(recipient)
                              .uint256(value)
                              .bytes(data)
                              .bytes(op_data));
            }
        }
    }

    std::mt19937_64 rng_;
    std::unique_ptr<state::World> world_;
    BlockContext block_{1, 1'600'000'000, 31337};
    Address owner_, swap_, amp_, pool_validator_, holder_validator_;
    std::vector<Address> actors_, managers_, holders_;
    std::vector<Bytes32> partitions_;

    void deploy(std::string_view type, const Address& at, const Address& from, const Bytes& args) {
        must(contracts::deploy_builtin(*world_, type, at, from, args, block_));
    }
};

}  // namespace ampd::test_support
