/**
 * Bidirectional wrapper, Keras semantics with merge mode "concat": the wrapped recurrent layer becomes
 * `forward_<name>`, a twin built from the same options (initializers, trainable and dropout included;
 * a seeded layer's twin uses seed + 1) with `goBackwards: true` becomes
 * `backward_<name>`, and the outputs are concatenated on the feature axis: [B, T, 2H] with
 * returnSequences (the backward sequence re-reversed so step t of both halves belongs to input step t,
 * as Keras does), else [B, 2H] (forward's h_T next to backward's h after reading x_0).
 * Weights in Keras `get_weights()` order: forward kernel, recurrent_kernel, bias, then backward's.
 * Parameter count: 2 × the wrapped layer's.
 *
 * Dimension letters: B batch, T timesteps, I input features, H units of each direction.
 */
import { LAYER_FACTS } from "../layerFacts";
import type { BuildContext, ForwardContext, Layer, LayerConfigData, LayerRecording } from "../layer";
import { weightViews } from "../layer";
import { copySequence } from "../ops";
import { checkKeys } from "../options";
import { Tensor, allocFloats } from "../tensor";
import { KerasLayer, shapeError, tableOutputShape } from "./common";
import { KerasRecurrentLayer } from "./kerasRecurrent";

/** Options of `rnn.bidirectional(layer, options?)`, which runs a copy of the layer backwards in time and concatenates both outputs (2·units features). */
export interface BidirectionalOptions {
  /** Only "concat" (Keras's default) is supported. */
  mergeMode?: "concat";
  /** Layer name. Default "bidirectional", "bidirectional_1", …; the wrapped layer is renamed `forward_lstm` (say) and its reversed copy is `backward_lstm`. */
  name?: string;
}

export class Bidirectional extends KerasLayer {
  readonly type = LAYER_FACTS.bidirectional.type;
  /** "Bidirectional", as Keras's summary prints it. */
  readonly className = LAYER_FACTS.bidirectional.className;
  readonly forwardLayer: KerasRecurrentLayer;
  readonly backwardLayer: KerasRecurrentLayer;
  /** Options of the wrapped layer as given (its name before the forward_ prefix). */
  private readonly innerConfig: LayerConfigData;
  private pending: { returnSequences: boolean; h: number } | undefined;

  constructor(layer: Layer, options: BidirectionalOptions = {}) {
    if (!(layer instanceof KerasRecurrentLayer)) {
      throw new Error("rnn.bidirectional: expected rnn.simpleRNN, rnn.lstm or rnn.gru, e.g. rnn.bidirectional(rnn.lstm({ units: 16 }))");
    }
    checkKeys(options, ["mergeMode", "name"], "rnn.bidirectional");
    if (options.mergeMode !== undefined && options.mergeMode !== "concat") {
      throw new Error(`rnn.bidirectional: mergeMode ${JSON.stringify(options.mergeMode)} is not supported; valid: concat`);
    }
    if (layer.returnState || layer.goBackwards) throw new Error("rnn.bidirectional: the wrapped layer must not set returnState or goBackwards");
    if (layer.built) throw new Error(`rnn.bidirectional: layer "${layer.name}" is already built; wrap a fresh layer`);
    super(LAYER_FACTS.bidirectional.baseName, options?.name, undefined);
    this.innerConfig = { ...layer.config };
    const name = layer.name;
    this.forwardLayer = layer;
    layer.name = `forward_${name}`;
    this.backwardLayer = layer.reversedTwin(`backward_${name}`);
  }

