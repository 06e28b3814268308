// What the kernel process adds to a cell's globals at run time (src/kernel), declared by hand for
// IntelliSense in cells. The engine part of `rnn` — including the file methods (model.save,
// rnn.load, saveSafetensors, exportPyTorch, rnn.data.readCsv, …), which are engine methods on the
// kernel's host — is
// NOT declared here: it is generated from src/engine at build time (scripts/gen-dts.mjs) and
// reached as the ambient module "engine/index".
// This file is a global script (no top-level import/export) loaded only by the notebook language
// service; tsconfig.json excludes it so these globals do not leak into the project's own code.
// `math` needs no declaration: mathjs's types declare it (`export as namespace math`).

declare namespace RnnKernel {
  /** The engine as the kernel exposes it. */
  type Engine = typeof import("engine/index");
  type Tensor = import("engine/tensor").Tensor;
  /** A model the views can record from: an `rnn.sequential` model or an `rnn.nn` recurrent module. */
  type Recordable = import("engine/index").Recordable;
  /** A model the analyses read: an `rnn.sequential` model or an `rnn.nn` RNN/LSTM/GRU module. */
  type AnalysedModel = import("engine/analysis/subject").AnalysedModel;

  /**
   * Rich views of what happens inside a network, shown in the running cell's output. Each records
   * through the model's `record(...)`; misuse (a layer that is not recurrent, no targets) fails the cell.
   */
  interface Show {
    /**
     * Heatmaps (time × unit) of every gate of one recurrent layer for one input sequence:
     * LSTM i, f, g, o, c, h; GRU r, z, n, h; SimpleRNN h.
     * @param model a trained model
     * @param x inputs [B, T, F] (or token ids [B, T]); one sequence is shown, `batchIndex` (default 0)
     * @param options `layer`: index in `model.layers`, or the stacked layer of an `rnn.nn` module (default: the
     * first recurrent layer; a layer that is not recurrent fails the cell); `tokens`: labels
     * of the time axis (a string is split into characters); `direction`: which half of a bidirectional layer;
     * `vocab` (`rnn.text.charVocab(...)`, when x holds character ids or one-hot rows): the sequence is shown as text.
     * What if: the output shows the sequence — as text with a `vocab`, else (up to 256 numbers) as a row of
     * numbers — and editing it redraws the gates in place from the live model, without running the cell. The
     * notebook saves the cell's own output, not the edit.
     * @example rnn.show.gates(lstmModel, x.slice(0, 1), { layer: 0 })
     * @example rnn.show.gates(charModel, rnn.tensor(vocab.encode("hello"), [1, 5]), { vocab })
     */
    gates(model: Recordable, x: Tensor | number[][] | number[][][], options?: { layer?: number; tokens?: string | string[]; batchIndex?: number; direction?: "forward" | "backward"; vocab?: import("engine/index").CharVocab }): void;
    /**
     * ‖∂L/∂h_t‖ at every timestep of backpropagation through time (and ‖∂L/∂c_t‖ for LSTM), log scale,
     * one line per model and layer: why gradients vanish in a SimpleRNN and not in an LSTM.
     * @param models one model or several to compare
     * @param x inputs [B, T, F]
     * @param y targets
     * @param options `loss` (default "mse"), `labels` (one per model), `clipThreshold` and `tbptt` (drawn as
     * guides), `yScale` ("log" default, or "linear"), `title`
     * @example rnn.show.gradientNorms([rnnModel, lstmModel, gruModel], x.slice(0, 32), y.slice(0, 32), { loss: "mse" })
     */
    gradientNorms(models: Recordable | Recordable[], x: Tensor | number[][] | number[][][], y: Tensor | number[] | number[][] | number[][][],
      options?: { loss?: string; labels?: string[]; clipThreshold?: number; tbptt?: number; yScale?: "log" | "linear"; title?: string }): void;
    /** Per-epoch loss (and validation loss, perplexity) of the history `model.fit(...)` resolved with, as a line plot. */
    lossCurve(history: import("engine/index").History): void;
    /**
     * A tensor (or typed array, nested number arrays, or mathjs Matrix) as a heatmap or a table, with its shape and range.
     * @param options `title`, `view` ("heatmap" default for 2-D, or "table"), `rowLabels`, `colLabels`
     */
    tensor(t: Tensor | ArrayLike<number> | number[][] | import("mathjs").Matrix, options?: { title?: string; view?: "heatmap" | "table"; rowLabels?: string[]; colLabels?: string[] }): void;
    /**
     * Attention weights of one sequence pair as a heatmap: target (output) steps down, source (input) steps
     * across, each labelled with its token — the alignment an encoder–decoder learned (Bahdanau et al. 2015).
     * @param weights [target steps, source steps], or [batch, target steps, source steps] with `batchIndex`
     * @param options `source` / `target`: tokens (a string is split into characters, one per step);
     * `batchIndex` (default 0); `title`. A token count that does not match its axis fails the cell.
     * @example rnn.show.attention(weights, { source: "2026-12-03", target: "03/12/2026" })
     */
    attention(weights: Tensor | number[][] | number[][][], options?: { source?: string | string[]; target?: string | string[]; batchIndex?: number; title?: string }): void;
    /**
     * Neurons over text (Karpathy's "unreasonable effectiveness" figure): the text once per unit of one
     * recurrent layer, each character coloured by that unit's state there, and under it the model's top-k
     * guesses for the next character; hover a character for unit, t, value and probabilities. Long texts
     * scroll; the output keeps the first 2,000 characters and 64 units (fewer under the size limit) and says so.
     * @param model a character model (`rnn.sequential` with an embedding of character indices, or one-hot input)
     * @param text the text to run through the model as one sequence (every character in the vocabulary)
     * @param options `vocab` (required: `rnn.text.charVocab(...)`), `layer` (index in `model.layers`, default the
     * last recurrent layer), `state` ("h" default, or an LSTM's "c"), `units` (which units, in order),
     * `topK` (guesses per character, default 5; 0 for none), `title`; `select: [start, end]` (LSTMVis's select → match,
     * as `rnn.analysis.selectUnits`: the units most active in those characters are listed and marked, the other places
     * with their on/off pattern framed; dragging across characters in the view does the same). What if: edit the text in the output and
     * the view is redrawn in place from the live model, without running the cell (the notebook saves the cell's own output).
     * @example rnn.show.neurons(model, "the cat sat on the mat", { vocab, units: [3, 17, 42], topK: 3 })
     */
    neurons(model: import("engine/index").Sequential, text: string, options: { vocab: import("engine/index").CharVocab; layer?: number; state?: "h" | "c"; units?: number[]; topK?: number; title?: string; select?: [number, number] }): void;
    /**
     * Connectivity (distill.pub's "memorization in RNNs"): C[t, s] = ‖∂y_t/∂x_s‖₂ for every pair of steps of
     * one sequence, a lower-triangular map per model side by side; hover a row t and the sequence under each
     * map shades every earlier step s by C[t, s]. Computed by `rnn.analysis.connectivity` (T·outputs backward
     * rows: keep T to a few hundred steps for small models).
     * @param models one model or several to compare (SimpleRNN vs LSTM vs GRU), each with an output per timestep
     * @param x ONE sequence: [1, T, F] (or token ids [1, T])
     * @param options `tokens` (axis labels; a string is split into characters), `labels` (one per model), `title`;
     * `output: "loss"` with `target` (and `loss`) differentiates each step's loss instead of the output;
     * `vocab` (for character ids or one-hot rows): the sequence is shown as text. What if: as in `gates`, the
     * output shows the sequence (text, or up to 256 numbers) to edit; the maps are recomputed in place (not
     * for `output: "loss"`, whose targets belong to the original sequence)
     * @example rnn.show.connectivity([rnnModel, lstmModel, gruModel], x.slice(0, 1), { tokens: "hello world" })
     */
    connectivity(models: AnalysedModel | AnalysedModel[], x: Tensor | number[][] | number[][][], options?: { tokens?: string | string[]; labels?: string[]; title?: string; output?: "output" | "loss"; target?: Tensor | number[] | number[][]; loss?: string; vocab?: import("engine/index").CharVocab }): void;
    /**
     * Hidden-state trajectories: each sequence's path through the plane of the top two principal components
     * of one recurrent layer's states (`rnn.analysis.trajectory`), coloured by time, axis titles with each
     * component's share of the variance; hover a point for its sequence and step. A time slider draws the
     * paths up to step t with a dot at t.
     * @param model a trained model
     * @param xs several sequences [N, T, F] (or token ids [N, T])
     * @param options `layer` (default the last recurrent layer), `state` ("h" default, or an LSTM's "c"),
     * `labels` (one per sequence), `title`; `dims`: 2 (the plane, default) or 3 (PC1–PC3, drag to rotate);
     * `fixedPoints: true` marks the layer's fixed points (`rnn.analysis.fixedPoints` under a zero input) with
     * their Jacobian's leading eigenvalues in the hover — for layers of at most 64 units
     * @example rnn.show.trajectory(model, xs.slice(0, 8), { labels: ["up", "down", "flat", "noise", "a", "b", "c", "d"] })
     * @example rnn.show.trajectory(gruModel, xs.slice(0, 4), { dims: 3, fixedPoints: true })
     */
    trajectory(model: AnalysedModel, xs: Tensor | number[][] | number[][][], options?: { layer?: number; state?: "h" | "c"; dims?: 2 | 3; fixedPoints?: boolean; labels?: string[]; title?: string }): void;
  }

