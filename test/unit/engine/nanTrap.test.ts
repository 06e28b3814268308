// The NaN/Inf trap (src/engine/nanTrap.ts through fit.ts): when fit stops on a non-finite loss, the
// message names where the first non-finite value appeared — the input, the layer, the gate or state
// and the timestep — on models built to overflow at a known step.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";

const T = 10;

/**
 * A SimpleRNN(1, relu) with kernel 1, recurrent weight `w` and bias 0 on an all-ones input:
 * h_t = relu(1 + w·h_{t−1}), so h_0 = 1 and h_t = 1 + w + … + w^t ≈ w^t.
 */
function overflowing(w: number): rnn.Sequential {
  const m = rnn.sequential({ inputShape: [T, 1], seed: 1, dtype: "float32" }, [rnn.simpleRNN({ units: 1, activation: "relu" }), rnn.dense({ units: 1 })]);
  m.setWeights([rnn.tensor([1], [1, 1]), rnn.tensor([w], [1, 1]), rnn.tensor([0], [1]), rnn.tensor([1], [1, 1]), rnn.tensor([0], [1])]);
  return m;
}

async function fitError(m: rnn.Sequential, x: rnn.Tensor): Promise<string> {
  const y = rnn.zeros([x.shape[0], 1]);
  try {
    await m.fit(x, y, { epochs: 1, batchSize: 4, loss: "mse", optimizer: rnn.sgd({ lr: 0 }), shuffle: false });
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("fit did not stop");
}

describe("fit: the NaN/Inf trap names layer, state and timestep", () => {
  it("a recurrent weight of 1e6 overflows float32 at t = 7: h_7 ≈ 1e42 > 3.4e38 (float32's largest), h_6 ≈ 1e36 is still finite", async () => {
    const m = overflowing(1e6);
    const name = m.layers[0].name;
    const message = await fitError(m, rnn.ones([4, T, 1]));
    assert.match(message, /^fit stopped: the loss became (NaN|Infinity) at epoch 1, batch 1 of 1\. Where: /);
    assert.ok(message.includes(`first non-finite value in layer 0 "${name}" hidden state h at t = 7 (value Infinity, unit 0, sequence 0 of the batch)`), message);
    assert.match(message, /clipNorm/, "the suggestion stays");
  });

  it("an Infinity in the input at t = 3 of sequence 2: the input and the layer's state at t = 3 are named", async () => {
    const x = rnn.ones([4, T, 1]);
    x.data[(2 * T + 3) * 1] = Infinity;
    // w = 0.5 keeps every finite sequence small (h_t < 2), so only sequence 2's Infinity can go bad.
    const m = overflowing(0.5);
    const message = await fitError(m, x);
    assert.ok(message.includes("Where: the input is Infinity at t = 3 (sequence 2 of the batch); "), message);
    assert.ok(message.includes(`first non-finite value in layer 0 "${m.layers[0].name}" hidden state h at t = 3 (value Infinity, unit 0, sequence 2 of the batch)`), message);
  });

  it("an LSTM: the earliest of the gates in order i, f, g, o, c, h at the first bad step", async () => {
    const m = rnn.sequential({ inputShape: [T, 1], seed: 1 }, [rnn.lstm({ units: 2 }), rnn.dense({ units: 1 })]);
    const x = rnn.ones([4, T, 1]);
    x.data[0 * T + 5] = NaN; // sequence 0, t = 5: every pre-activation is NaN, so gate i (the first) is named
    const message = await fitError(m, x);
    assert.ok(message.includes(`first non-finite value in layer 0 "${m.layers[0].name}" input gate i at t = 5 (value NaN, unit 0, sequence 0 of the batch)`), message);
  });

  it("a finite loss whose gradient overflows: the backward pass is scanned from the last step, and t = 5 is named", async () => {
    // w = 1000: h_9 ≈ 1e27 and the mse loss ≈ 1e54 stay finite (the loss is a float64 number), but
    // ∂L/∂h_t = 2ŷ·w^(9−t) ≈ 2e27·1e3^(9−t) passes float32's 3.4e38 first at t = 5 (2e39), counting back from t = 9.
    const m = overflowing(1000);
    const message = await fitError(m, rnn.ones([4, T, 1]));
    assert.match(message, /^fit stopped: a gradient became NaN or infinite at epoch 1, batch 1 of 1\. Where: /);
    assert.ok(message.includes(`first non-finite gradient at layer 0 "${m.layers[0].name}" gradient ‖∂L/∂h_t‖ at t = 5 in the backward pass (value Infinity)`), message);
  });
});
