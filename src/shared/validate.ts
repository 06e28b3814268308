/**
 * Payload validation for the renderer (pure; also usable by tests and the kernel). A rich output comes
 * from a notebook file that anyone may have written, so the renderer trusts nothing: `validatePayload`
 * never throws; it returns either a cleaned payload (strings coerced and shortened, non-finite numbers
 * → null, arrays checked against the sizes they claim) or an error message for the error box.
 *
 * Caps (defensive; the kernel already downsamples far below them):
 *   MAX_CELLS values per matrix payload in total, MAX_POINTS per line series, MAX_LABEL characters per
 *   label, MAX_PANELS gate panels, MAX_SERIES lines.
 */
import { MIME } from "./mime";
import {
  type AttentionPayload, type ConnectivityPayload, type NeuronsPayload, type TrajectoryPayload,
  type GatePanel, type GatesPayload, type GradNormSeries, type GradNormsPayload, type SummaryPayload, type SummaryRow, type TensorPayload, type TrainingPayload,
  type TrainingProbe, type TrainingProbeLayer, type TrainingProbeSnapshot,
  type WhatIfField, WHAT_IF_MAX_TEXT, WHAT_IF_MAX_VALUES, MAX_COMPARED_RUNS, type RunsComparePayload, type RunsCompareRun, type RunsCompareSeries,
} from "./payloads";

export const MAX_CELLS = 4_000_000;
export const MAX_POINTS = 1_000_000;
export const MAX_LABEL = 200;
export const MAX_PANELS = 16;
export const MAX_SERIES = 64;
export const MAX_ROWS = 10_000;

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

class Invalid extends Error {}

function fail(path: string, what: string): never {
  throw new Invalid(`${path}: ${what}`);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "string") return `a string`;
  return typeof v;
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, `expected an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function num(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(path, `expected a finite number, got ${describe(v)}`);
  return v;
}

function int(v: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = num(v, path);
  if (!Number.isInteger(n) || n < min || n > max) fail(path, `expected an integer in ${min}…${max}, got ${n}`);
  return n;
}

function optNum(v: unknown, path: string): number | undefined {
  return v === undefined || v === null ? undefined : num(v, path);
}

/** Any value as a shortened display string (the renderer puts it in a text node, never in HTML). */
export function label(v: unknown, max = MAX_LABEL): string {
  const s = typeof v === "string" ? v : v === undefined || v === null ? "" : typeof v === "number" || typeof v === "boolean" ? String(v) : "";
  const chars = Array.from(s);
  return chars.length > max ? chars.slice(0, max - 1).join("") + "…" : s;
}

function oneOf<T extends string>(v: unknown, options: readonly T[], path: string, fallback?: T): T {
  if (typeof v === "string" && (options as readonly string[]).includes(v)) return v as T;
  if (fallback !== undefined && v === undefined) return fallback;
  return fail(path, `expected one of ${options.join(", ")}, got ${describe(v)}`);
}

/** A value array: numbers (non-finite → null) and nulls, of an exact length when given. */
function values(v: unknown, path: string, length?: number, max = MAX_CELLS): (number | null)[] {
  if (!Array.isArray(v)) fail(path, `expected an array of numbers, got ${describe(v)}`);
  if (v.length > max) fail(path, `${v.length} values exceed the renderer's cap of ${max}`);
  if (length !== undefined && v.length !== length) fail(path, `expected ${length} values, got ${v.length}`);
  const out = new Array<number | null>(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === null) out[i] = null;
    else if (typeof x === "number") out[i] = Number.isFinite(x) ? x : null;
    else fail(`${path}[${i}]`, `expected a number or null, got ${describe(x)}`);
  }
  return out;
}

function ints(v: unknown, path: string, length?: number): number[] {
  return values(v, path, length, MAX_POINTS).map((x, i) => (x === null ? fail(`${path}[${i}]`, "missing") : x));
}

function labels(v: unknown, path: string, length?: number, max = MAX_LABEL): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(path, `expected an array of strings, got ${describe(v)}`);
  if (length !== undefined && v.length !== length) fail(path, `expected ${length} labels, got ${v.length}`);
  if (v.length > MAX_POINTS) fail(path, `too many labels (${v.length})`);
  return v.map((x) => label(x, max));
}

/**
 * An editable view's handle and input. The text is kept whole (it is what the user edits; it is only
 * ever put in an input field's value), but bounded; a grid's values must all be finite.
 */
