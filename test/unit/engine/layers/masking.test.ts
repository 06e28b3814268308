// Masking as Keras does it (keras.backend.rnn, zero_output_for_mask False): a masked step keeps the
// recurrent states and repeats the previous output (zeros before the first real step). Checked
// against the same layer run on each row's real steps only (a masked step is one the layer never
// saw), for left, middle and right padding, goBackwards and returnState; and float64 gradient checks
// (< 1e-6, the engine's threshold; gradcheck.ts) of masked models from embedding({ maskZero }) and
// rnn.masking through LSTM/GRU, initial states and a masked attention.
import * as assert from "node:assert/strict";
import { Rng } from "../../../../src/engine/random";
import { Tensor } from "../../../../src/engine/tensor";
import { attention } from "../../../../src/engine/layers/attention";
import { dense } from "../../../../src/engine/layers/dense";
import { embedding } from "../../../../src/engine/layers/embedding";
import { gru } from "../../../../src/engine/layers/gru";
import { lstm } from "../../../../src/engine/layers/lstm";
import { masking } from "../../../../src/engine/layers/masking";
import { model } from "../../../../src/engine/graph/functional";
import { sequential } from "../../../../src/engine/model";
import { input, type KerasTensor } from "../../../../src/engine/graph/symbolic";
import { checkModel } from "../graph/check";

function rand(shape: number[], seed: number): Tensor {
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float64Array.from({ length: n }, () => r.uniform(-1, 1)), shape);
}

