/**
 * Layers that take several tensors in one call, the base of merge and attention layers, and the two
 * merge layers: Concatenate (along an axis, Keras default −1: features) and Add (elementwise sum).
 * In a functional model they are called on a list: `rnn.concatenate().apply([a, b])`; on values they
 * run at once: `rnn.add().apply([t1, t2])`. Neither has weights.
 *
 * Shapes: inputs [B, …] batch-major; `axis` counts the batch axis as Keras does (1 = the first
 * per-sample axis, −1 = the last).
 */
import { LAYER_FACTS, layerFacts } from "../layerFacts";
import type { BuildContext, ForwardContext, LayerConfigData, Param } from "../layer";
import { checkKeys } from "../options";
import { Rng } from "../random";
import { Tensor, allocFloats, asTensor, type TensorLike } from "../tensor";
import type { GraphCall, MultiLayer } from "../graph/symbolic";
import { KerasLayer, shapeText } from "./common";

/** Base of the layers called on a list of tensors (merge and attention layers). */
export abstract class MultiInputLayer extends KerasLayer implements MultiLayer {
  /** Per-sample output shape from the per-sample input shapes (−1 free), through the layer table. */
  protected mergedShape(inputs: readonly number[][]): number[] {
    try {
      const out = layerFacts(this.type).mergeShape!(this.config, inputs.map((s) => s.map((d) => (d < 0 ? null : d))));
      return out.map((d) => d ?? -1);
    } catch (e) {
      throw new Error(`layer "${this.name}" (${this.className}) cannot take inputs ${inputs.map(shapeText).join(", ")}: ${(e as Error).message}`);
    }
  }

  outputShape(inputShape: readonly number[]): number[] {
    throw new Error(`layer "${this.name}" (${this.className}) takes a list of inputs, e.g. apply([a, b]); got one input ${shapeText(inputShape)}`);
  }

  build(inputShape: readonly number[], ctx: BuildContext): void {
    this.buildFrom([inputShape.slice()], ctx);
  }

  /** Allocates weights (if any) from all input shapes; the default has none. */
  protected buildFrom(inputs: readonly number[][], _ctx: BuildContext): void {
    this.setParams([] as Param[], inputs[0]);
  }

  graphShapes(inputs: readonly number[][], call: GraphCall): number[][] {
    if (call.states) throw new Error(`layer "${this.name}" (${this.className}) takes no initialState`);
    if (call.returnAttentionScores || call.useCausalMask) throw new Error(`layer "${this.name}" (${this.className}) is not an attention layer (returnAttentionScores, useCausalMask)`);
    return [this.mergedShape(inputs.slice(0, call.main))];
  }

  graphBuild(inputs: readonly number[][], ctx: BuildContext): void {
    this.buildFrom(inputs, ctx);
  }

  abstract graphForward(inputs: Tensor[], ctx: ForwardContext, call: GraphCall): Tensor[];
  abstract graphBackward(dys: (Tensor | null)[], needed: readonly boolean[]): (Tensor | null)[];

  protected call(x: Tensor, _ctx: ForwardContext): Tensor {
    throw new Error(`layer "${this.name}" (${this.className}) takes a list of inputs, e.g. apply([a, b]); got one tensor [${x.shape.join(", ")}]`);
  }

  backward(_dy: Tensor): Tensor {
    throw new Error(`layer "${this.name}" (${this.className}): use it inside rnn.model (it has several inputs)`);
  }

  /** `apply([t1, t2])` on values: checks shapes, builds on first use, runs one forward in inference mode. */
  protected override applyValues(x: TensorLike | TensorLike[], training: boolean): Tensor | Tensor[] {
    if (!Array.isArray(x) || x.length < 2) throw new Error(`layer "${this.name}" (${this.className}) takes a list of inputs, e.g. apply([a, b])`);
    const dtype = this.paramDtype();
    const ts = (x as TensorLike[]).map((v) => asTensor(v, dtype));
    const call: GraphCall = { main: ts.length, states: 0, mask: false, returnAttentionScores: false };
    const shapes = ts.map((t) => t.shape.slice(1));
    this.graphShapes(shapes, call);
    if (!this.built_) this.buildFrom(shapes, { dtype: ts[0].dtype, rng: new Rng(0) });
    const outs = this.graphForward(ts, { training, rng: new Rng(0) }, call);
    return outs.length === 1 ? outs[0] : outs;
  }
}

/** Options of `rnn.concatenate({ axis? })`. */
export interface ConcatenateOptions {
  /** Axis counted with the batch axis (Keras): −1 (default) joins features, 1 joins timesteps of [B, T, F]. */
  axis?: number;
  /** Layer name (default: Keras auto-naming, e.g. "concatenate", then "_1", …). */
  name?: string;
}

export class Concatenate extends MultiInputLayer {
  readonly type = LAYER_FACTS.concatenate.type;
  readonly className = LAYER_FACTS.concatenate.className;
  readonly axis: number;
  private shapes: number[][] | undefined; // forward cache: the input shapes

