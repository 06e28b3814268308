/**
 * Dense (fully connected) layer, Keras semantics: y = f(x·W + b) on the last axis, so it also applies
 * per timestep to [B, T, I] input (as Keras's Dense does). Weights: kernel [I, U], bias [U].
 *
 * Weight tying (Press & Wolf 2017; Inan et al. 2017): `tieWeights: embeddingLayer` makes the output
 * projection reuse the embedding matrix E [V, E]: y = x·Eᵀ + b, so U = V and I must equal E. The
 * matrix belongs to the embedding (counted once, in the embedding's row); this layer owns only its bias,
 * and its backward accumulates ∂L/∂E into the embedding's gradient.
 *
 * Dimension letters: R rows (all leading axes flattened: B or B·T), I input features, U units.
 */
import { LAYER_FACTS } from "../layerFacts";
import type { BuildContext, ForwardContext, LayerConfigData, Param } from "../layer";
import { makeParam } from "../layer";
import { checkKeys, positiveInt } from "../options";
import { ACTIVATION_NAMES, activationFn, activationGradFromOutput, addColumnSums, addRowVector, gemmNN, gemmNT, gemmTN, type ActivationName } from "../ops";
import { getInitializer, type Initializer, type InitializerName } from "../random";
import { Tensor, allocFloats, type FloatArray } from "../tensor";
import { KerasLayer, shapeError, tableOutputShape } from "./common";
import type { Embedding } from "./embedding";

/** Activations a dense layer accepts: the element-wise ones plus row-wise softmax. */
export type DenseActivation = ActivationName | "softmax";

/**
 * Options of `rnn.dense({ units, … })`, a fully connected layer y = activation(x·kernel + bias) on the last axis:
 * [B, F] → [B, units], or [B, T, F] → [B, T, units] per timestep. `rnn.dense({ units: 1 })` for regression.
 */
export interface DenseOptions {
  /** Output size U (for a tied layer: the vocabulary size V). Required. */
  units: number;
  /** Default "linear". "softmax" normalizes each row (use crossEntropy's own softmax instead when training). */
  activation?: DenseActivation;
  /** Default true. */
  useBias?: boolean;
  /** Default "glorotUniform". */
  kernelInitializer?: InitializerName | Initializer;
  /** Default "zeros". */
  biasInitializer?: InitializerName | Initializer;
  /** Reuse this embedding's matrix as the (transposed) kernel. */
  tieWeights?: Embedding;
  /** Layer name and weight-key prefix (`dense/kernel`). Default "dense", "dense_1", … as Keras. */
  name?: string;
  /** Seed for this layer's initialization (default: the model's stream). */
  seed?: number;
}

const VALID = ["units", "activation", "useBias", "kernelInitializer", "biasInitializer", "tieWeights", "name", "seed"];

export class Dense extends KerasLayer {
  readonly type = LAYER_FACTS.dense.type;
  readonly className = LAYER_FACTS.dense.className;
  readonly units: number;
  readonly activation: DenseActivation;
  /** Same as `activation` (the Layer contract's name for it, read by models). */
  get outputActivation(): DenseActivation {
    return this.activation;
  }
  readonly useBias: boolean;
  readonly tiedTo: Embedding | undefined;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private inSize = 0;
  private kernel: Param | undefined; // own kernel [I, U], or the embedding's matrix [U, I] when tied
  private bias: Param | undefined;
  // forward caches
  private x: Tensor | undefined;
  private y: Tensor | undefined;

  constructor(options: DenseOptions) {
    checkKeys(options, VALID, "rnn.dense");
    super(LAYER_FACTS.dense.baseName, options?.name, options?.seed);
    const { units, activation = "linear", useBias = true, tieWeights } = options;
    positiveInt(units, "units", "rnn.dense");
    if (activation !== "softmax" && !(ACTIVATION_NAMES as readonly string[]).includes(activation)) {
      throw new Error(`rnn.dense: activation ${JSON.stringify(activation)} is not supported; valid: ${ACTIVATION_NAMES.join(", ")}, softmax`);
    }
    if (tieWeights !== undefined && (typeof tieWeights !== "object" || (tieWeights as { type?: string }).type !== "embedding")) {
      throw new Error("rnn.dense: tieWeights must be an rnn.embedding layer");
    }
    this.units = units;
    this.activation = activation;
    this.useBias = useBias;
    this.tiedTo = tieWeights;
    this.kernelInit = getInitializer(options.kernelInitializer ?? "glorotUniform", "rnn.dense kernelInitializer");
    this.biasInit = getInitializer(options.biasInitializer ?? "zeros", "rnn.dense biasInitializer");
  }

  get config(): LayerConfigData {
    return { type: "dense", units: this.units, activation: this.activation, useBias: this.useBias, name: this.name,
      ...(this.tiedTo ? { tieWeights: this.tiedTo.name } : {}) };
  }

  outputShape(inputShape: readonly number[]): number[] {
    const i = inputShape[inputShape.length - 1];
    if (inputShape.length === 0 || (this.built && i !== this.inSize)) throw shapeError(this, `(…, ${this.inSize || "features"})`, inputShape);
    if (this.tiedTo && i !== this.tiedTo.outputDim) {
      throw shapeError(this, `(…, ${this.tiedTo.outputDim}) — the tied embedding's outputDim`, inputShape);
    }
    return tableOutputShape(this, inputShape);
  }