function whatIfField(v: unknown, path: string): WhatIfField {
  const w = obj(v, path);
  if (typeof w.handle !== "string" || w.handle.length === 0 || w.handle.length > 100) fail(`${path}.handle`, `expected a short string, got ${describe(w.handle)}`);
  const input = obj(w.input, `${path}.input`);
  const kind = oneOf(input.kind, ["text", "values"] as const, `${path}.input.kind`);
  if (kind === "text") {
    if (typeof input.text !== "string") fail(`${path}.input.text`, `expected a string, got ${describe(input.text)}`);
    if (input.text.length > WHAT_IF_MAX_TEXT) fail(`${path}.input.text`, `longer than ${WHAT_IF_MAX_TEXT} characters`);
    return { handle: w.handle, input: { kind, text: input.text } };
  }
  const steps = int(input.steps, `${path}.input.steps`, 1, WHAT_IF_MAX_VALUES);
  const features = int(input.features, `${path}.input.features`, 1, WHAT_IF_MAX_VALUES);
  if (steps * features > WHAT_IF_MAX_VALUES) fail(`${path}.input`, `${steps}×${features} values exceed the cap of ${WHAT_IF_MAX_VALUES}`);
  const vs = values(input.values, `${path}.input.values`, steps * features).map((x, i) => (x === null ? fail(`${path}.input.values[${i}]`, "not a finite number") : x));
  return { handle: w.handle, input: { kind, steps, features, values: vs } };
}

// ---------------------------------------------------------------------------------------------------

const GATES = ["i", "f", "g", "o", "c", "h", "r", "z", "n"] as const;

export function validateGates(raw: unknown): GatesPayload {
  const p = obj(raw, "gates");
  const layer = obj(p.layer, "gates.layer");
  const T = int(p.timesteps, "gates.timesteps", 1, MAX_CELLS);
  const U = int(p.units, "gates.units", 1, MAX_CELLS);
  if (!Array.isArray(p.panels) || p.panels.length === 0) fail("gates.panels", `expected a non-empty array, got ${describe(p.panels)}`);
  if (p.panels.length > MAX_PANELS) fail("gates.panels", `${p.panels.length} panels exceed the cap of ${MAX_PANELS}`);
  if (T * U * p.panels.length > MAX_CELLS) fail("gates", `${T}×${U}×${p.panels.length} values exceed the renderer's cap of ${MAX_CELLS}`);
  const trueShape = p.trueShape === undefined ? { timesteps: T, units: U } : (() => {
    const ts = obj(p.trueShape, "gates.trueShape");
    return { timesteps: int(ts.timesteps, "gates.trueShape.timesteps", 1), units: int(ts.units, "gates.trueShape.units", 1) };
  })();
  const panels: GatePanel[] = p.panels.map((x, k) => {
    const panel = obj(x, `gates.panels[${k}]`);
    const out: GatePanel = {
      gate: oneOf(panel.gate, GATES, `gates.panels[${k}].gate`),
      label: label(panel.label),
      scale: oneOf(panel.scale, ["sigmoid", "tanh"] as const, `gates.panels[${k}].scale`),
      values: values(panel.values, `gates.panels[${k}].values`, T * U),
    };
    if (panel.domain !== undefined) {
      const d = values(panel.domain, `gates.panels[${k}].domain`, 2);
      if (d[0] === null || d[1] === null || !(d[1] > d[0])) fail(`gates.panels[${k}].domain`, "expected [lo, hi] with lo < hi");
      out.domain = [d[0], d[1]];
    }
    return out;
  });
  const seq = (n: number) => Array.from({ length: n }, (_, i) => i);
  const out: GatesPayload = {
    layer: {
      index: int(layer.index ?? 0, "gates.layer.index"),
      name: label(layer.name),
      type: oneOf(layer.type, ["simpleRNN", "lstm", "gru"] as const, "gates.layer.type"),
    },
    batchIndex: int(p.batchIndex ?? 0, "gates.batchIndex"),
    trueShape,
    timesteps: T,
    units: U,
    stepIndex: p.stepIndex === undefined ? seq(T) : ints(p.stepIndex, "gates.stepIndex", T),
    unitIndex: p.unitIndex === undefined ? seq(U) : ints(p.unitIndex, "gates.unitIndex", U),
    panels,
  };
  if (p.model !== undefined) out.model = label(p.model);
  const tokens = labels(p.tokens, "gates.tokens", T, 64);
  if (tokens) out.tokens = tokens;
  if (p.whatIf !== undefined) out.whatIf = whatIfField(p.whatIf, "gates.whatIf");
  return out;
}

