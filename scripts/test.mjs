#!/usr/bin/env node
// `npm test`: every suite, in order — type check, lint, unit tests and reliability tests (plain Node, Mocha), integration tests
// (real VS Code extension host), browser E2E tests (packaged .vsix in real VS Code + Chromium).
// Installs the real VS Code first if it is missing (saying so). Each suite ends with
// "<suite>: N passed, N failed"; the run ends with the overall "N passed, N failed" and exits non-zero
// on any failure or time-out (time-outs are generous hang guards, not budgets).
//   node scripts/test.mjs [--only typecheck,lint,unit,reliability,integration,e2e,e2e-web] [--skip e2e]
// ("unit" includes the golden fixtures and gradient checks re-run with each engine kernel forced.)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { build } from "./lib/build.mjs";
import { repoRoot, say } from "./lib/env.mjs";
import { run, stopAll } from "./lib/proc.mjs";
import { closingLine, total } from "./lib/report.mjs";
import { ensureVSCode } from "./lib/vscode-install.mjs";

const MIN = 60 * 1000;
const argv = process.argv.slice(2);
const listArg = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? new Set(argv[i + 1].split(",")) : undefined;
};
const only = listArg("--only");
const skip = listArg("--skip") ?? new Set();
const wanted = (name) => (!only || only.has(name)) && !skip.has(name);
const tmp = mkdtempSync(join(tmpdir(), "rnn-notebook-test-"));

/** @type {import("./lib/report.mjs").SuiteCount[]} */
const counts = [];

function banner(title) {
  console.log(`\n━━━ ${title} ${"━".repeat(Math.max(0, 70 - title.length))}`);
}

function record(count, t0) {
  count.seconds = (Date.now() - t0) / 1000;
  counts.push(count);
  console.log(closingLine(count));
}

/** tsc over the whole project; a file with an error is a failure, every other project file a pass. */
async function typecheck() {
  const t0 = Date.now();
  banner("type check (tsc --noEmit)");
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const r = await run(process.execPath, [tsc, "--noEmit", "-p", ".", "--listFiles", "--pretty", "false"], { cwd: repoRoot, capture: true, timeoutMs: 10 * MIN });
  const lines = r.stdout.split("\n").filter(Boolean);
  const files = new Set();
  const bad = new Set();
  for (const line of lines) {
    const err = /^(.+?)\(\d+,\d+\): error TS\d+/.exec(line);
    if (err) {
      bad.add(resolve(repoRoot, err[1]));
      console.log(line);
    } else if (line.startsWith("/") && !line.includes("/node_modules/")) {
      files.add(line);
    } else if (!line.startsWith("/")) {
      console.log(line); // continuation of an error message
    }
  }
  if (r.stderr.trim()) console.log(r.stderr.trim());
  const failed = bad.size || (r.code !== 0 ? 1 : 0);
  say(`${files.size} project files checked${bad.size ? `; errors in ${[...bad].map((f) => relative(repoRoot, f)).join(", ")}` : ""}`);
  record({ name: "typecheck", passed: Math.max(0, files.size - bad.size), failed }, t0);
}

/** ESLint (the import rules of the architecture included); a file with an error is a failure. */
async function lint() {
  const t0 = Date.now();
  banner("lint (eslint src test scripts)");
  const { ESLint } = await import("eslint");
  const eslint = new ESLint({ cwd: repoRoot });
  const results = await eslint.lintFiles(["src", "test", "scripts"]);
  const formatter = await eslint.loadFormatter("stylish");
  const text = await formatter.format(results);
  if (text.trim()) console.log(text);
  const failed = results.filter((x) => x.errorCount > 0).length;
  say(`${results.length} files linted`);
  record({ name: "lint", passed: results.length - failed, failed }, t0);
}

/**
 * Runs Mocha over `files` (bundled tests, plain Node) and records the suite's counts from our reporter
 * (scripts/lib/mocha-reporter.js writes them to RNN_MOCHA_RESULT). `timeout` is Mocha's per-test hang
 * guard in ms; `env` and `require` extend the child's environment and preloads.
 */
async function mochaSuite(name, files, { timeout, env = {}, require = [], nodeArgs = [] }) {
  const t0 = Date.now();
  const resultFile = join(tmp, `${name}.json`);
  const mocha = join(repoRoot, "node_modules", "mocha", "bin", "mocha.js");
  const r = await run(process.execPath, [...nodeArgs, mocha, "--ui", "bdd", "--timeout", String(timeout), ...require.flatMap((f) => ["--require", f]),
    "--reporter", join(repoRoot, "scripts", "lib", "mocha-reporter.js"), ...files], {
    cwd: repoRoot, timeoutMs: 30 * MIN, env: { ...process.env, ...env, RNN_MOCHA_RESULT: resultFile },
  });
  let c = { passed: 0, failed: 0 };
  try {
    c = JSON.parse(readFileSync(resultFile, "utf8"));
  } catch {
    // mocha died before its end
  }
  const count = { name, passed: c.passed, failed: c.failed };
  if (r.timedOut) count.note = "time-out";
  if (r.code !== 0 && count.failed === 0) count.failed = 1;
  record(count, t0);
}

/** Mocha over the bundled unit tests (plain Node, no VS Code). */
async function unit() {
  banner("unit tests (mocha, plain Node)");
  // the full dev build: unit tests of the kernel fork dist/kernel.js
  await build([], { clean: ["out/test/unit"] });
  await mochaSuite("unit", ["out/test/unit/**/*.test.js"], { timeout: 60000 });
}

