// The sample notebooks `npm start` opens: a COPY of media/samples (as the "Open Sample Notebooks"
// command makes one), because VS Code auto-saves a notebook after its cells ran, and the tracked
// samples must not fill up with outputs.
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, repoRoot } from "./env.mjs";

/** The tracked samples (English, with the Korean ones in ko/). */
export const trackedSamples = join(repoRoot, "media", "samples");

/**
 * Copies the tracked samples into `dest` (default: the per-user cache's start-samples/) and returns
 * it. A copy already there is kept, so notes and outputs survive the next start; `fresh` replaces it
 * with the tracked files.
 */
export function copySamples({ fresh = false, dest = join(cacheRoot(), "start-samples"), from = trackedSamples } = {}) {
  if (fresh) rmSync(dest, { recursive: true, force: true });
  cpSync(from, dest, { recursive: true, force: false, errorOnExist: false });
  return dest;
}
