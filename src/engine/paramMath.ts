/**
 * The arithmetic of parameter counting: the tensors of a recurrent stack, a dense or an embedding
 * in either convention, and the formula as text. Which rule a layer type uses is in the layer table
 * (layerFacts.ts), whose `paramCount` is the one counting function behind every `countParams()`, the
 * model summary, the editor hover and the count tests. Dependency-free on purpose — the extension
 * imports it to count layers statically from a cell's source text, so it takes plain config objects
 * such as `{ type: "lstm", units: 16 }` and never touches tensors.
 *
 * The conventions ("keras", "torch") are described in params.ts.
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

/** A recurrent stack normalised from either family's options. */
export interface RecurrentSpec {
  cell: "simpleRNN" | "lstm" | "gru";
  /** Gate blocks in the fused matrices (the layer table's CELL_FACTS): SimpleRNN 1, LSTM 4, GRU 3. */
  blocks: number;
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

export function flag(value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : Boolean(value);
}

function tensor(name: string, shape: number[]): ParamTensor {
  return { name, shape, count: shape.reduce((a, b) => a * b, 1) };
}

/** A Bidirectional doubles its wrapped layer; Keras names the halves forward_<layer> / backward_<layer>. */
export function countBidirectional(one: ParamCount, baseName: string): ParamCount {
  const tensors = ["forward", "backward"].flatMap((dir) => one.tensors.map((t) => ({ ...t, name: `${dir}_${baseName}/${t.name}` })));
  const body = one.formula.replace(/ = [\d,]+$/, "");
  return { total: 2 * one.total, tensors, formula: `2·(${body}) = ${groupDigits(2 * one.total)}` };
}

export function countDense(inSize: number, units: number, bias: boolean, tied: boolean, convention: Convention): ParamCount {
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

export function countEmbedding(vocab: number, dim: number, convention: Convention): ParamCount {
  const t = tensor(convention === "keras" ? "embeddings" : "weight", [vocab, dim]);
  return { total: t.count, tensors: [t], formula: `${vocab}·${dim} = ${groupDigits(t.count)}` };
}

/** Counts a (possibly stacked, possibly bidirectional) recurrent layer in either convention. */
export function countRecurrent(s: RecurrentSpec, convention: Convention): ParamCount {
  const g = s.blocks;
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
