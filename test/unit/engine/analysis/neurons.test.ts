// rnn.analysis.neurons against a direct forward of the same model: the states are what
// model.record returns for the same text (the recording contract), the guesses are the softmax of
// model.predict's logits sorted by hand. A model built on a fixed window of 6 reads a longer text
// (its layers do not depend on T), and its states equal those of a twin built with inputShape [null].
import * as assert from "node:assert/strict";
import * as rnn from "../../../../src/engine/index";

const TEXT = "hello world, hello rnn";
const vocab = rnn.text.charVocab(TEXT);
const V = vocab.size;

/** Embedding → LSTM(5) → Dense(V) logits, seeded; float64 so sums are exact to 1e-12. */
function charModel(window: number | null, last: "linear" | "softmax" = "linear") {
  return rnn.sequential({ inputShape: [window], dtype: "float64", seed: 3 }, [
    rnn.embedding({ inputDim: V, outputDim: 4 }),
    rnn.lstm({ units: 5, returnSequences: true }),
    rnn.dense({ units: V, activation: last }),
  ]);
}

function softmax(row: number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((z) => Math.exp(z - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe("engine/analysis/neurons", () => {
  const ids = [vocab.encode(TEXT)];
  const T = Array.from(TEXT).length;

  it("returns the layer's states and the top-k of softmax(logits), as a direct forward gives them", () => {
    const model = charModel(null);
    const r = rnn.analysis.neurons(model, TEXT, { vocab, units: [4, 0, 2], topK: 3 });
    assert.deepEqual(r.text, Array.from(TEXT));
    assert.deepEqual(r.values.shape, [T, 3]);
    assert.deepEqual(r.units, [4, 0, 2]);
    assert.equal(r.layerUnits, 5);
    assert.deepEqual(r.layer, { index: 1, name: model.layers[1].name, type: "lstm" });
    const h = model.record(ids, undefined, { layer: 1 }).layers[0].gates.h!.toArray() as number[][];
    for (let t = 0; t < T; t++) [4, 0, 2].forEach((u, j) => assert.equal(r.values.data[t * 3 + j], h[t][u], `t ${t} unit ${u}`));
    const logits = (model.predict(ids).toArray() as number[][][])[0];
    for (let t = 0; t < T; t++) {
      const p = softmax(logits[t]);
      const order = p.map((v, j) => [v, j] as const).sort((a, b) => b[0] - a[0]).slice(0, 3);
      assert.deepEqual(r.guesses!.chars[t], order.map(([, j]) => vocab.chars[j]), `guesses after t ${t}`);
      order.forEach(([v], i) => assert.ok(Math.abs(r.guesses!.probs.data[t * 3 + i] - v) < 1e-12));
    }
  });

  it("takes a softmax output as probabilities, reads the cell state c, and runs a fixed-window model on a longer text", () => {
    const probs = charModel(null, "softmax");
    const r = rnn.analysis.neurons(probs, TEXT, { vocab, topK: 1 });
    const p = (probs.predict(ids).toArray() as number[][][])[0];
    for (let t = 0; t < T; t++) assert.ok(Math.abs(r.guesses!.probs.data[t] - Math.max(...p[t])) < 1e-12);
    const c = rnn.analysis.neurons(probs, TEXT, { vocab, state: "c", topK: 0 });
    assert.equal(c.guesses, undefined);
    assert.deepEqual(Array.from(c.values.data), (probs.record(ids, undefined, {}).layers[0].gates.c!.toArray() as number[][]).flat());
    // Same seed, same weights: a model on windows of 6 gives the same states over 22 characters.
    const windowed = rnn.analysis.neurons(charModel(6), TEXT, { vocab });
    assert.deepEqual(Array.from(windowed.values.data), Array.from(rnn.analysis.neurons(charModel(null), TEXT, { vocab }).values.data));
  });

  it("says what is wrong: a character outside the vocabulary, a unit out of range, no state c, no per-character output", () => {
    const model = charModel(null);
    assert.throws(() => rnn.analysis.neurons(model, "hello!", { vocab }), /rnn\.analysis\.neurons: character "!" is not in the vocabulary/);
    assert.throws(() => rnn.analysis.neurons(model, TEXT, { vocab, units: [5] }), /unit 5 is outside the layer's 5 units \[0, 5\)/);
    assert.throws(() => rnn.analysis.neurons(model, TEXT, { vocab, layer: 2 }), /layer 2 is not a recurrent layer .* its recurrent layers: 1 "/);
    assert.throws(() => rnn.analysis.neurons(model, TEXT, {} as never), /options\.vocab must be a vocabulary/);
    const gru = rnn.sequential({ inputShape: [null], dtype: "float64", seed: 1 }, [rnn.embedding({ inputDim: V, outputDim: 3 }), rnn.gru({ units: 2 })]);
    assert.throws(() => rnn.analysis.neurons(gru, TEXT, { vocab, state: "c" }), /no state "c"/);
    const last = rnn.analysis.neurons(gru, TEXT, { vocab });
    assert.equal(last.guesses, undefined);
    assert.match(last.noGuesses ?? "", /output is \(1, 2\), not one row of \d+ per character/);
  });
});
