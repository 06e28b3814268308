// compareRuns (src/engine/runsCompare.ts): real fits compared key by key, the three x axes on records
// whose steps are worked by hand, TensorBoard's smoothing on fixed data, the size bound, and the errors
// that name what exists.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { runRecord, type RunRecord } from "../../../src/engine/runs";
import { compareRuns, TOTAL_POINTS } from "../../../src/engine/runsCompare";
import { runCurve } from "../../../src/shared/runsCurves";
import { validateRuns } from "../../../src/shared/validate";

function data(): { x: number[][][]; y: number[][] } {
  const g = new rnn.Rng(4);
  const x = Array.from({ length: 24 }, () => Array.from({ length: 6 }, () => [g.normal()]));
  return { x, y: x.map((s) => [s.reduce((a, v) => a + v[0], 0)]) };
}

/** A record written by hand: per-epoch loss, and optionally the ledger's per-batch block means. */
function record(id: string, loss: number[], extra: Partial<RunRecord> = {}, config: RunRecord["config"] = {}): RunRecord {
  return {
    id, endedAt: "2026-01-01T00:00:00.000Z", model: { name: "m", type: "Sequential", totalParams: 10 }, config: { epochs: loss.length, ...config },
    epochs: { loss }, batches: { every: 1, method: "block mean", loss: [], total: 0 }, wallTimeMs: 1000, interrupted: false, stoppedEarly: false, ...extra,
  };
}

const close = (got: (number | null)[], want: number[]) =>
  want.forEach((w, i) => assert.ok(got[i] !== null && Math.abs(got[i]! - w) < 1e-12, `[${i}] ${got[i]} vs ${w}`));

