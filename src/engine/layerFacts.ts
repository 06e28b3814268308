/**
 * One table of what is true of each layer type, read by everything that needs it: the layers
 * themselves (class name, Keras auto-name, output shape), `paramCount` (which counting rule), the
 * model summary, the editor hover's static analysis (which evaluates a cell's layer calls through
 * this table instead of restating the rules) and the rich outputs (gate names and order).
 *
 * Shapes here are per sample (no batch axis), with `null` for a dimension that is free or not known
 * (a hover reading `rnn.lstm({ units: n })` with a computed `n`); an input a layer cannot take throws.
 * Pure and dependency-light on purpose: the extension imports it for hovers.
 *
 * Porting notes: gate blocks inside the fused matrices follow each family's own order (Keras LSTM
 * i, f, c, o and GRU z, r, h; PyTorch i, f, g, o and r, z, n — see recurrent.ts and io/kerasTorch.ts);
 * the *recorded* gates below are named the same in both families (g is LSTM's candidate, n GRU's).
 */
import { CELL_CLASS_NAMES, type CellType, type GateName } from "../shared/payloads";
import {
  countBidirectional, countDense, countEmbedding, countRecurrent, flag, type Convention, type LayerConfig,
  type ParamCount,
} from "./paramMath";
import { positiveInt } from "./options";

/** A per-sample shape; null = free or unknown. */
export type FactShape = readonly (number | null)[];

/** The recurrent cells both families build on. */
export type CellKind = CellType;

/** What is true of one recurrent cell in either family. */
export interface CellFacts {
  /** Display name: "SimpleRNN", "LSTM", "GRU" (Keras class names; PyTorch modules are nn.RNN/LSTM/GRU). */
  className: string;
  /** Gate blocks stacked in the fused matrices (G = blocks · H): 1, 4, 3. */
  blocks: number;
  /** What a recording holds per timestep, in the order the outputs show it. */
  gates: readonly GateName[];
}

export const CELL_FACTS: Readonly<Record<CellKind, CellFacts>> = {
  simpleRNN: { className: CELL_CLASS_NAMES.simpleRNN, blocks: 1, gates: ["h"] },
  lstm: { className: CELL_CLASS_NAMES.lstm, blocks: 4, gates: ["i", "f", "g", "o", "c", "h"] },
  gru: { className: CELL_CLASS_NAMES.gru, blocks: 3, gates: ["r", "z", "n", "h"] },
};

/** Recorded quantities that are sigmoid gates (drawn on 0…1); the rest are tanh-range states or unbounded. */
export const SIGMOID_GATES: ReadonlySet<GateName> = new Set<GateName>(["i", "f", "o", "r", "z"]);

/** Readable names of recorded quantities. */
export const GATE_LABELS: Readonly<Record<GateName, string>> = {
  i: "input gate i", f: "forget gate f", g: "candidate g", o: "output gate o", c: "cell state c",
  h: "hidden state h", r: "reset gate r", z: "update gate z", n: "candidate n",
};

/** What is true of one layer type. */
export interface LayerFacts {
  /** The config `type` (factory name, or module name for the PyTorch family): "lstm", "nn.LSTM". */
  type: string;
  family: "keras" | "torch";
  /** How a cell writes it: "rnn.lstm", "rnn.nn.LSTM". */
  factory: string;
  /** Class name in summaries: "LSTM", "Dense", "Linear". */
  className: string;
  /** Base of Keras auto-names ("simple_rnn" → simple_rnn, simple_rnn_1, …). */
  baseName: string;
  /** The recurrent cell, for recurrent layers. */
  cell?: CellKind;
  /** Wraps another layer given as its first argument (config.layer). */
  wrapper?: boolean;
  /** Sizes set by the model it is added to (a Keras layer's input size) rather than by its own options. */
  sizedByModel: boolean;
  /** The options that fix its parameter count (`units`, `inputDim`, …): without them it cannot be counted. */
  sizes: readonly string[];
  /**
   * Per-sample output shape from the layer's options and its per-sample input shape (Keras family;
   * PyTorch modules are not stacked in a sequential and leave it out). Throws for an input it cannot take.
   */
  outputShape?(config: LayerConfig, input: FactShape): (number | null)[];
  /**
   * Layers that take several tensors (merge, attention): per-sample output shape(s) from the
   * per-sample shapes of all inputs. Throws naming the layer type and the shapes it cannot take.
   */
  mergeShape?(config: LayerConfig, inputs: readonly FactShape[]): (number | null)[];
  /** Parameter tensors and total in a convention; `inputSize` is the input's last axis (ignored by self-sized layers). */
  count(config: LayerConfig, inputSize: number, convention: Convention): ParamCount;
}

/** `units` when it is known (a hover may read a computed one), else null. */
function units(config: LayerConfig): number | null {
  return typeof config.units === "number" ? config.units : null;
}

