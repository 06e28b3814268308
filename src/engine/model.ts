/**
 * The Keras-family container, `rnn.sequential({ inputShape }, layers)`: builds the layers in order
 * from the per-sample input shape, chains their forward/backward passes, and owns everything that is
 * about the model as a whole — weight keys (`layerName/weightName`), get/setWeights in Keras
 * `get_weights()` order, parameter counting (through paramCount only), the summary table, gradients,
 * predict/evaluate and instrumentation recordings. Training lives in fit.ts, the model file format in
 * serialize.ts, files through the host in io/files.ts, character sampling in lm.ts; the class
 * delegates to them.
 *
 * Shapes: always batch-major. inputShape is per sample (no batch axis), e.g. [T, F] for recurrent
 * input or [T] for embedding indices; `null` marks a free dimension (any number of timesteps).
 * Naming: layers are named like Keras with counters global to the engine (Keras's backend-wide
 * `get_uid`, reset by `resetLayerNames()`, which the kernel calls on restart), so two models built in
 * one session get `dense` and `dense_1`, exactly as in a Keras notebook.
 */
import type { ForwardContext, Layer, Param } from "./layer";
import { isMultiLayer, type MultiLayer } from "./graph/symbolic";
import { uniqueLayerName, zeroGrads } from "./layer";
import { checkLossName, computeLoss, accuracy, type LossName } from "./loss";
import { paramCount, type Convention, type ParamCount } from "./params";
import { checkKeys, oneOf } from "./options";
import { globalRng, Rng } from "./random";
import { makeSummary, type Summary } from "./summary";
import { Tensor, asTensor, allocFloats, type DType, type TensorLike, dtypeOf } from "./tensor";
import { shapeText } from "./layers/common";
import { fit, type FitOptions, type History, type LossStep } from "./fit";
import { sample, type SampleOptions } from "./lm";
import { modelToBytes, readModelBytes, type SaveOptions } from "./serialize";
import { decodeSafetensors, encodeSafetensors } from "./io/safetensors";
import { exportPyTorchFiles, exportTrainingFiles, importPyTorchFile, loadWeightsFile, readModelFile, saveModelFile, saveWeightsFile, type ExportPyTorchResult, type ExportTrainingResult } from "./io/files";
import type { PyTorchExportOptions } from "./io/torchExport";
import type { FromPyTorchOptions } from "./io/torchImport";
import type { TrainingExportOptions } from "./io/trainingExport";
import { recordSequential } from "./record";
import type { Recording, RecordingOptions } from "./recording";

/** First argument of `rnn.sequential(options, layers)`; only inputShape is required: `{ inputShape: [20, 1] }` for [B, 20, 1] input. */
export interface SequentialOptions {
  /** Per-sample input shape (no batch axis): [timesteps, features], [timesteps] for embedding indices; null = any. */
  inputShape: (number | null)[];
  /** Model name (default "sequential", "sequential_1", …). */
  name?: string;
  /** "float32" (default) or "float64" (gradient checks). */
  dtype?: DType;
  /**
   * Seed of the initial weights of layers without their own `seed`. Default: a stream forked from the
   * engine's global generator (`rnn.manualSeed`, seeded 0 when the kernel starts), so a notebook run
   * top to bottom is reproducible while two identical models still start from different weights, as in Keras.
   */
  seed?: number;
}

/** One weight of the model: its key, the Param and the layer that owns it. */
export interface WeightEntry {
  key: string;
  param: Param;
  layer: Layer;
}

const OPTIONS = ["inputShape", "name", "dtype", "seed"];

/** Layer types that honour a mask from an earlier layer (Keras: the recurrent layers). */
const MASKED_RECURRENT = new Set(["simpleRNN", "lstm", "gru"]);

/**
 * What both Keras-family models (`rnn.sequential`, `rnn.model`) share: model-level access to their
 * layers' weights through one list of entries (`layerName/weightName` keys, each parameter once).
 */
export abstract class KerasWeights {
  /** The weight entries, set by the model once its layers are built (`collectEntries`). */
  protected entries: WeightEntry[] = [];

