/**
 * Gate heatmaps: one panel per gate (LSTM i, f, g, o, c, h · GRU r, z, n, h · SimpleRNN h), time along
 * x with the token labels, units along y. Sigmoid gates on the sequential 0..1 map, tanh quantities on
 * the diverging −1..1 map (c on ±max|c|), each with its legend. Hover: gate, t, token, unit, value.
 */
import { CELL_CLASS_NAMES, type GatesPayload } from "../shared/payloads";
import { gateColorScale } from "../shared/colormaps";
import { formatNumber } from "../shared/scale";
import type { ColorScale } from "../shared/colormaps";
import { availableWidth, button, clear, el, EXPORT_SCALE, figureButtons, readTheme, tooltip } from "./dom";
import { seriesColor } from "./gradNorms";
import { linePlot, seriesLegend } from "./linePlot";
import { blockRange, heatmap, type HeatmapSpec, legend, visibleToken } from "./heatmap";
import { t as tr, type MessageKey } from "./l10n";
import { validateGates } from "../shared/validate";
import { editableView } from "./whatIf";

/** Mean of the finite values (undefined when all are missing). */
function meanOf(values: (number | null)[]): number | undefined {
  let sum = 0;
  let n = 0;
  for (const v of values) if (v !== null) { sum += v; n++; }
  return n > 0 ? sum / n : undefined;
}

/** The gate's name in the webview's language (the payload's label is the English one). */
function gateLabel(panel: GatesPayload["panels"][number]): string {
  return tr(`gate_${panel.gate}` as MessageKey);
}

/** The view, under its what-if input bar when the payload is editable (whatIf.ts). */
export function renderGates(root: HTMLElement, p: GatesPayload): void {
  editableView(root, p, "gates", validateGates, drawGates);
}

