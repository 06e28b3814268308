// rnn.analysis.fixedPoints on dynamics whose fixed points are known by construction.
// A linear SimpleRNN with zero input and bias steps h ↦ h·U (Keras row-vector layout). With
// U = R·diag(1, 0.5)·Rᵀ (R a rotation by 30°) every multiple of u = R's first column satisfies u·U = u,
// so the fixed points form the line span(u) (a line attractor), and J = Uᵀ everywhere.
import * as assert from "node:assert/strict";
import * as rnn from "../../../../src/engine/index";
import { Rng } from "../../../../src/engine/random";
import { Tensor } from "../../../../src/engine/tensor";

const TH = Math.PI / 6;
const u = [Math.cos(TH), Math.sin(TH)], w = [-Math.sin(TH), Math.cos(TH)];
// U = 1·u uᵀ + 0.5·w wᵀ (symmetric, so Uᵀ = U).
const U = [0, 1].map((i) => [0, 1].map((j) => u[i] * u[j] + 0.5 * w[i] * w[j]));

function randomInput(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  return new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

describe("engine/analysis/fixedPoints", () => {
  it("finds points on a 2-unit linear RNN's line attractor within 1e-4", () => {
    const model = rnn.sequential({ inputShape: [6, 1], dtype: "float64", seed: 1 }, [rnn.simpleRNN({ units: 2, activation: "linear", returnSequences: true })]);
    // Float64 tensors: nested arrays would pass through float32 and move U's eigenvalue off 1.
    const f64 = (v: number[], shape: number[]): Tensor => new Tensor(Float64Array.from(v), shape);
    model.setWeights([f64([0.8, -0.6], [1, 2]), f64(U.flat(), [2, 2]), f64([0, 0], [2])]); // the input drives the starts off the line
    const found = rnn.analysis.fixedPoints(model, randomInput([3, 6, 1], 4), { starts: 6 });
    assert.equal(found.length, 6);
    for (const f of found) {
      const [h0, h1] = f.point.data;
      const offLine = Math.abs(h0 * w[0] + h1 * w[1]); // distance from span(u)
      assert.ok(offLine < 1e-4, `point (${h0}, ${h1}) is ${offLine} off the line`);
      assert.ok(f.speed < 1e-12, `speed ${f.speed}`);
      // J[i, j] = ∂h1_i/∂h_j = U[j][i].
      [0, 1].forEach((i) => [0, 1].forEach((j) => assert.ok(Math.abs(f.jacobian.data[i * 2 + j] - U[j][i]) < 1e-12, `J = ${Array.from(f.jacobian.data)}, U = ${U.flat()}`)));
    }
    // Different starts land on different points of the line (a continuum, not one point).
    const along = found.map((f) => f.point.data[0] * u[0] + f.point.data[1] * u[1]);
    assert.ok(Math.max(...along) - Math.min(...along) > 0.1, `positions along the line: ${along.join(", ")}`);
  });

  it("finds the origin of a contracting tanh rnn.nn.LSTM in its [h, c] state", () => {
    // Zero biases and zero input: s = 0 is a fixed point (tanh(0) = 0, c = f·0 + i·tanh(0) = 0); small
    // recurrent weights make it the attractor the minimiser reaches.
    const m = rnn.nn.LSTM({ inputSize: 2, hiddenSize: 2, dtype: "float64", seed: 3 });
    const sd = m.stateDict();
    m.loadStateDict({ ...sd, weight_hh_l0: sd.weight_hh_l0.mul(0.2), bias_ih_l0: sd.bias_ih_l0.mul(0), bias_hh_l0: sd.bias_hh_l0.mul(0) });
    const found = rnn.analysis.fixedPoints(m, randomInput([5, 2, 2], 2), { starts: 3 });
    for (const f of found) {
      assert.deepEqual(f.point.shape, [4]);
      f.point.data.forEach((v) => assert.ok(Math.abs(v) < 1e-6, `state ${Array.from(f.point.data)}`));
    }
    assert.equal(m.training, true);
  });

  it("names the layer and the input size on misuse", () => {
    const model = rnn.sequential({ inputShape: [4, 1], dtype: "float64", seed: 1 }, [rnn.simpleRNN({ units: 2, returnSequences: true }), rnn.dense({ units: 1 })]);
    const x = randomInput([1, 4, 1], 1);
    assert.throws(() => rnn.analysis.fixedPoints(model, x, { layer: 1 }), /layer 1 "dense\S*" \(Dense\) is not a SimpleRNN, LSTM or GRU layer/);
    assert.throws(() => rnn.analysis.fixedPoints(model, x, { input: [1, 2] }), /input must have the layer's 1 input features, \[1\], but got \[2\]/);
    const deep = rnn.nn.GRU({ inputSize: 1, hiddenSize: 2, numLayers: 2, dtype: "float64", seed: 1 });
    assert.throws(() => rnn.analysis.fixedPoints(deep, randomInput([4, 1], 1)), /takes a one-layer, one-direction module/);
  });
});
