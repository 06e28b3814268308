// Prepared B operands: gemmPrepared (B copied and packed into WASM memory once, reused by
// many products) against the plain TypeScript gemmNN / gemmNT on the same operands, for odd sizes
// (partial NR = 16 panels, K across the KC = 256 block boundary, M across MC = 64), strided operands,
// both B forms (B and Bᵀ), overwrite and accumulate, several A per handle, and several live handles
// interleaved with ordinary products (which use the WASM scratch memory above the prepared ones).
//
// Tolerance: both sides sum the same K float32 products in different orders (and the WASM side may
// fuse multiply-adds), so each is within K·u·Σ|a·b| of the exact sum (Higham, "Accuracy and Stability
// of Numerical Algorithms", §3.1, u = 2⁻²⁴) and errors grow like √K·u in practice; as in
// gemm.test.ts we require |prepared − ts| ≤ 1e-5·Σ|a·b| (plus the accumulated C's magnitude).
// float64 operands take the TypeScript path on both sides and must agree exactly.
import * as assert from "node:assert/strict";
import { gemmNN, gemmNT, gemmPrepared, prepareB, releaseB, setGemmBackend, type GemmBackend } from "../../../src/engine/gemm";
import type { FloatArray } from "../../../src/engine/tensor";
import { values } from "./gemmValues";


interface Operand { k: number; n: number; b: FloatArray; bOff: number; ldb: number; transposed: boolean }

function operand(k: number, n: number, transposed: boolean, seed: number, f64: boolean): Operand {
  const rows = transposed ? n : k, cols = transposed ? k : n;
  const ldb = cols + 3, bOff = 4;
  return { k, n, b: values(bOff + rows * ldb, seed, f64), bOff, ldb, transposed };
}

/**
 * One product through the prepared handle and the same product through the TypeScript kernel;
 * returns the worst |difference| / (Σ|a·b| + |C before|), and checks C's row gaps are untouched.
 */
function compare(op: Operand, pb: ReturnType<typeof prepareB>, backend: GemmBackend, m: number, accumulate: boolean, seed: number, f64: boolean): number {
  const { k, n } = op;
  const lda = k + 2, aOff = 3, ldc = n + 5, cOff = 6;
  const a = values(aOff + m * lda, seed, f64);
  const c0 = values(cOff + m * ldc + 2, seed + 1, f64);
  const got = c0.slice(), want = c0.slice();
  setGemmBackend(backend);
  gemmPrepared(m, a, aOff, lda, pb, got, cOff, ldc, accumulate);
  setGemmBackend("js");
  (op.transposed ? gemmNT : gemmNN)(m, n, k, a, aOff, lda, op.b, op.bOff, op.ldb, want, cOff, ldc, accumulate);
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const at = cOff + i * ldc + j;
      if (j >= n) {
        assert.equal(got[at], c0[at], `gap C[${i}, ${j}] modified`);
        continue;
      }
      let scale = accumulate ? Math.abs(c0[at]) : 0;
      for (let p = 0; p < k; p++) {
        const bv = op.transposed ? op.b[op.bOff + j * op.ldb + p] : op.b[op.bOff + p * op.ldb + j];
        scale += Math.abs(a[aOff + i * lda + p] * bv);
      }
      worst = Math.max(worst, scale === 0 ? Math.abs(got[at] - want[at]) : Math.abs(got[at] - want[at]) / scale);
    }
  }
  for (let q = 0; q < cOff; q++) assert.equal(got[q], c0[q], "element before C modified");
  for (let q = cOff + (m - 1) * ldc + n; q < got.length; q++) assert.equal(got[q], c0[q], "element after C modified");
  return worst;
}

// (M, K, N): 1 and below a tile, partial NR panels, exact panels, K across KC = 256, M across MC = 64,
// and the recurrent shapes (B, H, 4H) and (B, 4H, H).
const SIZES: [number, number, number][] = [
  [1, 1, 1], [3, 2, 5], [2, 7, 16], [5, 13, 17], [7, 29, 31], [32, 16, 64], [33, 17, 65],
  [65, 5, 11], [6, 257, 40], [9, 513, 8], [67, 300, 23], [32, 128, 512], [32, 512, 128],
];

