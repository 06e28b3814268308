/**
 * The web-only package (package.json "browser" entry, no "main": scripts/package-web.mjs) installed into
 * code-server, which can then run it only in its web worker extension host — the kernel in a Web Worker
 * (dist/web/kernelWorker.js), IntelliSense in another, files through vscode.workspace.fs:
 *   - samples 01–05, English and Korean, run with Run All; their saved outputs equal the Node kernel's
 *     (the headless runner, dist/cli.js, on the same notebook) within 1e-6 relative;
 *   - gate heatmaps and gradient-norm plots are drawn;
 *   - Stop interrupts a running fit, and the next cell sees the trained model;
 *   - completion after `rnn.` and the parameter hover;
 *   - a model saved in the browser loads in the Node kernel, and one the Node kernel saved loads in the browser.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Locator, Page } from "playwright-core";
import { allCodeCellsRan, compareOutputs, withoutOutputs } from "../lib/compareOutputs";
import { e2eEnv } from "../lib/env";
import { completionAfter, firstSampleName, hoverOnLstm } from "../lib/intellisense";
import {
  canvasStats, isNonBlank, openNotebook, pickKernelIfAsked, runAll, runCellAt, runCommand, screenshot, step, useWorkbench, waitForDrawnCanvas, waitForText,
} from "../lib/workbench";

const SAMPLES = ["01-parameter-counting", "02-lstm-gates", "03-vanishing-gradients", "04-char-language-model", "05-pytorch-style"];
const CLI = path.join(e2eEnv.repoRoot, "dist", "cli.js");

/** Writes `source` to `file` and runs it with the Node kernel (the headless runner); returns the notebook it wrote, with outputs. */
function runWithNode(file: string, source: string): string {
  writeFileSync(file, source);
  const out = `${file}.node-out.rnnb`;
  execFileSync(process.execPath, [CLI, "run", file, "--out", out], { cwd: path.dirname(file), stdio: "pipe", timeout: 300_000 });
  return readFileSync(out, "utf8");
}

/** The notebook toolbar's Interrupt button, shown while a cell runs. */
function interruptButton(page: Page): Locator {
  return page.locator(".notebook-toolbar-container").getByText("Interrupt", { exact: true }).locator("visible=true").first();
}

/** Runs the open notebook's first cell, picking our kernel if VS Code asks for one. */
async function runFirstCell(page: Page): Promise<void> {
  await runCellAt(page, 0);
  await pickKernelIfAsked(page);
}

/**
 * Waits until the active notebook's run has ended (its toolbar's Interrupt button came and stayed gone) and
 * returns the file once it shows every code cell run. VS Code in the browser saves by itself
 * (`files.autoSave` is "afterDelay" there by default); a save of ours is asked for only when that did not
 * happen, since one started while an auto-save is writing collides with it ("the file is newer").
 */
async function saveWhenAllRan(page: Page, file: string, timeoutMs: number): Promise<string> {
  const interrupt = interruptButton(page);
  const deadline = Date.now() + timeoutMs;
  await interrupt.waitFor({ state: "visible", timeout: 30_000 }).catch(() => undefined); // a short run may be over already
  for (let saves = 0; ; saves++) {
    // Between two cells of Run All the button can go for a moment: the run has ended when it stays gone 5 s.
    for (let quiet = 0; quiet < 10;) {
      if (Date.now() > deadline) throw new Error(`${path.basename(file)}: still running after ${timeoutMs / 1000} s`);
      await page.waitForTimeout(500);
      quiet = (await interrupt.isVisible().catch(() => false)) ? 0 : quiet + 1;
    }
    // A large notebook (lesson 03's outputs) takes a while to reach the disk from a busy web host; the
    // last cell's count is set when it starts, so the file is taken once it also stopped changing.
    let last = "";
    for (let waited = 0; waited < 90_000; waited += 1000) {
      const text = readFileSync(file, "utf8");
      if (text === last && allCodeCellsRan(text)) return text;
      last = text;
      await page.waitForTimeout(1000);
    }
    // Only an editor with unsaved changes is saved: saving a clean one races the auto-save that just wrote it.
    const dirty = await page.locator(".tabs-container .tab.active.dirty").count() > 0;
    if (Date.now() > deadline || saves === 3 || !dirty) {
      throw new Error(`${path.basename(file)}: not every code cell has run${dirty ? "" : " (the editor has no unsaved changes)"} within ${timeoutMs / 1000} s`);
    }
    step(`${path.basename(file)}: not auto-saved after the run ended: saving`);
    await runCommand(page, "File: Save");
  }
}

