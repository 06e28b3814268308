// `npm run bench` — the engine's throughput against TensorFlow.js and PyTorch. Not part of `npm test`.
//
// For each workload × {LSTM, GRU} × {forward (inference, recording off), training step (forward +
// full BPTT + Adam update)} it measures, one child process per system and workload so the systems
// never share a heap or JIT state, run one after another:
//   ours        this engine (src/engine bundled by esbuild), scripts/bench/ours.mjs
//   tfjs-wasm   @tensorflow/tfjs + tfjs-backend-wasm (XNNPACK, SIMD, 1 thread), scripts/bench/tfjs.mjs
//   tfjs-cpu    @tensorflow/tfjs's pure-JS cpu backend, scripts/bench/tfjs.mjs
//   pytorch     /usr/bin/python3 scripts/bench_torch.py with OMP_NUM_THREADS=1 (only if it imports torch)
//   pytorch2    the same with 2 threads: OMP_NUM_THREADS=2 (and OpenBLAS's, MKL's), OMP_WAIT_POLICY=PASSIVE
//   web         this engine in a dedicated Web Worker of headless Chromium, as the web extension's kernel runs
//               it (one thread), scripts/bench/web.mjs (only if Chromium is installed)
// Ours runs as users get it: with the kernel's second GEMM thread (large products on both cores).
// Every child warms up first and reports all timed runs; the table shows medians. Ours also reports
// the training step with gate + gradient-norm recording on (the overhead target is ≤ 15%).
// Results: bench-results/<date>-<host>.json and a Markdown table on stdout.
//
// Flags: --quick (skip the large workload), --workloads=small,medium,large, --cells=lstm,gru,
//        --systems=ours,tfjs-wasm,tfjs-cpu,pytorch,web, --reps=N (timed runs per cell, default 15; small 41, medium 25),
//        --no-save (do not write bench-results), --readme (replace README's Performance table),
//        --engine=<entry.ts> (bundle another engine entry than src/engine/index.ts),
//        --reuse=<results.json>[,<more.json>] [--reuse-systems=tfjs-cpu,tfjs-wasm]: take those systems' figures for
//        the workloads/cells present in an earlier results file instead of measuring them again (TF.js
//        cpu needs minutes per large training step); the table marks reused cells and their date,
//        --out=<file.json> (results file; default bench-results/<date>-<host>.json, rewritten after
//        every child), --child-timeout=<s> (per system × workload × cell; default 1800; a timed-out
//        cell shows as "> s"), --table=<results.json> (only print that file's table; with --readme).
//        --no-relaxed-simd (on Node < 22, do not pass --experimental-wasm-relaxed-simd to Node children),
//        --processes=N (ours, pytorch and pytorch2 on small and medium: N processes per cell, default 3, and
//        the median of their medians — one process's figures can sit 50% off another's on this VM),
//        --no-families (skip the model-family rows and the autograd tape measurement),
//        --no-probe (skip the flight-recorder rows), --no-threads (skip the SIMD peak and the 1-vs-2-thread rows),
//        --feel [--dev] [--table] (only what users feel in the real VS Code — first cell result, Run All to the
//        first heatmap, completion latency — by the E2E tests of scripts/bench/feel.mjs; nothing else).
// With our engine it also measures the same model written three ways — rnn.sequential, a functional
// rnn.model and an rnn.nn.Module trained with rnn.optim — and rnn.nn.LSTM/GRU computeGradients against
// the same layers' rnn.sequential computeGradients (scripts/bench/families.mjs; target: each within
// 10% of sequential), and the autograd tape's own overhead on a 200-op graph. For the small and medium
// LSTM it measures fit() with and without the flight recorder, `probe: { every: 50 }` (scripts/bench/probe.mjs;
// target: ≤ 10% overhead).
// Two cores: this machine's WASM SIMD peak (scripts/bench/peak.mjs: a register-only multiply-add loop,
// 1 and 2 threads) and, for medium and large, ours with one GEMM thread against two, interleaved in
// one process (scripts/bench/threads.mjs), each with its GFLOP/s as a fraction of the peak
// (--no-threads skips both).
import { spawnSync, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { hostname, cpus, loadavg, totalmem, release } from "node:os";
import { join, dirname } from "node:path";
import { gemmFlops } from "./bench/common.mjs";
import { fileURLToPath } from "node:url";
import { CHROMIUM } from "./lib/env.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
};

