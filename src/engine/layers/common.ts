/**
 * Shared plumbing of the Keras-family non-recurrent layers (dense, embedding, dropout, flatten and the
 * wrappers): naming, the built flag, parameter views, and the shape-error wording every layer uses.
 * Each layer file keeps its own forward/backward pair; only bookkeeping lives here.
 */
import type { BuildContext, ForwardContext, Layer, LayerConfigData, Param } from "../layer";
import { getParamValues, setParamValues, uniqueLayerName, weightViews } from "../layer";
import { formatShape } from "../../shared/summaryText";
import { layerFacts } from "../layerFacts";
import { paramCount } from "../params";
import { Rng } from "../random";
import { makeSummary, type Summary } from "../summary";
import type { Tensor, TensorLike } from "../tensor";

/** "(None, 20, 6)" — a per-sample shape (−1 or null = free) with the batch placeholder, Keras style. */
export function shapeText(shape: readonly (number | null)[]): string {
  return formatShape([null, ...shape.map((d) => (d === null || d < 0 ? null : d))]);
}

/**
 * A layer's per-sample output shape from the layer table (the same rule the hover and summary read),
 * after the layer validated its input. Free dimensions (−1) pass through unchanged.
 */
export function tableOutputShape(layer: { type: string; config: LayerConfigData }, inputShape: readonly number[]): number[] {
  const out = layerFacts(layer.type).outputShape!(layer.config, inputShape);
  return out.map((d) => d ?? -1);
}

/** The error every layer throws for an input it cannot take: names the layer and both shapes. */
export function shapeError(layer: { name: string; className: string }, expected: string, got: readonly number[], batch = false): Error {
  const gotText = batch ? formatShape(got) : shapeText(got);
  return new Error(`layer "${layer.name}" (${layer.className}) expects input shape ${expected} but got ${gotText}`);
}

/** Base of a Keras-family layer: subclasses allocate params in `build` and implement forward/backward. */
export abstract class KerasLayer implements Layer {
  name: string;
  abstract readonly type: string;
  abstract readonly className: string;
  private trainable_ = true;
  protected built_ = false;
  protected params_: Param[] = [];
  private views: Record<string, Tensor> | undefined;
  /** Per-sample input shape given to build (−1 = free dimension). */
  private builtInput: number[] = [];
  /** The layer's own seed, if the `seed` option was given (initialization draws from it). */
  protected readonly seed: number | undefined;

  constructor(baseName: string, name: unknown, seed: unknown) {
    if (name !== undefined && (typeof name !== "string" || name.length === 0)) throw new Error(`${baseName}: name must be a non-empty string`);
    if (seed !== undefined && (typeof seed !== "number" || !Number.isFinite(seed))) throw new Error(`${baseName}: seed must be a number`);
    this.name = (name as string | undefined) ?? uniqueLayerName(baseName);
    this.seed = seed as number | undefined;
  }

  abstract get config(): LayerConfigData;

  /** Frozen layers (false) keep their weights during fit and count as non-trainable in summaries. */
  get trainable(): boolean {
    return this.trainable_;
  }

  set trainable(value: boolean) {
    this.trainable_ = Boolean(value);
    for (const p of this.params_) p.trainable = this.trainable_;
  }

  get built(): boolean {
    return this.built_;
  }

  /** The Rng to initialize from: the layer's own seed wins over the container's stream. */
  protected initRng(ctx: BuildContext): Rng {
    return this.seed !== undefined ? new Rng(this.seed) : ctx.rng;
  }

  abstract build(inputShape: readonly number[], ctx: BuildContext): void;
  abstract outputShape(inputShape: readonly number[]): number[];
  abstract forward(x: Tensor, ctx: ForwardContext): Tensor;
  abstract backward(dy: Tensor): Tensor;

  params(): Param[] {
    return this.params_;
  }

  get weights(): Record<string, Tensor> {
    if (!this.built_) throw new Error(`layer "${this.name}" (${this.className}) has no weights until it is added to a model (or built)`);
    this.views ??= weightViews(this.params_);
    return this.views;
  }

  /** Parameter count (Keras convention), from paramCount — the same number the model summary shows. */
  countParams(): number {
    this.requireBuilt();
    return paramCount(this.config, this.builtInput[this.builtInput.length - 1] ?? 0, "keras").total;
  }

  /** Copies of this layer's weights in Keras `get_weights()` order (e.g. dense: kernel, bias). */
  getWeights(): Tensor[] {
    this.requireBuilt();
    return getParamValues(this.params());
  }

  /** Loads weights in `getWeights()` order, checking count and shapes. */
  setWeights(values: readonly TensorLike[]): void {
    this.requireBuilt();
    setParamValues(this.params(), values, this.name);
  }

  /** A one-row Keras-style summary of this layer (returned, not printed). */
  summary(): Summary {
    this.requireBuilt();
    const c = paramCount(this.config, this.builtInput[this.builtInput.length - 1] ?? 0, "keras");
    const out = this.outputShape(this.builtInput).map((d) => (d < 0 ? null : d));
    return makeSummary(this.name, "keras", [{ name: this.name, type: this.className, outputShape: [null, ...out], params: c.total,
      breakdown: c.tensors, formula: c.formula, trainable: this.trainable }]);
  }

  /** Call from build with the params and the per-sample input shape, so `weights` views are rebuilt. */
  protected setParams(params: Param[], inputShape: readonly number[]): void {
    this.builtInput = inputShape.slice();
    this.params_ = params;
    for (const p of params) p.trainable = this.trainable_;
    this.views = undefined;
    this.built_ = true;
  }

  protected requireBuilt(): void {
    if (!this.built_) throw new Error(`layer "${this.name}" (${this.className}) is not built; add it to rnn.sequential first`);
  }
}
