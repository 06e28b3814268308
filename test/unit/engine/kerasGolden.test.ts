// Keras-family rnn.simpleRNN / lstm / gru checked against the SAME PyTorch fixtures as rnn.nn
// (test/fixtures/torch/recurrent_golden.json, written by generate.py) through the documented weight
// conversion:
//   kernel           = weight_ih_l0ᵀ            recurrent_kernel = weight_hh_l0ᵀ
//   gate blocks      LSTM Keras i,f,c,o = PyTorch i,f,g,o (same order)
//                    GRU  Keras z,r,h  = PyTorch blocks 1,0,2 (r,z,n with the first two swapped)
//   bias             SimpleRNN/LSTM: bias = bias_ih_l0 + bias_hh_l0 (they only ever appear summed)
//                    GRU resetAfter=true: bias[0] = bias_ih_l0, bias[1] = bias_hh_l0 — the same
//                    function as torch.nn.GRU exactly.
// Single-layer cases; a bidirectional case's "_reverse" direction is a Keras layer with goBackwards
// (whose output sequence is in reversed order, as in Keras). The loss is PyTorch's MSE over the whole
// output, so each direction's half of ∂L/∂output is 2(y − t)/N with N the full output size.
import * as assert from "node:assert/strict";
import { gru } from "../../../src/engine/layers/gru";
import { lstm } from "../../../src/engine/layers/lstm";
import { simpleRNN } from "../../../src/engine/layers/simpleRnn";
import { zeroGrads } from "../../../src/engine/layer";
import type { KerasRecurrentLayer } from "../../../src/engine/layers/kerasRecurrent";
import { Rng } from "../../../src/engine/random";
import { Tensor } from "../../../src/engine/tensor";
import { cases, type GoldenCase } from "./goldenFixtures";

const TOL = 1e-5; // float32 agreement with PyTorch's (and Keras's) numbers
const PERM = { RNN: [0], LSTM: [0, 1, 2, 3], GRU: [1, 0, 2] }; // Keras block k ← PyTorch block PERM[k]

/** PyTorch weight [K·H, C] → Keras kernel [C, K·H] (transposed, blocks reordered). */
function kernelFromTorch(w: number[], C: number, H: number, perm: number[]): Float32Array {
  const G = perm.length * H;
  const out = new Float32Array(C * G);
  perm.forEach((tb, k) => { for (let j = 0; j < H; j++) for (let c = 0; c < C; c++) out[c * G + k * H + j] = w[(tb * H + j) * C + c]; });
  return out;
}

/** Keras kernel gradient [C, K·H] → PyTorch layout [K·H, C]. */
function kernelToTorch(k: ArrayLike<number>, C: number, H: number, perm: number[]): Float32Array {
  const G = perm.length * H;
  const out = new Float32Array(C * G);
  perm.forEach((tb, kb) => { for (let j = 0; j < H; j++) for (let c = 0; c < C; c++) out[(tb * H + j) * C + c] = k[c * G + kb * H + j]; });
  return out;
}

