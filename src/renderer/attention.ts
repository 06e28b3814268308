/**
 * Attention weights: one heatmap, target (output) steps down, source (input) steps across, each
 * labelled with its token; weights of a softmax on the fixed 0…1 sequential scale (raw scores on
 * their own), a colour bar, hover for the pair and the weight, Save PNG.
 */
import { attentionColorScale } from "../shared/colormaps";
import type { AttentionPayload } from "../shared/payloads";
import { finiteExtent, formatNumber } from "../shared/scale";
import { availableWidth, el, EXPORT_SCALE, figureButtons, readTheme, tooltip } from "./dom";
import { fitCells, heatmap, legend, type HeatmapSpec, visibleToken } from "./heatmap";
import { t } from "./l10n";

export function renderAttention(root: HTMLElement, p: AttentionPayload): void {
  const theme = readTheme(root);
  const { rows, cols } = p;
  const title = `${p.title ?? t("attentionTitle")} · ${t("attentionBatch", { batch: p.batchIndex })}`;
  const note = p.trueShape
    ? t("attentionPooled", { rows, cols, rr: p.trueShape.rows, cc: p.trueShape.cols })
    : t("attentionSize", { rows, cols });
  root.appendChild(el("div", "rnn-title", title));
  root.appendChild(el("div", "rnn-note", note));
  const cs = attentionColorScale(finiteExtent(p.values), theme.dark);
  const toolbar = el("div", "rnn-toolbar");
  toolbar.appendChild(legend(cs, ""));
  root.appendChild(toolbar);
  const body = el("div");
  root.appendChild(body);
  const tip = tooltip(root);
  const source = (c: number) => (p.source ? visibleToken(p.source[c] ?? "") : String(c));
  const target = (r: number) => (p.target ? visibleToken(p.target[r] ?? "") : String(r));
  const { cellW, cellH } = fitCells(rows, cols, availableWidth(root) - 60, 420, 28, 4); // rows ≥ 4 px: a short target stays readable
  const spec: HeatmapSpec = {
    rows, cols,
    at: (r, c) => p.values[r * cols + c],
    colorScale: cs,
    cellW, cellH,
    xLabel: source,
    yLabel: target,
    xCaption: t("attentionSource"),
    yCaption: t("attentionTarget"),
    className: "rnn-heatmap rnn-attention",
    ariaLabel: `${t("attentionTitle")}: ${rows} × ${cols}`,
    theme, tip,
    hover: (r, c) => {
      const v = p.values[r * cols + c];
      return [`${target(r)} → ${source(c)}`, v === null ? t("missingValue") : t("attentionWeight", { v: formatNumber(v, 3) })];
    },
  };
  heatmap(body, spec);
  const figure = () => ({ title, note, panels: [{ canvas: heatmap(el("div"), { ...spec, pixelRatio: EXPORT_SCALE }), colorBar: { scale: cs, caption: "" } }] });
  for (const b of figureButtons("attention.png", figure, theme)) toolbar.appendChild(b);
}
