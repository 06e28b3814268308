// Rich bundles (src/kernel/rich): every bundle has the custom mime, a DOM-free static fallback
// (PNG / SVG / HTML) and text/plain; hostile text is escaped in SVG and HTML; bundles respect maxBytes.
// The fake model below is duck-typed like the engine (DESIGN §3: record(x, y, { gates, gradNorms })).
import * as assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { MIME, type MimeBundle } from "../../../src/shared/mime";
import type { GatesPayload, GradNormsPayload, SummaryPayload, TensorPayload, TrainingPayload } from "../../../src/shared/payloads";
import { bundleBytes, createShow, richBundle, trainingBundle } from "../../../src/kernel/rich/index";
import { escapeMarkup, linePlotSvg } from "../../../src/kernel/rich/markup";
import { validatePayload } from "../../../src/shared/validate";

const XSS = `<img src=x onerror=alert(1)>`;
const SCRIPT = `<script>alert("x")</script>`;

/** A [B, T, H] tensor-like of the given fill. */
function rec3(B: number, T: number, H: number, f: (t: number, u: number) => number) {
  const data = new Float32Array(B * T * H);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let u = 0; u < H; u++) data[(b * T + t) * H + u] = f(t, u);
  return { shape: [B, T, H], data, dtype: "float32", toArray: () => [] };
}

function fakeLstm(T: number, H: number, name = "lstm_model") {
  const g = (f: (t: number, u: number) => number) => rec3(1, T, H, f);
  const recording = {
    layers: [{
      index: 0, name: "lstm", type: "lstm",
      gates: { i: g(() => 0.5), f: g((t) => t / T), g: g(() => -0.5), o: g(() => 0.9), c: g((t) => t - T / 2), h: g((t, u) => (t === 1 && u === 0 ? NaN : 0.1)) },
      gradNorms: { h: Array.from({ length: T }, (_, t) => 10 ** (t - T)), c: Array.from({ length: T }, () => 0.5) },
    }],
  };
  return {
    name,
    calls: [] as unknown[],
    record(_x: unknown, _y: unknown, opts: unknown) { this.calls.push(opts); return recording; },
    summary: () => ({
      name, convention: "keras", totalParams: 1152, trainableParams: 1152, nonTrainableParams: 0,
      layers: [{ name: XSS, type: "LSTM", outputShape: [null, 21, 16], params: 1152, breakdown: [{ name: "kernel", shape: [1, 64], count: 64 }], formula: "4·(16·(1+16)+16) = 1,152" }],
    }),
    fit() { /* duck-typing only */ },
  };
}

function capture() {
  const out: MimeBundle[] = [];
  return { out, ctx: { display: (b: MimeBundle) => { out.push(b); }, maxBytes: 2_000_000 } };
}

describe("rich: escaping", () => {
  it("escapes markup characters in text", () => {
    assert.equal(escapeMarkup(XSS), "&lt;img src=x onerror=alert(1)&gt;");
    assert.equal(escapeMarkup(`a"b'c&d`), "a&quot;b&#39;c&amp;d");
    assert.equal(escapeMarkup("x\u0000y\ud800z"), "xyz"); // XML 1.0 forbids NUL and lone surrogates
  });

  it("an SVG plot with hostile labels contains no raw tag", () => {
    const svg = linePlotSvg({ title: SCRIPT, xLabel: XSS, yLabel: "y", yScale: "log", series: [{ label: XSS, x: [1, 2], y: [1, 0.1] }], hLines: [{ y: 0.5, label: SCRIPT }] });
    assert.ok(!svg.includes("<script"), "no <script element");
    assert.ok(!svg.includes("<img"), "no <img element");
    assert.ok(svg.includes("&lt;img src=x onerror=alert(1)&gt;"));
    assert.ok(svg.startsWith("<svg") && svg.endsWith("</svg>"));
  });
});

