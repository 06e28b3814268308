/**
 * What users feel, measured in the real VS Code and reported, never asserted: each test checks the
 * functional outcome (the output `2` shown, the gate heatmap drawn and non-blank, the expected completion
 * items listed) and writes how long it took to the log (step) and to test-results/e2e/feel-timings.json,
 * which `npm run bench -- --feel` (scripts/bench/feel.mjs) prints as a table. The only time limits are
 * generous hang guards.
 *
 * 1. A trivial first cell with no kernel running: from the click on the cell's run button to `2` shown
 *    (cold: the kernel process starts), then a second cell in the same kernel (warm); and the headless
 *    runner (dist/cli.js) on the same notebook, process start to exit.
 * 2. "Run All" of sample 02 (a copy under a fresh name, so no kernel of an earlier test is attached) to
 *    the first gate heatmap drawn in the output webview; then Run All again in the running kernel.
 * 3. Completion on a 30-cell notebook: in the last cell, from typing the `.` of `m7.` / `rnn.` to the
 *    suggest widget listing the expected members, several repetitions.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import type { Frame, Page } from "playwright-core";
import { e2eEnv } from "./lib/env";
import { newLineAtEndOfCell } from "./lib/intellisense";
import { openNotebook, runCommand, selectedKernelLabel, step, useWorkbench, waitForDrawnCanvas } from "./lib/workbench";

/** Beside the E2E screenshots (git-ignored): timings of this machine, never committed. */
const REPORT = path.join(e2eEnv.resultsDir, "feel-timings.json");

/** Merges one measurement into the report (each test writes its own key, so a failed test leaves a gap, not stale numbers). */
function record(key: string, value: unknown): void {
  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(readFileSync(REPORT, "utf8")) as Record<string, unknown>;
  } catch {
    // first measurement of this run
  }
  report[key] = value;
  report.loadavgEnd = loadavg();
  mkdirSync(path.dirname(REPORT), { recursive: true });
  writeFileSync(REPORT, JSON.stringify(report, null, 2) + "\n");
}

const ms = (t0: number): number => Math.round(performance.now() - t0);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : Math.round((s[m - 1] + s[m]) / 2);
}

function notebookJson(sources: string[]): string {
  return JSON.stringify({
    format: "rnn-notebook", version: 1, metadata: {},
    cells: sources.map((source) => ({ kind: "code", language: "typescript", source, outputs: [], metadata: {} })),
  }, null, 2) + "\n";
}

/**
 * Polls every frame's text every 50 ms until one shows a line that is exactly `line` (an output of
 * `1 + 1` is the line "2"); a finer poll than waitForText's, since the time is what is measured.
 */
