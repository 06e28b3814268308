/**
 * Training loop behind `model.fit(x, y, options)`: seeded shuffling, mini-batches, loss + BPTT,
 * clipping, optimizer step, metrics, validation, callbacks, progress, interruption.
 *
 * Contract with the host (host.ts; the kernel, DESIGN §2):
 * - fit is async and yields to the event loop between batches — after any batch once ≥ 16 ms passed
 *   since the last yield, and after every epoch — so an interrupt message gets through. Then it checks
 *   `signal`: when aborted it stops at that batch boundary and RESOLVES with `history.interrupted =
 *   true`; the weights learned so far stay in the model.
 * - A NaN/±Infinity loss or gradient stops fit BEFORE the optimizer step, and an update that makes a
 *   weight non-finite is undone (either way the model keeps the last finite weights); fit then
 *   rejects with an Error naming the epoch and batch — and, for a bad loss or gradient, where the first
 *   non-finite value appeared (input, layer, gate or state, timestep; nanTrap.ts re-runs the batch with
 *   recording on) — and suggesting clipNorm or a lower learning rate; `error.history` holds the
 *   history up to that point.
 * - Progress: the host's fit observer (`observeFit`, one per fit) and `onProgress(p)` get a FitProgress
 *   at most every 100 ms, at each epoch end and once at the end with a final status; the observer's
 *   `end` follows when fit resolves or rejects. `onBatchEnd` / `onEpochEnd` after every batch / epoch.
 *   Without a `signal` option fit stops on the host's `fitSignal()` (the kernel: the cell's interrupt).
 * - Runs: a fit that resolved (done, interrupted, stopped early) or was stopped by its NaN/Inf trap is
 *   handed to the host's `fitEnded` with its options and history (the kernel appends a run record to
 *   the notebook's ledger; runs.ts) and `history.runId` names the record.
 * - Reproducible: the same seed gives bit-identical histories (shuffling and dropout masks draw from
 *   Rngs forked from `seed`; nothing reads the clock except the yield/progress timers).
 * - Resumable (`initialEpoch`, Keras's): epoch e of a resumed run sees the same Rng states as epoch e of
 *   the uninterrupted run — the shuffling Rng is fast-forwarded past the skipped epochs' permutations, and
 *   each epoch's dropout Rng is a function of (seed, epoch) — so with the weights and the optimizer state
 *   of a checkpoint (`model.save(path, { optimizer })`) the rest of the run is bit for bit the same.
 *
 * Truncated BPTT (`tbptt: k`): each sequence is processed whole in the forward pass — the state is
 * carried from window to window — but the gradient through the recurrent state is cut every k steps
 * counted back from the last timestep (windows [T−k, T), [T−2k, T−k), …; state detached at each window
 * boundary). Gradients of all windows are summed and applied as one update per batch.
 */
import { clipGradients, type ClipReport } from "./clip";
import { checkLossName, type LossName } from "./loss";
import { adam, isOptimizer, rmsprop, sgd, type Optimizer } from "./optim";
import { checkKeys, fraction, positiveInt } from "./options";
import { Rng } from "./random";
import { zeroGrads, type Param } from "./layer";
import { Tensor, type DType, type FloatArray, type TensorLike } from "./tensor";
import type { ForwardContext } from "./layer";
import { EarlyStopping, type Callback, type CallbackControl, type EpochLogs } from "./callbacks";
import { checkSchedule, type LrRun, type LrSchedule } from "./schedules";
import { host, type FitObserver } from "./host";
import type { SaveOptions } from "./serialize";
import { locateNonFinite, type TrapModel } from "./nanTrap";
import { FlightRecorder, type FlightRecord, type ProbeOptions } from "./probe";

