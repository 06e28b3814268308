/**
 * Weight layout conversion between the Keras family and PyTorch, for one recurrent layer (one
 * direction). Pure functions on flat row-major arrays; used by the PyTorch export (torchExport.ts)
 * and documented in docs/interop.md.
 *
 * Dimension letters: I input features, H units, K gate blocks (SimpleRNN 1, GRU 3, LSTM 4), G = K·H.
 *
 *   Keras                                   PyTorch
 *   kernel            [I, G]   (x·W)        weight_ih_l0 [G, I]   (W·x) — the transpose
 *   recurrent_kernel  [H, G]                weight_hh_l0 [G, H]   — the transpose
 *   bias              [G]                   bias_ih_l0 = bias, bias_hh_l0 = 0   (one bias folded in)
 *   bias (GRU resetAfter) [2, G]            bias_ih_l0 = bias[0], bias_hh_l0 = bias[1]
 *   LSTM blocks i, f, c, o                  i, f, g, o                (same order: c is PyTorch's g)
 *   GRU blocks  z, r, h                     r, z, n                   (first two swapped)
 *
 * GRU with resetAfter (Keras's default) computes n = tanh(x·W_n + b_n + r ⊙ (h·U_n + bR_n)): exactly
 * torch.nn.GRU. With resetAfter false (TF.js's only form) n = tanh(x·W_n + b_n + (r ⊙ h)·U_n): there
 * is no torch.nn module for that, so the export writes it out step by step (see pythonSource.ts).
 */
import type { FloatArray } from "../tensor";

export type RecurrentKind = "simpleRNN" | "lstm" | "gru";

/** Gate blocks per unit. */
export const GATE_BLOCKS: Record<RecurrentKind, number> = { simpleRNN: 1, lstm: 4, gru: 3 };

/**
 * For PyTorch block k, the Keras block it comes from. LSTM: identity (i,f,c,o = i,f,g,o);
 * GRU: PyTorch r ← Keras block 1 (r), z ← Keras block 0 (z), n ← Keras block 2 (h).
 */
export const TORCH_FROM_KERAS_BLOCK: Record<RecurrentKind, readonly number[]> = {
  simpleRNN: [0],
  lstm: [0, 1, 2, 3],
  gru: [1, 0, 2],
};

/** Keras kernel [rows, K·H] → PyTorch weight [K·H, rows]: transposed, gate blocks reordered. */
export function kernelToTorch(kernel: FloatArray, rows: number, H: number, kind: RecurrentKind): Float32Array {
  const perm = TORCH_FROM_KERAS_BLOCK[kind];
  const G = perm.length * H;
  if (kernel.length !== rows * G) throw new Error(`kernelToTorch: expected ${rows}×${G} values, got ${kernel.length}`);
  const out = new Float32Array(G * rows);
  for (let k = 0; k < perm.length; k++) {
    for (let j = 0; j < H; j++) {
      const row = k * H + j; // PyTorch row
      const col = perm[k] * H + j; // Keras column
      for (let i = 0; i < rows; i++) out[row * rows + i] = kernel[i * G + col];
    }
  }
  return out;
}

/** PyTorch weight [K·H, rows] → Keras kernel [rows, K·H] (the inverse of kernelToTorch). */
export function kernelFromTorch(weight: FloatArray, rows: number, H: number, kind: RecurrentKind): Float32Array {
  const perm = TORCH_FROM_KERAS_BLOCK[kind];
  const G = perm.length * H;
  if (weight.length !== rows * G) throw new Error(`kernelFromTorch: expected ${G}×${rows} values, got ${weight.length}`);
  const out = new Float32Array(rows * G);
  for (let k = 0; k < perm.length; k++) {
    for (let j = 0; j < H; j++) {
      const row = k * H + j;
      const col = perm[k] * H + j;
      for (let i = 0; i < rows; i++) out[i * G + col] = weight[row * rows + i];
    }
  }
  return out;
}

/** Keras bias blocks (G values starting at `offset`) → PyTorch order. */
export function biasToTorch(bias: FloatArray, offset: number, H: number, kind: RecurrentKind): Float32Array {
  const perm = TORCH_FROM_KERAS_BLOCK[kind];
  const out = new Float32Array(perm.length * H);
  for (let k = 0; k < perm.length; k++) {
    for (let j = 0; j < H; j++) out[k * H + j] = bias[offset + perm[k] * H + j];
  }
  return out;
}

/** PyTorch bias [K·H] → Keras block order (the inverse of biasToTorch). */
export function biasFromTorch(bias: FloatArray, H: number, kind: RecurrentKind): Float32Array {
  const perm = TORCH_FROM_KERAS_BLOCK[kind];
  const out = new Float32Array(perm.length * H);
  for (let k = 0; k < perm.length; k++) {
    for (let j = 0; j < H; j++) out[perm[k] * H + j] = bias[k * H + j];
  }
  return out;
}

/** Plain matrix transpose of a row-major [rows, cols] array (Dense kernel [I, U] ↔ Linear weight [U, I]). */
export function transpose(a: FloatArray, rows: number, cols: number): Float32Array {
  if (a.length !== rows * cols) throw new Error(`transpose: expected ${rows}×${cols} values, got ${a.length}`);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** The PyTorch state dict of one Keras recurrent layer (one direction), with PyTorch's names for layer 0. */
export interface TorchRecurrentWeights {
  weight_ih: Float32Array; // [G, I]
  weight_hh: Float32Array; // [G, H]
  bias_ih?: Float32Array; // [G]
  bias_hh?: Float32Array; // [G]
}

/**
 * Keras weights (kernel [I, G], recurrent_kernel [H, G], bias [G] or [2, G]) → PyTorch tensors.
 * `twoBiases` is true for GRU with resetAfter (bias row 0 = input bias, row 1 = recurrent bias);
 * otherwise the single Keras bias becomes bias_ih and bias_hh is zero.
 */
export function recurrentToTorch(
  kind: RecurrentKind, I: number, H: number,
  kernel: FloatArray, recurrentKernel: FloatArray, bias: FloatArray | undefined, twoBiases: boolean,
): TorchRecurrentWeights {
  const out: TorchRecurrentWeights = {
    weight_ih: kernelToTorch(kernel, I, H, kind),
    weight_hh: kernelToTorch(recurrentKernel, H, H, kind),
  };
  if (bias) {
    const G = GATE_BLOCKS[kind] * H;
    out.bias_ih = biasToTorch(bias, 0, H, kind);
    out.bias_hh = twoBiases ? biasToTorch(bias, G, H, kind) : new Float32Array(G);
  }
  return out;
}