export function validateGradNorms(raw: unknown): GradNormsPayload {
  const p = obj(raw, "gradnorms");
  const steps = values(p.steps, "gradnorms.steps", undefined, MAX_POINTS).map((x, i) => (x === null ? fail(`gradnorms.steps[${i}]`, "missing step") : x));
  if (steps.length === 0) fail("gradnorms.steps", "no timesteps");
  if (!Array.isArray(p.series)) fail("gradnorms.series", `expected an array, got ${describe(p.series)}`);
  if (p.series.length > MAX_SERIES) fail("gradnorms.series", `${p.series.length} series exceed the cap of ${MAX_SERIES}`);
  if (p.series.length * steps.length > MAX_CELLS) fail("gradnorms", "too many points");
  const series: GradNormSeries[] = p.series.map((x, k) => {
    const s = obj(x, `gradnorms.series[${k}]`);
    return {
      label: label(s.label),
      model: label(s.model),
      layer: typeof s.layer === "number" && Number.isFinite(s.layer) ? s.layer : 0,
      quantity: s.quantity === "c" ? "c" : "h",
      values: values(s.values, `gradnorms.series[${k}].values`, steps.length),
    };
  });
  const out: GradNormsPayload = { steps, series, yScale: oneOf(p.yScale, ["log", "linear"] as const, "gradnorms.yScale", "log") };
  const clip = optNum(p.clipThreshold, "gradnorms.clipThreshold");
  if (clip !== undefined) out.clipThreshold = clip;
  if (p.tbptt !== undefined && p.tbptt !== null) out.tbptt = int(p.tbptt, "gradnorms.tbptt", 1);
  if (p.title !== undefined) out.title = label(p.title);
  if (p.loss !== undefined) out.loss = label(p.loss);
  if (p.trueSteps !== undefined) out.trueSteps = int(p.trueSteps, "gradnorms.trueSteps", 0);
  return out;
}

export function validateTraining(raw: unknown): TrainingPayload {
  const p = obj(raw, "training");
  const epochsDone = values(p.epochsDone ?? [], "training.epochsDone", undefined, MAX_POINTS).map((x) => x ?? 0);
  if (!Array.isArray(p.series ?? [])) fail("training.series", `expected an array, got ${describe(p.series)}`);
  const rawSeries = (p.series ?? []) as unknown[];
  if (rawSeries.length > MAX_SERIES) fail("training.series", "too many series");
  const out: TrainingPayload = {
    status: oneOf(p.status, ["running", "done", "interrupted", "failed"] as const, "training.status", "running"),
    epoch: int(p.epoch ?? 0, "training.epoch"),
    epochs: int(p.epochs ?? 0, "training.epochs"),
    batch: int(p.batch ?? 0, "training.batch"),
    batches: int(p.batches ?? 0, "training.batches"),
    elapsedMs: optNum(p.elapsedMs, "training.elapsedMs") ?? 0,
    etaMs: optNum(p.etaMs, "training.etaMs") ?? null,
    loss: optNum(p.loss, "training.loss") ?? null,
    epochsDone,
    series: rawSeries.map((x, k) => {
      const s = obj(x, `training.series[${k}]`);
      return { label: label(s.label), values: values(s.values, `training.series[${k}].values`, epochsDone.length) };
    }),
  };
  if (p.batchLoss !== undefined && p.batchLoss !== null) {
    const b = obj(p.batchLoss, "training.batchLoss");
    const steps = values(b.steps, "training.batchLoss.steps", undefined, MAX_POINTS).map((x) => x ?? 0);
    out.batchLoss = { steps, values: values(b.values, "training.batchLoss.values", steps.length) };
  }
  if (p.gradNorms !== undefined && p.gradNorms !== null) {
    const g = obj(p.gradNorms, "training.gradNorms");
    const steps = values(g.steps, "training.gradNorms.steps", undefined, MAX_POINTS).map((x) => x ?? 0);
    out.gradNorms = {
      steps,
      preClip: values(g.preClip, "training.gradNorms.preClip", steps.length),
      postClip: values(g.postClip, "training.gradNorms.postClip", steps.length),
    };
    const c = optNum(g.clipNorm, "training.gradNorms.clipNorm");
    if (c !== undefined) out.gradNorms.clipNorm = c;
  }
  if (p.message !== undefined) out.message = label(p.message, 2000);
  if (p.probe !== undefined && p.probe !== null) out.probe = validateProbe(p.probe);
  return out;
}

/** Most snapshots a training payload may carry (the engine keeps at most 1000). */
export const MAX_PROBE_SNAPSHOTS = 1000;

