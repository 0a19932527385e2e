// What a payment operator's or supplier's script needs to drive the
// Clearinghouse through ethers: its ABI (/work/shared/CLEARINGHOUSE.md and
// docs/CLEARINGHOUSE_DESIGN.md, as src/contracts/clearinghouse_dispatch.cpp
// and the event descriptors define it), the manager's ABI for the roots and
// withdrawals, transactions signed locally and sent many at a time, and a
// model of the pool's books to compute expected balances independently of
// the node.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";

import { Contract, ZeroHash, getAddress } from "ethers";

import { CHAIN_ID, MANAGER_ABI, changePartitionData } from "./amp.mjs";

export const CLEARINGHOUSE_ABI = [
    "function amp() view returns (address)",
    "function registerPool(address manager, bytes32 partition, uint8 expiryPolicy)",
    "function setAssurer(address manager, bytes32 partition, address assurer, bool allowed)",
    "function isAssurer(address manager, bytes32 partition, address account) view returns (bool)",
    "function poolOf(address manager, bytes32 partition) view returns (bool registered, " +
        "uint8 expiryPolicy, uint256 balance, uint256 locked, uint256 available, " +
        "uint256 openCount, uint256 totalLosses)",
    "function openGuarantee(bytes32 id, address manager, bytes32 partition, uint256 amount, " +
        "address beneficiary, uint64 expiresAt, bytes32 paymentRef)",
    "function settleGuarantee(bytes32 id)",
    "function claimGuarantee(bytes32 id)",
    "function releaseExpired(bytes32 id)",
    "function guaranteeOf(bytes32 id) view returns (uint8 state, address manager, " +
        "bytes32 partition, uint256 amount, address beneficiary, uint64 openedAt, " +
        "uint64 expiresAt, bytes32 paymentRef)",
    "function openGuarantees(bytes32[] ids, address manager, bytes32 partition, " +
        "uint256[] amounts, address[] beneficiaries, uint64[] expiresAt, bytes32[] paymentRefs)",
    "function settleGuarantees(bytes32[] ids)",
    "function stakeOf(address manager, bytes32 partition, address supplier) view returns " +
        "(uint256 stake, uint256 withdrawable)",
    "function releaseOf(address manager, bytes32 partition, address supplier) view returns " +
        "(uint256 requested, uint256 authorized)",
    "function publishWithdrawalRoot(address manager) returns (bytes32 root, uint256 nonce)",
    "function publishFallbackRoot(address manager) returns (bytes32 root)",
    "event PoolRegistered(address indexed manager, bytes32 indexed partition, uint8 expiryPolicy)",
    "event AssurerSet(address indexed manager, bytes32 indexed partition, " +
        "address indexed assurer, bool allowed)",
    "event GuaranteeOpened(bytes32 indexed id, address indexed manager, " +
        "bytes32 indexed partition, address beneficiary, uint256 amount, uint64 expiresAt, " +
        "bytes32 paymentRef)",
    "event GuaranteeSettled(bytes32 indexed id)",
    "event GuaranteeClaimed(bytes32 indexed id, address indexed beneficiary, uint256 amount)",
    "event GuaranteeReleased(bytes32 indexed id)",
    "event LossRecorded(address indexed manager, bytes32 indexed partition, uint256 amount)",
    "event WithdrawalRootPublished(address indexed manager, bytes32 root, uint256 nonce, " +
        "uint256 leaves)",
    "event FallbackRootPublished(address indexed manager, bytes32 root, uint256 maxSupplyNonce)",
];

// Guarantee states (guaranteeOf().state).
export const STATE = { none: 0n, open: 1n, settled: 2n, claimed: 3n, released: 4n };

