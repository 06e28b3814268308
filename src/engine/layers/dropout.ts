/**
 * Dropout layer (Srivastava et al. 2014), "inverted" as in Keras and PyTorch: in training each element
 * is kept with probability 1 − rate and scaled by 1/(1 − rate); at inference it is the identity.
 * Masks come from the forward context's seeded Rng, so a fixed fit seed gives the same masks.
 * Placed between stacked recurrent layers this is dropout in the depth direction only (Zaremba et al.
 * 2014); recurrent connections use the recurrent layers' own variational `recurrentDropout`.
 */
import { LAYER_FACTS } from "../layerFacts";
import type { BuildContext, ForwardContext, LayerConfigData } from "../layer";
import { checkKeys, fraction } from "../options";
import { Tensor, allocFloats, type FloatArray } from "../tensor";
import { KerasLayer, tableOutputShape } from "./common";

/** Options of `rnn.dropout({ rate })`: inverted dropout, active only in fit; e.g. `rnn.dropout({ rate: 0.2 })` between layers. */
export interface DropoutOptions {
  /** Fraction of elements dropped, in [0, 1). Required. */
  rate: number;
  /** Layer name. Default "dropout", "dropout_1", … as Keras. */
  name?: string;
  /** Seed of this layer's masks (default: the fit/forward stream). */
  seed?: number;
}

export class Dropout extends KerasLayer {
  readonly type = LAYER_FACTS.dropout.type;
  readonly className = LAYER_FACTS.dropout.className;
  readonly rate: number;
  private mask: FloatArray | undefined; // forward cache: 0 or 1/(1−rate) per element; undefined = identity

  constructor(options: DropoutOptions) {
    checkKeys(options, ["rate", "name", "seed"], "rnn.dropout");
    super(LAYER_FACTS.dropout.baseName, options?.name, options?.seed);
    this.rate = fraction(options.rate, "rate", "rnn.dropout");
  }

  get config(): LayerConfigData {
    return { type: "dropout", rate: this.rate, name: this.name };
  }

  outputShape(inputShape: readonly number[]): number[] {
    return tableOutputShape(this, inputShape);
  }

  build(inputShape: readonly number[], _ctx: BuildContext): void {
    this.outputShape(inputShape);
    this.setParams([], inputShape);
  }

  /** x [B, …] → same shape. */
  protected call(x: Tensor, ctx: ForwardContext): Tensor {
    this.mask = undefined;
    if (!ctx.training || this.rate === 0) return x;
    const keep = 1 - this.rate;
    const mask = allocFloats(x.size, x.dtype);
    const y = allocFloats(x.size, x.dtype);
    for (let i = 0; i < x.size; i++) {
      mask[i] = ctx.rng.float() < keep ? 1 / keep : 0;
      y[i] = x.data[i] * mask[i];
    }
    this.mask = mask;
    return new Tensor(y, x.shape);
  }

  /** dy → dy·mask (identity when the forward was not in training mode). */
  backward(dy: Tensor): Tensor {
    const mask = this.mask;
    if (!mask) return dy;
    this.mask = undefined;
    const dx = allocFloats(dy.size, dy.dtype);
    for (let i = 0; i < dy.size; i++) dx[i] = dy.data[i] * mask[i];
    return new Tensor(dx, dy.shape);
  }
}

/** `rnn.dropout({ rate })` — active only in fit (training); identity in predict/evaluate/record. */
export function dropout(options: DropoutOptions): Dropout {
  return new Dropout(options);
}
