/**
 * The flight recorder under the training output (TrainingPayload.probe): a scrubber — a slider over
 * the sent snapshots with the step label (keyboard: the range input's arrows, Home, End, PageUp/Down)
 * — replays the probe batch at that training step: each recurrent layer's gates heatmap (gates.ts)
 * and the per-timestep gradient norms (gradNorms.ts). Above it, the per-layer mean forget gate (LSTM)
 * / mean update gate (GRU) over every kept step, with the scrubbed step marked by a dashed line.
 *
 * The live output is re-rendered at each update; the scrubbed step survives that (kept per output
 * container) unless the user was on the latest step, which then follows training.
 */
import type { TrainingProbe } from "../shared/payloads";
import { formatNumber } from "../shared/scale";
import { clear, el, readTheme, tooltip, availableWidth } from "./dom";
import { renderGates } from "./gates";
import { renderGradNorms, seriesColor } from "./gradNorms";
import { linePlot, seriesLegend, type LinePlotSpec } from "./linePlot";
import { t as tr } from "./l10n";

/** Per output container: the step the user scrubbed to, or "latest" to follow training. */
const scrubbed = new WeakMap<Element, number | "latest">();

/** "after batch 150 (epoch 3, batch 30)", or "before training" for step 0. */
export function stepLabel(step: number, batches: number): string {
  if (step === 0) return tr("probeStart");
  if (!(batches > 0)) return tr("probeStep", { step, e: "?", b: "?" });
  return tr("probeStep", { step, e: Math.floor((step - 1) / batches) + 1, b: ((step - 1) % batches) + 1 });
}

export function renderProbe(root: HTMLElement, p: TrainingProbe): void {
  const theme = readTheme(root);
  const box = el("div", "rnn-probe");
  root.appendChild(box);
  box.appendChild(el("div", "rnn-title", tr("probeTitle")));
  box.appendChild(el("div", "rnn-note", tr("probeNote", { n: p.steps.length, size: p.probeSize, stride: p.stride, every: p.every, max: p.maxSnapshots })));
  if (p.omitted) {
    box.appendChild(el("div", "rnn-note", p.snapshots.length ? tr("probeOmitted", { n: p.snapshots.length, all: p.steps.length }) : tr("probeNone")));
  }
  const tip = tooltip(root);
  const width = Math.min(availableWidth(root), 720);

  // Mean forget / update gate per layer over all kept steps; the scrubbed step is a vertical line.
  const gated = p.layers.map((l, k) => ({ l, k })).filter(({ l }) => l.meanGate);
  const meanSeries = gated.map(({ l }, i) => ({
    label: tr(l.meanGate!.gate === "f" ? "probeMeanForget" : "probeMeanUpdate", { layer: l.name }),
    x: p.steps, y: l.meanGate!.values, color: seriesColor(i, theme),
  }));
  const meanSpec = (step: number | undefined): LinePlotSpec => ({
    series: meanSeries, yScale: "linear", yMinLinear: 0, xLabel: tr("probeBatch"), yLabel: tr("probeMean"), integerX: true,
    vLines: step === undefined ? [] : [{ x: step }], width, height: 160, className: "rnn-probe-meangate", theme, tip,
  });
  let meanPlot: ReturnType<typeof linePlot> | undefined;
  if (meanSeries.length) {
    box.appendChild(el("div", "rnn-note", tr("probeMeanGate")));
    meanPlot = linePlot(box, meanSpec(undefined));
    box.appendChild(seriesLegend(meanSeries));
  }
  const S = p.snapshots.length;
  if (S === 0) return;

  const scrub = el("div", "rnn-toolbar");
  const slider = el("input", "rnn-probe-scrubber");
  slider.type = "range";
  slider.min = "0";
  slider.max = String(S - 1);
  slider.step = "1";
  slider.setAttribute("aria-label", tr("probeScrub"));
  const at = el("span", "rnn-note rnn-probe-step");
  scrub.append(el("span", "rnn-note", tr("probeScrub")), slider, at);
  box.appendChild(scrub);
  const detail = el("div", "rnn-probe-detail");
  box.appendChild(detail);

  const container = root.parentElement;
  const kept = container ? scrubbed.get(container) : undefined;
  const keptIndex = typeof kept === "number" ? p.snapshots.findIndex((s) => s.step === kept) : -1;
  const show = (i: number) => {
    const s = p.snapshots[i];
    slider.value = String(i);
    slider.setAttribute("aria-valuetext", stepLabel(s.step, p.batches));
    at.textContent = stepLabel(s.step, p.batches) + (s.loss !== undefined && s.loss !== null ? ` · ${tr("probeLoss", { v: formatNumber(s.loss) })}` : "");
    box.dataset.step = String(s.step);
    meanPlot?.draw(meanSpec(s.step));
    clear(detail);
    for (const g of s.gates) renderGates(detail.appendChild(el("div", "rnn-probe-layer")), g);
    if (s.gradNorms) renderGradNorms(detail.appendChild(el("div", "rnn-probe-gradnorms")), s.gradNorms);
  };
  slider.addEventListener("input", () => {
    const i = Math.max(0, Math.min(S - 1, Number(slider.value) | 0));
    if (container) scrubbed.set(container, i === S - 1 ? "latest" : p.snapshots[i].step);
    show(i);
  });
  show(keptIndex >= 0 ? keptIndex : S - 1);
}
