// The trainer's safety nets in fit (src/engine/fit.ts): resuming with initialEpoch from a checkpoint
// (weights + optimizer state, src/engine/serialize.ts) reproduces the uninterrupted run bit for bit.
// Files go through a small in-memory host (a real HostFiles over a Map), as in host.test.ts.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { differingKeys, fitConfig } from "../../../src/engine/runs";
import { useMemoryFiles, weightsOf } from "../../support/memoryFiles";

const data = rnn.datasets.sine({ samples: 40, timesteps: 6, seed: 3 });

/** An LSTM with dropout between layers, so both the shuffling and the dropout Rng matter. */
function makeModel(): rnn.Sequential {
  return rnn.sequential({ inputShape: [6, 1], seed: 7 }, [
    rnn.lstm({ units: 5, returnSequences: true }), rnn.dropout({ rate: 0.3 }), rnn.gru({ units: 4 }), rnn.dense({ units: 1 }),
  ]);
}

const options = (epochs: number, optimizer: rnn.Optimizer, initialEpoch = 0): rnn.FitOptions => ({
  epochs, initialEpoch, batchSize: 16, loss: "mse", optimizer, seed: 11, lrSchedule: rnn.schedules.exponential({ gamma: 0.7 }),
});

describe("fit: resume with initialEpoch", function () {
  this.timeout(60000); // hang guard only; every fit is a few epochs of a tiny model
  useMemoryFiles();

  for (const [name, make] of [["adam", () => rnn.adam({ lr: 0.02 })], ["sgd with momentum", () => rnn.sgd({ lr: 0.05, momentum: 0.9 })],
    ["rmsprop (centered, momentum)", () => rnn.rmsprop({ lr: 0.005, centered: true, momentum: 0.5 })]] as const) {
    it(`${name}: fit 6 epochs = fit 3, save with the optimizer, load into a fresh model, fit epochs 4–6 (bit for bit)`, async () => {
      const whole = makeModel();
      const h6 = await whole.fit(data.x, data.y, options(6, make()));

      const first = makeModel();
      const optimizer = make();
      const h3 = await first.fit(data.x, data.y, options(3, optimizer));
      first.save("ckpt.rnnmodel", { optimizer });

      const resumed = rnn.load("ckpt.rnnmodel");
      const restored = rnn.loadOptimizer("ckpt.rnnmodel", resumed);
      assert.equal(restored.steps, optimizer.steps, "the step count is saved");
      assert.equal(restored.steps, 9, "3 epochs × ⌈40 / 16⌉ = 3 batches");
      const rest = await resumed.fit(data.x, data.y, options(6, restored, 3));

      assert.deepEqual(rest.epoch, [4, 5, 6]);
      assert.deepEqual([...h3.loss, ...rest.loss], h6.loss, "per-epoch losses identical");
      assert.deepEqual([...h3.batchLoss, ...rest.batchLoss], h6.batchLoss, "per-batch losses identical");
      assert.deepEqual([...h3.lr!, ...rest.lr!], h6.lr, "epoch e's scheduled rate");
      assert.deepEqual(weightsOf(resumed), weightsOf(whole), "weights identical (===, element by element)");
    });
  }

  it("without the optimizer state the resumed run differs (the test can fail)", async () => {
    const whole = makeModel();
    await whole.fit(data.x, data.y, options(6, rnn.adam({ lr: 0.02 })));
    const first = makeModel();
    await first.fit(data.x, data.y, options(3, rnn.adam({ lr: 0.02 })));
    const rest = rnn.modelFromBytes(first.toBytes());
    await rest.fit(data.x, data.y, options(6, rnn.adam({ lr: 0.02 }), 3));
    assert.notDeepEqual(weightsOf(rest), weightsOf(whole));
  });

  it("a file without optimizer state says so; initialEpoch is checked; old readers' layout is unchanged", async () => {
    const m = makeModel();
    assert.throws(() => rnn.optimizerFromBytes(m.toBytes(), m), /holds no optimizer state; save it with model\.save\(path, \{ optimizer \}\)/);
    await assert.rejects(m.fit(data.x, data.y, { loss: "mse", epochs: 2, initialEpoch: 3 }), /initialEpoch must be an integer from 0 to epochs \(2\), got 3/);
    // The optimizer section goes after the weights: the weights part of the file is byte for byte the plain file.
    const plain = m.toBytes();
    const withState = m.toBytes({ optimizer: rnn.adam() });
    assert.equal(new DataView(withState.buffer).getUint32(8, true), 1, "still format version 1");
    const weightsAt = (b: Uint8Array) => 16 + new DataView(b.buffer).getUint32(12, true);
    const nWeights = plain.length - weightsAt(plain);
    assert.deepEqual(withState.subarray(weightsAt(withState), weightsAt(withState) + nWeights), plain.subarray(weightsAt(plain)));
  });
});

describe("fit: overfitBatches", function () {
  this.timeout(60000); // hang guard only; bounded by epochs

  it("trains on the first n batches only, in order, every epoch: the same run as fit on those samples without shuffling", async () => {
    const a = makeModel();
    const ha = await a.fit(data.x, data.y, { epochs: 3, batchSize: 8, loss: "mse", seed: 2, overfitBatches: 2 });
    const b = makeModel();
    const hb = await b.fit(data.x.slice(0, 16), data.y.slice(0, 16), { epochs: 3, batchSize: 8, loss: "mse", seed: 2, shuffle: false });
    assert.equal(ha.batchesPerEpoch, 2);
    assert.deepEqual(ha.batchLoss, hb.batchLoss);
    assert.deepEqual(weightsOf(a), weightsOf(b));
    await assert.rejects(makeModel().fit(data.x, data.y, { loss: "mse", overfitBatches: 0 }), /overfitBatches/);
  });

  it("a tiny LSTM overfits one batch: its loss falls near 0 within 150 epochs", async () => {
    const m = rnn.sequential({ inputShape: [6, 1], seed: 1 }, [rnn.lstm({ units: 8 }), rnn.dense({ units: 1 })]);
    const h = await m.fit(data.x, data.y, { epochs: 150, batchSize: 8, loss: "mse", optimizer: rnn.adam({ lr: 0.01 }), seed: 1, overfitBatches: 1 });
    assert.equal(h.batchLoss.length, 150, "one batch per epoch");
    // Measured with this seed: 0.366 at epoch 1, 0.0104 at 50, 5.2e-4 at 100, 3.3e-4 at 150. The bound 0.01 leaves a 30× margin.
    assert.ok(h.loss[0] > 0.1, `starts far from 0: ${h.loss[0]}`);
    assert.ok(h.loss[149] < 0.01, `after 150 epochs on one batch: ${h.loss[149]}`);
  });
});

describe("fit: the new options in a run's configuration", () => {
  it("two fits differing only in overfitBatches / initialEpoch differ in exactly that key", () => {
    const base = { loss: "mse" as const, epochs: 6 };
    assert.deepEqual(differingKeys([{ config: fitConfig(base) }, { config: fitConfig({ ...base, overfitBatches: 1 }) }]), ["overfitBatches"]);
    assert.deepEqual(differingKeys([{ config: fitConfig(base) }, { config: fitConfig({ ...base, initialEpoch: 3 }) }]), ["initialEpoch"]);
  });
});