/** What fit reads of an AbortSignal (structural, so the engine needs no DOM or Node types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

/** Per-batch and per-epoch record of a fit. Arrays are indexed by epoch (loss …) or global batch (batchLoss …). */
export interface History {
  /** Epoch numbers, 1-based, one per finished epoch. */
  epoch: number[];
  /** Mean training loss per epoch (weighted by batch size). */
  loss: number[];
  /** exp(loss) per epoch, for loss "crossEntropy". */
  perplexity?: number[];
  /** Training accuracy per epoch, with metrics: ["accuracy"]. */
  accuracy?: number[];
  /** Validation loss per epoch, with validationSplit or validationData (evaluated after each epoch, no dropout). */
  valLoss?: number[];
  /** exp(valLoss) per epoch, for loss "crossEntropy" with validation data. */
  valPerplexity?: number[];
  /** Validation accuracy per epoch, with metrics: ["accuracy"] and validation data. */
  valAccuracy?: number[];
  /** Loss of every batch, global batch order (includes the batches of an interrupted, unreported epoch). */
  batchLoss: number[];
  /** Accuracy of every batch, with metrics: ["accuracy"]. */
  batchAccuracy?: number[];
  /** Global gradient norm before/after clipping and fraction of elements clipped, per batch (with clipping or recordGradNorms). */
  preClipNorm?: number[];
  /** Global gradient norm after clipping, per batch (equals preClipNorm where nothing was clipped). */
  postClipNorm?: number[];
  /** Fraction of gradient elements the clipping changed, per batch, in [0, 1] — how often clipping bites. */
  fractionClipped?: number[];
  /** Learning rate of each epoch, with an lrSchedule. */
  lr?: number[];
  /** The flight recorder's snapshots of the probe batch, with the `probe` option: `history.probe.snapshots[k].recording` is what `model.record(probe.x, probe.y)` gave at that step. */
  probe?: FlightRecord;
  /** True when fit stopped because `signal` was aborted; a partly done epoch is then not in `epoch`/`loss`. */
  interrupted: boolean;
  /** True when a callback (e.g. earlyStopping) stopped training. */
  stoppedEarly: boolean;
  /** Epochs requested (the `epochs` option; `epoch.length` is how many finished). */
  epochs: number;
  /** Batches per epoch: ⌈training samples / batchSize⌉. */
  batchesPerEpoch: number;
  /** Wall-clock training time in milliseconds. */
  elapsedMs: number;
  /** The id of this fit's record in the notebook's run ledger (`rnn.runs.compare([history.runId, …])`), in the kernel. */
  runId?: string;
}

/** What a run record says of the model. */
function modelFacts(model: FitModel): { name: string; type: string; totalParams: number } {
  return { name: model.name, type: model.className, totalParams: model.countParams() };
}

/**
 * A progress report of `fit` — THE training report: the host's fit observer, a cell's `onProgress` and
 * the kernel's live training output (trainingBundle, src/kernel/rich) all read this one shape.
 *
 * Cheap by design: the arrays are the fit's own History arrays (and `metrics` / `gradNorms` views of
 * them), handed over without copying, so a report costs the same after 10 batches as after 10,000.
 * They are read-only for the receiver and keep growing while fit runs: read them during the call, or
 * copy what you keep. After fit settled they no longer change.
 */
export interface FitProgress {
  /** "running" while training; the final report says "done", "interrupted" (signal aborted) or "failed" (non-finite loss). */
  status: "running" | "done" | "interrupted" | "failed";
  /** Current epoch, 1-based. */
  epoch: number;
  /** Epochs requested. */
  epochs: number;
  /** Number of the first epoch this fit trains: 1, or initialEpoch + 1 for a resumed run (`losses[0]` is that epoch's). */
  firstEpoch?: number;
  /** Batches done in the current epoch. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Wall-clock milliseconds since fit started. */
  elapsedMs: number;
  /** Latest batch loss; null before the first batch finished. */
  loss: number | null;
  /** Mean training loss of each finished epoch (History.loss so far). */
  losses: readonly number[];
  /** Validation loss of each finished epoch ([] without validation data). */
  valLosses: readonly number[];
  /** Per-epoch extras by name: `perplexity` (crossEntropy), `accuracy` (metrics: ["accuracy"]). */
  metrics: Readonly<Record<string, readonly number[]>>;
  /** Loss of every batch so far, global batch order. */
  batchLosses: readonly number[];
  /** Per-batch global gradient norms before/after clipping (with clipping or recordGradNorms) and the clipNorm option. */
  gradNorms?: { readonly preClip: readonly number[]; readonly postClip: readonly number[]; readonly clipNorm?: number };
  /** Why fit failed (status "failed"), e.g. a non-finite loss, with a suggestion. */
  message?: string;
  /** The flight recorder (History.probe), with the `probe` option: snapshots are appended (and thinned) as fit runs. Read-only. */
  probe?: FlightRecord;
}

/**
 * Options of `model.fit(x, y, options)`; only `loss` is required. Defaults: epochs 1, batchSize 32, optimizer adam(),
 * shuffle true, seed 0, full BPTT. `{ epochs: 20, batchSize: 32, loss: "mse", optimizer: rnn.adam({ lr: 1e-3 }), clipNorm: 1 }`
 */
