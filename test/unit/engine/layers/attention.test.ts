// Keras's Attention and AdditiveAttention, and the merge layers (concatenate, add, repeatVector):
// float64 central-difference gradient checks (< 1e-6, gradcheck.ts explains the threshold) of every
// weight and every input inside functional models — with and without key, scale, a value mask and
// the returned attention weights — plus the forward values of small worked examples.
import * as assert from "node:assert/strict";
import { Rng } from "../../../../src/engine/random";
import { Tensor } from "../../../../src/engine/tensor";
import { additiveAttention, attention } from "../../../../src/engine/layers/attention";
import { add, concatenate } from "../../../../src/engine/layers/merge";
import { repeatVector } from "../../../../src/engine/layers/repeatVector";
import { dense } from "../../../../src/engine/layers/dense";
import { lstm } from "../../../../src/engine/layers/lstm";
import { model } from "../../../../src/engine/graph/functional";
import { input, type KerasTensor } from "../../../../src/engine/graph/symbolic";
import { checkModel } from "../graph/check";

function rand(shape: number[], seed: number): Tensor {
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float64Array.from({ length: n }, () => r.uniform(-1, 1)), shape);
}

const f64 = (shape: number[]) => input({ shape, dtype: "float64" });

describe("attention layers", () => {
  for (const [label, make] of [["attention", attention], ["additiveAttention", additiveAttention]] as const) {
    for (const useScale of [false, true]) {
      it(`${label}({ useScale: ${useScale} }) on [query, value]: gradients of scale, query and value`, () => {
        const q = f64([3, 4]), v = f64([5, 4]);
        const layer = make({ useScale, seed: 1 });
        const m = model({ inputs: [q, v], outputs: layer.apply([q, v]) });
        if (useScale) layer.weights.scale.data[0] = 0.7; // a scale away from its initial 1 checks the scale's own path
        checkModel(m, [rand([2, 3, 4], 1), rand([2, 5, 4], 2)], [rand([2, 3, 4], 3)]);
      });
    }

    it(`${label} on [query, value, key] with returned weights and a value mask: every gradient`, () => {
      const q = f64([3, 4]), v = f64([5, 2]), k = f64([5, 4]), mask = f64([5]);
      const [out, w] = make({ useScale: true, seed: 2 }).apply([q, v, k], { mask, returnAttentionScores: true }) as KerasTensor[];
      const m = model({ inputs: [q, v, k, mask], outputs: [out, w] });
      const maskValues = new Tensor(Float64Array.from([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]), [2, 5]);
      checkModel(m, [rand([2, 3, 4], 4), rand([2, 5, 2], 5), rand([2, 5, 4], 6), maskValues], [rand([2, 3, 2], 7), rand([2, 3, 5], 8)],
        { inputs: [true, true, true, false] });
      const [, weights] = m.predict([rand([2, 3, 4], 4), rand([2, 5, 2], 5), rand([2, 5, 4], 6), maskValues]) as Tensor[];
      // Masked value steps (sample 0, steps 3 and 4) get weight 0; every row sums to 1 (a softmax).
      for (let i = 0; i < 3; i++) {
        assert.equal(weights.data[i * 5 + 3], 0);
        assert.equal(weights.data[i * 5 + 4], 0);
        let sum = 0;
        for (let j = 0; j < 5; j++) sum += weights.data[i * 5 + j];
        assert.ok(Math.abs(sum - 1) < 1e-12);
      }
    });
  }

  for (const [label, make] of [["attention", attention], ["additiveAttention", additiveAttention]] as const) {
    it(`${label} with useCausalMask (self-attention): query step i sees steps j ≤ i, every gradient`, () => {
      const x = f64([4, 3]);
      const [out, w] = make({ useScale: true, seed: 3 }).apply([x, x], { useCausalMask: true, returnAttentionScores: true }) as KerasTensor[];
      const m = model({ inputs: x, outputs: [out, w] });
      const xs = rand([2, 4, 3], 9);
      checkModel(m, [xs], [rand([2, 4, 3], 10), rand([2, 4, 4], 11)]);
      const [o, weights] = m.predict(xs) as Tensor[];
      // Weights above the diagonal are 0; the first query step sees only the first value step: out[0] = x[0].
      for (let b = 0; b < 2; b++) for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) assert.equal(weights.data[(b * 4 + i) * 4 + j], 0);
      assert.deepEqual(Array.from(o.data.subarray(0, 3)), Array.from(xs.data.subarray(0, 3)));
    });
  }

  it("attention on values: the worked example of two orthogonal keys", () => {
    // q = [1, 0], keys = values = [[1, 0], [0, 1]]: scores [1, 0], weights softmax = [e/(e+1), 1/(e+1)],
    // out = weights · values = [e/(e+1), 1/(e+1)] = [0.7310585786, 0.2689414214].
    const out = attention().apply([new Tensor(Float64Array.from([1, 0]), [1, 1, 2]), new Tensor(Float64Array.from([1, 0, 0, 1]), [1, 2, 2])]) as Tensor;
    assert.ok(Math.abs(out.data[0] - Math.E / (Math.E + 1)) < 1e-12);
    assert.ok(Math.abs(out.data[1] - 1 / (Math.E + 1)) < 1e-12);
  });

  it("a shape mismatch names the layer and both shapes", () => {
    const q = input({ shape: [3, 4] }), v = input({ shape: [5, 6] });
    assert.throws(() => attention({ name: "att" }).apply([q, v]), /layer "att" \(Attention\) cannot take inputs \(None, 3, 4\), \(None, 5, 6\): attention: query \(None, 3, 4\) and key \(None, 5, 6\) need the same feature size/);
  });
});

