/**
 * Colour maps, pure (no DOM): used by the canvas renderer and by the kernel's PNG fallbacks, so a
 * heatmap looks the same in VS Code and in a saved notebook opened elsewhere.
 *
 * - `sequential`: a viridis-like perceptual map (dark violet → blue → green → yellow), luminance rising
 *   monotonically, colour-blind safe. Defined by nine anchors taken at 0, 1/8, …, 1 of matplotlib's
 *   viridis (van der Walt & Smith, 2015) and interpolated linearly in sRGB between them.
 *   Used for sigmoid gates (0..1) and one-signed tensors.
 * - `diverging`: blue – near-white – orange (colour-blind safe like ColorBrewer's PuOr: no red/green
 *   opposition), luminance highest at 0 and falling monotonically towards −1 and +1. Used for tanh
 *   quantities (−1..1) and signed tensors. `divergingDark` mirrors it for dark themes: the centre is
 *   dark and the ends are bright, so 0 blends with the editor background instead of glaring.
 * Missing values (NaN/±Infinity, null in JSON) are not part of any map: see MISSING.
 */

export type RGB = [number, number, number];

export interface Colormap {
  name: string;
  /** Anchor colours evenly spaced over t ∈ [0, 1]. */
  anchors: RGB[];
}

function hex(h: string): RGB {
  const n = parseInt(h.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export const sequential: Colormap = {
  name: "viridis-like",
  anchors: ["#440154", "#472c7a", "#3b518b", "#2c718e", "#21908d", "#27ad81", "#5cc863", "#aadc32", "#fde725"].map(hex),
};

export const diverging: Colormap = {
  name: "blue-white-orange",
  anchors: ["#1d3f8f", "#3f74c4", "#8fb6e3", "#f6f4f0", "#f5b36b", "#d9731c", "#8c3b06"].map(hex),
};

export const divergingDark: Colormap = {
  name: "blue-dark-orange",
  anchors: ["#b9dcff", "#5fa3ee", "#2a5a9e", "#262626", "#9c5317", "#e8861f", "#ffd09a"].map(hex),
};

/** Grey of a missing cell; the renderer hatches it, the PNG fallback checkers it with MISSING_ALT. */
export const MISSING: RGB = [128, 128, 128];
export const MISSING_ALT: RGB = [176, 176, 176];

/** Colour at t ∈ [0, 1] (clamped; NaN → the map's midpoint is NOT used — callers handle missing). */
export function sample(map: Colormap, t: number): RGB {
  const a = map.anchors;
  const x = Math.min(1, Math.max(0, t)) * (a.length - 1);
  const i = Math.min(a.length - 2, Math.floor(x));
  const f = x - i;
  const c0 = a[i];
  const c1 = a[i + 1];
  return [
    Math.round(c0[0] + (c1[0] - c0[0]) * f),
    Math.round(c0[1] + (c1[1] - c0[1]) * f),
    Math.round(c0[2] + (c1[2] - c0[2]) * f),
  ];
}

/** A 256-entry lookup table, RGB bytes (768), for fast per-cell colouring. */
export function lut(map: Colormap, size = 256): Uint8Array {
  const out = new Uint8Array(size * 3);
  for (let k = 0; k < size; k++) out.set(sample(map, k / (size - 1)), k * 3);
  return out;
}

/** How values map to colours: a map and the value domain [lo, hi] mapped to t = 0 … 1. */
export interface ColorScale {
  map: Colormap;
  domain: [number, number];
  /** "sequential" or "diverging" — diverging domains are symmetric around 0. */
  kind: "sequential" | "diverging";
}

/** Sigmoid gates: sequential over 0..1. tanh quantities: diverging over −1..1 (dark variant on dark themes). */
export function gateColorScale(scale: "sigmoid" | "tanh", dark = false): ColorScale {
  return scale === "sigmoid"
    ? { map: sequential, domain: [0, 1], kind: "sequential" }
    : { map: dark ? divergingDark : diverging, domain: [-1, 1], kind: "diverging" };
}

/** A tensor's scale from its finite extent: both signs → diverging symmetric around 0, else sequential. */
export function dataColorScale(extent: [number, number] | undefined, dark = false): ColorScale {
  if (!extent) return { map: sequential, domain: [0, 1], kind: "sequential" };
  const [lo, hi] = extent;
  if (lo < 0 && hi > 0) {
    const m = Math.max(-lo, hi);
    return { map: dark ? divergingDark : diverging, domain: [-m, m], kind: "diverging" };
  }
  return { map: sequential, domain: lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi], kind: "sequential" };
}

/**
 * Attention weights: a softmax row lies in 0…1, so weights inside it are drawn on the fixed 0…1
 * sequential scale (a weight of 0.5 looks the same in every view); raw scores outside it get the data's scale.
 */
export function attentionColorScale(extent: [number, number] | undefined, dark = false): ColorScale {
  if (!extent || (extent[0] >= 0 && extent[1] <= 1)) return { map: sequential, domain: [0, 1], kind: "sequential" };
  return dataColorScale(extent, dark);
}

/** t ∈ [0, 1] of a value on a colour scale (clamped); NaN for a missing value. */
export function scaleT(cs: ColorScale, v: number | null): number {
  if (v === null || !Number.isFinite(v)) return NaN;
  const [lo, hi] = cs.domain;
  return hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0.5;
}

/** WCAG 2 relative luminance of an sRGB colour, 0 (black) … 1 (white). */
export function relativeLuminance([r, g, b]: RGB): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** "#rrggbb" */
export function toHex([r, g, b]: RGB): string {
  return "#" + [r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("");
}

/** Fixed colours for line series (Okabe & Ito 2008 colour-blind-safe palette, black left out; the renderer
 * uses the theme foreground for single-series plots). */
export const SERIES_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"] as const;
