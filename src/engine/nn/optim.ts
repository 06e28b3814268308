/**
 * `rnn.optim.SGD / Adam / RMSprop(params, options)`: torch.optim's interface over the engine's
 * optimizers (optim.ts, PyTorch 1.13's update formulas, shared with `model.fit`'s rnn.sgd/adam/rmsprop):
 *
 *   const opt = rnn.optim.Adam(model.parameters(), { lr: 1e-3 });
 *   opt.zeroGrad(); loss.backward(); opt.step();
 *
 * `params` is a Module, `module.parameters()` or `namedParameters()`, or any array of leaf tensors.
 * A step updates every parameter that has a gradient, in place (the tensors' data, which for nn
 * layers IS the layer's weights), outside any graph. It never leaves parameters half-updated: every
 * gradient is checked (present ones finite, shapes right) before the first value is written, and a
 * NaN or infinite gradient is an error that names the parameter.
 *
 * Porting note: the step count of Adam's bias correction is the optimizer's, not each parameter's,
 * which differs from PyTorch only for a parameter that has no gradient on some steps.
 */
import { adam, checkOptions, rmsprop, sgd, type Optimizer, type OptimParam } from "../optim";
import { checkKeys } from "../options";
import { Tensor } from "../tensor";
import { Module } from "./baseModule";
import { isParameter } from "./parameter";

/** What an optimizer (or clipGradNorm_) accepts as its parameters. */
export type ParamsLike = Module | Iterable<Tensor> | Iterable<readonly [string, Tensor]>;

/** @internal The parameters of `params` with names for messages (state-dict names from a Module, else `parameter i`). */
export function resolveParams(params: ParamsLike, where: string): { names: string[]; tensors: Tensor[] } {
  const hint = "pass model.parameters() (a Module's registered parameters) or an array of tensors made with requiresGrad: true";
  if (params === null || params === undefined || typeof params !== "object") throw new Error(`${where}: expected parameters; ${hint}`);
  const entries: [string, unknown][] = params instanceof Module
    ? params.namedParameters()
    : typeof (params as Iterable<unknown>)[Symbol.iterator] === "function"
      ? Array.from(params as Iterable<unknown>, (p, i): [string, unknown] =>
        Array.isArray(p) && p.length === 2 && typeof p[0] === "string" ? [p[0], p[1]] : [`parameter ${i}`, p])
      : [];
  if (entries.length === 0) {
    throw new Error(`${where}: got no parameters to optimize` + (params instanceof Module
      ? ` (${params.constructor.name} has none registered: assign modules and rnn.nn.Parameter(...) to this.<name> in its constructor)`
      : `; ${hint}`));
  }
  const names: string[] = [], tensors: Tensor[] = [];
  const seen = new Set<Tensor>();
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new Error(`${where}: ${name} is not a tensor (got ${t === null ? "null" : typeof t}); ${hint}`);
    if (!t.isLeaf) throw new Error(`${where}: can't optimize ${name}, a tensor computed by other ops (not a leaf); optimize the leaves it came from`);
    if (seen.has(t)) continue;
    seen.add(t);
    names.push(name);
    tensors.push(t);
  }
  return { names, tensors };
}

/**
 * @internal The parameters that have a gradient (and require one), as the engine optimizers' {value, grad} buffers, after
 * checking every one of them: a wrong size or a NaN/infinite entry throws before anything is written.
 */
export function checkedGradients(names: readonly string[], tensors: readonly Tensor[], where: string,
                                 pinned?: readonly (OptimParam | null)[]): OptimParam[] {
  const out: OptimParam[] = [];
  for (let k = 0; k < tensors.length; k++) {
    const t = tensors[k];
    // A frozen parameter (requiresGrad false) has no gradient in PyTorch and is skipped; a layer
    // parameter's zero-filled buffer must not make weight decay or momentum move it.
    if (!t.requiresGrad) continue;
    let param = pinned?.[k] ?? null;
    if (!param) {
      const g = t.grad;
      if (g === null) continue;
      if (g.size !== t.size) throw new Error(`${where}: the gradient of ${names[k]} has shape [${g.shape.join(", ")}] but the parameter has [${t.shape.join(", ")}]; nothing was updated`);
      param = { value: t.data, grad: g.dtype === t.dtype ? g.data : g.clone(t.dtype).data };
    }
    const gd = param.grad;
    const i = firstNonFinite(gd);
    if (i >= 0) {
      throw new Error(`${where}: the gradient of ${names[k]} is ${gd[i]} at index ${i}; nothing was updated ` +
        "(a diverging loss: lower the learning rate or clip with rnn.nn.utils.clipGradNorm_)");
    }
    out.push(param);
  }
  return out;
}

/**
 * Index of the first NaN or ±Infinity in `a`, or −1. v·0 is ±0 for every finite v and NaN otherwise,
 * so a sum of them is 0 exactly when all are finite: that branch-free pass (four at a time) runs at
 * about twice the speed of testing each value, and only a non-finite sum looks for the index
 * (v − v is 0 exactly for every finite v).
 */
function firstNonFinite(a: Float32Array | Float64Array): number {
  const n = a.length;
  let s = 0, k = 0;
  for (; k + 3 < n; k += 4) s += a[k] * 0 + a[k + 1] * 0 + a[k + 2] * 0 + a[k + 3] * 0;
  for (; k < n; k++) s += a[k] * 0;
  if (s === 0) return -1;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (v - v !== 0) return i;
  }
  return -1;
}

