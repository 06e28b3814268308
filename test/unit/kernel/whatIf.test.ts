// "What if" on the kernel's side (src/kernel/whatIf.ts, src/kernel/rich/whatIfInput.ts and the editable
// views of src/kernel/rich/index.ts): an edited input recomputes the SAME view — its payload equals what
// a fresh rnn.show draws on the edited input — for gates (text and numbers, both model families),
// neurons and connectivity; unusable inputs give a message, not a throw; the kept views are bounded
// (least recently used dropped first) and a handle of another kernel process is "stale". Then through a
// real kernel process: the inspect query answers without running a cell, within 500 ms for T = 200,
// H = 128, and a restarted kernel calls the old handle stale.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { createShow } from "../../../src/kernel/rich/index";
import { WhatIfViews } from "../../../src/kernel/whatIf";
import { MIME, type MimeBundle } from "../../../src/shared/mime";
import type { GatesPayload, WhatIfField, WhatIfInput } from "../../../src/shared/payloads";
import type { FromKernel, WhatIfResult } from "../../../src/shared/protocol";
import { buildKernel, tempDir, TestKernel } from "./harness";

const TEXT = "the cat sat on the mat. ";
const vocab = rnn.text.charVocab(TEXT);

function charModel(family: "lstm" | "gru" = "lstm") {
  return rnn.sequential({ inputShape: [null], name: "char", seed: 4 }, [
    rnn.embedding({ inputDim: vocab.size, outputDim: 4 }),
    family === "lstm" ? rnn.lstm({ units: 6, returnSequences: true }) : rnn.gru({ units: 6, returnSequences: true }),
    rnn.dense({ units: vocab.size }),
  ]);
}

/** A show whose editable views are kept in `views`; `out` gets every displayed bundle. */
function editableShow(views = new WhatIfViews()) {
  const out: MimeBundle[] = [];
  const show = createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000, remember: (v, r) => views.remember(v, r) });
  return { show, out, views };
}

/** The payload without its what-if handle (a fresh show makes a new one). */
function withoutHandle(p: unknown): unknown {
  const c = structuredClone(p) as { whatIf?: Partial<WhatIfField> };
  delete c.whatIf?.handle;
  return c;
}

function edited(r: WhatIfResult): unknown {
  assert.ok(r.ok, `recomputed: ${JSON.stringify(r)}`);
  return r.payload;
}

const ids = (s: string) => rnn.tensor(Float32Array.from(vocab.encode(s)), [1, Array.from(s).length]);

