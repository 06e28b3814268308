/**
 * DOM helpers of the renderer. The one security rule lives here: output data only ever reaches the
 * page as text nodes (`textContent`) or canvas pixels — `el()` has no way to set HTML, and no module of
 * the renderer touches innerHTML/outerHTML/insertAdjacentHTML. The stylesheet below is a constant.
 */
import { bytesToBase64 } from "../shared/base64";
import { type ColorScale, lut } from "../shared/colormaps";
import { formatNumber } from "../shared/scale";
import { t } from "./l10n";
import { channel } from "./messaging";

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Removes every child of a node (no innerHTML). */
export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// ---------------------------------------------------------------------------------------------------
// theme

export interface Theme {
  fg: string;
  muted: string;
  bg: string;
  grid: string;
  border: string;
  accent: string;
  error: string;
  font: string;
  monoFont: string;
  dark: boolean;
  highContrast: boolean;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

/** Parses "#rgb", "#rrggbb(aa)" or "rgb(a)(…)" to [r, g, b]; undefined for anything else. */
export function parseColor(c: string): [number, number, number] | undefined {
  const s = c.trim();
  let m = /^#([0-9a-f]{3})$/i.exec(s);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as [number, number, number];
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(s);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16)) as [number, number, number];
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return undefined;
}

/** Colours from VS Code's theme variables (set on the output webview's body), with light fallbacks. */
export function readTheme(node: Element = document.body): Theme {
  const style = getComputedStyle(node);
  const body = document.body;
  const highContrast = body.classList.contains("vscode-high-contrast") || body.classList.contains("vscode-high-contrast-light");
  const bg = cssVar(style, "--vscode-editor-background", "");
  const fg = cssVar(style, "--vscode-editor-foreground", "");
  let dark = body.classList.contains("vscode-dark") || (body.classList.contains("vscode-high-contrast") && !body.classList.contains("vscode-high-contrast-light"));
  if (!body.classList.contains("vscode-light") && !body.classList.contains("vscode-dark") && !highContrast) {
    // Outside VS Code (tests, static pages): decide from the background colour.
    const rgb = parseColor(bg || getComputedStyle(body).backgroundColor);
    dark = rgb ? (rgb[0] * 299 + rgb[1] * 587 + rgb[2] * 114) / 1000 < 128 : false;
  }
  return {
    fg: fg || (dark ? "#cccccc" : "#1f1f1f"),
    muted: cssVar(style, "--vscode-descriptionForeground", dark ? "#9d9d9d" : "#616161"),
    bg: bg || (dark ? "#1e1e1e" : "#ffffff"),
    grid: dark ? "rgba(255,255,255,0.10)" : "rgba(0,0,0,0.09)",
    border: cssVar(style, "--vscode-contrastBorder", "") || cssVar(style, "--vscode-panel-border", dark ? "#444444" : "#d0d0d0"),
    accent: cssVar(style, "--vscode-progressBar-background", "#0e70c0"),
    error: cssVar(style, "--vscode-errorForeground", dark ? "#f48771" : "#a1260d"),
    font: cssVar(style, "--vscode-font-family", "system-ui, -apple-system, 'Segoe UI', sans-serif"),
    monoFont: cssVar(style, "--vscode-editor-font-family", "Menlo, Consolas, 'Courier New', monospace"),
    dark,
    highContrast,
  };
}

// ---------------------------------------------------------------------------------------------------
// canvas

export interface SizedCanvas {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  width: number;
  height: number;
  dpr: number;
}

/** Sizes a canvas for HiDPI: backing store = CSS size × devicePixelRatio (or `ratio`, for exported
 * images), drawing in CSS pixels. */
export function sizeCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number, ratio?: number): SizedCanvas {
  const dpr = ratio ?? Math.max(1, Math.min(4, window.devicePixelRatio || 1));
  const w = Math.max(1, Math.round(cssWidth));
  const h = Math.max(1, Math.round(cssHeight));
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("canvas 2D context unavailable");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { canvas, ctx, width: w, height: h, dpr };
}

/** Width available to an output: the container's width, or a sensible default before layout. */
export function availableWidth(container: HTMLElement, fallback = 760): number {
  const w = container.clientWidth || container.getBoundingClientRect().width;
  return Math.max(240, Math.min(1600, w > 0 ? w - 8 : fallback));
}