// The manager's functions and events this path goes through, besides those
// of lib/amp.mjs.
export const FULL_MANAGER_ABI = [
    ...MANAGER_ABI,
    "function withdrawalLimit() view returns (uint256)",
    "function maxWithdrawalRootNonce() view returns (uint256)",
    "function withdrawalRootToNonce(bytes32 root) view returns (uint256)",
    "function addressToWithdrawalNonce(bytes32 partition, address supplier) view returns (uint256)",
    "function addressToCumulativeAmountWithdrawn(bytes32 partition, address supplier) view " +
        "returns (uint256)",
    "function fallbackWithdrawalDelaySeconds() view returns (uint256)",
    "function fallbackRoot() view returns (bytes32)",
    "function fallbackSetDate() view returns (uint256)",
    "function fallbackMaxIncludedSupplyNonce() view returns (uint256)",
    "function withdrawalPublisher() view returns (address)",
    "function fallbackPublisher() view returns (address)",
    "function directTransferer() view returns (address)",
    "event Withdrawal(address indexed supplier, bytes32 indexed partition, uint256 amount, " +
        "uint256 indexed rootNonce, uint256 authorizedAccountNonce)",
    "event FallbackWithdrawal(address indexed supplier, bytes32 indexed partition, " +
        "uint256 indexed amount)",
    "event DirectTransfer(address operator, bytes32 indexed from_partition, " +
        "address indexed to_address, bytes32 indexed to_partition, uint256 value)",
    "event WithdrawalRootHashAddition(bytes32 indexed rootHash, uint256 indexed nonce)",
    "event WithdrawalRootHashRemoval(bytes32 indexed rootHash, uint256 indexed nonce)",
    "event FallbackRootHashSet(bytes32 indexed rootHash, uint256 indexed maxSupplyNonceIncluded, " +
        "uint256 setDate)",
];

// Transfer data of a withdrawal, a fallback withdrawal or a claim: out of
// the pool into the recipient's default partition.
export const TO_DEFAULT_PARTITION = changePartitionData(ZeroHash);

// The Clearinghouse and the full manager of a setup() context.
export function clearinghouseOf(ctx) {
    // Checksummed, as ethers decodes addresses.
    const address =
        getAddress(ctx.info.clearinghouse ?? ctx.info.contracts.clearinghouse.address);
    return {
        ch: new Contract(address, CLEARINGHOUSE_ABI, ctx.provider),
        fcm: new Contract(getAddress(ctx.manager.target), FULL_MANAGER_ABI, ctx.provider),
    };
}

// One JSON-RPC request or batch over a connection of its own (no
// keep-alive: an idle connection would hold up the node's shutdown).
export function rpcPost(url, body) {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
        const req = httpRequest(url, {
            method: "POST",
            agent: false,
            headers: { "content-type": "application/json",
                       "content-length": Buffer.byteLength(payload) },
        }, (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk) => {
                text += chunk;
            });
            res.on("end", () => {
                try {
                    resolve(JSON.parse(text));
                } catch {
                    reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
                }
            });
        });
        req.on("error", reject);
        req.end(payload);
    });
}

// One JSON-RPC batch of calls [method, params]; the results in order.
export async function rpcBatch(url, calls) {
    if (calls.length === 0) return [];
    const answers = await rpcPost(
        url, calls.map(([method, params], i) => ({ jsonrpc: "2.0", id: i + 1, method, params })));
    assert.ok(Array.isArray(answers), JSON.stringify(answers));
    const byId = new Map(answers.map((a) => [a.id, a]));
    return calls.map(([method], i) => {
        const a = byId.get(i + 1);
        if (a?.error) throw new Error(`${method}: ${a.error.message} (${a.error.code})`);
        return a.result;
    });
}

// Transactions signed locally with nonces counted here, and sent as one
// JSON-RPC batch: the node queues a batch's transactions in order, so one
// sender's transactions may follow each other in it, and they share the
// node's group commits (one fdatasync instead of one per transaction).
export class TxSender {
    constructor(ctx) {
        this.ctx = ctx;
        this.nonces = new Map();
        this.queued = [];
    }

    async nonceOf(wallet) {
        if (!this.nonces.has(wallet.address)) {
            this.nonces.set(wallet.address,
                            await this.ctx.provider.getTransactionCount(wallet.address));
        }
        return this.nonces.get(wallet.address);
    }

