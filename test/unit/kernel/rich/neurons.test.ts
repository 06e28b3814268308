// The neurons bundle (src/kernel/rich/neuronsBundle.ts through rnn.show.neurons): payload, PNG and text
// fallbacks, and the cut under the byte budget — on a seeded character model, compared with
// rnn.analysis.neurons of the same model and text (the engine's typed data, tested against a direct
// forward in test/unit/engine/analysis/neurons.test.ts).
import * as assert from "node:assert/strict";
import * as rnn from "../../../../src/engine/index";
import { createShow } from "../../../../src/kernel/rich/index";
import { MIME, type MimeBundle } from "../../../../src/shared/mime";
import type { NeuronsPayload } from "../../../../src/shared/payloads";
import { validateNeurons } from "../../../../src/shared/validate";

const TEXT = "the cat sat on the mat. ";
const vocab = rnn.text.charVocab(TEXT);

function charModel(units = 6) {
  return rnn.sequential({ inputShape: [8], name: "char", seed: 4 }, [
    rnn.embedding({ inputDim: vocab.size, outputDim: 4 }),
    rnn.lstm({ units, returnSequences: true }),
    rnn.dense({ units: vocab.size }),
  ]);
}

function shown(model: unknown, text: string, opts: Parameters<ReturnType<typeof createShow>["neurons"]>[2], maxBytes = 2_000_000): MimeBundle {
  const out: MimeBundle[] = [];
  createShow({ display: (b) => { out.push(b); }, maxBytes }).neurons(model, text, opts);
  assert.equal(out.length, 1, "one output per call");
  return out[0];
}

describe("rnn.show.neurons", () => {
  it("sends each unit's states over the text (unit-major), the guesses, a PNG and a text fallback", () => {
    const model = charModel();
    const b = shown(model, TEXT, { vocab, units: [5, 1], topK: 3, state: "c" });
    const p = validateNeurons(b[MIME.neurons]) as NeuronsPayload; // what the renderer accepts
    const a = rnn.analysis.neurons(model, TEXT, { vocab, units: [5, 1], topK: 3, state: "c" });
    const T = TEXT.length;
    assert.deepEqual(p.text, Array.from(TEXT));
    assert.deepEqual(p.units, [5, 1]);
    assert.equal(p.layerUnits, 6);
    assert.equal(p.state, "c");
    assert.equal(p.model, "char");
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < 2; j++) {
        const want = a.values.data[t * 2 + j];
        // values are sent to 3 significant digits (neuronsBundle's roundSig(v, 3))
        assert.ok(Math.abs(p.values[j * T + t]! - want) <= Math.abs(want) * 5e-3 + 1e-12, `unit ${p.units[j]} t ${t}`);
      }
    }
    assert.deepEqual(p.guesses!.chars.slice(0, 3), a.guesses!.chars[0]);
    assert.equal(p.guesses!.k, 3);
    assert.ok(p.domain[1] >= 1 && p.domain[0] === -p.domain[1], `symmetric domain of at least ±1: ${p.domain}`);
    assert.equal(p.trueSteps, undefined);
    const text = b["text/plain"] as string;
    assert.match(text, /^Neurons over text — char · layer 1 "lstm[^"]*", cell state c: 2 of 6 units × 24 characters/);
    assert.match(text, /^unit 5: highest -?[\d.]+ at t=\d+ ".", lowest -?[\d.]+ at t=\d+ "."$/m);
    assert.match(text, /^next-character guesses after " " \(t=23\): ".*" [\d.]+%, /m);
    assert.match(b["image/png"] as string, /^iVBORw0KGgo/, "a base64 PNG (its signature)");
  });

  it("cuts a long text and a wide layer to the byte budget and says what was cut", () => {
    const model = charModel(40);
    const long = TEXT.repeat(200); // 4,800 characters
    const b = shown(model, long, { vocab }, 200_000);
    const p = b[MIME.neurons] as NeuronsPayload;
    assert.ok(p.text.length < long.length, `cut to ${p.text.length} characters`);
    assert.equal(p.trueSteps, long.length);
    assert.deepEqual(p.text, Array.from(long).slice(0, p.text.length), "the first characters, in order");
    assert.ok(JSON.stringify(b).length <= 200_000 * 1.05, `bundle ${JSON.stringify(b).length} bytes`);
    assert.match(b["text/plain"] as string, new RegExp(`first ${p.text.length} of 4800 characters`));
    if (p.units.length < 40) assert.match(p.note ?? "", /of the 40 chosen; pass units/);
  });

  it("says why there are no guesses, and misuse fails the cell with the view's name", () => {
    const last = rnn.sequential({ inputShape: [null], seed: 1 }, [rnn.embedding({ inputDim: vocab.size, outputDim: 3 }), rnn.simpleRNN({ units: 2 })]);
    const p = shown(last, "the cat", { vocab })[MIME.neurons] as NeuronsPayload;
    assert.equal(p.guesses, undefined);
    assert.match(p.note ?? "", /no next-character guesses: the model's output is \(1, 2\)/);
    assert.throws(() => shown(charModel(), "dog", { vocab }), /^Error: rnn\.show\.neurons: character "d" is not in the vocabulary/);
    assert.throws(() => shown(charModel(), TEXT, undefined as never), /rnn\.show\.neurons: expected options \{ vocab/);
    assert.throws(() => shown({}, TEXT, { vocab }), /rnn\.show\.neurons: expected an rnn\.sequential model/);
  });

  it("select: [start, end] sends rnn.analysis.selectUnits's units and matches and says them in the text fallback", () => {
    const model = charModel();
    const b = shown(model, TEXT, { vocab, select: [4, 7] }); // "cat"
    const p = validateNeurons(b[MIME.neurons]) as NeuronsPayload;
    const s = rnn.analysis.selectUnits(rnn.analysis.neurons(model, TEXT, { vocab }), [4, 7]);
    assert.deepEqual(p.select?.range, [4, 7]);
    assert.deepEqual(p.select?.units.map((u) => u.unit), s.units.map((u) => u.unit));
    assert.deepEqual(p.select?.units.map((u) => u.on), s.units.map((u) => u.on));
    p.select?.units.forEach((u, i) => assert.ok(Math.abs(u.score - s.units[i].score) <= 1e-3 * Math.abs(s.units[i].score), "scores to 4 significant digits"));
    assert.deepEqual(p.select?.matches, s.matches);
    assert.match(b["text/plain"] as string, /^selected t=4…6 "cat": units \d+ \(\+/m);
    assert.throws(() => shown(model, TEXT, { vocab, select: [20, 40] }), /^Error: rnn\.show\.neurons: range must be \[start, end\)/);
  });
});
