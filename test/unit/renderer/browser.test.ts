// The renderer in a real browser (headless Chromium through playwright-core), without VS Code: the
// pure render() is bundled with esbuild and fed payloads — well-formed ones from the kernel's own
// builders, hostile ones (script in labels, NaN, mismatched arrays, 10^6 elements). Checks:
// no script runs and no element is created from data, error boxes for malformed payloads, HiDPI canvas
// sizes, missing values drawn grey, hover readouts, data-rnn-rendered set. Skipped when no Chromium.
import * as assert from "node:assert/strict";
import { MIME, type MimeBundle } from "../../../src/shared/mime";
import * as rnn from "../../../src/engine/index";
import { createShow, richBundle } from "../../../src/kernel/rich/index";
import { CHROMIUM, openRendererPage, type Page, type RendererPage } from "../../support/rendererPage";

const XSS_IMG = `<img src=x onerror="window.__pwned=1">`;
const XSS_SCRIPT = `<script>window.__pwned=2</script>`;

/** A seeded LSTM(H) → Dense(1) model with hostile names and a batch of T-step inputs; `nanAtStart` puts
 * a NaN into the first input, so sequence 0's gates are missing from t = 0 on. */
function realModel(T: number, H: number, nanAtStart = false) {
  const model = rnn.sequential({ inputShape: [T, 2], name: XSS_IMG }, [rnn.lstm({ units: H, name: XSS_SCRIPT, seed: 1 }), rnn.dense({ units: 1, seed: 2 })]);
  const { x, y } = rnn.datasets.addingProblem({ samples: 2, timesteps: T, seed: 3 });
  if (nanAtStart) x.data[0] = NaN;
  return { model, x, y };
}

const gatesArgs = (m: ReturnType<typeof realModel>) => [m.model, m.x] as const;
const normsArgs = (m: ReturnType<typeof realModel>) => [m.model, m.x, m.y] as const;

