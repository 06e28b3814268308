/**
 * `rnn.analysis.fixedPoints`: where one recurrent layer's dynamics stand still under a constant input
 * — Sussillo & Barak 2013 ("Opening the black box: low-dimensional dynamics in high-dimensional
 * recurrent neural networks"): minimise q(s) = ½‖F(s) − s‖² from states the model visits, where F is
 * one step of the cell. Minima with q ≈ 0 are fixed points; the Jacobian of F there tells attractors
 * (all |eigenvalue| < 1) from saddles and lines of attractors (an eigenvalue of 1).
 *
 * Dimension letters: S state size (H, or 2H for an LSTM's [h, c]), I input features of the layer.
 * The minimiser is Levenberg–Marquardt on the residual r(s) = F(s) − s with A = J − I (J = ∂F/∂s, S
 * rows of one batched backward per iteration): step (AᵀA + μ·I)·δ = −Aᵀr, μ shrinking on success
 * and growing on failure. It converges onto a continuum of fixed points (a line attractor) where
 * Newton's (J − I)⁻¹ does not exist.
 */
import { noGrad } from "../autograd/graph";
import { KerasRecurrentLayer } from "../layers/kerasRecurrent";
import { Sequential } from "../model";
import { TorchRecurrent } from "../nn/recurrent";
import { checkKeys, positiveInt } from "../options";
import { Rng } from "../random";
import { asTensor, Tensor, type FloatArray, type TensorLike } from "../tensor";
import { checkModel, inEvalMode, layerStates, splitSequences, type AnalysedModel } from "./subject";

/** Options of `rnn.analysis.fixedPoints`. */
export interface FixedPointOptions {
  /** `rnn.sequential`: index of a SimpleRNN/LSTM/GRU layer in `model.layers` (default the last recurrent one). `rnn.nn`: must be 0 (one-layer modules). */
  layer?: number;
  /** The constant input of the layer, [I] (default zeros: the autonomous dynamics). */
  input?: TensorLike;
  /** How many visited states to start from, evenly spread over xs (default 16). */
  starts?: number;
  /** Levenberg–Marquardt iterations per start (default 200). */
  iterations?: number;
  /** Stop when ‖F(s) − s‖ falls below this (default 1e-10). */
  tolerance?: number;
}

/** One minimum of q(s) = ½‖F(s) − s‖². */
export interface FixedPoint {
  /** The state: h [H], or [h, c] [2H] for an LSTM. */
  point: Tensor;
  /** q at the point: ≈ 0 for a fixed point, larger for a slow point. */
  speed: number;
  /** J = ∂F/∂s at the point, [S, S] (J[i, j] = ∂F_i/∂s_j); its eigenvalues classify the point (e.g. mathjs `eigs`). */
  jacobian: Tensor;
  /** Index of the visited state it started from (sequence n, step t flattened as n·T + t). */
  start: number;
}

const WHERE = "rnn.analysis.fixedPoints";

/** One step of the layer from R states at once: states [R, S] → F [R, S], and vector–Jacobian products. */
interface Step {
  S: number;
  I: number;
  /** F for R states (rows); then `vjp(dF)` gives dF·J for each row. */
  forward(states: Float64Array, R: number): Float64Array;
  vjp(dF: Float64Array): Float64Array;
}

/** The constant input [I] from the option (default zeros), shape-checked. */
function constantInput(value: TensorLike | undefined, I: number): Float64Array {
  if (value === undefined) return new Float64Array(I);
  const t = asTensor(value, "float64");
  if (t.size !== I) throw new Error(`${WHERE}: input must have the layer's ${I} input features, [${I}], but got [${t.shape.join(", ")}]`);
  return Float64Array.from(t.data);
}

