/**
 * Reductions (sum, mean, max, min) and the normalisations along an axis (softmax, logSoftmax), each
 * with its backward pass.
 *
 * A reduction keeps the reduced axes as size 1 internally ("kept shape"): that shape broadcasts back
 * over the input, so the forward pass adds x[i] into out[map[i]] and the backward pass reads
 * g[map[i]] with the same broadcast map (broadcast.ts). `keepDims` only decides which of the two
 * shapes the result is given (the data layout is the same).
 */
import { allocFloats, Tensor } from "../tensor";
import { broadcastIndex, normAxis } from "./broadcast";
import { track } from "./graph";

/** The kept shape (reduced axes as 1) and the result shape for `axes` (all axes when undefined). */
function reducedShapes(op: string, shape: readonly number[], axes: number | readonly number[] | undefined, keepDims: boolean): { kept: number[]; out: number[] } {
  const list = axes === undefined ? shape.map((_, i) => i) : (typeof axes === "number" ? [axes] : axes).map((a) => normAxis(op, a, shape.length));
  const set = new Set(list);
  const kept = shape.map((d, i) => (set.has(i) ? 1 : d));
  return { kept, out: keepDims ? kept : shape.filter((_, i) => !set.has(i)) };
}

/** out[map[i]] += x[i] over the kept shape; returns the sums and the map (null: nothing reduced). */
function sums(x: Tensor, kept: number[]): { out: Float32Array | Float64Array; map: Int32Array | null } {
  const xd = x.data;
  if (kept.every((d) => d === 1) && xd.length > 1) {
    // Everything reduced: one running sum (the map is all zeros).
    const out = allocFloats(1, x.dtype);
    let total = 0;
    for (let i = 0; i < xd.length; i++) total += xd[i];
    out[0] = total;
    return { out, map: new Int32Array(xd.length) };
  }
  const map = broadcastIndex(kept, x.shape);
  if (map === null) return { out: xd.slice(), map };
  const out = allocFloats(kept.reduce((p, d) => p * d, 1), x.dtype);
  for (let i = 0; i < xd.length; i++) out[map[i]] += xd[i];
  return { out, map };
}

/** gx[i] = scale · g[map[i]]: a kept-shape gradient spread back over the input. */
function spread(g: Tensor, x: Tensor, map: Int32Array | null, scale: number): Tensor {
  const gx = allocFloats(x.size, g.dtype);
  const gd = g.data;
  for (let i = 0; i < gx.length; i++) gx[i] = scale * gd[map ? map[i] : i];
  return new Tensor(gx, x.shape);
}

/** Sum over `axis` (a number, a list, or every axis when omitted); `keepDims` keeps them as size 1. */
export function sum(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const { kept, out: shape } = reducedShapes("sum", x.shape, axis, keepDims);
  const { out, map } = sums(x, kept);
  return track(new Tensor(out, shape), "sum", [x], (g) => [spread(g, x, map, 1)]);
}

/** Mean over `axis` (a number, a list, or every axis when omitted); `keepDims` keeps them as size 1. */
export function mean(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const { kept, out: shape } = reducedShapes("mean", x.shape, axis, keepDims);
  const { out, map } = sums(x, kept);
  const count = out.length === 0 ? 0 : x.size / out.length;
  for (let i = 0; i < out.length; i++) out[i] /= count;
  return track(new Tensor(out, shape), "mean", [x], (g) => [spread(g, x, map, 1 / count)]);
}

/**
 * Largest (sign = 1) or smallest (sign = −1) values. Over one axis the gradient goes to the first
 * arg-extremum (torch.max(x, dim)); over all axes it is shared evenly between tied extrema
 * (torch.max(x), whose derivative is evenly_distribute_backward). NaN counts as the extremum, as in PyTorch.
 */
