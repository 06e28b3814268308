/**
 * Numeric kernels on flat row-major typed arrays: GEMM in the three orientations the recurrent
 * layers need, activation functions with derivatives, and small row/column helpers.
 *
 * Every kernel takes explicit offsets and leading dimensions instead of subarray views, so hot loops
 * (one recurrent GEMM per timestep) allocate nothing.
 *
 * Dimension letters for this file: M rows of C, N columns of C, K the summed dimension.
 *   gemmNN  C[M,N] (+)= A[M,K]  · B[K,N]     forward projections  x·W, h·U
 *   gemmNT  C[M,N] (+)= A[M,K]  · B[N,K]ᵀ    input gradients      dZ·Wᵀ  (dot products of contiguous rows)
 *   gemmTN  C[M,N] (+)= A[K,M]ᵀ · B[K,N]     weight gradients     Xᵀ·dZ over all timesteps at once
 * None of them transposes a matrix in memory. A "leading dimension" is the distance between rows
 * (≥ the row's used length), so column blocks of a wider matrix — e.g. the z,r part of a GRU's
 * [H, 3H] recurrent kernel — can be addressed in place.
 * Implemented in gemm.ts (WASM SIMD 4×8 micro-kernel for float32, TypeScript 4×4 fallback).
 */
import type { FloatArray } from "./tensor";

// The three GEMMs live in gemm.ts: a WebAssembly SIMD kernel for float32 with a
// TypeScript register-blocked fallback (float64, tiny products, hosts without WASM SIMD).
export { gemmNN, gemmNT, gemmTN } from "./gemm";

/** Reference triple loop, C = A·B for contiguous row-major matrices; used by tests of the fast kernels. */
export function matmulNaive(m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>, c: FloatArray): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Activations. Derivatives are written in terms of the OUTPUT y = f(x), which is what the forward
// pass caches (no pre-activation buffers needed).

export const ACTIVATION_NAMES = ["tanh", "sigmoid", "hardSigmoid", "relu", "linear", "softsign"] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Porting note: hardSigmoid is Keras 2 / TF.js's clip(0.2·x + 0.5, 0, 1). Keras 3 changed it to
 * relu6(x + 3)/6 (slope 1/6); we keep the TF.js definition because TF.js users meet it as the default
 * recurrentActivation there. Our own default recurrentActivation is sigmoid, as in Keras and PyTorch.
 */
export function hardSigmoid(x: number): number {
  const y = 0.2 * x + 0.5;
  return y <= 0 ? 0 : y >= 1 ? 1 : y;
}

/** f(x) for a named activation. */
export function activationFn(name: ActivationName): (x: number) => number {
  switch (name) {
    case "tanh": return Math.tanh;
    case "sigmoid": return sigmoid;
    case "hardSigmoid": return hardSigmoid;
    case "relu": return (x) => (x > 0 ? x : 0);
    case "linear": return (x) => x;
    case "softsign": return (x) => x / (1 + Math.abs(x));
  }
}

/** f′ expressed through y = f(x). At the kinks of relu/hardSigmoid the derivative is taken as 0. */
export function activationGradFromOutput(name: ActivationName): (y: number) => number {
  switch (name) {
    case "tanh": return (y) => 1 - y * y;
    case "sigmoid": return (y) => y * (1 - y);
    case "hardSigmoid": return (y) => (y > 0 && y < 1 ? 0.2 : 0);
    case "relu": return (y) => (y > 0 ? 1 : 0);
    case "linear": return () => 1;
    case "softsign": return (y) => { const a = 1 - Math.abs(y); return a * a; };
  }
}

/** Validates an activation option, naming the layer and the valid values. */
export function checkActivation(value: unknown, option: string, layer: string): ActivationName {
  if (typeof value !== "string" || !(ACTIVATION_NAMES as readonly string[]).includes(value)) {
    throw new Error(`${layer}: ${option} ${JSON.stringify(value)} is not supported; valid: ${ACTIVATION_NAMES.join(", ")}`);
  }
  return value as ActivationName;
}

// ---------------------------------------------------------------------------------------------------
// Row / column helpers. R rows, C columns.

/** x[r, :] += v for every row r (adds a bias row vector). x is (R,C) at xOff, v is (C) at vOff. */
export function addRowVector(x: FloatArray, xOff: number, rows: number, cols: number, v: ArrayLike<number>, vOff = 0): void {
  for (let r = 0; r < rows; r++) {
    const o = xOff + r * cols;
    for (let j = 0; j < cols; j++) x[o + j] += v[vOff + j];
  }
}

/** out[j] += Σ_r x[r, j] (bias gradients). x is (R,C) with row stride ldx, out is (C) at outOff. */
export function addColumnSums(x: FloatArray, xOff: number, rows: number, cols: number, ldx: number, out: FloatArray, outOff = 0): void {
  for (let r = 0; r < rows; r++) {
    const o = xOff + r * ldx;
    for (let j = 0; j < cols; j++) out[outOff + j] += x[o + j];
  }
}