function stepOf(model: AnalysedModel, layer: number | undefined, input: TensorLike | undefined): { step: Step; layer: number } {
  if (model instanceof TorchRecurrent) {
    if (model.numLayers !== 1 || model.bidirectional || (layer !== undefined && layer !== 0)) {
      throw new Error(`${WHERE}: takes a one-layer, one-direction module; ${model} has ${model.numLayers} layer(s)${model.bidirectional ? " and two directions" : ""}`);
    }
    return { step: torchStep(model, constantInput(input, model.inputSize)), layer: 0 };
  }
  const m = model as Sequential;
  const index = layer ?? m.layers.map((l, i) => (l instanceof KerasRecurrentLayer ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
  const l = m.layers[index];
  if (!(l instanceof KerasRecurrentLayer)) {
    const name = l ? `layer ${index} "${l.name}" (${l.className})` : `layer ${index} (the model has ${m.layers.length})`;
    throw new Error(`${WHERE}: ${name} is not a SimpleRNN, LSTM or GRU layer of model "${m.name}"`);
  }
  return { step: kerasStep(l, m.dtype, constantInput(input, (l.weights.kernel as Tensor).shape[0])), layer: index };
}

function split(states: Float64Array, R: number, H: number, parts: number, dtype: "float32" | "float64"): Tensor[] {
  const S = parts * H;
  return Array.from({ length: parts }, (_, k) => {
    const t = asTensor(new Tensor(new Float64Array(R * H), [R, H]), dtype);
    for (let r = 0; r < R; r++) for (let j = 0; j < H; j++) t.data[r * H + j] = states[r * S + k * H + j];
    return t;
  });
}

function join(parts: { data: FloatArray }[], R: number, H: number): Float64Array {
  const S = parts.length * H;
  const out = new Float64Array(R * S);
  parts.forEach((p, k) => { for (let r = 0; r < R; r++) for (let j = 0; j < H; j++) out[r * S + k * H + j] = p.data[r * H + j]; });
  return out;
}

function kerasStep(l: KerasRecurrentLayer, dtype: "float32" | "float64", input: Float64Array): Step {
  const H = l.units, parts = l.type === "lstm" ? 2 : 1, I = input.length;
  let R = 0;
  const ctx = { training: false, rng: new Rng(0) };
  return {
    S: parts * H, I,
    forward(states, rows) {
      R = rows;
      const x = asTensor(new Tensor(new Float64Array(R * I), [R, 1, I]), dtype);
      for (let r = 0; r < R; r++) x.data.set(input, r * I);
      return join(l.forwardSeq(x, ctx, split(states, R, H, parts, dtype)).states, R, H);
    },
    vjp(dF) {
      return join(l.backwardSeq(null, split(dF, R, H, parts, dtype), false).dInitialStates, R, H);
    },
  };
}

function torchStep(m: TorchRecurrent, input: Float64Array): Step {
  const H = m.hiddenSize, I = m.inputSize, parts = m.kind === "lstm" ? 2 : 1;
  let R = 0;
  // [1, R, H] is the state layout of a one-layer module (L·D = 1).
  const state = (t: Tensor[]): Tensor[] => t.map((p) => p.reshape([1, R, H]));
  return {
    S: parts * H, I,
    forward(states, rows) {
      R = rows;
      const x = asTensor(new Tensor(new Float64Array(R * I), m.batchFirst ? [R, 1, I] : [1, R, I]), m.dtype);
      for (let r = 0; r < R; r++) x.data.set(input, r * I);
      const s = state(split(states, R, H, parts, m.dtype));
      // No graph: vjp below is the module's manual backward of this latest call.
      const out = noGrad(() => m.forward(x, parts === 2 ? { h0: s[0], c0: s[1] } : s[0]));
      return join(out.cN ? [out.hN, out.cN] : [out.hN], R, H);
    },
    vjp(dF) {
      const d = state(split(dF, R, H, parts, m.dtype));
      const g = m.backward(null, d[0], parts === 2 ? d[1] : null);
      return join(g.dc0 ? [g.dh0, g.dc0] : [g.dh0], R, H);
    },
  };
}

/** J [S, S] at s (row i = ∂F_i/∂s, from a backward seeded with e_i in batch row i) and F(s). */
function jacobianAt(step: Step, s: Float64Array): { J: Float64Array; F: Float64Array } {
  const S = step.S;
  const states = new Float64Array(S * S);
  for (let r = 0; r < S; r++) states.set(s, r * S);
  const Fs = step.forward(states, S);
  const seed = new Float64Array(S * S);
  for (let i = 0; i < S; i++) seed[i * S + i] = 1;
  return { J: step.vjp(seed), F: Fs.slice(0, S) };
}

/** Solves the symmetric positive definite system M·x = b (M [S, S]) by Cholesky; null if M is not SPD. */
function solveSpd(M: Float64Array, b: Float64Array, S: number): Float64Array | null {
  const L = new Float64Array(S * S);
  for (let i = 0; i < S; i++) {
    for (let j = 0; j <= i; j++) {
      let v = M[i * S + j];
      for (let k = 0; k < j; k++) v -= L[i * S + k] * L[j * S + k];
      if (i === j) {
        if (!(v > 0)) return null;
        L[i * S + i] = Math.sqrt(v);
      } else L[i * S + j] = v / L[j * S + j];
    }
  }
  const y = new Float64Array(S);
  for (let i = 0; i < S; i++) {
    let v = b[i];
    for (let k = 0; k < i; k++) v -= L[i * S + k] * y[k];
    y[i] = v / L[i * S + i];
  }
  const x = new Float64Array(S);
  for (let i = S - 1; i >= 0; i--) {
    let v = y[i];
    for (let k = i + 1; k < S; k++) v -= L[k * S + i] * x[k];
    x[i] = v / L[i * S + i];
  }
  return x;
}

const half = (r: Float64Array): number => 0.5 * r.reduce((a, v) => a + v * v, 0);

/** Levenberg–Marquardt on r(s) = F(s) − s from one start. */
function minimise(step: Step, start: Float64Array, iterations: number, tolerance: number): { s: Float64Array; q: number; J: Float64Array } {
  const S = step.S;
  let s = start.slice();
  const first = jacobianAt(step, s);
  let J = first.J;
  let r = first.F.map((v, i) => v - s[i]);
  let q = half(r);
  let mu = 1e-3;
  for (let it = 0; it < iterations && Math.sqrt(2 * q) > tolerance; it++) {
    // A = J − I; normal equations (AᵀA + μ·diag-free damping)·δ = −Aᵀr.
    const A = J.slice();
    for (let i = 0; i < S; i++) A[i * S + i] -= 1;
    const AtA = new Float64Array(S * S), Atr = new Float64Array(S);
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++) {
        let v = 0;
        for (let k = 0; k < S; k++) v += A[k * S + i] * A[k * S + j];
        AtA[i * S + j] = v;
      }
      let v = 0;
      for (let k = 0; k < S; k++) v += A[k * S + i] * r[k];
      Atr[i] = -v;
    }
    let accepted = false;
    for (let tries = 0; tries < 30 && !accepted; tries++) {
      const M = AtA.slice();
      for (let i = 0; i < S; i++) M[i * S + i] += mu;
      const delta = solveSpd(M, Atr, S);
      if (delta) {
        const next = s.map((v, i) => v + delta[i]);
        // F alone (one row) to judge the step; the Jacobian's S rows only once it is taken.
        const rn = step.forward(next, 1).map((v, i) => v - next[i]);
        const qn = half(rn);
        if (qn < q) {
          s = next; J = jacobianAt(step, next).J; r = rn; q = qn;
          mu = Math.max(mu / 3, 1e-12);
          accepted = true;
          continue;
        }
      }
      mu *= 4;
    }
    if (!accepted) break; // no step lowers q: a (local) minimum to working precision
  }
  return { s, q, J };
}

