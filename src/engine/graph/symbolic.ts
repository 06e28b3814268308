/**
 * The symbolic half of the Keras functional API: `rnn.input({ shape })` makes a KerasTensor (a
 * placeholder with a per-sample shape and no values), and `layer.apply(x | [x1, x2], options)` on
 * KerasTensors records a GraphNode — which layer, which input tensors, which call options — and
 * returns the node's output KerasTensors with their inferred shapes. `rnn.model({ inputs, outputs })`
 * (functional.ts) then walks these nodes; nothing here computes a value.
 *
 * Shapes are per sample (no batch axis) with `null` for a free dimension, as Keras prints them with the
 * batch: `(None, 10, 8)`. Inside the engine the layers speak −1 for a free dimension (layer.ts); the
 * conversion happens here, once.
 *
 * A layer applied twice (a shared layer) gets two nodes; its weights are built once, at its first
 * node, and both nodes' gradients add up (functional.ts explains how each node gets its own caches).
 */
import type { BuildContext, ForwardContext, Layer } from "../layer";
import { uniqueLayerName } from "../layer";
import { formatShape } from "../../shared/summaryText";
import { LAYER_FACTS } from "../layerFacts";
import type { Tensor } from "../tensor";

/** Options of one call of a layer in a graph (`layer.apply(x, options)`). */
export interface CallOptions {
  /** Recurrent layers: initial states [h] (LSTM [h, c]), each (None, units). */
  initialState?: KerasTensor[];
  /** A boolean (None, timesteps) mask tensor; by default the mask a masking layer or embedding({ maskZero }) attached to the input. */
  mask?: KerasTensor;
  /** Force training (true) or inference (false) behaviour of this call (dropout); default: the model's mode. */
  training?: boolean;
  /** Attention layers: also output the attention weights [Tq, Tv]. */
  returnAttentionScores?: boolean;
  /** Attention layers: query step i sees value steps j ≤ i only (Keras use_causal_mask, for a decoder attending to itself). */
  useCausalMask?: boolean;
}

/**
 * A layer that takes or returns several tensors in a graph (merge layers, attention, recurrent
 * layers with initial or returned states, masks). Single-tensor layers need none of this: the graph
 * calls their Layer contract (outputShape/build/forward/backward) directly.
 * Shapes are per sample with −1 for a free dimension, as in the Layer contract.
 */
export interface MultiLayer extends Layer {
  /** @internal Per-sample output shapes of one call; validates the inputs (naming the layer and both shapes). */
  graphShapes(inputs: readonly number[][], call: GraphCall): number[][];
  /** @internal Builds the weights from the first call's input shapes. */
  graphBuild(inputs: readonly number[][], ctx: BuildContext): void;
  /** @internal Forward of one call: the tensors in the order of `GraphCall.inputs`, outputs in the order of graphShapes. */
  graphForward(inputs: Tensor[], ctx: ForwardContext, call: GraphCall): Tensor[];
  /**
   * @internal Backward of the latest graphForward: ∂L/∂outputs (null = an output the loss does not
   * reach) → ∂L/∂inputs (null where `needed[i]` is false or the input takes no gradient, e.g. a mask).
   */
  graphBackward(dys: (Tensor | null)[], needed: readonly boolean[]): (Tensor | null)[];
  /**
   * @internal True for a layer whose last graph output is a mask [B, T] (1 = a real step) for the
   * layers after it (embedding with maskZero, masking). `apply` hides that output and attaches it to
   * the main output as `mask`.
   */
  readonly producesMask?: boolean;
}

/** What a MultiLayer learns about one call: the roles of its input tensors and the call options. */
export interface GraphCall {
  /** Number of main inputs (before initial states and the mask). */
  main: number;
  /** Number of initial-state inputs that follow the main ones. */
  states: number;
  /** Whether the last input is a mask. */
  mask: boolean;
  returnAttentionScores: boolean;
  /** Attention: mask value steps after the query step (Keras use_causal_mask). */
  useCausalMask?: boolean;
}

export function isMultiLayer(layer: Layer): layer is MultiLayer {
  return typeof (layer as Partial<MultiLayer>).graphForward === "function";
}

/** One application of a layer: its input KerasTensors (main, then initial states, then mask) and outputs. */
export class GraphNode {
  readonly outputs: KerasTensor[] = [];
  constructor(
    readonly layer: Layer,
    /** All input tensors in the order the layer reads them (see GraphCall). */
    readonly inputs: KerasTensor[],
    readonly call: GraphCall,
    /** The `training` call option, when given. */
    readonly training: boolean | undefined,
  ) {}

