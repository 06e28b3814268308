/**
 * A 3×5 pixel font for the few labels inside PNG fallbacks (gate names, axis ends, sizes), so a heatmap
 * saved in a notebook still says what it shows without a DOM or a font file. Upper-case glyphs only
 * (lower case maps to them); characters without a glyph are drawn as a blank cell.
 */
import type { PixelImage } from "./png";

// Each glyph: 5 rows of 3 columns separated by "/", "#" = ink.
const GLYPHS: Record<string, string> = {
  A: ".#./#.#/###/#.#/#.#", B: "##./#.#/##./#.#/##.", C: ".##/#../#../#../.##", D: "##./#.#/#.#/#.#/##.", E: "###/#../##./#../###",
  F: "###/#../##./#../#..", G: ".##/#../#.#/#.#/.##", H: "#.#/#.#/###/#.#/#.#", I: "###/.#./.#./.#./###", J: "..#/..#/..#/#.#/.#.",
  K: "#.#/#.#/##./#.#/#.#", L: "#../#../#../#../###", M: "#.#/###/###/#.#/#.#", N: "##./#.#/#.#/#.#/#.#", O: ".#./#.#/#.#/#.#/.#.",
  P: "##./#.#/##./#../#..", Q: ".#./#.#/#.#/##./.##", R: "##./#.#/##./#.#/#.#", S: ".##/#../.#./..#/##.", T: "###/.#./.#./.#./.#.",
  U: "#.#/#.#/#.#/#.#/###", V: "#.#/#.#/#.#/#.#/.#.", W: "#.#/#.#/###/###/#.#", X: "#.#/#.#/.#./#.#/#.#", Y: "#.#/#.#/.#./.#./.#.",
  Z: "###/..#/.#./#../###", 0: "###/#.#/#.#/#.#/###", 1: ".#./##./.#./.#./###", 2: "##./..#/.#./#../###", 3: "##./..#/.#./..#/##.",
  4: "#.#/#.#/###/..#/..#", 5: "###/#../##./..#/##.", 6: ".##/#../###/#.#/###", 7: "###/..#/.#./.#./.#.", 8: "###/#.#/###/#.#/###",
  9: "###/#.#/###/..#/##.", ".": ".../.../.../.../.#.", "-": ".../.../###/.../...", "+": ".../.#./###/.#./...", ":": ".../.#./.../.#./...",
  "/": "..#/..#/.#./#../#..", "(": ".#./#../#../#../.#.", ")": ".#./..#/..#/..#/.#.", "=": ".../###/.../###/...", ",": ".../.../.../.#./#..",
  "×": ".../#.#/.#./#.#/...", "−": ".../.../###/.../...", "…": ".../.../.../.../#.#", "%": "#.#/..#/.#./#../#.#", "<": "..#/.#./#../.#./..#",
  ">": "#../.#./..#/.#./#..", "'": ".#./.#./.../.../...", "_": ".../.../.../.../###",
  "[": "##./#../#../#../##.", "]": ".##/..#/..#/..#/.##",
};

export const GLYPH_W = 3;
export const GLYPH_H = 5;

/** Width in pixels of `text` at `scale` (one blank column between glyphs). */
export function textWidth(text: string, scale = 2): number {
  const n = Array.from(text).length;
  return n === 0 ? 0 : (n * (GLYPH_W + 1) - 1) * scale;
}

/** Draws text with its top-left corner at (x, y). */
export function drawText(img: PixelImage, text: string, x: number, y: number, rgb: readonly number[], scale = 2): void {
  let cx = x;
  for (const ch of Array.from(text)) {
    const g = GLYPHS[ch.toUpperCase()];
    if (g) {
      for (let r = 0; r < GLYPH_H; r++) {
        for (let c = 0; c < GLYPH_W; c++) {
          if (g[r * (GLYPH_W + 1) + c] === "#") img.fillRect(cx + c * scale, y + r * scale, scale, scale, rgb);
        }
      }
    }
    cx += (GLYPH_W + 1) * scale;
  }
}