export interface FitOptions {
  /** Passes over the data: training ends after epoch `epochs` (counted from 1, including `initialEpoch`'s). Default 1. */
  epochs?: number;
  /**
   * Epochs already done (Keras's initial_epoch): training runs epochs initialEpoch+1 … epochs, with the
   * shuffling, dropout and lrSchedule of those epochs in the uninterrupted run. With the model and
   * optimizer of a checkpoint, `fit(x, y, { …, optimizer: rnn.loadOptimizer(path, model), initialEpoch: 3 })`
   * continues a run bit for bit. Default 0. Porting note: a reduceOnPlateau schedule restarts its watch.
   */
  initialEpoch?: number;
  /** Samples per batch. Default 32. */
  batchSize?: number;
  /** "mse" | "crossEntropy" | "binaryCrossEntropy". Required. */
  loss: LossName;
  /** rnn.sgd / rnn.rmsprop / rnn.adam instance or its name (defaults of that optimizer). Default adam(). */
  optimizer?: Optimizer | "sgd" | "rmsprop" | "adam";
  /** ["accuracy"] adds accuracy (crossEntropy / binaryCrossEntropy). */
  metrics?: "accuracy"[];
  /** Clip the global gradient norm to this (PyTorch clip_grad_norm_). */
  clipNorm?: number;
  /** Clip each weight's gradient norm to this (Keras clipnorm). */
  clipPerTensor?: number;
  /** Clamp gradient elements to ±this. */
  clipValue?: number;
  /** Truncated BPTT window k (see the file header). Default: full BPTT. */
  tbptt?: number;
  /** Reshuffle samples every epoch. Default true. */
  shuffle?: boolean;
  /**
   * Train on the first n batches only, in order, every epoch (Lightning's overfit_batches): the "can my
   * model overfit one batch?" check — the loss should go to about 0, or the model or data have a bug.
   * No shuffling across them; validation data stay as given.
   */
  overfitBatches?: number;
  /** Seed of shuffling and dropout masks. Default 0. */
  seed?: number;
  /** Fraction of samples (the last ones, before shuffling — as Keras) held out for valLoss. Default 0. */
  validationSplit?: number;
  /** Explicit validation set [x, y] (wins over validationSplit). */
  validationData?: [TensorLike | TensorLike[], TensorLike | TensorLike[]];
  /** e.g. [rnn.callbacks.earlyStopping({ patience: 3 })]. */
  callbacks?: Callback[];
  /**
   * The learning rate per epoch, from the optimizer's lr: `rnn.schedules.cosine({ tMax: 20 })` and the others of
   * `rnn.schedules`. The optimizer's lr is put back when fit ends, so a second fit starts where the first did.
   */
  lrSchedule?: LrSchedule;
  /** Abort to stop at the next batch boundary (fit resolves with interrupted = true). */
  signal?: AbortSignalLike;
  /** Record per-batch pre/post-clip global gradient norms even without clipping. */
  recordGradNorms?: boolean;
  /**
   * The flight recorder: `probe: { x: xTrain.slice(0, 4), y: yTrain.slice(0, 4), every: 50 }` records, on this fixed
   * batch, every recurrent layer's gates (of probe sequence 0, as rnn.show.gates) and, with y, the per-timestep
   * gradient norms ‖∂L/∂h_t‖ (over the probe batch, fit's loss and tbptt) — before training, after every `every`-th
   * batch (default 50) and at the end — into `history.probe`; the training output gets a scrubber that replays
   * them. Training is unchanged (no Rng draws, no dropout, weights and optimizer untouched). Bounded: at most
   * `maxSnapshots` (default 64, 3…1000); when full, every other one is dropped and the stride doubles. A model
   * without a recurrent layer is an error.
   */
  probe?: ProbeOptions;
  /** After every batch: epoch (1-based), batch (1-based within the epoch), its loss. */
  onBatchEnd?: (info: { epoch: number; batch: number; batches: number; loss: number; clip?: ClipReport }) => void;
  /** After every epoch: epoch (1-based) and its logs. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void;
  /** Live progress (throttled to ~10 per second, plus epoch ends and the final report). */
  onProgress?: (p: FitProgress) => void;
}

const VALID = ["epochs", "batchSize", "loss", "optimizer", "metrics", "clipNorm", "clipPerTensor", "clipValue", "tbptt", "shuffle",
  "seed", "validationSplit", "validationData", "callbacks", "lrSchedule", "signal", "recordGradNorms", "onBatchEnd", "onEpochEnd", "onProgress", "initialEpoch", "overfitBatches", "probe"];

