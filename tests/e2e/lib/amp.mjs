// What a dapp needs to talk to the dev chain: the human-readable ABI
// fragments of Amp and the FlexaCollateralManager (signatures as the
// contracts' ABI dispatch and event descriptors in src/contracts define
// them), the dev accounts, and one connected context per test file.
import assert from "node:assert/strict";
import { globalAgent } from "node:http";
import { Contract, HDNodeWallet, JsonRpcProvider, ZeroHash, concat, parseUnits } from "ethers";

import { startAmpd } from "./ampd.mjs";

export const CHAIN_ID = 31337n;
export const AMP_ADDRESS = "0xff20817765cb7f73d4bde2e66e067e58d11095c2";
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
export const DEFAULT_PARTITION = ZeroHash;
// Amp's flag word for "move the tokens into the partition that follows"
// (include/ampd/contracts/partitions.hpp, change_partition_data).
export const CHANGE_PARTITION_FLAG = "0x" + "ff".repeat(32);
export const AMP = (n) => parseUnits(String(n), 18);
export const INITIAL_BALANCE = AMP(1_000_000);

export const AMP_ABI = [
    "function name() view returns (string)",
    "function symbol() view returns (string)",
    "function decimals() view returns (uint8)",
    "function totalSupply() view returns (uint256)",
    "function balanceOf(address owner) view returns (uint256)",
    "function allowance(address owner, address spender) view returns (uint256)",
    "function transfer(address to, uint256 value) returns (bool)",
    "function approve(address spender, uint256 value) returns (bool)",
    "function transferFrom(address from, address to, uint256 value) returns (bool)",
    "function transferByPartition(bytes32 partition, address from, address to, uint256 value, " +
        "bytes data, bytes operatorData) returns (bytes32)",
    "function balanceOfByPartition(bytes32 partition, address tokenHolder) view returns (uint256)",
    "function partitionsOf(address tokenHolder) view returns (bytes32[])",
    "function authorizeOperator(address operator)",
    "function revokeOperator(address operator)",
    "function isOperator(address operator, address tokenHolder) view returns (bool)",
    "event Transfer(address indexed from, address indexed to, uint256 value)",
    "event Approval(address indexed owner, address indexed spender, uint256 value)",
    "event TransferByPartition(bytes32 indexed fromPartition, address operator, " +
        "address indexed from, address indexed to, uint256 value, bytes data, bytes operatorData)",
    "event ChangedPartition(bytes32 indexed fromPartition, bytes32 indexed toPartition, " +
        "uint256 value)",
    "event AuthorizedOperator(address indexed operator, address indexed tokenHolder)",
    "event RevokedOperator(address indexed operator, address indexed tokenHolder)",
];

export const MANAGER_ABI = [
    "function owner() view returns (address)",
    "function amp() view returns (address)",
    "function partitions(bytes32 partition) view returns (bool)",
    "function supplyNonce() view returns (uint256)",
    "function nonceToSupply(uint256 nonce) view returns (address supplier, bytes32 partition, " +
        "uint256 amount)",
    "function requestRelease(bytes32 partition, uint256 amount, bytes data)",
    "event SupplyReceipt(address indexed supplier, bytes32 indexed partition, uint256 amount, " +
        "uint256 indexed nonce)",
    "event ReleaseRequest(address indexed supplier, bytes32 indexed partition, " +
        "uint256 indexed amount, bytes data)",
];

// Transfer data asking Amp to move the tokens into `partition`.
export function changePartitionData(partition) {
    return concat([CHANGE_PARTITION_FLAG, partition]);
}

// The 20 dev accounts of the standard test mnemonic (m/44'/60'/0'/0/i).
export function devWallets(provider, n = 20) {
    const parent = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0");
    return Array.from({ length: n }, (_, i) => parent.deriveChild(i).connect(provider));
}

// ethers v6 shares identical requests made within `cacheTimeout` ms (250 by
// default) and answers them all with the first result. Against a node that
// mines each transaction at once, two sends from one wallet in quick
// succession would then read the same "pending" nonce and the second would
// fail with NONCE_EXPIRED; balances read right after a transfer would be
// stale. A negative value turns that cache off.
export function makeProvider(url) {
    return new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
}

// One node per test file: call in before(), and finish() in after().
export async function setup(extraArgs = []) {
    const node = await startAmpd(extraArgs);
    const provider = makeProvider(node.url);
    const info = await provider.send("amp_getContracts", []);
    const wallets = devWallets(provider);
    const amp = new Contract(info.contracts.amp.address, AMP_ABI, provider);
    const manager = new Contract(info.contracts.collateralManager.address, MANAGER_ABI, provider);
    return {
        node,
        provider,
        wallets,
        info,
        amp,
        manager,
        collateralPartition: info.collateralPartition,
        async finish() {
            provider.destroy();
            // ethers' requests go through Node's keep-alive agent; the node
            // waits for idle connections to close when it stops, so close them.
            globalAgent.destroy();
            const status = await node.stop();
            assert.deepEqual(status, { code: 0, signal: null },
                             `ampd did not exit cleanly on SIGTERM\n${node.log()}`);
            node.cleanup();
        },
    };
}