/** The flight recorder's part of a training payload: every snapshot's gates and norms as their own payloads, within one total cap. */
function validateProbe(raw: unknown): TrainingProbe {
  const p = obj(raw, "training.probe");
  const steps = values(p.steps, "training.probe.steps", undefined, MAX_PROBE_SNAPSHOTS).map((x, i) => int(x, `training.probe.steps[${i}]`));
  steps.forEach((s, i) => { if (i > 0 && s <= steps[i - 1]) fail(`training.probe.steps[${i}]`, "steps must increase"); });
  if (!Array.isArray(p.layers) || p.layers.length > MAX_SERIES) fail("training.probe.layers", `expected an array of at most ${MAX_SERIES}, got ${describe(p.layers)}`);
  const layers: TrainingProbeLayer[] = p.layers.map((x, k) => {
    const l = obj(x, `training.probe.layers[${k}]`);
    const out: TrainingProbeLayer = { name: label(l.name), type: oneOf(l.type, ["simpleRNN", "lstm", "gru"] as const, `training.probe.layers[${k}].type`) };
    if (l.meanGate !== undefined && l.meanGate !== null) {
      const m = obj(l.meanGate, `training.probe.layers[${k}].meanGate`);
      out.meanGate = { gate: oneOf(m.gate, ["f", "z"] as const, `training.probe.layers[${k}].meanGate.gate`), values: values(m.values, `training.probe.layers[${k}].meanGate.values`, steps.length) };
    }
    return out;
  });
  if (!Array.isArray(p.snapshots) || p.snapshots.length > steps.length) fail("training.probe.snapshots", `expected an array of at most ${steps.length} (one per step), got ${describe(p.snapshots)}`);
  let cells = 0;
  const snapshots: TrainingProbeSnapshot[] = p.snapshots.map((x, k) => {
    const s = obj(x, `training.probe.snapshots[${k}]`);
    const step = int(s.step, `training.probe.snapshots[${k}].step`);
    if (!steps.includes(step)) fail(`training.probe.snapshots[${k}].step`, `${step} is not one of the steps`);
    if (!Array.isArray(s.gates) || s.gates.length !== layers.length) fail(`training.probe.snapshots[${k}].gates`, `expected ${layers.length} gates payloads (one per layer), got ${describe(s.gates)}`);
    const gates = s.gates.map((g) => validateGates(g));
    for (const g of gates) cells += g.timesteps * g.units * g.panels.length;
    if (cells > MAX_CELLS) fail("training.probe", `the snapshots' values exceed the renderer's cap of ${MAX_CELLS}`);
    const out: TrainingProbeSnapshot = { step, gates };
    if (s.loss !== undefined) out.loss = optNum(s.loss, `training.probe.snapshots[${k}].loss`) ?? null;
    if (s.gradNorms !== undefined && s.gradNorms !== null) out.gradNorms = validateGradNorms(s.gradNorms);
    return out;
  });
  const out: TrainingProbe = {
    every: int(p.every, "training.probe.every", 1), stride: int(p.stride, "training.probe.stride", 1),
    maxSnapshots: int(p.maxSnapshots, "training.probe.maxSnapshots", 1), probeSize: int(p.probeSize, "training.probe.probeSize", 1),
    steps, batches: int(p.batches ?? 0, "training.probe.batches"), layers, snapshots,
  };
  if (p.omitted !== undefined) out.omitted = int(p.omitted, "training.probe.omitted", 0, steps.length);
  return out;
}

export function validateSummary(raw: unknown): SummaryPayload {
  const p = obj(raw, "summary");
  if (!Array.isArray(p.layers)) fail("summary.layers", `expected an array, got ${describe(p.layers)}`);
  if (p.layers.length > MAX_ROWS) fail("summary.layers", `${p.layers.length} rows exceed the cap of ${MAX_ROWS}`);
  const layers: SummaryRow[] = p.layers.map((x, k) => {
    const l = obj(x, `summary.layers[${k}]`);
    const shape = Array.isArray(l.outputShape) ? l.outputShape.slice(0, 16).map((d) => (typeof d === "number" && Number.isFinite(d) ? d : null)) : [];
    const breakdown = Array.isArray(l.breakdown) ? l.breakdown.slice(0, 64).map((b, j) => {
      const t = obj(b, `summary.layers[${k}].breakdown[${j}]`);
      return {
        name: label(t.name),
        shape: Array.isArray(t.shape) ? t.shape.slice(0, 16).map((d) => (typeof d === "number" && Number.isFinite(d) ? d : 0)) : [],
        count: typeof t.count === "number" && Number.isFinite(t.count) ? t.count : 0,
      };
    }) : [];
    const row: SummaryRow = { name: label(l.name), type: label(l.type), outputShape: shape, params: num(l.params ?? 0, `summary.layers[${k}].params`), breakdown };
    if (l.formula !== undefined) row.formula = label(l.formula, 500);
    return row;
  });
  return {
    name: label(p.name),
    convention: p.convention === "torch" ? "torch" : "keras",
    layers,
    totalParams: num(p.totalParams, "summary.totalParams"),
    trainableParams: num(p.trainableParams ?? p.totalParams, "summary.trainableParams"),
    nonTrainableParams: num(p.nonTrainableParams ?? 0, "summary.nonTrainableParams"),
  };
}

