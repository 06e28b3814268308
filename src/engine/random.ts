/**
 * Seeded randomness and weight initializers.
 *
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018;
 * reference description at https://prng.di.unimi.it/) — 128 bits of state, period 2^128 − 1, good
 * statistical quality, only 32-bit integer operations (fast in JS). The state is seeded from one
 * 32-bit seed through splitmix32 so that nearby seeds give unrelated streams.
 *
 * Every random decision in the engine (initial weights, dropout masks, shuffling, datasets) draws
 * from an `Rng`, so a fixed seed gives bit-identical runs.
 *
 * Initializers fill a flat row-major buffer of a given shape. Conventions:
 *   Keras   kernel glorotUniform, recurrent_kernel orthogonal, bias zeros (LSTM unitForgetBias: ones
 *           for the forget block) — fan_in = shape[0], fan_out = shape[1] for a 2-D [in, out] kernel.
 *   PyTorch every RNN/Linear weight and bias U(−√k, √k), k = 1/hiddenSize (RNNs) or 1/inFeatures (Linear).
 */
import { allocFloats, sizeOf, Tensor, type DType, type FloatArray } from "./tensor";

/** One step of splitmix32 (a 32-bit variant of Steele et al.'s SplitMix): a well-mixed hash of x. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded xoshiro128** generator with float, normal, integer and shuffling helpers. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second Box–Muller value kept for the next `normal()` call. */
  private spare: number | null = null;

  /** @param seed any number; non-integers are truncated, negatives wrap to 32 bits. */
  constructor(seed = 0) {
    let x = (Math.trunc(seed) >>> 0) ^ 0x5bd1e995;
    this.s0 = x = splitmix32(x);
    this.s1 = x = splitmix32(x);
    this.s2 = x = splitmix32(x);
    this.s3 = splitmix32(x);
    // An all-zero state would be absorbing; splitmix32 output makes it practically impossible,
    // but guard anyway.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    // result = rotl(s1 * 5, 7) * 9
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = (n3 << 11) | (n3 >>> 21);
    this.s0 = n0;
    this.s1 = n1;
    this.s2 = n2;
    this.s3 = n3;
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.float();
  }

  /** Standard normal (Box–Muller), scaled: mean + std·N(0, 1). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return mean + std * v;
    }
    let u = 0;
    while (u === 0) u = this.float(); // log(0) guard
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.float() * n);
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0 … n−1. */
  permutation(n: number): number[] {
    const p = new Array<number>(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** A new generator seeded from this one (for independent sub-streams, e.g. one per layer). */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

let globalGenerator = new Rng(0);

/**
 * Seeds the engine's global generator, like `torch.manual_seed`: PyTorch-family modules created
 * without a `seed` option draw their initial weights from it, so a notebook that calls
 * `rnn.manualSeed(42)` first gets the same weights on every run.
 */
export function manualSeed(seed: number): void {
  globalGenerator = new Rng(seed);
}

/** The global generator (see manualSeed). */
export function globalRng(): Rng {
  return globalGenerator;
}

/**
 * Standard-normal samples N(0, 1), like torch.randn: `rnn.randn([3, 4])`, `rnn.randn([4], { requiresGrad: true })`.
 * Drawn from the global generator (seed it with rnn.manualSeed) unless `seed` is given. The values
 * differ from PyTorch's for the same seed (another generator).
 */
export function randn(shape: readonly number[], options: { requiresGrad?: boolean; dtype?: DType; seed?: number } = {}): Tensor {
  const r = options.seed !== undefined ? new Rng(options.seed) : globalGenerator;
  const out = allocFloats(sizeOf(shape), options.dtype ?? "float32");
  for (let i = 0; i < out.length; i++) out[i] = r.normal();
  const t = new Tensor(out, shape);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Shorthand for `new Rng(seed)`. */
export function rng(seed = 0): Rng {
  return new Rng(seed);
}

// ---------------------------------------------------------------------------------------------------
// Initializers. Each fills `out` (row-major, of the given shape) in place.

/** Fills `out` in place for a tensor of `shape`, drawing from `rng`. */
export type Initializer = (out: FloatArray, shape: readonly number[], rng: Rng) => void;

/** Keras's fans: 2-D [in, out] → (in, out); 1-D [n] → (n, n); higher ranks multiply the receptive field. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i];
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

export const zerosInit: Initializer = (out) => out.fill(0);
export const onesInit: Initializer = (out) => out.fill(1);

/** U(low, high). */
export function uniformInit(low: number, high: number): Initializer {
  return (out, _shape, r) => {
    for (let i = 0; i < out.length; i++) out[i] = r.uniform(low, high);
  };
}

/** N(mean, std²). */
export function normalInit(mean = 0, std = 1): Initializer {
  return (out, _shape, r) => {
    for (let i = 0; i < out.length; i++) out[i] = r.normal(mean, std);
  };
}

/** Glorot/Xavier uniform: U(−l, l), l = √(6 / (fan_in + fan_out)) (Glorot & Bengio 2010; Keras default kernel). */
export const glorotUniform: Initializer = (out, shape, r) => {
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < out.length; i++) out[i] = r.uniform(-limit, limit);
};

/** PyTorch RNN/Linear init: U(−√k, √k) with k = 1/fan (hiddenSize for RNNs, inFeatures for Linear). */
export function torchUniform(fan: number): Initializer {
  const bound = 1 / Math.sqrt(fan);
  return uniformInit(-bound, bound);
}

/**
 * Orthogonal (Saxe et al. 2014; Keras's default recurrent_kernel initializer): as Keras does it,
 * view the shape as rows = ∏ shape[:-1], cols = shape[-1]; draw a Gaussian matrix of the taller
 * orientation, orthonormalize its columns (QR with R's diagonal made positive, which modified
 * Gram–Schmidt gives directly), transpose back if needed and scale by `gain`. The result has
 * orthonormal rows (rows ≤ cols) or orthonormal columns (rows ≥ cols).
 */
export function orthogonal(gain = 1): Initializer {
  return (out, shape, r) => {
    const cols = shape.length ? shape[shape.length - 1] : 1;
    const rows = cols === 0 ? 0 : out.length / cols;
    // Work on an n×m matrix with n ≥ m (stored column-major for cheap column operations).
    const n = Math.max(rows, cols);
    const m = Math.min(rows, cols);
    const q = new Float64Array(n * m); // column j at q[j*n … j*n+n)
    for (let i = 0; i < q.length; i++) q[i] = r.normal();
    for (let j = 0; j < m; j++) {
      const cj = j * n;
      // Two passes of modified Gram–Schmidt ("twice is enough") for orthogonality to rounding.
      for (let pass = 0; pass < 2; pass++) {
        for (let k = 0; k < j; k++) {
          const ck = k * n;
          let dot = 0;
          for (let i = 0; i < n; i++) dot += q[ck + i] * q[cj + i];
          for (let i = 0; i < n; i++) q[cj + i] -= dot * q[ck + i];
        }
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += q[cj + i] * q[cj + i];
      norm = Math.sqrt(norm);
      for (let i = 0; i < n; i++) q[cj + i] /= norm;
    }
    if (rows >= cols) {
      // out[i, j] = q[i, j]
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[j * n + i];
    } else {
      // out = qᵀ: out[i, j] = q[j, i]
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[i * n + j];
    }
  };
}

/** Initializer names accepted in layer options (`kernelInitializer: "glorotUniform"`), Keras spelling in camelCase. */
export const INITIALIZER_NAMES = ["glorotUniform", "orthogonal", "zeros", "ones", "randomUniform", "randomNormal"] as const;
export type InitializerName = (typeof INITIALIZER_NAMES)[number];

/** Resolves a name or function to an initializer; randomUniform is Keras's U(−0.05, 0.05), randomNormal N(0, 0.05²). */
export function getInitializer(spec: InitializerName | Initializer, what: string): Initializer {
  if (typeof spec === "function") return spec;
  switch (spec) {
    case "glorotUniform": return glorotUniform;
    case "orthogonal": return orthogonal();
    case "zeros": return zerosInit;
    case "ones": return onesInit;
    case "randomUniform": return uniformInit(-0.05, 0.05);
    case "randomNormal": return normalInit(0, 0.05);
    default:
      throw new Error(`${what}: unknown initializer ${JSON.stringify(spec)}; valid: ${INITIALIZER_NAMES.join(", ")} or a function (out, shape, rng) => void`);
  }
}