describe("renderer in Chromium", function () {
  this.timeout(60_000);
  let opened: RendererPage | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  before(async function () {
    if (!CHROMIUM) { this.skip(); return; }
    opened = await openRendererPage(
      `import { render } from "./src/renderer/render"; import { activate } from "./src/renderer/index";
          (window as any).rnnRender = render; (window as any).rnnActivate = activate;`,
      `class="vscode-dark" style="--vscode-editor-background:#1e1e1e;--vscode-editor-foreground:#cccccc;background:#1e1e1e"`);
    ({ page, pageErrors } = opened);
  });

  after(async () => { await opened?.close(); });

  /** Renders one payload into a fresh container; returns what the page says about it. `make` (a function
   * body returning the payload) builds big payloads inside the page, so they need not cross the wire. */
  async function show(mime: string, value: unknown, make?: string) {
    return page.evaluate(({ mime, value, make }) => {
      const box = document.createElement("div");
      document.body.appendChild(box);
      const payload = make ? new Function(make)() : value;
      const t0 = performance.now();
      const root = (window as any).rnnRender({ container: box, mime, value: payload });
      const ms = performance.now() - t0;
      const canvases = Array.from(box.querySelectorAll("canvas")).map((c) => ({ cls: c.className, w: c.width, h: c.height, cssW: parseFloat(c.style.width), cssH: parseFloat(c.style.height) }));
      return { kind: root.dataset.rnnRendered as string, text: box.textContent ?? "", ms, canvases,
        imgs: box.querySelectorAll("img, script, iframe, object, embed").length };
    }, { mime, value, make });
  }

  function bundleOf(b: MimeBundle | undefined, mime: string): unknown {
    assert.ok(b && b[mime], `bundle has ${mime}`);
    return b![mime];
  }

  it("draws every kind from the kernel's builders, with HiDPI canvases and stable class names", async () => {
    const out: MimeBundle[] = [];
    const show$ = createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000 });
    show$.gates(...gatesArgs(realModel(12, 6, true)), { tokens: ["a", XSS_IMG, XSS_SCRIPT, "안", "녕", " ", "\n", "x", "y", "z", "w", "v"] });
    show$.gradientNorms(...normsArgs(realModel(12, 6)), { clipThreshold: 0.1, tbptt: 4 });
    const gates = await show(MIME.gates, bundleOf(out[0], MIME.gates));
    assert.equal(gates.kind, "gates");
    assert.equal(gates.canvases.filter((c) => c.cls === "rnn-heatmap").length, 6); // LSTM: i f g o c h
    for (const c of gates.canvases) assert.equal(c.w, Math.round(c.cssW * 2), "backing store = CSS width × devicePixelRatio 2");
    assert.ok(gates.text.includes(XSS_IMG), "hostile model name shown as text");
    assert.match(gates.text, /input gate i/);
    assert.doesNotMatch(gates.text, /iinput gate i/, "a gate's letter is shown once, at the end of its name");
    const grad = await show(MIME.gradNorms, bundleOf(out[1], MIME.gradNorms));
    assert.equal(grad.kind, "gradnorms");
    assert.ok(grad.canvases.some((c) => c.cls === "rnn-gradnorms"));
    const summary = await show(MIME.summary, bundleOf(richBundle(realModel(2, 2).model), MIME.summary));
    assert.equal(summary.kind, "summary");
    assert.ok(summary.text.includes(`${XSS_SCRIPT} (LSTM)`));
    const training = await show(MIME.training, { status: "running", epoch: 1, epochs: 3, batch: 2, batches: 4, elapsedMs: 10, etaMs: 50, loss: 0.5, epochsDone: [], series: [{ label: XSS_IMG, values: [] }] });
    assert.equal(training.kind, "training");
    assert.ok(training.canvases.some((c) => c.cls === "rnn-training"), "the training canvas exists before the first epoch ends");
    // In a narrow editor the live status stays one line (12 px font: one line is under 20 px high).
    const narrow = await page.evaluate((value) => {
      const box = document.createElement("div");
      box.style.width = "200px";
      document.body.appendChild(box);
      (window as any).rnnRender({ container: box, mime: "application/vnd.rnn-notebook.training+json", value });
      const status = box.querySelector<HTMLElement>(".rnn-status")!;
      return { height: status.offsetHeight, title: status.title, text: status.textContent };
    }, { status: "running", epoch: 1, epochs: 3, batch: 2, batches: 4, elapsedMs: 10, etaMs: 50, loss: 0.5, epochsDone: [], series: [{ label: "perplexity", values: [] }] });
    assert.ok(narrow.height < 20, `status height ${narrow.height} px`);
    assert.equal(narrow.title, narrow.text, "the whole status in the tooltip");
    // 4 × 5 = 20 values > 16: shown as a heatmap first (src/kernel/rich/tableBundles.ts)
    const tensor = await show(MIME.tensor, bundleOf(richBundle(rnn.tensor(Float32Array.from({ length: 20 }, (_, i) => (i === 2 ? NaN : i - 10)), [4, 5])), MIME.tensor));
    assert.equal(tensor.kind, "tensor");
    assert.ok(tensor.canvases.some((c) => c.cls === "rnn-heatmap"));
    // attention: a softmax of a seeded score matrix, hostile tokens on both axes
    const scores = rnn.tensor(Float32Array.from({ length: 5 * 7 }, (_, i) => Math.sin(i)), [5, 7]);
    show$.attention(scores.softmax(1), { source: ["a", XSS_IMG, "c", "d", "e", XSS_SCRIPT, "g"], target: "vwxyz" });
    const attention = await show(MIME.attention, bundleOf(out[2], MIME.attention));
    assert.equal(attention.kind, "attention");
    assert.ok(attention.canvases.some((c) => c.cls === "rnn-heatmap rnn-attention"));
    // Word labels on the rows (a decoder's output tokens) widen the left margin instead of running into
    // the rotated "target" caption: the same map with long row labels is wider by the labels' extra width.
    show$.attention(scores.softmax(1), { source: "abcdefg", target: ["seventeen", "thousand", "three", "hundred", "<eos>"] });
    const wordy = await show(MIME.attention, bundleOf(out[3], MIME.attention));
    const widthOf = (r: typeof attention) => r.canvases.find((c) => c.cls === "rnn-heatmap rnn-attention")!.cssW;
    assert.ok(widthOf(wordy) > widthOf(attention) + 20, `canvas ${widthOf(wordy)} px with words vs ${widthOf(attention)} px with letters`);
    for (const r of [gates, grad, summary, training, tensor, attention]) assert.equal(r.imgs, 0, "no element built from data");
    assert.equal(await page.evaluate(() => (window as any).__pwned), undefined, "no script ran");
    assert.deepEqual(pageErrors, []);
  });

  it("shows an error box (never a blank, never an exception) for malformed payloads", async () => {
    const cases: [string, unknown][] = [
      [MIME.gates, { panels: "nope" }],
      [MIME.gates, null],
      [MIME.gradNorms, { steps: [1, 2], series: [{ label: XSS_IMG, values: [1] }] }],
      [MIME.training, "<b>bold</b>"],
      [MIME.summary, { layers: [{ name: 1 }], totalParams: "many" }],
      [MIME.tensor, { shape: [2], shownShape: [1, 2], values: [1, 2, 3] }],
      ["application/vnd.rnn-notebook.unknown+json", {}],
    ];
    for (const [mime, value] of cases) {
      const r = await show(mime, value);
      assert.equal(r.kind, "error", `${mime} ${JSON.stringify(value)}`);
      assert.ok(r.text.startsWith("RNN Notebook could not show this output."));
      assert.equal(r.imgs, 0);
    }
    assert.equal(await page.evaluate(() => (window as any).__pwned), undefined);
    assert.deepEqual(pageErrors, []);
  });

  it("draws a missing value grey and reads a cell out on hover (gate, t, token, unit, value)", async () => {
    const out: MimeBundle[] = [];
    createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000 }).gates(...gatesArgs(realModel(4, 2, true)), { tokens: ["안", "b", "c", "d"] });
    await show(MIME.gates, bundleOf(out[0], MIME.gates));
    // The h panel is the last canvas.rnn-heatmap; its cell (t = 0, unit 0) is NaN → null → missing.
    const cell = await page.evaluate(() => {
      const canvases = Array.from(document.querySelectorAll("canvas.rnn-heatmap")) as HTMLCanvasElement[];
      const c = canvases[canvases.length - 1];
      c.scrollIntoView({ block: "center" });
      const r = c.getBoundingClientRect();
      // heatmap margins: left 42, top 4 CSS px (src/renderer/heatmap.ts); sample the middle of cell (0, 0)
      const cssW = parseFloat(c.style.width);
      const dpr = c.width / cssW;
      const cols = 4;
      const cellW = (cssW - 42 - 6) / cols;
      const x = 42 + cellW / 2;
      const y = 4 + 3;
      const px = c.getContext("2d")!.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
      return { rgb: [px[0], px[1], px[2]], clientX: r.left + x, clientY: r.top + y };
    });
    const [r, g, b] = cell.rgb;
    assert.ok(Math.max(r, g, b) - Math.min(r, g, b) < 12, `missing cell is grey, got rgb(${cell.rgb})`);
    await page.mouse.move(cell.clientX, cell.clientY);
    const tip = await page.evaluate(() => {
      const tips = Array.from(document.querySelectorAll(".rnn-tooltip")) as HTMLElement[];
      return tips.filter((t) => t.style.display !== "none").map((t) => t.innerText).join("\n");
    });
    assert.match(tip, /^h — hidden state h/m);
    assert.match(tip, /t = 0 “안”/);
    assert.match(tip, /unit 0/);
    assert.match(tip, /missing/);
    // keyboard: focus the h panel, two steps right, one down → t = 2 (“c”), unit 1
    await page.evaluate(() => {
      const canvases = Array.from(document.querySelectorAll("canvas.rnn-heatmap")) as HTMLCanvasElement[];
      canvases[canvases.length - 1].focus();
    });
    for (const key of ["ArrowRight", "ArrowRight", "ArrowDown"]) await page.keyboard.press(key);
    const keyTip = await page.evaluate(() => Array.from(document.querySelectorAll(".rnn-tooltip") as NodeListOf<HTMLElement>)
      .filter((t) => t.style.display !== "none").map((t) => t.innerText).join("\n"));
    assert.match(keyTip, /t = 2 “c”/);
    assert.match(keyTip, /unit 1/);
    // Enter pins that cell below the panels and offers its unit's path through time
    await page.keyboard.press("Enter");
    const pinned = await page.evaluate(() => {
      const roots = Array.from(document.querySelectorAll("[data-rnn-rendered]"));
      const box = roots[roots.length - 1].querySelector<HTMLElement>(".rnn-pinned")!;
      const text = box.textContent ?? "";
      box.querySelector("button")!.click();
      const plot = box.querySelector<HTMLCanvasElement>("canvas.rnn-unit-plot");
      return { text, plot: plot ? plot.getAttribute("aria-label") : null };
    });
    assert.match(pinned.text, /^Pinned: h — hidden state h · t = 2 “c” · unit 1 · value: missing/);
    // One line per recorded quantity of the LSTM (i, f, g, o, c, h) for unit 1
    assert.match(pinned.plot ?? "", /^unit 1 vs .*: input gate i, forget gate f, candidate g, output gate o, cell state c, hidden state h$/);
    // and a click pins too
    await page.mouse.move(cell.clientX, cell.clientY);
    await page.evaluate(({ x, y }) => {
      const canvases = Array.from(document.querySelectorAll("canvas.rnn-heatmap")) as HTMLCanvasElement[];
      canvases[canvases.length - 1].dispatchEvent(new MouseEvent("click", { clientX: x, clientY: y, bubbles: true }));
    }, { x: cell.clientX, y: cell.clientY });
    const clicked = await page.evaluate(() => {
      const roots = Array.from(document.querySelectorAll("[data-rnn-rendered]"));
      return roots[roots.length - 1].querySelector(".rnn-pinned")!.textContent;
    });
    assert.match(clicked ?? "", /^Pinned: h — hidden state h · t = 0 “안” · unit 0 · value: missing/);
  });

  it("offers Save PNG / Save SVG as <a download> data URLs (what VS Code's output webview turns into a save dialog)", async () => {
    const out: MimeBundle[] = [];
    const show$ = createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000 });
    show$.gates(...gatesArgs(realModel(6, 3)), {});
    show$.gradientNorms(...normsArgs(realModel(6, 3)), { labels: [XSS_IMG] });
    await show(MIME.gates, bundleOf(out[0], MIME.gates));
    await show(MIME.gradNorms, bundleOf(out[1], MIME.gradNorms));
    const saved = await page.evaluate(() => {
      const hrefs: { name: string; href: string }[] = [];
      document.body.addEventListener("click", (e) => {
        const a = e.target as HTMLAnchorElement;
        if (a.tagName === "A" && a.hasAttribute("download")) { hrefs.push({ name: a.download, href: a.href }); e.preventDefault(); }
      });
      const roots = Array.from(document.querySelectorAll("[data-rnn-rendered]"));
      const gates = roots[roots.length - 2];
      const grad = roots[roots.length - 1];
      for (const b of Array.from(gates.querySelectorAll("button")).concat(Array.from(grad.querySelectorAll("button")))) {
        if (b.textContent?.startsWith("Save")) b.click();
      }
      return hrefs.map((h) => ({ name: h.name, head: h.href.slice(0, 30), svg: h.href.startsWith("data:image/svg+xml;base64,")
        ? new TextDecoder().decode(Uint8Array.from(atob(h.href.split(",")[1]), (c) => c.charCodeAt(0))) : "" }));
    });
    assert.deepEqual(saved.map((s) => s.name), ["gates-lstm-layer0.png", "gradient-norms.png", "gradient-norms.svg"]);
    assert.ok(saved[0].head.startsWith("data:image/png;base64,"));
    assert.ok(saved[2].svg.startsWith("<svg") && saved[2].svg.includes("&lt;img src=x"), "saved SVG escapes labels");
    assert.ok(!saved[2].svg.includes("<img"));
  });

  it("exports complete PNG figures: opaque theme background, 2× size, legend and colour bars drawn in", async () => {
    const out: MimeBundle[] = [];
    const show$ = createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000 });
    show$.gates(...gatesArgs(realModel(6, 3)), {});
    show$.gradientNorms(...normsArgs(realModel(6, 3)), { labels: ["one model"] });
    await show(MIME.gates, bundleOf(out[0], MIME.gates));
    await show(MIME.gradNorms, bundleOf(out[1], MIME.gradNorms));
    await show(MIME.tensor, bundleOf(richBundle(rnn.tensor([[1, 2, 3], [4, 5, 6]])), MIME.tensor));
    const pngs = await page.evaluate(async () => {
      const hrefs: string[] = [];
      const grab = (e: Event) => {
        const a = e.target as HTMLAnchorElement;
        if (a.tagName === "A" && a.download.endsWith(".png")) { hrefs.push(a.href); e.preventDefault(); }
      };
      document.body.addEventListener("click", grab);
      const roots = Array.from(document.querySelectorAll("[data-rnn-rendered]")).slice(-3);
      // A small tensor opens as a table; its image is of the heatmap view.
      Array.from(roots[2].querySelectorAll("button")).find((b) => b.textContent === "heatmap")!.click();
      for (const root of roots) {
        Array.from(root.querySelectorAll("button")).find((b) => b.textContent === "Save PNG")!.click();
      }
      document.body.removeEventListener("click", grab);
      const cssWidths = roots.map((r) => Math.max(...Array.from(r.querySelectorAll("canvas.rnn-heatmap, canvas.rnn-gradnorms")).map((c) => parseFloat((c as HTMLCanvasElement).style.width))));
      return Promise.all(hrefs.map(async (href, k) => {
        const img = new Image();
        img.src = href;
        await img.decode();
        const c = document.createElement("canvas");
        c.width = img.width;
        c.height = img.height;
        const ctx = c.getContext("2d")!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        const px = (x: number, y: number) => Array.from(d.subarray((y * c.width + x) * 4, (y * c.width + x) * 4 + 4));
        let transparent = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) transparent++;
        // Most distinct saturated colours in one row: a colour bar's gradient has dozens, a heatmap row
        // only one per cell, and anti-aliased text is grey.
        let barColours = 0;
        for (let y = 0; y < c.height; y++) {
          const seen = new Set<number>();
          for (let x = 0; x < c.width; x++) {
            const [r, g, b] = px(x, y);
            if (Math.max(r, g, b) - Math.min(r, g, b) > 40) seen.add((r << 16) | (g << 8) | b);
          }
          barColours = Math.max(barColours, seen.size);
        }
        // Pixels of the first series colour (#56B4E9 on dark themes) in the bottom 30 CSS px: the legend.
        let legendPixels = 0;
        for (let y = c.height - 60; y < c.height; y++) {
          for (let x = 0; x < c.width; x++) {
            const [r, g, b] = px(x, y);
            if (Math.abs(r - 0x56) + Math.abs(g - 0xb4) + Math.abs(b - 0xe9) < 30) legendPixels++;
          }
        }
        return { w: c.width, cssW: cssWidths[k], corner: px(0, 0), transparent, barColours, legendPixels };
      }));
    });
    assert.equal(pngs.length, 3, "gates, gradient norms, tensor");
    for (const [k, png] of pngs.entries()) {
      assert.equal(png.transparent, 0, `PNG ${k} is opaque`);
      assert.deepEqual(png.corner, [0x1e, 0x1e, 0x1e, 255], `PNG ${k} has the dark theme's editor background`);
      assert.ok(png.w >= 2 * png.cssW, `PNG ${k} at 2× the plot's CSS width: ${png.w} vs ${png.cssW}`);
    }
    // The gates and tensor views' colour bars have 90 CSS px (180 image px) of gradient; 6 timesteps
    // and 3 columns of cells give at most 6 colours per row.
    assert.ok(pngs[0].barColours >= 40, `gates colour bar: ${pngs[0].barColours} colours in a row`);
    assert.ok(pngs[2].barColours >= 40, `tensor colour bar: ${pngs[2].barColours} colours in a row`);
    assert.ok(pngs[1].legendPixels > 20, `gradient-norm legend swatch: ${pngs[1].legendPixels} pixels`);
  });

  it("the ActivationFunction entry renders output items, redraws on a theme switch, and boxes invalid JSON", async () => {
    const out: MimeBundle[] = [];
    createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000 }).gradientNorms(...normsArgs(realModel(5, 2)), {});
    const r = await page.evaluate(async (value) => {
      const api = (window as any).rnnActivate({});
      const el = document.createElement("div");
      document.body.appendChild(el);
      const item = (id: string, mime: string, json: () => unknown) => ({ id, mime, json, text: () => "", data: () => new Uint8Array(), blob: () => new Blob(), metadata: {} });
      api.renderOutputItem(item("a", "application/vnd.rnn-notebook.gradnorms+json", () => value), el);
      const first = el.querySelector("canvas.rnn-gradnorms");
      const kind = (el.querySelector("[data-rnn-rendered]") as HTMLElement).dataset.rnnRendered;
      document.body.className = "vscode-light"; // VS Code switches the theme class on <body>
      await new Promise((res) => setTimeout(res, 100));
      const redrawn = el.querySelector("canvas.rnn-gradnorms") !== first;
      const bad = document.createElement("div");
      document.body.appendChild(bad);
      api.renderOutputItem(item("b", "application/vnd.rnn-notebook.tensor+json", () => { throw new SyntaxError("Unexpected token <"); }), bad);
      api.disposeOutputItem("a");
      api.disposeOutputItem(undefined);
      document.body.className = "vscode-dark";
      return { kind, redrawn, badKind: (bad.querySelector("[data-rnn-rendered]") as HTMLElement).dataset.rnnRendered, badText: bad.textContent };
    }, bundleOf(out[0], MIME.gradNorms));
    assert.equal(r.kind, "gradnorms");
    assert.ok(r.redrawn, "a theme switch redraws with the new colours");
    assert.equal(r.badKind, "error");
    assert.match(r.badText ?? "", /not valid JSON/);
    assert.deepEqual(pageErrors, []);
  });

  it("renders 10^6-element payloads without freezing (heatmap drawn from one ImageData)", async () => {
    // 1000 × 1000 = 10^6 values, sent as is (no kernel downsampling) to test the renderer's own defence
    const r = await show(MIME.tensor, undefined, `const n = 1000; return { shape: [n, n], shownShape: [n, n], view: "heatmap", dtype: "float32",
      values: Array.from({ length: n * n }, (_, i) => ((i % n) - n / 2) / n) };`);
    assert.equal(r.kind, "tensor");
    assert.ok(r.ms < 5000, `drew 10^6 cells in ${r.ms.toFixed(0)} ms`);
    const line = await show(MIME.gradNorms, undefined, `return { yScale: "log", steps: Array.from({ length: 1e6 }, (_, i) => i + 1),
      series: [{ label: "long", model: "m", layer: 0, quantity: "h", values: Array.from({ length: 1e6 }, (_, i) => 1 + Math.sin(i / 1000)) }] };`);
    assert.equal(line.kind, "gradnorms");
    assert.ok(line.ms < 5000, `drew a 10^6-point line in ${line.ms.toFixed(0)} ms`);
    console.log(`      10^6-cell heatmap: ${r.ms.toFixed(0)} ms; 10^6-point line: ${line.ms.toFixed(0)} ms (validation + drawing)`);
    const wide = await show(MIME.tensor, undefined, `return { shape: [1e6], shownShape: [1, 1e6], view: "heatmap", dtype: "float32",
      values: Array.from({ length: 1e6 }, (_, i) => Math.sin(i / 1e4)) };`);
    assert.equal(wide.kind, "tensor", "a 1 × 10^6 row (wider than any canvas) is sampled, not refused");
    assert.ok(wide.canvases.every((c) => c.cssW <= 1600 && c.cssH <= 1600), `canvases stay page-sized: ${JSON.stringify(wide.canvases)}`);
    assert.ok(r.canvases.every((c) => c.cssW <= 1600 && c.cssH <= 1600), `canvases stay page-sized: ${JSON.stringify(r.canvases)}`);
    const tooBig = await show(MIME.gates, { layer: { index: 0, name: "x", type: "lstm" }, timesteps: 1000, units: 1000, panels: Array.from({ length: 6 }, () => ({ gate: "i", label: "i", scale: "sigmoid", values: [] })) });
    assert.equal(tooBig.kind, "error", "6 × 10^6 gate values exceed the cap: error box");
  });
});
