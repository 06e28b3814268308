/**
 * The notebook experience in the browser: samples 02, 03, 06, 07 and 08 run in the packaged
 * extension; the gate heatmaps and the gradient-norm plot draw on their canvases inside the output
 * webview, in the light and the dark theme; Save PNG writes the figure beside the notebook without
 * taking the focus; typing one character into a gates output's what-if field redraws its heatmaps
 * without a new execution; screenshots go to test-results/e2e (and, with UPDATE_SCREENSHOTS=1, to the
 * README's folder).
 */
import * as assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Frame, Page } from "playwright-core";
import { e2eEnv } from "./lib/env";
import { canvasStats, findFrameWith, isNonBlank, openNotebook, revealInNotebook, runAll, runCommand, screenshot, scrollNotebook, step, useWorkbench, waitForCellsIdle, waitForDrawnCanvas } from "./lib/workbench";

/** VS Code's own command: flips between the preferred light and dark themes (run twice to go back). */
const TOGGLE_THEME = "Preferences: Toggle between Light/Dark Themes";

/**
 * Switches to the dark theme, checks the outputs redrew (canvases still drawn), saves a README
 * screenshot, and switches back so later tests see the theme they started with.
 */
async function darkScreenshot(page: Page, frame: Frame, selector: string, name: string): Promise<void> {
  await runCommand(page, TOGGLE_THEME);
  await page.waitForFunction(() => document.querySelector(".monaco-workbench")?.classList.contains("vs-dark"), undefined, { timeout: 15_000 });
  await page.waitForTimeout(1500); // the renderer redraws on the next animation frame after the theme's variables land
  const drawn = await canvasStats(frame, selector);
  assert.ok(drawn.length > 0 && drawn.every(isNonBlank), `redrawn in the dark theme: ${JSON.stringify(drawn)}`);
  await screenshot(page, name, { readme: true });
  await runCommand(page, TOGGLE_THEME);
  await page.waitForFunction(() => !document.querySelector(".monaco-workbench")?.classList.contains("vs-dark"), undefined, { timeout: 15_000 });
}

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

/**
 * Scrolls the notebook in steps of at most 500 px until the element's top is about 220 px from the
 * window's (the output webview moves its outputs after each scroll, so one jump can overshoot).
 */
async function bringNearTop(page: Page, frame: Frame, selector: string): Promise<void> {
  for (let i = 0; i < 16; i++) {
    const box = await frame.locator(selector).first().boundingBox();
    if (!box || Math.abs(box.y - 220) < 40) break;
    await scrollNotebook(page, Math.max(-500, Math.min(500, box.y - 220)));
    await page.waitForTimeout(800);
  }
  await page.waitForTimeout(500);
}

