// Rich bundles (src/kernel/rich): every bundle has the custom mime, a DOM-free static fallback
// (PNG / SVG / HTML) and text/plain; hostile text is escaped in SVG and HTML; bundles respect maxBytes.
// Models are small seeded real ones; expected values come from the engine's own recording of the same
// model (rich only transports and rounds them: 4 significant digits, downsample.ts roundSig).
import * as assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import * as math from "mathjs";
import * as rnn from "../../../../src/engine/index";
import { Tensor } from "../../../../src/engine/tensor";
import { CELL_FACTS } from "../../../../src/engine/layerFacts";
import type { FitProgress } from "../../../../src/engine/fit";
import { MIME, type MimeBundle } from "../../../../src/shared/mime";
import type { GatesPayload, GradNormsPayload, SummaryPayload, TensorPayload, TrainingPayload } from "../../../../src/shared/payloads";
import { bundleBytes, createShow, historyProgress, richBundle, trainingBundle } from "../../../../src/kernel/rich/index";
import { roundSig } from "../../../../src/kernel/rich/downsample";
import { escapeMarkup, linePlotSvg } from "../../../../src/kernel/rich/markup";
import { validatePayload } from "../../../../src/shared/validate";

const XSS = `<img src=x onerror=alert(1)>`;
const SCRIPT = `<script>alert("x")</script>`;

/** An LSTM(units) → Dense(1) model on [T, 2] inputs, seeded, and a batch of `B` adding-problem sequences. */
function lstmModel(T: number, units: number, B = 2, name = "lstm_model") {
  const model = rnn.sequential({ inputShape: [T, 2], name }, [rnn.lstm({ units, seed: 1 }), rnn.dense({ units: 1, seed: 2 })]);
  const { x, y } = rnn.datasets.addingProblem({ samples: B, timesteps: T, seed: 3 });
  return { model, x, y };
}

function capture(maxBytes = 2_000_000) {
  const out: MimeBundle[] = [];
  return { out, ctx: { display: (b: MimeBundle) => { out.push(b); }, maxBytes } };
}

