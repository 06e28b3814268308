/**
 * Tensors: a shape plus a flat row-major typed array. That is all the engine needs — kernels work on
 * the flat arrays directly (see ops.ts), layers pass Tensors between each other, and cells see them
 * as `rnn.tensor(...)` values with `shape`, `toArray()` and `slice()`.
 *
 * Float32 by default; float64 exists for gradient checks (`dtype: "float64"`). Data is never copied
 * implicitly except where a function says so (`tensor()` from nested arrays copies, `reshape` shares).
 *
 * mathjs interop is duck-typed: anything with a `toArray()` method (a mathjs Matrix, another Tensor)
 * is accepted wherever nested arrays are, and `toMath(t)` returns plain nested arrays, which the
 * kernel wraps with `math.matrix(...)`. The engine itself never imports mathjs.
 *
 * Autograd (PyTorch semantics): a tensor made with `requiresGrad: true` is a leaf; the ops below
 * (`add`, `matmul`, `sum`, …) record what they computed from it, and `backward()` sends gradients
 * back into the leaves' `.grad`. The ops live in autograd/ (graph.ts explains the tape); this class
 * reaches them through a table that autograd/ops.ts installs when the engine loads, so this module
 * imports none of them (they import Tensor: no cycle).
 */
import type { GraphNode } from "./autograd/graph";
import type { TensorOps } from "./autograd/ops";

/** Element type of a tensor: "float32" (the default) or "float64" (gradient checks). */
export type DType = "float32" | "float64";
export type FloatArray = Float32Array | Float64Array;

/** Nested arrays of numbers of any depth (a scalar is depth 0). */
export type NestedArray = number | NestedArray[];

/** Anything `tensor()` accepts. */
export type TensorLike =
  | Tensor
  | NestedArray
  | ArrayLike<number>
  | { toArray(): unknown };

/** Number of elements of a shape (1 for the scalar shape []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A new zero-filled array of the dtype. */
export function allocFloats(n: number, dtype: DType): FloatArray {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}

/** The dtype of a typed array. */
export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? "float64" : "float32";
}

/** Options of `tensor()`. */
export interface TensorOptions {
  /** Make a leaf that records the ops applied to it, so `backward()` fills its `.grad` (default false). */
  requiresGrad?: boolean;
  /** "float32" (default) or "float64". */
  dtype?: DType;
}

let ops: TensorOps | null = null;

/** @internal Installs the autograd ops the Tensor methods call (autograd/ops.ts does, once, when it loads). */
export function installTensorOps(table: TensorOps): void {
  ops = table;
}

function op(): TensorOps {
  if (!ops) throw new Error("Tensor ops are not loaded: import the engine from its entry (src/engine/index.ts)");
  return ops;
}