export function validateTensor(raw: unknown): TensorPayload {
  const p = obj(raw, "tensor");
  const shape = Array.isArray(p.shape) ? p.shape.slice(0, 32).map((d, i) => int(d, `tensor.shape[${i}]`)) : fail("tensor.shape", `expected an array, got ${describe(p.shape)}`);
  const ss = Array.isArray(p.shownShape) && p.shownShape.length === 2 ? p.shownShape : fail("tensor.shownShape", "expected [rows, cols]");
  const rows = int(ss[0], "tensor.shownShape[0]", 0, MAX_CELLS);
  const cols = int(ss[1], "tensor.shownShape[1]", 0, MAX_CELLS);
  if (rows * cols > MAX_CELLS) fail("tensor", `${rows}×${cols} values exceed the renderer's cap of ${MAX_CELLS}`);
  const out: TensorPayload = {
    shape,
    shownShape: [rows, cols],
    values: values(p.values, "tensor.values", rows * cols),
    view: p.view === "table" ? "table" : "heatmap",
    dtype: p.dtype === "float64" || p.dtype === "int32" ? p.dtype : "float32",
  };
  if (p.title !== undefined) out.title = label(p.title);
  const rl = labels(p.rowLabels, "tensor.rowLabels", rows);
  if (rl) out.rowLabels = rl;
  const cl = labels(p.colLabels, "tensor.colLabels", cols);
  if (cl) out.colLabels = cl;
  if (p.downsampled === true) out.downsampled = true;
  if (p.rowIndex !== undefined) out.rowIndex = ints(p.rowIndex, "tensor.rowIndex", rows);
  if (p.colIndex !== undefined) out.colIndex = ints(p.colIndex, "tensor.colIndex", cols);
  if (p.note !== undefined) out.note = label(p.note);
  return out;
}

export function validateAttention(raw: unknown): AttentionPayload {
  const p = obj(raw, "attention");
  const rows = int(p.rows, "attention.rows", 1, MAX_CELLS);
  const cols = int(p.cols, "attention.cols", 1, MAX_CELLS);
  if (rows * cols > MAX_CELLS) fail("attention", `${rows}×${cols} values exceed the renderer's cap of ${MAX_CELLS}`);
  const out: AttentionPayload = {
    rows, cols,
    values: values(p.values, "attention.values", rows * cols),
    batchIndex: int(p.batchIndex ?? 0, "attention.batchIndex"),
  };
  if (p.title !== undefined) out.title = label(p.title);
  if (p.trueShape !== undefined) {
    const t = obj(p.trueShape, "attention.trueShape");
    out.trueShape = { rows: int(t.rows, "attention.trueShape.rows", 1), cols: int(t.cols, "attention.trueShape.cols", 1) };
  }
  const target = labels(p.target, "attention.target", rows);
  const source = labels(p.source, "attention.source", cols);
  if (target) out.target = target;
  if (source) out.source = source;
  return out;
}

/** A symmetric-or-not colour domain [lo, hi] with lo < hi. */
function domain(v: unknown, path: string): [number, number] {
  const d = values(v, path, 2);
  if (d[0] === null || d[1] === null || !(d[1] > d[0])) fail(path, "expected [lo, hi] with lo < hi");
  return [d[0], d[1]];
}

