// Start a real VS Code (code-server) on 127.0.0.1 in its own process group, with a throw-away
// user-data dir, and build workbench URLs (folder + payload) for it.
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { say } from "./env.mjs";
import { cleanEnv } from "./vscode-install.mjs";
import { pickPort, spawnGroup, stopGroup, waitForHttp } from "./proc.mjs";

/** User settings for every run: no welcome page, no trust prompt (an untrusted folder stays untrusted). */
const USER_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "security.workspace.trust.startupPrompt": "never",
  "security.workspace.trust.banner": "always",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "chat.disableAIFeatures": true,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  // code-server otherwise announces every port the kernel or a test server opens, over the outputs
  "remote.autoForwardPorts": false,
};

/**
 * @typedef {object} CodeServer
 * @property {number} port
 * @property {string} origin        e.g. http://127.0.0.1:8765
 * @property {string} dataDir       throw-away folder holding user data, extensions and logs
 * @property {string} logFile
 * @property {(folder: string, payload?: [string, string][]) => string} url  workbench URL for a folder
 * @property {(path: string) => string} remote   a vscode-remote:// URI for a file on this machine
 * @property {() => Promise<void>} stop
 * @property {Promise<number | null>} exited  resolves when code-server ends (by itself or by stop())
 */

/**
 * @param {import("./env.mjs").installPaths extends (...a: any[]) => infer R ? R : never} install
 * @param {{ trust?: boolean, payload?: boolean, extensionsDir?: string, env?: Record<string, string>,
 *           port?: number, logToConsole?: boolean, keepData?: boolean, settings?: Record<string, unknown>,
 *           sharedKernels?: boolean }} [opts]
 *   trust: keep Workspace Trust enabled (default: disabled, for tests that are not about trust)
 *   payload: allow the URL payload (extensionDevelopmentPath / extensionTestsPath); the built workbench
 *            honours it only with `--vscode-option enable-smoke-test-driver`
 *   sharedKernels: detached kernels in the user's usual folder, outliving this server (`npm start`: a kernel
 *            survives a restart of the product too); default: a folder of this server's, whose kernels
 *            stop() ends — a test run leaves no process behind
 * @returns {Promise<CodeServer>}
 */
export async function startCodeServer(install, opts = {}) {
  const fixed = opts.port ?? (process.env.RNN_NOTEBOOK_PORT ? Number(process.env.RNN_NOTEBOOK_PORT) : undefined);
  const tried = new Set();
  for (let attempt = 1; ; attempt++) {
    const port = fixed ?? (await pickPort({ exclude: tried }));
    tried.add(port);
    // a port is ours only while we hold its lock: two runs starting together never share one
    const release = fixed ? () => {} : claimPort(port);
    if (!release) continue;
    try {
      return await launch(install, opts, port, release);
    } catch (e) {
      release();
      if (!(e instanceof PortBusy) || fixed || attempt >= 8) throw e;
      say(`port ${port} is taken, trying another`);
    }
  }
}

class PortBusy extends Error {}

/** Hold 127.0.0.1:port for this process (a lock folder in the temp dir); undefined when another live run holds it. */
function claimPort(port) {
  const lock = join(tmpdir(), `rnn-notebook-port-${port}.lock`);
  for (let i = 0; i < 2; i++) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      const release = () => rmSync(lock, { recursive: true, force: true });
      process.once("exit", release);
      return release;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, "pid"), "utf8"));
        process.kill(owner, 0);
        return undefined; // a live run holds it
      } catch {
        if (!owner && Date.now() - statSync(lock).mtimeMs < 2000) return undefined; // being created right now
        rmSync(lock, { recursive: true, force: true }); // its owner died: stale
      }
    }
  }
  return undefined;
}

