// The insight views (neurons over text, connectivity, trajectories) in headless Chromium, without VS
// Code: the pure render() bundled with esbuild and fed the kernel's own bundles of seeded real models,
// plus one synthetic 10,000-character × 256-unit payload for speed. Checks: the canvas is drawn (not
// blank), hostile names and characters stay text (no element built from data, no script run), hover
// readouts, scrolling. Skipped when no Chromium.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { createShow } from "../../../src/kernel/rich/index";
import { MIME, type MimeBundle } from "../../../src/shared/mime";
import { M } from "../../../src/renderer/trajectory";
import { niceDomain } from "../../../src/shared/scale";
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
      // keyboard: focus (the cursor is where the pointer was), two characters right, one unit down
      await page.evaluate(() => ((window as any).lastRoot.querySelector("canvas.rnn-neurons") as HTMLCanvasElement).focus());
      for (const key of ["ArrowRight", "ArrowRight", "ArrowDown"]) await page.keyboard.press(key);
      const keyTip = await page.evaluate(() => Array.from((window as any).lastRoot.querySelectorAll(".rnn-tooltip") as NodeListOf<HTMLElement>)
        .filter((t) => t.style.display !== "none").map((t) => t.innerText).join("\n"));
      assert.match(keyTip, /^unit 2 · t = 4 “␣”$/m, "a space is shown as ␣");
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
      // focusing puts the keyboard cursor (t = 0, unit 0) in sight: the box scrolls back to the start
      const back = await page.evaluate(async () => {
        const root = (window as any).lastRoot as HTMLElement;
        (root.querySelector("canvas.rnn-neurons") as HTMLCanvasElement).focus();
        const box = root.querySelector(".rnn-neurons-scroll") as HTMLElement;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return { left: box.scrollLeft, top: box.scrollTop, canvasLeft: parseFloat((root.querySelector("canvas.rnn-neurons") as HTMLCanvasElement).style.left) };
      });
      assert.deepEqual(back, { left: 0, top: 0, canvasLeft: 0 });
      assert.deepEqual(pageErrors, []);
    });
  });
  describe("connectivity", () => {
    it("draws one map per model side by side with hostile names as text, and a hovered row shades every strip", async () => {
      const T = 5;
      const x = rnn.tensor(Float64Array.from({ length: T * 2 }, (_, i) => Math.cos(i)), [1, T, 2]);
      const models = (["simpleRNN", "lstm"] as const).map((cell, i) => rnn.sequential({ inputShape: [T, 2], name: i === 0 ? XSS_IMG : "lstm", seed: 2 },
        [cell === "lstm" ? rnn.lstm({ units: 3, returnSequences: true }) : rnn.simpleRNN({ units: 3, returnSequences: true }), rnn.dense({ units: 1 })]));
      const out: MimeBundle[] = [];
      createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000 })
        .connectivity(models, x, { tokens: ["a", "<img src=x onerror=alert(1)>", "c", "<b>", "e"] });
      const r = await show(MIME.connectivity, bundleOf(out[0], MIME.connectivity));
      assert.equal(r.kind, "connectivity");
      assert.ok(r.colours > 5, `the first map is drawn: ${r.colours} colours`);
      assert.ok(r.text.includes(XSS_IMG), "the hostile model name is shown as text");
      assert.equal(r.imgs, 0, "no element built from data");
      const strips = () => page.evaluate(() => Array.from((window as any).lastRoot.querySelectorAll("canvas.rnn-connectivity-strip") as NodeListOf<HTMLCanvasElement>)
        .map((c) => c.toDataURL()));
      const before = await strips();
      assert.equal(before.length, 2, "one strip per map");
      // Hover row t = 1, column s = 0 of the second map: heatmap top margin 4 CSS px (heatmap.ts); left margin and cell size from the strip
      const at = await page.evaluate(() => {
        const maps = (window as any).lastRoot.querySelectorAll("canvas.rnn-connectivity") as NodeListOf<HTMLCanvasElement>;
        const c = maps[1];
        c.scrollIntoView({ block: "center" });
        const b = c.getBoundingClientRect();
        const strip = (window as any).lastRoot.querySelectorAll("canvas.rnn-connectivity-strip")[1] as HTMLCanvasElement;
        const left = Number(strip.dataset.left), cell = Number(strip.dataset.cell);
        return { x: b.left + left + cell / 2, y: b.top + 4 + 1.5 * cell };
      });
      await page.mouse.move(at.x, at.y);
      const tip = await page.evaluate(() => Array.from((window as any).lastRoot.querySelectorAll(".rnn-tooltip") as NodeListOf<HTMLElement>)
        .filter((t) => t.style.display !== "none").map((t) => t.innerText).join("\n"));
      assert.match(tip, /^lstm$/m);
      assert.match(tip, /^output t = 1 “<img src=x onerror=alert\(1\)>” ← input s = 0 “a”$/m);
      assert.match(tip, /^‖∂y_t\/∂x_s‖ = [\d.e-]+$/m);
      const after = await strips();
      assert.ok(after[0] !== before[0] && after[1] !== before[1], "both strips redrawn for the hovered row");
      assert.equal(await page.evaluate(() => (window as any).__pwned), undefined, "no script ran");
      assert.deepEqual(pageErrors, []);
    });
  });
  describe("trajectory", () => {
    it("draws each sequence's path with hostile labels as canvas text, and reads a point out on hover", async () => {
      const model = rnn.sequential({ inputShape: [null, 2], name: XSS_IMG, seed: 3 }, [rnn.lstm({ units: 4, returnSequences: true })]);
      const xs = rnn.tensor(Float32Array.from({ length: 3 * 8 * 2 }, (_, i) => Math.sin(i * 0.4)), [3, 8, 2]);
      const out: MimeBundle[] = [];
      createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000 }).trajectory(model, xs, { labels: ["<img src=x onerror=alert(1)>", "b", "c"] });
      const payload = bundleOf(out[0], MIME.trajectory) as { paths: { x: number[]; y: number[] }[] };
      const r = await show(MIME.trajectory, payload);
      assert.equal(r.kind, "trajectory");
      assert.ok(r.colours > 10, `the plot is drawn: ${r.colours} colours`);
      assert.ok(r.text.includes(XSS_IMG), "the hostile model name is shown as text");
      assert.equal(r.imgs, 0, "no element built from data");
      assert.match(r.text, /3 sequences × 8 steps/);
      // Hover the last point of path 0, placed as the view places it: nice domains of the data's extent
      // mapped onto the plot inside the margins M (src/renderer/trajectory.ts).
      const all = (k: "x" | "y") => payload.paths.flatMap((q) => q[k]);
      const [dx, dy] = [niceDomain(Math.min(...all("x")), Math.max(...all("x"))), niceDomain(Math.min(...all("y")), Math.max(...all("y")))];
      const box = await page.evaluate(() => {
        const c = (window as any).lastRoot.querySelector("canvas.rnn-trajectory") as HTMLCanvasElement;
        c.scrollIntoView({ block: "center" });
        const b = c.getBoundingClientRect();
        return { left: b.left, top: b.top, w: parseFloat(c.style.width), h: parseFloat(c.style.height) };
      });
      const end = payload.paths[0].x.length - 1;
      const px = box.left + M.l + ((payload.paths[0].x[end] - dx[0]) / (dx[1] - dx[0])) * (box.w - M.l - M.r);
      const py = box.top + box.h - M.b - ((payload.paths[0].y[end] - dy[0]) / (dy[1] - dy[0])) * (box.h - M.b - M.t);
      await page.mouse.move(px, py);
      const found = await page.evaluate(() => Array.from((window as any).lastRoot.querySelectorAll(".rnn-tooltip") as NodeListOf<HTMLElement>)
        .filter((t) => t.style.display !== "none").map((t) => t.innerText).join("\n"));
      assert.match(found, /^<img src=x onerror=alert\(1\)>\nt = 7\nPC1 -?[\d.e-]+ · PC2 -?[\d.e-]+$/);
      // keyboard: focus (the cursor is the hovered point: path 0, t = 7), one step back, next path
      await page.evaluate(() => ((window as any).lastRoot.querySelector("canvas.rnn-trajectory") as HTMLCanvasElement).focus());
      for (const key of ["ArrowLeft", "ArrowDown"]) await page.keyboard.press(key);
      const keyTip = await page.evaluate(() => Array.from((window as any).lastRoot.querySelectorAll(".rnn-tooltip") as NodeListOf<HTMLElement>)
        .filter((t) => t.style.display !== "none").map((t) => t.innerText).join("\n"));
      assert.match(keyTip, /^b\nt = 6\nPC1 /);
      assert.equal(await page.evaluate(() => (window as any).__pwned), undefined, "no script ran");
      assert.deepEqual(pageErrors, []);
    });
  });
});
