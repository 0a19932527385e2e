// The Clearinghouse end to end, as payment operators and suppliers reach it
// through ethers (/work/shared/CLEARINGHOUSE.md): suppliers supply, 1,000
// guarantees open and settle, are claimed by the assurer or, once expired,
// by their beneficiaries; suppliers request releases and withdraw with the
// proofs of a published root; a fallback root is published, time passes the
// manager's delay, and suppliers exit through fallback withdrawals. Every
// balance is computed here, independently of the node, and checked. Then
// bad input and abuse: each refusal carries its reason and changes nothing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Wallet, ZeroAddress, ZeroHash, getAddress, id as keccakId, solidityPackedKeccak256 }
    from "ethers";

import { AMP, DEFAULT_PARTITION, INITIAL_BALANCE, changePartitionData, setup } from "./lib/amp.mjs";
import {
    ProRataModel,
    STATE,
    ShareModel,
    TO_DEFAULT_PARTITION,
    TxSender,
    assertRevert,
    clearinghouseOf,
    eventsOf,
    rpcBatch,
} from "./lib/clearinghouse.mjs";

const bytes32 = (tag, i) => keccakId(`${tag}:${i}`);
const sum = (xs) => xs.reduce((a, b) => a + b, 0n);
const big = (q) => BigInt(q);
// A value as one ABI word (64 hex digits), and an address as a topic.
const word = (x) => BigInt(x).toString(16).padStart(64, "0");
const topicOf = (address) => "0x" + word(address);
const sameAddress = (a, b) => a.toLowerCase() === String(b).toLowerCase();

// The Merkle rules of the manager (FlexaCollateralManager): sorted pairs.
function merkleRoot(leaf, proof) {
    let node = leaf;
    for (const sibling of proof) {
        const [lo, hi] = BigInt(node) < BigInt(sibling) ? [node, sibling] : [sibling, node];
        node = solidityPackedKeccak256(["bytes32", "bytes32"], [lo, hi]);
    }
    return node;
}