function resolveOptimizer(o: FitOptions["optimizer"]): Optimizer {
  if (o === undefined) return adam();
  if (o === "adam") return adam();
  if (o === "sgd") return sgd();
  if (o === "rmsprop") return rmsprop();
  if (isOptimizer(o)) return o;
  throw new Error(`fit: optimizer must be rnn.sgd(…), rnn.rmsprop(…), rnn.adam(…) or one of "sgd", "rmsprop", "adam"; got ${JSON.stringify(o)}`);
}

/** Rows `idx` of t (first axis), as a new tensor. */
function gather(t: Tensor, idx: ArrayLike<number>): Tensor {
  const row = t.size / t.shape[0];
  const out = t.data instanceof Float64Array ? new Float64Array(idx.length * row) : new Float32Array(idx.length * row);
  for (let i = 0; i < idx.length; i++) out.set(t.data.subarray(idx[i] * row, (idx[i] + 1) * row), i * row);
  return new Tensor(out, [idx.length, ...t.shape.slice(1)]);
}

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** Lets interrupt messages in: the host's own way when it has one (host.ts), else a zero-delay timer. */
const yieldToEventLoop = (): Promise<void> => host().yieldToEventLoop?.() ?? new Promise((resolve) => setTimeout(resolve, 0));

/** Fewest milliseconds between two "running" progress reports inside an epoch. */
const PROGRESS_MS = 100;
/** Yield to the event loop after a batch once this many milliseconds passed since the last yield. */
const YIELD_MS = 16;

/** One batch's forward pass and loss, with the backward pass to run next (gradients accumulate). */
export interface LossStep {
  /** The batch loss (summed over a model's outputs). */
  loss: number;
  /** Backward from the loss: accumulates ∂L/∂param into every Param.grad. */
  backward(): void;
  /** Correct predictions and how many were counted (for metrics: ["accuracy"]). */
  accuracy(): { correct: number; count: number };
}

/**
 * What fit needs of a model — `rnn.sequential` (one input, one output) and `rnn.model` (several of
 * each) both implement it. Data arrive as the user passed them and are converted by the model, so
 * each model names its own inputs in error messages.
 */
export interface FitModel extends TrapModel {
  readonly name: string;
  /** "Sequential", "Functional": how a run record names the model's class (constructor names do not survive minification). */
  readonly className: string;
  countParams(): number;
  readonly dtype: DType;
  weightEntries(): { param: Param; layer: { readonly trainable: boolean } }[];
  params(): Param[];
  getWeights(): Tensor[];
  /** The whole-model file; with `{ optimizer }` a checkpoint (callbacks.modelCheckpoint). */
  save(path: string, options?: SaveOptions): void;
  setWeights(values: Tensor[]): void;
  /** x as given to fit → one batch-major tensor per model input, validated. */
  fitInputs(x: unknown, what?: string): Tensor[];
  /** y as given to fit → one tensor per model output. */
  fitTargets(y: unknown, what?: string): Tensor[];
  /** Forward + loss on one batch; the returned `backward()` accumulates the gradients. */
  lossStep(xs: Tensor[], ys: Tensor[], loss: LossName, ctx: ForwardContext): LossStep;
  /** Mean loss (and accuracy / perplexity) in inference mode, on converted tensors. */
  evaluateTensors(xs: Tensor[], ys: Tensor[], options: { loss: LossName; batchSize?: number; metrics?: string[] }): { loss: number; accuracy?: number; perplexity?: number };
}

/** The training loop; see the file header for the contract. */
export async function fit(model: FitModel, xIn: unknown, yIn: unknown, options: FitOptions): Promise<History> {
  if (!options || typeof options !== "object") throw new Error('fit: expected options, e.g. { epochs: 10, batchSize: 32, loss: "mse" }');
  const observer = host().observeFit?.();
  try {
    const history = await train(prepare(model, xIn, yIn, options, observer));
    observer?.end(history.interrupted ? "interrupted" : "done");
    const runId = host().fitEnded?.({ model: modelFacts(model), options, history });
    if (runId !== undefined) history.runId = runId;
    return history;
  } catch (e) {
    observer?.end("failed", e instanceof Error ? e.message : String(e));
    // A fit its NaN/Inf trap stopped trained for a while: a run worth comparing, and the trap's message says why it ended.
    const stopped = e as Error & { history?: History };
    if (stopped instanceof Error && stopped.history) {
      const runId = host().fitEnded?.({ model: modelFacts(model), options, history: stopped.history, failed: stopped.message });
      if (runId !== undefined) stopped.history.runId = runId;
    }
    throw e;
  }
}

