/**
 * Rich outputs of the kernel: typed engine results → mime bundles, nothing else. The contract the
 * kernel calls:
 *
 * - `richBundle(value, { maxBytes })` — engine Tensor (or a typed array / mathjs Matrix the cell
 *   displays) → tensor+json; Sequential, rnn.model or rnn.nn recurrent module or Summary → summary+json; a fit's
 *   History → training+json (status "done"); mathjs scalars and non-numeric matrices → text; undefined
 *   for anything else (the kernel then falls back to its own text/plain inspection).
 * - `createShow(ctx)` → the `rnn.show` object: `gates`, `gradientNorms`, `lossCurve`, `tensor`,
 *   `attention`, `neurons`, `connectivity`, `trajectory`. Each reads a typed engine result (a
 *   recording through the engine's recording contract, `model.record`, engine/recording.ts; an
 *   AttentionMap, engine/attention.ts; an analysis of engine/analysis/) and calls `ctx.display(bundle)` once. Misuse (a non-recurrent layer, missing targets, a value that is not
 *   a model) throws, so the cell fails with the message.
 * - `trainingBundle(progress: FitProgress, { maxBytes })` — the live fit output; the kernel re-displays
 *   it with the same displayId to update it in place.
 *
 * Every bundle carries the custom mime (payload per src/shared/payloads.ts), a static fallback made
 * without a DOM (image/png heatmaps, image/svg+xml plots, text/html tables) and text/plain, and is at
 * most `maxBytes` long (JSON characters of all items): recordings are pooled harder until they fit, and
 * if even the smallest form does not fit, only a text/plain note remains.
 * Nothing here imports vscode; no DOM.
 */
import { attentionMap, type AttentionMapOptions } from "../../engine/attention";
import { neurons, selectUnits, type NeuronsOptions } from "../../engine/analysis/neurons";
import { connectivity, type ConnectivityOptions } from "../../engine/analysis/connectivity";
import type { AnalysedModel } from "../../engine/analysis/subject";
import { trajectory, type Trajectory, type TrajectoryOptions } from "../../engine/analysis/trajectory";
import { fixedPoints, type FixedPoint } from "../../engine/analysis/fixedPoints";
import { MIME, type MimeBundle } from "../../shared/mime";
import { WHAT_IF_MAX_TEXT, type TrainingPayload, type WhatIfInput, type WhatIfView } from "../../shared/payloads";
import type { FitProgress, History } from "../../engine/fit";
import { Sequential } from "../../engine/model";
import { Functional } from "../../engine/graph/functional";
import { TorchRecurrent } from "../../engine/nn/recurrent";
import type { LossName } from "../../engine/loss";
import type { Recordable, Recording, RecurrentRecording } from "../../engine/recording";
import type { Summary } from "../../engine/summary";
import type { TensorLike } from "../../engine/tensor";
import { attentionBundle, attentionPayload } from "./attentionBundle";
import { poolSeries, roundSig } from "./downsample";
import { connectivityBundle, connectivityPayload } from "./connectivityBundle";
import { gatesBundle, gatesPayload } from "./gatesBundle";
import { LIVE_BUDGET, probePayload } from "./probeBundle";
import { trajectoryBundle, trajectoryPayload, type ShownFixedPoint } from "./trajectoryBundle";
import { neuronsBundle, neuronsPayload } from "./neuronsBundle";
import { CELL_FACTS } from "../../engine/layerFacts";
import { gradNormSeries, gradNormsBundle, gradNormsPayload, trainingBundleFromPayload } from "./plotBundles";
import { summaryBundle, tensorBundle, tensorPayload, textMatrixBundle } from "./tableBundles";
import { isMathMatrix, isMathScalar, textMatrix, toShaped } from "./values";
import { sequenceEditor, type EditVocab } from "./whatIfInput";

export const DEFAULT_MAX_BYTES = 2_000_000;

