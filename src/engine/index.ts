/**
 * The engine's public entry: everything a notebook cell sees as `rnn` except the kernel's mathjs
 * and display helpers (`rnn.show.*`, `rnn.toMath`, `rnn.signal`), which the kernel adds on top. The
 * host port (host.ts: files, the fit signal and progress observer) is not exported here: the kernel
 * imports `setHost` from ./host, so cells never see it. The extension imports `paramCount` directly
 * from ./params for hovers.
 *
 * Conventions in one place:
 * - Keras family (`rnn.sequential`, `rnn.simpleRNN`, `rnn.lstm`, `rnn.gru`, `rnn.dense`, …): always
 *   batch-major [B, T, F]; weights `kernel [I, G·H]`, `recurrent_kernel [H, G·H]`, `bias`; model keys
 *   `layerName/weightName`; layers auto-named `lstm`, `lstm_1`, … with engine-wide counters as in Keras.
 * - PyTorch family (`rnn.nn.*`): PyTorch shapes (`batchFirst` false by default), state-dict names,
 *   two bias vectors.
 * - Float32 unless a model is built with `dtype: "float64"` (gradient checks).
 * - Every random choice is seeded; the same seeds give bit-identical results.
 */
import * as nn from "./nn/index";
import { callbacks } from "./callbacks";
import { datasets } from "./datasets";
import { charVocab, encode, oneHot, sampleText, windows } from "./text";
export type { CharVocab } from "./text";

// Tensors
export { Tensor, tensor, zeros, ones, toMath, fromMath, type DType, type TensorLike, type NestedArray, type TensorOptions } from "./tensor";
/**
 * Autograd beside the Tensor methods (`add`, `matmul`, `sum`, `softmax`, …, `backward`):
 * `rnn.cat(ts, axis)` and `rnn.stack(ts, axis)` join tensors (along an existing / a new axis),
 * `rnn.where(cond, a, b)` picks elementwise, `rnn.noGrad(fn)` runs `fn` without recording a graph,
 * `rnn.isGradEnabled()` says whether ops record one right now.
 */
export { cat, stack, where, noGrad, isGradEnabled } from "./autograd/ops";

// Keras-family model and layers
export { sequential, Sequential, load, modelFromBytes, type SequentialOptions } from "./model";
export type { Recording, RecordingOptions, RecurrentRecording, Recordable } from "./recording";
/**
 * The functional API: `rnn.input({ shape })` → a symbolic KerasTensor, `layer.apply(x | [x1, x2], { initialState?, training? })`
 * → KerasTensor(s), `rnn.model({ inputs, outputs })` → a model with several inputs/outputs and shared layers.
 */
export { input, KerasTensor, type InputOptions, type CallOptions } from "./graph/symbolic";
export { model, loadModel, Functional, type ModelOptions, type ModelLoss, type ModelInputs } from "./graph/functional";
export { simpleRNN } from "./layers/simpleRnn";
export { lstm } from "./layers/lstm";
export { gru } from "./layers/gru";
export type { KerasRecurrentOptions } from "./layers/kerasRecurrent";
export { dense, type DenseOptions } from "./layers/dense";
export { embedding, type EmbeddingOptions } from "./layers/embedding";
export { dropout, type DropoutOptions } from "./layers/dropout";
export { flatten } from "./layers/flatten";
export { timeDistributed } from "./layers/timeDistributed";
export { bidirectional, type BidirectionalOptions } from "./layers/bidirectional";
export { repeatVector, type RepeatVectorOptions } from "./layers/repeatVector";
export { masking, type MaskingOptions } from "./layers/masking";
export { concatenate, add, type ConcatenateOptions, type AddOptions } from "./layers/merge";
export { attention, additiveAttention, type AttentionOptions } from "./layers/attention";
export { resetLayerNames, type Layer, type Param, type LayerRecording } from "./layer";

/**
 * PyTorch-flavoured modules: `rnn.nn.RNN/LSTM/GRU({ inputSize, hiddenSize, … })`, `rnn.nn.Linear(in, out)`,
 * `rnn.nn.Embedding(n, d)`, `rnn.nn.Dropout(p)`; `class M extends rnn.nn.Module { … }` with
 * `rnn.nn.Parameter(t)` and `rnn.nn.ModuleList([...])`; `rnn.nn.functional` (`rnn.nn.F`) losses;
 * `rnn.nn.utils.clipGradNorm_`.
 */
export { nn };
/**
 * torch.optim for Modules and tensors: `rnn.optim.SGD / Adam / RMSprop(model.parameters(), options)`
 * with `step()` and `zeroGrad()` (the same update formulas as `rnn.sgd/adam/rmsprop` for `fit`).
 */