export function validateNeurons(raw: unknown): NeuronsPayload {
  const p = obj(raw, "neurons");
  const layer = obj(p.layer, "neurons.layer");
  if (!Array.isArray(p.text) || p.text.length === 0) fail("neurons.text", `expected a non-empty array of characters, got ${describe(p.text)}`);
  const T = p.text.length;
  if (!Array.isArray(p.units) || p.units.length === 0) fail("neurons.units", `expected a non-empty array of unit indices, got ${describe(p.units)}`);
  const U = p.units.length;
  if (T > MAX_POINTS || U * T > MAX_CELLS) fail("neurons", `${U}×${T} values exceed the renderer's cap of ${MAX_CELLS}`);
  const out: NeuronsPayload = {
    layer: {
      index: int(layer.index ?? 0, "neurons.layer.index"),
      name: label(layer.name),
      type: oneOf(layer.type, ["simpleRNN", "lstm", "gru"] as const, "neurons.layer.type"),
    },
    state: oneOf(p.state, ["h", "c"] as const, "neurons.state", "h"),
    // One character per step: a longer string is cut to a few code points so it cannot widen a cell.
    text: labels(p.text, "neurons.text", T, 4) as string[],
    units: ints(p.units, "neurons.units", U),
    layerUnits: int(p.layerUnits ?? U, "neurons.layerUnits", 1),
    values: values(p.values, "neurons.values", U * T),
    domain: p.domain === undefined ? [-1, 1] : domain(p.domain, "neurons.domain"),
  };
  if (p.title !== undefined) out.title = label(p.title);
  if (p.model !== undefined) out.model = label(p.model);
  if (p.trueSteps !== undefined) out.trueSteps = int(p.trueSteps, "neurons.trueSteps", T);
  if (p.note !== undefined) out.note = label(p.note, 500);
  if (p.guesses !== undefined && p.guesses !== null) {
    const g = obj(p.guesses, "neurons.guesses");
    const k = int(g.k, "neurons.guesses.k", 1, 64);
    if (T * k > MAX_POINTS) fail("neurons.guesses", `${T}×${k} guesses exceed the renderer's cap of ${MAX_POINTS}`);
    out.guesses = { k, chars: labels(g.chars, "neurons.guesses.chars", T * k, 4) ?? fail("neurons.guesses.chars", "missing"), probs: values(g.probs, "neurons.guesses.probs", T * k) };
  }
  if (p.select !== undefined && p.select !== null) {
    const sel = obj(p.select, "neurons.select");
    const range = (v: unknown, path: string): [number, number] => {
      const r = ints(v, path, 2);
      if (!(r[0] < r[1])) fail(path, "expected [start, end) with start < end");
      return [r[0], r[1]];
    };
    if (!Array.isArray(sel.units) || sel.units.length > MAX_SERIES) fail("neurons.select.units", `expected an array of at most ${MAX_SERIES}, got ${describe(sel.units)}`);
    if (!Array.isArray(sel.matches) || sel.matches.length > MAX_POINTS) fail("neurons.select.matches", `expected an array, got ${describe(sel.matches)}`);
    out.select = {
      range: range(sel.range, "neurons.select.range"),
      units: sel.units.map((x, i) => {
        const u = obj(x, `neurons.select.units[${i}]`);
        return { unit: int(u.unit, `neurons.select.units[${i}].unit`), score: num(u.score, `neurons.select.units[${i}].score`), on: u.on === true };
      }),
      matches: sel.matches.map((m, i) => range(m, `neurons.select.matches[${i}]`)),
    };
  }
  if (p.whatIf !== undefined) out.whatIf = whatIfField(p.whatIf, "neurons.whatIf");
  return out;
}

export function validateConnectivity(raw: unknown): ConnectivityPayload {
  const p = obj(raw, "connectivity");
  const n = int(p.steps, "connectivity.steps", 1, MAX_CELLS);
  if (!Array.isArray(p.maps) || p.maps.length === 0) fail("connectivity.maps", `expected a non-empty array, got ${describe(p.maps)}`);
  if (p.maps.length > MAX_PANELS) fail("connectivity.maps", `${p.maps.length} maps exceed the cap of ${MAX_PANELS}`);
  if (n * n * p.maps.length > MAX_CELLS) fail("connectivity", `${p.maps.length}×${n}×${n} values exceed the renderer's cap of ${MAX_CELLS}`);
  const out: ConnectivityPayload = {
    steps: n,
    output: oneOf(p.output, ["output", "loss"] as const, "connectivity.output", "output"),
    maps: p.maps.map((x, k) => {
      const m = obj(x, `connectivity.maps[${k}]`);
      return { label: label(m.label), values: values(m.values, `connectivity.maps[${k}].values`, n * n) };
    }),
  };
  if (p.title !== undefined) out.title = label(p.title);
  if (p.trueSteps !== undefined) {
    out.trueSteps = int(p.trueSteps, "connectivity.trueSteps", n);
    if (p.stepIndex !== undefined) out.stepIndex = ints(p.stepIndex, "connectivity.stepIndex", n);
  }
  const tokens = labels(p.tokens, "connectivity.tokens", n, 64);
  if (tokens) out.tokens = tokens;
  if (p.whatIf !== undefined) out.whatIf = whatIfField(p.whatIf, "connectivity.whatIf");
  return out;
}

