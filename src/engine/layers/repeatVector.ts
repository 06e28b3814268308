/**
 * RepeatVector, Keras semantics: [B, F] → [B, n, F], the same vector at every one of n timesteps — the
 * bridge of a one-to-many or encoder–decoder model without attention (an encoder's last state
 * repeated as the decoder's input at every step). No weights; backward sums ∂L/∂y over the n copies.
 *
 * Dimension letters: B batch, n repetitions, F features.
 */
import { LAYER_FACTS } from "../layerFacts";
import type { BuildContext, ForwardContext, LayerConfigData } from "../layer";
import { checkKeys, positiveInt } from "../options";
import { Tensor, allocFloats } from "../tensor";
import { KerasLayer, shapeError, tableOutputShape } from "./common";

/** Options of `rnn.repeatVector(n, { name? })`. */
export interface RepeatVectorOptions {
  /** Layer name (default: Keras auto-naming, e.g. "repeat_vector", then "_1", …). */
  name?: string;
}

export class RepeatVector extends KerasLayer {
  readonly type = LAYER_FACTS.repeatVector.type;
  readonly className = LAYER_FACTS.repeatVector.className;
  /** Repetitions (the output's timesteps). */
  readonly n: number;
  private inShape: number[] | undefined; // forward cache: [B, F]

  constructor(n: number, options: RepeatVectorOptions = {}) {
    checkKeys(options, ["name"], "rnn.repeatVector");
    const reps = positiveInt(n, "n", "rnn.repeatVector");
    super(LAYER_FACTS.repeatVector.baseName, options.name, undefined, "rnn.repeatVector");
    this.n = reps;
  }

  get config(): LayerConfigData {
    return { type: "repeatVector", n: this.n, name: this.name };
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 1) throw shapeError(this, "(None, features)", inputShape);
    return tableOutputShape(this, inputShape);
  }

  build(inputShape: readonly number[], _ctx: BuildContext): void {
    this.outputShape(inputShape);
    this.setParams([], inputShape);
  }

  /** x [B, F] → y [B, n, F] with y[b, t] = x[b]. */
  protected call(x: Tensor, _ctx: ForwardContext): Tensor {
    if (x.rank !== 2) throw shapeError(this, "(None, features)", x.shape, true);
    const [B, F] = x.shape;
    const y = allocFloats(B * this.n * F, x.dtype);
    for (let b = 0; b < B; b++) {
      const row = x.data.subarray(b * F, (b + 1) * F);
      for (let t = 0; t < this.n; t++) y.set(row, (b * this.n + t) * F);
    }
    this.inShape = [B, F];
    return new Tensor(y, [B, this.n, F]);
  }

  /** dy [B, n, F] → dx [B, F] = Σ_t dy[b, t]. */
  backward(dy: Tensor): Tensor {
    const shape = this.inShape;
    if (!shape) throw new Error(`layer "${this.name}" (RepeatVector): backward called without a forward`);
    this.inShape = undefined;
    const [B, F] = shape;
    const dx = allocFloats(B * F, dy.dtype);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < this.n; t++) {
        const o = (b * this.n + t) * F;
        for (let f = 0; f < F; f++) dx[b * F + f] += dy.data[o + f];
      }
    }
    return new Tensor(dx, shape);
  }
}

/** `rnn.repeatVector(n)` — [B, F] → [B, n, F]: the input vector repeated at n timesteps (Keras RepeatVector). */
export function repeatVector(n: number, options: RepeatVectorOptions = {}): RepeatVector {
  return new RepeatVector(n, options);
}