/** Σ x[i]² over x[off … off+n). */
export function sumSquares(x: ArrayLike<number>, off: number, n: number): number {
  let s = 0;
  for (let i = off; i < off + n; i++) s += x[i] * x[i];
  return s;
}

/** y[i] += alpha·x[i] for i < n. */
export function axpy(n: number, alpha: number, x: ArrayLike<number>, xOff: number, y: FloatArray, yOff: number): void {
  for (let i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
}

// ---------------------------------------------------------------------------------------------------
// Sequence layouts. The recurrent core works time-major [T, B, F] in processing order; the Keras family
// and PyTorch's batchFirst talk batch-major [B, T, F]; a bidirectional layer writes each direction into
// its half of a [T, B, 2H] row and reads the backward one in reversed time. Every conversion between
// them is one `copySequence` call.

/**
 * Where a sequence block lives in a flat buffer: the F features of (timestep t, batch row b) start at
 * `off + row·ld + col`, with row = t·B + b (time-major) or b·T + t (batch-major). `ld` (row stride)
 * defaults to F, `off` and `col` to 0, so `{ data, batchMajor }` describes a dense [T, B, F] or [B, T, F].
 */
export interface SequenceBlock<A extends ArrayLike<number> = ArrayLike<number>> {
  data: A;
  batchMajor: boolean;
  off?: number;
  ld?: number;
  col?: number;
}

/**
 * dst (+)= src for a sequence of T steps, B batch rows and F features per (t, b), between any two
 * layouts (time-major ⇄ batch-major is the common case). `reverse`: source step t lands on step
 * T−1−t (a backward direction's processing order). `accumulate` adds instead of overwriting.
 * Allocates nothing; the loops are plain typed-array copies.
 */
export function copySequence(T: number, B: number, F: number, src: SequenceBlock, dst: SequenceBlock<FloatArray>,
                             reverse = false, accumulate = false): void {
  const s = src.data, d = dst.data;
  const sOff = (src.off ?? 0) + (src.col ?? 0), dOff = (dst.off ?? 0) + (dst.col ?? 0);
  const sLd = src.ld ?? F, dLd = dst.ld ?? F;
  // Row r of a layout advances by the step of t and of b: (B, 1) time-major, (1, T) batch-major.
  const sT = src.batchMajor ? 1 : B, sB = src.batchMajor ? T : 1;
  const dT = dst.batchMajor ? 1 : B, dB = dst.batchMajor ? T : 1;
  if (!src.batchMajor && !dst.batchMajor && sLd === F && dLd === F) {
    // Dense time-major on both sides: a step's B rows are one contiguous run of B·F values.
    const n = B * F;
    for (let t = 0; t < T; t++) {
      const so = sOff + t * n, dO = dOff + (reverse ? T - 1 - t : t) * n;
      if (accumulate) for (let q = 0; q < n; q++) d[dO + q] += s[so + q];
      else for (let q = 0; q < n; q++) d[dO + q] = s[so + q];
    }
    return;
  }
  if (!accumulate && s instanceof Float32Array && d instanceof Float32Array) {
    copyRows32(T, B, F, s, sOff, sT * sLd, sB * sLd, d, dOff, dT * dLd, dB * dLd, reverse);
    return;
  }
  for (let t = 0; t < T; t++) {
    const td = reverse ? T - 1 - t : t;
    for (let b = 0; b < B; b++) {
      const so = sOff + (t * sT + b * sB) * sLd;
      const dO = dOff + (td * dT + b * dB) * dLd;
      if (accumulate) for (let q = 0; q < F; q++) d[dO + q] += s[so + q];
      else for (let q = 0; q < F; q++) d[dO + q] = s[so + q];
    }
  }
}

/**
 * copySequence's row copy for float32 on both sides (the engine's default). Rows of 64 features or more
 * go as one memmove each (`set` of a subarray): 0.3–0.6 ns per element against ~1.2 for the element
 * loop, whose cost shorter rows keep (the subarray costs more than it saves there). Strides in
 * elements: per step (tS, tD) and per batch row (bS, bD).
 */
function copyRows32(T: number, B: number, F: number, s: Float32Array, sOff: number, tS: number, bS: number,
                    d: Float32Array, dOff: number, tD: number, bD: number, reverse: boolean): void {
  for (let t = 0; t < T; t++) {
    const so0 = sOff + t * tS, do0 = dOff + (reverse ? T - 1 - t : t) * tD;
    for (let b = 0; b < B; b++) {
      const so = so0 + b * bS, dO = do0 + b * bD;
      if (F >= 64) d.set(s.subarray(so, so + F), dO);
      else for (let q = 0; q < F; q++) d[dO + q] = s[so + q];
    }
  }
}