function wrapped(config: LayerConfig): LayerConfig {
  const inner = config.layer;
  if (!inner || typeof inner !== "object" || typeof (inner as LayerConfig).type !== "string") {
    throw new Error(`${config.type}: expected { layer: { type, … } } describing the wrapped layer`);
  }
  return inner as LayerConfig;
}

function recurrent(cell: CellKind, type: string, baseName: string): LayerFacts {
  return {
    type, family: "keras", factory: `rnn.${type}`, className: CELL_FACTS[cell].className, baseName, cell, sizedByModel: true, sizes: ["units"],
    outputShape(config, input) {
      if (input.length !== 2) throw new Error(`${type}: expects inputs of shape [timesteps, features] per sample, got [${input.join(", ")}]`);
      const h = units(config);
      return config.returnSequences ? [input[0], h] : [h];
    },
    count: (config, inputSize, convention) => countRecurrent({
      cell, blocks: CELL_FACTS[cell].blocks, inputSize: positiveInt(inputSize, "the input size", type), hidden: positiveInt(config.units, "units", type), numLayers: 1,
      bidirectional: false, bias: flag(config.useBias, true), resetAfter: flag(config.resetAfter, true),
    }, convention),
  };
}

function torchRecurrent(cell: CellKind, type: string, className: string): LayerFacts {
  return {
    type, family: "torch", factory: `rnn.${type}`, className, baseName: className.toLowerCase(), cell, sizedByModel: false, sizes: ["inputSize", "hiddenSize"],
    count: (config, inputSize, convention) => countRecurrent({
      cell, blocks: CELL_FACTS[cell].blocks, inputSize: positiveInt(config.inputSize ?? inputSize, "inputSize", type), hidden: positiveInt(config.hiddenSize, "hiddenSize", type),
      numLayers: config.numLayers === undefined ? 1 : positiveInt(config.numLayers, "numLayers", type),
      bidirectional: flag(config.bidirectional, false), bias: flag(config.bias, true),
      resetAfter: true, // PyTorch's GRU is the reset-after variant
    }, convention),
  };
}

const NO_WEIGHTS: ParamCount = { total: 0, tensors: [], formula: "no weights = 0" };

const shapeStr = (s: FactShape): string => `(None, ${s.map((d) => (d === null ? "None" : d)).join(", ")})`;

/** Keras's `axis` (counted with the batch axis; negative from the end) as a per-sample axis. */
function sampleAxis(config: LayerConfig, rank: number): number {
  const axis = typeof config.axis === "number" ? config.axis : -1;
  const a = axis < 0 ? rank + axis : axis - 1;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) throw new Error(`concatenate: axis ${axis} is outside inputs of rank ${rank + 1} (batch axis included)`);
  return a;
}

/** Attention inputs [query, value] or [query, value, key]: query (Tq, D), value (Tv, Dv), key (Tv, D). */
function attentionShapes(type: string, inputs: readonly FactShape[]): { q: FactShape; v: FactShape; k: FactShape } {
  if (inputs.length !== 2 && inputs.length !== 3) throw new Error(`${type}: expects [query, value] or [query, value, key], got ${inputs.length} input(s)`);
  const [q, v] = inputs;
  const k = inputs[2] ?? v;
  if (q.length !== 2 || v.length !== 2 || k.length !== 2) {
    throw new Error(`${type}: query, value and key must be (None, timesteps, features); got ${inputs.map(shapeStr).join(", ")}`);
  }
  const same = (a: number | null, b: number | null) => a === null || b === null || a === b;
  if (!same(q[1], k[1])) throw new Error(`${type}: query ${shapeStr(q)} and key ${shapeStr(k)} need the same feature size`);
  if (!same(k[0], v[0])) throw new Error(`${type}: key ${shapeStr(k)} and value ${shapeStr(v)} need the same number of timesteps`);
  return { q, v, k };
}

/** Count of an attention layer's optional `scale` weight: Attention a scalar [], AdditiveAttention a vector [dim]. */
function scaleCount(shape: number[], formula: string): ParamCount {
  const count = shape.reduce((a, b) => a * b, 1);
  return { total: count, tensors: [{ name: "scale", shape, count }], formula: `${formula} = ${count}` };
}

