// Float64 central-difference gradient checks (src/engine/gradcheck.ts) for the recurrent layers of
// both families: every parameter and the input, for every option that changes the math.
// Threshold 1e-6 max relative error (float64 central differences).
import * as assert from "node:assert/strict";
import { gradCheck, type CheckedTensor } from "../../../src/engine/gradcheck";
import { zeroGrads, type Layer } from "../../../src/engine/layer";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import { lstm } from "../../../src/engine/layers/lstm";
import { gru } from "../../../src/engine/layers/gru";
import { Rng } from "../../../src/engine/random";
import { Tensor } from "../../../src/engine/tensor";
import * as nn from "../../../src/engine/nn";

const TOL = 1e-6; // float64 central differences: max relative error

/** Random float64 tensor with entries U(−1, 1). */
function rand(shape: number[], rng: Rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.uniform(-1, 1);
  return new Tensor(d, shape);
}

/**
 * Builds the stack in float64, randomizes every weight (so zero biases do not hide bias-path bugs),
 * and checks L = Σ w ⊙ output (w random) against central differences.
 */
function checkStack(layers: Layer[], inputShape: [number, number, number], seed = 1) {
  const rng = new Rng(seed);
  let shape: number[] = inputShape.slice(1);
  for (const l of layers) {
    l.build(shape, { dtype: "float64", rng });
    shape = l.outputShape(shape);
    for (const p of l.params()) for (let i = 0; i < p.value.length; i++) p.value[i] = rng.uniform(-0.6, 0.6);
  }
  const x = rand(inputShape, rng);
  const w = rand([inputShape[0], ...shape], rng);
  const dxBuf = new Float64Array(x.size);
  const ctx = { training: false, rng: new Rng(0) };
  const forward = (): Tensor => layers.reduce((h, l) => l.forward(h, ctx), x);
  const dot = (y: Tensor): number => { let s = 0; for (let i = 0; i < y.size; i++) s += y.data[i] * w.data[i]; return s; };
  const tensors: CheckedTensor[] = layers.flatMap((l) => l.params().map((p) => ({ name: `${l.name}/${p.name}`, value: p.value, grad: p.grad })));
  tensors.push({ name: "input", value: x.data, grad: dxBuf });
  const report = gradCheck({
    tensors,
    loss: () => {
      const y = forward();
      for (const l of layers) (l as unknown as { lastShape: unknown }).lastShape = null; // forward-only probe
      return dot(y);
    },
    lossAndGrads: () => {
      for (const l of layers) zeroGrads(l.params());
      const y = forward();
      let g = w;
      for (let k = layers.length - 1; k >= 0; k--) g = layers[k].backward(g);
      dxBuf.set(g.data);
      return dot(y);
    },
  });
  return report;
}

function expectOk(report: ReturnType<typeof checkStack>, label: string): void {
  console.log(`    ${label}: max rel error ${report.maxRelError.toExponential(2)} (max abs ${report.maxAbsError.toExponential(2)}) over ${report.perTensor.map((t) => t.name).join(", ")}`);
  assert.ok(report.maxRelError < TOL, `${label}: ${JSON.stringify(report.perTensor)}`);
}