/** Everything one fit works with, settled by `prepare` before the first batch. */
interface Run {
  model: FitModel;
  options: FitOptions;
  loss: LossName;
  epochs: number;
  /** Epochs already done: the first epoch trained is initialEpoch + 1. */
  initialEpoch: number;
  batchSize: number;
  tbptt: number | undefined;
  /** Draw a new sample order every epoch (shuffle, and not overfitBatches). */
  shuffle: boolean;
  optimizer: Optimizer;
  metrics: "accuracy"[];
  withAccuracy: boolean;
  clip: { clipNorm?: number; clipPerTensor?: number; clipValue?: number };
  /** Record per-batch gradient norms (clipping on, or recordGradNorms). */
  recordNorms: boolean;
  signal: AbortSignalLike | undefined;
  /** Training samples, one tensor per model input x [N, …inputShape] and output y [N, …] (after a validationSplit). */
  x: Tensor[];
  y: Tensor[];
  val: [Tensor[], Tensor[]] | undefined;
  /** ⌈N / batchSize⌉. */
  batches: number;
  shuffleRng: Rng;
  /** The dropout Rng of the current epoch (`epochDropoutRng`). */
  dropoutRng: Rng;
  /** Epoch 1's dropout Rng, and the seed of the later epochs' (see epochDropoutRng). */
  firstDropoutRng: Rng;
  dropoutSeed: number;
  /** The params the optimizer updates, their gradients, and a copy of their values to undo a bad update. */
  trainable: Param[];
  grads: FloatArray[];
  backup: FloatArray[];
  callbacks: Callback[];
  /** The lrSchedule's state for this fit, and the loss it watches. */
  schedule: { run: LrRun; monitor: "loss" | "valLoss" } | undefined;
  control: CallbackControl;
  /** Set by a callback's control.stop(). */
  stopRequested: boolean;
  /** The flight recorder, with the probe option. */
  recorder: FlightRecorder | undefined;
  history: History;
  progress: Progress;
  /** Date.now() of the last yield to the event loop. */
  lastYield: number;
}

