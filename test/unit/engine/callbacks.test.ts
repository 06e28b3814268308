// rnn.callbacks.modelCheckpoint (src/engine/callbacks.ts): files written after each epoch through the
// host's files, Keras-style path placeholders, saveBestOnly, weights only, and resuming from a written
// checkpoint reproduces the uninterrupted run. Files go through a small in-memory host (a real HostFiles).
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { formatCheckpointPath } from "../../../src/engine/callbacks";
import { resetLayerNames } from "../../../src/engine/layer";
import { useMemoryFiles, weightsOf } from "../../support/memoryFiles";

const data = rnn.datasets.sine({ samples: 40, timesteps: 6, seed: 3 });
const val = rnn.datasets.sine({ samples: 16, timesteps: 6, seed: 4 });

function makeModel(): rnn.Sequential {
  return rnn.sequential({ inputShape: [6, 1], seed: 7 }, [rnn.lstm({ units: 5, returnSequences: true }), rnn.dropout({ rate: 0.3 }), rnn.gru({ units: 4 }), rnn.dense({ units: 1 })]);
}

describe("callbacks.modelCheckpoint", function () {
  this.timeout(60000); // hang guard only; every fit is a few epochs of a tiny model
  const memory = useMemoryFiles();

  it("formats Keras-style placeholders: {epoch}, {epoch:03d}, {loss:.4f}, {valLoss}", () => {
    const logs = { loss: 0.123456, valLoss: 2.5 };
    assert.equal(formatCheckpointPath("m-{epoch}.rnnmodel", 7, logs), "m-7.rnnmodel");
    assert.equal(formatCheckpointPath("m-{epoch:03d}-{loss:.4f}-{valLoss}.rnnmodel", 7, logs), "m-007-0.1235-2.5.rnnmodel");
    assert.throws(() => formatCheckpointPath("m-{accuracy}.rnnmodel", 1, logs), /placeholder \{accuracy\} names no value of this epoch; use \{epoch\} or one of epoch, loss, valLoss/);
    assert.throws(() => formatCheckpointPath("m-{loss:e}.rnnmodel", 1, logs), /unknown format "e"/);
  });

  it("writes a checkpoint after every epoch, named from the epoch's values, and resuming from epoch 3's equals the whole run", async () => {
    const opts = (epochs: number, optimizer: rnn.Optimizer, extra: Partial<rnn.FitOptions> = {}): rnn.FitOptions => ({
      epochs, batchSize: 16, loss: "mse", optimizer, seed: 11, lrSchedule: rnn.schedules.step({ stepSize: 2, gamma: 0.5 }), ...extra,
    });
    const cb = rnn.callbacks.modelCheckpoint({ path: "ckpt/{epoch:02d}-{loss:.4f}.rnnmodel" });
    const whole = makeModel();
    const h = await whole.fit(data.x, data.y, opts(5, rnn.adam({ lr: 0.02 }), { callbacks: [cb] }));
    const expected = h.loss.map((l, i) => `ckpt/${String(i + 1).padStart(2, "0")}-${l.toFixed(4)}.rnnmodel`);
    assert.deepEqual(cb.saved.map((s) => s.path), expected);
    assert.deepEqual([...memory().files.keys()], expected.map((p) => `/${p}`));

    const resumed = rnn.load(expected[2]);
    const optimizer = rnn.loadOptimizer(expected[2], resumed);
    assert.equal(optimizer.lr, 0.02, "the file keeps the base rate, not epoch 3's scheduled 0.01");
    const rest = await resumed.fit(data.x, data.y, opts(5, optimizer, { initialEpoch: 3 }));
    assert.deepEqual(rest.loss, h.loss.slice(3));
    assert.deepEqual(weightsOf(resumed), weightsOf(whole));
  });

  it("saveBestOnly writes only epochs whose monitored valLoss beats every earlier one", async () => {
    const cb = rnn.callbacks.modelCheckpoint({ path: "best-{epoch}.rnnmodel", monitor: "valLoss", saveBestOnly: true });
    // lr 0.1 on this tiny model makes the validation loss bounce, so some epochs are worse than the best before them.
    const h = await makeModel().fit(data.x, data.y, { epochs: 10, batchSize: 8, loss: "mse", optimizer: rnn.adam({ lr: 0.1 }), seed: 1, validationData: [val.x, val.y], callbacks: [cb] });
    const best: number[] = [];
    let low = Infinity;
    h.valLoss!.forEach((v, i) => { if (v < low) { low = v; best.push(i + 1); } });
    assert.deepEqual(cb.saved.map((s) => s.epoch), best);
    assert.ok(best.length < 10, `some epoch must be worse than an earlier one for this test to mean anything: ${h.valLoss}`);
    assert.deepEqual([...memory().files.keys()], best.map((e) => `/best-${e}.rnnmodel`));
    assert.deepEqual(cb.saved.map((s) => s.value), best.map((e) => h.valLoss![e - 1]));
  });

  it("saveWeightsOnly writes safetensors holding that epoch's weights", async () => {
    resetLayerNames(); // the same layer names (the safetensors keys) for both models
    const m = makeModel();
    const cb = rnn.callbacks.modelCheckpoint({ path: "w.safetensors", saveWeightsOnly: true });
    await m.fit(data.x, data.y, { epochs: 2, batchSize: 16, loss: "mse", seed: 1, callbacks: [cb] });
    resetLayerNames();
    const other = makeModel();
    other.loadSafetensors("w.safetensors");
    assert.deepEqual(weightsOf(other), weightsOf(m));
    assert.throws(() => rnn.callbacks.modelCheckpoint({ path: "" }), /path must be a file path/);
    assert.throws(() => rnn.callbacks.modelCheckpoint({ path: "a", monitor: "acc" as never }), /monitor must be "loss" or "valLoss"/);
  });
});
