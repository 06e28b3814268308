// Save/load round trips are bit-exact for every layer type:
//   - the model file (architecture + weights, Sequential toBytes / fromBytes, which model.save / rnn.load write),
//   - safetensors (toSafetensors / fromSafetensors) for Keras models and nn modules,
// and safetensors bytes written by the engine parse back with an independent reader that follows the
// format description (8-byte little-endian header length, JSON header, raw little-endian data).
import * as assert from "node:assert/strict";
import { decodeSafetensors } from "../../../src/engine/io/safetensors";
import { Sequential } from "../../../src/engine/model";
import { bidirectional } from "../../../src/engine/layers/bidirectional";
import { dense } from "../../../src/engine/layers/dense";
import { dropout } from "../../../src/engine/layers/dropout";
import { embedding } from "../../../src/engine/layers/embedding";
import { flatten } from "../../../src/engine/layers/flatten";
import { gru } from "../../../src/engine/layers/gru";
import { lstm } from "../../../src/engine/layers/lstm";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import { timeDistributed } from "../../../src/engine/layers/timeDistributed";
import { resetLayerNames, type Layer } from "../../../src/engine/layer";
import { GRU, LSTM, RNN } from "../../../src/engine/nn/recurrent";
import { Embedding, Linear } from "../../../src/engine/nn/linear";
import { Rng } from "../../../src/engine/random";
import { Tensor } from "../../../src/engine/tensor";

/** Bit patterns of a float array (so −0, NaN payloads and the last ulp all count). */
function bits(a: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function assertBitEqual(a: Tensor, b: Tensor, what: string): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  assert.equal(a.dtype, b.dtype, `${what}: dtype`);
  assert.deepEqual(bits(b.data), bits(a.data), `${what}: bits`);
}

/** Fills every weight with seeded values in (−1, 1) so biases and forget gates are not at their init. */
function randomize(params: { value: Float32Array | Float64Array }[], seed: number): void {
  const rng = new Rng(seed);
  for (const p of params) for (let i = 0; i < p.value.length; i++) p.value[i] = rng.uniform(-1, 1);
}

function input(shape: number[], seed: number, vocab?: number): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => (vocab ? rng.int(vocab) : rng.uniform(-1, 1))), shape);
}

/** An independent safetensors reader (format spec only), for checking what the engine writes. */
function readSafetensors(bytes: Uint8Array): Map<string, { dtype: string; shape: number[]; values: number[] }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0, "data starts 8-byte aligned");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, any>;
  const out = new Map<string, { dtype: string; shape: number[]; values: number[] }>();
  let expected = 0;
  const entries = Object.entries(header).filter(([k]) => k !== "__metadata__").sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  for (const [name, info] of entries) {
    const [begin, end] = info.data_offsets as [number, number];
    assert.equal(begin, expected, `${name}: tensors are contiguous`);
    expected = end;
    const size = info.dtype === "F64" ? 8 : 4;
    const count = (info.shape as number[]).reduce((a, b) => a * b, 1);
    assert.equal(end - begin, count * size, `${name}: byte length matches shape × dtype`);
    const values: number[] = [];
    for (let p = 8 + n + begin; p < 8 + n + end; p += size) values.push(size === 8 ? view.getFloat64(p, true) : view.getFloat32(p, true));
    out.set(name, { dtype: info.dtype, shape: info.shape, values });
  }
  assert.equal(8 + n + expected, bytes.length, "no trailing bytes");
  if (header.__metadata__) for (const v of Object.values(header.__metadata__)) assert.equal(typeof v, "string", "metadata values are strings");
  return out;
}

interface KerasCase {
  name: string;
  inputShape: (number | null)[];
  layers: () => Layer[];
  x: () => Tensor;
}

// Every Keras-family layer type, with the options that change the weights' shapes or meaning.
const kerasCases: KerasCase[] = [
  { name: "simpleRNN (relu, returnSequences) + flatten + dense", inputShape: [6, 3], x: () => input([2, 6, 3], 1),
    layers: () => [simpleRNN({ units: 4, activation: "relu", returnSequences: true }), flatten(), dense({ units: 2 })] },
  { name: "lstm + lstm (goBackwards) + dense(sigmoid)", inputShape: [6, 3], x: () => input([2, 6, 3], 2),
    layers: () => [lstm({ units: 5, returnSequences: true }), lstm({ units: 3, goBackwards: true }), dense({ units: 1, activation: "sigmoid" })] },
  { name: "gru resetAfter true and false, useBias false", inputShape: [6, 3], x: () => input([2, 6, 3], 3),
    layers: () => [gru({ units: 4, returnSequences: true }), gru({ units: 3, resetAfter: false, returnSequences: true }), gru({ units: 2, useBias: false })] },
  { name: "bidirectional(lstm) + bidirectional(gru) + dropout", inputShape: [6, 3], x: () => input([2, 6, 3], 4),
    layers: () => [bidirectional(lstm({ units: 3, returnSequences: true })), dropout({ rate: 0.25 }), bidirectional(gru({ units: 2 })), dense({ units: 2 })] },
  { name: "embedding + lstm + timeDistributed(dense) (free timesteps)", inputShape: [null], x: () => input([2, 7], 5, 9),
    layers: () => [embedding({ inputDim: 9, outputDim: 4 }), lstm({ units: 4, returnSequences: true }), timeDistributed(dense({ units: 3, activation: "tanh" }))] },
  { name: "embedding tied to the output dense", inputShape: [5], x: () => input([2, 5], 6, 8),
    layers: () => {
      const e = embedding({ inputDim: 8, outputDim: 4 });
      return [e, gru({ units: 4, returnSequences: true }), dense({ units: 8, tieWeights: e })];
    } },
];

