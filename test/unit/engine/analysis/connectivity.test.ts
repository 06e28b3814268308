// rnn.analysis.connectivity against central finite differences of the model's own forward pass:
// J[t, o, s, f] ≈ (y_t,o(x + ε·e_s,f) − y_t,o(x − ε·e_s,f)) / 2ε, whose error is O(ε²) ≈ 1e-10 relative
// at ε = 1e-5 in float64, far inside the 1e-4 asked; C[t, s] = sqrt(Σ_o,f J²).
import * as assert from "node:assert/strict";
import * as rnn from "../../../../src/engine/index";
import { computeLoss } from "../../../../src/engine/loss";
import { Rng } from "../../../../src/engine/random";
import { Tensor } from "../../../../src/engine/tensor";

const EPS = 1e-5;

function randomInput(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  return new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

/** C[t][s] by central differences of f: x (flat, T·F values in step-major order) ↦ per-step outputs [T][O]. */
function numericConnectivity(x: Float64Array, T: number, F: number, f: (x: Float64Array) => number[][]): number[][] {
  const C = Array.from({ length: T }, () => new Array<number>(T).fill(0));
  for (let s = 0; s < T; s++) {
    for (let k = 0; k < F; k++) {
      const plus = x.slice(), minus = x.slice();
      plus[s * F + k] += EPS;
      minus[s * F + k] -= EPS;
      const yp = f(plus), ym = f(minus);
      for (let t = 0; t < T; t++) for (let o = 0; o < yp[t].length; o++) C[t][s] += ((yp[t][o] - ym[t][o]) / (2 * EPS)) ** 2;
    }
  }
  return C.map((row) => row.map(Math.sqrt));
}

function assertMatches(C: Tensor, ref: number[][]): void {
  const T = ref.length;
  assert.deepEqual(C.shape, [T, T]);
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < T; s++) {
      const c = C.data[t * T + s];
      if (s > t) {
        assert.equal(c, 0, `C[${t}, ${s}] above the diagonal`);
        continue;
      }
      assert.ok(ref[t][s] > 0, `reference C[${t}, ${s}] is 0`);
      assert.ok(Math.abs(c - ref[t][s]) <= 1e-4 * ref[t][s], `C[${t}, ${s}] = ${c} vs finite differences ${ref[t][s]}`);
    }
  }
}