async function waitForOutputLine(page: Page, line: string, timeoutMs: number): Promise<Frame> {
  const re = new RegExp(`(^|\\n)\\s*${line}\\s*(\\n|$)`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const text = await frame.locator("body").innerText({ timeout: 200 }).catch(() => "");
      if (re.test(text)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no output showed the line "${line}" within ${timeoutMs / 1000} s`);
    await page.waitForTimeout(50);
  }
}

/** Waits until the notebook toolbar shows our kernel selected, so no kernel picker is part of a timing. */
async function expectOurKernel(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector(".notebook-editor .kernel-action-view-item")?.textContent?.includes("RNN Notebook"),
    undefined, { timeout: 30_000 }).catch(() => undefined);
  assert.match(await selectedKernelLabel(page), /RNN Notebook/, "the RNN Notebook kernel is selected on open");
}

/** Clicks code cell `index`'s run button and returns the click's time (the hover before it is not timed). */
async function clickRunCell(page: Page, index: number): Promise<number> {
  const cell = page.locator(".notebook-editor .code-cell-row").nth(index);
  await cell.hover();
  const button = cell.locator(".run-button-container .action-label").first();
  await button.waitFor({ state: "attached", timeout: 20_000 });
  const t0 = performance.now();
  await button.click({ force: true, timeout: 20_000 });
  return t0;
}

/** Clicks the visible notebook toolbar's "Run All" and returns the click's time. */
async function clickRunAll(page: Page): Promise<number> {
  const button = page.locator(".notebook-toolbar-container").getByText("Run All", { exact: true }).locator("visible=true").first();
  await button.waitFor({ state: "visible", timeout: 20_000 });
  const t0 = performance.now();
  await button.click({ timeout: 20_000 });
  return t0;
}

/**
 * In the cell editor that has the focus (the cursor on an empty line): types `prefix` and then `.`, and
 * measures from the `.` to the visible suggest widget listing every one of `expect` (labels start with
 * them). Clears the line again. Returns the milliseconds.
 */
async function timeCompletion(page: Page, prefix: string, expect: string[]): Promise<number> {
  await page.keyboard.type(prefix, { delay: 60 });
  await page.waitForTimeout(400); // quick suggestions for the identifier itself open and settle first
  const t0 = performance.now();
  await page.keyboard.type(".");
  // polled on every animation frame: the widget's rows are what the user sees
  await page.waitForFunction((names: string[]) => {
    const rows = Array.from(document.querySelectorAll(".editor-widget.suggest-widget.visible .monaco-list-row .label-name"));
    const labels = rows.map((r) => r.textContent ?? "");
    return names.every((n) => labels.some((l) => l.startsWith(n)));
  }, expect, { polling: "raf", timeout: 120_000 });
  const t = ms(t0);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Shift+Home");
  await page.keyboard.press("Backspace");
  await page.waitForTimeout(300);
  return t;
}

describe("what users feel: timings in the real VS Code", function () {
  this.timeout(600_000);
  before(() => {
    rmSync(REPORT, { force: true });
    record("meta", {
      date: new Date().toISOString(), cpus: cpus().length, loadavgStart: loadavg(),
      extension: e2eEnv.payload ? "working tree (URL payload)" : "installed .vsix",
    });
  });
  const wb = useWorkbench();

  it("kernel start to the first cell's result: `1 + 1` shows 2 (and the headless runner)", async () => {
    const { page } = wb();
    const file = "zz-feel-first-cell.rnnb";
    const sources = ["1 + 1", "2 + 3"];
    writeFileSync(path.join(e2eEnv.workspace, file), notebookJson(sources));
    await openNotebook(page, file);
    await expectOurKernel(page);
    // A fresh file: no kernel was ever started for it, so this run starts the kernel process.
    const t0 = await clickRunCell(page, 0);
    await waitForOutputLine(page, "2", 180_000);
    const cold = ms(t0);
    step(`cold: run clicked → "2" shown in ${cold} ms (kernel start included)`);
    const t1 = await clickRunCell(page, 1);
    await waitForOutputLine(page, "5", 180_000);
    const warm = ms(t1);
    step(`warm: run clicked → "5" shown in ${warm} ms (kernel running)`);

    // The headless runner on the same first cell: node dist/cli.js run, process start to exit.
    const dir = mkdtempSync(path.join(tmpdir(), "rnn-notebook-feel-"));
    const headless: number[] = [];
    try {
      const nb = path.join(dir, "first-cell.rnnb");
      writeFileSync(nb, notebookJson([sources[0]]));
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        const r = spawnSync(process.execPath, [path.join(e2eEnv.repoRoot, "dist", "cli.js"), "run", nb], { encoding: "utf8", timeout: 120_000 });
        headless.push(ms(start));
        assert.equal(r.status, 0, `the headless runner failed: ${r.stderr}`);
        assert.equal(r.stdout.trim(), "2", "the headless runner prints the cell's result");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    step(`headless runner, start to exit: ${headless.join(", ")} ms`);
    record("firstResult", { coldMs: cold, warmMs: warm, headlessMs: headless });
  });

  it("Run All of sample 02 to the first drawn gate heatmap", async () => {
    const { page } = wb();
    // A copy under a fresh name: the kernel of the original (run by other tests) may still be alive for it.
    const file = "zz-feel-02-lstm-gates.rnnb";
    copyFileSync(path.join(e2eEnv.workspace, "02-lstm-gates.rnnb"), path.join(e2eEnv.workspace, file));
    // One notebook open at a time: the scrolling helpers act on the first notebook editor in the page.
    await runCommand(page, "View: Close All Editors");
    await openNotebook(page, file);
    await expectOurKernel(page);
    const heatmap = "canvas.rnn-heatmap";
    const runOnce = async (): Promise<number> => {
      const t0 = await clickRunAll(page);
      // at least 32×32: a heatmap panel, not a colour bar; not scrolled into view before the time is taken
      const { stats } = await waitForDrawnCanvas(page, heatmap, 300_000, { minWidth: 32, minHeight: 32, reveal: false });
      const t = ms(t0);
      step(`heatmap drew ${JSON.stringify(stats)}`);
      return t;
    };
    const cold = await runOnce();
    step(`cold: Run All → first gate heatmap drawn in ${cold} ms (kernel start included)`);
    // Outputs cleared first, so the heatmap the warm run waits for can only be a new one.
    await page.locator(".notebook-toolbar-container").getByText("Clear All Outputs", { exact: true }).locator("visible=true").first().click({ timeout: 20_000 });
    for (const deadline = Date.now() + 60_000; ;) {
      let left = 0;
      for (const f of page.frames()) left += await f.locator(heatmap).count().catch(() => 0);
      if (left === 0) break;
      if (Date.now() > deadline) throw new Error(`${left} heatmap(s) still shown 60 s after Clear All Outputs`);
      await page.waitForTimeout(100);
    }
    step("outputs cleared");
    const warm = await runOnce();
    step(`warm: Run All → first gate heatmap drawn in ${warm} ms (kernel running)`);
    record("runAllSample02", { coldMs: cold, warmMs: warm });
  });

  it("completion on a 30-cell notebook: `m7.` and `rnn.` in the last cell", async () => {
    const { page } = wb();
    const file = "zz-feel-30-cells.rnnb";
    const sources = Array.from({ length: 30 }, (_, i) =>
      `const m${i} = rnn.sequential({ inputShape: [10, 4] }, [rnn.lstm({ units: 8 }), rnn.dense({ units: 1 })]);`);
    writeFileSync(path.join(e2eEnv.workspace, file), notebookJson(sources));
    await runCommand(page, "View: Close All Editors");
    await openNotebook(page, file);
    await newLineAtEndOfCell(page, 29); // the 30th cell
    // The list is alphabetical: these are among its first rows (Sequential: countParams, evaluate, fit, …;
    // the rnn namespace: adam, add, additiveAttention, …), so they show without scrolling.
    const cases: [string, string[]][] = [["m7", ["countParams", "fit"]], ["rnn", ["adam", "add"]]];
    const reps = 5;
    const times: Record<string, number[]> = {};
    for (let r = 0; r < reps; r++) {
      for (const [prefix, expect] of cases) {
        const t = await timeCompletion(page, prefix, expect);
        (times[`${prefix}.`] ??= []).push(t);
        step(`\`${prefix}.\` → ${expect.join(", ")} listed in ${t} ms`);
      }
    }
    const summary = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { firstMs: v[0], medianMs: median(v), maxMs: Math.max(...v), allMs: v }]));
    step(`completion: ${JSON.stringify(summary)}`);
    record("completion30Cells", summary);
  });
});
