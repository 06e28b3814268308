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
import type { FloatArray } from "../tensor";

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
  for (let k = 0; k < perm.length; k++) {
    const tb = perm[k];
    // W[i, k·H+j] = weight_ih[tb·H+j, i]; U[i, k·H+j] = weight_hh[tb·H+j, i]
    transposeInto(H, I, p.wih.value, tb * H * I, I, w.kernel, k * H, G, false);
    transposeInto(H, H, p.whh.value, tb * H * H, H, w.recurrentKernel, k * H, G, false);
    if (p.bih && p.bhh && w.bias) {
      const bih = p.bih.value, bhh = p.bhh.value, bias = w.bias, rb = w.recurrentBias;
      for (let j = 0; j < H; j++) {
        const src = tb * H + j, dst = k * H + j;
        if (rb) {
          bias[dst] = bih[src];
          rb[dst] = bhh[src];
        } else {
          bias[dst] = bih[src] + bhh[src];
        }
      }
    }
  }
}

/** Adds core-layout gradients `g` into the PyTorch parameters' grads (transposed, blocks reordered). */
export function addCoreGradsToTorch(kind: CellKind, g: CoreWeights, p: TorchUnitParams, I: number, H: number): void {
  const perm = TORCH_BLOCK_OF_CORE_BLOCK[kind];
  const G = perm.length * H;
  for (let k = 0; k < perm.length; k++) {
    const tb = perm[k];
    // weight_ih.grad[tb·H+j, i] += gW[i, k·H+j]; weight_hh.grad[tb·H+j, i] += gU[i, k·H+j]
    transposeInto(I, H, g.kernel, k * H, G, p.wih.grad, tb * H * I, I, true);
    transposeInto(H, H, g.recurrentKernel, k * H, G, p.whh.grad, tb * H * H, H, true);
    if (p.bih && p.bhh && g.bias) {
      const gb = g.bias, grb = g.recurrentBias ?? g.bias, dbih = p.bih.grad, dbhh = p.bhh.grad;
      for (let j = 0; j < H; j++) {
        const dst = tb * H + j, src = k * H + j;
        dbih[dst] += gb[src];
        dbhh[dst] += grb[src];
      }
    }
  }
}

/** Tile edge of `transposeInto`: a 16×16 float tile reads 16 cache lines and writes 16, all of them hot. */
const TILE = 16;

/**
 * dst[dOff + c·dLd + r] = (or +=) src[sOff + r·sLd + c] for r < rows, c < cols: a strided block
 * transposed. Tiled so that neither side walks a whole column of the other per element (the plain
 * double loop wrote one float per cache line, about four times slower on the medium LSTM's weights).
 */
function transposeInto(rows: number, cols: number, src: ArrayLike<number>, sOff: number, sLd: number,
                       dst: FloatArray, dOff: number, dLd: number, add: boolean): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let c = c0; c < c1; c++) {
        const d = dOff + c * dLd, s = sOff + c;
        if (add) for (let r = r0; r < r1; r++) dst[d + r] += src[s + r * sLd];
        else for (let r = r0; r < r1; r++) dst[d + r] = src[s + r * sLd];
      }
    }
  }
}
