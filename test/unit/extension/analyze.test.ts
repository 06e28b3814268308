// Static parameter counting for the hover: the textbook summaries from the study notes
// (shared reference 000: SimpleRNN 368 / 1568 / 0 / 33 on input (20, 6); LSTM 1152 / 6272 / 673 on (21, 1))
// and PyTorch's documented formula 4·H·(I+H) + 8·H per LSTM layer (torch.nn.LSTM docs).
import * as assert from "node:assert/strict";
import { analyzeSource, cellConstants, staticSummaries } from "../../../src/extension/hover/analyze";
import { formatSummaryText } from "../../../src/shared/summaryText";

describe("hover static analysis", () => {
  it("follows shapes through rnn.sequential and counts each layer (SimpleRNN textbook example)", () => {
    const src = `const model = rnn.sequential({ inputShape: [20, 6] }, [
  rnn.simpleRNN({ units: 16, returnSequences: true }),
  rnn.simpleRNN({ units: 32 }),
  rnn.flatten(),
  rnn.dense({ units: 1 }),
]);`;
    const sites = analyzeSource(src);
    assert.deepEqual(sites.map((s) => s.count?.total), [368, 1568, 0, 33]);
    assert.deepEqual(sites.map((s) => s.outputShape), [[20, 16], [32], [32], [1]]);
    assert.ok(sites.every((s) => s.model === "model"));
    assert.deepEqual(sites.map((s) => s.index), [0, 1, 2, 3]);
    // the hover range is the callee: `rnn.simpleRNN`
    assert.equal(src.slice(sites[0].start, sites[0].end), "rnn.simpleRNN");
  });

  it("counts the LSTM example including the flatten over timesteps", () => {
    const src = `const m = rnn.sequential({ inputShape: [21, 1] }, [
  rnn.lstm({ units: 16, returnSequences: true }), rnn.lstm({ units: 32, returnSequences: true }),
  rnn.flatten(), rnn.dense({ units: 1 })]);`;
    assert.deepEqual(analyzeSource(src).map((s) => s.count?.total), [1152, 6272, 0, 673]);
  });

  it("follows the functional API: rnn.input, layer variables, apply with initial states, merges and attention", () => {
    const src = `const T = 7;
const src = rnn.input({ shape: [T, 5] });
const tgt = rnn.input({ shape: [6, 3] });
const encoder = rnn.lstm({ units: 8, returnSequences: true, returnState: true });
const [encSeq, h, c] = encoder.apply(src) as rnn.KerasTensor[];
const decSeq = rnn.lstm({ units: 8, returnSequences: true }).apply(tgt, { initialState: [h, c] });
const context = rnn.additiveAttention().apply([decSeq, encSeq]);
const out = rnn.dense({ units: 4 }).apply(rnn.concatenate().apply([decSeq, context]));
const m = rnn.model({ inputs: [src, tgt], outputs: out });`;
    const sites = analyzeSource(src);
    // Keras: LSTM(8) on 5 features 4·(8·(5+8) + 8) = 448; on 3 features 4·(8·(3+8) + 8) = 384;
    // AdditiveAttention scale [8] = 8; Concatenate 0; Dense(4) on 8 + 8 = 16 features 16·4 + 4 = 68.
    assert.deepEqual(sites.map((s) => [s.factory, s.count?.total]),
      [["lstm", 448], ["lstm", 384], ["additiveAttention", 8], ["dense", 68], ["concatenate", 0]]);
    assert.deepEqual(sites.find((s) => s.factory === "concatenate")?.outputShape, [6, 16]);
    assert.equal(src.slice(sites[0].start, sites[0].end), "rnn.lstm");
    // The summary command's static table: the model's layers in call order, 448 + 384 + 8 + 0 + 68 = 908.
    const summary = staticSummaries(src).get("m")!.keras;
    assert.deepEqual(summary.layers.map((l) => [l.name, l.params]),
      [["lstm", 448], ["lstm_1", 384], ["additive_attention", 8], ["concatenate", 0], ["dense", 68]]);
    assert.equal(summary.totalParams, 908);
  });

  it("counts wrappers: bidirectional doubles, timeDistributed applies per step", () => {
    const src = `const m = rnn.sequential({ inputShape: [10, 4] }, [
  rnn.bidirectional(rnn.gru({ units: 5, returnSequences: true })),
  rnn.timeDistributed(rnn.dense({ units: 3 }))]);`;
    const sites = analyzeSource(src);
    // GRU(5) on 4 features, resetAfter: 3·(5·(4+5) + 2·5) = 165 (Keras), doubled = 330
    assert.equal(sites[0].count?.total, 330);
    assert.deepEqual(sites[0].outputShape, [10, 10]);
    // Dense(3) on 10 features: 10·3 + 3 = 33
    assert.equal(sites[1].count?.total, 33);
    assert.deepEqual(sites[1].outputShape, [10, 3]);
    assert.equal(sites.length, 2, "the wrapped layers are not separate sites");
  });

  it("counts PyTorch-family modules standing alone (821,770 = 292,864 + 526,336 + 2,570)", () => {
    const src = `const lstm = rnn.nn.LSTM({ inputSize: 28, hiddenSize: 256, numLayers: 2, batchFirst: true });
const head = rnn.nn.Linear(256, 10);`;
    const [a, b] = analyzeSource(src);
    assert.equal(a.count?.total, 292_864 + 526_336);
    assert.equal(b.count?.total, 2_570);
  });

  it("counts the nn cells standing alone, either signature (torch.nn.LSTMCell(28, 64): 4·64·(28+64) + 8·64 = 24,064)", () => {
    // Per-cell formulas as torch.nn.*Cell docs' parameter shapes: gates·H·(I + H) + 2·gates·H.
    const [a, b, c] = analyzeSource(`const a = rnn.nn.LSTMCell(28, 64);
const b = rnn.nn.GRUCell({ inputSize: 28, hiddenSize: 64 });
const c = rnn.nn.RNNCell(28, 64, { bias: false });`);
    assert.equal(a.count?.total, 24_064);
    assert.equal(b.count?.total, 3 * 64 * (28 + 64) + 6 * 64);
    assert.equal(c.count?.total, 64 * (28 + 64));
  });

  it("says why when it cannot count", () => {
    const [s] = analyzeSource(`let u = 8; const m = rnn.sequential({ inputShape: [5, 2] }, [rnn.lstm({ units: u })]);`);
    assert.equal(s.count, undefined, "a let may be reassigned: its value is not known from the source");
    assert.match(s.problem ?? "", /`units` is not known from the source/);
    const [t] = analyzeSource(`rnn.lstm({ units: 4 })`);
    assert.match(t.problem ?? "", /input size/);
  });
});

