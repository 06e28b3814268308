// rnn.analysis.findUnits on a fixture whose answer is known by construction: a SimpleRNN whose unit 2
// sees only "is this character a vowel" (its input weights are 2 on the vowel one-hot columns, 0
// elsewhere, no recurrence), so h_t[2] = tanh(2·isVowel) takes two values and correlates with the
// vowel label exactly (r = 1). The other units get seeded random weights. Correlations are checked
// against Pearson's formula applied directly to the recorded states.
import * as assert from "node:assert/strict";
import * as rnn from "../../../../src/engine/index";
import { Rng } from "../../../../src/engine/random";
import { Tensor } from "../../../../src/engine/tensor";

const CHARS = "abcdefghij";
const VOWELS = new Set(["a", "e", "i"]);
const TEXTS = ["badgecafe", "jihadfig", "chiefbead"].map((s) => s.slice(0, 8)); // N = 3 sequences of T = 8
const V = CHARS.length, H = 4, VOWEL_UNIT = 2;

function oneHot(texts: string[]): Tensor {
  const T = texts[0].length;
  const data = new Float64Array(texts.length * T * V);
  texts.forEach((s, n) => [...s].forEach((ch, t) => { data[(n * T + t) * V + CHARS.indexOf(ch)] = 1; }));
  return new Tensor(data, [texts.length, T, V]);
}

function vowelModel(): rnn.Sequential {
  const model = rnn.sequential({ inputShape: [null, V], dtype: "float64", seed: 2 }, [rnn.simpleRNN({ units: H, returnSequences: true })]);
  const rng = new Rng(8);
  const kernel = Float64Array.from({ length: V * H }, () => rng.normal(0, 0.5));
  const recurrent = Float64Array.from({ length: H * H }, () => rng.normal(0, 0.3));
  for (let v = 0; v < V; v++) kernel[v * H + VOWEL_UNIT] = VOWELS.has(CHARS[v]) ? 2 : 0;
  for (let j = 0; j < H; j++) recurrent[j * H + VOWEL_UNIT] = 0; // unit 2 ignores the past
  model.setWeights([new Tensor(kernel, [V, H]), new Tensor(recurrent, [H, H]), new Tensor(new Float64Array(H), [H])]);
  return model;
}

function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length, mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0, saa = 0, sbb = 0;
  a.forEach((v, i) => { sab += (v - ma) * (b[i] - mb); saa += (v - ma) ** 2; sbb += (b[i] - mb) ** 2; });
  return sab / Math.sqrt(saa * sbb);
}

describe("engine/analysis/findUnits", () => {
  const labels = TEXTS.map((s) => [...s].map((ch) => VOWELS.has(ch)));

  it("ranks the hand-set vowel unit first, with correlations equal to Pearson's on the recorded states", () => {
    const model = vowelModel();
    const x = oneHot(TEXTS);
    const ranked = rnn.analysis.findUnits(model, x, labels);
    assert.equal(ranked.length, H);
    assert.equal(ranked[0].unit, VOWEL_UNIT);
    assert.ok(Math.abs(ranked[0].correlation - 1) < 1e-12, `vowel unit r = ${ranked[0].correlation}`);
    // Direct computation: every unit's h over all sequences and steps (model.record, whole batch).
    const flatLabels = labels.flat().map(Number);
    const h: number[][] = Array.from({ length: H }, () => []);
    TEXTS.forEach((_, n) => {
      const rows = model.record(x, undefined, { batchIndex: n }).layers[0].gates.h!.toArray() as number[][];
      for (const row of rows) row.forEach((v, k) => h[k].push(v));
    });
    for (const { unit, correlation } of ranked) assert.ok(Math.abs(correlation - pearson(h[unit], flatLabels)) < 1e-12, `unit ${unit}`);
    for (let i = 1; i < ranked.length; i++) assert.ok(Math.abs(ranked[i - 1].correlation) >= Math.abs(ranked[i].correlation));
  });

  it("takes one sequence with [T] labels, numbers as well as booleans", () => {
    const model = vowelModel();
    const one = oneHot(TEXTS.slice(0, 1));
    const asNumbers = rnn.analysis.findUnits(model, one, labels[0].map(Number));
    const asBooleans = rnn.analysis.findUnits(model, one.reshape([8, V]), labels[0]);
    assert.deepEqual(asNumbers, asBooleans);
    assert.equal(asNumbers[0].unit, VOWEL_UNIT);
  });

  it("finds an LSTM's cell-state units in an rnn.nn module", () => {
    const m = rnn.nn.LSTM({ inputSize: V, hiddenSize: 3, batchFirst: true, dtype: "float64", seed: 6 });
    const x = oneHot(TEXTS);
    const ranked = rnn.analysis.findUnits(m, x, labels, { state: "c" });
    const c: number[][] = [[], [], []];
    TEXTS.forEach((_, n) => {
      for (const row of m.record(x, undefined, { batchIndex: n }).layers[0].gates.c!.toArray() as number[][]) row.forEach((v, k) => c[k].push(v));
    });
    for (const { unit, correlation } of ranked) assert.ok(Math.abs(correlation - pearson(c[unit], labels.flat().map(Number))) < 1e-12);
  });

  it("names both shapes when the labels do not fit, and refuses a constant label", () => {
    const model = vowelModel();
    const x = oneHot(TEXTS);
    assert.throws(() => rnn.analysis.findUnits(model, x, labels.slice(0, 2)),
      /labels must have one value per timestep of every sequence, \[3, 8\] for 3 sequences of 8 steps, but got \[2, 8\]/);
    assert.throws(() => rnn.analysis.findUnits(model, x, labels[0]), /\[3, 8\] .* but got \[8\]/);
    assert.throws(() => rnn.analysis.findUnits(model, x, labels.map((r) => r.map(() => 1))), /the labels are all 1; a constant label correlates with nothing/);
    assert.throws(() => rnn.analysis.findUnits(model, x, labels, { state: "c" }), /no state "c"/);
  });
});
