// Events as dapps read them: from receipts (parsed with the contract's
// interface) and from eth_getLogs through queryFilter and raw filters
// (addresses, topic OR-lists, nulls, block ranges, a block hash).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { getAddress, zeroPadValue } from "ethers";

import { AMP, DEFAULT_PARTITION, changePartitionData, setup } from "./lib/amp.mjs";

describe("events and logs", () => {
    let ctx;
    let a, b, c, d;
    // Receipts of the transactions below, in order.
    const sent = {};

    before(async () => {
        ctx = await setup();
        [a, b, c, d] = ctx.wallets.slice(12, 16);
        const amp = ctx.amp;
        sent.ab = await (await amp.connect(a).transfer(b.address, AMP(1))).wait();
        sent.bc = await (await amp.connect(b).transfer(c.address, AMP(2))).wait();
        sent.ac = await (await amp.connect(a).transfer(c.address, AMP(3))).wait();
        sent.approve = await (await amp.connect(d).approve(a.address, AMP(4))).wait();
        sent.supply = await (
            await amp.connect(d).transferByPartition(
                DEFAULT_PARTITION, d.address, ctx.manager.target, AMP(5),
                changePartitionData(ctx.collateralPartition), "0x")).wait();
        sent.cd = await (await amp.connect(c).transfer(d.address, AMP(6))).wait();
    });
    after(async () => {
        await ctx?.finish();
    });

    // [from, to, value] of each Transfer log, in log order.
    const transfers = (logs) =>
        logs.map((l) => {
            const e = ctx.amp.interface.parseLog(l);
            assert.equal(e.name, "Transfer");
            return [e.args.from, e.args.to, e.args.value];
        });

    test("receipt logs carry block, transaction and index fields", async () => {
        const r = sent.bc;
        assert.equal(r.logs.length > 0, true);
        for (const [i, log] of r.logs.entries()) {
            assert.equal(log.blockNumber, r.blockNumber);
            assert.equal(log.blockHash, r.blockHash);
            assert.equal(log.transactionHash, r.hash);
            assert.equal(log.transactionIndex, 0);
            assert.equal(log.index, r.logs[0].index + i);
        }
        const parsed = r.logs.map((l) => ctx.amp.interface.parseLog(l)?.name).filter(Boolean);
        assert.deepEqual(parsed, ["Transfer", "TransferByPartition"]);
        // The block's bloom contains the Transfer topic.
        const block = await ctx.provider.getBlock(r.blockNumber);
        assert.notEqual(block.logsBloom, "0x" + "00".repeat(256));
    });

    test("queryFilter by event over all blocks", async () => {
        const logs = await ctx.amp.queryFilter(ctx.amp.filters.Transfer(), 0, "latest");
        assert.deepEqual(transfers(logs), [
            [a.address, b.address, AMP(1)],
            [b.address, c.address, AMP(2)],
            [a.address, c.address, AMP(3)],
            [d.address, getAddress(ctx.manager.target), AMP(5)],
            [c.address, d.address, AMP(6)],
        ]);
        // The genesis state (the dev accounts' swaps) is not made of
        // transactions: block 0 has no receipts and so no logs.
        assert.ok(logs.every((l) => l.blockNumber > 0));
        assert.deepEqual(await ctx.provider.getLogs({ fromBlock: 0, toBlock: 0 }), []);
    });

    test("indexed arguments: a value, an OR-list and a null", async () => {
        const from = sent.ab.blockNumber;
        const byA = await ctx.amp.queryFilter(ctx.amp.filters.Transfer(a.address), from);
        assert.deepEqual(transfers(byA).map((t) => t[2]), [AMP(1), AMP(3)]);

        const fromAorB = await ctx.amp.queryFilter(
            ctx.amp.filters.Transfer([a.address, b.address]), from);
        assert.deepEqual(transfers(fromAorB).map((t) => t[2]), [AMP(1), AMP(2), AMP(3)]);

        const toC = await ctx.amp.queryFilter(ctx.amp.filters.Transfer(null, c.address), from);
        assert.deepEqual(transfers(toC).map((t) => t[2]), [AMP(2), AMP(3)]);

        const aToC = await ctx.amp.queryFilter(ctx.amp.filters.Transfer(a.address, c.address),
                                               from);
        assert.deepEqual(transfers(aToC).map((t) => t[2]), [AMP(3)]);

        const none = await ctx.amp.queryFilter(ctx.amp.filters.Transfer(c.address, a.address), 0);
        assert.deepEqual(none, []);
    });

    test("block ranges bound the result", async () => {
        const only = await ctx.amp.queryFilter(ctx.amp.filters.Transfer(), sent.bc.blockNumber,
                                               sent.ac.blockNumber);
        assert.deepEqual(transfers(only).map((t) => t[2]), [AMP(2), AMP(3)]);
        const one = await ctx.amp.queryFilter(ctx.amp.filters.Transfer(), sent.cd.blockNumber,
                                              sent.cd.blockNumber);
        assert.deepEqual(transfers(one).map((t) => t[2]), [AMP(6)]);
        // A range past the head is cut at the head; a reversed range is empty.
        const head = await ctx.provider.getBlockNumber();
        const past = await ctx.provider.getLogs({ fromBlock: head + 1, toBlock: head + 100 });
        assert.deepEqual(past, []);
        const reversed = await ctx.provider.getLogs({ fromBlock: sent.cd.blockNumber,
                                                      toBlock: sent.ab.blockNumber });
        assert.deepEqual(reversed, []);
    });

    test("raw filters: several addresses and topic-0 OR-lists", async () => {
        const transferTopic = ctx.amp.interface.getEvent("Transfer").topicHash;
        const supplyTopic = ctx.manager.interface.getEvent("SupplyReceipt").topicHash;
        const approvalTopic = ctx.amp.interface.getEvent("Approval").topicHash;
        const logs = await ctx.provider.getLogs({
            address: [ctx.amp.target, ctx.manager.target],
            topics: [[supplyTopic, approvalTopic]],
            fromBlock: sent.ab.blockNumber,
        });
        assert.deepEqual(logs.map((l) => [l.blockNumber, l.topics[0]]), [
            [sent.approve.blockNumber, approvalTopic],
            [sent.supply.blockNumber, supplyTopic],
        ]);
        const supply = ctx.manager.interface.parseLog(logs[1]);
        assert.equal(supply.args.supplier, d.address);
        assert.equal(supply.args.amount, AMP(5));

        // A null position matches anything; an address filter excludes the manager's logs.
        const toD = await ctx.provider.getLogs({
            address: ctx.amp.target,
            topics: [transferTopic, null, zeroPadValue(d.address, 32)],
            fromBlock: 1,
        });
        assert.deepEqual(transfers(toD).map((t) => t[2]), [AMP(6)]);
        const managerOnly = await ctx.provider.getLogs({
            address: ctx.manager.target,
            topics: [transferTopic],
            fromBlock: 0,
        });
        assert.deepEqual(managerOnly, []);
    });

    test("a block hash selects that block's logs", async () => {
        const logs = await ctx.provider.getLogs({ blockHash: sent.supply.blockHash });
        assert.deepEqual(logs.map((l) => l.index), sent.supply.logs.map((l) => l.index));
        assert.ok(logs.every((l) => l.transactionHash === sent.supply.hash));
        // As the node sends them, before ethers reshapes them.
        const raw = await ctx.provider.send("eth_getLogs", [{ blockHash: sent.supply.blockHash }]);
        assert.equal(raw.length, logs.length);
        assert.ok(raw.every((l) => l.removed === false && l.blockHash === sent.supply.blockHash));
    });
});