  /** The outputs `apply` returned (without a mask output). */
  get visibleOutputs(): KerasTensor[] {
    return isMultiLayer(this.layer) && this.layer.producesMask ? this.outputs.slice(0, -1) : this.outputs;
  }

  /** Index of this node among the layer's nodes (Keras's node index in "lstm[1][0]"). */
  get index(): number {
    return nodesOf(this.layer).indexOf(this);
  }
}

const layerNodes = new WeakMap<Layer, GraphNode[]>();

/** The nodes a layer was applied in, in order. */
export function nodesOf(layer: Layer): GraphNode[] {
  return layerNodes.get(layer) ?? [];
}

/**
 * A symbolic tensor: per-sample shape (null = free), and where it comes from — a model input
 * (`rnn.input`) or output `index` of a layer call. It has no values; pass it to `layer.apply` or to
 * `rnn.model({ inputs, outputs })`.
 */
export class KerasTensor {
  /** Class name, so hosts can tell a symbolic tensor from a Tensor without instanceof. */
  readonly className = "KerasTensor";
  constructor(
    /** Per-sample shape (no batch axis); null = free, e.g. [null, 8] for any number of timesteps. */
    readonly shape: (number | null)[],
    /** The layer call that produced it, or null for a model input. */
    readonly node: GraphNode | null,
    /** Which output of that call (0 = the main output; recurrent states follow). */
    readonly index: number,
    /** Name of the input (for model inputs) or of the producing layer. */
    readonly name: string,
    /** For `rnn.input`: "float32", "float64" or "int32" (token ids, stored as floats). */
    readonly dtype: string = "float32",
  ) {}

  /** The mask a masking layer or embedding({ maskZero: true }) attaches to its output: (None, timesteps). */
  mask: KerasTensor | null = null;

  /** "KerasTensor(shape=(None, 10, 8), name=input_1)" */
  toString(): string {
    return `KerasTensor(shape=${formatShape([null, ...this.shape])}, name=${this.name})`;
  }
}

export function isKerasTensor(x: unknown): x is KerasTensor {
  return x instanceof KerasTensor;
}

/** Options of `rnn.input({ shape: [T, F] })`. */
export interface InputOptions {
  /** Per-sample shape without the batch axis: [timesteps, features], or [timesteps] of token ids; null = any length. */
  shape: (number | null)[];
  /** Input name (default "input_1", "input_2", … as Keras). */
  name?: string;
  /** "float32" (default), "float64" (gradient checks: the model computes in float64) or "int32" (token ids). */
  dtype?: "float32" | "float64" | "int32";
}

/**
 * `rnn.input({ shape: [T, F], name?, dtype? })` — a model input for the functional API (Keras
 * `keras.Input`): a symbolic tensor of per-sample shape `shape` (the batch axis is implicit).
 * `const x = rnn.input({ shape: [10, 8] }); const y = rnn.dense({ units: 1 }).apply(rnn.lstm({ units: 16 }).apply(x));`
 */
export function input(options: InputOptions): KerasTensor {
  if (!options || typeof options !== "object" || Array.isArray(options)) throw new Error("rnn.input: expected { shape: [timesteps, features] }");
  for (const k of Object.keys(options)) if (!["shape", "name", "dtype"].includes(k)) throw new Error(`rnn.input: unknown option "${k}"; valid options: shape, name, dtype`);
  const { shape, dtype = "float32" } = options;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
    throw new Error(`rnn.input: shape must be per-sample dimensions without the batch axis, e.g. [10, 8] (null = any); got ${JSON.stringify(shape)}`);
  }
  if (!["float32", "float64", "int32"].includes(dtype)) throw new Error(`rnn.input: dtype must be "float32", "float64" or "int32", got ${JSON.stringify(dtype)}`);
  if (options.name !== undefined && (typeof options.name !== "string" || !options.name)) throw new Error("rnn.input: name must be a non-empty string");
  // Keras names inputs from 1: input_1, input_2, … (its uid counter starts at 1 for this prefix).
  const name = options.name ?? kerasInputName(uniqueLayerName("input"));
  return new KerasTensor(shape.slice(), null, 0, name, dtype);
}

function kerasInputName(counted: string): string {
  return counted === "input" ? "input_1" : `input_${Number(counted.slice("input_".length)) + 1}`;
}

