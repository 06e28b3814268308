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
 */

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
    const data = this.data.slice(s * row, e * row);
    return new Tensor(data, [e - s, ...this.shape.slice(1)]);
  }

  /** Same data, another shape of the same size; one dimension may be −1 (inferred). */
  reshape(shape: readonly number[]): Tensor {
    const s = shape.slice();
    const unknown = s.indexOf(-1);
    if (unknown >= 0) {
      const known = sizeOf(s.filter((_, i) => i !== unknown));
      s[unknown] = known === 0 ? 0 : this.data.length / known;
    }
    if (sizeOf(s) !== this.data.length) {
      throw new Error(`reshape: cannot view [${this.shape.join(", ")}] as [${shape.join(", ")}]`);
    }
    return new Tensor(this.data, s);
  }

  /** A copy, optionally converted to another dtype. */
  clone(dtype: DType = this.dtype): Tensor {
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
 * caller data. Float32 unless `dtype` says otherwise (a Float64Array or float64 Tensor keeps float64).
 */
export function tensor(data: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  if (data instanceof Tensor) {
    const t = data.clone(dtype ?? data.dtype);
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
