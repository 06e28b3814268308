/**
 * Line plots as standalone SVG documents, written as strings without a DOM: the kernel's image/svg+xml
 * fallbacks and the renderer's "Save SVG" both come from here, so they are the same picture. Every
 * piece of text from data (labels, titles) goes through `escapeMarkup`; numbers are formatted by us.
 * Colours are fixed mid-tones readable on light and dark backgrounds, since a saved notebook's viewer
 * theme is unknown.
 */
import { formatNumber, linearScale, logDomain, logScale, logTicks, niceDomain, niceTicks, finiteExtent } from "./scale";
import { SERIES_COLORS } from "./colormaps";
import type { GradNormsPayload, RunsComparePayload, TrainingPayload } from "./payloads";
import { runCurve, runsXLabel } from "./runsCurves";

/** Escapes text for HTML/XML element content and quoted attribute values (& < > " '). Lone surrogates
 * and control characters that XML 1.0 forbids are dropped, so the SVG stays well-formed. */
export function escapeMarkup(text: unknown): string {
  return String(text)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const INK = "#888888"; // axes and text: readable on white and on #1e1e1e
const GRID = "#8888882e";

export interface SvgSeries {
  label: string;
  x: number[];
  y: (number | null)[];
  color?: string;
  dashed?: boolean;
}

export interface SvgPlotSpec {
  title?: string;
  xLabel: string;
  yLabel: string;
  yScale: "log" | "linear";
  series: SvgSeries[];
  hLines?: { y: number; label: string }[];
  vLines?: { x: number; label?: string }[];
  note?: string;
  width?: number;
  height?: number;
}

/** A line plot as a standalone SVG document (the image/svg+xml fallback of line outputs). */
export function linePlotSvg(spec: SvgPlotSpec): string {
  const W = spec.width ?? 640;
  const H = spec.height ?? 360;
  const m = { l: 64, r: 16, t: spec.title ? 30 : 12, b: 44 + 16 * Math.ceil(spec.series.length / 3) };
  const xs = spec.series.flatMap((s) => s.x);
  const ys = spec.series.flatMap((s) => s.y).concat((spec.hLines ?? []).map((h) => h.y));
  const xExt = finiteExtent(xs) ?? [0, 1];
  const log = spec.yScale === "log";
  const yExt = finiteExtent(ys, log);
  const yDom: [number, number] = log
    ? logDomain(yExt?.[0] ?? 1, yExt?.[1] ?? 10)
    : niceDomain(Math.min(0, yExt?.[0] ?? 0), yExt?.[1] ?? 1);
  const xScale = linearScale(xExt, [m.l, W - m.r]);
  const yScale = (log ? logScale : linearScale)(yDom, [H - m.b, m.t]);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  if (spec.title) out.push(`<text x="${m.l}" y="18" font-size="13" font-weight="bold" fill="${INK}">${escapeMarkup(spec.title)}</text>`);
  const yTicks = log ? logTicks(yDom[0], yDom[1]) : niceTicks(yDom[0], yDom[1], 5);
  for (const t of yTicks) {
    const y = yScale.map(t).toFixed(1);
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="${GRID}"/>`);
    out.push(`<text x="${m.l - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="${INK}">${escapeMarkup(formatNumber(t, 3))}</text>`);
  }
  for (const t of niceTicks(xExt[0], xExt[1], 8)) {
    const x = xScale.map(t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="${INK}"/>`);
    out.push(`<text x="${x}" y="${H - m.b + 16}" text-anchor="middle" fill="${INK}">${escapeMarkup(formatNumber(t, 4))}</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="${INK}"/>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - m.b + 32}" text-anchor="middle" fill="${INK}">${escapeMarkup(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="${INK}">${escapeMarkup(spec.yLabel)}${log ? " (log)" : ""}</text>`);
  for (const v of spec.vLines ?? []) {
    const x = xScale.map(v.x);
    if (!Number.isFinite(x)) continue;
    out.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.t}" y2="${H - m.b}" stroke="${INK}" stroke-dasharray="2 3"/>`);
    if (v.label) out.push(`<text x="${(x + 3).toFixed(1)}" y="${m.t + 11}" fill="${INK}" font-size="10">${escapeMarkup(v.label)}</text>`);
  }
  for (const h of spec.hLines ?? []) {
    const y = yScale.map(h.y);
    if (!Number.isFinite(y)) continue;
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#D55E00" stroke-dasharray="6 4"/>`);
    const ty = y - 16 < m.t ? y + 13 : y - 4; // below the line when it runs along the top
    out.push(`<text x="${W - m.r - 4}" y="${ty.toFixed(1)}" text-anchor="end" fill="#D55E00">${escapeMarkup(h.label)}</text>`);
  }
  spec.series.forEach((s, k) => {
    const color = s.color ?? SERIES_COLORS[k % SERIES_COLORS.length];
    let d = "";
    let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      const v = s.y[i];
      const px = xScale.map(s.x[i]);
      const py = v === null || v === undefined ? NaN : yScale.map(v);
      if (!Number.isFinite(px) || !Number.isFinite(py)) { pen = false; continue; } // missing → gap
      d += `${pen ? "L" : "M"}${px.toFixed(1)} ${py.toFixed(1)}`;
      pen = true;
    }
    if (d) out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`);
    const lx = m.l + (k % 3) * ((W - m.l - m.r) / 3);
    const ly = H - m.b + 48 + 16 * Math.floor(k / 3);
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`);
    out.push(`<text x="${lx + 22}" y="${ly}" fill="${INK}">${escapeMarkup(s.label)}</text>`);
  });
  if (spec.note) out.push(`<text x="${W - m.r}" y="${m.t - 4}" text-anchor="end" fill="${INK}" font-size="10">${escapeMarkup(spec.note)}</text>`);
  out.push("</svg>");
  return out.join("\n");
}

