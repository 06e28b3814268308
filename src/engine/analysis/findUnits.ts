/**
 * `rnn.analysis.findUnits`: which units of a layer track a per-timestep property of the input ("is a
 * vowel", "inside quotes") — Karpathy's interpretable-cell search (Karpathy, Johnson & Fei-Fei 2015,
 * "Visualizing and Understanding Recurrent Networks") as a ranking by Pearson correlation.
 */
import { checkKeys, oneOf } from "../options";
import type { TensorLike } from "../tensor";
import { asTensor } from "../tensor";
import { checkModel, layerStates, splitSequences, type AnalysedModel, type StateName } from "./subject";

/** Options of `rnn.analysis.findUnits`. */
export interface FindUnitsOptions {
  /** Recurrent layer: an index in `model.layers` (`rnn.sequential`) or the stacked layer l (`rnn.nn`). Default: the last recurrent layer. */
  layer?: number;
  /** "h" (default) or an LSTM's cell state "c". */
  state?: StateName;
}

/** One unit and how well it tracks the label. */
export interface UnitMatch {
  /** Unit index in the layer (a bidirectional layer's backward units follow its forward ones). */
  unit: number;
  /** Pearson correlation between the unit's activation and the label over every sequence and timestep (0 for a unit that never changes). */
  correlation: number;
}

const WHERE = "rnn.analysis.findUnits";

/** Labels [N, T] or [T] (one sequence) of numbers or booleans as N·T float64 values. */
function labelValues(labels: unknown, N: number, T: number): Float64Array {
  const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
  let values: ArrayLike<unknown>;
  let shape: number[];
  if (Array.isArray(labels)) {
    values = flat(labels);
    shape = Array.isArray(labels[0]) ? [labels.length, (labels[0] as unknown[]).length] : [labels.length];
  } else {
    const t = asTensor(labels as TensorLike, "float64");
    values = t.data;
    shape = t.shape.slice();
  }
  const okShape = (shape.length === 2 && shape[0] === N && shape[1] === T) || (shape.length === 1 && N === 1 && shape[0] === T);
  if (!okShape || values.length !== N * T) {
    const want = N === 1 ? `[${T}] (or [1, ${T}])` : `[${N}, ${T}]`;
    throw new Error(`${WHERE}: labels must have one value per timestep of every sequence, ${want} for ${N} sequence${N === 1 ? "" : "s"} of ${T} steps, but got [${shape.join(", ")}]`);
  }
  const out = new Float64Array(N * T);
  for (let i = 0; i < out.length; i++) {
    const v = values[i];
    if (typeof v === "boolean") out[i] = v ? 1 : 0;
    else if (typeof v === "number" && Number.isFinite(v)) out[i] = v;
    else throw new Error(`${WHERE}: labels must be finite numbers or booleans; entry ${i} is ${String(v)}`);
  }
  return out;
}

/**
 * Ranks the units of one recurrent layer by |Pearson correlation| between each unit's activation and a
 * per-timestep label, best first: `rnn.analysis.findUnits(model, x, isVowel)` → `[{ unit, correlation }, …]`.
 * x is in the model's input layout (as `trajectory`); labels are [N, T] (or [T] for one sequence) numbers or booleans.
 * Cost: one forward per sequence, O(N·T·K) after.
 */
export function findUnits(model: AnalysedModel, x: TensorLike, labels: TensorLike | readonly (number | boolean)[] | readonly (readonly (number | boolean)[])[],
                          options: FindUnitsOptions = {}): UnitMatch[] {
  const m = checkModel(model, WHERE);
  checkKeys(options, ["layer", "state"], WHERE);
  const state = options.state ?? "h";
  oneOf(state, ["h", "c"], "state", WHERE);
  const seqs = splitSequences(m, x, WHERE);
  const states = seqs.map((s) => layerStates(m, s, options.layer, state, WHERE));
  const { T, K } = states[0];
  const N = seqs.length, M = N * T;
  const y = labelValues(labels, N, T);
  let yMean = 0;
  for (let i = 0; i < M; i++) yMean += y[i];
  yMean /= M;
  let syy = 0;
  for (let i = 0; i < M; i++) syy += (y[i] - yMean) ** 2;
  if (syy === 0) throw new Error(`${WHERE}: the labels are all ${y[0]}; a constant label correlates with nothing`);
  const out: UnitMatch[] = [];
  for (let k = 0; k < K; k++) {
    let mean = 0;
    for (const s of states) for (let t = 0; t < T; t++) mean += s.values[t * K + k];
    mean /= M;
    let sxy = 0, sxx = 0;
    states.forEach((s, n) => {
      for (let t = 0; t < T; t++) {
        const d = s.values[t * K + k] - mean;
        sxy += d * (y[n * T + t] - yMean);
        sxx += d * d;
      }
    });
    out.push({ unit: k, correlation: sxx === 0 ? 0 : sxy / Math.sqrt(sxx * syy) });
  }
  return out.sort((a, b) => Math.abs(b.correlation) - Math.abs(a.correlation) || a.unit - b.unit);
}
