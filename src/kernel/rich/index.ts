/**
 * Rich outputs of the kernel: engine values → mime bundles (DESIGN §4). The contract the kernel calls:
 *
 * - `richBundle(value, { maxBytes })` — engine Tensor → tensor+json; model or summary table →
 *   summary+json; fit history → training+json (status "done"); undefined for anything else (the kernel
 *   then falls back to its own text/plain inspection).
 * - `createShow(ctx)` → the `rnn.show` object: `gates`, `gradientNorms`, `lossCurve`, `tensor`. Each
 *   records through the engine's `model.record(...)` and calls `ctx.display(bundle)` once. When
 *   `record` returns a Promise the show call returns one too (cells may `await` it).
 * - `trainingBundle(progress, { maxBytes })` — the live fit output; the kernel re-displays it with the
 *   same displayId to update it in place.
 *
 * Every bundle carries the custom mime (payload per src/shared/payloads.ts), a static fallback made
 * without a DOM (image/png heatmaps, image/svg+xml plots, text/html tables) and text/plain, and is at
 * most `maxBytes` long (JSON characters of all items): recordings are pooled harder until they fit, and
 * if even the smallest form does not fit, only a text/plain note remains.
 * Nothing here imports vscode; no DOM.
 */
import type { MimeBundle } from "../../shared/mime";
import type { GradNormSeries, GradNormsPayload, TrainingPayload } from "../../shared/payloads";
import {
  historyCurves, isModelLike, isObject, isSummaryLike, isTensorLike, recordingLayers, toShaped, type LayerRecording,
} from "./adapt";
import { poolSeries, roundSig } from "./downsample";
import { gatesBundle, gatesPayload, TYPE_NAMES } from "./gatesBundle";
import { gradNormsBundle, trainingBundleFromPayload } from "./plotBundles";
import { summaryBundle, summaryPayload, tensorBundle, tensorPayload } from "./tableBundles";

export const DEFAULT_MAX_BYTES = 2_000_000;

export interface RichOptions {
  /** Size cap of one bundle in bytes (setting rnnNotebook.output.maxBytes). */
  maxBytes?: number;
}

export interface ShowContext {
  display(bundle: MimeBundle, displayId?: string): void;
  maxBytes: number;
}

/** Progress of a fit, as the kernel's fit hook reports it (all optional fields may be absent). */
export interface TrainingProgress {
  /** Current epoch, 1-based. */
  epoch: number;
  epochs: number;
  /** Batches done in the current epoch. */
  batch: number;
  batches: number;
  elapsedMs: number;
  /** Latest batch loss (running mean of the epoch is fine). */
  loss?: number | null;
  /** Per finished epoch. */
  losses?: number[];
  valLosses?: number[];
  /** Any further per-epoch curves, e.g. { perplexity: [...] }. */
  metrics?: Record<string, number[]>;
  /** Per batch, global counter. */
  batchLosses?: number[];
  gradNorms?: { preClip: number[]; postClip: number[]; clipNorm?: number };
  status?: TrainingPayload["status"];
  message?: string;
}

// ---------------------------------------------------------------------------------------------------
// byte budget

/** Size of a bundle as stored: JSON text of every item (strings as they are). */
export function bundleBytes(bundle: MimeBundle): number {
  let n = 0;
  for (const v of Object.values(bundle)) n += typeof v === "string" ? v.length : JSON.stringify(v)?.length ?? 0;
  return n;
}

/**
 * Tries `build(level)` for level 0, 1, 2, … (each level should shrink the output about 4×) until the
 * bundle fits in maxBytes; then a text/plain note. `build` returning a string means "cannot show: reason".
 */
export function fitToBudget(build: (level: number) => MimeBundle | string, maxBytes: number, what: string): MimeBundle {
  let last = 0;
  for (let level = 0; level < 6; level++) {
    const b = build(level);
    if (typeof b === "string") return { "text/plain": `${what}: ${b}` };
    last = bundleBytes(b);
    if (last <= maxBytes) return b;
    // Fallback images are the first thing to go when the payload alone would fit.
    const lean = { ...b };
    delete lean["image/png"];
    delete lean["image/svg+xml"];
    if (level >= 3 && bundleBytes(lean) <= maxBytes) return lean;
  }
  return { "text/plain": `${what}: output too large (${last} bytes > rnnNotebook.output.maxBytes ${maxBytes}); not shown.` };
}

const shrink = (n: number, level: number) => Math.max(4, Math.floor(n / 2 ** level));

