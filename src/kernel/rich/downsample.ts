/**
 * Downsampling of large recordings before they leave the kernel (pure, no Node APIs).
 *
 * Semantics (stated to the user next to every downsampled output):
 * - Matrices (gates time × unit, tensors rows × cols) use block-mean pooling: each axis of length n
 *   shown in at most m cells is cut into blocks of k = ⌈n / m⌉ consecutive indices (the last block may be
 *   shorter); a shown cell is the mean of the finite values in its block, or null when it has none.
 *   Mean pooling keeps the overall picture (a saturated forget gate stays saturated); single spikes are
 *   averaged away — hover values of a pooled cell say so.
 * - Series (gradient norms, losses) use the same block mean along the step axis; the step shown for a
 *   block is its first original step.
 * The true shape is always returned with the pooled one.
 */

export type NumLike = ArrayLike<number | null>;

/** Start index of each block when n indices are shown in at most maxN cells. */
export function blockStarts(n: number, maxN: number): number[] {
  const k = blockSize(n, maxN);
  const out: number[] = [];
  for (let s = 0; s < n; s += k) out.push(s);
  return out;
}

/** k = ⌈n / maxN⌉ (1 when no pooling is needed). */
export function blockSize(n: number, maxN: number): number {
  return n <= maxN || maxN < 1 ? 1 : Math.ceil(n / Math.max(1, Math.floor(maxN)));
}

export interface PooledMatrix {
  rows: number;
  cols: number;
  /** rows × cols, row-major, null = missing. */
  values: (number | null)[];
  rowIndex: number[];
  colIndex: number[];
  trueRows: number;
  trueCols: number;
  /** Block size along each axis (1 = not pooled). */
  rowBlock: number;
  colBlock: number;
  downsampled: boolean;
}

/** Block-mean pooling of a row-major trueRows × trueCols matrix to at most maxRows × maxCols. */
export function poolMatrix(values: NumLike, trueRows: number, trueCols: number, maxRows: number, maxCols: number): PooledMatrix {
  const rb = blockSize(trueRows, maxRows);
  const cb = blockSize(trueCols, maxCols);
  const rowIndex = blockStarts(trueRows, maxRows);
  const colIndex = blockStarts(trueCols, maxCols);
  const rows = rowIndex.length;
  const cols = colIndex.length;
  const out: (number | null)[] = new Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const r0 = rowIndex[r];
    const r1 = Math.min(trueRows, r0 + rb);
    for (let c = 0; c < cols; c++) {
      const c0 = colIndex[c];
      const c1 = Math.min(trueCols, c0 + cb);
      let sum = 0;
      let n = 0;
      for (let i = r0; i < r1; i++) {
        for (let j = c0; j < c1; j++) {
          const v = values[i * trueCols + j];
          if (v !== null && v !== undefined && Number.isFinite(v)) { sum += v; n++; }
        }
      }
      out[r * cols + c] = n > 0 ? sum / n : null;
    }
  }
  return { rows, cols, values: out, rowIndex, colIndex, trueRows, trueCols, rowBlock: rb, colBlock: cb, downsampled: rb > 1 || cb > 1 };
}

export interface PooledSeries {
  steps: number[];
  values: (number | null)[][];
  trueSteps: number;
  block: number;
}

/** Block-mean pooling of several aligned series (same steps) to at most maxPoints points. */
export function poolSeries(steps: number[], series: NumLike[], maxPoints: number): PooledSeries {
  const n = steps.length;
  const k = blockSize(n, maxPoints);
  const starts = blockStarts(n, maxPoints);
  const values = series.map((s) => starts.map((s0) => {
    let sum = 0;
    let c = 0;
    for (let i = s0; i < Math.min(n, s0 + k); i++) {
      const v = s[i];
      if (v !== null && v !== undefined && Number.isFinite(v)) { sum += v; c++; }
    }
    return c > 0 ? sum / c : null;
  }));
  return { steps: starts.map((i) => steps[i]), values, trueSteps: n, block: k };
}

/** Rounds to `digits` significant digits for the JSON payload; non-finite → null. */
export function roundSig(v: number | null | undefined, digits = 4): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return v === 0 ? 0 : Number(v.toPrecision(digits));
}

/** Labels of pooled blocks: the block's labels joined, shortened to maxLen characters with "…". */
export function poolLabels(labels: string[], starts: number[], block: number, maxLen = 12): string[] {
  return starts.map((s) => {
    const joined = labels.slice(s, s + block).join("");
    const chars = Array.from(joined); // by code point, so Hangul and emoji are not split
    return chars.length > maxLen ? chars.slice(0, maxLen - 1).join("") + "…" : joined;
  });
}
