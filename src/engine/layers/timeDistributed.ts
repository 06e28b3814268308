/**
 * TimeDistributed wrapper, Keras semantics: applies the wrapped layer to every timestep independently
 * with shared weights. [B, T, …in] is viewed as [B·T, …in] (no copy), the inner layer runs once on
 * all rows, and the result is viewed back as [B, T, …out]; backward does the same with ∂L/∂y.
 * The weights are the inner layer's (same Param objects, same names: `time_distributed/kernel`).
 *
 * Dimension letters: B batch, T timesteps.
 */
import { LAYER_FACTS } from "../layerFacts";
import type { BuildContext, ForwardContext, Layer, LayerConfigData, Param } from "../layer";
import { checkKeys } from "../options";
import type { Tensor } from "../tensor";
import { KerasLayer, shapeError, tableOutputShape } from "./common";

export interface TimeDistributedOptions {
  name?: string;
}

export class TimeDistributed extends KerasLayer {
  readonly type = LAYER_FACTS.timeDistributed.type;
  /** "TimeDistributed", as Keras's summary prints it. */
  readonly className = LAYER_FACTS.timeDistributed.className;
  readonly layer: Layer;
  /** The wrapped layer's output activation (the Layer contract: a softmax here still makes probabilities). */
  get outputActivation(): string | undefined {
    return this.layer.outputActivation;
  }
  private shapeCache: { b: number; t: number } | undefined;

  constructor(layer: Layer, options: TimeDistributedOptions = {}) {
    if (!layer || typeof layer !== "object" || typeof (layer as Layer).forward !== "function") {
      throw new Error("rnn.timeDistributed: expected a layer, e.g. rnn.timeDistributed(rnn.dense({ units: 10 }))");
    }
    checkKeys(options, ["name"], "rnn.timeDistributed");
    super(LAYER_FACTS.timeDistributed.baseName, options?.name, undefined);
    this.layer = layer;
  }

  get config(): LayerConfigData {
    return { type: "timeDistributed", name: this.name, layer: this.layer.config };
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length < 2) throw shapeError(this, "(None, timesteps, …)", inputShape);
    this.layer.outputShape(inputShape.slice(1)); // the wrapped layer validates its per-step input
    return tableOutputShape(this, inputShape);
  }

  build(inputShape: readonly number[], ctx: BuildContext): void {
    this.outputShape(inputShape);
    if (!this.layer.built) this.layer.build(inputShape.slice(1), ctx);
    this.setParams(this.layer.params(), inputShape.slice(1));
  }

  override params(): Param[] {
    return this.layer.params();
  }

  override get weights(): Record<string, Tensor> {
    return this.layer.weights;
  }

  override get trainable(): boolean {
    return this.layer.trainable;
  }

  override set trainable(value: boolean) {
    if (this.layer) this.layer.trainable = value;
  }

  /** x [B, T, …in] → [B, T, …out]. */
  protected call(x: Tensor, ctx: ForwardContext): Tensor {
    this.requireBuilt();
    if (x.rank < 3) throw shapeError(this, "(None, timesteps, …)", x.shape, true);
    const [b, t] = x.shape;
    this.shapeCache = { b, t };
    const y = this.layer.forward(x.reshape([b * t, ...x.shape.slice(2)]), ctx);
    return y.reshape([b, t, ...y.shape.slice(1)]);
  }

  /** dy [B, T, …out] → dx [B, T, …in]. */
  backward(dy: Tensor): Tensor {
    const s = this.shapeCache;
    if (!s) throw new Error(`layer "${this.name}" (TimeDistributed): backward called without a forward`);
    this.shapeCache = undefined;
    const dx = this.layer.backward(dy.reshape([s.b * s.t, ...dy.shape.slice(2)]));
    return dx.reshape([s.b, s.t, ...dx.shape.slice(1)]);
  }
}

/** `rnn.timeDistributed(layer)` — applies `layer` to each timestep of [B, T, …] with shared weights. */
export function timeDistributed(layer: Layer, options: TimeDistributedOptions = {}): TimeDistributed {
  return new TimeDistributed(layer, options);
}
