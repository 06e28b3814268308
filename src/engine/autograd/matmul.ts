/**
 * Matrix product with torch.matmul's rules, on the engine's GEMM (gemm.ts) for every 2-D block.
 *
 * Dimension letters: M rows of a, K the summed axis, N columns of b; "batch" = the leading axes.
 *   a is (…batchA, M, K), b is (…batchB, K, N)  →  (…broadcast(batchA, batchB), M, N)
 * A 1-D a is treated as (1, K) and a 1-D b as (K, 1), and that axis is removed from the result (so
 * 1-D · 1-D is a dot product, a scalar). Batch axes broadcast (broadcast.ts).
 *
 * Backward, per batch entry p (pa, pb: the entries of a and b it used):
 *   da[pa] += g[p] · b[pb]ᵀ   (gemmNT)      db[pb] += a[pa]ᵀ · g[p]   (gemmTN)
 * accumulating, so an operand broadcast over the batch gets the sum of its uses.
 */
import { gemmNN, gemmNT, gemmTN } from "../gemm";
import { allocFloats, sizeOf, Tensor, type FloatArray } from "../tensor";
import { broadcastIndex, broadcastShapes, resultDtype, shapeText } from "./broadcast";
import { track } from "./graph";

/** x's values in `dtype` (the same array when it already is). */
function dataIn(x: Tensor, dtype: "float32" | "float64"): FloatArray {
  if (x.dtype === dtype) return x.data;
  const out = allocFloats(x.size, dtype);
  out.set(x.data);
  return out;
}

/** The matrix product of a and b, as torch.matmul (see the header). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank === 0 || b.rank === 0) {
    throw new Error(`matmul: both operands need at least one axis, got shapes ${shapeText(a.shape)} and ${shapeText(b.shape)}`);
  }
  const as = a.rank === 1 ? [1, a.shape[0]] : a.shape;
  const bs = b.rank === 1 ? [b.shape[0], 1] : b.shape;
  const M = as[as.length - 2], K = as[as.length - 1], N = bs[bs.length - 1];
  if (bs[bs.length - 2] !== K) {
    throw new Error(`matmul: shapes ${shapeText(a.shape)} and ${shapeText(b.shape)} cannot be multiplied (${K} ≠ ${bs[bs.length - 2]})`);
  }
  const batchA = as.slice(0, -2), batchB = bs.slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes("matmul", batchA, batchB);
  } catch {
    throw new Error(`matmul: shapes ${shapeText(a.shape)} and ${shapeText(b.shape)} have batch axes ${shapeText(batchA)} and ${shapeText(batchB)} that cannot be broadcast together`);
  }
  const mapA = broadcastIndex(batchA, batch), mapB = broadcastIndex(batchB, batch);
  const dtype = resultDtype(a.dtype, b.dtype);
  const ad = dataIn(a, dtype), bd = dataIn(b, dtype);
  const nb = sizeOf(batch);
  const out = allocFloats(nb * M * N, dtype);
  for (let p = 0; p < nb; p++) {
    const pa = mapA ? mapA[p] : p, pb = mapB ? mapB[p] : p;
    gemmNN(M, N, K, ad, pa * M * K, K, bd, pb * K * N, N, out, p * M * N, N, false);
  }
  const shape = [...batch];
  if (a.rank > 1) shape.push(M);
  if (b.rank > 1) shape.push(N);
  return track(new Tensor(out, shape), "matmul", [a, b], (g) => {
    const gd = g.data;
    let ga: Tensor | null = null, gb: Tensor | null = null;
    if (a.requiresGrad) {
      const d = allocFloats(a.size, g.dtype);
      for (let p = 0; p < nb; p++) {
        const pa = mapA ? mapA[p] : p, pb = mapB ? mapB[p] : p;
        gemmNT(M, K, N, gd, p * M * N, N, bd, pb * K * N, N, d, pa * M * K, K, true); // g[M,N] · b[K,N]ᵀ
      }
      ga = new Tensor(d, a.shape);
    }
    if (b.requiresGrad) {
      const d = allocFloats(b.size, g.dtype);
      for (let p = 0; p < nb; p++) {
        const pa = mapA ? mapA[p] : p, pb = mapB ? mapB[p] : p;
        gemmTN(K, N, M, ad, pa * M * K, K, gd, p * M * N, N, d, pb * K * N, N, true); // a[M,K]ᵀ · g[M,N]
      }
      gb = new Tensor(d, b.shape);
    }
    return [ga, gb];
  });
}