/** A diagonal-hatch pattern for missing values (NaN/±Infinity): grey stripes, never a map colour. */
export function missingPattern(ctx: CanvasRenderingContext2D, theme: Theme): CanvasPattern | string {
  const tile = document.createElement("canvas");
  tile.width = 6;
  tile.height = 6;
  const t = tile.getContext("2d");
  if (!t) return "#808080";
  t.fillStyle = theme.dark ? "#3a3a3a" : "#d4d4d4";
  t.fillRect(0, 0, 6, 6);
  t.strokeStyle = theme.dark ? "#8a8a8a" : "#8a8a8a";
  t.lineWidth = 1.2;
  t.beginPath();
  t.moveTo(-1, 7);
  t.lineTo(7, -1);
  t.moveTo(-1, 1);
  t.lineTo(1, -1);
  t.moveTo(5, 7);
  t.lineTo(7, 5);
  t.stroke();
  return ctx.createPattern(tile, "repeat") ?? "#808080";
}

// ---------------------------------------------------------------------------------------------------
// tooltip (text only)

export interface Tooltip {
  show(lines: string[], clientX: number, clientY: number): void;
  hide(): void;
}

/** A tooltip inside `host` (position: relative). Lines are set as text nodes. */
export function tooltip(host: HTMLElement): Tooltip {
  const tip = el("div", "rnn-tooltip");
  tip.setAttribute("role", "status");
  tip.style.display = "none";
  host.appendChild(tip);
  return {
    show(lines, clientX, clientY) {
      clear(tip);
      lines.forEach((line, i) => {
        const row = el("div", i === 0 ? "rnn-tooltip-head" : undefined, line);
        tip.appendChild(row);
      });
      tip.style.display = "block";
      const r = host.getBoundingClientRect();
      let x = clientX - r.left + 14;
      let y = clientY - r.top + 14;
      const tw = tip.offsetWidth;
      const th = tip.offsetHeight;
      // keep it inside the output: flip left of / above the pointer near the right / bottom edge
      if (x + tw > host.clientWidth) x = Math.max(0, clientX - r.left - tw - 10);
      if (y + th > host.clientHeight) y = Math.max(0, clientY - r.top - th - 10);
      tip.style.left = `${x}px`;
      tip.style.top = `${y}px`;
    },
    hide() {
      tip.style.display = "none";
    },
  };
}

/** A small toggle/button row. */
export function button(text: string, onClick: () => void, pressed?: boolean): HTMLButtonElement {
  const b = el("button", "rnn-button", text);
  b.type = "button";
  if (pressed !== undefined) b.setAttribute("aria-pressed", String(pressed));
  b.addEventListener("click", onClick);
  return b;
}

/** The error box: what went wrong, as text. */
export function errorBox(container: HTMLElement, message: string): HTMLElement {
  const box = el("div", "rnn-output rnn-error");
  box.setAttribute("role", "alert");
  box.appendChild(el("strong", undefined, t("couldNotShow")));
  box.appendChild(el("span", undefined, message));
  container.appendChild(box);
  box.dataset.rnnRendered = "error";
  return box;
}

/**
 * A "Save …" button. With renderer messaging the figure goes to the extension, which writes it into
 * `figures/` beside the notebook and keeps the focus on the notebook; the button then says where it
 * went. Without messaging, VS Code's output webview turns a click on an `<a download href="data:…">`
 * inside the page into a download; the anchor must be in the document for the click to reach the
 * webview's handler, so it is attached for the click and removed right after.
 */
export function saveButton(text: string, fileName: string, dataUrl: () => string | undefined): HTMLButtonElement {
  let busy = false;
  const b = button(text, () => {
    if (busy) return;
    try {
      const href = dataUrl();
      if (!href) return;
      const host = channel();
      if (host) {
        busy = true;
        b.textContent = t("saving");
        void host.saveFigure(fileName, href.slice(href.indexOf(",") + 1)).then((r) => {
          const said = r.path ? t("savedTo", { path: r.path }) : t("saveFailed", { why: r.error ?? "" });
          b.textContent = said;
          b.title = said;
          setTimeout(() => {
            b.textContent = text;
            busy = false;
          }, 2500);
        });
        return;
      }
      const a = document.createElement("a");
      a.href = href;
      a.download = fileName;
      a.style.display = "none";
      b.parentElement?.appendChild(a);
      a.click();
      a.remove();
    } catch {
      /* a webview that refuses downloads: nothing to do */
    }
  });
  return b;
}

