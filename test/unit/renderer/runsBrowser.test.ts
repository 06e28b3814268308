// The run comparison view (src/renderer/runs.ts) in headless Chromium, fed compareRuns' own payload of
// two runs that differ only in clipNorm: the canvas is drawn with both runs' colours, switching metric,
// x axis and smoothing redraws it (the pixels change), the table lists only the differing key until
// "Show all keys", and hostile run ids and config values are shown as text, never as markup.
import * as assert from "node:assert/strict";
import type { RunRecord } from "../../../src/engine/runs";
import { compareRuns } from "../../../src/engine/runsCompare";
import { MIME } from "../../../src/shared/mime";
import { CHROMIUM, openRendererPage, renderFresh, type Page, type RendererPage } from "../../support/rendererPage";

const XSS = `<img src=x onerror="window.__pwned=1">`;

function record(id: string, clipNorm: number | null, loss: number[], valLoss: number[]): RunRecord {
  return {
    id, endedAt: "2026-01-01T00:00:00.000Z", model: { name: "lstm", type: "Sequential", totalParams: 101 },
    config: { epochs: loss.length, batchSize: 8, clipNorm, optimizer: "adam", note: XSS },
    epochs: { loss, valLoss }, batches: { every: 2, method: "block mean", loss: loss.flatMap((v) => [v * 1.1, v * 0.9]), total: 2 * loss.length * 2 },
    wallTimeMs: id === XSS ? 3000 : 6000, interrupted: false, stoppedEarly: false,
  };
}

const runs = [
  record("no clip", null, [1, 0.5, 0.8, 0.3, 0.35, 0.2, 0.25, 0.1], [1.2, 0.9, 0.8, 0.7, 0.65, 0.6, 0.6, 0.55]),
  record(XSS, 1, [2, 1.5, 1.2, 0.9, 1.0, 0.6, 0.5, 0.45], [2.1, 1.7, 1.3, 1.1, 1.0, 0.9, 0.8, 0.75]),
];

