// Test data shared by the GEMM tests (gemm, gemmPrepared, gemmBias, gemmColSums).
import type { FloatArray } from "../../../src/engine/tensor";

/** Deterministic values in [-0.5, 0.5) (a linear congruential generator; values only need variety). */
export function values(n: number, seed: number, f64 = false): FloatArray {
  const out = f64 ? new Float64Array(n) : new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}
