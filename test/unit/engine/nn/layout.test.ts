// Between PyTorch's recurrent parameter layout and the fused core's (src/engine/nn/layout.ts), checked
// element by element against the definitions the file's header states — no numbers of our own:
//   W[i, k·H+j] = weight_ih[tb·H+j, i], U[i, k·H+j] = weight_hh[tb·H+j, i], tb = PyTorch's block of
//   core block k (LSTM i,f,g,o on both sides; GRU core z,r,n ← PyTorch r,z,n, torch.nn.GRU's docs);
//   bias = b_ih + b_hh (RNN, LSTM: the two only ever appear summed), GRU bias = b_ih, recurrent bias = b_hh;
//   gradients the same maps backwards, added to what the parameters' grads held, both biases
//   receiving the summed bias's gradient.
// Sizes include rows and columns that are not multiples of 4 (the transposition moves 4 × 4 blocks
// and then the edges), of 1, and a GRU whose I and H differ.
import * as assert from "node:assert/strict";
import { makeParam, type Param } from "../../../../src/engine/layer";
import { addCoreGradsToTorch, TORCH_BLOCK_OF_CORE_BLOCK, torchToCore, type TorchUnitParams } from "../../../../src/engine/nn/layout";
import type { CellKind, CoreWeights } from "../../../../src/engine/recurrent";

/** Distinct, exactly representable values: 0.25·(q + 1)·sign, so any misplaced one shows. */
function fill(p: Param, seed: number): void {
  for (let q = 0; q < p.value.length; q++) p.value[q] = 0.25 * (q + 1 + seed) * (q % 2 ? -1 : 1);
  for (let q = 0; q < p.grad.length; q++) p.grad[q] = 0.5 * (q + seed);
}

function unit(kind: CellKind, I: number, H: number): TorchUnitParams {
  const G = TORCH_BLOCK_OF_CORE_BLOCK[kind].length * H;
  const p = { wih: makeParam("weight_ih_l0", [G, I], "float32"), whh: makeParam("weight_hh_l0", [G, H], "float32"),
    bih: makeParam("bias_ih_l0", [G], "float32"), bhh: makeParam("bias_hh_l0", [G], "float32") };
  fill(p.wih, 1);
  fill(p.whh, 1000);
  fill(p.bih, 2000);
  fill(p.bhh, 3000);
  return p;
}

function coreWeights(kind: CellKind, I: number, H: number, seed: number): CoreWeights {
  const G = TORCH_BLOCK_OF_CORE_BLOCK[kind].length * H;
  const f = (n: number, s: number): Float32Array => Float32Array.from({ length: n }, (_, q) => 0.125 * (q + s) * (q % 3 ? 1 : -1));
  return { kernel: f(I * G, seed), recurrentKernel: f(H * G, seed + 500), bias: f(G, seed + 900), recurrentBias: kind === "gru" ? f(G, seed + 1300) : null };
}

const SIZES: [number, number][] = [[1, 1], [3, 2], [6, 16], [7, 5], [16, 9], [13, 12]];

describe("nn recurrent parameter layout (PyTorch ⇄ fused core)", () => {
  for (const kind of ["simpleRNN", "lstm", "gru"] as const) {
    const perm = TORCH_BLOCK_OF_CORE_BLOCK[kind];
    const K = perm.length;

    it(`${kind}: torchToCore writes every weight and bias where the layout definition puts it`, () => {
      for (const [I, H] of SIZES) {
        const p = unit(kind, I, H), G = K * H;
        const w = coreWeights(kind, I, H, 7);
        torchToCore(kind, p, w, I, H);
        for (let k = 0; k < K; k++) {
          const tb = perm[k];
          for (let j = 0; j < H; j++) {
            for (let i = 0; i < I; i++) assert.equal(w.kernel[i * G + k * H + j], p.wih.value[(tb * H + j) * I + i], `W[${i}, ${k * H + j}] (I=${I}, H=${H})`);
            for (let i = 0; i < H; i++) assert.equal(w.recurrentKernel[i * G + k * H + j], p.whh.value[(tb * H + j) * H + i], `U[${i}, ${k * H + j}] (I=${I}, H=${H})`);
            const bih = p.bih!.value[tb * H + j], bhh = p.bhh!.value[tb * H + j];
            if (kind === "gru") {
              assert.equal(w.bias![k * H + j], bih);
              assert.equal(w.recurrentBias![k * H + j], bhh);
            } else {
              assert.equal(w.bias![k * H + j], Math.fround(bih + bhh));
            }
          }
        }
      }
    });

    it(`${kind}: addCoreGradsToTorch adds every core gradient to the parameter the layout definition maps it to`, () => {
      for (const [I, H] of SIZES) {
        const p = unit(kind, I, H), G = K * H;
        const before = [p.wih, p.whh, p.bih!, p.bhh!].map((x) => x.grad.slice());
        const g = coreWeights(kind, I, H, 11);
        addCoreGradsToTorch(kind, g, p, I, H);
        for (let k = 0; k < K; k++) {
          const tb = perm[k];
          for (let j = 0; j < H; j++) {
            const row = tb * H + j;
            for (let i = 0; i < I; i++) {
              assert.equal(p.wih.grad[row * I + i], Math.fround(before[0][row * I + i] + g.kernel[i * G + k * H + j]), `dW_ih[${row}, ${i}] (I=${I}, H=${H})`);
            }
            for (let i = 0; i < H; i++) {
              assert.equal(p.whh.grad[row * H + i], Math.fround(before[1][row * H + i] + g.recurrentKernel[i * G + k * H + j]), `dW_hh[${row}, ${i}] (I=${I}, H=${H})`);
            }
            const gb = g.bias![k * H + j], grb = kind === "gru" ? g.recurrentBias![k * H + j] : gb;
            assert.equal(p.bih!.grad[row], Math.fround(before[2][row] + gb));
            assert.equal(p.bhh!.grad[row], Math.fround(before[3][row] + grb));
          }
        }
      }
    });
  }
});
