#!/usr/bin/env node
// The web-only package: rnn-notebook-web.vsix, the extension as VS Code's web worker extension host runs it
// (vscode.dev, code-server's web host) — package.json with its "browser" entry and no "main" (and no runner
// CLI), so VS Code can only run it there. Built from the same tree and the same production build as the
// desktop package (`npm run package`, whose package.json has both entries).
//   node scripts/package-web.mjs [--no-build]
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, say } from "./lib/env.mjs";
import { run } from "./lib/proc.mjs";

const OUT = join(repoRoot, "rnn-notebook-web.vsix");
const stage = join(repoRoot, "out", "web-package");

async function main() {
  if (!process.argv.includes("--no-build")) {
    say("production build (node esbuild.config.mjs --production)");
    const b = await run(process.execPath, [join(repoRoot, "esbuild.config.mjs"), "--production"], { cwd: repoRoot, timeoutMs: 10 * 60 * 1000 });
    if (b.code !== 0) throw new Error(`the production build failed (exit ${b.code})`);
  }
  for (const f of ["dist/web/extension.js", "dist/web/kernelWorker.js", "dist/web/intellisenseWorker.js", "dist/renderer.js", "dist/types/typings.json"]) {
    if (!existsSync(join(repoRoot, f))) throw new Error(`${f} is missing: the build did not make it`);
  }
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
  delete pkg.main;
  delete pkg.bin;
  // Deduced from a "browser" entry without "main": a web extension, run in the web worker extension host.
  delete pkg.extensionKind;
  // Its files are the workspace's, through vscode.workspace.fs: virtual workspaces (a GitHub repository in
  // vscode.dev) work too.
  pkg.capabilities = { ...pkg.capabilities, virtualWorkspaces: true };
  // Nothing to build or install in the staged copy.
  delete pkg.scripts;
  delete pkg.devDependencies;
  writeFileSync(join(stage, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  for (const rel of ["package.nls.json", "package.nls.ko.json", "l10n", "README.md", "CHANGELOG.md", "LICENSE", "media/icon.png", "media/samples",
    "media/screenshots", "dist/web", "dist/renderer.js", "dist/runsPanel.js", "dist/types"]) {
    const from = join(repoRoot, rel);
    if (existsSync(from)) cpSync(from, join(stage, rel), { recursive: true, filter: (p) => !p.endsWith(".map") });
  }
  writeFileSync(join(stage, ".vscodeignore"), ["**/*.map", ".vscodeignore"].join("\n") + "\n");
  say("vsce package (web-only)");
  const vsce = join(repoRoot, "node_modules", ".bin", "vsce");
  const r = await run(vsce, ["package", "--no-dependencies", "--no-rewrite-relative-links", "--out", OUT], { cwd: stage, timeoutMs: 10 * 60 * 1000 });
  if (r.code !== 0) throw new Error(`vsce package failed (exit ${r.code})`);
  say(`wrote ${OUT}`);
}

main().catch((e) => {
  console.error(`[package-web] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
