// The layer table (src/engine/layerFacts.ts) is the one place names, gates, output shapes and counting
// rules live: every layer the engine builds must agree with it, and the hover and summary read it.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { CELL_FACTS, LAYER_FACTS, layerFacts } from "../../../src/engine/layerFacts";

describe("layer facts", () => {
  // Per-sample shapes: Keras's documented output shapes (keras.io layer docs: SimpleRNN/LSTM/GRU
  // (batch, units) or (batch, timesteps, units) with return_sequences; Dense (…, units); Flatten the product).
  const cases: { layer: () => rnn.Layer; input: number[]; output: number[] }[] = [
    { layer: () => rnn.simpleRNN({ units: 3, returnSequences: true }), input: [7, 2], output: [7, 3] },
    { layer: () => rnn.lstm({ units: 4 }), input: [7, 2], output: [4] },
    { layer: () => rnn.gru({ units: 5, returnSequences: true }), input: [7, 2], output: [7, 5] },
    { layer: () => rnn.dense({ units: 6 }), input: [7, 2], output: [7, 6] },
    { layer: () => rnn.embedding({ inputDim: 9, outputDim: 4 }), input: [7], output: [7, 4] },
    { layer: () => rnn.dropout({ rate: 0.5 }), input: [7, 2], output: [7, 2] },
    { layer: () => rnn.flatten(), input: [7, 2], output: [14] },
    { layer: () => rnn.timeDistributed(rnn.dense({ units: 3 })), input: [7, 2], output: [7, 3] },
    { layer: () => rnn.bidirectional(rnn.lstm({ units: 3, returnSequences: true })), input: [7, 2], output: [7, 6] }, // concat: 2·3
  ];

  for (const c of cases) {
    it(`${c.layer().type}: the built layer's class name, auto-name and output shape are the table's`, () => {
      rnn.resetLayerNames();
      const layer = c.layer();
      const facts = layerFacts(layer.type);
      assert.equal(layer.className, facts.className);
      assert.equal(layer.name, facts.baseName); // the first of its type in a fresh session, as in Keras
      const model = rnn.sequential({ inputShape: c.input }, [layer]);
      assert.deepEqual(model.outputShapes[0], c.output);
      assert.deepEqual(facts.outputShape!(layer.config, c.input), c.output);
    });
  }

  it("counts through the same rule paramCount uses, for every type, in both conventions", () => {
    const model = rnn.sequential({ inputShape: [20, 6] }, [rnn.simpleRNN({ units: 16, returnSequences: true }), rnn.simpleRNN({ units: 32 }), rnn.flatten(), rnn.dense({ units: 1 })]);
    // Study notes (shared reference 000): 368 / 1,568 / 0 / 33
    assert.deepEqual(model.layers.map((l, i) => LAYER_FACTS[l.type].count(l.config, [6, 16, 32, 32][i], "keras").total), [368, 1568, 0, 33]);
    assert.deepEqual(model.layers.map((_l, i) => model.layerCount(i, "keras").total), [368, 1568, 0, 33]);
  });

  it("reads shapes with unknown sizes as null instead of guessing (what the hover needs for computed options)", () => {
    assert.deepEqual(LAYER_FACTS.lstm.outputShape!({ type: "lstm", returnSequences: true }, [null, 4]), [null, null]);
    assert.deepEqual(LAYER_FACTS.flatten.outputShape!({ type: "flatten" }, [null, 4]), [null]);
    assert.throws(() => LAYER_FACTS.gru.outputShape!({ type: "gru", units: 3 }, [4]), /expects inputs of shape \[timesteps, features\] per sample, got \[4\]/);
  });

  it("names each cell's recorded gates in the order the outputs show them (LSTM i f g o c h, GRU r z n h)", () => {
    // the order of torch.nn.LSTM / GRU docs' equations, plus the states c and h
    assert.deepEqual(CELL_FACTS.lstm.gates, ["i", "f", "g", "o", "c", "h"]);
    assert.deepEqual(CELL_FACTS.gru.gates, ["r", "z", "n", "h"]);
    assert.deepEqual(CELL_FACTS.simpleRNN.gates, ["h"]);
    // G = blocks · H in the fused matrices: LSTM(16) on 6 features has recurrent_kernel [16, 64]
    const m = rnn.sequential({ inputShape: [3, 6] }, [rnn.lstm({ units: 16 })]);
    assert.deepEqual(m.layers[0].weights.recurrent_kernel.shape, [16, CELL_FACTS.lstm.blocks * 16]);
  });

  it("an unknown type names the known ones", () => {
    assert.throws(() => layerFacts("conv1d"), /unknown layer type "conv1d"; known types: simpleRNN, lstm, gru, dense/);
  });
});
