// Errors are clear and early (a mistake names the layer, both shapes and the fix), and interruption keeps what was learned
// (DESIGN §2: fit stops at a batch boundary and resolves with history.interrupted = true).
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";

describe("clear, early errors", () => {
  it("a wrong input shape names the layer and both shapes", () => {
    const m = rnn.sequential({ inputShape: [20, 6] }, [rnn.simpleRNN({ units: 4, name: "first_rnn" }), rnn.dense({ units: 1 })]);
    assert.throws(() => m.predict(rnn.zeros([4, 20, 5])), /layer "first_rnn" \(SimpleRNN\) of model "[^"]+" expects input shape \(None, 20, 6\) but got \(4, 20, 5\)/);
  });

  it("a layer that cannot take its predecessor's output says so when the model is built", () => {
    const emb = rnn.embedding({ inputDim: 10, outputDim: 4, name: "emb" });
    assert.throws(() => rnn.sequential({ inputShape: [5] }, [emb, rnn.lstm({ units: 3 }), rnn.dense({ units: 10, tieWeights: emb, name: "proj" })]),
      /layer "proj" \(Dense\) expects input shape \(…, 4\) — the tied embedding's outputDim but got \(None, 3\)/);
  });

  it("stacking a recurrent layer on one without returnSequences names the option and the layer that needs it", () => {
    assert.throws(() => rnn.sequential({ inputShape: [5, 2] }, [rnn.simpleRNN({ units: 3, name: "low" }), rnn.simpleRNN({ units: 3, name: "high" })]),
      /Layer "low" \(SimpleRNN\) returns only its last step \(None, 3\); give it returnSequences: true so "high" gets the whole sequence/);
    // bidirectional outputs both directions' last steps: 2 × 3 = 6 features
    assert.throws(() => rnn.sequential({ inputShape: [5, 2] }, [rnn.bidirectional(rnn.lstm({ units: 3 }), { name: "bi" }), rnn.gru({ units: 3 })]),
      /Layer "bi" \(Bidirectional\) returns only its last step \(None, 6\); give the layer it wraps returnSequences: true/);
  });

  it("the layers passed as the first argument of rnn.sequential get the call's shape, not 'unknown option \"0\"'", () => {
    assert.throws(() => (rnn.sequential as unknown as (l: rnn.Layer[]) => unknown)([rnn.dense({ units: 1 })]),
      /rnn\.sequential takes the options first and the layers second: rnn\.sequential\(\{ inputShape: \[timesteps, features\] \}, \[layers…\]\)/);
  });

  it("a target that does not fit the output names both shapes", async () => {
    const m = rnn.sequential({ inputShape: [3, 2] }, [rnn.lstm({ units: 2 }), rnn.dense({ units: 1 })]);
    await assert.rejects(m.fit(rnn.zeros([4, 3, 2]), rnn.zeros([4, 2]), { loss: "mse" }), /target shape \(4, 2\) does not match the output; expected \(4, 1\)/);
  });

  it("unknown options are rejected with the list of valid ones", async () => {
    assert.throws(() => rnn.dense({ units: 1, activaton: "relu" } as never), /rnn\.dense: unknown option "activaton"; valid options: units, activation, useBias/);
    assert.throws(() => rnn.lstm({ units: 4, returnSequence: true } as never), /unknown option "returnSequence"; valid options: .*returnSequences/);
    assert.throws(() => rnn.sequential({ input_shape: [3, 2] } as never, [rnn.dense({ units: 1 })]), /rnn\.sequential: unknown option "input_shape"; valid options: inputShape, name, dtype, seed/);
    const m = rnn.sequential({ inputShape: [2] }, [rnn.dense({ units: 1 })]);
    await assert.rejects(m.fit(rnn.zeros([2, 2]), rnn.zeros([2, 1]), { loss: "mse", epoch: 3 } as never), /fit: unknown option "epoch"; valid options: epochs, batchSize, loss/);
    await assert.rejects(m.fit(rnn.zeros([2, 2]), rnn.zeros([2, 1]), { loss: "sparse_categorical_crossentropy" } as never),
      /unknown loss "sparse_categorical_crossentropy"; valid losses: mse, crossEntropy, binaryCrossEntropy/);
    assert.throws(() => rnn.callbacks.earlyStopping({ patiense: 2 } as never), /unknown option "patiense"; valid options: patience/);
  });

  it("NaN in the loss stops fit naming epoch and batch, suggesting clipNorm or a lower lr, keeping the last finite weights", async () => {
    const x = rnn.tensor([[1], [2], [3], [4], [5], [6], [7], [8]]);
    const y = rnn.tensor([[1], [2], [3], [4], [NaN], [6], [7], [8]]); // sample 4 → batch 3 of 4 with batchSize 2, no shuffling
    const m = rnn.sequential({ inputShape: [1] }, [rnn.dense({ units: 1 })]);
    let afterBatch2: number[] = [];
    const error = await m.fit(x, y, {
      epochs: 2, batchSize: 2, loss: "mse", optimizer: rnn.sgd({ lr: 0.01 }), shuffle: false,
      onBatchEnd: ({ batch }) => { if (batch === 2) afterBatch2 = m.getWeights().flatMap((t) => Array.from(t.data)); },
    }).then(() => undefined, (e: Error & { history?: rnn.History }) => e);
    assert.ok(error, "fit rejected");
    assert.match(error.message, /the loss became NaN at epoch 1, batch 3 of 4/);
    assert.match(error.message, /clipNorm/);
    assert.match(error.message, /lower learning rate \(the optimizer's lr is 0\.01\)/);
    assert.deepEqual(m.getWeights().flatMap((t) => Array.from(t.data)), afterBatch2, "weights are those after the last finite batch");
    assert.deepEqual(error.history?.batchLoss.length, 2);
  });

  it("a diverging learning rate is stopped at the first non-finite loss or gradient", async () => {
    const { x, y } = rnn.datasets.sine({ samples: 64, timesteps: 5, seed: 1 });
    const m = rnn.sequential({ inputShape: [5, 1] }, [rnn.simpleRNN({ units: 8, activation: "relu" }), rnn.dense({ units: 1 })]);
    await assert.rejects(m.fit(x, y, { epochs: 50, batchSize: 8, loss: "mse", optimizer: rnn.sgd({ lr: 1e6 }) }),
      /fit stopped: (the loss became (NaN|Infinity)|a gradient became NaN or infinite|the update made a weight NaN or infinite) at epoch \d+, batch \d+ of 8\..*clipNorm.*lower learning rate/s);
    for (const t of m.getWeights()) for (const v of t.data) assert.ok(Number.isFinite(v), "kept weights are finite");
  });

  it("an update that overflows the weights is undone and reported (finite loss and gradients, lr 1e38)", async () => {
    const m = rnn.sequential({ inputShape: [1] }, [rnn.dense({ units: 1 })]);
    // Zero weights, so the gradient does not depend on which random draw the model got: with w = b = 0,
    // ∂L/∂w = mean(2·(0 − y)·x) = (−2·10·3 + 2·10·4) / 2 = 10.
    m.setWeights([rnn.zeros([1, 1]), rnn.zeros([1])]);
    const before = m.getWeights().flatMap((t) => Array.from(t.data));
    // float32 max ≈ 3.4e38: one SGD step of 1e38 × a gradient of 10 overflows
    await assert.rejects(m.fit(rnn.tensor([[3], [4]]), rnn.tensor([[10], [-10]]), { loss: "mse", optimizer: rnn.sgd({ lr: 1e38 }) }),
      /the update made a weight NaN or infinite at epoch 1, batch 1 of 1\..*clipNorm/s);
    assert.deepEqual(m.getWeights().flatMap((t) => Array.from(t.data)), before);
  });
});

describe("interruption", () => {
  it("abort resolves at the batch boundary with interrupted = true and keeps the weights learned", async () => {
    const { x, y } = rnn.datasets.sine({ samples: 64, timesteps: 8, seed: 2 });
    const m = rnn.sequential({ inputShape: [8, 1] }, [rnn.lstm({ units: 4 }), rnn.dense({ units: 1 })]);
    const initial = m.getWeights().map((t) => Array.from(t.data));
    const controller = new AbortController();
    let atAbort: number[][] = [];
    const h = await m.fit(x, y, {
      epochs: 5, batchSize: 16, loss: "mse", signal: controller.signal,
      onBatchEnd: ({ epoch, batch }) => {
        if (epoch === 2 && batch === 1) {
          controller.abort();
          atAbort = m.getWeights().map((t) => Array.from(t.data));
        }
      },
    });
    assert.equal(h.interrupted, true);
    assert.deepEqual(h.epoch, [1], "only the finished epoch is reported");
    assert.equal(h.batchLoss.length, 4 + 1); // 64/16 = 4 batches in epoch 1, then 1 batch of epoch 2
    assert.deepEqual(m.getWeights().map((t) => Array.from(t.data)), atAbort, "weights as at the abort");
    assert.notDeepEqual(atAbort, initial, "training had changed them");
  });

  it("an abort from outside (a timer, like the kernel's interrupt message) gets through because fit yields", async () => {
    const { x, y } = rnn.datasets.sine({ samples: 256, timesteps: 20, seed: 3 });
    const m = rnn.sequential({ inputShape: [20, 1] }, [rnn.lstm({ units: 16 }), rnn.dense({ units: 1 })]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const t0 = Date.now();
    const h = await m.fit(x, y, { epochs: 1000, batchSize: 32, loss: "mse", signal: controller.signal });
    assert.equal(h.interrupted, true);
    assert.ok(h.batchLoss.length > 0 && h.batchLoss.length < 1000 * 8);
    assert.ok(Date.now() - t0 < 10000, "stopped long before 1000 epochs");
  });
});
