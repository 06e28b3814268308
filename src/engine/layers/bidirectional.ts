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
 * The two directions run as a one-layer, two-direction RecurrentStack (recurrentStack.ts) — the same
 * code as PyTorch's `nn.LSTM(…, bidirectional: true)` — over the two Keras layers' own cores and
 * weights; this file converts between Keras's batch-major tensors and the stack's time-major buffers.
 *
 * Dimension letters: B batch, T timesteps, I input features, H units of each direction.
 */
import { LAYER_FACTS } from "../layerFacts";
import type { BuildContext, ForwardContext, Layer, LayerConfigData, LayerRecording } from "../layer";
import { weightViews } from "../layer";
import { copySequence } from "../ops";
import { checkKeys } from "../options";
import { RecurrentStack } from "../recurrentStack";
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
  /** Both directions over the two layers' cores (set by build). */
  private stack: RecurrentStack | undefined;
  /** Set by a forward, consumed by the following backward. */
  private pending: { B: number; T: number; recordNorms: boolean } | undefined;
  private recorded: LayerRecording[] = [];

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
    this.stack = new RecurrentStack([this.forwardLayer.stackUnit(), this.backwardLayer.stackUnit()], 1, 2, 0, this.forwardLayer.dtype);
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
  protected call(xIn: Tensor, ctx: ForwardContext): Tensor {
    this.requireBuilt();
    if (xIn.rank !== 3) throw shapeError(this, "(None, timesteps, features)", xIn.shape, true);
    const stack = this.stack as RecurrentStack;
    const x = this.forwardLayer.checkedInput(xIn);
    const [B, T] = x.shape;
    const H = this.forwardLayer.units;
    const recordNorms = !!ctx.record?.gradNorms;
    const hN = allocFloats(2 * B * H, x.dtype);
    const seq = this.forwardLayer.returnSequences;
    const out = seq ? allocFloats(B * T * 2 * H, x.dtype) : null;
    stack.forward({ data: x.data, batchMajor: true }, T, B, null, null, { training: ctx.training, rng: ctx.rng, recordNorms, tbptt: ctx.tbptt ?? 0 },
      hN, null, out ? { data: out, batchMajor: true } : null);
    this.pending = { B, T, recordNorms };
    this.recorded = [];
    if (ctx.record?.gates) this.eachDirection((layer, d) => this.recorded.push({ ...this.recordingOf(layer, d), gates: stack.unit(0, d).core.recordGates(d === 1) }));
    if (out) return new Tensor(out, [B, T, 2 * H]);
    // Last steps: hN [2, B, H] (direction-major) → [B, 2H], forward's h_T next to backward's h after x_0.
    const last = allocFloats(B * 2 * H, x.dtype);
    copySequence(2, B, H, { data: hN, batchMajor: false }, { data: last, batchMajor: true });
    return new Tensor(last, [B, 2 * H]);
  }

  /** dy [B, T, 2H] or [B, 2H] → dx [B, T, I] (sum of both directions' input gradients). */
  backward(dyIn: Tensor): Tensor {
    const p = this.pending;
    if (!p) throw new Error(`layer "${this.name}" (Bidirectional): backward called without a forward`);
    this.pending = undefined;
    const stack = this.stack as RecurrentStack;
    const { B, T } = p;
    const H = this.forwardLayer.units, dtype = this.forwardLayer.dtype;
    const seq = this.forwardLayer.returnSequences;
    const dy = dyIn.dtype === dtype ? dyIn : dyIn.clone(dtype);
    const expected = seq ? [B, T, 2 * H] : [B, 2 * H];
    if (dy.shape.join() !== expected.join()) {
      throw new Error(`layer "${this.name}" (Bidirectional): gradient of shape [${dy.shape.join(", ")}] does not match the output [${expected.join(", ")}]`);
    }
    const I = stack.unit(0, 0).core.I;
    const dx = allocFloats(B * T * I, dtype);
    const dxBlock = { data: dx, batchMajor: true };
    if (seq) {
      stack.backward({ data: dy.data, batchMajor: true }, null, null, null, null, dxBlock);
    } else {
      // [B, 2H] → ∂L/∂hN [2, B, H]: each direction's last state.
      const dhN = allocFloats(2 * B * H, dtype);
      copySequence(2, B, H, { data: dy.data, batchMajor: true }, { data: dhN, batchMajor: false });
      stack.backward(null, dhN, null, null, null, dxBlock);
    }
    if (p.recordNorms) this.recordGradNorms(stack);
    return new Tensor(dx, [B, T, I]);
  }

  /** ‖∂L/∂h_t‖ of both directions, joined to the forward's gate recordings. */
  private recordGradNorms(stack: RecurrentStack): void {
    this.eachDirection((layer, d) => {
      const gradNorms = stack.unit(0, d).core.recordNormsInTimeOrder(d === 1);
      const r = this.recorded.find((x) => x.layer === layer.name);
      if (r) r.gradNorms = gradNorms;
      else this.recorded.push({ ...this.recordingOf(layer, d), gradNorms });
    });
  }

  private eachDirection(f: (layer: KerasRecurrentLayer, d: number) => void): void {
    f(this.forwardLayer, 0);
    f(this.backwardLayer, 1);
  }

  /** The recording entry of one direction, named after its layer (`forward_lstm`, `backward_lstm`). */
  private recordingOf(layer: KerasRecurrentLayer, d: number): LayerRecording {
    return { layer: layer.name, index: 0, type: layer.type, direction: d === 1 ? "backward" : "forward" };
  }

  /** Both directions' recordings of the latest forward/backward (the backward one in input time order). */
  recordings(): LayerRecording[] {
    return this.recorded;
  }
}

/** `rnn.bidirectional(rnn.lstm({ units }))` — both directions, outputs concatenated (2·units features). */
export function bidirectional(layer: Layer, options: BidirectionalOptions = {}): Bidirectional {
  return new Bidirectional(layer, options);
}
