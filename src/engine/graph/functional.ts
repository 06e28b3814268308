/**
 * The Keras functional model, `rnn.model({ inputs, outputs })`: a directed acyclic graph of layer
 * calls (GraphNodes, symbolic.ts) run on the layers' own forward/backward — the same code paths as
 * `rnn.sequential`, so a graph of fused recurrent layers trains at the fused engine's speed. Not the
 * autograd tape: every node is already a differentiable op with a cached backward, and the tape
 * would only add a second copy of each activation.
 *
 * Processing order:
 *   build     nodes in topological order (inputs first); a layer is built at its first node with the
 *             model's dtype and seed, later nodes of a shared layer only check their shapes.
 *   forward   nodes in topological order; each output KerasTensor gets its value.
 *   backward  nodes in reverse order; ∂L/∂tensor is summed over the tensor's consumers, and a node
 *             none of whose outputs reaches the loss is skipped.
 *
 * Shared layers: a layer caches exactly one forward (layer.ts). When a layer has several nodes, the
 * backward pass meets them in reverse order, so the last node's caches are the live ones; before an
 * earlier node's backward the layer re-runs that node's forward from its saved inputs (its dropout
 * masks replayed from the node's own seed), which restores the caches. Gradients of all uses add up
 * in Param.grad because backward accumulates. Costs one extra forward per extra use, only for shared
 * layers.
 */
import type { ForwardContext, Layer } from "../layer";
import { uniqueLayerName, zeroGrads } from "../layer";
import { accuracy, checkLossName, computeLoss, type LossName } from "../loss";
import { checkKeys } from "../options";
import { paramCount, type Convention, type ParamCount } from "../params";
import { globalRng, Rng } from "../random";
import { makeSummary, type Summary } from "../summary";
import { Tensor, allocFloats, asTensor, type DType, type TensorLike } from "../tensor";
import { collectEntries, concatRows, checkTarget, KerasWeights } from "../model";
import { fit, type FitOptions, type History, type LossStep } from "../fit";
import { shapeText } from "../layers/common";
import { checkBatchIndex, RECORDING_OPTIONS, resolveRecordingOptions, sequenceRecording, type Recording, type RecordingOptions } from "../recording";
import { applySymbolic, GraphNode, input, KerasTensor, isKerasTensor, isMultiLayer, toEngine, toSymbolic, type InputOptions } from "./symbolic";
import { modelToBytes, readModelBytes, type GraphSpec, type SaveOptions, type TensorRef } from "../serialize";
import { exportPyTorchFiles, exportTrainingFiles, importPyTorchFile, readModelFile, saveModelFile, type ExportPyTorchResult, type ExportTrainingResult } from "../io/files";
import type { FromPyTorchOptions } from "../io/torchImport";
import type { TrainingExportOptions } from "../io/trainingExport";
import type { PyTorchExportOptions } from "../io/torchExport";

/** Options of `rnn.model({ inputs, outputs })`. */
export interface ModelOptions {
  /** The model's input(s): KerasTensors from `rnn.input`. */
  inputs: KerasTensor | KerasTensor[];
  /** The model's output(s): KerasTensors from layers applied to the inputs. */
  outputs: KerasTensor | KerasTensor[];
  /** Model name (default "model", "model_1", … as Keras). */
  name?: string;
  /** Compute dtype; default float64 when an input was declared float64, else float32. */
  dtype?: DType;
  /** Seed of the initial weights of layers without their own `seed` (default: forked from the engine's generator, as rnn.sequential). */
  seed?: number;
}

/** Loss of `fit` / `evaluate` on a functional model: one name for every output, or one per output (Keras sums them). */
export type ModelLoss = LossName | LossName[];

/** Inputs of a functional model: one tensor for a one-input model, else one per input in `inputs` order. */
export type ModelInputs = TensorLike | TensorLike[];

const OPTIONS = ["inputs", "outputs", "name", "dtype", "seed"];

/**
 * A Keras functional model (make one with `rnn.model({ inputs, outputs })`): several inputs and outputs,
 * shared layers, encoder states fed to a decoder. `fit`, `predict`, `evaluate`, `summary`, `countParams`,
 * `weights`, get/setWeights as `rnn.sequential`. Inputs are batch-major [B, …shape].
 */
