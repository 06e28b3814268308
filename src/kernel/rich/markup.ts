/**
 * Static HTML fallbacks (tables), written as strings without a DOM; the SVG plots live in
 * src/shared/svgPlot.ts (shared with the renderer's "Save SVG"). Every piece of text that comes from
 * data (labels, token strings, layer names, titles) goes through `escapeMarkup`; numbers are formatted
 * by us. Colours are fixed mid-tones readable on light and dark backgrounds, since a saved notebook's
 * viewer theme is unknown.
 */
import { escapeMarkup } from "../../shared/svgPlot";

export { escapeMarkup, linePlotSvg, type SvgPlotSpec, type SvgSeries } from "../../shared/svgPlot";

/** A plain HTML table (the text/html fallback): header cells, body rows, optional footer lines. */
export function htmlTable(opts: { caption?: string; head: string[]; rows: string[][]; numericCols?: number[]; foot?: string[] }): string {
  const num = new Set(opts.numericCols ?? []);
  const td = (tag: "td" | "th", text: string, i: number) =>
    `<${tag} style="padding:2px 10px;border-bottom:1px solid #8884;text-align:${num.has(i) ? "right" : "left"};font-variant-numeric:tabular-nums">${escapeMarkup(text)}</${tag}>`;
  const out = [`<table style="border-collapse:collapse;font-family:monospace;font-size:12px">`];
  if (opts.caption) out.push(`<caption style="text-align:left;font-weight:bold;padding:4px 0">${escapeMarkup(opts.caption)}</caption>`);
  out.push(`<thead><tr>${opts.head.map((h, i) => td("th", h, i)).join("")}</tr></thead>`);
  out.push(`<tbody>${opts.rows.map((r) => `<tr>${r.map((c, i) => td("td", c, i)).join("")}</tr>`).join("")}</tbody>`);
  out.push("</table>");
  for (const f of opts.foot ?? []) out.push(`<div style="font-family:monospace;font-size:12px">${escapeMarkup(f)}</div>`);
  return out.join("");
}
