/**
 * `rnn.analysis.neurons`: what each unit of a character model does along a text — Karpathy's
 * "unreasonable effectiveness of RNNs" figure as data: one recurrent layer's state per character and
 * unit, and the model's next-character guesses (top k with their probabilities) after each character.
 *
 * Dimension letters: T characters of the text, K units shown (a subset of the layer's D·H: both
 * directions of a bidirectional layer side by side, forward first), V vocabulary size, k guesses.
 *
 * The text runs as ONE sequence through the whole model in inference mode with gate recording on (the
 * recording contract of recording.ts, the same entries `model.record` returns), so states and guesses
 * come from a single forward. A model trained on fixed windows (`inputShape: [40]`) still reads a text
 * of any length: recurrent layers do not depend on T, so the text is not checked against the window
 * (as `model.sample` does with its prime).
 */
import type { GateName } from "../layer";
import { Sequential } from "../model";
import { checkKeys, oneOf } from "../options";
import { Rng } from "../random";
import { sequenceRecording, type RecurrentRecording } from "../recording";
import { allocFloats, Tensor } from "../tensor";
import { checkModel, type StateName } from "./subject";
import { selectColumns, type SelectOptions } from "../../shared/neuronSelect";

/** What `neurons` needs of a vocabulary (a `rnn.text.charVocab`): its characters in index order. */
export interface NeuronsVocab {
  readonly size: number;
  readonly chars: readonly string[];
  encode(text: string): ArrayLike<number>;
}

/** Options of `rnn.analysis.neurons` and `rnn.show.neurons`. */
export interface NeuronsOptions {
  /** The model's vocabulary (`rnn.text.charVocab(text)`): encodes the text and names the guesses. */
  vocab: NeuronsVocab;
  /** Recurrent layer: an index in `model.layers`. Default: the model's last recurrent layer. */
  layer?: number;
  /** "h" (default) or an LSTM's cell state "c". */
  state?: StateName;
  /** Units to show (indices into the layer's units), in this order. Default: every unit. */
  units?: number[];
  /** Next-character guesses kept per position (default 5, at most V; 0 keeps none). */
  topK?: number;
}

/** The model's k most likely next characters after each character. */
export interface NextCharGuesses {
  /** [T][k] characters, most likely first. */
  chars: string[][];
  /** [T, k] their probabilities (float64). */
  probs: Tensor;
}

/** What `rnn.analysis.neurons` returns. */
export interface NeuronActivations {
  /** The text as characters (code points), one per timestep. */
  text: string[];
  /** [T, K] the state of each shown unit at each character (float64); column j is unit `units[j]`. */
  values: Tensor;
  /** Unit index of each column of `values`. */
  units: number[];
  /** Units of the layer in all (D·H). */
  layerUnits: number;
  /** The layer: index in `model.layers`, name, cell type. */
  layer: { index: number; name: string; type: RecurrentRecording["type"] };
  state: StateName;
  /** Top-k next-character guesses, when the model's output is one row of V per character; else undefined. */
  guesses?: NextCharGuesses;
  /** Why there are no guesses (the output's shape), when `guesses` is undefined and topK > 0. */
  noGuesses?: string;
}

const WHERE = "rnn.analysis.neurons";

function isVocab(v: unknown): v is NeuronsVocab {
  return typeof v === "object" && v !== null && typeof (v as NeuronsVocab).encode === "function"
    && Array.isArray((v as NeuronsVocab).chars) && typeof (v as NeuronsVocab).size === "number";
}

/**
 * One recurrent layer's states along `text` and the model's next-character guesses, for a character
 * model (`rnn.sequential` starting with an embedding of character indices, or taking one-hot [T, V]):
 * `rnn.analysis.neurons(model, "the cat sat", { vocab, layer: 0, units: [3, 17], topK: 5 })`.
 * Guesses are the model's output per character: probabilities as they are when the last layer ends in a
 * softmax, else the softmax of its logits. Cost: one forward over the text.
 */
