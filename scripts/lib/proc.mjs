// Child processes that never outlive the script that started them.
// Every long-lived child is started in its own process group (detached) and registered here; on exit,
// Ctrl-C (SIGINT), SIGTERM or SIGHUP the whole group is killed, so nothing (code-server, its extension
// hosts, kernels, Chromium) is left running.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { say } from "./env.mjs";

/** @type {Set<import("node:child_process").ChildProcess>} */
const groups = new Set();
let handlersInstalled = false;
let stopping = false;

/** True once Ctrl-C (or SIGTERM/SIGHUP) asked this script to stop. */
export function isStopping() {
  return stopping;
}

function killGroup(child, signal = "SIGTERM") {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Kill every registered process group now (SIGTERM, then SIGKILL for survivors after graceMs). */
export async function stopAll(graceMs = 3000) {
  const live = [...groups];
  for (const c of live) killGroup(c, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && live.some((c) => groupAlive(c))) await sleep(100);
  for (const c of live) if (groupAlive(c)) killGroup(c, "SIGKILL");
  for (const c of live) groups.delete(c);
}

function groupAlive(child) {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Synchronous last resort: 'exit' handlers cannot wait, so send SIGKILL to whatever is left.
  process.on("exit", () => {
    for (const c of groups) killGroup(c, "SIGKILL");
  });
  for (const sig of /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      say(`${sig}: stopping everything this script started`);
      void stopAll().finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
    });
  }
}

/**
 * Start a long-lived child in its own process group; it is killed with the script.
 * @param {string} cmd
 * @param {string[]} args
 * @param {import("node:child_process").SpawnOptions} [opts]
 */
export function spawnGroup(cmd, args, opts = {}) {
  installHandlers();
  const child = spawn(cmd, args, { stdio: "inherit", ...opts, detached: true });
  groups.add(child);
  child.on("exit", () => {
    // the leader exited; its group may still hold children, so keep it registered until stopGroup
  });
  return child;
}

/** Stop one child's process group (SIGTERM, SIGKILL after graceMs). */
export async function stopGroup(child, graceMs = 3000) {
  killGroup(child, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupAlive(child)) await sleep(100);
  if (groupAlive(child)) killGroup(child, "SIGKILL");
  groups.delete(child);
}

/**
 * Run a command to completion in its own process group, output inherited.
 * A time-out is a hang guard: the group is killed and the result says so.
 * @param {string} cmd
 * @param {string[]} args
 * @param {import("node:child_process").SpawnOptions & { timeoutMs?: number, capture?: boolean }} [opts]
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, timedOut: boolean, stdout: string, stderr: string }>}
 */
export function run(cmd, args, opts = {}) {
  const { timeoutMs, capture, ...spawnOpts } = opts;
  return new Promise((resolve, reject) => {
    const child = spawnGroup(cmd, args, { ...spawnOpts, stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          say(`time-out after ${Math.round(timeoutMs / 1000)} s: ${cmd} ${args.join(" ")} — killing it`);
          void stopGroup(child);
        }, timeoutMs)
      : undefined;
    child.on("error", (e) => {
      clearTimeout(timer);
      groups.delete(child);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // the leader is done; make sure no grandchild of it survives
      void stopGroup(child, 1000).then(() => resolve({ code, signal, timedOut, stdout, stderr }));
    });
  });
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** True when nothing listens on 127.0.0.1:port. */
function portFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port for code-server in 8765–8779 (the range this project's runs use).
 * @param {{ from?: number, to?: number, exclude?: Set<number> }} [range]
 */
export async function pickPort(range = {}) {
  const from = range.from ?? 8765;
  const to = range.to ?? 8779;
  for (let p = from; p <= to; p++) if (!range.exclude?.has(p) && (await portFree(p))) return p;
  throw new Error(`no free port in ${from}-${to}; set RNN_NOTEBOOK_PORT`);
}

/** Poll url until it answers 2xx, or throw after timeoutMs. */
export async function waitForHttp(url, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await sleep(150);
  }
}
