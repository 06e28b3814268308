/**
 * PyTorch export: a model of either family → an equivalent `torch.nn.Module` as readable
 * Python (model.py), its weights under PyTorch state-dict names, a check.py, and the engine's output
 * for a fixed input so check.py can print the max difference. Pure: returns names → tensors and
 * source text; the kernel writes the files (`model.exportPyTorch(dir)`).
 *
 * Keras family (rnn.sequential) — one attribute per layer, named after the Keras layer:
 *   simpleRNN / lstm / gru     → nn.RNN / nn.LSTM / nn.GRU(batch_first=True); weights converted by
 *                                kerasTorch.ts (transposes, GRU z,r → r,z, single bias → bias_ih with
 *                                bias_hh = 0, GRU resetAfter's second bias row → bias_hh)
 *   gru with resetAfter false  → KerasStyleRecurrent (written out in model.py): PyTorch has no such
 *                                module, the reset gate must multiply h before the recurrent product
 *   other activations          → KerasStyleRecurrent too (nn.RNN takes tanh or relu only)
 *   returnSequences false      → the last timestep, x[:, -1]; goBackwards → torch.flip on time first
 *   bidirectional (concat)     → bidirectional=True, the backward layer's weights as `_reverse`
 *   dense / timeDistributed(dense) → nn.Linear (weight = kernelᵀ) + the activation
 *   dense tied to an embedding → nn.Linear whose weight IS the embedding's (both names in the state dict)
 *   embedding → nn.Embedding · flatten → torch.flatten(x, 1) · dropout → nn.Dropout (identity in eval)
 * Functional models (rnn.model): torchGraph.ts, a forward that follows the graph.
 * PyTorch family (rnn.nn.RNN/LSTM/GRU/Linear/Embedding): the module itself, state dict unchanged.
 *
 * Recurrent dropout and input dropout inside recurrent layers act only in training, so inference
 * (what check.py compares) is unaffected; they are noted in model.py, not ported.
 */
import { noGrad } from "../autograd/graph";
import type { Layer } from "../layer";
import { Rng } from "../random";
import { Tensor, type TensorLike } from "../tensor";
import { encodeSafetensors } from "./safetensors";
import { exportGraph, isGraphModel, planGraph } from "./torchGraph";
import { checkPy, modelPy, type ModelPySpec, type PyLayer } from "./pythonSource";
import { ExportError, f32, kerasLayer, newCtx, pyNumber, type Ctx, type ImportLink } from "./torchLayers";

export { ExportError, type ImportLink };

/** What the export produces; the kernel writes each entry as a file. */
export interface PyTorchExport {
  /** model.py source. */
  modelPy: string;
  /** check.py source. */
  checkPy: string;
  /** State dict for weights.safetensors (float32, PyTorch names and shapes). */
  weights: Record<string, Tensor>;
  /** For reference.safetensors: "input" plus the engine's "output" (and "h_n", "c_n" for nn modules). */
  reference: Record<string, Tensor>;
  /** State-dict names with no engine parameter behind them (bias_hh beside a single Keras bias): zero, held there in training. */
  fixedZero: string[];
}

/** Options of `exportPyTorch(dir, options)`: the fixed reference input written beside the model for check.py. */
export interface PyTorchExportOptions {
  /** Seed of the fixed reference input (default 0). */
  seed?: number;
  /** Batch size of the reference input (default 2). */
  batch?: number;
  /** Timesteps of the reference input when the model does not fix them (default 5). */
  timesteps?: number;
}

// ---------------------------------------------------------------------------------------------------
// Duck-typed views of the engine's models, so this file depends only on the Layer contract.

interface SequentialLike {
  name?: string;
  layers: readonly Layer[];
  inputShape: readonly (number | null)[];
  predict(x: TensorLike): Tensor;
}

interface TorchModuleLike {
  type: string;
  config: Record<string, unknown>;
  stateDict(): Record<string, Tensor>;
  /** nn.RNN/LSTM/GRU return { output, hN, cN? }; nn.Linear and nn.Embedding a tensor. */
  forward(x: TensorLike): Tensor | { output: Tensor; hN?: Tensor; cN?: Tensor };
  /** PyTorch's training flag (inter-layer dropout), where the module has one. */
  training?: boolean;
}


