// Moving Amp through its ABI as a dapp does: ERC-20 transfers and
// allowances, operators, partitions, and a collateral supply into the
// FlexaCollateralManager followed by a release request.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { getAddress } from "ethers";

import { AMP, DEFAULT_PARTITION, INITIAL_BALANCE, changePartitionData, setup } from "./lib/amp.mjs";

describe("Amp transfers", () => {
    let ctx;
    before(async () => {
        ctx = await setup();
    });
    after(async () => {
        await ctx?.finish();
    });

    // The parsed logs of `receipt` emitted by `contract`, by event name.
    function eventsOf(contract, receipt) {
        const out = [];
        for (const log of receipt.logs) {
            if (log.address.toLowerCase() !== contract.target.toLowerCase()) continue;
            const parsed = contract.interface.parseLog(log);
            if (parsed) out.push(parsed);
        }
        return out;
    }

    test("ERC-20 transfer moves the balance and emits Transfer", async () => {
        const [, alice, bob] = ctx.wallets;
        const tx = await ctx.amp.connect(alice).transfer(bob.address, AMP(250));
        const receipt = await tx.wait();
        assert.equal(receipt.status, 1);
        assert.equal(await ctx.amp.balanceOf(alice.address), INITIAL_BALANCE - AMP(250));
        assert.equal(await ctx.amp.balanceOf(bob.address), INITIAL_BALANCE + AMP(250));
        const transfer = eventsOf(ctx.amp, receipt).find((e) => e.name === "Transfer");
        assert.equal(transfer.args.from, alice.address);
        assert.equal(transfer.args.to, bob.address);
        assert.equal(transfer.args.value, AMP(250));
        // The ERC-20 path moves the default partition and says so.
        const byPartition =
            eventsOf(ctx.amp, receipt).find((e) => e.name === "TransferByPartition");
        assert.equal(byPartition.args.fromPartition, DEFAULT_PARTITION);
        assert.equal(byPartition.args.operator, alice.address);
        assert.equal(await ctx.amp.balanceOfByPartition(DEFAULT_PARTITION, bob.address),
                     INITIAL_BALANCE + AMP(250));
    });

    test("approve and transferFrom spend the allowance", async () => {
        const [, , , owner, spender, to] = ctx.wallets;
        const approval =
            await (await ctx.amp.connect(owner).approve(spender.address, AMP(50))).wait();
        const approved = eventsOf(ctx.amp, approval).find((e) => e.name === "Approval");
        assert.deepEqual([approved.args.owner, approved.args.spender, approved.args.value],
                         [owner.address, spender.address, AMP(50)]);
        assert.equal(await ctx.amp.allowance(owner.address, spender.address), AMP(50));

        const moved = await (
            await ctx.amp.connect(spender).transferFrom(owner.address, to.address, AMP(20))).wait();
        assert.equal(moved.status, 1);
        assert.equal(moved.from, spender.address);
        assert.equal(await ctx.amp.allowance(owner.address, spender.address), AMP(30));
        assert.equal(await ctx.amp.balanceOf(owner.address), INITIAL_BALANCE - AMP(20));
        assert.equal(await ctx.amp.balanceOf(to.address), INITIAL_BALANCE + AMP(20));

        // Beyond the allowance: the estimate reverts with Amp's code "53".
        await assert.rejects(
            ctx.amp.connect(spender).transferFrom(owner.address, to.address, AMP(31)),
            (e) => e.code === "CALL_EXCEPTION" && e.reason === "53");
        assert.equal(await ctx.amp.allowance(owner.address, spender.address), AMP(30));
    });

    test("an authorized operator moves a holder's tokens by partition", async () => {
        const holder = ctx.wallets[7];
        const operator = ctx.wallets[8];
        const to = ctx.wallets[9];
        assert.equal(await ctx.amp.isOperator(operator.address, holder.address), false);
        const auth =
            await (await ctx.amp.connect(holder).authorizeOperator(operator.address)).wait();
        const ev = eventsOf(ctx.amp, auth).find((e) => e.name === "AuthorizedOperator");
        assert.equal(ev.args.operator, operator.address);
        assert.equal(ev.args.tokenHolder, holder.address);
        assert.equal(await ctx.amp.isOperator(operator.address, holder.address), true);

        const receipt = await (
            await ctx.amp
                .connect(operator)
                .transferByPartition(DEFAULT_PARTITION, holder.address, to.address, AMP(5), "0x",
                                     "0x")).wait();
        const moved = eventsOf(ctx.amp, receipt).find((e) => e.name === "TransferByPartition");
        assert.equal(moved.args.operator, operator.address);
        assert.equal(moved.args.from, holder.address);
        assert.equal(moved.args.to, to.address);
        assert.equal(moved.args.value, AMP(5));
        assert.equal(await ctx.amp.balanceOf(holder.address), INITIAL_BALANCE - AMP(5));
        assert.equal(await ctx.amp.balanceOf(to.address), INITIAL_BALANCE + AMP(5));

        // Anyone else needs an allowance by partition, and has none: "53".
        await assert.rejects(
            ctx.amp.connect(to).transferByPartition(DEFAULT_PARTITION, holder.address, to.address,
                                                    1n, "0x", "0x"),
            (e) => e.code === "CALL_EXCEPTION" && e.reason === "53");
    });

    test("a supply moves Amp into the manager's collateral partition", async () => {
        const supplier = ctx.wallets[10];
        // Checksummed, as ethers decodes addresses.
        const manager = getAddress(ctx.manager.target);
        const partition = ctx.collateralPartition;
        assert.equal(await ctx.manager.partitions(partition), true);
        assert.equal(await ctx.manager.supplyNonce(), 0n);

        const tx = await ctx.amp.connect(supplier).transferByPartition(
            DEFAULT_PARTITION, supplier.address, manager, AMP(1000), changePartitionData(partition),
            "0x");
        const receipt = await tx.wait();
        assert.equal(receipt.status, 1);

        assert.equal(await ctx.amp.balanceOf(supplier.address), INITIAL_BALANCE - AMP(1000));
        assert.equal(await ctx.amp.balanceOfByPartition(partition, manager), AMP(1000));
        assert.equal(await ctx.amp.balanceOfByPartition(DEFAULT_PARTITION, manager), 0n);
        assert.deepEqual([...(await ctx.amp.partitionsOf(manager))], [partition]);

        const ampEvents = eventsOf(ctx.amp, receipt);
        const changed = ampEvents.find((e) => e.name === "ChangedPartition");
        assert.equal(changed.args.fromPartition, DEFAULT_PARTITION);
        assert.equal(changed.args.toPartition, partition);
        assert.equal(changed.args.value, AMP(1000));
        const moved = ampEvents.find((e) => e.name === "TransferByPartition");
        assert.equal(moved.args.to, manager);
        assert.equal(moved.args.data, changePartitionData(partition));

        const [supply] = eventsOf(ctx.manager, receipt).filter((e) => e.name === "SupplyReceipt");
        assert.equal(supply.args.supplier, supplier.address);
        assert.equal(supply.args.partition, partition);
        assert.equal(supply.args.amount, AMP(1000));
        assert.equal(supply.args.nonce, 1n);
        assert.equal(await ctx.manager.supplyNonce(), 1n);
        const recorded = await ctx.manager.nonceToSupply(1n);
        assert.deepEqual([recorded.supplier, recorded.partition, recorded.amount],
                         [supplier.address, partition, AMP(1000)]);

        // The supplier asks for part of it back.
        const release = await (
            await ctx.manager.connect(supplier).requestRelease(partition, AMP(400), "0xbeef"))
                            .wait();
        const [req] = eventsOf(ctx.manager, release);
        assert.equal(req.name, "ReleaseRequest");
        assert.equal(req.args.supplier, supplier.address);
        assert.equal(req.args.partition, partition);
        assert.equal(req.args.amount, AMP(400));
        assert.equal(req.args.data, "0xbeef");
        // A request is only a signal: the collateral stays where it is.
        assert.equal(await ctx.amp.balanceOfByPartition(partition, manager), AMP(1000));
    });

    test("a partition the manager does not permit is refused", async () => {
        const supplier = ctx.wallets[11];
        const manager = ctx.manager.target;
        // Same prefix and owner, another sub-partition: not added to the manager.
        const other = ctx.collateralPartition.slice(0, 10) + "0000000000000001" +
                      ctx.collateralPartition.slice(26);
        await assert.rejects(
            ctx.amp.connect(supplier).transferByPartition(
                DEFAULT_PARTITION, supplier.address, manager, AMP(1), changePartitionData(other),
                "0x"),
            (e) => e.code === "CALL_EXCEPTION");
        assert.equal(await ctx.amp.balanceOf(supplier.address), INITIAL_BALANCE);
    });
});