// ---------------------------------------------------------------------------------------------------
// values → bundles

function tensorToBundle(t: unknown, maxBytes: number, opts: { title?: string; view?: "heatmap" | "table"; rowLabels?: string[]; colLabels?: string[] } = {}): MimeBundle | undefined {
  const s = toShaped(t);
  if (!s) return undefined;
  const dtype = isObject(t) && typeof t.dtype === "string" ? t.dtype : "float32";
  return fitToBudget((level) => tensorBundle(tensorPayload(s.shape, s.data, dtype, { ...opts, maxRows: shrink(400, level), maxCols: shrink(200, level) })), maxBytes, "tensor");
}

export function richBundle(value: unknown, options: RichOptions = {}): MimeBundle | undefined {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  try {
    if (isTensorLike(value)) return tensorToBundle(value, maxBytes);
    if (isSummaryLike(value)) return fitToBudget(() => summaryBundle(summaryPayload(value)), maxBytes, "summary");
    if (isModelLike(value)) {
      const table = value.summary();
      if (isSummaryLike(table)) return fitToBudget(() => summaryBundle(summaryPayload(table, String((value as Record<string, unknown>).name ?? "model"))), maxBytes, "summary");
      return undefined;
    }
    const h = historyCurves(value);
    if (h) return historyBundle(h, maxBytes);
  } catch (e) {
    return { "text/plain": `(could not render output: ${e instanceof Error ? e.message : String(e)})` };
  }
  return undefined;
}

function historyBundle(h: NonNullable<ReturnType<typeof historyCurves>>, maxBytes: number): MimeBundle {
  const loss = h.series.find((s) => s.label === "loss")?.values ?? [];
  const lastLoss = [...loss].reverse().find((v) => v !== null) ?? null;
  const n = h.epochs.length;
  const batches = h.batchesPerEpoch ?? 1;
  return trainingBundle({
    epoch: n, epochs: Math.max(n, h.epochsRequested ?? n), batch: batches, batches, elapsedMs: h.elapsedMs ?? NaN,
    loss: lastLoss,
    losses: loss.map((v) => v ?? NaN),
    valLosses: h.series.find((s) => s.label === "val loss")?.values.map((v) => v ?? NaN),
    metrics: Object.fromEntries(h.series.filter((s) => s.label !== "loss" && s.label !== "val loss").map((s) => [s.label, s.values.map((v) => v ?? NaN)])),
    batchLosses: h.batchLoss?.map((v) => v ?? NaN),
    gradNorms: h.preClip && h.postClip ? { preClip: h.preClip.map((v) => v ?? NaN), postClip: h.postClip.map((v) => v ?? NaN) } : undefined,
    status: h.interrupted ? "interrupted" : "done",
  }, { maxBytes });
}

export function trainingBundle(progress: TrainingProgress, options: RichOptions = {}): MimeBundle {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return fitToBudget((level) => {
    const maxPoints = shrink(2000, level);
    const losses = progress.losses ?? [];
    const epochsDone = losses.map((_, i) => i + 1);
    const series: TrainingPayload["series"] = [{ label: "loss", values: losses.map((v) => roundSig(v)) }];
    if (progress.valLosses?.length) series.push({ label: "val loss", values: progress.valLosses.map((v) => roundSig(v)) });
    for (const [k, v] of Object.entries(progress.metrics ?? {})) if (Array.isArray(v)) series.push({ label: k, values: v.map((x) => roundSig(x)) });
    const pooledEpochs = poolSeries(epochsDone, series.map((s) => s.values), maxPoints);
    const rate = progress.elapsedMs / Math.max(1e-9, (progress.epoch - 1) + progress.batch / Math.max(1, progress.batches));
    const p: TrainingPayload = {
      status: progress.status ?? "running",
      epoch: progress.epoch,
      epochs: progress.epochs,
      batch: progress.batch,
      batches: progress.batches,
      elapsedMs: Number.isFinite(progress.elapsedMs) ? Math.round(progress.elapsedMs) : 0,
      etaMs: Number.isFinite(rate) && progress.status !== "done" ? Math.max(0, Math.round(rate * (progress.epochs - (progress.epoch - 1) - progress.batch / Math.max(1, progress.batches)))) : null,
      loss: roundSig(progress.loss),
      epochsDone: pooledEpochs.steps,
      series: series.map((s, i) => ({ label: s.label, values: pooledEpochs.values[i].map((v) => roundSig(v)) })),
    };
    if (progress.batchLosses?.length) {
      const b = poolSeries(progress.batchLosses.map((_, i) => i + 1), [progress.batchLosses], maxPoints);
      p.batchLoss = { steps: b.steps, values: b.values[0].map((v) => roundSig(v)) };
    }
    if (progress.gradNorms?.preClip?.length) {
      const g = progress.gradNorms;
      const b = poolSeries(g.preClip.map((_, i) => i + 1), [g.preClip, g.postClip ?? []], maxPoints);
      p.gradNorms = { steps: b.steps, preClip: b.values[0].map((v) => roundSig(v)), postClip: b.values[1].map((v) => roundSig(v)) };
      if (typeof g.clipNorm === "number") p.gradNorms.clipNorm = g.clipNorm;
    }
    if (progress.message) p.message = String(progress.message);
    return trainingBundleFromPayload(p);
  }, maxBytes, "training");
}