describe("Clearinghouse: 1,000 guarantees from supply to fallback exit", () => {
    let ctx, ch, fcm, manager, partition, assurer, suppliers, beneficiaries;
    before(async () => {
        ctx = await setup();
        ({ ch, fcm } = clearinghouseOf(ctx));
        manager = getAddress(ctx.manager.target);
        partition = ctx.collateralPartition;
        assurer = ctx.wallets[2];
        suppliers = ctx.wallets.slice(3, 13);
        beneficiaries = ctx.wallets.slice(13, 20);
    });
    after(async () => {
        await ctx?.finish();
    });

    // poolOf as an object of BigInts.
    async function pool() {
        const p = await ch.poolOf(manager, partition);
        return { registered: p.registered, expiryPolicy: p.expiryPolicy, balance: p.balance,
                 locked: p.locked, available: p.available, openCount: p.openCount,
                 totalLosses: p.totalLosses };
    }
    const stakes = () =>
        Promise.all(suppliers.map((s) => ch.stakeOf(manager, partition, s.address)));

    // Every supplier's stakeOf equals the model's; their withdrawable amounts
    // never add up to more than the pool can pay out now.
    async function checkStakes(model, naive, what) {
        const [got, p] = await Promise.all([stakes(), pool()]);
        for (const [k, s] of suppliers.entries()) {
            const want = model.stakeOf(s.address);
            assert.equal(got[k].stake, want.stake, `${what}: stake of supplier ${k}`);
            assert.equal(got[k].withdrawable, want.withdrawable,
                         `${what}: withdrawable of supplier ${k}`);
            if (naive) {
                // Pro rata to within rounding: a unit or two either way (a
                // share burned rounded up moves a fraction to the others).
                const exact = naive.stake(s.address);
                const diff = got[k].stake > exact ? got[k].stake - exact : exact - got[k].stake;
                assert.ok(diff <= 2n,
                          `${what}: supplier ${k}: ${got[k].stake} vs pro rata ${exact}`);
            }
        }
        const withdrawable = sum(got.map((s) => s.withdrawable));
        assert.ok(withdrawable <= p.balance - p.locked,
                  `${what}: Σ withdrawable ${withdrawable} > balance ${p.balance} − locked`);
        return { got, p };
    }

    test("supplies, 1,000 guarantees, losses, proofs, a fallback exit: every balance", async () => {
        const { amp, provider } = ctx;
        const sender = new TxSender(ctx);
        const model = new ShareModel();
        const naive = new ProRataModel();
        const suppliedBy = new Map(suppliers.map((s) => [s.address, 0n]));
        const supply = async (s, amount) => {
            suppliedBy.set(s.address, suppliedBy.get(s.address) + amount);
            await sender.add(s, amp, "transferByPartition",
                             [DEFAULT_PARTITION, s.address, manager, amount,
                              changePartitionData(partition), "0x"], 500_000n);
        };
        const claimedBy = new Map(beneficiaries.map((b) => [b.address, 0n]));
        const claimed = [];
        const supplyBefore = await amp.totalSupply();

        // --- The pool as the dev genesis leaves it: registered, empty.
        let p = await pool();
        assert.deepEqual(p, { registered: true, expiryPolicy: 0n, balance: 0n, locked: 0n,
                              available: 0n, openCount: 0n, totalLosses: 0n });
        assert.equal(await ch.isAssurer(manager, partition, assurer.address), true);
        assert.equal(await fcm.directTransferer(), ch.target);
        assert.equal(await fcm.withdrawalPublisher(), ch.target);
        assert.equal(await fcm.fallbackPublisher(), ch.target);
        const limitBefore = await fcm.withdrawalLimit();

        // --- 1. Ten suppliers supply, odd amounts (base units) for rounding.
        const amounts = suppliers.map((_, k) => AMP(3000 + 1500 * k) + BigInt(k * k * 7919 + 13));
        for (const [k, s] of suppliers.entries()) await supply(s, amounts[k]);
        const supplyReceipts = await sender.send();
        for (const [k, s] of suppliers.entries()) {
            const [receipt] = eventsOf(ctx.manager, supplyReceipts[k], "SupplyReceipt");
            assert.equal(receipt.args.supplier, s.address);
            assert.equal(receipt.args.amount, amounts[k]);
            model.supply(s.address, amounts[k]);
            naive.supply(s.address, amounts[k]);
        }
        const supplied0 = sum(amounts);
        p = await pool();
        assert.equal(p.balance, supplied0);
        assert.equal(p.available, supplied0);
        await checkStakes(model, naive, "after the supplies");

        // --- 2. The assurer opens 1,000 guarantees in four batches of 250.
        const head = await provider.getBlock("latest");
        const shortExpiry = BigInt(head.timestamp) + 3600n;
        const longExpiry = BigInt(head.timestamp) + 30n * 86400n;
        const guarantees = Array.from({ length: 1000 }, (_, i) => {
            const fate = i % 50 === 7 ? "assurer" : i % 100 === 33 ? "expire" : "settle";
            return {
                i,
                id: bytes32("guarantee", i),
                amount: AMP(5) + BigInt(i) * 10n ** 16n + BigInt(i % 7),
                beneficiary: beneficiaries[i % beneficiaries.length],
                expiresAt: fate === "expire" ? shortExpiry : longExpiry,
                ref: bytes32("payment", i),
                fate,
            };
        });
        const byFate = (f) => guarantees.filter((g) => g.fate === f);
        assert.deepEqual([byFate("settle").length, byFate("assurer").length,
                          byFate("expire").length], [970, 20, 10]);
        for (let start = 0; start < 1000; start += 250) {
            const part = guarantees.slice(start, start + 250);
            await sender.add(assurer, ch, "openGuarantees",
                             [part.map((g) => g.id), manager, partition,
                              part.map((g) => g.amount), part.map((g) => g.beneficiary.address),
                              part.map((g) => g.expiresAt), part.map((g) => g.ref)],
                             10_000_000n);
        }
        const openReceipts = await sender.send();
        // Each receipt carries its 250 GuaranteeOpened logs: ethers decodes
        // them (the uint64 expiry included); all 1,000 are compared word by
        // word with their ABI encoding.
        const openedTopic = ch.interface.getEvent("GuaranteeOpened").topicHash;
        const opened = openReceipts.flatMap((r) => r.logs.filter(
            (l) => sameAddress(l.address, ch.target) && l.topics[0] === openedTopic));
        assert.equal(opened.length, 1000);
        for (const g of [guarantees[0], guarantees[999]]) {
            const e = ch.interface.parseLog(opened[g.i]);
            assert.deepEqual([e.name, e.args.id, e.args.manager, e.args.partition,
                              e.args.beneficiary, e.args.amount, e.args.expiresAt,
                              e.args.paymentRef],
                             ["GuaranteeOpened", g.id, manager, partition, g.beneficiary.address,
                              g.amount, g.expiresAt, g.ref]);
        }
        for (const [i, log] of opened.entries()) {
            const g = guarantees[i];
            assert.deepEqual([...log.topics], [openedTopic, g.id, topicOf(manager), partition]);
            assert.equal(log.data, "0x" + word(g.beneficiary.address) + word(g.amount) +
                                   word(g.expiresAt) + g.ref.slice(2), `GuaranteeOpened ${i}`);
        }
        model.locked = sum(guarantees.map((g) => g.amount));
        p = await pool();
        assert.equal(p.locked, model.locked);
        assert.equal(p.openCount, 1000n);
        assert.equal(p.available, supplied0 - model.locked);
        assert.equal(p.balance, supplied0);  // opening moves no token
        await checkStakes(model, naive, "with 1,000 guarantees open");
        for (const g of [guarantees[0], guarantees[33], guarantees[999]]) {
            const r = openReceipts[Math.floor(g.i / 250)];
            const openedAt = BigInt((await provider.getBlock(r.blockNumber)).timestamp);
            const info = await ch.guaranteeOf(g.id);
            assert.deepEqual([...info], [STATE.open, manager, partition, g.amount,
                                         g.beneficiary.address, openedAt, g.expiresAt, g.ref]);
        }

        // --- 3. 970 settle (two batches), 20 are claimed by the assurer.
        const toSettle = byFate("settle");
        for (const half of [toSettle.slice(0, 485), toSettle.slice(485)]) {
            await sender.add(assurer, ch, "settleGuarantees", [half.map((g) => g.id)],
                             10_000_000n);
        }
        for (const g of byFate("assurer")) await sender.add(assurer, ch, "claimGuarantee", [g.id]);
        const settleClaimReceipts = await sender.send();
        const settledEvents =
            settleClaimReceipts.slice(0, 2).flatMap((r) => eventsOf(ch, r, "GuaranteeSettled"));
        assert.deepEqual(settledEvents.map((e) => e.args.id), toSettle.map((g) => g.id));
        const claimEventsOf = (g, receipt) => {
            assert.deepEqual(eventsOf(ch, receipt).map((e) => e.name),
                             ["GuaranteeClaimed", "LossRecorded"]);
            const [c, loss] = eventsOf(ch, receipt);
            assert.deepEqual([c.args.id, c.args.beneficiary, c.args.amount],
                             [g.id, g.beneficiary.address, g.amount]);
            assert.deepEqual([loss.args.manager, loss.args.partition, loss.args.amount],
                             [manager, partition, g.amount]);
            // Paid through the manager's direct transfer path, into the
            // beneficiary's default partition.
            const [direct] = eventsOf(fcm, receipt, "DirectTransfer");
            assert.deepEqual([direct.args.operator, direct.args.from_partition,
                              direct.args.to_address, direct.args.to_partition, direct.args.value],
                             [ch.target, partition, g.beneficiary.address, DEFAULT_PARTITION,
                              g.amount]);
            // GuaranteeClaimed and LossRecorded come last, after the transfer.
            assert.deepEqual(receipt.logs.slice(-2).map((l) => sameAddress(l.address, ch.target)),
                             [true, true]);
            const [transfer] = eventsOf(amp, receipt, "Transfer");
            assert.deepEqual([transfer.args.from, transfer.args.to, transfer.args.value],
                             [manager, g.beneficiary.address, g.amount]);
        };
        const recordClaim = (g) => {
            model.loss(g.amount);
            naive.loss(g.amount);
            model.locked -= g.amount;
            claimedBy.set(g.beneficiary.address, claimedBy.get(g.beneficiary.address) + g.amount);
            claimed.push(g);
        };
        for (const [j, g] of byFate("assurer").entries()) {
            claimEventsOf(g, settleClaimReceipts[2 + j]);
            recordClaim(g);
        }
        model.locked -= sum(toSettle.map((g) => g.amount));
        p = await pool();
        assert.equal(p.openCount, 10n);
        assert.equal(p.locked, model.locked);
        assert.equal(p.totalLosses, sum(claimed.map((g) => g.amount)));
        assert.equal(p.balance, supplied0 - p.totalLosses);
        await checkStakes(model, naive, "after the assurer's claims");

        // --- 4. A late supply: it shares the losses from now on only.
        const late = suppliers[0];
        const lateAmount = AMP(2500) + 7n;
        await supply(late, lateAmount);
        await sender.send();
        model.supply(late.address, lateAmount);
        naive.supply(late.address, lateAmount);
        await checkStakes(model, naive, "after the late supply");

        // --- 5. Time passes the short expiry; the beneficiaries claim.
        const expiring = byFate("expire");
        // Not yet: the beneficiary's claim reverts.
        await assertRevert(
            ch.connect(expiring[0].beneficiary).claimGuarantee.staticCall(expiring[0].id),
            "Not expired");
        await provider.send("evm_mine", [Number(shortExpiry)]);
        for (const g of expiring) await sender.add(g.beneficiary, ch, "claimGuarantee", [g.id]);
        const expiredReceipts = await sender.send();
        for (const [j, g] of expiring.entries()) {
            claimEventsOf(g, expiredReceipts[j]);
            assert.equal(expiredReceipts[j].from, g.beneficiary.address);
            recordClaim(g);
        }
        const losses = sum(claimed.map((g) => g.amount));
        p = await pool();
        assert.deepEqual([p.openCount, p.locked, p.totalLosses], [0n, 0n, losses]);
        const supplied = supplied0 + lateAmount;
        assert.equal(p.balance, supplied - losses);
        const { got: afterLosses } = await checkStakes(model, naive, "after every claim");
        // With nothing locked, the stakes are the pool, less dust below one
        // unit per supplier, never more.
        const stakeSum = sum(afterLosses.map((s) => s.stake));
        assert.ok(stakeSum <= p.balance && p.balance - stakeSum < BigInt(suppliers.length),
                  `Σ stakes ${stakeSum} vs balance ${p.balance}`);

        // Every guarantee's final state, and the events through getLogs.
        // (guaranteeOf of all 1,000 in one JSON-RPC batch of eth_calls.)
        const guaranteeOf = ch.interface.getFunction("guaranteeOf").selector;
        const states = await rpcBatch(ctx.node.url, guarantees.map(
            (g) => ["eth_call", [{ to: ch.target, data: guaranteeOf + g.id.slice(2) }, "latest"]]));
        for (const g of guarantees) {
            const w = (n) => BigInt("0x" + states[g.i].slice(2 + 64 * n, 66 + 64 * n));
            assert.deepEqual([w(0), w(3), w(4)],
                             [g.fate === "settle" ? STATE.settled : STATE.claimed, g.amount,
                              BigInt(g.beneficiary.address)], `guarantee ${g.i}`);
        }
        const settledTopic = ch.interface.getEvent("GuaranteeSettled").topicHash;
        const [openedLogs, settledLogs, claimedLogs, lossLogs] = await Promise.all([
            provider.getLogs({ address: ch.target, fromBlock: 0, toBlock: "latest",
                               topics: [openedTopic, null, topicOf(manager), partition] }),
            provider.getLogs({ address: ch.target, fromBlock: 0, toBlock: "latest",
                               topics: [settledTopic] }),
            ch.queryFilter(ch.filters.GuaranteeClaimed(), 0, "latest"),
            ch.queryFilter(ch.filters.LossRecorded(manager, partition), 0, "latest"),
        ]);
        assert.deepEqual(openedLogs.map((l) => l.topics[1]), guarantees.map((g) => g.id));
        assert.deepEqual(settledLogs.map((l) => l.topics[1]), toSettle.map((g) => g.id));
        assert.deepEqual(claimedLogs.map((l) => [l.args.id, l.args.beneficiary, l.args.amount]),
                         claimed.map((g) => [g.id, g.beneficiary.address, g.amount]));
        assert.deepEqual(lossLogs.map((l) => l.args.amount), claimed.map((g) => g.amount));
        const oneBeneficiary = beneficiaries[5].address;
        const claimedByOne = await ch.queryFilter(
            ch.filters.GuaranteeClaimed(null, oneBeneficiary), 0, "latest");
        assert.deepEqual(claimedByOne.map((l) => l.args.id),
                         claimed.filter((g) => g.beneficiary.address === oneBeneficiary)
                             .map((g) => g.id));

        // --- 6. Eight suppliers request releases: halves, fixed amounts, and
        // one more than it has (it gets what it can withdraw).
        const requesters = suppliers.slice(0, 8);
        const requests = requesters.map((s, k) =>
            k === 1 ? AMP(10_000_000) : k % 2 === 0 ? model.value(s.address) / 2n
                                                   : AMP(1000 + 111 * k) + BigInt(k));
        for (const [k, s] of requesters.entries()) {
            await sender.add(s, fcm, "requestRelease", [partition, requests[k], "0x"]);
            model.account(s.address).requested = requests[k];
        }
        const requestReceipts = await sender.send();
        for (const [k, s] of requesters.entries()) {
            const [e] = eventsOf(fcm, requestReceipts[k], "ReleaseRequest");
            assert.deepEqual([e.args.supplier, e.args.partition, e.args.amount],
                             [s.address, partition, requests[k]]);
            const r = await ch.releaseOf(manager, partition, s.address);
            assert.deepEqual([r.requested, r.authorized], [requests[k], 0n]);
        }
        // A request is only a signal.
        assert.equal((await pool()).balance, supplied - losses);

        // --- 7. The assurer publishes a withdrawal root.
        const preview = await ch.connect(assurer).publishWithdrawalRoot.staticCall(manager);
        await sender.add(assurer, ch, "publishWithdrawalRoot", [manager], 5_000_000n);
        const [publishReceipt] = await sender.send();
        const wantLeaves = model.publishWithdrawalRoot(() => 0n);
        assert.equal(wantLeaves.length, 8);
        const [published] = eventsOf(ch, publishReceipt, "WithdrawalRootPublished");
        assert.deepEqual([published.args.manager, published.args.nonce, published.args.leaves],
                         [manager, 1n, 8n]);
        const root = published.args.root;
        assert.deepEqual([preview.root, preview.nonce], [root, 1n]);
        const [addition] = eventsOf(fcm, publishReceipt, "WithdrawalRootHashAddition");
        assert.deepEqual([addition.args.rootHash, addition.args.nonce], [root, 1n]);
        assert.equal(await fcm.withdrawalRootToNonce(root), 1n);
        assert.equal(await fcm.maxWithdrawalRootNonce(), 1n);
        const authorized = new Map(wantLeaves);
        for (const [k, s] of requesters.entries()) {
            const r = await ch.releaseOf(manager, partition, s.address);
            assert.deepEqual([r.requested, r.authorized], [requests[k], authorized.get(s.address)]);
        }
        // Supplier 1 asked for more than it had: it gets all it can withdraw.
        assert.ok(authorized.get(requesters[1].address) < requests[1]);
        await checkStakes(model, naive, "after the withdrawal root");

        // --- 8. The node serves each leaf's proof; the proofs reach the root.
        const stranger = Wallet.createRandom().address;
        const proofs = await rpcBatch(
            ctx.node.url,
            [...suppliers.map((s) => s.address), stranger].map(
                (a) => ["amp_getWithdrawalProof", [manager, partition, a]]));
        assert.equal(proofs[suppliers.length], null);
        for (const [k, s] of suppliers.entries()) {
            if (k >= requesters.length) {
                assert.equal(proofs[k], null, `supplier ${k} asked for nothing`);
                continue;
            }
            const pr = proofs[k];
            assert.equal(pr.root, root);
            assert.equal(big(pr.rootNonce), 1n);
            assert.equal(big(pr.value), authorized.get(s.address));
            assert.equal(big(pr.maxAuthorizedAccountNonce), 0n);
            assert.equal(pr.proof.length, 3);  // eight leaves
            const leaf = solidityPackedKeccak256(["address", "bytes32", "uint256", "uint256"],
                                                 [s.address, partition, pr.value, 0n]);
            assert.equal(merkleRoot(leaf, pr.proof), root);
        }

        // --- 9. The requesters withdraw with them, each for itself.
        const withdrawn = new Map();
        for (const [k, s] of requesters.entries()) {
            const value = big(proofs[k].value);
            withdrawn.set(s.address, value);
            naive.take(s.address, value);
            await sender.add(s, amp, "transferByPartition",
                             [partition, manager, s.address, value, TO_DEFAULT_PARTITION,
                              proofs[k].operatorData]);
        }
        const withdrawalReceipts = await sender.send();
        for (const [k, s] of requesters.entries()) {
            const [w] = eventsOf(fcm, withdrawalReceipts[k], "Withdrawal");
            assert.deepEqual([w.args.supplier, w.args.partition, w.args.amount, w.args.rootNonce,
                              w.args.authorizedAccountNonce],
                             [s.address, partition, withdrawn.get(s.address), 1n, 0n]);
        }
        assert.equal(await fcm.addressToWithdrawalNonce(partition, requesters[0].address), 1n);
        // A leaf pays once.
        await assert.rejects(
            amp.connect(requesters[0]).transferByPartition.staticCall(
                partition, manager, requesters[0].address, big(proofs[0].value),
                TO_DEFAULT_PARTITION, proofs[0].operatorData),
            (e) => e.code === "CALL_EXCEPTION");
        const withdrawnSum = sum([...withdrawn.values()]);
        assert.equal((await pool()).balance, supplied - losses - withdrawnSum);

        // --- 10. The assurer publishes a fallback root.
        const cumulative = (a) => withdrawn.get(getAddress(a)) ?? 0n;
        await sender.add(assurer, ch, "publishFallbackRoot", [manager], 5_000_000n);
        const [fallbackReceipt] = await sender.send();
        const fallbackLeaves = model.publishFallbackRoot(cumulative);
        const [fb] = eventsOf(ch, fallbackReceipt, "FallbackRootPublished");
        assert.deepEqual([fb.args.manager, fb.args.maxSupplyNonce], [manager, 11n]);
        const fallbackRoot = fb.args.root;
        const [set] = eventsOf(fcm, fallbackReceipt, "FallbackRootHashSet");
        assert.deepEqual([set.args.rootHash, set.args.maxSupplyNonceIncluded],
                         [fallbackRoot, 11n]);
        assert.equal(await fcm.fallbackRoot(), fallbackRoot);
        assert.equal(await fcm.fallbackMaxIncludedSupplyNonce(), 11n);
        const setDate = await fcm.fallbackSetDate();
        assert.equal(setDate, BigInt((await provider.getBlock(fallbackReceipt.blockNumber))
                                         .timestamp));
        assert.equal(set.args.setDate, setDate);
        const delay = await fcm.fallbackWithdrawalDelaySeconds();
        assert.equal(delay, 7n * 86400n);

        const fallbackProofs = await rpcBatch(
            ctx.node.url,
            [...suppliers.map((s) => s.address), stranger].map(
                (a) => ["amp_getFallbackProof", [manager, partition, a]]));
        assert.equal(fallbackProofs[suppliers.length], null);
        const fallbackMax = new Map(fallbackLeaves);
        for (const [k, s] of suppliers.entries()) {
            const pr = fallbackProofs[k];
            if (!fallbackMax.has(s.address)) {
                assert.equal(pr, null, `supplier ${k} has nothing left`);
                continue;
            }
            assert.equal(pr.root, fallbackRoot);
            assert.equal(big(pr.maxCumulativeWithdrawalAmount), fallbackMax.get(s.address),
                         `fallback leaf of supplier ${k}`);
            const leaf = solidityPackedKeccak256(["address", "bytes32", "uint256"],
                                                 [s.address, partition,
                                                  pr.maxCumulativeWithdrawalAmount]);
            assert.equal(merkleRoot(leaf, pr.proof), fallbackRoot);
        }
        // Every supplier with something left is in the root (supplier 1
        // withdrew everything its shares were worth).
        assert.equal(fallbackLeaves.length, suppliers.length - (fallbackMax.has(
            suppliers[1].address) ? 0 : 1));

        // Until the delay has passed: no fallback withdrawal, and new
        // guarantees must end before the root becomes usable.
        const exiter = suppliers[8];
        const exiterMax = fallbackMax.get(exiter.address);
        const fallbackWithdraw = (s, value, pr) =>
            amp.connect(s).transferByPartition.staticCall(partition, manager, s.address, value,
                                                          TO_DEFAULT_PARTITION, pr.operatorData);
        await assert.rejects(fallbackWithdraw(exiter, exiterMax, fallbackProofs[8]),
                             (e) => e.code === "CALL_EXCEPTION");
        const fallbackFrom = setDate + delay;
        await assertRevert(
            ch.connect(assurer).openGuarantee.staticCall(
                bytes32("guarantee", 5000), manager, partition, AMP(1), beneficiaries[0].address,
                fallbackFrom + 1n, ZeroHash),
            "Expiry after fallback");
        // Up to that moment is fine.
        await ch.connect(assurer).openGuarantee.staticCall(
            bytes32("guarantee", 5000), manager, partition, AMP(1), beneficiaries[0].address,
            fallbackFrom, ZeroHash);

        // --- 11. Time passes the delay: the fallback is active.
        await provider.send("evm_mine", [Number(fallbackFrom)]);
        await assertRevert(
            ch.connect(assurer).openGuarantee.staticCall(
                bytes32("guarantee", 5000), manager, partition, AMP(1), beneficiaries[0].address,
                fallbackFrom + 1000n, ZeroHash),
            "Fallback active");

        // --- 12. Two suppliers exit through fallback withdrawals: one that
        // never asked for a release, one that withdrew half through the root.
        const halfway = suppliers[0];
        const fallbackOut = new Map([
            [exiter.address, exiterMax],
            [halfway.address, fallbackMax.get(halfway.address) - withdrawn.get(halfway.address)],
        ]);
        await sender.add(exiter, amp, "transferByPartition",
                         [partition, manager, exiter.address, fallbackOut.get(exiter.address),
                          TO_DEFAULT_PARTITION, fallbackProofs[8].operatorData]);
        await sender.add(halfway, amp, "transferByPartition",
                         [partition, manager, halfway.address, fallbackOut.get(halfway.address),
                          TO_DEFAULT_PARTITION, fallbackProofs[0].operatorData]);
        const exitReceipts = await sender.send();
        for (const [j, s] of [exiter, halfway].entries()) {
            const [e] = eventsOf(fcm, exitReceipts[j], "FallbackWithdrawal");
            assert.deepEqual([e.args.supplier, e.args.partition, e.args.amount],
                             [s.address, partition, fallbackOut.get(s.address)]);
        }
        // The leaf caps the cumulative amount: nothing more, not even a unit.
        await assert.rejects(fallbackWithdraw(exiter, 1n, fallbackProofs[8]),
                             (e) => e.code === "CALL_EXCEPTION");

        // No second fallback root once the fallback is active (the manager's
        // reason); the spent withdrawal root would be retired, nothing being
        // left to authorize.
        await assertRevert(ch.connect(assurer).publishFallbackRoot.staticCall(manager),
                           "Fallback is active");
        const retire = await ch.connect(assurer).publishWithdrawalRoot.staticCall(manager);
        assert.deepEqual([retire.root, retire.nonce], [ZeroHash, 0n]);

        // --- 13. Every balance.
        const fallbackSum = sum([...fallbackOut.values()]);
        const poolBalance = supplied - losses - withdrawnSum - fallbackSum;
        p = await pool();
        assert.equal(p.balance, poolBalance);
        assert.equal(await amp.balanceOfByPartition(partition, manager), poolBalance);
        assert.equal(await amp.balanceOfByPartition(DEFAULT_PARTITION, manager), 0n);
        assert.deepEqual([p.locked, p.openCount, p.totalLosses], [0n, 0n, losses]);

        const balances = await Promise.all(suppliers.flatMap((s) => [
            amp.balanceOfByPartition(DEFAULT_PARTITION, s.address),
            amp.balanceOfByPartition(partition, s.address),
            amp.balanceOf(s.address),
        ]));
        const [finalStakes, finalReleases] = await Promise.all([
            stakes(),
            Promise.all(suppliers.map((s) => ch.releaseOf(manager, partition, s.address))),
        ]);
        let withdrawableLeft = 0n;
        for (const [k, s] of suppliers.entries()) {
            const out = (withdrawn.get(s.address) ?? 0n) + (fallbackOut.get(s.address) ?? 0n);
            const want = INITIAL_BALANCE - suppliedBy.get(s.address) + out;
            assert.deepEqual(balances.slice(3 * k, 3 * k + 3), [want, 0n, want],
                             `Amp balances of supplier ${k}`);
            // stakeOf counts the supplier's own withdrawals since the last
            // publication; the exits leave nothing.
            const view = model.clone();
            view.settleWithdrawals(s.address, out);
            const w = view.stakeOf(s.address);
            assert.deepEqual([finalStakes[k].stake, finalStakes[k].withdrawable],
                             [w.stake, w.withdrawable], `final stake of supplier ${k}`);
            if (fallbackOut.has(s.address)) assert.equal(w.stake, 0n);
            // What was withdrawn is taken off the request; nothing is reserved.
            assert.deepEqual([finalReleases[k].requested, finalReleases[k].authorized],
                             [view.account(s.address).requested, 0n], `release of supplier ${k}`);
            withdrawableLeft += finalStakes[k].withdrawable;
        }
        assert.ok(withdrawableLeft <= poolBalance &&
                  poolBalance - withdrawableLeft < BigInt(suppliers.length),
                  `Σ withdrawable ${withdrawableLeft} vs pool ${poolBalance}`);

        const beneficiaryBalances = await Promise.all(
            beneficiaries.map((b) => amp.balanceOfByPartition(DEFAULT_PARTITION, b.address)));
        for (const [j, b] of beneficiaries.entries()) {
            assert.ok(claimedBy.get(b.address) > 0n);
            assert.equal(beneficiaryBalances[j], INITIAL_BALANCE + claimedBy.get(b.address),
                         `beneficiary ${j}`);
        }
        assert.equal(sum([...claimedBy.values()]), losses);
        // Claims and root withdrawals draw the manager's withdrawal limit;
        // fallback withdrawals do not.
        assert.equal(await fcm.withdrawalLimit(), limitBefore - losses - withdrawnSum);
        assert.equal(await amp.totalSupply(), supplyBefore);
    });
});