function isSequential(m: unknown): m is SequentialLike {
  const o = m as Partial<SequentialLike> | null;
  return !!o && typeof o === "object" && Array.isArray(o.layers) && Array.isArray(o.inputShape) && typeof o.predict === "function";
}

function isTorchModule(m: unknown): m is TorchModuleLike {
  const o = m as Partial<TorchModuleLike> | null;
  return !!o && typeof o === "object" && typeof o.type === "string" && o.type.startsWith("nn.") && typeof o.stateDict === "function";
}

/** Exports a Keras-family model (rnn.sequential) or a PyTorch-family module (rnn.nn.*). */
export function toPyTorch(model: unknown, options: PyTorchExportOptions = {}): PyTorchExport {
  if (isGraphModel(model)) return exportGraph(model, options);
  if (isSequential(model)) return exportSequential(model, options);
  if (isTorchModule(model)) return exportTorchModule(model, options);
  throw new ExportError("exportPyTorch: expected a model made with rnn.sequential(...) or rnn.model(...), or a module made with rnn.nn.RNN/LSTM/GRU/Linear/Embedding");
}

// ---------------------------------------------------------------------------------------------------
// Keras family: the per-layer translation is torchLayers.ts.

/** The fixed reference input: uniform in [−1, 1) (or token indices below `vocab`), seeded. */
function referenceInput(shape: number[], seed: number, vocab?: number): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = vocab ? rng.int(vocab) : rng.uniform(-1, 1);
  return new Tensor(data, shape);
}

/** The layer-by-layer translation of a Keras-family model (no reference run). */
function planSequential(model: SequentialLike): { ctx: Ctx; layers: PyLayer[] } {
  const ctx = newCtx();
  const layers = model.layers.map((l, i) => kerasLayer(l, ctx, i === 0));
  return { ctx, layers };
}

/**
 * What `fromPyTorch` needs: for a Keras-family model, the state-dict keys its export uses and how each
 * flows back into the engine's parameters. Exported for torchImport.ts.
 */
export function importLinks(model: unknown): { links: ImportLink[]; keys: string[] } | undefined {
  if (isGraphModel(model)) {
    const { ctx } = planGraph(model);
    return { links: ctx.links, keys: Object.keys(ctx.weights) };
  }
  if (!isSequential(model)) return undefined;
  const { ctx } = planSequential(model);
  return { links: ctx.links, keys: Object.keys(ctx.weights) };
}

function exportSequential(model: SequentialLike, options: PyTorchExportOptions): PyTorchExport {
  const { ctx, layers } = planSequential(model);
  const first = model.layers[0];
  const inputIsIndices = first?.type === "embedding";
  const batch = options.batch ?? 2;
  const shape = [batch, ...model.inputShape.map((d) => d ?? options.timesteps ?? 5)];
  const x = referenceInput(shape, options.seed ?? 0, inputIsIndices ? first.params()[0].shape[0] : undefined);
  const y = model.predict(x);
  const spec: ModelPySpec = {
    title: `PyTorch port of the RNN Notebook model${model.name ? ` "${model.name}"` : ""} (Keras-family layers).`,
    notes: [
      "Conversion (Keras -> PyTorch): kernels are transposed (x @ W becomes W @ x), LSTM gates i,f,c,o are\n" +
      "PyTorch's i,f,g,o, GRU gate blocks z,r,h are reordered to r,z,n, and Keras's single bias becomes bias_ih\n" +
      "with bias_hh zero (GRU resetAfter's second bias row becomes bias_hh). All layers are batch-first.",
      ...ctx.notes,
    ],
    inputShape: `[batch, ${model.inputShape.map((d) => d ?? "T").join(", ")}]`,
    inputIsIndices,
    layers,
    needsRecurrentHelper: ctx.helper,
  };
  return { modelPy: modelPy(spec), checkPy: checkPy(["output"]), weights: ctx.weights, reference: { input: x, output: f32(y) }, fixedZero: ctx.fixedZero };
}