function checkShape(shape: readonly number[], where: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${where}: invalid shape [${shape.join(", ")}]`);
  }
}

/** An n-dimensional array: `shape` and row-major `data`. */
export class Tensor {
  /** Dimensions, outermost first; [] for a scalar. */
  readonly shape: number[];
  /** Row-major values; length = product of shape. */
  readonly data: FloatArray;

  /** Gradient accumulated by `backward()` (same shape and dtype); null until a backward pass reaches this leaf. */
  grad: Tensor | null = null;
  /** @internal The op that computed this tensor (null for a leaf or a tensor outside any graph). */
  _node: GraphNode | null = null;
  /** @internal Set by `retainGrad()`: backward keeps this non-leaf's gradient in `.grad`. */
  _retainsGrad = false;
  private leafRequiresGrad = false;

  constructor(data: FloatArray, shape: readonly number[]) {
    checkShape(shape, "Tensor");
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new Error(`Tensor: shape [${shape.join(", ")}] needs ${n} values but data has ${data.length}`);
    }
    this.shape = shape.slice();
    this.data = data;
  }

  /** Element type: "float32" (Float32Array data, the default) or "float64" (Float64Array, for gradient checks). */
  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /**
   * Whether ops on this tensor are recorded for `backward()`: set on a leaf (`t.requiresGrad = true`,
   * or `rnn.tensor(v, shape, { requiresGrad: true })`), true for every result computed from one.
   */
  get requiresGrad(): boolean {
    return this.leafRequiresGrad || this._node !== null;
  }

  set requiresGrad(on: boolean) {
    if (this._node !== null && !on) {
      throw new Error("requiresGrad: only a leaf's flag can be changed; use detach() for a copy outside the graph");
    }
    this.leafRequiresGrad = on;
  }

  /**
   * Keeps this non-leaf tensor's gradient in `.grad` during `backward()` (accumulating across
   * passes, like a leaf's), as PyTorch's `retain_grad()`: e.g. ∂L/∂h_t of each step's hidden state.
   * A no-op on a leaf (leaves keep theirs anyway). Returns this tensor.
   */
  retainGrad(): this {
    if (!this.requiresGrad) {
      throw new Error("retainGrad: this tensor does not require grad, so no gradient will reach it (compute it from tensors made with requiresGrad: true, outside rnn.noGrad)");
    }
    if (this._node !== null) this._retainsGrad = true;
    return this;
  }

  /** True for a non-leaf after `retainGrad()` (false for leaves, which keep their gradient anyway), as PyTorch's `retains_grad`. */
  get retainsGrad(): boolean {
    return this._retainsGrad;
  }

  /** True for a tensor not computed by a recorded op (a leaf of the graph). */
  get isLeaf(): boolean {
    return this._node === null;
  }

  /**
   * Computes the gradients of this tensor with respect to every leaf it was computed from and ADDS
   * them to the leaves' `.grad` (zero them between steps). A scalar (one element) needs no argument;
   * otherwise pass the gradient of something with respect to this tensor, of its shape. Frees the
   * graph: a second backward through it throws.
   */
  backward(grad?: Tensor | number): void {
    op().backward(this, grad);
  }

  /** The same values (shared, not copied) as a tensor outside any graph, like torch's `detach()`. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.data.length !== 1) throw new Error(`item: only a one-element tensor has an item; this one has shape [${this.shape.join(", ")}]`);
    return this.data[0];
  }

  /** this + other, broadcasting (a number counts as a scalar of this tensor's dtype). */
  add(other: Tensor | number): Tensor {
    return op().add(this, other);
  }

  /** this − other, broadcasting. */
  sub(other: Tensor | number): Tensor {
    return op().sub(this, other);
  }

  /** this · other elementwise, broadcasting. */
  mul(other: Tensor | number): Tensor {
    return op().mul(this, other);
  }

  /** this / other elementwise, broadcasting. */
  div(other: Tensor | number): Tensor {
    return op().div(this, other);
  }

  /** this ** exponent elementwise, broadcasting (the exponent may be a tensor). */
  pow(exponent: Tensor | number): Tensor {
    return op().pow(this, exponent);
  }

  /** −this. */
  neg(): Tensor {
    return op().neg(this);
  }

  /** e^this elementwise. */
  exp(): Tensor {
    return op().exp(this);
  }

  /** Natural logarithm elementwise. */
  log(): Tensor {
    return op().log(this);
  }

  /** Square root elementwise. */
  sqrt(): Tensor {
    return op().sqrt(this);
  }

  /** Hyperbolic tangent elementwise. */
  tanh(): Tensor {
    return op().tanh(this);
  }

  /** Logistic sigmoid 1 / (1 + e^−x) elementwise. */
  sigmoid(): Tensor {
    return op().sigmoid(this);
  }

  /** max(x, 0) elementwise. */
  relu(): Tensor {
    return op().relu(this);
  }

  /** |x| elementwise. */
  abs(): Tensor {
    return op().abs(this);
  }

  /**
   * `value` wherever `mask` is nonzero or true (it broadcasts to this tensor's shape), like torch's
   * `masked_fill`: e.g. `scores.maskedFill(padMask, -Infinity)` before a softmax.
   */
  maskedFill(mask: TensorLike | boolean[] | boolean[][] | boolean[][][], value: number): Tensor {
    return op().maskedFill(this, mask, value);
  }

  /** 1 where this > other (broadcasting), else 0; not differentiable (PyTorch's bool result as 0/1). */
  gt(other: Tensor | number): Tensor {
    return op().gt(this, other);
  }

  /** 1 where this < other (broadcasting), else 0; not differentiable. */
  lt(other: Tensor | number): Tensor {
    return op().lt(this, other);
  }

  /** 1 where this ≥ other (broadcasting), else 0; not differentiable. */
  ge(other: Tensor | number): Tensor {
    return op().ge(this, other);
  }

  /** 1 where this ≤ other (broadcasting), else 0; not differentiable. */
  le(other: Tensor | number): Tensor {
    return op().le(this, other);
  }

  /** 1 where this equals other (broadcasting), else 0; not differentiable: e.g. `pred.eq(y).mean()` is an accuracy. */
  eq(other: Tensor | number): Tensor {
    return op().eq(this, other);
  }

  /**
   * Matrix product as torch.matmul: 2-D · 2-D, batched over leading axes (which broadcast), and 1-D
   * operands as a row (left) or column (right) vector whose axis is then dropped.
   */
  matmul(other: Tensor): Tensor {
    return op().matmul(this, other);
  }

  /** Sum over `axis` (a number or a list; every axis when omitted); `keepDims` keeps reduced axes as size 1. */
  sum(axis?: number | readonly number[], keepDims = false): Tensor {
    return op().sum(this, axis, keepDims);
  }

  /** Mean over `axis` (a number or a list; every axis when omitted); `keepDims` keeps reduced axes as size 1. */
  mean(axis?: number | readonly number[], keepDims = false): Tensor {
    return op().mean(this, axis, keepDims);
  }

  /** Largest value, overall or along `axis` (values only; the gradient goes to the arg-max, as in PyTorch). */
  max(axis?: number, keepDims = false): Tensor {
    return op().max(this, axis, keepDims);
  }

  /** Smallest value, overall or along `axis` (values only; the gradient goes to the arg-min, as in PyTorch). */
  min(axis?: number, keepDims = false): Tensor {
    return op().min(this, axis, keepDims);
  }

  /** Softmax along `axis` (numerically stable). */
  softmax(axis: number): Tensor {
    return op().softmax(this, axis);
  }

  /** Log-softmax along `axis` (numerically stable: x − max − log Σ e^(x − max)). */
  logSoftmax(axis: number): Tensor {
    return op().logSoftmax(this, axis);
  }

  /**
   * Axes permuted (a copy): `transpose()` reverses them (a matrix's transpose), `transpose([1, 0, 2])`
   * takes axis axes[k] as axis k, `transpose(0, 1)` swaps two axes as PyTorch's `transpose(dim0, dim1)`.
   */
  transpose(axes?: readonly number[] | number, other?: number): Tensor {
    return op().transpose(this, axes, other);
  }

  /** A new axis of size 1 at `axis` (same data). */
  unsqueeze(axis: number): Tensor {
    return op().unsqueeze(this, axis);
  }

  /** Without axes of size 1: all of them, or only `axis` (unchanged when its size is not 1). */
  squeeze(axis?: number): Tensor {
    return op().squeeze(this, axis);
  }

  /** Entry `index` of axis `axis`, that axis removed (negative values count from the end): `out.select(1, -1)` is `out[:, -1]`. */
  select(axis: number, index: number): Tensor {
    return op().select(this, axis, index);
  }

  /** `length` entries of axis `axis` from `start` (a copy), like torch.narrow. */
  narrow(axis: number, start: number, length: number): Tensor {
    return op().narrow(this, axis, start, length);
  }

  /** Rows (entries of axis 0) picked by integer `ids` of any shape → shape ids.shape + shape[1:]: an embedding lookup. */
  index(ids: TensorLike): Tensor {
    return op().index(this, ids);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions (`shape.length`): 0 for a scalar, 3 for a [B, T, F] batch of sequences. */
  get rank(): number {
    return this.shape.length;
  }

  /** Values as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const shape = this.shape;
    const data = this.data;
    if (shape.length === 0) return data[0];
    const build = (axis: number, offset: number): NestedArray[] => {
      const n = shape[axis];
      const out: NestedArray[] = new Array(n);
      if (axis === shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = data[offset + i];
        return out;
      }
      const stride = sizeOf(shape.slice(axis + 1));
      for (let i = 0; i < n; i++) out[i] = build(axis + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** Flat values as a plain array. */
  toFlatArray(): number[] {
    return Array.from(this.data);
  }

  /**
   * Rows `start` (inclusive) to `end` (exclusive) of the first axis, as a copy — like
   * `Array.prototype.slice`, negative indices count from the end and `end` defaults to the length.
   */
  slice(start = 0, end?: number): Tensor {
    if (this.shape.length === 0) throw new Error("slice: a scalar has no first axis");
    const n = this.shape[0];
    const norm = (i: number): number => Math.min(n, Math.max(0, i < 0 ? n + i : i));
    const s = norm(start);
    const e = Math.max(s, norm(end ?? n));
    const row = this.data.length / Math.max(n, 1);
    if (this.requiresGrad) return op().narrow(this, 0, s, e - s);
    const data = this.data.slice(s * row, e * row);
    return new Tensor(data, [e - s, ...this.shape.slice(1)]);
  }

  /**
   * Same data, another shape of the same size; one dimension may be −1 (inferred). Takes the shape
   * as an array or as arguments (`t.reshape(2, -1)`, as in PyTorch).
   */
  reshape(shape: readonly number[] | number, ...more: number[]): Tensor {
    const s = typeof shape === "number" ? [shape, ...more] : shape.slice();
    const unknown = s.indexOf(-1);
    if (unknown >= 0) {
      const known = sizeOf(s.filter((_, i) => i !== unknown));
      s[unknown] = known === 0 ? 0 : this.data.length / known;
    }
    if (sizeOf(s) !== this.data.length) {
      throw new Error(`reshape: cannot view [${this.shape.join(", ")}] as [${(typeof shape === "number" ? [shape, ...more] : shape).join(", ")}]`);
    }
    if (this.requiresGrad) return op().view(this, s);
    return new Tensor(this.data, s);
  }

  /** A copy, optionally converted to another dtype (in the graph when this tensor requires grad, like torch's `clone`). */
  clone(dtype: DType = this.dtype): Tensor {
    if (this.requiresGrad) return op().copy(this, dtype);
    const out = allocFloats(this.data.length, dtype);
    out.set(this.data);
    return new Tensor(out, this.shape);
  }

  /** The element at the given indices (one per axis). */
  get(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new Error(`get: expected ${this.shape.length} indices for shape [${this.shape.join(", ")}], got ${index.length}`);
    }
    let off = 0;
    for (let a = 0; a < index.length; a++) {
      const i = index[a];
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[a]) {
        throw new Error(`get: index ${i} out of range for axis ${a} of size ${this.shape[a]}`);
      }
      off = off * this.shape[a] + i;
    }
    return this.data[off];
  }

  /** Dtype and shape only, e.g. `Tensor(float32, [32, 20, 1])` (use `toArray()` for the values). */
  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(", ")}])`;
  }

  /** JSON as nested arrays, so `JSON.stringify(t)` is readable. */
  toJSON(): NestedArray {
    return this.toArray();
  }
}

