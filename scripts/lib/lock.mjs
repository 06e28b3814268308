// A lock folder so two runs (two terminals, npm test beside npm start) never install into the same
// cache at once. mkdir is atomic; the owner's pid inside lets a later run break a lock whose owner died.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { say } from "./env.mjs";
import { sleep } from "./proc.mjs";

function ownerAlive(lockDir) {
  try {
    const pid = Number(readFileSync(join(lockDir, "pid"), "utf8"));
    if (!pid) return false;
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM means the process exists but belongs to someone else
    return /** @type {NodeJS.ErrnoException} */ (e).code === "EPERM";
  }
}

/**
 * Run fn while holding the lock at lockDir; waits (up to timeoutMs) for another holder.
 * @template T
 * @param {string} lockDir
 * @param {() => Promise<T>} fn
 * @param {number} [timeoutMs]
 * @returns {Promise<T>}
 */
export async function withLock(lockDir, fn, timeoutMs = 20 * 60 * 1000) {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== "EEXIST") throw e;
      // pid file is written right after mkdir; give a fresh lock a moment before judging it stale
      await sleep(200);
      if (!ownerAlive(lockDir)) {
        say(`removing a stale lock ${lockDir}`);
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!told) {
        say(`another run is installing (lock ${lockDir}); waiting for it`);
        told = true;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      await sleep(1000);
    }
  }
  const release = () => rmSync(lockDir, { recursive: true, force: true });
  process.once("exit", release);
  try {
    return await fn();
  } finally {
    process.removeListener("exit", release);
    release();
  }
}