/** x positions of truncated-BPTT window boundaries: every k steps counted back from the last step. */
export function tbpttBoundaries(steps: number[], k: number): number[] {
  if (!(k >= 1) || steps.length === 0) return [];
  const last = steps[steps.length - 1];
  const first = steps[0];
  const out: number[] = [];
  for (let b = last - k + 0.5; b > first && out.length < 1000; b -= k) out.push(b);
  return out.reverse();
}

/** The gradient-norm plot of a payload. */
export function gradNormsSvg(p: GradNormsPayload): string {
  // one colour per (model, layer), as in the renderer: ‖∂L/∂c_t‖ is the dashed twin of its ‖∂L/∂h_t‖
  const keys: string[] = [];
  const series: SvgSeries[] = p.series.map((s) => {
    const key = `${s.model}\u0000${s.layer}`;
    if (!keys.includes(key)) keys.push(key);
    return { label: s.label, x: p.steps, y: s.values, dashed: s.quantity === "c", color: SERIES_COLORS[keys.indexOf(key) % SERIES_COLORS.length] };
  });
  return linePlotSvg({
    title: p.title ?? "Gradient norm per timestep",
    xLabel: "timestep t",
    yLabel: "‖∂L/∂h_t‖",
    yScale: p.yScale,
    series,
    hLines: p.clipThreshold !== undefined ? [{ y: p.clipThreshold, label: `clip ${formatNumber(p.clipThreshold)}` }] : [],
    vLines: p.tbptt ? tbpttBoundaries(p.steps, p.tbptt).map((x) => ({ x, label: "" })) : [],
    note: p.trueSteps ? `${p.steps.length} of ${p.trueSteps} steps (block means)` : undefined,
  });
}

function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** "Epoch 3/20 · batch 12/16 · loss 0.0123 · val loss 0.015 · 4s" */
export function trainingLine(p: TrainingPayload): string {
  // running: latest batch loss, then the last finished epoch's values; finished: epoch values only
  const parts = [`Epoch ${p.epoch}/${p.epochs}`, `batch ${p.batch}/${p.batches}`];
  const epochLoss = p.series.find((s) => s.label === "loss")?.values.filter((v) => v !== null).pop();
  if (p.status === "running" || epochLoss === undefined) parts.push(`${p.status === "running" ? "batch loss" : "loss"} ${formatNumber(p.loss)}`);
  for (const s of p.series) {
    const last = [...s.values].reverse().find((v) => v !== null);
    if (last !== undefined) parts.push(`${s.label} ${formatNumber(last)}`);
  }
  parts.push(duration(p.elapsedMs) + (p.status === "running" && p.etaMs !== null ? ` (ETA ${duration(p.etaMs)})` : ""));
  const status = p.status === "done" ? "" : p.status === "running" ? "" : ` — ${p.status}`;
  return parts.join(" · ") + status + (p.message ? `\n${p.message}` : "");
}

/** The loss curves of a training payload (undefined before the first epoch ends). */
export function trainingSvg(p: TrainingPayload): string | undefined {
  const series: SvgSeries[] = p.series.filter((s) => /loss/i.test(s.label)).map((s) => ({ label: s.label, x: p.epochsDone, y: s.values, dashed: s.label.startsWith("val") }));
  if (!series.some((s) => s.y.some((v) => v !== null))) return undefined;
  const positive = series.every((s) => s.y.every((v) => v === null || v > 0));
  return linePlotSvg({
    title: "Training",
    xLabel: "epoch",
    yLabel: "loss",
    yScale: positive ? "log" : "linear",
    series,
    note: trainingLine(p).split("\n")[0],
    height: 300,
  });
}

/** The curves of a run comparison as its payload shows them first (metric, x axis, smoothing). */
export function runsSvg(p: RunsComparePayload): string {
  const series: SvgSeries[] = [];
  p.runs.forEach((r, k) => {
    const c = runCurve(r, p.metric, p.x, p.smoothing);
    if (c) series.push({ label: r.id, x: c.x, y: c.smoothed, color: SERIES_COLORS[k % SERIES_COLORS.length] });
  });
  return linePlotSvg({
    title: p.title ?? `Runs compared: ${p.metric}`,
    xLabel: runsXLabel(p.x, p.metric),
    yLabel: p.metric,
    yScale: "linear",
    series,
    note: p.smoothing > 0 ? `smoothing ${p.smoothing} (TensorBoard debiased EMA)` : undefined,
  });
}
