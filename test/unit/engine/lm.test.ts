// Character sampling (src/engine/lm.ts): the prime given as text or as the indices rnn.text.encode makes,
// vocabularies whose encode returns a typed array, and the mistakes a learner makes calling it.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";

function charModel(vocab: rnn.CharVocab) {
  return rnn.sequential({ inputShape: [8], seed: 3 }, [
    rnn.embedding({ inputDim: vocab.size, outputDim: 4 }),
    rnn.lstm({ units: 5 }),
    rnn.dense({ units: vocab.size }),
  ]);
}

describe("model.sample", () => {
  const vocab = rnn.text.charVocab("the river runs");

  it("takes the prime as text or as rnn.text.encode's Float32Array of indices, with the same result", () => {
    const m = charModel(vocab);
    const fromText = m.sample("the ", { vocab, length: 12, seed: 2 });
    const fromIds = m.sample(rnn.text.encode(vocab, "the "), { vocab, length: 12, seed: 2 });
    assert.equal(fromText.length, 4 + 12); // prime + `length` generated characters
    assert.ok(fromText.startsWith("the "));
    assert.equal(fromIds, fromText);
  });

  it("works with a vocabulary whose encode returns a Float32Array (it used to fail with ids.push is not a function)", () => {
    const m = charModel(vocab);
    const typed = { ...vocab, encode: (s: string) => rnn.text.encode(vocab, s) };
    assert.equal(m.sample("river", { vocab: typed, length: 6, seed: 4 }), m.sample("river", { vocab, length: 6, seed: 4 }));
  });

  it("says how to call it when the options come first, and names an index outside the vocabulary", () => {
    const m = charModel(vocab);
    assert.throws(() => m.sample({ vocab } as never), /first argument is the prime .*model\.sample\("the ", \{ vocab/);
    assert.throws(() => m.sample([0, vocab.size], { vocab }), new RegExp(`prime index ${vocab.size} is not a character index of the vocabulary \\[0, ${vocab.size}\\)`));
  });
});