describe("masking (Keras semantics)", () => {
  for (const goBackwards of [false, true]) {
    it(`masked steps keep the state and repeat the previous output${goBackwards ? " (goBackwards)" : ""}`, () => {
      const T = 5, F = 2, H = 3;
      const x = input({ shape: [T, F], dtype: "float64" });
      const layer = lstm({ units: H, returnSequences: true, returnState: true, goBackwards, seed: 1 });
      const m = model({ inputs: x, outputs: layer.apply(masking().apply(x)) as KerasTensor[] });
      // Row 0: padded at the end; row 1: padded at the start; row 2: a hole in the middle; row 3: all padding.
      const keep = [[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 0, 1, 1, 0], [0, 0, 0, 0, 0]];
      const xs = rand([4, T, F], 2);
      keep.forEach((row, b) => row.forEach((k, t) => { if (!k) xs.data.fill(0, (b * T + t) * F, (b * T + t + 1) * F); }));
      const [seq, h, c] = m.predict(xs) as Tensor[];
      keep.forEach((row, b) => {
        const steps = row.map((k, t) => (k ? t : -1)).filter((t) => t >= 0);
        const order = goBackwards ? Array.from({ length: T }, (_, p) => T - 1 - p) : Array.from({ length: T }, (_, p) => p);
        let own: Tensor[] = [new Tensor(new Float64Array(H), [1, H]), new Tensor(new Float64Array(H), [1, H]), new Tensor(new Float64Array(H), [1, H])];
        if (steps.length) {
          const xb = new Tensor(Float64Array.from(steps.flatMap((t) => Array.from(xs.data.subarray((b * T + t) * F, (b * T + t + 1) * F)))), [1, steps.length, F]);
          own = layer.apply(xb) as Tensor[];
        }
        // Final states: those after the last real step (the initial zeros for an all-padding row).
        assert.deepEqual(Array.from(h.data.subarray(b * H, (b + 1) * H)), Array.from(own[1].data));
        assert.deepEqual(Array.from(c.data.subarray(b * H, (b + 1) * H)), Array.from(own[2].data));
        let k = 0;
        order.forEach((t, p) => {
          if (row[t]) k++;
          const want = k === 0 ? new Array(H).fill(0) : Array.from(own[0].data.subarray((k - 1) * H, k * H));
          assert.deepEqual(Array.from(seq.data.subarray((b * T + p) * H, (b * T + p + 1) * H)), want, `row ${b} position ${p}`);
        });
      });
    });
  }

  it("gradients through embedding({ maskZero }) → LSTM encoder → GRU decoder with initial state → masked attention", () => {
    const src = input({ shape: [5], dtype: "int32" }), dec = input({ shape: [3, 2], dtype: "float64" });
    const emb = embedding({ inputDim: 6, outputDim: 3, maskZero: true, seed: 1 }).apply(src) as KerasTensor;
    const [encSeq, h] = gru({ units: 4, returnSequences: true, returnState: true, seed: 2 }).apply(emb) as KerasTensor[];
    assert.ok(encSeq.mask, "the encoder's sequence carries the embedding's mask");
    const decSeq = gru({ units: 4, returnSequences: true, seed: 3 }).apply(dec, { initialState: [h] }) as KerasTensor;
    const ctxv = attention({ useScale: true }).apply([decSeq, encSeq]) as KerasTensor;
    const m = model({ inputs: [src, dec], outputs: dense({ units: 2, seed: 4 }).apply(ctxv), dtype: "float64" });
    const ids = new Tensor(Float64Array.from([3, 1, 4, 0, 0, 0, 2, 5, 1, 0, 5, 0, 2, 3, 1]), [3, 5]);
    checkModel(m, [ids, rand([3, 3, 2], 5)], [rand([3, 3, 2], 6)], { inputs: [false, true] });
  });

  it("gradients through rnn.masking → LSTM (returnState) → dense on the last output", () => {
    const x = input({ shape: [4, 2], dtype: "float64" });
    const [last, , c] = lstm({ units: 3, returnState: true, seed: 7 }).apply(masking({ maskValue: 0 }).apply(x)) as KerasTensor[];
    const m = model({ inputs: x, outputs: [dense({ units: 1, seed: 8 }).apply(last), c] as KerasTensor[] });
    const xs = rand([3, 4, 2], 9);
    xs.data.fill(0, 6, 8);   // row 0, step 3 padded
    xs.data.fill(0, 8, 12);  // row 1, steps 0–1 padded
    // Not the input: nudging a padded (all-zero) step un-masks it, a jump central differences cannot follow.
    checkModel(m, [xs], [rand([3, 1], 10), rand([3, 3], 11)], { inputs: [false] });
  });

  it("rnn.sequential honours the mask as Keras's Sequential does: same outputs and gradients as the functional model", () => {
    const seq = sequential({ inputShape: [5], seed: 1, dtype: "float64" }, [embedding({ inputDim: 6, outputDim: 3, maskZero: true }),
      lstm({ units: 4, returnSequences: true }), gru({ units: 2 }), dense({ units: 2 })]);
    const ids = input({ shape: [5], dtype: "float64" });
    const h = lstm({ units: 4, returnSequences: true }).apply(embedding({ inputDim: 6, outputDim: 3, maskZero: true }).apply(ids));
    const fun = model({ inputs: ids, outputs: dense({ units: 2 }).apply(gru({ units: 2 }).apply(h)), seed: 2 });
    fun.setWeights(seq.getWeights());
    const x = new Tensor(Float64Array.from([3, 1, 4, 0, 0, 0, 0, 2, 5, 1, 5, 2, 0, 3, 1]), [3, 5]);
    const y = rand([3, 2], 3);
    assert.deepEqual(Array.from(seq.predict(x).data), Array.from((fun.predict(x) as Tensor).data));
    const gs = seq.computeGradients(x, y, { loss: "mse" }), gf = fun.computeGradients(x, y, { loss: "mse" });
    assert.equal(gs.loss, gf.loss);
    Object.keys(gs.grads).forEach((k, i) => assert.deepEqual(Array.from(gs.grads[k].data), Array.from(Object.values(gf.grads)[i].data), k));
    // Without the mask the padded zeros are real inputs: the outputs differ.
    const plain = sequential({ inputShape: [5], dtype: "float64" }, [embedding({ inputDim: 6, outputDim: 3 }), lstm({ units: 4, returnSequences: true }), gru({ units: 2 }), dense({ units: 2 })]);
    plain.setWeights(seq.getWeights());
    assert.notDeepEqual(Array.from(plain.predict(x).data), Array.from(seq.predict(x).data));
  });

  it("masking and maskZero add no parameters (Keras counts)", () => {
    // Embedding(10, 4) with mask_zero: 10·4 = 40 (index 0 still has a row); Masking: 0;
    // LSTM(5) on 4 features: 4·(5·(4+5) + 5) = 200.
    const ids = input({ shape: [6] });
    const m = model({ inputs: ids, outputs: lstm({ units: 5 }).apply(embedding({ inputDim: 10, outputDim: 4, maskZero: true }).apply(ids)) });
    assert.equal(m.countParams(), 240);
    const x = input({ shape: [6, 4] });
    assert.equal(model({ inputs: x, outputs: lstm({ units: 5 }).apply(masking().apply(x)) }).countParams(), 200);
  });
});
