// One GEMM thread against two, in one process, run interleaved (ABAB…) so both see the same load:
// the engine gets the kernel's second GEMM thread (common.mjs installGemmThread) and each A run uses
// the "wasm" backend (one thread), each B run "auto" (large products split with the helper).
//   {"crossover": true}  one recurrent step's product, C (32, 4H) = A (32, H) · U (H, 4H) with U prepared
//                        (gemmPrepared, as recurrent.ts), for several H: median µs on one thread and on two
//                        ("threaded" forces the split) — where the hand-over starts to pay (gemm.ts THREAD_MIN_MACS)
//   otherwise            the bench model (as ours.mjs): forward and training step, 1 vs 2 threads
// Usage: node scripts/bench/threads.mjs '{"enginePath":"out/bench/engine.cjs","cell":"lstm","B":32,"T":50,"I":64,"H":128,"layers":1}'
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { emit, randomData, installGemmThread, benchModel, gemmFlops } from "./common.mjs";

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const rnn = require(cfg.enginePath);
if (!installGemmThread(rnn, cfg.enginePath)) throw new Error("this engine has no GEMM thread port");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cpuMs = (u) => (u.user + u.system) / 1000;

/** Runs each of `fns` once per round, `rounds` times after `warmup` rounds; wall and CPU ms per run. */
function interleaved(fns, { warmup, rounds, budgetMs }) {
  const out = fns.map(() => ({ ms: [], cpu: [] }));
  for (let i = 0; i < warmup; i++) for (const [fn, backend] of fns) { rnn.setGemmBackend(backend); fn(); }
  const start = performance.now();
  for (let r = 0; r < rounds && (r === 0 || performance.now() - start < budgetMs); r++) {
    fns.forEach(([fn, backend], i) => {
      rnn.setGemmBackend(backend);
      const t0 = performance.now(), u0 = process.cpuUsage();
      fn();
      out[i].ms.push(performance.now() - t0);
      out[i].cpu.push(cpuMs(process.cpuUsage(u0)));
    });
  }
  rnn.setGemmBackend("auto");
  return out;
}

if (cfg.crossover) {
  const rows = [];
  for (const H of [16, 32, 48, 64, 96, 128, 192, 256, 512]) {
    const M = 32, N = 4 * H, K = H;
    const u = randomData(K * N, 3), a = randomData(M * K, 4), c = new Float32Array(M * N);
    const pb = rnn.prepareB(K, N, u, 0, N, false);
    // 50 products per timed run: one run ≈ a sequence of recurrent steps, not one µs-scale call.
    const fn = () => { for (let i = 0; i < 50; i++) rnn.gemmPrepared(M, a, 0, K, pb, c, 0, N, false); };
    const [one, two] = interleaved([[fn, "wasm"], [fn, "threaded"]], { warmup: 20, rounds: 101, budgetMs: 5000 });
    rnn.releaseB(pb);
    rows.push({ H, macs: M * N * K, oneUs: (median(one.ms) * 1000) / 50, twoUs: (median(two.ms) * 1000) / 50,
      oneCpuUs: (median(one.cpu) * 1000) / 50, twoCpuUs: (median(two.cpu) * 1000) / 50 });
  }
  emit({ system: "threads", crossover: rows, gemm: rnn.gemmInfo() });
} else {
  const { model, x, trainStep } = benchModel(rnn, cfg);
  const ctx = { training: true, rng: new rnn.Rng(1) };
  const forward = () => model.forwardPass(x, { training: false, rng: ctx.rng });
  const train = () => trainStep(ctx);
  const plan = { warmup: cfg.warmup ?? 3, rounds: cfg.reps ?? 15, budgetMs: cfg.budgetMs ?? 20000 };
  const [f1, f2] = interleaved([[forward, "wasm"], [forward, "auto"]], plan);
  const [t1, t2] = interleaved([[train, "wasm"], [train, "auto"]], plan);
  emit({
    system: "threads", flops: gemmFlops(cfg),
    forward1Ms: f1.ms, forward1CpuMs: f1.cpu, forward2Ms: f2.ms, forward2CpuMs: f2.cpu,
    train1Ms: t1.ms, train1CpuMs: t1.cpu, train2Ms: t2.ms, train2CpuMs: t2.cpu, gemm: rnn.gemmInfo(),
  });
}
