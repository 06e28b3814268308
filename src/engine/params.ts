/**
 * Parameter counting: the one pure function behind every `countParams()`, the model summary, the
 * editor hover and the count tests. Dependency-free on purpose — the extension imports it to count
 * layers statically from a cell's source text, so it takes plain config objects such as
 * `{ type: "lstm", units: 16 }` or `{ type: "nn.LSTM", inputSize: 28, hiddenSize: 256, numLayers: 2 }`
 * and never touches tensors.
 *
 * Conventions:
 *   "keras" — one bias vector per recurrent layer (`kernel [I, G·H]`, `recurrent_kernel [H, G·H]`,
 *             `bias [G·H]`), except GRU with `resetAfter: true` (Keras's default), which keeps an input
 *             bias and a recurrent bias: `bias [2, 3H]`. TF.js counts like Keras, but its GRU only
 *             supports `resetAfter: false` (150 rather than 165 for GRU(5) on 4 features).
 *   "torch" — two bias vectors (`bias_ih_l0`, `bias_hh_l0`), weights `[G·H, in]`, state-dict names.
 * G is the number of gates stacked in the fused matrices: SimpleRNN 1, LSTM 4, GRU 3.
 *
 * Unrelated options in a config (`returnSequences`, `activation`, `name`, …) are ignored, so a
 * layer factory's whole option object can be passed as it is.
 */

/** One weight tensor of a layer: its name in the convention, its shape and its element count. */
export interface ParamTensor {
  /** Weight name in the convention: `kernel`, `recurrent_kernel`, `bias` (Keras) or `weight_ih_l0`, `bias_hh_l0`, … (PyTorch). */
  name: string;
  /** Shape in the convention: Keras `kernel [I, G·H]`, PyTorch `weight_ih_l0 [G·H, I]` (G gates: SimpleRNN 1, LSTM 4, GRU 3). */
  shape: number[];
  /** Number of elements (product of shape). */
  count: number;
}

/** Result of {@link paramCount}: the total, each tensor, and the arithmetic as text ("16·(6+16) + 16 = 368"). */
export interface ParamCount {
  /** Total number of parameters of the layer, e.g. 368 for simpleRNN({ units: 16 }) on 6 features. */
  total: number;
  /** Each weight tensor with its name, shape and count, in get_weights() / state-dict order. */
  tensors: ParamTensor[];
  /** The arithmetic as text, e.g. "16·(6+16) + 16 = 368". */
  formula: string;
}

/** How parameters are counted and named: "keras" (one bias vector per recurrent layer; GRU resetAfter keeps two) or "torch" (two bias vectors, `weight_ih_l0 [G·H, I]`). */
export type Convention = "keras" | "torch";

/** A layer described by plain data; `type` selects the layer, the other keys are its options. */
export interface LayerConfig {
  /** Layer type: a factory name ("simpleRNN", "lstm", "gru", "dense", "embedding", …) or module name ("nn.LSTM", "nn.Linear", …). */
  type: string;
  [option: string]: unknown;
}

/** Layer types paramCount understands (Keras-family factory names and PyTorch-family module names). */
export const COUNTABLE_TYPES = [
  "simpleRNN", "lstm", "gru", "dense", "embedding", "dropout", "flatten", "timeDistributed", "bidirectional",
  "nn.RNN", "nn.LSTM", "nn.GRU", "nn.Linear", "nn.Embedding",
] as const;

type Cell = "rnn" | "lstm" | "gru";
const GATES: Record<Cell, number> = { rnn: 1, lstm: 4, gru: 3 };

/** A recurrent stack normalised from either family's options. */
interface RecurrentSpec {
  cell: Cell;
  inputSize: number;
  hidden: number;
  numLayers: number;
  bidirectional: boolean;
  bias: boolean;
  resetAfter: boolean;
}

