/**
 * Masking, Keras semantics: a timestep whose features all equal `maskValue` is padding. The layer
 * outputs x with those steps zeroed (x · mask, as Keras's Masking) and, in a functional model, a mask
 * [B, T] (1 = a real step) that the recurrent and attention layers after it honour.
 *
 * Dimension letters: B batch, T timesteps, F features.
 */
import { LAYER_FACTS } from "../layerFacts";
import type { BuildContext, ForwardContext, LayerConfigData } from "../layer";
import { checkKeys, finiteNumber } from "../options";
import { Tensor, allocFloats, type FloatArray } from "../tensor";
import type { MultiLayer } from "../graph/symbolic";
import { KerasLayer, shapeError, tableOutputShape } from "./common";

/** Options of `rnn.masking({ maskValue? })`. */
export interface MaskingOptions {
  /** Feature value that marks a padded timestep (all features equal to it). Default 0. */
  maskValue?: number;
  /** Layer name (default: Keras auto-naming, e.g. "masking", then "_1", …). */
  name?: string;
}

export class Masking extends KerasLayer implements MultiLayer {
  readonly type = LAYER_FACTS.masking.type;
  readonly className = LAYER_FACTS.masking.className;
  readonly maskValue: number;
  readonly producesMask = true;
  private mask: FloatArray | undefined; // forward cache: [B·T] 1 = kept

  constructor(options: MaskingOptions = {}) {
    checkKeys(options, ["maskValue", "name"], "rnn.masking");
    const maskValue = finiteNumber(options.maskValue, "maskValue", "rnn.masking", 0);
    super(LAYER_FACTS.masking.baseName, options.name, undefined, "rnn.masking");
    this.maskValue = maskValue;
  }

  get config(): LayerConfigData {
    return { type: "masking", maskValue: this.maskValue, name: this.name };
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 2) throw shapeError(this, "(None, timesteps, features)", inputShape);
    return tableOutputShape(this, inputShape);
  }

  build(inputShape: readonly number[], _ctx: BuildContext): void {
    this.outputShape(inputShape);
    this.setParams([], inputShape);
  }

  /** x [B, T, F] → x with padded steps zeroed; caches the mask. */
  protected call(x: Tensor, _ctx: ForwardContext): Tensor {
    if (x.rank !== 3) throw shapeError(this, "(None, timesteps, features)", x.shape, true);
    const [B, T, F] = x.shape;
    const mask = allocFloats(B * T, x.dtype);
    const y = allocFloats(x.size, x.dtype);
    for (let r = 0; r < B * T; r++) {
      let keep = false;
      for (let f = 0; f < F; f++) if (x.data[r * F + f] !== this.maskValue) keep = true;
      mask[r] = keep ? 1 : 0;
      if (keep) y.set(x.data.subarray(r * F, (r + 1) * F), r * F);
    }
    this.mask = mask;
    return new Tensor(y, x.shape);
  }

  /** dx = dy · mask (padded steps pass no gradient). */
  backward(dy: Tensor): Tensor {
    const mask = this.mask;
    if (!mask) throw new Error(`layer "${this.name}" (Masking): backward called without a forward`);
    this.mask = undefined;
    const F = dy.shape[2];
    const dx = allocFloats(dy.size, dy.dtype);
    for (let r = 0; r < mask.length; r++) if (mask[r]) dx.set(dy.data.subarray(r * F, (r + 1) * F), r * F);
    return new Tensor(dx, dy.shape);
  }

  /** @internal */
  graphShapes(inputs: readonly number[][]): number[][] {
    return [this.outputShape(inputs[0]), [inputs[0][0]]];
  }

  /** @internal */
  graphBuild(inputs: readonly number[][], ctx: BuildContext): void {
    this.build(inputs[0], ctx);
  }

  /** @internal */
  graphForward(inputs: Tensor[], ctx: ForwardContext): Tensor[] {
    const y = this.call(inputs[0], ctx);
    return [y, new Tensor(this.mask!.slice(), inputs[0].shape.slice(0, 2))];
  }

  /** @internal */
  graphBackward(dys: (Tensor | null)[], needed: readonly boolean[]): (Tensor | null)[] {
    if (!dys[0]) {
      this.mask = undefined;
      return [null];
    }
    const dx = this.backward(dys[0]);
    return [needed[0] ? dx : null];
  }
}

/** `rnn.masking({ maskValue? })` — marks timesteps whose features all equal maskValue (default 0) as padding (Keras Masking). */
export function masking(options: MaskingOptions = {}): Masking {
  return new Masking(options);
}