describe("gate heatmaps and gradient norms in the browser", function () {
  this.timeout(600_000);
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

    // Save PNG writes into figures/ beside the notebook and keeps the notebook the active editor.
    // A handle, not a locator: the label changes on click, and a locator by text would move on to the
    // next Save PNG button.
    const save = await frame.locator("button.rnn-button", { hasText: "Save PNG" }).first().elementHandle();
    assert.ok(save, "a Save PNG button");
    // a DOM click: the button sits in the output webview, scrolled out of the page's viewport
    await save.evaluate((el: HTMLElement) => el.click());
    // The label says where for a few seconds; the tooltip keeps it. Polling, not animation frames:
    // an output webview scrolled out of view gets none.
    await frame.waitForFunction((el) => /^Saved to |^Not saved/.test(el?.getAttribute("title") ?? ""), save, { timeout: 30_000, polling: 200 });
    const said = (await save.getAttribute("title")) ?? "";
    step(`Save PNG: ${said}`);
    const rel = /^Saved to (figures\/\S+\.png)$/.exec(said)?.[1];
    assert.ok(rel, `the button says where the figure went: "${said}"`);
    const bytes = readFileSync(path.join(e2eEnv.workspace, rel));
    // PNG signature (PNG spec §5.2): the file is the image, not a data URL or text
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const activeTab = (await page.locator(".tabs-container .tab.active").first().getAttribute("aria-label")) ?? "";
    assert.match(activeTab, /02-lstm-gates\.rnnb/, "the notebook keeps the focus");
    assert.equal(await page.locator(".tabs-container .tab", { hasText: ".png" }).count(), 0, "no editor tab opened for the figure");

    await darkScreenshot(page, frame, "canvas.rnn-heatmap", "sample-02-gates-dark");
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
    await darkScreenshot(page, frame, "canvas.rnn-gradnorms", "sample-03-gradnorms-dark");
  });

  it("sample 06 translates digits with attention and draws the alignment", async () => {
    const { page } = wb();
    // Only this notebook's outputs: the earlier notebooks' webviews hold heatmaps too.
    await runCommand(page, "View: Close All Editors");
    await openNotebook(page, "06-seq2seq-attention.rnnb");
    await runAll(page);
    const { frame, stats } = await waitForDrawnCanvas(page, "canvas.rnn-attention", 400_000);
    step(`attention map drew: ${JSON.stringify(stats)}`);
    // The second map (the nn.Module's) comes after its training loop, further down: VS Code renders
    // an output only when it is scrolled near, so keep scrolling while waiting.
    const deadline = Date.now() + 400_000;
    let maps = await canvasStats(frame, "canvas.rnn-attention");
    while (maps.filter(isNonBlank).length < 2 && Date.now() < deadline) {
      await scrollNotebook(page, 400);
      await page.waitForTimeout(1000);
      maps = await canvasStats(frame, "canvas.rnn-attention");
    }
    assert.ok(maps.length >= 2 && maps.every(isNonBlank), `both attention maps drew: ${JSON.stringify(maps)}`);
    await waitForCellsIdle(page, 400_000);
    // the nn.Module's map, the last one, whole: its title and colour bar above it, its labels below
    await revealInNotebook(page, frame.locator("canvas.rnn-attention").last());
    await scrollNotebook(page, 110);
    await page.waitForTimeout(500);
    await screenshot(page, "sample-06-attention", { readme: true });
  });

  it("typing one character in a gates output redraws its heatmaps in place, without a new execution count", async () => {
    const { page } = wb();
    // A notebook of its own in the workspace copy: one cell that shows an editable gates view.
    const source = [
      "const vocab = rnn.text.charVocab('hello world xyz');",
      "const model = rnn.sequential({ inputShape: [null], name: 'char' }, [rnn.embedding({ inputDim: vocab.size, outputDim: 4 }), rnn.lstm({ units: 8, returnSequences: true, seed: 1 }), rnn.dense({ units: vocab.size })]);",
      "rnn.show.gates(model, rnn.tensor(Float32Array.from(vocab.encode('hello world')), [1, 11]), { vocab });",
    ].join("\n");
    writeFileSync(path.join(e2eEnv.workspace, "what-if-e2e.rnnb"), JSON.stringify({
      format: "rnn-notebook", version: 1, metadata: {},
      cells: [{ kind: "code", language: "typescript", source, outputs: [], metadata: {} }],
    }, null, 2));
    await runCommand(page, "View: Close All Editors");
    await openNotebook(page, "what-if-e2e.rnnb");
    await runAll(page);
    const { frame } = await waitForDrawnCanvas(page, "canvas.rnn-heatmap", 120_000);
    await waitForCellsIdle(page, 120_000);
    // The output learns the cell ended (kernel state message) and enables its field.
    await frame.waitForFunction(() => (document.querySelector(".rnn-whatif") as HTMLElement | null)?.dataset.state === "ready", undefined, { timeout: 30_000, polling: 200 });
    const counts = () => page.$$eval(".notebook-editor .execution-count-label", (els) => els.map((e) => e.textContent ?? ""));
    /** A fingerprint of every heatmap's pixels. */
    const pixels = () => frame.$$eval("canvas.rnn-heatmap", (cs) => cs.map((c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let h = 0;
      for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) | 0;
      return `${canvas.width}x${canvas.height}:${h}`;
    }));
    const countsBefore = await counts();
    const before = await pixels();
    step(`before the edit: execution counts ${JSON.stringify(countsBefore)}, ${before.length} heatmaps`);
    const field = frame.locator("input.rnn-whatif-text").first();
    await field.focus();
    // the caret at the end (the webview does not move it for an End key sent by the test)
    await field.evaluate((f: HTMLInputElement) => f.setSelectionRange(f.value.length, f.value.length));
    await field.pressSequentially("x");
    await frame.waitForFunction(() => (document.querySelector("[data-what-if-draws]") as HTMLElement | null)?.dataset.whatIfDraws === "1", undefined, { timeout: 30_000, polling: 200 });
    const after = await pixels();
    step(`after typing "x": ${await frame.locator(".rnn-whatif-status").first().textContent()}`);
    assert.equal(await field.inputValue(), "hello worldx");
    assert.equal(after.length, before.length, "the same panels");
    assert.ok(after.every((p, i) => p !== before[i]), `every heatmap's pixels changed: ${JSON.stringify({ before, after })}`);
    assert.deepEqual(await counts(), countsBefore, "no new execution count");
    await screenshot(page, "what-if-gates", { readme: true });
  });

  it("sample 07 shows neurons over text, connectivity and trajectories", async () => {
    const { page } = wb();
    await runCommand(page, "View: Close All Editors");
    await openNotebook(page, "07-what-did-it-learn.rnnb");
    await runAll(page);
    // One view of each kind, in the notebook's order: each is drawn only once scrolled near, so
    // scroll on while waiting for the next one, then screenshot it for the README.
    const views: [selector: string, screenshotName: string | undefined][] = [
      ["canvas.rnn-neurons", "sample-07-neurons"],
      ["canvas.rnn-connectivity", "sample-07-connectivity"],
      ["canvas.rnn-trajectory", "sample-07-trajectory"],
    ];
    for (const [selector, name] of views) {
      const deadline = Date.now() + 400_000;
      let frame: Frame | undefined;
      let drawn: Awaited<ReturnType<typeof canvasStats>> = [];
      while (Date.now() < deadline) {
        frame = await findFrameWith(page, selector, 250).catch(() => undefined);
        drawn = frame ? await canvasStats(frame, selector) : [];
        if (drawn.length > 0 && drawn.every(isNonBlank)) break;
        await scrollNotebook(page, 400);
        await page.waitForTimeout(1000);
      }
      assert.ok(frame && drawn.length > 0 && drawn.every(isNonBlank), `${selector} drew: ${JSON.stringify(drawn)}`);
      step(`${selector} drew: ${JSON.stringify(drawn)}`);
      if (selector === "canvas.rnn-connectivity") assert.equal(drawn.length, 3, "one map per family: SimpleRNN, LSTM, GRU");
      await waitForCellsIdle(page, 400_000);
      if (!name) continue;
      await bringNearTop(page, frame, selector);
      await screenshot(page, name, { readme: true });
    }
  });

  it("sample 08 compares runs, replays the flight recorder, and Compare Runs shows the ledger", async () => {
    const { page } = wb();
    await runCommand(page, "View: Close All Editors");
    await openNotebook(page, "08-experiments.rnnb");
    await runAll(page);
    await waitForCellsIdle(page, 400_000);
    // The families' comparison (the first runs view) and the recorded LSTM's training output.
    const runsView = await waitForDrawnCanvas(page, "canvas.rnn-runs", 300_000);
    step(`runs view drew: ${JSON.stringify(runsView.stats)}`);
    await scrollNotebookTo(page, runsView.frame, "canvas.rnn-runs");
    await screenshot(page, "sample-08-compare", { readme: true });
    const recorder = await waitForDrawnCanvas(page, ".rnn-probe-detail canvas.rnn-heatmap", 300_000);
    const slider = recorder.frame.locator("input.rnn-probe-scrubber").first();
    const heat = () => recorder.frame.locator(".rnn-probe-detail canvas.rnn-heatmap").first().evaluate((c: HTMLCanvasElement) => c.toDataURL());
    const atEnd = await heat();
    // Home: back to the step before training; the heatmap redraws from that snapshot
    await slider.focus();
    await slider.press("Home");
    await recorder.frame.waitForFunction((before) => {
      const c = document.querySelector(".rnn-probe-detail canvas.rnn-heatmap") as HTMLCanvasElement | null;
      return !!c && c.toDataURL() !== before;
    }, atEnd, { timeout: 15_000, polling: 200 });
    const label = (await recorder.frame.locator(".rnn-probe-step").first().textContent()) ?? "";
    step(`scrubbed to: ${label}`);
    assert.notEqual(await heat(), atEnd, "the gates heatmap shows another snapshot");

    // The same ledger, from the command palette: no code runs, the notebook's ten runs are listed.
    await runCommand(page, "RNN Notebook: Compare Runs");
    // The panel is the frame whose runs view lists the whole ledger (the outputs' views show 3, 2 and 1 runs).
    let runs = 0;
    for (const deadline = Date.now() + 60_000; runs < 10 && Date.now() < deadline; await page.waitForTimeout(500)) {
      for (const f of page.frames()) runs = Math.max(runs, await f.evaluate(() => document.querySelectorAll("th.rnn-runs-run").length).catch(() => 0));
    }
    step(`Compare Runs panel: ${runs} runs`);
    // sample 08 records ten runs: three families, two clipping runs (one stopped), the recorded LSTM,
    // the scheduled GRU and its two halves, and the hand-written loop
    assert.equal(runs, 10);
  });
});

