/**
 * A 3×5 pixel font for the few labels inside PNG fallbacks (gate names, axis ends, sizes), so a heatmap
 * saved in a notebook still says what it shows without a DOM or a font file. Upper-case glyphs only
 * (lower case maps to them); Hangul is written in its Revised Romanization (romanizeHangul), so the
 * Korean samples' labels read "geiteu" rather than blank cells; other characters without a glyph are
 * drawn as a blank cell. (The canvas and SVG outputs draw every script with the editor's font.)
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
  // the punctuation our titles and notes use: "LSTM · layer 0", "gates — sequence 0", "1e-3^2", "t → s", ‖∂L/∂h‖
  "·": ".../.../.#./.../...", "—": ".../.../###/.../...", "–": ".../.../###/.../...", "^": ".#./#.#/.../.../...",
  "→": ".../..#/###/..#/...", "←": ".../#../###/#../...", "‖": "#.#/#.#/#.#/#.#/#.#", "|": ".#./.#./.#./.#./.#.",
};

// Revised Romanization of Korean (Ministry of Culture and Tourism, 2000), jamo by jamo: a syllable
// U+AC00 + (initial·21 + medial)·28 + final. No sound-change rules (한국어 → "hangukeo", not "hangugeo").
const INITIALS = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"];
const MEDIALS = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"];
const FINALS = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"];

/** Hangul syllables of `text` in Revised Romanization; everything else unchanged. */
export function romanizeHangul(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)! - 0xac00;
    if (code < 0 || code >= 19 * 21 * 28) {
      out += ch;
      continue;
    }
    out += INITIALS[Math.floor(code / 588)] + MEDIALS[Math.floor((code % 588) / 28)] + FINALS[code % 28];
  }
  return out;
}

export const GLYPH_W = 3;
export const GLYPH_H = 5;

/** Width in pixels of `text` at `scale` (one blank column between glyphs). */
export function textWidth(text: string, scale = 2): number {
  const n = Array.from(romanizeHangul(text)).length;
  return n === 0 ? 0 : (n * (GLYPH_W + 1) - 1) * scale;
}

/** Draws text with its top-left corner at (x, y). */
export function drawText(img: PixelImage, text: string, x: number, y: number, rgb: readonly number[], scale = 2): void {
  let cx = x;
  for (const ch of Array.from(romanizeHangul(text))) {
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
