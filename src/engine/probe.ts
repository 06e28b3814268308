/**
 * The training flight recorder behind fit's `probe: { x, y?, every }` option: at fixed points of a
 * fit, the recording contract (recording.ts, what `rnn.show.gates` / `rnn.show.gradientNorms` draw)
 * is taken on one fixed probe batch, so the gates and per-timestep gradient norms can be replayed over
 * training (`history.probe`, the training output's scrubber).
 *
 * When: after batch 0 (the weights fit starts from), after every `every`-th batch of this fit
 * (steps counted from 1 over all epochs, as `history.batchLoss`), and once at the end (the final
 * weights, unless that step was just taken) — also when fit is interrupted.
 *
 * What: `model.record(probe.x, probe.y, { loss, tbptt })` — every recurrent layer and direction, gates
 * [T, H] of the probe's FIRST sequence (as rnn.show.gates shows by default, not a mean over the probe
 * batch: a mean would blur the per-sequence behaviour the heatmap is for) and, with y, ‖∂L/∂h_t‖ (and
 * ‖∂L/∂c_t‖) over the whole probe batch, for fit's loss and truncated-BPTT window. Without y: gates only.
 *
 * Training is unchanged: a recording runs in inference mode with its own Rng (fit's shuffling and
 * dropout Rngs are never drawn from), changes no weight and no optimizer state, and leaves the
 * parameter gradients zeroed between batches (fit zeroes them before every batch anyway).
 *
 * Bounded: at most `maxSnapshots` (default 64) are kept. When a new one would not fit, every other
 * one is dropped (the kept steps are the multiples of twice the stride) and the stride doubles, so
 * the kept snapshots always cover the whole run evenly; `stride` and `thinned` say so. Each snapshot
 * holds the full recording (every gate [T, H] of one sequence per layer, T norms): memory is at most
 * maxSnapshots such recordings. The kernel pools them for display (src/kernel/rich/probeBundle.ts).
 *
 * Cost: one forward + backward on the probe batch per snapshot (the benchmark's row: scripts/bench/probe.mjs).
 */
import type { LossName } from "./loss";
import { checkKeys, positiveInt } from "./options";
import type { Recording, RecordingOptions } from "./recording";
import { Tensor } from "./tensor";

/** Default and bounds of `probe.maxSnapshots`. */
export const PROBE_MAX_SNAPSHOTS = 64;
const PROBE_SNAPSHOTS_RANGE = [3, 1000] as const;

/** fit's `probe` option. */
export interface ProbeOptions {
  /** The fixed probe batch: inputs as fit's x (a few sequences; the recording runs on all of them). */
  x: unknown;
  /** Its targets, as fit's y: with them the snapshots also hold the per-timestep gradient norms. */
  y?: unknown;
  /** Record after every `every`-th batch (plus batch 0 and the end). Default 50. */
  every?: number;
  /** Most snapshots kept (3 … 1000, default 64); when full, every other one is dropped and the stride doubles. */
  maxSnapshots?: number;
}

/** One snapshot: the recording of the probe batch with the weights after `step` batches. */
export interface ProbeSnapshot {
  /** Batches this fit had trained when it was taken (0: the starting weights). */
  step: number;
  /** Epoch (1-based) and batch within it (0 before the first batch) of that step. */
  epoch: number;
  batch: number;
  /** model.record(probe.x, probe.y, { loss, tbptt }): gates of sequence 0, norms over the probe batch. */
  recording: Recording;
}

/** `history.probe`: the kept snapshots and how they were thinned. */
export interface FlightRecord {
  /** Name of the model fit trained. */
  model: string;
  /** The `every` option. */
  every: number;
  /** Batches between kept snapshots now: every · 2^thinned. */
  stride: number;
  /** How many times the snapshots were thinned (every other one dropped). */
  thinned: number;
  /** Most snapshots kept. */
  maxSnapshots: number;
  /** Sequences in the probe batch (gates are of sequence 0; norms over all). */
  probeSize: number;
  /** Whether the snapshots hold gradient norms (probe.y given). */
  gradNorms: boolean;
  /** The loss and truncated-BPTT window the norms are for (fit's). */
  loss: LossName;
  tbptt?: number;
  /** In step order; at most maxSnapshots. */
  snapshots: ProbeSnapshot[];
}

/** What the probe needs of a model: fit's data conversion and the recording contract. */
export interface ProbedModel {
  readonly name: string;
  fitInputs(x: unknown, what?: string): Tensor[];
  fitTargets(y: unknown, what?: string): Tensor[];
  record?(x: unknown, y?: unknown, options?: RecordingOptions): Recording;
}

const PROBE_KEYS = ["x", "y", "every", "maxSnapshots"];

/** One tensor for a one-input model, else the list (what `record` takes). */
const arg = (ts: Tensor[]): unknown => (ts.length === 1 ? ts[0] : ts);

