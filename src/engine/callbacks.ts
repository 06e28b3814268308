/**
 * fit callbacks, Keras style: objects with optional hooks called by the training loop. A hook may
 * call `control.stop()` to end training after the current epoch (`history.stoppedEarly = true`).
 * `rnn.callbacks.earlyStopping({ patience })` is the built-in one.
 */
import { checkKeys } from "./options";
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

/** What a callback can reach: the model and a way to stop training. */
export interface CallbackControl {
  model: { getWeights(): Tensor[]; setWeights(values: Tensor[]): void };
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

/** The `rnn.callbacks` namespace. */
export const callbacks = {
  /**
   * Keras's EarlyStopping: stops fit when the monitored loss ("valLoss" with validation data, else "loss")
   * has not improved by more than `minDelta` for `patience` epochs (default 0: the first non-improving
   * epoch). `fit(x, y, { …, callbacks: [rnn.callbacks.earlyStopping({ patience: 3, restoreBestWeights: true })] })`
   */
  earlyStopping,
};
