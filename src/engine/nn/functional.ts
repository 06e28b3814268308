/**
 * `rnn.nn.functional` (also `rnn.nn.F`, as PyTorch users import it): losses and layer functions on
 * autograd tensors, each one op of the graph (its backward closure beside its forward) or a short
 * chain of the tensor ops.
 *
 * Dimension letters: N batch rows, C classes, D the product of any axes after the class axis
 * (PyTorch's [N, C, d1, …] form of cross entropy), I in features, O out features, V vocabulary,
 * E embedding size.
 *
 * Numerics: crossEntropy uses the log-sum-exp form (x − max − log Σ e^(x − max)), accumulating in
 * float64 whatever the dtype, so large logits neither overflow nor lose the small ones.
 */
import { track } from "../autograd/graph";
import { shapeText } from "../autograd/broadcast";
import { addColumnSums, gemmNN, gemmNT, gemmTN } from "../ops";
import { globalRng, type Rng } from "../random";
import { allocFloats, asTensor, Tensor, type DType, type TensorLike } from "../tensor";

/** How a loss over many elements is reduced, as PyTorch's `reduction`. */
export type Reduction = "mean" | "sum" | "none";

function reductionOf(op: string, r: unknown): Reduction {
  if (r === undefined) return "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") throw new Error(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(r)}`);
  return r;
}

function checkTensor(op: string, what: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${op}: ${what} must be a tensor (rnn.tensor(...)), got ${t === null ? "null" : typeof t}`);
  return t;
}

/** `x` in `dtype`, through the graph (a recorded copy) when x requires grad, so gradients still reach it. */
function inDtype(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : x.clone(dtype);
}

/**
 * `F.linear(x, weight, bias?)` = x · weightᵀ + bias, as torch.nn.functional.linear: x [..., I],
 * weight [O, I], bias [O] → [..., O]. One graph op (the gemm kernels the nn layers use).
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor("linear", "input", x);
  checkTensor("linear", "weight", weight);
  if (weight.rank !== 2) throw new Error(`linear: weight must be [out, in], got ${shapeText(weight.shape)}`);
  const [O, I] = weight.shape;
  if (x.rank < 1 || x.shape[x.rank - 1] !== I) {
    throw new Error(`linear: input ${shapeText(x.shape)} does not match weight ${shapeText(weight.shape)} (the input's last axis must be ${I})`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== O)) throw new Error(`linear: bias must have shape (${O},), got ${shapeText(bias.shape)}`);
  const xs = inDtype(x, weight.dtype);
  const N = xs.size / I;
  const y = allocFloats(N * O, weight.dtype);
  // y[N, O] = x[N, I] · weight[O, I]ᵀ (+ bias on every row)
  gemmNT(N, O, I, xs.data, 0, I, weight.data, 0, I, y, 0, O, false);
  if (bias) {
    const b = bias.data;
    for (let r = 0; r < N; r++) for (let o = 0; o < O; o++) y[r * O + o] += b[o];
  }
  const out = new Tensor(y, [...xs.shape.slice(0, -1), O]);
  const inputs = bias ? [xs, weight, bias] : [xs, weight];
  return track(out, "linear", inputs, (g) => {
    const dy = g.data;
    let dx: Tensor | null = null;
    if (xs.requiresGrad) {
      const d = allocFloats(N * I, weight.dtype);
      gemmNN(N, I, O, dy, 0, O, weight.data, 0, I, d, 0, I, false); // dx[N, I] = dy[N, O] · weight[O, I]
      dx = new Tensor(d, xs.shape);
    }
    let dw: Tensor | null = null;
    if (weight.requiresGrad) {
      const d = allocFloats(O * I, weight.dtype);
      gemmTN(O, I, N, dy, 0, O, xs.data, 0, I, d, 0, I, false); // dweight[O, I] = dy[N, O]ᵀ · x[N, I]
      dw = new Tensor(d, weight.shape);
    }
    let db: Tensor | null = null;
    if (bias?.requiresGrad) {
      const d = allocFloats(O, weight.dtype);
      addColumnSums(dy, 0, N, O, O, d, 0); // dbias[O] = Σ_n dy[n, O]
      db = new Tensor(d, bias.shape);
    }
    return [dx, dw, db];
  });
}

/**
 * `F.embedding(ids, weight)`: rows of weight [V, E] picked by integer ids of any shape → ids.shape +
 * [E]; the gradient scatter-adds into the picked rows (ids get none). `where` names the caller in
 * the error for an id outside [0, V).
 */