export * as optim from "./nn/optim";

// Counting and summaries
export { paramCount, type ParamCount, type ParamTensor, type LayerConfig, type Convention } from "./params";
export type { Summary } from "./summary";

// Training
export { sgd, rmsprop, adam, type Optimizer, type SgdOptions, type RmspropOptions, type AdamOptions } from "./optim";
export { loadOptimizer, optimizerFromBytes, type SaveOptions } from "./serialize";
export { mse, crossEntropy, binaryCrossEntropy, LOSS_NAMES, type LossName } from "./loss";
export { clipByGlobalNorm, clipPerTensor, clipByValue, type ClipReport } from "./clip";
export type { FitOptions, History, FitProgress } from "./fit";
export type { RunRecord, RunLogAt, ConfigValue } from "./runs";
export type { FlightRecord, ProbeOptions, ProbeSnapshot } from "./probe";
export type { Callback, EpochLogs, EarlyStoppingOptions, ModelCheckpointOptions } from "./callbacks";
/** `rnn.callbacks.earlyStopping({ patience, monitor?, minDelta?, restoreBestWeights? })`. */
export { callbacks };
export type { CosineScheduleOptions, ExponentialScheduleOptions, HasLearningRate, LrSchedule, LrScheduler, PlateauScheduleOptions, StepScheduleOptions, WarmupScheduleOptions } from "./schedules";
/**
 * Learning-rate schedules, PyTorch's lr_scheduler semantics: `fit(x, y, { …, lrSchedule: rnn.schedules.cosine({ tMax: 20 }) })`,
 * or by hand `const s = rnn.schedules.step({ stepSize: 10 }).attach(opt)` and `s.step()` after each epoch.
 */
export { schedules } from "./schedules";

// Data helpers
/** `rnn.data.readCsv(path, options?)` / `rnn.data.readNpy(path)`: the user's own data files as tensors (through the host's files). */
export { data, type CsvOptions } from "./io/data";
/** `rnn.datasets.sine({ samples, timesteps, seed })` → { x [N,T,1], y [N,1] }; `rnn.datasets.addingProblem(…)` → { x [N,T,2], y [N,1] }. */
export { datasets };
/**
 * Character-level text helpers: `charVocab(text)` → { size, chars, encode, decode }, `encode(vocab, s)`
 * → indices, `oneHot(ids, V)` → flat [L, V], `windows(ids, T, step?)` → next-char training windows,
 * `sampleText` — a short bundled text for language-model samples.
 */
export const text = {
  /**
   * Builds the vocabulary of a text (its distinct characters, sorted) → { size, chars, indexOf, encode, decode }.
   * `const vocab = rnn.text.charVocab(rnn.text.sampleText); vocab.decode(vocab.encode("river"))` → "river".
   */
  charVocab,
  /** Index encoding: `encode(vocab, s)` → Float32Array of character indices, one per character (a flat [L] sequence). */
  encode,
  /** One-hot encoding: `oneHot(ids, V)` → Float32Array [L, V], row-major, a 1 at each row's index (throws outside [0, V)). */
  oneHot,
  /**
   * Next-character training windows: x[n] = ids[s … s+T), y[n] = ids[s+1 … s+T+1) for s = 0, step, 2·step, … (step
   * defaults to T) → { x, y, count } with flat x [N, T], y [N, T] of indices (e.g. `rnn.tensor(x, [count, T])`).
   */
  windows,
  /** A short bundled text (about 1,500 lower-case characters of plain prose written for this project) to train character-level language models on in seconds. */
  sampleText,
};

// Files and checks (file methods go through the host: host.ts)
export { MODEL_FILE_VERSION } from "./serialize";
export { saveWeights, loadWeights, type ExportPyTorchResult, type WithSafetensors } from "./io/files";
export type { PyTorchExportOptions } from "./io/torchExport";
export type { FromPyTorchOptions } from "./io/torchImport";
export { gradCheck, type GradCheckReport, type GradCheckTarget } from "./gradcheck";

// Analyses of a trained model (trajectories, unit search, connectivity)
/** `rnn.analysis.trajectory / findUnits / connectivity / fixedPoints`: what a recurrent model learned, as typed data. */
export { analysis, type AnalysedModel, type StateName, type ConnectivityOptions, type FindUnitsOptions, type UnitMatch, type FixedPoint, type FixedPointOptions, type Trajectory, type TrajectoryOptions } from "./analysis/index";

// Randomness: `rnn.manualSeed(42)` seeds the generator nn modules draw their initial weights from
// (like torch.manual_seed); `new rnn.Rng(seed)` for cells that want their own stream.
export { manualSeed, Rng, randn } from "./random";
