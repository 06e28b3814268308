/**
 * Losses with their gradients, written over flat typed arrays so they work for any output layout.
 * Each returns the mean loss (PyTorch's `reduction="mean"`, which equals Keras's mean over the batch
 * of per-sample means for these losses) and ∂loss/∂prediction in the prediction's own dtype.
 *
 * Dimension letters: N rows (batch, or batch·time for sequence outputs), C classes.
 *   mse                 pred [..] real, target [..] same size — mean of (pred − target)² over all elements
 *   crossEntropy        logits [N, C] (softmax applied here), target [N] class indices or [N, C] one-hot /
 *                       probabilities — mean over N of −Σ_c t_c·log softmax(z)_c
 *   binaryCrossEntropy  pred [..] probabilities in (0, 1) (e.g. a sigmoid dense), target [..] in {0, 1} or
 *                       [0, 1] — mean of −(t·log p + (1−t)·log(1−p)); log is clamped at −100 like
 *                       PyTorch's BCELoss (Porting note: Keras clips p to [1e-7, 1 − 1e-7] instead).
 */

export type Floats = Float32Array | Float64Array;

export interface LossResult {
  /** Mean loss over the batch (and time, for sequence outputs). */
  value: number;
  /** ∂value/∂pred, same length and dtype as pred. */
  grad: Floats;
}

/** Names accepted by `fit`, `evaluate`, `computeGradients` and `record`. */
export const LOSS_NAMES = ["mse", "crossEntropy", "binaryCrossEntropy"] as const;
/**
 * A loss for fit/evaluate: "mse" (regression), "crossEntropy" (logits [N, C] — softmax is applied inside, as
 * PyTorch's CrossEntropyLoss — with class indices [N] or one-hot [N, C]), "binaryCrossEntropy" (probabilities in (0, 1), targets 0/1).
 */
export type LossName = (typeof LOSS_NAMES)[number];

function like(a: Floats, n: number): Floats {
  return a instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** Mean squared error. pred, target: same number of elements. */
export function mse(pred: Floats, target: ArrayLike<number>): LossResult {
  const n = pred.length;
  if (target.length !== n) throw new Error(`mse: prediction has ${n} values but target has ${target.length}`);
  const grad = like(pred, n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i];
    sum += d * d;
    grad[i] = (2 * d) / n;
  }
  return { value: sum / n, grad };
}

/**
 * Softmax cross-entropy. logits [N, C]; target either [N] integer class indices or [N, C] one-hot
 * (or any probability rows). Gradient: (softmax(z) − t) / N.
 */
export function crossEntropy(logits: Floats, classes: number, target: ArrayLike<number>): LossResult {
  const rows = logits.length / classes;
  if (!Number.isInteger(rows)) throw new Error(`crossEntropy: ${logits.length} logits is not a multiple of ${classes} classes`);
  const indexTargets = target.length === rows;
  if (!indexTargets && target.length !== logits.length) {
    throw new Error(`crossEntropy: expected ${rows} class indices or ${rows}×${classes} one-hot targets, got ${target.length} values`);
  }
  const grad = like(logits, logits.length);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
    let z = 0;
    for (let c = 0; c < classes; c++) z += Math.exp(logits[o + c] - max);
    const logZ = Math.log(z) + max; // log Σ exp(z_c), shifted for stability
    if (indexTargets) {
      const k = target[r];
      if (!Number.isInteger(k) || k < 0 || k >= classes) {
        throw new Error(`crossEntropy: target ${k} at row ${r} is not a class index in [0, ${classes})`);
      }
      sum += logZ - logits[o + k];
      for (let c = 0; c < classes; c++) grad[o + c] = (Math.exp(logits[o + c] - logZ) - (c === k ? 1 : 0)) / rows;
    } else {
      let tSum = 0;
      for (let c = 0; c < classes; c++) {
        const t = target[o + c];
        sum += t * (logZ - logits[o + c]);
        tSum += t;
      }
      // ∂/∂z_c of −Σ t·log softmax = softmax_c·Σt − t_c (Σt = 1 for one-hot rows)
      for (let c = 0; c < classes; c++) grad[o + c] = (Math.exp(logits[o + c] - logZ) * tSum - target[o + c]) / rows;
    }
  }
  return { value: sum / rows, grad };
}

/** Binary cross-entropy on probabilities. pred, target: same number of elements. */
export function binaryCrossEntropy(pred: Floats, target: ArrayLike<number>): LossResult {
  const n = pred.length;
  if (target.length !== n) throw new Error(`binaryCrossEntropy: prediction has ${n} values but target has ${target.length}`);
  const grad = like(pred, n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = pred[i];
    const t = target[i];
    if (!(p >= 0 && p <= 1)) throw new Error(`binaryCrossEntropy: prediction ${p} at ${i} is not a probability; end the model with a sigmoid dense`);
    const logP = Math.max(Math.log(p), -100);
    const log1mP = Math.max(Math.log(1 - p), -100);
    sum -= t * logP + (1 - t) * log1mP;
    // where a log is clamped the loss is flat in p (this also keeps p = 0 or 1 from dividing by zero)
    const dP = logP > -100 ? -t / p : 0;
    const d1mP = log1mP > -100 ? (1 - t) / (1 - p) : 0;
    grad[i] = (dP + d1mP) / n;
  }
  return { value: sum / n, grad };
}

/**
 * Computes a named loss. pred has shape predShape (last axis = classes for crossEntropy); target is
 * flat with either the same number of elements or, for crossEntropy, one class index per row.
 */
export function computeLoss(name: LossName, pred: Floats, predShape: readonly number[], target: ArrayLike<number>): LossResult {
  switch (name) {
    case "mse":
      return mse(pred, target);
    case "crossEntropy":
      return crossEntropy(pred, predShape[predShape.length - 1], target);
    case "binaryCrossEntropy":
      return binaryCrossEntropy(pred, target);
    default:
      throw new Error(`unknown loss ${JSON.stringify(name)}; valid losses: ${LOSS_NAMES.join(", ")}`);
  }
}

/** Validates a user-supplied loss name early, listing the valid ones. */
export function checkLossName(name: unknown): LossName {
  if (typeof name !== "string" || !(LOSS_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown loss ${JSON.stringify(name)}; valid losses: ${LOSS_NAMES.join(", ")}`);
  }
  return name as LossName;
}

/**
 * Fraction of correct predictions and the number of rows it was computed on.
 * crossEntropy: argmax of each row vs the index (or the argmax of a one-hot row);
 * binaryCrossEntropy: p > 0.5 vs t > 0.5. mse has no accuracy (rejected with a message).
 */
export function accuracy(name: LossName, pred: Floats, predShape: readonly number[], target: ArrayLike<number>): { correct: number; count: number } {
  if (name === "binaryCrossEntropy") {
    let correct = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] > 0.5 === target[i] > 0.5) correct++;
    return { correct, count: pred.length };
  }
  if (name !== "crossEntropy") throw new Error(`metric "accuracy" needs loss "crossEntropy" or "binaryCrossEntropy", not ${JSON.stringify(name)}`);
  const classes = predShape[predShape.length - 1];
  const rows = pred.length / classes;
  const indexTargets = target.length === rows;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let best = 0;
    let bestT = 0;
    for (let c = 1; c < classes; c++) {
      if (pred[o + c] > pred[o + best]) best = c;
      if (!indexTargets && target[o + c] > target[o + bestT]) bestT = c;
    }
    if (best === (indexTargets ? target[r] : bestT)) correct++;
  }
  return { correct, count: rows };
}
