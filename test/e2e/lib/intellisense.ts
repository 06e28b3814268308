/**
 * IntelliSense steps shared by the desktop and the web E2E tests, on the first sample notebook
 * (01-*.rnnb): completion of an earlier cell's model after typing `simple.` in the LSTM cell, and both
 * hovers — type info and parameter count — on its `rnn.lstm({ units: 16` line.
 */
import * as assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { e2eEnv } from "./env";
import { screenshot, step } from "./workbench";

/** The first sample, 01-*.rnnb, in the E2E workspace. */
export function firstSampleName(): string {
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

/**
 * In a notebook just opened (its first cell selected): moves `cellsDown` cells down, enters that cell's
 * editor and starts a new line at its end. Keyboard only: clicks into the notebook body land on the
 * output/markdown webview.
 */
export async function newLineAtEndOfCell(page: Page, cellsDown: number): Promise<void> {
  for (let i = 0; i < cellsDown; i++) {
    await page.keyboard.press("ArrowDown");
    await page.waitForTimeout(150);
  }
  await page.keyboard.press("Enter");
  await page.waitForTimeout(300);
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
}

/**
 * In the open first sample: enters the LSTM cell, types `text` on a new last line and waits for the
 * suggest widget to list `expect`; returns the labels shown. The editor stays in that cell.
 */
export async function completionAfter(page: Page, text: string, expect: string): Promise<string[]> {
  // the fourth cell: the second code cell, the LSTM model
  await newLineAtEndOfCell(page, 3);
  await page.keyboard.type(text, { delay: 60 });
  step(`typed \`${text}\``);
  const widget = page.locator(".editor-widget.suggest-widget.visible").first();
  await widget.waitFor({ state: "visible", timeout: 60_000 });
  await widget.locator(".monaco-list-row", { hasText: expect }).first().waitFor({ state: "visible", timeout: 60_000 });
  const labels = await widget.locator(".monaco-list-row .label-name").allTextContents();
  step(`completion list: ${labels.join(", ")}`);
  return labels;
}

/**
 * Still in the LSTM cell's editor: shows the hover on its `rnn.lstm({ units: 16 …` line and returns its
 * text once both our hovers (type info with `lstm(` and the parameter count) are in it.
 */
export async function hoverOnLstm(page: Page, screenshotName?: string): Promise<string> {
  // The line is found in the sample's own source (the cell's first lines may change: a comment, seeding).
  const line = lstmLine(readFileSync(join(e2eEnv.workspace, firstSampleName()), "utf8"));
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
  if (screenshotName) {
    await page.waitForTimeout(500);
    await screenshot(page, screenshotName, { readme: true });
  }
  await page.keyboard.press("Escape");
  return text;
}
