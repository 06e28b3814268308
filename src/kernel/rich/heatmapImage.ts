/**
 * The image/png fallback of heatmaps (what GitHub, Jupyter and image viewers show): a title, then per
 * panel a short label, a pixel grid (time along x, units along y, like the renderer) and a colour bar
 * with its end values, stacked vertically. Missing cells are a grey checkerboard. The background is
 * opaque white with dark ink, like a printed figure: a transparent image's ink cannot suit both a light
 * and a dark page, and the kernel does not know the editor's theme.
 */
import { type ColorScale, MISSING, MISSING_ALT, sample, scaleT } from "../../shared/colormaps";
import { formatNumber } from "../../shared/scale";
import { drawText, romanizeHangul, textWidth } from "./font";
import { PixelImage } from "./png";

export interface HeatmapPanel {
  label: string;
  /** Shown along x. */
  cols: number;
  /** Shown along y. */
  rows: number;
  /** rows × cols row-major (value at row r, column c = values[r * cols + c]). */
  at(r: number, c: number): number | null;
  colorScale: ColorScale;
}

const INK = [51, 51, 51];
const BACKGROUND = [255, 255, 255];
const LABEL_H = 14;
const GAP = 8;
const BAR_W = 10;

/** Cell size so a panel is at most maxW × maxH pixels (≥ 1 pixel per cell). */
function cellSize(n: number, maxPx: number, maxCell: number): number {
  return Math.max(1, Math.min(maxCell, Math.floor(maxPx / Math.max(1, n))));
}

/**
 * Draws panels and returns the PNG as base64. Pixel budget: each panel ≤ 800 × 300 (cells ≥ 1 px).
 * `xLabels` (e.g. the input characters) are drawn once under the last panel when a cell is at least
 * 8 px wide, one character per column (the pixel font has Latin letters, digits and punctuation only).
 * `title` heads the image.
 */
export function heatmapPngBase64(panels: HeatmapPanel[], footer?: string, xLabels?: string[], title?: string): string {
  const maxCols = Math.max(1, ...panels.map((p) => p.cols));
  const cw = cellSize(maxCols, 800, 24);
  const layout = panels.map((p) => ({ p, ch: cellSize(p.rows, 300, 24) }));
  const legendW = 6 + BAR_W + 4 + 6 * 8; // bar plus a label of up to ~6 glyphs
  const width = Math.max(maxCols * cw + legendW + 4, ...panels.map((p) => textWidth(p.label) + 4), footer ? textWidth(footer) + 4 : 0,
    title ? textWidth(title) + 4 : 0);
  const showX = xLabels !== undefined && cw >= 8;
  const titleH = title ? LABEL_H + 4 : 0;
  const height = titleH + layout.reduce((h, l) => h + LABEL_H + Math.max(20, l.p.rows * l.ch) + GAP, 0) + (footer ? LABEL_H : 0) + (showX ? LABEL_H : 0) + 2;
  const img = new PixelImage(Math.min(width, 4000), Math.min(height, 8000));
  img.fillRect(0, 0, img.width, img.height, BACKGROUND);
  let y = 2;
  if (title) {
    drawText(img, title, 2, y, INK);
    y += titleH;
  }
  for (const { p, ch } of layout) {
    drawText(img, p.label, 2, y, INK);
    y += LABEL_H;
    for (let r = 0; r < p.rows; r++) {
      for (let c = 0; c < p.cols; c++) {
        const v = p.at(r, c);
        const t = scaleT(p.colorScale, v);
        if (Number.isNaN(t)) {
          // missing: checkerboard of two greys (per pixel), so it never reads as a colour of the map
          for (let yy = 0; yy < ch; yy++) for (let xx = 0; xx < cw; xx++) {
            img.setPixel(2 + c * cw + xx, y + r * ch + yy, (xx + yy) % 2 ? MISSING : MISSING_ALT);
          }
        } else {
          img.fillRect(2 + c * cw, y + r * ch, cw, ch, sample(p.colorScale.map, t));
        }
      }
    }
    // colour bar: top = domain max, bottom = domain min
    const bx = 2 + p.cols * cw + 6;
    const bh = Math.max(20, p.rows * ch);
    for (let yy = 0; yy < bh; yy++) img.fillRect(bx, y + yy, BAR_W, 1, sample(p.colorScale.map, 1 - yy / Math.max(1, bh - 1)));
    drawText(img, formatNumber(p.colorScale.domain[1], 2), bx + BAR_W + 4, y, INK);
    drawText(img, formatNumber(p.colorScale.domain[0], 2), bx + BAR_W + 4, y + bh - 10, INK);
    y += Math.max(bh, p.rows * ch) + GAP;
  }
  if (showX) {
    y -= GAP - 2;
    xLabels!.forEach((label, c) => {
      // One glyph per column: a label's first character (a Hangul token: its romanization's first letter).
      const ch = Array.from(romanizeHangul(Array.from(label)[0] ?? ""))[0] ?? "";
      if (ch.trim()) drawText(img, ch, 2 + c * cw + Math.floor((cw - 6) / 2), y, INK);
    });
    y += LABEL_H;
  }
  if (footer) drawText(img, footer, 2, y, INK);
  return img.toBase64();
}