/** An optimizer over a fixed list of parameter tensors, torch.optim style. */
export class TorchOptimizer {
  /** The parameters, in the order given (each tensor once). */
  readonly params: Tensor[];
  private readonly names: string[];
  private readonly where: string;
  /**
   * Per parameter: for a module parameter (parameter.ts), whose `.grad` is one pinned tensor of its
   * shape and dtype for life, its value and gradient buffers, read once; null for any other tensor,
   * whose `.grad` a backward may replace.
   */
  private readonly pinned: (OptimParam | null)[];

  constructor(readonly className: string, params: ParamsLike, private readonly inner: Optimizer) {
    this.where = `rnn.optim.${className}`;
    const { names, tensors } = resolveParams(params, this.where);
    this.names = names;
    this.params = tensors;
    this.pinned = tensors.map((t) => (isParameter(t) ? { value: t.data, grad: t.grad!.data } : null));
  }

  /** Learning rate; may be changed between steps (a schedule). */
  get lr(): number {
    return this.inner.lr;
  }

  set lr(v: number) {
    if (!(typeof v === "number" && Number.isFinite(v) && v >= 0)) throw new Error(`${this.where}: lr must be a finite number ≥ 0, got ${v}`);
    this.inner.lr = v;
  }

  /** Hyper-parameters, defaults filled in. */
  get config(): Readonly<Record<string, number | boolean>> {
    return this.inner.config;
  }

  /** Steps taken. */
  get steps(): number {
    return this.inner.steps;
  }

  /** One update of every parameter that has a gradient (checked first: all or nothing). */
  step(): void {
    const ps = checkedGradients(this.names, this.params, `${this.where}.step`, this.pinned);
    this.inner.step(ps);
  }

  /** Sets every parameter's gradient to zero (PyTorch 1.13's default `zero_grad()`; null ones stay null). */
  zeroGrad(): void {
    this.params.forEach((t, k) => (this.pinned[k]?.grad ?? t.grad?.data)?.fill(0));
  }

  toString(): string {
    const cfg = Object.entries(this.inner.config).map(([k, v]) => `${k}: ${v}`).join(", ");
    return `${this.className} (${this.params.length} parameters; ${cfg})`;
  }
}

/** Options of `rnn.optim.SGD` (torch.optim.SGD's, camelCase). */
export interface TorchSgdOptions {
  /** Learning rate (required, as in PyTorch). */
  lr: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Dampening of momentum. Default 0. */
  dampening?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
}

/**
 * `rnn.optim.SGD(params, { lr, momentum?, dampening?, weightDecay?, nesterov? })`, torch.optim.SGD:
 * g ← g + wd·p; b ← g on the first step, else μ·b + (1−dampening)·g; g ← nesterov ? g + μ·b : b; p ← p − lr·g.
 */
export function SGD(params: ParamsLike, options: TorchSgdOptions): TorchOptimizer {
  const where = "rnn.optim.SGD";
  if (!options || typeof options.lr !== "number") throw new Error(`${where}: the learning rate is required, e.g. rnn.optim.SGD(model.parameters(), { lr: 0.1 })`);
  checkOptions(where, options, ["lr", "momentum", "dampening", "weightDecay", "nesterov"]);
  if (options.nesterov && (!(options.momentum! > 0) || (options.dampening ?? 0) !== 0)) {
    throw new Error(`${where}: Nesterov momentum requires a momentum > 0 and zero dampening`);
  }
  return new TorchOptimizer("SGD", params, sgd(options));
}

/** Options of `rnn.optim.Adam` (torch.optim.Adam's, camelCase). */
export interface TorchAdamOptions {
  /** Learning rate. Default 0.001. */
  lr?: number;
  /** Decay rates of the first and second moments. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (Adam's, not AdamW's). Default 0. */
  weightDecay?: number;
}

/**
 * `rnn.optim.Adam(params, { lr?, betas?, eps?, weightDecay? })`, torch.optim.Adam:
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps).
 */
export function Adam(params: ParamsLike, options: TorchAdamOptions = {}): TorchOptimizer {
  const where = "rnn.optim.Adam";
  checkKeys(options, ["lr", "betas", "eps", "weightDecay"], where);
  const { betas, ...rest } = options;
  checkOptions(where, rest, ["lr", "eps", "weightDecay"]);
  if (betas !== undefined && !(Array.isArray(betas) && betas.length === 2 && betas.every((b) => typeof b === "number" && b >= 0 && b < 1))) {
    throw new Error(`${where}: betas must be two numbers in [0, 1), e.g. [0.9, 0.999]`);
  }
  return new TorchOptimizer("Adam", params, adam({ ...rest, ...(betas ? { beta1: betas[0], beta2: betas[1] } : {}) }));
}

/** Options of `rnn.optim.RMSprop` (torch.optim.RMSprop's, camelCase). */
export interface TorchRmspropOptions {
  /** Learning rate. Default 0.01. */
  lr?: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  alpha?: number;
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Normalise by the estimated variance. Default false. */
  centered?: boolean;
}

/**
 * `rnn.optim.RMSprop(params, { lr?, alpha?, eps?, weightDecay?, momentum?, centered? })`, torch.optim.RMSprop:
 * v ← α·v + (1−α)·g²; d ← √(v − centred mean²) + eps; with momentum b ← μ·b + g/d, p ← p − lr·b; else p ← p − lr·g/d.
 */
export function RMSprop(params: ParamsLike, options: TorchRmspropOptions = {}): TorchOptimizer {
  checkOptions("rnn.optim.RMSprop", options, ["lr", "alpha", "eps", "weightDecay", "momentum", "centered"]);
  return new TorchOptimizer("RMSprop", params, rmsprop(options));
}