  /** Model-level weight views keyed `layerName/weightName` (share storage with the layers). */
  get weights(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const e of this.entries) out[e.key] = new Tensor(e.param.value, e.param.shape);
    return out;
  }

  /** Every weight with its key, in Keras `get_weights()` order (a tied or shared layer's weights once). */
  weightEntries(): WeightEntry[] {
    return this.entries.slice();
  }

  /** Unique parameters in `weightEntries()` order (a tied or shared layer's once). */
  params(): Param[] {
    return this.entries.map((e) => e.param);
  }

  /** Copies of all weights in Keras `get_weights()` order (see weightEntries for the keys). */
  getWeights(): Tensor[] {
    return this.entries.map((e) => new Tensor(e.param.value.slice(), e.param.shape));
  }

  /**
   * Loads weights: an array in Keras `get_weights()` order (per layer: SimpleRNN/LSTM/GRU kernel,
   * recurrent_kernel, bias; Dense kernel, bias (bias only when tied); Embedding embeddings;
   * Bidirectional forward's three then backward's three), or an object keyed like `weights`.
   */
  setWeights(values: readonly TensorLike[] | Record<string, TensorLike>): void {
    setEntryValues(this.entries, values);
  }
}

/**
 * A Keras-style stack of layers (make one with `rnn.sequential({ inputShape: [T, F] }, [layers…])`):
 * `fit`, `predict`, `evaluate`, `summary`, `record`, get/setWeights; inputs are batch-major [B, …inputShape].
 */
export class Sequential extends KerasWeights {
  /** Class name, as every layer has one (`Layer.className`): hosts name a model by it, since the
   * constructor's name does not survive a minified bundle. */
  readonly className = "Sequential";
  /** Model name: the `name` option, else "sequential", "sequential_1", … (Keras auto-naming). */
  readonly name: string;
  /** The layers in order (the same objects that were passed in, built for this model). */
  readonly layers: Layer[];
  /** Per-sample input shape as given (null = free). */
  readonly inputShape: (number | null)[];
  /** Compute dtype of weights and activations: "float32" (default) or "float64" (gradient checks). */
  readonly dtype: DType;
  /** Per-sample output shape of each layer (null = free). */
  readonly outputShapes: (number | null)[][];
  /** Input feature size of each layer (what paramCount is given). */
  private readonly inputSizes: number[];
  /** Optional vocabulary for `sample` (otherwise the latest matching `rnn.text.charVocab`). */
  vocab: unknown;

