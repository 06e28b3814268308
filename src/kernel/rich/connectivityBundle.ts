/**
 * Connectivity maps → application/vnd.rnn-notebook.connectivity+json + image/png + text/plain: one
 * [T, T] map per model (C[t, s] = ‖∂y_t/∂x_s‖₂ from rnn.analysis.connectivity), output step t down,
 * input step s across. Long sequences are pooled into block means (`maxSteps` shrinks with the budget
 * level); the text fallback says how far back each model's last output still reaches.
 */
import type { Tensor } from "../../engine/tensor";
import { sequential, type ColorScale } from "../../shared/colormaps";
import { MIME, type MimeBundle } from "../../shared/mime";
import type { ConnectivityPayload } from "../../shared/payloads";
import { formatNumber } from "../../shared/scale";
import { poolLabels, poolMatrix, roundSig } from "./downsample";
import { heatmapPngBase64 } from "./heatmapImage";

/** The payload of one map per model (all [T, T] of the same sequence), pooled to at most maxSteps × maxSteps. */
export function connectivityPayload(maps: { label: string; c: Tensor }[], opts: { title?: string; tokens?: string[]; output: "output" | "loss"; maxSteps: number }): ConnectivityPayload {
  const T = maps[0].c.shape[0];
  const pooled = maps.map((m) => poolMatrix(m.c.data, T, T, opts.maxSteps, opts.maxSteps));
  const first = pooled[0];
  const p: ConnectivityPayload = {
    steps: first.rows, output: opts.output,
    maps: maps.map((m, i) => ({ label: m.label, values: pooled[i].values.map((v) => roundSig(v)) })),
  };
  if (opts.title) p.title = opts.title;
  if (first.downsampled) {
    p.trueSteps = T;
    p.stepIndex = first.rowIndex;
  }
  if (opts.tokens) {
    p.tokens = first.rowBlock > 1 ? poolLabels(opts.tokens, first.rowIndex, first.rowBlock) : opts.tokens.map((t) => Array.from(t).slice(0, 48).join(""));
  }
  return p;
}

/** Each map on its own 0…max sequential scale (a map's largest sensitivity is its brightest cell). */
export function connectivityScale(values: (number | null)[]): ColorScale {
  let max = 0;
  for (const v of values) if (v !== null && v > max) max = v;
  return { map: sequential, domain: [0, max > 0 ? max : 1], kind: "sequential" };
}

/** "the last output reaches back to s = 3 (C ≥ 1% of its largest)" per map, and its last row. */
function reach(p: ConnectivityPayload): string[] {
  const n = p.steps;
  const step = (i: number) => (p.stepIndex ? p.stepIndex[i] : i);
  const name = (i: number) => (p.tokens ? `s=${step(i)} ${JSON.stringify(p.tokens[i])}` : `s=${step(i)}`);
  return p.maps.map((m) => {
    const row = m.values.slice((n - 1) * n, n * n);
    let max = 0;
    for (const v of row) if (v !== null) max = Math.max(max, v);
    const far = row.findIndex((v) => v !== null && max > 0 && v >= 0.01 * max);
    const tail = row.map((v, i) => `${name(i)} ${v === null ? "missing" : formatNumber(v, 3)}`).slice(-12).join(", ");
    const back = far < 0 ? "does not depend on the inputs" : `reaches back to ${name(far)} (C ≥ 1% of its largest, ${formatNumber(max, 3)})`;
    return `${m.label}: the last output ${back}; last row: ${n > 12 ? "…, " : ""}${tail}`;
  });
}

export function connectivityBundle(p: ConnectivityPayload): MimeBundle {
  const n = p.steps;
  const what = p.output === "loss" ? "‖∂L_t/∂x_s‖" : "‖∂y_t/∂x_s‖";
  const size = p.trueSteps ? `${n} × ${n} block means of ${p.trueSteps} steps` : `${n} steps`;
  const title = `${p.title ?? "Connectivity"} ${what} — ${size}`;
  const png = heatmapPngBase64(p.maps.map((m) => ({
    label: `${m.label} (rows: output step t, columns: input step s)`,
    rows: n, cols: n, at: (r: number, c: number) => m.values[r * n + c], colorScale: connectivityScale(m.values),
  })), "input step s ->", p.trueSteps ? undefined : p.tokens, title);
  return {
    [MIME.connectivity]: p,
    "image/png": png,
    "text/plain": [title, ...reach(p)].join("\n"),
  };
}