if (flag("feel")) {
  const r = spawnSync(process.execPath, [join(root, "scripts", "bench", "feel.mjs"), ...args.filter((a) => a !== "--feel")], { cwd: root, stdio: "inherit" });
  process.exit(r.status ?? 1);
}

// Workload sizes: textbook (small), medium and large. B batch, T timesteps, I input features, H hidden units.
const WORKLOADS = {
  // Warm-ups: V8 tiers JavaScript up to optimized code over the first hundreds of calls (and compiles
  // on background threads); PyTorch and TF.js need no such warm-up, but get the same number of runs.
  // Small steps take ~1 ms: with 60 warm-ups and 15 runs the recording path (run interleaved with the
  // plain step) was still partly unoptimized and measured 21–25% overhead, 7–9% once warm (300 runs).
  small: { B: 32, T: 20, I: 6, H: 16, layers: 2, warmup: 300, reps: 41, budgetMs: 10000 },
  // Medium: with 10 warm-ups and 15 runs the recording path measured 16% over the plain step where the
  // same bundle settles at 6% in-process after 20 runs (GC of the snapshots lands in a few of 15 samples).
  medium: { B: 32, T: 50, I: 64, H: 128, layers: 1, warmup: 40, reps: 25, budgetMs: 15000 },
  large: { B: 64, T: 100, I: 256, H: 512, layers: 1, warmup: 1, budgetMs: 30000 },
};
const workloads = option("workloads", flag("quick") ? "small,medium" : "small,medium,large").split(",");
const cells = option("cells", "lstm,gru").split(",");
/** Timed runs per cell: --reps, else the workload's own default, else 15 (large: at most 5). */
const repsFor = (w) => Number(option("reps", String(WORKLOADS[w].reps ?? 15)));
const childTimeoutS = Number(option("child-timeout", "1800"));
/**
 * Processes per cell for the systems compared in the headline ratios on the short workloads. Measured
 * on the 2-core VM (2026-12-04, quiet): the same small GRU forward gave 0.28–0.30 ms in some processes
 * and 0.41–0.45 ms in others, every run of a process consistent with itself (pinning to either core,
 * `--no-liftoff`: the same); PyTorch's small LSTM forward 0.64 ms in one full run and 1.00 ms in another.
 */
const processes = Math.max(1, Number(option("processes", "3")));
const REPEATED = new Set(["ours", "pytorch", "pytorch2"]);
const reuseFile = option("reuse", null);
const reuseSystems = option("reuse-systems", "tfjs-cpu,tfjs-wasm").split(",");
// Several files may be given (comma-separated); the first that has a usable cell wins.
const reused = reuseFile ? reuseFile.split(",").map((f) => JSON.parse(readFileSync(f, "utf8"))) : [];
/** The earlier measurement of (workload, cell, system), if reusable. */
function reusedResult(w, cell, system) {
  if (!reuseSystems.includes(system)) return null;
  for (const rec of reused) {
    const r = rec.results.find((x) => x.workload === w && x.cell === cell)?.systems?.[system];
    if (!r || (r.error && !r.timeoutS)) continue; // a timeout is a result (a lower bound) too
    return { ...r, reusedFrom: r.reusedFrom ?? rec.started };
  }
  return null;
}