describe("rich: rnn.show.gates", () => {
  it("records gates and displays gates+json, PNG and text", () => {
    const { out, ctx } = capture();
    const model = fakeLstm(5, 3);
    createShow(ctx).gates(model, [[[0]]], { tokens: ["a", XSS, "c", "d", "e"] });
    assert.equal(out.length, 1);
    assert.deepEqual((model.calls[0] as { gates: boolean }).gates, true);
    const b = out[0];
    const p = b[MIME.gates] as GatesPayload;
    assert.deepEqual(p.panels.map((x) => x.gate), ["i", "f", "g", "o", "c", "h"]); // LSTM order (DESIGN §3)
    assert.deepEqual(p.panels.map((x) => x.scale), ["sigmoid", "sigmoid", "tanh", "sigmoid", "tanh", "tanh"]);
    assert.deepEqual(p.trueShape, { timesteps: 5, units: 3 });
    assert.equal(p.panels[5].values[1 * 3 + 0], null, "NaN at t=1, unit 0 becomes null");
    assert.deepEqual(p.panels[4].domain, [-2.5, 2.5], "c spans t − 2.5 for t = 0..4 → ±2.5");
    assert.equal(p.tokens![1], XSS, "tokens travel as data; the renderer puts them in text nodes");
    assert.ok(validatePayload(MIME.gates, p).ok, "the renderer accepts what the kernel sends");
    const png = Buffer.from(b["image/png"] as string, "base64");
    assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
    assert.match(b["text/plain"] as string, /gates i, f, g, o, c, h — 5 timesteps × 3 units/);
  });

  it("downsamples a long recording, states the true size, and stays within maxBytes", () => {
    const { out, ctx } = capture();
    ctx.maxBytes = 300_000;
    createShow(ctx).gates(fakeLstm(3000, 200), null, {});
    const b = out[0];
    const p = b[MIME.gates] as GatesPayload;
    assert.deepEqual(p.trueShape, { timesteps: 3000, units: 200 });
    assert.ok(p.timesteps < 3000 && p.units <= 200);
    assert.ok(bundleBytes(b) <= 300_000, `bundle ${bundleBytes(b)} bytes`);
    assert.match(b["text/plain"] as string, /of 3000 timesteps × 200 units/);
  });

  it("says so when the layer does not exist", () => {
    const { out, ctx } = capture();
    createShow(ctx).gates(fakeLstm(3, 2), null, { layer: 7 });
    assert.match(out[0]["text/plain"] as string, /no recurrent layer 7/);
  });

  it("throws a clear TypeError for a non-model", () => {
    assert.throws(() => createShow(capture().ctx).gates(42, null), /expected a model with record/);
  });
});

describe("rich: rnn.show.gradientNorms", () => {
  it("one line per model and quantity, clip threshold and TBPTT kept, SVG escaped", () => {
    const { out, ctx } = capture();
    createShow(ctx).gradientNorms([fakeLstm(4, 2, "a"), fakeLstm(4, 2, "b")], null, null, { loss: "mse", clipThreshold: 1, tbptt: 2, labels: [XSS, "lstm"] });
    const b = out[0];
    const p = b[MIME.gradNorms] as GradNormsPayload;
    assert.equal(p.series.length, 4); // 2 models × (h, c)
    assert.deepEqual(p.steps, [1, 2, 3, 4]);
    assert.deepEqual(p.series[0].values, [1e-4, 1e-3, 1e-2, 0.1]); // 10^(t−T) for t = 0..3, T = 4
    assert.equal(p.clipThreshold, 1);
    assert.equal(p.tbptt, 2);
    const svg = b["image/svg+xml"] as string;
    assert.ok(!svg.includes("<img"));
    assert.ok(svg.includes("&lt;img"));
    assert.ok(validatePayload(MIME.gradNorms, p).ok);
  });
});