  build(inputShape: readonly number[], ctx: BuildContext): void {
    this.outputShape(inputShape);
    this.inSize = inputShape[inputShape.length - 1];
    const rng = this.initRng(ctx);
    const params: Param[] = [];
    if (this.tiedTo) {
      if (!this.tiedTo.built) throw new Error(`layer "${this.name}" (Dense) ties its weights to "${this.tiedTo.name}", which must come earlier in the model`);
      if (this.tiedTo.inputDim !== this.units) {
        throw new Error(`layer "${this.name}" (Dense): units ${this.units} must equal the tied embedding's inputDim ${this.tiedTo.inputDim}`);
      }
      this.kernel = this.tiedTo.params()[0];
    } else {
      this.kernel = makeParam("kernel", [this.inSize, this.units], ctx.dtype);
      this.kernelInit(this.kernel.value, this.kernel.shape, rng);
      params.push(this.kernel);
    }
    if (this.useBias) {
      this.bias = makeParam("bias", [this.units], ctx.dtype);
      this.biasInit(this.bias.value, this.bias.shape, rng);
      params.push(this.bias);
    }
    this.setParams(params, inputShape);
  }

  /** x [R…, I] → y [R…, U]. */
  protected call(x: Tensor, _ctx: ForwardContext): Tensor {
    this.requireBuilt();
    if (x.shape[x.rank - 1] !== this.inSize || x.rank < 2) throw shapeError(this, `(…, ${this.inSize})`, x.shape, true);
    const rows = x.size / this.inSize;
    const y = allocFloats(rows * this.units, x.dtype);
    const k = this.kernel!.value;
    if (this.tiedTo) gemmNT(rows, this.units, this.inSize, x.data, 0, this.inSize, k, 0, this.inSize, y, 0, this.units, false); // x·Eᵀ, E is [U, I]
    else gemmNN(rows, this.units, this.inSize, x.data, 0, this.inSize, k, 0, this.units, y, 0, this.units, false); // x·W, W is [I, U]
    if (this.bias) addRowVector(y, 0, rows, this.units, this.bias.value);
    applyActivation(this.activation, y, this.units);
    this.x = x;
    this.y = new Tensor(y, [...x.shape.slice(0, -1), this.units]);
    return this.y;
  }

  /** dy [R…, U] → dx [R…, I]; accumulates ∂L/∂kernel (or ∂L/∂E when tied) and ∂L/∂bias. */
  backward(dy: Tensor): Tensor {
    const x = this.x;
    const y = this.y;
    if (!x || !y) throw new Error(`layer "${this.name}" (Dense): backward called without a forward`);
    this.x = this.y = undefined;
    const rows = x.size / this.inSize;
    const dz = activationBackward(this.activation, y.data, dy.data, this.units); // ∂L/∂(x·W + b), [R, U]
    const k = this.kernel!;
    const dx = allocFloats(x.size, x.dtype);
    if (this.tiedTo) {
      gemmTN(this.units, this.inSize, rows, dz, 0, this.units, x.data, 0, this.inSize, k.grad, 0, this.inSize, true); // dE += dzᵀ·x
      gemmNN(rows, this.inSize, this.units, dz, 0, this.units, k.value, 0, this.inSize, dx, 0, this.inSize, false); // dx = dz·E
    } else {
      gemmTN(this.inSize, this.units, rows, x.data, 0, this.inSize, dz, 0, this.units, k.grad, 0, this.units, true); // dW += xᵀ·dz
      gemmNT(rows, this.inSize, this.units, dz, 0, this.units, k.value, 0, this.units, dx, 0, this.inSize, false); // dx = dz·Wᵀ
    }
    if (this.bias) addColumnSums(dz, 0, rows, this.units, this.units, this.bias.grad);
    return new Tensor(dx, x.shape);
  }
}

/** In place: y ← f(y) row-wise (softmax) or element-wise. y is [R, U]. */
function applyActivation(name: DenseActivation, y: FloatArray, units: number): void {
  if (name === "linear") return;
  if (name === "softmax") {
    for (let o = 0; o < y.length; o += units) {
      let max = -Infinity;
      for (let j = 0; j < units; j++) max = Math.max(max, y[o + j]);
      let sum = 0;
      for (let j = 0; j < units; j++) sum += y[o + j] = Math.exp(y[o + j] - max);
      for (let j = 0; j < units; j++) y[o + j] /= sum;
    }
    return;
  }
  const f = activationFn(name);
  for (let i = 0; i < y.length; i++) y[i] = f(y[i]);
}

/** ∂L/∂z from ∂L/∂y and the cached output y: softmax Jacobian row-wise, else f′(y)·dy. */
function activationBackward(name: DenseActivation, y: FloatArray, dy: FloatArray, units: number): FloatArray {
  if (name === "linear") return dy;
  const dz = allocFloats(y.length, y instanceof Float64Array ? "float64" : "float32");
  if (name === "softmax") {
    for (let o = 0; o < y.length; o += units) {
      let dot = 0; // Σ_j dy_j·y_j
      for (let j = 0; j < units; j++) dot += dy[o + j] * y[o + j];
      for (let j = 0; j < units; j++) dz[o + j] = y[o + j] * (dy[o + j] - dot);
    }
    return dz;
  }
  const g = activationGradFromOutput(name);
  for (let i = 0; i < y.length; i++) dz[i] = dy[i] * g(y[i]);
  return dz;
}

/** `rnn.dense({ units, activation?, useBias?, tieWeights?, name?, seed? })` — see {@link DenseOptions}. */
export function dense(options: DenseOptions): Dense {
  return new Dense(options);
}
