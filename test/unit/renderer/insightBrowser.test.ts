// The insight views (neurons over text, connectivity, trajectories) in headless Chromium, without VS
// Code: the pure render() bundled with esbuild and fed the kernel's own bundles of seeded real models,
// plus one synthetic 10,000-character × 256-unit payload for speed. Checks: the canvas is drawn (not
// blank), hostile names and characters stay text (no element built from data, no script run), hover
// readouts, scrolling. Skipped when no Chromium.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { createShow } from "../../../src/kernel/rich/index";
import { MIME, type MimeBundle } from "../../../src/shared/mime";
import { CHROMIUM, openRendererPage, type Page, type RendererPage } from "../../support/rendererPage";

const XSS_IMG = `<img src=x onerror="window.__pwned=1">`;
const XSS_TEXT = "<img src=x onerror=alert(1)> say <b>hi</b> ";

describe("insight views in Chromium", function () {
  this.timeout(60_000);
  let opened: RendererPage | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  before(async function () {
    if (!CHROMIUM) { this.skip(); return; }
    opened = await openRendererPage(
      `import { render } from "./src/renderer/render"; (window as any).rnnRender = render;`,
      `class="vscode-light" style="--vscode-editor-background:#ffffff;--vscode-editor-foreground:#1f1f1f;background:#ffffff"`);
    ({ page, pageErrors } = opened);
  });

  after(async () => { await opened?.close(); });

  /** Renders one payload into a fresh container (or builds it in the page from `make`, a function body). */
  async function show(mime: string, value: unknown, make?: string) {
    return page.evaluate(({ mime, value, make }) => {
      const box = document.createElement("div");
      box.style.width = "800px";
      document.body.appendChild(box);
      const payload = make ? new Function(make)() : value;
      const t0 = performance.now();
      const root = (window as any).rnnRender({ container: box, mime, value: payload });
      const ms = performance.now() - t0;
      (window as any).lastRoot = root;
      // distinct colours on the first canvas (a blank canvas has one)
      const c = box.querySelector("canvas:not(.rnn-legend canvas)") as HTMLCanvasElement | null;
      let colours = 0;
      if (c) {
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        colours = seen.size;
      }
      return { kind: root.dataset.rnnRendered as string, text: box.textContent ?? "", ms, colours,
        imgs: box.querySelectorAll("img, script, iframe, object, embed, b").length };
    }, { mime, value, make });
  }

  function bundleOf(b: MimeBundle | undefined, mime: string): unknown {
    assert.ok(b && b[mime], `bundle has ${mime}`);
    return b![mime];
  }

  describe("neurons", () => {
    const vocab = rnn.text.charVocab(XSS_TEXT);
    const model = rnn.sequential({ inputShape: [null], name: XSS_IMG, seed: 5 }, [
      rnn.embedding({ inputDim: vocab.size, outputDim: 4 }),
      rnn.lstm({ units: 6, returnSequences: true }),
      rnn.dense({ units: vocab.size }),
    ]);

    it("draws the text once per unit with hostile characters as canvas text, and reads a character out on hover", async () => {
      const out: MimeBundle[] = [];
      createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000 }).neurons(model, XSS_TEXT, { vocab, topK: 3 });
      const r = await show(MIME.neurons, bundleOf(out[0], MIME.neurons));
      assert.equal(r.kind, "neurons");
      assert.ok(r.colours > 10, `the canvas is drawn: ${r.colours} distinct colours`);
      assert.ok(r.text.includes(XSS_IMG), "the hostile model name is shown as text");
      assert.equal(r.imgs, 0, "no element built from data");
      // Hover unit row 1 (y = 1.5 rows of 17 px), character t = 2 (x = 64 + 2.5 · 11 px): src/renderer/neurons.ts
      const at = await page.evaluate(() => {
        const c = (window as any).lastRoot.querySelector("canvas.rnn-neurons") as HTMLCanvasElement;
        c.scrollIntoView({ block: "center" });
        const b = c.getBoundingClientRect();
        return { x: b.left + 64 + 2.5 * 11, y: b.top + 1.5 * 17 };
      });
      await page.mouse.move(at.x, at.y);
      const tip = await page.evaluate(() => Array.from((window as any).lastRoot.querySelectorAll(".rnn-tooltip") as NodeListOf<HTMLElement>)
        .filter((t) => t.style.display !== "none").map((t) => t.innerText).join("\n"));
      assert.match(tip, /^unit 1 · t = 2 “m”$/m);
      assert.match(tip, /^value -?[\d.]+$/m);
      assert.match(tip, /^next: .+ [\d.]+% · .+ [\d.]+% · .+ [\d.]+%$/m);
      const detail = await page.evaluate(() => (window as any).lastRoot.querySelector(".rnn-neurons-detail").textContent);
      assert.match(detail, /^t = 2 “m” · next: /);
      assert.equal(await page.evaluate(() => (window as any).__pwned), undefined, "no script ran");
      assert.deepEqual(pageErrors, []);
    });

    it("draws 10,000 characters × 256 units in under a second and scrolls through them", async () => {
      const r = await show(MIME.neurons, undefined, `const T = 10000, U = 256, k = 5;
        const text = Array.from({ length: T }, (_, t) => "abcdefghij <>&\\"'"[t % 16]);
        return { layer: { index: 0, name: "lstm", type: "lstm" }, state: "h", text, units: Array.from({ length: U }, (_, u) => u), layerUnits: U,
          values: Array.from({ length: U * T }, (_, i) => Math.sin(i / 97)), domain: [-1, 1],
          guesses: { k, chars: Array.from({ length: T * k }, (_, i) => "xyz"[i % 3]), probs: Array.from({ length: T * k }, (_, i) => 1 / (1 + (i % k))) } };`);
      assert.equal(r.kind, "neurons");
      console.log(`      neurons 10,000 × 256: ${r.ms.toFixed(0)} ms (validation + drawing)`);
      // The requirement itself (10,000 × 256 in under a second); a typical run takes ~100 ms.
      assert.ok(r.ms < 1000, `drew in ${r.ms.toFixed(0)} ms`);
      assert.ok(r.colours > 10, `drawn: ${r.colours} colours`);
      const scrolled = await page.evaluate(async () => {
        const root = (window as any).lastRoot as HTMLElement;
        const box = root.querySelector(".rnn-neurons-scroll") as HTMLElement;
        const c = root.querySelector("canvas.rnn-neurons") as HTMLCanvasElement;
        box.scrollLeft = 50_000;
        box.scrollTop = 1_000;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return { left: parseFloat(c.style.left), top: parseFloat(c.style.top), scrollLeft: box.scrollLeft, cssW: parseFloat(c.style.width), boxW: box.clientWidth };
      });
      assert.equal(scrolled.left, scrolled.scrollLeft, "the canvas follows the scroll position");
      assert.equal(scrolled.scrollLeft, 50_000);
      assert.ok(scrolled.cssW <= 1600, `the canvas stays viewport-sized: ${scrolled.cssW} px`);
      assert.deepEqual(pageErrors, []);
    });
  });
});
