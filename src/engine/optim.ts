/**
 * Optimizers with PyTorch's exact update formulas (torch.optim.SGD / RMSprop / Adam, non-foreach
 * reference definitions in the PyTorch docs), so a run matches PyTorch's loss trajectory step for step.
 * Defaults are PyTorch's too. Porting note: Keras's defaults differ (RMSprop lr 0.001, rho 0.9,
 * epsilon 1e-7; Adam epsilon 1e-7) — pass them explicitly to mimic Keras.
 *
 * An optimizer updates parameters in place from their gradients: each parameter is anything with a
 * `value` and a `grad` typed array of the same length (the Layer contract's parameter buffers).
 * Per-parameter state (momentum buffers, moments) is keyed by the parameter's value buffer.
 */
import { checkKeys } from "./options";

export type Floats = Float32Array | Float64Array;

/** The slice of a parameter an optimizer needs. */
export interface OptimParam {
  value: Floats;
  grad: Floats;
}

/**
 * An optimizer made by `rnn.sgd`, `rnn.rmsprop` or `rnn.adam` (PyTorch's update formulas and defaults);
 * pass it to fit: `model.fit(x, y, { loss: "mse", optimizer: rnn.adam({ lr: 1e-3 }) })`.
 */
export interface Optimizer {
  /** "sgd" | "rmsprop" | "adam" */
  readonly name: string;
  /** Learning rate; may be changed between steps (e.g. by a callback). */
  lr: number;
  /** Hyper-parameters as given, with defaults filled in. */
  readonly config: Readonly<Record<string, number | boolean>>;
  /** Applies one update to every parameter from its current grad. */
  step(params: readonly OptimParam[]): void;
  /** Number of steps taken. */
  readonly steps: number;
  /** Forgets all state (momentum, moments, step count). */
  reset(): void;
  /**
   * The per-parameter state buffers, one list per parameter in `params` order (SGD: [momentum] or none;
   * RMSprop: [squareAvg, gradAvg, momentum]; Adam: [m, v]); [] for a parameter not stepped yet.
   * Copies — with `steps`, all a checkpoint needs to resume bit for bit.
   */
  exportState(params: readonly OptimParam[]): Floats[][];
  /** Puts back state from exportState (same parameter order) and the step count. */
  importState(params: readonly OptimParam[], state: readonly (readonly ArrayLike<number>[])[], steps: number): void;
}

/** @internal Known keys only, and every value a finite number ≥ 0 (or a boolean flag such as nesterov); errors begin with `kind`. */
export function checkOptions(kind: string, options: object, valid: string[]): void {
  checkKeys(options, valid, kind);
  for (const [key, v] of Object.entries(options)) {
    if (v !== undefined && typeof v !== "number" && typeof v !== "boolean") throw new Error(`${kind}: option "${key}" must be a number`);
    if (typeof v === "number" && !(Number.isFinite(v) && v >= 0)) throw new Error(`${kind}: option "${key}" must be a finite number ≥ 0, got ${v}`);
  }
}

/** The state buffers of `params`, copied (exportState). */
function exportSlots(map: Map<Floats, Floats[]>, params: readonly OptimParam[]): Floats[][] {
  return params.map((p) => (map.get(p.value) ?? []).map((b) => b.slice()));
}

/** Replaces the state of `params` with copies of `state` (importState); a buffer of another length is refused. */
function importSlots(kind: string, map: Map<Floats, Floats[]>, params: readonly OptimParam[], state: readonly (readonly ArrayLike<number>[])[], slots: number): void {
  if (state.length !== params.length) throw new Error(`${kind}: optimizer state has ${state.length} parameters, the model ${params.length}`);
  map.clear();
  params.forEach((p, i) => {
    if (state[i].length === 0) return;
    if (state[i].length !== slots) throw new Error(`${kind}: optimizer state of parameter ${i} has ${state[i].length} buffers, expected ${slots}`);
    const bufs = stateFor(map, p, slots);
    state[i].forEach((src, k) => {
      if (src.length !== p.value.length) throw new Error(`${kind}: optimizer state of parameter ${i} has ${src.length} values, the parameter ${p.value.length}`);
      bufs[k].set(src);
    });
  });
}

function checkSteps(kind: string, steps: number): number {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`${kind}: optimizer step count must be an integer ≥ 0, got ${steps}`);
  return steps;
}

function stateFor(map: Map<Floats, Floats[]>, p: OptimParam, slots: number): Floats[] {
  let s = map.get(p.value);
  if (!s) {
    s = Array.from({ length: slots }, () => (p.value instanceof Float64Array ? new Float64Array(p.value.length) : new Float32Array(p.value.length)));
    map.set(p.value, s);
  }
  return s;
}