export function embedding(idsIn: TensorLike, weight: Tensor, where = "embedding"): Tensor {
  checkTensor("embedding", "weight", weight);
  if (weight.rank !== 2) throw new Error(`embedding: weight must be [numEmbeddings, embeddingDim], got ${shapeText(weight.shape)}`);
  const ids = asTensor(idsIn);
  const [V, E] = weight.shape;
  const w = weight.data;
  const y = allocFloats(ids.size * E, weight.dtype);
  for (let n = 0; n < ids.size; n++) {
    const v = ids.data[n];
    if (!Number.isInteger(v) || v < 0 || v >= V) {
      throw new Error(`${where}: index ${v} at position ${n} is not an integer in [0, ${V})`);
    }
    for (let e = 0; e < E; e++) y[n * E + e] = w[v * E + e];
  }
  return track(new Tensor(y, [...ids.shape, E]), "embedding", [weight], (g) => {
    const dw = allocFloats(V * E, weight.dtype);
    for (let n = 0; n < ids.size; n++) {
      const v = ids.data[n];
      for (let e = 0; e < E; e++) dw[v * E + e] += g.data[n * E + e];
    }
    return [new Tensor(dw, weight.shape)];
  });
}

/** Options of `F.crossEntropy`. */
export interface CrossEntropyOptions {
  /** Targets equal to this class index count for nothing (PyTorch's default −100). */
  ignoreIndex?: number;
  /** "mean" (default: over the targets not ignored), "sum" or "none" (one loss per target). */
  reduction?: Reduction;
}

/**
 * `F.crossEntropy(logits, targets, { ignoreIndex?, reduction? })`, as torch.nn.functional.cross_entropy
 * with class-index targets: logits [N, C] with targets [N], logits [N, C, d1, …] with targets
 * [N, d1, …] (class axis 1, e.g. [B, V, T] for a sequence), or logits [C] with a single target.
 * loss = log Σ_c e^(x_c) − x_target, averaged over the targets not equal to ignoreIndex (NaN when
 * every target is ignored, as PyTorch). One graph op: ∂loss/∂x = (softmax(x) − onehot) · scale.
 * Porting note: class-probability targets and label smoothing are not supported.
 */
export function crossEntropy(logits: Tensor, targetsIn: TensorLike, options: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropy";
  checkTensor(op, "logits", logits);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const reduction = reductionOf(op, options.reduction);
  const targets = asTensor(targetsIn);
  const unbatched = logits.rank === 1;
  const N = unbatched ? 1 : logits.shape[0], C = unbatched ? logits.shape[0] : logits.shape[1];
  const restShape = unbatched ? [] : logits.shape.slice(2);
  const D = restShape.reduce((a, b) => a * b, 1);
  const targetShape = unbatched ? [] : [N, ...restShape];
  if (logits.rank === 0 || targets.shape.join() !== targetShape.join()) {
    throw new Error(`${op}: logits ${shapeText(logits.shape)} need class-index targets of shape ${shapeText(targetShape)} ` +
      `(logits [N, C] ↔ targets [N]; [N, C, d…] ↔ [N, d…]), got ${shapeText(targets.shape)}`);
  }
  const x = logits.data, t = targets.data;
  const losses = new Float64Array(N * D);
  const lse = new Float64Array(N * D);
  let count = 0;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < D; k++) {
      const r = n * D + k, base = n * C * D + k; // x[n, c, k] = x[base + c·D]
      const tc = t[r];
      if (tc === ignoreIndex) continue;
      if (!Number.isInteger(tc) || tc < 0 || tc >= C) {
        throw new Error(`${op}: target ${tc} at position ${r} is not a class index in [0, ${C}) (nor ignoreIndex ${ignoreIndex})`);
      }
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, x[base + c * D]);
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(x[base + c * D] - m);
      lse[r] = m + Math.log(s);
      losses[r] = lse[r] - x[base + tc * D];
      count++;
    }
  }
  let out: Tensor;
  if (reduction === "none") {
    const o = allocFloats(N * D, logits.dtype);
    o.set(losses);
    out = new Tensor(o, targetShape);
  } else {
    let total = 0;
    for (let r = 0; r < N * D; r++) total += losses[r];
    const o = allocFloats(1, logits.dtype);
    o[0] = reduction === "sum" ? total : total / count;
    out = new Tensor(o, []);
  }
  return track(out, op, [logits], (g) => {
    const dx = allocFloats(x.length, logits.dtype);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < D; k++) {
        const r = n * D + k, base = n * C * D + k;
        const tc = t[r];
        if (tc === ignoreIndex) continue;
        const scale = reduction === "none" ? g.data[r] : reduction === "sum" ? g.data[0] : g.data[0] / count;
        for (let c = 0; c < C; c++) dx[base + c * D] = scale * Math.exp(x[base + c * D] - lse[r]);
        dx[base + tc * D] -= scale;
      }
    }
    return [new Tensor(dx, logits.shape)];
  });
}

