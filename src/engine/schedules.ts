/**
 * Learning-rate schedules, `rnn.schedules.*`, with PyTorch's `torch.optim.lr_scheduler` semantics: the
 * schedule gives the learning rate of epoch e (0-based) from the optimizer's starting rate, so a run
 * resumed at epoch e gets the rate an uninterrupted run had there. Two ways to use one:
 *   fit(x, y, { optimizer: rnn.adam({ lr: 1e-2 }), lrSchedule: rnn.schedules.cosine({ tMax: 20 }) })
 *   const sched = rnn.schedules.step({ stepSize: 10 }).attach(opt); … once per epoch: sched.step()
 * `reduceOnPlateau` alone depends on the losses seen (fit feeds it "valLoss" when there is validation
 * data, else "loss"; by hand, `sched.step(metric)`).
 */
import { checkKeys, finiteNumber, oneOf, positiveInt } from "./options";

/** Something with a learning rate to set: every `rnn.sgd/adam/rmsprop` and `rnn.optim.*` optimizer. */
export interface HasLearningRate {
  /** The learning rate the next update uses. */
  lr: number;
}

/** A schedule's state for one run: the rate of each epoch in turn. */
export interface LrRun {
  /** The rate for epoch `epoch` (0-based). `metric`: the monitored value of the epoch before (plateau). */
  rate(epoch: number, metric: number | undefined): number;
}

/** A learning-rate schedule: `fit({ lrSchedule })`, or `.attach(optimizer)` for a hand-written loop. */
export interface LrSchedule {
  /** "step", "exponential", "cosine", "reduceOnPlateau" or "warmup". */
  readonly name: string;
  /** The options as given with their defaults filled in (a run ledger shows them). */
  readonly config: Readonly<Record<string, unknown>>;
  /** For reduceOnPlateau: the loss fit watches. */
  readonly monitor?: "loss" | "valLoss";
  /** A fresh state, starting from the optimizer's rate `base`. */
  start(base: number): LrRun;
  /** Drives `optimizer.lr` by hand, like torch.optim.lr_scheduler: call `step()` after each epoch. */
  attach(optimizer: HasLearningRate): LrScheduler;
}

/**
 * A schedule attached to an optimizer (`schedule.attach(opt)`): `step(metric?)` after each epoch moves
 * `opt.lr` to the next epoch's rate (reduceOnPlateau needs the epoch's metric).
 */
export class LrScheduler {
  private epoch = 0;
  private readonly run: LrRun;

  /** The schedule this scheduler follows. */
  readonly schedule: LrSchedule;
  /** The optimizer whose lr it sets. */
  readonly optimizer: HasLearningRate;

  constructor(schedule: LrSchedule, optimizer: HasLearningRate) {
    this.schedule = schedule;
    this.optimizer = optimizer;
    if (!optimizer || typeof optimizer.lr !== "number") throw new Error(`rnn.schedules.${schedule.name}: attach takes an optimizer (rnn.adam(), rnn.optim.Adam(…)), something with a numeric lr`);
    this.run = schedule.start(optimizer.lr);
    optimizer.lr = this.run.rate(0, undefined);
  }

  /** The rate the optimizer has now. */
  get lr(): number {
    return this.optimizer.lr;
  }

  /** Epochs stepped so far. */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** After an epoch: the next epoch's rate goes into the optimizer. `metric`: the epoch's monitored loss (reduceOnPlateau). */
  step(metric?: number): number {
    if (this.schedule.name === "reduceOnPlateau" && !(typeof metric === "number" && Number.isFinite(metric))) {
      throw new Error(`rnn.schedules.reduceOnPlateau: step(metric) needs the epoch's monitored loss, got ${String(metric)}`);
    }
    this.epoch++;
    this.optimizer.lr = this.run.rate(this.epoch, metric);
    return this.optimizer.lr;
  }
}

function schedule(name: string, config: Record<string, unknown>, start: (base: number) => LrRun, monitor?: "loss" | "valLoss"): LrSchedule {
  const s: LrSchedule = {
    name, config, monitor, start,
    attach: (optimizer) => new LrScheduler(s, optimizer),
  };
  return s;
}

/** A rate that depends only on the epoch: no state. */
function stateless(name: string, config: Record<string, unknown>, f: (epoch: number, base: number) => number): LrSchedule {
  return schedule(name, config, (base) => ({ rate: (epoch) => f(epoch, base) }));
}

/** Options of `rnn.schedules.step`. */
export interface StepScheduleOptions {
  /** Epochs between two decays. */
  stepSize: number;
  /** Factor per decay (default 0.1, as torch.optim.lr_scheduler.StepLR). */
  gamma?: number;
}

