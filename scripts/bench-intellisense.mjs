#!/usr/bin/env node
// Completion latency of IntelliSense in cells ("under 300 ms on a 30-cell notebook").
// Plain Node against the pure language service (src/extension/intellisense/languageService.ts),
// bundled here with esbuild, on the declaration bundle the build writes (dist/types/typings.json).
//
// The notebook: the code cells of the sample lessons (media/samples/*.rnnb), repeated up to 30
// cells, plus a 30th cell being typed in. Each measured completion is what one keystroke costs in the
// editor: the cell's text changes (new script version → new program), then completion is asked at
// `rnn.` or at a member of a model declared in an earlier cell (`model.`).
//
//   node scripts/bench-intellisense.mjs [--iterations 40] [--types DIR]   (DIR: a dist/types; default ours)
import * as esbuild from "esbuild";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const iterations = Number(option("--iterations") ?? 40);
const typesDir = resolve(option("--types") ?? join(root, "dist/types"));
const CELLS = 30;
const BUDGET_MS = 300;

if (!existsSync(join(typesDir, "typings.json"))) {
  const { generate } = await import("./gen-dts.mjs");
  generate(root);
}

// Bundle the pure service (TypeScript sources) into one CommonJS file and load it.
const outFile = join(root, "out/bench/intellisense.cjs");
mkdirSync(dirname(outFile), { recursive: true });
await esbuild.build({
  stdin: {
    contents: `export { NotebookLanguageService } from "./src/extension/intellisense/languageService";
               export { loadTypeFiles } from "./src/extension/intellisense/loadTypes";
               export { IntelliSenseWorker } from "./src/extension/intellisense/workerClient";
               export { nodeWorkerPort } from "./src/extension/intellisense/nodeWorkerPort";`,
    resolveDir: root, loader: "ts",
  },
  bundle: true, platform: "node", format: "cjs", target: "node20", outfile: outFile, logLevel: "warning",
});
const { NotebookLanguageService, loadTypeFiles, IntelliSenseWorker, nodeWorkerPort } = createRequire(import.meta.url)(outFile);

// 29 cells from the samples, then the cell being typed.
const sampleCells = readdirSync(join(root, "media/samples")).filter((f) => f.endsWith(".rnnb")).sort()
  .flatMap((f) => JSON.parse(readFileSync(join(root, "media/samples", f), "utf8")).cells)
  .filter((c) => c.kind === "code").map((c) => c.source);
const model = "const benchModel = rnn.sequential({ inputShape: [20, 6] }, [rnn.lstm({ units: 16 }), rnn.dense({ units: 1 })]);";
const cells = [model];
for (let i = 0; cells.length < CELLS - 1; i++) cells.push(sampleCells[i % sampleCells.length]);
const lines = cells.reduce((n, c) => n + c.split("\n").length, 0);

const t0 = performance.now();
const types = loadTypeFiles(typesDir);
const ls = new NotebookLanguageService(types);
const inputs = (typing) => [...cells.map((text, i) => ({ id: `cell-${i}`, text })), { id: "typing", text: typing }];
ls.update(inputs("rnn."));
const coldNames = ls.completions("typing", 4, ".")?.entries.map((e) => e.name) ?? [];
const coldMs = performance.now() - t0;

/** One keystroke: new text for the typed cell, then completion at its end. */
function keystroke(i) {
  const prefix = `const step${i} = ${i};\n`;
  const text = i % 2 === 0 ? `${prefix}rnn.` : `${prefix}benchModel.`;
  const start = performance.now();
  ls.update(inputs(text));
  const result = ls.completions("typing", text.length, ".");
  const ms = performance.now() - start;
  if (!result || result.entries.length === 0) {
    throw new Error(`no completions for ${JSON.stringify(text)} (are the engine's types generated? see dist/types/rnn-engine.d.ts)`);
  }
  return { ms, members: i % 2 === 0 ? "rnn." : "benchModel.", names: result.entries.map((e) => e.name) };
}

const runs = [];
for (let i = 0; i < iterations; i++) runs.push(keystroke(i));
const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// Diagnostics of all 30 cells after an edit (what the debounced pass costs).
const d0 = performance.now();
ls.update(inputs("rnn.lstm({ unit: 16 });"));
let problems = 0;
for (const c of inputs("")) problems += ls.diagnostics(c.id).length;
const diagMs = performance.now() - d0;

const fmt = (ms) => `${ms.toFixed(1)} ms`;
console.log(`IntelliSense bench: ${CELLS} cells (${lines} lines) + engine/mathjs/ES2022 declarations, ${iterations} keystrokes`);
console.log(`  cold start (load declarations, first program, first completion): ${fmt(coldMs)}  [${coldNames.length} items for rnn.]`);
console.log(`  completion after a keystroke: median ${fmt(pct(50))}, p95 ${fmt(pct(95))}, max ${fmt(sorted[sorted.length - 1])}`);
console.log(`    e.g. benchModel. → ${runs[1].names.slice(0, 8).join(", ")}${runs[1].names.length > 8 ? ", …" : ""}`);
console.log(`  diagnostics of all ${CELLS + 1} cells after an edit: ${fmt(diagMs)} (${problems} problems)`);
// The same keystrokes through the worker thread, as the extension runs it (dist/intellisenseWorker.js).
const workerScript = join(root, "dist/intellisenseWorker.js");
if (existsSync(workerScript)) {
  const worker = new IntelliSenseWorker(() => nodeWorkerPort(workerScript, { typesDir }));
  const ask = (text) => worker.request("completions", "bench", inputs(text), { id: "typing", offset: text.length, trigger: ".", omitBuiltinDuplicates: true });
  await ask("rnn."); // cold start inside the worker
  const viaWorker = [];
  for (let i = 0; i < iterations; i++) {
    const text = `const step${i} = ${i};\n${i % 2 === 0 ? "rnn." : "benchModel."}`;
    const start = performance.now();
    const result = await ask(text);
    viaWorker.push(performance.now() - start);
    if (!result || result.entries.length === 0) throw new Error("no completions through the worker");
  }
  worker.dispose();
  viaWorker.sort((a, b) => a - b);
  const wp = (p) => viaWorker[Math.min(viaWorker.length - 1, Math.floor((p / 100) * viaWorker.length))];
  console.log(`  through the worker thread (request + all 31 cells' texts + answer): median ${fmt(wp(50))}, p95 ${fmt(wp(95))}`);
} else {
  console.log("  (dist/intellisenseWorker.js not built: worker round trip not measured)");
}

const ok = pct(95) < BUDGET_MS;
console.log(ok ? `  OK: p95 under the ${BUDGET_MS} ms budget` : `  OVER BUDGET: p95 ${fmt(pct(95))} ≥ ${BUDGET_MS} ms`);
ls.dispose();
process.exitCode = ok ? 0 : 1;