  constructor(options: SequentialOptions, layers: Layer[]) {
    super();
    if (Array.isArray(options)) {
      throw new Error("rnn.sequential takes the options first and the layers second: rnn.sequential({ inputShape: [timesteps, features] }, [layers…]) — inputShape is per sample, without the batch axis");
    }
    if (!options || typeof options !== "object") throw new Error("rnn.sequential: expected ({ inputShape: [timesteps, features] }, [layers…])");
    checkKeys(options, OPTIONS, "rnn.sequential");
    const { inputShape, dtype = "float32", seed } = options;
    if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
      throw new Error(`rnn.sequential: inputShape must be per-sample dimensions without the batch axis, e.g. [20, 6]; got ${JSON.stringify(inputShape)}`);
    }
    oneOf(dtype, ["float32", "float64"], "dtype", "rnn.sequential");
    if (!Array.isArray(layers) || layers.length === 0) throw new Error("rnn.sequential: expected a non-empty array of layers as the second argument");
    layers.forEach((l, i) => {
      if (!l || typeof l.forward !== "function" || typeof l.build !== "function") throw new Error(`rnn.sequential: element ${i} is not a layer`);
    });
    const names = new Set<string>();
    for (const l of layers) {
      if (names.has(l.name)) throw new Error(`rnn.sequential: two layers are named "${l.name}"; layer names must be unique in a model`);
      names.add(l.name);
    }
    this.name = options.name ?? uniqueLayerName("sequential");
    this.layers = layers.slice();
    this.inputShape = inputShape.slice();
    this.dtype = dtype;
    this.outputShapes = [];
    this.inputSizes = [];
    const rng = seed !== undefined ? new Rng(seed) : globalRng().fork();
    let shape = inputShape.map((d) => d ?? -1); // -1 = free dimension inside the engine
    for (const layer of this.layers) {
      this.inputSizes.push(shape[shape.length - 1]);
      if (shape[shape.length - 1] < 0 && layer.type !== "embedding" && layer.type !== "dropout") {
        throw new Error(`layer "${layer.name}" (${layer.className}) needs a known feature size but its input is ${shapeText(shape.map(free))}`);
      }
      try {
        if (layer.built) layer.outputShape(shape); // validates a reused, already built layer
        else layer.build(shape, { dtype, rng });
      } catch (e) {
        throw withStackingHint(e, this.layers[this.layers.indexOf(layer) - 1], layer, shape);
      }
      shape = layer.outputShape(shape);
      this.outputShapes.push(shape.map(free));
    }
    this.entries = collectEntries(this.layers);
  }

  // ---------------------------------------------------------------------------------------------
  // Weights and counting

  /** paramCount of layer i with its input feature size (Keras convention unless asked). */
  layerCount(i: number, convention: Convention = "keras"): ParamCount {
    return paramCount(this.layers[i].config, this.inputSizes[i], convention);
  }

  /** Total parameters, from paramCount per layer (a tied matrix counted once, in its embedding). */
  countParams(): number {
    return this.layers.reduce((a, _l, i) => a + this.layerCount(i).total, 0);
  }

  /**
   * The Keras-style summary table (returned, not printed). `{ convention: "torch" }` counts the same
   * layers as PyTorch would (two bias vectors per recurrent layer) for the summary panel's switch.
   */
  summary(options: { convention?: Convention } = {}): Summary {
    checkKeys(options, ["convention"], "summary");
    const convention = options.convention ?? "keras";
    return makeSummary(this.name, convention, this.layers.map((layer, i) => {
      const c = this.layerCount(i, convention);
      return { name: layer.name, type: layer.className, outputShape: [null, ...this.outputShapes[i]], params: c.total,
        breakdown: c.tensors, formula: c.formula, trainable: layer.trainable };
    }));
  }

  /** Forgets the carried states of every stateful recurrent layer (Keras reset_states): the next batch starts from zeros. */
  resetStates(): void {
    for (const l of this.layers) (l as { resetStates?: () => void }).resetStates?.();
  }

  /** The layer with this name. */
  getLayer(name: string): Layer {
    const l = this.layers.find((x) => x.name === name);
    if (!l) throw new Error(`model "${this.name}" has no layer "${name}"; layers: ${this.layers.map((x) => x.name).join(", ")}`);
    return l;
  }

  // ---------------------------------------------------------------------------------------------
  // Passes

  /** Converts and validates a batch input against inputShape; names the first layer and both shapes. @internal */
  input(x: TensorLike): Tensor {
    const t = asTensor(x, this.dtype);
    const want = this.inputShape;
    if (t.rank !== want.length + 1 || want.some((d, i) => d !== null && d !== t.shape[i + 1])) {
      const first = this.layers[0];
      throw new Error(`layer "${first.name}" (${first.className}) of model "${this.name}" expects input shape ${shapeText(want)} but got (${t.shape.join(", ")})`);
    }
    return t;
  }

  /**
   * Forward through every layer. x [B, …inputShape] → output [B, …]. @internal (fit/lm plumbing; cells use predict)
   *
   * Masks travel as in a Keras Sequential: an embedding with maskZero (or a masking layer) marks padded
   * steps, the recurrent layers after it honour the mask (graph calls of the same layers, see
   * graph/symbolic.ts), and a layer whose output has no time axis any more drops it.
   */
  forwardPass(x: Tensor, ctx: ForwardContext): Tensor {
    let h = x;
    let mask: Tensor | null = null;
    this.maskedRuns = this.layers.map(() => null);
    this.layers.forEach((layer, i) => {
      const produces = isMultiLayer(layer) && !!layer.producesMask;
      const consumes = mask !== null && isMultiLayer(layer) && MASKED_RECURRENT.has(layer.type);
      if (mask && !consumes && layer.type === "bidirectional") {
        throw new Error(`layer "${layer.name}" (Bidirectional) cannot honour the mask of an embedding with maskZero or a masking layer yet; use the recurrent layers without the wrapper, or no mask`);
      }
      if (produces || consumes) {
        const multi = layer as MultiLayer;
        const outs = multi.graphForward(consumes ? [h, mask!] : [h], ctx, { main: 1, states: 0, mask: consumes, returnAttentionScores: false });
        this.maskedRuns[i] = { outputs: outs.length };
        h = outs[0];
        if (produces) mask = outs[outs.length - 1];
      } else {
        h = layer.forward(h, ctx);
      }
      if (mask && h.rank < 3) mask = null; // no time axis left (a recurrent layer's last step, flatten): no mask
    });
    return h;
  }

  /** Per layer: run as a graph call with a mask (how many outputs), else null. */
  private maskedRuns: ({ outputs: number } | null)[] = [];

  /** Backward of layer i (as it ran forward); `inputGrad` false lets it skip ∂L/∂x. */
  private layerBackward(i: number, d: Tensor, inputGrad: boolean): Tensor | null {
    const layer = this.layers[i];
    const run = this.maskedRuns[i];
    if (run) {
      const dys = [d, ...Array.from({ length: run.outputs - 1 }, () => null)];
      return (layer as MultiLayer).graphBackward(dys, [inputGrad, false])[0];
    }
    if (!inputGrad && layer.backwardParamsOnly) {
      layer.backwardParamsOnly(d);
      return null;
    }
    return layer.backward(d);
  }

  /** Backward through every layer from ∂L/∂output, accumulating parameter gradients. @internal (cells use computeGradients) */
  backwardPass(dy: Tensor): Tensor {
    let d = dy;
    for (let i = this.layers.length - 1; i >= 0; i--) d = this.layerBackward(i, d, true)!;
    return d;
  }

  /**
   * `backwardPass` for training, which discards ∂L/∂x: the first layer skips computing it when it can
   * (`Layer.backwardParamsOnly`). Same parameter gradients. @internal
   */
  backwardParams(dy: Tensor): void {
    let d = dy;
    for (let i = this.layers.length - 1; i > 0; i--) d = this.layerBackward(i, d, true)!;
    this.layerBackward(0, d, false);
  }

  /** Validates y against the output for a loss and returns its flat data. @internal */
  target(y: TensorLike, out: Tensor, loss: LossName): Tensor {
    return checkTarget(asTensor(y, this.dtype), out, loss, this.layers[this.layers.length - 1], this.name);
  }

  /** Converts and validates x as given to fit (one input). @internal */
  fitInputs(x: unknown): Tensor[] {
    return [this.input(x as TensorLike)];
  }

  /** Converts y as given to fit (one output). @internal */
  fitTargets(y: unknown): Tensor[] {
    return [asTensor(y as TensorLike, this.dtype)];
  }

  /** Forward + loss on one batch; `backward()` then accumulates the gradients (fit zeroes them first). @internal */
  lossStep(xs: Tensor[], ys: Tensor[], loss: LossName, ctx: ForwardContext): LossStep {
    const out = this.forwardPass(xs[0], ctx);
    const t = this.target(ys[0], out, loss);
    const r = computeLoss(loss, out.data, out.shape, t.data);
    return {
      loss: r.value,
      backward: () => this.backwardParams(new Tensor(r.grad, out.shape)),
      accuracy: () => accuracy(loss, out.data, out.shape, t.data),
    };
  }

  /** Loss and gradients for one batch: `{ loss, grads }` with grads keyed like `weights` (copies). */
  computeGradients(x: TensorLike, y: TensorLike, options: { loss: LossName; training?: boolean; seed?: number; tbptt?: number }): { loss: number; grads: Record<string, Tensor> } {
    checkKeys(options, ["loss", "training", "seed", "tbptt"], "computeGradients");
    const loss = checkLossName(options.loss);
    const value = this.lossAndBackward(this.input(x), y, loss, { training: !!options.training, rng: new Rng(options.seed ?? 0), tbptt: options.tbptt });
    const grads: Record<string, Tensor> = {};
    for (const e of this.entries) grads[e.key] = new Tensor(e.param.grad.slice(), e.param.shape);
    return { loss: value, grads };
  }

  /** Zeroes grads, runs forward + loss + backward; returns the loss. Grads are left in Param.grad. @internal (cells use computeGradients) */
  lossAndBackward(x: Tensor, y: TensorLike, loss: LossName, ctx: ForwardContext): number {
    zeroGrads(this.params());
    const out = this.forwardPass(x, ctx);
    const t = this.target(y, out, loss);
    const r = computeLoss(loss, out.data, out.shape, t.data);
    this.backwardParams(new Tensor(r.grad, out.shape));
    return r.value;
  }

  /** Inference in batches. x [N, …inputShape] → [N, …output]. */
  predict(x: TensorLike, options: { batchSize?: number } = {}): Tensor {
    checkKeys(options, ["batchSize"], "predict");
    const xs = this.input(x);
    const n = xs.shape[0];
    const bs = options.batchSize ?? 32;
    const ctx = { training: false, rng: new Rng(0) };
    const parts: Tensor[] = [];
    for (let s = 0; s < n; s += bs) parts.push(this.forwardPass(xs.slice(s, s + bs), ctx));
    return concatRows(parts);
  }

  /**
   * Mean loss (and accuracy with metrics: ["accuracy"]; perplexity = exp(loss) for crossEntropy) over
   * x, y in inference mode.
   */
  evaluate(x: TensorLike, y: TensorLike, options: { loss: LossName; batchSize?: number; metrics?: string[] }): { loss: number; accuracy?: number; perplexity?: number } {
    checkKeys(options, ["loss", "batchSize", "metrics"], "evaluate");
    return this.evaluateTensors([this.input(x)], [asTensor(y, this.dtype)], options);
  }

  /** evaluate on converted tensors (fit's validation). @internal */
  evaluateTensors(xsIn: Tensor[], ysIn: Tensor[], options: { loss: LossName; batchSize?: number; metrics?: string[] }): { loss: number; accuracy?: number; perplexity?: number } {
    const loss = checkLossName(options.loss);
    const xs = xsIn[0];
    const ys = ysIn[0];
    const n = xs.shape[0];
    if (ys.shape[0] !== n) throw new Error(`evaluate: x has ${n} samples but y has ${ys.shape[0]}`);
    const bs = options.batchSize ?? 32;
    const ctx = { training: false, rng: new Rng(0) };
    let sum = 0, correct = 0, counted = 0;
    for (let s = 0; s < n; s += bs) {
      const out = this.forwardPass(xs.slice(s, s + bs), ctx);
      const t = this.target(ys.slice(s, s + bs), out, loss);
      sum += computeLoss(loss, out.data, out.shape, t.data).value * out.shape[0];
      if (options.metrics?.includes("accuracy")) {
        const a = accuracy(loss, out.data, out.shape, t.data);
        correct += a.correct;
        counted += a.count;
      }
    }
    const result: { loss: number; accuracy?: number; perplexity?: number } = { loss: sum / n };
    if (options.metrics?.includes("accuracy")) result.accuracy = correct / counted;
    if (loss === "crossEntropy") result.perplexity = Math.exp(result.loss);
    return result;
  }

  /**
   * Instrumentation (recording.ts): one forward (and, with y, a backward) in inference mode, returning
   * per recurrent layer and direction the gate activations of one sequence ([T, H] per gate: LSTM
   * i,f,g,o,c,h; GRU r,z,n,h; SimpleRNN h) and ‖∂L/∂h_t‖ (‖∂L/∂c_t‖ for LSTM) per timestep.
   * Parameter gradients are left zeroed. `{ batchIndex, layer, tbptt }` pick the sequence, the layer
   * and a truncated-BPTT window. `model.record(x, y, { loss: "mse" }).layers[0].gradNorms.h`
   */
  record(x: TensorLike, y?: TensorLike, options: RecordingOptions = {}): Recording {
    return recordSequential(this, x, y, options);
  }

  // ---------------------------------------------------------------------------------------------
  // Training, sampling, bytes and files (implemented in fit.ts, lm.ts, serialize.ts, io/files.ts)

  /** Trains on x [N, …inputShape], y [N, …]; see FitOptions (fit.ts) for options and defaults. Resolves with the history. */
  fit(x: TensorLike, y: TensorLike, options: FitOptions): Promise<History> {
    return fit(this, x, y, options);
  }

  /** Character LM sampling: prime (text, or its character indices) + `length` generated characters (lm.ts). */
  sample(prime: string | ArrayLike<number>, options: SampleOptions = {}): string {
    return sample(this, prime, options);
  }

  /** Architecture + weights as bytes (versioned model file, serialize.ts); `save(path)` writes them to a file. */
  toBytes(options?: SaveOptions): Uint8Array {
    return modelToBytes(this, options);
  }

  /** Weights only, as safetensors bytes with tensors named by model key (`lstm/kernel`, …), in the model's dtype. */
  toSafetensors(): Uint8Array {
    return encodeSafetensors(this.weights, { format: "rnn-notebook", convention: "keras", model: this.name });
  }

  /** Loads weights from safetensors bytes whose tensor names are this model's keys (shapes must match). */
  fromSafetensors(bytes: Uint8Array): void {
    const { tensors } = decodeSafetensors(bytes);
    const extra = Object.keys(tensors).filter((k) => !this.entries.some((e) => e.key === k));
    if (extra.length) throw new Error(`fromSafetensors: unexpected tensors ${extra.join(", ")}; this model's keys: ${this.entries.map((e) => e.key).join(", ")}`);
    this.setWeights(tensors);
  }

  /**
   * Saves the whole model (architecture + weights) to a file, atomically (never half a file);
   * `rnn.load(path)` reads it back. Relative paths start at the notebook's folder. With `{ optimizer }` the file is
   * also a checkpoint: `rnn.loadOptimizer(path, model)` gives the optimizer back to resume fit with `initialEpoch`.
   */
  save(path: string, options?: SaveOptions): void {
    saveModelFile(this.toBytes(options), path);
  }

  /** Weights only, as a .safetensors file (tensors named by model key, `lstm/kernel`, …); returns the absolute path. */
  saveSafetensors(path: string): string {
    return saveWeightsFile(this, path, "saveSafetensors");
  }

  /** Loads weights from a .safetensors file written by `saveSafetensors` (a whole-model file is refused: use rnn.load). */
  loadSafetensors(path: string): this {
    loadWeightsFile(this, path, "loadSafetensors");
    return this;
  }

  /** model.py + weights.safetensors + check.py + reference.safetensors in `dir` (created if needed), for PyTorch. */
  exportPyTorch(dir: string, options?: PyTorchExportOptions): ExportPyTorchResult {
    return exportPyTorchFiles(this, dir, options);
  }

  /**
   * The PyTorch export plus the training data (data.safetensors) and train.py, a DistributedDataParallel
   * script with the given fit options (loss, optimizer, clipping, tbptt, …): `torchrun --standalone --nproc_per_node=N
   * --redirects 1 --tee 1 train.py` trains it (the last two flags for Debian's torch 1.13 on Python 3.11);
   * `importPyTorch(dir)` then loads trained.safetensors. `{ x, y, loss, ...fitOptions }`.
   */
  exportTraining(dir: string, options: TrainingExportOptions): ExportTrainingResult {
    return exportTrainingFiles(this, dir, options);
  }

  /**
   * The way back: PyTorch-named weights (an export folder, or a .safetensors file saved with
   * `save_file(model.state_dict(), path)` after training further in PyTorch) into this model.
   * `prefix` selects a submodule's keys (e.g. "encoder.").
   */
  importPyTorch(path: string, options?: FromPyTorchOptions): this {
    importPyTorchFile(this, path, options);
    return this;
  }

  /** Rebuilds a model saved with toBytes(). */
  static fromBytes(bytes: Uint8Array): Sequential {
    const file = readModelBytes(bytes);
    if (file.graph) throw new Error(`model file: "${file.name}" is a functional model (rnn.model); load it with rnn.loadModel(path) or rnn.Functional.fromBytes(bytes)`);
    const model = new Sequential({ inputShape: file.inputShape, name: file.name, dtype: file.dtype }, file.layers);
    model.setWeights(model.entries.map((e) => file.weight(e.key, e.param.value.length)));
    if (file.vocab) model.vocab = file.vocab;
    return model;
  }
}

