/**
 * Flatten layer: [B, d1, d2, …] → [B, d1·d2·…] (row-major, like Keras). No weights; backward is a
 * reshape back. In the textbook models it turns a returnSequences output [B, T, H] into [B, T·H]
 * before the final Dense (e.g. 21·32 = 672 features → Dense(1) has 673 parameters).
 */
import { LAYER_FACTS } from "../layerFacts";
import type { BuildContext, ForwardContext, LayerConfigData } from "../layer";
import { checkKeys } from "../options";
import { Tensor } from "../tensor";
import { KerasLayer, shapeError, tableOutputShape } from "./common";

export interface FlattenOptions {
  name?: string;
}

export class Flatten extends KerasLayer {
  readonly type = LAYER_FACTS.flatten.type;
  readonly className = LAYER_FACTS.flatten.className;
  private inShape: number[] | undefined; // forward cache: the input shape

  constructor(options: FlattenOptions = {}) {
    checkKeys(options, ["name"], "rnn.flatten");
    super(LAYER_FACTS.flatten.baseName, options?.name, undefined);
  }

  get config(): LayerConfigData {
    return { type: "flatten", name: this.name };
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length === 0) throw shapeError(this, "(None, …) with at least one feature axis", inputShape);
    if (inputShape.some((d) => d < 0)) {
      throw new Error(`layer "${this.name}" (Flatten) needs fixed dimensions; its input has a free (None) axis — give inputShape a number of timesteps`);
    }
    return tableOutputShape(this, inputShape);
  }

  build(inputShape: readonly number[], _ctx: BuildContext): void {
    this.outputShape(inputShape);
    this.setParams([], inputShape);
  }

  /** x [B, …] → [B, ∏…] (shares data). */
  protected call(x: Tensor, _ctx: ForwardContext): Tensor {
    this.inShape = x.shape;
    return x.reshape([x.shape[0], -1]);
  }

  /** dy [B, ∏…] → [B, …] (shares data). */
  backward(dy: Tensor): Tensor {
    const shape = this.inShape;
    if (!shape) throw new Error(`layer "${this.name}" (Flatten): backward called without a forward`);
    this.inShape = undefined;
    return dy.reshape(shape);
  }
}

/** `rnn.flatten()` — [B, d1, d2, …] → [B, d1·d2·…]. */
export function flatten(options: FlattenOptions = {}): Flatten {
  return new Flatten(options);
}
