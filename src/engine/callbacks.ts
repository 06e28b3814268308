/**
 * fit callbacks, Keras style: objects with optional hooks called by the training loop. A hook may
 * call `control.stop()` to end training after the current epoch (`history.stoppedEarly = true`).
 * Built in: `rnn.callbacks.earlyStopping({ patience })` and `rnn.callbacks.modelCheckpoint({ path })`.
 */
import { checkKeys } from "./options";
import type { Optimizer } from "./optim";
import type { SaveOptions } from "./serialize";
import type { Tensor } from "./tensor";

/** Per-epoch values handed to onEpochEnd (valX only with validation data). */
export interface EpochLogs {
  /** Mean training loss of the epoch. */
  loss: number;
  /** exp(loss), for loss "crossEntropy". */
  perplexity?: number;
  /** Training accuracy of the epoch, with metrics: ["accuracy"]. */
  accuracy?: number;
  /** Validation loss after the epoch (validationSplit or validationData). */
  valLoss?: number;
  /** exp(valLoss), for loss "crossEntropy" with validation data. */
  valPerplexity?: number;
  /** Validation accuracy, with metrics: ["accuracy"] and validation data. */
  valAccuracy?: number;
}

/** What a callback can reach: the model, the optimizer and a way to stop training. */
export interface CallbackControl {
  model: {
    getWeights(): Tensor[];
    setWeights(values: Tensor[]): void;
    /** The whole-model file (model.save), with `{ optimizer }` a checkpoint. */
    save(path: string, options?: SaveOptions): void;
  };
  /** The optimizer fit steps. */
  optimizer: Optimizer;
  /** The optimizer's lr before fit's lrSchedule changed it (the rate a resumed fit's schedule starts from). */
  baseLr: number;
  stop(): void;
}

/**
 * A fit callback, Keras style: an object with any of these hooks, passed as `fit(x, y, { …, callbacks: [cb] })`;
 * a hook may call `control.stop()` to end training after the epoch. `{ onEpochEnd: (e, logs) => console.log(e, logs.loss) }`
 */
export interface Callback {
  /** Before the first epoch. */
  onTrainBegin?(control: CallbackControl): void;
  /** epoch is 1-based. */
  onEpochEnd?(epoch: number, logs: EpochLogs, control: CallbackControl): void;
  /** batch is 1-based within the epoch. */
  onBatchEnd?(batch: number, logs: { loss: number }, control: CallbackControl): void;
  /** After the last epoch (also when stopped early or interrupted). */
  onTrainEnd?(control: CallbackControl): void;
}

/** Options of `rnn.callbacks.earlyStopping({ patience, monitor, minDelta, restoreBestWeights })`, all optional (Keras's defaults). */
export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping. Default 0 (stop at the first non-improving epoch, as Keras). */
  patience?: number;
  /** Quantity watched: "valLoss" (default when fit has validation data) or "loss". */
  monitor?: "loss" | "valLoss";
  /** Smallest decrease that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping or at the end. Default false (Keras default). */
  restoreBestWeights?: boolean;
}

/** Stops training when the monitored loss has not improved for `patience` epochs. */
export class EarlyStopping implements Callback {
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  private readonly monitor: "loss" | "valLoss" | undefined;
  private best = Infinity;
  private wait = 0;
  private bestWeights: Tensor[] | undefined;
  /** Epoch (1-based) at which training was stopped, 0 if it was not. */
  stoppedEpoch = 0;
  /** Epoch (1-based) with the best monitored value. */
  bestEpoch = 0;

