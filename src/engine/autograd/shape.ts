/**
 * Shape and indexing ops with their backward passes: views (reshape, unsqueeze, squeeze), axis
 * permutation (transpose), picking along an axis (select, narrow, index) and joining (cat, stack).
 *
 * Axis ops see a tensor as [outer, n, inner]: `outer` = product of the sizes before the axis, `n` the
 * axis itself, `inner` = product of the sizes after it; a contiguous block of `inner` values moves
 * at a time. Views share the input's data (like `Tensor.reshape`); every other op copies.
 */
import { allocFloats, asTensor, sizeOf, Tensor, type FloatArray, type TensorLike } from "../tensor";
import { normAxis, resultDtype, shapeText } from "./broadcast";
import { NarrowedGrad, track } from "./graph";

/** [outer, n, inner] of `shape` around axis `axis` (already normalised). */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/**
 * Blocks at least this long (floats) are copied with subarray + set (a memcpy) rather than a loop:
 * measured on Node 20, a view costs about as much as copying 30 floats one by one.
 */
const MEMCPY_MIN = 32;

/**
 * dst[o, dstStart + j, :] (+)= src[o, srcStart + j, :] for j < len: the block copy every axis op
 * uses (forward: gather a range; backward: scatter a gradient back).
 */
function moveRange(
  src: FloatArray, srcN: number, srcStart: number,
  dst: FloatArray, dstN: number, dstStart: number,
  outer: number, len: number, inner: number, accumulate: boolean,
): void {
  const span = len * inner;
  // A short block is copied element by element: subarray + set makes a view object per block (for
  // `output[:, -1]` of a small LSTM, B blocks of 16 floats).
  const byElement = accumulate || span < MEMCPY_MIN;
  for (let o = 0; o < outer; o++) {
    const s = (o * srcN + srcStart) * inner, d = (o * dstN + dstStart) * inner;
    if (!byElement) dst.set(src.subarray(s, s + span), d);
    else if (accumulate) for (let k = 0; k < span; k++) dst[d + k] += src[s + k];
    else for (let k = 0; k < span; k++) dst[d + k] = src[s + k];
  }
}

/** x's data in another shape of the same size (shared, not copied); the gradient is reshaped back. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return track(new Tensor(x.data, shape), "reshape", [x], (g) => [g.reshape(x.shape)]);
}

/** x with a new axis of size 1 at `axis` (−rank−1 … rank), like torch.unsqueeze. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis("unsqueeze", axis, x.rank + 1);
  return view(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** x without axes of size 1: all of them, or only `axis` (unchanged if its size is not 1, as in PyTorch). */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return view(x, x.shape.filter((d) => d !== 1));
  const a = normAxis("squeeze", axis, x.rank);
  return view(x, x.rank > 0 && x.shape[a] === 1 ? [...x.shape.slice(0, a), ...x.shape.slice(a + 1)] : x.shape);
}

/** The axis order: reversed for none; a full permutation; or two axes to swap (PyTorch's transpose(d0, d1)). */
function permutation(shape: readonly number[], axes: readonly number[] | number | undefined, second: number | undefined): number[] {
  const rank = shape.length;
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (typeof axes === "number") {
    if (second === undefined) throw new Error("transpose: give two axes to swap, a full permutation array, or nothing (reverse the axes)");
    const perm = Array.from({ length: rank }, (_, i) => i);
    const a = normAxis("transpose", axes, rank), b = normAxis("transpose", second, rank);
    perm[a] = b;
    perm[b] = a;
    return perm;
  }
  const perm = axes.map((a) => normAxis("transpose", a, rank));
  if (perm.length !== rank || new Set(perm).size !== rank) {
    throw new Error(`transpose: [${axes.join(", ")}] is not a permutation of the ${rank} axes of a tensor of shape ${shapeText(shape)}`);
  }
  return perm;
}

/**
 * x with its axes permuted: `transpose()` reverses them (x.T for a matrix), `transpose([1, 0, 2])`
 * takes axis perm[k] as axis k (NumPy / tf.transpose), `transpose(0, 1)` swaps two axes (PyTorch).
 * Copies; the gradient goes through the inverse permutation.
 */
export function transpose(x: Tensor, axes?: readonly number[] | number, second?: number): Tensor {
  const rank = x.rank;
  const perm = permutation(x.shape, axes, second);
  const shape = perm.map((p) => x.shape[p]);
  const inStrides = new Array<number>(rank);
  for (let k = rank - 1, s = 1; k >= 0; k--) {
    inStrides[k] = s;
    s *= x.shape[k];
  }
  const strides = perm.map((p) => inStrides[p]);
  const out = allocFloats(x.size, x.dtype);
  const xd = x.data;
  const counter = new Array<number>(rank).fill(0);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = xd[at];
    for (let k = rank - 1; k >= 0; k--) {
      if (++counter[k] < shape[k]) {
        at += strides[k];
        break;
      }
      at -= strides[k] * (shape[k] - 1);
      counter[k] = 0;
    }
  }
  const inverse = new Array<number>(rank);
  perm.forEach((p, k) => (inverse[p] = k));
  return track(new Tensor(out, shape), "transpose", [x], (g) => [transpose(g, inverse)]);
}

