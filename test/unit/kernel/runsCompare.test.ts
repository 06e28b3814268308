// rnn.runs.compare in a real kernel process: after two fits that differ only in clipNorm it displays the
// comparison (runs+json, SVG and text fallbacks) and returns { runs, differingKeys } with exactly
// ["clipNorm"]; a run id that does not exist is a clear error naming the runs there are.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { MIME } from "../../../src/shared/mime";
import type { RunsComparePayload } from "../../../src/shared/payloads";
import { buildKernel, tempDir, TestKernel } from "./harness";

describe("rnn.runs.compare in the kernel", function () {
  this.timeout(60_000);
  let dir: string;
  let k: TestKernel | undefined;

  before(async () => {
    await buildKernel();
    dir = tempDir("runs-compare");
  });
  after(async () => {
    await k?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows the fits compared and returns exactly [\"clipNorm\"] as the differing keys", async () => {
    k = new TestKernel(dir);
    await k.ready;
    const fits = await k.run([
      "const { x, y } = rnn.datasets.sine({ samples: 32, timesteps: 5, seed: 1 });",
      "const makeModel = () => rnn.sequential({ inputShape: [5, 1], seed: 1 }, [rnn.lstm({ units: 3 }), rnn.dense({ units: 1 })]);",
      'const base = { epochs: 3, batchSize: 8, loss: "mse" as const, seed: 3 };',
      "await makeModel().fit(x, y, { ...base, optimizer: rnn.adam({ lr: 0.01 }) });",
      "await makeModel().fit(x, y, { ...base, optimizer: rnn.adam({ lr: 0.01 }), clipNorm: 0.5 });",
    ].join("\n"));
    assert.equal(fits.status, "ok", fits.error?.stack);
    const r = await k.run('const c = rnn.runs.compare({ x: "relative" });\nconsole.log(JSON.stringify([c.runs.map((r) => r.id), c.differingKeys]));');
    assert.equal(r.status, "ok", r.error?.stack);
    assert.equal(r.stdout.trim(), JSON.stringify([["run 1", "run 2"], ["clipNorm"]]));
    const bundle = r.displays[0].bundle;
    assert.deepEqual(Object.keys(bundle).sort(), [MIME.runs, "image/svg+xml", "text/plain"].sort());
    const p = bundle[MIME.runs] as RunsComparePayload;
    assert.deepEqual([p.x, p.metric, p.differingKeys], ["relative", "loss", ["clipNorm"]]);
    // 3 epochs of loss per run; 32 samples / batch 8 = 4 batches per epoch → batchLoss ends at batch 12
    assert.deepEqual(p.runs.map((run) => run.series.map((s) => [s.metric, s.end])), [[["loss", 3], ["batchLoss", 12]], [["loss", 3], ["batchLoss", 12]]]);
    // as a cell's last expression: the view, and a short text of what it returned (not every record)
    const last = await k.run("rnn.runs.compare()");
    assert.equal(last.displays.length, 1);
    assert.equal(last.result, '{ runs: ["run 1","run 2"] (records), differingKeys: ["clipNorm"] }');
    const bad = await k.run('rnn.runs.compare(["run 1", "run 7"])');
    assert.equal(bad.status, "error");
    assert.match(bad.error?.message ?? "", /no run "run 7" in the ledger; runs: "run 1", "run 2"/);
  });
});