/** Options of `rnn.sgd({ lr, momentum, … })`, all optional (lr 0.01, plain SGD without momentum); the update rule is torch.optim.SGD's. */
export interface SgdOptions {
  /** Learning rate. Default 0.01. */
  lr?: number;
  /** Momentum factor μ. Default 0 (plain SGD). */
  momentum?: number;
  /** Dampening of the momentum term. Default 0. */
  dampening?: number;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent, PyTorch's formula: g ← g + wd·p; b ← g on the first step, else
 * b ← μ·b + (1−dampening)·g; g ← nesterov ? g + μ·b : b; p ← p − lr·g.
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  checkOptions("sgd", options, ["lr", "momentum", "dampening", "nesterov", "weightDecay"]);
  const { lr = 0.01, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options;
  const state = new Map<Floats, Floats[]>();
  let steps = 0;
  return {
    name: "sgd", lr, config: { lr, momentum, dampening, nesterov, weightDecay },
    get steps() { return steps; },
    reset() { state.clear(); steps = 0; },
    exportState: (params) => exportSlots(state, params),
    importState(params, saved, n) { importSlots("sgd", state, params, saved, 1); steps = checkSteps("sgd", n); },
    step(params) {
      for (const p of params) {
        const { value, grad } = p;
        const buf = momentum !== 0 ? stateFor(state, p, 1)[0] : undefined;
        for (let i = 0; i < value.length; i++) {
          let g = grad[i] + weightDecay * value[i];
          if (buf) {
            buf[i] = steps === 0 ? g : momentum * buf[i] + (1 - dampening) * g;
            g = nesterov ? g + momentum * buf[i] : buf[i];
          }
          value[i] -= this.lr * g;
        }
      }
      steps++;
    },
  };
}

/** Options of `rnn.rmsprop({ lr, alpha, … })`; defaults as torch.optim.RMSprop (for Keras's: lr 0.001, alpha 0.9, eps 1e-7). */
export interface RmspropOptions {
  /** Learning rate. Default 0.01 (PyTorch; Keras uses 0.001). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99 (Keras's rho: 0.9). */
  alpha?: number;
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Normalise by the variance estimate instead of the raw second moment. Default false. */
  centered?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

/**
 * RMSprop, PyTorch's formula: v ← α·v + (1−α)·g²; d ← √(v − centred mean²) + eps;
 * with momentum b ← μ·b + g/d, p ← p − lr·b; else p ← p − lr·g/d.
 */
export function rmsprop(options: RmspropOptions = {}): Optimizer {
  checkOptions("rmsprop", options, ["lr", "alpha", "eps", "momentum", "centered", "weightDecay"]);
  const { lr = 0.01, alpha = 0.99, eps = 1e-8, momentum = 0, centered = false, weightDecay = 0 } = options;
  const state = new Map<Floats, Floats[]>();
  let steps = 0;
  return {
    name: "rmsprop", lr, config: { lr, alpha, eps, momentum, centered, weightDecay },
    get steps() { return steps; },
    reset() { state.clear(); steps = 0; },
    exportState: (params) => exportSlots(state, params),
    importState(params, saved, n) { importSlots("rmsprop", state, params, saved, 3); steps = checkSteps("rmsprop", n); },
    step(params) {
      for (const p of params) {
        const { value, grad } = p;
        const [sq, mean, buf] = stateFor(state, p, 3);
        for (let i = 0; i < value.length; i++) {
          const g = grad[i] + weightDecay * value[i];
          sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
          let avg = sq[i];
          if (centered) {
            mean[i] = alpha * mean[i] + (1 - alpha) * g;
            avg -= mean[i] * mean[i];
          }
          const denom = Math.sqrt(avg) + eps;
          if (momentum > 0) {
            buf[i] = momentum * buf[i] + g / denom;
            value[i] -= this.lr * buf[i];
          } else {
            value[i] -= (this.lr * g) / denom;
          }
        }
      }
      steps++;
    },
  };
}

/** Options of `rnn.adam({ lr, beta1, beta2, … })`; defaults as torch.optim.Adam (lr 0.001, betas 0.9/0.999, eps 1e-8). */
export interface AdamOptions {
  /** Learning rate. Default 0.001. */
  lr?: number;
  /** Decay of the first moment. Default 0.9. */
  beta1?: number;
  /** Decay of the second moment. Default 0.999. */
  beta2?: number;
  /** Added to the denominator. Default 1e-8 (Keras: 1e-7). */
  eps?: number;
  /** L2 penalty added to the gradient (Adam, not AdamW). Default 0. */
  weightDecay?: number;
}

/**
 * Adam, PyTorch's formula: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps).
 */
export function adam(options: AdamOptions = {}): Optimizer {
  checkOptions("adam", options, ["lr", "beta1", "beta2", "eps", "weightDecay"]);
  const { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 } = options;
  const state = new Map<Floats, Floats[]>();
  let steps = 0;
  return {
    name: "adam", lr, config: { lr, beta1, beta2, eps, weightDecay },
    get steps() { return steps; },
    reset() { state.clear(); steps = 0; },
    exportState: (params) => exportSlots(state, params),
    importState(params, saved, n) { importSlots("adam", state, params, saved, 2); steps = checkSteps("adam", n); },
    step(params) {
      const t = steps + 1;
      const stepSize = this.lr / (1 - Math.pow(beta1, t));
      const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
      for (const p of params) {
        const { value, grad } = p;
        const [m, v] = stateFor(state, p, 2);
        for (let i = 0; i < value.length; i++) {
          const g = grad[i] + weightDecay * value[i];
          m[i] = beta1 * m[i] + (1 - beta1) * g;
          v[i] = beta2 * v[i] + (1 - beta2) * g * g;
          value[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtBc2 + eps);
        }
      }
      steps = t;
    },
  };
}

/** True when `x` looks like an optimizer made by sgd/rmsprop/adam. */
export function isOptimizer(x: unknown): x is Optimizer {
  return !!x && typeof x === "object" && typeof (x as Optimizer).step === "function" && typeof (x as Optimizer).lr === "number";
}
