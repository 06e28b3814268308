/**
 * Shared plumbing of every Keras-family layer (the recurrent ones, dense, embedding, dropout, flatten
 * and the wrappers): naming, the built flag, parameter views, a forward called outside a container, and
 * the shape-error wording every layer uses. Each layer file keeps its own call/backward pair; only
 * bookkeeping lives here.
 */
import type { BuildContext, ForwardContext, Layer, LayerConfigData, Param } from "../layer";
import { getParamValues, setParamValues, uniqueLayerName, weightViews } from "../layer";
import { formatShape } from "../../shared/summaryText";
import { layerFacts } from "../layerFacts";
import { paramCount } from "../params";
import { Rng } from "../random";
import { makeSummary, type Summary } from "../summary";
import { asTensor, Tensor, type TensorLike } from "../tensor";
import { applySymbolic, isKerasTensor, type CallOptions, type KerasTensor } from "../graph/symbolic";

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

  /** `where` names the layer's factory in option errors (default: the base name). */
  constructor(baseName: string, name: unknown, seed: unknown, where = baseName) {
    if (name !== undefined && (typeof name !== "string" || name.length === 0)) throw new Error(`${where}: name must be a non-empty string`);
    if (seed !== undefined && (typeof seed !== "number" || !Number.isFinite(seed))) throw new Error(`${where}: seed must be a number`);
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
  /** The layer's forward pass on a batch-first tensor (what `forward` runs inside a container). */
  protected abstract call(x: Tensor, ctx: ForwardContext): Tensor;
  abstract backward(dy: Tensor): Tensor;

  /**
   * Forward pass on a batch-first tensor. A container passes its context; called without one (from a
   * cell: `layer.forward(x)`), the layer runs in inference mode and, if it is not built yet, is built
   * from x's per-sample shape first — as a Keras layer called on a tensor is.
   */
  forward(x: Tensor, ctx?: ForwardContext): Tensor {
    if (ctx) return this.call(x, ctx);
    let t = x instanceof Tensor ? x : asTensor(x as TensorLike, this.paramDtype());
    if (!this.built_) this.build(t.shape.slice(1), { dtype: t.dtype, rng: new Rng(0) });
    const dtype = this.paramDtype();
    if (dtype && t.dtype !== dtype) t = t.clone(dtype);
    return this.call(t, { training: false, rng: new Rng(0) });
  }

  /**
   * Calls the layer, Keras style. On a KerasTensor (from `rnn.input` or another layer's `apply`) it
   * records the call for `rnn.model` and returns the output KerasTensor; on values it runs the layer
   * in inference mode (`layer.apply(x)` = `layer.forward(x)`).
   * `const h = rnn.lstm({ units: 16 }).apply(rnn.input({ shape: [10, 8] }))`. A layer with several outputs
   * (returnState, returnAttentionScores) returns an array: `const [out, h, c] = encoder.apply(x) as rnn.KerasTensor[]`.
   */
  apply(x: KerasTensor | KerasTensor[], options?: CallOptions): KerasTensor | KerasTensor[];
  apply(x: TensorLike | TensorLike[], options?: { training?: boolean }): Tensor | Tensor[];
  apply(x: KerasTensor | KerasTensor[] | TensorLike | TensorLike[], options: CallOptions = {}): KerasTensor | KerasTensor[] | Tensor | Tensor[] {
    if (isSymbolic(x)) return applySymbolic(this, x, options);
    for (const k of Object.keys(options)) if (k !== "training") throw new Error(`${this.name}.apply: unknown option "${k}" for a value input; valid: training`);
    return this.applyValues(x as TensorLike | TensorLike[], !!options.training);
  }

  /** `apply` on values: one tensor through `call` (merge and attention layers take an array). */
  protected applyValues(x: TensorLike | TensorLike[], training: boolean): Tensor | Tensor[] {
    const t = x instanceof Tensor ? x : asTensor(x as TensorLike, this.paramDtype());
    if (!this.built_) this.build(t.shape.slice(1), { dtype: t.dtype, rng: new Rng(0) });
    const dtype = this.paramDtype();
    return this.call(dtype && t.dtype !== dtype ? t.clone(dtype) : t, { training, rng: new Rng(0) });
  }

  /** The dtype of the layer's weights, or undefined for a layer without any. */
  protected paramDtype(): "float32" | "float64" | undefined {
    const v = this.params_[0]?.value;
    return v === undefined ? undefined : v instanceof Float64Array ? "float64" : "float32";
  }

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
    return makeSummary(this.name, "keras", [{ name: this.name, type: this.className, outputShape: this.summaryShape(), params: c.total,
      breakdown: c.tensors, formula: c.formula, trainable: this.trainable }]);
  }

  /** Output shape shown by `summary()`, batch axis first (null = free). */
  protected summaryShape(): (number | null)[] {
    return [null, ...this.outputShape(this.builtInput).map((d) => (d < 0 ? null : d))];
  }

  /** Per-sample input shape the layer was built for (−1 = free). */
  protected get builtInputShape(): readonly number[] {
    return this.builtInput;
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
    if (!this.built_) throw new Error(`layer "${this.name}" (${this.className}) is not built; add it to rnn.sequential first, or call it on an input (layer.forward(x))`);
  }
}

/** A KerasTensor or a non-empty array of them (a symbolic call), as opposed to values. */
export function isSymbolic(x: unknown): x is KerasTensor | KerasTensor[] {
  return isKerasTensor(x) || (Array.isArray(x) && x.length > 0 && x.every(isKerasTensor));
}