/** 1969 → "1,969" (kept local so this file stays dependency-free). */
export function groupDigits(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function positiveInt(value: unknown, what: string, type: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${type}: ${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function flag(value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : Boolean(value);
}

function tensor(name: string, shape: number[]): ParamTensor {
  return { name, shape, count: shape.reduce((a, b) => a * b, 1) };
}

/**
 * Counts the parameters of one layer.
 * @param layerConfig plain options with a `type` (see {@link COUNTABLE_TYPES}); e.g. `{ type: "gru", units: 5, resetAfter: false }`.
 * @param inputSize size of the last axis of the layer's input (features per timestep); ignored by
 *   layers that carry their own sizes (embedding, nn.*). For nn.RNN/LSTM/GRU `config.inputSize` wins.
 * @param convention "keras" (one bias; GRU resetAfter → two) or "torch" (two biases, state-dict names).
 * Dense with `tieWeights` (any value other than null/false, or the key present as the hover passes it)
 * shares the embedding's matrix: only its bias is counted here, the matrix is counted once in the embedding.
 */
export function paramCount(layerConfig: LayerConfig, inputSize: number, convention: Convention = "keras"): ParamCount {
  if (!layerConfig || typeof layerConfig !== "object" || typeof layerConfig.type !== "string") {
    throw new Error(`paramCount: expected a layer config like { type: "lstm", units: 16 }, got ${JSON.stringify(layerConfig)}`);
  }
  if (convention !== "keras" && convention !== "torch") {
    throw new Error(`paramCount: convention must be "keras" or "torch", got ${JSON.stringify(convention)}`);
  }
  const c = layerConfig;
  switch (c.type) {
    case "simpleRNN":
    case "lstm":
    case "gru":
      return countRecurrent({
        cell: c.type === "simpleRNN" ? "rnn" : c.type,
        inputSize: positiveInt(inputSize, "the input size", c.type),
        hidden: positiveInt(c.units, "units", c.type),
        numLayers: 1,
        bidirectional: false,
        bias: flag(c.useBias, true),
        resetAfter: flag(c.resetAfter, true),
      }, convention);
    case "nn.RNN":
    case "nn.LSTM":
    case "nn.GRU":
      return countRecurrent({
        cell: c.type === "nn.RNN" ? "rnn" : c.type === "nn.LSTM" ? "lstm" : "gru",
        inputSize: positiveInt(c.inputSize ?? inputSize, "inputSize", c.type),
        hidden: positiveInt(c.hiddenSize, "hiddenSize", c.type),
        numLayers: c.numLayers === undefined ? 1 : positiveInt(c.numLayers, "numLayers", c.type),
        bidirectional: flag(c.bidirectional, false),
        bias: flag(c.bias, true),
        resetAfter: true, // PyTorch's GRU is the reset-after variant
      }, convention);
    case "dense":
      return countDense(positiveInt(inputSize, "the input size", "dense"), positiveInt(c.units, "units", "dense"),
        flag(c.useBias, true), "tieWeights" in c && c.tieWeights !== null && c.tieWeights !== false, convention);
    case "nn.Linear":
      return countDense(positiveInt(c.inFeatures ?? inputSize, "inFeatures", c.type), positiveInt(c.outFeatures, "outFeatures", c.type),
        flag(c.bias, true), false, convention);
    case "embedding":
      return countEmbedding(positiveInt(c.inputDim, "inputDim", c.type), positiveInt(c.outputDim, "outputDim", c.type), convention);
    case "nn.Embedding":
      return countEmbedding(positiveInt(c.numEmbeddings, "numEmbeddings", c.type), positiveInt(c.embeddingDim, "embeddingDim", c.type), convention);
    case "dropout":
    case "flatten":
      return { total: 0, tensors: [], formula: "no weights = 0" };
    case "timeDistributed":
      return paramCount(innerConfig(c), inputSize, convention);
    case "bidirectional":
      return countBidirectional(innerConfig(c), inputSize, convention);
    default:
      throw new Error(`paramCount: unknown layer type ${JSON.stringify(c.type)}; known types: ${COUNTABLE_TYPES.join(", ")}`);
  }
}

function innerConfig(c: LayerConfig): LayerConfig {
  const inner = c.layer;
  if (!inner || typeof inner !== "object" || typeof (inner as LayerConfig).type !== "string") {
    throw new Error(`${c.type}: expected { layer: { type, … } } describing the wrapped layer`);
  }
  return inner as LayerConfig;
}

/** Keras names a Bidirectional's halves forward_<layer> / backward_<layer>; both count the same. */
function countBidirectional(inner: LayerConfig, inputSize: number, convention: Convention): ParamCount {
  if (!["simpleRNN", "lstm", "gru"].includes(inner.type)) {
    throw new Error(`bidirectional wraps simpleRNN, lstm or gru, not ${JSON.stringify(inner.type)}`);
  }
  const one = paramCount(inner, inputSize, convention);
  const base = inner.type === "simpleRNN" ? "simple_rnn" : inner.type;
  const tensors = ["forward", "backward"].flatMap((dir) => one.tensors.map((t) => ({ ...t, name: `${dir}_${base}/${t.name}` })));
  const body = one.formula.replace(/ = [\d,]+$/, "");
  return { total: 2 * one.total, tensors, formula: `2·(${body}) = ${groupDigits(2 * one.total)}` };
}

function countDense(inSize: number, units: number, bias: boolean, tied: boolean, convention: Convention): ParamCount {
  const tensors: ParamTensor[] = [];
  const terms: string[] = [];
  if (!tied) {
    tensors.push(convention === "keras" ? tensor("kernel", [inSize, units]) : tensor("weight", [units, inSize]));
    terms.push(`${inSize}·${units}`);
  }
  if (bias) {
    tensors.push(tensor("bias", [units]));
    terms.push(`${units}`);
  }
  const total = tensors.reduce((a, t) => a + t.count, 0);
  const lead = tied ? "tied kernel (counted in the embedding)" + (terms.length ? " + " : "") : "";
  return { total, tensors, formula: `${lead}${terms.join(" + ") || (tied ? "" : "0")} = ${groupDigits(total)}` };
}

function countEmbedding(vocab: number, dim: number, convention: Convention): ParamCount {
  const t = tensor(convention === "keras" ? "embeddings" : "weight", [vocab, dim]);
  return { total: t.count, tensors: [t], formula: `${vocab}·${dim} = ${groupDigits(t.count)}` };
}

/** Counts a (possibly stacked, possibly bidirectional) recurrent layer in either convention. */
function countRecurrent(s: RecurrentSpec, convention: Convention): ParamCount {
  const g = GATES[s.cell];
  const gh = g * s.hidden;
  const dirs = s.bidirectional ? 2 : 1;
  const tensors: ParamTensor[] = [];
  const layerFormulas: string[] = [];
  for (let l = 0; l < s.numLayers; l++) {
    const inSize = l === 0 ? s.inputSize : s.hidden * dirs;
    for (let d = 0; d < dirs; d++) {
      const suffix = `_l${l}${d === 1 ? "_reverse" : ""}`;
      if (convention === "keras") {
        const prefix = s.numLayers > 1 || dirs > 1 ? `${d === 1 ? "backward" : "forward"}_l${l}/` : "";
        tensors.push(tensor(`${prefix}kernel`, [inSize, gh]), tensor(`${prefix}recurrent_kernel`, [s.hidden, gh]));
        if (s.bias) tensors.push(tensor(`${prefix}bias`, s.cell === "gru" && s.resetAfter ? [2, gh] : [gh]));
      } else {
        tensors.push(tensor(`weight_ih${suffix}`, [gh, inSize]), tensor(`weight_hh${suffix}`, [gh, s.hidden]));
        if (s.bias) tensors.push(tensor(`bias_ih${suffix}`, [gh]), tensor(`bias_hh${suffix}`, [gh]));
      }
    }
    const biases = !s.bias ? 0 : convention === "torch" || (s.cell === "gru" && s.resetAfter) ? 2 : 1;
    layerFormulas.push(recurrentFormula(g, s.hidden, inSize, biases, dirs));
  }
  const total = tensors.reduce((a, t) => a + t.count, 0);
  return { total, tensors, formula: `${layerFormulas.join(" + ")} = ${groupDigits(total)}` };
}

/**
 * The textbook arithmetic of one recurrent layer: H·(I+H) + H for SimpleRNN (the study notes'
 * "16·(6+16) + 16"), G·(H·(I+H) + b·H) for gated cells, and a leading "2·" when bidirectional.
 */
function recurrentFormula(g: number, h: number, inSize: number, biases: number, dirs: number): string {
  const bias = biases === 0 ? "" : biases === 1 ? ` + ${h}` : ` + 2·${h}`;
  const one = g === 1 ? `${h}·(${inSize}+${h})${bias}` : `${g}·(${h}·(${inSize}+${h})${bias})`;
  return dirs === 2 ? `2·(${one})` : one;
}
