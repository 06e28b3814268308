// Select → match in the neurons view (src/renderer/neurons.ts) in headless Chromium: a hand-set payload
// where unit 7 is +1 on vowels and −1 elsewhere and unit 3 is +0.8 on spaces; dragging across the "a"
// of "cat" lists unit 7 and frames the other vowels (as rnn.analysis.selectUnits does: same shared code),
// and the canvas changes. A payload's own `select` is drawn on arrival.
import * as assert from "node:assert/strict";
import { MIME } from "../../../src/shared/mime";
import type { NeuronsPayload } from "../../../src/shared/payloads";
import { CHROMIUM, openRendererPage, type Page, type RendererPage } from "../../support/rendererPage";

const TEXT = Array.from("the cat ate");
const VOWELS = new Set(["a", "e", "i", "o", "u"]);
const payload: NeuronsPayload = {
  layer: { index: 1, name: "lstm", type: "lstm" }, state: "h", text: TEXT, units: [7, 3], layerUnits: 8, domain: [-1, 1],
  values: [...TEXT.map((c) => (VOWELS.has(c) ? 1 : -1)), ...TEXT.map((c) => (c === " " ? 0.8 : -0.2))],
};

describe("neurons select → match in Chromium", function () {
  this.timeout(60_000);
  let opened: RendererPage | undefined;
  let page: Page & { mouse: { move(x: number, y: number): Promise<void>; down(): Promise<void>; up(): Promise<void> } };

  before(async function () {
    if (!CHROMIUM) { this.skip(); return; }
    opened = await openRendererPage(`import { render } from "./src/renderer/render"; (window as any).rnnRender = render;`,
      `class="vscode-light" style="--vscode-editor-background:#ffffff;--vscode-editor-foreground:#1f1f1f;background:#ffffff"`);
    page = opened.page as typeof page;
  });
  after(async () => { await opened?.close(); });

  async function draw(value: unknown) {
    return page.evaluate(({ mime, value }) => {
      document.body.replaceChildren();
      const box = document.createElement("div");
      box.style.width = "800px";
      document.body.appendChild(box);
      (window as any).root = (window as any).rnnRender({ container: box, mime, value });
      const r = (document.querySelector("canvas.rnn-neurons") as HTMLCanvasElement).getBoundingClientRect();
      return { left: r.left, top: r.top };
    }, { mime: MIME.neurons, value });
  }
  const state = () => page.evaluate(() => {
    const c = document.querySelector("canvas.rnn-neurons") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) | 0;
    return { hash: h, selected: (window as any).root.dataset.selected as string | undefined, note: document.querySelector(".rnn-neurons-select")?.textContent ?? "" };
  });

  it("dragging across a vowel lists the vowel unit and frames the other vowels", async () => {
    const at = await draw(payload);
    const before = await state();
    assert.equal(before.selected, undefined);
    assert.match(before.note, /Drag across characters/);
    // character t is at x = 64 + (t + 0.5) · 11 CSS px, unit rows 17 px high (src/renderer/neurons.ts LABEL_W, CW, RH)
    const x = (t: number) => at.left + 64 + (t + 0.5) * 11;
    await page.mouse.move(x(5), at.top + 8);
    await page.mouse.down();
    await page.mouse.move(x(5) + 2, at.top + 8);
    await page.mouse.up();
    const after = await state();
    assert.equal(after.selected, "5-6");
    assert.equal(after.note, "Selected t = 5…5 “a”: units 7 (+1.4) most active there; same pattern at t = 2…2 “e”, t = 8…8 “a”, t = 10…10 “e”.");
    assert.notEqual(after.hash, before.hash, "the selection is drawn");

    // dragging over "cat" (t = 4…6) selects three characters
    await page.mouse.move(x(4), at.top + 25);
    await page.mouse.down();
    await page.mouse.move(x(6), at.top + 25);
    await page.mouse.up();
    assert.equal((await state()).selected, "4-7");
  });

  it("draws a payload's own selection on arrival", async () => {
    await draw({ ...payload, select: { range: [3, 4], units: [{ unit: 3, score: 1, on: true }], matches: [[7, 8]] } });
    const s = await state();
    assert.equal(s.selected, "3-4");
    assert.match(s.note, /^Selected t = 3…3 “␣”: units 3 \(\+1\) most active there; same pattern at t = 7…7 “␣”\.$/);
    assert.deepEqual(opened!.pageErrors, []);
  });
});
