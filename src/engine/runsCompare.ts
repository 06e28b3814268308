/**
 * Comparing runs of the ledger (src/engine/runs.ts records): which runs, which of their configuration
 * keys differ, and the payload of the comparison view (application/vnd.rnn-notebook.runs+json) with
 * every metric of every run, so the view can switch metric, x axis and smoothing on its own.
 *
 * Size: each series is cut to at most `maxPoints` points and all series together to TOTAL_POINTS, by
 * block means of consecutive points (the mean of a block's finite values; its step is the block's
 * last step); a default comparison takes the last MAX_COMPARED_RUNS runs of a longer ledger and says so.
 */
import { MAX_COMPARED_RUNS, type RunsComparePayload, type RunsCompareRun, type RunsCompareSeries, type RunsXAxis } from "../shared/payloads";
import { perStepName } from "../shared/runsCurves";
import { differingKeys, type RunRecord } from "./runs";

export interface CompareOptions {
  /**
   * Metric to show first (default "loss", else the first one recorded): a per-epoch metric of the records,
   * or a per-batch one, named batch + Name ("batchLoss", a module loop's "batchAcc").
   */
  metric?: string;
  x?: RunsXAxis;
  /** TensorBoard's EMA weight in [0, 1) (default 0.6, TensorBoard's own default). */
  smoothing?: number;
  /** Which runs, by id or as records (default: every run of the ledger, the last MAX_COMPARED_RUNS of a longer one). */
  runs?: (string | RunRecord)[];
  /** Most points per series (default 1000). */
  maxPoints?: number;
  title?: string;
}

export interface Comparison {
  runs: RunRecord[];
  differingKeys: string[];
  payload: RunsComparePayload;
}

/** Most points of all series of one payload together. */
export const TOTAL_POINTS = 200_000;
const X_AXES: readonly RunsXAxis[] = ["step", "relative", "time"];

/** A record's value as a number (a ledger read back from JSON has null where a loss was NaN). */
const asNumber = (v: unknown): number => (typeof v === "number" ? v : NaN);

/** Block means of finite values, `every` points per block; each block's step is its last step. */
function reduce(steps: number[], values: number[], max: number): { steps: number[]; values: (number | null)[]; every: number } {
  const every = Math.max(1, Math.ceil(values.length / Math.max(1, max)));
  const out = { steps: [] as number[], values: [] as (number | null)[], every };
  for (let i = 0; i < values.length; i += every) {
    const block = values.slice(i, i + every).filter(Number.isFinite);
    out.steps.push(steps[Math.min(i + every, values.length) - 1]);
    out.values.push(block.length === 0 ? null : block.reduce((a, v) => a + v, 0) / block.length);
  }
  return out;
}

function lastFinite(values: number[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i])) return values[i];
  return null;
}

type RawSeries = { metric: string; steps: number[]; values: number[]; start: number; end: number; every: number };

/**
 * A record's metrics as raw series: per-epoch ones numbered after initialEpoch; per-batch ones (a fit's
 * loss, a module loop's per-step series) at the last batch of each of the ledger's blocks, or at the
 * steps a module loop logged (`batches.steps`, the first step of each block).
 */
function rawSeries(r: RunRecord): RawSeries[] {
  const initial = typeof r.config.initialEpoch === "number" && Number.isFinite(r.config.initialEpoch) ? r.config.initialEpoch : 0;
  const out: RawSeries[] = Object.entries(r.epochs ?? {}).filter(([, v]) => Array.isArray(v) && v.length > 0).map(([metric, v]) => ({
    metric, steps: v.map((_, k) => initial + k + 1), values: v.map(asNumber), start: initial, end: initial + v.length, every: 1,
  }));
  // the ledger's shape (src/shared/runLedger.ts) read loosely: a module loop's extra series may be there
  const b = r.batches as (RunRecord["batches"] & { metrics?: Record<string, unknown>; steps?: unknown }) | undefined;
  if (!b || typeof b !== "object") return out;
  const every = typeof b.every === "number" && b.every >= 1 ? Math.floor(b.every) : 1;
  const perStep: [string, unknown][] = [["loss", b.loss], ...Object.entries(typeof b.metrics === "object" && b.metrics !== null ? b.metrics : {})];
  for (const [key, values] of perStep) {
    if (!Array.isArray(values) || values.length === 0) continue;
    const logged = key === "loss" && Array.isArray(b.steps) && b.steps.length === values.length && b.steps.every((x) => typeof x === "number" && Number.isFinite(x)) ? b.steps as number[] : undefined;
    const total = typeof b.total === "number" && b.total >= values.length ? Math.floor(b.total) : values.length * every;
    const steps = logged ?? values.map((_, i) => Math.min((i + 1) * every, total));
    out.push({ metric: perStepName(key), steps, values: values.map(asNumber), start: 0, end: Math.max(total, steps[steps.length - 1]), every });
  }
  return out;
}