export function validateTrajectory(raw: unknown): TrajectoryPayload {
  const p = obj(raw, "trajectory");
  const stepIndex = ints(p.stepIndex, "trajectory.stepIndex");
  const S = stepIndex.length;
  if (S === 0) fail("trajectory.stepIndex", "no timesteps");
  if (!Array.isArray(p.paths) || p.paths.length === 0) fail("trajectory.paths", `expected a non-empty array, got ${describe(p.paths)}`);
  if (p.paths.length > MAX_ROWS) fail("trajectory.paths", `${p.paths.length} paths exceed the cap of ${MAX_ROWS}`);
  if (p.paths.length * S > MAX_POINTS) fail("trajectory", `${p.paths.length}×${S} points exceed the renderer's cap of ${MAX_POINTS}`);
  const dims = p.dims === undefined || p.dims === null ? 2 : p.dims === 3 ? 3 : fail("trajectory.dims", `expected 3 or nothing, got ${describe(p.dims)}`);
  const ev = values(p.explainedVariance, "trajectory.explainedVariance", dims);
  const out: TrajectoryPayload = {
    explainedVariance: ev.map((v) => v ?? 0),
    stepIndex,
    paths: p.paths.map((x, k) => {
      const path = obj(x, `trajectory.paths[${k}]`);
      const one: TrajectoryPayload["paths"][number] = { label: label(path.label), x: values(path.x, `trajectory.paths[${k}].x`, S), y: values(path.y, `trajectory.paths[${k}].y`, S) };
      if (dims === 3) one.z = values(path.z, `trajectory.paths[${k}].z`, S);
      return one;
    }),
  };
  if (dims === 3) out.dims = 3;
  if (p.fixedPoints !== undefined && p.fixedPoints !== null) {
    if (!Array.isArray(p.fixedPoints) || p.fixedPoints.length > MAX_SERIES) fail("trajectory.fixedPoints", `expected an array of at most ${MAX_SERIES}, got ${describe(p.fixedPoints)}`);
    out.fixedPoints = p.fixedPoints.map((x, k) => {
      const f = obj(x, `trajectory.fixedPoints[${k}]`);
      const path = `trajectory.fixedPoints[${k}]`;
      if (!Array.isArray(f.eigenvalues) || f.eigenvalues.length > MAX_SERIES) fail(`${path}.eigenvalues`, `expected an array of at most ${MAX_SERIES}, got ${describe(f.eigenvalues)}`);
      const fp: NonNullable<TrajectoryPayload["fixedPoints"]>[number] = {
        x: num(f.x, `${path}.x`), y: num(f.y, `${path}.y`), speed: num(f.speed, `${path}.speed`),
        eigenvalues: f.eigenvalues.map((e, i) => {
          const ei = obj(e, `${path}.eigenvalues[${i}]`);
          return { re: num(ei.re, `${path}.eigenvalues[${i}].re`), im: num(ei.im ?? 0, `${path}.eigenvalues[${i}].im`) };
        }),
      };
      if (dims === 3) fp.z = num(f.z, `${path}.z`);
      return fp;
    });
  }
  if (p.title !== undefined) out.title = label(p.title);
  if (p.model !== undefined) out.model = label(p.model);
  if (p.trueSteps !== undefined) out.trueSteps = int(p.trueSteps, "trajectory.trueSteps", S);
  if (p.trueSequences !== undefined) out.trueSequences = int(p.trueSequences, "trajectory.trueSequences", out.paths.length);
  return out;
}

/** Most configuration keys per run a comparison shows. */
export const MAX_CONFIG_KEYS = 500;