// ---------------------------------------------------------------------------------------------------
// rnn.show

export interface GatesShowOptions {
  /** Index in model.layers (Keras family) or stacked layer (rnn.nn); default: the first recurrent layer. */
  layer?: number;
  /** Labels of the timesteps: a string (one character per step) or one string per step. */
  tokens?: string | string[];
  /** Which sequence of the batch x (default 0). */
  batchIndex?: number;
  /** For a bidirectional layer: which direction (default "forward"). */
  direction?: "forward" | "backward";
}
export interface GradNormsShowOptions { loss?: string; clipThreshold?: number; tbptt?: number; labels?: string[]; yScale?: "log" | "linear"; title?: string }
export interface TensorShowOptions { title?: string; view?: "heatmap" | "table"; rowLabels?: string[]; colLabels?: string[] }

export interface RnnShow {
  gates(model: unknown, x: unknown, opts?: GatesShowOptions): void | Promise<void>;
  gradientNorms(modelOrModels: unknown, x: unknown, y: unknown, opts?: GradNormsShowOptions): void | Promise<void>;
  lossCurve(history: unknown): void;
  tensor(t: unknown, opts?: TensorShowOptions): void;
}

/** Calls f on the value, or on the resolved value when it is a Promise. */
function then<T, R>(v: T | Promise<T>, f: (x: T) => R): R | Promise<R> {
  return v instanceof Promise || (isObject(v) && typeof (v as { then?: unknown }).then === "function") ? Promise.resolve(v).then(f) : f(v as T);
}

function modelName(model: unknown, fallback: string): string {
  if (isObject(model) && typeof model.name === "string" && model.name) return model.name;
  return fallback;
}

function recordFn(model: unknown, what: string): (x: unknown, y: unknown, opts: Record<string, unknown>) => unknown {
  if (!isObject(model) || typeof model.record !== "function") {
    throw new TypeError(`rnn.show.${what}: expected a model with record() (an rnn.sequential model or rnn.nn module), got ${model === null ? "null" : typeof model}`);
  }
  return (model.record as (...a: unknown[]) => unknown).bind(model);
}

export function gatesBundleFromRecording(rec: unknown, opts: GatesShowOptions & { model?: string }, maxBytes: number): MimeBundle {
  const layers = recordingLayers(rec);
  if (layers.length === 0) return { "text/plain": "rnn.show.gates: the model has no recurrent layer with recorded gates." };
  const dir = (l: LayerRecording) => (opts.direction === "backward" ? l.name.endsWith("(backward)") : !l.name.endsWith("(backward)"));
  const candidates = layers.filter(dir);
  const layer: LayerRecording | undefined = opts.layer === undefined ? candidates[0] : candidates.find((l) => l.index === opts.layer);
  if (!layer) return { "text/plain": `rnn.show.gates: no recurrent layer ${opts.layer} (recurrent layers: ${layers.map((l) => `${l.index} ${l.name}`).join(", ")}).` };
  const tokens = typeof opts.tokens === "string" ? Array.from(opts.tokens) : Array.isArray(opts.tokens) ? opts.tokens.map(String) : undefined;
  return fitToBudget((level) => {
    const p = gatesPayload(layer, { batchIndex: opts.batchIndex ?? 0, tokens, model: opts.model, maxSteps: shrink(512, level), maxUnits: shrink(128, level) });
    return typeof p === "string" ? p : gatesBundle(p);
  }, maxBytes, "rnn.show.gates");
}

