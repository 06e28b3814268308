/**
 * ‖∂L/∂h_t‖ per timestep (and dashed ‖∂L/∂c_t‖ for LSTM), one line per model and layer, log y with a
 * linear toggle, optional clip-threshold line and truncated-BPTT window markers, hover readout.
 */
import type { GradNormsPayload } from "../shared/payloads";
import { formatNumber } from "../shared/scale";
import { gradNormsSvg, tbpttBoundaries } from "../shared/svgPlot";
import { availableWidth, button, el, readTheme, savePngButton, saveSvgButton, type Theme, tooltip } from "./dom";
import { linePlot, seriesLegend } from "./linePlot";

const LIGHT = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8c6d00"];
const DARK = ["#56B4E9", "#E69F00", "#2fd3a0", "#e38fc4", "#ff7f3f", "#9ecbff", "#F0E442"];

/** Okabe–Ito colours, lighter variants on dark themes; one colour per model (h and c of a model share it). */
export function seriesColor(k: number, theme: Theme): string {
  const list = theme.dark ? DARK : LIGHT;
  return list[k % list.length];
}

export function renderGradNorms(root: HTMLElement, p: GradNormsPayload): void {
  const theme = readTheme(root);
  root.appendChild(el("div", "rnn-title", `${p.title ?? "Gradient norm per timestep"}${p.loss ? ` — loss ${p.loss}` : ""}`));
  const notes: string[] = [];
  notes.push(`${p.steps.length} timesteps${p.trueSteps ? ` shown of ${p.trueSteps} (block means)` : ""}; ‖∂L/∂h_t‖ solid${p.series.some((s) => s.quantity === "c") ? ", ‖∂L/∂c_t‖ dashed" : ""}.`);
  if (p.tbptt) notes.push(`Dotted lines: truncated-BPTT windows of ${p.tbptt} steps.`);
  root.appendChild(el("div", "rnn-note", notes.join(" ")));
  // one colour per (model, layer); c dashed in the same colour as its h
  const keys: string[] = [];
  const series = p.series.map((s) => {
    const key = `${s.model}\u0000${s.layer}`;
    if (!keys.includes(key)) keys.push(key);
    return { label: s.label, x: p.steps, y: s.values, color: seriesColor(keys.indexOf(key), theme), dashed: s.quantity === "c" };
  });
  const toolbar = el("div", "rnn-toolbar");
  root.appendChild(toolbar);
  const tip = tooltip(root);
  let scale = p.yScale;
  const spec = () => ({
    series,
    yScale: scale,
    xLabel: "timestep t",
    yLabel: "‖∂L/∂h_t‖",
    hLines: p.clipThreshold !== undefined ? [{ y: p.clipThreshold, label: `clip threshold ${formatNumber(p.clipThreshold)}` }] : [],
    vLines: p.tbptt ? tbpttBoundaries(p.steps, p.tbptt).map((x) => ({ x })) : [],
    width: Math.min(availableWidth(root), 900),
    height: 300,
    className: "rnn-gradnorms",
    theme,
    tip,
  });
  const plot = linePlot(root, spec());
  const logBtn = button("log", () => setScale("log"), scale === "log");
  const linBtn = button("linear", () => setScale("linear"), scale === "linear");
  function setScale(s: "log" | "linear") {
    scale = s;
    logBtn.setAttribute("aria-pressed", String(s === "log"));
    linBtn.setAttribute("aria-pressed", String(s === "linear"));
    plot.draw(spec());
  }
  toolbar.appendChild(el("span", "rnn-note", "y scale:"));
  toolbar.appendChild(logBtn);
  toolbar.appendChild(linBtn);
  toolbar.appendChild(savePngButton(plot.canvas, "gradient-norms.png"));
  toolbar.appendChild(saveSvgButton("gradient-norms.svg", () => gradNormsSvg({ ...p, yScale: scale })));
  root.appendChild(seriesLegend(series));
  const zeros = p.series.some((s) => s.values.some((v) => v !== null && v <= 0));
  if (zeros) root.appendChild(el("div", "rnn-note", "Some norms are exactly 0 (e.g. outside a truncated-BPTT window); the log scale leaves them out — switch to linear to see them."));
}