const vecFromTorch = (b: number[], H: number, perm: number[]): number[] => perm.flatMap((tb) => b.slice(tb * H, tb * H + H));

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function checkDirection(c: GoldenCase, reverse: boolean): Record<string, number> {
  const { inputSize: I, hiddenSize: H, batchFirst } = c.config;
  const D = c.config.bidirectional ? 2 : 1;
  const perm = PERM[c.kind];
  const sfx = reverse ? "_l0_reverse" : "_l0";
  const sd = c.state_dict;
  const opts = { units: H, returnSequences: true, goBackwards: reverse };
  const layer = c.kind === "RNN" ? simpleRNN(opts) : c.kind === "LSTM" ? lstm(opts) : gru(opts);
  const [T, B] = batchFirst ? [c.x.shape[1], c.x.shape[0]] : [c.x.shape[0], c.x.shape[1]];
  layer.build([T, I], { dtype: "float32", rng: new Rng(1) });
  const bih = sd[`bias_ih${sfx}`].data, bhh = sd[`bias_hh${sfx}`].data;
  const bias = c.kind === "GRU"
    ? new Tensor(Float32Array.from([...vecFromTorch(bih, H, perm), ...vecFromTorch(bhh, H, perm)]), [2, perm.length * H])
    : new Tensor(Float32Array.from(vecFromTorch(bih.map((v, i) => v + bhh[i]), H, perm)), [perm.length * H]);
  layer.setWeights([
    new Tensor(kernelFromTorch(sd[`weight_ih${sfx}`].data, I, H, perm), [I, perm.length * H]),
    new Tensor(kernelFromTorch(sd[`weight_hh${sfx}`].data, H, H, perm), [H, perm.length * H]),
    bias,
  ]);
  // Batch-major input [B, T, I].
  const at = (arr: number[], t: number, b: number, F: number, q: number): number =>
    batchFirst ? arr[(b * T + t) * F + q] : arr[(t * B + b) * F + q];
  const x = new Float32Array(B * T * I);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let q = 0; q < I; q++) x[(b * T + t) * I + q] = at(c.x.data, t, b, I, q);
  zeroGrads(layer.params());
  const y = layer.forward(new Tensor(x, [B, T, I]), { training: false, rng: new Rng(0) });
  // Keras output step s ↔ input time t (reversed for goBackwards); PyTorch output feature block d.
  const N = c.output.data.length;
  const dy = new Float32Array(B * T * H);
  let outDiff = 0;
  for (let b = 0; b < B; b++) for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    for (let j = 0; j < H; j++) {
      const q = (reverse ? H : 0) + j;
      const ours = y.data[(b * T + s) * H + j];
      outDiff = Math.max(outDiff, Math.abs(ours - at(c.output.data, t, b, D * H, q)));
      dy[(b * T + s) * H + j] = (2 * (ours - at(c.target.data, t, b, D * H, q))) / N; // ∂ mean((y−t)²)/∂y
    }
  }
  layer.backward(new Tensor(dy, [B, T, H]));
  const [gK, gU, gB] = layer.params().map((p) => p.grad);
  const diffs: Record<string, number> = { output: outDiff };
  diffs.kernel = maxAbs(kernelToTorch(gK, I, H, perm), c.grads[`weight_ih${sfx}`].data);
  diffs.recurrent_kernel = maxAbs(kernelToTorch(gU, H, H, perm), c.grads[`weight_hh${sfx}`].data);
  const G = perm.length * H;
  diffs.bias = maxAbs(Array.from(gB.subarray(0, G)), vecFromTorch(c.grads[`bias_ih${sfx}`].data, H, perm));
  if (c.kind === "GRU") diffs.bias = Math.max(diffs.bias, maxAbs(Array.from(gB.subarray(G, 2 * G)), vecFromTorch(c.grads[`bias_hh${sfx}`].data, H, perm)));
  else diffs.bias = Math.max(diffs.bias, maxAbs(Array.from(gB), vecFromTorch(c.grads[`bias_hh${sfx}`].data, H, perm))); // ∂/∂b_hh = ∂/∂b_ih
  return diffs;
}

describe("PyTorch golden fixtures through weight conversion: Keras-family simpleRNN / lstm / gru", () => {
  for (const c of cases.filter((k) => k.config.numLayers === 1 && !k.h0)) {
    for (const reverse of c.config.bidirectional ? [false, true] : [false]) {
      it(`${c.name}${reverse ? " (reverse direction = goBackwards)" : ""}: output and kernel/recurrent_kernel/bias gradients`, () => {
        const diffs = checkDirection(c, reverse);
        console.log(`      max |diff|: ${Object.entries(diffs).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(", ")}`);
        for (const [k, v] of Object.entries(diffs)) assert.ok(v <= TOL, `${c.name}: ${k} differs by ${v}`);
      });
    }
  }
});

