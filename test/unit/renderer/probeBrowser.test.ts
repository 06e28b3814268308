// The flight recorder's scrubber under the training output (src/renderer/probe.ts) in headless
// Chromium, fed the kernel's own training bundle of a seeded real fit with a probe: moving the slider
// redraws the gates heatmap (its pixels change), updates the step label and moves the marker on the
// mean-gate line; the keyboard (Home, End, arrows) scrubs too; a live re-render keeps the scrubbed
// step; hostile layer names stay text.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { historyProgress, trainingBundle } from "../../../src/kernel/rich/index";
import { MIME } from "../../../src/shared/mime";
import type { TrainingPayload } from "../../../src/shared/payloads";
import { CHROMIUM, openRendererPage, type Page, type RendererPage } from "../../support/rendererPage";

const T = 8, F = 2, N = 16;
const XSS = `<img src=x onerror="window.__pwned=1">`;

async function payload(): Promise<TrainingPayload> {
  const x = rnn.tensor(Float32Array.from({ length: N * T * F }, (_, i) => Math.sin(i * 0.41)), [N, T, F]);
  const y = rnn.tensor(Float32Array.from({ length: N }, (_, i) => (i % 2 ? 1 : -1)), [N, 1]);
  const model = rnn.sequential({ inputShape: [T, F], seed: 4, name: "scrubbed" }, [rnn.lstm({ units: 5 }), rnn.dense({ units: 1 })]);
  // lr 0.05 so the gates move visibly between snapshots; 16 / 4 = 4 batches × 5 epochs = 20 steps, every 4 → 0, 4, …, 20.
  const h = await model.fit(x, y, { epochs: 5, batchSize: 4, loss: "mse", optimizer: rnn.adam({ lr: 0.05 }), probe: { x: x.slice(0, 2), y: y.slice(0, 2), every: 4 } });
  return trainingBundle(historyProgress(h))[MIME.training] as TrainingPayload;
}

describe("flight recorder scrubber in Chromium", function () {
  this.timeout(60_000);
  let opened: RendererPage | undefined;
  let page: Page;
  let p: TrainingPayload;

  before(async function () {
    if (!CHROMIUM) { this.skip(); return; }
    p = await payload();
    opened = await openRendererPage(`import { render } from "./src/renderer/render"; (window as any).rnnRender = render;`,
      `class="vscode-light" style="--vscode-editor-background:#ffffff;--vscode-editor-foreground:#1f1f1f;background:#ffffff"`);
    page = opened.page;
  });
  after(async () => { await opened?.close(); });

  /** Renders into one kept container (a live update re-renders into the same one). */
  const draw = (value: unknown, fresh = true) => page.evaluate(({ mime, value, fresh }) => {
    if (fresh) {
      document.body.replaceChildren();
      const c = document.createElement("div");
      c.id = "out";
      c.style.width = "800px";
      document.body.appendChild(c);
    }
    const root = (window as any).rnnRender({ container: document.getElementById("out"), mime, value }) as HTMLElement;
    return root.dataset.rnnRendered;
  }, { mime: MIME.training, value, fresh });
  /** What the scrubber shows now, and fingerprints of the first gates heatmap and the mean-gate plot. */
  const state = () => page.evaluate(() => {
    const hash = (c: HTMLCanvasElement | null) => {
      if (!c) return 0;
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let h = 0;
      for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) | 0;
      return h;
    };
    const s = document.querySelector("input.rnn-probe-scrubber") as HTMLInputElement;
    return {
      value: s.value, max: s.max,
      step: (document.querySelector(".rnn-probe") as HTMLElement).dataset.step,
      label: document.querySelector(".rnn-probe-step")?.textContent ?? "",
      heat: hash(document.querySelector(".rnn-probe-detail canvas.rnn-heatmap")),
      mean: hash(document.querySelector("canvas.rnn-probe-meangate")),
      gradnorms: document.querySelectorAll(".rnn-probe-detail canvas.rnn-gradnorms").length,
      panels: document.querySelectorAll(".rnn-probe-detail .rnn-panel").length,
    };
  });
  const scrub = (v: number) => page.evaluate((v) => {
    const s = document.querySelector("input.rnn-probe-scrubber") as HTMLInputElement;
    s.value = String(v);
    s.dispatchEvent(new Event("input"));
  }, v);

  it("starts on the last snapshot; moving the slider changes the heatmap, the label and the marked step", async () => {
    assert.equal(await draw(p), "training");
    const end = await state();
    assert.deepEqual([end.value, end.max, end.step], ["5", "5", "20"]);
    assert.match(end.label, /^after batch 20 \(epoch 5, batch 4\) · probe loss /);
    assert.equal(end.panels, 6, "LSTM i, f, g, o, c, h");
    assert.equal(end.gradnorms, 1);
    await scrub(0);
    const start = await state();
    assert.equal(start.step, "0");
    assert.match(start.label, /^before training \(batch 0\)/);
    assert.notEqual(start.heat, end.heat, "the gates at batch 0 differ from the trained ones");
    assert.notEqual(start.mean, end.mean, "the step marker moved");
    await scrub(2);
    const mid = await state();
    assert.equal(mid.step, "8");
    assert.match(mid.label, /^after batch 8 \(epoch 2, batch 4\)/);
    assert.notEqual(mid.heat, start.heat);
    await scrub(5);
    assert.equal((await state()).heat, end.heat, "back at the end: the same picture");
  });

  it("the keyboard scrubs: Home, End, arrows", async () => {
    await draw(p);
    await page.evaluate(() => (document.querySelector("input.rnn-probe-scrubber") as HTMLInputElement).focus());
    await page.keyboard.press("Home");
    assert.equal((await state()).step, "0");
    await page.keyboard.press("ArrowRight");
    assert.equal((await state()).step, "4");
    await page.keyboard.press("End");
    assert.equal((await state()).step, "20");
    await page.keyboard.press("ArrowLeft");
    assert.equal((await state()).step, "16");
  });

  it("a live re-render keeps the scrubbed step; on the latest step it follows training", async () => {
    await draw(p);
    await scrub(1);
    await draw({ ...p, status: "running" }, false);
    assert.equal((await state()).step, "4", "kept");
    await scrub(5);
    const more = { ...p, probe: { ...p.probe!, steps: [...p.probe!.steps, 24], snapshots: [...p.probe!.snapshots, { ...p.probe!.snapshots[5], step: 24 }],
      layers: p.probe!.layers.map((l) => ({ ...l, meanGate: { ...l.meanGate!, values: [...l.meanGate!.values, 0.5] } })) } };
    await draw(more, false);
    assert.equal((await state()).step, "24", "followed the new snapshot");
  });

  it("hostile layer names are text, not markup", async () => {
    const probe = p.probe!;
    const hostile = { ...p, probe: { ...probe, layers: probe.layers.map((l) => ({ ...l, name: XSS })),
      snapshots: probe.snapshots.map((s) => ({ ...s, gates: s.gates.map((g) => ({ ...g, model: XSS, layer: { ...g.layer, name: XSS } })) })) } };
    assert.equal(await draw(hostile), "training");
    const r = await page.evaluate(() => ({ imgs: document.querySelectorAll("#out img").length, pwned: (window as any).__pwned, text: document.getElementById("out")!.textContent ?? "" }));
    assert.equal(r.imgs, 0);
    assert.equal(r.pwned, undefined);
    assert.ok(r.text.includes("<img src=x"), "shown as text");
    assert.deepEqual(opened!.pageErrors, []);
  });
});