describe("interop: save/load round trips", () => {
  describe("model file (architecture + weights): Sequential toBytes → fromBytes", () => {
    for (const c of kerasCases) {
      it(`bit-exact: ${c.name}`, () => {
        const model = new Sequential({ inputShape: c.inputShape, seed: 11 }, c.layers());
        randomize(model.params(), 7);
        const x = c.x();
        const before = model.predict(x);
        const back = Sequential.fromBytes(model.toBytes());
        assert.deepEqual(back.layers.map((l) => l.config), model.layers.map((l) => l.config), "architecture");
        assert.deepEqual(back.inputShape, model.inputShape);
        const wa = model.getWeights(), wb = back.getWeights();
        assert.equal(wb.length, wa.length);
        wa.forEach((w, i) => assertBitEqual(wb[i], w, model.weightEntries()[i].key));
        assertBitEqual(back.predict(x), before, "predict");
      });
    }

    it("refuses bytes that are not a model file, and a newer version, with a clear message", () => {
      assert.throws(() => Sequential.fromBytes(new Uint8Array([1, 2, 3])), /model/i);
      const model = new Sequential({ inputShape: [3, 2] }, [simpleRNN({ units: 2 })]);
      const bytes = model.toBytes();
      new DataView(bytes.buffer).setUint32(8, 99, true);
      assert.throws(() => Sequential.fromBytes(bytes), /version/i);
    });
  });

  describe("safetensors: Keras-family models (keys layer/weight)", () => {
    for (const c of kerasCases) {
      it(`bit-exact, parses back: ${c.name}`, () => {
        resetLayerNames(); // keys are layer names: build both models from the same naming state, as after a kernel restart
        const model = new Sequential({ inputShape: c.inputShape, seed: 11 }, c.layers());
        randomize(model.params(), 8);
        const bytes = model.toSafetensors();
        // independent reader: every key of model.weights, values equal
        const parsed = readSafetensors(bytes);
        assert.deepEqual([...parsed.keys()].sort(), Object.keys(model.weights).sort());
        for (const [k, w] of Object.entries(model.weights)) {
          assert.deepEqual(parsed.get(k)!.shape, w.shape, k);
          assert.deepEqual(parsed.get(k)!.values, Array.from(w.data), k);
        }
        // a second, differently initialized model of the same architecture loads them bit for bit
        resetLayerNames();
        const other = new Sequential({ inputShape: c.inputShape, seed: 99 }, c.layers());
        other.fromSafetensors(bytes);
        model.getWeights().forEach((w, i) => assertBitEqual(other.getWeights()[i], w, model.weightEntries()[i].key));
        const x = c.x();
        assertBitEqual(other.predict(x), model.predict(x), "predict");
      });
    }
  });

  describe("safetensors: nn modules (PyTorch state-dict names)", () => {
    const cases = [
      { name: "nn.RNN relu", make: () => RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: "relu" }), x: () => input([5, 2, 3], 1) },
      { name: "nn.LSTM 2 layers bidirectional", make: () => LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true }), x: () => input([5, 2, 3], 2) },
      { name: "nn.GRU batchFirst, no bias", make: () => GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, bias: false }), x: () => input([2, 5, 3], 3) },
      { name: "nn.Linear", make: () => Linear(3, 4), x: () => input([2, 3], 4) },
      { name: "nn.Embedding", make: () => Embedding(9, 3), x: () => input([2, 5], 5, 9) },
    ];
    for (const c of cases) {
      it(`bit-exact, parses back: ${c.name}`, () => {
        const m = c.make();
        randomize(m.params(), 9);
        const bytes = m.toSafetensors();
        const parsed = readSafetensors(bytes);
        const sd = m.stateDict();
        assert.deepEqual([...parsed.keys()].sort(), Object.keys(sd).sort());
        for (const [k, t] of Object.entries(sd)) assert.deepEqual(parsed.get(k)!.values, Array.from(t.data), k);
        assert.equal(decodeSafetensors(bytes).metadata.format, "pt");
        const other = c.make();
        other.fromSafetensors(bytes);
        for (const [k, t] of Object.entries(sd)) assertBitEqual(other.stateDict()[k], t, k);
        const x = c.x();
        const a = m.forward(x), b = other.forward(x);
        const out = (r: unknown): Tensor => (r instanceof Tensor ? r : (r as { output: Tensor }).output);
        assertBitEqual(out(b), out(a), "forward");
      });
    }
  });
});
