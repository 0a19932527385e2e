// Failures as ethers reports them: reverts with Amp's reason codes, nonce
// and chain id refusals; and the transaction types wallets send.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Transaction } from "ethers";

import { AMP, INITIAL_BALANCE, setup } from "./lib/amp.mjs";

describe("errors and transaction types", () => {
    let ctx;
    before(async () => {
        ctx = await setup();
    });
    after(async () => {
        await ctx?.finish();
    });

    const transferData = (to, value) =>
        ctx.amp.interface.encodeFunctionData("transfer", [to, value]);

    test("a transfer above the balance reverts with Amp's reason \"52\"", async () => {
        const [, from, to] = ctx.wallets;
        const amp = ctx.amp.connect(from);
        const tooMuch = INITIAL_BALANCE + 1n;
        // eth_call (staticCall) and eth_estimateGas (sending) both surface it.
        await assert.rejects(amp.transfer.staticCall(to.address, tooMuch), (e) => {
            assert.equal(e.code, "CALL_EXCEPTION");
            assert.equal(e.reason, "52");
            assert.equal(e.revert.name, "Error");
            assert.deepEqual([...e.revert.args], ["52"]);
            return true;
        });
        await assert.rejects(amp.transfer(to.address, tooMuch),
                             (e) => e.code === "CALL_EXCEPTION" && e.reason === "52" &&
                                    e.action === "estimateGas");
        assert.equal(await ctx.provider.getTransactionCount(from.address), 0);
        assert.equal(await ctx.amp.balanceOf(from.address), INITIAL_BALANCE);
    });

    test("a mined revert has status 0, uses the nonce and changes no balance", async () => {
        const [, , from, to] = ctx.wallets;
        const head = await ctx.provider.getBlockNumber();
        // A fixed gas limit skips the estimate, so the node mines the revert.
        const tx = await ctx.amp.connect(from).transfer(to.address, INITIAL_BALANCE + 1n,
                                                        { gasLimit: 200000 });
        await assert.rejects(tx.wait(), (e) => {
            assert.equal(e.code, "CALL_EXCEPTION");
            assert.equal(e.receipt.status, 0);
            assert.equal(e.receipt.blockNumber, head + 1);
            assert.deepEqual(e.receipt.logs, []);
            return true;
        });
        assert.equal(await ctx.amp.balanceOf(from.address), INITIAL_BALANCE);
        assert.equal(await ctx.amp.balanceOf(to.address), INITIAL_BALANCE);
        assert.equal(await ctx.provider.getTransactionCount(from.address), 1);
    });

    test("reusing a nonce is NONCE_EXPIRED; skipping one is refused", async () => {
        const w = ctx.wallets[4];
        const first = await w.sendTransaction({ to: ctx.amp.target,
                                                data: transferData(w.address, 1n), nonce: 0 });
        await first.wait();
        await assert.rejects(
            w.sendTransaction({ to: ctx.amp.target, data: transferData(w.address, 2n), nonce: 0,
                                gasLimit: 100000 }),
            (e) => e.code === "NONCE_EXPIRED");
        // No mempool: a transaction that cannot run next is not queued.
        await assert.rejects(
            w.sendTransaction({ to: ctx.amp.target, data: transferData(w.address, 3n), nonce: 5,
                                gasLimit: 100000 }),
            (e) => /nonce too high/.test(e.error?.message ?? ""));
        assert.equal(await ctx.provider.getTransactionCount(w.address), 1);
        assert.equal(await ctx.provider.getTransactionCount(w.address, "pending"), 1);
    });

    test("a transaction signed for another chain is refused, naming the chain id", async () => {
        const w = ctx.wallets[5];
        const raw = await w.signTransaction({
            type: 2, chainId: 1, nonce: 0, to: ctx.amp.target, data: transferData(w.address, 1n),
            gasLimit: 100000, maxFeePerGas: 0, maxPriorityFeePerGas: 0,
        });
        await assert.rejects(ctx.provider.broadcastTransaction(raw), (e) => {
            assert.match(e.error?.message ?? "", /chain id/);
            assert.match(e.error.message, /31337/);
            return true;
        });
        // A legacy signature without any chain id (pre-EIP-155) is refused too.
        const unprotected = await w.signTransaction({
            type: 0, chainId: 0, nonce: 0, to: ctx.amp.target, data: transferData(w.address, 1n),
            gasLimit: 100000, gasPrice: 0,
        });
        assert.equal(Transaction.from(unprotected).chainId, 0n);
        await assert.rejects(ctx.provider.broadcastTransaction(unprotected),
                             (e) => e.code === "UNSUPPORTED_OPERATION");
        assert.equal(await ctx.provider.getTransactionCount(w.address), 0);
    });

    test("legacy, EIP-2930 and EIP-1559 transactions are all accepted", async () => {
        const w = ctx.wallets[6];
        const to = ctx.wallets[7].address;
        const kinds = [
            { type: 0, gasPrice: 0 },
            { type: 0, gasPrice: 3 },
            { type: 1, gasPrice: 1, accessList: [] },
            { type: 2, maxFeePerGas: 0, maxPriorityFeePerGas: 0 },
            { type: 2, maxFeePerGas: 7, maxPriorityFeePerGas: 2 },
        ];
        for (const [i, kind] of kinds.entries()) {
            const tx = await w.sendTransaction({ to: ctx.amp.target, data: transferData(to, 1n),
                                                 ...kind });
            const receipt = await tx.wait();
            assert.equal(receipt.status, 1, JSON.stringify(kind));
            assert.equal(receipt.type, kind.type);
            const seen = await ctx.provider.getTransaction(tx.hash);
            assert.equal(seen.type, kind.type);
            assert.equal(seen.nonce, i);
            assert.equal(seen.from, w.address);
        }
        // A wallet that leaves the type open sends legacy here (see chain.test.mjs).
        const open = await (await ctx.amp.connect(w).transfer(to, 1n)).wait();
        assert.equal(open.type, 0);
        assert.equal(await ctx.amp.balanceOf(to), INITIAL_BALANCE + BigInt(kinds.length + 1));
    });

    test("the node signs for its unlocked dev accounts (eth_sendTransaction)", async () => {
        const signer = await ctx.provider.getSigner(8);
        assert.equal(await signer.getAddress(), ctx.wallets[8].address);
        const receipt = await (
            await ctx.amp.connect(signer).transfer(ctx.wallets[9].address, AMP(7))).wait();
        assert.equal(receipt.status, 1);
        assert.equal(receipt.from, ctx.wallets[8].address);
        assert.equal(await ctx.amp.balanceOf(ctx.wallets[9].address), INITIAL_BALANCE + AMP(7));
    });
});
