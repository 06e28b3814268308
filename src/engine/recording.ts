/**
 * The recording contract: what `model.record(x, y?, options)` takes and returns, the same for every
 * model family (`rnn.sequential` models, the `rnn.nn` recurrent modules, later autograd models). It is
 * the data behind `rnn.show.gates` and `rnn.show.gradientNorms`; the kernel turns it into outputs and
 * never reshapes, guesses layouts or retries with other options.
 *
 * Dimension letters: B batch, T timesteps, H units (hiddenSize) of one direction of one layer.
 * A recording is synchronous and holds:
 *   loss                  the loss for y, when y was given
 *   layers[k].gates       gate name → [T, H] for the ONE sequence `batchIndex` of the batch, input time
 *                         order (also for a backward direction), in the order of CELL_FACTS[type].gates
 *   layers[k].gradNorms   ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖, LSTM) for t = 0 … T−1 over the whole batch
 *                         (Frobenius norm of the [B, H] slice), with y only
 * One entry per recurrent layer and direction, in model order, forward before backward.
 */
import type { GateName, LayerRecording } from "./layer";
import { CELL_FACTS, type CellKind } from "./layerFacts";
import { checkLossName, type LossName } from "./loss";
import { bool, positiveInt } from "./options";
import { Tensor, type TensorLike } from "./tensor";

/** Options of `record(x, y?, options)`. */
export interface RecordingOptions {
  /** Loss for y: "mse" (default), "crossEntropy", "binaryCrossEntropy". */
  loss?: LossName;
  /** Record gate activations (default true). */
  gates?: boolean;
  /** Record ‖∂L/∂h_t‖ per timestep (default: when y is given; needs y). */
  gradNorms?: boolean;
  /** Truncated BPTT window k for the backward pass (as fit's `tbptt`): norms are 0 before the last window's reach. */
  tbptt?: number;
  /** Which sequence of the batch the gates are returned for (default 0). */
  batchIndex?: number;
  /** Only this recurrent layer: an index in `model.layers` (Keras family) or the stacked layer l (`rnn.nn`). Default: all. */
  layer?: number;
}

/** One direction of one recurrent layer in a recording. */
export interface RecurrentRecording {
  /** Index of the layer in `model.layers` (Keras family) or of the stacked layer l (`rnn.nn`). */
  index: number;
  /** Layer name (`lstm`, `forward_lstm` in a bidirectional wrapper) or module name plus "layer l". */
  name: string;
  /** Cell type. */
  type: CellKind;
  /** "backward" for a reversed direction (bidirectional, goBackwards); its arrays still follow input time. */
  direction: "forward" | "backward";
  /** Gate name → [T, H] activations of sequence `batchIndex`, keys in CELL_FACTS[type].gates order ({} without `gates`). */
  gates: Partial<Record<GateName, Tensor>>;
  /** Per-timestep gradient norms over the batch (with y and `gradNorms`); `c` for LSTM only. */
  gradNorms?: { h: Float64Array; c?: Float64Array };
}

/** What `record` returns. */
export interface Recording {
  /** Loss for y, when y was given. */
  loss?: number;
  /** The sequence the gates belong to. */
  batchIndex: number;
  /** Recurrent layers and directions in model order (forward before backward). */
  layers: RecurrentRecording[];
}

/** A model that can be recorded (both families implement it). */
export interface Recordable {
  readonly name: string;
  record(x: TensorLike, y?: TensorLike, options?: RecordingOptions): Recording;
}

export const RECORDING_OPTIONS = ["loss", "gates", "gradNorms", "tbptt", "batchIndex", "layer"] as const;

/** Options resolved against whether y was given; throws on contradictions (`where` prefixes messages). */
export interface ResolvedRecording {
  loss: LossName;
  gates: boolean;
  gradNorms: boolean;
  tbptt?: number;
  batchIndex: number;
  layer?: number;
}

export function resolveRecordingOptions(options: RecordingOptions, hasTarget: boolean, where: string): ResolvedRecording {
  const index = (v: unknown, what: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || (v as number) < 0) throw new Error(`${where}: ${what} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const gradNorms = bool(options.gradNorms, hasTarget, "gradNorms", where);
  // Norms are gradients of a loss: without y there is nothing to differentiate.
  if (gradNorms && !hasTarget) throw new Error(`${where}: gradNorms needs the targets y (and a loss, default "mse"): record(x, y, { gradNorms: true })`);
  const tbptt = options.tbptt;
  if (tbptt !== undefined) positiveInt(tbptt, "tbptt", where);
  return {
    loss: checkLossName(options.loss ?? "mse"),
    gates: bool(options.gates, true, "gates", where),
    gradNorms,
    tbptt,
    batchIndex: index(options.batchIndex, "batchIndex") ?? 0,
    layer: index(options.layer, "layer"),
  };
}

/** Throws unless sequence `batchIndex` exists in a batch of B. */
export function checkBatchIndex(batchIndex: number, B: number, where: string): void {
  if (batchIndex >= B) throw new Error(`${where}: batchIndex ${batchIndex} is out of range for a batch of ${B} sequence${B === 1 ? "" : "s"}`);
}

/**
 * A layer's recording (gates [B, T, H]) as a contract entry: the gates of sequence b only. Sequence b
 * is the contiguous block b of the batch-major layout, so each [T, H] tensor is a view, not a copy.
 */
export function sequenceRecording(r: LayerRecording, index: number, name: string, b: number): RecurrentRecording {
  const gates: Partial<Record<GateName, Tensor>> = {};
  for (const g of CELL_FACTS[r.type].gates) {
    const all = r.gates?.[g];
    if (!all) continue;
    const [, T, H] = all.shape;
    gates[g] = new Tensor(all.data.subarray(b * T * H, (b + 1) * T * H), [T, H]);
  }
  const out: RecurrentRecording = { index, name, type: r.type, direction: r.direction, gates };
  if (r.gradNorms) out.gradNorms = r.gradNorms;
  return out;
}