const rounded = (a: ArrayLike<number>) => Array.from(a, (v) => roundSig(v));

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
  it("shows the recorded gates of the chosen sequence: gates+json in the engine's order, PNG and text", () => {
    const { out, ctx } = capture();
    const T = 5, H = 3;
    const { model, x } = lstmModel(T, H);
    // Sequence 1 gets a NaN at t = 3: its h is NaN from there on (sequences of a batch do not mix).
    const xs = new Tensor(x.data.slice(), x.shape);
    xs.data[(1 * T + 3) * 2] = NaN;
    createShow(ctx).gates(model, xs, { batchIndex: 1, tokens: ["a", XSS, "c", "d", "e"] });
    assert.equal(out.length, 1);
    const b = out[0];
    const p = b[MIME.gates] as GatesPayload;
    assert.deepEqual(p.panels.map((g) => g.gate), CELL_FACTS.lstm.gates);
    assert.deepEqual(p.panels.map((g) => g.scale), ["sigmoid", "sigmoid", "tanh", "sigmoid", "tanh", "tanh"]);
    assert.deepEqual([p.batchIndex, p.trueShape, p.layer.index, p.layer.type], [1, { timesteps: T, units: H }, 0, "lstm"]);
    const rec = model.record(xs, undefined, { batchIndex: 1 }).layers[0];
    assert.deepEqual(p.panels[5].values, rounded(rec.gates.h!.data), "h as the engine recorded it, NaN → null");
    assert.deepEqual(p.panels[5].values.map((v) => v === null), Array.from({ length: T * H }, (_, i) => i >= 3 * H));
    assert.equal(p.tokens![1], XSS, "tokens travel as data; the renderer puts them in text nodes");
    assert.ok(validatePayload(MIME.gates, p).ok, "the renderer accepts what the kernel sends");
    const png = Buffer.from(b["image/png"] as string, "base64");
    assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
    assert.match(b["text/plain"] as string, /gates i, f, g, o, c, h — 5 timesteps × 3 units/);
  });

  it("an unbounded cell state gets a symmetric colour domain ±max|c| (rounded to 3 digits)", () => {
    const { out, ctx } = capture();
    const { model, x } = lstmModel(6, 2);
    const big = new Tensor(x.data.map((v) => 40 * v), x.shape); // large inputs saturate i and g, so |c| grows past 1
    createShow(ctx).gates(model, big);
    const c = model.record(big).layers[0].gates.c!.data;
    const max = Math.max(...Array.from(c, Math.abs));
    assert.ok(max > 1, `max |c| = ${max}`);
    assert.deepEqual((out[0][MIME.gates] as GatesPayload).panels[4].domain, [-roundSig(max, 3)!, roundSig(max, 3)!]);
  });

  it("downsamples a long recording, states the true size, and stays within maxBytes", function () {
    this.timeout(60_000);
    const { out, ctx } = capture(300_000);
    const T = 3000, H = 200;
    const model = rnn.sequential({ inputShape: [T, 1] }, [rnn.simpleRNN({ units: H, seed: 1 })]);
    createShow(ctx).gates(model, rnn.datasets.sine({ samples: 1, timesteps: T, seed: 1 }).x);
    const b = out[0];
    const p = b[MIME.gates] as GatesPayload;
    assert.deepEqual(p.trueShape, { timesteps: T, units: H });
    assert.ok(p.timesteps < T && p.units <= H);
    assert.ok(bundleBytes(b) <= 300_000, `bundle ${bundleBytes(b)} bytes`);
    assert.match(b["text/plain"] as string, /of 3000 timesteps × 200 units/);
  });

  it("an rnn.nn module (time-major input, two stacked layers): the chosen layer as the engine recorded it", () => {
    const { out, ctx } = capture();
    const m = rnn.nn.GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, seed: 4, name: "enc" });
    const x = rnn.tensor(Float32Array.from({ length: 5 * 2 * 2 }, (_, i) => Math.sin(i)), [5, 2, 2]); // [T, B, I]
    createShow(ctx).gates(m, x, { layer: 1, batchIndex: 1 });
    const p = out[0][MIME.gates] as GatesPayload;
    const rec = m.record(x, undefined, { layer: 1, batchIndex: 1 }).layers[0];
    assert.deepEqual([p.model, p.layer.index, p.layer.name, p.batchIndex, p.trueShape], ["enc", 1, "enc layer 1", 1, { timesteps: 5, units: 3 }]);
    assert.deepEqual(p.panels.map((g) => g.values), CELL_FACTS.gru.gates.map((g) => rounded(rec.gates[g]!.data)));
  });

  it("a bidirectional layer: the backward direction on request, named as such", () => {
    const { out, ctx } = capture();
    const model = rnn.sequential({ inputShape: [4, 2] }, [rnn.bidirectional(rnn.gru({ units: 2, seed: 1 }))]);
    const { x } = rnn.datasets.addingProblem({ samples: 1, timesteps: 4, seed: 2 });
    createShow(ctx).gates(model, x, { direction: "backward" });
    const p = out[0][MIME.gates] as GatesPayload;
    const rec = model.record(x).layers.find((l) => l.direction === "backward")!;
    assert.equal(p.layer.name, `${rec.name} (backward)`);
    assert.deepEqual(p.panels.map((g) => g.gate), CELL_FACTS.gru.gates);
    assert.deepEqual(p.panels[3].values, rounded(rec.gates.h!.data));
  });

  it("misuse throws (the cell fails) and says what there is: a Dense layer, a missing layer, a missing direction, a non-model", () => {
    const show = createShow(capture().ctx);
    const { model, x } = lstmModel(3, 2);
    assert.throws(() => show.gates(model, x, { layer: 1 }), /^Error: rnn\.show\.gates: .*layer 1 "dense\w*" \(Dense\) is not a recurrent layer; its recurrent layers: 0 "lstm\w*" \(LSTM\)$/);
    assert.throws(() => show.gates(model, x, { layer: 7 }), /rnn\.show\.gates: .*layer 7 does not exist/);
    assert.throws(() => show.gates(model, x, { direction: "backward" }), /rnn\.show\.gates: model "lstm_model" has no backward direction; recorded: 0 "lstm\w*" \(LSTM, forward\)/);
    assert.throws(() => show.gates(rnn.sequential({ inputShape: [2] }, [rnn.dense({ units: 1 })]), [[1, 2]]), /has no recurrent layer/);
    assert.throws(() => show.gates(42 as never, x), /expected a model with record/);
  });
});

