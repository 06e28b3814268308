// Safetensors files written by PyTorch (test/fixtures/torch/generate_safetensors.py, torch 1.13, seed
// 20261123) load into the engine and reproduce PyTorch's outputs at 1e-5 — through the nn modules'
// fromSafetensors (PyTorch state-dict names), and through the Keras family's setWeights in Keras
// get_weights() order after the documented conversion (docs/interop.md).
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeSafetensors } from "../../../src/engine/io/safetensors";
import { biasFromTorch, kernelFromTorch, type RecurrentKind } from "../../../src/engine/io/kerasTorch";
import { Sequential } from "../../../src/engine/model";
import { bidirectional } from "../../../src/engine/layers/bidirectional";
import { dense } from "../../../src/engine/layers/dense";
import { embedding } from "../../../src/engine/layers/embedding";
import { gru } from "../../../src/engine/layers/gru";
import { lstm } from "../../../src/engine/layers/lstm";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import { GRU, LSTM, RNN } from "../../../src/engine/nn/recurrent";
import { Embedding, Linear } from "../../../src/engine/nn/linear";
import { Tensor } from "../../../src/engine/tensor";

const FIXTURES = join(__dirname, "../../../../test/fixtures/torch");
/** float32 agreement with PyTorch. */
const TOL = 1e-5;

const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));
const io = (name: string): Record<string, Tensor> => decodeSafetensors(bytesOf(`${name}.io.safetensors`)).tensors;
const state = (name: string): Record<string, Tensor> => decodeSafetensors(bytesOf(`${name}.safetensors`)).tensors;