/** A Keras layer loaded with PyTorch layer l (forward direction) of a case, via the conversion above. */
function kerasLayerFor(c: GoldenCase, l: number, inputSize: number, T: number): KerasRecurrentLayer {
  const H = c.config.hiddenSize, perm = PERM[c.kind], G = perm.length * H, sd = c.state_dict;
  const opts = { units: H, returnSequences: true, activation: c.config.nonlinearity ?? "tanh" };
  const layer = c.kind === "RNN" ? simpleRNN(opts) : c.kind === "LSTM" ? lstm(opts) : gru(opts);
  layer.build([T, inputSize], { dtype: "float32", rng: new Rng(1) });
  const bih = sd[`bias_ih_l${l}`].data, bhh = sd[`bias_hh_l${l}`].data;
  layer.setWeights([
    new Tensor(kernelFromTorch(sd[`weight_ih_l${l}`].data, inputSize, H, perm), [inputSize, G]),
    new Tensor(kernelFromTorch(sd[`weight_hh_l${l}`].data, H, H, perm), [H, G]),
    c.kind === "GRU"
      ? new Tensor(Float32Array.from([...vecFromTorch(bih, H, perm), ...vecFromTorch(bhh, H, perm)]), [2, G])
      : new Tensor(Float32Array.from(vecFromTorch(bih.map((v, i) => v + bhh[i]), H, perm)), [G]),
  ]);
  return layer;
}

describe("PyTorch golden fixtures through weight conversion: stacked Keras layers (2 layers, returnSequences between)", () => {
  for (const c of cases.filter((k) => k.config.numLayers === 2 && !k.config.bidirectional && !k.h0)) {
    it(`${c.name}: two stacked layers, output and every layer's gradients`, () => {
      const { inputSize: I, hiddenSize: H } = c.config;
      const [B, T] = c.config.batchFirst ? [c.x.shape[0], c.x.shape[1]] : [c.x.shape[1], c.x.shape[0]];
      assert.ok(c.config.batchFirst, "the 2-layer unidirectional cases are batch-first (generate.py)");
      const layers = [kerasLayerFor(c, 0, I, T), kerasLayerFor(c, 1, H, T)];
      const ctx = { training: false, rng: new Rng(0) };
      layers.forEach((l) => zeroGrads(l.params()));
      const y = layers[1].forward(layers[0].forward(new Tensor(Float32Array.from(c.x.data), [B, T, I]), ctx), ctx);
      const N = y.size;
      const dy = new Float32Array(N);
      for (let i = 0; i < N; i++) dy[i] = (2 * (y.data[i] - c.target.data[i])) / N; // ∂ mean((y−t)²)/∂y
      layers[0].backward(layers[1].backward(new Tensor(dy, y.shape)));
      const diffs: Record<string, number> = { output: maxAbs(y.data, c.output.data) };
      const perm = PERM[c.kind], G = perm.length * H;
      layers.forEach((layer, l) => {
        const [gK, gU, gB] = layer.params().map((p) => p.grad);
        diffs[`kernel_l${l}`] = maxAbs(kernelToTorch(gK, l === 0 ? I : H, H, perm), c.grads[`weight_ih_l${l}`].data);
        diffs[`recurrent_kernel_l${l}`] = maxAbs(kernelToTorch(gU, H, H, perm), c.grads[`weight_hh_l${l}`].data);
        diffs[`bias_l${l}`] = maxAbs(Array.from(gB.subarray(0, G)), vecFromTorch(c.grads[`bias_ih_l${l}`].data, H, perm));
      });
      console.log(`      max |diff|: ${Object.entries(diffs).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(", ")}`);
      for (const [k, v] of Object.entries(diffs)) assert.ok(v <= TOL, `${c.name}: ${k} differs by ${v}`);
    });
  }
});