export function neurons(model: Sequential, text: string, options: NeuronsOptions): NeuronActivations {
  const checked = checkModel(model, WHERE);
  if (!(checked instanceof Sequential)) {
    throw new Error(`${WHERE}: needs a character model (rnn.sequential with an embedding or one-hot input and an output per character); an rnn.nn module has no vocabulary output`);
  }
  const m = checked;
  if (typeof text !== "string" || text.length === 0) throw new Error(`${WHERE}: expected a non-empty text, got ${typeof text === "string" ? "an empty string" : typeof text}`);
  if (!options || typeof options !== "object") throw new Error(`${WHERE}: expected options { vocab, layer?, state?, units?, topK? }`);
  checkKeys(options, ["vocab", "layer", "state", "units", "topK"], WHERE);
  if (!isVocab(options.vocab)) throw new Error(`${WHERE}: options.vocab must be a vocabulary (rnn.text.charVocab(text)) to encode the text and name the guesses`);
  const vocab = options.vocab;
  const state = oneOf(options.state ?? "h", ["h", "c"], "state", WHERE);
  const topK = options.topK ?? 5;
  if (!Number.isInteger(topK) || topK < 0) throw new Error(`${WHERE}: topK must be an integer ≥ 0, got ${JSON.stringify(options.topK)}`);

  const chars = Array.from(text);
  let ids: number[];
  try {
    ids = Array.from(vocab.encode(text), Number);
  } catch (e) {
    throw new Error(`${WHERE}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (ids.length !== chars.length) throw new Error(`${WHERE}: the vocabulary encoded ${chars.length} characters as ${ids.length} indices; expected one index per character`);
  const T = chars.length, V = vocab.size;

  // The model's input layout: indices [1, T] into an embedding, else one-hot [1, T, V].
  const byIndex = m.layers[0].type === "embedding";
  const features = m.inputShape[m.inputShape.length - 1];
  if (!byIndex && features !== V) {
    throw new Error(`${WHERE}: model "${m.name}" takes ${features} features per step, but the vocabulary has ${V} characters; a one-hot character model takes [T, ${V}]`);
  }
  const data = allocFloats(byIndex ? T : T * V, m.dtype);
  ids.forEach((k, t) => (byIndex ? (data[t] = k) : (data[t * V + k] = 1)));
  const x = new Tensor(data, byIndex ? [1, T] : [1, T, V]);

  // One forward with the layers' instrumentation on, in inference mode (as Sequential.record does).
  const ctx = { training: false, rng: new Rng(0), record: { gates: true, gradNorms: false } };
  const out = m.forwardPass(x, ctx);
  const recs: RecurrentRecording[] = [];
  m.layers.forEach((l, index) => {
    for (const r of l.recordings?.() ?? []) recs.push(sequenceRecording(r, index, r.layer, 0));
  });
  if (recs.length === 0) throw new Error(`${WHERE}: model "${m.name}" has no recurrent layer`);
  const index = options.layer ?? Math.max(...recs.map((r) => r.index));
  const entries = recs.filter((r) => r.index === index);
  if (entries.length === 0) {
    const list = [...new Set(recs.map((r) => `${r.index} "${r.name}"`))].join(", ");
    throw new Error(`${WHERE}: layer ${JSON.stringify(options.layer)} is not a recurrent layer of model "${m.name}"; its recurrent layers: ${list}`);
  }
  const parts = entries.map((r) => {
    const g = r.gates[state as GateName];
    if (!g) throw new Error(`${WHERE}: layer ${index} "${r.name}" is a ${r.type} layer, which has no state "${state}" (only LSTM layers have a cell state c; use state: "h")`);
    return g;
  });
  const K = parts.reduce((a, p) => a + p.shape[1], 0);

  const units = options.units === undefined ? Array.from({ length: K }, (_, j) => j) : options.units;
  if (!Array.isArray(units) || units.length === 0) throw new Error(`${WHERE}: units must be a non-empty array of unit indices`);
  for (const u of units) {
    if (!Number.isInteger(u) || u < 0 || u >= K) throw new Error(`${WHERE}: unit ${JSON.stringify(u)} is outside the layer's ${K} units [0, ${K})`);
  }
  // [T, K] of the whole layer (directions side by side), then the chosen columns.
  const all = new Float64Array(T * K);
  let col = 0;
  for (const p of parts) {
    const H = p.shape[1];
    for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) all[t * K + col + j] = p.data[t * H + j];
    col += H;
  }
  const U = units.length;
  const values = new Float64Array(T * U);
  for (let t = 0; t < T; t++) for (let j = 0; j < U; j++) values[t * U + j] = all[t * K + units[j]];

  const result: NeuronActivations = {
    text: chars, values: new Tensor(values, [T, U]), units: units.slice(), layerUnits: K,
    layer: { index, name: entries[0].name, type: entries[0].type }, state,
  };
  if (topK > 0) {
    if (out.rank === 3 && out.shape[1] === T && out.shape[2] === V) {
      const probsOut = m.layers[m.layers.length - 1].outputActivation === "softmax";
      result.guesses = topGuesses(out.data, T, V, Math.min(topK, V), probsOut, vocab.chars);
    } else {
      result.noGuesses = `the model's output is (${out.shape.join(", ")}), not one row of ${V} per character (1, ${T}, ${V})`;
    }
  }
  return result;
}