describe("rich: rnn.show.gradientNorms", () => {
  it("one line per model and quantity as the engine recorded them; clip threshold and TBPTT kept; SVG escaped", () => {
    const { out, ctx } = capture();
    const T = 6, k = 2;
    const a = rnn.sequential({ inputShape: [T, 2], name: "a" }, [rnn.simpleRNN({ units: 3, seed: 1 }), rnn.dense({ units: 1, seed: 2 })]);
    const { model: b, x, y } = lstmModel(T, 2);
    createShow(ctx).gradientNorms([a, b], x, y, { loss: "mse", clipThreshold: 1, tbptt: k, labels: [XSS, "lstm"] });
    const p = out[0][MIME.gradNorms] as GradNormsPayload;
    assert.deepEqual(p.series.map((s) => [s.model, s.quantity]), [[XSS, "h"], ["lstm", "h"], ["lstm", "c"]]); // SimpleRNN h; LSTM h, c
    assert.deepEqual(p.steps, [1, 2, 3, 4, 5, 6]);
    const ra = a.record(x, y, { tbptt: k }).layers[0].gradNorms!, rb = b.record(x, y, { tbptt: k }).layers[0].gradNorms!;
    assert.deepEqual(p.series.map((s) => s.values), [rounded(ra.h), rounded(rb.h), rounded(rb.c!)]);
    assert.deepEqual(p.series[0].values.slice(0, T - k), [0, 0, 0, 0], "recorded with the truncation: no gradient across the cut");
    assert.equal(p.clipThreshold, 1);
    assert.equal(p.tbptt, k);
    const svg = out[0]["image/svg+xml"] as string;
    assert.ok(!svg.includes("<img"));
    assert.ok(svg.includes("&lt;img"));
    assert.ok(validatePayload(MIME.gradNorms, p).ok);
  });

  it("says the targets are missing when y is not given", () => {
    const { model, x } = lstmModel(3, 2);
    assert.throws(() => createShow(capture().ctx).gradientNorms(model, x, undefined as never), /rnn\.show\.gradientNorms: the targets y are missing/);
  });
});

