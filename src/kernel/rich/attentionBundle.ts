/**
 * Attention maps → application/vnd.rnn-notebook.attention+json + image/png + text/plain: one heatmap,
 * target steps down, source steps across, the tokens of both sides as labels. Large maps are pooled
 * into block means (`level` shrinks them further when the byte budget needs it).
 */
import type { AttentionMap } from "../../engine/attention";
import { attentionColorScale } from "../../shared/colormaps";
import { MIME, type MimeBundle } from "../../shared/mime";
import type { AttentionPayload } from "../../shared/payloads";
import { finiteExtent, formatNumber } from "../../shared/scale";
import { poolLabels, poolMatrix, roundSig } from "./downsample";
import { heatmapPngBase64 } from "./heatmapImage";

/** The payload of a map, pooled to at most maxSteps × maxSteps cells. */
export function attentionPayload(map: AttentionMap, opts: { title?: string; maxSteps: number }): AttentionPayload {
  const [trueRows, trueCols] = map.weights.shape;
  const pooled = poolMatrix(map.weights.data, trueRows, trueCols, opts.maxSteps, opts.maxSteps);
  const p: AttentionPayload = {
    rows: pooled.rows, cols: pooled.cols, values: pooled.values.map((v) => roundSig(v)), batchIndex: map.batchIndex,
  };
  if (opts.title) p.title = opts.title;
  if (pooled.downsampled) p.trueShape = { rows: trueRows, cols: trueCols };
  const labels = (tokens: string[] | undefined, index: number[], block: number) =>
    tokens && (block > 1 ? poolLabels(tokens, index, block) : tokens.map((t) => Array.from(t).slice(0, 48).join("")));
  const target = labels(map.target, pooled.rowIndex, pooled.rowBlock);
  const source = labels(map.source, pooled.colIndex, pooled.colBlock);
  if (target) p.target = target;
  if (source) p.source = source;
  return p;
}

/** For each target step, the source step it attends to most: "t → s" pairs, the alignment in words. */
function alignment(p: AttentionPayload): string {
  const name = (labels: string[] | undefined, i: number) => (labels ? JSON.stringify(labels[i]) : String(i));
  const parts: string[] = [];
  for (let r = 0; r < Math.min(p.rows, 40); r++) {
    let best = -1;
    let max = -Infinity;
    for (let c = 0; c < p.cols; c++) {
      const v = p.values[r * p.cols + c];
      if (v !== null && v > max) { max = v; best = c; }
    }
    parts.push(best < 0 ? `${name(p.target, r)} → (missing)` : `${name(p.target, r)} → ${name(p.source, best)} (${formatNumber(max, 2)})`);
  }
  return parts.join(", ") + (p.rows > 40 ? ", …" : "");
}

export function attentionBundle(p: AttentionPayload): MimeBundle {
  const shape = p.trueShape ? `${p.rows} × ${p.cols} shown of ${p.trueShape.rows} target × ${p.trueShape.cols} source steps (block means)`
    : `${p.rows} target × ${p.cols} source steps`;
  const title = `${p.title ?? "Attention weights"} — ${shape}`;
  const cs = attentionColorScale(finiteExtent(p.values));
  return {
    [MIME.attention]: p,
    "image/png": heatmapPngBase64([{ label: title, rows: p.rows, cols: p.cols, at: (r, c) => p.values[r * p.cols + c], colorScale: cs }],
      "source ->   (rows: target steps)", p.trueShape ? undefined : p.source),
    "text/plain": `${title}\nstrongest source step per target step: ${alignment(p)}`,
  };
}