/** Top-k of each row of y [T, V] (probabilities, or logits turned into them by a stable softmax). */
function topGuesses(y: ArrayLike<number>, T: number, V: number, k: number, probsOut: boolean, names: readonly string[]): NextCharGuesses {
  const probs = new Float64Array(T * k);
  const chars: string[][] = [];
  const p = new Float64Array(V);
  const order = Array.from({ length: V }, (_, j) => j);
  for (let t = 0; t < T; t++) {
    if (probsOut) {
      for (let j = 0; j < V; j++) p[j] = y[t * V + j];
    } else {
      let max = -Infinity;
      for (let j = 0; j < V; j++) max = Math.max(max, y[t * V + j]);
      let sum = 0;
      for (let j = 0; j < V; j++) sum += p[j] = Math.exp(y[t * V + j] - max);
      for (let j = 0; j < V; j++) p[j] /= sum;
    }
    order.sort((a, b) => p[b] - p[a] || a - b);
    chars.push(order.slice(0, k).map((j) => names[j] ?? String(j)));
    for (let i = 0; i < k; i++) probs[t * k + i] = p[order[i]];
  }
  return { chars, probs: new Tensor(probs, [T, k]) };
}

/** What `rnn.analysis.selectUnits` returns: LSTMVis's select → match on a neurons analysis. */
export interface UnitSelection {
  /** The selected characters [start, end). */
  range: [number, number];
  /** The units most active in the range (mean state inside − mean outside), best first, with their on/off pattern. */
  units: { unit: number; score: number; meanIn: number; meanOut: number; on: boolean }[];
  /** Other ranges [start, end) where those units are on and off as in the selection. */
  matches: [number, number][];
  /** The "on" threshold used. */
  threshold: number;
}

/**
 * LSTMVis's select → match (Strobelt et al. 2018) on the result of `rnn.analysis.neurons`: the units
 * most active in characters [start, end) — mean state in the range minus mean state elsewhere, only
 * units that are more active inside, best `top` (default 5) — and the other places in the text where
 * those units show the same on/off pattern (on: state above `threshold`, default 0.3):
 * `rnn.analysis.selectUnits(rnn.analysis.neurons(model, text, { vocab }), [4, 9])`.
 */
export function selectUnits(a: NeuronActivations, range: [number, number], options: SelectOptions = {}): UnitSelection {
  const where = "rnn.analysis.selectUnits";
  if (!a || typeof a !== "object" || !(a.values instanceof Tensor) || !Array.isArray(a.units)) throw new Error(`${where}: expected the result of rnn.analysis.neurons(model, text, { vocab })`);
  checkKeys(options, ["top", "threshold"], where);
  const [T, U] = a.values.shape;
  const [start, end] = Array.isArray(range) ? range : [NaN, NaN];
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > T || start >= end) {
    throw new Error(`${where}: range must be [start, end) with 0 ≤ start < end ≤ ${T} (the text's length), got ${JSON.stringify(range)}`);
  }
  const top = options.top ?? 5, threshold = options.threshold ?? 0.3;
  if (!Number.isInteger(top) || top < 1) throw new Error(`${where}: top must be an integer ≥ 1, got ${JSON.stringify(options.top)}`);
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) throw new Error(`${where}: threshold must be a finite number, got ${JSON.stringify(options.threshold)}`);
  const v = a.values.data;
  const sel = selectColumns((u, t) => v[t * U + u], T, U, [start, end], { top, threshold });
  return {
    range: [start, end],
    units: sel.columns.map((c) => ({ unit: a.units[c.column], score: c.score, meanIn: c.meanIn, meanOut: c.meanOut, on: c.on })),
    matches: sel.matches,
    threshold,
  };
}
