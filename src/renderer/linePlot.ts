/**
 * A canvas line plot (gradient norms, training curves): linear or log y, nice ticks, gaps at missing
 * values, horizontal reference lines (clip threshold), vertical markers (truncated-BPTT windows), a
 * crosshair + readout on hover. Long series are reduced to min/max per pixel column before drawing,
 * so a million points cost no more than the plot's width.
 */
import { finiteExtent, formatNumber, linearScale, logDomain, logScale, logTicks, niceDomain, niceTicks, type Scale } from "../shared/scale";
import { el, sizeCanvas, type Theme, type Tooltip } from "./dom";

export interface LineSeries {
  label: string;
  x: number[];
  y: (number | null)[];
  color: string;
  dashed?: boolean;
  lineWidth?: number;
}

export interface LinePlotSpec {
  series: LineSeries[];
  yScale: "log" | "linear";
  xLabel: string;
  yLabel: string;
  hLines?: { y: number; label: string; color?: string }[];
  vLines?: { x: number; label?: string }[];
  width: number;
  height: number;
  className: string;
  theme: Theme;
  tip: Tooltip;
  formatX?: (x: number) => string;
  /** x counts things (timesteps, epochs, batches): only whole-number ticks. */
  integerX?: boolean;
  /** Lower bound of the linear y domain (default: 0 when all values ≥ 0). */
  yMinLinear?: number;
  /** Backing-store pixels per CSS pixel (default: the screen's; exported images use EXPORT_SCALE). */
  pixelRatio?: number;
}

const M = { l: 58, r: 14, t: 10, b: 36 };

export interface LinePlot {
  canvas: HTMLCanvasElement;
  draw(spec: LinePlotSpec): void;
}

/** Index of the element of sorted xs closest to x. */
export function nearestIndex(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  if (hi < 0) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid; else hi = mid;
  }
  return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
}

