/**
 * The curves of a run comparison (RunsComparePayload), computed the same way by the renderer's view,
 * its SVG export and the kernel's SVG fallback: x by the chosen axis, y raw and smoothed.
 */
import type { RunsComparePayload, RunsCompareRun, RunsCompareSeries, RunsXAxis } from "./payloads";
import { smoothEma } from "./smoothing";

/** A per-step series' name beside the per-epoch metrics: "loss" → "batchLoss", "acc" → "batchAcc". */
export function perStepName(key: string): string {
  return `batch${key.charAt(0).toUpperCase()}${key.slice(1)}`;
}

/** Whether a metric of a comparison is per step (batch), not per epoch. */
export function isPerStep(metric: string): boolean {
  return /^batch[A-Z]/.test(metric);
}

export interface RunCurve {
  x: number[];
  raw: (number | null)[];
  /** TensorBoard's debiased EMA of `raw` (missing points stay missing); equal to raw at smoothing 0. */
  smoothed: (number | null)[];
}

/** x of each point of a series on `axis` (see RunsXAxis). */
export function seriesX(s: RunsCompareSeries, wallTimeMs: number, axis: RunsXAxis): number[] {
  if (axis === "step") return s.steps.slice();
  const span = s.end - s.start;
  // a run of one point (or a hostile file's empty span): everything at the run's end
  const fraction = (step: number) => (span > 0 ? (step - s.start) / span : 1);
  return axis === "relative" ? s.steps.map(fraction) : s.steps.map((step) => (fraction(step) * wallTimeMs) / 1000);
}

/** One run's curve of `metric`, or undefined when the run did not record it. */
export function runCurve(run: RunsCompareRun, metric: string, axis: RunsXAxis, smoothing: number): RunCurve | undefined {
  const s = run.series.find((x) => x.metric === metric);
  if (!s) return undefined;
  const smoothed = smoothing > 0 ? smoothEma(s.values.map((v) => v ?? NaN), smoothing).map((v) => (Number.isFinite(v) ? v : null)) : s.values.slice();
  return { x: seriesX(s, run.wallTimeMs, axis), raw: s.values.slice(), smoothed };
}

/** The x-axis caption: what a step is depends on the metric (per-batch loss counts batches). */
export function runsXLabel(axis: RunsXAxis, metric: string): string {
  if (axis === "relative") return "fraction of the run";
  if (axis === "time") return "wall time (s)";
  return isPerStep(metric) ? "batch" : "epoch";
}

/** A run's configuration value as the table shows it. */
export function configText(v: string | number | boolean | null | undefined): string {
  return v === undefined ? "—" : v === null ? "none" : String(v);
}

/** The run's final value of a metric, if recorded. */
export function finalValue(run: RunsCompareRun, metric: string): number | null | undefined {
  return run.series.find((s) => s.metric === metric)?.final;
}

/** Runs that recorded `metric`. */
export function runsWith(p: RunsComparePayload, metric: string): RunsCompareRun[] {
  return p.runs.filter((r) => r.series.some((s) => s.metric === metric));
}