describe("what if: editable views in the kernel", () => {
  it("gates of a character model: the text is the input, and an edit equals a fresh rnn.show.gates on the edited text", () => {
    const model = charModel();
    const { show, out, views } = editableShow();
    show.gates(model, ids("the cat"), { vocab });
    const p = out[0][MIME.gates] as GatesPayload;
    assert.ok(p.whatIf, "the payload names a handle");
    assert.deepEqual(p.whatIf.input, { kind: "text", text: "the cat" });
    assert.deepEqual(p.tokens, Array.from("the cat"), "with a vocab the decoded text labels the steps");

    const input: WhatIfInput = { kind: "text", text: "the mat sat" };
    const r = views.run("gates", p.whatIf.handle, input);
    const fresh = editableShow();
    fresh.show.gates(model, ids("the mat sat"), { vocab });
    assert.deepEqual(withoutHandle(edited(r)), withoutHandle(fresh.out[0][MIME.gates]));
    assert.equal((edited(r) as GatesPayload).whatIf?.handle, p.whatIf.handle, "the same handle: the next edit goes to the same view");
    assert.deepEqual((edited(r) as GatesPayload).whatIf?.input, input);
    assert.equal((edited(r) as GatesPayload).timesteps, 11, "a longer text gives more steps");
  });

  it("a character outside the vocabulary and an empty text are messages for the output, not failures", () => {
    const { show, out, views } = editableShow();
    show.gates(charModel("gru"), ids("the"), { vocab });
    const h = (out[0][MIME.gates] as GatesPayload).whatIf!.handle;
    const bad = views.run("gates", h, { kind: "text", text: "thez" });
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.reason, "input");
    assert.match(!bad.ok ? bad.message : "", /character "z" is not in the vocabulary/);
    const empty = views.run("gates", h, { kind: "text", text: "" });
    assert.match(!empty.ok ? empty.message : "", /empty/);
  });

  it("gates of a numeric model (both families): the chosen sequence is a grid of numbers; an edit equals a fresh show on that sequence", () => {
    const { x } = rnn.datasets.addingProblem({ samples: 3, timesteps: 5, seed: 3 }); // [3, 5, 2]
    const keras = rnn.sequential({ inputShape: [5, 2], name: "net" }, [rnn.lstm({ units: 3, seed: 1 }), rnn.dense({ units: 1, seed: 2 })]);
    const { show, out, views } = editableShow();
    show.gates(keras, x, { batchIndex: 1 });
    const p = out[0][MIME.gates] as GatesPayload;
    assert.deepEqual(p.whatIf?.input, { kind: "values", steps: 5, features: 2, values: Array.from(x.data.subarray(10, 20)) });
    const values = Array.from(x.data.subarray(10, 20));
    values[4] = 0.75;
    const r = views.run("gates", p.whatIf!.handle, { kind: "values", steps: 5, features: 2, values });
    const fresh = editableShow();
    fresh.show.gates(keras, rnn.tensor(Float32Array.from(values), [1, 5, 2]));
    assert.deepEqual(withoutHandle(edited(r)), withoutHandle(fresh.out[0][MIME.gates]));

    const wrong = views.run("gates", p.whatIf!.handle, { kind: "values", steps: 4, features: 2, values: values.slice(0, 8) });
    assert.match(!wrong.ok ? wrong.message : "", /expected 10 numbers \(5 steps × 2 features\), got 8/);

    // rnn.nn.LSTM without batchFirst takes [T, B, I]: sequence 2 is x[:, 2, :].
    const torch = rnn.nn.LSTM({ inputSize: 2, hiddenSize: 3, seed: 5 });
    const tbi = rnn.tensor(Float32Array.from({ length: 5 * 3 * 2 }, (_, i) => Math.sin(i)), [5, 3, 2]);
    const t = editableShow();
    t.show.gates(torch, tbi, { batchIndex: 2 });
    const tp = t.out[0][MIME.gates] as GatesPayload;
    const seq2 = Array.from({ length: 10 }, (_, i) => Math.fround(Math.sin((Math.floor(i / 2) * 3 + 2) * 2 + (i % 2))));
    assert.deepEqual(tp.whatIf?.input, { kind: "values", steps: 5, features: 2, values: seq2 });
    const r2 = t.views.run("gates", tp.whatIf!.handle, { kind: "values", steps: 5, features: 2, values: seq2 });
    // The unedited sequence, recomputed alone: the same gates as sequence 2 of the batch (only batchIndex differs).
    assert.deepEqual((edited(r2) as GatesPayload).panels, tp.panels);
  });

  it("neurons and connectivity: an edit equals a fresh rnn.show on the edited input", () => {
    const model = charModel();
    const { show, out, views } = editableShow();
    show.neurons(model, "the cat", { vocab, topK: 2 });
    const np = out[0][MIME.neurons] as { whatIf: WhatIfField };
    assert.deepEqual(np.whatIf.input, { kind: "text", text: "the cat" });
    const fresh = editableShow();
    fresh.show.neurons(model, "a mat", { vocab, topK: 2 });
    assert.deepEqual(withoutHandle(edited(views.run("neurons", np.whatIf.handle, { kind: "text", text: "a mat" }))), withoutHandle(fresh.out[0][MIME.neurons]));

    const f64 = rnn.sequential({ inputShape: [null, 1], name: "tiny", dtype: "float64", seed: 2 }, [rnn.simpleRNN({ units: 3, returnSequences: true }), rnn.dense({ units: 1 })]);
    show.connectivity(f64, rnn.tensor([0.5, -1, 2], [1, 3, 1], "float64"));
    const cp = out[1][MIME.connectivity] as { whatIf: WhatIfField };
    assert.deepEqual(cp.whatIf.input, { kind: "values", steps: 3, features: 1, values: [0.5, -1, 2] });
    fresh.show.connectivity(f64, rnn.tensor([0.5, 3, 2], [1, 3, 1], "float64"));
    assert.deepEqual(withoutHandle(edited(views.run("connectivity", cp.whatIf.handle, { kind: "values", steps: 3, features: 1, values: [0.5, 3, 2] }))),
      withoutHandle(fresh.out[1][MIME.connectivity]));
  });

  it("a text longer than an input holds (WHAT_IF_MAX_TEXT = 100,000 characters) is shown, not editable", () => {
    const { show, out } = editableShow();
    show.neurons(charModel(), "at ".repeat(33_334), { vocab, topK: 0 }); // 100,002 characters
    assert.equal((out[0][MIME.neurons] as { whatIf?: unknown }).whatIf, undefined);
  });

  it("a view without a keeper (createShow without remember) is not editable", () => {
    const out: MimeBundle[] = [];
    createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000 }).gates(charModel(), ids("the"), { vocab });
    assert.equal((out[0][MIME.gates] as GatesPayload).whatIf, undefined);
  });

  it("keeps at most its limit of views, dropping the least recently used; other processes' handles are stale", () => {
    const views = new WhatIfViews(64, "proc1");
    const handles = Array.from({ length: 64 }, () => views.remember("gates", () => ({})));
    assert.equal(views.run("gates", handles[0], undefined).ok, true, "handle 0 used: now the most recent");
    const h65 = views.remember("gates", () => ({}));
    assert.equal(views.size, 64);
    assert.equal(views.has(handles[0]), true, "the used handle stays");
    assert.equal(views.has(handles[1]), false, "the least recently used one went");
    assert.equal(views.has(h65), true);
    const gone = views.run("gates", handles[1], { kind: "text", text: "a" });
    assert.deepEqual(gone, { ok: false, reason: "stale", message: "this output is no longer kept for editing (the kernel keeps the last 64 editable views): re-run the cell" });
    const other = views.run("gates", "proc0:1", { kind: "text", text: "a" });
    assert.equal(!other.ok && other.reason, "stale");
    assert.match(!other.ok ? other.message : "", /kernel was restarted/);
    const wrongView = views.run("neurons", h65, { kind: "text", text: "a" });
    assert.equal(!wrongView.ok && wrongView.reason, "input");
  });
});

