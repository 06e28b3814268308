// Build through the project's one build script (esbuild.config.mjs).
import { rmSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, say } from "./env.mjs";
import { run } from "./proc.mjs";

/**
 * @param {string[]} [flags] e.g. ["--production"], ["--tests"]
 * @param {{ clean?: string[] }} [opts] output folders (relative to the repo) to empty first, so a test
 *   deleted from the source tree does not keep running from a stale bundle
 */
export async function build(flags = [], opts = {}) {
  for (const d of opts.clean ?? []) rmSync(join(repoRoot, d), { recursive: true, force: true });
  say(`building: node esbuild.config.mjs ${flags.join(" ")}`.trim());
  const r = await run(process.execPath, ["esbuild.config.mjs", ...flags], { cwd: repoRoot, timeoutMs: 5 * 60 * 1000 });
  if (r.code !== 0) throw new Error(`build failed (exit ${r.code})`);
}