function maxDiff(a: Tensor, b: Tensor, what: string): number {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** [T, B, F] ↔ [B, T, F]. */
function swap01(t: Tensor): Tensor {
  const [a, b, f] = t.shape;
  const out = new Float32Array(t.size);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out.set(t.data.subarray((i * b + j) * f, (i * b + j + 1) * f), (j * a + i) * f);
  return new Tensor(out, [b, a, f]);
}

/** Asserts a measured max |diff| against the tolerance and prints it (llm.c-style "max diff" lines). */
function within(diff: number, what: string, tol = TOL): void {
  console.log(`        ${what}: max |diff| ${diff.toExponential(2)}`);
  assert.ok(diff <= tol, `${what}: max |diff| ${diff} > ${tol}`);
}

function add(a: Tensor, b: Tensor): Float32Array {
  return Float32Array.from(a.data, (v, i) => v + b.data[i]);
}

describe("interop: PyTorch-written safetensors fixtures", () => {
  describe("nn modules load PyTorch's state dict and reproduce its outputs", () => {
    const cases = [
      { name: "rnn_tanh", make: () => RNN({ inputSize: 3, hiddenSize: 4 }) },
      { name: "rnn_relu_2layer", make: () => RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, nonlinearity: "relu", batchFirst: true }) },
      { name: "lstm", make: () => LSTM({ inputSize: 3, hiddenSize: 4, batchFirst: true }) },
      { name: "lstm_2layer_bidir", make: () => LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true }) },
      { name: "gru", make: () => GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true }) },
      { name: "gru_2layer_bidir", make: () => GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true }) },
    ];
    for (const c of cases) {
      it(`${c.name}: output, h_n${c.name.startsWith("lstm") ? ", c_n" : ""} within ${TOL}`, () => {
        const m = c.make();
        m.fromSafetensors(bytesOf(`${c.name}.safetensors`));
        // the loaded weights are PyTorch's bytes exactly
        for (const [k, v] of Object.entries(state(c.name))) assert.deepEqual(m.stateDict()[k].data, v.data, k);
        const ref = io(c.name);
        const out = m.forward(ref.input);
        const diffs = [maxDiff(out.output, ref.output, "output"), maxDiff(out.hN, ref.h_n, "h_n")];
        if (ref.c_n) diffs.push(maxDiff(out.cN!, ref.c_n, "c_n"));
        within(Math.max(...diffs), c.name);
      });
    }

    it(`linear within ${TOL}`, () => {
      const m = Linear(3, 4);
      m.fromSafetensors(bytesOf("linear.safetensors"));
      const ref = io("linear");
      within(maxDiff(m.forward(ref.input), ref.output, "output"), "output");
    });

    it("embedding reproduces the rows exactly", () => {
      const m = Embedding(7, 3);
      m.fromSafetensors(bytesOf("embedding.safetensors"));
      const ref = io("embedding");
      assert.equal(maxDiff(m.forward(ref.input), ref.output, "output"), 0);
    });

    it("refuses a state dict of another shape, naming the tensor", () => {
      const m = LSTM({ inputSize: 3, hiddenSize: 5, batchFirst: true });
      assert.throws(() => m.fromSafetensors(bytesOf("lstm.safetensors")), /weight_ih_l0/);
    });
  });

  describe("Keras family: setWeights in Keras get_weights() order reproduces PyTorch", () => {
    /** One direction of one PyTorch layer → Keras [kernel, recurrent_kernel, bias] (docs/interop.md). */
    function kerasWeights(sd: Record<string, Tensor>, kind: RecurrentKind, suffix: string, resetAfter: boolean): Tensor[] {
      const wih = sd[`weight_ih${suffix}`], whh = sd[`weight_hh${suffix}`];
      const H = whh.shape[1], I = wih.shape[1], G = wih.shape[0];
      const kernel = new Tensor(kernelFromTorch(wih.data, I, H, kind), [I, G]);
      const recurrent = new Tensor(kernelFromTorch(whh.data, H, H, kind), [H, G]);
      const bih = sd[`bias_ih${suffix}`], bhh = sd[`bias_hh${suffix}`];
      if (kind === "gru" && resetAfter) {
        // Keras GRU(reset_after=True): bias [2, 3H] = [input bias; recurrent bias], each in z, r, h order.
        const b = new Float32Array(2 * G);
        b.set(biasFromTorch(bih.data, H, kind), 0);
        b.set(biasFromTorch(bhh.data, H, kind), G);
        return [kernel, recurrent, new Tensor(b, [2, G])];
      }
      // One Keras bias: b_ih + b_hh (the two are only ever added).
      return [kernel, recurrent, new Tensor(biasFromTorch(add(bih, bhh), H, kind), [G])];
    }

    it("SimpleRNN(4) from nn.RNN: [kernel, recurrent_kernel, bias]", () => {
      const sd = state("rnn_tanh"), ref = io("rnn_tanh");
      const model = new Sequential({ inputShape: [5, 3] }, [simpleRNN({ units: 4, returnSequences: true })]);
      model.setWeights(kerasWeights(sd, "simpleRNN", "_l0", false));
      within(maxDiff(model.predict(swap01(ref.input)), swap01(ref.output), "output"), "output");
    });

    it("LSTM(4): gate order i,f,c,o = PyTorch's i,f,g,o, kernel transposed", () => {
      const sd = state("lstm"), ref = io("lstm");
      const model = new Sequential({ inputShape: [5, 3] }, [lstm({ units: 4, returnSequences: true })]);
      model.setWeights(kerasWeights(sd, "lstm", "_l0", false));
      within(maxDiff(model.predict(ref.input), ref.output, "output"), "output");
    });

    it("GRU(4, resetAfter) — bias [2, 3H], blocks z,r,h vs PyTorch's r,z,n", () => {
      const sd = state("gru"), ref = io("gru");
      const model = new Sequential({ inputShape: [5, 3] }, [gru({ units: 4, returnSequences: true })]);
      model.setWeights(kerasWeights(sd, "gru", "_l0", true));
      within(maxDiff(model.predict(ref.input), ref.output, "output"), "output");
    });

    it("stacked Bidirectional(LSTM) = 2-layer bidirectional nn.LSTM: forward's three, then backward's", () => {
      const sd = state("lstm_2layer_bidir"), ref = io("lstm_2layer_bidir");
      const model = new Sequential({ inputShape: [5, 3] }, [
        bidirectional(lstm({ units: 4, returnSequences: true })), bidirectional(lstm({ units: 4, returnSequences: true })),
      ]);
      model.setWeights(["_l0", "_l0_reverse", "_l1", "_l1_reverse"].flatMap((s) => kerasWeights(sd, "lstm", s, false)));
      within(maxDiff(model.predict(swap01(ref.input)), swap01(ref.output), "output"), "output");
    });

    it("stacked Bidirectional(GRU) = 2-layer bidirectional nn.GRU", () => {
      const sd = state("gru_2layer_bidir"), ref = io("gru_2layer_bidir");
      const model = new Sequential({ inputShape: [5, 3] }, [
        bidirectional(gru({ units: 4, returnSequences: true })), bidirectional(gru({ units: 4, returnSequences: true })),
      ]);
      model.setWeights(["_l0", "_l0_reverse", "_l1", "_l1_reverse"].flatMap((s) => kerasWeights(sd, "gru", s, true)));
      within(maxDiff(model.predict(ref.input), ref.output, "output"), "output");
    });

    it("Dense: [kernel = weightᵀ, bias]; Embedding: [embeddings]", () => {
      const lin = state("linear"), refL = io("linear");
      const d = new Sequential({ inputShape: [3] }, [dense({ units: 4 })]);
      const w = lin.weight;
      const kernel = new Float32Array(12);
      for (let o = 0; o < 4; o++) for (let i = 0; i < 3; i++) kernel[i * 4 + o] = w.data[o * 3 + i];
      d.setWeights([new Tensor(kernel, [3, 4]), lin.bias]);
      within(maxDiff(d.predict(refL.input), refL.output, "output"), "output");

      const refE = io("embedding");
      const e = new Sequential({ inputShape: [3] }, [embedding({ inputDim: 7, outputDim: 3 })]);
      e.setWeights([state("embedding").weight]);
      assert.equal(maxDiff(e.predict(refE.input), refE.output, "output"), 0);
    });
  });
});
