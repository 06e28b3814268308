/**
 * The run comparison as an output (rnn.runs.compare): the runs+json payload for the renderer, the
 * curves as image/svg+xml (as the payload shows them first) and a text/plain table of what differs
 * and each run's final value of the metric.
 */
import { MIME, type MimeBundle } from "../../shared/mime";
import type { RunsComparePayload } from "../../shared/payloads";
import { configText, finalValue } from "../../shared/runsCurves";
import { formatNumber } from "../../shared/scale";
import { runsSvg } from "../../shared/svgPlot";

/** "run 1: clipNorm none · final loss 0.0123" per run, under a header line. */
export function runsText(p: RunsComparePayload): string {
  const lines = [`${p.title ?? "Runs compared"} — ${p.runs.length} runs${p.trueRuns ? ` (the last of ${p.trueRuns})` : ""}, metric ${p.metric}, x ${p.x}, smoothing ${p.smoothing}`];
  lines.push(p.differingKeys.length === 0 ? "  configurations: the same in every key" : `  keys that differ: ${p.differingKeys.join(", ")}`);
  for (const r of p.runs) {
    const cells = p.differingKeys.map((k) => `${k} ${configText(Object.prototype.hasOwnProperty.call(r.config, k) ? r.config[k] : undefined)}`);
    const v = finalValue(r, p.metric);
    cells.push(`final ${p.metric} ${v === undefined ? "—" : formatNumber(v, 4)}`);
    lines.push(`  ${r.id} (${r.model.name}${r.interrupted ? ", interrupted" : ""}): ${cells.join(" · ")}`);
  }
  return lines.join("\n");
}

export function runsBundle(p: RunsComparePayload): MimeBundle {
  return { [MIME.runs]: p, "image/svg+xml": runsSvg(p), "text/plain": runsText(p) };
}
