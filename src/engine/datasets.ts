/**
 * Small synthetic datasets for the samples and tests, seeded (same seed → same data).
 *
 *   sine          x [N, T, 1], y [N, 1]: x_t = sin(φ + ω·t) for t = 0 … T−1 with a random phase
 *                 φ ~ U[0, 2π) and angular step ω ~ U[ωmin, ωmax] per sample (default 0.15 … 0.35 rad per
 *                 step); y = sin(φ + ω·T), the next value. A many-to-one regression an LSTM learns in seconds.
 *   addingProblem x [N, T, 2], y [N, 1] (Hochreiter & Schmidhuber 1997, as used by Le et al. 2015):
 *                 channel 0 holds values ~ U[0, 1), channel 1 marks exactly two positions with 1 — one
 *                 in the first half, one in the second; y = sum of the two marked values. Predicting
 *                 the mean (y ≈ 1) gives MSE ≈ 1/6; doing better needs memory across ~T/2 steps.
 */
import { checkKeys } from "./options";
import { Rng } from "./random";
import { Tensor } from "./tensor";

export interface SineOptions {
  /** Number of sequences N. Default 512. */
  samples?: number;
  /** Timesteps T per sequence. Default 20. */
  timesteps?: number;
  /** Default 0. */
  seed?: number;
  /** Range of the angular step ω (radians per timestep). Default [0.15, 0.35]. */
  omega?: [number, number];
  /** Standard deviation of Gaussian noise added to x (not y). Default 0. */
  noise?: number;
}

function count(v: unknown, name: string, where: string, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min) throw new Error(`${where}: ${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v as number;
}

/** Next-value prediction on sine waves: x [N, T, 1], y [N, 1]. */
export function sine(options: SineOptions = {}): { x: Tensor; y: Tensor } {
  checkKeys(options, ["samples", "timesteps", "seed", "omega", "noise"], "datasets.sine");
  const n = count(options.samples ?? 512, "samples", "datasets.sine", 1);
  const t = count(options.timesteps ?? 20, "timesteps", "datasets.sine", 1);
  const [wMin, wMax] = options.omega ?? [0.15, 0.35];
  const noise = options.noise ?? 0;
  const rng = new Rng(options.seed ?? 0);
  const x = new Float32Array(n * t);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const phase = rng.uniform(0, 2 * Math.PI);
    const omega = rng.uniform(wMin, wMax);
    for (let s = 0; s < t; s++) x[i * t + s] = Math.sin(phase + omega * s) + (noise ? rng.normal(0, noise) : 0);
    y[i] = Math.sin(phase + omega * t);
  }
  return { x: new Tensor(x, [n, t, 1]), y: new Tensor(y, [n, 1]) };
}

export interface AddingProblemOptions {
  /** Number of sequences N. Default 512. */
  samples?: number;
  /** Timesteps T (≥ 2). Default 50. */
  timesteps?: number;
  /** Default 0. */
  seed?: number;
}

/** The adding problem: x [N, T, 2] (value, marker), y [N, 1] = sum of the two marked values. */
export function addingProblem(options: AddingProblemOptions = {}): { x: Tensor; y: Tensor } {
  checkKeys(options, ["samples", "timesteps", "seed"], "datasets.addingProblem");
  const n = count(options.samples ?? 512, "samples", "datasets.addingProblem", 1);
  const t = count(options.timesteps ?? 50, "timesteps", "datasets.addingProblem", 2);
  const rng = new Rng(options.seed ?? 0);
  const x = new Float32Array(n * t * 2);
  const y = new Float32Array(n);
  const half = Math.floor(t / 2);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < t; s++) x[(i * t + s) * 2] = rng.float();
    const a = rng.int(half);
    const b = half + rng.int(t - half);
    x[(i * t + a) * 2 + 1] = 1;
    x[(i * t + b) * 2 + 1] = 1;
    y[i] = x[(i * t + a) * 2] + x[(i * t + b) * 2];
  }
  return { x: new Tensor(x, [n, t, 2]), y: new Tensor(y, [n, 1]) };
}

/** The `rnn.datasets` namespace. */
export const datasets = {
  /**
   * Next-value prediction on sine waves: x [N, T, 1] holds sin(φ + ω·t) for t = 0 … T−1 (random phase φ and
   * step ω per sample), y [N, 1] = sin(φ + ω·T). Defaults: samples 512, timesteps 20, seed 0, omega [0.15, 0.35], noise 0.
   * `const { x, y } = rnn.datasets.sine({ samples: 512, timesteps: 20, seed: 1 });`
   */
  sine,
  /**
   * The adding problem (Hochreiter & Schmidhuber 1997): x [N, T, 2] = (value ~ U[0, 1), marker 0/1 on two steps,
   * one in each half), y [N, 1] = sum of the two marked values. Defaults: samples 512, timesteps 50, seed 0.
   * Predicting the mean gives MSE ≈ 1/6; beating it needs memory across ~T/2 steps (LSTM yes, SimpleRNN hardly).
   */
  addingProblem,
};
