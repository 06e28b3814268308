// The kernel client (the extension's and the runner's) against the real kernel process
// (dist/kernel.js, built by `npm run test:unit`), in plain Node: one cell at a time, interrupt →
// grace-period kill, crash reporting, inspection. No vscode involved.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as os from "node:os";
import { KernelClient, deathOf, describeDeath, describeDeathAndRestart } from "../../../src/client/kernelClient";
import { recorder } from "../../support/kernelSink";

const kernelPath = path.resolve(__dirname, "../../../../dist/kernel.js");


describe("KernelClient", function () {
  this.timeout(30_000);
  let client: KernelClient;
  beforeEach(() => {
    client = new KernelClient({ kernelPath, cwd: os.tmpdir(), maxOldSpaceSizeMb: 256, graceMs: 500 });
  });
  afterEach(() => client.dispose());

  it("runs cells in one process and keeps state between them", async () => {
    const a = recorder();
    assert.equal(await client.execute("const k = 6 * 7;", 1, "cell1.ts", a), "ok");
    const pid = client.pid;
    const b = recorder();
    assert.equal(await client.execute("k", 2, "cell2.ts", b), "ok");
    assert.deepEqual(b.log, ["result:42"]);
    assert.equal(client.pid, pid, "same process");
  });

  it("kills a cell that never yields after the grace period and starts fresh on the next run", async () => {
    await client.execute("const lost = 1;", 1, "cell1.ts", recorder());
    const first = client.pid;
    const running = client.execute("while (true) {}", 2, "cell2.ts", recorder());
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    client.interrupt();
    assert.equal(await running, "killed");
    const waited = Date.now() - t0;
    assert.ok(waited >= 450 && waited < 5000, `killed after the 500 ms grace period (${waited} ms)`);
    const after = recorder();
    assert.equal(await client.execute("typeof lost", 3, "cell3.ts", after), "ok");
    assert.notEqual(client.pid, first, "a new process");
    assert.match(after.log.join(), /undefined/);
  });

  it("restarting an idle kernel lets it record its open runs as interrupted, then starts a fresh one", async () => {
    const runs: { id: string; interrupted: boolean }[] = [];
    client.events.on("run", (r: { id: string; interrupted: boolean }) => runs.push(r));
    await client.execute('const open = rnn.runs.start({ name: "loop" });\nopen.log({ loss: 1 });', 1, "cell1.ts", recorder());
    const first = client.pid;
    await client.restart();
    assert.deepEqual(runs.map((r) => [r.id, r.interrupted]), [["run 1", true]]);
    assert.notEqual(client.pid, first, "a new process");
    const after = recorder();
    assert.equal(await client.execute("typeof open", 2, "cell2.ts", after), "ok");
    assert.match(after.log.join(), /undefined/, "fresh state");
  });

  it("reports a process that exits by itself as crashed, with the reason", async () => {
    const sink = recorder();
    assert.equal(await client.execute("process.exit(7)", 1, "cell1.ts", sink), "crashed");
    assert.match(sink.log.join("\n"), /error:KernelDied:.*exited \(code 7\)/);
  });

  it("hands the output size setting to the kernel process", async () => {
    const sized = new KernelClient({ kernelPath, cwd: os.tmpdir(), maxOldSpaceSizeMb: 256, graceMs: 500, maxOutputBytes: 12_345 });
    try {
      const sink = recorder();
      await sized.execute("process.env.RNN_NOTEBOOK_MAX_OUTPUT_BYTES", 1, "cell1.ts", sink);
      assert.match(sink.log.join(), /12345/); // the value given above
    } finally {
      sized.dispose();
    }
  });

  it("tells a death as the end of the run when the parent stops there, passing raw output through", async () => {
    const raw: string[] = [];
    const stopping = new KernelClient({ kernelPath, cwd: os.tmpdir(), graceMs: 500, afterDeath: "stop", rawOutput: (name, text) => raw.push(`${name}:${text}`) });
    try {
      const sink = recorder();
      assert.equal(await stopping.execute("process.exit(5)", 3, "cell3.ts", sink), "crashed");
      assert.deepEqual(sink.log, ["error:KernelDied:Cell 3 failed: the kernel process exited with code 5 (process.exit() in the cell?)."]);
      // The kernel's note on its stderr (src/kernel/main.ts) went to rawOutput, not to the cell.
      assert.match(raw.join(""), /stderr:Cell 3 called process\.exit\(5\)/);
    } finally {
      stopping.dispose();
    }
  });

  it("answers inspect queries with the kind's result type, and nothing before a process started", async () => {
    assert.equal(await client.inspect({ kind: "models" }), undefined, "no kernel started yet");
    await client.execute("const net = rnn.sequential({ inputShape: [4, 2] }, [rnn.simpleRNN({ units: 3 })]);", 1, "cell1.ts", recorder());
    const models = await client.inspect({ kind: "models" });
    assert.ok(Array.isArray(models));
    // SimpleRNN params: units·(units + features) + units = 3·(3 + 2) + 3 = 18 (Keras convention)
    assert.deepEqual(models, [{ name: "net", type: "Sequential", totalParams: 18 }]);
    const summary = await client.inspect({ kind: "summary", name: "net" });
    assert.ok(summary && !("error" in summary));
    assert.equal(summary.layers[0].type, "SimpleRNN");
    assert.equal(await client.inspect({ kind: "summary", name: "nothing" }), null);
  });

  it("says plainly when the kernel ran out of memory", () => {
    const death = deathOf({ code: null, signal: "SIGABRT" }, "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory");
    assert.match(describeDeathAndRestart(death, 256), /ran out of memory \(heap limit 256 MB/);
    assert.equal(describeDeath(death), "the kernel process ran out of memory");
  });
});