  constructor(options: EarlyStoppingOptions = {}) {
    checkKeys(options, ["patience", "monitor", "minDelta", "restoreBestWeights"], "callbacks.earlyStopping");
    const { patience = 0, minDelta = 0, restoreBestWeights = false, monitor } = options;
    if (!Number.isInteger(patience) || patience < 0) throw new Error(`callbacks.earlyStopping: patience must be an integer ≥ 0, got ${patience}`);
    if (monitor !== undefined && monitor !== "loss" && monitor !== "valLoss") {
      throw new Error(`callbacks.earlyStopping: monitor must be "loss" or "valLoss", got ${JSON.stringify(monitor)}`);
    }
    this.patience = patience;
    this.minDelta = Math.abs(minDelta);
    this.restoreBestWeights = restoreBestWeights;
    this.monitor = monitor;
  }

  onTrainBegin(): void {
    this.best = Infinity;
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.bestWeights = undefined;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, control: CallbackControl): void {
    const key = this.monitor ?? (logs.valLoss !== undefined ? "valLoss" : "loss");
    const value = logs[key];
    if (value === undefined) throw new Error(`callbacks.earlyStopping: "${key}" is not available; pass validationSplit or validationData to fit, or monitor "loss"`);
    if (value < this.best - this.minDelta) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = control.model.getWeights();
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) { // Keras: stop once `patience` epochs in a row did not improve
      this.stoppedEpoch = epoch;
      control.stop();
    }
  }

  onTrainEnd(control: CallbackControl): void {
    if (this.restoreBestWeights && this.bestWeights) control.model.setWeights(this.bestWeights);
  }
}

/** `rnn.callbacks.earlyStopping({ patience, monitor?, minDelta?, restoreBestWeights? })`. */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(options);
}

/** Options of `rnn.callbacks.modelCheckpoint({ path, monitor?, saveBestOnly?, saveWeightsOnly? })`. */
export interface ModelCheckpointOptions {
  /**
   * The file written after an epoch; Keras-style placeholders take the epoch's values:
   * `"ckpt-{epoch:02d}-{loss:.4f}.rnnmodel"` (`{epoch}`, and any EpochLogs key such as `{valLoss}`;
   * `:.Nf` gives N decimals, `:0Nd` pads to N digits). Relative paths start at the notebook's folder.
   */
  path: string;
  /** Quantity compared with saveBestOnly: "valLoss" (default when fit has validation data) or "loss". */
  monitor?: "loss" | "valLoss";
  /** Write only when the monitored value is lower than at every earlier write. Default false (every epoch). */
  saveBestOnly?: boolean;
  /** Only the weights, as safetensors (model.loadSafetensors / rnn.loadWeights read them). Default false: the whole model and the optimizer's state, so `rnn.load` + `rnn.loadOptimizer` + `fit({ initialEpoch })` resume the run. */
  saveWeightsOnly?: boolean;
}

/** Keras's ModelCheckpoint: writes the model (and the optimizer's state) after each epoch, or only the best. */
export class ModelCheckpoint implements Callback {
  readonly path: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  private readonly monitor: "loss" | "valLoss" | undefined;
  private best = Infinity;
  /** The files written in this fit, in order: epoch (1-based), the path as formatted, the monitored value. */
  saved: { epoch: number; path: string; value: number }[] = [];

  constructor(options: ModelCheckpointOptions) {
    checkKeys(options, ["path", "monitor", "saveBestOnly", "saveWeightsOnly"], "callbacks.modelCheckpoint");
    const { path, monitor, saveBestOnly = false, saveWeightsOnly = false } = options;
    if (typeof path !== "string" || path === "") throw new Error("callbacks.modelCheckpoint: path must be a file path, e.g. \"ckpt-{epoch}.rnnmodel\"");
    if (monitor !== undefined && monitor !== "loss" && monitor !== "valLoss") {
      throw new Error(`callbacks.modelCheckpoint: monitor must be "loss" or "valLoss", got ${JSON.stringify(monitor)}`);
    }
    this.path = path;
    this.monitor = monitor;
    this.saveBestOnly = saveBestOnly;
    this.saveWeightsOnly = saveWeightsOnly;
  }

  onTrainBegin(): void {
    this.best = Infinity;
    this.saved = [];
  }