const toEngine = (s: readonly (number | null)[]): number[] => s.map((d) => d ?? -1);
const toSymbolic = (s: readonly number[]): (number | null)[] => s.map((d) => (d < 0 ? null : d));

/**
 * `layer.apply(x | [x1, x2], options)` on KerasTensors: checks the shapes through the layer (which
 * throws naming itself and both shapes), records the node and returns its output tensor(s). A layer
 * with one output returns one KerasTensor; several outputs (returnState, returnAttentionScores) an array.
 * The layer is not built here: `rnn.model` builds every layer in graph order with the model's dtype and seed.
 */
export function applySymbolic(layer: Layer, x: KerasTensor | KerasTensor[], options: CallOptions = {}): KerasTensor | KerasTensor[] {
  const where = `${layer.name}.apply`;
  for (const k of Object.keys(options)) {
    if (!["initialState", "mask", "training", "returnAttentionScores", "useCausalMask"].includes(k)) {
      throw new Error(`${where}: unknown option "${k}"; valid options: initialState, mask, training, returnAttentionScores, useCausalMask`);
    }
  }
  const main = Array.isArray(x) ? x.slice() : [x];
  if (main.length === 0 || !main.every(isKerasTensor)) throw new Error(`${where}: expected a KerasTensor (from rnn.input or another layer's apply) or an array of them`);
  const states = options.initialState ?? [];
  if (!Array.isArray(states) || !states.every(isKerasTensor)) throw new Error(`${where}: initialState must be an array of KerasTensors, e.g. the [h, c] an encoder returned with returnState`);
  // Keras propagates a mask from the producing layer unless the call gives one.
  const mask = options.mask ?? (main.length === 1 ? main[0].mask : main.length > 1 ? main[1].mask : null);
  if (mask !== null && !isKerasTensor(mask)) throw new Error(`${where}: mask must be a KerasTensor`);
  const call: GraphCall = { main: main.length, states: states.length, mask: mask !== null && isMultiLayer(layer), returnAttentionScores: !!options.returnAttentionScores,
    ...(options.useCausalMask ? { useCausalMask: true } : {}) };
  const inputs = [...main, ...states, ...(call.mask && mask ? [mask] : [])];
  let shapes: number[][];
  if (isMultiLayer(layer)) {
    shapes = layer.graphShapes(inputs.map((t) => toEngine(t.shape)), call);
  } else {
    if (main.length !== 1 || states.length || call.returnAttentionScores || call.useCausalMask) {
      throw new Error(`${where}: layer "${layer.name}" (${layer.className}) takes one input tensor and no initialState, returnAttentionScores or useCausalMask`);
    }
    shapes = [layer.outputShape(toEngine(main[0].shape))];
  }
  checkSharedInput(layer, inputs);
  const node = new GraphNode(layer, inputs, call, options.training === undefined ? undefined : !!options.training);
  const list = layerNodes.get(layer) ?? [];
  list.push(node);
  layerNodes.set(layer, list);
  shapes.forEach((s, i) => node.outputs.push(new KerasTensor(toSymbolic(s), node, i, layer.name)));
  const visible = node.visibleOutputs;
  if (visible.length < node.outputs.length) visible[0].mask = node.outputs[node.outputs.length - 1];
  else if (main[0].mask && visible[0].shape.length >= 2 && visible[0].shape[0] === main[0].shape[0]) {
    // Keras passes a mask on through layers that keep the time axis (dense per step, dropout, an RNN with
    // returnSequences, the query side of attention); a layer that drops the time axis drops the mask.
    visible[0].mask = main[0].mask;
  }
  return visible.length === 1 ? visible[0] : visible.slice();
}

/**
 * A layer called again (a shared layer) must get inputs its weights fit: the same feature size (last
 * axis) as at its first call, as Keras checks against the layer's input spec once it is built.
 */
function checkSharedInput(layer: Layer, inputs: KerasTensor[]): void {
  const first = nodesOf(layer)[0];
  if (!first || !(LAYER_FACTS[layer.type]?.sizedByModel ?? false)) return;
  first.inputs.forEach((t, i) => {
    const was = t.shape[t.shape.length - 1], now = inputs[i]?.shape[inputs[i].shape.length - 1];
    if (now !== undefined && was !== null && now !== null && was !== now) {
      throw new Error(`layer "${layer.name}" (${layer.className}) was first called on ${formatShape([null, ...t.shape])}; its weights do not fit input ${formatShape([null, ...inputs[i].shape])}`);
    }
  });
}

export { toEngine, toSymbolic };