export interface RichOptions {
  /** Size cap of one bundle in bytes (setting rnnNotebook.output.maxBytes). */
  maxBytes?: number;
}

export interface ShowContext {
  display(bundle: MimeBundle, displayId?: string): void;
  maxBytes: number;
  /**
   * Keeps what an editable view needs to be drawn again on another input and returns its handle
   * (src/kernel/whatIf.ts); without it the views are not editable.
   */
  remember?(view: WhatIfView, recompute: (input: WhatIfInput, handle: string) => unknown): string;
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
// engine values

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;

/** The engine's History (what `model.fit` resolves with). */
export function isHistory(v: unknown): v is History {
  return isObj(v) && Array.isArray(v.epoch) && Array.isArray(v.loss) && Array.isArray(v.batchLoss)
    && typeof v.interrupted === "boolean" && typeof v.epochs === "number" && typeof v.batchesPerEpoch === "number";
}

/** The engine's Summary (`model.summary()`): the payload fields plus toJSON / toString. */
export function isSummary(v: unknown): v is Summary {
  return isObj(v) && Array.isArray(v.layers) && typeof v.totalParams === "number" && typeof v.toJSON === "function";
}

/** The summary of an engine model (both families), or undefined for anything else. */
function modelSummary(v: unknown): Summary | undefined {
  return v instanceof Sequential || v instanceof Functional || v instanceof TorchRecurrent ? v.summary() : undefined;
}

/** The final training report of a finished (or interrupted) fit, from its History. */
export function historyProgress(h: History): FitProgress {
  const n = h.epoch.length;
  const metrics: Record<string, number[]> = {};
  if (h.perplexity) metrics.perplexity = h.perplexity;
  if (h.valPerplexity) metrics["val perplexity"] = h.valPerplexity;
  if (h.accuracy) metrics.accuracy = h.accuracy;
  if (h.valAccuracy) metrics["val accuracy"] = h.valAccuracy;
  // a resumed fit's history starts at epoch initialEpoch + 1
  const first = n ? h.epoch[0] : 1;
  const p: FitProgress = {
    status: h.interrupted ? "interrupted" : "done",
    epoch: n ? h.epoch[n - 1] : 0, epochs: Math.max(n ? h.epoch[n - 1] : 0, h.epochs), firstEpoch: first, batch: h.batchesPerEpoch, batches: h.batchesPerEpoch, elapsedMs: h.elapsedMs,
    loss: n ? h.loss[n - 1] : null,
    losses: h.loss, valLosses: h.valLoss ?? [], metrics, batchLosses: h.batchLoss,
  };
  if (h.preClipNorm && h.postClipNorm) p.gradNorms = { preClip: h.preClipNorm, postClip: h.postClipNorm };
  if (h.probe) p.probe = h.probe;
  return p;
}

// ---------------------------------------------------------------------------------------------------
// values → bundles

type TensorOpts = { title?: string; view?: "heatmap" | "table"; rowLabels?: string[]; colLabels?: string[] };

function tensorToBundle(v: unknown, maxBytes: number, opts: TensorOpts = {}): MimeBundle | undefined {
  const s = toShaped(v);
  if (!s) return undefined;
  const kind = isMathMatrix(v) ? "mathjs Matrix" : "Tensor";
  return fitToBudget((level) => tensorBundle(tensorPayload(s.shape, s.data, s.dtype, { ...opts, maxRows: shrink(400, level), maxCols: shrink(200, level) }), kind), maxBytes, "tensor");
}

export function richBundle(value: unknown, options: RichOptions = {}): MimeBundle | undefined {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  try {
    if (isMathScalar(value)) return { "text/plain": value.toString() };
    // Plain arrays stay with the kernel's text inspection (a REPL shows them as arrays); tensors,
    // typed arrays and mathjs matrices are matrices.
    if (!Array.isArray(value)) {
      const t = tensorToBundle(value, maxBytes);
      if (t) return t;
    }
    if (isMathMatrix(value)) {
      const m = textMatrix(value);
      if (m) return fitToBudget(() => textMatrixBundle(m, "mathjs Matrix"), maxBytes, "matrix");
      return undefined;
    }
    const summary = isSummary(value) ? value : modelSummary(value);
    if (summary) return fitToBudget(() => summaryBundle(summary.toJSON()), maxBytes, "summary");
    if (isHistory(value)) return trainingBundle(historyProgress(value), { maxBytes });
  } catch (e) {
    return { "text/plain": `(could not render output: ${e instanceof Error ? e.message : String(e)})` };
  }
  return undefined;
}

/** The training report as a bundle: the live fit output (re-displayed in place) and a History's curves. */
export function trainingBundle(progress: FitProgress, options: RichOptions = {}): MimeBundle {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return fitToBudget((level) => {
    const maxPoints = shrink(2000, level);
    // Epoch numbers on the x axis: a resumed fit (initialEpoch) continues from its first epoch.
    const first = progress.firstEpoch ?? 1;
    const epochsDone = progress.losses.map((_, i) => first + i);
    const series: { label: string; values: readonly number[] }[] = [{ label: "loss", values: progress.losses }];
    if (progress.valLosses.length) series.push({ label: "val loss", values: progress.valLosses });
    for (const [k, v] of Object.entries(progress.metrics)) series.push({ label: k, values: v });
    const pooledEpochs = poolSeries(epochsDone, series.map((s) => s.values), maxPoints);
    // epochs this fit has trained (and will train), for the rate and the time left
    const done = (progress.epoch - first) + progress.batch / Math.max(1, progress.batches);
    const rate = progress.elapsedMs / Math.max(1e-9, done);
    const p: TrainingPayload = {
      status: progress.status,
      epoch: progress.epoch,
      epochs: progress.epochs,
      batch: progress.batch,
      batches: progress.batches,
      elapsedMs: Number.isFinite(progress.elapsedMs) ? Math.round(progress.elapsedMs) : 0,
      etaMs: Number.isFinite(rate) && progress.status !== "done" ? Math.max(0, Math.round(rate * (progress.epochs - first + 1 - done))) : null,
      loss: roundSig(progress.loss),
      epochsDone: pooledEpochs.steps,
      series: series.map((s, i) => ({ label: s.label, values: pooledEpochs.values[i].map((v) => roundSig(v)) })),
    };
    if (progress.batchLosses.length) {
      const b = poolSeries(progress.batchLosses.map((_, i) => i + 1), [progress.batchLosses], maxPoints);
      p.batchLoss = { steps: b.steps, values: b.values[0].map((v) => roundSig(v)) };
    }
    const g = progress.gradNorms;
    if (g?.preClip.length) {
      const b = poolSeries(g.preClip.map((_, i) => i + 1), [g.preClip, g.postClip], maxPoints);
      p.gradNorms = { steps: b.steps, preClip: b.values[0].map((v) => roundSig(v)), postClip: b.values[1].map((v) => roundSig(v)) };
      if (typeof g.clipNorm === "number") p.gradNorms.clipNorm = g.clipNorm;
    }
    if (progress.message) p.message = progress.message;
    if (progress.probe?.snapshots.length) {
      // While training only the latest snapshots go out (the output is re-sent ≤ 10 times a second); the final output has all.
      const live = progress.status === "running";
      p.probe = probePayload(progress.probe, { live, batches: progress.batches, budget: Math.floor((live ? Math.min(LIVE_BUDGET, maxBytes / 4) : maxBytes / 2) / 2 ** level) });
    }
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
  /**
   * The vocabulary of a character model (`rnn.text.charVocab(text)`), when x holds character indices
   * or one-hot rows: the output then shows the sequence as text, and editing that text redraws the
   * gates in place ("what if"). Without it, a sequence of at most 256 numbers is shown as numbers to edit.
   */
  vocab?: EditVocab;
}
export interface GradNormsShowOptions { loss?: LossName; clipThreshold?: number; tbptt?: number; labels?: string[]; yScale?: "log" | "linear"; title?: string }
export type TensorShowOptions = TensorOpts;
export interface AttentionShowOptions extends AttentionMapOptions {
  /**
   * A name for a live map: every call of the same cell with the same `live` name redraws that one
   * output in place instead of adding another — call it inside a decoding loop to watch the
   * alignment grow step by step.
   */
  live?: string;
  /** Title above the map (default "Attention weights"). */
  title?: string;
}

export interface NeuronsShowOptions extends NeuronsOptions {
  /** Title above the view (default "Neurons over text"). */
  title?: string;
  /**
   * Characters [start, end) to select (LSTMVis's select → match, `rnn.analysis.selectUnits`): the view
   * lists the units most active there and marks the other places with the same pattern.
   */
  select?: [number, number];
}

export interface ConnectivityShowOptions extends ConnectivityOptions {
  /** One name per model (default: each model's name). */
  labels?: string[];
  /** Labels of the timesteps: a string (one character per step) or one string per step. */
  tokens?: string | string[];
  /** Title above the maps (default "Connectivity"). */
  title?: string;
  /** The vocabulary of a character model: the output shows the sequence as text to edit in place (as in `rnn.show.gates`). */
  vocab?: EditVocab;
}

export interface TrajectoryShowOptions extends Omit<TrajectoryOptions, "dims"> {
  /** Components drawn: 2 (the plane, default) or 3 (a projection the user rotates by dragging). */
  dims?: 2 | 3;
  /**
   * Also find the layer's fixed points (rnn.analysis.fixedPoints under a zero input, from 8 visited
   * states) and mark them, with the Jacobian's leading eigenvalues in the hover. For small layers only:
   * at most FIXED_POINTS_MAX_UNITS units.
   */
  fixedPoints?: boolean;
  /** One name per sequence (default "sequence n"). */
  labels?: string[];
  /** Title above the plot (default "Hidden-state trajectories"). */
  title?: string;
}

export interface RnnShow {
  gates(model: Recordable, x: TensorLike, opts?: GatesShowOptions): void;
  gradientNorms(modelOrModels: Recordable | Recordable[], x: TensorLike, y: TensorLike, opts?: GradNormsShowOptions): void;
  lossCurve(history: History): void;
  tensor(t: unknown, opts?: TensorShowOptions): void;
  attention(weights: TensorLike, opts?: AttentionShowOptions): void;
  /** The text once per unit of one recurrent layer, coloured by the unit's state, with the next-character guesses. */
  neurons(model: unknown, text: string, opts: NeuronsShowOptions): void;
  /** ‖∂y_t/∂x_s‖ for every pair of steps of one sequence, one map per model side by side. */
  connectivity(modelOrModels: AnalysedModel | AnalysedModel[], x: TensorLike, opts?: ConnectivityShowOptions): void;
  /** Each sequence's path through the plane of the top two principal components of one layer's states. */
  trajectory(model: AnalysedModel, xs: TensorLike, opts?: TrajectoryShowOptions): void;
}

/** Largest layer (units) rnn.show.trajectory looks for fixed points in: the search solves a state × state system per step. */
export const FIXED_POINTS_MAX_UNITS = 64;
/** Eigenvalues shown per fixed point, largest magnitude first. */
const LEADING_EIGENVALUES = 4;

/**
 * The layer's fixed points for the trajectory view: rnn.analysis.fixedPoints (zero input, 8 starts, the same point once),
 * each projected on the trajectory's components — an LSTM's point is [h, c]; the state the trajectory shows is projected — with
 * the Jacobian's leading eigenvalues (mathjs eigs, loaded only here: it is slow to load).
 */
function fixedPointsOf(model: AnalysedModel, xs: TensorLike, layer: number | undefined, state: "h" | "c" | undefined, tr: Trajectory): ShownFixedPoint[] {
  const [K, P] = tr.components.shape;
  if (K > FIXED_POINTS_MAX_UNITS) {
    throw new Error(`rnn.show.trajectory: fixedPoints: true is for small layers (at most ${FIXED_POINTS_MAX_UNITS} units); this layer has ${K}. Call rnn.analysis.fixedPoints(model, xs, { starts: 4 }) and look at the points yourself`);
  }
  // Several starts often land on the same attractor: one mark per point (the slowest copy: they come slowest first).
  const found: FixedPoint[] = [];
  for (const f of analysed("trajectory", "fixedPoints", () => fixedPoints(model, xs, { layer, starts: 8 }))) {
    const same = found.some((g) => {
      let d = 0, n = 0;
      for (let i = 0; i < f.point.size; i++) { d += (f.point.data[i] - g.point.data[i]) ** 2; n += g.point.data[i] ** 2; }
      return Math.sqrt(d) <= 1e-6 * (1 + Math.sqrt(n));
    });
    if (!same) found.push(f);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const math = require("mathjs") as typeof import("mathjs");
  const from = state === "c" ? K : 0;
  return found.map((f) => {
    const coords = Array.from({ length: P }, (_, d) => {
      let v = 0;
      for (let k = 0; k < K; k++) v += (f.point.data[from + k] - tr.mean.data[k]) * tr.components.data[k * P + d];
      return v;
    });
    const S = f.jacobian.shape[0];
    const J = Array.from({ length: S }, (_, i) => Array.from(f.jacobian.data.subarray(i * S, (i + 1) * S)));
    const values = (math.eigs(J, { eigenvectors: false }).values as unknown as { valueOf(): unknown }).valueOf() as (number | { re: number; im: number })[];
    const eigenvalues = values.map((v) => (typeof v === "number" ? { re: v, im: 0 } : { re: v.re, im: v.im }))
      .sort((a, b) => Math.hypot(b.re, b.im) - Math.hypot(a.re, a.im)).slice(0, LEADING_EIGENVALUES)
      .map((e) => ({ re: roundSig(e.re, 4) ?? 0, im: roundSig(e.im, 4) ?? 0 }));
    const shown: ShownFixedPoint = { x: roundSig(coords[0], 4) ?? 0, y: roundSig(coords[1], 4) ?? 0, speed: roundSig(f.speed, 3) ?? 0, eigenvalues };
    if (P === 3) shown.z = roundSig(coords[2], 4) ?? 0;
    return shown;
  });
}

/** Runs an analysis; its error gets the view's name instead of the analysis's (the cell called the view). */
function analysed<R>(view: string, analysis: string, run: () => R): R {
  try {
    return run();
  } catch (e) {
    if (e instanceof Error) e.message = e.message.replace(`rnn.analysis.${analysis}`, `rnn.show.${view}`);
    throw e;
  }
}

/** Checks a cell's argument is a recordable model (cells are not type-checked at run time). */
function recordable(model: unknown, what: string): Recordable {
  if (!isObj(model) || typeof model.record !== "function") {
    throw new TypeError(`rnn.show.${what}: expected a model with record() (an rnn.sequential model or rnn.nn module), got ${model === null ? "null" : typeof model}`);
  }
  return model as unknown as Recordable;
}

/** Runs a recording; an engine error (a bad layer index, batchIndex, option) gets the view's name in front. */
function recordFor(what: string, model: Recordable, x: TensorLike, y: TensorLike | undefined, options: Parameters<Recordable["record"]>[2]): Recording {
  try {
    return model.record(x, y, options);
  } catch (e) {
    if (e instanceof Error) e.message = `rnn.show.${what}: ${e.message}`;
    throw e;
  }
}

function modelName(model: Recordable, fallback: string): string {
  return typeof model.name === "string" && model.name ? model.name : fallback;
}

function recurrentList(layers: RecurrentRecording[]): string {
  return layers.map((l) => `${l.index} "${l.name}" (${CELL_FACTS[l.type].className}, ${l.direction})`).join(", ");
}

/**
 * The gates view of one layer and direction of a recording; throws when that layer is not there.
 * `fallbacks: false` leaves out the PNG and text (a what-if redraw needs the payload only, and the PNG
 * of a large recording costs more than the recording itself).
 */
export function gatesBundleFromRecording(rec: Recording, opts: GatesShowOptions & { model?: string }, maxBytes: number, fallbacks = true): MimeBundle {
  const owner = opts.model ? `model "${opts.model}"` : "the model";
  if (rec.layers.length === 0) throw new Error(`rnn.show.gates: ${owner} has no recurrent layer, so there are no gates to show`);
  const direction = opts.direction ?? "forward";
  const layer = rec.layers.find((l) => l.direction === direction && (opts.layer === undefined || l.index === opts.layer));
  if (!layer) throw new Error(`rnn.show.gates: ${owner} has no ${direction} direction${opts.layer === undefined ? "" : ` in layer ${opts.layer}`}; recorded: ${recurrentList(rec.layers)}`);
  const tokens = typeof opts.tokens === "string" ? Array.from(opts.tokens) : Array.isArray(opts.tokens) ? opts.tokens.map(String) : undefined;
  return fitToBudget((level) => {
    const p = gatesPayload(layer, { batchIndex: rec.batchIndex, tokens, model: opts.model, maxSteps: shrink(512, level), maxUnits: shrink(128, level) });
    return typeof p === "string" ? p : fallbacks ? gatesBundle(p) : { [MIME.gates]: p };
  }, maxBytes, "rnn.show.gates");
}

/** One line per model, recurrent layer, direction and quantity (h, and c for LSTM). */
export function gradNormsBundleFromRecordings(recs: { model: string; rec: Recording }[], opts: GradNormsShowOptions, maxBytes: number): MimeBundle {
  const series = gradNormSeries(recs);
  return fitToBudget((level) => gradNormsBundle(gradNormsPayload(series, opts, shrink(4000, level))), maxBytes, "rnn.show.gradientNorms");
}

export function createShow(ctx: ShowContext): RnnShow {
  const maxBytes = ctx.maxBytes || DEFAULT_MAX_BYTES;

  /**
   * Makes a view's bundle editable in place: keeps `recompute` under a handle (ctx.remember) and puts
   * the handle and the input into the payload. `recompute` runs the same code that drew the cell's
   * output on the edited input (without the static fallbacks: only the payload goes back, and the
   * saved notebook keeps the cell's own output); the answer is the new payload with the same handle
   * and the edited input. A bundle cut to text by the byte budget is not editable.
   */
  function editable(bundle: MimeBundle, mime: string, view: WhatIfView, input: WhatIfInput | undefined, recompute: (input: WhatIfInput) => MimeBundle): MimeBundle {
    const payload = bundle[mime];
    if (!input || !ctx.remember || !isObj(payload)) return bundle;
    const handle = ctx.remember(view, (edited) => {
      const b = recompute(edited);
      const p = b[mime];
      if (!isObj(p)) throw new Error(String(b["text/plain"] ?? "the view could not be drawn"));
      p.whatIf = { handle, input: edited };
      return p;
    });
    payload.whatIf = { handle, input };
    return bundle;
  }

  return {
    gates(model, x, opts = {}) {
      const m = recordable(model, "gates");
      const { vocab, ...options } = opts;
      const draw = (xs: TensorLike, o: GatesShowOptions, fallbacks = true) => {
        const rec = recordFor("gates", m, xs, undefined, { gates: true, gradNorms: false, batchIndex: o.batchIndex, layer: o.layer });
        return gatesBundleFromRecording(rec, { ...o, model: modelName(m, "") || undefined }, maxBytes, fallbacks);
      };
      const editor = ctx.remember ? sequenceEditor(m, x, options.batchIndex ?? 0, vocab, "rnn.show.gates") : undefined;
      const bundle = draw(x, editor?.input.kind === "text" && options.tokens === undefined ? { ...options, tokens: editor.input.text } : options);
      // An edit is drawn as rnn.show.gates(model, editedX, options) would: the edited sequence is the only one.
      ctx.display(editable(bundle, MIME.gates, "gates", editor?.input, (input) => {
        const ex = editor!.toX(input);
        return draw(ex.x, { ...options, batchIndex: 0, tokens: ex.tokens ?? options.tokens }, false);
      }));
    },
    gradientNorms(modelOrModels, x, y, opts = {}) {
      if (y === undefined || y === null) {
        throw new TypeError("rnn.show.gradientNorms: the targets y are missing; norms are gradients of the loss of y: rnn.show.gradientNorms(model, x, y, { loss: \"mse\" })");
      }
      const models = Array.isArray(modelOrModels) ? modelOrModels : [modelOrModels];
      const recs = models.map((model, i) => {
        const m = recordable(model, "gradientNorms");
        // Truncated BPTT changes the norms themselves (0 before the last window), so record with it.
        const rec = recordFor("gradientNorms", m, x, y, { loss: opts.loss ?? "mse", gates: false, gradNorms: true, tbptt: opts.tbptt });
        return { model: opts.labels?.[i] ?? modelName(m, `model ${i + 1}`), rec };
      });
      ctx.display(gradNormsBundleFromRecordings(recs, opts, maxBytes));
    },
    lossCurve(history) {
      if (!isHistory(history)) throw new TypeError("rnn.show.lossCurve: expected the history returned by model.fit(...)");
      ctx.display(trainingBundle(historyProgress(history), { maxBytes }));
    },
    tensor(t, opts = {}) {
      const b = tensorToBundle(t, maxBytes, opts);
      if (!b) throw new TypeError("rnn.show.tensor: expected a tensor, a typed array, nested number arrays or a mathjs Matrix of numbers");
      ctx.display(b);
    },
    attention(weights, opts = {}) {
      const { title, live, ...mapOptions } = opts;
      if (live !== undefined && (typeof live !== "string" || live === "")) throw new TypeError("rnn.show.attention: live must be a non-empty name (a string)");
      const map = attentionMap(weights, mapOptions); // checks shapes and token counts: misuse fails the cell
      const bundle = fitToBudget((level) => attentionBundle(attentionPayload(map, { title, maxSteps: shrink(400, level) })), maxBytes, "rnn.show.attention");
      ctx.display(bundle, live === undefined ? undefined : `attention:${live}`);
    },
    neurons(model, text, opts) {
      if (!opts || typeof opts !== "object") throw new TypeError("rnn.show.neurons: expected options { vocab, layer?, state?, units?, topK? } as the third argument");
      const { title, select, ...options } = opts;
      // the engine checks the model: cells are not type-checked
      const name = isObj(model) && typeof model.name === "string" ? model.name : undefined;
      const draw = (t: string, fallbacks = true) => {
        const a = analysed("neurons", "neurons", () => neurons(model as Sequential, t, options));
        // An edited text shorter than the selection is drawn without it (the cell's own call checks it).
        const sel = select === undefined || (!fallbacks && Array.isArray(select) && select[1] > a.text.length) ? undefined
          : analysed("neurons", "selectUnits", () => selectUnits(a, select));
        // 2,000 characters × 64 units ≈ 0.8 MB of JSON at level 0; each level halves both.
        return fitToBudget((level) => {
          const p = neuronsPayload(a, { title, model: name, maxSteps: shrink(2000, level), maxUnits: shrink(64, level), select: sel });
          return fallbacks ? neuronsBundle(p) : { [MIME.neurons]: p };
        }, maxBytes, "rnn.show.neurons");
      };
      const bundle = draw(text);
      // A text longer than an input may hold is shown, not editable.
      const editableText = typeof text === "string" && text.length <= WHAT_IF_MAX_TEXT ? { kind: "text" as const, text } : undefined;
      ctx.display(editable(bundle, MIME.neurons, "neurons", editableText, (input) => {
        if (input.kind !== "text" || typeof input.text !== "string") throw new Error("this view's input is a text");
        return draw(input.text, false);
      }));
    },
    connectivity(modelOrModels, x, opts = {}) {
      const { labels, tokens, title, vocab, ...options } = opts;
      const models = Array.isArray(modelOrModels) ? modelOrModels : [modelOrModels];
      if (models.length === 0) throw new TypeError("rnn.show.connectivity: expected a model or an array of models, got an empty array");
      const draw = (xs: TensorLike, tokenList: string | string[] | undefined, fallbacks = true) => {
        const maps = models.map((m, i) => ({
          label: labels?.[i] ?? (isObj(m) && typeof m.name === "string" && m.name ? m.name : `model ${i + 1}`),
          c: analysed("connectivity", "connectivity", () => connectivity(m, xs, options)),
        }));
        const T = maps[0].c.shape[0];
        const other = maps.find((m) => m.c.shape[0] !== T);
        if (other) throw new Error(`rnn.show.connectivity: "${maps[0].label}" sees ${T} steps of x but "${other.label}" sees ${other.c.shape[0]}; compare models on the same sequence`);
        const list = typeof tokenList === "string" ? Array.from(tokenList) : Array.isArray(tokenList) ? tokenList.map(String) : undefined;
        if (list && list.length !== T) throw new Error(`rnn.show.connectivity: ${list.length} tokens for ${T} timesteps; give one token per step`);
        const output = options.output ?? "output";
        return fitToBudget((level) => {
          const p = connectivityPayload(maps, { title, tokens: list, output, maxSteps: shrink(200, level) });
          return fallbacks ? connectivityBundle(p) : { [MIME.connectivity]: p };
        }, maxBytes, "rnn.show.connectivity");
      };
      // Targets belong to one sequence: a view of the loss cannot follow an edited input.
      const editor = ctx.remember && options.output !== "loss" ? sequenceEditor(models[0], x, 0, vocab, "rnn.show.connectivity") : undefined;
      const bundle = draw(x, editor?.input.kind === "text" && tokens === undefined ? editor.input.text : tokens);
      ctx.display(editable(bundle, MIME.connectivity, "connectivity", editor?.input, (input) => {
        const ex = editor!.toX(input);
        return draw(ex.x, ex.tokens ?? tokens, false);
      }));
    },
    trajectory(model, xs, opts = {}) {
      const { labels, title, dims = 2, fixedPoints: withFixed, ...options } = opts;
      if (dims !== 2 && dims !== 3) throw new Error(`rnn.show.trajectory: draws 2 or 3 components (dims: 2 or 3), got dims ${JSON.stringify(dims)}`);
      const tr = analysed("trajectory", "trajectory", () => trajectory(model, xs, { ...options, dims }));
      const shownFixed = withFixed ? fixedPointsOf(model, xs, options.layer, options.state, tr) : undefined;
      const N = tr.points.shape[0];
      if (labels !== undefined && (!Array.isArray(labels) || labels.length !== N)) {
        throw new Error(`rnn.show.trajectory: ${Array.isArray(labels) ? labels.length : typeof labels} labels for ${N} sequences; give one label per sequence`);
      }
      const name = isObj(model) && typeof model.name === "string" && model.name ? model.name : undefined;
      ctx.display(fitToBudget((level) => trajectoryBundle(trajectoryPayload(tr, { labels: labels?.map(String), title, model: name, maxSteps: shrink(1000, level), maxPaths: shrink(200, level), fixedPoints: shownFixed })),
        maxBytes, "rnn.show.trajectory"));
    },
  };
}
