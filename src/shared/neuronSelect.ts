/**
 * LSTMVis's "select → match" (Strobelt et al. 2018, "LSTMVis: a tool for visual analysis of hidden
 * state dynamics") on neurons-over-text data: select a range of characters, rank the units by how much
 * more active they are inside it than outside (mean in range − mean outside), keep the best ones, read
 * their on/off pattern in the range (on: mean in range above a threshold), and find the other places in
 * the text where those units show the same pattern. Pure: the engine's `rnn.analysis.selectUnits` and
 * the renderer's drag-select both call it (the renderer may import only src/shared).
 *
 * Dimension letters: T characters, U units (columns of the data).
 */

/** Options of a selection. */
export interface SelectOptions {
  /** Units kept, best first (default 5). */
  top?: number;
  /** A unit is "on" at a character when its state is above this (default 0.3, LSTMVis's default). */
  threshold?: number;
}

/** One selected unit: its column in the data and how it ranks. */
export interface SelectedColumn {
  column: number;
  /** meanIn − meanOut. */
  score: number;
  meanIn: number;
  meanOut: number;
  /** Its state in the pattern: on (mean in range above the threshold) or off. */
  on: boolean;
}

export interface ColumnSelection {
  columns: SelectedColumn[];
  /** Other ranges [start, end) of characters where every selected unit is on or off as in the pattern. */
  matches: [number, number][];
}

/**
 * The selection of characters [start, end) over data `at(u, t)` (null = missing, left out of the means).
 * Only units more active inside than outside (score > 0) are kept. A pattern with no unit on matches
 * nothing (an all-off pattern would match most of any text).
 */
export function selectColumns(at: (u: number, t: number) => number | null, T: number, U: number, range: [number, number], options: SelectOptions = {}): ColumnSelection {
  const [start, end] = range;
  const top = options.top ?? 5, threshold = options.threshold ?? 0.3;
  const ranked: SelectedColumn[] = [];
  for (let u = 0; u < U; u++) {
    let sIn = 0, nIn = 0, sOut = 0, nOut = 0;
    for (let t = 0; t < T; t++) {
      const v = at(u, t);
      if (v === null || !Number.isFinite(v)) continue;
      if (t >= start && t < end) { sIn += v; nIn++; } else { sOut += v; nOut++; }
    }
    if (nIn === 0) continue;
    const meanIn = sIn / nIn, meanOut = nOut ? sOut / nOut : 0;
    const score = meanIn - meanOut;
    // More active inside by more than the rounding of the two means (a constant unit scores ~1e-17).
    if (score > 1e-9 * Math.max(1, Math.abs(meanIn), Math.abs(meanOut))) ranked.push({ column: u, score, meanIn, meanOut, on: meanIn > threshold });
  }
  ranked.sort((a, b) => b.score - a.score || a.column - b.column);
  const columns = ranked.slice(0, top);
  const matches: [number, number][] = [];
  if (columns.some((c) => c.on)) {
    let from = -1;
    for (let t = 0; t <= T; t++) {
      const same = t < T && (t < start || t >= end) && columns.every((c) => {
        const v = at(c.column, t);
        return v !== null && Number.isFinite(v) && (v > threshold) === c.on;
      });
      if (same && from < 0) from = t;
      if (!same && from >= 0) {
        matches.push([from, t]);
        from = -1;
      }
    }
  }
  return { columns, matches };
}
