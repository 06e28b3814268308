/**
 * Where a non-finite value first appeared, for fit's NaN/Inf stop (fit.ts): when the loss or the
 * gradient of a batch is NaN or ±Infinity, the batch is run again with recording on (the recording
 * contract, recording.ts) and scanned in the order the values were computed:
 *
 *   1. the inputs, sample by sample, t by t (an Infinity in the data is the commonest cause);
 *   2. the forward pass: recurrent layer by layer (model order), t = 0 … T−1, each gate / state in
 *      CELL_FACTS order (LSTM i, f, g, o, c, h) — the earliest (layer, t, gate) over all sequences;
 *   3. with a finite loss (so the gradient went bad), the backward pass: ‖∂L/∂h_t‖ per timestep, last
 *      recurrent layer first and t = T−1 … 0, since BPTT runs in that order.
 *
 * The result is one sentence for the error message, or undefined when nothing recordable is
 * non-finite (the output layers or the loss itself overflowed). The recording runs in inference mode
 * (no dropout), so a blow-up that only a dropout mask causes can go unseen; the sentence then says the
 * recurrent layers stayed finite.
 */
import { CELL_FACTS, GATE_LABELS } from "./layerFacts";
import type { LossName } from "./loss";
import type { Recording, RecordingOptions } from "./recording";
import type { Tensor } from "./tensor";

/** What the trap needs of a model: `record` as both model families have it. */
export interface TrapModel {
  record?(x: unknown, y?: unknown, options?: RecordingOptions): Recording;
}

/** A found value: where it is and what it was. */
interface Found {
  layer: number;
  t: number;
  gate: number;
  text: string;
}

const describe = (v: number): string => (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");

/** First sample (row of the batch) and timestep where input i holds a non-finite value, as a sentence. */
function scanInputs(xs: Tensor[]): string | undefined {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const B = x.shape[0];
    const T = x.shape.length >= 2 ? x.shape[1] : 1;
    const perStep = x.size / Math.max(1, B * T);
    let first: { s: number; t: number; v: number } | undefined;
    for (let s = 0; s < B; s++) {
      for (let t = 0; t < T && (!first || t < first.t); t++) {
        for (let k = 0; k < perStep; k++) {
          const v = x.data[(s * T + t) * perStep + k];
          if (!Number.isFinite(v)) {
            first = { s, t, v };
            break;
          }
        }
      }
    }
    if (first) return `the input${xs.length > 1 ? ` ${i}` : ""} is ${describe(first.v)} at t = ${first.t} (sequence ${first.s} of the batch)`;
  }
  return undefined;
}

/** Row `s` of each tensor, batch axis kept (a batch of one). */
const row = (ts: Tensor[], s: number): Tensor[] => ts.map((t) => t.slice(s, s + 1));
/** What record takes: one tensor for a one-input model, else the list. */
const arg = (ts: Tensor[]): unknown => (ts.length === 1 ? ts[0] : ts);

/** The earliest non-finite gate/state of the forward pass over every sequence of the batch. */
function scanForward(model: Required<TrapModel>, xs: Tensor[]): Found | undefined {
  let best: Found | undefined;
  const B = xs[0].shape[0];
  for (let s = 0; s < B; s++) {
    // One sequence at a time: the recording keeps the gates of one sequence, and B batches of one cost one batch.
    const rec = model.record(arg(row(xs, s)), undefined, { gates: true });
    for (const l of rec.layers) {
      const names = CELL_FACTS[l.type].gates;
      names.forEach((g, gi) => {
        const v = l.gates[g];
        if (!v) return;
        const [T, H] = v.shape;
        for (let t = 0; t < T; t++) {
          if (best && (l.index > best.layer || (l.index === best.layer && (t > best.t || (t === best.t && gi >= best.gate))))) break;
          for (let j = 0; j < H; j++) {
            const x = v.data[t * H + j];
            if (Number.isFinite(x)) continue;
            best = { layer: l.index, t, gate: gi,
              text: `layer ${l.index} "${l.name}"${l.direction === "backward" ? " (backward direction)" : ""} ${GATE_LABELS[g]} at t = ${t} (value ${describe(x)}, unit ${j}, sequence ${s} of the batch)` };
            break;
          }
        }
      });
    }
  }
  return best;
}

/** The first non-finite ‖∂L/∂h_t‖ in backward order: last recurrent layer first, t from the end. */
function scanBackward(model: Required<TrapModel>, xs: Tensor[], ys: Tensor[], loss: LossName, tbptt: number | undefined): string | undefined {
  const rec = model.record(arg(xs), arg(ys), { gates: false, gradNorms: true, loss, ...(tbptt ? { tbptt } : {}) });
  for (let k = rec.layers.length - 1; k >= 0; k--) {
    const l = rec.layers[k];
    const series: [string, Float64Array | undefined][] = [["‖∂L/∂c_t‖", l.gradNorms?.c], ["‖∂L/∂h_t‖", l.gradNorms?.h]];
    for (let t = (l.gradNorms?.h.length ?? 0) - 1; t >= 0; t--) {
      for (const [name, norms] of series) {
        if (norms && !Number.isFinite(norms[t])) return `layer ${l.index} "${l.name}" gradient ${name} at t = ${t} in the backward pass (value ${describe(norms[t])})`;
      }
    }
  }
  return undefined;
}

/**
 * One sentence naming the first non-finite value of the batch (xs, ys): in the inputs, the forward's
 * gates and states, or (when `gradient`) the backward's per-timestep gradient norms; undefined when the
 * model cannot record or nothing recorded is non-finite.
 */
export function locateNonFinite(model: TrapModel, xs: Tensor[], ys: Tensor[], options: { loss: LossName; tbptt?: number; gradient: boolean }): string | undefined {
  const input = scanInputs(xs);
  if (typeof model.record !== "function") return input;
  const m = model as Required<TrapModel>;
  try {
    const forward = scanForward(m, xs);
    const parts = [input, forward && `first non-finite value in ${forward.text}`].filter(Boolean);
    if (forward || !options.gradient) {
      if (!forward && parts.length === 0) parts.push("the recurrent layers' gates and states stay finite (recorded without dropout), so the output layers or the loss overflowed");
      return parts.join("; ");
    }
    const backward = scanBackward(m, xs, ys, options.loss, options.tbptt);
    if (backward) parts.push(`first non-finite gradient at ${backward}`);
    return parts.length ? parts.join("; ") : undefined;
  } catch {
    // The diagnosis must never hide the original failure (a model whose record refuses these inputs).
    return input;
  }
}