  constructor(options: ConcatenateOptions = {}) {
    checkKeys(options, ["axis", "name"], "rnn.concatenate");
    const axis = options.axis ?? -1;
    if (!Number.isInteger(axis) || axis === 0) throw new Error(`rnn.concatenate: axis must be a non-zero integer (0 is the batch axis), got ${JSON.stringify(options.axis)}`);
    super(LAYER_FACTS.concatenate.baseName, options.name, undefined, "rnn.concatenate");
    this.axis = axis;
  }

  get config(): LayerConfigData {
    return { type: "concatenate", axis: this.axis, name: this.name };
  }

  /** Batch-tensor axis the inputs are joined along. */
  private tensorAxis(rank: number): number {
    return this.axis < 0 ? rank + this.axis : this.axis;
  }

  /** inputs [B, …, F_k, …] → [B, …, ΣF_k, …] along the axis. */
  graphForward(inputs: Tensor[]): Tensor[] {
    this.mergedShape(inputs.map((t) => t.shape.slice(1)));
    const rank = inputs[0].rank;
    const a = this.tensorAxis(rank);
    const outer = inputs[0].shape.slice(0, a).reduce((p, d) => p * d, 1);
    const inner = inputs[0].shape.slice(a + 1).reduce((p, d) => p * d, 1);
    const total = inputs.reduce((p, t) => p + t.shape[a], 0);
    const out = allocFloats(outer * total * inner, inputs[0].dtype);
    let off = 0;
    for (const t of inputs) {
      const block = t.shape[a] * inner;
      for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * block, (o + 1) * block), o * total * inner + off);
      off += block;
    }
    this.shapes = inputs.map((t) => t.shape.slice());
    const shape = inputs[0].shape.slice();
    shape[a] = total;
    return [new Tensor(out, shape)];
  }

  /** dy → each input's slice along the axis. */
  graphBackward(dys: (Tensor | null)[], needed: readonly boolean[]): (Tensor | null)[] {
    const shapes = this.shapes;
    if (!shapes) throw new Error(`layer "${this.name}" (Concatenate): backward called without a forward`);
    this.shapes = undefined;
    const dy = dys[0]!;
    const a = this.tensorAxis(shapes[0].length);
    const outer = shapes[0].slice(0, a).reduce((p, d) => p * d, 1);
    const inner = shapes[0].slice(a + 1).reduce((p, d) => p * d, 1);
    const total = shapes.reduce((p, s) => p + s[a], 0);
    let off = 0;
    return shapes.map((s, k) => {
      const block = s[a] * inner;
      const start = off;
      off += block;
      if (!needed[k]) return null;
      const dx = allocFloats(outer * block, dy.dtype);
      for (let o = 0; o < outer; o++) dx.set(dy.data.subarray(o * total * inner + start, o * total * inner + start + block), o * block);
      return new Tensor(dx, s);
    });
  }
}

/** `rnn.concatenate({ axis? })` — joins a list of tensors along `axis` (Keras Concatenate; default −1, the features). */
export function concatenate(options: ConcatenateOptions = {}): Concatenate {
  return new Concatenate(options);
}

/** Options of `rnn.add()`. */
export interface AddOptions {
  /** Layer name (default: Keras auto-naming, e.g. "add", then "_1", …). */
  name?: string;
}

export class Add extends MultiInputLayer {
  readonly type = LAYER_FACTS.add.type;
  readonly className = LAYER_FACTS.add.className;
  private count: number | undefined; // forward cache: number of inputs

  constructor(options: AddOptions = {}) {
    checkKeys(options, ["name"], "rnn.add");
    super(LAYER_FACTS.add.baseName, options.name, undefined, "rnn.add");
  }

  get config(): LayerConfigData {
    return { type: "add", name: this.name };
  }

  /** inputs [B, …] (same shapes) → their elementwise sum. */
  graphForward(inputs: Tensor[]): Tensor[] {
    this.mergedShape(inputs.map((t) => t.shape.slice(1)));
    const out = allocFloats(inputs[0].size, inputs[0].dtype);
    for (const t of inputs) {
      if (t.size !== out.length) throw new Error(`layer "${this.name}" (Add): inputs [${inputs.map((u) => u.shape.join(", ")).join("], [")}] differ in shape`);
      for (let i = 0; i < out.length; i++) out[i] += t.data[i];
    }
    this.count = inputs.length;
    return [new Tensor(out, inputs[0].shape)];
  }

  /** ∂L/∂input_k = ∂L/∂output for every k. */
  graphBackward(dys: (Tensor | null)[], needed: readonly boolean[]): (Tensor | null)[] {
    if (this.count === undefined) throw new Error(`layer "${this.name}" (Add): backward called without a forward`);
    const n = this.count;
    this.count = undefined;
    return Array.from({ length: n }, (_, k) => (needed[k] ? dys[0] : null));
  }
}

/** `rnn.add()` — elementwise sum of a list of same-shaped tensors (Keras Add), e.g. a residual connection. */
export function add(options: AddOptions = {}): Add {
  return new Add(options);
}
