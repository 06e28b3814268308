/**
 * One layer of an engine recording → application/vnd.rnn-notebook.gates+json + image/png + text/plain.
 * One panel per recorded gate, in the order and with the names of the engine's layer facts, each time × unit: the engine
 * already gives every gate as [T, H] for the one sequence shown.
 */
import { MIME, type MimeBundle } from "../../shared/mime";
import type { GatePanel, GatesPayload } from "../../shared/payloads";
import { gateColorScale } from "../../shared/colormaps";
import { formatNumber } from "../../shared/scale";
import { CELL_FACTS, GATE_LABELS, SIGMOID_GATES } from "../../engine/layerFacts";
import type { RecurrentRecording } from "../../engine/recording";
import { poolLabels, poolMatrix, roundSig } from "./downsample";
import { heatmapPngBase64 } from "./heatmapImage";

export interface GatesOptions {
  /** The sequence of the batch the recording holds. */
  batchIndex: number;
  tokens?: string[];
  model?: string;
  /** Most timesteps / units shown per panel (the kernel shrinks these to fit the byte budget). */
  maxSteps: number;
  maxUnits: number;
}

/** Builds the payload, or returns an error message when the recording has no usable gate. */
export function gatesPayload(layer: RecurrentRecording, opts: GatesOptions): GatesPayload | string {
  const names = CELL_FACTS[layer.type].gates.filter((g) => layer.gates[g] !== undefined);
  if (names.length === 0) return `layer ${layer.index} (${layer.name}) has no recorded gates (expected ${CELL_FACTS[layer.type].gates.join(", ")})`;
  const panels: GatePanel[] = [];
  let trueShape: { timesteps: number; units: number } | undefined;
  let stepIndex: number[] = [];
  let unitIndex: number[] = [];
  let rowBlock = 1;
  for (const g of names) {
    const gate = layer.gates[g]!; // [T, H]
    const m = { rows: gate.shape[0], cols: gate.shape[1], values: gate.data };
    if (trueShape && (m.rows !== trueShape.timesteps || m.cols !== trueShape.units)) {
      return `gate ${g} has shape ${m.rows}×${m.cols}, other gates ${trueShape.timesteps}×${trueShape.units}`;
    }
    trueShape = { timesteps: m.rows, units: m.cols };
    const pooled = poolMatrix(m.values, m.rows, m.cols, opts.maxSteps, opts.maxUnits);
    stepIndex = pooled.rowIndex;
    unitIndex = pooled.colIndex;
    rowBlock = pooled.rowBlock;
    const values = pooled.values.map((v) => roundSig(v));
    const panel: GatePanel = { gate: g, label: GATE_LABELS[g], scale: SIGMOID_GATES.has(g) ? "sigmoid" : "tanh", values };
    if (g === "c" || (g === "h" && layer.type === "simpleRNN")) {
      // c is unbounded; SimpleRNN h is unbounded with a non-tanh activation: widen the domain when needed.
      let max = 1;
      for (const v of values) if (v !== null && Math.abs(v) > max) max = Math.abs(v);
      if (max > 1) panel.domain = [-roundSig(max, 3)!, roundSig(max, 3)!];
    }
    panels.push(panel);
  }
  const shape = trueShape!;
  const payload: GatesPayload = {
    // The payload has no direction field: a backward direction is told apart in the shown name.
    layer: { index: layer.index, name: layer.direction === "backward" ? `${layer.name} (backward)` : layer.name, type: layer.type },
    batchIndex: opts.batchIndex,
    trueShape: shape,
    timesteps: stepIndex.length,
    units: unitIndex.length,
    stepIndex,
    unitIndex,
    panels,
  };
  if (opts.model) payload.model = opts.model;
  if (opts.tokens && opts.tokens.length > 0) {
    const tokens = opts.tokens.slice(0, shape.timesteps).map((t) => String(t));
    while (tokens.length < shape.timesteps) tokens.push("");
    payload.tokens = rowBlock > 1 ? poolLabels(tokens, stepIndex, rowBlock) : tokens.map((t) => Array.from(t).slice(0, 48).join(""));
  }
  return payload;
}

export function gatesTitle(p: GatesPayload): string {
  return `${p.model ? p.model + " · " : ""}${CELL_FACTS[p.layer.type].className} layer ${p.layer.index} (${p.layer.name}) · sequence ${p.batchIndex}`;
}

export function sizeNote(p: GatesPayload): string {
  const { timesteps: T, units: U } = p.trueShape;
  return p.timesteps === T && p.units === U
    ? `${T} timesteps × ${U} units`
    : `${p.timesteps} × ${p.units} shown of ${T} timesteps × ${U} units (block means)`;
}

/** The full bundle for a gates payload. */
export function gatesBundle(p: GatesPayload): MimeBundle {
  const panels = p.panels.map((panel) => ({
    label: panel.label, // "input gate i": the name ends with its letter
    rows: p.units, // units along y
    cols: p.timesteps, // time along x
    at: (r: number, c: number) => panel.values[c * p.units + r],
    colorScale: panel.domain
      ? { ...gateColorScale("tanh"), domain: panel.domain }
      : gateColorScale(panel.scale),
  }));
  const text = [
    `${gatesTitle(p)}: gates ${p.panels.map((x) => x.gate).join(", ")} — ${sizeNote(p)}`,
    ...p.panels.map((panel) => {
      let sum = 0, n = 0, lo = Infinity, hi = -Infinity;
      for (const v of panel.values) if (v !== null) { sum += v; n++; lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const missing = panel.values.length - n;
      if (n === 0) return `  ${panel.gate} (${panel.label}): all ${missing} values missing (NaN/Infinity)`;
      return `  ${panel.gate} (${panel.label}): mean ${formatNumber(sum / n, 3)}, min ${formatNumber(lo, 3)}, max ${formatNumber(hi, 3)}${missing ? `, ${missing} missing` : ""}`;
    }),
  ];
  return {
    [MIME.gates]: p,
    "image/png": heatmapPngBase64(panels, `time ->  ${sizeNote(p)}`, p.timesteps === p.trueShape.timesteps ? p.tokens : undefined, `${gatesTitle(p)}: gates`),
    "text/plain": text.join("\n"),
  };
}
