// The kernel as users meet it through the notebook controller, in the real VS Code extension host.
// Each test builds an untitled notebook, runs cells and reads outputs.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import {
  ERROR, STDERR, STDOUT, closeAll, items, kernelBusy, openCodeNotebook, runCell, startCell, textOf, valueText, waitEnded, waitUntil, waitRunning,
} from "./cells";

describe("kernel through the controller", function () {
  this.timeout(120_000);
  afterEach(closeAll);

  it("keeps top-level bindings across cells and allows re-running a const declaration", async () => {
    const nb = await openCodeNotebook(["const a: number = 40;", "a + 2", "const a = 1; a", "function twice<T>(x: T): T[] { return [x, x]; }\ntwice(a).length"]);
    await runCell(nb, 0);
    assert.equal(textOf(await runCell(nb, 1), "text/plain"), "42");
    const again = await runCell(nb, 0);
    assert.equal(again.executionSummary?.success, true, "re-running `const a` works");
    assert.equal(textOf(await runCell(nb, 2), "text/plain"), "1");
    assert.equal(textOf(await runCell(nb, 3), "text/plain"), "2");
  });

  it("supports top-level await and sets execution order and timing", async () => {
    const nb = await openCodeNotebook(["await new Promise((r) => setTimeout(r, 200)); 7"]);
    const cell = await runCell(nb, 0);
    assert.equal(textOf(cell, "text/plain"), "7");
    const t = cell.executionSummary?.timing;
    assert.ok(t && t.endTime - t.startTime >= 190, `timing covers the 200 ms await: ${JSON.stringify(t)}`);
    assert.ok((cell.executionSummary?.executionOrder ?? 0) > 0);
  });

  it("queues a Run All issued while a cell runs, in order, with increasing execution order", async () => {
    const nb = await openCodeNotebook([
      "const log: number[] = []; await new Promise((r) => setTimeout(r, 1500)); log.push(1);",
      "log.push(2);",
      "log.push(3); log.join(',')",
    ]);
    const since = Date.now();
    await startCell(nb, 0);
    await waitRunning(nb, 0);
    // Run All while cell 1 still sleeps: its cells join the queue behind the running one
    void vscode.commands.executeCommand("notebook.execute", nb.uri);
    const last = await waitEnded(nb, 2, since, 60_000);
    assert.equal(valueText(last), "1,2,3", "the queued cells ran one after another, in order, after the running one (Run All re-ran cell 1, which resets log)");
    const orders = nb.getCells().map((c) => c.executionSummary?.executionOrder ?? 0);
    assert.ok(orders[1] < orders[2], `execution order increases: ${orders}`);
  });

  it("streams console output live and in order, stderr apart", async () => {
    const nb = await openCodeNotebook([
      'console.log("first"); console.warn("second"); console.log("third");\nawait new Promise((r) => setTimeout(r, 4000));\nconsole.log("last");',
    ]);
    const since = Date.now();
    await startCell(nb, 0);
    // While the cell still sleeps, what it printed before is already visible.
    await waitUntil("live output while the cell runs", () => textOf(nb.cellAt(0), STDOUT).includes("first") && kernelBusy(nb), 60_000);
    const cell = await waitEnded(nb, 0, since);
    const streams = items(cell).filter(([m]) => m === STDOUT || m === STDERR);
    const order = streams.map(([m, t]) => `${m === STDERR ? "err" : "out"}:${t.trim()}`).join("|");
    assert.match(order, /out:first.*\|err:second\|out:third.*last/s);
  });

  it("maps a runtime error to the cell's own line and keeps the kernel alive", async () => {
    const nb = await openCodeNotebook(["const x = 1;\nconst y: number = 2;\nthrow new Error(`boom ${x + y}`);", "x + y"]);
    const cell = await runCell(nb, 0);
    assert.equal(cell.executionSummary?.success, false);
    const err = JSON.parse(textOf(cell, ERROR)) as { message: string; stack: string };
    assert.match(err.message, /boom 3/);
    assert.match(err.stack, /(:3:\d+|line 3)/, `stack points at line 3: ${err.stack}`);
    assert.doesNotMatch(err.stack, /dist[/\\]kernel\.js|node:internal/, "kernel internals are removed");
    assert.equal(textOf(await runCell(nb, 1), "text/plain"), "3", "the kernel survived the error");
  });

  it("interrupts a running fit at a batch boundary and keeps every variable and weight", async () => {
    const nb = await openCodeNotebook([
      `const { x, y } = rnn.datasets.sine({ samples: 256, timesteps: 20, seed: 1 });
const model = rnn.sequential({ inputShape: [20, 1] }, [rnn.lstm({ units: 16 }), rnn.dense({ units: 1 })]);
const before = model.layers[0].weights.kernel.toArray();`,
      `const history = await model.fit(x, y, { epochs: 100000, batchSize: 8, loss: "mse", optimizer: rnn.adam({ lr: 1e-3 }), seed: 1 });`,
      `JSON.stringify({ interrupted: history.interrupted, batches: history.batchLoss.length, changed: JSON.stringify(before) !== JSON.stringify(model.layers[0].weights.kernel.toArray()) })`,
    ]);
    await runCell(nb, 0);
    const since = Date.now();
    await startCell(nb, 1);
    await waitRunning(nb, 1);
    await new Promise((r) => setTimeout(r, 2000));
    const interruptedAt = Date.now();
    await vscode.commands.executeCommand("rnnNotebook.interruptKernel");
    const cell = await waitEnded(nb, 1, since, 30_000);
    // the default grace period is 5 s (package.json): ending sooner means fit stopped by itself at a batch boundary
    assert.ok(Date.now() - interruptedAt < 5000, `stopped at a batch boundary after ${Date.now() - interruptedAt} ms, before the grace period`);
    assert.match(textOf(cell, STDERR), /Stopped/);
    assert.equal(cell.executionSummary?.success, true, "a fit stopped at a batch boundary is not a failure");
    const state = JSON.parse(valueText(await runCell(nb, 2))) as { interrupted: boolean; batches: number; changed: boolean };
    assert.equal(state.interrupted, true, "history.interrupted");
    assert.ok(state.batches > 0, "history up to the interrupt is kept");
    assert.equal(state.changed, true, "trained weights survive the interrupt");
  });

  it("kills code that never yields after the grace period, says state was lost, and starts a fresh kernel", async () => {
    const cfg = vscode.workspace.getConfiguration("rnnNotebook");
    await cfg.update("kernel.interruptGracePeriodSeconds", 1, vscode.ConfigurationTarget.Global);
    try {
      const nb = await openCodeNotebook(["const kept = 5;", "while (true) {}", "typeof kept"]);
      await runCell(nb, 0);
      const since = Date.now();
      await startCell(nb, 1);
      await waitRunning(nb, 1);
      await new Promise((r) => setTimeout(r, 300));
      await vscode.commands.executeCommand("rnnNotebook.interruptKernel");
      const cell = await waitEnded(nb, 1, since, 20_000);
      assert.equal(cell.executionSummary?.success, false);
      assert.match(textOf(cell, STDERR), /killed.*fresh one started.*lost/s);
      assert.equal(valueText(await runCell(nb, 2)), "undefined", "state was lost, the new kernel runs");
    } finally {
      await cfg.update("kernel.interruptGracePeriodSeconds", undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it("restarts with a fresh state on rnnNotebook.restartKernel", async () => {
    const nb = await openCodeNotebook(["const v = 1; v", "typeof v"]);
    assert.equal(textOf(await runCell(nb, 0), "text/plain"), "1");
    assert.equal(await vscode.commands.executeCommand("rnnNotebook.restartKernel"), true);
    assert.equal(valueText(await runCell(nb, 1)), "undefined");
  });

  it("counts executions per notebook kernel and starts over after a restart", async () => {
    const a = await openCodeNotebook(["1", "2"]);
    await runCell(a, 0);
    assert.equal((await runCell(a, 1)).executionSummary?.executionOrder, 2);
    // Another notebook has its own kernel, so its own count (other tests' runs do not show up here either).
    const b = await openCodeNotebook(["3"]);
    assert.equal((await runCell(b, 0)).executionSummary?.executionOrder, 1);
    assert.equal(await vscode.commands.executeCommand("rnnNotebook.restartKernel"), true);
    assert.equal((await runCell(b, 0)).executionSummary?.executionOrder, 1, "a restarted kernel counts from 1");
  });

  it("reports a kernel that exits and recovers with a new one", async () => {
    const nb = await openCodeNotebook(["process.exit(3)", "1 + 1"]);
    const dead = await runCell(nb, 0);
    assert.equal(dead.executionSummary?.success, false);
    assert.match(textOf(dead, ERROR), /exited \(code 3\).*restarted/s);
    assert.equal(textOf(await runCell(nb, 1), "text/plain"), "2");
  });
});
