/**
 * A canvas heatmap (used by the gate panels and the tensor view): rows along y, columns along x, one
 * ImageData pixel per cell scaled up without smoothing (crisp cells, one draw call however large the
 * matrix), missing values hatched, tick labels drawn on the canvas, hover readout in a text tooltip.
 */
import { type ColorScale, lut, scaleT } from "../shared/colormaps";
import { formatNumber } from "../shared/scale";
import { el, missingPattern, sizeCanvas, type Theme, type Tooltip } from "./dom";

export interface HeatmapSpec {
  rows: number;
  cols: number;
  at(r: number, c: number): number | null;
  colorScale: ColorScale;
  /** Preferred cell size in CSS pixels (fractional allowed when the matrix is wider than the space). */
  cellW: number;
  cellH: number;
  /** Label of column c along x (e.g. a token), shown when there is room. */
  xLabel(c: number): string;
  /** Label of row r along y. */
  yLabel(r: number): string;
  /** Axis captions. */
  xCaption?: string;
  yCaption?: string;
  /** What the canvas shows, for screen readers (canvas content is otherwise invisible to them). */
  ariaLabel: string;
  /** Tooltip lines for a cell. */
  hover(r: number, c: number): string[];
  className: string;
  theme: Theme;
  tip: Tooltip;
  /** Backing-store pixels per CSS pixel (default: the screen's; exported images use EXPORT_SCALE). */
  pixelRatio?: number;
  /** A click (or Enter on the keyboard cursor) on a cell pins it: the view keeps its readout. */
  pin?(r: number, c: number): void;
}

/** Left margin for short row labels (unit numbers); longer labels (words) widen it, see `leftMargin`. */
const MARGIN_L = 42;
const MAX_MARGIN_L = 120;
/** Largest offscreen bitmap side: browsers refuse canvases much beyond 16k–32k px per side, and more
 * cells than pixels cannot be seen anyway; bigger matrices are sampled (nearest cell) when drawn. */
const MAX_BITMAP = 4096;
const MARGIN_T = 4;
const MARGIN_R = 6;

/**
 * Cell sizes for a `rows` × `cols` heatmap in `width` × `height` CSS pixels: whole pixels up to `max`
 * while a cell gets at least 2, fractional below that so any matrix fits (columns the width, rows the
 * height); rows as tall as columns are wide where there is room, and never below `minH` while they fit.
 */
export function fitCells(rows: number, cols: number, width: number, height: number, max = 28, minH = 2): { cellW: number; cellH: number } {
  const rawW = width / cols;
  const cellW = rawW >= 2 ? Math.min(max, Math.floor(rawW)) : rawW;
  const rawH = height / rows;
  const cellH = rawH >= 2 ? Math.min(Math.max(cellW, minH), max, Math.floor(rawH)) : rawH;
  return { cellW, cellH };
}