/** StepLR: lr_e = lr₀ · γ^⌊e / stepSize⌋. `rnn.schedules.step({ stepSize: 10, gamma: 0.5 })` */
export function step(options: StepScheduleOptions): LrSchedule {
  const where = "rnn.schedules.step";
  checkKeys(options ?? {}, ["stepSize", "gamma"], where);
  const stepSize = positiveInt(options?.stepSize, "stepSize", where);
  const gamma = positive(options.gamma, "gamma", where, 0.1);
  return stateless("step", { stepSize, gamma }, (e, base) => base * gamma ** Math.floor(e / stepSize));
}

/** Options of `rnn.schedules.exponential`. */
export interface ExponentialScheduleOptions {
  /** Factor per epoch. */
  gamma: number;
}

/** ExponentialLR: lr_e = lr₀ · γ^e. `rnn.schedules.exponential({ gamma: 0.95 })` */
export function exponential(options: ExponentialScheduleOptions): LrSchedule {
  const where = "rnn.schedules.exponential";
  checkKeys(options ?? {}, ["gamma"], where);
  const gamma = positive(options?.gamma, "gamma", where);
  return stateless("exponential", { gamma }, (e, base) => base * gamma ** e);
}

/** Options of `rnn.schedules.cosine`. */
export interface CosineScheduleOptions {
  /** Epochs of the half cosine from lr₀ down to etaMin. */
  tMax: number;
  /** The lowest rate (default 0). */
  etaMin?: number;
}

/**
 * CosineAnnealingLR's closed form (SGDR without restarts, Loshchilov & Hutter 2017):
 * lr_e = η_min + (lr₀ − η_min)·(1 + cos(π·e / tMax)) / 2. `rnn.schedules.cosine({ tMax: 50 })`
 */
export function cosine(options: CosineScheduleOptions): LrSchedule {
  const where = "rnn.schedules.cosine";
  checkKeys(options ?? {}, ["tMax", "etaMin"], where);
  const tMax = positiveInt(options?.tMax, "tMax", where);
  const etaMin = nonNegative(options.etaMin, "etaMin", where, 0);
  return stateless("cosine", { tMax, etaMin }, (e, base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * e) / tMax))) / 2);
}

/** Options of `rnn.schedules.warmup`. */
export interface WarmupScheduleOptions {
  /** Epochs of the linear ramp. */
  epochs: number;
  /** Fraction of lr₀ at epoch 0 (default 1/3, as torch.optim.lr_scheduler.LinearLR). */
  startFactor?: number;
  /** The schedule after the ramp, started at epoch `epochs` from lr₀ (torch's SequentialLR). Default: constant lr₀. */
  then?: LrSchedule;
}

/**
 * LinearLR warm-up: lr_e = lr₀ · (s + (1 − s)·e / epochs) for e < epochs, then `then`'s rate of
 * epoch e − epochs. `rnn.schedules.warmup({ epochs: 5, then: rnn.schedules.cosine({ tMax: 45 }) })`
 */
export function warmup(options: WarmupScheduleOptions): LrSchedule {
  const where = "rnn.schedules.warmup";
  checkKeys(options ?? {}, ["epochs", "startFactor", "then"], where);
  const epochs = positiveInt(options?.epochs, "epochs", where);
  const startFactor = positive(options.startFactor, "startFactor", where, 1 / 3);
  if (startFactor > 1) throw new Error(`${where}: startFactor must be in (0, 1], got ${startFactor}`);
  const then = options.then;
  if (then !== undefined && !isSchedule(then)) throw new Error(`${where}: then must be a schedule (rnn.schedules.cosine({ tMax: 20 }), …)`);
  const config = { epochs, startFactor, ...(then ? { then: { name: then.name, ...then.config } } : {}) };
  return schedule("warmup", config, (base) => {
    const after = then?.start(base);
    return {
      rate: (e, metric) => (e < epochs ? base * (startFactor + ((1 - startFactor) * e) / epochs) : after ? after.rate(e - epochs, metric) : base),
    };
  }, then?.monitor);
}

/** Options of `rnn.schedules.reduceOnPlateau`, PyTorch's ReduceLROnPlateau in "min" mode. */
export interface PlateauScheduleOptions {
  /** The loss fit watches: "valLoss" (default when fit has validation data) or "loss". */
  monitor?: "loss" | "valLoss";
  /** Multiplier at each reduction (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** What counts as an improvement (default 1e-4). */
  threshold?: number;
  /** "rel" (default): better than best·(1 − threshold); "abs": better than best − threshold. */
  thresholdMode?: "rel" | "abs";
  /** Epochs after a reduction during which no bad epoch is counted (default 0). */
  cooldown?: number;
  /** The rate never goes below this (default 0). */
  minLr?: number;
  /** A reduction smaller than this is skipped (default 1e-8). */
  eps?: number;
}

