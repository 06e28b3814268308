// Parameter counts: paramCount against Keras's model.summary() and PyTorch's
// sum(p.numel()). Every expected number names its source.
import * as assert from "node:assert/strict";
import { paramCount, type LayerConfig } from "../../../src/engine/params";

interface Row {
  config: LayerConfig;
  inputSize: number;
  convention: "keras" | "torch";
  total: number;
  /** where the expected number comes from */
  source: string;
}

const rows: Row[] = [
  // study note 000 (Keras summary, input (20, 6)): simple_rnn 368 = 16·(6+16) + 16
  { config: { type: "simpleRNN", units: 16, returnSequences: true }, inputSize: 6, convention: "keras", total: 368, source: "note 000 summary" },
  // note 000: simple_rnn_1 1568 = 32·(16+32) + 32
  { config: { type: "simpleRNN", units: 32 }, inputSize: 16, convention: "keras", total: 1568, source: "note 000 summary" },
  // note 000: dense 33 = 32·1 + 1 (after Flatten of (None, 32))
  { config: { type: "dense", units: 1 }, inputSize: 32, convention: "keras", total: 33, source: "note 000 summary" },
  // note 000 second summary, input (21, 1): LSTM_1 1152 = 4·(16·(1+16) + 16)
  { config: { type: "lstm", units: 16, returnSequences: true }, inputSize: 1, convention: "keras", total: 1152, source: "note 000 LSTM summary" },
  // note 000: LSTM_2 6272 = 4·(32·(16+32) + 32)
  { config: { type: "lstm", units: 32, returnSequences: true }, inputSize: 16, convention: "keras", total: 6272, source: "note 000 LSTM summary" },
  // note 000: dense 673 = 672·1 + 1 after Flatten of (None, 21, 32) → 672
  { config: { type: "dense", units: 1 }, inputSize: 672, convention: "keras", total: 673, source: "note 000 LSTM summary" },
  // Keras GRU docs: reset_after=True keeps input and recurrent biases → 3·(5·(4+5) + 2·5) = 165
  { config: { type: "gru", units: 5 }, inputSize: 4, convention: "keras", total: 165, source: "Keras GRU, reset_after=True (default)" },
  // Keras GRU reset_after=False (also TF.js's only mode): 3·(5·(4+5) + 5) = 150
  { config: { type: "gru", units: 5, resetAfter: false }, inputSize: 4, convention: "keras", total: 150, source: "Keras GRU, reset_after=False" },
  // PyTorch nn.RNN(10, 20): 20·10 + 20·20 + 2·20 = 640 (sum(p.numel()))
  { config: { type: "nn.RNN", inputSize: 10, hiddenSize: 20 }, inputSize: 10, convention: "torch", total: 640, source: "PyTorch nn.RNN(10,20)" },
  // PyTorch nn.LSTM(10, 20): 4·20·(10+20) + 2·4·20 = 2560
  { config: { type: "nn.LSTM", inputSize: 10, hiddenSize: 20 }, inputSize: 10, convention: "torch", total: 2560, source: "PyTorch nn.LSTM(10,20)" },
  // PyTorch nn.GRU(10, 20): 3·20·(10+20) + 2·3·20 = 1920
  { config: { type: "nn.GRU", inputSize: 10, hiddenSize: 20 }, inputSize: 10, convention: "torch", total: 1920, source: "PyTorch nn.GRU(10,20)" },
  // PyTorch nn.LSTM(300, 512, num_layers=2): 1,667,072 + 2,101,248 = 3,768,320
  { config: { type: "nn.LSTM", inputSize: 300, hiddenSize: 512, numLayers: 2 }, inputSize: 300, convention: "torch", total: 3768320, source: "PyTorch nn.LSTM(300,512,2)" },
  // PyTorch nn.LSTM(200, 256, 3, bidirectional=True): 2·468,992 + 2·2·788,480 = 4,091,904
  { config: { type: "nn.LSTM", inputSize: 200, hiddenSize: 256, numLayers: 3, bidirectional: true }, inputSize: 200, convention: "torch", total: 4091904, source: "PyTorch nn.LSTM(200,256,3,bidir)" },
  // DESIGN §1: nn.LSTM(28, 256, 2 layers) = 292,864 + 526,336
  { config: { type: "nn.LSTM", inputSize: 28, hiddenSize: 256, numLayers: 2, batchFirst: true }, inputSize: 28, convention: "torch", total: 819200, source: "DESIGN §1 (292,864 + 526,336)" },
  // DESIGN §1: nn.Linear(256, 10) = 256·10 + 10 = 2,570
  { config: { type: "nn.Linear", inFeatures: 256, outFeatures: 10 }, inputSize: 256, convention: "torch", total: 2570, source: "DESIGN §1" },
  // Keras Embedding(100, 8): 100·8 = 800 (input_dim · output_dim)
  { config: { type: "embedding", inputDim: 100, outputDim: 8 }, inputSize: 0, convention: "keras", total: 800, source: "Keras Embedding docs formula" },
  // Keras Bidirectional(LSTM(16)) on 6 features: 2·1,472 (note 000's LSTM formula with I=6: 4·(16·(6+16)+16) = 1,472)
  { config: { type: "bidirectional", layer: { type: "lstm", units: 16 } }, inputSize: 6, convention: "keras", total: 2944, source: "2 × 1,472 (DESIGN intro)" },
  // Same LSTM(16) on 6 features in PyTorch convention: 4·16·(6+16) + 2·4·16 = 1,536 (one more bias vector of 4·16)
  { config: { type: "lstm", units: 16 }, inputSize: 6, convention: "torch", total: 1536, source: "PyTorch nn.LSTM(6,16)" },
  // Dense tied to an embedding: only the bias (V = 50) is its own
  { config: { type: "dense", units: 50, tieWeights: {} }, inputSize: 8, convention: "keras", total: 50, source: "tied kernel counted once (weight tying shares the embedding matrix)" },
];