export function gradNormsBundleFromRecordings(recs: { model: string; rec: unknown }[], opts: GradNormsShowOptions, maxBytes: number): MimeBundle {
  const raw: Omit<GradNormSeries, "values">[] = [];
  const values: (number | null)[][] = [];
  for (const { model, rec } of recs) {
    const layers = recordingLayers(rec);
    for (const l of layers) {
      // "LSTM · ‖∂L/∂h_t‖" for a one-layer model named after its type, "lm · LSTM L1 · …" in a stack
      const type = TYPE_NAMES[l.type];
      const base = layers.length > 1 ? `${model} · ${type} L${l.index}`
        : model.toLowerCase().includes(type.toLowerCase()) ? model : `${model} · ${type}`;
      if (l.gradH) { raw.push({ label: `${base} · ‖∂L/∂h_t‖`, model, layer: l.index, quantity: "h" }); values.push(l.gradH); }
      if (l.gradC) { raw.push({ label: `${base} · ‖∂L/∂c_t‖`, model, layer: l.index, quantity: "c" }); values.push(l.gradC); }
    }
  }
  if (raw.length === 0) return { "text/plain": "rnn.show.gradientNorms: no per-timestep gradient norms were recorded (no recurrent layer?)." };
  const T = Math.max(...values.map((v) => v.length));
  const steps = Array.from({ length: T }, (_, i) => i + 1);
  const padded = values.map((v) => (v.length === T ? v : v.concat(new Array(T - v.length).fill(null))));
  return fitToBudget((level) => {
    const pooled = poolSeries(steps, padded, shrink(4000, level));
    const p: GradNormsPayload = {
      steps: pooled.steps,
      series: raw.map((s, i) => ({ ...s, values: pooled.values[i].map((v) => roundSig(v)) })),
      yScale: opts.yScale ?? "log",
      title: opts.title ?? "Gradient norm per timestep",
    };
    if (opts.loss) p.loss = opts.loss;
    if (pooled.block > 1) p.trueSteps = pooled.trueSteps;
    if (typeof opts.clipThreshold === "number" && opts.clipThreshold > 0) p.clipThreshold = opts.clipThreshold;
    if (typeof opts.tbptt === "number" && opts.tbptt >= 1) p.tbptt = Math.floor(opts.tbptt);
    return gradNormsBundle(p);
  }, maxBytes, "rnn.show.gradientNorms");
}

export function createShow(ctx: ShowContext): RnnShow {
  const maxBytes = ctx.maxBytes || DEFAULT_MAX_BYTES;
  return {
    gates(model, x, opts = {}) {
      const record = recordFn(model, "gates");
      return then(record(x, undefined, { gates: true, gradNorms: false }), (rec) => {
        ctx.display(gatesBundleFromRecording(rec, { ...opts, model: modelName(model, "") || undefined }, maxBytes));
      });
    },
    gradientNorms(modelOrModels, x, y, opts = {}) {
      const models = Array.isArray(modelOrModels) ? modelOrModels : [modelOrModels];
      const recs = models.map((m, i) => {
        const record = recordFn(m, "gradientNorms");
        const base = { loss: opts.loss ?? "mse", gates: false, gradNorms: true };
        let rec: unknown;
        if (typeof opts.tbptt === "number" && opts.tbptt >= 1) {
          // Truncated BPTT changes the norms themselves (zero beyond each window), so record with it;
          // a model whose record() has no tbptt option (rnn.nn modules) is recorded with full BPTT.
          try {
            rec = record(x, y, { ...base, tbptt: Math.floor(opts.tbptt) });
          } catch (e) {
            if (!/tbptt/.test(String((e as Error)?.message))) throw e;
            rec = record(x, y, base);
          }
        } else {
          rec = record(x, y, base);
        }
        return { model: opts.labels?.[i] ?? modelName(m, `model ${i + 1}`), rec };
      });
      const anyAsync = recs.some((r) => r.rec instanceof Promise);
      if (!anyAsync) { ctx.display(gradNormsBundleFromRecordings(recs, opts, maxBytes)); return; }
      return Promise.all(recs.map(async (r) => ({ model: r.model, rec: await r.rec }))).then((done) => {
        ctx.display(gradNormsBundleFromRecordings(done, opts, maxBytes));
      });
    },
    lossCurve(history) {
      const h = historyCurves(history);
      if (!h) throw new TypeError("rnn.show.lossCurve: expected the history returned by model.fit(...)");
      ctx.display(historyBundle(h, maxBytes));
    },
    tensor(t, opts = {}) {
      const b = tensorToBundle(t, maxBytes, opts);
      if (!b) throw new TypeError("rnn.show.tensor: expected a tensor, a typed array or nested number arrays");
      ctx.display(b);
    },
  };
}
