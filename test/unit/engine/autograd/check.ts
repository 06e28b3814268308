// Shared helpers of the autograd tests (not a test file itself): seeded float64 inputs and the
// central-difference gradient check of src/engine/gradcheck.ts (five-point stencil, ε = 1e-3;
// relative error |analytic − numeric| / max(|analytic|, |numeric|, 1e-6)) applied to any tensor
// function. The function's output is contracted with fixed random weights, L = Σ w ⊙ f(inputs),
// so every output entry gets a different upstream gradient (a plain sum would hide transposed or
// swapped gradients in symmetric cases).
import * as assert from "node:assert/strict";
import { gradCheck } from "../../../../src/engine/gradcheck";
import { noGrad, Tensor, tensor } from "../../../../src/engine/index";

/** Seeded uniform values in [lo, hi) (a 32-bit LCG, Numerical Recipes constants). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + (hi - lo) * (s / 2 ** 32));
  }
  return out;
}

/**
 * A float64 leaf of `shape` with seeded values whose magnitudes lie in [0.2, 1.2) and signs are
 * mixed (or all positive with `positive`): at least 0.2 from the kinks of relu/abs and the poles of
 * log/div, far beyond the stencil's 2ε reach.
 */
export function leaf(shape: number[], seed: number, positive = false): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const mags = uniform(n, seed, 0.2, 1.2);
  const signs = uniform(n, seed + 7919, -1, 1);
  const values = mags.map((m, i) => (positive || signs[i] >= 0 ? m : -m));
  return tensor(Float64Array.from(values), shape, { requiresGrad: true });
}

/** Checks d(Σ w ⊙ f(inputs))/d input for every input entry: max relative error < 1e-6. Returns the report's worst error. */
export function checkGradients(what: string, f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): number {
  const probe = noGrad(() => f(...inputs));
  const w = tensor(Float64Array.from(uniform(probe.size, 12345, -1, 1)), probe.shape);
  const loss = (): Tensor => f(...inputs).mul(w).sum();
  const grads = inputs.map((x) => new Float64Array(x.size));
  const report = gradCheck({
    tensors: inputs.map((x, i) => ({ name: `input ${i}`, value: x.data, grad: grads[i] })),
    lossAndGrads() {
      for (const x of inputs) x.grad = null;
      const l = loss();
      l.backward();
      inputs.forEach((x, i) => {
        assert.ok(x.grad, `${what}: input ${i} got no gradient`);
        assert.deepEqual(x.grad.shape, x.shape, `${what}: gradient shape of input ${i}`);
        grads[i].set(x.grad.data);
      });
      return l.item();
    },
    loss: () => noGrad(() => loss().item()),
  });
  assert.ok(report.maxRelError < 1e-6, `${what}: max relative error ${report.maxRelError} (${JSON.stringify(report.perTensor)})`);
  return report.maxRelError;
}

/** max |a − b| over equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "lengths differ");
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