  /** The running cell's interrupt signal (Stop / Interrupt Kernel). */
  interface InterruptSignal {
    readonly aborted: boolean;
    /** Throws if the cell was interrupted; call it in long loops of your own. */
    throwIfAborted(): void;
  }

  type RunRecord = import("engine/index").RunRecord;

  /**
   * A module loop's run, from `rnn.runs.start(config)`: log what the loop measures, then `end()` it.
   * A run whose cell is interrupted before `end()` is recorded as interrupted when the cell ends.
   */
  interface Run {
    /** The run's id in the notebook's ledger ("run 4"). */
    readonly id: string;
    /**
     * Records values of this run. Without `epoch`, per-step values: the key "loss" is the per-batch loss
     * curve, other keys per-step series (both kept as at most 500 block means); `step` is the global
     * step (default: one past the last). With `{ epoch: n }`: per-epoch values (epochs count from 1).
     * @example run.log({ loss: loss.item() })
     * @example run.log({ loss: trainLoss, valLoss }, { epoch: 3 })
     */
    log(metrics: Record<string, number>, at?: { step?: number; epoch?: number }): void;
    /** Ends the run and appends its record to the notebook's run ledger; returns the record. Interrupted if its cell was. */
    end(): RunRecord;
  }

  /**
   * The notebook's run ledger: every `fit` that resolves appends a record (model, full configuration with
   * defaults, optimizer settings, seed, per-epoch metrics, per-batch loss as block means, clipping, wall
   * time, interrupted); module loops opt in with `start`. Records live in the notebook's metadata
   * (`metadata.runLedger`, at most 1 MB: the oldest per-batch detail is dropped first, then the oldest runs)
   * and survive kernel restarts and reopening.
   */
  interface Runs {
    /**
     * Starts a run of a loop of your own (an `rnn.nn` module, `rnn.optim`).
     * @param config `name`: the model name the record shows; `model`: the model trained (its class and parameter
     * count are recorded); every other key is the run's configuration (plain JSON: numbers, strings, booleans;
     * arrays and objects are kept as JSON text), compared key by key with other runs.
     * @example const run = rnn.runs.start({ name: "lstm", model: net, lr: 0.01, hidden: 32 });
     */
    start(config?: { name?: string; model?: unknown; [key: string]: unknown }): Run;
    /** Every run record of the notebook (earlier sessions' included), oldest first, as copies. */
    list(): RunRecord[];
    /**
     * Draws runs of the ledger overlaid, one curve per run with TensorBoard's debiased smoothing (the raw
     * values faint behind), with controls for the metric, the x axis and the smoothing, and a table of
     * the configuration keys in which the runs differ (all keys behind "Show all keys") with each run's
     * final values. Returns the runs compared and those keys.
     * @param runs run ids ("run 3") or records from `list()`; default: every run (the last 64 of a longer ledger)
     * @param options what the view shows first (see RunsCompareOptions)
     * @example rnn.runs.compare(["run 1", "run 2"], { metric: "valLoss", x: "relative" }).differingKeys
     */
    compare(runs?: (string | RunRecord)[], options?: RunsCompareOptions): { runs: RunRecord[]; differingKeys: string[] };
    /**
     * Every run of the ledger compared (see the other form).
     * @example rnn.runs.compare({ smoothing: 0 })
     */
    compare(options: RunsCompareOptions): { runs: RunRecord[]; differingKeys: string[] };
  }

