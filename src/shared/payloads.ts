/**
 * Payloads of the rich outputs, documented before they are drawn (uPlot style: columnar series).
 * The kernel produces them (src/kernel/rich), the renderer validates (src/shared/validate.ts) and
 * draws them, the fallbacks (PNG/SVG/HTML) are made from them too. All arrays are plain JSON arrays;
 * matrices are row-major and flat. Non-finite numbers cannot cross JSON: they are encoded as null and
 * drawn as "missing" (hatched grey). Values may be rounded to 4 significant digits by the kernel.
 *
 * Downsampling (kernel side, src/kernel/rich/downsample.ts): a matrix larger than the output budget
 * is reduced by block-mean pooling — each shown cell is the mean of the finite values of a block of
 * consecutive original cells (null when the block has none). `*Index` arrays give the first original
 * index of each shown block; the true size is always stated next to the shown size.
 */

/** application/vnd.rnn-notebook.tensor+json — a tensor shown as a heatmap (2-D) or a table. */
export interface TensorPayload {
  /** Shape of the tensor in the kernel (before any downsampling). */
  shape: number[];
  /** Shape of `values` as sent: [rows, cols]; 1-D tensors are sent as [1, n]. */
  shownShape: [number, number];
  /** rows × cols values, row-major; null for NaN/±Infinity. */
  values: (number | null)[];
  /** How the renderer shows it first; the user can switch. */
  view: "heatmap" | "table";
  dtype: "float32" | "float64" | "int32";
  title?: string;
  rowLabels?: string[];
  colLabels?: string[];
  /** True when `values` is a downsampled view of the tensor (block-mean pooling of a 2-D view). */
  downsampled?: boolean;
  /** First original row / column of each shown row / column when downsampled. */
  rowIndex?: number[];
  colIndex?: number[];
  /** How a tensor of rank ≠ 2 was viewed as a matrix, e.g. "[2, 3, 4] viewed as 6 × 4". */
  note?: string;
}

/** The recurrent cells of both families, as payloads name them. */
export type CellType = "simpleRNN" | "lstm" | "gru";

/**
 * Display names of the cells (Keras class names). Here, not only in the engine's layer table, because
 * the renderer (which may import only src/shared) labels gate payloads with them; the engine's table
 * reads this constant.
 */
export const CELL_CLASS_NAMES: Readonly<Record<CellType, string>> = { simpleRNN: "SimpleRNN", lstm: "LSTM", gru: "GRU" };

export type GateName = "i" | "f" | "g" | "o" | "c" | "h" | "r" | "z" | "n";

/** application/vnd.rnn-notebook.gates+json — one panel per gate, each time × unit. */
export interface GatesPayload {
  model?: string;
  layer: { index: number; name: string; type: CellType };
  /** Which sequence of the batch is shown. */
  batchIndex: number;
  /** True size of the recording: timesteps and units. */
  trueShape: { timesteps: number; units: number };
  /** Size as sent (after downsampling). */
  timesteps: number;
  units: number;
  /** Original timestep index of each shown row (length `timesteps`). */
  stepIndex: number[];
  /** Original unit index of each shown column (length `units`). */
  unitIndex: number[];
  /** Label per shown timestep (e.g. the input characters); absent → t numbers. When timesteps were
   * pooled, the label of a block is its tokens joined (shortened with "…"). */
  tokens?: string[];
  panels: GatePanel[];
  /** Present when the view can be edited in place ("what if"): see WhatIfField. */
  whatIf?: WhatIfField;
}

export interface GatePanel {
  gate: GateName;
  /** Human label, e.g. "forget gate f". */
  label: string;
  /** "sigmoid" → sequential 0..1 colour scale; "tanh" → diverging −1..1. */
  scale: "sigmoid" | "tanh";
  /** Colour domain when it differs from the scale's default: the LSTM cell state c is not bounded by
   * ±1, so it is sent with a symmetric domain ±max|c| (at least ±1). */
  domain?: [number, number];
  /** timesteps × units, t-major. */
  values: (number | null)[];
}

/** application/vnd.rnn-notebook.gradnorms+json — ‖∂L/∂h_t‖ per timestep, one line per model/layer. */
export interface GradNormsPayload {
  /** Timestep numbers (x axis), 1-based as in the study notes (h_1 … h_T). */
  steps: number[];
  series: GradNormSeries[];
  /** Initial y scale; the renderer has a toggle. */
  yScale: "log" | "linear";
  /** Optional clip threshold drawn as a horizontal line. */
  clipThreshold?: number;
  /** Optional truncated-BPTT window: markers every k steps from the end. */
  tbptt?: number;
  title?: string;
  /** Loss the norms were computed for, e.g. "mse". */
  loss?: string;
  /** Number of timesteps recorded, when `steps` was pooled (block mean; `steps` then holds the first
   * step of each block). */
  trueSteps?: number;
}

