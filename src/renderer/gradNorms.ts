/**
 * ‖∂L/∂h_t‖ per timestep (and dashed ‖∂L/∂c_t‖ for LSTM), one line per model and layer, log y with a
 * linear toggle, optional clip-threshold line and truncated-BPTT window markers, hover readout.
 */
import type { GradNormsPayload } from "../shared/payloads";
import { formatNumber } from "../shared/scale";
import { gradNormsSvg, tbpttBoundaries } from "../shared/svgPlot";
import { availableWidth, button, el, EXPORT_SCALE, figureButtons, readTheme, saveSvgButton, type Theme, tooltip } from "./dom";
import { linePlot, seriesLegend } from "./linePlot";
import { t as tr } from "./l10n";

const LIGHT = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8c6d00"];
const DARK = ["#56B4E9", "#E69F00", "#2fd3a0", "#e38fc4", "#ff7f3f", "#9ecbff", "#F0E442"];

/** Okabe–Ito colours, lighter variants on dark themes; one colour per model (h and c of a model share it). */
export function seriesColor(k: number, theme: Theme): string {
  const list = theme.dark ? DARK : LIGHT;
  return list[k % list.length];
}

/** ‖·‖ at the first step over ‖·‖ at the last step, when both are finite and positive. */
export function firstOverLast(values: (number | null)[]): number | undefined {
  const first = values[0];
  const last = values[values.length - 1];
  return first !== null && last !== null && first > 0 && last > 0 ? first / last : undefined;
}

export function renderGradNorms(root: HTMLElement, p: GradNormsPayload): void {
  const theme = readTheme(root);
  const title = p.title === undefined || p.title === "Gradient norm per timestep" ? tr("gradTitle") : p.title;
  const fullTitle = title + (p.loss ? tr("gradLoss", { loss: p.loss }) : "");
  root.appendChild(el("div", "rnn-title", fullTitle));
  const notes: string[] = [];
  notes.push(tr("gradSteps", { n: p.steps.length }) + (p.trueSteps ? tr("gradPooled", { n: p.trueSteps }) : "") + tr("gradSolid")
    + (p.series.some((s) => s.quantity === "c") ? tr("gradDashed") : "") + ".");
  if (p.tbptt) notes.push(tr("gradTbptt", { k: p.tbptt }));
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
    xLabel: tr("timestep"),
    integerX: true,
    yLabel: "‖∂L/∂h_t‖",
    hLines: p.clipThreshold !== undefined ? [{ y: p.clipThreshold, label: tr("clipThreshold", { v: formatNumber(p.clipThreshold) }) }] : [],
    vLines: p.tbptt ? tbpttBoundaries(p.steps, p.tbptt).map((x) => ({ x })) : [],
    width: Math.min(availableWidth(root), 900),
    height: 300,
    className: "rnn-gradnorms",
    theme,
    tip,
  });
  const plot = linePlot(root, spec());
  const logBtn = button(tr("log"), () => setScale("log"), scale === "log");
  const linBtn = button(tr("linear"), () => setScale("linear"), scale === "linear");
  function setScale(s: "log" | "linear") {
    scale = s;
    logBtn.setAttribute("aria-pressed", String(s === "log"));
    linBtn.setAttribute("aria-pressed", String(s === "linear"));
    plot.draw(spec());
  }
  toolbar.appendChild(el("span", "rnn-note", tr("yScale")));
  toolbar.appendChild(logBtn);
  toolbar.appendChild(linBtn);
  // The number the lesson is about: how much of the gradient reaching the last step survives to the first.
  const legendItems = series.map((s) => {
    const r = firstOverLast(s.y);
    return { ...s, label: r === undefined ? s.label : `${s.label}  (${tr("ratio", { first: p.steps[0], last: p.steps[p.steps.length - 1], v: formatNumber(r, 2) })})` };
  });
  // The exported image: the plot drawn again at EXPORT_SCALE, with the title, notes and legend.
  const exportPlot = () => linePlot(el("div"), { ...spec(), pixelRatio: EXPORT_SCALE }).canvas;
  for (const b of figureButtons("gradient-norms.png", () => ({ title: fullTitle, note: notes.join(" "), panels: [{ canvas: exportPlot() }], legend: legendItems }), theme)) {
    toolbar.appendChild(b);
  }
  toolbar.appendChild(saveSvgButton("gradient-norms.svg", () => gradNormsSvg({ ...p, yScale: scale })));
  root.appendChild(seriesLegend(legendItems));
  const zeros = p.series.some((s) => s.values.some((v) => v !== null && v <= 0));
  if (zeros) root.appendChild(el("div", "rnn-note", tr("gradZeros")));
}