describe("gradient check (float64, central differences): Keras-family recurrent layers", () => {
  it("simpleRNN, last output, tanh", () => expectOk(checkStack([simpleRNN({ units: 3 })], [2, 4, 3]), "simpleRNN"));
  it("simpleRNN, returnSequences, relu, goBackwards", () =>
    expectOk(checkStack([simpleRNN({ units: 3, returnSequences: true, activation: "relu", goBackwards: true })], [2, 4, 3], 2), "simpleRNN relu back"));
  it("lstm, last output", () => expectOk(checkStack([lstm({ units: 3 })], [2, 4, 3]), "lstm"));
  it("lstm, returnSequences, no bias, softsign/sigmoid", () =>
    expectOk(checkStack([lstm({ units: 2, returnSequences: true, useBias: false, activation: "softsign" })], [3, 5, 2]), "lstm seq nobias softsign"));
  it("gru resetAfter true, last output", () => expectOk(checkStack([gru({ units: 3 })], [2, 4, 3]), "gru after"));
  it("gru resetAfter false, returnSequences, goBackwards", () =>
    expectOk(checkStack([gru({ units: 3, resetAfter: false, returnSequences: true, goBackwards: true })], [2, 4, 3]), "gru before seq back"));
  it("other activations: lstm hardSigmoid/linear, gru sigmoid/softsign, simpleRNN sigmoid", () => {
    // hardSigmoid has kinks at |x| = 2.5: a difference stencil straddling one would show as a large
    // error (the derivative jumps by 0.2); none does for this seed.
    expectOk(checkStack([lstm({ units: 3, recurrentActivation: "hardSigmoid", activation: "linear" })], [2, 4, 3]), "lstm hardSigmoid/linear");
    expectOk(checkStack([gru({ units: 3, recurrentActivation: "sigmoid", activation: "softsign", returnSequences: true })], [2, 4, 3]), "gru softsign");
    expectOk(checkStack([simpleRNN({ units: 3, activation: "sigmoid" })], [2, 4, 3]), "simpleRNN sigmoid");
  });
  it("stacked: simpleRNN → lstm → gru (returnSequences between layers)", () =>
    expectOk(checkStack([simpleRNN({ units: 3, returnSequences: true }), lstm({ units: 2, returnSequences: true }),
      gru({ units: 2, resetAfter: false })], [2, 5, 2]), "stack"));
});

describe("gradient check (float64): Keras-family recurrent layers with dropout masks held fixed", () => {
  // Dropout makes the layer a different (masked) function; re-seeding the mask Rng on every call holds
  // the masks fixed, so central differences check the masked function's exact gradient.
  function checkFixedMask(layer: Layer, inputShape: [number, number, number]) {
    const rng = new Rng(3);
    layer.build(inputShape.slice(1), { dtype: "float64", rng });
    for (const p of layer.params()) for (let i = 0; i < p.value.length; i++) p.value[i] = rng.uniform(-0.6, 0.6);
    const x = rand(inputShape, rng);
    const w = rand([inputShape[0], ...layer.outputShape(inputShape.slice(1))], rng);
    const dxBuf = new Float64Array(x.size);
    const ctx = () => ({ training: true, rng: new Rng(11) });
    const dot = (y: Tensor): number => { let s = 0; for (let i = 0; i < y.size; i++) s += y.data[i] * w.data[i]; return s; };
    return gradCheck({
      tensors: [...layer.params().map((p) => ({ name: p.name, value: p.value, grad: p.grad })), { name: "input", value: x.data, grad: dxBuf }],
      loss: () => dot(layer.forward(x, ctx())),
      lossAndGrads: () => {
        zeroGrads(layer.params());
        const y = layer.forward(x, ctx());
        dxBuf.set(layer.backward(w).data);
        return dot(y);
      },
    });
  }
  it("lstm with dropout 0.3 and recurrentDropout 0.4", () =>
    expectOk(checkFixedMask(lstm({ units: 3, dropout: 0.3, recurrentDropout: 0.4, returnSequences: true }), [2, 4, 3]), "lstm dropout"));
  it("gru (both resets) and simpleRNN with dropout and recurrentDropout", () => {
    expectOk(checkFixedMask(gru({ units: 3, dropout: 0.3, recurrentDropout: 0.4 }), [2, 4, 3]), "gru after dropout");
    expectOk(checkFixedMask(gru({ units: 3, dropout: 0.3, recurrentDropout: 0.4, resetAfter: false }), [2, 4, 3]), "gru before dropout");
    expectOk(checkFixedMask(simpleRNN({ units: 3, dropout: 0.3, recurrentDropout: 0.4 }), [2, 4, 3]), "simpleRNN dropout");
  });
});