describe("rich: richBundle", () => {
  it("tensor → tensor+json, PNG heatmap, escaped HTML table, text", () => {
    const b = richBundle(rnn.tensor([[1, 2, NaN], [4, 5, 6]]))!;
    const p = b[MIME.tensor] as TensorPayload;
    assert.deepEqual(p.shownShape, [2, 3]);
    assert.deepEqual(p.values, [1, 2, null, 4, 5, 6]);
    assert.ok(typeof b["image/png"] === "string");
    assert.match(b["text/html"] as string, /<table/);
    assert.ok(validatePayload(MIME.tensor, p).ok);
  });

  it("rank-3 tensor is viewed as a matrix with a note; 10^6 elements are pooled under the cap", () => {
    const b = richBundle(rnn.zeros([10, 100, 1000]), { maxBytes: 500_000 })!;
    const p = b[MIME.tensor] as TensorPayload;
    assert.equal(p.note, "[10, 100, 1000] viewed as 1000 × 1000");
    assert.ok(p.downsampled);
    assert.ok(bundleBytes(b) <= 500_000);
  });

  it("model → summary+json, HTML with the layer name escaped, Keras text", () => {
    const m = rnn.sequential({ inputShape: [21, 1] }, [rnn.lstm({ units: 16, name: XSS, returnSequences: true })]);
    const b = richBundle(m)!;
    const p = b[MIME.summary] as SummaryPayload;
    assert.equal(p.totalParams, 1152); // LSTM(16) on 1 feature: 4·(16·(1+16)+16) = 1,152 (Keras count)
    const html = b["text/html"] as string;
    assert.ok(!html.includes("<img"), "layer name escaped");
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt; (LSTM)"));
    assert.match(b["text/plain"] as string, /Total params: 1,152/);
    const torch = richBundle(rnn.nn.LSTM({ inputSize: 1, hiddenSize: 16, seed: 1 }))![MIME.summary] as SummaryPayload;
    assert.equal(torch.totalParams, 1216); // PyTorch: 4·16·(1 + 16) + 2·4·16 = 1,088 + 128
    // The saved fallbacks say which convention the numbers follow (a PyTorch-counted table looked Keras's).
    const torchBundle = richBundle(m.summary({ convention: "torch" }))!;
    assert.match(torchBundle["text/html"] as string, /Model: &quot;[^<]*&quot; — Counted as PyTorch does: two bias vectors/);
    assert.match(torchBundle["text/plain"] as string, /^Model: ".*"\nCounted as PyTorch does/);
    assert.doesNotMatch(b["text/html"] as string, /PyTorch/);
  });

  it("a functional model → summary+json with Keras's Connected to column, in the HTML and the text", () => {
    const x = rnn.input({ shape: [6, 3], name: "seq" });
    const [out, h] = rnn.gru({ units: 4, returnSequences: true, returnState: true, name: "enc" }).apply(x) as rnn.KerasTensor[];
    const m = rnn.model({ inputs: x, outputs: [rnn.dense({ units: 2, name: "head" }).apply(out), h] as rnn.KerasTensor[], name: "two_heads" });
    const b = richBundle(m)!;
    const p = b[MIME.summary] as SummaryPayload;
    assert.deepEqual(p.layers.map((l) => l.connectedTo), [[], ["seq[0][0]"], ["enc[0][0]"]]);
    // GRU(4) on 3 features, resetAfter (Keras default): 3·(4·(3+4) + 2·4) = 108; Dense(2) on 4: 4·2 + 2 = 10.
    assert.equal(p.totalParams, 118);
    assert.match(b["text/html"] as string, /Connected to/);
    assert.match(b["text/html"] as string, /\(None, 6, 4\), \(None, 4\)/);
    assert.match(b["text/plain"] as string, /Connected to/);
  });

  it("a fit's History → training+json (done) with the per-epoch curves and an SVG", async () => {
    const { model, x, y } = lstmModel(4, 2, 8);
    const h = await model.fit(x, y, { epochs: 3, batchSize: 4, loss: "mse", validationSplit: 0.25, seed: 1 });
    const b = richBundle(h)!;
    const p = b[MIME.training] as TrainingPayload;
    assert.equal(p.status, "done");
    assert.deepEqual(p.epochsDone, [1, 2, 3]);
    assert.deepEqual(p.series.map((s) => s.label), ["loss", "val loss"]);
    assert.deepEqual(p.series[0].values, rounded(h.loss));
    assert.deepEqual([p.batch, p.batches], [2, 2]); // 6 training samples of 8 (validationSplit 0.25), batches of 4 → ⌈6/4⌉
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
    createShow(ctx).tensor(rnn.tensor(new Float32Array(25).fill(1), [5, 5]), { title: XSS }); // 25 > 16 values → heatmap first
    const html = out[0]["text/html"] as string;
    assert.equal(html.match(/<img/g)?.length, 1, "only our own image");
    assert.ok(html.startsWith(`<div><img alt="heatmap" src="data:image/png;base64,${out[0]["image/png"]}">`));
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
  });

  it("anything else → undefined", () => {
    for (const v of [1, "x", null, undefined, { a: 1 }, [1, 2, 3]]) assert.equal(richBundle(v), undefined);
  });
});

describe("rich: mathjs values (what rnn.toMath and math.* return)", () => {
  it("a mathjs Matrix is a matrix: rnn.show.tensor and display both show math.identity(3)", () => {
    const { out, ctx } = capture();
    createShow(ctx).tensor(math.identity(3));
    for (const b of [out[0], richBundle(math.identity(3))!]) {
      const p = b[MIME.tensor] as TensorPayload;
      assert.deepEqual([p.shape, p.values], [[3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]]); // the 3 × 3 identity
      assert.match(b["text/plain"] as string, /^mathjs Matrix \[3, 3\]/);
      assert.ok(!(b["text/plain"] as string).includes("_data"), "no mathjs internals");
    }
    const arr = (math.matrix([[1, 2], [3, 4]]) as math.Matrix).toArray(); // the docs' toArray() form
    assert.deepEqual((richBundle(rnn.tensor(arr as number[][]))![MIME.tensor] as TensorPayload).values, [1, 2, 3, 4]);
  });

  it("mathjs scalars and matrices of complex numbers show as their own text", () => {
    assert.deepEqual(richBundle(math.sqrt(math.complex(-4, 0))), { "text/plain": "2i" }); // √−4 = 2i
    assert.deepEqual(richBundle(math.bignumber("0.1")), { "text/plain": "0.1" });
    const b = richBundle(math.matrix([[math.complex(1, 1), 2]]))!;
    assert.equal(b["text/plain"], `mathjs Matrix [1, 2]\n1 + i  ${"2".padStart(5)}`); // entries right-aligned to the widest ("1 + i"), two spaces apart
    assert.match(b["text/html"] as string, /<td[^>]*>1 \+ i<\/td>/);
  });
});