describe("runs comparison view in Chromium", function () {
  this.timeout(60_000);
  let opened: RendererPage | undefined;
  let page: Page;

  before(async function () {
    if (!CHROMIUM) { this.skip(); return; }
    opened = await openRendererPage(`import { render } from "./src/renderer/render"; (window as any).rnnRender = render;`,
      `class="vscode-light" style="--vscode-editor-background:#ffffff;--vscode-editor-foreground:#1f1f1f;background:#ffffff"`);
    page = opened.page;
  });
  after(async () => {
    assert.deepEqual(opened?.pageErrors ?? [], []);
    await opened?.close();
  });

  const draw = () => renderFresh(page, MIME.runs, compareRuns(runs).payload);
  /** A fingerprint of the plot's pixels, and how many pixels are (close to) each run's colour. */
  const pixels = () => page.evaluate(() => {
    const c = document.querySelector("canvas.rnn-runs") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    // Okabe–Ito blue and orange: the light theme's first two series colours (src/renderer/gradNorms.ts)
    const targets = [[0x00, 0x72, 0xb2], [0xe6, 0x9f, 0x00]];
    const counts = [0, 0];
    let h = 0;
    for (let i = 0; i < d.length; i += 4) {
      h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2] + 17 * d[i + 3]) | 0;
      targets.forEach((t, k) => {
        if (d[i + 3] > 200 && Math.abs(d[i] - t[0]) + Math.abs(d[i + 1] - t[1]) + Math.abs(d[i + 2] - t[2]) < 30) counts[k]++;
      });
    }
    return { hash: h, counts };
  });
  /** Sets a control's value as a user would and fires the event the view listens to. */
  const setValue = (selector: string, value: string, event: string) => page.evaluate(({ selector, value, event }) => {
    const control = document.querySelector(selector) as HTMLInputElement | HTMLSelectElement;
    control.value = value;
    control.dispatchEvent(new Event(event));
  }, { selector, value, event });
  const state = () => page.evaluate(() => {
    const root = (window as any).root as HTMLElement;
    return { metric: root.dataset.metric, x: root.dataset.x, smoothing: root.dataset.smoothing, title: root.querySelector(".rnn-title")!.textContent };
  });

  it("draws one curve per run, in the run's colour, with a legend of run ids", async () => {
    assert.equal(await draw(), "runs");
    const p = await pixels();
    assert.ok(p.counts[0] > 50 && p.counts[1] > 50, `both runs drawn: ${p.counts}`);
    const legend = await page.evaluate(() => [...document.querySelectorAll(".rnn-series-legend > span")].map((s) => s.textContent));
    assert.equal(legend.length, 2);
    assert.match(legend[0]!, /^no clip — final loss 0\.1$/);
    assert.ok(legend[1]!.startsWith(XSS), "the hostile id, as text");
  });

  it("switching metric, x axis and smoothing redraws the plot", async () => {
    await draw();
    const first = await pixels();
    assert.deepEqual(await state(), { metric: "loss", x: "step", smoothing: "0.6", title: "Runs compared: loss" });
    await setValue("select.rnn-runs-metric", "valLoss", "change");
    const metric = await pixels();
    assert.notEqual(metric.hash, first.hash, "valLoss drawn");
    assert.equal((await state()).title, "Runs compared: valLoss");
    await page.evaluate(() => (document.querySelector("button[data-axis='time']") as HTMLButtonElement).click());
    const time = await pixels();
    // the second run took 3 s, the first 6 s: on wall time their curves end at different x
    assert.notEqual(time.hash, metric.hash, "wall time x");
    assert.equal(await page.evaluate(() => document.querySelector("button[data-axis='time']")!.getAttribute("aria-pressed")), "true");
    await setValue("input.rnn-runs-smoothing", "0", "input");
    const raw = await pixels();
    assert.notEqual(raw.hash, time.hash, "smoothing 0: the raw curves only");
    assert.deepEqual(await state(), { metric: "valLoss", x: "time", smoothing: "0", title: "Runs compared: valLoss" });
  });

  it("the smoothing slider works from the keyboard", async () => {
    await draw();
    const before = await pixels();
    await page.evaluate(() => (document.querySelector("input.rnn-runs-smoothing") as HTMLInputElement).focus());
    for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowRight");
    // 0.6 + 10 steps of 0.01
    assert.equal((await state()).smoothing, "0.7");
    assert.notEqual((await pixels()).hash, before.hash);
  });

  it("the table shows only the keys that differ, all behind \"Show all keys\"; hostile values are text", async () => {
    await draw();
    const rows = () => page.evaluate(() => [...document.querySelectorAll("tr.rnn-runs-key")].map((tr) => (tr as HTMLElement).dataset.key));
    assert.deepEqual(await rows(), ["clipNorm"]);
    const cells = await page.evaluate(() => [...document.querySelectorAll("tr.rnn-runs-key td")].map((td) => td.textContent));
    assert.deepEqual(cells, ["none", "1"]);
    const heads = await page.evaluate(() => [...document.querySelectorAll("th.rnn-runs-run")].map((th) => th.textContent));
    assert.deepEqual(heads, ["no clip", XSS]);
    await page.evaluate(() => (document.querySelector("button.rnn-runs-show-all") as HTMLButtonElement).click());
    assert.deepEqual(await rows(), ["epochs", "batchSize", "clipNorm", "optimizer", "note"]);
    assert.equal(await page.evaluate(() => document.querySelector("tr[data-key='note'] td")!.textContent), XSS);
    assert.equal(await page.evaluate(() => document.querySelectorAll("img").length), 0, "no element built from data");
    assert.equal(await page.evaluate(() => (window as any).__pwned), undefined);
    await page.evaluate(() => (document.querySelector("button.rnn-runs-show-all") as HTMLButtonElement).click());
    assert.deepEqual(await rows(), ["clipNorm"]);
    const finals = await page.evaluate(() => [...document.querySelectorAll("tr.rnn-runs-final")].map((tr) => [...tr.children].map((c) => c.textContent)));
    // the last epoch's values of each run (the records above)
    assert.deepEqual(finals, [["final loss", "0.1", "0.45"], ["final valLoss", "0.55", "0.75"], ["final batchLoss", "0.09", "0.405"]]);
  });
});
