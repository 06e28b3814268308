// Shared helpers for the benchmark's child processes (scripts/bench/*.mjs): timing with warm-up,
// medians, peak memory, and the one-line JSON result each child prints on stdout.
import { performance } from "node:perf_hooks";
import { dirname, join } from "node:path";

/**
 * Runs fn `warmup` times untimed, then timed runs until `reps` are done or `budgetMs` is spent (at
 * least one timed run). A warm-up run longer than 10 s (tfjs-cpu on the large workload takes over a
 * minute per step) ends the warm-up and counts as the first sample: JIT warm-up is noise at that
 * scale, and repeating it would take many minutes. fn may be async.
 * Returns wall-clock milliseconds per run, with `.cpu` = this process's CPU milliseconds per run
 * (user + system; on a shared machine it is less disturbed by other processes than wall time).
 */
export async function timed(fn, { warmup = 3, reps = 20, budgetMs = 20000 } = {}) {
  const times = [];
  const cpu = [];
  const cpuMs = (u) => (u.user + u.system) / 1000;
  const start = performance.now();
  for (let i = 0; i < warmup; i++) {
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    await fn();
    const t = performance.now() - t0;
    if (t > 10000) { times.push(t); cpu.push(cpuMs(process.cpuUsage(u0))); break; }
  }
  // The budget counts from the first sample, which is the long warm-up run when one was counted.
  const budgetStart = times.length > 0 ? start : performance.now();
  while (times.length < reps) {
    if (times.length > 0 && performance.now() - budgetStart > budgetMs) break;
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    await fn();
    times.push(performance.now() - t0);
    cpu.push(cpuMs(process.cpuUsage(u0)));
  }
  times.cpu = cpu;
  return times;
}

/** Peak resident set size of this process in MB (getrusage maxRSS, KiB on Linux). */
export function maxRssMB() {
  return Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
}

/** Prints the child's result as the last line of stdout (the parent parses only that line). */
export function emit(result) {
  process.stdout.write("\n" + JSON.stringify({ ...result, maxRssMB: maxRssMB(), heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1e5) / 10 }) + "\n");
}


/**
 * Gives the bundled engine `rnn` (scripts/bench.mjs buildEngine) the kernel's second GEMM thread, as the
 * kernel's host does (src/kernel/rnnGlobal.ts): products of the "auto" backend then split between two
 * threads where they are big enough. Before the engine's first product (its memory becomes shared).
 * Returns false for an engine without threads.
 */
export function installGemmThread(rnn, enginePath) {
  if (!rnn.setHost || !rnn.startGemmThread) return false;
  const script = join(dirname(enginePath), "gemmWorker.cjs");
  rnn.setHost({ gemmThread: (start, lost) => rnn.startGemmThread(start, lost, script) });
  return true;
}

/**
 * Multiply-adds ×2 of the GEMMs in one forward pass and one training step of the bench model
 * (L stacked layers, G gate blocks: LSTM 4, GRU 3; the dense head's B·H is left out):
 *   forward   input projection 2·BT·I_l·GH + recurrent 2·BT·H·GH per layer (I_l = I, then H)
 *   training  forward + weight gradients (the same two products again) + the recurrent backward
 *             dh = dZ·Uᵀ (2·BT·GH·H) + the input backward dX = dZ·Wᵀ for every layer but the first
 *             (the model's input needs no gradient, as in PyTorch)
 * The GFLOP/s a run achieved = these / its wall-clock time.
 */
export function gemmFlops({ cell, B, T, I, H, layers: L }) {
  const G = cell === "lstm" ? 4 : 3;
  let forward = 0, train = 0;
  for (let l = 0; l < L; l++) {
    const inputs = l === 0 ? I : H;
    const proj = 2 * B * T * inputs * G * H, rec = 2 * B * T * H * G * H;
    forward += proj + rec;
    train += 2 * (proj + rec) + rec + (l > 0 ? proj : 0);
  }
  return { forward, train };
}

// The model and its data live where the browser bench can import them too (no Node there).
export { benchModel, randomData } from "./model.mjs";
