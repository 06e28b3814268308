/**
 * Line-plot outputs: gradient norms per timestep (gradnorms+json) and training progress
 * (training+json), each with an image/svg+xml fallback and text/plain.
 */
import { MIME, type MimeBundle } from "../../shared/mime";
import type { GradNormSeries, GradNormsPayload, TrainingPayload, TrainingProbe } from "../../shared/payloads";
import { CELL_FACTS } from "../../engine/layerFacts";
import type { Recording } from "../../engine/recording";
import { poolSeries, roundSig } from "./downsample";
import type { GradNormsShowOptions } from "./index";
import { formatNumber } from "../../shared/scale";
import { gradNormsSvg, trainingLine, trainingSvg } from "../../shared/svgPlot";

export { tbpttBoundaries, trainingLine } from "../../shared/svgPlot";

/** The per-timestep norm series of recordings: one per model, recurrent layer, direction and quantity (h, and c for LSTM). */
export function gradNormSeries(recs: { model: string; rec: Recording }[]): { raw: Omit<GradNormSeries, "values">[]; steps: number[]; padded: (number | null)[][] } {
  const raw: Omit<GradNormSeries, "values">[] = [];
  const values: number[][] = [];
  for (const { model, rec } of recs) {
    if (rec.layers.length === 0) throw new Error(`rnn.show.gradientNorms: model "${model}" has no recurrent layer, so there are no per-timestep norms`);
    for (const l of rec.layers) {
      // "LSTM · ‖∂L/∂h_t‖" for a one-layer model named after its type, "lm · LSTM L1 · …" in a stack
      const type = CELL_FACTS[l.type].className;
      const base = (rec.layers.length > 1 ? `${model} · ${type} L${l.index}`
        : model.toLowerCase().includes(type.toLowerCase()) ? model : `${model} · ${type}`) + (l.direction === "backward" ? " backward" : "");
      if (!l.gradNorms) continue;
      raw.push({ label: `${base} · ‖∂L/∂h_t‖`, model, layer: l.index, quantity: "h" }); values.push(Array.from(l.gradNorms.h));
      if (l.gradNorms.c) { raw.push({ label: `${base} · ‖∂L/∂c_t‖`, model, layer: l.index, quantity: "c" }); values.push(Array.from(l.gradNorms.c)); }
    }
  }
  const T = Math.max(0, ...values.map((v) => v.length));
  const steps = Array.from({ length: T }, (_, i) => i + 1);
  const padded: (number | null)[][] = values.map((v) => (v.length === T ? v : [...v, ...new Array<null>(T - v.length).fill(null)]));
  return { raw, steps, padded };
}


/** The gradient-norm payload of `gradNormSeries`, pooled to at most maxPoints timesteps. */
export function gradNormsPayload({ raw, steps, padded }: ReturnType<typeof gradNormSeries>, opts: GradNormsShowOptions, maxPoints: number): GradNormsPayload {
  const pooled = poolSeries(steps, padded, maxPoints);
  const p: GradNormsPayload = {
    steps: pooled.steps,
    series: raw.map((s, i) => ({ ...s, values: pooled.values[i].map((v) => roundSig(v)) })),
    yScale: opts.yScale ?? "log",
    title: opts.title ?? "Gradient norm per timestep",
  };
  if (opts.loss) p.loss = opts.loss;
  if (pooled.block > 1) p.trueSteps = pooled.trueSteps;
  if (typeof opts.clipThreshold === "number" && opts.clipThreshold > 0) p.clipThreshold = opts.clipThreshold;
  if (opts.tbptt !== undefined) p.tbptt = opts.tbptt;
  return p;
}

/** The flight recorder in one line of text: snapshots kept and each layer's mean forget / update gate from first to last. */
function probeLine(p: TrainingProbe): string {
  const gates = p.layers.filter((l) => l.meanGate).map((l) => {
    const v = l.meanGate!.values;
    return `${l.name} mean ${l.meanGate!.gate === "f" ? "forget" : "update"} gate ${formatNumber(v[0] ?? null)} → ${formatNumber(v[v.length - 1] ?? null)}`;
  });
  return `Flight recorder: ${p.steps.length} snapshots, every ${p.stride} batches${gates.length ? `; ${gates.join("; ")}` : ""}`;
}

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
  if (p.probe) bundle["text/plain"] += `\n${probeLine(p.probe)}`;
  return bundle;
}