describe("gradient check (float64): rnn.nn modules, every parameter, the input and the initial states", () => {
  type Make = typeof nn.LSTM;
  function checkModule(make: Make, kind: "RNN" | "LSTM" | "GRU", opts: { numLayers: number; bidirectional: boolean; batchFirst: boolean; dropout?: number; nonlinearity?: "tanh" | "relu" }) {
    const m = make({ inputSize: 3, hiddenSize: 3, dtype: "float64", seed: 5, ...opts });
    if (!opts.dropout) m.eval();
    const rng = new Rng(9);
    const T = 4, B = 2, D = opts.bidirectional ? 2 : 1;
    const x = rand(opts.batchFirst ? [B, T, 3] : [T, B, 3], rng);
    const h0 = rand([opts.numLayers * D, B, 3], rng);
    const c0 = rand([opts.numLayers * D, B, 3], rng);
    const wOut = rand(opts.batchFirst ? [B, T, D * 3] : [T, B, D * 3], rng);
    const wh = rand(h0.shape, rng), wc = rand(c0.shape, rng);
    const grads = { x: new Float64Array(x.size), h0: new Float64Array(h0.size), c0: new Float64Array(c0.size) };
    const lstmKind = kind === "LSTM";
    const state = lstmKind ? { h0, c0 } : h0;
    const dot = (a: Tensor, b: Tensor): number => { let s = 0; for (let i = 0; i < a.size; i++) s += a.data[i] * b.data[i]; return s; };
    // L = Σ wOut ⊙ output + Σ wh ⊙ hN (+ Σ wc ⊙ cN): exercises the output, final-state and initial-state paths.
    const run = () => {
      const r = m.forward(x, state, { rng: new Rng(4) });
      return { r, L: dot(r.output, wOut) + dot(r.hN, wh) + (r.cN ? dot(r.cN, wc) : 0) };
    };
    const tensors: CheckedTensor[] = m.params().map((p) => ({ name: p.name, value: p.value, grad: p.grad }));
    tensors.push({ name: "input", value: x.data, grad: grads.x }, { name: "h0", value: h0.data, grad: grads.h0 });
    if (lstmKind) tensors.push({ name: "c0", value: c0.data, grad: grads.c0 });
    return gradCheck({
      tensors,
      loss: () => run().L,
      lossAndGrads: () => {
        const { L } = run();
        m.zeroGrad();
        const g = m.backward(wOut, wh, lstmKind ? wc : null);
        grads.x.set(g.dx.data);
        grads.h0.set(g.dh0.data);
        if (g.dc0) grads.c0.set(g.dc0.data);
        return L;
      },
    });
  }
  const configs = [
    { numLayers: 1, bidirectional: false, batchFirst: false },
    { numLayers: 2, bidirectional: true, batchFirst: true },
    { numLayers: 2, bidirectional: false, batchFirst: false, dropout: 0.3 },
  ];
  for (const [kind, make] of [["RNN", nn.RNN], ["LSTM", nn.LSTM], ["GRU", nn.GRU]] as const) {
    for (const cfg of configs) {
      it(`nn.${kind} ${JSON.stringify(cfg)}`, () => expectOk(checkModule(make, kind, cfg), `nn.${kind} L${cfg.numLayers}${cfg.bidirectional ? " bi" : ""}${cfg.dropout ? " dropout" : ""}`));
    }
  }
  it("nn.RNN with relu, 2 layers, bidirectional", () =>
    expectOk(checkModule(nn.RNN, "RNN", { numLayers: 2, bidirectional: true, batchFirst: false, nonlinearity: "relu" }), "nn.RNN relu"));
});

