/**
 * Character-level text helpers for language-model samples: a vocabulary (char ⇄ index), index and
 * one-hot encoding, next-character training windows, and a short bundled text (`sampleText`, written
 * for this project) to train on in seconds.
 *
 * Vocabularies remember themselves (most recent last) so `model.sample(prime)` can find the one whose
 * size matches the model's output when none is passed — see {@link findVocab}.
 */

/** A character vocabulary: sorted unique characters of a text. */
export interface CharVocab {
  /** Number of distinct characters V. */
  readonly size: number;
  /** The characters in index order (sorted in JavaScript string order; characters are code points). */
  readonly chars: readonly string[];
  /** Index of a character; throws on a character outside the vocabulary. */
  indexOf(ch: string): number;
  /** "abc" → [i_a, i_b, i_c]. */
  encode(text: string): number[];
  /** [i_a, i_b] → "ab". */
  decode(ids: ArrayLike<number>): string;
}

const recent: CharVocab[] = [];

/** Builds the vocabulary of a text: its distinct characters (code points) sorted. */
export function charVocab(text: string): CharVocab {
  if (typeof text !== "string" || text.length === 0) throw new Error("text.charVocab: expected a non-empty string");
  const chars = [...new Set(Array.from(text))].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  const indexOf = (ch: string): number => {
    const i = index.get(ch);
    if (i === undefined) throw new Error(`character ${JSON.stringify(ch)} is not in the vocabulary (${chars.length} characters)`);
    return i;
  };
  const vocab: CharVocab = {
    size: chars.length,
    chars,
    indexOf,
    encode: (s) => Array.from(s, indexOf),
    decode: (ids) => Array.from(ids, (i) => {
      const c = chars[i];
      if (c === undefined) throw new Error(`index ${i} is outside the vocabulary [0, ${chars.length})`);
      return c;
    }).join(""),
  };
  recent.push(vocab);
  if (recent.length > 16) recent.shift();
  return vocab;
}

/** The most recently built vocabulary with `size` characters, if any (used by model.sample). */
export function findVocab(size: number): CharVocab | undefined {
  for (let i = recent.length - 1; i >= 0; i--) if (recent[i].size === size) return recent[i];
  return undefined;
}

/** Index encoding: text → Float32Array of indices (a flat [L] tensor's data). */
export function encode(vocab: CharVocab, text: string): Float32Array {
  return Float32Array.from(vocab.encode(text));
}

/** One-hot encoding: indices [L] → Float32Array [L, V] row-major. */
export function oneHot(ids: ArrayLike<number>, size: number): Float32Array {
  const out = new Float32Array(ids.length * size);
  for (let i = 0; i < ids.length; i++) {
    const k = ids[i];
    if (!Number.isInteger(k) || k < 0 || k >= size) throw new Error(`oneHot: index ${k} at ${i} is outside [0, ${size})`);
    out[i * size + k] = 1;
  }
  return out;
}

/**
 * Next-character training windows: x[n] = ids[s .. s+T), y[n] = ids[s+1 .. s+T+1) for s = 0, step, 2·step, …
 * Returns flat data with shapes x [N, T], y [N, T] (indices as floats).
 */
export function windows(ids: ArrayLike<number>, timesteps: number, step = timesteps): { x: Float32Array; y: Float32Array; count: number } {
  if (!Number.isInteger(timesteps) || timesteps <= 0) throw new Error(`text.windows: timesteps must be a positive integer, got ${timesteps}`);
  if (!Number.isInteger(step) || step <= 0) throw new Error(`text.windows: step must be a positive integer, got ${step}`);
  const starts: number[] = [];
  for (let s = 0; s + timesteps + 1 <= ids.length; s += step) starts.push(s);
  const x = new Float32Array(starts.length * timesteps);
  const y = new Float32Array(starts.length * timesteps);
  starts.forEach((s, n) => {
    for (let t = 0; t < timesteps; t++) {
      x[n * timesteps + t] = ids[s + t];
      y[n * timesteps + t] = ids[s + t + 1];
    }
  });
  return { x, y, count: starts.length };
}

/**
 * A short text written for this project (plain prose about rivers, lamps and small machines; no
 * outside source), about 1,500 characters, lower case, for character-level language-model samples.
 */
export const sampleText = [
  "the river wakes before the town does. it carries the cold of the hills down past the mill, past the",
  " bridge with the green rail, and out to the flat fields where the herons stand and wait. nobody asks",
  " the river where it is going. it goes there every day, and every day it comes back as new water.",
  "\n\nin the mill there is a small machine that counts. it counts the turns of the wheel, the sacks of",
  " grain, the hours of light. it remembers a little of what came before, and it forgets a little too,",
  " the way a lamp forgets the dark once the wick is lit. the miller says the machine has a gate for",
  " remembering and a gate for forgetting, and that the trick of it is knowing which gate to open.",
  "\n\nat night the lamps come on along the river, one after another, like words in a sentence. the",
  " first lamp does not know the last one, but each lamp sees the one before it, and so the light runs",
  " the whole length of the water. the children on the bridge count the lamps out loud, and when they",
  " lose count they start again from the first, and nobody minds.",
  "\n\nin the morning the river is still there, and the mill, and the machine that counts. the herons",
  " have moved to the far bank. the miller opens the gate, the wheel begins to turn, and the counting",
  " starts again, one turn, then another, then another, the same and not the same as yesterday.",
].join("");
