// Live updates as dapps subscribe to them over HTTP: ethers polls
// eth_blockNumber for new blocks; for contract.on(event) it installs a log
// filter (eth_newFilter, then eth_getFilterChanges on every new block).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { JsonRpcProvider } from "ethers";

import { AMP, setup } from "./lib/amp.mjs";

// Resolves with the first value `subscribe` hands its callback, or rejects
// after `ms` milliseconds.
function firstEvent(subscribe, ms, what) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
        subscribe((...args) => {
            clearTimeout(timer);
            resolve(args);
        });
    });
}

// Runs `action` now and every `ms` until `pending` settles; resolves as it
// does. A subscription may start polling after the first action (on a busy
// machine), so one action alone could be missed.
async function keepActing(pending, action, ms = 300) {
    let done = false;
    const settled = pending.finally(() => {
        done = true;
    });
    const results = [];
    while (!done) {
        results.push(await action());
        await Promise.race([settled.catch(() => {}), new Promise((r) => setTimeout(r, ms))]);
    }
    return [await settled, results];
}

describe("subscriptions", () => {
    let ctx;
    let live;  // a provider that polls every 100 ms rather than every 4 s
    before(async () => {
        ctx = await setup();
        live = new JsonRpcProvider(ctx.node.url, undefined,
                                   { cacheTimeout: -1, pollingInterval: 100 });
    });
    after(async () => {
        live?.destroy();
        await ctx?.finish();
    });

    test("provider.on(\"block\") sees new blocks", async () => {
        const start = await ctx.provider.getBlockNumber();
        const seen = firstEvent((cb) => live.on("block", cb), 10000, "block");
        const [alice, bob] = ctx.wallets.slice(1, 3);
        const [[number]] = await keepActing(
            seen, async () => (await ctx.amp.connect(alice).transfer(bob.address, 1n)).wait());
        assert.ok(number > start, `block ${number} after ${start}`);
        await live.removeAllListeners("block");
    });

    test("log filters: eth_newFilter and eth_getFilterChanges", async () => {
        const id = await ctx.provider.send("eth_newFilter", [{ address: ctx.amp.target }]);
        assert.match(id, /^0x[0-9a-f]+$/);
        const [, alice, bob] = ctx.wallets;
        const receipt = await (await ctx.amp.connect(alice).transfer(bob.address, 2n)).wait();
        const changes = await ctx.provider.send("eth_getFilterChanges", [id]);
        assert.deepEqual(changes.map((l) => l.transactionHash),
                         receipt.logs.map((l) => l.transactionHash));
        // Read once: nothing new the second time.
        assert.deepEqual(await ctx.provider.send("eth_getFilterChanges", [id]), []);
        assert.equal(await ctx.provider.send("eth_uninstallFilter", [id]), true);
        assert.equal(await ctx.provider.send("eth_uninstallFilter", [id]), false);
    });

    test("block filters: eth_newBlockFilter", async () => {
        const id = await ctx.provider.send("eth_newBlockFilter", []);
        const [, alice, bob] = ctx.wallets;
        const r1 = await (await ctx.amp.connect(alice).transfer(bob.address, 1n)).wait();
        const r2 = await (await ctx.amp.connect(alice).transfer(bob.address, 1n)).wait();
        assert.deepEqual(await ctx.provider.send("eth_getFilterChanges", [id]),
                         [r1.blockHash, r2.blockHash]);
        assert.deepEqual(await ctx.provider.send("eth_getFilterChanges", [id]), []);
        assert.equal(await ctx.provider.send("eth_uninstallFilter", [id]), true);
    });

    test("contract.on(\"Transfer\") delivers a new transfer", async () => {
        const [, , carol, dave] = ctx.wallets;
        const amp = ctx.amp.connect(live);
        const event = firstEvent((cb) => amp.on(amp.filters.Transfer(carol.address), cb), 10000,
                                 "Transfer event");
        let amount = 0n;
        const [args, receipts] = await keepActing(event, async () => {
            amount += 1n;
            return (await ctx.amp.connect(carol).transfer(dave.address, AMP(amount))).wait();
        });
        // The listener's last argument is the event payload: one of ours.
        const payload = args.at(-1);
        const i = receipts.findIndex((r) => r.hash === payload.log.transactionHash);
        assert.ok(i >= 0, `event of ${payload.log.transactionHash}`);
        assert.deepEqual([...payload.args], [carol.address, dave.address, AMP(BigInt(i + 1))]);
        await amp.removeAllListeners();
        // Stopping sends eth_uninstallFilter; a request queued behind it
        // comes back after it, so destroying the provider then cancels nothing.
        await live.send("eth_blockNumber", []);
    });
});
