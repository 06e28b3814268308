// Fast GEMM: the WASM SIMD kernel and the TypeScript kernel of src/engine/gemm.ts against a
// float64 triple loop, for odd sizes (every edge case of the 4×8 micro-tile and the KC=256 / MC=64
// blocks), strided operands (leading dimensions wider than the rows, nonzero offsets), overwrite and
// accumulate, float32 and float64. Bounded by counts, not time.
//
// Tolerance: float32 accumulation of K products has a forward error ≤ K·u·Σ|a·b| (Higham, "Accuracy
// and Stability of Numerical Algorithms", §3.1, u = 2⁻²⁴); we require the error relative to Σ|a·b|
// to be ≤ 1e-5, which holds for K ≤ 168 even in the worst case and in practice (errors grow like
// √K·u) far beyond the sizes here. float64 inputs must give ≤ 1e-13.
import * as assert from "node:assert/strict";
import { gemmInfo, gemmNN, gemmNT, gemmTN, setGemmBackend, type GemmBackend } from "../../../src/engine/gemm";
import { values } from "./gemmValues";


type Orientation = "NN" | "NT" | "TN";

/**
 * Runs one orientation on strided operands and checks every element of C (and that the gaps between
 * C's rows and the elements around C are untouched). Returns the worst relative error.
 */
function check(kind: Orientation, m: number, n: number, k: number, accumulate: boolean, f64: boolean): number {
  const aRows = kind === "TN" ? k : m, aCols = kind === "TN" ? m : k;
  const bRows = kind === "NT" ? n : k, bCols = kind === "NT" ? k : n;
  const lda = aCols + 3, ldb = bCols + 1, ldc = n + 2;
  const aOff = 5, bOff = 2, cOff = 7;
  const a = values(aOff + aRows * lda, 1 + m, f64);
  const b = values(bOff + bRows * ldb, 2 + n, f64);
  const c = values(cOff + m * ldc + 3, 3 + k, f64);
  const before = c.slice();
  const A = (i: number, p: number) => (kind === "TN" ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
  const B = (p: number, j: number) => (kind === "NT" ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]);
  const gemm = kind === "NN" ? gemmNN : kind === "NT" ? gemmNT : gemmTN;
  gemm(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const at = cOff + i * ldc + j;
      if (j >= n) {
        assert.equal(c[at], before[at], `${kind} ${m}×${n}×${k}: gap C[${i}, ${j}] modified`);
        continue;
      }
      let want = accumulate ? before[at] : 0;
      let scale = Math.abs(want);
      for (let p = 0; p < k; p++) {
        want += A(i, p) * B(p, j);
        scale += Math.abs(A(i, p) * B(p, j));
      }
      const err = scale === 0 ? Math.abs(c[at]) : Math.abs(c[at] - want) / scale;
      worst = Math.max(worst, err);
    }
  }
  for (let q = 0; q < cOff; q++) assert.equal(c[q], before[q], `${kind}: element before C modified`);
  for (let q = cOff + (m - 1) * ldc + n; q < c.length; q++) assert.equal(c[q], before[q], `${kind}: element after C modified`);
  return worst;
}

// Sizes: 1 and below-tile, exact tiles, tile + remainders in every dimension, K across the KC=256
// block boundary, M across the MC=64 block boundary.
const SIZES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 2], [4, 8, 1], [4, 8, 7], [5, 9, 3], [7, 17, 13], [13, 31, 29],
  [32, 64, 16], [33, 65, 17], [65, 11, 5], [6, 40, 257], [9, 8, 513], [67, 23, 300],
];

describe("gemm (fast kernels)", () => {
  afterEach(() => setGemmBackend("auto"));

  it("has a WASM SIMD kernel on this Node (the fast path is the one under test)", () => {
    const info = gemmInfo();
    assert.ok(info.wasmSimd, `WASM SIMD kernel unavailable: ${info.reason}`);
  });

  for (const backend of ["wasm", "js", "auto"] as GemmBackend[]) {
    for (const kind of ["NN", "NT", "TN"] as Orientation[]) {
      it(`${backend} ${kind}: float32 equals the float64 triple loop within 1e-5 relative, odd sizes, overwrite and accumulate`, () => {
        setGemmBackend(backend);
        for (const [m, n, k] of SIZES) {
          for (const accumulate of [false, true]) {
            const err = check(kind, m, n, k, accumulate, false);
            assert.ok(err <= 1e-5, `${backend} ${kind} ${m}×${n}×${k} accumulate=${accumulate}: relative error ${err}`);
          }
        }
      });
    }
  }

  it("float64 operands take the TypeScript path and stay float64-exact (gradient checks rely on it)", () => {
    setGemmBackend("wasm");
    for (const kind of ["NN", "NT", "TN"] as Orientation[]) {
      for (const [m, n, k] of SIZES.slice(0, 9)) {
        const err = check(kind, m, n, k, true, true);
        assert.ok(err <= 1e-13, `${kind} ${m}×${n}×${k}: float64 relative error ${err}`);
      }
    }
  });

  it("empty sums: K = 0 zeroes C (or leaves it when accumulating); M or N = 0 touches nothing", () => {
    for (const backend of ["wasm", "js"] as GemmBackend[]) {
      setGemmBackend(backend);
      const c = new Float32Array([1, 2, 3, 4, 5, 6]);
      gemmNN(2, 2, 0, new Float32Array(0), 0, 0, new Float32Array(0), 0, 2, c, 1, 3, true);
      assert.deepEqual([...c], [1, 2, 3, 4, 5, 6]);
      gemmNN(2, 2, 0, new Float32Array(0), 0, 0, new Float32Array(0), 0, 2, c, 1, 3, false);
      assert.deepEqual([...c], [1, 0, 0, 4, 0, 0]);
      gemmNT(0, 3, 4, new Float32Array(8), 0, 4, new Float32Array(12), 0, 4, c, 0, 3, false);
      assert.deepEqual([...c], [1, 0, 0, 4, 0, 0]);
    }
  });

  it("WASM and TypeScript paths agree on a recurrent-step-sized product (B=32, H=128, 4H=512)", () => {
    const [m, n, k] = [32, 512, 128];
    const a = values(m * k, 7), b = values(k * n, 8);
    const out: Float32Array[] = [];
    for (const backend of ["wasm", "js"] as GemmBackend[]) {
      setGemmBackend(backend);
      const c = new Float32Array(m * n);
      gemmNN(m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
      out.push(c);
    }
    let worst = 0;
    for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(out[0][i] - out[1][i]));
    assert.ok(worst < 1e-5, `max |wasm − js| = ${worst}`);
  });
});
