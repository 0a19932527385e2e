// Live updates as dapps subscribe to them over HTTP: ethers polls
// eth_blockNumber for new blocks; for contract.on(event) it installs a log
// filter (eth_newFilter, then eth_getFilterChanges on every new block), and
// falls back to eth_getLogs polling when the node answers eth_newFilter
// with geth's "the method ... does not exist/is not available".
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
        const seen = firstEvent((cb) => live.on("block", cb), 5000, "block");
        // Let the subscriber read the current head first.
        await new Promise((r) => setTimeout(r, 300));
        const [, alice, bob] = ctx.wallets;
        const receipt = await (await ctx.amp.connect(alice).transfer(bob.address, 1n)).wait();
        const [number] = await seen;
        assert.ok(number >= receipt.blockNumber - 1);
        await live.removeAllListeners("block");
    });

    // geth, Hardhat and Anvil serve these; ampd does not (yet). Marked todo:
    // it runs and reports, but does not fail the suite.
    test("log filters: eth_newFilter and eth_getFilterChanges",
         { todo: "ampd does not implement eth_newFilter / eth_getFilterChanges" }, async () => {
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
    });

    test("contract.on(\"Transfer\") delivers a new transfer", async () => {
        const [, , carol, dave] = ctx.wallets;
        const amp = ctx.amp.connect(live);
        const event = firstEvent((cb) => amp.on(amp.filters.Transfer(carol.address), cb), 5000,
                                 "Transfer event");
        await new Promise((r) => setTimeout(r, 300));
        const receipt = await (await ctx.amp.connect(carol).transfer(dave.address, AMP(3))).wait();
        // The listener's last argument is the event payload.
        const payload = (await event).at(-1);
        assert.deepEqual([...payload.args], [carol.address, dave.address, AMP(3)]);
        assert.equal(payload.log.transactionHash, receipt.hash);
        await amp.removeAllListeners();
    });
});