export function validateRuns(raw: unknown): RunsComparePayload {
  const p = obj(raw, "runs");
  if (!Array.isArray(p.runs) || p.runs.length === 0) fail("runs.runs", `expected a non-empty array, got ${describe(p.runs)}`);
  if (p.runs.length > MAX_COMPARED_RUNS) fail("runs.runs", `${p.runs.length} runs exceed the cap of ${MAX_COMPARED_RUNS}`);
  let points = 0;
  const runs = p.runs.map((x, k): RunsCompareRun => {
    const path = `runs.runs[${k}]`;
    const r = obj(x, path);
    const model = obj(r.model ?? {}, `${path}.model`);
    const config = obj(r.config ?? {}, `${path}.config`);
    const keys = Object.keys(config);
    if (keys.length > MAX_CONFIG_KEYS) fail(`${path}.config`, `${keys.length} keys exceed the cap of ${MAX_CONFIG_KEYS}`);
    // a null prototype: a key "__proto__" from a file is a key like any other
    const cleanConfig: RunsCompareRun["config"] = Object.create(null) as RunsCompareRun["config"];
    for (const key of keys) {
      const v = config[key];
      cleanConfig[label(key)] = v === null || typeof v === "boolean" ? v : typeof v === "number" ? (Number.isFinite(v) ? v : null) : label(v);
    }
    if (!Array.isArray(r.series) || r.series.length > MAX_SERIES) fail(`${path}.series`, `expected an array of at most ${MAX_SERIES}, got ${describe(r.series)}`);
    const series = r.series.map((y, j): RunsCompareSeries => {
      const sp = `${path}.series[${j}]`;
      const s = obj(y, sp);
      const steps = ints(s.steps, `${sp}.steps`);
      points += steps.length;
      if (points > MAX_POINTS) fail("runs", `more than ${MAX_POINTS} points in all`);
      const final = s.final === null || s.final === undefined ? null : num(s.final, `${sp}.final`);
      return {
        metric: label(s.metric), steps, values: values(s.values, `${sp}.values`, steps.length, MAX_POINTS),
        start: num(s.start ?? 0, `${sp}.start`), end: num(s.end ?? steps[steps.length - 1] ?? 0, `${sp}.end`),
        every: int(s.every ?? 1, `${sp}.every`, 1), final,
      };
    });
    return {
      id: label(r.id), model: { name: label(model.name), type: label(model.type), totalParams: typeof model.totalParams === "number" && Number.isFinite(model.totalParams) ? model.totalParams : NaN },
      config: cleanConfig, wallTimeMs: num(r.wallTimeMs ?? 0, `${path}.wallTimeMs`), interrupted: r.interrupted === true, stoppedEarly: r.stoppedEarly === true, series,
    };
  });
  const metrics = labels(p.metrics, "runs.metrics") ?? [];
  for (const r of runs) for (const s of r.series) if (!metrics.includes(s.metric)) metrics.push(s.metric);
  if (metrics.length === 0) fail("runs.metrics", "no run has a metric");
  const metric = typeof p.metric === "string" && metrics.includes(p.metric) ? p.metric : metrics[0];
  const smoothing = p.smoothing === undefined ? 0 : num(p.smoothing, "runs.smoothing");
  if (smoothing < 0 || smoothing >= 1) fail("runs.smoothing", `expected a weight in [0, 1), got ${smoothing}`);
  const out: RunsComparePayload = {
    metric, x: oneOf(p.x, ["step", "relative", "time"] as const, "runs.x", "step"), smoothing, metrics, runs,
    differingKeys: labels(p.differingKeys, "runs.differingKeys") ?? [], maxPoints: int(p.maxPoints ?? MAX_POINTS, "runs.maxPoints", 1),
  };
  if (p.title !== undefined) out.title = label(p.title);
  if (p.trueRuns !== undefined) out.trueRuns = int(p.trueRuns, "runs.trueRuns", runs.length);
  return out;
}

const VALIDATORS: Record<string, (raw: unknown) => unknown> = {
  [MIME.gates]: validateGates,
  [MIME.gradNorms]: validateGradNorms,
  [MIME.training]: validateTraining,
  [MIME.summary]: validateSummary,
  [MIME.tensor]: validateTensor,
  [MIME.attention]: validateAttention,
  [MIME.neurons]: validateNeurons,
  [MIME.connectivity]: validateConnectivity,
  [MIME.trajectory]: validateTrajectory,
  [MIME.runs]: validateRuns,
};

/** Validates a payload by mime type. Never throws. */
export function validatePayload(mime: string, raw: unknown): Validated<unknown> {
  const v = VALIDATORS[mime];
  if (!v) return { ok: false, error: `unknown output type ${label(mime, 80)}` };
  try {
    return { ok: true, value: v(raw) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.message };
    return { ok: false, error: `malformed payload (${e instanceof Error ? label(e.message, 200) : "unknown error"})` };
  }
}

/** Typed helper for one mime. */
export function validateAs<T>(validator: (raw: unknown) => T, raw: unknown): Validated<T> {
  try {
    return { ok: true, value: validator(raw) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? label(e.message, 300) : "malformed payload" };
  }
}
