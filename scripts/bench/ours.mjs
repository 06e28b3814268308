// Our engine's side of `npm run bench`: one workload × one cell type.
// Usage: node scripts/bench/ours.mjs '{"enginePath":"out/bench/engine.cjs","cell":"lstm","B":32,"T":20,"I":6,"H":16,"layers":2}'
// The model matches scripts/bench_torch.py and scripts/bench/tfjs.mjs: stacked rnn.lstm / rnn.gru
// layers (returnSequences on all but the last), rnn.dense({ units: 1 }), MSE, rnn.adam({ lr: 1e-3 }).
// A training step is what fit() does per batch minus its bookkeeping: zero grads, forward, loss,
// full BPTT, optimizer step. "train + recording" is the same step with gate and per-timestep
// gradient-norm recording on, and the recordings collected as model.record() returns them.
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { timed, emit, installGemmThread, benchModel } from "./common.mjs";

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const rnn = require(cfg.enginePath);
// As users get it: the kernel gives the engine a second GEMM thread (threads: 1 measures without it).
if (cfg.threads !== 1) installGemmThread(rnn, cfg.enginePath);

if (cfg.gemm) rnn.setGemmBackend?.(cfg.gemm);
if (cfg.fused === false) rnn.setPointwiseEnabled?.(false);
const { model, x, trainStep } = benchModel(rnn, cfg);
const noRecord = { training: true, rng: null };
const withRecord = { training: true, rng: null, record: { gates: true, gradNorms: true } };

const reps = { warmup: cfg.warmup ?? 3, reps: cfg.reps ?? 20, budgetMs: cfg.budgetMs ?? 20000 };
noRecord.rng = withRecord.rng = new rnn.Rng(1);
const forwardMs = await timed(() => model.forwardPass(x, { training: false, rng: noRecord.rng }), reps);
// Training with and without recording, interleaved run by run (ABAB…) so both see the same load
// on a shared machine; the overhead is the ratio of their medians.
let recorded = 0;
const recordStep = () => {
  trainStep(withRecord);
  recorded = 0;
  for (const layer of model.layers) recorded += layer.recordings?.().length ?? 0;
};
const trainMs = [], trainRecordMs = [];
trainMs.cpu = [];
trainRecordMs.cpu = [];
for (let i = 0; i < reps.warmup; i++) { trainStep(noRecord); recordStep(); }
const startedAt = performance.now();
while (trainMs.length < reps.reps && (trainMs.length === 0 || performance.now() - startedAt < 2 * reps.budgetMs)) {
  for (const [fn, out] of [[() => trainStep(noRecord), trainMs], [recordStep, trainRecordMs]]) {
    const one = await timed(fn, { warmup: 0, reps: 1 });
    out.push(one[0]);
    out.cpu.push(one.cpu[0]);
  }
}
emit({
  system: "ours", forwardMs, trainMs, trainRecordMs,
  forwardCpuMs: forwardMs.cpu, trainCpuMs: trainMs.cpu, trainRecordCpuMs: trainRecordMs.cpu,
  recordedLayers: recorded, gemm: rnn.gemmInfo?.() ?? null, fusedSteps: rnn.pointwiseAvailable?.() ?? null,
});
