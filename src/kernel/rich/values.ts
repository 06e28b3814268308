/**
 * Arbitrary values a cell hands to `display` or `rnn.show.tensor` that are not engine tensors but
 * are matrices all the same: typed arrays, nested number arrays and mathjs values (a Matrix from
 * `rnn.toMath` or `math.identity`, its `toArray()` nested arrays, scalars such as Complex or
 * BigNumber). mathjs is recognised by its documented type flags (`isMatrix`, `isComplex`, …, set on
 * its prototypes), so this module never loads mathjs. Engine tensors are read as they are.
 */
import { Tensor } from "../../engine/tensor";

/** Flat row-major data of a numeric array value, with its shape and dtype. */
export interface Shaped {
  shape: number[];
  data: ArrayLike<number | null>;
  dtype: "float32" | "float64" | "int32";
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;

/** A mathjs Matrix (DenseMatrix or SparseMatrix): `toArray()` gives nested arrays. */
export function isMathMatrix(v: unknown): v is { toArray(): unknown; size(): number[] } {
  return isObj(v) && v.isMatrix === true && typeof v.toArray === "function";
}

/** A mathjs scalar that is not a JS number: Complex, BigNumber, Fraction or Unit (each prints itself with toString). */
export function isMathScalar(v: unknown): v is { toString(): string } {
  return isObj(v) && (v.isComplex === true || v.isBigNumber === true || v.isFraction === true || v.isUnit === true) && typeof v.toString === "function";
}

function typedArray(v: unknown): v is ArrayLike<number> & ArrayBufferView {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

function typedDtype(v: ArrayBufferView): Shaped["dtype"] {
  if (v instanceof Float32Array) return "float32";
  if (v instanceof Float64Array) return "float64";
  return "int32";
}

/** Shape of rectangular nested arrays (read along the first elements), or undefined. */
function nestedShape(v: unknown, depth = 0): number[] | undefined {
  if (typeof v === "number" || v === null) return [];
  if (depth > 8) return undefined;
  if (typedArray(v)) return [v.length];
  if (!Array.isArray(v)) return undefined;
  if (v.length === 0) return [0];
  const inner = nestedShape(v[0], depth + 1);
  return inner ? [v.length, ...inner] : undefined;
}

/** Nested arrays of that shape flattened row-major, or undefined if ragged or not all numbers. */
function flatten(v: unknown, shape: number[]): (number | null)[] | undefined {
  const out: (number | null)[] = [];
  const walk = (x: unknown, d: number): boolean => {
    if (d === shape.length) {
      if (typeof x !== "number" && x !== null) return false;
      out.push(x);
      return true;
    }
    if (!(Array.isArray(x) || typedArray(x)) || x.length !== shape[d]) return false;
    for (let i = 0; i < x.length; i++) if (!walk((x as ArrayLike<unknown>)[i], d + 1)) return false;
    return true;
  };
  return walk(v, 0) ? out : undefined;
}

/** The value as a numeric array: a Tensor, a typed array, nested number arrays or a mathjs Matrix of numbers. */
export function toShaped(v: unknown): Shaped | undefined {
  if (v instanceof Tensor) return { shape: v.shape.slice(), data: v.data, dtype: v.dtype };
  if (typedArray(v)) return { shape: [v.length], data: v, dtype: typedDtype(v) };
  const nested = isMathMatrix(v) ? v.toArray() : v;
  const shape = nestedShape(nested);
  if (!shape || shape.length === 0) return undefined;
  const data = flatten(nested, shape);
  return data ? { shape, data, dtype: "float64" } : undefined;
}

/**
 * A mathjs Matrix (or nested arrays) whose entries are mathjs scalars or numbers, as rows of text
 * (each entry's own toString), for a table; undefined unless it is rank 1 or 2 of such entries.
 */
export function textMatrix(v: unknown): { shape: number[]; cells: string[][] } | undefined {
  const nested = isMathMatrix(v) ? v.toArray() : v;
  if (!Array.isArray(nested) || nested.length === 0) return undefined;
  const entry = (x: unknown): string | undefined => (typeof x === "number" ? String(x) : isMathScalar(x) ? x.toString() : undefined);
  const rows = Array.isArray(nested[0]) ? nested : [nested];
  const width = (rows[0] as unknown[]).length;
  const cells: string[][] = [];
  for (const r of rows) {
    if (!Array.isArray(r) || r.length !== width) return undefined;
    const texts = r.map(entry);
    if (texts.some((t) => t === undefined)) return undefined;
    cells.push(texts as string[]);
  }
  return { shape: Array.isArray(nested[0]) ? [rows.length, width] : [width], cells };
}