function drawGates(root: HTMLElement, p: GatesPayload): void {
  const theme = readTheme(root);
  const T = p.timesteps;
  const U = p.units;
  const pooled = T !== p.trueShape.timesteps || U !== p.trueShape.units;
  const layer = tr("layer", { type: CELL_CLASS_NAMES[p.layer.type], index: p.layer.index, name: p.layer.name });
  const title = (p.model ? p.model + " · " : "") + tr("gatesTitle", { layer, batch: p.batchIndex });
  const note = pooled
    ? tr("gatesPooled", { t: T, u: U, tt: p.trueShape.timesteps, uu: p.trueShape.units })
    : tr("gatesSize", { t: T, u: U });
  root.appendChild(el("div", "rnn-title", title));
  root.appendChild(el("div", "rnn-note", note));
  const toolbar = el("div", "rnn-toolbar");
  root.appendChild(toolbar);
  const panels = el("div", "rnn-panels");
  root.appendChild(panels);
  // Each panel's heatmap spec, caption and colour bar: the exported image draws them again at EXPORT_SCALE.
  const drawn: { spec: HeatmapSpec; caption: string; colorBar: { scale: ColorScale; caption: string } }[] = [];
  const figure = () => ({
    title, note,
    panels: drawn.map((d) => ({ canvas: heatmap(el("div"), { ...d.spec, pixelRatio: EXPORT_SCALE }), caption: d.caption, colorBar: d.colorBar })),
  });
  for (const b of figureButtons(`gates-${p.layer.type}-layer${p.layer.index}.png`, figure, theme)) toolbar.appendChild(b);
  const tip = tooltip(root);

  const avail = availableWidth(root);
  const margins = 60;
  const two = (avail / 2 - margins) / T >= 10 && p.panels.length > 1;
  const raw = ((two ? avail / 2 - 12 : avail) - margins) / T;
  const cellW = raw >= 2 ? Math.min(24, Math.floor(raw)) : raw; // fractional cells: the matrix fits the width however many columns it has
  const rawH = 220 / U;
  const cellH = rawH >= 2 ? Math.min(14, Math.max(4, Math.floor(rawH))) : rawH;

  const token = (c: number) => (p.tokens ? visibleToken(p.tokens[c] ?? "") : "");
  // A clicked cell stays read out below the panels, with its unit's path through time on offer.
  const pinned = el("div", "rnn-pinned");
  const hoverLines = (panel: GatesPayload["panels"][number], r: number, c: number) => {
    const v = panel.values[c * U + r];
    const tok = p.tokens ? ` “${token(c)}”` : "";
    return [
      `${panel.gate} — ${gateLabel(panel)}`,
      `t = ${blockRange(p.stepIndex, c, p.trueShape.timesteps)}${tok}`,
      tr("hoverUnit", { u: blockRange(p.unitIndex, r, p.trueShape.units) }),
      v === null ? tr("missingValue") : tr("hoverValue", { v: formatNumber(v, 4) }) + (pooled ? tr("blockMean") : ""),
    ];
  };
  const pin = (panel: GatesPayload["panels"][number], r: number, c: number) => {
    clear(pinned);
    const unit = blockRange(p.unitIndex, r, p.trueShape.units);
    pinned.appendChild(el("div", "rnn-note", `${tr("pinned")} ${hoverLines(panel, r, c).join(" · ")}`));
    const plotBox = el("div");
    pinned.appendChild(button(tr("plotUnit", { u: unit }), () => {
      clear(plotBox);
      linePlot(plotBox, {
        series: p.panels.map((q, k) => ({ label: gateLabel(q), x: p.stepIndex, y: p.stepIndex.map((_, t) => q.values[t * U + r]), color: seriesColor(k, theme) })),
        yScale: "linear",
        yMinLinear: -1,
        xLabel: tr(p.tokens ? "timeTokens" : "timeSteps"),
        yLabel: tr("hoverUnit", { u: unit }),
        integerX: true,
        width: Math.min(avail, 640),
        height: 200,
        className: "rnn-unit-plot",
        theme,
        tip,
      });
      plotBox.appendChild(seriesLegend(p.panels.map((q, k) => ({ label: gateLabel(q), color: seriesColor(k, theme) }))));
    }));
    pinned.appendChild(plotBox);
  };
  for (const panel of p.panels) {
    const box = el("div", "rnn-panel");
    box.dataset.gate = panel.gate;
    const head = el("div", "rnn-panel-head");
    // The name ends with the gate's letter ("input gate i"): shown once.
    head.appendChild(el("span", "rnn-gate", gateLabel(panel)));
    const cs = panel.domain ? { ...gateColorScale("tanh", theme.dark), domain: panel.domain } : gateColorScale(panel.scale, theme.dark);
    const barCaption = panel.scale === "sigmoid" ? "σ" : panel.gate === "c" || panel.domain ? "" : "tanh";
    head.appendChild(legend(cs, barCaption));
    const m = meanOf(panel.values);
    if (m !== undefined) head.appendChild(el("span", "rnn-note", tr("mean", { v: formatNumber(m, 2) })));
    box.appendChild(head);
    panels.appendChild(box);
    const spec: HeatmapSpec = {
      rows: U,
      cols: T,
      at: (r, c) => panel.values[c * U + r],
      colorScale: cs,
      cellW,
      cellH,
      xLabel: (c) => (p.tokens ? token(c) : String(p.stepIndex[c])),
      yLabel: (r) => String(p.unitIndex[r]),
      xCaption: tr(p.tokens ? "timeTokens" : "timeSteps"),
      yCaption: tr("unit"),
      className: "rnn-heatmap",
      ariaLabel: `${panel.gate} — ${gateLabel(panel)}: ${T} × ${U}`,
      theme,
      tip,
      hover: (r, c) => hoverLines(panel, r, c),
      pin: (r, c) => pin(panel, r, c),
    };
    heatmap(box, spec);
    drawn.push({ spec, caption: gateLabel(panel), colorBar: { scale: cs, caption: barCaption } });
  }
  root.appendChild(pinned);
}
