/**
 * Attention weights as a view reads them: one target × source matrix for one sequence pair, with the
 * tokens of both sides. Row t says how the decoder's step t spread its attention over the encoder's
 * steps s (Luong et al. 2015, Bahdanau et al. 2015: a softmax over s, so each row sums to 1 when the
 * weights come from a softmax — not required here, a user may show raw scores too).
 *
 * Shapes: T_t target (query / decoder) steps, T_s source (key / encoder) steps, B batch.
 *   weights  [T_t, T_s], or [B, T_t, T_s] with `batchIndex` choosing the pair shown (as Keras's
 *            Attention(return_attention_scores=True) and torch's MultiheadAttention return them).
 */
import { checkKeys } from "./options";
import { Tensor, asTensor, type TensorLike } from "./tensor";

/** What a view shows of attention weights. */
export interface AttentionMap {
  /** [T_t, T_s] weights of one pair: rows are target steps, columns source steps. */
  weights: Tensor;
  /** One label per source step (columns), when given. */
  source?: string[];
  /** One label per target step (rows), when given. */
  target?: string[];
  /** Which pair of a batched [B, T_t, T_s] input is shown (0 for a 2-D input). */
  batchIndex: number;
}

/** Options of `attentionMap` and `rnn.show.attention`. */
export interface AttentionMapOptions {
  /** Source tokens: a string (one character per step) or one string per step. */
  source?: string | readonly string[];
  /** Target tokens: a string (one character per step) or one string per step. */
  target?: string | readonly string[];
  /** For batched weights [B, T_t, T_s]: which pair to show. Default 0. */
  batchIndex?: number;
}

const WHERE = "rnn.show.attention";

/** Tokens as one label per step: a string is split into characters (code points), as rnn.text does. */
function tokens(v: string | readonly string[] | undefined, steps: number, side: "source" | "target", axis: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" && !Array.isArray(v)) throw new Error(`${WHERE}: ${side} must be a string or an array of strings, got ${typeof v}`);
  const list = typeof v === "string" ? Array.from(v) : v.map(String);
  if (list.length !== steps) {
    throw new Error(`${WHERE}: ${list.length} ${side} tokens for ${steps} ${side} steps (the weights' ${axis} axis); give one token per step`);
  }
  return list;
}

/**
 * The attention map of `weights` ([T_t, T_s] or [B, T_t, T_s]) with its token labels, checked: a wrong
 * rank, an out-of-range batchIndex or a token count that does not match its axis names both sizes.
 */
export function attentionMap(weights: TensorLike, options: AttentionMapOptions = {}): AttentionMap {
  checkKeys(options, ["source", "target", "batchIndex"], WHERE);
  const t = asTensor(weights);
  if (t.rank !== 2 && t.rank !== 3) {
    throw new Error(`${WHERE}: expected weights [target steps, source steps] or [batch, target steps, source steps], got shape (${t.shape.join(", ")})`);
  }
  const batchIndex = options.batchIndex ?? 0;
  if (!Number.isInteger(batchIndex) || batchIndex < 0) throw new Error(`${WHERE}: batchIndex must be an integer ≥ 0, got ${JSON.stringify(options.batchIndex)}`);
  let pair = t;
  if (t.rank === 3) {
    if (batchIndex >= t.shape[0]) throw new Error(`${WHERE}: batchIndex ${batchIndex} is outside the batch of ${t.shape[0]}`);
    pair = t.slice(batchIndex, batchIndex + 1).reshape(t.shape.slice(1));
  } else if (batchIndex !== 0) {
    throw new Error(`${WHERE}: batchIndex ${batchIndex} given but the weights [${t.shape.join(", ")}] have no batch axis`);
  }
  const [rows, cols] = pair.shape;
  const map: AttentionMap = { weights: pair, batchIndex };
  const source = tokens(options.source, cols, "source", "last");
  const target = tokens(options.target, rows, "target", "first");
  if (source) map.source = source;
  if (target) map.target = target;
  return map;
}
