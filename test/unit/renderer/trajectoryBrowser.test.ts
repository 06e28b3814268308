// The trajectory view's time scrubber, 3-D rotation and fixed points (src/renderer/trajectory.ts) in
// headless Chromium, fed the kernel's own bundles of seeded real models: the canvas is drawn (not
// blank), moving the scrubber changes its pixels (paths drawn up to step t), dragging a dims-3 view
// rotates it (pixels change), and hovering a fixed point reads its speed and eigenvalues.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { createShow, type TrajectoryShowOptions } from "../../../src/kernel/rich/index";
import { MIME, type MimeBundle } from "../../../src/shared/mime";
import type { TrajectoryPayload } from "../../../src/shared/payloads";
import { CHROMIUM, openRendererPage, renderFresh, type Page, type RendererPage } from "../../support/rendererPage";

const F = 2;
const gru = () => rnn.sequential({ inputShape: [null, F], name: "gru", dtype: "float64", seed: 9 }, [rnn.gru({ units: 4, returnSequences: true })]);
const seqs = (N: number, T: number) => rnn.tensor(Float64Array.from({ length: N * T * F }, (_, i) => Math.sin(i * 0.37 + (i % 5))), [N, T, F], "float64");

function payloadOf(opts: TrajectoryShowOptions): TrajectoryPayload {
  const out: MimeBundle[] = [];
  createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000 }).trajectory(gru(), seqs(3, 12), opts);
  return out[0][MIME.trajectory] as TrajectoryPayload;
}

describe("trajectory scrubber, 3-D and fixed points in Chromium", function () {
  this.timeout(60_000);
  let opened: RendererPage | undefined;
  let page: Page & { mouse: { move(x: number, y: number, o?: { steps: number }): Promise<void>; down(): Promise<void>; up(): Promise<void> } };

  before(async function () {
    if (!CHROMIUM) { this.skip(); return; }
    opened = await openRendererPage(`import { render } from "./src/renderer/render"; (window as any).rnnRender = render;`,
      `class="vscode-light" style="--vscode-editor-background:#ffffff;--vscode-editor-foreground:#1f1f1f;background:#ffffff"`);
    page = opened.page as typeof page;
  });
  after(async () => { await opened?.close(); });

  async function draw(value: unknown) {
    const kind = await renderFresh(page, MIME.trajectory, value);
    return page.evaluate((kind) => {
      const r = (document.querySelector("canvas.rnn-trajectory") as HTMLCanvasElement).getBoundingClientRect();
      return { kind, left: r.left, top: r.top, width: r.width, height: r.height };
    }, kind);
  }
  /** Distinct colours and a fingerprint of the canvas's pixels. */
  const pixels = () => page.evaluate(() => {
    const c = document.querySelector("canvas.rnn-trajectory") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) | 0;
      if (seen.size < 500) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
    return { hash: h, colours: seen.size };
  });

  it("the scrubber draws the paths up to step t: moving it changes the pixels", async () => {
    const r = await draw(payloadOf({}));
    assert.equal(r.kind, "trajectory");
    const full = await pixels();
    assert.ok(full.colours > 20, `drawn: ${full.colours} colours`);
    const scrub = (v: number) => page.evaluate((v) => {
      const s = document.querySelector("input.rnn-trajectory-scrubber") as HTMLInputElement;
      s.value = String(v);
      s.dispatchEvent(new Event("input"));
      return { max: s.max, shown: s.nextElementSibling?.textContent ?? "", at: (window as any).root.dataset.scrubbed as string };
    }, v);
    const s3 = await scrub(3);
    assert.deepEqual(s3, { max: "11", shown: "t = 3", at: "3" });
    const at3 = await pixels();
    assert.notEqual(at3.hash, full.hash, "fewer segments drawn");
    await scrub(8);
    assert.notEqual((await pixels()).hash, at3.hash);
    await scrub(11);
    assert.equal((await pixels()).hash, full.hash, "back at the end: the full paths again");
  });

  it("dims: 3 draws a projection that dragging rotates", async () => {
    const r = await draw(payloadOf({ dims: 3 }));
    const before = await pixels();
    assert.ok(before.colours > 20, `drawn: ${before.colours} colours`);
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + 60, cy + 20, { steps: 4 });
    await page.mouse.up();
    const rotated = await page.evaluate(() => (window as any).root.dataset.rotated as string | undefined);
    // 60 px right and 20 px down at 0.01 rad per px from the initial yaw 0.6, pitch 0.35 (src/renderer/trajectory.ts)
    assert.equal(rotated, "1.20,0.55");
    assert.notEqual((await pixels()).hash, before.hash, "the projection turned");
  });

  it("fixed points are drawn as crosses; hovering one reads its speed and eigenvalues", async () => {
    const p = payloadOf({ fixedPoints: true });
    // this contracting GRU has one attractor: every start lands on it, and it is marked once
    assert.equal(p.fixedPoints?.length, 1);
    const withFixed = await draw(p);
    const crossed = await pixels();
    await draw({ ...p, fixedPoints: undefined });
    assert.notEqual((await pixels()).hash, crossed.hash, "the crosses are drawn");
    await draw(p);
    // find the first fixed point's pixel through the same layout: hover over the canvas until the tooltip names it
    const hit = await page.evaluate(async ({ left, top, width, height }) => {
      const c = document.querySelector("canvas.rnn-trajectory") as HTMLCanvasElement;
      for (let y = top; y < top + height; y += 4) {
        for (let x = left; x < left + width; x += 4) {
          c.dispatchEvent(new MouseEvent("mousemove", { clientX: x, clientY: y, bubbles: true }));
          const tip = document.querySelector(".rnn-tooltip")?.textContent ?? "";
          if (/fixed point 1/.test(tip)) return tip;
        }
      }
      return "";
    }, withFixed);
    assert.match(hit, /fixed point 1/);
    assert.match(hit, /speed q = /);
    assert.match(hit, /Jacobian eigenvalues: -?\d/);
    assert.deepEqual(opened!.pageErrors, []);
  });
});
