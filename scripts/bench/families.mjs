// The model families side of `npm run bench`: the same LSTM/GRU regression model (stacked recurrent
// layers, last step → one output, MSE, Adam 1e-3) written three ways, one training step each:
//   sequential  rnn.sequential([...recurrent, dense(1)]): zero grads, forward, loss, BPTT, Adam (as ours.mjs)
//   functional  rnn.model({ inputs, outputs }) from rnn.input / layer.apply: the same layers in a graph
//   module      class extends rnn.nn.Module { nn.LSTM/GRU (batchFirst) → last step → nn.Linear }, trained
//               PyTorch-style: optimizer.zeroGrad(), F.mseLoss(net.forward(x), y).backward(), optimizer.step()
// and the recurrent layers alone, forward + backward without an optimizer step, MSE against a target
// shaped like the output [B, T, H] (every step's output, so the whole BPTT runs from every step):
//   seqGrads    rnn.sequential of the recurrent layers (returnSequences on all), model.computeGradients
//   nnGrads     rnn.nn.LSTM/GRU({ numLayers, batchFirst }).computeGradients
// The three run interleaved rep by rep (ABCABC…) so they see the same load. The families' models differ
// only in convention (PyTorch has two bias vectors), not in work.
// Usage: node scripts/bench/families.mjs '{"enginePath":"out/bench/engine.cjs","cell":"lstm","B":32,"T":50,"I":64,"H":128,"layers":1}'
// With "tape": true it measures the autograd tape instead (see tape() below).
import { createRequire } from "node:module";
import { timed, emit, randomData } from "./common.mjs";

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const rnn = require(cfg.enginePath);

if (cfg.tape) await tape();
else await families();

async function families() {
  const { B, T, I, H, layers: L } = cfg;
  const recurrent = (opts) => (cfg.cell === "lstm" ? rnn.lstm(opts) : rnn.gru(opts));
  const x = rnn.tensor(randomData(B * T * I, 1), [B, T, I]);
  const y = rnn.tensor(randomData(B, 2), [B, 1]);

  rnn.manualSeed(0);
  const seqLayers = [];
  for (let l = 0; l < L; l++) seqLayers.push(recurrent({ units: H, returnSequences: l < L - 1 }));
  const sequential = rnn.sequential({ inputShape: [T, I] }, [...seqLayers, rnn.dense({ units: 1 })]);

  const input = rnn.input({ shape: [T, I] });
  let h = input;
  for (let l = 0; l < L; l++) h = recurrent({ units: H, returnSequences: l < L - 1 }).apply(h);
  const functional = rnn.model({ inputs: input, outputs: rnn.dense({ units: 1 }).apply(h) });

  const Recurrent = cfg.cell === "lstm" ? rnn.nn.LSTM : rnn.nn.GRU;
  class Net extends rnn.nn.Module {
    rec = Recurrent({ inputSize: I, hiddenSize: H, numLayers: L, batchFirst: true });
    head = rnn.nn.Linear(H, 1);
    forward(t) {
      return this.head.forward(this.rec.forward(t).output.select(1, T - 1));
    }
  }
  const net = new Net();

  const keras = (model) => {
    const params = model.params();
    const optimizer = rnn.adam({ lr: 1e-3 });
    const ctx = { training: true, rng: new rnn.Rng(1) };
    return () => {
      model.lossStep([x], [y], "mse", ctx).backward();
      optimizer.step(params);
    };
  };
  const torchOptimizer = rnn.optim.Adam(net.parameters(), { lr: 1e-3 });

  const yAll = rnn.tensor(randomData(B * T * H, 3), [B, T, H]);
  const gradLayers = [];
  for (let l = 0; l < L; l++) gradLayers.push(recurrent({ units: H, returnSequences: true }));
  const seqAlone = rnn.sequential({ inputShape: [T, I] }, gradLayers);
  const nnAlone = Recurrent({ inputSize: I, hiddenSize: H, numLayers: L, batchFirst: true });
  const steps = {
    sequential: keras(sequential),
    functional: keras(functional),
    module: () => {
      torchOptimizer.zeroGrad();
      rnn.nn.F.mseLoss(net.forward(x), y).backward();
      torchOptimizer.step();
    },
    seqGrads: () => seqAlone.computeGradients(x, yAll, { loss: "mse" }),
    nnGrads: () => nnAlone.computeGradients(x, yAll, { loss: "mse" }),
  };
  const out = {};
  for (const name of Object.keys(steps)) {
    out[name] = [];
    out[name].cpu = [];
  }
  for (let i = 0; i < (cfg.warmup ?? 3); i++) for (const fn of Object.values(steps)) fn();
  const started = Date.now();
  const reps = cfg.reps ?? 15;
  while (out.sequential.length < reps && (out.sequential.length === 0 || Date.now() - started < 3 * (cfg.budgetMs ?? 20000))) {
    for (const [name, fn] of Object.entries(steps)) {
      const one = await timed(fn, { warmup: 0, reps: 1 });
      out[name].push(one[0]);
      out[name].cpu.push(one.cpu[0]);
    }
  }
  emit(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { trainMs: v, trainCpuMs: v.cpu }])));
}

/**
 * The autograd tape's own cost: a chain of 200 elementwise ops on small [32, 32] tensors (where the
 * arithmetic is cheapest, so bookkeeping shows most) run three ways — under rnn.noGrad (no tape), with
 * gradients on (forward recording the tape), and forward + backward. The recording overhead per op is
 * (recorded − noGrad) / 200; backward per op is (forward + backward − recorded) / 200.
 */
async function tape() {
  const OPS = 200;
  const a = rnn.tensor(randomData(32 * 32, 3), [32, 32], { requiresGrad: true });
  const w = rnn.tensor(randomData(32 * 32, 4), [32, 32], { requiresGrad: true });
  const chain = () => {
    let t = a;
    // 50 × (mul, add, tanh, sub) = 200 ops
    for (let i = 0; i < OPS / 4; i++) t = t.mul(w).add(a).tanh().sub(w);
    return t;
  };
  const runs = {
    noGrad: () => rnn.noGrad(chain),
    recorded: chain,
    backward: () => {
      a.grad = null;
      w.grad = null;
      chain().sum().backward();
    },
  };
  // Warm all three up first, then time them interleaved (ABCABC…): measured one after another, the
  // first would pay for the JIT's tiering and the load of the moment.
  for (let i = 0; i < 100; i++) for (const fn of Object.values(runs)) fn();
  const times = { noGrad: [], recorded: [], backward: [] };
  for (const k of Object.keys(times)) times[k].cpu = [];
  for (let i = 0; i < 300; i++) {
    for (const [k, fn] of Object.entries(runs)) {
      const one = await timed(fn, { warmup: 0, reps: 1 });
      times[k].push(one[0]);
      times[k].cpu.push(one.cpu[0]);
    }
  }
  const { noGrad: noGradMs, recorded: recordedMs, backward: backwardMs } = times;
  emit({ ops: OPS, shape: [32, 32], noGradMs, recordedMs, backwardMs, noGradCpuMs: noGradMs.cpu, recordedCpuMs: recordedMs.cpu, backwardCpuMs: backwardMs.cpu });
}