/** Rebuilds a model from `model.toBytes()` bytes: same layers, names, shapes, weights (and vocabulary). */
export function modelFromBytes(bytes: Uint8Array): Sequential {
  return Sequential.fromBytes(bytes);
}

/** A whole model saved with `model.save(path)`; relative paths start at the notebook's folder. */
export function load(path: string): Sequential {
  return Sequential.fromBytes(readModelFile(path));
}

/**
 * `rnn.sequential({ inputShape, name?, dtype?, seed? }, layers)` — a Keras Sequential model.
 * inputShape is per sample without the batch axis: [timesteps, features] (or [timesteps] of indices
 * for an embedding first layer). Inputs are always batch-major [B, …inputShape].
 */
export function sequential(options: SequentialOptions, layers: Layer[]): Sequential {
  return new Sequential(options, layers);
}

/**
 * The most common stacking mistake: a recurrent layer on top of one that returns only its last step
 * ([B, H], because returnSequences is false) gets no time axis. Say which layer needs the option.
 */
function withStackingHint(e: unknown, previous: Layer | undefined, layer: Layer, input: number[]): unknown {
  // A wrapper (bidirectional) carries the option in its wrapped layer's config.
  const inner = previous?.config.layer as { returnSequences?: unknown } | undefined;
  const returnSequences = previous?.config.returnSequences ?? inner?.returnSequences;
  if (!(e instanceof Error) || !previous || input.length !== 1 || returnSequences !== false) return e;
  e.message += `. Layer "${previous.name}" (${previous.className}) returns only its last step (None, ${input[0]}); `
    + `give ${inner ? "the layer it wraps" : "it"} returnSequences: true so "${layer.name}" gets the whole sequence (None, timesteps, ${input[0]})`;
  return e;
}

