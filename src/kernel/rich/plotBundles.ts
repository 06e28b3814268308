/**
 * Line-plot outputs: gradient norms per timestep (gradnorms+json) and training progress
 * (training+json), each with an image/svg+xml fallback and text/plain.
 */
import { MIME, type MimeBundle } from "../../shared/mime";
import type { GradNormsPayload, TrainingPayload } from "../../shared/payloads";
import { formatNumber } from "../../shared/scale";
import { gradNormsSvg, trainingLine, trainingSvg } from "../../shared/svgPlot";

export { tbpttBoundaries, trainingLine } from "../../shared/svgPlot";

export function gradNormsBundle(p: GradNormsPayload): MimeBundle {
  const svg = gradNormsSvg(p);
  const lines = [`${p.title ?? "Gradient norm per timestep"}${p.loss ? ` (loss ${p.loss})` : ""} — ${p.steps.length} timesteps${p.trueSteps ? ` (of ${p.trueSteps}, block means)` : ""}`];
  for (const s of p.series) {
    const first = s.values.find((v) => v !== null) ?? null;
    const last = [...s.values].reverse().find((v) => v !== null) ?? null;
    const ratio = first !== null && last !== null && last !== 0 && first !== 0 ? first / last : null; // 0 before a TBPTT window: no ratio
    lines.push(`  ${s.label}: t=${p.steps[0]} ${formatNumber(first)} … t=${p.steps[p.steps.length - 1]} ${formatNumber(last)}${ratio !== null ? `  (first/last ${formatNumber(ratio, 3)})` : ""}`);
  }
  if (p.clipThreshold !== undefined) lines.push(`  clip threshold ${formatNumber(p.clipThreshold)}`);
  if (p.tbptt) lines.push(`  truncated BPTT window ${p.tbptt}`);
  return { [MIME.gradNorms]: p, "image/svg+xml": svg, "text/plain": lines.join("\n") };
}

export function trainingBundleFromPayload(p: TrainingPayload): MimeBundle {
  const bundle: MimeBundle = { [MIME.training]: p };
  const svg = trainingSvg(p);
  if (svg) bundle["image/svg+xml"] = svg;
  const bar = Math.round(20 * Math.min(1, p.epochs > 0 ? ((p.epoch - 1) + (p.batches > 0 ? p.batch / p.batches : 1)) / p.epochs : 1));
  bundle["text/plain"] = `[${"#".repeat(Math.max(0, bar))}${".".repeat(Math.max(0, 20 - bar))}] ${trainingLine(p)}`;
  return bundle;
}
