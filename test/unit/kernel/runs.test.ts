// The run ledger in a real kernel process (src/kernel/runs.ts over the IPC protocol): every fit that
// resolves and every rnn.runs run becomes a `run` message; the `ledger` message a client sends when a
// kernel starts is what rnn.runs.list() returns, and new ids continue after it; interrupted fits and
// loops are recorded as interrupted, and a shutdown records the runs still open.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { differingKeys } from "../../../src/engine/runs";
import type { FromKernel } from "../../../src/shared/protocol";
import type { RunRecord } from "../../../src/shared/runLedger";
import { buildKernel, tempDir, TestKernel } from "./harness";

const DATA = [
  "const { x, y } = rnn.datasets.sine({ samples: 32, timesteps: 5, seed: 1 });",
  "const makeModel = () => rnn.sequential({ inputShape: [5, 1], seed: 1 }, [rnn.lstm({ units: 3 }), rnn.dense({ units: 1 })]);",
].join("\n");

const runs = (k: TestKernel): RunRecord[] => k.messages.filter((m): m is Extract<FromKernel, { type: "run" }> => m.type === "run").map((m) => m.record);

describe("run ledger in the kernel", function () {
  this.timeout(60_000);
  let dir: string;
  const kernels: TestKernel[] = [];
  const kernel = async (): Promise<TestKernel> => {
    const k = new TestKernel(dir);
    kernels.push(k);
    await k.ready;
    return k;
  };

  before(async () => {
    await buildKernel();
    dir = tempDir("runs");
  });
  after(async () => {
    for (const k of kernels) await k.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("two fits that differ only in clipNorm: two records whose differing keys are exactly [\"clipNorm\"]", async () => {
    const k = await kernel();
    await k.run(DATA);
    const r = await k.run([
      'const base = { epochs: 2, batchSize: 8, loss: "mse" as const, seed: 3, optimizer: rnn.adam({ lr: 0.01 }) };',
      "await makeModel().fit(x, y, base);",
      "await makeModel().fit(x, y, { ...base, optimizer: rnn.adam({ lr: 0.01 }), clipNorm: 0.5 });",
    ].join("\n"));
    assert.equal(r.status, "ok", r.error?.stack);
    const records = runs(k);
    assert.deepEqual(records.map((x) => x.id), ["run 1", "run 2"]);
    assert.deepEqual(differingKeys(records), ["clipNorm"]);
    // 32 samples / batch 8 = 4 batches per epoch, 2 epochs
    assert.equal(records[0].batches.total, 8);
    assert.match(records[0].model.name, /^sequential/);
    // lstm of 3 units on 1 feature: 4·3·(1 + 3 + 1) = 60; dense 3 → 1: 3 + 1 = 4
    assert.deepEqual([records[0].model.type, records[0].model.totalParams], ["Sequential", 64]);
    assert.equal(records[1].config.clipNorm, 0.5);
    assert.equal(records[0].interrupted, false);
  });

  it("history.runId names each fit's record; a fit its NaN trap stopped is recorded with the trap's message", async () => {
    const k = await kernel();
    await k.run(DATA);
    const r = await k.run([
      'const ok = await makeModel().fit(x, y, { epochs: 1, batchSize: 8, loss: "mse", seed: 3 });',
      // relu SimpleRNN with recurrent weights 1e6 on positive inputs: h_t grows like (3·1e6)^t and
      // leaves float32 (3.4e38) within the 5 steps (the engine's nanTrap test builds the same overflow)
      "const blown = rnn.sequential({ inputShape: [5, 1], seed: 1 }, [rnn.simpleRNN({ units: 3, activation: 'relu' }), rnn.dense({ units: 1 })]);",
      "blown.layers[0].weights.recurrent_kernel.data.fill(1e6); blown.layers[0].weights.kernel.data.fill(1);",
      "const ones = rnn.ones([32, 5, 1]);",
      "let stoppedId: string | undefined;",
      'try { await blown.fit(ones, y, { epochs: 1, batchSize: 8, loss: "mse", seed: 3, optimizer: rnn.sgd({ lr: 0 }) }); }',
      "catch (e) { stoppedId = (e as { history: { runId?: string } }).history.runId; }",
      "[ok.runId, stoppedId]",
    ].join("\n"));
    assert.equal(r.status, "ok", r.error?.stack);
    const records = runs(k);
    assert.deepEqual(records.map((x) => x.id), ["run 1", "run 2"]);
    assert.equal(r.result, "[ 'run 1', 'run 2' ]");
    assert.equal(records[0].failed, undefined);
    assert.match(records[1].failed ?? "", /^fit stopped: .*Where: .*layer 0/);
  });

  it("rnn.runs.start / log / end records a module loop: per-step loss, other series, per-epoch values, config", async () => {
    const k = await kernel();
    const r = await k.run([
      'const run = rnn.runs.start({ name: "tiny", model: { type: "nn.GRU", totalParams: 42 }, lr: 0.1, layers: [2, 3] });',
      "for (let i = 1; i <= 4; i++) run.log({ loss: 1 / i, gradNorm: i });",
      "run.log({ loss: 0.5, valLoss: 0.6 }, { epoch: 1 });",
      "const rec = run.end();",
      "JSON.stringify([rec.id, rnn.runs.list().length])",
    ].join("\n"));
    assert.equal(r.status, "ok", r.error?.stack);
    assert.equal(r.result, "'[\"run 1\",1]'");
    const [rec] = runs(k);
    assert.deepEqual(rec.model, { name: "tiny", type: "nn.GRU", totalParams: 42 });
    assert.deepEqual(rec.config, { lr: 0.1, layers: "[2,3]" });
    assert.deepEqual(rec.batches.loss, [1, 1 / 2, 1 / 3, 1 / 4]);
    assert.deepEqual(rec.batches.metrics, { gradNorm: [1, 2, 3, 4] });
    assert.equal(rec.batches.steps, undefined, "steps 1, 2, 3, 4 are implied");
    assert.deepEqual(rec.epochs, { loss: [0.5], valLoss: [0.6] });
    assert.equal(rec.interrupted, false);
    const again = await k.run("run.end()");
    assert.match(again.error?.message ?? "", /run\.end: run 1 has already ended/);
    const bad = await k.run('rnn.runs.start().log({ loss: "low" } as never)');
    assert.match(bad.error?.message ?? "", /run\.log: metric "loss" must be a number, got string/);
  });

  it("an interrupted fit and an interrupted loop are recorded as interrupted", async () => {
    const k = await kernel();
    await k.run(DATA);
    const fitCell = k.start('await makeModel().fit(x, y, { epochs: 100000, batchSize: 8, loss: "mse" });');
    await k.waitFor((m) => m.type === "display" && m.id === fitCell);
    k.interrupt();
    assert.equal((await k.outcome(fitCell)).status, "stopped");
    const loopCell = k.start([
      "const loop = rnn.runs.start({ name: \"loop\" });",
      "for (let i = 0; ; i++) {",
      "  loop.log({ loss: 1 });",
      "  if (i === 3) console.log(\"logging\");",
      "  await new Promise((r) => setTimeout(r, 2));",
      "  rnn.signal.throwIfAborted();",
      "}",
    ].join("\n"));
    await k.waitFor((m) => m.type === "stream" && m.id === loopCell);
    k.interrupt();
    assert.equal((await k.outcome(loopCell)).status, "interrupted");
    const [fit, loop] = runs(k);
    assert.equal(fit.interrupted, true);
    assert.ok(fit.batches.total > 0);
    assert.equal(loop.id, "run 2");
    assert.equal(loop.interrupted, true);
    assert.ok(loop.batches.total >= 4, `logged ${loop.batches.total} steps before the interrupt`);
  });

  it("the ledger a client sends reaches rnn.runs.list() in a fresh kernel, and new ids continue after it", async () => {
    const first = await kernel();
    await first.run(DATA);
    await first.run('await makeModel().fit(x, y, { epochs: 1, batchSize: 16, loss: "mse" });');
    const earlier = runs(first);
    await first.kill();
    // a restart: a new process, given the notebook's ledger as the client keeps it
    const k = await kernel();
    k.process.send({ type: "ledger", records: earlier, droppedRuns: 4 });
    const listed = await k.run("console.log(JSON.stringify(rnn.runs.list()))");
    assert.deepEqual(JSON.parse(listed.stdout), earlier);
    const copy = await k.run('rnn.runs.list()[0].id = "changed"; rnn.runs.list()[0].id');
    assert.equal(copy.result, "'run 1'", "list() returns copies");
    await k.run(DATA);
    await k.run('await makeModel().fit(x, y, { epochs: 1, batchSize: 16, loss: "mse" });');
    // 1 record + 4 dropped = 5 runs before → run 6
    assert.deepEqual(runs(k).map((r) => r.id), ["run 6"]);
  });

  it("a shutdown records the runs still open as interrupted before the kernel exits", async () => {
    const k = await kernel();
    await k.run('const open = rnn.runs.start({ name: "left open" });\nopen.log({ loss: 2 });');
    k.process.send({ type: "shutdown" });
    await k.exited;
    const [rec] = runs(k);
    assert.equal(rec?.model.name, "left open");
    assert.equal(rec.interrupted, true);
    assert.deepEqual(rec.batches.loss, [2]);
  });
});