describe("Clearinghouse: bad input and abuse", () => {
    let ctx, ch, fcm, manager, partition, owner, assurer, supplier, beneficiary, stranger;
    let ids, expiresAt, headTs;
    before(async () => {
        ctx = await setup();
        ({ ch, fcm } = clearinghouseOf(ctx));
        manager = getAddress(ctx.manager.target);
        partition = ctx.collateralPartition;
        [, owner, assurer, supplier] = ctx.wallets;
        beneficiary = ctx.wallets[13];
        stranger = ctx.wallets[5];
        const sender = new TxSender(ctx);
        await sender.add(supplier, ctx.amp, "transferByPartition",
                         [DEFAULT_PARTITION, supplier.address, manager, AMP(1000),
                          changePartitionData(partition), "0x"]);
        await sender.send();
        headTs = BigInt((await ctx.provider.getBlock("latest")).timestamp);
        expiresAt = headTs + 3600n;
        // Open, settled, claimed.
        ids = { open: bytes32("abuse", 1), settled: bytes32("abuse", 2),
                claimed: bytes32("abuse", 3) };
        await sender.add(assurer, ch, "openGuarantees",
                         [[ids.open, ids.settled, ids.claimed], manager, partition,
                          [AMP(100), AMP(50), AMP(40)], Array(3).fill(beneficiary.address),
                          Array(3).fill(expiresAt), Array(3).fill(ZeroHash)], 2_000_000n);
        await sender.add(assurer, ch, "settleGuarantee", [ids.settled]);
        await sender.add(assurer, ch, "claimGuarantee", [ids.claimed]);
        await sender.send();
    });
    after(async () => {
        await ctx?.finish();
    });

    // What a refusal must leave as it was.
    async function observe(extraIds = []) {
        const all = [...Object.values(ids), ...extraIds];
        const [p, hash, ...gs] = await Promise.all([
            ch.poolOf(manager, partition),
            ctx.provider.send("amp_stateHash", []),
            ...all.map((id) => ch.guaranteeOf(id)),
        ]);
        return { pool: [...p], hash, guarantees: gs.map((g) => [...g]) };
    }

    // staticCall (eth_call) and estimateGas both revert with `reason`, and
    // neither changes anything.
    async function refused(wallet, method, args, reason, extraIds = []) {
        const before = await observe(extraIds);
        const c = ch.connect(wallet);
        await assertRevert(c[method].staticCall(...args), reason, `${method} (eth_call)`);
        await assertRevert(c[method].estimateGas(...args), reason, `${method} (estimateGas)`);
        // Sent as a wallet sends it: ethers estimates first and stops there.
        await assert.rejects(c[method](...args), (e) => {
            assert.equal(e.code, "CALL_EXCEPTION");
            assert.equal(e.reason, reason);
            assert.equal(e.action, "estimateGas");
            return true;
        });
        assert.deepEqual(await observe(extraIds), before, `${method}: state changed`);
    }

    const fresh = (i) => bytes32("fresh", i);
    const open = (id, amount, opts = {}) => [
        id, opts.manager ?? manager, opts.partition ?? partition, amount,
        opts.beneficiary ?? beneficiary.address, opts.expiresAt ?? expiresAt, ZeroHash];
    const openMany = (idList, amounts, opts = {}) => [
        idList, opts.manager ?? manager, opts.partition ?? partition, amounts,
        opts.beneficiaries ?? idList.map(() => beneficiary.address),
        opts.expiries ?? idList.map(() => expiresAt), idList.map(() => ZeroHash)];

    test("the set-up: one open, one settled, one claimed guarantee", async () => {
        const p = await ch.poolOf(manager, partition);
        assert.deepEqual([p.balance, p.locked, p.available, p.openCount, p.totalLosses],
                         [AMP(960), AMP(100), AMP(860), 1n, AMP(40)]);
        assert.equal((await ch.guaranteeOf(ids.open)).state, STATE.open);
        assert.equal((await ch.guaranteeOf(ids.settled)).state, STATE.settled);
        assert.equal((await ch.guaranteeOf(ids.claimed)).state, STATE.claimed);
        assert.deepEqual([...(await ch.guaranteeOf(fresh(0)))],
                         [0n, ZeroAddress, ZeroHash, 0n, ZeroAddress, 0n, 0n, ZeroHash]);
        const s = await ch.stakeOf(manager, partition, supplier.address);
        assert.deepEqual([s.stake, s.withdrawable], [AMP(960), AMP(860)]);
    });

    test("only assurers open, settle and claim", async () => {
        await refused(stranger, "openGuarantee", open(fresh(1), AMP(1)), "Not an assurer",
                      [fresh(1)]);
        await refused(stranger, "openGuarantees", openMany([fresh(1)], [AMP(1)]),
                      "Not an assurer", [fresh(1)]);
        // The beneficiary is no assurer either.
        await refused(beneficiary, "openGuarantee", open(fresh(1), AMP(1)), "Not an assurer",
                      [fresh(1)]);
        await refused(stranger, "settleGuarantee", [ids.open], "Not an assurer");
        await refused(beneficiary, "settleGuarantees", [[ids.open]], "Not an assurer");
        await refused(stranger, "claimGuarantee", [ids.open], "Not an assurer");
        // The manager's owner manages the pool but does not assure it.
        await refused(owner, "openGuarantee", open(fresh(1), AMP(1)), "Not an assurer",
                      [fresh(1)]);
        await refused(stranger, "publishWithdrawalRoot", [manager], "Not an assurer");
        await refused(stranger, "publishFallbackRoot", [manager], "Not an assurer");
        await refused(stranger, "setAssurer", [manager, partition, stranger.address, true],
                      "Not the manager owner");
        await refused(assurer, "setAssurer", [manager, partition, stranger.address, true],
                      "Not the manager owner");
        await refused(owner, "registerPool", [manager, partition, 0], "Pool exists");
        assert.equal(await ch.isAssurer(manager, partition, stranger.address), false);
    });

    test("a beneficiary cannot claim before expiry", async () => {
        await refused(beneficiary, "claimGuarantee", [ids.open], "Not expired");
        // Releasing is for policy 1 pools only.
        await refused(stranger, "releaseExpired", [ids.open], "Release not allowed");
    });

    test("a closed guarantee cannot be settled or claimed again", async () => {
        await refused(assurer, "settleGuarantee", [ids.settled], "Guarantee not open");
        await refused(assurer, "claimGuarantee", [ids.settled], "Guarantee not open");
        await refused(assurer, "claimGuarantee", [ids.claimed], "Guarantee not open");
        await refused(assurer, "settleGuarantee", [ids.claimed], "Guarantee not open");
        // All or nothing: the open one in front stays open.
        await refused(assurer, "settleGuarantees", [[ids.open, ids.settled]],
                      "Guarantee not open");
        await refused(assurer, "settleGuarantees", [[ids.open, ids.open]], "Guarantee not open");
        await refused(assurer, "settleGuarantee", [fresh(2)], "Unknown guarantee");
        await refused(assurer, "claimGuarantee", [fresh(2)], "Unknown guarantee");
        await refused(beneficiary, "claimGuarantee", [fresh(2)], "Unknown guarantee");
    });

    test("opening beyond the pool's capacity is refused", async () => {
        const { available } = await ch.poolOf(manager, partition);
        assert.equal(available, AMP(860));
        await refused(assurer, "openGuarantee", open(fresh(3), available + 1n),
                      "Insufficient collateral", [fresh(3)]);
        // Within a batch: the first fits alone, the second no longer does.
        await refused(assurer, "openGuarantees",
                      openMany([fresh(3), fresh(4)], [available - 10n, 11n]),
                      "Insufficient collateral", [fresh(3), fresh(4)]);
        // Exactly the capacity fits.
        await ch.connect(assurer).openGuarantee.staticCall(...open(fresh(3), available));
    });

    test("unknown pools are refused", async () => {
        const otherPartition = partition.slice(0, 10) + "0000000000000001" + partition.slice(26);
        const otherManager = Wallet.createRandom().address;
        await refused(assurer, "openGuarantee",
                      open(fresh(5), AMP(1), { partition: otherPartition }), "Unknown pool",
                      [fresh(5)]);
        await refused(assurer, "openGuarantee", open(fresh(5), AMP(1), { manager: otherManager }),
                      "Unknown pool", [fresh(5)]);
        await refused(assurer, "openGuarantees",
                      openMany([fresh(5)], [AMP(1)], { partition: DEFAULT_PARTITION }),
                      "Unknown pool", [fresh(5)]);
        await refused(assurer, "publishWithdrawalRoot", [otherManager], "Unknown pool");
        await refused(assurer, "publishFallbackRoot", [otherManager], "Unknown pool");
        await refused(owner, "setAssurer", [manager, otherPartition, stranger.address, true],
                      "Unknown pool");
        const p = await ch.poolOf(manager, otherPartition);
        assert.equal(p.registered, false);
        assert.equal(await ch.isAssurer(manager, otherPartition, assurer.address), false);
    });

    test("bad guarantee arguments are refused", async () => {
        await refused(assurer, "openGuarantee", open(ids.open, AMP(1)), "Guarantee exists");
        await refused(assurer, "openGuarantee", open(ids.settled, AMP(1)), "Guarantee exists");
        await refused(assurer, "openGuarantees", openMany([fresh(6), fresh(6)], [1n, 1n]),
                      "Guarantee exists", [fresh(6)]);
        await refused(assurer, "openGuarantee", open(fresh(6), 0n), "Invalid amount",
                      [fresh(6)]);
        await refused(assurer, "openGuarantee",
                      open(fresh(6), AMP(1), { beneficiary: ZeroAddress }),
                      "Invalid beneficiary", [fresh(6)]);
        await refused(assurer, "openGuarantee", open(fresh(6), AMP(1), { expiresAt: headTs }),
                      "Expiry in the past", [fresh(6)]);
        await refused(assurer, "openGuarantees",
                      [[fresh(6)], manager, partition, [1n, 2n], [beneficiary.address],
                       [expiresAt], [ZeroHash]],
                      "Length mismatch", [fresh(6)]);
    });

    test("a refusal mined with a fixed gas limit has status 0 and changes nothing", async () => {
        const before = await observe();
        const nonce = await ctx.provider.getTransactionCount(assurer.address);
        const tx = await ch.connect(assurer).settleGuarantee(ids.settled, { gasLimit: 500_000 });
        await assert.rejects(tx.wait(), (e) => {
            assert.equal(e.code, "CALL_EXCEPTION");
            assert.equal(e.receipt.status, 0);
            assert.deepEqual(e.receipt.logs, []);
            return true;
        });
        assert.equal(await ctx.provider.getTransactionCount(assurer.address), nonce + 1);
        const afterwards = await observe();
        assert.deepEqual(afterwards.pool, before.pool);
        assert.deepEqual(afterwards.guarantees, before.guarantees);
    });

    test("after expiry the beneficiary claims once, and only the beneficiary", async () => {
        await ctx.provider.send("evm_mine", [Number(expiresAt)]);
        await refused(stranger, "claimGuarantee", [ids.open], "Not an assurer");
        const balance = await ctx.amp.balanceOf(beneficiary.address);
        const receipt = await (await ch.connect(beneficiary).claimGuarantee(ids.open)).wait();
        assert.deepEqual(eventsOf(ch, receipt).map((e) => e.name),
                         ["GuaranteeClaimed", "LossRecorded"]);
        assert.equal(await ctx.amp.balanceOf(beneficiary.address), balance + AMP(100));
        await refused(beneficiary, "claimGuarantee", [ids.open], "Guarantee not open");
        await refused(assurer, "claimGuarantee", [ids.open], "Guarantee not open");
        const p = await ch.poolOf(manager, partition);
        assert.deepEqual([p.balance, p.locked, p.available, p.openCount, p.totalLosses],
                         [AMP(860), 0n, AMP(860), 0n, AMP(140)]);
        const s = await ch.stakeOf(manager, partition, supplier.address);
        assert.deepEqual([s.stake, s.withdrawable], [AMP(860), AMP(860)]);
        assert.equal(await fcm.withdrawalLimit(), AMP(100_000) - AMP(140));
    });
});
