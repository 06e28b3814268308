/**
 * IntelliSense in cells in the browser: in the first sample notebook, typing
 * `simple.` in a later cell — `simple` is the model declared in the first code cell — opens the
 * completion list with the model's members, from the engine's generated types. Screenshots:
 * test-results/e2e/completion-list.png (the list) and completion-list-summary.png (narrowed to `summary`).
 * Then, on a layer call, both hovers at once: the type info with the engine's
 * doc comment and the parameter count — hover-type-info-and-params.png.
 */
import * as assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { e2eEnv } from "./lib/env";
import { openNotebook, screenshot, step, useWorkbench } from "./lib/workbench";

/** The first sample, 01-*.rnnb, in the E2E workspace. */
function sampleName(): string {
  const first = readdirSync(e2eEnv.workspace).filter((f) => /^01-.*\.rnnb$/.test(f)).sort()[0];
  assert.ok(first, `a sample 01-*.rnnb in ${e2eEnv.workspace}`);
  return first;
}

/** 0-based line of `rnn.lstm({ units: 16` in the sample's second code cell (the LSTM model). */
function lstmLine(notebookJson: string): number {
  const cells = (JSON.parse(notebookJson) as { cells: { kind: string; source: string }[] }).cells.filter((c) => c.kind === "code");
  const line = cells[1].source.split("\n").findIndex((l) => l.includes("rnn.lstm({ units: 16"));
  assert.ok(line >= 0, "the LSTM cell has an rnn.lstm({ units: 16 … }) line");
  return line;
}

describe("completion in a notebook cell", function () {
  this.timeout(300_000);
  const wb = useWorkbench();

  it("lists an earlier cell's model members after typing `simple.`", async () => {
    const { page } = wb();
    await openNotebook(page, sampleName());

    // Keyboard only (clicks into the notebook body land on the output/markdown webview): the notebook
    // opens with its first cell selected; move down to the fourth cell (the second code cell, the LSTM
    // model), enter its editor, go to its end, start a new line and type.
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("ArrowDown");
      await page.waitForTimeout(150);
    }
    await page.keyboard.press("Enter");
    await page.waitForTimeout(300);
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("simple.", { delay: 60 });
    step("typed `simple.`");

    const widget = page.locator(".editor-widget.suggest-widget.visible").first();
    await widget.waitFor({ state: "visible", timeout: 60_000 });
    // The list is alphabetical; the model's first members (countParams, evaluate, fit, …) show at once.
    await widget.locator(".monaco-list-row", { hasText: "fit" }).first().waitFor({ state: "visible", timeout: 60_000 });
    const labels = await widget.locator(".monaco-list-row .label-name").allTextContents();
    step(`completion list: ${labels.join(", ")}`);
    for (const member of ["countParams", "fit"]) assert.ok(labels.some((l) => l.startsWith(member)), `${member} in ${labels.join(", ")}`);
    await page.waitForTimeout(800); // let the details (signature + doc comment) render
    await screenshot(page, "completion-list", { readme: true });
    // Narrowed to `summary`, with its signature: the member the notebook's first cell calls.
    await page.keyboard.type("summ", { delay: 60 });
    await widget.locator(".monaco-list-row", { hasText: "summary" }).first().waitFor({ state: "visible", timeout: 30_000 });
    await page.waitForTimeout(500);
    await screenshot(page, "completion-list-summary");
    await page.keyboard.press("Escape");
  });

  it("shows the type-info hover and the parameter-count hover together on a layer call", async () => {
    const { page } = wb();
    // Still in the LSTM cell's editor: go to its `  rnn.lstm({ units: 16, returnSequences: true }), …` line,
    // found in the sample's own source (the cell's first lines may change: a comment, seeding).
    const line = lstmLine(readFileSync(join(e2eEnv.workspace, sampleName()), "utf8"));
    await page.keyboard.press("Control+Home");
    for (let i = 0; i < line; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Home");
    for (let i = 0; i < 7; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I"); // Show Hover
    const hover = page.locator(".monaco-hover:not(.hidden)").first();
    await hover.waitFor({ state: "visible", timeout: 60_000 });
    await page.waitForFunction(() => {
      const text = document.querySelector(".monaco-hover:not(.hidden)")?.textContent ?? "";
      return /parameters/.test(text) && /lstm\(/.test(text);
    }, undefined, { timeout: 60_000 });
    const text = (await hover.textContent()) ?? "";
    step(`hover: ${text.slice(0, 200).replace(/\s+/g, " ")}…`);
    assert.match(text, /1,152/, "the parameter count of LSTM(16) on 1 feature");
    await page.waitForTimeout(500);
    await screenshot(page, "hover-type-info-and-params", { readme: true });
    await page.keyboard.press("Escape");
  });
});