describe("merge layers and repeatVector", () => {
  it("concatenate along features and along time, add, repeatVector: every gradient", () => {
    const a = f64([3, 2]), b = f64([3, 4]), c = f64([2, 2]), z = f64([4]);
    const feat = concatenate().apply([a, b]) as KerasTensor;               // (None, 3, 6)
    const time = concatenate({ axis: 1 }).apply([a, c]) as KerasTensor;    // (None, 5, 2)
    const rep = repeatVector(3).apply(z) as KerasTensor;                    // (None, 3, 4)
    const sum = add().apply([b, rep, b]) as KerasTensor;                    // (None, 3, 4), b twice
    assert.deepEqual([feat.shape, time.shape, rep.shape, sum.shape], [[3, 6], [5, 2], [3, 4], [3, 4]]);
    const m = model({ inputs: [a, b, c, z], outputs: [dense({ units: 2, seed: 1 }).apply(feat), time, sum] as KerasTensor[] });
    checkModel(m, [rand([2, 3, 2], 1), rand([2, 3, 4], 2), rand([2, 2, 2], 3), rand([2, 4], 4)], [rand([2, 3, 2], 5), rand([2, 5, 2], 6), rand([2, 3, 4], 7)]);
  });

  it("merge shape errors name the layer and the shapes", () => {
    const a = input({ shape: [3, 2] }), b = input({ shape: [4, 3] });
    assert.throws(() => concatenate({ name: "cat" }).apply([a, b]), /layer "cat" \(Concatenate\) cannot take inputs \(None, 3, 2\), \(None, 4, 3\)/);
    assert.throws(() => add({ name: "plus" }).apply([a, b]), /layer "plus" \(Add\) cannot take inputs \(None, 3, 2\), \(None, 4, 3\): add: inputs must have the same shape/);
    assert.throws(() => repeatVector(2, { name: "rep" }).apply(a), /layer "rep" \(RepeatVector\) expects input shape \(None, features\) but got \(None, 3, 2\)/);
  });
});

describe("Keras parameter counts of attention models", () => {
  it("encoder–decoder with attention() / additiveAttention(), and a repeatVector model", () => {
    const build = (att: "dot" | "additive" | "dotScaled") => {
      const src = input({ shape: [7, 5] }), tgt = input({ shape: [6, 3] });
      const [encSeq, h, c] = lstm({ units: 8, returnSequences: true, returnState: true }).apply(src) as KerasTensor[];
      const decSeq = lstm({ units: 8, returnSequences: true }).apply(tgt, { initialState: [h, c] }) as KerasTensor;
      const layer = att === "additive" ? additiveAttention() : attention({ useScale: att === "dotScaled" });
      const ctxv = layer.apply([decSeq, encSeq]) as KerasTensor;
      const joined = concatenate().apply([decSeq, ctxv]) as KerasTensor;
      return model({ inputs: [src, tgt], outputs: dense({ units: 4 }).apply(joined) });
    };
    // LSTM(8) on 5 features: 4·(8·(5+8) + 8) = 448; on 3 features: 4·(8·(3+8) + 8) = 384;
    // Dense(4) on concat(8 + 8 = 16): 16·4 + 4 = 68. Keras Attention: 0 weights (1, the scalar scale, with
    // use_scale=True); AdditiveAttention: scale [dim] = 8 (use_scale defaults to True).
    assert.equal(build("dot").countParams(), 448 + 384 + 0 + 68);
    assert.equal(build("dotScaled").countParams(), 448 + 384 + 1 + 68);
    assert.equal(build("additive").countParams(), 448 + 384 + 8 + 68);
    // RepeatVector model (Keras's classic seq2seq without attention): LSTM(6) on 2 features 4·(6·(2+6) + 6) = 216,
    // RepeatVector 0, LSTM(6) on 6 features 4·(6·(6+6) + 6) = 312, Dense(2) per step 6·2 + 2 = 14.
    const x = input({ shape: [5, 2] });
    const enc = lstm({ units: 6 }).apply(x);
    const dec = lstm({ units: 6, returnSequences: true }).apply(repeatVector(4).apply(enc));
    const m = model({ inputs: x, outputs: dense({ units: 2 }).apply(dec) });
    assert.equal(m.countParams(), 216 + 312 + 14);
    assert.deepEqual(m.summary().layers.map((l) => l.params), [0, 216, 0, 312, 14]);
  });
});
