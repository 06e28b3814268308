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

/** A model that can be recorded (both families and every rnn.nn.Module implement it). */
export interface Recordable {
  /** Shown in titles; a user's Module may have none. */
  readonly name?: string;
  /** One forward (and, with a loss and targets, backward) pass with every gate and per-timestep gradient norm kept. */
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

// ---------------------------------------------------------------------------------------------------
// Recording from inside a forward pass (Modules, record.ts recordModule): while a recording runs,
// `module.record(name, t)` appends t ([B, H], one step) to that module's series of `name`; the
// built-in cells do the same for their gates, and the fused recurrent layers hand over their own
// per-layer recordings. Outside a recording these calls cost one check and keep nothing.

/** Per recording module: gate name (as written) → one [B, H] (or unbatched [H]) tensor per step. */
export type StepSeries = Map<string, Tensor[]>;

/** A recording in progress. */
export interface RecordingSession {
  /** Keep the gates (else only what the norms need). */
  gates: boolean;
  /** Keep ∂L/∂h_t (∂L/∂c_t) of the recorded states: their tensors retain their gradients. */
  gradNorms: boolean;
  /** Every module that recorded anything, in the order it first did. */
  owners: object[];
  /** Modules that called `record`, with their series. */
  steps: Map<object, StepSeries>;
  /** Per fused recurrent layer: its calls' own recordings, in call order (norms filled by their backward). */
  fused: Map<object, LayerRecording[][]>;
}

/** A new, empty recording. */
export function newRecordingSession(gates: boolean, gradNorms: boolean): RecordingSession {
  return { gates, gradNorms, owners: [], steps: new Map(), fused: new Map() };
}

/** Hands one call's recordings of a fused recurrent layer to the running recording (nothing without one). */
export function recordFusedCall(owner: object, recorded: LayerRecording[]): void {
  const s = session;
  if (!s) return;
  let calls = s.fused.get(owner);
  if (!calls) {
    s.fused.set(owner, (calls = []));
    if (!s.steps.has(owner)) s.owners.push(owner);
  }
  calls.push(recorded);
}

let session: RecordingSession | null = null;

/** Whether a recording is running (cells check before copying their gates out). */
export function recordingActive(): boolean {
  return session !== null;
}

/** The running recording, or null. */
export function activeRecording(): RecordingSession | null {
  return session;
}

/** Runs `fn` with `s` as the running recording (restored after, also on a throw). */
export function withRecording<T>(s: RecordingSession, fn: () => T): T {
  const before = session;
  session = s;
  try {
    return fn();
  } finally {
    session = before;
  }
}

/**
 * Appends one step of `name` for `owner` to the running recording (nothing without one). A state
 * ("h", "c" or their long names) whose norms are wanted keeps its gradient (retainGrad);
 * `gradSetByOwner`: the tensor is outside the graph and its owner sets its `.grad` itself.
 */
export function recordStep(owner: object, name: string, value: Tensor, gradSetByOwner = false): void {
  const s = session;
  if (!s) return;
  if (typeof name !== "string" || !(value instanceof Tensor)) {
    throw new Error(`record: expected record(name, tensor) inside forward, e.g. this.record("f", f) with f a [batch, hidden] tensor; got record(${typeof name}, ${value instanceof Tensor ? "Tensor" : typeof value})`);
  }
  const gate = gateOf(name);
  const state = gate === "h" || gate === "c";
  let series = s.steps.get(owner);
  if (!series) {
    s.steps.set(owner, (series = new Map()));
    if (!s.fused.has(owner)) s.owners.push(owner);
  }
  let steps = series.get(name);
  // The name is kept even when its values are not: it tells the cell type (a GRU's r and z).
  if (!steps) series.set(name, (steps = []));
  if (s.gradNorms && state && value.requiresGrad) value.retainGrad();
  else if (!s.gates && !(s.gradNorms && state && gradSetByOwner)) return;
  steps.push(value);
}

/** Long names a user may record under, → the gate letters rnn.show.gates draws. */
const GATE_ALIASES: Readonly<Record<string, GateName | "candidate">> = {
  input: "i", forget: "f", output: "o", cell: "c", hidden: "h", reset: "r", update: "z", candidate: "candidate",
};
const GATE_LETTERS: ReadonlySet<string> = new Set(["i", "f", "g", "o", "c", "h", "r", "z", "n"]);

/** The gate letter of a recorded name ("forget" → "f"), "candidate" (g or n, by cell type), or null. */
function gateOf(name: string): GateName | "candidate" | null {
  if (GATE_LETTERS.has(name)) return name as GateName;
  return GATE_ALIASES[name] ?? null;
}

/**
 * A module's series as a contract entry: the cell type from the names (r or z → GRU; i, f, g, o or c
 * → LSTM; h alone → simple RNN), gates of sequence `b` stacked over time [T, H] (when `withGates`),
 * and per-step norms of the states' gradients when `gradNorms`.
 */
export function seriesRecording(series: StepSeries, index: number, name: string, b: number, gradNorms: boolean, withGates = true): RecurrentRecording {
  const letters = new Map<string, string>(); // name as written → gate letter
  for (const key of series.keys()) {
    const g = gateOf(key);
    if (g === null) {
      throw new Error(`record: "${key}" (recorded by ${name}) is not a gate rnn.show.gates can draw; use one of ` +
        `${[...GATE_LETTERS].join(", ")} or ${Object.keys(GATE_ALIASES).join(", ")}`);
    }
    letters.set(key, g);
  }
  const used = new Set(letters.values());
  const lstmOnly = ["i", "f", "g", "o", "c"].filter((g) => used.has(g)), gruOnly = ["r", "z", "n"].filter((g) => used.has(g));
  if (lstmOnly.length && gruOnly.length) {
    throw new Error(`record: ${name} recorded LSTM gates (${lstmOnly.join(", ")}) and GRU gates (${gruOnly.join(", ")}); ` +
      "rnn.show.gates draws one cell type per module: name them as one of the two (i, f, g, o, c, h or r, z, n, h)");
  }
  const type: CellKind = used.has("r") || used.has("z") || used.has("n") ? "gru"
    : ["i", "f", "g", "o", "c"].some((g) => used.has(g)) ? "lstm" : "simpleRNN";
  const gates: Partial<Record<GateName, Tensor>> = {};
  let hSteps: Tensor[] | undefined, cSteps: Tensor[] | undefined;
  for (const [key, steps] of series) {
    if (steps.length === 0) continue;
    let g = letters.get(key)!;
    if (g === "candidate") g = type === "gru" ? "n" : "g";
    if (g === "h") hSteps = steps;
    if (g === "c") cSteps = steps;
    if (withGates) gates[g as GateName] = stackSequence(steps, b, `${name} "${key}"`);
  }
  const out: RecurrentRecording = { index, name, type, direction: "forward", gates };
  if (gradNorms && hSteps) {
    const norms = (steps: Tensor[]): Float64Array => Float64Array.from(steps, (t) => {
      let s = 0;
      if (t.grad) for (const v of t.grad.data) s += v * v;
      return Math.sqrt(s);
    });
    out.gradNorms = cSteps && type === "lstm" ? { h: norms(hSteps), c: norms(cSteps) } : { h: norms(hSteps) };
  }
  return out;
}

/** Row b of every step's [B, H] (or the [H] of an unbatched step) stacked as [T, H]. */
function stackSequence(steps: Tensor[], b: number, what: string): Tensor {
  const first = steps[0];
  const H = first.shape[first.rank - 1];
  const out = new Float64Array(steps.length * H);
  steps.forEach((t, s) => {
    const B = t.rank === 1 ? 1 : t.shape[0];
    if (t.rank > 2 || t.shape[t.rank - 1] !== H) {
      throw new Error(`record: ${what} must be one [batch, hidden] tensor per step; step ${s} has shape [${t.shape.join(", ")}], step 0 [${first.shape.join(", ")}]`);
    }
    checkBatchIndex(b, B, `record: ${what}`);
    out.set(t.data.subarray(b * H, (b + 1) * H), s * H);
  });
  return new Tensor(first.dtype === "float64" ? out : Float32Array.from(out), [steps.length, H]);
}
