// rnn.analysis.selectUnits (LSTMVis's select → match, src/shared/neuronSelect.ts through
// src/engine/analysis/neurons.ts) on a hand-set neurons result: unit 7 is +1 on vowels and −1 elsewhere,
// unit 3 is +0.8 on spaces and −0.2 elsewhere, unit 5 is a constant 0.1. Selecting the "a" of "cat" ranks
// unit 7 first and matches every other vowel; the numbers below follow from those definitions by hand.
import * as assert from "node:assert/strict";
import * as rnn from "../../../../src/engine/index";
import type { NeuronActivations } from "../../../../src/engine/analysis/neurons";

const TEXT = "the cat ate";
const VOWELS = new Set(["a", "e", "i", "o", "u"]);

function handSet(): NeuronActivations {
  const chars = Array.from(TEXT);
  const units = [7, 3, 5];
  const values = new Float64Array(chars.length * units.length);
  chars.forEach((ch, t) => {
    values[t * 3 + 0] = VOWELS.has(ch) ? 1 : -1;
    values[t * 3 + 1] = ch === " " ? 0.8 : -0.2;
    values[t * 3 + 2] = 0.1;
  });
  return { text: chars, values: rnn.tensor(values, [chars.length, 3], "float64"), units, layerUnits: 8, layer: { index: 1, name: "lstm", type: "lstm" }, state: "h" };
}

describe("rnn.analysis.selectUnits", () => {
  it("ranks the vowel unit first for a selected vowel and matches the other vowels", () => {
    const s = rnn.analysis.selectUnits(handSet(), [5, 6]); // "the cat ate": t = 5 is the "a" of "cat"
    assert.deepEqual(s.range, [5, 6]);
    assert.equal(s.units[0].unit, 7);
    // inside: 1; outside: vowels e(2), a(8), e(10) → 3 × 1, seven others → 7 × −1: mean −4/10 = −0.4
    assert.equal(s.units[0].meanIn, 1);
    assert.ok(Math.abs(s.units[0].meanOut - -0.4) < 1e-12);
    assert.ok(Math.abs(s.units[0].score - 1.4) < 1e-12);
    assert.equal(s.units[0].on, true);
    // the space unit is less active on "a" than elsewhere, the constant unit not more: neither is kept
    assert.deepEqual(s.units.map((u) => u.unit), [7]);
    assert.deepEqual(s.matches, [[2, 3], [8, 9], [10, 11]], "e of the, a and e of ate");
    assert.equal(s.threshold, 0.3);
  });

  it("a space selects the space unit first; matches need every kept unit in its state", () => {
    const s = rnn.analysis.selectUnits(handSet(), [3, 4]); // the space after "the"
    assert.equal(s.units[0].unit, 3);
    // the vowel unit is −1 on a space and −0.4·… elsewhere: less active inside, so not kept
    assert.deepEqual(s.units.map((u) => u.unit), [3]);
    assert.deepEqual(s.matches, [[7, 8]], "the other space");
  });

  it("a pattern with no unit on matches nothing; bad ranges and options are refused", () => {
    const off = rnn.analysis.selectUnits(handSet(), [5, 6], { threshold: 2 });
    assert.equal(off.units[0].on, false);
    assert.deepEqual(off.matches, []);
    assert.throws(() => rnn.analysis.selectUnits(handSet(), [4, 4]), /range must be \[start, end\) with 0 ≤ start < end ≤ 11/);
    assert.throws(() => rnn.analysis.selectUnits(handSet(), [0, 12]), /≤ 11/);
    assert.throws(() => rnn.analysis.selectUnits(handSet(), [0, 2], { top: 0 }), /top must be an integer ≥ 1/);
    assert.throws(() => rnn.analysis.selectUnits(handSet(), [0, 2], { bogus: 1 } as never), /bogus/);
  });
});
