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
 *
 * The core is a 4×4 register-blocked micro-kernel: 16 accumulators in locals, 8 loads per 16
 * multiply-adds; column blocks outermost so a 4-column panel of B is reused for every row block.
 */
import type { FloatArray } from "./tensor";

/**
 * Strided GEMM: C[i,j] = beta·C[i,j] + Σ_k A(i,k)·B(k,j) where A(i,k) = a[aOff + i·as0 + k·as1] and
 * B(k,j) = b[bOff + k·bs0 + j·bs1]; C is row-major with leading dimension ldc. beta is 0 or 1.
 */
function gemmStrided(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number, as0: number, as1: number, // A (M,K) via strides
  b: FloatArray, bOff: number, bs0: number, bs1: number, // B (K,N) via strides
  c: FloatArray, cOff: number, ldc: number,             // C (M,N) row-major
  beta: number,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let j = 0; j < n4; j += 4) {
    const pb0 = bOff + j * bs1;
    for (let i = 0; i < m4; i += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let pa = aOff + i * as0;
      let pb = pb0;
      for (let p = 0; p < k; p++) {
        const a0 = a[pa], a1 = a[pa + as0], a2 = a[pa + 2 * as0], a3 = a[pa + 3 * as0];
        const b0 = b[pb], b1 = b[pb + bs1], b2 = b[pb + 2 * bs1], b3 = b[pb + 3 * bs1];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        pa += as1;
        pb += bs0;
      }
      let pc = cOff + i * ldc + j;
      if (beta === 0) {
        c[pc] = c00; c[pc + 1] = c01; c[pc + 2] = c02; c[pc + 3] = c03; pc += ldc;
        c[pc] = c10; c[pc + 1] = c11; c[pc + 2] = c12; c[pc + 3] = c13; pc += ldc;
        c[pc] = c20; c[pc + 1] = c21; c[pc + 2] = c22; c[pc + 3] = c23; pc += ldc;
        c[pc] = c30; c[pc + 1] = c31; c[pc + 2] = c32; c[pc + 3] = c33;
      } else {
        c[pc] += c00; c[pc + 1] += c01; c[pc + 2] += c02; c[pc + 3] += c03; pc += ldc;
        c[pc] += c10; c[pc + 1] += c11; c[pc + 2] += c12; c[pc + 3] += c13; pc += ldc;
        c[pc] += c20; c[pc + 1] += c21; c[pc + 2] += c22; c[pc + 3] += c23; pc += ldc;
        c[pc] += c30; c[pc + 1] += c31; c[pc + 2] += c32; c[pc + 3] += c33;
      }
    }
    // Leftover rows of this column block.
    for (let i = m4; i < m; i++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      let pa = aOff + i * as0;
      let pb = pb0;
      for (let p = 0; p < k; p++) {
        const av = a[pa];
        c0 += av * b[pb]; c1 += av * b[pb + bs1]; c2 += av * b[pb + 2 * bs1]; c3 += av * b[pb + 3 * bs1];
        pa += as1;
        pb += bs0;
      }
      const pc = cOff + i * ldc + j;
      if (beta === 0) { c[pc] = c0; c[pc + 1] = c1; c[pc + 2] = c2; c[pc + 3] = c3; }
      else { c[pc] += c0; c[pc + 1] += c1; c[pc + 2] += c2; c[pc + 3] += c3; }
    }
  }
  // Leftover columns, all rows.
  for (let j = n4; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      let pa = aOff + i * as0;
      let pb = bOff + j * bs1;
      for (let p = 0; p < k; p++) {
        s += a[pa] * b[pb];
        pa += as1;
        pb += bs0;
      }
      const pc = cOff + i * ldc + j;
      c[pc] = beta === 0 ? s : c[pc] + s;
    }
  }
}

/**
 * C (+)= A·B. a is (M,K) with row stride lda, b is (K,N) with row stride ldb, c is (M,N) with row
 * stride ldc; accumulate=false overwrites C.
 */
export function gemmNN(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number, lda: number, // a is (M,K)
  b: FloatArray, bOff: number, ldb: number, // b is (K,N)
  c: FloatArray, cOff: number, ldc: number, // c is (M,N)
  accumulate: boolean,
): void {
  gemmStrided(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate ? 1 : 0);
}

/** C (+)= A·Bᵀ. a is (M,K) row stride lda, b is (N,K) row stride ldb, c is (M,N) row stride ldc. */
export function gemmNT(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number, lda: number, // a is (M,K)
  b: FloatArray, bOff: number, ldb: number, // b is (N,K)
  c: FloatArray, cOff: number, ldc: number, // c is (M,N)
  accumulate: boolean,
): void {
  gemmStrided(m, n, k, a, aOff, lda, 1, b, bOff, 1, ldb, c, cOff, ldc, accumulate ? 1 : 0);
}

/** C (+)= Aᵀ·B. a is (K,M) row stride lda, b is (K,N) row stride ldb, c is (M,N) row stride ldc. */
export function gemmTN(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number, lda: number, // a is (K,M)
  b: FloatArray, bOff: number, ldb: number, // b is (K,N)
  c: FloatArray, cOff: number, ldc: number, // c is (M,N)
  accumulate: boolean,
): void {
  gemmStrided(m, n, k, a, aOff, 1, lda, b, bOff, ldb, 1, c, cOff, ldc, accumulate ? 1 : 0);
}

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

/** Copies a [A, B, F] block to [B, A, F] (swaps the two leading axes; batch-major ⇄ time-major). */
export function swapLeadingAxes(src: ArrayLike<number>, dst: FloatArray, a: number, b: number, f: number): void {
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const s = (i * b + j) * f;
      const d = (j * a + i) * f;
      for (let q = 0; q < f; q++) dst[d + q] = src[s + q];
    }
  }
}