/** Draws the heatmap into a new canvas and returns it (already attached to `host`). */
export function heatmap(host: HTMLElement, spec: HeatmapSpec): HTMLCanvasElement {
  const { rows, cols, theme } = spec;
  const font = `11px ${theme.font}`;
  const plotW = cols * spec.cellW;
  const plotH = rows * spec.cellH;
  const labelRows = xLabelRows(spec);
  const marginB = 16 + (spec.xCaption ? 14 : 0) + (labelRows.rotated ? 26 : 0);
  const marginL = leftMargin(spec, rows, font);
  const canvas = el("canvas", spec.className);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", spec.ariaLabel);
  host.appendChild(canvas);
  const { ctx } = sizeCanvas(canvas, marginL + plotW + MARGIN_R, MARGIN_T + plotH + marginB, spec.pixelRatio);

  // 1. cells: one pixel per cell in an offscreen canvas, then scaled up
  const off = document.createElement("canvas");
  off.width = Math.max(1, Math.min(cols, MAX_BITMAP));
  off.height = Math.max(1, Math.min(rows, MAX_BITMAP));
  const sampleC = cols / off.width;
  const sampleR = rows / off.height;
  const octx = off.getContext("2d");
  const table = lut(spec.colorScale.map);
  const missing: [number, number][] = [];
  if (octx) {
    const img = octx.createImageData(off.width, off.height);
    const d = img.data;
    for (let y = 0; y < off.height; y++) {
      const r = Math.floor(y * sampleR);
      for (let x = 0; x < off.width; x++) {
        const c = Math.floor(x * sampleC);
        const o = (y * off.width + x) * 4;
        const t = scaleT(spec.colorScale, spec.at(r, c));
        if (Number.isNaN(t)) {
          d[o] = d[o + 1] = d[o + 2] = 128;
          d[o + 3] = 255;
          if (missing.length < 50_000 && sampleR === 1 && sampleC === 1) missing.push([r, c]);
        } else {
          const k = Math.round(t * 255) * 3;
          d[o] = table[k];
          d[o + 1] = table[k + 1];
          d[o + 2] = table[k + 2];
          d[o + 3] = 255;
        }
      }
    }
    octx.putImageData(img, 0, 0);
    // Upscaling stays crisp; downscaling (more cells than pixels) is smoothed, i.e. averaged.
    ctx.imageSmoothingEnabled = spec.cellW < 1 || spec.cellH < 1;
    ctx.drawImage(off, marginL, MARGIN_T, plotW, plotH);
  }
  // 2. missing cells hatched (when big enough to see a hatch)
  if (missing.length > 0 && spec.cellW >= 3 && spec.cellH >= 3) {
    ctx.fillStyle = missingPattern(ctx, theme);
    for (const [r, c] of missing) ctx.fillRect(marginL + c * spec.cellW, MARGIN_T + r * spec.cellH, spec.cellW, spec.cellH);
  }
  // 3. cell grid, where cells are big enough: a cell near the map's middle colour (close to a dark
  // theme's background) still shows as a cell
  if (spec.cellW >= 6 && spec.cellH >= 6 && rows * cols <= 20_000) {
    ctx.strokeStyle = theme.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let c = 1; c < cols; c++) {
      ctx.moveTo(marginL + c * spec.cellW, MARGIN_T);
      ctx.lineTo(marginL + c * spec.cellW, MARGIN_T + plotH);
    }
    for (let r = 1; r < rows; r++) {
      ctx.moveTo(marginL, MARGIN_T + r * spec.cellH);
      ctx.lineTo(marginL + plotW, MARGIN_T + r * spec.cellH);
    }
    ctx.stroke();
  }
  // 4. frame and labels
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 1;
  ctx.strokeRect(marginL - 0.5, MARGIN_T - 0.5, plotW + 1, plotH + 1);
  ctx.font = font;
  ctx.fillStyle = theme.muted;
  // y labels: a few rows
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const yEvery = yLabelEvery(spec);
  const labelRoom = marginL - 6 - (spec.yCaption ? CAPTION_W : 0);
  for (let r = 0; r < rows; r += yEvery) ctx.fillText(spec.yLabel(r), marginL - 4, MARGIN_T + (r + 0.5) * spec.cellH, labelRoom);
  // x labels
  ctx.fillStyle = theme.fg;
  const yText = MARGIN_T + plotH + 3;
  for (let c = 0; c < cols; c += labelRows.every) {
    const text = spec.xLabel(c);
    const x = marginL + (c + 0.5) * spec.cellW;
    if (labelRows.rotated) {
      ctx.save();
      ctx.translate(x, yText);
      ctx.rotate(Math.PI / 4);
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.fillText(text, 0, 0, 40);
      ctx.restore();
    } else {
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.fillText(text, x, yText, Math.max(spec.cellW * labelRows.every - 2, 6));
    }
  }
  if (spec.xCaption) {
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "left";
    ctx.textBaseline = "bottom";
    ctx.fillText(spec.xCaption, marginL, MARGIN_T + plotH + marginB - 1);
  }
  if (spec.yCaption) {
    ctx.save();
    ctx.fillStyle = theme.muted;
    ctx.translate(10, MARGIN_T + plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(spec.yCaption, 0, 0);
    ctx.restore();
  }

  // 5. hover
  const cellAt = (ev: MouseEvent): [number, number] | undefined => {
    const rect = canvas.getBoundingClientRect();
    const c = Math.floor((ev.clientX - rect.left - marginL) / spec.cellW);
    const r = Math.floor((ev.clientY - rect.top - MARGIN_T) / spec.cellH);
    return r >= 0 && r < rows && c >= 0 && c < cols ? [r, c] : undefined;
  };
  // outline of the hovered cell: a positioned, empty box over the canvas (host is position: relative)
  const outline = el("div", "rnn-cell-outline");
  outline.style.display = "none";
  host.style.position = host.style.position || "relative";
  host.appendChild(outline);
  let current: [number, number] = [0, 0]; // the cell under the pointer or the keyboard cursor
  const mark = (cell: [number, number], clientX: number, clientY: number) => {
    spec.tip.show(spec.hover(cell[0], cell[1]), clientX, clientY);
    const w = Math.max(3, spec.cellW);
    const h = Math.max(3, spec.cellH);
    outline.style.left = `${canvas.offsetLeft + marginL + cell[1] * spec.cellW + spec.cellW / 2 - w / 2 - 1}px`;
    outline.style.top = `${canvas.offsetTop + MARGIN_T + cell[0] * spec.cellH + spec.cellH / 2 - h / 2 - 1}px`;
    outline.style.width = `${w}px`;
    outline.style.height = `${h}px`;
    outline.style.display = "block";
  };
  canvas.addEventListener("mousemove", (ev) => {
    const cell = cellAt(ev);
    if (!cell) { spec.tip.hide(); outline.style.display = "none"; return; }
    current = cell;
    mark(cell, ev.clientX, ev.clientY);
  });
  canvas.addEventListener("mouseleave", () => { spec.tip.hide(); outline.style.display = "none"; });
  canvas.addEventListener("click", (ev) => {
    const cell = cellAt(ev);
    if (cell) spec.pin?.(cell[0], cell[1]);
  });
  // Keyboard: Tab to the heatmap, arrows move a cell cursor (Shift = 10 cells), the readout follows;
  // the tooltip is a role="status" region, so screen readers announce it.
  canvas.tabIndex = 0;
  canvas.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      spec.pin?.(current[0], current[1]);
      return;
    }
    const step = ev.shiftKey ? 10 : 1;
    const moves: Record<string, [number, number]> = { ArrowUp: [-step, 0], ArrowDown: [step, 0], ArrowLeft: [0, -step], ArrowRight: [0, step] };
    const m = moves[ev.key];
    if (!m) return;
    ev.preventDefault();
    current = [Math.min(rows - 1, Math.max(0, current[0] + m[0])), Math.min(cols - 1, Math.max(0, current[1] + m[1]))];
    const rect = canvas.getBoundingClientRect();
    mark(current, rect.left + marginL + (current[1] + 1) * spec.cellW, rect.top + MARGIN_T + (current[0] + 1) * spec.cellH);
  });
  canvas.addEventListener("focus", () => {
    const rect = canvas.getBoundingClientRect();
    mark(current, rect.left + marginL + (current[1] + 1) * spec.cellW, rect.top + MARGIN_T + (current[0] + 1) * spec.cellH);
  });
  canvas.addEventListener("blur", () => { spec.tip.hide(); outline.style.display = "none"; });
  return canvas;
}