  /** What `rnn.runs.compare` shows first; the view has controls for all of it. */
  interface RunsCompareOptions {
    /** "loss" (default), "valLoss", "accuracy", "lr", … per epoch, or a per-batch series: "batchLoss", a loop's "batchAcc". */
    metric?: string;
    /** "step" (epoch or batch number, default), "relative" (fraction of each run) or "time" (wall time in seconds). */
    x?: "step" | "relative" | "time";
    /** TensorBoard's EMA weight in [0, 1) (default 0.6, TensorBoard's own); 0 draws the raw values. */
    smoothing?: number;
    title?: string;
    /** Most points per series (default 1000): longer series are shown as block means. */
    maxPoints?: number;
  }

  /** What the kernel adds to the engine's `rnn`. */
  interface Additions {
    /** The notebook's run ledger: `rnn.runs.list()`, `rnn.runs.compare()`, and `rnn.runs.start(config)` for module loops. */
    runs: Runs;
    /** Rich views: gates, gradient norms, loss curves, tensors, attention, neurons over text, connectivity, trajectories. */
    show: Show;
    /**
     * A tensor (or nested arrays) as a mathjs matrix, for `math.*` (the engine's own `toMath` gives nested arrays).
     * @example math.max(math.abs(math.eigs(rnn.toMath(model.layers[0].weights.recurrent_kernel)).values))
     */
    toMath(t: Tensor | number[] | number[][]): import("mathjs").Matrix;
    /** The running cell's interrupt signal, for a cell's own loops. */
    readonly signal: InterruptSignal;
  }
}