/** Validates the options and data and sets up one fit: the split, the Rngs, the history, the progress reports. */
function prepare(model: FitModel, xIn: unknown, yIn: unknown, options: FitOptions, observer: FitObserver | undefined): Run {
  checkKeys(options, VALID, "fit");
  const loss = checkLossName(options.loss);
  const epochs = positiveInt(options.epochs, "epochs", "fit", 1);
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch > epochs) {
    throw new Error(`fit: initialEpoch must be an integer from 0 to epochs (${epochs}), got ${initialEpoch}`);
  }
  const batchSize = positiveInt(options.batchSize, "batchSize", "fit", 32);
  const tbptt = options.tbptt === undefined ? undefined : positiveInt(options.tbptt, "tbptt", "fit");
  const optimizer = resolveOptimizer(options.optimizer);
  const metrics = options.metrics ?? [];
  for (const m of metrics) if (m !== "accuracy") throw new Error(`fit: unknown metric ${JSON.stringify(m)}; valid metrics: accuracy`);
  const withAccuracy = metrics.includes("accuracy");
  const clip = { clipNorm: options.clipNorm, clipPerTensor: options.clipPerTensor, clipValue: options.clipValue };
  const clipping = clip.clipNorm !== undefined || clip.clipPerTensor !== undefined || clip.clipValue !== undefined;
  const recordNorms = clipping || !!options.recordGradNorms;
  const signal = options.signal ?? host().fitSignal?.();
  const split = fraction(options.validationSplit, "validationSplit", "fit", 0);

  let x = model.fitInputs(xIn, "fit");
  let y = model.fitTargets(yIn, "fit");
  for (const t of y) if (t.shape[0] !== x[0].shape[0]) throw new Error(`fit: x has ${x[0].shape[0]} samples but y has ${t.shape[0]}`);
  let val: [Tensor[], Tensor[]] | undefined;
  if (options.validationData) {
    val = [model.fitInputs(options.validationData[0], "fit validationData"), model.fitTargets(options.validationData[1], "fit validationData")];
  } else if (split > 0) {
    const nVal = Math.floor(x[0].shape[0] * split);
    if (nVal === 0 || nVal === x[0].shape[0]) throw new Error(`fit: validationSplit ${split} leaves no training or no validation samples`);
    val = [x.map((t) => t.slice(-nVal)), y.map((t) => t.slice(-nVal))];
    x = x.map((t) => t.slice(0, -nVal));
    y = y.map((t) => t.slice(0, -nVal));
  }
  if (options.overfitBatches !== undefined) {
    const keep = Math.min(x[0].shape[0], positiveInt(options.overfitBatches, "overfitBatches", "fit") * batchSize);
    x = x.map((t) => t.slice(0, keep));
    y = y.map((t) => t.slice(0, keep));
  }
  const shuffle = options.shuffle !== false && options.overfitBatches === undefined;
  const n = x[0].shape[0];
  if (n === 0) throw new Error("fit: x has no samples");
  const batches = Math.ceil(n / batchSize);
  const rng = new Rng(options.seed ?? 0);
  const shuffleRng = rng.fork();
  const dropoutRng = rng.fork();
  // Drawn after the two forks, so epoch 1 keeps the dropout stream fits had before resuming existed.
  const dropoutSeed = rng.nextUint32();
  // Resuming: the permutations of the skipped epochs, drawn and dropped, leave the Rng where the uninterrupted run has it.
  if (shuffle) for (let e = 0; e < initialEpoch; e++) shuffleRng.permutation(n);
  const recorder = options.probe === undefined ? undefined : new FlightRecorder(model, options.probe, loss, tbptt);
  const trainable = model.weightEntries().filter((e) => e.param.trainable && e.layer.trainable).map((e) => e.param);

  const history: History = { epoch: [], loss: [], batchLoss: [], interrupted: false, stoppedEarly: false, epochs, batchesPerEpoch: batches, elapsedMs: 0 };
  let schedule: Run["schedule"];
  if (options.lrSchedule !== undefined) {
    const s = checkSchedule(options.lrSchedule, "fit");
    const monitor = s.monitor ?? (val ? "valLoss" : "loss");
    if (monitor === "valLoss" && !val) throw new Error(`fit: the lrSchedule watches "valLoss"; pass validationSplit or validationData, or monitor "loss"`);
    schedule = { run: s.start(optimizer.lr), monitor };
    history.lr = [];
  }
  if (loss === "crossEntropy") history.perplexity = [];
  if (withAccuracy) {
    history.accuracy = [];
    history.batchAccuracy = [];
  }
  if (val) {
    history.valLoss = [];
    if (loss === "crossEntropy") history.valPerplexity = [];
    if (withAccuracy) history.valAccuracy = [];
  }
  if (recorder) history.probe = recorder.record;
  if (recordNorms) {
    history.preClipNorm = [];
    history.postClipNorm = [];
    history.fractionClipped = [];
  }
  const userProgress = options.onProgress;
  const report = observer || userProgress ? (p: FitProgress) => {
    observer?.update(p);
    userProgress?.(p);
  } : undefined;
  const start = Date.now();
  const run: Run = {
    model, options, loss, epochs, initialEpoch, batchSize, tbptt, shuffle, optimizer, metrics, withAccuracy, clip, recordNorms, signal, x, y, val, batches,
    shuffleRng, dropoutRng, firstDropoutRng: dropoutRng, dropoutSeed, trainable, grads: trainable.map((p) => p.grad), backup: trainable.map((p) => p.value.slice()),
    callbacks: options.callbacks ?? [], schedule, control: { model, optimizer, baseLr: optimizer.lr, stop: () => { run.stopRequested = true; } }, stopRequested: false, recorder,
    history, progress: new Progress(history, report, start, clip.clipNorm, initialEpoch + 1), lastYield: start,
  };
  // The starting weights' snapshot, now: a model the probe cannot record fails before any training.
  recorder?.start(initialEpoch + 1);
  return run;
}

/** The epochs, then the final report. */
async function train(run: Run): Promise<History> {
  const { history, callbacks, control } = run;
  for (const cb of callbacks) cb.onTrainBegin?.(control);
  const baseLr = run.optimizer.lr;
  let watched: number | undefined;
  try {
    for (let epoch = run.initialEpoch + 1; epoch <= run.epochs && !run.stopRequested && !history.interrupted; epoch++) {
      run.dropoutRng = epochDropoutRng(run, epoch);
      if (run.schedule) {
        run.optimizer.lr = run.schedule.run.rate(epoch - 1, watched);
        history.lr!.push(run.optimizer.lr);
      }
      const totals = await runEpoch(run, epoch);
      const reported = totals.seen > 0 && !(history.interrupted && totals.seen < run.x[0].shape[0]);
      if (!reported) {
        // interrupted before the first batch, or within the epoch: a partial epoch is not reported as an epoch
        history.lr?.pop();
        break;
      }
      const logs = endEpoch(run, epoch, totals);
      if (run.schedule) watched = logs[run.schedule.monitor];
      run.options.onEpochEnd?.(epoch, logs);
      for (const cb of callbacks) cb.onEpochEnd?.(epoch, logs, control);
      run.progress.report("running", epoch, run.batches);
      await yieldToEventLoop();
      run.lastYield = Date.now();
    }
  } finally {
    if (run.schedule) run.optimizer.lr = baseLr;
  }
  history.stoppedEarly = run.stopRequested;
  if (run.recorder) {
    const steps = history.batchLoss.length;
    run.recorder.finish(steps, run.initialEpoch + 1 + Math.floor(Math.max(0, steps - 1) / run.batches), steps === 0 ? 0 : ((steps - 1) % run.batches) + 1);
  }
  for (const cb of callbacks) cb.onTrainEnd?.(control);
  history.elapsedMs = Date.now() - run.progress.start;
  const lastEpoch = history.epoch.length ? history.epoch[history.epoch.length - 1] : Math.max(1, run.initialEpoch);
  run.progress.report(history.interrupted ? "interrupted" : "done", lastEpoch, run.batches, history.interrupted ? "interrupted — weights learned so far are kept" : undefined);
  return history;
}