describe("gradient check (float64): nn.Linear and nn.Embedding", () => {
  it("nn.Linear weight, bias and input", () => {
    const lin = nn.Linear(4, 3, { dtype: "float64", seed: 2 });
    const rng = new Rng(1);
    const x = rand([2, 5, 4], rng), w = rand([2, 5, 3], rng), dx = new Float64Array(x.size);
    const dot = (y: Tensor): number => { let s = 0; for (let i = 0; i < y.size; i++) s += y.data[i] * w.data[i]; return s; };
    expectOk(gradCheck({
      tensors: [...lin.params().map((p) => ({ name: p.name, value: p.value, grad: p.grad })), { name: "input", value: x.data, grad: dx }],
      loss: () => dot(lin.forward(x)),
      lossAndGrads: () => { lin.zeroGrad(); const y = lin.forward(x); dx.set(lin.backward(w).data); return dot(y); },
    }), "nn.Linear");
  });
  it("nn.Embedding weight (repeated indices accumulate)", () => {
    const emb = nn.Embedding(5, 3, { dtype: "float64", seed: 2 });
    const idx = new Tensor(Float64Array.from([0, 3, 3, 4, 1, 0]), [2, 3]);
    const w = rand([2, 3, 3], new Rng(2));
    const dot = (y: Tensor): number => { let s = 0; for (let i = 0; i < y.size; i++) s += y.data[i] * w.data[i]; return s; };
    expectOk(gradCheck({
      tensors: emb.params().map((p) => ({ name: p.name, value: p.value, grad: p.grad })),
      loss: () => dot(emb.forward(idx)),
      lossAndGrads: () => { emb.zeroGrad(); const y = emb.forward(idx); emb.backward(w); return dot(y); },
    }), "nn.Embedding");
  });
});

describe("gradient check (float64): Keras-family initial states and final-state gradients", () => {
  for (const [label, make] of [
    ["lstm", () => lstm({ units: 3, returnSequences: true })],
    ["gru resetAfter, no bias", () => gru({ units: 3, useBias: false })],
    ["gru resetAfter false", () => gru({ units: 3, resetAfter: false, goBackwards: true })],
    ["simpleRNN", () => simpleRNN({ units: 3 })],
  ] as const) {
    it(`${label}: ∂L/∂(initial states) and the final-state path (returnState)`, () => {
      const layer = make();
      const rng = new Rng(12);
      const B = 2, T = 4, I = 3, H = 3;
      layer.build([T, I], { dtype: "float64", rng });
      for (const p of layer.params()) for (let i = 0; i < p.value.length; i++) p.value[i] = rng.uniform(-0.6, 0.6);
      const nStates = layer.type === "lstm" ? 2 : 1;
      const x = rand([B, T, I], rng);
      const states = Array.from({ length: nStates }, () => rand([B, H], rng));
      const wOut = rand(layer.outputShape([T, I]).length === 2 ? [B, T, H] : [B, H], rng);
      const wStates = states.map(() => rand([B, H], rng));
      const grads = { x: new Float64Array(x.size), s: states.map((s) => new Float64Array(s.size)) };
      const dot = (a: Tensor, b: Tensor): number => { let s = 0; for (let i = 0; i < a.size; i++) s += a.data[i] * b.data[i]; return s; };
      const ctx = { training: false, rng: new Rng(0) };
      // L = Σ wOut ⊙ output + Σ_k wStates[k] ⊙ finalState[k]
      const run = () => {
        const r = layer.forwardSeq(x, ctx, states);
        return { r, L: dot(r.output, wOut) + r.states.reduce((acc, s, k) => acc + dot(s, wStates[k]), 0) };
      };
      const report = gradCheck({
        tensors: [...layer.params().map((p) => ({ name: p.name, value: p.value, grad: p.grad })), { name: "input", value: x.data, grad: grads.x },
          ...states.map((s, k) => ({ name: `state${k}`, value: s.data, grad: grads.s[k] }))],
        loss: () => run().L,
        lossAndGrads: () => {
          zeroGrads(layer.params());
          const { L } = run();
          const g = layer.backwardSeq(wOut, wStates);
          grads.x.set(g.dx.data);
          g.dInitialStates.forEach((d, k) => grads.s[k].set(d.data));
          return L;
        },
      });
      expectOk(report, `${label} states`);
    });
  }
});
