/**
 * Connectivity (Madsen 2019, distill.pub "Visualizing memorization in RNNs"): one [T, T] map per model,
 * side by side — C[t, s] = ‖∂y_t/∂x_s‖₂, output step t down, input step s across, each map on its own
 * 0…max scale. Under each map the sequence itself: hovering a row t of any map (or a step of a strip)
 * shades every earlier step s of every strip by C[t, s] relative to that row's largest value, the
 * distill interaction, so models are compared on the same output step.
 */
import { lut, relativeLuminance, sequential, type ColorScale } from "../shared/colormaps";
import type { ConnectivityPayload } from "../shared/payloads";
import { formatNumber } from "../shared/scale";
import { availableWidth, el, EXPORT_SCALE, figureButtons, readTheme, sizeCanvas, tooltip } from "./dom";
import { blockRange, fitCells, heatmap, type HeatmapSpec, leftMargin, legend, visibleToken } from "./heatmap";
import { t } from "./l10n";
import { validateConnectivity } from "../shared/validate";
import { editableView } from "./whatIf";

const STRIP_H = 20;

/** Fill and legible ink (black or white by WCAG luminance) of 256 steps of the sequential map. */
function stripPalette(): { fill: string[]; ink: string[] } {
  const table = lut(sequential);
  const fill: string[] = [], ink: string[] = [];
  for (let k = 0; k < 256; k++) {
    const rgb: [number, number, number] = [table[k * 3], table[k * 3 + 1], table[k * 3 + 2]];
    fill.push(`rgb(${rgb.join(",")})`);
    ink.push(relativeLuminance(rgb) > 0.179 ? "#000000" : "#ffffff");
  }
  return { fill, ink };
}

/** The view, under its what-if input bar when the payload is editable (whatIf.ts). */
export function renderConnectivity(root: HTMLElement, p: ConnectivityPayload): void {
  editableView(root, p, "connectivity", validateConnectivity, drawConnectivity);
}