/**
 * Fixed and slow points of one recurrent layer under a constant input (default zero): from `starts`
 * states visited while running the model on xs, minimise q(s) = ½‖F(s) − s‖² (F one step of the cell;
 * s = h, or [h, c] for an LSTM) → `[{ point, speed, jacobian, start }]`, slowest (smallest q) first,
 * one per start (nearby starts may find the same point). For small models: each iteration costs a
 * batched backward over S rows and O(S³) for the step.
 * `rnn.analysis.fixedPoints(model, xs, { starts: 8 })`.
 */
export function fixedPoints(model: AnalysedModel, xs: TensorLike, options: FixedPointOptions = {}): FixedPoint[] {
  const m = checkModel(model, WHERE);
  checkKeys(options, ["layer", "input", "starts", "iterations", "tolerance"], WHERE);
  const count = options.starts === undefined ? 16 : positiveInt(options.starts, "starts", WHERE);
  const iterations = options.iterations === undefined ? 200 : positiveInt(options.iterations, "iterations", WHERE);
  const tolerance = options.tolerance ?? 1e-10;
  if (!(tolerance >= 0)) throw new Error(`${WHERE}: tolerance must be a non-negative number, got ${String(tolerance)}`);
  const { step, layer } = stepOf(m, options.layer, options.input);
  // Visited states: h (and c) of the layer over every sequence and step, [N·T, S].
  const seqs = splitSequences(m, xs, WHERE);
  const hs = seqs.map((x) => layerStates(m, x, layer, "h", WHERE));
  const cs = step.S === 2 * hs[0].K ? seqs.map((x) => layerStates(m, x, layer, "c", WHERE)) : null;
  const H = hs[0].K, T = hs[0].T, total = seqs.length * T;
  const visited = (i: number): Float64Array => {
    const n = Math.floor(i / T), t = i % T;
    const s = new Float64Array(step.S);
    s.set(hs[n].values.subarray(t * H, (t + 1) * H));
    if (cs) s.set(cs[n].values.subarray(t * H, (t + 1) * H), H);
    return s;
  };
  const grads = m.params().map((p) => p.grad.slice());
  try {
    return inEvalMode(m, () => {
      const out: FixedPoint[] = [];
      const n = Math.min(count, total);
      for (let k = 0; k < n; k++) {
        const start = n === 1 ? 0 : Math.round((k * (total - 1)) / (n - 1));
        const r = minimise(step, visited(start), iterations, tolerance);
        out.push({ point: new Tensor(r.s, [step.S]), speed: r.q, jacobian: new Tensor(r.J, [step.S, step.S]), start });
      }
      return out.sort((a, b) => a.speed - b.speed);
    });
  } finally {
    m.params().forEach((p, i) => p.grad.set(grads[i]));
  }
}