export interface GradNormSeries {
  /** e.g. "lstm · layer 0 · ‖∂L/∂h_t‖" */
  label: string;
  model: string;
  layer: number;
  quantity: "h" | "c";
  values: (number | null)[];
}

/** application/vnd.rnn-notebook.training+json — one output per fit, replaced in place. */
export interface TrainingPayload {
  status: "running" | "done" | "interrupted" | "failed";
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  elapsedMs: number;
  etaMs: number | null;
  loss: number | null;
  /** Per-epoch curves, columnar: epochs[k] ↔ values[k]. */
  epochsDone: number[];
  series: { label: string; values: (number | null)[] }[];
  /** Per-batch loss (global batch counter), possibly downsampled. */
  batchLoss?: { steps: number[]; values: (number | null)[] };
  /** Per-batch global gradient norm before and after clipping, when recorded (clip threshold if known). */
  gradNorms?: { steps: number[]; preClip: (number | null)[]; postClip: (number | null)[]; clipNorm?: number };
  message?: string;
  /** The flight recorder's snapshots (fit's `probe` option), replayed by the scrubber. */
  probe?: TrainingProbe;
}

/**
 * The flight recorder's part of a training payload: snapshots of a fixed probe batch taken during fit
 * (engine/probe.ts). `steps` lists every kept snapshot; `snapshots` carries the drawn ones — all kept
 * ones in the final output, the latest few while training (`omitted` counts the others) — each with one
 * gates payload per recurrent layer (sequence 0 of the probe) and the per-timestep gradient norms.
 */
export interface TrainingProbe {
  /** Batches between snapshots as asked (`probe.every`) and as kept now (doubled at each thinning). */
  every: number;
  stride: number;
  /** Most snapshots the engine keeps; when full, every other one is dropped and the stride doubles. */
  maxSnapshots: number;
  /** Sequences in the probe batch (gates of sequence 0; gradient norms over all of them). */
  probeSize: number;
  /** Batches trained (this fit's global batch counter) at each kept snapshot, increasing. */
  steps: number[];
  /** Batches per epoch, for the "epoch e, batch b" step label. */
  batches: number;
  /** Per recurrent layer (and direction), in model order: the mean forget (LSTM) / update (GRU) gate at each kept step. */
  layers: TrainingProbeLayer[];
  /** The snapshots sent with this output, in step order. */
  snapshots: TrainingProbeSnapshot[];
  /** Kept snapshots not sent with this (live) output; the final output sends them all. */
  omitted?: number;
}

export interface TrainingProbeLayer {
  /** e.g. "lstm_1", "forward_lstm (backward)". */
  name: string;
  type: CellType;
  /** Mean over timesteps and units of gate f (LSTM) or z (GRU) of probe sequence 0, aligned with `steps`; absent for SimpleRNN. */
  meanGate?: { gate: "f" | "z"; values: (number | null)[] };
}

export interface TrainingProbeSnapshot {
  /** One of TrainingProbe.steps. */
  step: number;
  /** Probe loss at that step (with probe.y). */
  loss?: number | null;
  /** One per TrainingProbe.layers entry (same order). */
  gates: GatesPayload[];
  /** ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖) per timestep of every layer (with probe.y). */
  gradNorms?: GradNormsPayload;
}

/** application/vnd.rnn-notebook.summary+json — Keras-style model summary. */
export interface SummaryPayload {
  /** Model name, e.g. "sequential". */
  name: string;
  /** How parameters were counted: "keras" (one bias per recurrent layer) or "torch" (two bias vectors). */
  convention: "keras" | "torch";
  /** One row per layer: name, type, output shape ([null, T, H] with null for the batch), params and their breakdown. */
  layers: SummaryRow[];
  /** All parameters (a tied embedding matrix counted once). */
  totalParams: number;
  /** Parameters of trainable layers (what optimizers update). */
  trainableParams: number;
  /** Parameters of frozen layers (`trainable: false`). */
  nonTrainableParams: number;
}

export interface SummaryRow {
  name: string;
  type: string;
  /** Keras style, null for the batch dimension: [null, 20, 16]. */
  outputShape: (number | null)[];
  params: number;
  breakdown: { name: string; shape: number[]; count: number }[];
  /** e.g. "16·(6+16) + 16 = 368" */
  formula?: string;
  /**
   * Only in summaries counted from a cell's source before it ran: why this layer's count is not known
   * (a size computed at run time). `params` is 0 then and is not a count.
   */
  unknown?: string;
  /** Functional models: every output's shape when the layer has several (an LSTM with returnState; an input's list of one). */
  outputShapes?: (number | null)[][];
  /** Functional models: Keras's "Connected to" column, one `layer[node][tensor]` per input of each call (`[]` for an input). */
  connectedTo?: string[];
}

