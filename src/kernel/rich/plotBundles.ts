/**
 * Line-plot outputs: gradient norms per timestep (gradnorms+json) and training progress
 * (training+json), each with an image/svg+xml fallback and text/plain.
 */
import { MIME, type MimeBundle } from "../../shared/mime";
import type { GradNormsPayload, TrainingPayload } from "../../shared/payloads";
import { formatNumber } from "../../shared/scale";
import { SERIES_COLORS } from "../../shared/colormaps";
import { linePlotSvg, type SvgSeries } from "./markup";

/** x positions of truncated-BPTT window boundaries: every k steps counted back from the last step. */
export function tbpttBoundaries(steps: number[], k: number): number[] {
  if (!(k >= 1) || steps.length === 0) return [];
  const last = steps[steps.length - 1];
  const first = steps[0];
  const out: number[] = [];
  for (let b = last - k + 0.5; b > first && out.length < 1000; b -= k) out.push(b);
  return out.reverse();
}

export function gradNormsBundle(p: GradNormsPayload): MimeBundle {
  // one colour per (model, layer), as in the renderer: ‖∂L/∂c_t‖ is the dashed twin of its ‖∂L/∂h_t‖
  const keys: string[] = [];
  const series: SvgSeries[] = p.series.map((s) => {
    const key = `${s.model}\u0000${s.layer}`;
    if (!keys.includes(key)) keys.push(key);
    return { label: s.label, x: p.steps, y: s.values, dashed: s.quantity === "c", color: SERIES_COLORS[keys.indexOf(key) % SERIES_COLORS.length] };
  });
  const svg = linePlotSvg({
    title: p.title ?? "Gradient norm per timestep",
    xLabel: "timestep t",
    yLabel: "‖∂L/∂h_t‖",
    yScale: p.yScale,
    series,
    hLines: p.clipThreshold !== undefined ? [{ y: p.clipThreshold, label: `clip ${formatNumber(p.clipThreshold)}` }] : [],
    vLines: p.tbptt ? tbpttBoundaries(p.steps, p.tbptt).map((x) => ({ x, label: "" })) : [],
    note: p.trueSteps ? `${p.steps.length} of ${p.trueSteps} steps (block means)` : undefined,
  });
  const lines = [`${p.title ?? "Gradient norm per timestep"}${p.loss ? ` (loss ${p.loss})` : ""} — ${p.steps.length} timesteps${p.trueSteps ? ` (of ${p.trueSteps}, block means)` : ""}`];
  for (const s of p.series) {
    const first = s.values.find((v) => v !== null) ?? null;
    const last = [...s.values].reverse().find((v) => v !== null) ?? null;
    const ratio = first !== null && last !== null && last !== 0 ? first / last : null;
    lines.push(`  ${s.label}: t=${p.steps[0]} ${formatNumber(first)} … t=${p.steps[p.steps.length - 1]} ${formatNumber(last)}${ratio !== null ? `  (first/last ${formatNumber(ratio, 3)})` : ""}`);
  }
  if (p.clipThreshold !== undefined) lines.push(`  clip threshold ${formatNumber(p.clipThreshold)}`);
  if (p.tbptt) lines.push(`  truncated BPTT window ${p.tbptt}`);
  return { [MIME.gradNorms]: p, "image/svg+xml": svg, "text/plain": lines.join("\n") };
}

function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** "Epoch 3/20 · batch 12/16 · loss 0.0123 · val loss 0.015 · 4s" */
export function trainingLine(p: TrainingPayload): string {
  const parts = [`Epoch ${p.epoch}/${p.epochs}`, `batch ${p.batch}/${p.batches}`, `loss ${formatNumber(p.loss)}`];
  for (const s of p.series) {
    if (s.label === "loss") continue;
    const last = [...s.values].reverse().find((v) => v !== null);
    if (last !== undefined) parts.push(`${s.label} ${formatNumber(last)}`);
  }
  parts.push(duration(p.elapsedMs) + (p.status === "running" && p.etaMs !== null ? ` (ETA ${duration(p.etaMs)})` : ""));
  const status = p.status === "done" ? "" : p.status === "running" ? "" : ` — ${p.status}`;
  return parts.join(" · ") + status + (p.message ? `\n${p.message}` : "");
}

export function trainingBundleFromPayload(p: TrainingPayload): MimeBundle {
  const bundle: MimeBundle = { [MIME.training]: p };
  const series: SvgSeries[] = p.series.filter((s) => /loss/i.test(s.label)).map((s) => ({ label: s.label, x: p.epochsDone, y: s.values, dashed: s.label.startsWith("val") }));
  if (series.some((s) => s.y.some((v) => v !== null))) {
    const positive = series.every((s) => s.y.every((v) => v === null || v > 0));
    bundle["image/svg+xml"] = linePlotSvg({
      title: "Training",
      xLabel: "epoch",
      yLabel: "loss",
      yScale: positive ? "log" : "linear",
      series,
      note: trainingLine(p).split("\n")[0],
      height: 300,
    });
  }
  const bar = Math.round(20 * Math.min(1, p.epochs > 0 ? ((p.epoch - 1) + (p.batches > 0 ? p.batch / p.batches : 1)) / p.epochs : 1));
  bundle["text/plain"] = `[${"#".repeat(Math.max(0, bar))}${".".repeat(Math.max(0, 20 - bar))}] ${trainingLine(p)}`;
  return bundle;
}
