#!/usr/bin/env node
// Did a change alter what the samples compute? Runs every sample notebook (media/samples and its Korean
// copies) through the headless runner of a build and keeps the outputs, then compares two such runs cell by
// cell, ignoring what is expected to change from run to run (timings, execution counts).
//
//   node scripts/sample-outputs.mjs run <out-dir> [--build <checkout>] [--samples <checkout>]
//       runs <samples checkout>/media/samples/**.rnnb with <build checkout>/dist/cli.js (both default to this
//       repository; build it first) into <out-dir>/{en,ko}/<name>.out
//   node scripts/sample-outputs.mjs compare <dir-a> <dir-b> [--ignore image/png,…]
//       prints each cell whose outputs differ (first difference, both sides) and "N of M cells differ";
//       exits 1 when any differ.
// Typical: an old build on the old samples, the new build on the same samples, then compare — the engine's
// numbers must be identical; differences should be only the ones a change intends.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { repoRoot } from "./lib/env.mjs";

const [command, ...rest] = process.argv.slice(2);
const option = (name, fallback) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest.splice(i, 2)[1] : fallback;
};

/** Fields that differ between two runs of the same code. */
const VOLATILE = new Set(["elapsedMs", "etaMs", "executionCount", "executionSummary", "timing"]);
/** "1.2 s", "35 ms" inside texts (progress lines, the runner's notes). */
const TIMING = /\b\d+(\.\d+)?\s?(ms|s)\b/g;

function normalize(value) {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !VOLATILE.has(k)).map(([k, v]) => [k, normalize(v)]));
  }
  return typeof value === "string" ? value.replace(TIMING, "<time>") : value;
}

function run(outDir) {
  const build = resolve(option("--build", repoRoot));
  const samples = resolve(option("--samples", repoRoot));
  const cli = join(build, "dist", "cli.js");
  if (!existsSync(cli)) throw new Error(`${cli} not found: build that checkout first (node esbuild.config.mjs)`);
  let failed = 0;
  for (const [lang, dir] of [["en", join(samples, "media/samples")], ["ko", join(samples, "media/samples/ko")]]) {
    if (!existsSync(dir)) continue;
    const target = join(resolve(outDir), lang);
    mkdirSync(target, { recursive: true });
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".rnnb")).sort()) {
      copyFileSync(join(dir, name), join(target, name)); // the runner reads files beside the notebook
      const r = spawnSync(process.execPath, [cli, "run", name, "--out", `${name}.out`, "--timeout", "300"], { cwd: target, encoding: "utf8" });
      console.log(`${lang}/${name}: exit ${r.status}`);
      if (r.status !== 0) { failed++; process.stderr.write(r.stderr.slice(-2000)); }
    }
  }
  process.exit(failed ? 1 : 0);
}

function compare(a, b) {
  const ignore = new Set(option("--ignore", "").split(",").filter(Boolean));
  const outputs = (cell) => normalize((cell.outputs ?? []).map((o) => (o.items ?? []).filter((i) => !ignore.has(i.mime))));
  let cells = 0, differ = 0;
  for (const lang of ["en", "ko"]) {
    if (!existsSync(join(a, lang))) continue;
    for (const name of readdirSync(join(a, lang)).filter((f) => f.endsWith(".out")).sort()) {
      const left = JSON.parse(readFileSync(join(a, lang, name), "utf8")).cells;
      const right = JSON.parse(readFileSync(join(b, lang, name), "utf8")).cells;
      left.forEach((cell, i) => {
        cells++;
        const x = JSON.stringify(outputs(cell));
        const y = JSON.stringify(outputs(right[i] ?? {}));
        if (x === y) return;
        differ++;
        let k = 0;
        while (k < Math.min(x.length, y.length) && x[k] === y[k]) k++;
        console.log(`${lang}/${basename(name, ".out")} cell ${i + 1}:\n  a: …${x.slice(Math.max(0, k - 80), k + 160)}\n  b: …${y.slice(Math.max(0, k - 80), k + 160)}`);
      });
    }
  }
  console.log(`${differ} of ${cells} cells differ`);
  process.exit(differ ? 1 : 0);
}

if (command === "run" && rest[0]) run(rest[0]);
else if (command === "compare" && rest[0] && rest[1]) compare(rest[0], rest[1]);
else {
  console.error("usage: node scripts/sample-outputs.mjs run <out-dir> [--build <checkout>] [--samples <checkout>]\n" +
    "       node scripts/sample-outputs.mjs compare <dir-a> <dir-b> [--ignore image/png,…]");
  process.exit(2);
}