function isTypedNumberArray(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** Infers the shape of nested arrays and flattens them; throws on ragged input or non-numbers. */
function flattenNested(value: unknown): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe) || isTypedNumberArray(probe)) {
    const len = (probe as ArrayLike<unknown>).length;
    shape.push(len);
    if (len === 0) break;
    probe = (probe as ArrayLike<unknown>)[0];
  }
  const values: number[] = [];
  const walk = (v: unknown, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (typeof v !== "number") throw new Error(`tensor: expected a number at ${path || "top level"}, got ${typeof v}`);
      values.push(v);
      return;
    }
    if (!(Array.isArray(v) || isTypedNumberArray(v)) || (v as ArrayLike<unknown>).length !== shape[axis]) {
      throw new Error(`tensor: ragged nested array at ${path || "top level"} (expected length ${shape[axis]} on axis ${axis})`);
    }
    const arr = v as ArrayLike<unknown>;
    for (let i = 0; i < arr.length; i++) walk(arr[i], axis + 1, `${path}[${i}]`);
  };
  walk(value, 0, "");
  return { shape, values };
}

/**
 * Makes a tensor from nested arrays, a typed array, a number, another Tensor or anything with a
 * `toArray()` method (mathjs matrices). With `shape`, flat data is viewed in that shape (the sizes
 * must match). Typed arrays of the requested dtype are copied too, so the result never aliases
 * caller data (a Tensor is copied outside any graph, like `torch.tensor(t)`). Float32 unless the
 * dtype says otherwise (a Float64Array or float64 Tensor keeps float64). The argument after the
 * shape is the dtype or `{ requiresGrad?, dtype? }` (options may also come second, without a shape):
 * `rnn.tensor([[1, 2]], { requiresGrad: true })` is a leaf whose `.grad` `backward()` fills.
 */
