// Float64 central-difference gradient checks of the Keras-family layers owned
// by the model side — dense (every activation, 2-D and 3-D input, tied), embedding, timeDistributed,
// bidirectional, dropout (off, and on with a fixed mask), flatten — through whole sequential models,
// for every parameter and the input, with every loss. Threshold: max relative error < 1e-6.
import * as assert from "node:assert/strict";
import { gradCheck } from "../../../src/engine/gradcheck";
import { zeroGrads, type Layer } from "../../../src/engine/layer";
import { computeLoss, type LossName } from "../../../src/engine/loss";
import { sequential, type Sequential } from "../../../src/engine/model";
import { Rng } from "../../../src/engine/random";
import { Tensor } from "../../../src/engine/tensor";
import { bidirectional } from "../../../src/engine/layers/bidirectional";
import { dense } from "../../../src/engine/layers/dense";
import { dropout } from "../../../src/engine/layers/dropout";
import { embedding } from "../../../src/engine/layers/embedding";
import { flatten } from "../../../src/engine/layers/flatten";
import { gru } from "../../../src/engine/layers/gru";
import { lstm } from "../../../src/engine/layers/lstm";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import { timeDistributed } from "../../../src/engine/layers/timeDistributed";

const THRESHOLD = 1e-6; // float64 central differences: max relative error

/** Random float64 tensor with entries U(−1, 1) (seeded). */
function rand(shape: number[], seed: number): Tensor {
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float64Array.from({ length: n }, () => r.uniform(-1, 1)), shape);
}

/** Random integer tensor in [0, k) as float64 (class indices / token ids). */
function ints(shape: number[], k: number, seed: number): Tensor {
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float64Array.from({ length: n }, () => r.int(k)), shape);
}

/**
 * Checks ∂loss/∂(every weight) and, unless the input is indices, ∂loss/∂x. With `training`, dropout is
 * active and each evaluation re-seeds its Rng, so every evaluation uses the same masks.
 */
function check(model: Sequential, x: Tensor, y: Tensor, loss: LossName, options: { input?: boolean; training?: boolean } = {}) {
  const dx = new Float64Array(x.size);
  const tensors = model.weightEntries().map((e) => ({ name: e.key, value: e.param.value, grad: e.param.grad }));
  if (options.input !== false) tensors.push({ name: "input", value: x.data, grad: dx });
  const ctx = () => ({ training: !!options.training, rng: new Rng(5) });
  const run = (backward: boolean): number => {
    if (backward) zeroGrads(model.params());
    const out = model.forwardPass(x, ctx());
    const r = computeLoss(loss, out.data, out.shape, model.target(y, out, loss).data);
    if (backward) dx.set(model.backwardPass(new Tensor(r.grad, out.shape)).data);
    return r.value;
  };
  const report = gradCheck({ tensors, lossAndGrads: () => run(true), loss: () => run(false) });
  for (const t of report.perTensor) assert.ok(t.checked > 0, `${t.name} was checked`);
  assert.ok(report.maxRelError < THRESHOLD, `max relative error ${report.maxRelError} (${JSON.stringify(report.perTensor.filter((t) => t.maxRelError >= THRESHOLD))})`);
  return report;
}

const f64 = (inputShape: (number | null)[], layers: Layer[]) => sequential({ inputShape, dtype: "float64", seed: 3 }, layers);

describe("Keras-family gradient checks (float64, central differences)", () => {
  for (const activation of ["linear", "tanh", "sigmoid", "softsign", "softmax"] as const) {
    it(`dense (${activation}) on flattened input, mse`, () => {
      const m = f64([3, 4], [flatten(), dense({ units: 5, activation: "tanh" }), dense({ units: 3, activation })]);
      check(m, rand([2, 3, 4], 1), rand([2, 3], 2), "mse");
    });
  }

  it("dense applied per timestep to [B, T, F] (Keras Dense on 3-D input), crossEntropy with one-hot targets", () => {
    const m = f64([4, 3], [dense({ units: 5, activation: "relu", biasInitializer: "randomNormal" }), dense({ units: 4, useBias: false })]);
    const onehot = new Float64Array(2 * 4 * 4);
    for (let i = 0; i < 8; i++) onehot[i * 4 + (i % 4)] = 1;
    check(m, rand([2, 4, 3], 3), new Tensor(onehot, [2, 4, 4]), "crossEntropy");
  });

  it("dense with sigmoid output, binaryCrossEntropy", () => {
    const m = f64([5], [dense({ units: 4, activation: "tanh" }), dense({ units: 2, activation: "sigmoid" })]);
    check(m, rand([3, 5], 4), ints([3, 2], 2, 5), "binaryCrossEntropy");
  });

  it("embedding → lstm(returnSequences) → timeDistributed(dense), crossEntropy with integer targets", () => {
    const m = f64([5], [embedding({ inputDim: 7, outputDim: 3, embeddingsInitializer: "glorotUniform" }), lstm({ units: 4, returnSequences: true }), timeDistributed(dense({ units: 7 }))]);
    check(m, ints([2, 5], 7, 6), ints([2, 5], 7, 7), "crossEntropy", { input: false });
  });

  it("tied embedding/output projection: ∂L/∂E collects both uses", () => {
    const emb = embedding({ inputDim: 6, outputDim: 3, embeddingsInitializer: "glorotUniform" }); // larger than U(±0.05) so gradients are well above the rounding floor
    const m = f64([4], [emb, gru({ units: 3, returnSequences: true }), timeDistributed(dense({ units: 6, tieWeights: emb }))]);
    const r = check(m, ints([2, 4], 6, 8), ints([2, 4], 6, 9), "crossEntropy", { input: false });
    assert.deepEqual(r.perTensor.map((t) => t.name).filter((n) => n.includes("embeddings")), [`${emb.name}/embeddings`], "the shared matrix is one tensor");
  });

  for (const [name, make] of [["simpleRNN", simpleRNN], ["lstm", lstm], ["gru", gru]] as const) {
    it(`bidirectional(${name}) with returnSequences, then bidirectional without, mse`, () => {
      const m = f64([5, 3], [bidirectional(make({ units: 3, returnSequences: true })), bidirectional(make({ units: 2 })), dense({ units: 2 })]);
      check(m, rand([2, 5, 3], 10), rand([2, 2], 11), "mse");
    });
  }

  it("bidirectional(gru, resetAfter: false)", () => {
    const m = f64([4, 2], [bidirectional(gru({ units: 3, resetAfter: false })), dense({ units: 1 })]);
    check(m, rand([3, 4, 2], 12), rand([3, 1], 13), "mse");
  });

  it("dropout between stacked layers: off (inference) is the identity in the gradient", () => {
    const m = f64([4, 2], [lstm({ units: 3, returnSequences: true }), dropout({ rate: 0.5 }), lstm({ units: 3 }), dense({ units: 1 })]);
    check(m, rand([2, 4, 2], 14), rand([2, 1], 15), "mse");
  });

  it("dropout on, with the same mask in every evaluation (seeded)", () => {
    const m = f64([6], [dense({ units: 8, activation: "tanh" }), dropout({ rate: 0.4 }), dense({ units: 2 })]);
    check(m, rand([3, 6], 16), rand([3, 2], 17), "mse", { training: true });
  });
});