/**
 * The PyTorch golden fixtures and gradient checks again with each engine kernel forced for every product
 * (fast paths and fallback alike): "wasm" = WASM SIMD GEMM + fused WASM gate steps for every
 * float32 product on one thread, "threaded" = the same with every product that can be split shared
 * with a helper thread (the kernel's dist/gemmWorker.js, handed over by force-gemm.cjs), "js" = the
 * TypeScript GEMM and per-gate TypeScript steps only. The plain unit run
 * above uses "auto", which mixes them by product size. "threaded" runs with the kernel process's Node
 * flags, as the kernel runs: on Node 20 relaxed SIMD, so the fused multiply-add kernels are the ones
 * tested there, and baseline SIMD in the other runs. Needs the build the unit step made.
 * forcedKernels.test.js runs first and fails if the forcing did not reach the engine.
 */
// Node < 22 has WASM relaxed SIMD only behind this flag, which the kernel passes to its own process
// (src/client/kernelProcess.ts kernelNodeFlags).
const RELAXED_SIMD_FLAGS = Number(process.versions.node.split(".")[0]) < 22 ? ["--experimental-wasm-relaxed-simd"] : [];
const GOLDEN_FILES = ["forcedKernels", "torchGolden", "kerasGolden", "trainingGolden", "recurrentGradcheck", "kerasGradcheck"]
  .map((f) => `out/test/unit/engine/${f}.test.js`);
async function forcedKernels() {
  const titles = { wasm: "WASM SIMD kernels, one thread", threaded: "WASM SIMD kernels, two threads", js: "TypeScript fallback" };
  for (const [gemm, fused] of [["wasm", "on"], ["threaded", "on"], ["js", "off"]]) {
    banner(`golden fixtures + gradient checks, ${titles[gemm]} forced`);
    const nodeArgs = gemm === "threaded" ? RELAXED_SIMD_FLAGS : [];
    await mochaSuite(`unit-${gemm}`, GOLDEN_FILES, {
      timeout: 300000, nodeArgs, require: [join(repoRoot, "scripts", "bench", "force-gemm.cjs")],
      env: { RNN_GEMM_BACKEND: gemm, RNN_FUSED_STEPS: fused, ...(gemm === "threaded" ? { RNN_EXPECT_FMA: "1" } : {}) },
    });
  }
}

/** The fast parts of the reliability suite (test/reliability; fuzz at its default count, 5 kernel cycles) —
 * `npm run test:stress` runs the long parts. Needs the dev build the unit step made (dist/kernel.js). */
async function reliability() {
  banner("reliability tests (mocha, plain Node: fuzz, kernel faults)");
  if (!wanted("unit")) await build([], { clean: ["out/test/reliability"] });
  await mochaSuite("reliability", ["out/test/reliability/**/*.test.js"], { timeout: 600000 });
}

/** A harness script that writes its suite counts to RNN_SUITE_SUMMARY. */
async function script(title, file, fallbackName, timeoutMs, args = []) {
  const t0 = Date.now();
  banner(title);
  const summary = join(tmp, `${fallbackName}.json`);
  const r = await run(process.execPath, [join(repoRoot, "scripts", file), ...args], {
    cwd: repoRoot, timeoutMs, env: { ...process.env, RNN_SUITE_SUMMARY: summary },
  });
  let suites = [];
  try {
    suites = JSON.parse(readFileSync(summary, "utf8")).suites;
  } catch {
    // the script died before writing its summary
  }
  if (suites.length === 0) suites = [{ name: fallbackName, passed: 0, failed: 0 }];
  if (r.code !== 0 && suites.every((s) => s.failed === 0)) suites[suites.length - 1].failed += 1;
  if (r.timedOut) say(`${title}: TIME-OUT after ${timeoutMs / MIN} min (hang guard)`);
  for (const s of suites) {
    const count = { name: s.name, passed: s.passed, failed: s.failed };
    record(count, t0);
    if (typeof s.seconds === "number") count.seconds = s.seconds; // the suite's own time, when the script measured it
  }
}

async function main() {
  const t0 = Date.now();
  if (wanted("integration") || wanted("e2e") || wanted("e2e-web")) {
    banner("real VS Code for the integration and E2E tests");
    say("making sure VS Code (code-server), Node 24 and Chromium are installed — installs them on the first run");
    await ensureVSCode();
  }
  const steps = [
    ["typecheck", typecheck],
    ["lint", lint],
    ["unit", unit],
    ["unit", forcedKernels],
    ["reliability", reliability],
    ["integration", () => script("integration tests (real VS Code extension host)", "run-integration.mjs", "integration", 30 * MIN)],
    ["e2e", () => script("E2E tests (packaged .vsix, real VS Code, Chromium)", "run-e2e.mjs", "e2e", 30 * MIN)],
    ["e2e-web", () => script("E2E tests of the web extension (web-only .vsix, code-server's web worker host, Chromium)", "run-e2e.mjs", "e2e-web", 30 * MIN, ["--web"])],
  ];
  for (const [name, fn] of steps) {
    if (!wanted(name)) continue;
    try {
      await fn();
    } catch (e) {
      console.error(`[harness] ${name}: ${e instanceof Error ? e.message : String(e)}`);
      record({ name, passed: 0, failed: 1 }, Date.now());
    }
  }
  banner(`summary (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  for (const c of counts) console.log(`${closingLine(c)}   (${(c.seconds ?? 0).toFixed(0)} s${c.note ? `, ${c.note}` : ""})`);
  const t = total(counts);
  console.log(`${t.passed} passed, ${t.failed} failed`);
  return t.failed === 0 && t.passed > 0 ? 0 : 1;
}

main()
  .then(async (code) => {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
    process.exit(code);
  })
  .catch(async (e) => {
    console.error(`[harness] ${e instanceof Error ? e.stack : String(e)}`);
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  });
