/**
 * The first browser E2E test: the packaged extension, installed into a real
 * VS Code, opens the first sample notebook, runs all cells, and the renderer draws a heatmap on a
 * <canvas> inside the output webview.
 */
import * as assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { e2eEnv } from "./lib/env";
import { canvasStats, isNonBlank, openNotebook, revealInNotebook, runAll, screenshot, selectedKernelLabel, step, useWorkbench, waitForCellsIdle, waitForDrawnCanvas } from "./lib/workbench";

describe("sample notebooks in the browser", function () {
  this.timeout(300_000);
  const wb = useWorkbench();

  it("opens the first sample, runs all cells and draws a heatmap on a canvas", async () => {
    const { page } = wb();
    const first = readdirSync(e2eEnv.workspace).filter((f) => /^01-.*\.rnnb$/.test(f)).sort()[0];
    assert.ok(first, `a sample 01-*.rnnb in ${e2eEnv.workspace}`);
    await openNotebook(page, first);
    // our controller is preferred for .rnnb: selected without asking
    await page.waitForFunction(() => document.querySelector(".notebook-editor .kernel-action-view-item")?.textContent?.includes("RNN Notebook"),
      undefined, { timeout: 30_000 }).catch(() => undefined);
    assert.match(await selectedKernelLabel(page), /RNN Notebook/, "the RNN Notebook kernel is selected on open");
    await runAll(page);
    // at least 32×32: the heatmap itself, not its colour bar
    const { frame, stats, locator } = await waitForDrawnCanvas(page, "canvas", 180_000, { minWidth: 32, minHeight: 32 });
    step(`canvas drew: ${JSON.stringify(stats)}`);
    await waitForCellsIdle(page);
    const all = await canvasStats(frame);
    assert.ok(all.some(isNonBlank), `a non-blank canvas among ${JSON.stringify(all)}`);
    await revealInNotebook(page, locator);
    await screenshot(page, "sample-01-notebook", { readme: true });
    await screenshot(locator, "sample-01-heatmap-canvas");
  });
});
