// The training flight recorder (src/engine/probe.ts through fit.ts's `probe` option): snapshots equal
// a direct model.record of the weights at that step, training is bit-identical with and without the
// probe (dropout on, so an Rng draw would show), the snapshot count is bounded with the stride
// doubling, and bad options fail with messages naming the problem.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { fitConfig } from "../../../src/engine/runs";

const T = 7, F = 3, N = 24;
/** Seeded, deterministic data: sin/cos waves (any fixed numbers would do; these vary over t and samples). */
const xData = rnn.tensor(Float32Array.from({ length: N * T * F }, (_, i) => Math.sin(i * 0.31) + 0.5 * Math.cos(i * 0.07)), [N, T, F]);
const yData = rnn.tensor(Float32Array.from({ length: N * 2 }, (_, i) => Math.cos(i * 0.9)), [N, 2]);

const lstmModel = (dropout = 0) => rnn.sequential({ inputShape: [T, F], seed: 5, name: "probed" },
  [rnn.lstm({ units: 5, returnSequences: true, dropout, recurrentDropout: dropout }), rnn.gru({ units: 4 }), rnn.dense({ units: 2 })]);

/** Max |a − b| over two arrays of equal length. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("fit probe: the training flight recorder", () => {
  const probeX = xData.slice(0, 3), probeY = yData.slice(0, 3);

  it("snapshots equal model.record of a copy of the weights taken at that step (batch 0, every 4 batches, the end)", async () => {
    const model = lstmModel();
    // 24 samples / batch 5 = 5 batches per epoch, 3 epochs = 15 steps: snapshots at 0, 4, 8, 12 and the end (15).
    const copies = new Map<number, rnn.Tensor[]>([[0, model.getWeights().map((w) => w.clone())]]);
    let step = 0;
    const h = await model.fit(xData, yData, {
      epochs: 3, batchSize: 5, loss: "mse", seed: 1, probe: { x: probeX, y: probeY, every: 4 },
      onBatchEnd: () => { step++; copies.set(step, model.getWeights().map((w) => w.clone())); },
    });
    const p = h.probe!;
    assert.deepEqual(p.snapshots.map((s) => s.step), [0, 4, 8, 12, 15]);
    assert.deepEqual(p.snapshots.map((s) => [s.epoch, s.batch]), [[1, 0], [1, 4], [2, 3], [3, 2], [3, 5]]);
    assert.equal(p.stride, 4);
    assert.equal(p.probeSize, 3);
    assert.equal(p.gradNorms, true);
    const twin = lstmModel();
    for (const s of p.snapshots) {
      twin.setWeights(copies.get(s.step)!);
      const direct = twin.record(probeX, probeY, { loss: "mse" });
      assert.equal(s.recording.layers.length, 2, "the LSTM and the GRU");
      assert.equal(s.recording.loss, direct.loss);
      s.recording.layers.forEach((l, k) => {
        const d = direct.layers[k];
        assert.equal(l.index, d.index);
        assert.equal(l.type, d.type);
        assert.deepEqual(Object.keys(l.gates), Object.keys(d.gates));
        for (const g of Object.keys(d.gates) as (keyof typeof d.gates)[]) assert.equal(maxDiff(l.gates[g]!.data, d.gates[g]!.data), 0, `step ${s.step} ${l.name} ${g}`);
        assert.equal(maxDiff(l.gradNorms!.h, d.gradNorms!.h), 0);
        if (d.gradNorms!.c) assert.equal(maxDiff(l.gradNorms!.c!, d.gradNorms!.c), 0);
      });
    }
    // The snapshots changed over training (the recording is not of the starting weights every time).
    assert.ok(maxDiff(p.snapshots[0].recording.layers[0].gates.f!.data, p.snapshots[4].recording.layers[0].gates.f!.data) > 1e-4);
  });

  it("training is bit-identical with and without the probe (dropout and recurrent dropout on, shuffling on)", async () => {
    const opts = { epochs: 3, batchSize: 5, loss: "mse" as const, seed: 3, clipNorm: 1 };
    const a = lstmModel(0.3), b = lstmModel(0.3);
    const ha = await a.fit(xData, yData, opts);
    const hb = await b.fit(xData, yData, { ...opts, probe: { x: probeX, y: probeY, every: 1 } });
    assert.equal(hb.probe!.snapshots.length, 16, "batch 0 and after each of the 15 batches");
    assert.deepEqual(hb.batchLoss, ha.batchLoss);
    assert.deepEqual(hb.loss, ha.loss);
    assert.deepEqual(hb.preClipNorm, ha.preClipNorm);
    a.getWeights().forEach((w, i) => assert.equal(maxDiff(w.data, b.getWeights()[i].data), 0, `weight ${i}`));
  });

  it("bounded: at most maxSnapshots; when full every other one goes and the stride doubles", async () => {
    const model = lstmModel();
    // 5 batches × 6 epochs = 30 steps, every 1, max 8: strides 1 → 2 → 4 (steps 0..7 fill it at step 7;
    // step 8 thins to 0,2,4,6 at stride 2; … step 16 thins to 0,4,8,12 at stride 4; then 16, 20, 24, 28 fill it;
    // the end (30) thins again to 0, 8, 16, 24 at stride 8 and is appended.
    const h = await model.fit(xData, yData, { epochs: 6, batchSize: 5, loss: "mse", probe: { x: probeX, every: 1, maxSnapshots: 8 } });
    const p = h.probe!;
    assert.deepEqual(p.snapshots.map((s) => s.step), [0, 8, 16, 24, 30]);
    assert.equal(p.stride, 8);
    assert.equal(p.thinned, 3);
    assert.equal(p.maxSnapshots, 8);
    assert.equal(p.gradNorms, false, "without probe.y: gates only");
    assert.equal(p.snapshots[0].recording.layers[0].gradNorms, undefined);
    assert.equal(p.snapshots[0].recording.loss, undefined);
  });

  it("an interrupted fit still records its last weights", async () => {
    const signal = { aborted: false };
    let batches = 0;
    // Abort after the 7th batch: fit stops at the next batch boundary, having trained 7 batches.
    const h = await lstmModel().fit(xData, yData, { epochs: 3, batchSize: 5, loss: "mse", signal, probe: { x: probeX, every: 3 },
      onBatchEnd: () => { if (++batches === 7) signal.aborted = true; } });
    assert.equal(h.interrupted, true);
    assert.deepEqual(h.probe!.snapshots.map((s) => [s.step, s.epoch, s.batch]), [[0, 1, 0], [3, 1, 3], [6, 2, 1], [7, 2, 2]]);
  });

  it("the default maxSnapshots is 64", async () => {
    const h = await lstmModel().fit(xData, yData, { epochs: 1, batchSize: 5, loss: "mse", probe: { x: probeX } });
    assert.equal(h.probe!.maxSnapshots, 64);
    assert.equal(h.probe!.every, 50);
    assert.deepEqual(h.probe!.snapshots.map((s) => s.step), [0, 5]);
  });

  it("a functional model with two inputs is recorded too", async () => {
    const a = rnn.input({ shape: [T, F], name: "a" });
    const b = rnn.input({ shape: [T, F], name: "b" });
    const enc = rnn.lstm({ units: 3, name: "enc" }).apply(rnn.add().apply([a, b]) as rnn.KerasTensor) as rnn.KerasTensor;
    const m = rnn.model({ inputs: [a, b], outputs: rnn.dense({ units: 2 }).apply(enc) as rnn.KerasTensor, name: "two" });
    const h = await m.fit([xData, xData], yData, { epochs: 1, batchSize: 8, loss: "mse", probe: { x: [probeX, probeX], y: probeY, every: 2 } });
    assert.deepEqual(h.probe!.snapshots.map((s) => s.step), [0, 2, 3]);
    assert.equal(h.probe!.snapshots[1].recording.layers[0].name, "enc");
    assert.equal(h.probe!.snapshots[1].recording.layers[0].gradNorms!.h.length, T);
  });

  it("a model without a recurrent layer: a clear error before any training", async () => {
    const m = rnn.sequential({ inputShape: [T, F], name: "flat" }, [rnn.flatten(), rnn.dense({ units: 2 })]);
    const before = m.getWeights().map((w) => w.clone());
    await assert.rejects(m.fit(xData, yData, { loss: "mse", probe: { x: probeX } }),
      /fit: probe records the recurrent layers' gates, but model "flat" has no recurrent layer \(SimpleRNN, LSTM or GRU\)/);
    m.getWeights().forEach((w, i) => assert.equal(maxDiff(w.data, before[i].data), 0, "untrained"));
  });

  it("probe.x of the wrong shape: the error names the layer and both shapes", async () => {
    await assert.rejects(lstmModel().fit(xData, yData, { loss: "mse", probe: { x: rnn.zeros([2, T, F + 1]) } }),
      /^Error: fit probe\.x: layer "lstm[^"]*" \(LSTM\) of model "probed" expects input shape \(None, 7, 3\) but got \(2, 7, 4\)/);
  });

  it("bad options: unknown keys, every, maxSnapshots, sample counts, missing x", async () => {
    const fit = (probe: unknown) => lstmModel().fit(xData, yData, { loss: "mse", probe: probe as rnn.ProbeOptions });
    await assert.rejects(fit({ x: probeX, evry: 5 }), /fit probe: unknown option "evry"; valid options: x, y, every, maxSnapshots/);
    await assert.rejects(fit({ x: probeX, every: 0 }), /fit probe: every must be a positive integer, got 0/);
    await assert.rejects(fit({ x: probeX, maxSnapshots: 2 }), /fit probe: maxSnapshots must be from 3 to 1000, got 2/);
    await assert.rejects(fit({ x: probeX, y: yData.slice(0, 2) }), /fit: probe\.x has 3 sequences but probe\.y has 2/);
    await assert.rejects(fit({ every: 5 }), /fit: probe\.x is missing/);
    await assert.rejects(fit(5), /fit: probe must be an object/);
  });

  it("the run record's configuration keeps probe.every only (plain JSON, not the probe batch)", () => {
    assert.equal(fitConfig({ loss: "mse" })["probe.every"], null);
    const c = fitConfig({ loss: "mse", probe: { x: probeX, y: probeY, every: 25 } });
    assert.equal(c["probe.every"], 25);
    assert.equal(c.probe, undefined);
    assert.ok(JSON.stringify(c).length < 1000);
  });
});
