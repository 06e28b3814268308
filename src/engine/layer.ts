/**
 * The Layer contract: the seam between layers (recurrent, dense, embedding, …), the containers that
 * chain them (`rnn.sequential`), the optimizers, the summary and the instrumentation.
 *
 * Life cycle of a layer inside a container:
 *   1. `build(inputShape, ctx)` once, with the per-sample input shape (no batch axis): allocates and
 *      initializes the parameters in `ctx.dtype`, drawing from the layer's own seeded Rng if it was
 *      given a `seed`, else from `ctx.rng`.
 *   2. `forward(x, ctx)` with a batch-first tensor (for the Keras family [B, T, F] / [B, F]) returns the
 *      output and caches exactly what backward needs (caches are reused while the batch shape stays
 *      the same — no per-call allocation in steady state).
 *   3. `backward(dy)` with ∂L/∂output (same shape as the output) ACCUMULATES ∂L/∂param into each
 *      `Param.grad` and returns ∂L/∂x. The container zeroes grads (`zeroGrads`) before a batch.
 *      One backward per forward; calling backward without a preceding forward throws.
 *   4. Optimizers update `Param.value` IN PLACE (never replace the array: `weights`, tied layers and
 *      recordings hold views of it).
 *
 * Instrumentation: when `ctx.record` asks for it, recurrent layers keep per-timestep gate activations
 * from the forward pass and per-timestep ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖ for LSTM) from the following
 * backward pass; `recordings()` returns them afterwards (latest forward/backward pair). Layers without
 * recurrences do not implement `recordings`.
 */
import type { GateName } from "../shared/payloads";
import type { Rng } from "./random";
import { Tensor, allocFloats, asTensor, sizeOf, type DType, type FloatArray, type TensorLike, dtypeOf } from "./tensor";

export type { GateName };

/** One trainable (or frozen) weight tensor of a layer. */
export interface Param {
  /** Keras weight name (`kernel`, `recurrent_kernel`, `bias`) or PyTorch state-dict name (`weight_ih_l0`). */
  name: string;
  /** Shape in that family's convention (Keras [I, G·H]; PyTorch [G·H, I]). */
  shape: number[];
  /** Row-major values, updated in place by optimizers. */
  value: FloatArray;
  /** ∂L/∂value, same length; accumulated by backward, zeroed by the container. */
  grad: FloatArray;
  /** False for frozen weights: optimizers skip them, summaries count them as non-trainable. */
  trainable: boolean;
}

/** What to record during a forward/backward pair. */
export interface RecordOptions {
  /** Per-timestep gate activations (LSTM i,f,g,o,c,h; GRU r,z,n,h; SimpleRNN h). */
  gates?: boolean;
  /** Per-timestep ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖ for LSTM) during the next backward. */
  gradNorms?: boolean;
}

/** Passed to every forward call. */
export interface ForwardContext {
  /** Training mode: dropout active. */
  training: boolean;
  /** Source of dropout masks (seeded by the caller for reproducibility). */
  rng: Rng;
  /** Instrumentation requests; absent = record nothing (no cost). */
  record?: RecordOptions;
  /**
   * Truncated BPTT window k: the following backward stops the gradient carried through the recurrent
   * state every k steps, counted back from the last timestep (windows [T−k, T), [T−2k, T−k), …).
   * Absent or ≥ T = full BPTT.
   */
  tbptt?: number;
}

/** Passed to build. */
export interface BuildContext {
  dtype: DType;
  /** Used for initialization unless the layer has its own `seed`. */
  rng: Rng;
}

/** Recorded internals of one recurrent layer (one direction), in input time order. */
export interface LayerRecording {
  /** Layer name (Keras family) or module name plus "layer l" (PyTorch family). */
  layer: string;
  /** Index of the stacked layer inside a multi-layer PyTorch module (0 for Keras layers). */
  index: number;
  /** Cell type of the recorded layer. */
  type: "simpleRNN" | "lstm" | "gru";
  /** "backward" for a reversed direction (bidirectional, goBackwards); its arrays are still indexed by input timestep. */
  direction: "forward" | "backward";
  /** Gate name → [B, T, H] activations; t is the input timestep even for the backward direction. */
  gates?: Partial<Record<GateName, Tensor>>;
  /** ‖∂L/∂h_t‖ (Frobenius norm over the batch's [B, H] slice) for t = 0 … T−1; `c` for LSTM only. */
  gradNorms?: { h: Float64Array; c?: Float64Array };
}

/** Plain layer options with a `type`, as taken by `paramCount` (see params.ts). */
export interface LayerConfigData {
  type: string;
  [option: string]: unknown;
}

