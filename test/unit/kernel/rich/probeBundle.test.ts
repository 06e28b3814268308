// The flight recorder's part of the training output (src/kernel/rich/probeBundle.ts through
// trainingBundle): the final output carries every kept snapshot, the live one only the latest
// LIVE_SNAPSHOTS; a snapshot's gates are what rnn.show.gates draws for the same recording; the whole
// bundle stays within the output budget by pooling; the payload passes the renderer's validation.
import * as assert from "node:assert/strict";
import * as rnn from "../../../../src/engine/index";
import { bundleBytes, createShow, historyProgress, trainingBundle } from "../../../../src/kernel/rich/index";
import { LIVE_SNAPSHOTS } from "../../../../src/kernel/rich/probeBundle";
import { MIME, type MimeBundle } from "../../../../src/shared/mime";
import type { GatesPayload, TrainingPayload } from "../../../../src/shared/payloads";
import { validateTraining } from "../../../../src/shared/validate";

const T = 9, F = 2, N = 20;
const x = rnn.tensor(Float32Array.from({ length: N * T * F }, (_, i) => Math.sin(i * 0.23)), [N, T, F]);
const y = rnn.tensor(Float32Array.from({ length: N }, (_, i) => Math.cos(i)), [N, 1]);

async function trained(units = 6, epochs = 4) {
  const model = rnn.sequential({ inputShape: [T, F], seed: 2, name: "rec" }, [rnn.lstm({ units, returnSequences: true }), rnn.gru({ units: 3 }), rnn.dense({ units: 1 })]);
  const progress: rnn.FitProgress[] = [];
  // 20 samples / 4 = 5 batches × 4 epochs = 20 steps; every 2 → snapshots at 0, 2, …, 20 (11).
  const history = await model.fit(x, y, { epochs, batchSize: 4, loss: "mse", probe: { x: x.slice(0, 2), y: y.slice(0, 2), every: 2 },
    onProgress: (p) => { if (p.status === "running") progress.push({ ...p }); } });
  return { model, history, progress };
}

describe("rich: the flight recorder in the training output", () => {
  it("the final output holds every kept snapshot; each layer's gates equal rnn.show.gates of that recording", async () => {
    const { model, history } = await trained();
    const b = trainingBundle(historyProgress(history));
    const p = (b[MIME.training] as TrainingPayload).probe!;
    assert.deepEqual(p.steps, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    assert.equal(p.snapshots.length, 11);
    assert.equal(p.omitted, undefined);
    assert.equal(p.batches, 5);
    assert.deepEqual(p.layers.map((l) => [l.type, l.meanGate?.gate]), [["lstm", "f"], ["gru", "z"]]);
    // The last snapshot is of the final weights: rnn.show.gates(model, probe x) draws the same panels.
    const shown: MimeBundle[] = [];
    createShow({ display: (bundle) => { shown.push(bundle); }, maxBytes: 2_000_000 }).gates(model, x.slice(0, 2), { layer: 0 });
    const direct = shown[0][MIME.gates] as GatesPayload;
    const last = p.snapshots[10].gates[0];
    assert.deepEqual(last.panels.map((q) => q.values), direct.panels.map((q) => q.values));
    // The mean forget gate of a snapshot is the mean of its full f panel (9 × 6, not pooled), to 4 significant digits.
    const f = history.probe!.snapshots[10].recording.layers[0].gates.f!.data;
    const mean = Array.from(f).reduce((a, v) => a + v, 0) / f.length;
    assert.equal(p.layers[0].meanGate!.values[10], Number(mean.toPrecision(4)));
    assert.equal(p.snapshots[10].gradNorms!.series.length, 3, "LSTM h and c, GRU h");
    assert.match(b["text/plain"] as string, /\nFlight recorder: 11 snapshots, every 2 batches; lstm\S* mean forget gate .* → .*; gru\S* mean update gate/);
    assert.doesNotThrow(() => validateTraining(b[MIME.training]));
  });

  it(`while running only the latest ${LIVE_SNAPSHOTS} snapshots are sent, the mean-gate line still covers all kept steps`, async () => {
    const { history } = await trained();
    const running = { ...historyProgress(history), status: "running" as const };
    const p = (trainingBundle(running)[MIME.training] as TrainingPayload).probe!;
    assert.equal(p.snapshots.length, LIVE_SNAPSHOTS);
    assert.deepEqual(p.snapshots.map((s) => s.step), [14, 16, 18, 20]);
    assert.equal(p.omitted, 11 - LIVE_SNAPSHOTS);
    assert.equal(p.layers[0].meanGate!.values.length, 11);
  });

  it("a big recording is pooled to fit the output budget, and still validates", async () => {
    const { history } = await trained(48, 2);
    const full = trainingBundle(historyProgress(history));
    const maxBytes = 60_000;
    const small = trainingBundle(historyProgress(history), { maxBytes });
    assert.ok(bundleBytes(full) > maxBytes, `the unpooled output is bigger than the budget: ${bundleBytes(full)}`);
    assert.ok(bundleBytes(small) <= maxBytes, `${bundleBytes(small)} ≤ ${maxBytes}`);
    const p = validateTraining(small[MIME.training]).probe!;
    assert.ok(p.snapshots.length > 0);
    assert.ok(p.snapshots[0].gates[0].units < 48, `units pooled: ${p.snapshots[0].gates[0].units}`);
    assert.equal(p.snapshots[0].gates[0].trueShape.units, 48);
  });
});