/**
 * The dropout Rng of `epoch`: a function of (seed, epoch) alone, so a resumed fit draws the masks of the
 * uninterrupted one. Epoch 1 continues the Rng fits have always used (its masks are unchanged).
 */
function epochDropoutRng(run: Run, epoch: number): Rng {
  return epoch === 1 ? run.firstDropoutRng : new Rng((run.dropoutSeed + epoch) >>> 0);
}

/** Sums over the batches of one epoch (loss weighted by batch size). */
interface EpochTotals {
  lossSum: number;
  seen: number;
  correct: number;
  counted: number;
}

/**
 * One pass over the (shuffled) training samples in batches; stops early at a batch boundary when the
 * signal is aborted (history.interrupted). Yields to the event loop every ≥ 16 ms so messages get through.
 */
async function runEpoch(run: Run, epoch: number): Promise<EpochTotals> {
  const n = run.x[0].shape[0];
  const order = run.shuffle ? run.shuffleRng.permutation(n) : Array.from({ length: n }, (_, i) => i);
  const totals: EpochTotals = { lossSum: 0, seen: 0, correct: 0, counted: 0 };
  for (let b = 0; b < run.batches; b++) {
    if (run.signal?.aborted) {
      run.history.interrupted = true;
      break;
    }
    const idx = order.slice(b * run.batchSize, Math.min(n, (b + 1) * run.batchSize));
    const r = runBatch(run, epoch, b, idx);
    run.recorder?.afterBatch(run.history.batchLoss.length, epoch, b + 1);
    totals.lossSum += r.loss * idx.length;
    totals.seen += idx.length;
    if (r.accuracy) {
      totals.correct += r.accuracy.correct;
      totals.counted += r.accuracy.count;
    }
    run.options.onBatchEnd?.({ epoch, batch: b + 1, batches: run.batches, loss: r.loss, ...(run.recordNorms ? { clip: r.clip } : {}) });
    for (const cb of run.callbacks) cb.onBatchEnd?.(b + 1, { loss: r.loss }, run.control);
    run.progress.tick(epoch, b + 1);
    if (Date.now() - run.lastYield >= YIELD_MS) {
      await yieldToEventLoop();
      run.lastYield = Date.now();
    }
  }
  return totals;
}

/**
 * One batch: forward, loss, backward, clipping, optimizer step, and the batch's history entries.
 * A non-finite loss or gradient stops before the step; an update that makes a weight non-finite is
 * undone — either way fit rejects (`fail`) with the model on its last finite weights.
 */
function runBatch(run: Run, epoch: number, b: number, idx: number[]): { loss: number; clip: ClipReport; accuracy?: { correct: number; count: number } } {
  const { model, history, trainable } = run;
  const xb = run.x.map((t) => gather(t, idx));
  const yb = run.y.map((t) => gather(t, idx));
  zeroGrads(model.params());
  const r = model.lossStep(xb, yb, run.loss, { training: true, rng: run.dropoutRng, tbptt: run.tbptt });
  const where = `epoch ${epoch}, batch ${b + 1} of ${run.batches}`;
  const locate = (gradient: boolean) => locateNonFinite(model, xb, yb, { loss: run.loss, tbptt: run.tbptt, gradient });
  if (!Number.isFinite(r.loss)) throw fail(run, `the loss became ${r.loss} at ${where}`, epoch, b, locate(false));
  r.backward();
  const clip = clipGradients(run.grads, run.clip);
  if (!Number.isFinite(clip.preClipNorm)) throw fail(run, `a gradient became NaN or infinite at ${where}`, epoch, b, locate(true));
  // An update can overflow even from finite gradients (a huge lr): keep a copy to fall back to.
  trainable.forEach((p, i) => run.backup[i].set(p.value));
  run.optimizer.step(trainable);
  if (!trainable.every((p) => allFinite(p.value))) {
    trainable.forEach((p, i) => p.value.set(run.backup[i]));
    throw fail(run, `the update made a weight NaN or infinite at ${where}`, epoch, b);
  }
  history.batchLoss.push(r.loss);
  if (run.recordNorms) {
    history.preClipNorm!.push(clip.preClipNorm);
    history.postClipNorm!.push(clip.postClipNorm);
    history.fractionClipped!.push(clip.fractionClipped);
  }
  if (!run.withAccuracy) return { loss: r.loss, clip };
  const a = r.accuracy();
  history.batchAccuracy!.push(a.correct / a.count);
  return { loss: r.loss, clip, accuracy: a };
}