function drawConnectivity(root: HTMLElement, p: ConnectivityPayload): void {
  const theme = readTheme(root);
  const n = p.steps;
  const what = p.output === "loss" ? "‖∂L_t/∂x_s‖" : "‖∂y_t/∂x_s‖";
  const title = `${p.title ?? t("connectivityTitle")} ${what}`;
  const note = p.trueSteps ? t("connectivityPooled", { n, nn: p.trueSteps }) : t("connectivitySize", { n });
  root.appendChild(el("div", "rnn-title", title));
  root.appendChild(el("div", "rnn-note", note));
  const toolbar = el("div", "rnn-toolbar");
  root.appendChild(toolbar);
  const panels = el("div", "rnn-panels");
  root.appendChild(panels);
  const tip = tooltip(root);

  const step = (i: number) => (p.stepIndex && p.trueSteps ? blockRange(p.stepIndex, i, p.trueSteps) : String(i));
  const token = (i: number) => (p.tokens ? visibleToken(p.tokens[i] ?? "") : step(i));
  const named = (i: number) => (p.tokens ? `${step(i)} “${token(i)}”` : step(i));
  const gap = 18;
  const panelW = Math.max(240, Math.floor((availableWidth(root) - gap * (p.maps.length - 1)) / p.maps.length));
  const fit = fitCells(n, n, panelW - 60, 360, 28, 2); // 60: about the heatmap's label margins
  const cell = Math.min(fit.cellW, fit.cellH); // square cells: t and s are the same steps
  const palette = stripPalette();
  const scales: ColorScale[] = [];
  /** A strip under a map: its canvas, the map's values, and the map's left margin (cells line up). */
  type Strip = { canvas: HTMLCanvasElement; values: (number | null)[]; left: number };
  const strips: Strip[] = [];
  let row = n - 1; // what the last output depends on, until a row is hovered

  const drawStrip = (s: Strip) => {
    const { ctx, width } = sizeCanvas(s.canvas, s.left + n * cell + 6, STRIP_H);
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, width, STRIP_H);
    let max = 0;
    for (let c = 0; c <= row; c++) max = Math.max(max, s.values[row * n + c] ?? 0);
    ctx.font = `11px ${theme.monoFont}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (let c = 0; c < n; c++) {
      const x = s.left + c * cell;
      const v = s.values[row * n + c];
      if (c <= row && v !== null) {
        const k = Math.round((max > 0 ? v / max : 0) * 255);
        ctx.fillStyle = palette.fill[k];
        ctx.fillRect(x, 2, cell, STRIP_H - 4);
        ctx.fillStyle = palette.ink[k];
      } else {
        ctx.fillStyle = theme.muted; // later steps: no influence on y_t in a causal model
      }
      if (cell >= 7) ctx.fillText(token(c), x + cell / 2, STRIP_H / 2 + 0.5, cell);
    }
    ctx.strokeStyle = theme.fg;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(s.left + row * cell + 0.75, 1.25, cell - 1.5, STRIP_H - 2.5);
    ctx.fillStyle = theme.muted;
    ctx.font = `11px ${theme.font}`;
    ctx.textAlign = "right";
    ctx.fillText(`t=${step(row)}`, s.left - 4, STRIP_H / 2, s.left - 6);
  };
  const setRow = (r: number) => {
    if (r === row) return;
    row = r;
    for (const s of strips) drawStrip(s);
  };

  const specs: HeatmapSpec[] = p.maps.map((m, k) => {
    const max = m.values.reduce<number>((a, v) => (v !== null && v > a ? v : a), 0);
    const cs: ColorScale = { map: sequential, domain: [0, max > 0 ? max : 1], kind: "sequential" };
    scales.push(cs);
    const box = el("div", "rnn-panel");
    const head = el("div", "rnn-panel-head");
    head.appendChild(el("span", "rnn-gate", m.label));
    head.appendChild(legend(cs, ""));
    box.appendChild(head);
    panels.appendChild(box);
    const spec: HeatmapSpec = {
      rows: n, cols: n, at: (r, c) => m.values[r * n + c], colorScale: cs, cellW: cell, cellH: cell,
      xLabel: token, yLabel: token, xCaption: t("connectivityInput"), yCaption: t("connectivityOutput"),
      className: "rnn-heatmap rnn-connectivity", ariaLabel: `${m.label}: ${title}, ${n} × ${n}`, theme, tip,
      hover: (r, c) => {
        setRow(r);
        const v = m.values[r * n + c];
        return [m.label, t("connectivityPair", { t: named(r), s: named(c) }), v === null ? t("missingValue") : `${what} = ${formatNumber(v, 3)}`];
      },
    };
    heatmap(box, spec);
    const strip: Strip = { canvas: el("canvas", "rnn-connectivity-strip"), values: m.values, left: leftMargin(spec, n, `11px ${theme.font}`) };
    strip.canvas.setAttribute("role", "img");
    strip.canvas.setAttribute("aria-label", t("connectivityStrip"));
    // Where the cells start and how wide they are, for tools that point at a step (the browser tests).
    strip.canvas.dataset.left = String(strip.left);
    strip.canvas.dataset.cell = String(cell);
    box.appendChild(strip.canvas);
    strips.push(strip);
    drawStrip(strip);
    strip.canvas.addEventListener("mousemove", (ev) => {
      const c = Math.floor((ev.clientX - strip.canvas.getBoundingClientRect().left - strip.left) / cell);
      if (c < 0 || c >= n) return;
      setRow(c);
      tip.show([p.maps[k].label, t("connectivityRow", { t: named(c) })], ev.clientX, ev.clientY);
    });
    strip.canvas.addEventListener("mouseleave", () => tip.hide());
    return spec;
  });
  root.appendChild(el("div", "rnn-note", t("connectivityHover")));

  const figure = () => ({
    title, note,
    panels: specs.map((s, k) => ({ canvas: heatmap(el("div"), { ...s, pixelRatio: EXPORT_SCALE }), caption: p.maps[k].label, colorBar: { scale: scales[k], caption: "" } })),
  });
  for (const b of figureButtons("connectivity.png", figure, theme)) toolbar.appendChild(b);
}
