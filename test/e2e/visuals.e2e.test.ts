/**
 * The notebook experience in the browser: samples 02 and 03 run in the packaged
 * extension; the gate heatmaps and the gradient-norm plot draw on their canvases inside the output
 * webview; screenshots go to test-results/e2e (and, with UPDATE_SCREENSHOTS=1, to the README's folder).
 */
import * as assert from "node:assert/strict";
import type { Frame, Page } from "playwright-core";
import { canvasStats, isNonBlank, openNotebook, runAll, screenshot, step, useWorkbench, waitForCellsIdle, waitForDrawnCanvas } from "./lib/workbench";

/**
 * Scrolls the notebook (mouse wheel over the editor: clicks would land on the output webview) until the
 * element's top is near the top of the window, so a page screenshot shows it.
 */
async function scrollNotebookTo(page: Page, frame: Frame, selector: string): Promise<void> {
  await page.mouse.move(850, 500);
  for (let i = 0; i < 12; i++) {
    const box = await frame.locator(selector).first().boundingBox();
    if (!box || Math.abs(box.y - 160) < 40) break;
    await page.mouse.wheel(0, box.y - 160);
    await page.waitForTimeout(400);
  }
}

describe("gate heatmaps and gradient norms in the browser", function () {
  this.timeout(420_000);
  const wb = useWorkbench();

  it("sample 02 trains a char LSTM and draws one heatmap per gate", async () => {
    const { page } = wb();
    await openNotebook(page, "02-lstm-gates.rnnb");
    await runAll(page);
    const { frame, stats } = await waitForDrawnCanvas(page, "canvas.rnn-heatmap", 300_000);
    step(`gate heatmap drew: ${JSON.stringify(stats)}`);
    await waitForCellsIdle(page, 300_000);
    // LSTM panels: i, f, g, o, c, h (DESIGN §1) — every one must have drawn
    const panels = await canvasStats(frame, "canvas.rnn-heatmap");
    assert.ok(panels.length >= 6, `six LSTM panels, found ${panels.length}`);
    assert.ok(panels.every(isNonBlank), `every gate panel drew: ${JSON.stringify(panels)}`);
    await scrollNotebookTo(page, frame, "canvas.rnn-heatmap");
    await screenshot(page, "sample-02-gates", { readme: true });
  });

  it("sample 03 plots ‖∂L/∂h_t‖ per timestep for SimpleRNN, LSTM and GRU", async () => {
    const { page } = wb();
    await openNotebook(page, "03-vanishing-gradients.rnnb");
    await runAll(page);
    const { frame, stats } = await waitForDrawnCanvas(page, "canvas.rnn-gradnorms", 300_000);
    step(`gradient-norm plot drew: ${JSON.stringify(stats)}`);
    await waitForCellsIdle(page, 300_000);
    assert.ok(isNonBlank(stats));
    await scrollNotebookTo(page, frame, "canvas.rnn-gradnorms");
    await screenshot(page, "sample-03-gradnorms", { readme: true });
  });
});
