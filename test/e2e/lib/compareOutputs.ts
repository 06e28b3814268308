/**
 * Compares the outputs of two runs of one notebook (.rnnb files as saved): cell by cell, the same outputs
 * with the same mime types, the same text once numbers are set aside, and every number within a relative
 * tolerance. What may differ between two honest runs is left out: wall-clock times (`elapsedMs`, `etaMs`,
 * "· 4s"), the kernel's what-if handles and run ids, and binary images (PNG bytes depend on the
 * compressor, not on the values: the heatmap's values are in its JSON payload).
 */

interface Item { mime: string; data: unknown }
interface Cell { kind: string; source: string; outputs?: { items: Item[] }[]; executionCount?: number }

/** JSON keys whose values are times or per-kernel identifiers. */
const VOLATILE_KEY = /(Ms|Seconds|Time|At)$|^(handle|runId|id|started|ended|wallTime|pid)$/;
/** A duration in text: "4s", "12 ms", "1.5 min", "0:42". */
const DURATION = /\b\d+(\.\d+)?\s?(ms|s|min|h)\b|\b\d+:\d\d\b/g;
const NUMBER = /[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/gi;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (!VOLATILE_KEY.test(key)) out[key] = canonical((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

/** An item as text: JSON canonicalised, durations and embedded images removed, whitespace runs collapsed. */
function itemText(item: Item): string {
  const text = typeof item.data === "string" ? item.data : JSON.stringify(canonical(item.data));
  return text.replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, "data:image/png").replace(DURATION, "<time>").replace(/\s+/g, " ").trim();
}

export interface OutputComparison {
  /** Differences found, each naming the cell (1-based among code cells) and what differs. */
  diffs: string[];
  /** Numbers compared. */
  numbers: number;
  /** Largest relative difference among them. */
  maxRelative: number;
}

/** Compares every code cell's outputs of `actual` with `expected` (both .rnnb texts). */
export function compareOutputs(actualText: string, expectedText: string, tolerance = 1e-6): OutputComparison {
  const codeCells = (t: string): Cell[] => (JSON.parse(t) as { cells: Cell[] }).cells.filter((c) => c.kind === "code");
  const actual = codeCells(actualText);
  const expected = codeCells(expectedText);
  const diffs: string[] = [];
  let numbers = 0;
  let maxRelative = 0;
  if (actual.length !== expected.length) diffs.push(`${actual.length} code cells, expected ${expected.length}`);
  for (let c = 0; c < Math.min(actual.length, expected.length); c++) {
    const items = (cell: Cell): Item[] => (cell.outputs ?? []).flatMap((o) => o.items).filter((i) => i.mime !== "image/png");
    const a = items(actual[c]);
    const e = items(expected[c]);
    const mimes = (xs: Item[]): string => xs.map((i) => i.mime).join(", ");
    if (mimes(a) !== mimes(e)) {
      diffs.push(`cell ${c + 1}: outputs [${mimes(a)}], expected [${mimes(e)}]`);
      continue;
    }
    for (let i = 0; i < a.length; i++) {
      const ta = itemText(a[i]);
      const te = itemText(e[i]);
      const skeleton = (t: string): string => t.replace(NUMBER, "#");
      if (skeleton(ta) !== skeleton(te)) {
        const at = [...skeleton(ta)].findIndex((ch, k) => ch !== skeleton(te)[k]);
        diffs.push(`cell ${c + 1} ${a[i].mime}: text differs at ${at}: …${skeleton(ta).slice(Math.max(0, at - 40), at + 40)}… expected …${skeleton(te).slice(Math.max(0, at - 40), at + 40)}…`);
        continue;
      }
      const na = ta.match(NUMBER) ?? [];
      const ne = te.match(NUMBER) ?? [];
      for (let k = 0; k < na.length; k++) {
        const x = Number(na[k]);
        const y = Number(ne[k]);
        numbers++;
        if (x === y) continue;
        const rel = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
        maxRelative = Math.max(maxRelative, rel);
        if (!(rel <= tolerance)) diffs.push(`cell ${c + 1} ${a[i].mime}: number ${k + 1} is ${na[k]}, expected ${ne[k]} (relative difference ${rel.toExponential(2)})`);
      }
    }
  }
  return { diffs, numbers, maxRelative };
}

/** The notebook text with every output and execution count removed (a notebook not run yet). */
export function withoutOutputs(text: string): string {
  const nb = JSON.parse(text) as { cells: Cell[] };
  for (const cell of nb.cells) {
    cell.outputs = [];
    delete cell.executionCount;
  }
  return JSON.stringify(nb, null, 2);
}

/** Whether every code cell of a saved notebook has run (has an execution count). */
export function allCodeCellsRan(text: string): boolean {
  return (JSON.parse(text) as { cells: Cell[] }).cells.every((c) => c.kind !== "code" || typeof c.executionCount === "number");
}
