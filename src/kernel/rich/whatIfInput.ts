/**
 * The input of an editable view ("what if", src/kernel/whatIf.ts) as the output shows it, and the way
 * back: one sequence of a cell's x → a text (with the view's vocabulary: indices into an embedding, or
 * one-hot rows) or a small steps × features grid of numbers; an edited text or grid → a new x holding
 * just that sequence, in the model's own input layout (batch-major for rnn.sequential, [T, B, I]
 * unless batchFirst for rnn.nn), so the view is recomputed exactly as `rnn.show` would draw it on that x.
 */
import { Sequential } from "../../engine/model";
import { TorchRecurrent } from "../../engine/nn/recurrent";
import { allocFloats, asTensor, Tensor, type TensorLike } from "../../engine/tensor";
import { WHAT_IF_MAX_TEXT, WHAT_IF_MAX_VALUES, type WhatIfInput } from "../../shared/payloads";

/** What a vocabulary gives an editable view: the characters in index order and an encoder that throws on unknown ones. */
export interface EditVocab {
  readonly size: number;
  readonly chars: readonly string[];
  encode(text: string): ArrayLike<number>;
}

/** One sequence of x shown for editing, and how an edit becomes the model's input. */
export interface SequenceEditor {
  input: WhatIfInput;
  /** The edited input as x (a batch of one sequence) and, for a text, its characters as tokens. Throws a message for the user. */
  toX(input: WhatIfInput): { x: Tensor; tokens?: string[] };
}

/** Where a sequence sits in x: the model family's layout. */
interface Layout {
  /** Sequences in x. */
  N: number;
  T: number;
  /** Per-step shape after the time axis ([] for indices into an embedding, [F] for features). */
  step: number[];
  /** Value n, t, f of x. */
  at(n: number, t: number, f: number): number;
  /** A tensor of one sequence of T steps in this layout. */
  make(data: Float32Array | Float64Array, T: number): Tensor;
  dtype: Tensor["dtype"];
}

function layoutOf(model: unknown, x: TensorLike): Layout | undefined {
  if (model instanceof Sequential) {
    const t = asTensor(x, model.dtype);
    const per = model.inputShape.length;
    const shape = t.rank === per ? [1, ...t.shape] : t.rank === per + 1 ? t.shape : undefined;
    if (!shape || shape.length < 2 || shape.length > 3) return undefined;
    const [N, T] = shape, step = shape.slice(2), F = step[0] ?? 1;
    return {
      N, T, step, dtype: model.dtype,
      at: (n, s, f) => t.data[(n * T + s) * F + f],
      make: (data, T2) => new Tensor(data, [1, T2, ...step]),
    };
  }
  if (model instanceof TorchRecurrent) {
    const t = asTensor(x, model.dtype);
    const I = model.inputSize;
    if (t.rank === 2 && t.shape[1] === I) {
      const T = t.shape[0];
      return { N: 1, T, step: [I], dtype: model.dtype, at: (_n, s, f) => t.data[s * I + f], make: (data, T2) => new Tensor(data, [T2, I]) };
    }
    if (t.rank !== 3 || t.shape[2] !== I) return undefined;
    const [T, N] = model.batchFirst ? [t.shape[1], t.shape[0]] : [t.shape[0], t.shape[1]];
    return {
      N, T, step: [I], dtype: model.dtype,
      at: (n, s, f) => t.data[(model.batchFirst ? n * T + s : s * N + n) * I + f],
      make: (data, T2) => new Tensor(data, model.batchFirst ? [1, T2, I] : [T2, 1, I]),
    };
  }
  return undefined;
}

/**
 * The editor of sequence `batchIndex` of x for `model`, or undefined when it cannot be edited in place
 * (a model family without a known input layout, a numeric sequence of more than WHAT_IF_MAX_VALUES numbers).
 * With a vocabulary x must hold character indices ([B, T]) or one-hot rows ([B, T, V]): anything else
 * throws, naming the view, since the cell asked for a text it cannot have.
 */
export function sequenceEditor(model: unknown, x: TensorLike, batchIndex: number, vocab: EditVocab | undefined, where: string): SequenceEditor | undefined {
  const lay = layoutOf(model, x);
  if (!lay || batchIndex < 0 || batchIndex >= lay.N || !Number.isInteger(batchIndex)) return undefined;
  const { T, step } = lay;
  const F = step.reduce((a, b) => a * b, 1);
  if (vocab !== undefined) {
    const V = vocab.size;
    const oneHot = step.length === 1 && step[0] === V && V > 1;
    if (!oneHot && F !== 1) throw new Error(`${where}: with a vocab, x must hold character indices [sequences, T] or one-hot rows [sequences, T, ${V}]; got ${F} features per step`);
    const chars: string[] = [];
    for (let s = 0; s < T; s++) {
      let k = 0;
      if (oneHot) for (let f = 1; f < V; f++) { if (lay.at(batchIndex, s, f) > lay.at(batchIndex, s, k)) k = f; }
      else k = lay.at(batchIndex, s, 0);
      chars.push(vocab.chars[k] ?? "?");
    }
    if (T > WHAT_IF_MAX_TEXT) return undefined;
    return {
      input: { kind: "text", text: chars.join("") },
      toX(input) {
        if (input.kind !== "text" || typeof input.text !== "string") throw new Error("this view's input is a text");
        const text = Array.from(input.text);
        if (text.length === 0) throw new Error("the text is empty: type at least one character");
        if (text.length > WHAT_IF_MAX_TEXT) throw new Error(`the text is longer than ${WHAT_IF_MAX_TEXT} characters`);
        const ids = Array.from(vocab.encode(input.text), Number);
        const data = allocFloats(oneHot ? text.length * V : text.length, lay.dtype);
        ids.forEach((k, s) => (oneHot ? (data[s * V + k] = 1) : (data[s] = k)));
        return { x: lay.make(data, text.length), tokens: text };
      },
    };
  }
  if (step.length > 1 || T * F > WHAT_IF_MAX_VALUES) return undefined;
  const values: number[] = [];
  for (let s = 0; s < T; s++) for (let f = 0; f < F; f++) values.push(lay.at(batchIndex, s, f));
  return {
    input: { kind: "values", steps: T, features: F, values },
    toX(input) {
      if (input.kind !== "values" || !Array.isArray(input.values)) throw new Error("this view's input is a row of numbers");
      if (input.values.length !== T * F) throw new Error(`expected ${T * F} numbers (${T} steps × ${F} features), got ${input.values.length}`);
      const bad = input.values.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
      if (bad >= 0) throw new Error(`value ${bad + 1} is not a finite number`);
      const data = allocFloats(T * F, lay.dtype);
      input.values.forEach((v, i) => (data[i] = v));
      return { x: lay.make(data, T) };
    },
  };
}
