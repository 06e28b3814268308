/**
 * A training run survives "Developer: Reload Window" in the real VS Code: a fit starts (it trains
 * until the test says stop), the window reloads (a new extension host), the notebook comes back attached to the same
 * kernel, the fit's live training output goes on updating and ends "done", and the next cell sees the
 * trained model. The kernel ran detached (src/client/detachedKernel.ts); the setting
 * rnnNotebook.kernel.closedTimeoutMinutes is 1 in this run (scripts/run-e2e.mjs).
 */
import * as assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { e2eEnv } from "./lib/env";
import { openNotebook, runCellAt, runCommand, step, textInFrames, useWorkbench, waitForExtension, waitForText } from "./lib/workbench";

const FILE = "zz-reload.rnnb";
/** The file whose appearance ends the fit (in the notebook's folder, the kernel's working directory). */
const STOP_FILE = "zz-reload.stop";

function notebook(): string {
  const cells = [
    // Trains until the test drops a file beside the notebook (the callback stops it after an epoch), so the
    // fit outlasts the reload however slow the machine is; ten minutes at most.
    [
      'import { existsSync } from "node:fs";',
      "rnn.manualSeed(0);",
      "const data = rnn.datasets.addingProblem({ samples: 512, timesteps: 20, seed: 1 });",
      "const model = rnn.sequential({ inputShape: [20, 2] }, [rnn.lstm({ units: 16, seed: 1 }), rnn.dense({ units: 1, seed: 1 })]);",
      "const t0 = Date.now();",
      `const history = await model.fit(data.x, data.y, { epochs: 100000, batchSize: 32, loss: "mse", seed: 1,`,
      `  callbacks: [{ onEpochEnd: (_e: number, _l: unknown, c: { stop(): void }) => {`,
      `    if (existsSync(${JSON.stringify(STOP_FILE)}) || Date.now() - t0 > 600_000) c.stop();`,
      "  } }] });",
    ].join("\n"),
    "`after reload: ${history.loss.length} epochs, loss ${history.loss.at(-1)!.toFixed(3)}, ${model.countParams()} parameters`",
  ];
  return JSON.stringify({
    format: "rnn-notebook", version: 1, metadata: {},
    cells: cells.map((source) => ({ kind: "code", language: "typescript", source, outputs: [], metadata: {} })),
  }, null, 2);
}

describe("a training run survives a window reload", function () {
  this.timeout(600_000);
  const wb = useWorkbench();

  it("reloading the window mid-fit: the live output goes on to 'done' and the next cell sees the model", async () => {
    writeFileSync(path.join(e2eEnv.workspace, FILE), notebook());
    rmSync(path.join(e2eEnv.workspace, STOP_FILE), { force: true });
    const { page } = wb();
    await openNotebook(page, FILE);
    await runCellAt(page, 0);
    const row = page.locator(".quick-input-list .monaco-list-row", { hasText: "RNN Notebook" }).first();
    if (await row.isVisible({ timeout: 3000 }).catch(() => false)) await row.click();
    const before = await waitForText(page, /Epoch \d+\/100000/, 120_000);
    step(`training before the reload: ${before.text}`);

    const reloaded = page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await runCommand(page, "Developer: Reload Window");
    await reloaded;
    await page.waitForLoadState("domcontentloaded");
    await page.waitForSelector(".monaco-workbench", { timeout: 120_000 });
    await waitForExtension(page, undefined, 180_000);
    step("window reloaded");

    // The reloaded window shows the same fit, still running, continuing from where it was.
    const resumed = await waitForText(page, /Epoch (\d+)\/100000[^\n]*training…/, 120_000);
    step(`live output after the reload: ${resumed.text}`);
    const later = await waitForText(page, new RegExp(`Epoch (?!${/Epoch (\d+)/.exec(resumed.text)![1]}\\/)\\d+\\/100000[^\\n]*training…`), 60_000);
    step(`and it updates: ${later.text}`);
    writeFileSync(path.join(e2eEnv.workspace, STOP_FILE), "");
    const done = await waitForText(page, /Epoch \d+\/100000[^\n]*— done/, 180_000);
    step(`the fit ended: ${done.text}`);
    const status = await textInFrames(page, ".rnn-status");
    assert.match(status ?? "", /— done/, "the training output ends done");

    await runCellAt(page, 1);
    const after = await waitForText(page, /after reload: (\d+) epochs, loss [\d.]+, (\d+) parameters/, 120_000);
    step(after.text);
    const [, epochs, params] = /after reload: (\d+) epochs, loss [\d.]+, (\d+) parameters/.exec(after.text)!;
    // LSTM(16) on 2 inputs: 4·16·(2 + 16 + 1) = 1,216; dense 16 → 1: 17 (Keras counting, one bias)
    assert.equal(Number(params), 1233);
    const epochsBefore = Number(/Epoch (\d+)/.exec(before.text)![1]);
    assert.ok(Number(epochs) > epochsBefore, `trained on after the reload: ${epochs} epochs in all, ${epochsBefore} before it`);
  });
});
