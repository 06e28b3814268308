// gemmNNBias (the input projection x·W + b with the bias laid into C before the product)
// against the TypeScript gemmNN followed by a row-wise bias add, for odd sizes (partial tiles, K across
// the KC = 256 block boundary, M across MC = 64), strided operands (with gaps between C's rows, which
// must stay untouched), K = 0 (C = bias), float32 on every backend and float64.
//
// Tolerance: both sides sum the same K float32 products in different orders (the WASM side may fuse
// multiply-adds) and add the bias once, so each is within (K + 1)·u·(Σ|a·b| + |bias|) of the exact
// value (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1, u = 2⁻²⁴), and errors grow
// like √K·u in practice; as in gemm.test.ts we require ≤ 1e-5 relative to Σ|a·b| + |bias|. (In float32
// the TypeScript kernel now adds its float64 sum to the bias before rounding once, where the old add
// rounded the sum first, so even it is not bit-identical.) In float64 the sum is the same number and
// bias + sum = sum + bias, so the results must be identical.
import * as assert from "node:assert/strict";
import { gemmNN, gemmNNBias, setGemmBackend, type GemmBackend } from "../../../src/engine/gemm";
import { values } from "./gemmValues";


/** Worst |gemmNNBias − (gemmNN + bias)| / (Σ|a·b| + |bias|) over C; checks C's gaps and surroundings. */
function compare(backend: GemmBackend, m: number, n: number, k: number, gap: boolean, f64: boolean): number {
  const lda = k + 1, ldb = n + 2, ldc = gap ? n + 3 : n;
  const aOff = 2, bOff = 3, cOff = 5, biasOff = 1;
  const a = values(aOff + m * lda, 1 + m, f64), b = values(bOff + k * ldb, 2 + n, f64);
  const bias = values(biasOff + n + 2, 3 + k, f64);
  const c0 = values(cOff + m * ldc + 4, 4 + m + n, f64);
  const got = c0.slice(), want = c0.slice();
  setGemmBackend(backend);
  gemmNNBias(m, n, k, a, aOff, lda, b, bOff, ldb, bias, biasOff, got, cOff, ldc);
  setGemmBackend("js");
  gemmNN(m, n, k, a, aOff, lda, b, bOff, ldb, want, cOff, ldc, false);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[cOff + i * ldc + j] += bias[biasOff + j];
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const at = cOff + i * ldc + j;
      if (j >= n) {
        assert.equal(got[at], c0[at], `gap C[${i}, ${j}] modified`);
        continue;
      }
      let scale = Math.abs(bias[biasOff + j]);
      for (let p = 0; p < k; p++) scale += Math.abs(a[aOff + i * lda + p] * b[bOff + p * ldb + j]);
      worst = Math.max(worst, Math.abs(got[at] - want[at]) / scale);
    }
  }
  for (let q = 0; q < cOff; q++) assert.equal(got[q], c0[q], "element before C modified");
  for (let q = cOff + (m - 1) * ldc + n; q < got.length; q++) assert.equal(got[q], c0[q], "element after C modified");
  return worst;
}

// (M, N, K): below a tile, partial tiles, K across KC = 256, M across MC = 64, the medium workload's
// projection rows (T·B = 1600, 4H = 512, I = 64), K = 0.
const SIZES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 2], [7, 17, 13], [33, 65, 17], [65, 11, 5], [6, 40, 257], [67, 23, 300], [1600, 512, 64], [4, 6, 0],
];

describe("gemmNNBias (input projection with the bias folded in)", () => {
  afterEach(() => setGemmBackend("auto"));

  for (const backend of ["wasm", "auto", "js"] as GemmBackend[]) {
    it(`${backend}: float32 equals gemmNN + bias within 1e-5 relative, contiguous and gapped C`, () => {
      for (const [m, n, k] of SIZES) {
        for (const gap of [false, true]) {
          const err = compare(backend, m, n, k, gap, false);
          assert.ok(err <= 1e-5, `${backend} ${m}×${n}×${k} gap=${gap}: relative error ${err}`);
        }
      }
    });
  }

  it("float64 takes the TypeScript path and is identical to gemmNN + bias", () => {
    for (const [m, n, k] of SIZES.slice(0, 7)) assert.equal(compare("wasm", m, n, k, true, true), 0);
  });
});