    // Queues `contract.method(...args)` from `wallet`; returns its position.
    // A fixed gas limit: a later transaction of the batch may depend on an
    // earlier one, so estimates cannot be made up front (there is no fee).
    async add(wallet, contract, method, args, gasLimit = 1_000_000n) {
        const nonce = await this.nonceOf(wallet);
        this.nonces.set(wallet.address, nonce + 1);
        const raw = await wallet.signTransaction({
            type: 2,
            chainId: CHAIN_ID,
            nonce,
            to: contract.target,
            data: contract.interface.encodeFunctionData(method, args),
            gasLimit,
            maxFeePerGas: 0n,
            maxPriorityFeePerGas: 0n,
        });
        this.queued.push(raw);
        return this.queued.length - 1;
    }

    // Sends what is queued in one batch; resolves with the receipts in
    // order, requiring each to have succeeded.
    async send() {
        const raws = this.queued;
        this.queued = [];
        const hashes = await rpcBatch(this.ctx.node.url,
                                      raws.map((raw) => ["eth_sendRawTransaction", [raw]]));
        // An acknowledged transaction's block is sealed and indexed.
        const receipts =
            await Promise.all(hashes.map((h) => this.ctx.provider.getTransactionReceipt(h)));
        for (const [i, r] of receipts.entries()) {
            assert.ok(r, `no receipt for ${hashes[i]}`);
            assert.equal(r.status, 1, `transaction ${i} of the batch reverted`);
        }
        return receipts;
    }
}

// The parsed logs of `receipt` emitted by `contract`.
export function eventsOf(contract, receipt, name = undefined) {
    const out = [];
    for (const log of receipt.logs) {
        if (log.address.toLowerCase() !== String(contract.target).toLowerCase()) continue;
        const parsed = contract.interface.parseLog(log);
        if (parsed && (name === undefined || parsed.name === name)) out.push(parsed);
    }
    return out;
}

// Runs `call` (a staticCall or estimateGas) and requires a revert with
// `reason` as ethers reports it.
export async function assertRevert(call, reason, what = reason) {
    await assert.rejects(call, (e) => {
        assert.equal(e.code, "CALL_EXCEPTION", `${what}: ${e.message}`);
        assert.equal(e.reason, reason, `${what}: ${e.message}`);
        return true;
    });
}

// The pool's books as docs/CLEARINGHOUSE_DESIGN.md ("Stakes and losses")
// specifies them, in BigInt: T (exposed stake), S (shares), reservations.
// Mints round down, burns up, values down. It mirrors only the rules the
// scenario exercises (no wipe-out, no refunds).
export class ShareModel {
    constructor() {
        this.T = 0n;
        this.S = 0n;
        this.reserved = 0n;
        this.locked = 0n;
        this.accounts = new Map();  // address → {shares, reserved, seen, requested}
    }

    account(a) {
        const key = getAddress(a);
        if (!this.accounts.has(key)) {
            this.accounts.set(key, { shares: 0n, reserved: 0n, seen: 0n, requested: 0n });
        }
        return this.accounts.get(key);
    }

    clone() {
        const c = new ShareModel();
        Object.assign(c, { T: this.T, S: this.S, reserved: this.reserved, locked: this.locked });
        for (const [k, v] of this.accounts) c.accounts.set(k, { ...v });
        return c;
    }

    supply(a, amount) {
        const acc = this.account(a);
        const minted = this.S === 0n ? amount : (amount * this.S) / this.T;
        acc.shares += minted;
        this.S += minted;
        this.T += amount;
    }

    loss(amount) {
        assert.ok(amount < this.T, "the scenario never wipes the pool out");
        this.T -= amount;
    }

    value(a) {
        const acc = this.account(a);
        return this.S === 0n ? 0n : (acc.shares * this.T) / this.S;
    }

    // stakeOf(): (reserved + value, reserved + shares · (T − locked) / S).
    stakeOf(a) {
        const acc = this.account(a);
        const exposed = this.S === 0n ? 0n : (acc.shares * (this.T - this.locked)) / this.S;
        return { stake: acc.reserved + this.value(a), withdrawable: acc.reserved + exposed };
    }

