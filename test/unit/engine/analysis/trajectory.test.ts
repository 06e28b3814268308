// rnn.analysis.trajectory: PCA of recorded hidden states. References: the states read straight from
// model.record (the whole batch, one batchIndex at a time — a different path from the analysis's
// one-sequence recordings) and mathjs's eigs of their covariance.
import * as assert from "node:assert/strict";
import * as math from "mathjs";
import * as rnn from "../../../../src/engine/index";
import { pca } from "../../../../src/engine/analysis/pca";
import { Rng } from "../../../../src/engine/random";
import { Tensor } from "../../../../src/engine/tensor";

function randomInput(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float64Array.from({ length: n }, () => rng.normal()), shape);
}

/** h of recurrent layer `layer` for every sequence of a batch-major x, as rows [N·T, H]. */
function recordedStates(model: rnn.Sequential, x: Tensor, layer: number): number[][] {
  const rows: number[][] = [];
  for (let n = 0; n < x.shape[0]; n++) {
    const h = model.record(x, undefined, { batchIndex: n, layer }).layers[0].gates.h!;
    rows.push(...(h.toArray() as number[][]));
  }
  return rows;
}

/** Eigenpairs of the M − 1 covariance of rows, largest first (mathjs). */
function referenceEigen(rows: number[][]): { value: number; vector: number[] }[] {
  const mean = math.mean(rows, 0) as unknown as number[];
  const Z = rows.map((r) => r.map((v, k) => v - mean[k]));
  const C = math.divide(math.multiply(math.transpose(Z), Z), rows.length - 1) as number[][];
  const { eigenvectors } = math.eigs(C);
  return eigenvectors.map((e) => ({ value: e.value as number, vector: (Array.isArray(e.vector) ? e.vector : e.vector.toArray()) as number[] }))
    .sort((a, b) => b.value - a.value);
}

describe("engine/analysis/trajectory", () => {
  it("explained variance equals a reference eigen-decomposition of the recorded states within 1e-6", () => {
    const model = rnn.sequential({ inputShape: [6, 2], dtype: "float64", seed: 5 }, [rnn.simpleRNN({ units: 4, returnSequences: true }), rnn.dense({ units: 1 })]);
    const x = randomInput([3, 6, 2], 1);
    const r = rnn.analysis.trajectory(model, x, { dims: 3 });
    assert.deepEqual(r.points.shape, [3, 6, 3]);
    const ref = referenceEigen(recordedStates(model, x, 0));
    const total = ref.reduce((a, e) => a + e.value, 0);
    assert.equal(r.explainedVariance.length, 3);
    r.explainedVariance.forEach((v, j) => assert.ok(Math.abs(v - ref[j].value / total) < 1e-6, `component ${j}: ${v} vs ${ref[j].value / total}`));
  });

  it("projects a 2-unit model's states onto its principal axes", () => {
    const model = rnn.sequential({ inputShape: [5, 1], dtype: "float64", seed: 9 }, [rnn.simpleRNN({ units: 2 })]);
    const x = randomInput([4, 5, 1], 2);
    const r = rnn.analysis.trajectory(model, x, { dims: 2 });
    const rows = recordedStates(model, x, 0);
    const mean = math.mean(rows, 0) as unknown as number[];
    const ref = referenceEigen(rows);
    // With 2 units and 2 dims PCA is a rotation of the centred states: point = (h − mean)·v_j, each
    // axis defined up to sign (the analysis makes each axis's largest entry positive).
    ref.forEach((e, j) => {
      const big = e.vector.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
      const v = e.vector.map((c) => (big < 0 ? -c : c));
      rows.forEach((h, m) => {
        const want = (h[0] - mean[0]) * v[0] + (h[1] - mean[1]) * v[1];
        assert.ok(Math.abs(r.points.data[m * 2 + j] - want) < 1e-6, `row ${m} axis ${j}: ${r.points.data[m * 2 + j]} vs ${want}`);
      });
    });
    assert.ok(Math.abs(r.explainedVariance[0] + r.explainedVariance[1] - 1) < 1e-12);
  });

  it("reads an rnn.nn module's time-major batch and an LSTM's cell state, and keeps its training mode", () => {
    const m = rnn.nn.LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, dropout: 0.5, dtype: "float64", seed: 4 });
    const x = randomInput([5, 2, 2], 3); // [T, N, I], PyTorch's default layout
    const r = rnn.analysis.trajectory(m, x, { dims: 2, layer: 0, state: "c" });
    assert.equal(m.training, true);
    // Reference: the same states recorded from the whole batch in eval mode (no inter-layer dropout).
    m.eval();
    const rows: number[] = [];
    for (let n = 0; n < 2; n++) rows.push(...m.record(x, undefined, { layer: 0, batchIndex: n }).layers[0].gates.c!.data);
    m.train();
    const ref = pca(rows, 10, 3, 2);
    assert.deepEqual(r.points.shape, [2, 5, 2]);
    r.points.data.forEach((v, i) => assert.ok(Math.abs(v - ref.scores[i]) < 1e-12, `point ${i}`));
  });

  it("says what is wrong with dims, the layer and the state", () => {
    const model = rnn.sequential({ inputShape: [4, 1], dtype: "float64", seed: 1 }, [rnn.simpleRNN({ units: 2, returnSequences: true }), rnn.dense({ units: 1 })]);
    const x = randomInput([2, 4, 1], 4);
    assert.throws(() => rnn.analysis.trajectory(model, x, { dims: 4 as 3 }), /dims must be 2 or 3, got 4/);
    assert.throws(() => rnn.analysis.trajectory(model, x, { dims: 3 }), /dims 3 needs a layer of at least 3 units; .* has 2/);
    assert.throws(() => rnn.analysis.trajectory(model, x, { dims: 2, layer: 1 }), /trajectory: .*layer 1 "dense\S*" \(Dense\) is not a recurrent layer; its recurrent layers: 0/);
    assert.throws(() => rnn.analysis.trajectory(model, x, { dims: 2, state: "c" }), /is a simpleRNN layer, which has no state "c"/);
    assert.throws(() => rnn.analysis.trajectory(model, randomInput([2, 4, 3], 5), { dims: 2 }), /expects input shape \(None, 4, 1\) but got \(2, 4, 3\)/);
  });
});