/**
 * application/vnd.rnn-notebook.attention+json — attention weights of one sequence pair: target steps
 * (rows) × source steps (columns), row-major, each row usually a softmax over the source.
 */
export interface AttentionPayload {
  title?: string;
  /** Shown rows (target steps) and columns (source steps), after downsampling. */
  rows: number;
  cols: number;
  /** rows × cols weights, row-major; null = missing (NaN/Infinity in the data). */
  values: (number | null)[];
  /** True target × source size when the matrix was pooled into blocks (block means shown). */
  trueShape?: { rows: number; cols: number };
  /** One label per shown target step / source step (absent → step numbers). */
  target?: string[];
  source?: string[];
  /** Which pair of a batch is shown. */
  batchIndex: number;
}

/**
 * application/vnd.rnn-notebook.neurons+json — neurons over text: the text once per unit, each character
 * coloured by that unit's state there (diverging scale), and the model's next-character guesses after
 * each character. Long texts and wide layers are CUT in the kernel (first characters, first units), not
 * pooled: a mean of several characters' states belongs to no character.
 */
export interface NeuronsPayload {
  title?: string;
  model?: string;
  layer: { index: number; name: string; type: CellType };
  /** Which state the values are: the hidden state h or an LSTM's cell state c. */
  state: "h" | "c";
  /** The characters shown, one per step (T). */
  text: string[];
  /** Length of the whole text when only its first `text.length` characters were sent. */
  trueSteps?: number;
  /** Unit index of each row (U). */
  units: number[];
  /** Units of the layer in all (more than `units.length` when units were cut or chosen). */
  layerUnits: number;
  /** U × T states, unit-major: values[u * T + t]; null = missing. */
  values: (number | null)[];
  /** Colour domain, symmetric around 0: ±max(1, max|value|). */
  domain: [number, number];
  /** Top-k next-character guesses after each shown character: chars and probs are T × k, t-major. */
  guesses?: { k: number; chars: string[]; probs: (number | null)[] };
  /** What the kernel wants said (e.g. why there are no guesses). */
  note?: string;
  /** LSTMVis's select → match for `select: [start, end]` (src/shared/neuronSelect.ts), over all chosen
   * units: the units most active in the range, best first, and the other ranges with their pattern. */
  select?: { range: [number, number]; units: { unit: number; score: number; on: boolean }[]; matches: [number, number][] };
  /** Present when the view can be edited in place ("what if"): see WhatIfField. */
  whatIf?: WhatIfField;
}

/**
 * application/vnd.rnn-notebook.connectivity+json — distill.pub's "memorization in RNNs" connectivity of
 * one sequence, one map per model side by side: C[t, s] = ‖∂y_t/∂x_s‖₂, output step t down (rows),
 * input step s across (columns), zero above the diagonal in a causal model. Long sequences are pooled
 * into block means like the other matrices.
 */
export interface ConnectivityPayload {
  title?: string;
  /** Shown steps (rows = columns) after pooling. */
  steps: number;
  /** Timesteps of the sequence when pooled (block means shown); `stepIndex` gives each block's first step. */
  trueSteps?: number;
  stepIndex?: number[];
  /** One label per shown step (the input's tokens), when given. */
  tokens?: string[];
  /** What y_t is: the model's output vector at step t, or the loss of step t. */
  output: "output" | "loss";
  /** One map per model: steps × steps, row-major; null = missing. */
  maps: { label: string; values: (number | null)[] }[];
  /** Present when the view can be edited in place ("what if"): see WhatIfField. */
  whatIf?: WhatIfField;
}

/**
 * The input a view was drawn from, as its output shows it for editing: a text (a character model's
 * input, encoded with the view's vocabulary) or a small grid of numbers, `steps` × `features`,
 * t-major (the sequence of a numeric model).
 */
export type WhatIfInput =
  | { kind: "text"; text: string }
  | { kind: "values"; steps: number; features: number; values: number[] };

/**
 * "What if": an editable view's kernel-side handle and its input. Editing the input in the output asks
 * the kernel (inspect kind "whatIf") to recompute the same view on the live model; the handle names
 * what the kernel kept to do that (model, options, vocabulary). Handles live as long as the kernel
 * process, and only the most recent ones are kept.
 */
export interface WhatIfField {
  handle: string;
  input: WhatIfInput;
}

/** Most numbers a "values" input holds (one field each in the output); a longer numeric sequence is not editable in place. */
export const WHAT_IF_MAX_VALUES = 256;

/** Longest text a "text" input holds. */
export const WHAT_IF_MAX_TEXT = 100_000;

/** Views that can be edited in place, by the name the inspect query and the renderer use. */
export type WhatIfView = "gates" | "neurons" | "connectivity";

