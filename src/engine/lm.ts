/**
 * Character sampling from a trained character-level language model: `model.sample(prime, options)`.
 * The model reads indices (first layer rnn.embedding, input [1, L]) or one-hot rows (input [1, L, V])
 * and outputs next-character logits, either per timestep [1, L, V] (returnSequences models; the last
 * row is used) or once [1, V]. Each new character is drawn from softmax(logits / temperature) with a
 * seeded Rng, appended, and the model is run again on the last `timesteps` characters (the model's
 * inputShape; a shorter prime is fed as it is, since recurrent layers take any length).
 * A final dense with activation "softmax" is handled too (its probabilities are turned back into logits).
 */
import type { Sequential } from "./model";
import { checkKeys } from "./options";
import { Rng } from "./random";
import { findVocab, type CharVocab } from "./text";
import { Tensor, allocFloats } from "./tensor";

export interface SampleOptions {
  /** Characters to generate. Default 100. */
  length?: number;
  /** Softmax temperature: < 1 sharper, > 1 flatter. Default 1. */
  temperature?: number;
  /** Seed of the draws. Default 0. */
  seed?: number;
  /**
   * Vocabulary; default `model.vocab`, else the latest rnn.text.charVocab whose size equals the model's
   * output size. Its `encode` may return any array of indices (a Float32Array from rnn.text.encode too).
   */
  vocab?: SampleVocab;
}

/** What sampling needs of a vocabulary: a CharVocab, or one whose encode returns a typed array. */
export type SampleVocab = Omit<CharVocab, "encode"> & { encode(text: string): ArrayLike<number> };

function isVocab(v: unknown): v is CharVocab {
  return !!v && typeof v === "object" && typeof (v as CharVocab).encode === "function" && typeof (v as CharVocab).size === "number";
}


/**
 * Generates `length` characters after `prime`; returns prime + generated text. The prime is text, or
 * the indices of its characters (`rnn.text.encode(vocab, "the ")`, a Float32Array, or any array of them).
 */
export function sample(model: Sequential, prime: string | ArrayLike<number>, options: SampleOptions = {}): string {
  if (isOptionsInsteadOfPrime(prime)) {
    throw new Error("sample: the first argument is the prime (text to continue), options come second: model.sample(\"the \", { vocab, length: 100 })");
  }
  if (!options || typeof options !== "object") throw new Error(`sample: options must be an object, got ${typeof options}`);
  checkKeys(options, ["length", "temperature", "seed", "vocab"], "sample");
  const { length = 100, temperature = 1, seed = 0 } = options;
  if (!Number.isInteger(length) || length < 0) throw new Error(`sample: length must be an integer ≥ 0, got ${length}`);
  if (!(temperature > 0)) throw new Error(`sample: temperature must be > 0, got ${temperature}`);
  const outShape = model.outputShapes[model.outputShapes.length - 1];
  const v = outShape[outShape.length - 1] as number;
  const vocab = options.vocab ?? (isVocab(model.vocab) ? model.vocab : undefined) ?? findVocab(v);
  if (!vocab) throw new Error(`sample: no vocabulary of ${v} characters; pass { vocab } or set model.vocab = rnn.text.charVocab(text)`);
  if (vocab.size !== v) throw new Error(`sample: the vocabulary has ${vocab.size} characters but the model outputs ${v}`);
  // A plain array of ids: a vocabulary's own encode() may return a typed array (rnn.text.encode does),
  // which has no push.
  const ids = primeIds(prime, vocab);
  const window = typeof model.inputShape[0] === "number" ? model.inputShape[0] : Infinity;
  const byIndex = model.layers[0].type === "embedding";
  const probsOut = model.layers[model.layers.length - 1].outputActivation === "softmax";
  const rng = new Rng(seed);
  const ctx = { training: false, rng: new Rng(0) };
  let text = vocab.decode(ids);
  const logits = new Float64Array(v);
  for (let step = 0; step < length; step++) {
    const recent = ids.slice(-Math.min(window, ids.length));
    const l = recent.length;
    const data = allocFloats(byIndex ? l : l * v, model.dtype);
    recent.forEach((k, t) => (byIndex ? (data[t] = k) : (data[t * v + k] = 1)));
    const out = model.forwardPass(new Tensor(data, byIndex ? [1, l] : [1, l, v]), ctx);
    const off = out.size - v; // last timestep's row
    for (let j = 0; j < v; j++) logits[j] = probsOut ? Math.log(Math.max(out.data[off + j], 1e-30)) : out.data[off + j];
    const next = draw(logits, temperature, rng);
    ids.push(next);
    text += vocab.chars[next];
  }
  return text;
}

function isOptionsInsteadOfPrime(prime: unknown): boolean {
  return typeof prime === "object" && prime !== null && !(typeof (prime as ArrayLike<number>).length === "number");
}

/** The prime's character indices, checked against the vocabulary. */
function primeIds(prime: string | ArrayLike<number>, vocab: SampleVocab): number[] {
  if (typeof prime === "string") {
    if (prime.length === 0) throw new Error("sample: prime text must be a non-empty string");
    return Array.from(vocab.encode(prime));
  }
  if (prime === null || prime === undefined || typeof prime.length !== "number") {
    throw new Error(`sample: prime must be text or character indices, got ${prime === null ? "null" : typeof prime}`);
  }
  const ids = Array.from(prime, Number);
  if (ids.length === 0) throw new Error("sample: prime must have at least one character");
  const bad = ids.find((k) => !Number.isInteger(k) || k < 0 || k >= vocab.size);
  if (bad !== undefined) throw new Error(`sample: prime index ${bad} is not a character index of the vocabulary [0, ${vocab.size})`);
  return ids;
}

/** One draw from softmax(logits / temperature). */
function draw(logits: Float64Array, temperature: number, rng: Rng): number {
  let max = -Infinity;
  for (const z of logits) max = Math.max(max, z / temperature);
  let sum = 0;
  const p = new Float64Array(logits.length);
  for (let j = 0; j < logits.length; j++) sum += p[j] = Math.exp(logits[j] / temperature - max);
  let u = rng.float() * sum;
  for (let j = 0; j < p.length; j++) {
    u -= p[j];
    if (u < 0) return j;
  }
  return p.length - 1;
}