export class Functional extends KerasWeights {
  /** Class name (hosts name a model by it; constructor names do not survive minification). */
  readonly className = "Functional";
  /** Model name: the `name` option, else "model", "model_1", … (Keras auto-naming). */
  readonly name: string;
  /** The model's input tensors, in order. */
  readonly inputs: KerasTensor[];
  /** The model's output tensors, in order. */
  readonly outputs: KerasTensor[];
  /** Every layer once, in the order of its first call. */
  readonly layers: Layer[];
  /** Compute dtype of weights and activations: "float32" (default) or "float64" (gradient checks). */
  readonly dtype: DType;
  /** The layer calls in topological order. @internal */
  readonly nodes: GraphNode[];
  private readonly singleInput: boolean;
  private readonly singleOutput: boolean;
  /** Feature size (last axis) of each layer's input at its first node, what paramCount is given. */
  private readonly inputSizes = new Map<Layer, number>();
  /** Layers with more than one node in this model (their forward is replayed in backward). */
  private readonly shared = new Set<Layer>();
  // Per forward pass: tensor values, which node each layer cached last, and each shared node's seed.
  private values = new Map<KerasTensor, Tensor>();
  private cachedNode = new Map<Layer, GraphNode>();
  private nodeSeeds = new Map<GraphNode, number>();
  private lastCtx: ForwardContext | null = null;

  constructor(options: ModelOptions) {
    super();
    if (!options || typeof options !== "object") throw new Error("rnn.model: expected { inputs, outputs }");
    checkKeys(options, OPTIONS, "rnn.model");
    this.singleInput = !Array.isArray(options.inputs);
    this.singleOutput = !Array.isArray(options.outputs);
    this.inputs = this.singleInput ? [options.inputs as KerasTensor] : (options.inputs as KerasTensor[]).slice();
    this.outputs = this.singleOutput ? [options.outputs as KerasTensor] : (options.outputs as KerasTensor[]).slice();
    if (this.inputs.length === 0 || !this.inputs.every((t) => isKerasTensor(t) && t.node === null)) {
      throw new Error("rnn.model: inputs must be tensors made by rnn.input({ shape })");
    }
    if (this.outputs.length === 0 || !this.outputs.every(isKerasTensor)) {
      throw new Error("rnn.model: outputs must be KerasTensors returned by layer.apply(…)");
    }
    this.name = options.name ?? uniqueLayerName("model");
    this.nodes = topologicalNodes(this.outputs, this.inputs);
    const layers: Layer[] = [];
    for (const n of this.nodes) {
      if (layers.includes(n.layer)) this.shared.add(n.layer);
      else layers.push(n.layer);
      if (this.shared.has(n.layer) && n.layer.config.stateful) {
        throw new Error(`rnn.model: stateful layer "${n.layer.name}" is called more than once; its carried states belong to one call — use one layer per call`);
      }
    }
    const names = new Set<string>(this.inputs.map((t) => t.name));
    for (const l of layers) {
      if (names.has(l.name)) throw new Error(`rnn.model: two layers (or a layer and an input) are named "${l.name}"; names must be unique in a model`);
      names.add(l.name);
    }
    this.layers = layers;
    this.dtype = options.dtype ?? (this.inputs.some((t) => t.dtype === "float64") ? "float64" : "float32");
    const rng = options.seed !== undefined ? new Rng(options.seed) : globalRng().fork();
    for (const n of this.nodes) {
      const shapes = n.inputs.map((t) => toEngine(t.shape));
      if (!this.inputSizes.has(n.layer)) this.inputSizes.set(n.layer, shapes[0][shapes[0].length - 1]);
      if (n.layer.built) continue; // a shared layer's later node (or a layer built before): apply checked its shapes
      if (isMultiLayer(n.layer)) n.layer.graphBuild(shapes, { dtype: this.dtype, rng });
      else n.layer.build(shapes[0], { dtype: this.dtype, rng });
    }
    this.entries = collectEntries(this.layers);
  }

  // ---------------------------------------------------------------------------------------------
  // Weights and counting (the same shapes and keys as rnn.sequential)

  /** paramCount of a layer with the feature size of its (first) input. */
  layerCount(layer: Layer, convention: Convention = "keras"): ParamCount {
    return paramCount(layer.config, this.inputSizes.get(layer) ?? 0, convention);
  }

