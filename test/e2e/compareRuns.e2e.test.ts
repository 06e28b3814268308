/**
 * "Compare Runs" in the real VS Code: a notebook file whose metadata holds a run ledger of three real
 * fits (the same LSTM on sine waves, clipNorm none / 1 / 0.05; records made by the engine's runRecord
 * here, before the workbench opens) is opened, the command is run from the palette, and the panel's
 * webview draws the comparison: a non-blank plot and a table whose only configuration row is clipNorm.
 * No kernel runs; the panel's Save PNG writes figures/runs.png beside the notebook. Screenshot for the
 * README: compare-runs.png.
 */
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as rnn from "../../src/engine/index";
import { runRecord, type RunRecord } from "../../src/engine/runs";
import { e2eEnv } from "./lib/env";
import { openNotebook, runCommand, screenshot, step, useWorkbench, waitForDrawnCanvas } from "./lib/workbench";

const FILE = "zz-compare-runs.rnnb";

async function ledger(): Promise<RunRecord[]> {
  const { x, y } = rnn.datasets.sine({ samples: 128, timesteps: 12, seed: 1 });
  const records: RunRecord[] = [];
  for (const [i, clipNorm] of [undefined, 1, 0.05].entries()) {
    const model = rnn.sequential({ inputShape: [12, 1], seed: 1 }, [rnn.lstm({ units: 8 }), rnn.dense({ units: 1 })]);
    const options = { loss: "mse" as const, epochs: 12, batchSize: 16, optimizer: rnn.adam({ lr: 0.01 }), seed: 1, ...(clipNorm === undefined ? {} : { clipNorm }) };
    const history = await model.fit(x, y, options);
    records.push(runRecord({ id: `run ${i + 1}`, model: { name: model.name, type: "Sequential", totalParams: model.countParams() }, options, history }));
  }
  return records;
}

describe("Compare Runs in the browser", function () {
  this.timeout(300_000);
  before(async () => {
    const records = await ledger();
    writeFileSync(path.join(e2eEnv.workspace, FILE), JSON.stringify({
      format: "rnn-notebook", version: 1, metadata: { runLedger: { version: 1, capBytes: 1_000_000, records } },
      cells: [{ kind: "code", language: "typescript", source: "// three fits of the same LSTM: clipNorm none, 1, 0.05", outputs: [], metadata: {} }],
    }, null, 2) + "\n");
  });
  const wb = useWorkbench();

  it("the command draws the notebook's runs in a panel, with only clipNorm in the table", async () => {
    const { page } = wb();
    await openNotebook(page, FILE);
    await runCommand(page, "RNN Notebook: Compare Runs");
    const { frame, stats } = await waitForDrawnCanvas(page, "canvas.rnn-runs", 60_000, { scroll: false });
    step(`runs plot drew: ${JSON.stringify(stats)}`);
    const shown = await frame.evaluate(() => ({
      runs: [...document.querySelectorAll("th.rnn-runs-run")].map((th) => th.childNodes[1]?.textContent),
      keys: [...document.querySelectorAll("tr.rnn-runs-key")].map((tr) => (tr as HTMLElement).dataset.key),
    }));
    assert.deepEqual(shown, { runs: ["run 1", "run 2", "run 3"], keys: ["clipNorm"] });
    await page.waitForTimeout(300);
    await screenshot(page, "compare-runs", { readme: true });
    // Save PNG goes through the panel's channel to the extension, which writes figures/ beside the notebook
    await frame.locator("button", { hasText: "Save PNG" }).click();
    const saved = path.join(e2eEnv.workspace, "figures", "runs.png");
    const deadline = Date.now() + 20_000;
    while (!existsSync(saved) && Date.now() < deadline) await page.waitForTimeout(250);
    assert.ok(existsSync(saved), "figures/runs.png written");
    assert.deepEqual([...readFileSync(saved).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");
    step("Save PNG wrote figures/runs.png");
  });
});