async function launch(install, opts, port, release) {
  const dataDir = mkdtempSync(join(tmpdir(), "rnn-notebook-cs-"));
  // Short: a kernel's socket path must stay under 108 bytes.
  const kernelsRoot = opts.sharedKernels ? undefined : mkdtempSync(join(tmpdir(), "rk-"));
  const userDir = join(dataDir, "user");
  const extensionsDir = opts.extensionsDir ?? join(dataDir, "extensions");
  mkdirSync(join(userDir, "User"), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDir, "User", "settings.json"), JSON.stringify({ ...USER_SETTINGS, ...opts.settings }, null, 2));
  // our own config file, so code-server never creates or reads ~/.config/code-server/config.yaml
  const config = join(dataDir, "config.yaml");
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    "--config", config, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`,
    "--user-data-dir", userDir, "--extensions-dir", extensionsDir,
    "--disable-telemetry", "--disable-update-check", "--disable-getting-started-override", "--ignore-last-opened",
    // otherwise every closed browser tab leaves its extension host (and kernels) alive for 3 h
    "--reconnection-grace-time", "5",
  ];
  if (!opts.trust) args.push("--disable-workspace-trust");
  if (opts.payload) args.push("--vscode-option", "enable-smoke-test-driver");
  const logFile = join(dataDir, "code-server.log");
  const log = createWriteStream(logFile);
  const child = spawnGroup(install.codeServerExe, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: cleanEnv({
      PATH: `${install.node24Bin}:${process.env.PATH}`,
      // no extension gallery: nothing is fetched from outside this machine (tests install only our .vsix)
      EXTENSIONS_GALLERY: "{}",
      ...(kernelsRoot ? { RNN_NOTEBOOK_KERNEL_DIR: kernelsRoot } : {}),
      ...opts.env,
    }),
  });
  for (const s of [child.stdout, child.stderr]) {
    s?.on("data", (d) => {
      log.write(d);
      if (opts.logToConsole) process.stdout.write(d);
    });
  }
  const origin = `http://127.0.0.1:${port}`;
  let exited = false;
  const exitedPromise = new Promise((resolve) => child.on("exit", (code) => {
    exited = true;
    resolve(code);
  }));
  const t0 = Date.now();
  // Up means: OUR child says it listens on this port (so /healthz cannot be answered by someone else's
  // server that took the port first) and /healthz answers.
  const listening = new Promise((resolve, reject) => {
    let seen = "";
    const onData = (d) => {
      seen = (seen + d).slice(-4000);
      if (seen.includes(`HTTP server listening on http://127.0.0.1:${port}`)) resolve(undefined);
      else if (/EADDRINUSE/.test(seen)) reject(new PortBusy(`port ${port} in use`));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(/EADDRINUSE/.test(seen) ? new PortBusy(`port ${port} in use`)
      : new Error(`code-server exited (${code}) before listening; log: ${logFile}`)));
  });
  try {
    await Promise.race([listening, new Promise((_, reject) => setTimeout(() => reject(new Error(`code-server did not listen within 60 s; log: ${logFile}`)), 60000))]);
    await waitForHttp(`${origin}/healthz`, 60000);
  } catch (e) {
    await stopGroup(child);
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  say(`code-server (VS Code) up on ${origin} after ${((Date.now() - t0) / 1000).toFixed(1)} s${opts.trust ? " (workspace trust ON)" : ""}`);
  const remote = (/** @type {string} */ p) => `vscode-remote://127.0.0.1:${port}${p}`;
  return {
    port, origin, dataDir, logFile, remote, exited: exitedPromise,
    url(folder, payload) {
      let u = `${origin}/?folder=${encodeURIComponent(folder)}`;
      if (payload && payload.length) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      return u;
    },
    async stop() {
      if (!exited) await stopGroup(child, 5000);
      else await stopGroup(child, 0);
      log.end();
      release();
      if (kernelsRoot) endKernels(kernelsRoot);
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Ends the detached kernels a server's extension left waiting for their notebooks (they would end by
 * themselves after rnnNotebook.kernel.closedTimeoutMinutes) and removes their folder.
 */
function endKernels(root) {
  let ended = 0;
  for (const sub of readdirSafe(root)) {
    for (const f of readdirSafe(join(root, sub)).filter((n) => n.endsWith(".json"))) {
      try {
        const { pid } = JSON.parse(readFileSync(join(root, sub, f), "utf8"));
        process.kill(pid, "SIGKILL");
        ended++;
      } catch {
        // gone already, or a record being written
      }
    }
  }
  if (ended) say(`ended ${ended} kernel(s) still waiting for their notebook`);
  rmSync(root, { recursive: true, force: true });
}

function readdirSafe(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