/** How x labels fit: every n-th label, rotated when labels are wider than cells. */
/** Every how many rows a label fits (labels at least 14 px apart). */
function yLabelEvery(spec: HeatmapSpec): number {
  return Math.max(1, Math.ceil(14 / Math.max(0.01, spec.cellH)));
}

/** Width of the rotated y caption's column at the left edge. */
const CAPTION_W = 18;

/**
 * The left margin: room for the widest row label (words such as a decoder's output tokens, not only
 * unit numbers) plus, with a y caption, the caption's column — so labels never run into the caption.
 * At most MAX_MARGIN_L; longer labels are squeezed by fillText's maxWidth.
 */
export function leftMargin(spec: HeatmapSpec, rows: number, font: string): number {
  const ctx = document.createElement("canvas").getContext("2d");
  if (!ctx) return MARGIN_L;
  ctx.font = font;
  let widest = 0;
  const yEvery = yLabelEvery(spec);
  for (let r = 0; r < rows; r += yEvery) widest = Math.max(widest, ctx.measureText(spec.yLabel(r)).width);
  const needed = Math.ceil(widest) + 8 + (spec.yCaption ? CAPTION_W : 0);
  return Math.min(MAX_MARGIN_L, Math.max(MARGIN_L, needed));
}

function xLabelRows(spec: HeatmapSpec): { every: number; rotated: boolean } {
  const cw = Math.max(0.01, spec.cellW);
  let widest = 0;
  for (let c = 0; c < Math.min(spec.cols, 400); c++) widest = Math.max(widest, Array.from(spec.xLabel(c)).length);
  const px = widest * 7 + 4;
  if (px <= cw) return { every: 1, rotated: false };
  if (widest <= 3) return { every: Math.ceil(px / cw), rotated: false };
  return { every: Math.max(1, Math.ceil(18 / cw)), rotated: true };
}

/** A colour legend: gradient bar with low / mid / high values as text. */
export function legend(cs: ColorScale, caption: string): HTMLElement {
  const box = el("span", "rnn-legend");
  const [lo, hi] = cs.domain;
  box.appendChild(el("span", undefined, formatNumber(lo, 3)));
  const bar = el("canvas");
  const { ctx, width, height } = sizeCanvas(bar, 90, 9);
  const table = lut(cs.map);
  for (let x = 0; x < width; x++) {
    const k = Math.round((x / (width - 1)) * 255) * 3;
    ctx.fillStyle = `rgb(${table[k]},${table[k + 1]},${table[k + 2]})`;
    ctx.fillRect(x, 0, 1.5, height);
  }
  box.appendChild(bar);
  box.appendChild(el("span", undefined, formatNumber(hi, 3)));
  if (caption) box.appendChild(el("span", undefined, caption));
  return box;
}

/** Shows whitespace visibly in a token label. */
export function visibleToken(t: string): string {
  if (t === " ") return "␣";
  return t.replace(/\n/g, "↵").replace(/\t/g, "⇥").replace(/\r/g, "");
}

/** "5" or "10–19" for a pooled block starting at index[i]. */
export function blockRange(index: number[], i: number, trueN: number): string {
  const a = index[i];
  const b = (i + 1 < index.length ? index[i + 1] : trueN) - 1;
  return b > a ? `${a}–${b}` : String(a);
}
