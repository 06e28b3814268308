// The machine's WebAssembly SIMD peak for `npm run bench`: a register-only multiply-add loop, no
// memory traffic — NA independent f32x4 accumulators, each step acc = acc·x + y (one
// f32x4.relaxed_madd, a fused multiply-add where the host has relaxed SIMD, else f32x4.mul + f32x4.add),
// so nothing waits on a load or on the previous step of the same accumulator (FMA latency 4 cycles,
// 2 per cycle: 8 chains in flight keep both units busy; 12 leave room). Emitted with the engine's own
// WASM emitter (src/engine/wasm/emit.ts) and run by the same V8 with the same flags as the GEMM.
// 1 thread, and 2 threads (this one and a worker_threads Worker started together on a shared flag):
// GFLOP/s = 2 flops × 4 lanes × NA × steps / wall-clock seconds. Best of several trials — a peak, on
// a machine shared with other work — with the median beside it.
// Usage: node [--experimental-wasm-relaxed-simd] scripts/bench/peak.mjs '{"enginePath":"out/bench/engine.cjs"}'
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { emit } from "./common.mjs";

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const { wasmEmit: { FunctionBuilder, encodeModule, I32, V128 } } = require(cfg.enginePath);

/** `peak(steps)`: NA accumulators, `steps` multiply-adds each; their sum stored at address 0. */
function peakModule(NA, fma) {
  const f = new FunctionBuilder("peak", [I32]);
  const acc = Array.from({ length: NA }, () => f.local(V128));
  const x = f.local(V128), y = f.local(V128);
  // x just below 1 and y small: every accumulator converges to y / (1 − x) without overflow or denormals.
  f.f32x4Const(0.9999).set(x);
  f.f32x4Const(1e-4).set(y);
  acc.forEach((a, i) => f.f32x4Const(i + 1).set(a));
  f.block().loop();
  f.get(0).i32Eqz().brIf(1);
  for (const a of acc) {
    if (fma) f.get(a).get(x).get(y).f32x4RelaxedMadd().set(a);
    else f.get(a).get(x).f32x4Mul().get(y).f32x4Add().set(a);
  }
  f.get(0).i32(1).i32Sub().set(0);
  f.br(0).end().end();
  f.i32(0);
  f.get(acc[0]);
  for (const a of acc.slice(1)) f.get(a).f32x4Add();
  f.v128Store();
  return encodeModule([f], 1);
}

const WORKER = `
const { workerData: { module, flag, steps } } = require("node:worker_threads");
const peak = new WebAssembly.Instance(module).exports.peak;
peak(1000);
for (;;) {
  Atomics.wait(flag, 0, 0);
  if (Atomics.load(flag, 0) === 2) break;
  peak(steps);
  // Ready for the next post before saying done: cleared after, it could wipe a post the main thread
  // made in between (a worker descheduled for a trial's length on a loaded machine hung both threads).
  Atomics.store(flag, 0, 0);
  Atomics.store(flag, 1, 1);
  Atomics.notify(flag, 1);
}`;

async function measure(NA, fma) {
  const bytes = peakModule(NA, fma);
  if (!WebAssembly.validate(bytes)) return null;
  const module = new WebAssembly.Module(bytes);
  const peak = new WebAssembly.Instance(module).exports.peak;
  // Calibrate: steps for ~100 ms on one thread.
  peak(1e5);
  let steps = 1e6;
  for (;;) {
    const t0 = performance.now();
    peak(steps);
    const ms = performance.now() - t0;
    if (ms > 20) { steps = Math.round((steps * 100) / ms); break; }
    steps *= 4;
  }
  const flops = 2 * 4 * NA * steps;
  const one = [], two = [];
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(WORKER, { eval: true, workerData: { module, flag, steps } });
  await new Promise((r) => setTimeout(r, 200)); // the worker's start-up
  for (let trial = 0; trial < 11; trial++) {
    let t0 = performance.now();
    peak(steps);
    one.push(flops / (performance.now() - t0) / 1e6);
    Atomics.store(flag, 1, 0);
    t0 = performance.now();
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    peak(steps);
    while (Atomics.load(flag, 1) === 0) Atomics.wait(flag, 1, 0, 1000);
    two.push((2 * flops) / (performance.now() - t0) / 1e6);
  }
  Atomics.store(flag, 0, 2);
  Atomics.notify(flag, 0);
  await worker.terminate();
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return { NA, fma, steps, gflops1: Math.max(...one), gflops1Median: median(one), gflops2: Math.max(...two), gflops2Median: median(two) };
}

// The peak the GEMM can reach: with fused multiply-adds when the host validates them (as gemm.ts
// does), else mul + add. 8–14 accumulators: V8 keeps up to ~14 v128 locals in the 16 xmm registers.
const runs = [];
for (const fma of [true, false]) {
  for (const NA of [8, 10, 12, 14]) {
    const r = await measure(NA, fma);
    if (r) runs.push(r);
  }
  if (runs.length) break;
}
const usable = runs;
const best = (k) => usable.reduce((a, b) => (b[k] > a[k] ? b : a));
emit({ system: "peak", runs, gflops1: best("gflops1").gflops1, gflops2: best("gflops2").gflops2, fma: usable[0]?.fma ?? false });
