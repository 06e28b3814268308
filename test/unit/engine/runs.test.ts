// Run records of fits, the keys in which runs differ, and TensorBoard's debiased smoothing (its
// scalar chart's formula, worked by hand below).
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { differingKeys, downsample, fitConfig, plainConfig, RunLog, runRecord, smoothEma } from "../../../src/engine/runs";

function data(): { x: number[][][]; y: number[][] } {
  const g = new rnn.Rng(4);
  const x = Array.from({ length: 24 }, () => Array.from({ length: 6 }, () => [g.normal()]));
  return { x, y: x.map((s) => [s.reduce((a, v) => a + v[0], 0)]) };
}
const model = () => rnn.sequential({ inputShape: [6, 1], seed: 1 }, [rnn.lstm({ units: 3 }), rnn.dense({ units: 1 })]);

describe("run records", () => {
  it("two fits that differ only in clipNorm differ in exactly [\"clipNorm\"]", async () => {
    const { x, y } = data();
    const base = { loss: "mse" as const, epochs: 3, batchSize: 8, optimizer: rnn.adam({ lr: 0.01 }), seed: 2 };
    const runs = [];
    for (const [i, extra] of [{}, { clipNorm: 0.1 }].entries()) {
      const options = { ...base, ...extra, optimizer: rnn.adam({ lr: 0.01 }) };
      const m = model();
      const history = await m.fit(x, y, options);
      runs.push(runRecord({ id: `run ${i + 1}`, model: { name: m.name, type: "Sequential", totalParams: m.countParams() }, options, history }));
    }
    assert.deepEqual(differingKeys(runs), ["clipNorm"]);
    assert.equal(runs[0].config.clipNorm, null, "left out: written as fit's default");
    assert.equal(runs[1].config["optimizer.beta2"], 0.999, "the optimizer's settings, flat");
    // clipNorm 0.1 is below these gradients' norms (the first batch's pre-clip norm is printed on failure)
    assert.ok(runs[1].clip && runs[1].clip.clipped > 0, JSON.stringify(runs[1].clip));
    assert.equal(runs[0].clip, undefined, "no clipping, no gradient norms recorded");
  });

  it("keeps every epoch's metrics, the learning rates, and the per-batch loss within the cap", async () => {
    const { x, y } = data();
    const m = model();
    const options = { loss: "mse" as const, epochs: 4, batchSize: 4, validationSplit: 0.25, lrSchedule: rnn.schedules.step({ stepSize: 2 }) };
    const history = await m.fit(x, y, options);
    const r = runRecord({ id: "r", model: { name: m.name, type: "Sequential", totalParams: m.countParams() }, options, history, maxBatches: 5 });
    assert.deepEqual(r.epochs.loss, history.loss);
    assert.deepEqual(r.epochs.valLoss, history.valLoss);
    assert.deepEqual(r.epochs.lr, history.lr);
    assert.equal(r.config.lrSchedule, "step");
    assert.equal(r.config["lrSchedule.stepSize"], 2);
    // 18 training samples / batch 4 = 5 batches per epoch, 20 in all; at most 5 points → blocks of 4
    assert.equal(r.batches.total, 20);
    assert.equal(r.batches.every, 4);
    assert.equal(r.batches.loss.length, 5);
    assert.ok(Math.abs(r.batches.loss[0] - history.batchLoss.slice(0, 4).reduce((a, v) => a + v, 0) / 4) < 1e-12);
    assert.equal(JSON.stringify(JSON.parse(JSON.stringify(r))), JSON.stringify(r), "plain JSON");
  });

  it("differingKeys: a key only one run has is a difference; fitConfig fills fit's defaults", () => {
    assert.deepEqual(differingKeys([{ config: { a: 1, b: 2 } }, { config: { a: 1, b: 2, c: 3 } }]), ["c"]);
    assert.deepEqual(differingKeys([{ config: { a: 1 } }, { config: { a: 1 } }]), []);
    const c = fitConfig({ loss: "mse" });
    assert.deepEqual([c.epochs, c.batchSize, c.shuffle, c.seed, c.optimizer], [1, 32, true, 0, "adam"]);
  });

  it("downsample: block means, the last block shorter", () => {
    assert.deepEqual(downsample([1, 2, 3, 4, 5, 6, 7], 3), { every: 3, values: [2, 5, 7] });
    assert.deepEqual(downsample([1, 2], 5), { every: 1, values: [1, 2] });
  });
});

describe("smoothEma: TensorBoard's debiased exponential moving average", () => {
  it("matches the formula worked by hand", () => {
    // w = 0.5: last = 0.5·last + 0.5·v, shown as last / (1 − 0.5ⁿ)
    // n=1: 0.5/0.5 = 1; n=2: 1.25/0.75 = 5/3; n=3: 2.125/0.875 = 17/7
    const got = smoothEma([1, 2, 3], 0.5);
    [1, 5 / 3, 17 / 7].forEach((want, i) => assert.ok(Math.abs(got[i] - want) < 1e-12, `${got[i]} vs ${want}`));
  });

  it("passes non-finite points through, keeps a constant series, weight 0 is the data", () => {
    const got = smoothEma([2, NaN, 4], 0.5);
    assert.ok(Number.isNaN(got[1]));
    // NaN skipped: the second finite point is n = 2 → (0.5·1 + 0.5·4)/0.75 = 2.5/0.75
    assert.ok(Math.abs(got[2] - 2.5 / 0.75) < 1e-12);
    assert.deepEqual(smoothEma([3, 3, 3], 0.9), [3, 3, 3]);
    assert.deepEqual(smoothEma([1, 5, 2], 0), [1, 5, 2]);
    assert.throws(() => smoothEma([1], 1), /smoothing must be in \[0, 1\), got 1/);
  });
});

describe("RunLog: a module loop's run", () => {
  it("keeps per-step series as block means, explicit steps, and per-epoch values", () => {
    let t = 1000;
    const log = new RunLog({ name: "m", type: "loop", totalParams: 5 }, { lr: 0.1 }, () => t);
    for (let s = 1; s <= 7; s++) log.log({ loss: s, acc: 10 * s }, { step: 10 * s });
    log.log({ loss: 0.5 }, { epoch: 1 });
    t = 1250;
    const r = log.record("run 9", false, 3);
    // 7 points, at most 3 → blocks of ⌈7/3⌉ = 3: means of 1..3, 4..6, 7
    assert.deepEqual(r.batches, { every: 3, method: "block mean", loss: [2, 5, 7], total: 7, metrics: { acc: [20, 50, 70] }, steps: [10, 40, 70] });
    assert.deepEqual(r.epochs, { loss: [0.5] });
    assert.equal(r.wallTimeMs, 250);
    assert.equal(r.endedAt, new Date(1250).toISOString());
    assert.throws(() => log.log({ loss: 1 }, { step: 70 }), /step must be an integer > 70/);
    assert.throws(() => log.log({ loss: 1 }, { epoch: 0 }), /epoch must be an integer ≥ 1/);
  });

  it("plainConfig keeps JSON scalars, writes arrays and plain objects as JSON text, refuses the rest", () => {
    assert.deepEqual(plainConfig({ a: 1, b: "x", c: null, d: [1, 2], e: { k: true }, f: undefined }, "t"), { a: 1, b: "x", c: null, d: "[1,2]", e: '{"k":true}' });
    assert.throws(() => plainConfig({ g: () => 1 }, "rnn.runs.start"), /rnn\.runs\.start: config "g" must be plain JSON/);
  });
});
