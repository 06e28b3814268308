/**
 * Live training output: progress bar, status line, loss / validation-loss curve per epoch (per-batch
 * loss faint behind it when sent), the per-batch global gradient norm before / after clipping, and
 * the flight recorder's scrubber (probe.ts) when fit had a probe.
 * The kernel replaces the output in place (same displayId); each update re-renders this view.
 */
import type { TrainingPayload } from "../shared/payloads";
import { formatNumber } from "../shared/scale";
import { trainingSvg } from "../shared/svgPlot";
import { availableWidth, el, EXPORT_SCALE, figureButtons, readTheme, saveSvgButton, tooltip } from "./dom";
import { seriesColor } from "./gradNorms";
import { linePlot, seriesLegend, type LineSeries } from "./linePlot";
import { t as tr } from "./l10n";
import { renderProbe } from "./probe";

function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

export function progressFraction(p: TrainingPayload): number {
  if (p.status === "done") return 1;
  if (!(p.epochs > 0)) return 0;
  const within = p.batches > 0 ? p.batch / p.batches : 0;
  return Math.max(0, Math.min(1, (Math.max(0, p.epoch - 1) + within) / p.epochs));
}

export function renderTraining(root: HTMLElement, p: TrainingPayload): void {
  const theme = readTheme(root);
  const frac = progressFraction(p);
  const bar = el("div", "rnn-progress");
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", "100");
  bar.setAttribute("aria-valuenow", String(Math.round(frac * 100)));
  const fill = el("div");
  fill.style.width = `${(frac * 100).toFixed(1)}%`;
  if (p.status === "failed") fill.style.background = theme.error;
  bar.appendChild(fill);
  root.appendChild(bar);
  // While running: the latest batch loss, then the last finished epoch's values; when finished, the
  // epoch values only (a single batch's loss next to the epoch curve would read as a contradiction).
  const parts = [tr("epochOf", { e: p.epoch, n: p.epochs }), tr("batchOf", { b: p.batch, n: p.batches })];
  const epochLoss = p.series.find((s) => s.label === "loss")?.values.filter((v) => v !== null).pop();
  if (p.status === "running" || epochLoss === undefined) parts.push(tr(p.status === "running" ? "batchLossValue" : "lossValue", { v: formatNumber(p.loss) }));
  for (const s of p.series) {
    const last = [...s.values].reverse().find((v) => v !== null);
    if (last !== undefined) parts.push(s.label === "loss" ? tr("lossValue", { v: formatNumber(last) }) : `${s.label} ${formatNumber(last)}`);
  }
  parts.push(`${duration(p.elapsedMs)}${p.status === "running" && p.etaMs !== null ? ` · ${tr("eta", { t: duration(p.etaMs) })}` : ""}`);
  const statusWord = tr(p.status);
  // One line that never wraps (a live status that changes height as it updates makes the notebook
  // jump); what does not fit is cut with an ellipsis and kept whole in the tooltip.
  const status = el("div", "rnn-status", `${parts.join(" · ")} — ${statusWord}`);
  status.title = status.textContent ?? "";
  root.appendChild(status);
  if (p.message) root.appendChild(el("div", p.status === "failed" ? "rnn-error" : "rnn-note", p.message));

  const tip = tooltip(root);
  const width = Math.min(availableWidth(root), 720);
  const series: LineSeries[] = [];
  const perEpoch = p.batchLoss && p.batches > 0 && p.batchLoss.steps.length > 0;
  if (perEpoch) {
    // per-batch loss on the epoch axis (batch k of the run ↔ epoch k / batches), faint
    series.push({ label: tr("batchLoss"), x: p.batchLoss!.steps.map((s) => s / p.batches), y: p.batchLoss!.values, color: theme.dark ? "rgba(200,200,200,0.35)" : "rgba(90,90,90,0.30)", lineWidth: 1 });
  }
  // Loss curves share the plot; other per-epoch metrics (perplexity, accuracy) live on other scales and
  // are reported in the status line above.
  p.series.filter((s) => /loss/i.test(s.label)).forEach((s, k) => {
    series.push({ label: s.label, x: p.epochsDone, y: s.values, color: seriesColor(k, theme), dashed: s.label.startsWith("val") });
  });
  const hasData = series.some((s) => s.y.some((v) => v !== null));
  if (hasData) {
    const positive = series.every((s) => s.y.every((v) => v === null || v > 0));
    const lossSpec = {
      series,
      yScale: positive ? "log" as const : "linear" as const,
      xLabel: tr("epoch"),
      yLabel: tr("loss"),
      integerX: true,
      width,
      height: 220,
      className: "rnn-training",
      theme,
      tip,
    };
    linePlot(root, lossSpec);
    root.appendChild(seriesLegend(series));
    const tb = el("div", "rnn-toolbar");
    const exportPlot = () => linePlot(el("div"), { ...lossSpec, pixelRatio: EXPORT_SCALE }).canvas;
    for (const b of figureButtons("training.png", () => ({ title: tr("loss"), note: `${parts.join(" · ")} — ${statusWord}`, panels: [{ canvas: exportPlot() }], legend: series }), theme)) {
      tb.appendChild(b);
    }
    tb.appendChild(saveSvgButton("training.svg", () => trainingSvg(p)));
    root.appendChild(tb);
  } else {
    // Before the first epoch ends there is no curve yet: keep the canvas (E2E and layout) with a message.
    linePlot(root, { series: [], yScale: "linear", xLabel: tr("epoch"), yLabel: tr("loss"), width, height: 120, className: "rnn-training", theme, tip });
  }
  if (p.gradNorms && p.gradNorms.steps.length > 0) {
    root.appendChild(el("div", "rnn-title", tr("gradPerBatch")));
    const g = p.gradNorms;
    const gs: LineSeries[] = [
      { label: tr("preClip"), x: g.steps, y: g.preClip, color: seriesColor(0, theme) },
      { label: tr("postClip"), x: g.steps, y: g.postClip, color: seriesColor(1, theme), dashed: true },
    ];
    const positive = gs.every((s) => s.y.every((v) => v === null || v > 0));
    linePlot(root, {
      series: gs,
      yScale: positive ? "log" : "linear",
      xLabel: tr("batch"),
      integerX: true,
      yLabel: "‖g‖",
      hLines: g.clipNorm !== undefined ? [{ y: g.clipNorm, label: tr("clipNorm", { v: formatNumber(g.clipNorm) }) }] : [],
      width,
      height: 180,
      className: "rnn-training-gradnorm",
      theme,
      tip,
    });
    root.appendChild(seriesLegend(gs));
  }
  if (p.probe) renderProbe(root, p.probe);
}