/** The contract every layer implements. */
export interface Layer {
  /** Unique name (Keras auto-naming: `lstm`, `lstm_1`, … or the `name` option). */
  name: string;
  /** Factory / paramCount type: "simpleRNN", "lstm", "gru", "dense", "nn.LSTM", … */
  readonly type: string;
  /** Class name shown in summaries: "SimpleRNN", "LSTM", "Dense", … */
  readonly className: string;
  /** All options with `type`, suitable for `paramCount(config, inputSize, convention)`. */
  readonly config: LayerConfigData;
  /** False until `build` ran. */
  readonly built: boolean;
  /** Trainable flag for the whole layer (summary, optimizers via Param.trainable). */
  trainable: boolean;
  /** Allocates and initializes parameters for a per-sample input shape (no batch axis). */
  build(inputShape: readonly number[], ctx: BuildContext): void;
  /** Per-sample output shape for a per-sample input shape (no batch axis); validates the input shape. */
  outputShape(inputShape: readonly number[]): number[];
  /** Parameters in Keras `get_weights()` order (or PyTorch state-dict order). Same objects every call. */
  params(): Param[];
  /** Name → tensor view sharing each parameter's storage (`layer.weights.kernel`). */
  readonly weights: Record<string, Tensor>;
  /**
   * Forward pass on a batch-first tensor (Keras family [B, T, F] or [B, F]); caches what backward needs.
   * Containers pass their context. A Keras layer called without one (`layer.forward(x)` in a cell) runs
   * in inference mode and builds itself from x first; recurrent layers also have `apply` (initial states).
   */
  forward(x: Tensor, ctx: ForwardContext): Tensor;
  /** Backward pass: takes ∂L/∂output, accumulates ∂L/∂param into each Param.grad, returns ∂L/∂x. Needs a preceding forward. */
  backward(dy: Tensor): Tensor;
  /**
   * `backward` for a caller that discards ∂L/∂x (a model's first layer in training, as PyTorch's
   * autograd skips inputs that do not require grad): the same parameter gradients, ∂L/∂x not computed.
   * Optional; layers whose ∂L/∂x is cheap leave it out. @internal
   */
  backwardParamsOnly?(dy: Tensor): void;
  /** Recordings of the latest forward/backward pair (recurrent layers only). */
  recordings?(): LayerRecording[];
  /**
   * Keys of `params()` (same order) under the layer's name in a model's `weights`, for a layer whose
   * params' own names would collide: a bidirectional layer's `forward_lstm/kernel`, `backward_lstm/kernel`.
   * Absent = each param's `name`.
   */
  paramKeys?(): string[];
  /**
   * The activation applied last to the layer's output, for a dense layer or a wrapper of one
   * (`timeDistributed(dense)`): how a model tells probabilities ("softmax") from logits — crossEntropy
   * rejects a softmax output, sampling reads one as probabilities. Absent = not a dense output.
   */
  readonly outputActivation?: string;
}

// ---------------------------------------------------------------------------------------------------
// Helpers for layer implementations.

/** A zero-initialized parameter with a zero gradient. */
export function makeParam(name: string, shape: readonly number[], dtype: DType, trainable = true): Param {
  const n = sizeOf(shape);
  return { name, shape: shape.slice(), value: allocFloats(n, dtype), grad: allocFloats(n, dtype), trainable };
}

/** Zeroes every gradient. */
export function zeroGrads(params: readonly Param[]): void {
  for (const p of params) p.grad.fill(0);
}

/** Tensor views of parameters keyed by name (they share storage with Param.value). */
export function weightViews(params: readonly Param[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const p of params) out[p.name] = new Tensor(p.value, p.shape);
  return out;
}

/** Copies of the parameter values (Keras `get_weights()`). */
export function getParamValues(params: readonly Param[]): Tensor[] {
  return params.map((p) => new Tensor(p.value.slice(), p.shape));
}

/** Loads values into parameters in order, checking count and shapes (Keras `set_weights()`). */
export function setParamValues(params: readonly Param[], values: readonly TensorLike[], owner: string): void {
  if (values.length !== params.length) {
    throw new Error(`${owner}: setWeights expected ${params.length} arrays (${params.map((p) => p.name).join(", ")}), got ${values.length}`);
  }
  // Every value is checked before the first is written, so a bad one leaves the layer as it was.
  const tensors = params.map((p, i) => {
    const t = asTensor(values[i], dtypeOf(p.value)); // nested arrays keep the weight's precision
    if (t.size !== p.value.length || (t.rank > 1 && t.shape.join() !== p.shape.join())) {
      throw new Error(`${owner}: weight ${p.name} has shape [${p.shape.join(", ")}] but got [${t.shape.join(", ")}]`);
    }
    return t;
  });
  tensors.forEach((t, i) => params[i].value.set(t.data));
}

const nameCounts = new Map<string, number>();

/** Keras-style unique names: the first `lstm` is "lstm", then "lstm_1", "lstm_2", … */
export function uniqueLayerName(base: string): string {
  const n = nameCounts.get(base) ?? 0;
  nameCounts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** Forgets the name counters (Keras `clear_session()`); the kernel calls it on restart. */
export function resetLayerNames(): void {
  nameCounts.clear();
}