describe("engine/analysis/connectivity", () => {
  it("equals central finite differences on a float64 LSTM + dense model, zero above the diagonal", () => {
    const T = 5, F = 2;
    const model = rnn.sequential({ inputShape: [T, F], dtype: "float64", seed: 12 }, [rnn.lstm({ units: 3, returnSequences: true }), rnn.dense({ units: 2 })]);
    const x = randomInput([1, T, F], 7);
    const C = rnn.analysis.connectivity(model, x);
    const f = (v: Float64Array): number[][] => (model.predict(new Tensor(v, [1, T, F])).toArray() as number[][][])[0];
    assertMatches(C, numericConnectivity(x.data as Float64Array, T, F, f));
    // The same sequence without its batch axis gives the same matrix.
    assert.deepEqual(rnn.analysis.connectivity(model, x.reshape([T, F])).data, C.data);
  });

  it("equals finite differences of a two-layer rnn.nn.GRU in PyTorch's time-major layout", () => {
    const T = 4, I = 2;
    const m = rnn.nn.GRU({ inputSize: I, hiddenSize: 3, numLayers: 2, dtype: "float64", seed: 3 });
    const x = randomInput([T, 1, I], 9);
    const C = rnn.analysis.connectivity(m, x);
    const f = (v: Float64Array): number[][] => m.forward(new Tensor(v, [T, I])).output.toArray() as number[][];
    assertMatches(C, numericConnectivity(x.data as Float64Array, T, I, f));
    assert.equal(m.training, true); // analysed in eval mode, mode restored
  });

  it("differentiates each step's loss with output: \"loss\"", () => {
    const T = 4, F = 3, O = 3;
    const model = rnn.sequential({ inputShape: [T, F], dtype: "float64", seed: 4 }, [rnn.simpleRNN({ units: 4, returnSequences: true }), rnn.dense({ units: O })]);
    const x = randomInput([1, T, F], 2);
    const target = [2, 0, 1, 1]; // class indices per step
    const C = rnn.analysis.connectivity(model, x, { output: "loss", target, loss: "crossEntropy" });
    // y_t here is the scalar loss of step t: crossEntropy of row t of the logits against target[t].
    const f = (v: Float64Array): number[][] => {
      const out = model.predict(new Tensor(v, [1, T, F]));
      return target.map((c, t) => [computeLoss("crossEntropy", out.data.subarray(t * O, (t + 1) * O), [1, O], [c]).value]);
    };
    assertMatches(C, numericConnectivity(x.data as Float64Array, T, F, f));
  });

  it("leaves parameter gradients as they were", () => {
    const model = rnn.sequential({ inputShape: [3, 1], dtype: "float64", seed: 1 }, [rnn.gru({ units: 2, returnSequences: true })]);
    const x = randomInput([1, 3, 1], 1);
    model.computeGradients(x, randomInput([1, 3, 2], 2), { loss: "mse" });
    const before = model.params().map((p) => Array.from(p.grad));
    rnn.analysis.connectivity(model, x);
    assert.deepEqual(model.params().map((p) => Array.from(p.grad)), before);
  });

  it("differentiates with respect to the embedded vectors of an embedding model", () => {
    const model = rnn.sequential({ inputShape: [4], dtype: "float64", seed: 5 }, [rnn.embedding({ inputDim: 6, outputDim: 3 }), rnn.simpleRNN({ units: 3, returnSequences: true })]);
    const C = rnn.analysis.connectivity(model, [[1, 4, 2, 5]]);
    const emb = model.layers[0].weights.embeddings;
    const ids = [1, 4, 2, 5];
    // Reference: the same function with the embedded vectors as its input (a model without the embedding, same recurrent weights).
    const inner = rnn.sequential({ inputShape: [4, 3], dtype: "float64", seed: 5 }, [rnn.simpleRNN({ units: 3, returnSequences: true })]);
    inner.setWeights(model.getWeights().slice(1));
    const xe = Float64Array.from(ids.flatMap((i) => Array.from(emb.data.subarray(i * 3, i * 3 + 3))));
    const f = (v: Float64Array): number[][] => (inner.predict(new Tensor(v, [1, 4, 3])).toArray() as number[][][])[0];
    assertMatches(C, numericConnectivity(xe, 4, 3, f));
  });

  it("names the shapes when the output is not per timestep, and takes one sequence", () => {
    const model = rnn.sequential({ inputShape: [5, 2], dtype: "float64", seed: 1 }, [rnn.simpleRNN({ units: 3 }), rnn.dense({ units: 1 })]);
    assert.throws(() => rnn.analysis.connectivity(model, randomInput([1, 5, 2], 1)),
      /needs an output per timestep, \(None, 5, outputs\), but model "[^"]+" maps input \(None, 5, 2\) to \(None, 1\); give its recurrent layers returnSequences: true/);
    const seqModel = rnn.sequential({ inputShape: [5, 2], dtype: "float64", seed: 1 }, [rnn.simpleRNN({ units: 3, returnSequences: true })]);
    assert.throws(() => rnn.analysis.connectivity(seqModel, randomInput([2, 5, 2], 1)), /takes one sequence, got a batch of 2/);
    assert.throws(() => rnn.analysis.connectivity(seqModel, randomInput([1, 5, 2], 1), { output: "loss" }), /output: "loss" needs the targets/);
    assert.throws(() => rnn.analysis.connectivity(seqModel, randomInput([1, 5, 2], 1), { output: "loss", target: [1, 2] }),
      /target has shape \[2\] but the output of this sequence is \[5, 3\]; expected \[5, 3\]/);
    // one value per step under the default mse: class indices without loss: "crossEntropy"
    assert.throws(() => rnn.analysis.connectivity(seqModel, randomInput([1, 5, 2], 1), { output: "loss", target: [0, 1, 2, 1, 0] }),
      /expected \[5, 3\] \(5 values look like class indices: add loss: "crossEntropy"\)/);
  });
});