describe("what if: through the kernel process", function () {
  this.timeout(120_000);
  let k: TestKernel | undefined;

  before(async () => { await buildKernel(); });
  after(async () => { await k?.kill(); });

  it("recomputes a view without running a cell, within 500 ms for T = 200, H = 128; a restarted kernel calls the handle stale", async () => {
    k = new TestKernel(tempDir("whatif"));
    await k.ready;
    const r = await k.run([
      "const text = 'the quick brown fox jumps over the lazy dog. '.repeat(5).slice(0, 200);",
      "const vocab = rnn.text.charVocab(text + 'Z');",
      "const model = rnn.sequential({ inputShape: [null], name: 'big' }, [rnn.embedding({ inputDim: vocab.size, outputDim: 16 }), rnn.lstm({ units: 128, returnSequences: true, seed: 1 }), rnn.dense({ units: vocab.size })]);",
      "rnn.show.gates(model, rnn.tensor(Float32Array.from(vocab.encode(text)), [1, 200]), { vocab });",
    ].join("\n"));
    assert.equal(r.status, "ok", JSON.stringify(r.error));
    const p = r.displays[0].bundle[MIME.gates] as GatesPayload;
    assert.equal(p.trueShape.timesteps, 200);
    assert.equal(p.trueShape.units, 128);
    const text = (p.whatIf!.input as { text: string }).text;
    const before = k.messages.length;
    const t0 = performance.now();
    const answer = (await k.inspect({ kind: "whatIf", view: "gates", handle: p.whatIf!.handle, input: { kind: "text", text: "Z" + text.slice(1) } })) as WhatIfResult;
    const roundTrip = performance.now() - t0;
    assert.ok(answer.ok, JSON.stringify(answer));
    assert.equal((answer.payload as GatesPayload).tokens?.[0], "Z");
    assert.notDeepEqual((answer.payload as GatesPayload).panels[0].values, p.panels[0].values, "the first step's gates changed");
    const since = k.messages.slice(before);
    assert.deepEqual(since.map((m: FromKernel) => m.type), ["inspectResult"], "no cell ran: no stream, display or done");
    const again = (await k.inspect({ kind: "whatIf", view: "gates", handle: p.whatIf!.handle, input: { kind: "text", text } })) as WhatIfResult;
    console.log(`      what-if gates, T = 200, H = 128 (LSTM): kernel ${answer.ms.toFixed(0)} ms, round trip ${roundTrip.toFixed(0)} ms; a second edit: kernel ${again.ok ? again.ms.toFixed(0) : "?"} ms`);
    assert.ok(roundTrip < 500, `${roundTrip.toFixed(0)} ms`);

    await k.kill();
    k = new TestKernel(tempDir("whatif2"));
    await k.ready;
    const stale = (await k.inspect({ kind: "whatIf", view: "gates", handle: p.whatIf!.handle, input: { kind: "text", text: "the" } })) as WhatIfResult;
    assert.equal(stale.ok, false);
    assert.equal(!stale.ok && stale.reason, "stale");
    assert.match(!stale.ok ? stale.message : "", /re-run the cell/);
  });
});