/** `length` entries of axis `axis` from `start` (negative counts from the end), like torch.narrow. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const a = normAxis("narrow", axis, x.rank);
  const n = x.shape[a];
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(start) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new Error(`narrow: start ${start} and length ${length} do not fit axis ${axis} of size ${n} (shape ${shapeText(x.shape)})`);
  }
  const shape = x.shape.slice();
  shape[a] = length;
  return pick(x, a, s, length, shape, "narrow");
}

/** Entry `index` of axis `axis` (negative counts from the end), the axis removed: `out.select(1, -1)` is `out[:, -1]`. */
export function select(x: Tensor, axis: number, index: number): Tensor {
  const a = normAxis("select", axis, x.rank);
  const n = x.shape[a];
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new Error(`select: index ${index} is out of range for axis ${axis} of size ${n} (shape ${shapeText(x.shape)})`);
  }
  return pick(x, a, index < 0 ? index + n : index, 1, [...x.shape.slice(0, a), ...x.shape.slice(a + 1)], "select");
}

/**
 * Entries [s, s + length) of axis a of x as a new tensor of shape `shape` (narrow's, or select's
 * without the axis): one graph op. The gradient is g inside the range and zero around it: sent back
 * as that block (the tape, or the op that receives it, makes the full-size array only if it needs one).
 */
function pick(x: Tensor, a: number, s: number, length: number, shape: number[], op: string): Tensor {
  const [outer, n, inner] = around(x.shape, a);
  const out = allocFloats(outer * length * inner, x.dtype);
  moveRange(x.data, n, s, out, length, 0, outer, length, inner, false);
  const blockShape = x.shape.slice();
  blockShape[a] = length;
  return track(new Tensor(out, shape), op, [x], (g) => [new NarrowedGrad(new Tensor(g.data, blockShape), x.shape, a, s, () => {
    const gx = allocFloats(x.size, g.dtype);
    moveRange(g.data, length, 0, gx, n, s, outer, length, inner, false);
    return new Tensor(gx, x.shape);
  })]);
}

/**
 * Rows of x (entries of axis 0) gathered by integer `ids` of any shape: the result has shape
 * ids.shape + x.shape[1:] — an embedding lookup `weight.index(tokens)`. Negative ids count from the
 * end. The gradient adds back into each row as many times as it was picked.
 */
export function index(x: Tensor, ids: TensorLike): Tensor {
  if (x.rank === 0) throw new Error("index: a scalar has no rows to gather");
  const idx = asTensor(ids);
  const n = x.shape[0], row = n === 0 ? 0 : x.size / n;
  const rows = new Int32Array(idx.size);
  for (let i = 0; i < rows.length; i++) {
    const v = idx.data[i];
    if (!Number.isInteger(v) || v < -n || v >= n) {
      throw new Error(`index: id ${v} (at flat position ${i}) is not an integer in -${n} … ${n - 1} for axis 0 of shape ${shapeText(x.shape)}`);
    }
    rows[i] = v < 0 ? v + n : v;
  }
  const out = allocFloats(rows.length * row, x.dtype);
  for (let i = 0; i < rows.length; i++) out.set(x.data.subarray(rows[i] * row, rows[i] * row + row), i * row);
  return track(new Tensor(out, [...idx.shape, ...x.shape.slice(1)]), "index", [x], (g) => {
    const gx = allocFloats(x.size, g.dtype);
    for (let i = 0; i < rows.length; i++) {
      const d = rows[i] * row, s = i * row;
      for (let k = 0; k < row; k++) gx[d + k] += g.data[s + k];
    }
    return [new Tensor(gx, x.shape)];
  });
}

/** Joins tensors along an existing axis (every other size must agree), like torch.cat. */
export function cat(ts: readonly Tensor[], axis = 0): Tensor {
  if (ts.length === 0) throw new Error("cat: expected at least one tensor");
  const first = ts[0];
  const a = normAxis("cat", axis, first.rank);
  if (first.rank === 0) throw new Error("cat: zero-dimensional tensors cannot be concatenated (use stack)");
  let total = 0;
  let dtype = first.dtype;
  for (const t of ts) {
    if (t.rank !== first.rank || t.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      throw new Error(`cat: shapes ${shapeText(first.shape)} and ${shapeText(t.shape)} differ outside axis ${axis}`);
    }
    total += t.shape[a];
    dtype = resultDtype(dtype, t.dtype);
  }
  const [outer, , inner] = around(first.shape, a);
  const out = allocFloats(outer * total * inner, dtype);
  const starts: number[] = [];
  let at = 0;
  for (const t of ts) {
    starts.push(at);
    moveRange(t.data, t.shape[a], 0, out, total, at, outer, t.shape[a], inner, false);
    at += t.shape[a];
  }
  const shape = first.shape.slice();
  shape[a] = total;
  return track(new Tensor(out, shape), "cat", ts, (g) => ts.map((t, i) => {
    if (!t.requiresGrad) return null;
    const gt = allocFloats(t.size, g.dtype);
    moveRange(g.data, total, starts[i], gt, t.shape[a], 0, outer, t.shape[a], inner, false);
    return new Tensor(gt, t.shape);
  }));
}

/** Joins same-shaped tensors along a new axis, like torch.stack. */
export function stack(ts: readonly Tensor[], axis = 0): Tensor {
  if (ts.length === 0) throw new Error("stack: expected at least one tensor");
  for (const t of ts) {
    if (t.rank !== ts[0].rank || t.shape.some((d, k) => d !== ts[0].shape[k])) {
      throw new Error(`stack: every tensor needs the same shape, got ${shapeText(ts[0].shape)} and ${shapeText(t.shape)}`);
    }
  }
  const a = normAxis("stack", axis, ts[0].rank + 1);
  return cat(ts.map((t) => unsqueeze(t, a)), a);
}