function rnnb(cells: string[]): string {
  return JSON.stringify({
    format: "rnn-notebook", version: 1, metadata: {},
    cells: cells.map((source) => ({ kind: "code", language: "typescript", source, outputs: [], metadata: {} })),
  }, null, 2);
}

/** The notebooks the tests open, written before the workbench opens: Quick Open finds a file only once it is indexed. */
const NOTEBOOKS = new Map<string, string>();

const sampleCopy = (lang: string, sample: string): string => `zz-web-${lang ? "ko-" : ""}${sample}.rnnb`;
const sampleSource = (lang: string, sample: string): string =>
  readFileSync(path.join(e2eEnv.repoRoot, "media", "samples", lang, `${sample}.rnnb`), "utf8");
NOTEBOOKS.set("zz-web-stop.rnnb", rnnb([
  [
    "const data = rnn.datasets.addingProblem({ samples: 256, timesteps: 20, seed: 1 });",
    "const model = rnn.sequential({ inputShape: [20, 2] }, [rnn.lstm({ units: 16, seed: 1 }), rnn.dense({ units: 1, seed: 1 })]);",
    "const untrained = model.evaluate(data.x, data.y, { loss: \"mse\" }).loss;",
    "const history = await model.fit(data.x, data.y, { epochs: 100000, batchSize: 32, loss: \"mse\", seed: 1 });",
  ].join("\n"),
  "`after stop: interrupted ${history.interrupted}, ${history.loss.length} epochs, mse ${model.evaluate(data.x, data.y, { loss: \"mse\" }).loss.toFixed(4)} (untrained ${untrained.toFixed(4)})`",
]));
NOTEBOOKS.set("zz-web-spin.rnnb", rnnb([
  "const kept = 42; `kept ${kept}`",
  "while (true) { /* never yields: only terminating the worker ends it */ }",
  "`kept is now ${typeof kept}`",
]));
/** Model files across kernels: the same input, models of known seeds, predictions printed as JSON. */
const FILES_INPUT = "const x = rnn.tensor(Array.from({ length: 30 }, (_, i) => Math.sin(i)), [2, 5, 3]);";
const filesModel = (seed: number): string =>
  `rnn.sequential({ inputShape: [5, 3] }, [rnn.lstm({ units: 4, seed: ${seed} }), rnn.dense({ units: 2, seed: ${seed + 1} })])`;
const printPredictions = (name: string): string => `console.log("predictions " + JSON.stringify(Array.from(${name}.predict(x).data)));`;
NOTEBOOKS.set("zz-web-files.rnnb", rnnb([
  `${FILES_INPUT}\nconst a = ${filesModel(1)};\na.save("zz-from-web.rnnmodel");\n${printPredictions("a")}`,
  `const b = rnn.load("zz-from-node.rnnmodel");\n${printPredictions("b")}`,
]));
for (const lang of ["", "ko"]) {
  // Copies without outputs, so what a file shows after its run is this run's.
  for (const sample of SAMPLES) NOTEBOOKS.set(sampleCopy(lang, sample), withoutOutputs(sampleSource(lang, sample)));
}

