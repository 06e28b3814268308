// Static parameter counting for the hover: the textbook summaries from the study notes
// (shared reference 000: SimpleRNN 368 / 1568 / 0 / 33 on input (20, 6); LSTM 1152 / 6272 / 673 on (21, 1))
// and PyTorch's documented formula 4·H·(I+H) + 8·H per LSTM layer (torch.nn.LSTM docs).
import * as assert from "node:assert/strict";
import { analyzeSource, staticSummaries } from "../../../src/extension/hover/analyze";

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

  it("says why when it cannot count", () => {
    const [s] = analyzeSource(`const u = 8; const m = rnn.sequential({ inputShape: [5, 2] }, [rnn.lstm({ units: u })]);`);
    assert.equal(s.count, undefined);
    assert.match(s.problem ?? "", /units/);
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