export function linePlot(host: HTMLElement, first: LinePlotSpec): LinePlot {
  const wrap = el("div", "rnn-plot");
  wrap.style.position = "relative";
  wrap.style.display = "inline-block";
  const canvas = el("canvas", first.className);
  canvas.setAttribute("role", "img");
  const overlay = el("canvas", "rnn-overlay");
  overlay.style.position = "absolute";
  overlay.style.left = "0";
  overlay.style.top = "0";
  overlay.style.pointerEvents = "none";
  wrap.appendChild(canvas);
  wrap.appendChild(overlay);
  host.appendChild(wrap);
  let spec = first;
  let xs: Scale | undefined;
  let ys: Scale | undefined;

  function draw(next: LinePlotSpec): void {
    spec = next;
    const { theme } = spec;
    const { ctx, width: W, height: H } = sizeCanvas(canvas, spec.width, spec.height, spec.pixelRatio);
    sizeCanvas(overlay, spec.width, spec.height, spec.pixelRatio);
    canvas.setAttribute("aria-label", `${spec.yLabel} vs ${spec.xLabel}: ${spec.series.map((s) => s.label).join(", ")}`);
    const log = spec.yScale === "log";
    const allX: number[] = [];
    const allY: (number | null)[] = [];
    for (const s of spec.series) {
      for (let i = 0; i < s.x.length; i++) allX.push(s.x[i]);
      for (let i = 0; i < s.y.length; i++) allY.push(s.y[i]);
    }
    for (const h of spec.hLines ?? []) allY.push(h.y);
    const xExt = finiteExtent(allX) ?? [0, 1];
    const yExt = finiteExtent(allY, log);
    const yDom: [number, number] = log
      ? logDomain(yExt?.[0] ?? 1, yExt?.[1] ?? 10)
      : niceDomain(Math.min(spec.yMinLinear ?? ((yExt?.[0] ?? 0) >= 0 ? 0 : yExt![0]), yExt?.[0] ?? 0), yExt?.[1] ?? 1);
    xs = linearScale(xExt[0] === xExt[1] ? [xExt[0] - 1, xExt[1] + 1] : xExt, [M.l, W - M.r]);
    ys = (log ? logScale : linearScale)(yDom, [H - M.b, M.t]);
    ctx.clearRect(0, 0, W, H);
    ctx.font = `11px ${theme.font}`;
    // grid + y ticks
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const yTicks = log ? logTicks(yDom[0], yDom[1]) : niceTicks(yDom[0], yDom[1], 5);
    for (const t of yTicks) {
      const y = Math.round(ys.map(t)) + 0.5;
      ctx.strokeStyle = theme.grid;
      ctx.beginPath();
      ctx.moveTo(M.l, y);
      ctx.lineTo(W - M.r, y);
      ctx.stroke();
      ctx.fillStyle = theme.muted;
      ctx.fillText(formatNumber(t, 3), M.l - 5, y);
    }
    // x ticks
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const xTicks = niceTicks(xs.domain[0], xs.domain[1], Math.max(2, Math.floor((W - M.l - M.r) / 70)))
      .filter((t) => !spec.integerX || Number.isInteger(t));
    for (const t of xTicks) {
      const x = Math.round(xs.map(t)) + 0.5;
      ctx.strokeStyle = theme.muted;
      ctx.beginPath();
      ctx.moveTo(x, H - M.b);
      ctx.lineTo(x, H - M.b + 4);
      ctx.stroke();
      ctx.fillStyle = theme.muted;
      ctx.fillText(spec.formatX ? spec.formatX(t) : formatNumber(t, 4), x, H - M.b + 6);
    }
    // frame and captions
    ctx.strokeStyle = theme.border;
    ctx.strokeRect(M.l + 0.5, M.t + 0.5, W - M.l - M.r - 1, H - M.t - M.b - 1);
    ctx.fillStyle = theme.muted;
    ctx.fillText(spec.xLabel, (M.l + W - M.r) / 2, H - 14);
    ctx.save();
    ctx.translate(11, (M.t + H - M.b) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(spec.yLabel + (log ? " (log)" : ""), 0, 0);
    ctx.restore();
    // clip to the plot area for data
    ctx.save();
    ctx.beginPath();
    ctx.rect(M.l, M.t, W - M.l - M.r, H - M.t - M.b);
    ctx.clip();
    for (const v of spec.vLines ?? []) {
      const x = Math.round(xs.map(v.x)) + 0.5;
      ctx.strokeStyle = theme.muted;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(x, M.t);
      ctx.lineTo(x, H - M.b);
      ctx.stroke();
      ctx.setLineDash([]);
      if (v.label) { ctx.fillStyle = theme.muted; ctx.textAlign = "left"; ctx.textBaseline = "top"; ctx.fillText(v.label, x + 3, M.t + 2); }
    }
    for (const h of spec.hLines ?? []) {
      const y = ys.map(h.y);
      if (!Number.isFinite(y)) continue;
      ctx.strokeStyle = h.color ?? "#D55E00";
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      ctx.moveTo(M.l, Math.round(y) + 0.5);
      ctx.lineTo(W - M.r, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    for (const s of spec.series) drawSeries(ctx, s, xs, ys, W - M.l - M.r);
    // Reference-line labels last, on a patch of background, so the data lines never hide them.
    for (const h of spec.hLines ?? []) {
      const y = ys.map(h.y);
      if (!Number.isFinite(y)) continue;
      // label above the line, or below it when the line runs along the top of the plot
      const below = y - 16 < M.t;
      const w = ctx.measureText(h.label).width;
      const top = below ? y + 2 : y - 15;
      ctx.fillStyle = theme.bg;
      ctx.globalAlpha = 0.85;
      ctx.fillRect(W - M.r - 6 - w, top, w + 4, 13);
      ctx.globalAlpha = 1;
      ctx.fillStyle = h.color ?? "#D55E00";
      ctx.textAlign = "right";
      ctx.textBaseline = below ? "top" : "bottom";
      ctx.fillText(h.label, W - M.r - 4, below ? y + 3 : y - 2);
    }
    ctx.restore();
  }

  draw(first);

  canvas.addEventListener("mousemove", (ev) => {
    if (!xs || !ys) return;
    const rect = canvas.getBoundingClientRect();
    const px = ev.clientX - rect.left;
    const py = ev.clientY - rect.top;
    const { ctx, width: W, height: H } = sizeCanvas(overlay, spec.width, spec.height);
    if (px < M.l || px > W - M.r || py < M.t || py > H - M.b) { spec.tip.hide(); return; }
    const x = xs.invert(px);
    const lines: string[] = [];
    let headX: number | undefined;
    for (const s of spec.series) {
      const i = nearestIndex(s.x, x);
      if (i < 0) continue;
      if (headX === undefined) headX = s.x[i];
      const v = s.y[i];
      lines.push(`${s.label}: ${v === null || v === undefined ? "missing" : formatNumber(v, 4)}`);
      const yy = v === null || v === undefined ? NaN : ys.map(v);
      if (Number.isFinite(yy)) {
        ctx.fillStyle = s.color;
        ctx.beginPath();
        ctx.arc(xs.map(s.x[i]), yy, 3.2, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    if (headX === undefined) { spec.tip.hide(); return; }
    const cx = Math.round(xs.map(headX)) + 0.5;
    ctx.strokeStyle = spec.theme.muted;
    ctx.beginPath();
    ctx.moveTo(cx, M.t);
    ctx.lineTo(cx, H - M.b);
    ctx.stroke();
    spec.tip.show([`${spec.xLabel} ${spec.formatX ? spec.formatX(headX) : formatNumber(headX, 6)}`, ...lines.slice(0, 16)], ev.clientX, ev.clientY);
  });
  canvas.addEventListener("mouseleave", () => {
    spec.tip.hide();
    sizeCanvas(overlay, spec.width, spec.height);
  });
  return { canvas, draw };
}

/** Draws one series; more points than 2 per pixel column are reduced to each column's first/min/max/last. */
function drawSeries(ctx: CanvasRenderingContext2D, s: LineSeries, xs: Scale, ys: Scale, plotW: number): void {
  ctx.strokeStyle = s.color;
  ctx.lineWidth = s.lineWidth ?? 1.8;
  ctx.lineJoin = "round";
  ctx.setLineDash(s.dashed ? [5, 3] : []);
  ctx.beginPath();
  const n = Math.min(s.x.length, s.y.length);
  let pen = false;
  let isolated: [number, number] | undefined;
  const dots: [number, number][] = [];
  if (n > plotW * 2) {
    let col = NaN;
    let lo = Infinity;
    let hi = -Infinity;
    const flush = () => {
      if (!Number.isFinite(col) || lo > hi) return;
      ctx.lineTo(col, lo);
      ctx.lineTo(col, hi);
    };
    for (let i = 0; i < n; i++) {
      const v = s.y[i];
      const py = v === null ? NaN : ys.map(v);
      const px = Math.round(xs.map(s.x[i]));
      if (!Number.isFinite(py) || !Number.isFinite(px)) { flush(); col = NaN; lo = Infinity; hi = -Infinity; pen = false; continue; }
      if (px !== col) {
        flush();
        if (!pen) { ctx.moveTo(px, py); pen = true; }
        col = px; lo = py; hi = py;
      } else { lo = Math.min(lo, py); hi = Math.max(hi, py); }
    }
    flush();
  } else {
    for (let i = 0; i < n; i++) {
      const v = s.y[i];
      const py = v === null ? NaN : ys.map(v);
      const px = xs.map(s.x[i]);
      if (!Number.isFinite(py) || !Number.isFinite(px)) {
        if (isolated) dots.push(isolated);
        isolated = undefined;
        pen = false;
        continue;
      }
      if (pen) { ctx.lineTo(px, py); isolated = undefined; } else { ctx.moveTo(px, py); isolated = [px, py]; }
      pen = true;
    }
    if (isolated) dots.push(isolated);
  }
  ctx.stroke();
  ctx.setLineDash([]);
  // points with missing neighbours on both sides would be invisible as lines: draw them as dots
  ctx.fillStyle = s.color;
  for (const [x, y] of dots) { ctx.beginPath(); ctx.arc(x, y, 2.2, 0, Math.PI * 2); ctx.fill(); }
}

/** A legend of series (text nodes, coloured swatches). */
export function seriesLegend(series: { label: string; color: string; dashed?: boolean }[]): HTMLElement {
  const box = el("div", "rnn-series-legend");
  for (const s of series) {
    const item = el("span");
    const sw = el("span", "sw");
    sw.style.borderTopColor = s.color;
    if (s.dashed) sw.style.borderTopStyle = "dashed";
    item.appendChild(sw);
    item.appendChild(document.createTextNode(s.label));
    box.appendChild(item);
  }
  return box;
}