/**
 * The recurrent-network engine (layers, models, training, datasets, files) plus the kernel's display
 * helpers. The additions come first: where both define a member (`toMath`), the kernel's signature is
 * the first overload, as the kernel's function is the one that runs. (An intersection, not
 * `Omit<Engine, …>`: a mapped type would show engine functions as "(property) lstm: (…) => …".)
 */
declare const rnn: RnnKernel.Additions & RnnKernel.Engine;

/**
 * Shows values in the cell's output, each as its richest form (models as summaries, tensors as
 * heatmaps, histories as loss curves, anything else as text). The cell's last expression is shown
 * without calling it.
 */
declare function display(...values: unknown[]): void;

/** The cell's text output (stdout / stderr). */
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  table(data: unknown, columns?: string[]): void;
  time(label?: string): void;
  timeEnd(label?: string): void;
  assert(condition?: boolean, ...data: unknown[]): void;
};

// Cells run in the kernel's Node realm (src/kernel/sandbox.ts), so Node's own globals exist too. The
// few a notebook commonly uses are declared here, loosely, so using them is not flagged as an error;
// the rest of Node's API is not typed (no @types/node is shipped).
declare function setTimeout(callback: (...args: any[]) => void, ms?: number, ...args: unknown[]): unknown;
declare function clearTimeout(handle: unknown): void;
declare function setInterval(callback: (...args: any[]) => void, ms?: number, ...args: unknown[]): unknown;
declare function clearInterval(handle: unknown): void;
declare function setImmediate(callback: (...args: any[]) => void, ...args: unknown[]): unknown;
declare function clearImmediate(handle: unknown): void;
declare function queueMicrotask(callback: () => void): void;
declare function structuredClone<T>(value: T): T;
declare const performance: { now(): number; timeOrigin: number };
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
}
declare class AbortController {
  readonly signal: RnnKernel.InterruptSignal & { readonly reason: unknown };
  abort(reason?: unknown): void;
}
/** The kernel process (Node's `process`); only its common members are typed. */
declare const process: {
  readonly env: Record<string, string | undefined>;
  readonly argv: string[];
  readonly platform: string;
  readonly version: string;
  readonly versions: Record<string, string | undefined>;
  readonly pid: number;
  cwd(): string;
  uptime(): number;
  memoryUsage(): { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  hrtime: { (time?: [number, number]): [number, number]; bigint(): bigint };
  [member: string]: any;
};
