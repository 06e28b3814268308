// The flight recorder's side of `npm run bench`: the cost of fit's `probe: { x, y, every: 50 }` on the
// benchmark model (stacked rnn.lstm / rnn.gru layers → rnn.dense({ units: 1 }), MSE, Adam 1e-3, as
// ours.mjs). One epoch of `batches` batches of B sequences with fit(), without and with the probe, run
// interleaved fit by fit (ABAB…) so both see the same load; the probe batch is one batch (the first B
// training sequences, with their targets: gates and gradient norms). With 100 batches the probe records
// at batches 0, 50 and 100 (the start, every 50, the end): the end snapshot makes a short fit the
// worst case; over a long fit the cost tends to one recording per 50 batches.
// Usage: node scripts/bench/probe.mjs '{"enginePath":"out/bench/engine.cjs","cell":"lstm","B":32,"T":20,"I":6,"H":16,"layers":2}'
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { timed, emit, randomData } from "./common.mjs";

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const rnn = require(cfg.enginePath);
const { B, T, I, H, layers: L } = cfg;
const batches = cfg.batches ?? 100;
const every = cfg.every ?? 50;

const N = B * batches;
const x = rnn.tensor(randomData(N * T * I, 1), [N, T, I]);
const y = rnn.tensor(randomData(N, 2), [N, 1]);
const probe = { x: x.slice(0, B), y: y.slice(0, B), every };

function build() {
  const layers = [];
  for (let l = 0; l < L; l++) {
    const opts = { units: H, returnSequences: l < L - 1 };
    layers.push(cfg.cell === "lstm" ? rnn.lstm(opts) : rnn.gru(opts));
  }
  layers.push(rnn.dense({ units: 1 }));
  return rnn.sequential({ inputShape: [T, I], seed: 1 }, layers);
}
// One model per variant, each trained on: the weights move as in a real run, and both do the same work.
const plain = build(), probed = build();
const options = { epochs: 1, batchSize: B, loss: "mse", seed: 1 };
const plainOpt = rnn.adam({ lr: 1e-3 }), probedOpt = rnn.adam({ lr: 1e-3 });
let snapshots = 0;
const runs = [
  async () => { await plain.fit(x, y, { ...options, optimizer: plainOpt }); },
  async () => { snapshots = (await probed.fit(x, y, { ...options, optimizer: probedOpt, probe })).probe.snapshots.length; },
];

const warmup = cfg.warmup ?? 2, reps = cfg.reps ?? 7, budgetMs = cfg.budgetMs ?? 60000;
for (let i = 0; i < warmup; i++) for (const run of runs) await run();
const fitMs = [], probeFitMs = [];
fitMs.cpu = [];
probeFitMs.cpu = [];
const startedAt = performance.now();
while (fitMs.length < reps && (fitMs.length === 0 || performance.now() - startedAt < budgetMs)) {
  for (const [run, out] of [[runs[0], fitMs], [runs[1], probeFitMs]]) {
    const one = await timed(run, { warmup: 0, reps: 1 });
    out.push(one[0]);
    out.cpu.push(one.cpu[0]);
  }
}
emit({ system: "ours", batches, every, snapshots, fitMs, probeFitMs, fitCpuMs: fitMs.cpu, probeFitCpuMs: probeFitMs.cpu });
