/**
 * Principal component analysis in float64: centre the rows, form the covariance, diagonalise it with
 * cyclic Jacobi rotations (Golub & Van Loan, Matrix Computations, 4th ed., §8.5.2: each rotation
 * zeroes one off-diagonal pair; sweeps over all pairs converge quadratically). Jacobi suits the small
 * symmetric matrices here (K ≤ a few hundred units): it is short, needs no tridiagonal reduction and
 * gives eigenvectors accurate to working precision even for close eigenvalues.
 *
 * Dimension letters: M rows (samples), K columns (units), P components kept.
 */

/** Eigenvalues (descending) and unit eigenvectors (column j of `vectors` [K, K] row-major belongs to values[j]). */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric matrix A [K, K] (row-major; only symmetry is assumed, A is not
 * modified) by cyclic Jacobi. Stops when the off-diagonal mass is below 1e-30 of the total, or after
 * 100 sweeps (never reached in practice: 6–10 sweeps suffice for K in the hundreds).
 */
export function symmetricEigen(A: ArrayLike<number>, K: number): SymmetricEigen {
  const a = Float64Array.from(A);
  const v = new Float64Array(K * K);
  for (let i = 0; i < K; i++) v[i * K + i] = 1;
  let total = 0;
  for (let i = 0; i < K * K; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < K; p++) for (let q = p + 1; q < K; q++) off += 2 * a[p * K + q] * a[p * K + q];
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < K - 1; p++) {
      for (let q = p + 1; q < K; q++) {
        const apq = a[p * K + q];
        if (apq === 0) continue;
        // The rotation angle that zeroes a[p][q]: tan θ = t, the smaller root of t² + 2τt − 1 = 0 (stable form).
        const tau = (a[q * K + q] - a[p * K + p]) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t), s = t * c;
        for (let k = 0; k < K; k++) { // A ← A·J (columns p, q)
          const akp = a[k * K + p], akq = a[k * K + q];
          a[k * K + p] = c * akp - s * akq;
          a[k * K + q] = s * akp + c * akq;
        }
        for (let k = 0; k < K; k++) { // A ← Jᵀ·A (rows p, q)
          const apk = a[p * K + k], aqk = a[q * K + k];
          a[p * K + k] = c * apk - s * aqk;
          a[q * K + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < K; k++) { // V ← V·J accumulates the eigenvectors
          const vkp = v[k * K + p], vkq = v[k * K + q];
          v[k * K + p] = c * vkp - s * vkq;
          v[k * K + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: K }, (_, i) => i).sort((i, j) => a[j * K + j] - a[i * K + i]);
  const values = Float64Array.from(order, (i) => a[i * K + i]);
  const vectors = new Float64Array(K * K);
  order.forEach((src, j) => { for (let k = 0; k < K; k++) vectors[k * K + j] = v[k * K + src]; });
  return { values, vectors };
}

/** What `pca` returns. */
export interface PcaResult {
  /** Rows projected on the top P components, [M, P] row-major. */
  scores: Float64Array;
  /** Each kept component's fraction of the total variance (scikit-learn's explained_variance_ratio_). */
  explainedVarianceRatio: number[];
  /** The kept components as columns, [K, P] row-major. */
  components: Float64Array;
  /** Column means, [K]. */
  mean: Float64Array;
}

/**
 * PCA of the rows of X [M, K] (M ≥ 2) onto P ≤ K components. Covariance with the M − 1 divisor (as
 * scikit-learn; the ratios do not depend on it). Sign convention: each component's entry of largest
 * magnitude is positive (scikit-learn's svd_flip, so results are deterministic). A data set with no
 * variance at all gives ratios of 0.
 */
export function pca(X: ArrayLike<number>, M: number, K: number, P: number): PcaResult {
  const mean = new Float64Array(K);
  for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) mean[k] += X[m * K + k];
  for (let k = 0; k < K; k++) mean[k] /= M;
  const Z = new Float64Array(M * K);
  for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) Z[m * K + k] = X[m * K + k] - mean[k];
  const cov = new Float64Array(K * K);
  for (let m = 0; m < M; m++) {
    const row = m * K;
    for (let i = 0; i < K; i++) {
      const zi = Z[row + i];
      if (zi === 0) continue;
      for (let j = i; j < K; j++) cov[i * K + j] += zi * Z[row + j];
    }
  }
  for (let i = 0; i < K; i++) for (let j = i; j < K; j++) cov[j * K + i] = cov[i * K + j] /= M - 1;
  const { values, vectors } = symmetricEigen(cov, K);
  let total = 0;
  for (let i = 0; i < K; i++) total += cov[i * K + i]; // trace = Σ eigenvalues, exact up to rounding
  const components = new Float64Array(K * P);
  const explainedVarianceRatio: number[] = [];
  for (let p = 0; p < P; p++) {
    let big = 0;
    for (let k = 0; k < K; k++) if (Math.abs(vectors[k * K + p]) > Math.abs(big)) big = vectors[k * K + p];
    const sign = big < 0 ? -1 : 1;
    for (let k = 0; k < K; k++) components[k * P + p] = sign * vectors[k * K + p];
    explainedVarianceRatio.push(total > 0 ? Math.max(0, values[p]) / total : 0);
  }
  const scores = new Float64Array(M * P);
  for (let m = 0; m < M; m++) {
    for (let p = 0; p < P; p++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += Z[m * K + k] * components[k * P + p];
      scores[m * P + p] = s;
    }
  }
  return { scores, explainedVarianceRatio, components, mean };
}