const TORCH_PYTHON = "/usr/bin/python3";
const engineEntry = option("engine", join(root, "src/engine/index.ts"));
const hasTorch = spawnSync(TORCH_PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
const systems = option("systems", "ours,tfjs-wasm,tfjs-cpu,pytorch,pytorch2,web").split(",").filter((s) => {
  if (s === "web" && !existsSync(CHROMIUM)) {
    console.error(`[bench] no Chromium at ${CHROMIUM}: skipping the web kernel (apt-get install chromium)`);
    return false;
  }
  if ((s === "pytorch" || s === "pytorch2") && !hasTorch) {
    console.error(`[bench] ${TORCH_PYTHON} cannot import torch: skipping PyTorch (apt-get install python3-torch libopenblas0-pthread)`);
    return false;
  }
  if (s === "ours" && !existsSync(engineEntry)) {
    console.error("[bench] src/engine/index.ts does not exist yet: skipping our engine");
    return false;
  }
  return true;
});

/**
 * Bundles the engine once for the "ours" children (plain Node, no test harness): the public entry
 * plus the GEMM / fused-step diagnostics, so each result records which kernels ran.
 */
async function buildEngine() {
  const esbuild = await import("esbuild");
  const outfile = join(root, "out/bench/engine.cjs");
  const dir = dirname(engineEntry);
  const lines = [`export * from ${JSON.stringify(engineEntry)};`];
  if (existsSync(join(dir, "gemm.ts"))) lines.push(`export { gemmInfo, setGemmBackend, gemmPrepared, prepareB, releaseB } from ${JSON.stringify(join(dir, "gemm.ts"))};`);
  if (existsSync(join(dir, "pointwise.ts"))) lines.push(`export { pointwiseAvailable, setPointwiseEnabled } from ${JSON.stringify(join(dir, "pointwise.ts"))};`);
  // The second GEMM thread as the kernel starts it (src/kernel/gemmThread.ts, bundled beside the engine
  // as out/bench/gemmWorker.cjs), and the WASM emitter for the SIMD peak loop (scripts/bench/peak.mjs).
  const threadHost = join(dir, "..", "kernel", "gemmThread.ts");
  const withThreads = existsSync(join(dir, "gemmThread.ts")) && existsSync(threadHost);
  if (withThreads) {
    lines.push(`export { setHost } from ${JSON.stringify(join(dir, "host.ts"))};`);
    lines.push(`export { startGemmThread } from ${JSON.stringify(threadHost)};`);
  }
  if (existsSync(join(dir, "wasm", "emit.ts"))) lines.push(`export * as wasmEmit from ${JSON.stringify(join(dir, "wasm", "emit.ts"))};`);
  const opts = { bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "warning", sourcemap: false };
  await esbuild.build({ ...opts, stdin: { contents: lines.join("\n"), resolveDir: dir, sourcefile: "bench-engine-entry.ts", loader: "ts" }, outfile });
  if (withThreads) await esbuild.build({ ...opts, entryPoints: [threadHost], outfile: join(dirname(outfile), "gemmWorker.cjs") });
  return outfile;
}

function median(xs) {
  if (!xs || xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Node < 22 has WASM relaxed SIMD (fused multiply-add) only behind a flag; VS Code's extension host
// and kernel process (Electron / Node ≥ 22) have it on by default. Node children get the flag so the
// engine runs as it does in the product; --no-relaxed-simd measures the baseline-SIMD kernel.
const nodeMajor = Number(process.versions.node.split(".")[0]);
const nodeFlags = nodeMajor < 22 && !flag("no-relaxed-simd") ? ["--experimental-wasm-relaxed-simd"] : [];

/** Runs one child and returns its parsed last stdout line (or { error }). */
function runChild(system, cfg) {
  const json = JSON.stringify(cfg);
  const threads = system === "pytorch2" ? "2" : "1";
  const env = { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, MKL_NUM_THREADS: threads };
  if (system === "pytorch2") env.OMP_WAIT_POLICY = "PASSIVE";
  const [cmd, argv] = system === "pytorch" || system === "pytorch2"
    ? [TORCH_PYTHON, [join(root, "scripts/bench_torch.py"), system === "pytorch2" ? JSON.stringify({ ...cfg, threads: 2 }) : json]]
    : system === "ours"
      ? [process.execPath, [...nodeFlags, join(root, "scripts/bench/ours.mjs"), json]]
      : system === "families" || system === "probe" || system === "threads" || system === "peak" || system === "web"
        ? [process.execPath, [...nodeFlags, join(root, `scripts/bench/${system}.mjs`), json]]
        : [process.execPath, [...nodeFlags, join(root, "scripts/bench/tfjs.mjs"), JSON.stringify({ ...cfg, backend: system.slice(5) })]];
  const load = loadavg()[0];
  const res = spawnSync(cmd, argv, { cwd: root, env, encoding: "utf8", maxBuffer: 64 << 20, timeout: childTimeoutS * 1000, killSignal: "SIGKILL" });
  if (res.error?.code === "ETIMEDOUT") {
    console.error(`[bench] ${system} stopped after the ${childTimeoutS} s limit`);
    return { error: `timeout: no result within ${childTimeoutS} s`, timeoutS: childTimeoutS };
  }
  const lines = (res.stdout ?? "").trim().split("\n");
  try {
    if (res.status !== 0) throw new Error(`exit ${res.status}`);
    return { ...JSON.parse(lines[lines.length - 1]), loadBefore: load, loadAfter: loadavg()[0] };
  } catch (e) {
    const why = `${e.message}: ${(res.stderr ?? "").trim().split("\n").slice(-5).join(" | ")}`;
    console.error(`[bench] ${system} failed: ${why}`);
    return { error: why };
  }
}

const fmtMs = (ms) => (Number.isFinite(ms) ? (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)) : "—");
const fmtRatio = (r) => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×` : "—");
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");
const fmtPct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "—");

/** A report section: a blank line, the intro, a blank line, then a Markdown table (first `left` columns left-aligned). */
function section(out, intro, head, rows, left = 2) {
  out.push("", intro, "", `| ${head.join(" | ")} |`, `|${head.map((_, i) => (i < left ? "---" : "---:")).join("|")}|`);
  for (const r of rows) out.push(`| ${r.join(" | ")} |`);
}

function machine() {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  let torchInfo = null;
  if (hasTorch) {
    try { torchInfo = execFileSync(TORCH_PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" }).trim(); } catch { /* reported as null */ }
  }
  return {
    host: hostname(), cpu, cores: cpus().length, memGB: Math.round(totalmem() / 2 ** 30), kernel: release(),
    node: process.version, nodeFlags, torch: torchInfo,
  };
}

async function main() {
  const tableFrom = option("table", null);
  if (tableFrom) {
    // Re-render the table of an existing results file (e.g. one whose run was cut short).
    const rec = JSON.parse(readFileSync(tableFrom, "utf8"));
    const table = markdown(rec.results, rec.machine, new Date(rec.started), new Date(rec.finished ?? rec.updated), rec.loadAtEnd, rec.tape, rec.peak);
    console.log(table);
    if (flag("readme")) updateReadme(table);
    return;
  }
  const started = new Date();
  const info = machine();
  console.error(`[bench] ${started.toISOString()} on ${info.host}: ${info.cpu} ×${info.cores}, Node ${info.node}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const enginePath = systems.includes("ours") ? await buildEngine() : null;
  const results = [];
  let tape = null;
  const withFamilies = systems.includes("ours") && !flag("no-families");
  const withProbe = systems.includes("ours") && !flag("no-probe");
  const withThreads = systems.includes("ours") && !flag("no-threads");
  let peak = null;
  if (withThreads) {
    console.error(`[bench] WASM SIMD peak, 1 and 2 threads … (load ${loadavg()[0].toFixed(2)})`);
    peak = runChild("peak", { enginePath });
    if (!peak.error) console.error(`[bench]   peak ${peak.gflops1.toFixed(1)} GFLOP/s on 1 thread, ${peak.gflops2.toFixed(1)} on 2`);
  }
  const file = flag("no-save") ? null : option("out", join(root, "bench-results", `${started.toISOString().slice(0, 10)}-${info.host}.json`));
  // The file is rewritten after every child, so a run cut short still leaves its measurements.
  const save = (finished) => {
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const record = { started: started.toISOString(), ...(finished ? { finished: finished.toISOString() } : { updated: new Date().toISOString(), partial: true }),
      machine: info, loadAtEnd: loadavg(), args, results, tape, peak, ...(finished ? { table: markdown(results, info, started, finished, loadavg(), tape, peak) } : {}) };
    writeFileSync(file, JSON.stringify(record, null, 1) + "\n");
  };
  for (const w of workloads) {
    const size = WORKLOADS[w];
    if (!size) throw new Error(`unknown workload ${w}; valid: ${Object.keys(WORKLOADS).join(", ")}`);
    for (const cell of cells) {
      const row = { workload: w, cell, ...size, systems: {} };
      results.push(row);
      for (const system of systems) {
        const cfg = { cell, ...size, reps: w === "large" ? Math.min(repsFor(w), 5) : repsFor(w), enginePath };
        const earlier = reusedResult(w, cell, system);
        if (earlier) {
          console.error(`[bench] ${w} ${cell} ${system}: reusing the measurement of ${earlier.reusedFrom}`);
          row.systems[system] = earlier;
          continue;
        }
        const n = REPEATED.has(system) && w !== "large" ? processes : 1;
        console.error(`[bench] ${w} ${cell} ${system}${n > 1 ? ` × ${n} processes` : ""} … (load ${loadavg()[0].toFixed(2)})`);
        const runs = Array.from({ length: n }, () => runChild(system, cfg));
        const r = runs.find((x) => x.error) ?? runs[0];
        if (!r.error) {
          // Each process's medians, then the median of them (one process: its own medians).
          const of = (key) => median(runs.map((x) => median(x[key])));
          r.forwardMedianMs = of("forwardMs");
          r.trainMedianMs = of("trainMs");
          r.forwardCpuMedianMs = of("forwardCpuMs");
          r.trainCpuMedianMs = of("trainCpuMs");
          if (r.trainRecordMs) {
            r.trainRecordMedianMs = of("trainRecordMs");
            r.trainRecordCpuMedianMs = of("trainRecordCpuMs");
          }
          r.maxRssMB = Math.max(...runs.map((x) => x.maxRssMB));
          if (n > 1) r.processes = runs.map((x) => ({ forwardMedianMs: median(x.forwardMs), trainMedianMs: median(x.trainMs) }));
          console.error(`[bench]   forward ${fmtMs(r.forwardMedianMs)} ms, train ${fmtMs(r.trainMedianMs)} ms, maxRSS ${r.maxRssMB} MB` +
            (n > 1 ? ` (per process: forward ${r.processes.map((x) => fmtMs(x.forwardMedianMs)).join(", ")}; train ${r.processes.map((x) => fmtMs(x.trainMedianMs)).join(", ")})` : ""));
        }
        row.systems[system] = r;
        save(null);
      }
      if (withFamilies) {
        console.error(`[bench] ${w} ${cell} families (sequential, functional, nn.Module) … (load ${loadavg()[0].toFixed(2)})`);
        const f = runChild("families", { cell, ...size, reps: w === "large" ? Math.min(repsFor(w), 5) : repsFor(w), warmup: Math.min(size.warmup ?? 3, 40), enginePath });
        if (!f.error) for (const k of ["sequential", "functional", "module", "seqGrads", "nnGrads"]) f[k] = { ...f[k], trainMedianMs: median(f[k].trainMs), trainCpuMedianMs: median(f[k].trainCpuMs) };
        row.families = f;
        save(null);
      }
      if (withThreads && w !== "small") {
        console.error(`[bench] ${w} ${cell} one GEMM thread vs two, interleaved … (load ${loadavg()[0].toFixed(2)})`);
        const t = runChild("threads", { cell, ...size, reps: w === "large" ? Math.min(repsFor(w), 5) : repsFor(w), warmup: Math.min(size.warmup ?? 3, 10), enginePath });
        if (!t.error) {
          for (const k of ["forward1", "forward2", "train1", "train2"]) {
            t[`${k}MedianMs`] = median(t[`${k}Ms`]);
            t[`${k}CpuMedianMs`] = median(t[`${k}CpuMs`]);
          }
          console.error(`[bench]   forward ${fmtMs(t.forward1MedianMs)} → ${fmtMs(t.forward2MedianMs)} ms, train ${fmtMs(t.train1MedianMs)} → ${fmtMs(t.train2MedianMs)} ms`);
        }
        row.threads = t;
        save(null);
      }
      if (withProbe && cell === "lstm" && w !== "large") {
        console.error(`[bench] ${w} ${cell} fit with probe every 50 vs without … (load ${loadavg()[0].toFixed(2)})`);
        const p = runChild("probe", { cell, ...size, reps: w === "small" ? 15 : 9, warmup: w === "small" ? 3 : 1, budgetMs: 120000, enginePath });
        if (!p.error) for (const k of ["fit", "probeFit"]) {
          p[`${k}MedianMs`] = median(p[`${k}Ms`]);
          p[`${k}CpuMedianMs`] = median(p[`${k}CpuMs`]);
        }
        row.probe = p;
        save(null);
      }
    }
  }
  if (withFamilies) {
    console.error("[bench] autograd tape, 200-op graph …");
    tape = runChild("families", { tape: true, enginePath });
    if (!tape.error) for (const k of ["noGrad", "recorded", "backward"]) tape[`${k}MedianMs`] = median(tape[`${k}Ms`]);
  }
  const finished = new Date();
  const table = markdown(results, info, started, finished, loadavg(), tape, peak);
  console.log(table);
  save(finished);
  if (file) console.error(`[bench] wrote ${file}`);
  if (flag("readme")) updateReadme(table);
}

/** The Markdown report: one timing table, then recording overhead and peak memory, model families and the tape. */
function markdown(results, info, started, finished, loadAtEnd, tape, peak) {
  const has = (s) => systems.includes(s);
  const out = [];
  out.push(`Measured ${started.toISOString().slice(0, 16).replace("T", " ")}–${finished.toISOString().slice(11, 16)} UTC on ${info.cpu}, ${info.cores} cores, ${info.memGB} GB, Node ${info.node}` +
    (info.torch ? `, PyTorch ${info.torch} (1 thread, OpenBLAS)` : "") + (info.nodeFlags?.length ? `; Node children run with ${info.nodeFlags.join(" ")}` : "") +
    `; load average (1/5/15 min) at end ${loadAtEnd.map((l) => l.toFixed(2)).join(" ")} on 2 cores shared with other work.`);
  out.push((processes > 1 ? `Ours, PyTorch and PyTorch 2 thr on small and medium: each figure the median of ${processes} processes' medians (one process can sit 50% off another on this VM). ` : "") +
    "Each time: median wall-clock ms per batch, with the median process CPU ms in parentheses (CPU time of all the process's threads: with two threads it can exceed wall-clock; on a loaded machine it is what the step costs on cores of its own). sequences/s and GFLOP/s (the GEMMs' floating-point operations per second, scripts/bench/common.mjs gemmFlops, as a % of this machine's 2-thread WASM SIMD peak) for ours from wall-clock. Ours runs with its second GEMM thread, as in the kernel. Ratios = ours / other, lower is better (targets: ≤ 0.5× PyTorch 1 thread on small, ≤ 1.0× on medium/large, ≤ 0.1× TF.js best): wall-clock (CPU-time).");
  out.push("");
  const head = ["workload", "cell", "step", "ours ms", "ours seq/s", "ours GFLOP/s"];
  if (has("pytorch")) head.push("PyTorch ms");
  if (has("pytorch2")) head.push("PyTorch 2 thr ms");
  if (has("tfjs-wasm")) head.push("TF.js wasm ms");
  if (has("tfjs-cpu")) head.push("TF.js cpu ms");
  if (has("pytorch")) head.push("ours/PyTorch");
  if (has("pytorch2")) head.push("ours/PyTorch 2 thr");
  if (has("tfjs-wasm") || has("tfjs-cpu")) head.push("ours/TF.js best");
  out.push(`| ${head.join(" | ")} |`);
  out.push(`|${head.map((_, i) => (i < 3 ? "---" : "---:")).join("|")}|`);
  for (const r of results) {
    for (const step of ["forward", "train"]) {
      const key = step === "forward" ? "forwardMedianMs" : "trainMedianMs";
      const cpuKey = step === "forward" ? "forwardCpuMedianMs" : "trainCpuMedianMs";
      const ms = (s) => r.systems[s]?.[key] ?? NaN;
      const cpu = (s) => r.systems[s]?.[cpuKey] ?? NaN;
      const ratio = (others) => {
        const walls = others.map(ms).filter(Number.isFinite);
        const cpus = others.map(cpu).filter(Number.isFinite);
        const limits = others.map((o) => r.systems[o]?.timeoutS).filter(Boolean).map((t) => t * 1000);
        // A system that ran past the time limit took longer than the limit: ours / limit bounds the ratio.
        if (walls.length === 0) return limits.length ? `< ${fmtRatio(ours / Math.min(...limits))}` : "—";
        const wall = Math.min(...walls, ...limits);
        const bound = limits.length && Math.min(...limits) < Math.min(...walls);
        return `${bound ? "< " : ""}${fmtRatio(ours / wall)} (${fmtRatio(cpu("ours") / Math.min(...cpus))})`;
      };
      const ours = ms("ours");
      const both = (sys) => `${fmtMs(ms(sys))} (${fmtMs(cpu(sys))})`;
      const gflops = gemmFlops(r)[step] / ours / 1e6;
      const ofPeak = peak && !peak.error ? ` (${fmtPct(gflops / peak.gflops2)})` : "";
      const cols = [r.workload === "small" ? `${r.workload} (${r.layers} layers)` : r.workload, r.cell.toUpperCase(), step, both("ours"), fmtInt((r.B * 1000) / ours),
        Number.isFinite(gflops) ? `${gflops.toFixed(1)}${ofPeak}` : "—"];
      const mark = (sys) => (r.systems[sys]?.reusedFrom ? "†" : "");
      const cell = (sys) => (r.systems[sys]?.timeoutS ? `> ${r.systems[sys].timeoutS * 1000}` : both(sys) + mark(sys));
      if (has("pytorch")) cols.push(cell("pytorch"));
      if (has("pytorch2")) cols.push(cell("pytorch2"));
      if (has("tfjs-wasm")) cols.push(cell("tfjs-wasm"));
      if (has("tfjs-cpu")) cols.push(cell("tfjs-cpu"));
      if (has("pytorch")) cols.push(ratio(["pytorch"]));
      if (has("pytorch2")) cols.push(ratio(["pytorch2"]));
      if (has("tfjs-wasm") || has("tfjs-cpu")) cols.push(ratio(["tfjs-wasm", "tfjs-cpu"].filter(has)));
      out.push(`| ${cols.join(" | ")} |`);
    }
  }
  const reusedCells = results.flatMap((r) => systems.filter((s) => r.systems[s]?.reusedFrom).map((s) => `${r.workload} ${r.cell.toUpperCase()} ${s} (${r.systems[s].reusedFrom.slice(0, 16).replace("T", " ")} UTC)`));
  if (reusedCells.length) out.push("", `† measured in an earlier run of this benchmark on the same machine: ${reusedCells.join("; ")}.`);
  if (has("ours")) {
    out.push("");
    out.push("Recording overhead (ours, training step with `gates` + `gradNorms` recording vs without, medians; target ≤ 15%; CPU-time overhead in parentheses) and peak memory (maxRSS of each system's process for that workload, MB):");
    out.push("");
    const memHead = systems.map((s) => `${s} MB`);
    out.push(`| workload | cell | train ms | train + recording ms | overhead | ${memHead.join(" | ")} |`);
    out.push(`|---|---|---:|---:|---:|${memHead.map(() => "---:").join("|")}|`);
    for (const r of results) {
      const o = r.systems.ours ?? {};
      const overhead = o.trainRecordMedianMs / o.trainMedianMs - 1;
      const cpuOverhead = o.trainRecordCpuMedianMs / o.trainCpuMedianMs - 1;
      const pct = fmtPct;
      const mem = systems.map((s) => (Number.isFinite(r.systems[s]?.maxRssMB) ? r.systems[s].maxRssMB.toFixed(0) : "—"));
      out.push(`| ${r.workload} | ${r.cell.toUpperCase()} | ${fmtMs(o.trainMedianMs)} | ${fmtMs(o.trainRecordMedianMs)} | ${pct(overhead)} (${pct(cpuOverhead)}) | ${mem.join(" | ")} |`);
    }
  }
  const webRows = results.filter((r) => r.systems.web && !r.systems.web.error && r.systems.ours && !r.systems.ours.error);
  if (webRows.length) {
    section(out, "The web extension's kernel (the same engine in a dedicated Web Worker of headless Chromium, one thread: no SharedArrayBuffer without cross-origin isolation) against the Node kernel's engine (`ours`), median wall-clock ms; a Worker cannot read its CPU time:",
      ["workload", "cell", "step", "Node ms", "Web Worker ms", "Web / Node"],
      webRows.flatMap((r) => ["forward", "train"].map((step) => {
        const key = step === "forward" ? "forwardMedianMs" : "trainMedianMs";
        return [r.workload, r.cell.toUpperCase(), step, fmtMs(r.systems.ours[key]), fmtMs(r.systems.web[key]), fmtRatio(r.systems.web[key] / r.systems.ours[key])];
      })), 3);
  }
  const threadRows = results.filter((r) => r.threads && !r.threads.error);
  if (peak && !peak.error) {
    out.push("", `WASM SIMD peak of this machine (scripts/bench/peak.mjs: a register-only loop of ${peak.fma ? "f32x4.relaxed_madd (fused multiply-add)" : "f32x4.mul + f32x4.add"} on independent accumulators, best of 11 trials): ` +
      `${peak.gflops1.toFixed(1)} GFLOP/s on 1 thread, ${peak.gflops2.toFixed(1)} GFLOP/s on 2 threads (load average ${peak.loadBefore?.toFixed(2)} before, ${peak.loadAfter?.toFixed(2)} after).`);
  }
  if (threadRows.length) {
    const pk = (t) => (peak && !peak.error ? (t === 1 ? peak.gflops1 : peak.gflops2) : NaN);
    section(out, "One GEMM thread against two (ours, the same process, runs interleaved 1-2-1-2…; median wall-clock ms with CPU ms of both threads in parentheses; " +
      "GFLOP/s with its % of the WASM SIMD peak for that many threads; load average (1 min) before and after each measurement):",
    ["workload", "cell", "step", "1 thread ms", "2 threads ms", "2 / 1", "GFLOP/s 1 thread", "GFLOP/s 2 threads", "2 threads / PyTorch 1 thr", "2 threads / PyTorch 2 thr", "load"],
    threadRows.flatMap((r) => ["forward", "train"].map((step) => {
      const t = r.threads;
      const one = t[`${step}1MedianMs`], two = t[`${step}2MedianMs`];
      const gf = (ms, n) => { const g = t.flops[step] / ms / 1e6; return `${g.toFixed(1)} (${fmtPct(g / pk(n))})`; };
      const torch = (s) => r.systems[s]?.[`${step}MedianMs`];
      return [r.workload, r.cell.toUpperCase(), step, `${fmtMs(one)} (${fmtMs(t[`${step}1CpuMedianMs`])})`, `${fmtMs(two)} (${fmtMs(t[`${step}2CpuMedianMs`])})`,
        fmtRatio(two / one), gf(one, 1), gf(two, 2), fmtRatio(two / torch("pytorch")), fmtRatio(two / torch("pytorch2")), `${t.loadBefore?.toFixed(2)}–${t.loadAfter?.toFixed(2)}`];
    })), 3);
  }
  const famRows = results.filter((r) => r.families && !r.families.error);
  if (famRows.length) {
    section(out, "Model families (ours, the same model as `rnn.sequential`, as a functional `rnn.model`, and as an `rnn.nn.Module` trained with `rnn.optim.Adam` and `backward()`; training step, median wall-clock ms with CPU ms in parentheses, run interleaved; " +
      "and the recurrent layers alone as `rnn.nn.LSTM/GRU(…).computeGradients` against the same layers' `rnn.sequential` `computeGradients`, MSE on every step's output; target: within 10% of sequential):",
    ["workload", "cell", "sequential ms", "functional ms", "nn.Module ms", "functional / sequential", "nn.Module / sequential", "nn computeGradients ms", "nn / sequential computeGradients"],
    famRows.map((r) => {
      const f = r.families;
      const both = (k) => `${fmtMs(f[k]?.trainMedianMs)} (${fmtMs(f[k]?.trainCpuMedianMs)})`;
      const ratio = (k, base = "sequential") => `${fmtRatio(f[k]?.trainMedianMs / f[base]?.trainMedianMs)} (${fmtRatio(f[k]?.trainCpuMedianMs / f[base]?.trainCpuMedianMs)})`;
      return [r.workload, r.cell.toUpperCase(), both("sequential"), both("functional"), both("module"), ratio("functional"), ratio("module"), both("nnGrads"), ratio("nnGrads", "seqGrads")];
    }));
  }
  const probeRows = results.filter((r) => r.probe && !r.probe.error);
  if (probeRows.length) {
    section(out, "Flight recorder (ours, `fit` of one epoch with `probe: { x, y, every: 50 }` — one batch of probe sequences, gates and gradient norms — against the same fit without it, run interleaved; " +
      "median wall-clock ms per fit with CPU ms in parentheses; the probe records at batches 0, 50 and 100; target ≤ 10%):",
    ["workload", "cell", "batches", "fit ms", "fit + probe ms", "snapshots", "overhead"],
    probeRows.map(({ workload, cell, probe: p }) => [workload, cell.toUpperCase(), p.batches, `${fmtMs(p.fitMedianMs)} (${fmtMs(p.fitCpuMedianMs)})`,
      `${fmtMs(p.probeFitMedianMs)} (${fmtMs(p.probeFitCpuMedianMs)})`, p.snapshots, `${fmtPct(p.probeFitMedianMs / p.fitMedianMs - 1)} (${fmtPct(p.probeFitCpuMedianMs / p.fitCpuMedianMs - 1)})`]));
  }
  if (tape && !tape.error) {
    const us = (ms) => `${((ms * 1000) / tape.ops).toFixed(2)} µs`;
    out.push("");
    out.push(`Autograd tape, a chain of ${tape.ops} elementwise ops on [${tape.shape.join(", ")}] tensors (medians): forward under \`rnn.noGrad\` ${fmtMs(tape.noGradMedianMs)} ms, ` +
      `forward recording the tape ${fmtMs(tape.recordedMedianMs)} ms (the tape's own cost: ${us(tape.recordedMedianMs - tape.noGradMedianMs)} per op), ` +
      `forward + backward ${fmtMs(tape.backwardMedianMs)} ms (${us(tape.backwardMedianMs - tape.recordedMedianMs)} per op backward).`);
  }
  return out.join("\n");
}

/** Replaces the text between the README's bench markers with the new table. */
function updateReadme(table) {
  const file = join(root, "README.md");
  const text = readFileSync(file, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) {
    console.error("[bench] README.md has no bench markers; not updated");
    return;
  }
  writeFileSync(file, text.slice(0, i + start.length) + "\n" + table + "\n" + text.slice(j));
  console.error("[bench] README.md Performance table updated");
}

await main();
