/**
 * Pure scales and tick computation, used by the canvas renderer and the kernel's SVG fallbacks.
 * A scale maps a data domain [d0, d1] onto a pixel range [r0, r1] (r0 > r1 is fine: y grows down).
 *
 * Nice ticks follow the classic 1-2-5 rule (Heckbert, "Nice numbers for graph labels", Graphics
 * Gems 1990): the step is 1, 2 or 5 × 10^k, chosen so that about `count` ticks cover the domain.
 * Log ticks sit on powers of ten; when the domain spans fewer than three decades, 2× and 5× are added.
 */

export interface Scale {
  kind: "linear" | "log";
  domain: [number, number];
  range: [number, number];
  /** data → pixel; non-finite or (log) non-positive input gives NaN. */
  map(v: number): number;
  /** pixel → data */
  invert(px: number): number;
}

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  let [d0, d1] = domain;
  if (!(d1 > d0)) { d0 -= 0.5; d1 = d0 + 1; } // a single value or reversed domain: centre it on a unit span
  const [r0, r1] = range;
  const k = (r1 - r0) / (d1 - d0);
  return {
    kind: "linear",
    domain: [d0, d1],
    range,
    map: (v) => (Number.isFinite(v) ? r0 + (v - d0) * k : NaN),
    invert: (px) => d0 + (px - r0) / k,
  };
}

export function logScale(domain: [number, number], range: [number, number]): Scale {
  let [d0, d1] = domain;
  if (!(d0 > 0) || !Number.isFinite(d0)) d0 = 1e-12;
  if (!(d1 > d0) || !Number.isFinite(d1)) d1 = d0 * 10;
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  const [r0, r1] = range;
  const k = (r1 - r0) / (l1 - l0);
  return {
    kind: "log",
    domain: [d0, d1],
    range,
    map: (v) => (v > 0 && Number.isFinite(v) ? r0 + (Math.log10(v) - l0) * k : NaN),
    invert: (px) => 10 ** (l0 + (px - r0) / k),
  };
}

/** The 1-2-5 step for about `count` ticks over [min, max]. */
export function niceStep(min: number, max: number, count = 5): number {
  const span = Math.abs(max - min);
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return nice * mag;
}

/** Ticks at multiples of the nice step inside [min, max] (inclusive, float error tolerated). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) return [min];
  const step = niceStep(min, max, count);
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const out: number[] = [];
  for (let i = first; i <= last && out.length < 1000; i++) out.push(cleanFloat(i * step));
  return out;
}

/** Extends [min, max] outward to whole nice steps (for axis domains). */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) return min === 0 ? [-1, 1] : [min - Math.abs(min) / 2, max + Math.abs(max) / 2];
  const step = niceStep(min, max, count);
  return [cleanFloat(Math.floor(min / step + 1e-9) * step), cleanFloat(Math.ceil(max / step - 1e-9) * step)];
}

/** Log ticks: powers of ten inside [min, max]; with fewer than 3 decades also 2× and 5×. At most ~12 labels:
 * wide ranges keep every n-th decade. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const e0 = Math.floor(Math.log10(min) + 1e-9);
  const e1 = Math.ceil(Math.log10(max) - 1e-9);
  const decades = e1 - e0;
  const out: number[] = [];
  const every = Math.max(1, Math.ceil(decades / 10));
  const mults = decades < 3 ? [1, 2, 5] : [1];
  for (let e = e0; e <= e1; e++) {
    if ((e - e0) % every !== 0) continue;
    for (const m of mults) {
      const v = cleanFloat(m * 10 ** e);
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** Log domain widened to whole decades around the finite positive values. */
export function logDomain(min: number, max: number): [number, number] {
  if (!(min > 0) || !Number.isFinite(min)) min = max > 0 && Number.isFinite(max) ? max / 10 : 1;
  if (!(max >= min) || !Number.isFinite(max)) max = min * 10;
  const e0 = Math.floor(Math.log10(min) + 1e-9);
  let e1 = Math.ceil(Math.log10(max) - 1e-9);
  if (e1 === e0) e1 = e0 + 1;
  return [cleanFloat(10 ** e0), cleanFloat(10 ** e1)];
}

/** Removes float noise such as 0.30000000000000004 → 0.3 (15 significant digits). */
export function cleanFloat(v: number): number {
  return v === 0 ? 0 : Number(v.toPrecision(15));
}

/** Short label for a tick or readout: 1e-7 → "1e-7", 0.25 → "0.25", 12000 → "12k" (compact) or "12,000". */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (v === Infinity) return "∞";
  if (v === -Infinity) return "−∞";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) {
    const [m, e] = v.toExponential(Math.max(0, digits - 1)).split("e");
    const mant = String(Number(m));
    return `${mant === "1" ? "1" : mant === "-1" ? "-1" : mant}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(digits)));
}

/** Min and max of the finite values (null entries skipped); undefined when there is none. */
export function finiteExtent(values: ArrayLike<number | null>, positiveOnly = false): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v) || (positiveOnly && !(v > 0))) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}