const TABLE: LayerFacts[] = [
  recurrent("simpleRNN", "simpleRNN", "simple_rnn"),
  recurrent("lstm", "lstm", "lstm"),
  recurrent("gru", "gru", "gru"),
  {
    type: "dense", family: "keras", factory: "rnn.dense", className: "Dense", baseName: "dense", sizedByModel: true, sizes: ["units"],
    outputShape(config, input) {
      if (input.length === 0) throw new Error("dense: expects inputs with at least one axis per sample");
      return [...input.slice(0, -1), units(config)];
    },
    // A tied dense (any tieWeights other than null/false, or the key present as the hover passes it) shares
    // the embedding's matrix: only its bias is counted here, the matrix once in the embedding.
    count: (config, inputSize, convention) => countDense(positiveInt(inputSize, "the input size", "dense"), positiveInt(config.units, "units", "dense"),
      flag(config.useBias, true), "tieWeights" in config && config.tieWeights !== null && config.tieWeights !== false, convention),
  },
  {
    type: "embedding", family: "keras", factory: "rnn.embedding", className: "Embedding", baseName: "embedding", sizedByModel: false, sizes: ["inputDim", "outputDim"],
    outputShape(config, input) {
      if (input.length !== 1) throw new Error(`embedding: expects [timesteps] of integer indices per sample, got [${input.join(", ")}]`);
      return [input[0], typeof config.outputDim === "number" ? config.outputDim : null];
    },
    count: (config, _inputSize, convention) => countEmbedding(positiveInt(config.inputDim, "inputDim", "embedding"),
      positiveInt(config.outputDim, "outputDim", "embedding"), convention),
  },
  {
    type: "dropout", family: "keras", factory: "rnn.dropout", className: "Dropout", baseName: "dropout", sizedByModel: false, sizes: [],
    outputShape: (_config, input) => input.slice(),
    count: () => NO_WEIGHTS,
  },
  {
    type: "masking", family: "keras", factory: "rnn.masking", className: "Masking", baseName: "masking", sizedByModel: false, sizes: [],
    outputShape: (_config, input) => input.slice(),
    count: () => NO_WEIGHTS,
  },
  {
    type: "flatten", family: "keras", factory: "rnn.flatten", className: "Flatten", baseName: "flatten", sizedByModel: false, sizes: [],
    outputShape: (_config, input) => [input.every((d): d is number => d !== null) ? input.reduce((a, b) => a * b, 1) : null],
    count: () => NO_WEIGHTS,
  },
  {
    type: "timeDistributed", family: "keras", factory: "rnn.timeDistributed", className: "TimeDistributed", baseName: "time_distributed",
    wrapper: true, sizedByModel: true, sizes: [],
    outputShape(config, input) {
      if (input.length < 2) throw new Error(`timeDistributed: expects inputs of shape [timesteps, …] per sample, got [${input.join(", ")}]`);
      const inner = wrapped(config);
      return [input[0], ...requireShape(inner).outputShape!(inner, input.slice(1))];
    },
    count(config, inputSize, convention) {
      const inner = wrapped(config);
      return layerFacts(inner.type).count(inner, inputSize, convention);
    },
  },
  {
    type: "bidirectional", family: "keras", factory: "rnn.bidirectional", className: "Bidirectional", baseName: "bidirectional",
    wrapper: true, sizedByModel: true, sizes: [],
    outputShape(config, input) {
      const inner = wrapped(config);
      const out = requireShape(inner).outputShape!(inner, input);
      const last = out[out.length - 1];
      out[out.length - 1] = last === null ? null : 2 * last; // mergeMode "concat": forward then backward
      return out;
    },
    count(config, inputSize, convention) {
      const inner = wrapped(config);
      const facts = LAYER_FACTS[inner.type];
      if (!facts?.cell || facts.family !== "keras") throw new Error(`bidirectional wraps simpleRNN, lstm or gru, not ${JSON.stringify(inner.type)}`);
      return countBidirectional(facts.count(inner, inputSize, convention), facts.baseName);
    },
  },
  {
    type: "repeatVector", family: "keras", factory: "rnn.repeatVector", className: "RepeatVector", baseName: "repeat_vector", sizedByModel: false, sizes: ["n"],
    outputShape(config, input) {
      if (input.length !== 1) throw new Error(`repeatVector: expects (None, features) per sample, got ${shapeStr(input)}`);
      return [typeof config.n === "number" ? config.n : null, input[0]];
    },
    count: () => NO_WEIGHTS,
  },
  {
    type: "concatenate", family: "keras", factory: "rnn.concatenate", className: "Concatenate", baseName: "concatenate", sizedByModel: false, sizes: [],
    mergeShape(config, inputs) {
      if (inputs.length < 2) throw new Error(`concatenate: expects a list of at least 2 inputs, got ${inputs.length}`);
      const rank = inputs[0].length;
      const a = sampleAxis(config, rank);
      const ok = inputs.every((s) => s.length === rank && s.every((d, i) => i === a || d === null || inputs[0][i] === null || d === inputs[0][i]));
      if (!ok) throw new Error(`concatenate: inputs must match except along the concatenation axis; got ${inputs.map(shapeStr).join(", ")}`);
      const out = inputs[0].map((d, i) => (i === a ? null : d ?? inputs.find((s) => s[i] !== null)?.[i] ?? null));
      out[a] = inputs.every((s) => s[a] !== null) ? inputs.reduce((acc, s) => acc + (s[a] as number), 0) : null;
      return out;
    },
    count: () => NO_WEIGHTS,
  },
  {
    type: "add", family: "keras", factory: "rnn.add", className: "Add", baseName: "add", sizedByModel: false, sizes: [],
    mergeShape(_config, inputs) {
      if (inputs.length < 2) throw new Error(`add: expects a list of at least 2 inputs, got ${inputs.length}`);
      const ok = inputs.every((s) => s.length === inputs[0].length && s.every((d, i) => d === null || inputs[0][i] === null || d === inputs[0][i]));
      if (!ok) throw new Error(`add: inputs must have the same shape; got ${inputs.map(shapeStr).join(", ")}`);
      return inputs[0].map((d, i) => d ?? inputs.find((s) => s[i] !== null)?.[i] ?? null);
    },
    count: () => NO_WEIGHTS,
  },
  {
    // Keras Attention (Luong dot-product): scores = query·keyᵀ (× the scalar `scale` with useScale).
    type: "attention", family: "keras", factory: "rnn.attention", className: "Attention", baseName: "attention", sizedByModel: false, sizes: [],
    mergeShape(_config, inputs) {
      const { q, v } = attentionShapes("attention", inputs);
      return [q[0], v[1]];
    },
    count: (config) => (flag(config.useScale, false) ? scaleCount([], "scale") : NO_WEIGHTS),
  },
  {
    // Keras AdditiveAttention (Bahdanau): scores = Σ_d scale_d·tanh(query_d + key_d); `scale` [dim] with useScale (default).
    type: "additiveAttention", family: "keras", factory: "rnn.additiveAttention", className: "AdditiveAttention", baseName: "additive_attention",
    sizedByModel: true, sizes: [],
    mergeShape(_config, inputs) {
      const { q, v } = attentionShapes("additiveAttention", inputs);
      return [q[0], v[1]];
    },
    count: (config, inputSize) => (flag(config.useScale, true) ? scaleCount([positiveInt(inputSize, "the query size", "additiveAttention")], "scale [dim]") : NO_WEIGHTS),
  },
  torchRecurrent("simpleRNN", "nn.RNN", "RNN"),
  torchRecurrent("lstm", "nn.LSTM", "LSTM"),
  torchRecurrent("gru", "nn.GRU", "GRU"),
  // One step of each: the same tensors as a one-layer module (weight_ih, weight_hh, bias_ih, bias_hh).
  torchRecurrent("simpleRNN", "nn.RNNCell", "RNNCell"),
  torchRecurrent("lstm", "nn.LSTMCell", "LSTMCell"),
  torchRecurrent("gru", "nn.GRUCell", "GRUCell"),
  {
    type: "nn.Linear", family: "torch", factory: "rnn.nn.Linear", className: "Linear", baseName: "linear", sizedByModel: false, sizes: ["inFeatures", "outFeatures"],
    count: (config, inputSize, convention) => countDense(positiveInt(config.inFeatures ?? inputSize, "inFeatures", "nn.Linear"),
      positiveInt(config.outFeatures, "outFeatures", "nn.Linear"), flag(config.bias, true), false, convention),
  },
  {
    type: "nn.Embedding", family: "torch", factory: "rnn.nn.Embedding", className: "Embedding", baseName: "embedding", sizedByModel: false, sizes: ["numEmbeddings", "embeddingDim"],
    count: (config, _inputSize, convention) => countEmbedding(positiveInt(config.numEmbeddings, "numEmbeddings", "nn.Embedding"),
      positiveInt(config.embeddingDim, "embeddingDim", "nn.Embedding"), convention),
  },
];

/** Every layer type by its config `type`. */
export const LAYER_FACTS: Readonly<Record<string, LayerFacts>> = Object.fromEntries(TABLE.map((f) => [f.type, f]));

/** Layer types paramCount understands (Keras-family factory names and PyTorch-family module names). */
export const COUNTABLE_TYPES: readonly string[] = TABLE.map((f) => f.type);

/** The facts of a layer type; throws naming the known types. */
export function layerFacts(type: string): LayerFacts {
  const facts = Object.prototype.hasOwnProperty.call(LAYER_FACTS, type) ? LAYER_FACTS[type] : undefined;
  if (!facts) throw new Error(`unknown layer type ${JSON.stringify(type)}; known types: ${COUNTABLE_TYPES.join(", ")}`);
  return facts;
}

function requireShape(config: LayerConfig): LayerFacts {
  const facts = layerFacts(config.type);
  if (!facts.outputShape) throw new Error(`${facts.factory} cannot be wrapped in a Keras-family layer`);
  return facts;
}
