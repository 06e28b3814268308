// Learning-rate schedules against PyTorch: test/fixtures/schedules/schedules.json holds the rate of
// each epoch from torch.optim.lr_scheduler (StepLR, ExponentialLR, CosineAnnealingLR, LinearLR →
// CosineAnnealingLR through SequentialLR, ReduceLROnPlateau), written by generate.py beside it.
// Then the same schedules inside fit: the rate each epoch trained with, and the optimizer left as it was.
import * as assert from "node:assert/strict";
import golden from "../../fixtures/schedules/schedules.json";
import * as rnn from "../../../src/engine/index";
import type { LrSchedule } from "../../../src/engine/schedules";

type Case = { options: Record<string, unknown>; lr: number[]; metrics?: number[] };
const cases = golden.cases as Record<string, Case>;

/** The schedule a fixture case describes (warmup's `then` is written { cosine: { tMax } }). */
function make(name: string, options: Record<string, unknown>): LrSchedule {
  const s = rnn.schedules as unknown as Record<string, (o: unknown) => LrSchedule>;
  if (name === "warmup") {
    const [thenName, thenOptions] = Object.entries(options.then as Record<string, unknown>)[0];
    return s.warmup({ ...options, then: s[thenName](thenOptions) });
  }
  return s[name](options);
}

/** |a − b| ≤ 1e-12 · max(|b|, 1e-3): the rates are closed forms of the same formulas (float64 both sides). */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(b), 1e-3);
}

describe("rnn.schedules match torch.optim.lr_scheduler", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name} ${JSON.stringify(c.options)}: ${c.lr.length} epochs`, () => {
      const opt = rnn.sgd({ lr: golden.base });
      const sched = make(name, c.options).attach(opt);
      const got = [opt.lr];
      for (let k = 0; k < c.lr.length - 1; k++) got.push(sched.step(c.metrics?.[k]));
      const bad = got.findIndex((v, e) => !close(v, c.lr[e]));
      assert.equal(bad, -1, `epoch ${bad}: ${got[bad]} vs torch ${c.lr[bad]}\nours  ${got.join(", ")}\ntorch ${c.lr.join(", ")}`);
      assert.equal(sched.lastEpoch, c.lr.length - 1);
    });
  }

  it("drives an rnn.optim optimizer of a Module's training loop the same way", () => {
    const opt = rnn.optim.SGD(rnn.nn.Linear(2, 1, { seed: 1 }).parameters(), { lr: golden.base });
    const sched = rnn.schedules.cosine({ tMax: 10, etaMin: 0.001 }).attach(opt);
    for (let k = 1; k <= 5; k++) sched.step();
    assert.ok(close(opt.lr, cases.cosine.lr[5]), `${opt.lr} vs torch ${cases.cosine.lr[5]}`);
  });

  it("reduceOnPlateau by hand needs the metric; bad options are named", () => {
    const sched = rnn.schedules.reduceOnPlateau().attach(rnn.adam({ lr: 0.01 }));
    assert.throws(() => sched.step(), /reduceOnPlateau: step\(metric\) needs the epoch's monitored loss/);
    assert.throws(() => rnn.schedules.step({ stepSize: 0 }), /rnn\.schedules\.step: stepSize must be a positive integer, got 0/);
    assert.throws(() => rnn.schedules.cosine({ tMax: 10, eta: 0 } as never), /unknown option "eta"; valid options: tMax, etaMin/);
    assert.throws(() => rnn.schedules.reduceOnPlateau({ factor: 2 }), /factor must be < 1, got 2/);
    assert.throws(() => rnn.schedules.warmup({ epochs: 3, then: {} as never }), /then must be a schedule/);
  });
});

describe("fit with an lrSchedule", () => {
  // A small regression model: 40 sequences of 5 steps, target = the sum of the inputs (seeded data).
  function data(): { x: number[][][]; y: number[][] } {
    const g = new rnn.Rng(3);
    const x = Array.from({ length: 40 }, () => Array.from({ length: 5 }, () => [g.normal()]));
    return { x, y: x.map((s) => [s.reduce((a, v) => a + v[0], 0)]) };
  }
  const model = () => rnn.sequential({ inputShape: [5, 1], seed: 2 }, [rnn.simpleRNN({ units: 4 }), rnn.dense({ units: 1 })]);

  it("trains each epoch at the schedule's rate (torch's StepLR values) and puts the optimizer's lr back", async () => {
    const { x, y } = data();
    const optimizer = rnn.sgd({ lr: golden.base });
    const rates: number[] = [];
    const h = await model().fit(x, y, {
      loss: "mse", epochs: 7, batchSize: 10, optimizer, lrSchedule: rnn.schedules.step({ stepSize: 3, gamma: 0.5 }),
      onBatchEnd: (b) => { if (b.batch === 1) rates.push(optimizer.lr); },
    });
    assert.deepEqual(h.lr, cases.step.lr.slice(0, 7));
    assert.deepEqual(rates, h.lr, "the rate the optimizer had during each epoch");
    assert.equal(optimizer.lr, golden.base, "put back after fit");
  });

  it("the same run without the schedule trains differently (the rate reaches the update)", async () => {
    const { x, y } = data();
    const a = model(), b = model();
    await a.fit(x, y, { loss: "mse", epochs: 5, batchSize: 10, optimizer: rnn.sgd({ lr: 0.1 }), lrSchedule: rnn.schedules.exponential({ gamma: 0.5 }) });
    await b.fit(x, y, { loss: "mse", epochs: 5, batchSize: 10, optimizer: rnn.sgd({ lr: 0.1 }) });
    const wa = a.getWeights()[0].data, wb = b.getWeights()[0].data;
    assert.ok(wa.some((v, i) => v !== wb[i]));
  });

  it("reduceOnPlateau watches the loss fit reports: valLoss with validation data, else loss", async () => {
    const { x, y } = data();
    const h = await model().fit(x, y, {
      loss: "mse", epochs: 12, batchSize: 10, optimizer: rnn.sgd({ lr: 0.1 }), validationSplit: 0.25,
      lrSchedule: rnn.schedules.reduceOnPlateau({ factor: 0.5, patience: 1 }),
    });
    // Replay ReduceLROnPlateau's rule on the valLoss fit recorded (torch semantics, checked above).
    const replay = rnn.schedules.reduceOnPlateau({ factor: 0.5, patience: 1 }).attach(rnn.sgd({ lr: 0.1 }));
    const expected = [replay.lr, ...h.valLoss!.slice(0, -1).map((v) => replay.step(v))];
    assert.deepEqual(h.lr, expected);
    assert.ok(h.lr!.at(-1)! < 0.1, `the rate was reduced at least once: ${h.lr!.join(", ")}`);
    await assert.rejects(model().fit(x, y, { loss: "mse", epochs: 1, lrSchedule: rnn.schedules.reduceOnPlateau({ monitor: "valLoss" }) }),
      /lrSchedule watches "valLoss"; pass validationSplit or validationData/);
    await assert.rejects(model().fit(x, y, { loss: "mse", lrSchedule: {} as never }), /lrSchedule must be a schedule from rnn\.schedules/);
  });
});
