// Float64 central-difference gradient checks (src/engine/gradcheck.ts) for the recurrent layers of
// both families: every parameter and the input, for every option that changes the math.
// Threshold 1e-6 max relative error: issue 3, acceptance 2.
import * as assert from "node:assert/strict";
import { gradCheck, type CheckedTensor } from "../../../src/engine/gradcheck";
import { zeroGrads, type Layer } from "../../../src/engine/layer";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import { lstm } from "../../../src/engine/layers/lstm";
import { gru } from "../../../src/engine/layers/gru";
import { Rng } from "../../../src/engine/random";
import { Tensor } from "../../../src/engine/tensor";

const TOL = 1e-6; // issue 3, acceptance 2

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
  it("stacked: simpleRNN → lstm → gru (returnSequences between layers)", () =>
    expectOk(checkStack([simpleRNN({ units: 3, returnSequences: true }), lstm({ units: 2, returnSequences: true }),
      gru({ units: 2, resetAfter: false })], [2, 5, 2]), "stack"));
});