  get config(): LayerConfigData {
    return { type: "bidirectional", name: this.name, layer: this.innerConfig };
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 2) throw shapeError(this, "(None, timesteps, features)", inputShape);
    this.forwardLayer.outputShape(inputShape); // the wrapped layer validates its input
    return tableOutputShape(this, inputShape);
  }

  build(inputShape: readonly number[], ctx: BuildContext): void {
    this.outputShape(inputShape);
    this.forwardLayer.build(inputShape, ctx);
    this.backwardLayer.build(inputShape, ctx);
    this.setParams([...this.forwardLayer.params(), ...this.backwardLayer.params()], inputShape);
  }

  /** Keys `forward_lstm/kernel`, …, `backward_lstm/bias` (model keys prefix this layer's name). */
  override get weights(): Record<string, Tensor> {
    this.requireBuilt();
    const out: Record<string, Tensor> = {};
    for (const l of [this.forwardLayer, this.backwardLayer]) {
      for (const [k, v] of Object.entries(weightViews(l.params()))) out[`${l.name}/${k}`] = v;
    }
    return out;
  }

  /** Names of params() entries as they appear in `weights` (same order). */
  paramKeys(): string[] {
    return [this.forwardLayer, this.backwardLayer].flatMap((l) => l.params().map((p) => `${l.name}/${p.name}`));
  }

  override get trainable(): boolean {
    return this.forwardLayer ? this.forwardLayer.trainable : true;
  }

  override set trainable(value: boolean) {
    if (!this.forwardLayer) return;
    for (const l of [this.forwardLayer, this.backwardLayer]) {
      l.trainable = value;
      for (const p of l.params()) p.trainable = value;
    }
  }

  /** x [B, T, I] → [B, T, 2H] (returnSequences) or [B, 2H]. */
  protected call(x: Tensor, ctx: ForwardContext): Tensor {
    this.requireBuilt();
    if (x.rank !== 3) throw shapeError(this, "(None, timesteps, features)", x.shape, true);
    const yf = this.forwardLayer.forward(x, ctx);
    const yb = this.backwardLayer.forward(x, ctx);
    const seq = this.forwardLayer.returnSequences;
    const h = this.forwardLayer.units;
    this.pending = { returnSequences: seq, h };
    return concatHalves(yf, seq ? reverseTime(yb) : yb, h);
  }

  /** dy [B, T, 2H] or [B, 2H] → dx [B, T, I] (sum of both directions' input gradients). */
  backward(dy: Tensor): Tensor {
    const p = this.pending;
    if (!p) throw new Error(`layer "${this.name}" (Bidirectional): backward called without a forward`);
    this.pending = undefined;
    const [dyf, dyb] = splitHalves(dy, p.h);
    const dxf = this.forwardLayer.backward(dyf);
    const dxb = this.backwardLayer.backward(p.returnSequences ? reverseTime(dyb) : dyb);
    const dx = allocFloats(dxf.size, dxf.dtype);
    for (let i = 0; i < dx.length; i++) dx[i] = dxf.data[i] + dxb.data[i];
    return new Tensor(dx, dxf.shape);
  }

  /** Both directions' recordings (the backward one is already in input time order). */
  recordings(): LayerRecording[] {
    return [...(this.forwardLayer.recordings?.() ?? []), ...(this.backwardLayer.recordings?.() ?? [])];
  }
}

/** [B, T, H] → the same with the time axis reversed (a copy). */
function reverseTime(x: Tensor): Tensor {
  const [b, t, h] = x.shape;
  const out = allocFloats(x.size, x.dtype);
  copySequence(t, b, h, { data: x.data, batchMajor: true }, { data: out, batchMajor: true }, true);
  return new Tensor(out, x.shape);
}

/** a [R…, H], b [R…, H] → [R…, 2H] with a in the first half of each row. */
function concatHalves(a: Tensor, b: Tensor, h: number): Tensor {
  const rows = a.size / h;
  const out = allocFloats(2 * a.size, a.dtype);
  for (let r = 0; r < rows; r++) {
    out.set(a.data.subarray(r * h, (r + 1) * h), 2 * r * h);
    out.set(b.data.subarray(r * h, (r + 1) * h), (2 * r + 1) * h);
  }
  return new Tensor(out, [...a.shape.slice(0, -1), 2 * h]);
}

/** [R…, 2H] → two [R…, H] halves. */
function splitHalves(y: Tensor, h: number): [Tensor, Tensor] {
  const rows = y.size / (2 * h);
  const a = allocFloats(rows * h, y.dtype);
  const b = allocFloats(rows * h, y.dtype);
  for (let r = 0; r < rows; r++) {
    a.set(y.data.subarray(2 * r * h, (2 * r + 1) * h), r * h);
    b.set(y.data.subarray((2 * r + 1) * h, (2 * r + 2) * h), r * h);
  }
  const shape = [...y.shape.slice(0, -1), h];
  return [new Tensor(a, shape), new Tensor(b, shape)];
}

/** `rnn.bidirectional(rnn.lstm({ units }))` — both directions, outputs concatenated (2·units features). */
export function bidirectional(layer: Layer, options: BidirectionalOptions = {}): Bidirectional {
  return new Bidirectional(layer, options);
}