describe("the web extension in code-server's web worker extension host", function () {
  this.timeout(900_000);
  before(() => {
    for (const [name, text] of NOTEBOOKS) writeFileSync(path.join(e2eEnv.workspace, name), text);
  });
  const wb = useWorkbench();

  it("completes after `rnn.` and shows the parameter hover", async () => {
    const { page } = wb();
    await openNotebook(page, firstSampleName());
    // The list is alphabetical and virtualised: its first rows show at once, `lstm` after narrowing.
    const labels = await completionAfter(page, "rnn.", "adam");
    for (const member of ["Sequential", "Tensor", "adam"]) assert.ok(labels.includes(member), `${member} in ${labels.join(", ")}`);
    await page.keyboard.type("lst", { delay: 60 });
    const widget = page.locator(".editor-widget.suggest-widget.visible").first();
    const lstm = widget.locator(".monaco-list-row", { hasText: "lstm" }).first();
    // The widget may close while the narrowed list is computed again: ask again (Trigger Suggest).
    if (!(await lstm.isVisible({ timeout: 5000 }).catch(() => false))) await page.keyboard.press("Control+Space");
    await lstm.waitFor({ state: "visible", timeout: 30_000 });
    await screenshot(page, "web-completion");
    await page.keyboard.press("Escape");
    const text = await hoverOnLstm(page);
    assert.match(text, /1,152/, "the parameter count of LSTM(16) on 1 feature: 4·(16·(1+16)+16) = 1,152");
    await runCommand(page, "View: Revert and Close Editor").catch(() => undefined);
  });

  for (const lang of ["", "ko"]) {
    for (const sample of SAMPLES) {
      const label = `${lang ? "ko/" : ""}${sample}`;
      it(`runs ${label}: its outputs equal the Node kernel's within 1e-6`, async () => {
        const { page } = wb();
        const name = sampleCopy(lang, sample);
        const file = path.join(e2eEnv.workspace, name);
        const source = sampleSource(lang, sample);
        await openNotebook(page, name);
        await runAll(page);
        if (sample === "02-lstm-gates" || sample === "03-vanishing-gradients") {
          // Gate heatmaps (02) and gradient-norm plots (03) drawn by the renderer on canvases.
          const { frame, stats } = await waitForDrawnCanvas(page, "canvas", 240_000, { minWidth: 32, minHeight: 32 });
          step(`${label}: a canvas drew ${JSON.stringify(stats)}`);
          assert.ok((await canvasStats(frame)).some(isNonBlank));
          await screenshot(page, `web-${sample}`);
        }
        const web = await saveWhenAllRan(page, file, 400_000);
        const node = runWithNode(path.join(path.dirname(file), `zz-node-${lang ? "ko-" : ""}${sample}.rnnb`), source);
        const r = compareOutputs(web, node);
        step(`${label}: ${r.numbers} numbers compared, largest relative difference ${r.maxRelative.toExponential(2)}`);
        assert.deepEqual(r.diffs, [], `${label} in the browser vs the Node kernel`);
        assert.ok(r.numbers > 20, `numbers were compared (${r.numbers})`);
        await runCommand(page, "View: Close All Editors");
      });
    }
  }

  it("Stop interrupts a running fit in the worker, and the next cell sees the trained model", async () => {
    const { page } = wb();
    await openNotebook(page, "zz-web-stop.rnnb");
    await runFirstCell(page);
    const progress = await waitForText(page, /Epoch ([3-9]|\d\d+)\/100000/, 180_000);
    step(`training in the worker: ${progress.text}`);
    await interruptButton(page).click({ timeout: 20_000 });
    step("Interrupt clicked");
    await waitForText(page, /Epoch \d+\/100000[^\n]*(interrupted|stopped)/, 60_000);
    await runCellAt(page, 1);
    const after = await waitForText(page, /after stop: interrupted (\w+), (\d+) epochs, mse ([\d.]+) \(untrained ([\d.]+)\)/, 120_000);
    step(after.text);
    const [, interrupted, epochs, mse, untrained] = /after stop: interrupted (\w+), (\d+) epochs, mse ([\d.]+) \(untrained ([\d.]+)\)/.exec(after.text)!;
    assert.equal(interrupted, "true");
    assert.ok(Number(epochs) >= 3, `the fit got as far as the progress showed (${epochs} epochs)`);
    // Trained weights kept: the mse of the model the next cell sees is below the untrained model's.
    assert.ok(Number(mse) < Number(untrained), `mse ${mse} after training, ${untrained} before`);
    await runCommand(page, "View: Close All Editors");
  });

  it("Stop on a cell that never yields ends the worker after the grace period, and says every variable was lost", async () => {
    const { page } = wb();
    await openNotebook(page, "zz-web-spin.rnnb");
    await runFirstCell(page);
    await waitForText(page, /kept 42/, 120_000);
    await runCellAt(page, 1);
    await page.waitForTimeout(2000);
    await interruptButton(page).click({ timeout: 20_000 });
    step("Interrupt clicked on the spinning cell");
    // The grace period (rnnNotebook.kernel.interruptGracePeriodSeconds, 5 s by default), then a fresh worker.
    const lost = await waitForText(page, /All variables were lost/, 60_000);
    step(`the cell says: ${lost.text}`);
    await runCellAt(page, 2);
    const after = await waitForText(page, /kept is now \w+/, 120_000);
    assert.equal(after.text, "kept is now undefined", "the fresh worker has none of the old variables");
    await runCommand(page, "View: Close All Editors");
  });

  it("a model saved in the browser loads in the Node kernel, and one the Node kernel saved loads in the browser", async () => {
    const { page } = wb();
    const dir = e2eEnv.workspace;
    // The Node kernel saves one model first.
    const nodeSaved = runWithNode(path.join(dir, "zz-node-save.rnnb"),
      rnnb([`${FILES_INPUT}\nconst m = ${filesModel(3)};\nm.save("zz-from-node.rnnmodel");\n${printPredictions("m")}`]));
    assert.ok(existsSync(path.join(dir, "zz-from-node.rnnmodel")));
    // In the browser: save a model, load the Node kernel's.
    const name = "zz-web-files.rnnb";
    await openNotebook(page, name);
    await runAll(page);
    const web = await saveWhenAllRan(page, path.join(dir, name), 180_000);
    assert.ok(existsSync(path.join(dir, "zz-from-web.rnnmodel")), "the browser wrote zz-from-web.rnnmodel into the workspace");
    // The Node kernel loads the browser's file.
    const nodeLoaded = runWithNode(path.join(dir, "zz-node-load.rnnb"),
      rnnb([`${FILES_INPUT}\nconst a = rnn.load("zz-from-web.rnnmodel");\n${printPredictions("a")}`]));
    const printed = (nb: string, cell: number): number[] => {
      const code = (JSON.parse(nb) as { cells: { kind: string; outputs: { items: { data: unknown }[] }[] }[] }).cells.filter((c) => c.kind === "code");
      const text = code[cell].outputs.flatMap((o) => o.items).map((i) => String(i.data)).join("\n");
      const m = /predictions (\[[^\]]*\])/.exec(text);
      assert.ok(m, `cell ${cell + 1} printed its predictions: ${text.slice(0, 200)}`);
      return JSON.parse(m[1]) as number[];
    };
    const close = (a: number[], b: number[], what: string): void => {
      assert.equal(a.length, 4, `${what}: 2 sequences × 2 outputs`);
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 * Math.max(Math.abs(a[i]), Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
    };
    close(printed(nodeLoaded, 0), printed(web, 0), "the browser's model, loaded by the Node kernel");
    close(printed(web, 1), printed(nodeSaved, 0), "the Node kernel's model, loaded in the browser");
    await runCommand(page, "View: Close All Editors");
  });
});