describe("paramCount", () => {
  for (const r of rows) {
    it(`${r.source}: ${r.config.type} ${JSON.stringify(r.config)} = ${r.total}`, () => {
      const c = paramCount(r.config, r.inputSize, r.convention);
      assert.equal(c.total, r.total);
      assert.equal(c.tensors.reduce((a, t) => a + t.count, 0), r.total, "tensors add up to the total");
      for (const t of c.tensors) assert.equal(t.count, t.shape.reduce((a, b) => a * b, 1), `${t.name} count = product of its shape`);
    });
  }

  it("totals of the textbook models: 368 + 1,568 + 0 + 33 = 1,969 and 1,152 + 6,272 + 0 + 673 = 8,097 (note 000)", () => {
    const simple = [paramCount({ type: "simpleRNN", units: 16 }, 6), paramCount({ type: "simpleRNN", units: 32 }, 16),
      paramCount({ type: "flatten" }, 32), paramCount({ type: "dense", units: 1 }, 32)];
    assert.equal(simple.reduce((a, c) => a + c.total, 0), 1969);
    const lstm = [paramCount({ type: "lstm", units: 16 }, 1), paramCount({ type: "lstm", units: 32 }, 16),
      paramCount({ type: "flatten" }, 32), paramCount({ type: "dense", units: 1 }, 21 * 32)];
    assert.equal(lstm.reduce((a, c) => a + c.total, 0), 8097);
  });

  it("DESIGN §1: nn.LSTM(28→256, 2 layers) + nn.Linear(256, 10) = 821,770", () => {
    const a = paramCount({ type: "nn.LSTM", inputSize: 28, hiddenSize: 256, numLayers: 2 }, 28, "torch");
    const b = paramCount({ type: "nn.Linear", inFeatures: 256, outFeatures: 10 }, 256, "torch");
    assert.equal(a.total + b.total, 821770);
  });

  it("writes the textbook formula strings (DESIGN §1 hover text)", () => {
    assert.equal(paramCount({ type: "simpleRNN", units: 16 }, 6).formula, "16·(6+16) + 16 = 368");
    assert.equal(paramCount({ type: "lstm", units: 16 }, 1).formula, "4·(16·(1+16) + 16) = 1,152");
    assert.equal(paramCount({ type: "gru", units: 5 }, 4).formula, "3·(5·(4+5) + 2·5) = 165");
    assert.equal(paramCount({ type: "dense", units: 1 }, 32).formula, "32·1 + 1 = 33");
  });

  it("names and shapes tensors in each convention (Keras weights / PyTorch state dict)", () => {
    const k = paramCount({ type: "lstm", units: 16 }, 6, "keras");
    assert.deepEqual(k.tensors.map((t) => [t.name, t.shape]), [["kernel", [6, 64]], ["recurrent_kernel", [16, 64]], ["bias", [64]]]);
    const g = paramCount({ type: "gru", units: 5 }, 4, "keras");
    assert.deepEqual(g.tensors[2].shape, [2, 15], "GRU resetAfter: bias rows for input and recurrent");
    const t = paramCount({ type: "nn.GRU", inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true }, 4, "torch");
    assert.deepEqual(t.tensors.slice(4, 8).map((x) => x.name), ["weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"]);
    assert.deepEqual(t.tensors[8].shape, [15, 10], "layer 1 input is both directions: 2·5");
  });

  it("rejects unknown types and bad sizes with clear messages", () => {
    assert.throws(() => paramCount({ type: "conv2d" }, 3), /unknown layer type "conv2d"; known types: simpleRNN, lstm, gru/);
    assert.throws(() => paramCount({ type: "lstm", units: 0 }, 3), /lstm: units must be a positive integer, got 0/);
    assert.throws(() => paramCount({ type: "lstm", units: 4 }, 3, "tf" as "keras"), /convention must be "keras" or "torch"/);
  });
});