// ---------------------------------------------------------------------------------------------------
// PyTorch family: the module is already in PyTorch's layout; only its constructor is written out.

function exportTorchModule(module: TorchModuleLike, options: PyTorchExportOptions): PyTorchExport {
  const c = module.config;
  const weights: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(module.stateDict())) weights[k] = f32(v);
  const batch = options.batch ?? 2, T = options.timesteps ?? 5, seed = options.seed ?? 0;
  let expr: string, x: Tensor, inputShape: string, indices = false;
  const kind = module.type.slice(3);
  if (kind === "RNN" || kind === "LSTM" || kind === "GRU") {
    const args = [`input_size=${c.inputSize}`, `hidden_size=${c.hiddenSize}`];
    if (Number(c.numLayers ?? 1) !== 1) args.push(`num_layers=${c.numLayers}`);
    if (kind === "RNN" && c.nonlinearity === "relu") args.push('nonlinearity="relu"');
    if (c.bias === false) args.push("bias=False");
    if (c.batchFirst) args.push("batch_first=True");
    if (Number(c.dropout ?? 0) > 0) args.push(`dropout=${pyNumber(Number(c.dropout))}`);
    if (c.bidirectional) args.push("bidirectional=True");
    expr = `nn.${kind}(${args.join(", ")})`;
    const I = Number(c.inputSize);
    x = referenceInput(c.batchFirst ? [batch, T, I] : [T, batch, I], seed);
    inputShape = c.batchFirst ? `[batch, T, ${I}]` : `[T, batch, ${I}]`;
  } else if (kind === "Linear") {
    const w = weights.weight;
    expr = `nn.Linear(${w.shape[1]}, ${w.shape[0]}${weights.bias ? "" : ", bias=False"})`;
    x = referenceInput([batch, w.shape[1]], seed);
    inputShape = `[batch, ${w.shape[1]}]`;
  } else if (kind === "Embedding") {
    const w = weights.weight;
    expr = `nn.Embedding(${w.shape[0]}, ${w.shape[1]})`;
    x = referenceInput([batch, T], seed, w.shape[0]);
    inputShape = "[batch, T]";
    indices = true;
  } else {
    throw new ExportError(`exportPyTorch: ${module.type} has no PyTorch translation yet`);
  }
  // The reference is an eval-mode output (inter-layer dropout off), as check.py runs the model in eval mode.
  const wasTraining = module.training;
  if (wasTraining !== undefined) module.training = false;
  let out: Tensor | { output: Tensor; hN?: Tensor; cN?: Tensor };
  try {
    out = noGrad(() => module.forward(x));
  } finally {
    if (wasTraining !== undefined) module.training = wasTraining;
  }
  const reference: Record<string, Tensor> = out instanceof Tensor ? { input: x, output: f32(out) } : { input: x, output: f32(out.output) };
  if (!(out instanceof Tensor) && out.hN) reference.h_n = f32(out.hN);
  if (!(out instanceof Tensor) && out.cN) reference.c_n = f32(out.cN);
  const spec: ModelPySpec = {
    title: `The RNN Notebook module rnn.${module.type} as torch.${module.type}: same state-dict names, shapes and gate order.`,
    notes: [],
    inputShape,
    inputIsIndices: indices,
    moduleExpr: expr,
    needsRecurrentHelper: false,
  };
  return { modelPy: modelPy(spec), checkPy: checkPy(Object.keys(reference).filter((k) => k !== "input")), weights, reference, fixedZero: [] };
}

/** The files of an export, by name: model.py, check.py, weights.safetensors, reference.safetensors. */
export function pyTorchExportFiles(exp: PyTorchExport): Record<string, string | Uint8Array> {
  return {
    "model.py": exp.modelPy,
    "check.py": exp.checkPy,
    "weights.safetensors": encodeSafetensors(exp.weights, { format: "pt" }),
    "reference.safetensors": encodeSafetensors(exp.reference, { format: "pt", note: "RNN Notebook engine outputs for the fixed input" }),
  };
}
