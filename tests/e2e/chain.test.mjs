// The chain as a wallet first sees it: network, blocks, code, balances, fees.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { AMP_ADDRESS, CHAIN_ID, INITIAL_BALANCE, setup } from "./lib/amp.mjs";

describe("chain basics", () => {
    let ctx;
    before(async () => {
        ctx = await setup();
    });
    after(async () => {
        await ctx?.finish();
    });

    test("network is chain 31337", async () => {
        const network = await ctx.provider.getNetwork();
        assert.equal(network.chainId, CHAIN_ID);
        assert.equal(await ctx.provider.send("eth_chainId", []), "0x7a69");
        assert.equal(await ctx.provider.send("net_version", []), "31337");
        assert.equal(ctx.info.chainId, "0x7a69");
    });

    test("amp_getContracts names Amp at its mainnet address and the manager", async () => {
        assert.equal(ctx.info.contracts.amp.address, AMP_ADDRESS);
        assert.equal(ctx.info.contracts.amp.type, "Amp");
        assert.equal(ctx.info.contracts.collateralManager.type, "FlexaCollateralManager");
        assert.match(ctx.collateralPartition, /^0xcccccccc0000000000000000[0-9a-f]{40}$/);
        // The partition's owner part is the manager's address.
        assert.equal("0x" + ctx.collateralPartition.slice(26),
                     ctx.info.contracts.collateralManager.address);
    });

    test("genesis block and block numbers", async () => {
        assert.equal(await ctx.provider.getBlockNumber(), 0);
        const genesis = await ctx.provider.getBlock(0);
        assert.equal(genesis.number, 0);
        assert.equal(genesis.transactions.length, 0);
        assert.match(genesis.hash, /^0x[0-9a-f]{64}$/);
        assert.equal(genesis.parentHash, "0x" + "00".repeat(32));
        assert.equal(genesis.baseFeePerGas, 0n);
        const byHash = await ctx.provider.getBlock(genesis.hash);
        assert.equal(byHash.number, 0);
        assert.equal(await ctx.provider.getBlock(1000), null);

        // One transfer: automine seals block 1 on top of the genesis.
        const [alice, bob] = ctx.wallets;
        const tx = await ctx.amp.connect(alice).transfer(bob.address, 1n);
        const receipt = await tx.wait();
        assert.equal(receipt.blockNumber, 1);
        assert.equal(await ctx.provider.getBlockNumber(), 1);
        const latest = await ctx.provider.getBlock("latest", true);
        assert.equal(latest.number, 1);
        assert.equal(latest.parentHash, genesis.hash);
        assert.ok(latest.timestamp > genesis.timestamp);
        assert.deepEqual(latest.transactions, [tx.hash]);
        assert.equal(latest.prefetchedTransactions[0].from, alice.address);
        assert.equal(receipt.blockHash, latest.hash);
    });

    test("built-in contracts have code, accounts do not", async () => {
        for (const [name, c] of Object.entries(ctx.info.contracts)) {
            const code = await ctx.provider.getCode(c.address);
            assert.notEqual(code, "0x", `${name} has no code`);
            // 0xfe (INVALID) then "ampd:<type>": nothing runs it as EVM code.
            assert.ok(code.startsWith("0xfe"), `${name}: ${code}`);
            assert.equal(Buffer.from(code.slice(4), "hex").toString(), `ampd:${c.type}`);
        }
        assert.equal(await ctx.provider.getCode(ctx.wallets[3].address), "0x");
        assert.equal(await ctx.provider.getCode("0x000000000000000000000000000000000000dEaD"),
                     "0x");
    });

    test("native balance is zero; Amp balances are the dev genesis'", async () => {
        const who = ctx.wallets[5].address;
        assert.equal(await ctx.provider.getBalance(who), 0n);
        assert.equal(await ctx.amp.balanceOf(who), INITIAL_BALANCE);
        assert.equal(await ctx.amp.name(), "Amp");
        assert.equal(await ctx.amp.symbol(), "AMP");
        assert.equal(await ctx.amp.decimals(), 18n);
        assert.equal(await ctx.amp.totalSupply(), INITIAL_BALANCE * 20n);
        assert.equal(await ctx.provider.getTransactionCount(who), 0);
    });

    test("fee data: zero gas price and base fee", async () => {
        const fees = await ctx.provider.getFeeData();
        assert.equal(fees.gasPrice, 0n);
        // ethers derives EIP-1559 fees only from a non-zero baseFeePerGas;
        // with ampd's constant zero it offers none, so wallets that leave the
        // type open send legacy transactions (errors.test.mjs sends both).
        assert.equal(fees.maxFeePerGas, null);
        assert.equal(fees.maxPriorityFeePerGas, null);
        assert.equal(await ctx.provider.send("eth_maxPriorityFeePerGas", []), "0x0");
        const history = await ctx.provider.send("eth_feeHistory", ["0x1", "latest", [50]]);
        assert.deepEqual(history.baseFeePerGas, ["0x0", "0x0"]);
    });
});