/** Closes a finished epoch: its means into the history, then the validation pass (no dropout). */
function endEpoch(run: Run, epoch: number, totals: EpochTotals): EpochLogs {
  const { history } = run;
  const logs: EpochLogs = { loss: totals.lossSum / totals.seen };
  history.epoch.push(epoch);
  history.loss.push(logs.loss);
  if (history.perplexity) history.perplexity.push((logs.perplexity = Math.exp(logs.loss)));
  if (history.accuracy) history.accuracy.push((logs.accuracy = totals.correct / totals.counted));
  if (run.val) {
    const v = run.model.evaluateTensors(run.val[0], run.val[1], { loss: run.loss, batchSize: run.batchSize, metrics: run.metrics });
    history.valLoss!.push((logs.valLoss = v.loss));
    if (history.valPerplexity) history.valPerplexity.push((logs.valPerplexity = v.perplexity!));
    if (history.valAccuracy) history.valAccuracy.push((logs.valAccuracy = v.accuracy!));
  }
  return logs;
}

const NO_EPOCHS: readonly number[] = Object.freeze([]);

/**
 * The progress reports of one fit: a FitProgress over the live history arrays (no copies; see
 * FitProgress), sent to the observer and onProgress — at most every 100 ms within an epoch (`tick`),
 * and unthrottled at epoch ends and for the final status (`report`).
 */
class Progress {
  private lastTick = 0;
  private readonly metrics: Record<string, readonly number[]> = {};
  private readonly gradNorms: FitProgress["gradNorms"];

  constructor(private readonly history: History, private readonly send: ((p: FitProgress) => void) | undefined,
              readonly start: number, clipNorm: number | undefined, private readonly firstEpoch = 1) {
    if (history.perplexity) this.metrics.perplexity = history.perplexity;
    if (history.accuracy) this.metrics.accuracy = history.accuracy;
    if (history.preClipNorm) this.gradNorms = { preClip: history.preClipNorm, postClip: history.postClipNorm!, clipNorm };
  }

  /** After a batch: a "running" report unless one went out less than 100 ms ago. */
  tick(epoch: number, batch: number): void {
    if (Date.now() - this.lastTick < PROGRESS_MS) return;
    this.lastTick = Date.now();
    this.report("running", epoch, batch);
  }

  report(status: FitProgress["status"], epoch: number, batch: number, message?: string): void {
    if (!this.send) return;
    const h = this.history;
    h.elapsedMs = Date.now() - this.start;
    this.send({
      status, epoch, epochs: h.epochs, firstEpoch: this.firstEpoch, batch, batches: h.batchesPerEpoch, elapsedMs: h.elapsedMs,
      loss: h.batchLoss.length ? h.batchLoss[h.batchLoss.length - 1] : null,
      losses: h.loss, valLosses: h.valLoss ?? NO_EPOCHS, metrics: this.metrics, batchLosses: h.batchLoss,
      ...(this.gradNorms ? { gradNorms: this.gradNorms } : {}),
      ...(message ? { message } : {}),
      ...(h.probe ? { probe: h.probe } : {}),
    });
  }
}

/** Builds the NaN/Inf error (with the history attached) and reports a failed progress. */
function fail(run: Run, what: string, epoch: number, batch: number, where?: string): Error {
  const message = `fit stopped: ${what}.${where ? ` Where: ${where}.` : ""} The model keeps the weights from the last finite step. ` +
    `Try gradient clipping (clipNorm: 1.0) or a lower learning rate (the optimizer's lr is ${run.optimizer.lr}).`;
  run.progress.report("failed", epoch, batch, message);
  const error = new Error(message) as Error & { history?: History };
  error.history = run.history;
  return error;
}

export { EarlyStopping };
