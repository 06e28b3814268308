/**
 * The flight recorder's part of the training output (TrainingPayload.probe): the engine's kept
 * snapshots (History.probe, engine/probe.ts) → one gates payload per recurrent layer and one gradient-
 * norm payload per snapshot, plus the per-layer mean forget / update gate over all kept steps.
 *
 * Size: the live output is re-sent up to 10 times a second while fit runs, so it carries only the
 * latest LIVE_SNAPSHOTS snapshots (the mean-gate lines still cover every kept step; `omitted` counts
 * the rest) within LIVE_BUDGET bytes; the final output carries every kept snapshot within half the
 * output budget. Both shrink the heatmaps (block-mean pooling, downsample.ts) until they fit; if even
 * 4 × 4 panels do not fit, the oldest sent snapshots are dropped (the final output says how many in
 * `omitted`).
 */
import type { FlightRecord, ProbeSnapshot } from "../../engine/probe";
import type { Recording } from "../../engine/recording";
import type { TrainingProbe, TrainingProbeLayer, TrainingProbeSnapshot } from "../../shared/payloads";
import { roundSig } from "./downsample";
import { gatesPayload } from "./gatesBundle";
import { gradNormSeries, gradNormsPayload } from "./plotBundles";

/** Snapshots sent with a live (running) training output. */
export const LIVE_SNAPSHOTS = 4;
/** Bytes the probe part of a live output may take (JSON characters). */
export const LIVE_BUDGET = 200_000;

/** Mean of a gate over timesteps and units (the full recording, before pooling); null when none is finite. */
function meanOf(data: ArrayLike<number>): number | null {
  let sum = 0, n = 0;
  for (let i = 0; i < data.length; i++) if (Number.isFinite(data[i])) { sum += data[i]; n++; }
  return n ? roundSig(sum / n) : null;
}

function snapshotPayload(s: ProbeSnapshot, record: FlightRecord, model: string, maxSteps: number, maxUnits: number): TrainingProbeSnapshot {
  const gates = s.recording.layers.map((l) => {
    const p = gatesPayload(l, { batchIndex: 0, maxSteps, maxUnits });
    if (typeof p === "string") throw new Error(`the probe's recording at step ${s.step}: ${p}`);
    return p;
  });
  const out: TrainingProbeSnapshot = { step: s.step, gates };
  if (record.gradNorms) {
    out.loss = roundSig(s.recording.loss);
    const series = gradNormSeries([{ model, rec: s.recording as Recording }]);
    out.gradNorms = gradNormsPayload(series, { loss: record.loss, tbptt: record.tbptt, title: "Gradient norm per timestep" }, maxSteps);
  }
  return out;
}

/**
 * The probe part of a training payload within `budget` bytes: every kept snapshot (`live` false) or
 * the latest LIVE_SNAPSHOTS (`live`), `batches` per epoch for the step labels.
 */
export function probePayload(record: FlightRecord, opts: { live: boolean; batches: number; budget: number }): TrainingProbe {
  const kept = record.snapshots;
  const layers: TrainingProbeLayer[] = (kept[0]?.recording.layers ?? []).map((l, k) => {
    const out: TrainingProbeLayer = { name: l.direction === "backward" ? `${l.name} (backward)` : l.name, type: l.type };
    const gate = l.type === "lstm" ? "f" : l.type === "gru" ? "z" : undefined;
    if (gate) out.meanGate = { gate, values: kept.map((s) => { const g = s.recording.layers[k]?.gates[gate]; return g ? meanOf(g.data) : null; }) };
    return out;
  });
  const base = {
    every: record.every, stride: record.stride, maxSnapshots: record.maxSnapshots, probeSize: record.probeSize,
    steps: kept.map((s) => s.step), batches: opts.batches, layers,
  };
  let send = opts.live ? kept.slice(-LIVE_SNAPSHOTS) : kept.slice();
  const model = record.model;
  for (;;) {
    let maxSteps = 200, maxUnits = 64;
    for (;;) {
      const snapshots = send.map((s) => snapshotPayload(s, record, model, maxSteps, maxUnits));
      const p: TrainingProbe = { ...base, snapshots };
      if (kept.length > send.length) p.omitted = kept.length - send.length;
      if (JSON.stringify(p).length <= opts.budget) return p;
      if (maxSteps <= 4 && maxUnits <= 4) break;
      maxSteps = Math.max(4, maxSteps >> 1);
      maxUnits = Math.max(4, maxUnits >> 1);
    }
    if (send.length <= 1) return { ...base, snapshots: [], omitted: kept.length };
    // Even the smallest heatmaps do not fit: keep every other snapshot, the latest always.
    send = send.filter((_, i) => (send.length - 1 - i) % 2 === 0);
  }
}