function free(d: number): number | null {
  return d < 0 ? null : d;
}

/**
 * Loads weights into entries (Keras `set_weights()`): an array in entry order or an object by key; every
 * count and shape is checked before any value is written, so a bad call changes nothing.
 */
export function setEntryValues(entries: readonly WeightEntry[], values: readonly TensorLike[] | Record<string, TensorLike>): void {
  const list: TensorLike[] = Array.isArray(values) ? values : entries.map((e) => {
    const v = (values as Record<string, TensorLike>)[e.key];
    if (v === undefined) throw new Error(`setWeights: missing "${e.key}"; expected keys: ${entries.map((x) => x.key).join(", ")}`);
    return v;
  });
  if (list.length !== entries.length) {
    throw new Error(`setWeights: expected ${entries.length} arrays (${entries.map((e) => e.key).join(", ")}), got ${list.length}`);
  }
  const tensors = list.map((v, i) => {
    const p = entries[i].param;
    const t = asTensor(v, dtypeOf(p.value)); // nested arrays of a float64 model stay float64
    if (t.size !== p.value.length || (t.rank > 1 && t.shape.join() !== p.shape.join())) {
      throw new Error(`setWeights: "${entries[i].key}" has shape [${p.shape.join(", ")}] but got [${t.shape.join(", ")}]`);
    }
    return t;
  });
  tensors.forEach((t, i) => entries[i].param.value.set(t.data));
}

