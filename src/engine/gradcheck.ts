/**
 * Gradient checking by central differences, for float64 models. For every checked entry θ_k the
 * fourth-order central difference (the five-point stencil)
 *   numeric_k = (−L(θ+2ε) + 8·L(θ+ε) − 8·L(θ−ε) + L(θ−2ε)) / (12ε)      (error O(ε⁴))
 * is compared with the analytic gradient from backward (order 2 uses (L(θ+ε) − L(θ−ε)) / (2ε), error
 * O(ε²)). The relative error of one entry is
 *   |analytic − numeric| / max(|analytic|, |numeric|, floor).
 * Why the five-point stencil: with the plain two-point difference, rounding (~1e-16·|L|/ε) and
 * truncation (~ε²) together leave an absolute error ~1e-10 at best, which is a relative error above
 * 1e-6 for gradient entries of size 1e-4 — common in recurrent kernels. With ε = 1e-3 the stencil's
 * rounding (~1e-13) and truncation (~ε⁴ = 1e-12 times a derivative) are both far smaller. The floor
 * (default 1e-6) only matters for entries whose true gradient is ~0.
 */
import type { FloatArray } from "./tensor";

/** One tensor to check: its values (perturbed in place, then restored) and the analytic gradient. */
export interface CheckedTensor {
  name: string;
  value: FloatArray;
  grad: FloatArray;
}

/**
 * What `rnn.gradCheck` checks: float64 tensors with their analytic gradients, and two loss callbacks. For a
 * `dtype: "float64"` model: tensors from `model.weightEntries()` (`value: e.param.value, grad: e.param.grad`) and
 * `const f = () => model.computeGradients(x, y, { loss: "mse" }).loss` as both `lossAndGrads` and `loss`.
 */
export interface GradCheckTarget {
  /** The tensors to perturb entry by entry (each value must be a Float64Array). */
  tensors: CheckedTensor[];
  /** Forward + backward at the current values; must overwrite (not accumulate into) every `grad`. */
  lossAndGrads(): number;
  /** Forward only at the current values. */
  loss(): number;
}

export interface GradCheckOptions {
  /** Step ε (default 1e-3 for order 4, 1e-6 for order 2). */
  eps?: number;
  /** Accuracy order of the central difference: 4 (five-point stencil, default) or 2. */
  order?: 2 | 4;
  /** Floor of the relative-error denominator (default 1e-6). */
  floor?: number;
  /** Check at most this many entries per tensor, evenly spread (default all). */
  maxPerTensor?: number;
}

/** Result of `rnn.gradCheck`: worst errors overall and per tensor (the engine's own tests require maxRelError < 1e-6). */
export interface GradCheckReport {
  /** Largest |analytic − numeric| / max(|analytic|, |numeric|, floor) over every checked entry. */
  maxRelError: number;
  /** Largest |analytic − numeric| over every checked entry. */
  maxAbsError: number;
  /** Per tensor: entries checked, its worst relative and absolute errors, and the flat index of the worst relative error (−1 if none). */
  perTensor: { name: string; checked: number; maxRelError: number; maxAbsError: number; worstIndex: number }[];
}

/** Central-difference check of every (or a spread sample of every) tensor entry. */
export function gradCheck(target: GradCheckTarget, options: GradCheckOptions = {}): GradCheckReport {
  const order = options.order ?? 4;
  const eps = options.eps ?? (order === 4 ? 1e-3 : 1e-6);
  const floor = options.floor ?? 1e-6;
  for (const t of target.tensors) {
    if (!(t.value instanceof Float64Array)) throw new Error(`gradCheck: ${t.name} is not float64 — build the model with dtype "float64"`);
  }
  target.lossAndGrads();
  const analytic = target.tensors.map((t) => t.grad.slice());
  const report: GradCheckReport = { maxRelError: 0, maxAbsError: 0, perTensor: [] };
  target.tensors.forEach((t, ti) => {
    const n = t.value.length;
    const count = Math.min(n, options.maxPerTensor ?? n);
    let maxRel = 0, maxAbs = 0, worst = -1;
    for (let c = 0; c < count; c++) {
      const k = count === n ? c : Math.floor((c * n) / count);
      const orig = t.value[k];
      const at = (delta: number): number => {
        t.value[k] = orig + delta;
        return target.loss();
      };
      const numeric = order === 4
        ? (-at(2 * eps) + 8 * at(eps) - 8 * at(-eps) + at(-2 * eps)) / (12 * eps)
        : (at(eps) - at(-eps)) / (2 * eps);
      t.value[k] = orig;
      const a = analytic[ti][k];
      const abs = Math.abs(a - numeric);
      const rel = abs / Math.max(Math.abs(a), Math.abs(numeric), floor);
      if (rel > maxRel) { maxRel = rel; worst = k; }
      if (abs > maxAbs) maxAbs = abs;
    }
    report.perTensor.push({ name: t.name, checked: count, maxRelError: maxRel, maxAbsError: maxAbs, worstIndex: worst });
    report.maxRelError = Math.max(report.maxRelError, maxRel);
    report.maxAbsError = Math.max(report.maxAbsError, maxAbs);
  });
  return report;
}