export function tensor(data: TensorLike, options?: TensorOptions): Tensor;
export function tensor(data: TensorLike, shape?: readonly number[], options?: DType | TensorOptions): Tensor;
export function tensor(data: TensorLike, shapeOrOptions?: readonly number[] | TensorOptions, options?: DType | TensorOptions): Tensor {
  const shape = Array.isArray(shapeOrOptions) ? (shapeOrOptions as readonly number[]) : undefined;
  const given = shape === undefined && shapeOrOptions !== undefined ? (shapeOrOptions as TensorOptions) : options;
  const opts = typeof given === "string" ? { dtype: given } : given ?? {};
  const t = makeTensor(data, shape, opts.dtype);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

function makeTensor(data: TensorLike, shape: readonly number[] | undefined, dtype: DType | undefined): Tensor {
  if (data instanceof Tensor) {
    const t = data.detach().clone(dtype ?? data.dtype);
    return shape ? t.reshape(shape) : t;
  }
  if (data instanceof Float32Array || data instanceof Float64Array) {
    const dt = dtype ?? dtypeOf(data);
    const out = allocFloats(data.length, dt);
    out.set(data);
    return new Tensor(out, shape ?? [data.length]);
  }
  let nested: unknown = data;
  if (!Array.isArray(data) && !isTypedNumberArray(data) && typeof data === "object" && data !== null &&
      typeof (data as { toArray?: unknown }).toArray === "function") {
    nested = (data as { toArray(): unknown }).toArray();
  }
  const { shape: inferred, values } = typeof nested === "number" ? { shape: [], values: [nested] } : flattenNested(nested);
  const out = allocFloats(values.length, dtype ?? "float32");
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  if (shape) {
    checkShape(shape, "tensor");
    if (sizeOf(shape) !== values.length) {
      throw new Error(`tensor: shape [${shape.join(", ")}] needs ${sizeOf(shape)} values but got ${values.length}`);
    }
    return new Tensor(out, shape);
  }
  return new Tensor(out, inferred);
}

/** A zero tensor. */
export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return new Tensor(allocFloats(sizeOf(shape), dtype), shape);
}

/**
 * A tensor of ones, like torch.ones: `rnn.ones([2, 3])`, `rnn.ones([3], { requiresGrad: true, dtype: "float64" })`
 * (or the dtype alone as the second argument).
 */
export function ones(shape: readonly number[], options?: DType | TensorOptions): Tensor {
  const o = typeof options === "string" ? { dtype: options } : options ?? {};
  checkShape(shape, "ones");
  const t = new Tensor(allocFloats(sizeOf(shape), o.dtype ?? "float32").fill(1), shape);
  if (o.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Accepts a Tensor as is (no copy) or converts anything else with `tensor()`. */
export function asTensor(x: TensorLike, dtype?: DType): Tensor {
  if (x instanceof Tensor && (dtype === undefined || x.dtype === dtype)) return x;
  return tensor(x, undefined, dtype);
}

/** Nested arrays for mathjs: `math.matrix(rnn.toMath(t))`. */
export function toMath(t: TensorLike): NestedArray {
  return asTensor(t).toArray();
}

/** A tensor from a mathjs matrix (or nested arrays); float32 like every engine default unless asked. */
export function fromMath(m: TensorLike, dtype: DType = "float32"): Tensor {
  return tensor(m, undefined, dtype);
}