describe("gemmPrepared (recurrent kernel packed once per pass)", () => {
  afterEach(() => setGemmBackend("auto"));

  for (const backend of ["wasm", "auto", "js"] as GemmBackend[]) {
    for (const transposed of [false, true]) {
      it(`${backend} ${transposed ? "Bᵀ (gemmNT form)" : "B (gemmNN form)"}: equals the TypeScript gemm within 1e-5·Σ|a·b|, odd sizes, three A per handle`, () => {
        for (const [m, k, n] of SIZES) {
          const op = operand(k, n, transposed, 11 + k + n, false);
          const pb = prepareB(k, n, op.b, op.bOff, op.ldb, transposed);
          for (let rep = 0; rep < 3; rep++) {
            const accumulate = rep === 1;
            const err = compare(op, pb, backend, m, accumulate, 100 * rep + m, false);
            assert.ok(err <= 1e-5, `${backend} ${m}×${k}×${n} transposed=${transposed} accumulate=${accumulate}: relative error ${err}`);
          }
          releaseB(pb);
        }
      });
    }
  }

  it("several live handles survive ordinary products in between, released in any order", () => {
    setGemmBackend("wasm");
    const ops = [operand(128, 512, false, 1, false), operand(512, 128, true, 2, false), operand(40, 33, false, 3, false)];
    const pbs = ops.map((o) => prepareB(o.k, o.n, o.b, o.bOff, o.ldb, o.transposed));
    for (let round = 0; round < 2; round++) {
      ops.forEach((o, i) => {
        // A large ordinary product between prepared ones reuses the scratch memory above them.
        const big = values(200 * 300, 9 + round);
        gemmNN(200, 300, 200, big, 0, 300, big, 0, 300, new Float32Array(200 * 300), 0, 300, false);
        const err = compare(o, pbs[i], "wasm", 32, round === 1, 50 + i, false);
        assert.ok(err <= 1e-5, `handle ${i} round ${round}: relative error ${err}`);
      });
    }
    releaseB(pbs[0]); // not the newest: its memory stays held until the others go
    const err = compare(ops[2], pbs[2], "wasm", 7, true, 77, false);
    assert.ok(err <= 1e-5, `after releasing an older handle: relative error ${err}`);
    releaseB(pbs[2]);
    releaseB(pbs[1]);
    releaseB(pbs[1]); // twice is harmless
    assert.throws(() => gemmPrepared(1, new Float32Array(128), 0, 128, pbs[0], new Float32Array(512), 0, 512, false), /released/);
  });

  for (const backend of ["wasm", "auto", "js"] as GemmBackend[]) {
    it(`${backend} with a bias (GRU's bR): C = A·B + 1·biasᵀ equals gemmNN + a row-wise add within 1e-5·(Σ|a·b| + |bias|)`, () => {
      for (const [m, k, n] of SIZES) {
        for (const transposed of [false, true]) {
          const op = operand(k, n, transposed, 21 + k, false);
          const pb = prepareB(k, n, op.b, op.bOff, op.ldb, transposed);
          const lda = k + 1, ldc = n + 2;
          const a = values(m * lda, 7 + m), bias = values(n + 1, 8 + n), c0 = values(m * ldc, 9);
          const got = c0.slice(), want = c0.slice();
          setGemmBackend(backend);
          gemmPrepared(m, a, 0, lda, pb, got, 0, ldc, false, bias, 1);
          setGemmBackend("js");
          (transposed ? gemmNT : gemmNN)(m, n, k, a, 0, lda, op.b, op.bOff, op.ldb, want, 0, ldc, false);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < ldc; j++) {
              const at = i * ldc + j;
              if (j >= n) {
                assert.equal(got[at], c0[at], "gap modified");
                continue;
              }
              let scale = Math.abs(bias[1 + j]);
              for (let p = 0; p < k; p++) {
                scale += Math.abs(a[i * lda + p] * (transposed ? op.b[op.bOff + j * op.ldb + p] : op.b[op.bOff + p * op.ldb + j]));
              }
              const err = Math.abs(got[at] - (want[at] + bias[1 + j])) / scale;
              assert.ok(err <= 1e-5, `${backend} ${m}×${k}×${n} transposed=${transposed}: relative error ${err}`);
            }
          }
          releaseB(pb);
        }
      }
    });
  }

  it("float64 operands take the TypeScript path: identical to gemmNN / gemmNT", () => {
    for (const transposed of [false, true]) {
      for (const [m, k, n] of SIZES.slice(0, 8)) {
        const op = operand(k, n, transposed, 5 + k, true);
        const pb = prepareB(k, n, op.b, op.bOff, op.ldb, transposed);
        assert.equal(compare(op, pb, "wasm", m, true, 3 + m, true), 0);
        releaseB(pb);
      }
    }
  });
});