/** The runs asked for, or a clear error naming the ids that exist. */
function pickRuns(records: readonly RunRecord[], wanted: CompareOptions["runs"]): { runs: RunRecord[]; trueRuns?: number } {
  if (wanted === undefined) {
    if (records.length === 0) throw new Error("no runs to compare: the ledger is empty (every fit adds a run; so does rnn.runs.start(config) … run.end())");
    return records.length > MAX_COMPARED_RUNS ? { runs: records.slice(-MAX_COMPARED_RUNS), trueRuns: records.length } : { runs: records.slice() };
  }
  if (wanted.length === 0) throw new Error("no runs to compare: the list of runs is empty");
  if (wanted.length > MAX_COMPARED_RUNS) throw new Error(`${wanted.length} runs asked for; a comparison draws at most ${MAX_COMPARED_RUNS}`);
  const runs = wanted.map((w) => {
    if (typeof w !== "string") return w;
    const found = records.find((r) => r.id === w);
    if (!found) {
      const ids = records.map((r) => JSON.stringify(r.id));
      throw new Error(`no run ${JSON.stringify(w)} in the ledger; runs: ${ids.length === 0 ? "none" : ids.slice(0, 50).join(", ") + (ids.length > 50 ? ", …" : "")}`);
    }
    return found;
  });
  return { runs };
}

/** Compares runs: the ones picked, the configuration keys in which they differ, and the view's payload. */
export function compareRuns(records: readonly RunRecord[], options: CompareOptions = {}): Comparison {
  const { runs, trueRuns } = pickRuns(records, options.runs);
  const x = options.x ?? "step";
  if (!X_AXES.includes(x)) throw new Error(`x must be one of ${X_AXES.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(x)}`);
  const smoothing = options.smoothing ?? 0.6;
  if (!(typeof smoothing === "number" && smoothing >= 0 && smoothing < 1)) throw new Error(`smoothing must be in [0, 1), got ${String(smoothing)}`);
  const raw = runs.map(rawSeries);
  const metrics: string[] = [];
  for (const list of raw) for (const s of list) if (!metrics.includes(s.metric)) metrics.push(s.metric);
  metrics.sort((a, b) => Number(b === "loss") - Number(a === "loss")); // stable: "loss" first, the rest as first seen
  if (metrics.length === 0) throw new Error("no run to compare recorded a metric (every fit records \"loss\"; rnn.runs runs what run.log(metrics) was given)");
  // "loss" unless asked otherwise; runs of rnn.runs.start that never logged a loss show their first metric
  const metric = options.metric ?? (metrics.includes("loss") ? "loss" : metrics[0]);
  if (!metrics.includes(metric)) {
    throw new Error(`no run has the metric ${JSON.stringify(metric)}; metrics: ${metrics.length === 0 ? "none" : metrics.map((m) => JSON.stringify(m)).join(", ")}`);
  }
  const seriesCount = raw.reduce((a, list) => a + list.length, 0);
  const maxPoints = Math.max(2, Math.min(options.maxPoints ?? 1000, Math.floor(TOTAL_POINTS / Math.max(1, seriesCount))));
  const payloadRuns: RunsCompareRun[] = runs.map((r, k) => ({
    id: String(r.id),
    model: { name: String(r.model?.name ?? ""), type: String(r.model?.type ?? ""), totalParams: asNumber(r.model?.totalParams) },
    config: { ...r.config },
    wallTimeMs: asNumber(r.wallTimeMs),
    interrupted: r.interrupted === true,
    stoppedEarly: r.stoppedEarly === true,
    series: raw[k].map((s): RunsCompareSeries => {
      const reduced = reduce(s.steps, s.values, maxPoints);
      return { metric: s.metric, steps: reduced.steps, values: reduced.values, start: s.start, end: s.end, every: s.every * reduced.every, final: lastFinite(s.values) };
    }),
  }));
  const keys = differingKeys(runs);
  const payload: RunsComparePayload = { metric, x, smoothing, metrics, runs: payloadRuns, differingKeys: keys, maxPoints };
  if (trueRuns !== undefined) payload.trueRuns = trueRuns;
  if (options.title !== undefined) payload.title = options.title;
  return { runs, differingKeys: keys, payload };
}