  /** Total parameters, from paramCount per layer (a shared layer counted once). */
  countParams(): number {
    return this.layers.reduce((a, l) => a + this.layerCount(l).total, 0);
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

  /**
   * Keras 2's functional summary (returned, not printed): one row per input and per layer, with the
   * "Connected to" column listing each call's inputs as `layer[node][tensor]`.
   */
  summary(options: { convention?: Convention } = {}): Summary {
    checkKeys(options, ["convention"], "summary");
    const convention = options.convention ?? "keras";
    const rows = [
      ...this.inputs.map((t) => ({ name: t.name, type: "InputLayer", outputShape: [null, ...t.shape], outputShapes: [[null, ...t.shape]],
        params: 0, breakdown: [], connectedTo: [] as string[] })),
      ...this.layers.map((layer) => {
        const c = this.layerCount(layer, convention);
        const nodes = this.nodes.filter((n) => n.layer === layer);
        const outs = nodes[0].visibleOutputs.map((t) => [null, ...t.shape]);
        return { name: layer.name, type: layer.className, outputShape: outs[0], ...(outs.length > 1 ? { outputShapes: outs } : {}),
          params: c.total, breakdown: c.tensors, formula: c.formula, trainable: layer.trainable,
          connectedTo: nodes.flatMap((n) => n.inputs.map((t) => this.tensorRef(t))) };
      }),
    ];
    return makeSummary(this.name, convention, rows);
  }

  /** Keras's `layer[node][tensor]` reference of a tensor ("input_1[0][0]", "lstm[0][1]"). */
  private tensorRef(t: KerasTensor): string {
    if (!t.node) return `${t.name}[0][0]`;
    return `${t.node.layer.name}[${this.nodes.filter((n) => n.layer === t.node!.layer).indexOf(t.node)}][${t.index}]`;
  }

  // ---------------------------------------------------------------------------------------------
  // Passes

  /** Converts and validates model inputs as given to fit/predict/evaluate. @internal */
  fitInputs(x: unknown, what = "fit"): Tensor[] {
    const n = this.inputs.length;
    let list: unknown[];
    if (n === 1) list = Array.isArray(x) && x.length === 1 && x[0] instanceof Tensor ? x : [x];
    else {
      if (!Array.isArray(x) || x.length !== n || x.some((v) => typeof v === "number")) {
        const got = Array.isArray(x) && !x.some((v) => typeof v === "number") ? `${x.length} arrays` : "one array";
        throw new Error(`${what}: model "${this.name}" has ${n} inputs (${this.inputs.map((t) => t.name).join(", ")}); pass one array per input, got ${got}`);
      }
      list = x;
    }
    const ts = list.map((v, i) => {
      const t = asTensor(v as TensorLike, this.dtype);
      const want = this.inputs[i].shape;
      if (t.rank !== want.length + 1 || want.some((d, k) => d !== null && d !== t.shape[k + 1])) {
        throw new Error(`input "${this.inputs[i].name}" of model "${this.name}" expects shape ${shapeText(want)} but got (${t.shape.join(", ")})`);
      }
      return t;
    });
    const b = ts[0].shape[0];
    ts.forEach((t, i) => {
      if (t.shape[0] !== b) throw new Error(`${what}: input "${this.inputs[i].name}" has ${t.shape[0]} samples but "${this.inputs[0].name}" has ${b}`);
    });
    return ts;
  }

  /** Converts targets: one per output. @internal */
  fitTargets(y: unknown, what = "fit"): Tensor[] {
    const n = this.outputs.length;
    if (n === 1) return [asTensor((Array.isArray(y) && y.length === 1 && y[0] instanceof Tensor ? y[0] : y) as TensorLike, this.dtype)];
    if (!Array.isArray(y) || y.length !== n || y.some((v) => typeof v === "number")) {
      throw new Error(`${what}: model "${this.name}" has ${n} outputs; pass one target array per output`);
    }
    return y.map((v) => asTensor(v as TensorLike, this.dtype));
  }

  /** Forward through the graph; returns one tensor per model output. @internal */
  forwardPass(xs: Tensor[], ctx: ForwardContext): Tensor[] {
    this.values = new Map();
    this.cachedNode = new Map();
    this.nodeSeeds = new Map();
    this.lastCtx = ctx;
    this.inputs.forEach((t, i) => this.values.set(t, xs[i]));
    for (const node of this.nodes) {
      if (this.shared.has(node.layer)) this.nodeSeeds.set(node, ctx.rng.nextUint32());
      this.runNode(node, ctx);
    }
    return this.outputs.map((t) => this.values.get(t)!);
  }

  private runNode(node: GraphNode, ctx: ForwardContext): void {
    const seed = this.nodeSeeds.get(node);
    const nctx: ForwardContext = { ...ctx, ...(seed !== undefined ? { rng: new Rng(seed) } : {}), ...(node.training !== undefined ? { training: node.training } : {}) };
    const ins = node.inputs.map((t) => this.values.get(t)!);
    const layer = node.layer;
    const outs = isMultiLayer(layer) ? layer.graphForward(ins, nctx, node.call) : [layer.forward(ins[0], nctx)];
    node.outputs.forEach((t, i) => this.values.set(t, outs[i]));
    this.cachedNode.set(layer, node);
  }

  /**
   * Backward from ∂L/∂outputs (null = an output without a loss), accumulating parameter gradients.
   * Returns ∂L/∂inputs when `inputGrads` (null for an input the loss does not reach). @internal
   */
  backwardPass(dOutputs: (Tensor | null)[], inputGrads = true): (Tensor | null)[] {
    const ctx = this.lastCtx;
    if (!ctx) throw new Error(`model "${this.name}": backward called without a preceding forward`);
    this.lastCtx = null;
    const grads = new Map<KerasTensor, Tensor>();
    this.outputs.forEach((t, i) => { if (dOutputs[i]) accumulate(grads, t, dOutputs[i]!); });
    for (let k = this.nodes.length - 1; k >= 0; k--) {
      const node = this.nodes[k];
      const dys = node.outputs.map((t) => grads.get(t) ?? null);
      if (dys.every((d) => d === null)) continue;
      const layer = node.layer;
      if (this.cachedNode.get(layer) !== node) this.runNode(node, ctx); // a shared layer: restore this call's caches
      this.cachedNode.delete(layer);
      const needed = node.inputs.map((t, i) => (inputGrads || t.node !== null) && !(node.call.mask && i === node.inputs.length - 1));
      let dIns: (Tensor | null)[];
      if (isMultiLayer(layer)) dIns = layer.graphBackward(dys, needed);
      else if (!needed[0] && layer.backwardParamsOnly) {
        layer.backwardParamsOnly(dys[0]!);
        dIns = [null];
      } else dIns = [layer.backward(dys[0]!)];
      node.inputs.forEach((t, i) => { if (needed[i] && dIns[i]) accumulate(grads, t, dIns[i]!); });
    }
    return this.inputs.map((t) => grads.get(t) ?? null);
  }

  /** Forward + summed loss over the outputs; `backward()` then accumulates the gradients. @internal (fit) */
  lossStep(xs: Tensor[], ys: Tensor[], loss: ModelLoss, ctx: ForwardContext): LossStep {
    const names = this.lossNames(loss);
    const outs = this.forwardPass(xs, ctx);
    const targets = outs.map((o, i) => checkTarget(ys[i], o, names[i], this.outputLayer(i), this.name));
    const results = outs.map((o, i) => computeLoss(names[i], o.data, o.shape, targets[i].data));
    return {
      loss: results.reduce((a, r) => a + r.value, 0),
      backward: () => { this.backwardPass(results.map((r, i) => new Tensor(r.grad, outs[i].shape)), false); },
      accuracy: () => sumAccuracy(names, outs, targets),
    };
  }

  /** The layer producing output i (what crossEntropy checks for a softmax). */
  private outputLayer(i: number): Layer | undefined {
    return this.outputs[i].node?.layer;
  }

  private lossNames(loss: ModelLoss): LossName[] {
    if (Array.isArray(loss)) {
      if (loss.length !== this.outputs.length) throw new Error(`model "${this.name}" has ${this.outputs.length} outputs but ${loss.length} losses were given`);
      return loss.map(checkLossName);
    }
    const one = checkLossName(loss);
    return this.outputs.map(() => one);
  }

  /** Loss and gradients for one batch: `{ loss, grads }` with grads keyed like `weights` (copies). */
  computeGradients(x: ModelInputs, y: TensorLike | TensorLike[], options: { loss: ModelLoss; training?: boolean; seed?: number; tbptt?: number }): { loss: number; grads: Record<string, Tensor> } {
    checkKeys(options, ["loss", "training", "seed", "tbptt"], "computeGradients");
    zeroGrads(this.params());
    const step = this.lossStep(this.fitInputs(x, "computeGradients"), this.fitTargets(y, "computeGradients"), options.loss,
      { training: !!options.training, rng: new Rng(options.seed ?? 0), tbptt: options.tbptt });
    step.backward();
    const grads: Record<string, Tensor> = {};
    for (const e of this.entries) grads[e.key] = new Tensor(e.param.grad.slice(), e.param.shape);
    return { loss: step.loss, grads };
  }

  /** Inference in batches: one tensor (one output) or one per output. */
  predict(x: ModelInputs, options: { batchSize?: number } = {}): Tensor | Tensor[] {
    checkKeys(options, ["batchSize"], "predict");
    const xs = this.fitInputs(x, "predict");
    const n = xs[0].shape[0];
    const bs = options.batchSize ?? 32;
    const ctx = { training: false, rng: new Rng(0) };
    const parts: Tensor[][] = this.outputs.map(() => []);
    for (let s = 0; s < n; s += bs) {
      this.forwardPass(xs.map((t) => t.slice(s, s + bs)), ctx).forEach((o, i) => parts[i].push(o));
    }
    this.lastCtx = null;
    const outs = parts.map(concatRows);
    return this.singleOutput ? outs[0] : outs;
  }

  /** Mean loss (summed over outputs), accuracy with metrics: ["accuracy"], perplexity for crossEntropy, in inference mode. */
  evaluate(x: ModelInputs, y: TensorLike | TensorLike[], options: { loss: ModelLoss; batchSize?: number; metrics?: string[] }): { loss: number; accuracy?: number; perplexity?: number } {
    checkKeys(options, ["loss", "batchSize", "metrics"], "evaluate");
    return this.evaluateTensors(this.fitInputs(x, "evaluate"), this.fitTargets(y, "evaluate"), options);
  }

  /** evaluate on converted tensors (fit's validation). @internal */
  evaluateTensors(xs: Tensor[], ys: Tensor[], options: { loss: ModelLoss; batchSize?: number; metrics?: string[] }): { loss: number; accuracy?: number; perplexity?: number } {
    const n = xs[0].shape[0];
    ys.forEach((t) => { if (t.shape[0] !== n) throw new Error(`evaluate: x has ${n} samples but y has ${t.shape[0]}`); });
    const bs = options.batchSize ?? 32;
    const ctx = { training: false, rng: new Rng(0) };
    const withAccuracy = !!options.metrics?.includes("accuracy");
    let sum = 0, correct = 0, counted = 0;
    for (let s = 0; s < n; s += bs) {
      const step = this.lossStep(xs.map((t) => t.slice(s, s + bs)), ys.map((t) => t.slice(s, s + bs)), options.loss, ctx);
      sum += step.loss * Math.min(bs, n - s);
      if (withAccuracy) {
        const a = step.accuracy();
        correct += a.correct;
        counted += a.count;
      }
    }
    this.lastCtx = null;
    const result: { loss: number; accuracy?: number; perplexity?: number } = { loss: sum / n };
    if (withAccuracy) result.accuracy = correct / counted;
    if (this.lossNames(options.loss).every((l) => l === "crossEntropy")) result.perplexity = Math.exp(result.loss);
    return result;
  }

  /**
   * Instrumentation, as `rnn.sequential`'s `record` (recording.ts): one forward (and, with y, a backward)
   * in inference mode; per recurrent layer and direction the gate activations of sequence `batchIndex`
   * and ‖∂L/∂h_t‖ per timestep. `layer` is an index in `model.layers`. A layer called twice reports its
   * last call. Parameter gradients are left zeroed. What `rnn.show.gates` / `rnn.show.gradientNorms` draw.
   */
  record(x: ModelInputs, y?: TensorLike | TensorLike[], options: RecordingOptions = {}): Recording {
    const where = `model "${this.name}" record`;
    checkKeys(options, RECORDING_OPTIONS, where);
    const o = resolveRecordingOptions(options, y !== undefined, where);
    if (o.layer !== undefined && typeof this.layers[o.layer]?.recordings !== "function") {
      const recurrent = this.layers.map((l, k) => (typeof l.recordings === "function" ? `${k} "${l.name}" (${l.className})` : "")).filter(Boolean);
      throw new Error(`${where}: layer ${o.layer} is not a recurrent layer of this model; its recurrent layers: ${recurrent.join(", ") || "none"}`);
    }
    const xs = this.fitInputs(x, "record");
    checkBatchIndex(o.batchIndex, xs[0].shape[0], where);
    const ctx = { training: false, rng: new Rng(0), record: { gates: o.gates, gradNorms: o.gradNorms }, tbptt: o.tbptt };
    const result: Recording = { batchIndex: o.batchIndex, layers: [] };
    if (y !== undefined) {
      zeroGrads(this.params());
      const step = this.lossStep(xs, this.fitTargets(y, "record"), o.loss, ctx);
      step.backward();
      result.loss = step.loss;
      zeroGrads(this.params());
    } else {
      this.forwardPass(xs, ctx);
      this.lastCtx = null;
    }
    this.layers.forEach((layer, index) => {
      if (o.layer !== undefined && index !== o.layer) return;
      for (const r of layer.recordings?.() ?? []) result.layers.push(sequenceRecording(r, index, r.layer, o.batchIndex));
    });
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // The model file (serialize.ts): the graph, the layer configs and the weights

  /** The graph as stored in a model file: inputs, layer calls by layer index, outputs. @internal */
  graphSpec(): GraphSpec {
    const ref = (t: KerasTensor): TensorRef => (t.node ? [this.nodes.indexOf(t.node), t.index] : [-1, this.inputs.indexOf(t)]);
    return {
      inputs: this.inputs.map((t) => ({ name: t.name, shape: t.shape.slice(), dtype: t.dtype })),
      nodes: this.nodes.map((n) => ({
        layer: this.layers.indexOf(n.layer), inputs: n.inputs.map(ref), main: n.call.main, states: n.call.states, mask: n.call.mask,
        ...(n.training !== undefined ? { training: n.training } : {}), ...(n.call.returnAttentionScores ? { returnAttentionScores: true } : {}),
        ...(n.call.useCausalMask ? { useCausalMask: true } : {}),
      })),
      outputs: this.outputs.map(ref),
    };
  }

  /** Graph, layers and weights as bytes (model file version 2); `save(path)` writes them to a file. */
  toBytes(options?: SaveOptions): Uint8Array {
    return modelToBytes({ name: this.name, inputShape: this.inputs[0].shape, dtype: this.dtype, layers: this.layers,
      weightEntries: () => this.weightEntries(), vocab: undefined, graph: this.graphSpec() }, options);
  }

  /** Saves the whole model (graph, layers, weights) to a file, atomically; `rnn.loadModel(path)` reads it back. */
  save(path: string, options?: SaveOptions): void {
    saveModelFile(this.toBytes(options), path);
  }

  /** Rebuilds a functional model saved with toBytes()/save(): same graph, layer names, shapes and weights. */
  static fromBytes(bytes: Uint8Array): Functional {
    const file = readModelBytes(bytes);
    const graph = file.graph;
    if (!graph) throw new Error(`model file: "${file.name}" is an rnn.sequential model; load it with rnn.load(path) or rnn.modelFromBytes(bytes)`);
    const inputs = graph.inputs.map((i) => input({ shape: i.shape, name: i.name, dtype: i.dtype as InputOptions["dtype"] }));
    const produced: KerasTensor[][] = [];
    const tensor = ([n, k]: TensorRef): KerasTensor => (n < 0 ? inputs[k] : produced[n][k]);
    for (const spec of graph.nodes) {
      const ts = spec.inputs.map(tensor);
      const main = ts.slice(0, spec.main);
      const out = applySymbolic(file.layers[spec.layer], spec.main === 1 ? main[0] : main, {
        ...(spec.states ? { initialState: ts.slice(spec.main, spec.main + spec.states) } : {}),
        ...(spec.mask ? { mask: ts[ts.length - 1] } : {}),
        ...(spec.training !== undefined ? { training: spec.training } : {}),
        ...(spec.returnAttentionScores ? { returnAttentionScores: true } : {}),
        ...(spec.useCausalMask ? { useCausalMask: true } : {}),
      });
      produced.push(Array.isArray(out) ? out : [out]);
    }
    const outputs = graph.outputs.map(tensor);
    const m = new Functional({ inputs: inputs.length === 1 ? inputs[0] : inputs, outputs: outputs.length === 1 ? outputs[0] : outputs, name: file.name, dtype: file.dtype, seed: 0 });
    m.setWeights(m.entries.map((e) => file.weight(e.key, e.param.value.length)));
    return m;
  }

  /**
   * model.py (an nn.Module whose forward follows this graph) + weights.safetensors + check.py +
   * reference.safetensors in `dir`, for PyTorch; `python3 check.py` compares its outputs with the engine's.
   */
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
   * The way back from PyTorch: the state dict of this model's export (an export folder, or a .safetensors
   * file saved after training further in PyTorch) into this model; `prefix` selects a submodule's keys.
   */
  importPyTorch(path: string, options?: FromPyTorchOptions): this {
    importPyTorchFile(this, path, options);
    return this;
  }

  /** Trains on x (one array per input) and y (one per output); the options of rnn.sequential's fit. */
  fit(x: ModelInputs, y: TensorLike | TensorLike[], options: FitOptions): Promise<History> {
    return fit(this, x, y, options);
  }
}

/** A functional model saved with `model.save(path)` (rnn.model); relative paths start at the notebook's folder. */
export function loadModel(path: string): Functional {
  return Functional.fromBytes(readModelFile(path));
}

/** `rnn.model({ inputs, outputs, name? })` — a Keras functional model over the layer calls between inputs and outputs. */
export function model(options: ModelOptions): Functional {
  return new Functional(options);
}

/**
 * The layer calls the outputs depend on, in topological order (depth-first post-order from the
 * outputs). Every model input an output depends on must be in `inputs`, and every input must reach
 * an output.
 */
function topologicalNodes(outputs: KerasTensor[], inputs: KerasTensor[]): GraphNode[] {
  const order: GraphNode[] = [];
  const state = new Map<GraphNode, "visiting" | "done">();
  const reached = new Set<KerasTensor>();
  const visit = (t: KerasTensor, path: string): void => {
    if (!t.node) {
      if (!inputs.includes(t)) {
        throw new Error(`rnn.model: output depends on input "${t.name}" ${shapeText(t.shape)} (through ${path}), which is not in inputs; add it to inputs`);
      }
      reached.add(t);
      return;
    }
    const n = t.node;
    if (state.get(n) === "done") return;
    if (state.get(n) === "visiting") throw new Error(`rnn.model: the graph has a cycle through layer "${n.layer.name}"`);
    state.set(n, "visiting");
    for (const i of n.inputs) visit(i, `${n.layer.name} ← ${path}`);
    state.set(n, "done");
    order.push(n);
  };
  outputs.forEach((t, i) => visit(t, `output ${i}`));
  for (const t of inputs) {
    if (!reached.has(t)) throw new Error(`rnn.model: input "${t.name}" ${shapeText(t.shape)} is not connected to the outputs; remove it from inputs or use it`);
  }
  return order;
}

function accumulate(grads: Map<KerasTensor, Tensor>, t: KerasTensor, g: Tensor): void {
  const prev = grads.get(t);
  if (!prev) {
    grads.set(t, g);
    return;
  }
  const sum = allocFloats(prev.size, prev.dtype);
  for (let i = 0; i < sum.length; i++) sum[i] = prev.data[i] + g.data[i];
  grads.set(t, new Tensor(sum, prev.shape));
}

function sumAccuracy(names: LossName[], outs: Tensor[], targets: Tensor[]): { correct: number; count: number } {
  let correct = 0, count = 0;
  outs.forEach((o, i) => {
    const a = accuracy(names[i], o.data, o.shape, targets[i].data);
    correct += a.correct;
    count += a.count;
  });
  return { correct, count };
}

export { toSymbolic };
