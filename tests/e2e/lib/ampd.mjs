// Starts a dev node (`ampd --dev`) on a fresh data directory and a free
// loopback port for one test file, and stops it with SIGTERM at the end,
// expecting a clean exit: a node that crashes on shutdown fails the suite.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, openSync, closeSync, readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = resolve(here, "..", "..", "..");

export function ampdBinary() {
    return process.env.AMPD_BIN || join(repoRoot, "build", "release", "bin", "ampd");
}

// A port nothing listens on right now. Another process could take it before
// ampd binds; startAmpd() then sees ampd exit and tries again with another.
function freePort() {
    return new Promise((resolvePort, reject) => {
        const srv = createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address();
            srv.close(() => resolvePort(port));
        });
    });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class AmpdProcess {
    constructor(child, exit, url, datadir, logPath) {
        this.child = child;
        this.exit = exit;  // resolves with { code, signal }
        this.url = url;
        this.datadir = datadir;
        this.logPath = logPath;
    }

    log() {
        try {
            return readFileSync(this.logPath, "utf8");
        } catch {
            return "";
        }
    }

    // SIGTERM, then the exit status; a node that does not stop within
    // `timeoutMs` is killed and reported.
    async stop(timeoutMs = 15000) {
        if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exit;
        this.child.kill("SIGTERM");
        let timer;
        const expired = new Promise((r) => {
            timer = setTimeout(() => r(null), timeoutMs);
        });
        const status = await Promise.race([this.exit, expired]);
        clearTimeout(timer);
        if (status === null) {
            this.child.kill("SIGKILL");
            await this.exit;
            throw new Error(`ampd did not stop within ${timeoutMs} ms of SIGTERM\n${this.log()}`);
        }
        return status;
    }

    cleanup() {
        rmSync(this.datadir, { recursive: true, force: true });
    }
}

// GET /health on a connection of its own (no keep-alive): an idle
// keep-alive connection would hold up the node's shutdown.
function health(url) {
    return new Promise((ok) => {
        const req = httpGet(`${url}/health`, { agent: false }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk) => {
                body += chunk;
            });
            res.on("end", () => {
                try {
                    ok(res.statusCode === 200 && JSON.parse(body).status === "ok");
                } catch {
                    ok(false);
                }
            });
        });
        req.on("error", () => ok(false));
    });
}

async function waitHealthy(proc, deadlineMs) {
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) return false;
        if (await health(proc.url)) return true;
        await sleep(50);
    }
    proc.child.kill("SIGKILL");
    throw new Error(`ampd did not become healthy within ${deadlineMs} ms\n${proc.log()}`);
}

// Starts `ampd --dev` with `extraArgs`; resolves once /health answers.
export async function startAmpd(extraArgs = []) {
    const bin = ampdBinary();
    const datadir = mkdtempSync(join(tmpdir(), "ampd-e2e-"));
    const logPath = join(datadir, "ampd.log");
    for (let attempt = 0; attempt < 5; ++attempt) {
        const port = await freePort();
        const log = openSync(logPath, "a");
        const child = spawn(
            bin,
            ["--dev", "--datadir", join(datadir, "chain"), "--http", `127.0.0.1:${port}`,
             ...extraArgs],
            { stdio: ["ignore", log, log] });
        closeSync(log);
        const exit = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
        const spawned = new Promise((ok, fail) => {
            child.once("spawn", ok);
            child.once("error", fail);
        });
        try {
            await spawned;
        } catch (e) {
            rmSync(datadir, { recursive: true, force: true });
            throw new Error(`cannot run ${bin} (set AMPD_BIN): ${e.message}`);
        }
        const proc = new AmpdProcess(child, exit, `http://127.0.0.1:${port}`, datadir, logPath);
        if (await waitHealthy(proc, 20000)) return proc;
        // Exited before serving: most likely the port was taken meanwhile.
        await proc.exit;
    }
    const text = readFileSync(logPath, "utf8");
    rmSync(datadir, { recursive: true, force: true });
    throw new Error(`ampd exited before serving, 5 times\n${text}`);
}