/** base64 of the UTF-8 bytes of a string (for data: URLs of SVG text). */
export function utf8Base64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

export function saveSvgButton(fileName: string, svg: () => string | undefined): HTMLButtonElement {
  return saveButton(t("saveSvg"), fileName, () => {
    const text = svg();
    return text ? `data:image/svg+xml;base64,${utf8Base64(text)}` : undefined;
  });
}

// ---------------------------------------------------------------------------------------------------
// exported images

/** Exported images are drawn at twice their CSS size, whatever the screen's pixel ratio. */
export const EXPORT_SCALE = 2;

/** One plot of a figure: its caption and colour bar above it, the canvas (drawn at EXPORT_SCALE). */
export interface FigurePanel {
  canvas: HTMLCanvasElement;
  caption?: string;
  colorBar?: { scale: ColorScale; caption: string };
}

/**
 * What an exported PNG shows, so that it reads on its own as the SVG export does: title, notes, every
 * plot with its caption and colour bar, the series legend, on an opaque background in the theme's
 * colours (a transparent PNG with light text saved from a dark theme is unreadable on white).
 */
export interface Figure {
  title: string;
  note?: string;
  panels: FigurePanel[];
  legend?: { label: string; color: string; dashed?: boolean }[];
}

const FIG_PAD = 12;
const BAR_W = 90;

/** CSS size of a canvas (its style size, else its backing store). */
function cssSize(c: HTMLCanvasElement): [number, number] {
  return [parseFloat(c.style.width) || c.width, parseFloat(c.style.height) || c.height];
}