/** A recording that owns its arrays: a layer may reuse its recording buffers in the next forward. */
function ownRecording(r: Recording): Recording {
  return {
    ...r,
    layers: r.layers.map((l) => {
      const gates: typeof l.gates = {};
      for (const [g, t] of Object.entries(l.gates) as [keyof typeof l.gates, Tensor][]) gates[g] = new Tensor(t.data.slice(), t.shape.slice());
      const out = { ...l, gates };
      if (l.gradNorms) out.gradNorms = l.gradNorms.c ? { h: l.gradNorms.h.slice(), c: l.gradNorms.c.slice() } : { h: l.gradNorms.h.slice() };
      return out;
    }),
  };
}

/** The recorder of one fit: validated options, the probe tensors and the record being kept. */
export class FlightRecorder {
  readonly record: FlightRecord;
  private readonly xs: Tensor[];
  private readonly ys: Tensor[] | undefined;
  private readonly model: ProbedModel & Required<Pick<ProbedModel, "record">>;

  /** Validates `probe` against the model (throws with fit's wording); nothing is recorded yet. */
  constructor(model: ProbedModel, probe: ProbeOptions, loss: LossName, tbptt: number | undefined) {
    if (!probe || typeof probe !== "object" || Array.isArray(probe)) {
      throw new Error("fit: probe must be an object { x, y?, every? }, e.g. probe: { x: xTrain.slice(0, 4), y: yTrain.slice(0, 4), every: 50 }");
    }
    checkKeys(probe, PROBE_KEYS, "fit probe");
    if (probe.x === undefined || probe.x === null) throw new Error("fit: probe.x is missing: the fixed batch of sequences to record, e.g. probe: { x: xTrain.slice(0, 4), every: 50 }");
    const every = positiveInt(probe.every, "every", "fit probe", 50);
    const maxSnapshots = positiveInt(probe.maxSnapshots, "maxSnapshots", "fit probe", PROBE_MAX_SNAPSHOTS);
    if (maxSnapshots < PROBE_SNAPSHOTS_RANGE[0] || maxSnapshots > PROBE_SNAPSHOTS_RANGE[1]) {
      throw new Error(`fit probe: maxSnapshots must be from ${PROBE_SNAPSHOTS_RANGE[0]} to ${PROBE_SNAPSHOTS_RANGE[1]}, got ${maxSnapshots}`);
    }
    if (typeof model.record !== "function") throw new Error(`fit: probe: model "${model.name}" cannot be recorded (it has no record method)`);
    this.model = model as FlightRecorder["model"];
    this.xs = prefixed("probe.x", () => model.fitInputs(probe.x, "fit probe.x"));
    if (this.xs[0].shape[0] === 0) throw new Error("fit: probe.x has no sequences");
    if (probe.y !== undefined) {
      const ys = prefixed("probe.y", () => model.fitTargets(probe.y, "fit probe.y"));
      for (const t of ys) if (t.shape[0] !== this.xs[0].shape[0]) throw new Error(`fit: probe.x has ${this.xs[0].shape[0]} sequences but probe.y has ${t.shape[0]}`);
      this.ys = ys;
    }
    this.record = {
      model: model.name, every, stride: every, thinned: 0, maxSnapshots, probeSize: this.xs[0].shape[0], gradNorms: this.ys !== undefined, loss,
      ...(tbptt !== undefined ? { tbptt } : {}), snapshots: [],
    };
  }

  /** The snapshot of the starting weights; throws (before any training) when the model has no recurrent layer. */
  start(epoch: number): void {
    const rec = this.take();
    if (rec.layers.length === 0) {
      throw new Error(`fit: probe records the recurrent layers' gates, but model "${this.model.name}" has no recurrent layer (SimpleRNN, LSTM or GRU); remove the probe option`);
    }
    this.record.snapshots.push({ step: 0, epoch, batch: 0, recording: rec });
  }

  /** After a batch: a snapshot when `step` is on the stride (thinning first when full). */
  afterBatch(step: number, epoch: number, batch: number): void {
    const r = this.record;
    if (step % r.stride !== 0) return;
    while (r.snapshots.length >= r.maxSnapshots && step % r.stride === 0) this.thin();
    if (step % r.stride !== 0) return;
    r.snapshots.push({ step, epoch, batch, recording: this.take() });
  }

  /** At the end of fit: the final weights, unless the last snapshot already is of this step. */
  finish(step: number, epoch: number, batch: number): void {
    const r = this.record;
    if (r.snapshots.length > 0 && r.snapshots[r.snapshots.length - 1].step === step) return;
    while (r.snapshots.length >= r.maxSnapshots) this.thin();
    r.snapshots.push({ step, epoch, batch, recording: this.take() });
  }

  /** Keeps the snapshots on twice the stride (step 0 always is) and doubles the stride. */
  private thin(): void {
    const r = this.record;
    r.stride *= 2;
    r.thinned++;
    r.snapshots = r.snapshots.filter((s) => s.step % r.stride === 0);
  }

  private take(): Recording {
    const options: RecordingOptions = { gates: true, gradNorms: this.ys !== undefined, loss: this.record.loss, ...(this.record.tbptt ? { tbptt: this.record.tbptt } : {}) };
    return ownRecording(this.model.record(arg(this.xs), this.ys && arg(this.ys), options));
  }
}

/** Runs a conversion, saying in its error that it was the probe's data. */
function prefixed<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(message.startsWith(`fit ${what}`) ? message : `fit ${what}: ${message}`);
  }
}
