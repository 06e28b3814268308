/**
 * Embedding layer, Keras semantics: integer indices [B, T] → rows of the matrix `embeddings` [V, E]
 * → [B, T, E]. Indices arrive as floats in a Tensor and must be integers in [0, V).
 * Backward scatters ∂L/∂y rows into ∂L/∂embeddings (repeated indices add up); there is no gradient
 * with respect to the indices, so ∂L/∂x is zeros.
 * Default initializer: Keras's `uniform` U(−0.05, 0.05).
 *
 * Dimension letters: B batch, T timesteps, V vocabulary (inputDim), E embedding size (outputDim).
 */
import { LAYER_FACTS } from "../layerFacts";
import type { BuildContext, ForwardContext, LayerConfigData, Param } from "../layer";
import { makeParam } from "../layer";
import { bool, checkKeys, positiveInt } from "../options";
import type { MultiLayer } from "../graph/symbolic";
import { getInitializer, type Initializer, type InitializerName } from "../random";
import { Tensor, allocFloats } from "../tensor";
import { KerasLayer, shapeError, tableOutputShape } from "./common";

/**
 * Options of `rnn.embedding({ inputDim: V, outputDim: E })`: a lookup table [V, E] turning integer indices [B, T]
 * into vectors [B, T, E] (Keras Embedding). Use as a first layer with `inputShape: [T]`.
 */
export interface EmbeddingOptions {
  /** Vocabulary size V. Required. */
  inputDim: number;
  /** Embedding size E. Required. */
  outputDim: number;
  /** Default "randomUniform" (U(−0.05, 0.05), Keras's default). */
  embeddingsInitializer?: InitializerName | Initializer;
  /** Layer name and weight-key prefix (`embedding/embeddings`). Default "embedding", "embedding_1", … as Keras. */
  name?: string;
  /** Seed for this layer's initialization (default: the model's stream). */
  seed?: number;
  /**
   * Index 0 is padding (Keras mask_zero): in a functional model the output carries a mask (index ≠ 0)
   * that recurrent and attention layers honour. The vocabulary still counts index 0. Default false.
   */
  maskZero?: boolean;
}

const VALID = ["inputDim", "outputDim", "embeddingsInitializer", "name", "seed", "maskZero"];

export class Embedding extends KerasLayer implements MultiLayer {
  readonly type = LAYER_FACTS.embedding.type;
  readonly className = LAYER_FACTS.embedding.className;
  readonly inputDim: number;
  readonly outputDim: number;
  /** Index 0 is padding: the graph output carries a mask (Keras mask_zero). */
  readonly maskZero: boolean;
  private readonly init: Initializer;
  private matrix: Param | undefined;
  private ids: Tensor | undefined; // forward cache: the indices

  constructor(options: EmbeddingOptions) {
    checkKeys(options, VALID, "rnn.embedding");
    super(LAYER_FACTS.embedding.baseName, options?.name, options?.seed);
    this.inputDim = positiveInt(options.inputDim, "inputDim", "rnn.embedding");
    this.outputDim = positiveInt(options.outputDim, "outputDim", "rnn.embedding");
    this.init = getInitializer(options.embeddingsInitializer ?? "randomUniform", "rnn.embedding embeddingsInitializer");
    this.maskZero = bool(options.maskZero, false, "maskZero", "rnn.embedding");
  }

  get config(): LayerConfigData {
    return { type: "embedding", inputDim: this.inputDim, outputDim: this.outputDim, name: this.name, ...(this.maskZero ? { maskZero: true } : {}) };
  }

  // Graph calls (rnn.model): outputs [y] or, with maskZero, [y, mask [B, T] = (index ≠ 0)].

  get producesMask(): boolean {
    return this.maskZero;
  }

  /** @internal */
  graphShapes(inputs: readonly number[][]): number[][] {
    const out = this.outputShape(inputs[0]);
    return this.maskZero ? [out, inputs[0].slice()] : [out];
  }

  /** @internal */
  graphBuild(inputs: readonly number[][], ctx: BuildContext): void {
    this.build(inputs[0], ctx);
  }

  /** @internal */
  graphForward(inputs: Tensor[], ctx: ForwardContext): Tensor[] {
    const y = this.call(inputs[0], ctx);
    if (!this.maskZero) return [y];
    const ids = inputs[0];
    const mask = allocFloats(ids.size, y.dtype);
    for (let i = 0; i < ids.size; i++) mask[i] = ids.data[i] !== 0 ? 1 : 0;
    return [y, new Tensor(mask, ids.shape)];
  }

  /** @internal */
  graphBackward(dys: (Tensor | null)[], needed: readonly boolean[]): (Tensor | null)[] {
    if (!dys[0]) {
      this.ids = undefined;
      return [null];
    }
    const dx = this.backward(dys[0]);
    return [needed[0] ? dx : null];
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1) throw shapeError(this, "(None, timesteps) of integer indices", inputShape);
    return tableOutputShape(this, inputShape);
  }

  build(inputShape: readonly number[], ctx: BuildContext): void {
    this.outputShape(inputShape);
    this.matrix = makeParam("embeddings", [this.inputDim, this.outputDim], ctx.dtype);
    this.init(this.matrix.value, this.matrix.shape, this.initRng(ctx));
    this.setParams([this.matrix], inputShape);
  }

  /** x [B, T] indices → y [B, T, E]. */
  protected call(x: Tensor, _ctx: ForwardContext): Tensor {
    this.requireBuilt();
    if (x.rank !== 2) throw shapeError(this, "(None, timesteps) of integer indices", x.shape, true);
    const e = this.outputDim;
    const w = this.matrix!.value;
    const y = allocFloats(x.size * e, w instanceof Float64Array ? "float64" : "float32");
    for (let i = 0; i < x.size; i++) {
      const k = x.data[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.inputDim) {
        throw new Error(`layer "${this.name}" (Embedding): index ${k} at position ${i} is outside [0, ${this.inputDim})`);
      }
      y.set(w.subarray(k * e, k * e + e), i * e);
    }
    this.ids = x;
    return new Tensor(y, [...x.shape, e]);
  }

  /** dy [B, T, E] → zeros [B, T]; accumulates ∂L/∂embeddings[k] += dy[b, t] for each index k = x[b, t]. */
  backward(dy: Tensor): Tensor {
    const ids = this.ids;
    if (!ids) throw new Error(`layer "${this.name}" (Embedding): backward called without a forward`);
    this.ids = undefined;
    const e = this.outputDim;
    const g = this.matrix!.grad;
    for (let i = 0; i < ids.size; i++) {
      const o = ids.data[i] * e;
      for (let j = 0; j < e; j++) g[o + j] += dy.data[i * e + j];
    }
    return new Tensor(allocFloats(ids.size, ids.dtype), ids.shape);
  }
}

/** `rnn.embedding({ inputDim, outputDim, name?, seed? })` — indices [B, T] → [B, T, outputDim]. */
export function embedding(options: EmbeddingOptions): Embedding {
  return new Embedding(options);
}
