// The eigen-solver and PCA behind rnn.analysis.trajectory, against matrices whose decomposition is
// known by construction (A = Q·diag(λ)·Qᵀ with Q a product of Givens rotations) and against mathjs's
// `eigs` as an independent reference.
import * as assert from "node:assert/strict";
import * as math from "mathjs";
import { pca, symmetricEigen } from "../../../../src/engine/analysis/pca";
import { Rng } from "../../../../src/engine/random";

/** Q [K, K] row-major: the product of Givens rotations G(p, q, θ) over every pair, θ from a seeded stream. */
function rotation(K: number, seed: number): number[][] {
  const rng = new Rng(seed);
  let Q = math.identity(K) as math.Matrix;
  for (let p = 0; p < K; p++) {
    for (let q = p + 1; q < K; q++) {
      const th = rng.uniform(-Math.PI, Math.PI);
      const G = (math.identity(K) as math.Matrix).toArray() as number[][];
      G[p][p] = Math.cos(th); G[q][q] = Math.cos(th); G[p][q] = -Math.sin(th); G[q][p] = Math.sin(th);
      Q = math.multiply(Q, math.matrix(G));
    }
  }
  return Q.toArray() as number[][];
}

describe("engine/analysis/pca", () => {
  it("symmetricEigen recovers the eigenvalues and eigenvectors of Q·diag(λ)·Qᵀ", () => {
    const lambda = [7, 3.5, 2, 0.5, 0.25, -1]; // chosen; one negative to cover indefinite matrices
    const K = lambda.length;
    const Q = rotation(K, 3);
    const A = math.multiply(math.multiply(Q, math.diag(lambda)), math.transpose(Q)) as unknown as number[][];
    const { values, vectors } = symmetricEigen(A.flat(), K);
    // Descending order by construction of λ above; float64 Jacobi reaches ~1e-14, 1e-10 leaves room.
    lambda.forEach((l, j) => assert.ok(Math.abs(values[j] - l) < 1e-10, `λ${j}: ${values[j]} vs ${l}`));
    for (let j = 0; j < K; j++) {
      // Column j of `vectors` equals ± column j of Q (simple eigenvalues).
      const v = Array.from({ length: K }, (_, k) => vectors[k * K + j]);
      const q = Q.map((row) => row[j]);
      const dot = v.reduce((s, vi, k) => s + vi * q[k], 0);
      assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-10, `vector ${j}: |⟨v, q⟩| = ${Math.abs(dot)}`);
    }
  });

  it("explained variance ratios equal mathjs eigs of the sample covariance within 1e-6", () => {
    const rng = new Rng(11);
    const M = 40, K = 5;
    // Correlated data: z·L with a fixed mixing matrix, so the spectrum is spread.
    const L = Array.from({ length: K }, () => Array.from({ length: K }, () => rng.normal()));
    const Z = Array.from({ length: M }, () => Array.from({ length: K }, () => rng.normal()));
    const X = math.multiply(Z, L) as number[][];
    const r = pca(X.flat(), M, K, 3);
    // Reference: covariance with the M − 1 divisor (numpy.cov / scikit-learn), its eigenvalues by mathjs.
    const mean = math.mean(X, 0) as unknown as number[];
    const C = math.divide(math.multiply(math.transpose(math.subtract(X, X.map(() => mean)) as number[][]),
      math.subtract(X, X.map(() => mean)) as number[][]), M - 1) as number[][];
    const ev = (math.eigs(C).values as number[]).slice().sort((a, b) => b - a);
    const total = ev.reduce((a, b) => a + b, 0);
    ev.slice(0, 3).forEach((l, j) => assert.ok(Math.abs(r.explainedVarianceRatio[j] - l / total) < 1e-6, `component ${j}`));
    // Scores are the centred rows on the components, which are orthonormal.
    for (let p = 0; p < 3; p++) {
      for (let q = 0; q < 3; q++) {
        let d = 0;
        for (let k = 0; k < K; k++) d += r.components[k * 3 + p] * r.components[k * 3 + q];
        assert.ok(Math.abs(d - (p === q ? 1 : 0)) < 1e-12);
      }
    }
  });

  it("gives ratios of 0, not NaN, for data without variance", () => {
    const r = pca([1, 2, 1, 2, 1, 2], 3, 2, 2);
    assert.deepEqual(r.explainedVarianceRatio, [0, 0]);
  });
});