/** Weight entries in layer order, keys `layer/weight`, each Param once. */
export function collectEntries(layers: Layer[]): WeightEntry[] {
  const seen = new Set<Param>();
  const out: WeightEntry[] = [];
  for (const layer of layers) {
    const keys = layer.paramKeys?.() ?? layer.params().map((p) => p.name);
    layer.params().forEach((param, i) => {
      if (seen.has(param)) return;
      seen.add(param);
      out.push({ key: `${layer.name}/${keys[i]}`, param, layer });
    });
  }
  return out;
}

/** Stacks tensors along the first axis. */
export function concatRows(parts: Tensor[]): Tensor {
  const total = parts.reduce((a, p) => a + p.size, 0);
  const out = allocFloats(total, parts[0].dtype);
  let off = 0;
  for (const p of parts) {
    out.set(p.data, off);
    off += p.size;
  }
  return new Tensor(out, [parts.reduce((a, p) => a + p.shape[0], 0), ...parts[0].shape.slice(1)]);
}

/**
 * Validates a target against a model output for a loss (names the model and the expected shapes), and
 * refuses crossEntropy on a softmax output (the loss applies softmax itself).
 */
export function checkTarget(t: Tensor, out: Tensor, loss: LossName, last: Layer | undefined, modelName: string): Tensor {
  const rows = out.size / out.shape[out.rank - 1];
  const ok = t.size === out.size || (loss === "crossEntropy" && t.size === rows);
  if (!ok || t.shape[0] !== out.shape[0]) {
    const expect = loss === "crossEntropy" ? `(${out.shape.slice(0, -1).join(", ")}) class indices or (${out.shape.join(", ")}) one-hot` : `(${out.shape.join(", ")})`;
    throw new Error(`model "${modelName}": target shape (${t.shape.join(", ")}) does not match the output; expected ${expect}`);
  }
  if (loss === "crossEntropy" && last?.outputActivation === "softmax") {
    throw new Error(`loss "crossEntropy" applies softmax itself; remove activation: "softmax" from layer "${last.name}" (it outputs logits then)`);
  }
  return t;
}