describe("compareRuns", () => {
  it("two fits that differ only in clipNorm: differingKeys is exactly [\"clipNorm\"], final losses from the histories", async () => {
    const { x, y } = data();
    const records: RunRecord[] = [];
    const histories: rnn.History[] = [];
    for (const [i, extra] of [{}, { clipNorm: 0.1 }].entries()) {
      const options = { loss: "mse" as const, epochs: 3, batchSize: 8, optimizer: rnn.adam({ lr: 0.01 }), seed: 2, ...extra };
      const m = rnn.sequential({ inputShape: [6, 1], seed: 1 }, [rnn.lstm({ units: 3 }), rnn.dense({ units: 1 })]);
      const history = await m.fit(x, y, options);
      histories.push(history);
      records.push(runRecord({ id: `run ${i + 1}`, model: { name: m.name, type: "Sequential", totalParams: m.countParams() }, options, history }));
    }
    const c = compareRuns(records);
    assert.deepEqual(c.differingKeys, ["clipNorm"]);
    assert.deepEqual(c.payload.differingKeys, ["clipNorm"]);
    assert.deepEqual(c.runs, records);
    assert.deepEqual(c.payload.runs.map((r) => r.id), ["run 1", "run 2"]);
    assert.deepEqual(c.payload.metrics, ["loss", "batchLoss"]);
    // defaults: loss, step, TensorBoard's own default smoothing 0.6
    assert.deepEqual([c.payload.metric, c.payload.x, c.payload.smoothing], ["loss", "step", 0.6]);
    c.payload.runs.forEach((r, k) => {
      const loss = r.series.find((s) => s.metric === "loss")!;
      assert.equal(loss.final, histories[k].loss[2]);
      assert.deepEqual(loss.steps, [1, 2, 3]);
      // 24 samples / batch 8 = 3 batches per epoch, 9 in all
      assert.equal(r.series.find((s) => s.metric === "batchLoss")!.end, 9);
    });
    // the payload is what the renderer accepts, unchanged
    assert.deepEqual(JSON.parse(JSON.stringify(validateRuns(JSON.parse(JSON.stringify(c.payload))))), JSON.parse(JSON.stringify(c.payload)));
  });

  it("x: step after initialEpoch, relative = fraction of the run, time = wall time spread over the points", () => {
    // a resumed fit: epochs 3…6 (initialEpoch 2), 8 s of wall time
    const r = record("resumed", [4, 3, 2, 1], { wallTimeMs: 8000 }, { initialEpoch: 2 });
    const { payload } = compareRuns([r], { smoothing: 0 });
    const run = payload.runs[0];
    assert.deepEqual(runCurve(run, "loss", "step", 0)!.x, [3, 4, 5, 6]);
    // (step − 2) / (6 − 2)
    assert.deepEqual(runCurve(run, "loss", "relative", 0)!.x, [0.25, 0.5, 0.75, 1]);
    // 8 s × the fraction
    assert.deepEqual(runCurve(run, "loss", "time", 0)!.x, [2, 4, 6, 8]);
    assert.deepEqual(runCurve(run, "loss", "step", 0)!.smoothed, [4, 3, 2, 1], "smoothing 0: the data");
  });

  it("batchLoss: the ledger's block means at their last batch (blocks of 3 over 10 batches end at 3, 6, 9, 10)", () => {
    const r = record("b", [1], { batches: { every: 3, method: "block mean", loss: [4, 3, 2, 1], total: 10 } });
    const s = compareRuns([r], { metric: "batchLoss", x: "relative" }).payload.runs[0].series.find((x) => x.metric === "batchLoss")!;
    assert.deepEqual(s.steps, [3, 6, 9, 10]);
    assert.equal(s.every, 3);
    assert.deepEqual(runCurve(compareRuns([r]).payload.runs[0], "batchLoss", "relative", 0)!.x, [0.3, 0.6, 0.9, 1]);
  });

  it("a module loop's per-step series: batch + Name, at the steps it logged", () => {
    // rnn.runs.start … run.log({ loss, acc }, { step }) … run.end(): per-step loss at explicit steps 10, 20, 30
    // (batches.steps), "acc" in batches.metrics; no per-epoch metric, so the view opens on batchLoss
    const batches = { every: 1, method: "block mean" as const, loss: [3, 2, 1], total: 3, steps: [10, 20, 30], metrics: { acc: [0.5, 0.6, 0.7] } };
    const { payload } = compareRuns([record("loop", [], { epochs: {}, batches })]);
    assert.deepEqual(payload.metrics, ["batchLoss", "batchAcc"]);
    assert.equal(payload.metric, "batchLoss");
    const [loss, acc] = payload.runs[0].series;
    assert.deepEqual([loss.steps, loss.end], [[10, 20, 30], 30]);
    // acc has no logged steps: its points are counted 1, 2, 3
    assert.deepEqual([acc.steps, acc.values, acc.final], [[1, 2, 3], [0.5, 0.6, 0.7], 0.7]);
  });

  it("smoothing is TensorBoard's debiased EMA (vz_line_chart2 resmoothDataset), worked by hand", () => {
    // TensorBoard: last = last·w + (1 − w)·v; smoothed = last / (1 − wⁿ) after n points. w = 0.6 on 10, 0, 10, 0:
    // n=1: 4 / 0.4 = 10; n=2: 2.4 / 0.64 = 3.75; n=3: 5.44 / 0.784; n=4: 3.264 / 0.8704 = 3.75
    const { payload } = compareRuns([record("a", [10, 0, 10, 0])], { smoothing: 0.6 });
    const c = runCurve(payload.runs[0], "loss", "step", payload.smoothing)!;
    close(c.smoothed, [10, 3.75, 5.44 / 0.784, 3.75]);
    assert.deepEqual(c.raw, [10, 0, 10, 0], "the raw curve drawn faint behind stays the data");
  });

  it("bounds the payload: long series become block means, a long ledger its last 64 runs", () => {
    const long = record("long", Array.from({ length: 5000 }, (_, i) => i));
    const s = compareRuns([long], { maxPoints: 100 }).payload.runs[0].series[0];
    // 5000 / 100 = blocks of 50: the first block's mean is (0 + … + 49) / 50 = 24.5, its step the block's last epoch
    assert.equal(s.values.length, 100);
    assert.equal(s.every, 50);
    assert.deepEqual([s.values[0], s.steps[0], s.steps[99], s.final], [24.5, 50, 5000, 4999]);
    const many = Array.from({ length: 70 }, (_, i) => record(`r${i}`, [1, 2]));
    const p = compareRuns(many).payload;
    assert.equal(p.runs.length, 64);
    assert.equal(p.trueRuns, 70);
    assert.equal(p.runs[0].id, "r6", "the last 64");
    // 64 runs × 1 series under the total budget: each keeps up to maxPoints
    assert.ok(64 * p.maxPoints <= TOTAL_POINTS);
  });

  it("clear errors that list what exists", () => {
    const runs = [record("a", [1]), record("b", [2])];
    assert.throws(() => compareRuns(runs, { metric: "acc" }), /no run has the metric "acc"; metrics: "loss"/);
    assert.throws(() => compareRuns(runs, { runs: ["a", "zz"] }), /no run "zz" in the ledger; runs: "a", "b"/);
    assert.throws(() => compareRuns([]), /no runs to compare: the ledger is empty/);
    assert.throws(() => compareRuns(runs, { x: "wall" as never }), /x must be one of "step", "relative", "time", got "wall"/);
    assert.throws(() => compareRuns(runs, { smoothing: 1 }), /smoothing must be in \[0, 1\), got 1/);
    assert.deepEqual(compareRuns(runs, { runs: ["b", runs[0]] }).runs.map((r) => r.id), ["b", "a"], "ids and records mix");
  });

  it("null losses (NaN saved as JSON) are missing points; the final value is the last finite one", () => {
    const r = JSON.parse(JSON.stringify(record("nan", [1, NaN]))) as RunRecord;
    const s = compareRuns([r]).payload.runs[0].series[0];
    assert.deepEqual([s.values, s.final], [[1, null], 1]);
  });
});

describe("validateRuns", () => {
  it("a config key \"__proto__\" from a file stays a key; hostile text stays text", () => {
    const { payload } = compareRuns([record("<b>x</b>", [1, 2])]);
    const raw = JSON.parse(JSON.stringify(payload).replace('"config":{', '"config":{"__proto__":"<img src=x>",'));
    const v = validateRuns(raw);
    assert.equal(Object.getPrototypeOf(v.runs[0].config), null);
    assert.equal(v.runs[0].config["__proto__"], "<img src=x>");
    assert.equal(v.runs[0].id, "<b>x</b>");
    assert.throws(() => validateRuns({ ...payload, runs: [] }), /runs\.runs: expected a non-empty array/);
    assert.throws(() => validateRuns({ ...payload, smoothing: 1 }), /runs\.smoothing/);
  });
});