function extremum(op: string, sign: 1 | -1, x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (x.size === 0) throw new Error(`${op}: the tensor is empty`);
  const xd = x.data;
  const better = (v: number, best: number): boolean => v !== v ? best === best : sign * (v - best) > 0;
  if (axis === undefined) {
    let best = xd[0];
    for (let i = 1; i < xd.length; i++) if (better(xd[i], best)) best = xd[i];
    const out = allocFloats(1, x.dtype);
    out[0] = best;
    const shape = keepDims ? x.shape.map(() => 1) : [];
    return track(new Tensor(out, shape), op, [x], (g) => {
      let ties = 0;
      for (let i = 0; i < xd.length; i++) if (xd[i] === best || (best !== best && xd[i] !== xd[i])) ties++;
      const gx = allocFloats(x.size, g.dtype);
      for (let i = 0; i < xd.length; i++) if (xd[i] === best || (best !== best && xd[i] !== xd[i])) gx[i] = g.data[0] / ties;
      return [new Tensor(gx, x.shape)];
    });
  }
  const a = normAxis(op, axis, x.rank);
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1), n = x.shape[a] ?? 1, inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  if (n === 0) throw new Error(`${op}: axis ${axis} is empty`);
  const out = allocFloats(outer * inner, x.dtype);
  const arg = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let at = o * n * inner + k;
      for (let j = 1; j < n; j++) {
        const i = (o * n + j) * inner + k;
        if (better(xd[i], xd[at])) at = i;
      }
      out[o * inner + k] = xd[at];
      arg[o * inner + k] = at;
    }
  }
  const shape = x.shape.slice();
  if (keepDims) shape[a] = 1;
  else shape.splice(a, 1);
  return track(new Tensor(out, shape), op, [x], (g) => {
    const gx = allocFloats(x.size, g.dtype);
    for (let j = 0; j < arg.length; j++) gx[arg[j]] += g.data[j];
    return [new Tensor(gx, x.shape)];
  });
}

/** Largest value overall, or along `axis` (values only; `keepDims` keeps the axis as size 1). */
export function max(x: Tensor, axis?: number, keepDims = false): Tensor {
  return extremum("max", 1, x, axis, keepDims);
}

/** Smallest value overall, or along `axis` (values only; `keepDims` keeps the axis as size 1). */
export function min(x: Tensor, axis?: number, keepDims = false): Tensor {
  return extremum("min", -1, x, axis, keepDims);
}

/**
 * Softmax (log = false) or log-softmax along `axis`, numerically stable: the row maximum m is
 * subtracted before exponentiating, log Σ e^(x−m) + m is the log-normaliser.
 * Backward (y = softmax): dx = y ⊙ (g − Σ g⊙y); for log-softmax: dx = g − softmax ⊙ Σ g.
 */
function normalise(op: string, x: Tensor, axis: number, log: boolean): Tensor {
  const a = normAxis(op, axis, x.rank);
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1), n = x.shape[a] ?? 1, inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const xd = x.data;
  const y = allocFloats(x.size, x.dtype);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * n * inner + k;
      let m = -Infinity;
      for (let j = 0; j < n; j++) m = Math.max(m, xd[base + j * inner]);
      if (m === -Infinity) m = 0; // an all −∞ row (fully masked): exp gives 0s and the sum 0, NaN as in PyTorch
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(xd[base + j * inner] - m);
      // (x − m) − log s and e^(x − m) / s: m is subtracted first, exactly, so large inputs lose no digits.
      const logS = Math.log(s);
      for (let j = 0; j < n; j++) {
        const i = base + j * inner;
        y[i] = log ? xd[i] - m - logS : Math.exp(xd[i] - m) / s;
      }
    }
  }
  return track(new Tensor(y, x.shape), op, [x], (g) => {
    const gd = g.data;
    const gx = allocFloats(x.size, g.dtype);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        const base = o * n * inner + k;
        let dot = 0;
        for (let j = 0; j < n; j++) {
          const i = base + j * inner;
          dot += log ? gd[i] : gd[i] * y[i];
        }
        for (let j = 0; j < n; j++) {
          const i = base + j * inner;
          gx[i] = log ? gd[i] - Math.exp(y[i]) * dot : y[i] * (gd[i] - dot);
        }
      }
    }
    return [new Tensor(gx, x.shape)];
  });
}

/** Softmax along `axis` (e^x / Σ e^x, computed stably). */
export function softmax(x: Tensor, axis: number): Tensor {
  return normalise("softmax", x, axis, false);
}

/** log(softmax(x)) along `axis`, computed stably (x − max − log Σ e^(x − max)). */
export function logSoftmax(x: Tensor, axis: number): Tensor {
  return normalise("logSoftmax", x, axis, true);
}