/** Greedy word wrap of `text` to `width` CSS pixels in ctx's current font. */
function wrapText(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Lays the figure out (measure = true: only returns the height) or draws it, in CSS pixels. */
function layoutFigure(ctx: CanvasRenderingContext2D, fig: Figure, theme: Theme, width: number, draw: boolean): number {
  const inner = width - 2 * FIG_PAD;
  let y = FIG_PAD;
  const text = (s: string, font: string, color: string, lineH: number) => {
    ctx.font = font;
    for (const line of wrapText(ctx, s, inner)) {
      if (draw) {
        ctx.fillStyle = color;
        ctx.textAlign = "left";
        ctx.textBaseline = "middle";
        ctx.fillText(line, FIG_PAD, y + lineH / 2);
      }
      y += lineH;
    }
  };
  text(fig.title, `600 14px ${theme.font}`, theme.fg, 20);
  if (fig.note) text(fig.note, `12px ${theme.font}`, theme.muted, 16);
  for (const p of fig.panels) {
    y += 6;
    if (p.caption || p.colorBar) {
      let x = FIG_PAD;
      ctx.font = `600 12px ${theme.font}`;
      if (p.caption) {
        if (draw) {
          ctx.fillStyle = theme.fg;
          ctx.textAlign = "left";
          ctx.textBaseline = "middle";
          ctx.fillText(p.caption, x, y + 9);
        }
        x += ctx.measureText(p.caption).width + 12;
      }
      if (p.colorBar && draw) drawColorBar(ctx, p.colorBar.scale, p.colorBar.caption, x, y + 4, theme);
      y += 20;
    }
    const [w, h] = cssSize(p.canvas);
    if (draw) ctx.drawImage(p.canvas, FIG_PAD, y, w, h);
    y += h;
  }
  if (fig.legend && fig.legend.length > 0) {
    y += 8;
    ctx.font = `12px ${theme.font}`;
    let x = FIG_PAD;
    for (const item of fig.legend) {
      const w = 24 + ctx.measureText(item.label).width + 16;
      if (x > FIG_PAD && x + w > width - FIG_PAD) {
        x = FIG_PAD;
        y += 18;
      }
      if (draw) {
        ctx.strokeStyle = item.color;
        ctx.lineWidth = 2;
        ctx.setLineDash(item.dashed ? [5, 3] : []);
        ctx.beginPath();
        ctx.moveTo(x, y + 9);
        ctx.lineTo(x + 18, y + 9);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = theme.fg;
        ctx.textAlign = "left";
        ctx.textBaseline = "middle";
        ctx.fillText(item.label, x + 24, y + 9);
      }
      x += w;
    }
    y += 18;
  }
  return y + FIG_PAD;
}

/** A colour bar: low value, the gradient (framed), high value, caption; `y` is the bar's top. */
function drawColorBar(ctx: CanvasRenderingContext2D, cs: ColorScale, caption: string, x: number, y: number, theme: Theme): void {
  const [lo, hi] = cs.domain;
  ctx.font = `11px ${theme.font}`;
  ctx.fillStyle = theme.muted;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  const loText = formatNumber(lo, 3);
  ctx.fillText(loText, x, y + 5);
  x += ctx.measureText(loText).width + 4;
  const table = lut(cs.map);
  for (let i = 0; i < BAR_W; i++) {
    const k = Math.round((i / (BAR_W - 1)) * 255) * 3;
    ctx.fillStyle = `rgb(${table[k]},${table[k + 1]},${table[k + 2]})`;
    ctx.fillRect(x + i, y, 1.5, 10);
  }
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 1;
  ctx.strokeRect(x - 0.5, y - 0.5, BAR_W + 1, 11);
  x += BAR_W + 4;
  ctx.fillStyle = theme.muted;
  const hiText = formatNumber(hi, 3);
  ctx.fillText(hiText, x, y + 5);
  if (caption) ctx.fillText(caption, x + ctx.measureText(hiText).width + 6, y + 5);
}

/** The figure drawn at EXPORT_SCALE on an opaque theme-coloured canvas. */
export function figureCanvas(fig: Figure, theme: Theme): HTMLCanvasElement | undefined {
  const width = Math.max(360, ...fig.panels.map((p) => cssSize(p.canvas)[0])) + 2 * FIG_PAD;
  const out = document.createElement("canvas");
  const probe = out.getContext("2d");
  if (!probe) return undefined;
  const height = layoutFigure(probe, fig, theme, width, false);
  const { ctx } = sizeCanvas(out, width, height, EXPORT_SCALE);
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, width, height);
  // Cells are crisp at any scale; text and lines were drawn at EXPORT_SCALE by their views.
  ctx.imageSmoothingEnabled = false;
  layoutFigure(ctx, fig, theme, width, true);
  return out;
}

/** "Save PNG" and "Copy Image" of a figure, built when clicked (so it shows what is on screen then). */
export function figureButtons(fileName: string, figure: () => Figure | undefined, theme: Theme): HTMLButtonElement[] {
  const image = () => {
    const fig = figure();
    return fig ? figureCanvas(fig, theme) : undefined;
  };
  const save = saveButton(t("savePng"), fileName, () => image()?.toDataURL("image/png"));
  const copy = button(t("copyImage"), () => {
    const canvas = image();
    const say = (key: "copied" | "copyFailed") => {
      copy.textContent = t(key);
      setTimeout(() => (copy.textContent = t("copyImage")), 1500);
    };
    if (!canvas) return say("copyFailed");
    canvas.toBlob((blob) => {
      if (!blob || typeof ClipboardItem === "undefined" || !navigator.clipboard?.write) return say("copyFailed");
      navigator.clipboard.write([new ClipboardItem({ "image/png": blob })]).then(() => say("copied"), () => say("copyFailed"));
    }, "image/png");
  });
  return [save, copy];
}

