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

/** Deterministic pseudo-random floats in [-1, 1) (xorshift32), so every system sees comparable data. */
export function randomData(n, seed = 12345) {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
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

/**
 * The bench model in the bundled engine `rnn` (the same as scripts/bench_torch.py and tfjs.mjs): `layers`
 * stacked rnn.lstm / rnn.gru (returnSequences on all but the last) → rnn.dense({ units: 1 }), MSE,
 * rnn.adam({ lr: 1e-3 }), with fixed data x [B, T, I] and y [B, 1]. `trainStep(ctx)` is what fit() does
 * per batch minus its bookkeeping: forward, loss, full BPTT, optimizer step.
 */
export function benchModel(rnn, { cell, B, T, I, H, layers: L }) {
  const layers = [];
  for (let l = 0; l < L; l++) {
    const opts = { units: H, returnSequences: l < L - 1 };
    layers.push(cell === "lstm" ? rnn.lstm(opts) : rnn.gru(opts));
  }
  layers.push(rnn.dense({ units: 1 }));
  const model = rnn.sequential({ inputShape: [T, I] }, layers);
  const optimizer = rnn.adam({ lr: 1e-3 });
  const x = model.input(rnn.tensor(randomData(B * T * I, 1), [B, T, I]));
  const y = rnn.tensor(randomData(B, 2), [B, 1]);
  const params = model.params();
  const trainStep = (ctx) => {
    model.lossAndBackward(x, y, "mse", ctx);
    optimizer.step(params);
  };
  return { model, x, y, trainStep };
}