describe("static summaries", () => {
  it("summarizes each sequential model in both conventions with Keras auto-names", () => {
    const src = `const simple = rnn.sequential({ inputShape: [20, 6] }, [
  rnn.simpleRNN({ units: 16, returnSequences: true }), rnn.simpleRNN({ units: 32 }), rnn.flatten(), rnn.dense({ units: 1 })]);`;
    const { keras, torch } = staticSummaries(src).get("simple")!;
    assert.deepEqual(keras.layers.map((l) => l.name), ["simple_rnn", "simple_rnn_1", "flatten", "dense"]);
    assert.equal(keras.totalParams, 1969); // Keras summary in the study notes
    // PyTorch counts two bias vectors per recurrent layer: +16 and +32; Dense/Linear is the same (33)
    assert.deepEqual(torch.layers.map((l) => l.params), [384, 1600, 0, 33]);
    assert.deepEqual(keras.layers[0].outputShape, [null, 20, 16]);
  });
});

describe("constants the source fixes", () => {
  // The most common notebook shape: sizes in constants, some of them known only at run time.
  const cell1 = `const T = 20;
const H = 2 * 16;            // arithmetic on constants
const cfg = { units: H, returnSequences: true };
const text = rnn.text.sampleText;
const vocab = rnn.text.charVocab(text);   // known only when the cell runs`;

  it("resolves const numbers, arithmetic, object fields and shorthand, across cells in order", () => {
    const consts = cellConstants(cell1);
    assert.equal(consts.get("T"), 20);
    assert.equal(consts.get("H"), 32);
    assert.equal(consts.has("vocab"), true);
    assert.equal(consts.get("vocab"), undefined);
    const cell2 = `const units = H / 2;
const m = rnn.sequential({ inputShape: [T, 6] }, [rnn.lstm(cfg), rnn.gru({ units }), rnn.dense({ units: Math.max(1, T - 19) })]);`;
    const sites = analyzeSource(cell2, consts);
    // LSTM(32) on 6 features: 4·(32·(6+32) + 32) = 4,992 (Keras, study note 000's formula)
    // GRU(16) on 32 features, resetAfter: 3·(16·(32+16) + 2·16) = 2,400; Dense(1) on 16: 17
    assert.deepEqual(sites.map((s) => s.count?.total), [4992, 2400, 17]);
    assert.deepEqual(sites[0].inputShape, [20, 6]);
  });

  it("a size known only at run time is unknown — in the hover site, the summary row and the total, never 0", () => {
    const consts = cellConstants(cell1);
    const cell2 = `const lm = rnn.sequential({ inputShape: [T] }, [
  rnn.embedding({ inputDim: vocab.size, outputDim: 16 }), rnn.lstm({ units: 64, returnSequences: true }),
  rnn.timeDistributed(rnn.dense({ units: vocab.size }))]);`;
    const sites = analyzeSource(cell2, consts);
    assert.equal(sites[0].count, undefined);
    assert.match(sites[0].problem ?? "", /`inputDim` is not known from the source/);
    // LSTM(64) on 16 features: 4·(64·(16+64) + 64) = 20,736 — counted: its sizes are constants
    assert.equal(sites[1].count?.total, 20736);
    const { keras } = staticSummaries(cell2, consts).get("lm")!;
    assert.deepEqual(keras.layers.map((l) => Boolean(l.unknown)), [true, false, true]);
    const text = formatSummaryText(keras);
    assert.match(text, /Total params: unknown until the cell runs \(20,736 in the 1 layers counted\)/);
    assert.doesNotMatch(text, /Total params: 20,736$/m);
  });

  it("never evaluates what could change: let, calls into rnn, unknown names", () => {
    const consts = cellConstants(`let n = 3; const f = () => 4; const k = f(); const z = notDefined + 1;`);
    assert.deepEqual([...consts].map(([k, v]) => [k, v]), [["n", undefined], ["f", undefined], ["k", undefined], ["z", undefined]]);
  });
});