describe("rich: trainingBundle", () => {
  const progress = (p: Partial<FitProgress>): FitProgress => ({
    status: "running", epoch: 1, epochs: 1, batch: 1, batches: 1, elapsedMs: 1, loss: null, losses: [], valLosses: [], metrics: {}, batchLosses: [], ...p,
  });

  it("reports progress and per-batch clipping norms; a null loss stays null", () => {
    const b = trainingBundle(progress({ epoch: 2, epochs: 4, batch: 8, batches: 16, elapsedMs: 3000, losses: [1], batchLosses: [1, 0.9], gradNorms: { preClip: [3, 0.5], postClip: [1, 0.5], clipNorm: 1 } }));
    const p = b[MIME.training] as TrainingPayload;
    assert.equal(p.status, "running");
    assert.equal(p.loss, null);
    // 1.5 of 4 epochs done in 3 s → 2 s per epoch → 2.5 epochs left = 5000 ms
    assert.equal(p.etaMs, 5000);
    assert.deepEqual(p.gradNorms, { steps: [1, 2], preClip: [3, 0.5], postClip: [1, 0.5], clipNorm: 1 });
    assert.match(b["text/plain"] as string, /^\[#{8}\.{12}\] Epoch 2\/4/); // bar of 20: round(20 × 1.5/4) = round(7.5) = 8
    assert.ok(validatePayload(MIME.training, p).ok);
  });

  it("a resumed fit (initialEpoch 3) draws its losses at epochs 4, 5, … and times only the epochs it trains", () => {
    const b = trainingBundle(progress({ firstEpoch: 4, epoch: 5, epochs: 6, batch: 8, batches: 16, elapsedMs: 3000, losses: [1] }));
    const p = b[MIME.training] as TrainingPayload;
    assert.deepEqual(p.epochsDone, [4]);
    // epochs 4 and half of 5 trained in 3 s → 2 s per epoch; half of 5 and all of 6 left = 1.5 epochs = 3000 ms
    assert.equal(p.etaMs, 3000);
    // a History of such a fit: its epoch numbers, not 1, 2, 3
    const h = { epoch: [4, 5, 6], loss: [0.3, 0.2, 0.1], batchLoss: [], interrupted: false, stoppedEarly: false, epochs: 6, batchesPerEpoch: 2, elapsedMs: 10 };
    assert.deepEqual((trainingBundle(historyProgress(h))[MIME.training] as TrainingPayload).epochsDone, [4, 5, 6]);
  });

  it("an impossible budget leaves a text note, never an oversized bundle", () => {
    const b = trainingBundle(progress({ losses: new Array(5000).fill(1) }), { maxBytes: 100 });
    assert.deepEqual(Object.keys(b), ["text/plain"]);
    assert.match(b["text/plain"] as string, /too large/);
  });

  it("the PNG of a gates bundle decodes (zlib stream intact)", () => {
    const { out, ctx } = capture();
    const { model, x } = lstmModel(4, 2);
    createShow(ctx).gates(model, x);
    const png = Buffer.from(out[0]["image/png"] as string, "base64");
    const len = png.readUInt32BE(33); // IDAT length follows the 8-byte signature and the 25-byte IHDR chunk
    assert.equal(png.toString("latin1", 37, 41), "IDAT");
    assert.ok(inflateSync(png.subarray(41, 41 + len)).length > 0);
  });
});
