/**
 * Run records: what one training run was (model, configuration, seed) and what it did (per-epoch
 * metrics, per-batch loss downsampled, clipping, wall time, interrupted or not), as plain JSON so a
 * ledger of them can live in a notebook's metadata. And the two things a comparison needs: the
 * configuration keys in which runs differ, and TensorBoard's debiased exponential smoothing.
 */
import type { FitOptions, History } from "./fit";

import type { ConfigValue, RunRecord } from "../shared/runLedger";

// The record's shape is the ledger's (src/shared/runLedger.ts), where the extension and the runner read it too.
export type { ConfigValue, RunRecord };

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
  /** Why the fit stopped with an error (the NaN/Inf trap's message). */
  failed?: string;
}

/** fit's defaults, written into a record when an option was left out (fit.ts documents them). */
const FIT_DEFAULTS: Record<string, ConfigValue> = {
  epochs: 1, batchSize: 32, shuffle: true, seed: 0, validationSplit: 0, tbptt: null,
  clipNorm: null, clipPerTensor: null, clipValue: null, lrSchedule: null, metrics: null, initialEpoch: 0, overfitBatches: null,
  // The flight recorder's stride only: its probe batch is data, not configuration.
  "probe.every": null,
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
  if (options.probe) out["probe.every"] = typeof options.probe.every === "number" ? options.probe.every : 50;
  if (options.validationData) out.validationData = "given";
  if (options.callbacks?.length) out.callbacks = options.callbacks.map((c) => c.constructor?.name ?? "callback").join(",");
  return out;
}

/** Block means of `values`, at most `max` points: `every` = ⌈n / max⌉ values per point. */
export function downsample(values: readonly number[], max: number): { every: number; values: number[] } {
  const every = Math.max(1, Math.ceil(values.length / Math.max(1, max)));
  return { every, values: blockMeans(values, every) };
}

/** Means of consecutive blocks of `every` values (the last block possibly shorter). */
function blockMeans(values: readonly number[], every: number): number[] {
  if (every === 1) return values.slice();
  const out: number[] = [];
  for (let i = 0; i < values.length; i += every) {
    const block = values.slice(i, i + every);
    out.push(block.reduce((a, v) => a + v, 0) / block.length);
  }
  return out;
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
  const ds = downsample(h.batchLoss, src.maxBatches ?? MAX_BATCH_POINTS);
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
  if (src.failed !== undefined) record.failed = src.failed;
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

/** Most per-batch points a record keeps (the per-batch loss of a fit or a module loop's per-step series). */
export const MAX_BATCH_POINTS = 500;

/** Where a module loop's values belong: a step (default: the step after the last one), or an epoch. */
export interface RunLogAt {
  /** The global step (batch) of these values, from 1 and increasing; default: one past the last step logged. */
  step?: number;
  /** Epoch-level values: appended to the record's per-epoch metrics (epochs from 1, not decreasing). */
  epoch?: number;
}

/**
 * A module loop's run between `rnn.runs.start(config)` and `run.end()`: collects what `run.log`
 * reports and becomes a RunRecord. Per-step values: the key "loss" is the per-batch loss curve, other
 * keys per-step series (`batches.metrics`); per-epoch values (`{ epoch }`) go to `epochs`.
 */
export class RunLog {
  private readonly steps: Record<string, number[]> = {};
  private readonly lossSteps: number[] = [];
  private readonly epochs: Record<string, number[]> = {};
  private lastStep = 0;
  private lastEpoch = 0;
  private readonly started: number;

  constructor(private readonly model: RunRecord["model"], private readonly config: Record<string, ConfigValue>, private readonly now: () => number = Date.now) {
    this.started = now();
  }

  log(metrics: Record<string, number>, at: RunLogAt = {}): void {
    if (typeof metrics !== "object" || metrics === null || Array.isArray(metrics)) throw new Error("run.log: expected metrics as an object of numbers, e.g. run.log({ loss: 0.5 })");
    const entries = Object.entries(metrics);
    for (const [k, v] of entries) if (typeof v !== "number") throw new Error(`run.log: metric "${k}" must be a number, got ${typeof v}`);
    if (at.epoch !== undefined) {
      if (!Number.isInteger(at.epoch) || at.epoch < Math.max(1, this.lastEpoch)) throw new Error(`run.log: epoch must be an integer ≥ ${Math.max(1, this.lastEpoch)} (epochs count from 1 and do not go back), got ${at.epoch}`);
      this.lastEpoch = at.epoch;
      for (const [k, v] of entries) (this.epochs[k] ??= []).push(v);
      return;
    }
    const step = at.step ?? this.lastStep + 1;
    if (!Number.isInteger(step) || step <= this.lastStep) throw new Error(`run.log: step must be an integer > ${this.lastStep} (the last step logged), got ${step}`);
    this.lastStep = step;
    for (const [k, v] of entries) {
      (this.steps[k] ??= []).push(v);
      if (k === "loss") this.lossSteps.push(step);
    }
  }

  /** The run's record; `interrupted` when its cell was interrupted or the kernel stopped before `run.end()`. */
  record(id: string, interrupted: boolean, maxPoints = MAX_BATCH_POINTS): RunRecord {
    const loss = this.steps.loss ?? [];
    const longest = Math.max(0, ...Object.values(this.steps).map((s) => s.length));
    const every = Math.max(1, Math.ceil(longest / Math.max(1, maxPoints)));
    const batches: RunRecord["batches"] = { every, method: "block mean", loss: blockMeans(loss, every), total: loss.length };
    const others = Object.keys(this.steps).filter((k) => k !== "loss");
    if (others.length > 0) batches.metrics = Object.fromEntries(others.map((k) => [k, blockMeans(this.steps[k], every)]));
    if (this.lossSteps.some((s, i) => s !== i + 1)) batches.steps = this.lossSteps.filter((_, i) => i % every === 0);
    const epochs: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(this.epochs)) epochs[k] = v.slice();
    const ended = this.now();
    return {
      id, endedAt: new Date(ended).toISOString(), model: { ...this.model }, config: { ...this.config }, epochs, batches,
      wallTimeMs: ended - this.started, interrupted, stoppedEarly: false,
    };
  }
}

/**
 * A module loop's configuration as a record keeps it: JSON scalars as they are, arrays and plain
 * objects as their JSON text (as fit's lrSchedule settings are); anything else is refused.
 */
export function plainConfig(config: Record<string, unknown>, where: string): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined) continue;
    if (v === null || typeof v === "string" || typeof v === "boolean" || typeof v === "number") out[k] = v;
    else if (typeof v === "object" && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) out[k] = JSON.stringify(v);
    else throw new Error(`${where}: config "${k}" must be plain JSON (a number, string, boolean, array or plain object), got ${typeof v}`);
  }
  return out;
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

// TensorBoard's debiased EMA lives in shared/: the renderer's smoothing slider draws it too.
export { smoothEma } from "../shared/smoothing";
