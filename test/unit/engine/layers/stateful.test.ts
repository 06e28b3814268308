// Stateful recurrent layers (Keras stateful=True): the final states of one batch are the initial states
// of the next, row by row, so a long sequence fed in consecutive time chunks gives exactly the outputs
// of the whole sequence at once (the same arithmetic in the same order); resetStates() starts again
// from zeros; a changed batch size is refused with a message that says why.
import * as assert from "node:assert/strict";
import { Rng } from "../../../../src/engine/random";
import { Tensor } from "../../../../src/engine/tensor";
import { dense } from "../../../../src/engine/layers/dense";
import { gru } from "../../../../src/engine/layers/gru";
import { lstm } from "../../../../src/engine/layers/lstm";
import { sequential } from "../../../../src/engine/model";
import { model } from "../../../../src/engine/graph/functional";
import { input } from "../../../../src/engine/graph/symbolic";

function rand(shape: number[], seed: number): Tensor {
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => r.uniform(-1, 1)), shape);
}

/** Timesteps [from, to) of x [B, T, F]. */
function steps(x: Tensor, from: number, to: number): Tensor {
  const [B, T, F] = x.shape;
  const out = new Float32Array(B * (to - from) * F);
  for (let b = 0; b < B; b++) out.set(x.data.subarray((b * T + from) * F, (b * T + to) * F), b * (to - from) * F);
  return new Tensor(out, [B, to - from, F]);
}

describe("stateful recurrent layers", () => {
  it("rnn.sequential: two time chunks through a stateful LSTM equal the whole sequence; resetStates starts over", () => {
    const whole = sequential({ inputShape: [6, 2], seed: 1 }, [lstm({ units: 3, returnSequences: true }), dense({ units: 1 })]);
    const chunked = sequential({ inputShape: [3, 2], seed: 2 }, [lstm({ units: 3, returnSequences: true, stateful: true }), dense({ units: 1 })]);
    chunked.setWeights(whole.getWeights());
    const x = rand([4, 6, 2], 3);
    const full = whole.predict(x, { batchSize: 4 });
    const a = chunked.predict(steps(x, 0, 3), { batchSize: 4 });
    const b = chunked.predict(steps(x, 3, 6), { batchSize: 4 });
    assert.deepEqual(Array.from(a.data).concat(Array.from(b.data)), Array.from(steps(full, 0, 3).data).concat(Array.from(steps(full, 3, 6).data)));
    chunked.resetStates();
    assert.deepEqual(Array.from(chunked.predict(steps(x, 0, 3), { batchSize: 4 }).data), Array.from(a.data));
    assert.throws(() => chunked.predict(steps(x, 0, 3), { batchSize: 2 }), /is stateful and ran on batches of 4, now 2: a stateful layer needs a fixed batch size/);
  });

  it("rnn.model: a stateful GRU carries its state between calls, and fit trains with it", async () => {
    const x = input({ shape: [2, 3] });
    const layer = gru({ units: 2, stateful: true, seed: 4 });
    const m = model({ inputs: x, outputs: dense({ units: 1, seed: 5 }).apply(layer.apply(x)) });
    const xs = rand([2, 2, 3], 6);
    const first = m.predict(xs) as Tensor;
    const second = m.predict(xs) as Tensor;
    assert.notDeepEqual(Array.from(second.data), Array.from(first.data), "the second call starts from the first call's final state");
    m.resetStates();
    assert.deepEqual(Array.from((m.predict(xs) as Tensor).data), Array.from(first.data));
    m.resetStates();
    const h = await m.fit(rand([8, 2, 3], 7), rand([8, 1], 8), { loss: "mse", batchSize: 2, epochs: 1, shuffle: false });
    assert.equal(h.batchLoss.length, 4);
    assert.ok(h.batchLoss.every(Number.isFinite));
  });
});