// Model-level counts: countParams() goes through paramCount and must equal the weights that exist.
import { sequential } from "../../../src/engine/model";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import { lstm } from "../../../src/engine/layers/lstm";
import { gru } from "../../../src/engine/layers/gru";
import { dense } from "../../../src/engine/layers/dense";
import { flatten } from "../../../src/engine/layers/flatten";
import { embedding } from "../../../src/engine/layers/embedding";
import { bidirectional } from "../../../src/engine/layers/bidirectional";
import { timeDistributed } from "../../../src/engine/layers/timeDistributed";
import type { Sequential } from "../../../src/engine/model";

/** Elements of the weights that really exist (each shared tensor once). */
function allocated(m: Sequential): number {
  return m.getWeights().reduce((a, t) => a + t.size, 0);
}

describe("model-level countParams and summary", () => {
  it("study note 000 SimpleRNN model: 368 / 1,568 / 0 / 33, total 1,969, shapes as Keras prints them", () => {
    const m = sequential({ inputShape: [20, 6] }, [simpleRNN({ units: 16, returnSequences: true }), simpleRNN({ units: 32 }), flatten(), dense({ units: 1 })]);
    const s = m.summary();
    assert.deepEqual(s.layers.map((l) => l.params), [368, 1568, 0, 33]); // note 000 Param # column
    assert.deepEqual(s.layers.map((l) => l.outputShape), [[null, 20, 16], [null, 32], [null, 32], [null, 1]]); // note 000 Output Shape column
    assert.deepEqual(s.layers.map((l) => l.type), ["SimpleRNN", "SimpleRNN", "Flatten", "Dense"]);
    assert.equal(s.totalParams, 1969); // note 000 "Total params: 1,969"
    assert.equal(s.trainableParams, 1969);
    assert.equal(s.nonTrainableParams, 0);
    assert.equal(m.countParams(), 1969);
    assert.equal(allocated(m), 1969, "countParams agrees with the allocated weights");
    assert.match(s.toString(), /Total params: 1,969/);
    assert.equal(s.layers[0].formula, "16·(6+16) + 16 = 368"); // DESIGN §1 hover text
  });

  it("study note 000 LSTM model: 1,152 / 6,272 / 0 / 673, total 8,097; Flatten gives (None, 672)", () => {
    const m = sequential({ inputShape: [21, 1] }, [lstm({ units: 16, returnSequences: true, name: "LSTM_1" }),
      lstm({ units: 32, returnSequences: true, name: "LSTM_2" }), flatten(), dense({ units: 1 })]);
    const s = m.summary();
    assert.deepEqual(s.layers.map((l) => l.params), [1152, 6272, 0, 673]); // note 000 second summary
    assert.deepEqual(s.layers[2].outputShape, [null, 672]); // note 000: flatten (None, 672)
    assert.equal(m.countParams(), 8097); // note 000 "Total params: 8,097"
    assert.equal(allocated(m), 8097);
    assert.deepEqual(s.layers.slice(0, 2).map((l) => l.name), ["LSTM_1", "LSTM_2"]);
    // PyTorch convention adds a second bias vector of 4H per LSTM: 1,152 + 64 = 1,216 and 6,272 + 128 = 6,400
    const t = m.summary({ convention: "torch" });
    assert.equal(t.convention, "torch");
    assert.deepEqual(t.layers.map((l) => l.params), [1216, 6400, 0, 673]);
  });

  it("Keras GRU(5) on 4 features: 165 with resetAfter (default), 150 without (Keras docs)", () => {
    const a = sequential({ inputShape: [10, 4] }, [gru({ units: 5 })]);
    const b = sequential({ inputShape: [10, 4] }, [gru({ units: 5, resetAfter: false })]);
    assert.deepEqual([a.countParams(), allocated(a), b.countParams(), allocated(b)], [165, 165, 150, 150]);
  });

  it("bidirectional and timeDistributed count like Keras: 2 × 1,472 and the inner dense's 33·10 + 10", () => {
    const m = sequential({ inputShape: [8, 6] }, [bidirectional(lstm({ units: 16, returnSequences: true })), timeDistributed(dense({ units: 10 }))]);
    // 2·(4·(16·(6+16) + 16)) = 2,944; dense on 2·16 = 32 features: 32·10 + 10 = 330
    assert.deepEqual(m.summary().layers.map((l) => l.params), [2944, 330]);
    assert.equal(m.countParams(), allocated(m));
    assert.deepEqual(m.outputShapes, [[8, 32], [8, 10]]);
  });

  it("weight tying removes exactly V×E parameters", () => {
    const V = 30, E = 8, T = 12; // arbitrary sizes; the difference must be V·E = 240
    const make = (tied: boolean) => {
      const emb = embedding({ inputDim: V, outputDim: E });
      return sequential({ inputShape: [T] }, [emb, lstm({ units: E, returnSequences: true }), timeDistributed(dense({ units: V, ...(tied ? { tieWeights: emb } : {}) }))]);
    };
    const untied = make(false), tied = make(true);
    assert.equal(untied.countParams() - tied.countParams(), V * E);
    assert.equal(allocated(tied), tied.countParams(), "the shared matrix is allocated once");
    assert.equal(allocated(untied), untied.countParams());
  });
});

import * as nn from "../../../src/engine/nn/index";

describe("nn module countParams agrees with paramCount and the allocated parameters", () => {
  const size = (ps: { value: ArrayLike<number> }[]) => ps.reduce((a, p) => a + p.value.length, 0);

  it("DESIGN §1: nn.LSTM(28, 256, 2 layers) + nn.Linear(256, 10) = 292,864 + 526,336 + 2,570 = 821,770", () => {
    const l = nn.LSTM({ inputSize: 28, hiddenSize: 256, numLayers: 2, batchFirst: true });
    const h = nn.Linear(256, 10);
    assert.equal(l.countParams() + h.countParams(), 821770);
    assert.equal(size(l.params()) + size(h.params()), 821770);
  });

  it("nn.LSTM(200, 256, 3 layers, bidirectional) = 4,091,904 (PyTorch sum(p.numel()))", () => {
    const l = nn.LSTM({ inputSize: 200, hiddenSize: 256, numLayers: 3, bidirectional: true });
    assert.deepEqual([l.countParams(), size(l.params())], [4091904, 4091904]);
  });
});
