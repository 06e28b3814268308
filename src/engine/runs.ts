/**
 * Run records: what one training run was (model, configuration, seed) and what it did (per-epoch
 * metrics, per-batch loss downsampled, clipping, wall time, interrupted or not), as plain JSON so a
 * ledger of them can live in a notebook's metadata. And the two things a comparison needs: the
 * configuration keys in which runs differ, and TensorBoard's debiased exponential smoothing.
 */
import type { FitOptions, History } from "./fit";

/** A configuration value as a record keeps it: plain JSON scalars. */
export type ConfigValue = string | number | boolean | null;

/** One training run. */
export interface RunRecord {
  /** Unique within a ledger ("run 3"). */
  id: string;
  /** ISO time the run ended. */
  endedAt: string;
  /** The model: name, class and parameter count. */
  model: { name: string; type: string; totalParams: number };
  /**
   * The fit configuration and optimizer settings, flat: `epochs`, `batchSize`, `loss`, `optimizer`
   * (its name), `optimizer.lr`, `optimizer.beta1`…, `clipNorm`, `tbptt`, `lrSchedule`, `lrSchedule.tMax`…;
   * options left at their defaults are written with the default, so two runs compare key by key.
   */
  config: Record<string, ConfigValue>;
  /** Per-epoch metrics by name ("loss", "valLoss", "perplexity", "accuracy", "lr", …), one value per finished epoch. */
  epochs: Record<string, number[]>;
  /**
   * Per-batch loss, at most `maxBatches` points: `every` consecutive batches averaged into one point
   * (block means, the last block possibly shorter); `every` 1 means every batch is kept.
   */
  batches: { every: number; method: "block mean"; loss: number[]; total: number };
  /** Gradient clipping: batches seen, how many were clipped, mean and max norm before clipping (with clipping or recordGradNorms). */
  clip?: { batches: number; clipped: number; meanPreClip: number; maxPreClip: number };
  wallTimeMs: number;
  interrupted: boolean;
  stoppedEarly: boolean;
}

/** What a fit's run is made from. */
export interface RunSource {
  id: string;
  model: { name: string; type: string; totalParams: number };
  options: FitOptions;
  history: History;
  /** ISO time; default now. */
  endedAt?: string;
  /** Most per-batch points kept (default 500). */
  maxBatches?: number;
}

/** fit's defaults, written into a record when an option was left out (fit.ts documents them). */
const FIT_DEFAULTS: Record<string, ConfigValue> = {
  epochs: 1, batchSize: 32, shuffle: true, seed: 0, validationSplit: 0, tbptt: null,
  clipNorm: null, clipPerTensor: null, clipValue: null, lrSchedule: null, metrics: null, initialEpoch: 0, overfitBatches: null,
};

/** The optimizer's settings: name and hyper-parameters (an rnn.sgd/adam/rmsprop instance or a name). */
function optimizerConfig(o: FitOptions["optimizer"]): Record<string, ConfigValue> {
  if (o === undefined) return { optimizer: "adam" };
  if (typeof o === "string") return { optimizer: o };
  const out: Record<string, ConfigValue> = { optimizer: o.name, "optimizer.lr": o.lr };
  for (const [k, v] of Object.entries(o.config)) if (k !== "lr") out[`optimizer.${k}`] = v;
  return out;
}

/** A fit's configuration, flat, with the defaults filled in; callbacks and hooks are named, not kept. */
export function fitConfig(options: FitOptions): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = { ...FIT_DEFAULTS, loss: options.loss, ...optimizerConfig(options.optimizer) };
  for (const key of Object.keys(FIT_DEFAULTS)) {
    const v = (options as unknown as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (key === "metrics") out.metrics = Array.isArray(v) ? v.join(",") : String(v);
    else if (key === "lrSchedule") {
      const s = v as { name: string; config: Record<string, unknown> };
      out.lrSchedule = s.name;
      for (const [k, c] of Object.entries(s.config)) out[`lrSchedule.${k}`] = typeof c === "object" && c !== null ? JSON.stringify(c) : (c as ConfigValue);
    } else out[key] = v as ConfigValue;
  }
  if (options.validationData) out.validationData = "given";
  if (options.callbacks?.length) out.callbacks = options.callbacks.map((c) => c.constructor?.name ?? "callback").join(",");
  return out;
}

/** Block means of `values`, at most `max` points: `every` = ⌈n / max⌉ values per point. */
export function downsample(values: readonly number[], max: number): { every: number; values: number[] } {
  const every = Math.max(1, Math.ceil(values.length / Math.max(1, max)));
  if (every === 1) return { every, values: values.slice() };
  const out: number[] = [];
  for (let i = 0; i < values.length; i += every) {
    const block = values.slice(i, i + every);
    out.push(block.reduce((a, v) => a + v, 0) / block.length);
  }
  return { every, values: out };
}

/** One run's record from its fit (options as passed, the history fit returned). */
export function runRecord(src: RunSource): RunRecord {
  const h = src.history;
  const epochs: Record<string, number[]> = { loss: h.loss.slice() };
  const perEpoch: (keyof History)[] = ["valLoss", "perplexity", "valPerplexity", "accuracy", "valAccuracy", "lr"];
  for (const k of perEpoch) {
    const v = h[k];
    if (Array.isArray(v)) epochs[k] = (v as number[]).slice();
  }
  const ds = downsample(h.batchLoss, src.maxBatches ?? 500);
  const record: RunRecord = {
    id: src.id,
    endedAt: src.endedAt ?? new Date().toISOString(),
    model: { ...src.model },
    config: fitConfig(src.options),
    epochs,
    batches: { every: ds.every, method: "block mean", loss: ds.values, total: h.batchLoss.length },
    wallTimeMs: h.elapsedMs,
    interrupted: h.interrupted,
    stoppedEarly: h.stoppedEarly,
  };
  if (h.preClipNorm && h.postClipNorm && h.preClipNorm.length > 0) {
    const pre = h.preClipNorm;
    record.clip = {
      batches: pre.length,
      clipped: pre.filter((p, i) => p !== h.postClipNorm![i]).length,
      meanPreClip: pre.reduce((a, v) => a + v, 0) / pre.length,
      maxPreClip: Math.max(...pre),
    };
  }
  return record;
}

/**
 * The configuration keys whose values are not the same in every run, in first-seen order (a key
 * missing from a run counts as a difference). Two fits that differ only in clipNorm → ["clipNorm"].
 */
export function differingKeys(runs: readonly Pick<RunRecord, "config">[]): string[] {
  const keys: string[] = [];
  for (const r of runs) for (const k of Object.keys(r.config)) if (!keys.includes(k)) keys.push(k);
  return keys.filter((k) => runs.some((r) => !(k in r.config) || !Object.is(r.config[k], runs[0].config[k])));
}

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
