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
  const K = perm.length, G = K * H;
  if (kind !== "gru") {
    // Same block order on both sides: each matrix is one transposition, W = weight_ihᵀ, U = weight_hhᵀ
    // (one pass over the whole matrix instead of one per gate block, which at learner sizes spent
    // more on loop set-up than on moving values).
    transposeInto(G, I, p.wih.value, 0, I, w.kernel, 0, G, false);
    transposeInto(G, H, p.whh.value, 0, H, w.recurrentKernel, 0, G, false);
    if (p.bih && p.bhh && w.bias) {
      const bih = p.bih.value, bhh = p.bhh.value, bias = w.bias;
      for (let q = 0; q < G; q++) bias[q] = bih[q] + bhh[q];
    }
    return;
  }
  for (let k = 0; k < K; k++) {
    const tb = perm[k];
    // W[i, k·H+j] = weight_ih[tb·H+j, i]; U[i, k·H+j] = weight_hh[tb·H+j, i]
    transposeInto(H, I, p.wih.value, tb * H * I, I, w.kernel, k * H, G, false);
    transposeInto(H, H, p.whh.value, tb * H * H, H, w.recurrentKernel, k * H, G, false);
    if (p.bih && p.bhh && w.bias && w.recurrentBias) {
      // GRU keeps b_hh apart (see the header); each block's biases are one contiguous copy.
      w.bias.set(p.bih.value.subarray(tb * H, (tb + 1) * H), k * H);
      w.recurrentBias.set(p.bhh.value.subarray(tb * H, (tb + 1) * H), k * H);
    }
  }
}

/** Adds core-layout gradients `g` into the PyTorch parameters' grads (transposed, blocks reordered). */
export function addCoreGradsToTorch(kind: CellKind, g: CoreWeights, p: TorchUnitParams, I: number, H: number): void {
  const perm = TORCH_BLOCK_OF_CORE_BLOCK[kind];
  const K = perm.length, G = K * H;
  if (kind !== "gru") {
    // weight_ih.grad += gWᵀ, weight_hh.grad += gUᵀ; both biases receive the summed bias's gradient.
    transposeInto(I, G, g.kernel, 0, G, p.wih.grad, 0, I, true);
    transposeInto(H, G, g.recurrentKernel, 0, G, p.whh.grad, 0, H, true);
    if (p.bih && p.bhh && g.bias) {
      const gb = g.bias, dbih = p.bih.grad, dbhh = p.bhh.grad;
      for (let q = 0; q < G; q++) {
        dbih[q] += gb[q];
        dbhh[q] += gb[q];
      }
    }
    return;
  }
  for (let k = 0; k < K; k++) {
    const tb = perm[k];
    // weight_ih.grad[tb·H+j, i] += gW[i, k·H+j]; weight_hh.grad[tb·H+j, i] += gU[i, k·H+j]
    transposeInto(I, H, g.kernel, k * H, G, p.wih.grad, tb * H * I, I, true);
    transposeInto(H, H, g.recurrentKernel, k * H, G, p.whh.grad, tb * H * H, H, true);
    if (p.bih && p.bhh && g.bias && g.recurrentBias) {
      const gb = g.bias, grb = g.recurrentBias, dbih = p.bih.grad, dbhh = p.bhh.grad;
      for (let j = 0; j < H; j++) {
        const dst = tb * H + j, src = k * H + j;
        dbih[dst] += gb[src];
        dbhh[dst] += grb[src];
      }
    }
  }
}

/**
 * dst[dOff + c·dLd + r] = (or +=) src[sOff + r·sLd + c] for r < rows, c < cols: a strided block
 * transposed, 4 × 4 values at a time held in locals — four short contiguous reads, four short
 * contiguous writes. Measured on the medium LSTM's weights (512 × 64 and 512 × 128) about twice as
 * fast as 16 × 16 tiles copied one value per loop iteration, and never slower at learner sizes; the
 * plain double loop, which wrote one float per cache line, was slower still.
 */
function transposeInto(rows: number, cols: number, src: FloatArray, sOff: number, sLd: number,
                       dst: FloatArray, dOff: number, dLd: number, add: boolean): void {
  const R4 = rows - (rows % 4), C4 = cols - (cols % 4);
  for (let r = 0; r < R4; r += 4) {
    const s0 = sOff + r * sLd, s1 = s0 + sLd, s2 = s1 + sLd, s3 = s2 + sLd;
    for (let c = 0; c < C4; c += 4) {
      const a00 = src[s0 + c], a01 = src[s0 + c + 1], a02 = src[s0 + c + 2], a03 = src[s0 + c + 3];
      const a10 = src[s1 + c], a11 = src[s1 + c + 1], a12 = src[s1 + c + 2], a13 = src[s1 + c + 3];
      const a20 = src[s2 + c], a21 = src[s2 + c + 1], a22 = src[s2 + c + 2], a23 = src[s2 + c + 3];
      const a30 = src[s3 + c], a31 = src[s3 + c + 1], a32 = src[s3 + c + 2], a33 = src[s3 + c + 3];
      const d0 = dOff + c * dLd + r, d1 = d0 + dLd, d2 = d1 + dLd, d3 = d2 + dLd;
      if (add) {
        dst[d0] += a00; dst[d0 + 1] += a10; dst[d0 + 2] += a20; dst[d0 + 3] += a30;
        dst[d1] += a01; dst[d1 + 1] += a11; dst[d1 + 2] += a21; dst[d1 + 3] += a31;
        dst[d2] += a02; dst[d2 + 1] += a12; dst[d2 + 2] += a22; dst[d2 + 3] += a32;
        dst[d3] += a03; dst[d3 + 1] += a13; dst[d3 + 2] += a23; dst[d3 + 3] += a33;
      } else {
        dst[d0] = a00; dst[d0 + 1] = a10; dst[d0 + 2] = a20; dst[d0 + 3] = a30;
        dst[d1] = a01; dst[d1 + 1] = a11; dst[d1 + 2] = a21; dst[d1 + 3] = a31;
        dst[d2] = a02; dst[d2 + 1] = a12; dst[d2 + 2] = a22; dst[d2 + 3] = a32;
        dst[d3] = a03; dst[d3 + 1] = a13; dst[d3 + 2] = a23; dst[d3 + 3] = a33;
      }
    }
  }
  // The edges one value at a time: columns C4… of the first R4 rows, then whole rows R4….
  for (let r = 0; r < rows; r++) {
    const s = sOff + r * sLd, d = dOff + r;
    if (add) for (let c = r < R4 ? C4 : 0; c < cols; c++) dst[d + c * dLd] += src[s + c];
    else for (let c = r < R4 ? C4 : 0; c < cols; c++) dst[d + c * dLd] = src[s + c];
  }
}