const STYLE_ID = "rnn-notebook-renderer-style";
const CSS = `
.rnn-output { font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: 12px; color: var(--vscode-editor-foreground, inherit); position: relative; padding: 4px 0; max-width: 100%; overflow-x: auto; }
.rnn-title { font-weight: 600; margin: 2px 0 4px; }
.rnn-output canvas { display: block; }
.rnn-note { color: var(--vscode-descriptionForeground, #777); margin: 2px 0; }
.rnn-panels { display: flex; flex-wrap: wrap; gap: 10px 18px; }
.rnn-panel { position: relative; }
.rnn-panel-head { display: flex; align-items: center; gap: 8px; margin-bottom: 2px; }
.rnn-panel-head .rnn-gate { font-weight: 700; }
.rnn-legend { display: inline-flex; align-items: center; gap: 4px; color: var(--vscode-descriptionForeground, #777); font-size: 11px; }
.rnn-legend canvas { border: 1px solid var(--vscode-panel-border, #8884); }
.rnn-series-legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 4px 0; }
.rnn-series-legend span.sw { display: inline-block; width: 18px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 5px; }
.rnn-toolbar { display: flex; gap: 6px; align-items: center; margin: 4px 0; flex-wrap: wrap; }
.rnn-button { font: inherit; font-size: 11px; padding: 1px 8px; border-radius: 2px; cursor: pointer; color: var(--vscode-button-secondaryForeground, inherit); background: var(--vscode-button-secondaryBackground, #8882); border: 1px solid var(--vscode-contrastBorder, var(--vscode-button-border, #8888)); }
.rnn-button[aria-pressed="true"] { color: var(--vscode-button-foreground, #fff); background: var(--vscode-button-background, #0e70c0); }
.rnn-tooltip { position: absolute; z-index: 10; pointer-events: none; padding: 4px 8px; border-radius: 3px; font-size: 12px; white-space: pre; background: var(--vscode-editorHoverWidget-background, #f3f3f3); color: var(--vscode-editorHoverWidget-foreground, #222); border: 1px solid var(--vscode-editorHoverWidget-border, #c8c8c8); box-shadow: 0 2px 8px rgba(0,0,0,0.2); }
.rnn-tooltip-head { font-weight: 600; }
.rnn-cell-outline { position: absolute; pointer-events: none; border: 1px solid var(--vscode-editor-foreground, #000); box-shadow: 0 0 0 1px var(--vscode-editor-background, #fff); }
.rnn-error { border: 1px solid var(--vscode-inputValidation-errorBorder, #be1100); background: var(--vscode-inputValidation-errorBackground, #f2dede33); color: var(--vscode-errorForeground, #a1260d); padding: 6px 10px; border-radius: 3px; white-space: pre-wrap; overflow-wrap: anywhere; }
.vscode-dark .rnn-error, .vscode-high-contrast .rnn-error { color: var(--vscode-errorForeground, #f48771); }
.rnn-progress { height: 6px; background: var(--vscode-editorWidget-background, #8882); border-radius: 3px; overflow: hidden; max-width: 640px; }
.rnn-progress > div { height: 100%; background: var(--vscode-progressBar-background, #0e70c0); }
.rnn-status { font-family: var(--vscode-editor-font-family, monospace); margin: 4px 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.rnn-table-wrap { display: inline-block; max-height: 360px; overflow: auto; border: 1px solid var(--vscode-panel-border, #8884); max-width: 100%; }
table.rnn-table { border-collapse: collapse; font-family: var(--vscode-editor-font-family, monospace); font-size: 12px; }
table.rnn-table th, table.rnn-table td { padding: 2px 10px; text-align: left; border-bottom: 1px solid var(--vscode-panel-border, #8883); white-space: nowrap; }
table.rnn-table td.num, table.rnn-table th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.rnn-table td.missing { color: var(--vscode-descriptionForeground, #888); font-style: italic; }
table.rnn-table tbody tr:hover, table.rnn-table tbody tr:focus { background: var(--vscode-list-hoverBackground, #8882); outline: none; }
table.rnn-table thead th { position: sticky; top: 0; background: var(--vscode-editor-background, #fff); }
.rnn-summary-foot { font-family: var(--vscode-editor-font-family, monospace); margin-top: 4px; }
.rnn-detail { font-family: var(--vscode-editor-font-family, monospace); margin-top: 6px; min-height: 1.4em; color: var(--vscode-descriptionForeground, #777); white-space: pre-wrap; }
`;

/** Adds the renderer's constant stylesheet once per document. */
export function ensureStyle(): void {
  if (document.getElementById(STYLE_ID)) return;
  const s = document.createElement("style");
  s.id = STYLE_ID;
  s.textContent = CSS;
  document.head.appendChild(s);
}
