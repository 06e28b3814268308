// The sequential container: Keras naming and keys, weights in and out, gradients keyed like weights,
// recordings checked against their definitions, model files, callbacks, truncated BPTT, progress.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { setHost } from "../../../src/engine/host";
import { formatSummaryText } from "../../../src/shared/summaryText";

const flat = (m: rnn.Sequential) => m.getWeights().map((t) => Array.from(t.data));

describe("sequential", () => {
  it("setWeights with nested arrays keeps a float64 model's precision (0.1 is not rounded through float32)", () => {
    const m = rnn.sequential({ inputShape: [2], dtype: "float64" }, [rnn.dense({ units: 1 })]);
    m.setWeights([[[0.1], [0.2]], [0.3]]);
    // 0.1 in float32 is 0.10000000149011612; a float64 weight must hold the double 0.1 exactly
    assert.deepEqual(flat(m), [[0.1, 0.2], [0.3]]);
    (m.layers[0] as rnn.Layer & { setWeights(v: unknown[]): void }).setWeights([[[0.7], [0.8]], [0.9]]);
    assert.deepEqual(flat(m), [[0.7, 0.8], [0.9]]);
    const lin = rnn.nn.Linear(2, 1, { dtype: "float64" });
    lin.loadStateDict({ weight: [[0.1, 0.2]], bias: [0.3] });
    assert.deepEqual(Array.from(lin.stateDict().weight.data), [0.1, 0.2]);
  });

  it("names layers like Keras (per-type counters, global to the session) and keys weights layer/weight", () => {
    rnn.resetLayerNames(); // Keras clear_session(): counters restart
    const a = rnn.sequential({ inputShape: [5, 2] }, [rnn.simpleRNN({ units: 3, returnSequences: true }), rnn.simpleRNN({ units: 3 }), rnn.dense({ units: 1 })]);
    const b = rnn.sequential({ inputShape: [5, 2] }, [rnn.lstm({ units: 3 }), rnn.dense({ units: 1 })]);
    assert.deepEqual(a.layers.map((l) => l.name), ["simple_rnn", "simple_rnn_1", "dense"]); // Keras: simple_rnn, simple_rnn_1, dense
    assert.deepEqual(b.layers.map((l) => l.name), ["lstm", "dense_1"]); // the dense counter is shared across models, as in Keras
    assert.deepEqual([a.name, b.name], ["sequential", "sequential_1"]);
    assert.deepEqual(Object.keys(b.weights), ["lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "dense_1/kernel", "dense_1/bias"]);
    assert.deepEqual(b.layers[0].weights.recurrent_kernel.shape, [3, 12]); // Keras [H, 4H]
  });

  it("layer.weights are views: editing one changes the model's output", () => {
    const m = rnn.sequential({ inputShape: [2] }, [rnn.dense({ units: 1 })]);
    const x = rnn.tensor([[1, 2]]);
    const before = m.predict(x).data[0];
    m.layers[0].weights.bias.data[0] += 1;
    assert.equal(m.predict(x).data[0], before + 1);
  });

  it("setWeights takes Keras get_weights() order or an object keyed like weights, and checks shapes", () => {
    const m = rnn.sequential({ inputShape: [4, 2] }, [rnn.gru({ units: 3, name: "g" }), rnn.dense({ units: 1, name: "d" })]);
    const w = m.getWeights();
    assert.deepEqual(w.map((t) => t.shape), [[2, 9], [3, 9], [2, 9], [3, 1], [1]]); // GRU resetAfter bias [2, 3H] (Keras)
    const other = rnn.sequential({ inputShape: [4, 2], seed: 7 }, [rnn.gru({ units: 3, name: "g" }), rnn.dense({ units: 1, name: "d" })]);
    assert.notDeepEqual(flat(other), flat(m));
    other.setWeights(w);
    assert.deepEqual(flat(other), flat(m));
    other.setWeights(Object.fromEntries(Object.entries(m.weights).map(([k, t]) => [k, t.clone()])));
    assert.deepEqual(flat(other), flat(m));
    assert.throws(() => other.setWeights(w.slice(1)), /expected 5 arrays \(g\/kernel, g\/recurrent_kernel, g\/bias, d\/kernel, d\/bias\), got 4/);
    assert.throws(() => other.setWeights([w[1], w[0], ...w.slice(2)]), /"g\/kernel" has shape \[2, 9\] but got \[3, 9\]/);
  });

  it("computeGradients returns the loss and grads keyed exactly like weights", () => {
    const m = rnn.sequential({ inputShape: [3, 2] }, [rnn.lstm({ units: 2 }), rnn.dense({ units: 1 })]);
    const x = rnn.datasets.sine({ samples: 4, timesteps: 3, seed: 1 }).x.reshape([4, 3, 1]);
    const xs = rnn.tensor(Array.from({ length: 4 }, (_, b) => Array.from({ length: 3 }, (_, t) => [x.get(b, t, 0), 1])));
    const y = rnn.tensor([[0.5], [-0.5], [0.1], [0.2]]);
    const { loss, grads } = m.computeGradients(xs, y, { loss: "mse" });
    assert.deepEqual(Object.keys(grads), Object.keys(m.weights));
    for (const [k, g] of Object.entries(grads)) assert.deepEqual(g.shape, m.weights[k].shape);
    assert.ok(Math.abs(loss - m.evaluate(xs, y, { loss: "mse" }).loss) < 1e-7, "same loss as evaluate (inference mode)");
  });

  it("backwardParams (training) gives backwardPass's parameter gradients bit for bit without computing ∂L/∂x", () => {
    for (const cell of [rnn.lstm, rnn.gru, rnn.simpleRNN]) {
      const m = rnn.sequential({ inputShape: [4, 3] }, [cell({ units: 5, returnSequences: true }), cell({ units: 4 }), rnn.dense({ units: 1 })]);
      const x = rnn.tensor(Array.from({ length: 2 }, (_, b) => Array.from({ length: 4 }, (_, t) => [b - t, 0.5 * t, 0.1 * b])));
      const run = (paramsOnly: boolean) => {
        for (const p of m.params()) p.grad.fill(0);
        m.forwardPass(x, { training: true, rng: new rnn.Rng(0) });
        const dy = rnn.tensor([[1], [-0.5]]);
        if (paramsOnly) m.backwardParams(dy);
        else assert.deepEqual(m.backwardPass(dy).shape, [2, 4, 3]);
        return m.params().map((p) => Array.from(p.grad));
      };
      assert.deepEqual(run(true), run(false)); // the skipped product feeds no parameter gradient
    }
  });

  it("record: gates are [T, H] per gate for one sequence and h at the last step equals the layer's output (definition)", () => {
    const m = rnn.sequential({ inputShape: [6, 2] }, [rnn.lstm({ units: 3 })]);
    const { x } = rnn.datasets.addingProblem({ samples: 2, timesteps: 6, seed: 4 });
    const y = rnn.tensor([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]]);
    const r = m.record(x, y, { loss: "mse" });
    assert.equal(r.layers.length, 1);
    assert.equal(r.batchIndex, 0);
    const rec = r.layers[0];
    assert.equal(rec.index, 0);
    assert.deepEqual(Object.keys(rec.gates), ["i", "f", "g", "o", "c", "h"]); // CELL_FACTS.lstm.gates (layerFacts.ts)
    for (const g of Object.values(rec.gates)) assert.deepEqual(g!.shape, [6, 3]);
    const out = m.predict(x);
    const seq1 = m.record(x, y, { loss: "mse", batchIndex: 1 }).layers[0];
    for (const [b, s] of [[0, rec], [1, seq1]] as const) for (let j = 0; j < 3; j++) assert.equal(s.gates.h!.get(5, j), out.get(b, j));
    // h = o ⊙ tanh(c) (LSTM definition) at every step
    for (let t = 0; t < 6; t++) assert.ok(Math.abs(seq1.gates.h!.get(t, 2) - seq1.gates.o!.get(t, 2) * Math.tanh(seq1.gates.c!.get(t, 2))) < 1e-6);
    assert.equal(rec.gradNorms!.h.length, 6);
    assert.equal(rec.gradNorms!.c!.length, 6);
    assert.ok(r.loss! > 0);
    for (const g of Object.values(m.computeGradients(x, y, { loss: "mse" }).grads)) assert.ok(g.data.some((v) => v !== 0));
  });

  it("record of a bidirectional layer gives both directions in input time order", () => {
    const m = rnn.sequential({ inputShape: [5, 2] }, [rnn.bidirectional(rnn.gru({ units: 2, returnSequences: true }))]);
    const { x } = rnn.datasets.addingProblem({ samples: 1, timesteps: 5, seed: 5 });
    const r = m.record(x);
    assert.deepEqual(r.layers.map((l) => l.direction), ["forward", "backward"]);
    assert.deepEqual(Object.keys(r.layers[0].gates), ["r", "z", "n", "h"]); // CELL_FACTS.gru.gates
    const out = m.predict(x); // [1, 5, 2·2]
    // the backward half of the concatenated output at step t is the backward layer's h at input step t
    for (let t = 0; t < 5; t++) assert.ok(Math.abs(out.get(0, t, 2) - r.layers[1].gates.h!.get(t, 0)) < 1e-6);
  });

  it("bidirectional's backward twin keeps the wrapped layer's initializers, trainable flag and seed", () => {
    const make = (modelSeed: number) => rnn.sequential({ inputShape: [4, 2], seed: modelSeed }, [
      rnn.bidirectional(rnn.lstm({ units: 3, seed: 5, recurrentInitializer: "zeros", trainable: false })),
    ]);
    const a = make(1), b = make(2);
    // keys by position (the second model's layer is auto-named lstm_1): kernel, recurrent_kernel, bias per direction
    const w = (m: rnn.Sequential, i: number) => Array.from(Object.values(m.layers[0].weights)[i].data);
    const [fwd, bwd] = [0, 3];
    assert.match(Object.keys(a.layers[0].weights)[bwd], /^backward_lstm(_\d+)?\/kernel$/);
    // seeded: the same weights whatever the model's seed, and the two directions differ (seed 5 vs 6)
    assert.deepEqual(w(a, bwd), w(b, bwd));
    assert.deepEqual(w(a, fwd), w(b, fwd));
    assert.notDeepEqual(w(a, bwd), w(a, fwd));
    // the initializer reaches the backward half: recurrent_kernel all zeros there too
    assert.ok(w(a, bwd + 1).every((v) => v === 0));
    // frozen wrapped layer → frozen pair: every parameter non-trainable (Keras's summary counts them so)
    const s = a.summary();
    assert.equal(s.trainableParams, 0);
    assert.equal(s.nonTrainableParams, 2 * 4 * (3 * (2 + 3) + 3)); // 2 directions × 4·(H·(I+H) + H), H=3, I=2
  });

  it("truncated BPTT: tbptt ≥ T is full BPTT; tbptt = k stops ∂L/∂h_t before the last window (many-to-one)", () => {
    const T = 8;
    const { x, y } = rnn.datasets.sine({ samples: 4, timesteps: T, seed: 6 });
    const m = rnn.sequential({ inputShape: [T, 1], dtype: "float64" }, [rnn.simpleRNN({ units: 4 }), rnn.dense({ units: 1 })]);
    const full = m.computeGradients(x, y, { loss: "mse" }).grads;
    const same = m.computeGradients(x, y, { loss: "mse", tbptt: T }).grads;
    const cut = m.computeGradients(x, y, { loss: "mse", tbptt: 3 }).grads;
    const key = `${m.layers[0].name}/recurrent_kernel`;
    assert.deepEqual(Array.from(same[key].data), Array.from(full[key].data));
    assert.notDeepEqual(Array.from(cut[key].data), Array.from(full[key].data));
    const norms = m.record(x, y, { loss: "mse", tbptt: 3 }).layers[0].gradNorms!.h;
    for (let t = 0; t < T - 3; t++) assert.equal(norms[t], 0, `no gradient reaches h_${t} across the cut`);
    for (let t = T - 3; t < T; t++) assert.ok(norms[t] > 0);
  });

  it("toBytes/fromBytes rebuilds architecture, names, weights and vocabulary (predictions identical)", () => {
    const emb = rnn.embedding({ inputDim: 9, outputDim: 4 });
    const m = rnn.sequential({ inputShape: [6], name: "lm" }, [emb, rnn.bidirectional(rnn.lstm({ units: 2, returnSequences: true })),
      rnn.dropout({ rate: 0.1 }), rnn.gru({ units: 4, returnSequences: true, resetAfter: false }), rnn.timeDistributed(rnn.dense({ units: 9, tieWeights: emb }))]);
    m.vocab = rnn.text.charVocab("abcdefghi");
    const bytes = m.toBytes();
    assert.equal(String.fromCharCode(...bytes.subarray(0, 8)), "RNNMODEL");
    const back = rnn.modelFromBytes(bytes);
    assert.deepEqual(back.layers.map((l) => l.name), m.layers.map((l) => l.name));
    assert.deepEqual(back.summary().toJSON(), m.summary().toJSON());
    const x = rnn.tensor([[0, 1, 2, 3, 4, 5], [8, 7, 6, 5, 4, 3]]);
    assert.deepEqual(Array.from(back.predict(x).data), Array.from(m.predict(x).data));
    assert.equal(back.sample("abc", { length: 5, seed: 1 }), m.sample("abc", { length: 5, seed: 1 }));
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(8, 99, true);
    assert.throws(() => rnn.modelFromBytes(newer), /version 99 is newer than this engine reads \(2\)/);
  });

  it("toSafetensors/fromSafetensors moves weights by key between models of the same architecture", () => {
    const make = (seed: number) => rnn.sequential({ inputShape: [3, 2], seed }, [rnn.lstm({ units: 2, name: "enc" }), rnn.dense({ units: 1, name: "head" })]);
    const a = make(1), b = make(2);
    b.fromSafetensors(a.toSafetensors());
    assert.deepEqual(flat(b), flat(a));
  });

  it("summary is a SummaryPayload (JSON) whose toString is the shared Keras text", () => {
    const m = rnn.sequential({ inputShape: [20, 6], name: "textbook" }, [rnn.simpleRNN({ units: 16 }), rnn.dense({ units: 1 })]);
    const s = m.summary();
    const payload = JSON.parse(JSON.stringify(s));
    assert.deepEqual(payload, s.toJSON());
    assert.equal(payload.convention, "keras");
    assert.equal(String(s), formatSummaryText(payload));
    m.layers[0].trainable = false; // frozen: counted as non-trainable (Keras)
    assert.deepEqual([m.summary().trainableParams, m.summary().nonTrainableParams], [17, 368]); // dense 16+1; simple_rnn 16·(6+16)+16
  });
});

describe("layer-level counts", () => {
  it("each layer's countParams() and summary() agree with the model's rows (note 000: Dense(1) after 32 features = 33)", () => {
    const emb = rnn.embedding({ inputDim: 50, outputDim: 8 });
    const m = rnn.sequential({ inputShape: [20, 6] }, [rnn.simpleRNN({ units: 32 }), rnn.dense({ units: 1 })]);
    const lm = rnn.sequential({ inputShape: [7] }, [emb, rnn.bidirectional(rnn.lstm({ units: 4, returnSequences: true })), rnn.timeDistributed(rnn.dense({ units: 50 }))]);
    assert.equal((m.layers[1] as unknown as { countParams(): number }).countParams(), 33);
    for (const model of [m, lm]) {
      model.layers.forEach((l, i) => {
        const layer = l as unknown as { countParams(): number; summary(): rnn.Summary };
        assert.equal(layer.countParams(), model.summary().layers[i].params);
      });
    }
    const d = m.layers[1] as unknown as { getWeights(): rnn.Tensor[]; setWeights(w: rnn.TensorLike[]): void };
    d.setWeights([rnn.zeros([32, 1]), rnn.tensor([0.25])]);
    assert.deepEqual(Array.from(m.predict(rnn.zeros([1, 20, 6])).data), [0.25]); // zero kernel → output = bias
    assert.deepEqual(d.getWeights().map((t) => t.shape), [[32, 1], [1]]);
    const row = (lm.layers[0] as unknown as { summary(): rnn.Summary }).summary().layers[0];
    assert.deepEqual([row.params, row.outputShape], [400, [null, 7, 8]]); // 50·8 embeddings, Keras (None, 7, 8)
  });
});

describe("fit options", () => {
  it("earlyStopping({ patience: 1 }) stops after one epoch without improvement (Keras semantics)", async () => {
    const { x, y } = rnn.datasets.sine({ samples: 32, timesteps: 4, seed: 7 });
    const m = rnn.sequential({ inputShape: [4, 1] }, [rnn.simpleRNN({ units: 2 }), rnn.dense({ units: 1 })]);
    const stopper = rnn.callbacks.earlyStopping({ patience: 1 });
    // lr 0: the validation loss can never improve after epoch 1
    const h = await m.fit(x, y, { epochs: 10, loss: "mse", optimizer: rnn.sgd({ lr: 0 }), validationSplit: 0.25, callbacks: [stopper] });
    assert.deepEqual(h.epoch, [1, 2]);
    assert.equal(h.stoppedEarly, true);
    assert.equal(h.valLoss![0], h.valLoss![1]);
  });

  it("earlyStopping({ restoreBestWeights }) puts back the weights of the best epoch", async () => {
    const { x, y } = rnn.datasets.sine({ samples: 32, timesteps: 4, seed: 10 });
    const m = rnn.sequential({ inputShape: [4, 1], seed: 3 }, [rnn.simpleRNN({ units: 3 }), rnn.dense({ units: 1 })]);
    let atEpoch2: number[][] = [];
    const snapshot: rnn.Callback = { onEpochEnd: (epoch) => { if (epoch === 2) atEpoch2 = flat(m); } };
    // after epoch 2 (and after the stopper saved its best weights) the weights are wrecked, so epoch 3 is worse
    const wreck: rnn.Callback = { onEpochEnd: (epoch) => { if (epoch === 2) for (const t of Object.values(m.weights)) t.data.fill(5); } };
    const stopper = rnn.callbacks.earlyStopping({ patience: 1, restoreBestWeights: true });
    const h = await m.fit(x, y, { epochs: 10, loss: "mse", optimizer: rnn.sgd({ lr: 0.01 }), shuffle: false, validationSplit: 0.25, callbacks: [snapshot, stopper, wreck] });
    assert.deepEqual(h.epoch, [1, 2, 3]);
    assert.ok(h.valLoss![1] < h.valLoss![0] && h.valLoss![2] > h.valLoss![1]);
    assert.deepEqual(flat(m), atEpoch2);
  });

  it("clipValue and clipPerTensor in fit: per-batch reports bound the post-clip norm", async () => {
    const { x, y } = rnn.datasets.sine({ samples: 16, timesteps: 4, seed: 9 });
    const m = rnn.sequential({ inputShape: [4, 1], seed: 2 }, [rnn.lstm({ units: 3 }), rnn.dense({ units: 1 })]);
    const n = m.getWeights().reduce((a, t) => a + t.size, 0);
    const byValue = await m.fit(x, y, { epochs: 2, batchSize: 8, loss: "mse", clipValue: 1e-3 });
    for (let i = 0; i < 4; i++) {
      assert.ok(byValue.postClipNorm![i] <= Math.sqrt(n) * 1e-3 + 1e-9, "every element within ±clipValue"); // ‖g‖ ≤ √n·v
      assert.ok(byValue.fractionClipped![i] > 0);
    }
    const perTensor = await m.fit(x, y, { epochs: 2, batchSize: 8, loss: "mse", clipPerTensor: 1e-3 });
    // five weight tensors, each scaled to norm ≤ 1e-3 → global norm ≤ √5·1e-3
    for (const v of perTensor.postClipNorm!) assert.ok(v <= Math.sqrt(5) * 1e-3 + 1e-9);
  });

  it("validationSplit holds out the last samples; metrics accuracy and perplexity for crossEntropy", async () => {
    const x = rnn.tensor(Array.from({ length: 40 }, (_, i) => [i % 2, (i + 1) % 2]));
    const y = rnn.tensor(Array.from({ length: 40 }, (_, i) => i % 2));
    const m = rnn.sequential({ inputShape: [2] }, [rnn.dense({ units: 2 })]);
    const h = await m.fit(x, y, { epochs: 30, batchSize: 8, loss: "crossEntropy", metrics: ["accuracy"], optimizer: rnn.adam({ lr: 0.1 }), validationSplit: 0.2 });
    assert.equal(h.batchesPerEpoch, 4); // 32 training samples / 8
    assert.equal(h.accuracy![29], 1); // linearly separable: one-hot of the parity
    assert.equal(h.valAccuracy![29], 1);
    assert.equal(h.valPerplexity![29], Math.exp(h.valLoss![29]));
    assert.equal(h.batchAccuracy!.length, 30 * 4);
  });

  it("progress reports for the kernel: running, then done with the epoch curves; the host supplies signal and observer", async () => {
    const { x, y } = rnn.datasets.sine({ samples: 32, timesteps: 4, seed: 8 });
    const m = rnn.sequential({ inputShape: [4, 1] }, [rnn.gru({ units: 2 }), rnn.dense({ units: 1 })]);
    const seen: rnn.FitProgress[] = [];
    const controller = new AbortController();
    setHost({ fitSignal: () => controller.signal, observeFit: () => ({ update: (p) => seen.push(p), end: () => undefined }) });
    try {
      const h = await m.fit(x, y, { epochs: 3, batchSize: 8, loss: "mse", recordGradNorms: true });
      const last = seen[seen.length - 1];
      assert.equal(last.status, "done");
      assert.deepEqual([last.epoch, last.epochs, last.batches], [3, 3, 4]);
      assert.deepEqual(last.losses, h.loss);
      assert.equal(last.batchLosses.length, 12);
      assert.equal(last.gradNorms!.preClip.length, 12);
      controller.abort();
      const stopped = await m.fit(x, y, { epochs: 3, loss: "mse" });
      assert.equal(stopped.interrupted, true);
      assert.equal(seen[seen.length - 1].status, "interrupted");
    } finally {
      setHost(undefined);
    }
  });
});