/**
 * application/vnd.rnn-notebook.trajectory+json — hidden-state trajectories: each sequence's path through
 * the plane of the top two principal components of one layer's states (rnn.analysis.trajectory),
 * coloured by time. Long sequences are thinned to evenly spaced steps (first and last kept: a path
 * stays a path), many sequences cut to the first ones; both are stated.
 */
export interface TrajectoryPayload {
  title?: string;
  model?: string;
  /** Fraction of the states' variance along PC1, PC2 (and PC3 with dims 3) (scikit-learn's explained_variance_ratio_). */
  explainedVariance: number[];
  /** 3: every path has z = PC3 and the view is a projection the user rotates by dragging. Absent: the plane. */
  dims?: 3;
  /** Original timestep of each shown point of a path (the same for every path). */
  stepIndex: number[];
  /** Timesteps per sequence, when the paths were thinned. */
  trueSteps?: number;
  /** Sequences analysed, when only the first `paths.length` were sent. */
  trueSequences?: number;
  /** One path per sequence: x = PC1, y = PC2 (z = PC3 with dims 3) at each shown step; null = missing. */
  paths: { label: string; x: (number | null)[]; y: (number | null)[]; z?: (number | null)[] }[];
  /**
   * Fixed (and slow) points of the layer (rnn.analysis.fixedPoints) in the same components, slowest
   * first: `speed` is q = ½‖F(s) − s‖², `eigenvalues` the Jacobian's leading ones by magnitude.
   */
  fixedPoints?: { x: number; y: number; z?: number; speed: number; eigenvalues: { re: number; im: number }[] }[];
}

/**
 * How a tensor of any rank is viewed as the matrix of a TensorPayload: size-1 axes are dropped, the
 * last remaining axis gives the columns and the product of the others the rows ([4, 30, 1] → 4 × 30,
 * [2, 3, 4] → 6 × 4, a scalar or vector → 1 × n). Kernel and renderer use this one rule.
 */
export function matrixView(shape: readonly number[]): [number, number] {
  const view = shape.filter((d) => d !== 1);
  const size = shape.reduce((a, b) => a * b, 1);
  const cols = view.length === 0 ? 1 : view[view.length - 1];
  return [view.length <= 1 ? 1 : size / Math.max(1, cols), cols];
}

/** How a run comparison lays its curves out along x: the run's own global step (epoch or batch
 * number), the fraction of the run done (TensorBoard's most-asked x axis, tensorboard#6969), or wall
 * time in seconds (the run's wall time spread evenly over its points: records keep no per-point time). */
export type RunsXAxis = "step" | "relative" | "time";

/**
 * application/vnd.rnn-notebook.runs+json — runs of the ledger compared (src/engine/runsCompare.ts):
 * every metric of every run, so the view switches metric, x axis and smoothing without the kernel.
 * Series longer than `maxPoints` were reduced to block means of consecutive points (`every` per point,
 * the step of a block is its last step); smoothing (TensorBoard's debiased EMA, src/shared/smoothing.ts)
 * is applied to the points as sent.
 */
export interface RunsComparePayload {
  title?: string;
  /** What the view shows first. */
  metric: string;
  x: RunsXAxis;
  /** EMA weight in [0, 1); 0 = raw curves. */
  smoothing: number;
  /** Every metric at least one run has, "loss" first; "batchLoss" is the per-batch loss. */
  metrics: string[];
  runs: RunsCompareRun[];
  /** Configuration keys whose values differ between the runs (first-seen order). */
  differingKeys: string[];
  /** Most points sent per series. */
  maxPoints: number;
  /** Runs in the ledger when only the last `runs.length` were sent. */
  trueRuns?: number;
}

/** Most runs one comparison draws (more lines than this is no longer a comparison to read). */
export const MAX_COMPARED_RUNS = 64;

/** One run as the comparison shows it. */
export interface RunsCompareRun {
  id: string;
  model: { name: string; type: string; totalParams: number };
  /** The record's flat configuration (keys in the record's order). */
  config: Record<string, string | number | boolean | null>;
  wallTimeMs: number;
  interrupted: boolean;
  stoppedEarly: boolean;
  /** One series per metric the run recorded. */
  series: RunsCompareSeries[];
}

export interface RunsCompareSeries {
  metric: string;
  /** Global step of each point: the epoch number (after `initialEpoch` for a resumed fit) for per-epoch
   * metrics, the run's batch number for "batchLoss". */
  steps: number[];
  values: (number | null)[];
  /** The step before the run's first point (initialEpoch, or 0) and its last step: relative x is
   * (step − start) / (end − start). */
  start: number;
  end: number;
  /** Recorded values (batches, for "batchLoss") averaged into each sent point (1: none). */
  every: number;
  /** The metric's last finite value in the record (before any reduction); null when it has none. */
  final: number | null;
}