describe("rich: richBundle", () => {
  it("tensor → tensor+json, PNG heatmap, escaped HTML table, text", () => {
    const t = { shape: [2, 3], data: Float32Array.from([1, 2, NaN, 4, 5, 6]), dtype: "float32", toArray: () => [] };
    const b = richBundle(t)!;
    const p = b[MIME.tensor] as TensorPayload;
    assert.deepEqual(p.shownShape, [2, 3]);
    assert.deepEqual(p.values, [1, 2, null, 4, 5, 6]);
    assert.ok(typeof b["image/png"] === "string");
    assert.match(b["text/html"] as string, /<table/);
    assert.ok(validatePayload(MIME.tensor, p).ok);
  });

  it("rank-3 tensor is viewed as a matrix with a note; 10^6 elements are pooled under the cap", () => {
    const big = { shape: [10, 100, 1000], data: new Float32Array(1e6), dtype: "float32", toArray: () => [] };
    const b = richBundle(big, { maxBytes: 500_000 })!;
    const p = b[MIME.tensor] as TensorPayload;
    assert.equal(p.note, "[10, 100, 1000] viewed as 1000 × 1000");
    assert.ok(p.downsampled);
    assert.ok(bundleBytes(b) <= 500_000);
  });

  it("model → summary+json, HTML with the layer name escaped, Keras text", () => {
    const b = richBundle(fakeLstm(2, 2))!;
    const p = b[MIME.summary] as SummaryPayload;
    assert.equal(p.totalParams, 1152); // LSTM(16) on 1 feature: 4·(16·(1+16)+16) = 1,152 (DESIGN §1 notes)
    const html = b["text/html"] as string;
    assert.ok(!html.includes("<img"), "layer name escaped");
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt; (LSTM)"));
    assert.match(b["text/plain"] as string, /Total params: 1,152/);
  });

  it("fit history → training+json (done) with an SVG curve", () => {
    const b = richBundle({ epoch: [0, 1, 2], history: { loss: [1, 0.5, 0.25], val_loss: [1.1, 0.6, 0.3] } })!;
    const p = b[MIME.training] as TrainingPayload;
    assert.equal(p.status, "done");
    assert.deepEqual(p.epochsDone, [1, 2, 3]);
    assert.deepEqual(p.series.map((s) => s.label), ["loss", "val loss"]);
    assert.ok((b["image/svg+xml"] as string).startsWith("<svg"));
  });

  it("rnn.show.tensor takes nested arrays too, with row/column labels kept", () => {
    const { out, ctx } = capture();
    createShow(ctx).tensor([[1, 2, 3], [4, 5, 6]], { title: SCRIPT, view: "table", rowLabels: ["a", "b"], colLabels: ["x", "y", "z"] });
    const p = out[0][MIME.tensor] as TensorPayload;
    assert.deepEqual([p.shape, p.shownShape, p.values], [[2, 3], [2, 3], [1, 2, 3, 4, 5, 6]]);
    assert.deepEqual([p.rowLabels, p.colLabels, p.view], [["a", "b"], ["x", "y", "z"], "table"]);
    assert.ok(!(out[0]["text/html"] as string).includes("<script"), "title escaped in the HTML table");
  });

  it("a heatmap tensor's HTML fallback carries its PNG (viewers prefer text/html) and escapes the title", () => {
    const { out, ctx } = capture();
    createShow(ctx).tensor({ shape: [5, 5], data: new Float32Array(25).fill(1), toArray: () => [] }, { title: XSS }); // 25 > 16 values → heatmap first
    const html = out[0]["text/html"] as string;
    assert.equal(html.match(/<img/g)?.length, 1, "only our own image");
    assert.ok(html.startsWith(`<div><img alt="heatmap" src="data:image/png;base64,${out[0]["image/png"]}">`));
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
  });

  it("anything else → undefined", () => {
    for (const v of [1, "x", null, undefined, { a: 1 }, [1, 2, 3]]) assert.equal(richBundle(v), undefined);
  });
});

describe("rich: trainingBundle", () => {
  it("reports progress and per-batch clipping norms", () => {
    const b = trainingBundle({ epoch: 2, epochs: 4, batch: 8, batches: 16, elapsedMs: 3000, loss: 0.5, losses: [1], batchLosses: [1, 0.9], gradNorms: { preClip: [3, 0.5], postClip: [1, 0.5], clipNorm: 1 } });
    const p = b[MIME.training] as TrainingPayload;
    assert.equal(p.status, "running");
    // 1.5 of 4 epochs done in 3 s → 2 s per epoch → 2.5 epochs left = 5000 ms
    assert.equal(p.etaMs, 5000);
    assert.deepEqual(p.gradNorms, { steps: [1, 2], preClip: [3, 0.5], postClip: [1, 0.5], clipNorm: 1 });
    assert.match(b["text/plain"] as string, /^\[#{8}\.{12}\] Epoch 2\/4/); // bar of 20: round(20 × 1.5/4) = round(7.5) = 8
    assert.ok(validatePayload(MIME.training, p).ok);
  });

  it("an impossible budget leaves a text note, never an oversized bundle", () => {
    const b = trainingBundle({ epoch: 1, epochs: 1, batch: 1, batches: 1, elapsedMs: 1, losses: new Array(5000).fill(1) }, { maxBytes: 100 });
    assert.deepEqual(Object.keys(b), ["text/plain"]);
    assert.match(b["text/plain"] as string, /too large/);
  });

  it("the PNG of a gates bundle decodes (zlib stream intact)", () => {
    const { out, ctx } = capture();
    createShow(ctx).gates(fakeLstm(4, 2), null);
    const png = Buffer.from(out[0]["image/png"] as string, "base64");
    const len = png.readUInt32BE(33); // IDAT length follows the 8-byte signature and the 25-byte IHDR chunk
    assert.equal(png.toString("latin1", 37, 41), "IDAT");
    assert.ok(inflateSync(png.subarray(41, 41 + len)).length > 0);
  });
});
