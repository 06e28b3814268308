// gemmTN with bSums (a weight gradient Xᵀ·dZ and its bias gradient Σ rows of dZ in one call,
// the sums taken while the WASM path holds dZ in its memory) against the TypeScript gemmTN followed by
// ops.ts's addColumnSums, for odd sizes (N not a multiple of 4: the scalar tail; K across the KC = 256
// block boundary), a strided, offset B and an offset sums array whose neighbours must stay untouched.
//
// Tolerance: the product C is the same call as without sums (gemm.test.ts covers its accuracy), so C
// is compared exactly with gemmTN on the same backend. The sums must be bit-identical to
// addColumnSums: both add each column's K values in row order and round to float32 after every add
// (the WASM f32x4.add rounds once in float32; the JavaScript += rounds the float64 sum of two float32
// values to float32, which is the same number since 53 ≥ 2·24 + 2 bits — Figueroa, "When is double
// rounding innocuous?", SIGNUM 1995).
import * as assert from "node:assert/strict";
import { gemmInfo, gemmTN, setGemmBackend, type GemmBackend } from "../../../src/engine/gemm";
import { addColumnSums } from "../../../src/engine/ops";
import { values } from "./gemmValues";


function check(backend: GemmBackend, m: number, n: number, k: number, f64: boolean): void {
  const lda = m + 1, ldb = n + 2, ldc = n;
  const aOff = 2, bOff = 3, sOff = 1;
  const a = values(aOff + k * lda, 1 + m, f64), b = values(bOff + k * ldb, 2 + n, f64);
  const c0 = values(m * ldc, 4 + k, f64), s0 = values(sOff + n + 2, 5 + n, f64);
  const gotC = c0.slice(), gotS = s0.slice(), wantC = c0.slice(), wantS = s0.slice();
  const before = gemmInfo().backend; // a forced run (scripts/bench/force-gemm.cjs) keeps its backend
  setGemmBackend(backend);
  try {
    gemmTN(m, n, k, a, aOff, lda, b, bOff, ldb, gotC, 0, ldc, true, gotS, sOff);
    gemmTN(m, n, k, a, aOff, lda, b, bOff, ldb, wantC, 0, ldc, true);
  } finally {
    setGemmBackend(before);
  }
  addColumnSums(b, bOff, k, n, ldb, wantS, sOff);
  assert.deepEqual(gotC, wantC, `C ${backend} ${m}×${n}×${k}`);
  assert.deepEqual(gotS, wantS, `column sums ${backend} ${m}×${n}×${k}`);
}

describe("gemmTN with column sums of B (weight and bias gradient in one call)", () => {
  const shapes: [number, number, number][] = [[7, 13, 300], [16, 24, 64], [5, 3, 9], [33, 50, 257], [0, 6, 11]];
  for (const backend of ["wasm", "js", "auto"] as GemmBackend[]) {
    it(`${backend}: C as gemmTN alone and sums bit-identical to addColumnSums (float32)`, () => {
      for (const [m, n, k] of shapes) check(backend, m, n, k, false);
    });
  }
  it("float64 (TypeScript path): identical to addColumnSums", () => {
    for (const [m, n, k] of shapes) check("auto", m, n, k, true);
  });
});