/**
 * `F.mseLoss(input, target, { reduction? })` = mean((input − target)²), as torch.nn.functional.mse_loss.
 * Porting note: the shapes must be equal (PyTorch broadcasts them with a warning, almost always a bug).
 */
export function mseLoss(input: Tensor, targetIn: TensorLike, options: { reduction?: Reduction } = {}): Tensor {
  checkTensor("mseLoss", "input", input);
  const reduction = reductionOf("mseLoss", options.reduction);
  const target = targetIn instanceof Tensor ? inDtype(targetIn, input.dtype) : asTensor(targetIn, input.dtype);
  if (target.shape.join() !== input.shape.join()) {
    throw new Error(`mseLoss: input ${shapeText(input.shape)} and target ${shapeText(target.shape)} must have the same shape`);
  }
  if (reduction === "none" || input.size === 0) {
    const d = input.sub(target);
    const sq = d.mul(d);
    return reduction === "none" ? sq : reduction === "sum" ? sq.sum() : sq.mean();
  }
  return squaredError(input, target, reduction);
}

/**
 * mean or sum of (input − target)² as ONE graph op: a training loop's loss records one node instead
 * of three (sub, mul, mean) and its backward makes one array instead of five. Its numbers are those
 * of `input.sub(target).mul(d).mean()` bit for bit — each difference and square rounded to the
 * dtype, the squares summed in a double, then divided; backward s = (1/n)·g rounded, ∂/∂input =
 * 2·round(s·d) (the two paths of d·d added), ∂/∂target its negative.
 */
function squaredError(input: Tensor, target: Tensor, reduction: "mean" | "sum"): Tensor {
  const n = input.size, dtype = input.dtype;
  const x = input.data, t = target.data;
  const d = allocFloats(n, dtype);
  for (let i = 0; i < n; i++) d[i] = x[i] - t[i];
  // Each square rounded to the dtype before it is summed, as the stored squares of d.mul(d) are.
  let total = 0;
  if (dtype === "float32") for (let i = 0; i < n; i++) total += Math.fround(d[i] * d[i]);
  else for (let i = 0; i < n; i++) total += d[i] * d[i];
  const out = allocFloats(1, dtype);
  out[0] = total;
  const scale = reduction === "mean" ? 1 / n : 1;
  if (reduction === "mean") out[0] /= n;
  return track(new Tensor(out, []), "mseLoss", [input, target], (g) => {
    const s = allocFloats(1, dtype);
    s[0] = scale * g.data[0];
    // A node's backward runs once (the tape frees it), so the differences' array becomes the gradient.
    const gx = d;
    for (let i = 0; i < n; i++) {
      gx[i] = s[0] * d[i];
      gx[i] += gx[i];
    }
    let gt: Tensor | null = null;
    if (target.requiresGrad) {
      const m = allocFloats(n, dtype);
      for (let i = 0; i < n; i++) m[i] = -gx[i];
      gt = new Tensor(m, target.shape);
    }
    return [new Tensor(gx, input.shape), gt];
  });
}

/** `F.softmax(x, axis)`: e^x / Σ e^x along `axis` (numerically stable). */
export function softmax(x: Tensor, axis: number): Tensor {
  return checkTensor("softmax", "input", x).softmax(axis);
}

/** `F.logSoftmax(x, axis)`: x − log Σ e^x along `axis` (numerically stable). */
export function logSoftmax(x: Tensor, axis: number): Tensor {
  return checkTensor("logSoftmax", "input", x).logSoftmax(axis);
}

/** `F.relu(x)`. */
export function relu(x: Tensor): Tensor {
  return checkTensor("relu", "input", x).relu();
}

/** `F.tanh(x)`. */
export function tanh(x: Tensor): Tensor {
  return checkTensor("tanh", "input", x).tanh();
}

/** `F.sigmoid(x)`. */
export function sigmoid(x: Tensor): Tensor {
  return checkTensor("sigmoid", "input", x).sigmoid();
}

/**
 * `F.dropout(x, p = 0.5, training = true, rng?)`, as torch.nn.functional.dropout: in training, each
 * element is zeroed with probability p and the rest scaled by 1 / (1 − p) (so the expected value is
 * unchanged); otherwise x itself. The mask is drawn from `rng` (default: the global generator, see
 * rnn.manualSeed).
 */
export function dropout(x: Tensor, p = 0.5, training = true, rng?: Rng): Tensor {
  checkTensor("dropout", "input", x);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(`dropout: probability p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  const r = rng ?? globalRng();
  const mask = allocFloats(x.size, x.dtype);
  const keep = 1 / (1 - p);
  if (p < 1) for (let i = 0; i < mask.length; i++) mask[i] = r.float() < p ? 0 : keep;
  return x.mul(new Tensor(mask, x.shape));
}
