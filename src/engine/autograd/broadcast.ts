/**
 * NumPy broadcasting, in one place for every op (elementwise, where, maskedFill, matmul's batch
 * axes, and the reductions, whose kept-dims result broadcasts back over their input).
 *
 * Rule (numpy.org "Broadcasting", the same in PyTorch): align the shapes at their last axes; two
 * sizes agree when equal or when one is 1; a missing leading axis counts as 1. The result takes the
 * larger size on each axis. A gradient flowing back to an operand sums over the axes it was
 * broadcast along (`sumTo`).
 *
 * Also here: the small shape helpers every op module shares (axis normalisation, shape text for
 * error messages, dtype promotion).
 */
import { allocFloats, sizeOf, Tensor, type DType } from "../tensor";

/** A shape as PyTorch prints it: `(2, 3)`, `(4,)` for one axis, `()` for a scalar. */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** Equal shapes. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Axis `axis` of a rank-`rank` tensor as 0 … rank−1; negative axes count from the end, like PyTorch. */
export function normAxis(op: string, axis: number, rank: number): number {
  // A scalar has one addressable axis, as in PyTorch: 0 or −1.
  const r = Math.max(rank, 1);
  const a = axis < 0 ? axis + r : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= r) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected ${rank === 0 ? "0 or -1" : `-${rank} … ${rank - 1}`})`);
  }
  return a;
}

/** float64 when either operand is, else float32. */
export function resultDtype(a: DType, b: DType): DType {
  return a === "float64" || b === "float64" ? "float64" : "float32";
}

/** The broadcast shape of `a` and `b`; the error names the op, both shapes and the first axis that disagrees. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 1; i <= rank; i++) {
    const da = i <= a.length ? a[a.length - i] : 1;
    const db = i <= b.length ? b[b.length - i] : 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${shapeText(a)} and ${shapeText(b)} cannot be broadcast together (${da} ≠ ${db} at axis ${-i})`);
    }
    out[rank - i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For each element of a tensor of `outShape` (row-major), the flat index of the element of a tensor
 * of `inShape` that broadcasts onto it; null when the shapes are equal (the identity map).
 * `inShape` must broadcast to `outShape` (callers check with broadcastShapes first).
 */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array | null {
  if (sameShape(inShape, outShape)) return null;
  const rank = outShape.length;
  const lead = rank - inShape.length;
  // strides[k]: how far the input index moves when output axis k moves by one (0 where broadcast).
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let k = rank - 1; k >= lead; k--) {
    const d = inShape[k - lead];
    strides[k] = d === 1 ? 0 : s;
    s *= d;
  }
  const n = sizeOf(outShape);
  const map = new Int32Array(n);
  if (n === 0) return map;
  const counter = new Array<number>(rank).fill(0);
  let at = 0;
  for (let i = 0; i < n; i++) {
    map[i] = at;
    // Odometer increment of the output index; the input index follows by strides.
    for (let k = rank - 1; k >= 0; k--) {
      if (++counter[k] < outShape[k]) {
        at += strides[k];
        break;
      }
      at -= strides[k] * (outShape[k] - 1);
      counter[k] = 0;
    }
  }
  return map;
}

/**
 * The gradient `g` of a broadcast result reduced to an operand's `shape`: summed over every axis the
 * operand was broadcast along (returned as is when the shapes are equal).
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(shape, g.shape)) return g;
  const out = allocFloats(sizeOf(shape), g.dtype);
  const gd = g.data;
  const tile = tileSize(shape, g.shape);
  if (tile > 0) {
    // The common cases without an index map: a scalar operand, or one that matches g's trailing axes (a bias).
    for (let i = 0; i < gd.length; i += tile) for (let k = 0; k < tile; k++) out[k] += gd[i + k];
  } else {
    const map = broadcastIndex(shape, g.shape)!;
    for (let i = 0; i < gd.length; i++) out[map[i]] += gd[i];
  }
  return new Tensor(out, shape);
}

/**
 * When a tensor of `inShape` broadcasts onto `outShape` by plain repetition — its size-1 leading
 * axes dropped, it equals the trailing axes of `outShape` (a scalar, a bias row) — its size (the
 * tile repeated along the output); otherwise 0.
 */
function tileSize(inShape: readonly number[], outShape: readonly number[]): number {
  let lead = 0;
  while (lead < inShape.length && inShape[lead] === 1) lead++;
  const rest = inShape.length - lead;
  if (rest > outShape.length) return 0;
  for (let k = 1; k <= rest; k++) if (inShape[inShape.length - k] !== outShape[outShape.length - k]) return 0;
  return sizeOf(inShape);
}

/** `x` broadcast to `shape` as a new contiguous tensor (x's shape must broadcast to it). */
export function expandTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const out = allocFloats(sizeOf(shape), x.dtype);
  const xd = x.data;
  const tile = tileSize(x.shape, shape);
  if (tile === 1) out.fill(xd[0]);
  else if (tile > 0) for (let i = 0; i < out.length; i += tile) out.set(xd, i);
  else {
    const map = broadcastIndex(x.shape, shape)!;
    for (let i = 0; i < map.length; i++) out[i] = xd[map[i]];
  }
  return new Tensor(out, shape);
}

/** A number as a 0-d tensor of `dtype` (a scalar operand never promotes the other's dtype, as in PyTorch). */
export function scalarTensor(v: number, dtype: DType): Tensor {
  const d = allocFloats(1, dtype);
  d[0] = v;
  return new Tensor(d, []);
}