/** ReduceLROnPlateau: divide the rate by 1/factor after `patience` epochs without improvement. */
export function reduceOnPlateau(options: PlateauScheduleOptions = {}): LrSchedule {
  const where = "rnn.schedules.reduceOnPlateau";
  checkKeys(options, ["monitor", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"], where);
  const monitor = options.monitor === undefined ? undefined : oneOf(options.monitor, ["loss", "valLoss"], "monitor", where);
  const factor = positive(options.factor, "factor", where, 0.1);
  if (factor >= 1) throw new Error(`${where}: factor must be < 1, got ${factor}`);
  const patience = nonNegativeInt(options.patience, "patience", where, 10);
  const threshold = nonNegative(options.threshold, "threshold", where, 1e-4);
  const thresholdMode = oneOf(options.thresholdMode ?? "rel", ["rel", "abs"], "thresholdMode", where);
  const cooldown = nonNegativeInt(options.cooldown, "cooldown", where, 0);
  const minLr = nonNegative(options.minLr, "minLr", where, 0);
  const eps = nonNegative(options.eps, "eps", where, 1e-8);
  const config = { ...(monitor ? { monitor } : {}), factor, patience, threshold, thresholdMode, cooldown, minLr, eps };
  return schedule("reduceOnPlateau", config, (base) => {
    let lr = base, best = Infinity, bad = 0, cooling = 0, seen = 0;
    return {
      rate(epoch, metric) {
        // One observation per epoch, in order: epoch e's rate follows the metrics of epochs 0 … e−1.
        if (epoch === 0 || metric === undefined || epoch <= seen) return lr;
        seen = epoch;
        const better = thresholdMode === "rel" ? metric < best * (1 - threshold) : metric < best - threshold;
        if (better) {
          best = metric;
          bad = 0;
        } else {
          bad++;
        }
        if (cooling > 0) {
          cooling--;
          bad = 0;
        }
        if (bad > patience) {
          const reduced = Math.max(lr * factor, minLr);
          if (lr - reduced > eps) lr = reduced;
          cooling = cooldown;
          bad = 0;
        }
        return lr;
      },
    };
  }, monitor);
}

function isSchedule(v: unknown): v is LrSchedule {
  return !!v && typeof v === "object" && typeof (v as LrSchedule).start === "function" && typeof (v as LrSchedule).name === "string";
}

/** A schedule, checked (fit's lrSchedule option). */
export function checkSchedule(v: unknown, where: string): LrSchedule {
  if (!isSchedule(v)) throw new Error(`${where}: lrSchedule must be a schedule from rnn.schedules (step, exponential, cosine, reduceOnPlateau, warmup)`);
  return v;
}

function positive(v: unknown, what: string, where: string, dflt?: number): number {
  const x = finiteNumber(v, what, where, dflt);
  if (!(x > 0)) throw new Error(`${where}: ${what} must be > 0, got ${x}`);
  return x;
}

function nonNegative(v: unknown, what: string, where: string, dflt: number): number {
  const x = finiteNumber(v, what, where, dflt);
  if (x < 0) throw new Error(`${where}: ${what} must be ≥ 0, got ${x}`);
  return x;
}

function nonNegativeInt(v: unknown, what: string, where: string, dflt: number): number {
  const x = nonNegative(v, what, where, dflt);
  if (!Number.isInteger(x)) throw new Error(`${where}: ${what} must be an integer ≥ 0, got ${x}`);
  return x;
}

/** The `rnn.schedules` namespace. */
export const schedules = {
  /** StepLR: lr₀ · γ^⌊e / stepSize⌋. `rnn.schedules.step({ stepSize: 10, gamma: 0.5 })` */
  step,
  /** ExponentialLR: lr₀ · γ^e. `rnn.schedules.exponential({ gamma: 0.95 })` */
  exponential,
  /** CosineAnnealingLR: η_min + (lr₀ − η_min)(1 + cos(πe / tMax)) / 2. `rnn.schedules.cosine({ tMax: 50 })` */
  cosine,
  /** ReduceLROnPlateau ("min" mode): × factor after `patience` epochs without improvement. `rnn.schedules.reduceOnPlateau({ patience: 3 })` */
  reduceOnPlateau,
  /** LinearLR warm-up over `epochs`, then `then`. `rnn.schedules.warmup({ epochs: 5, then: rnn.schedules.cosine({ tMax: 45 }) })` */
  warmup,
};
