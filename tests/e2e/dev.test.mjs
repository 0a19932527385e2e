// The development methods test suites (Hardhat/Foundry style) rely on:
// evm_snapshot / evm_revert, evm_increaseTime / evm_mine,
// evm_setNextBlockTimestamp.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { AMP, INITIAL_BALANCE, setup } from "./lib/amp.mjs";

describe("dev methods", () => {
    let ctx;
    before(async () => {
        ctx = await setup();
    });
    after(async () => {
        await ctx?.finish();
    });

    test("evm_revert goes back to the evm_snapshot state", async () => {
        const [, alice, bob] = ctx.wallets;
        await (await ctx.amp.connect(alice).transfer(bob.address, AMP(1))).wait();
        const headBefore = await ctx.provider.getBlockNumber();
        const hashBefore = (await ctx.provider.getBlock("latest")).hash;
        const stateBefore = await ctx.provider.send("amp_stateHash", []);

        const id = await ctx.provider.send("evm_snapshot", []);
        assert.match(id, /^0x[0-9a-f]+$/);
        const moved = await (await ctx.amp.connect(alice).transfer(bob.address, AMP(100))).wait();
        await (await ctx.amp.connect(bob).transfer(alice.address, AMP(3))).wait();
        assert.equal(await ctx.amp.balanceOf(bob.address), INITIAL_BALANCE + AMP(98));
        assert.equal(await ctx.provider.getBlockNumber(), headBefore + 2);

        assert.equal(await ctx.provider.send("evm_revert", [id]), true);
        assert.equal(await ctx.amp.balanceOf(alice.address), INITIAL_BALANCE - AMP(1));
        assert.equal(await ctx.amp.balanceOf(bob.address), INITIAL_BALANCE + AMP(1));
        assert.equal(await ctx.provider.getTransactionCount(alice.address), 1);
        assert.equal(await ctx.provider.getTransactionCount(bob.address), 0);
        assert.equal(await ctx.provider.getBlockNumber(), headBefore);
        assert.equal((await ctx.provider.getBlock("latest")).hash, hashBefore);
        assert.deepEqual(await ctx.provider.send("amp_stateHash", []), stateBefore);
        // The reverted transactions and their blocks are gone.
        assert.equal(await ctx.provider.getTransactionReceipt(moved.hash), null);
        assert.equal(await ctx.provider.getBlock(headBefore + 1), null);

        // A snapshot is used up by reverting to it.
        assert.equal(await ctx.provider.send("evm_revert", [id]), false);
        // The chain goes on from there: the same nonce is free again.
        const again = await (await ctx.amp.connect(alice).transfer(bob.address, AMP(2))).wait();
        assert.equal(again.blockNumber, headBefore + 1);
        assert.equal(await ctx.amp.balanceOf(bob.address), INITIAL_BALANCE + AMP(3));
    });

    test("nested snapshots: reverting to the outer one drops the inner one", async () => {
        const [, , , carol, dave] = ctx.wallets;
        const outer = await ctx.provider.send("evm_snapshot", []);
        await (await ctx.amp.connect(carol).transfer(dave.address, AMP(10))).wait();
        const inner = await ctx.provider.send("evm_snapshot", []);
        await (await ctx.amp.connect(carol).transfer(dave.address, AMP(20))).wait();
        assert.equal(await ctx.provider.send("evm_revert", [inner]), true);
        assert.equal(await ctx.amp.balanceOf(dave.address), INITIAL_BALANCE + AMP(10));
        assert.equal(await ctx.provider.send("evm_revert", [outer]), true);
        assert.equal(await ctx.amp.balanceOf(dave.address), INITIAL_BALANCE);
        assert.equal(await ctx.provider.send("evm_revert", [inner]), false);
    });

    test("evm_increaseTime moves the next block's timestamp", async () => {
        const head = (await ctx.provider.getBlock("latest")).timestamp;
        // Blocks mined within one second take parent + 1, so the head can be
        // a little ahead of the clock: the offset applies to the clock.
        const now = Math.floor(Date.now() / 1000);
        const offset = await ctx.provider.send("evm_increaseTime", [3600]);
        assert.ok(offset >= 3600);
        assert.equal(await ctx.provider.send("evm_mine", []), "0x0");
        const mined = await ctx.provider.getBlock("latest");
        assert.equal(mined.transactions.length, 0);
        assert.ok(mined.timestamp >= now + 3600, `${mined.timestamp} vs clock ${now}`);
        assert.ok(mined.timestamp > head);
        // The offset stays: a transaction's block is late as well.
        const [, alice, bob] = ctx.wallets;
        const receipt = await (await ctx.amp.connect(alice).transfer(bob.address, 1n)).wait();
        const block = await ctx.provider.getBlock(receipt.blockNumber);
        assert.ok(block.timestamp > mined.timestamp);
        assert.ok(block.timestamp >= Math.floor(Date.now() / 1000) + 3600 - 5);
    });

    test("evm_setNextBlockTimestamp and evm_mine with a timestamp", async () => {
        const head = (await ctx.provider.getBlock("latest")).timestamp;
        await ctx.provider.send("evm_setNextBlockTimestamp", [head + 10000]);
        await ctx.provider.send("evm_mine", []);
        assert.equal((await ctx.provider.getBlock("latest")).timestamp, head + 10000);
        await ctx.provider.send("evm_mine", [head + 20000]);
        assert.equal((await ctx.provider.getBlock("latest")).timestamp, head + 20000);
        // Not after the head: refused with the reason.
        await assert.rejects(ctx.provider.send("evm_setNextBlockTimestamp", [head]),
                             (e) => /not after/.test(e.error?.message ?? e.message));
    });
});
