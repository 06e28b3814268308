// One build script, several bundles (vscode-jupyter style):
//   extension  (node, cjs, `vscode` external)   src/extension/extension.ts -> dist/extension.js
//              + the IntelliSense worker thread  src/extension/intellisense/worker.ts -> dist/intellisenseWorker.js
//   kernel     (node, cjs)                       src/kernel/main.ts         -> dist/kernel.js
//              + its second GEMM thread          src/kernel/gemmThread.ts   -> dist/gemmWorker.js
//   runner CLI (node, cjs)                       src/client/runner.ts       -> dist/cli.js
//   renderer   (browser, esm)                    src/renderer/index.ts      -> dist/renderer.js
//   runs panel (browser, iife)                   src/renderer/runsPanel.ts  -> dist/runsPanel.js
//   web extension (browser, cjs, `vscode` external) src/extension/web/extension.ts -> dist/web/extension.js
//              + its IntelliSense Web Worker     src/extension/intellisense/webWorker.ts -> dist/web/intellisenseWorker.js
//   web kernel (browser, iife)                   src/kernel/web/worker.ts   -> dist/web/kernelWorker.js
// Tests are bundled too (`--tests`): test/unit/**/*.test.ts -> out/test/unit (plain Node, mocha),
// test/integration/**/*.ts -> out/test/integration (loaded by the real VS Code extension host).
// Flags: --watch, --production (minified, no source maps), --tests (test bundles only).
import * as esbuild from "esbuild";
import { readdirSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { generate as generateTypes } from "./scripts/gen-dts.mjs";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");
const testsOnly = process.argv.includes("--tests");

/** @returns {string[]} every file under dir whose name matches re */
function walk(dir, re) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p, re) : re.test(name) ? [p] : [];
  });
}

const common = {
  bundle: true,
  sourcemap: production ? false : "linked",
  sourcesContent: false,
  minify: production,
  logLevel: "info",
  legalComments: "none",
};
const node = { ...common, platform: "node", format: "cjs", target: "node20" };

const productBuilds = [
  // intellisenseWorker: the worker thread of IntelliSense in cells (TypeScript language services).
  { ...node, entryPoints: { extension: "src/extension/extension.ts", intellisenseWorker: "src/extension/intellisense/worker.ts" }, outdir: "dist", external: ["vscode"] },
  // The kernel transpiles cells with the bundled `typescript` package (pure JS), so the .vsix carries no
  // per-platform binary (src/kernel/transpile.ts).
  // gemmWorker: the kernel's second GEMM thread (a worker_threads Worker started by the kernel).
  { ...node, entryPoints: { kernel: "src/kernel/main.ts", cli: "src/client/runner.ts", gemmWorker: "src/kernel/gemmThread.ts" }, outdir: "dist" },
  { ...common, platform: "browser", format: "esm", target: "es2022", entryPoints: { renderer: "src/renderer/index.ts" }, outdir: "dist" },
  // The Compare Runs panel's page script: a classic script (iife) as webview panels load it.
  { ...common, platform: "browser", format: "iife", target: "es2022", entryPoints: { runsPanel: "src/renderer/runsPanel.ts" }, outdir: "dist" },
  // The web extension (package.json "browser"), loaded as CommonJS by VS Code's web worker extension host; a
  // browser build fails on any Node built-in, so it also checks that nothing Node-only reached the web code.
  { ...common, platform: "browser", format: "cjs", target: "es2022", entryPoints: { extension: "src/extension/web/extension.ts" }, outdir: "dist/web", external: ["vscode"] },
  // Web Workers are started from blob: URLs of their script text: classic scripts (iife).
  { ...common, platform: "browser", format: "iife", target: "es2022", entryPoints: { intellisenseWorker: "src/extension/intellisense/webWorker.ts" }, outdir: "dist/web" },
  // The kernel in a dedicated Worker of the web extension (a classic worker script: the client starts it
  // from a blob: URL). Platform "browser" is the check that it holds no Node built-in: esbuild refuses
  // to bundle a `node:` import for the browser.
  { ...common, platform: "browser", format: "iife", target: "es2022", entryPoints: { kernelWorker: "src/kernel/web/worker.ts" }, outdir: "dist/web" },
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));

const testBuilds = [
  { ...node, sourcemap: "inline", entryPoints: walk("test/unit", /\.test\.ts$/), outdir: "out/test/unit", outbase: "test/unit",
    external: ["mocha", "esbuild", "vscode"] },
  { ...node, sourcemap: "inline", entryPoints: walk("test/integration", /\.ts$/), outdir: "out/test/integration", outbase: "test/integration",
    external: ["mocha", "vscode"] },
  { ...node, sourcemap: "inline", entryPoints: walk("test/reliability", /\.test\.ts$/), outdir: "out/test/reliability", outbase: "test/reliability",
    external: ["mocha", "vscode", "playwright-core"] },
].filter((b) => b.entryPoints.length > 0);

// IntelliSense in cells: the engine's generated .d.ts bundle (dist/types) and docs/api, before bundling.
generateTypes();

const builds = testsOnly ? testBuilds : productBuilds.concat(production ? [] : testBuilds);

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log("[watch] build finished, watching for changes...");
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
