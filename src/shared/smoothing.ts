/**
 * TensorBoard's scalar smoothing, here in shared/ because both sides draw it: the engine's run
 * comparison (src/engine/runsCompare.ts) and the renderer's smoothing slider (src/renderer/runs.ts).
 */

/**
 * TensorBoard's scalar smoothing: an exponential moving average with weight w in [0, 1), debiased
 * by 1 − w^n after n finite points (so the first point is itself); non-finite points pass through
 * unchanged, and a constant series is returned as it is.
 */
export function smoothEma(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`smoothing must be in [0, 1), got ${weight}`);
  if (values.every((v) => v === values[0])) return values.slice();
  let last = 0, n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    n++;
    return last / (1 - weight ** n);
  });
}