  onEpochEnd(epoch: number, logs: EpochLogs, control: CallbackControl): void {
    const key = this.monitor ?? (logs.valLoss !== undefined ? "valLoss" : "loss");
    const value = logs[key];
    if (value === undefined) throw new Error(`callbacks.modelCheckpoint: "${key}" is not available; pass validationSplit or validationData to fit, or monitor "loss"`);
    if (this.saveBestOnly && !(value < this.best)) return;
    this.best = Math.min(this.best, value);
    const path = formatCheckpointPath(this.path, epoch, logs);
    if (this.saveWeightsOnly) {
      saveWeightsBytes(control, path);
    } else {
      // The schedule's rate of this epoch is in optimizer.lr; the file keeps the base rate a resumed schedule starts from.
      const lr = control.optimizer.lr;
      control.optimizer.lr = control.baseLr;
      try {
        control.model.save(path, { optimizer: control.optimizer });
      } finally {
        control.optimizer.lr = lr;
      }
    }
    this.saved.push({ epoch, path, value });
  }
}

/** Writes the safetensors bytes through the model's own file method when it has one (rnn.sequential's saveSafetensors). */
function saveWeightsBytes(control: CallbackControl, path: string): void {
  const m = control.model as CallbackControl["model"] & { saveSafetensors?(path: string): string };
  if (typeof m.saveSafetensors !== "function") throw new Error("callbacks.modelCheckpoint: saveWeightsOnly needs an rnn.sequential model");
  m.saveSafetensors(path);
}

/** The checkpoint path of an epoch: `{epoch}`, `{epoch:03d}`, `{loss:.4f}`, … replaced by the epoch's values. */
export function formatCheckpointPath(pattern: string, epoch: number, logs: EpochLogs): string {
  return pattern.replace(/\{(\w+)(?::([^}]*))?\}/g, (whole, key: string, spec: string | undefined) => {
    const value = key === "epoch" ? epoch : (logs as unknown as Record<string, number | undefined>)[key];
    if (value === undefined) throw new Error(`callbacks.modelCheckpoint: path placeholder ${whole} names no value of this epoch; use {epoch} or one of ${["epoch", ...Object.keys(logs)].join(", ")}`);
    if (!spec) return String(value);
    const fixed = /^\.(\d+)f$/.exec(spec);
    if (fixed) return value.toFixed(Number(fixed[1]));
    const padded = /^0(\d+)d$/.exec(spec);
    if (padded) return String(Math.trunc(value)).padStart(Number(padded[1]), "0");
    throw new Error(`callbacks.modelCheckpoint: unknown format ${JSON.stringify(spec)} in ${whole}; use :.4f (decimals) or :03d (padded digits)`);
  });
}

/** `rnn.callbacks.modelCheckpoint({ path, monitor?, saveBestOnly?, saveWeightsOnly? })`. */
export function modelCheckpoint(options: ModelCheckpointOptions): ModelCheckpoint {
  return new ModelCheckpoint(options);
}

/** The `rnn.callbacks` namespace. */
export const callbacks = {
  /**
   * Keras's EarlyStopping: stops fit when the monitored loss ("valLoss" with validation data, else "loss")
   * has not improved by more than `minDelta` for `patience` epochs (default 0: the first non-improving
   * epoch). `fit(x, y, { …, callbacks: [rnn.callbacks.earlyStopping({ patience: 3, restoreBestWeights: true })] })`
   */
  earlyStopping,
  /**
   * Keras's ModelCheckpoint: after each epoch writes the model with the optimizer's state (a checkpoint
   * that `rnn.load` + `rnn.loadOptimizer` + `fit({ initialEpoch })` resume bit for bit), or only the best
   * (`saveBestOnly`, by `monitor`). `callbacks: [rnn.callbacks.modelCheckpoint({ path: "ckpt-{epoch}.rnnmodel" })]`
   */
  modelCheckpoint,
};
