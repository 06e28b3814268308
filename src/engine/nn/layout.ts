/**
 * Between PyTorch's recurrent parameter layout and the core's (recurrent.ts), for one direction of
 * one layer. Dimension letters: I input features, H hidden size, K gate blocks, G = K·H.
 *   PyTorch  weight_ih [G, I], weight_hh [G, H], bias_ih [G], bias_hh [G]; blocks LSTM i,f,g,o; GRU r,z,n
 *   core     kernel [I, G], recurrent kernel [H, G], bias [G], recurrent bias [G] (GRU only);
 *            blocks LSTM i,f,g,o; GRU z,r,n (Keras order)
 * SimpleRNN/LSTM: the two biases only ever appear summed, so the core gets b_ih + b_hh and both
 * receive the same gradient. GRU: b_hh sits inside r ⊙ (h·U_n + b_hn), so it stays separate.
 */
import type { Param } from "../layer";
import type { CellKind, CoreWeights } from "../recurrent";

/** Core gate block k comes from PyTorch block PERM[k] (GRU: core z,r,n ← PyTorch r,z,n). */
export const TORCH_BLOCK_OF_CORE_BLOCK: Record<CellKind, readonly number[]> = { simpleRNN: [0], lstm: [0, 1, 2, 3], gru: [1, 0, 2] };

/** PyTorch parameters of one direction of one layer. */
export interface TorchUnitParams {
  wih: Param;
  whh: Param;
  bih: Param | null;
  bhh: Param | null;
}

/** Writes the core-layout weights `w` from the PyTorch parameters (values). */
export function torchToCore(kind: CellKind, p: TorchUnitParams, w: CoreWeights, I: number, H: number): void {
  const perm = TORCH_BLOCK_OF_CORE_BLOCK[kind];
  const G = perm.length * H;
  const wih = p.wih.value, whh = p.whh.value;
  const W = w.kernel, U = w.recurrentKernel;
  for (let k = 0; k < perm.length; k++) {
    const tb = perm[k];
    for (let j = 0; j < H; j++) {
      const src = tb * H + j, dst = k * H + j;
      for (let i = 0; i < I; i++) W[i * G + dst] = wih[src * I + i]; // W[i, k·H+j] = weight_ih[tb·H+j, i]
      for (let i = 0; i < H; i++) U[i * G + dst] = whh[src * H + i]; // U[i, k·H+j] = weight_hh[tb·H+j, i]
      if (p.bih && p.bhh && w.bias) {
        if (w.recurrentBias) {
          w.bias[dst] = p.bih.value[src];
          w.recurrentBias[dst] = p.bhh.value[src];
        } else {
          w.bias[dst] = p.bih.value[src] + p.bhh.value[src];
        }
      }
    }
  }
}

/** Adds core-layout gradients `g` into the PyTorch parameters' grads (transposed, blocks reordered). */
export function addCoreGradsToTorch(kind: CellKind, g: CoreWeights, p: TorchUnitParams, I: number, H: number): void {
  const perm = TORCH_BLOCK_OF_CORE_BLOCK[kind];
  const G = perm.length * H;
  const gW = g.kernel, gU = g.recurrentKernel;
  const dwih = p.wih.grad, dwhh = p.whh.grad;
  for (let k = 0; k < perm.length; k++) {
    const tb = perm[k];
    for (let j = 0; j < H; j++) {
      const dst = tb * H + j, src = k * H + j;
      for (let i = 0; i < I; i++) dwih[dst * I + i] += gW[i * G + src];
      for (let i = 0; i < H; i++) dwhh[dst * H + i] += gU[i * G + src];
      if (p.bih && p.bhh && g.bias) {
        p.bih.grad[dst] += g.bias[src];
        p.bhh.grad[dst] += g.recurrentBias ? g.recurrentBias[src] : g.bias[src];
      }
    }
  }
}