    burnFor(acc, amount) {
        const up = (amount * this.S + this.T - 1n) / this.T;
        return up < acc.shares ? up : acc.shares;
    }

    reserve(a, target) {
        const acc = this.account(a);
        assert.ok(target >= acc.reserved, "the scenario never lowers a reservation");
        const more = target - acc.reserved;
        if (more > 0n) {
            const burned = this.burnFor(acc, more);
            acc.shares -= burned;
            this.S -= burned;
            this.T -= more;
            this.reserved += more;
        }
        acc.reserved = target;
    }

    outflow(a, amount) {
        if (amount === 0n) return;
        const acc = this.account(a);
        const burned = amount >= this.value(a) ? acc.shares : this.burnFor(acc, amount);
        acc.shares -= burned;
        this.S -= burned;
        this.T = this.T > amount ? this.T - amount : 0n;
    }

    // The manager's cumulative withdrawn amount of `a` is now `cumulative`.
    settleWithdrawals(a, cumulative) {
        const acc = this.account(a);
        const withdrawn = cumulative - acc.seen;
        acc.seen = cumulative;
        if (withdrawn === 0n) return;
        const consumed = withdrawn < acc.reserved ? withdrawn : acc.reserved;
        acc.reserved -= consumed;
        this.reserved -= consumed;
        acc.requested = acc.requested > withdrawn ? acc.requested - withdrawn : 0n;
        this.outflow(a, withdrawn - consumed);
    }

    // Suppliers in the order the Clearinghouse visits them (by address bytes).
    sorted() {
        return [...this.accounts.keys()].sort((x, y) =>
            x.toLowerCase() < y.toLowerCase() ? -1 : 1);
    }

    // publishWithdrawalRoot: each account brought up to date, then reserved
    // up to min(request, withdrawable); returns the leaves [address, value].
    publishWithdrawalRoot(cumulativeOf) {
        const leaves = [];
        for (const a of this.sorted()) {
            this.settleWithdrawals(a, cumulativeOf(a));
            const acc = this.account(a);
            const w = this.stakeOf(a).withdrawable;
            this.reserve(a, acc.requested < w ? acc.requested : w);
            if (acc.reserved > 0n) leaves.push([a, acc.reserved]);
        }
        return leaves;
    }

    // publishFallbackRoot: the leaves [address, withdrawn + withdrawable].
    publishFallbackRoot(cumulativeOf) {
        const leaves = [];
        for (const a of this.sorted()) this.settleWithdrawals(a, cumulativeOf(a));
        for (const a of this.sorted()) {
            const w = this.stakeOf(a).withdrawable;
            if (w > 0n) leaves.push([a, this.account(a).seen + w]);
        }
        return leaves;
    }
}

// Pro-rata losses with (nearly) exact fractions: stakes in units of
// 10^-36 base units. Each loss takes from every stake its share of the loss
// at that moment. Independent of the share bookkeeping above: the two must
// agree to within the rounding the design allows.
export class ProRataModel {
    static SCALE = 10n ** 36n;

    constructor() {
        this.stakes = new Map();
    }

    supply(a, amount) {
        const key = getAddress(a);
        this.stakes.set(key, (this.stakes.get(key) ?? 0n) + amount * ProRataModel.SCALE);
    }

    total() {
        let t = 0n;
        for (const v of this.stakes.values()) t += v;
        return t;
    }

    loss(amount) {
        const t = this.total();
        const l = amount * ProRataModel.SCALE;
        for (const [k, v] of this.stakes) this.stakes.set(k, v - (l * v) / t);
    }

    take(a, amount) {
        const key = getAddress(a);
        this.stakes.set(key, this.stakes.get(key) - amount * ProRataModel.SCALE);
    }

    // In base units, rounded down.
    stake(a) {
        return (this.stakes.get(getAddress(a)) ?? 0n) / ProRataModel.SCALE;
    }
}
