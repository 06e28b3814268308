/**
 * PyTorch-family `rnn.nn.Linear(in, out)` and `rnn.nn.Embedding(n, d)`: PyTorch layouts, names and
 * initializations; both also implement the Layer contract (layer.ts), so containers and optimizers
 * can use them like any other layer.
 *
 * Dimension letters: N rows (all leading axes flattened), I inFeatures, O outFeatures,
 * V numEmbeddings, E embeddingDim.
 *   Linear     weight [O, I], bias [O];  y[N, O] = x[N, I] · weightᵀ + bias
 *              init U(−1/√I, 1/√I) for both (kaiming_uniform(a=√5) reduces to that bound)
 *   Embedding  weight [V, E];  y[..., E] = weight[index]; init N(0, 1)
 */
import { makeParam, uniqueLayerName, type BuildContext, type ForwardContext, type Layer, type LayerConfigData, type Param } from "../layer";
import { checkKeys, positiveInt } from "../options";
import { computeLoss, checkLossName, type LossName } from "../loss";
import { addColumnSums, gemmNN, gemmTN } from "../ops";
import { paramCount } from "../params";
import { makeSummary, type Summary } from "../summary";
import { globalRng, normalInit, Rng, torchUniform } from "../random";
import { allocFloats, asTensor, Tensor, type DType, type TensorLike } from "../tensor";
import { TorchParams } from "./torchParams";
import { embedding, linear } from "./functional";
import { paramTensor } from "./parameter";

export interface TorchModuleOptions {
  dtype?: DType;
  seed?: number;
  name?: string;
}

/** A small nn module: TorchParams plus a Layer-style forward/backward, summary and computeGradients. */
abstract class TorchModule extends TorchParams {
  abstract readonly className: string;
  abstract countParams(): number;
  abstract readonly config: LayerConfigData;
  /** Output shape with null for the unknown leading (batch/time) dimensions. */
  protected abstract summaryShape(): (number | null)[];
  abstract forward(x: TensorLike, ctx?: ForwardContext): Tensor;
  abstract backward(dy: Tensor): Tensor;

  /** One-row summary table (PyTorch convention). */
  summary(): Summary {
    const c = paramCount(this.config, (this.config.inFeatures as number | undefined) ?? 0, "torch");
    return makeSummary(this.name, "torch", [{ name: this.name, type: this.className, outputShape: this.summaryShape(),
      params: c.total, breakdown: c.tensors, formula: c.formula }]);
  }

  /** Loss of forward(x) against target and fresh gradients keyed like stateDict(). */
  computeGradients(x: TensorLike, target: TensorLike, options: { loss?: LossName } = {}): { loss: number; grads: Record<string, Tensor> } {
    checkKeys(options, ["loss"], `${this.name}.computeGradients`);
    const name = checkLossName(options.loss ?? "mse");
    const y = this.forward(x);
    const { value, grad } = computeLoss(name, y.data, y.shape, asTensor(target).data);
    this.zeroGrad();
    this.backward(new Tensor(grad, y.shape));
    const grads: Record<string, Tensor> = {};
    for (const p of this.params()) grads[p.name] = new Tensor(p.grad.slice(), p.shape);
    return { loss: value, grads };
  }
}

/** `rnn.nn.Linear(inFeatures, outFeatures, { bias })`. */
export class TorchLinear extends TorchModule implements Layer {
  name: string;
  readonly type = "nn.Linear";
  readonly className = "Linear";
  readonly config: LayerConfigData;
  readonly built = true;
  trainable = true;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly dtype: DType;
  private readonly weight: Param;
  private readonly biasParam: Param | null;
  private lastX: Tensor | null = null;

  constructor(inFeatures: number, outFeatures: number, options: TorchModuleOptions & { bias?: boolean } = {}) {
    super();
    checkKeys(options, ["bias", "dtype", "seed", "name"], "rnn.nn.Linear");
    this.inFeatures = positiveInt(inFeatures, "inFeatures", "rnn.nn.Linear");
    this.outFeatures = positiveInt(outFeatures, "outFeatures", "rnn.nn.Linear");
    this.dtype = options.dtype ?? "float32";
    this.name = options.name ?? uniqueLayerName("nn_linear");
    const rng = options.seed !== undefined ? new Rng(options.seed) : globalRng();
    const init = torchUniform(inFeatures);
    this.weight = makeParam("weight", [outFeatures, inFeatures], this.dtype);
    init(this.weight.value, this.weight.shape, rng);
    this.biasParam = options.bias === false ? null : makeParam("bias", [outFeatures], this.dtype);
    if (this.biasParam) init(this.biasParam.value, this.biasParam.shape, rng);
    this.config = { type: "nn.Linear", inFeatures, outFeatures, bias: this.biasParam !== null };
  }

  toString(): string {
    return `Linear(in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.biasParam ? "True" : "False"})`;
  }

  protected summaryShape(): (number | null)[] {
    return [null, this.outFeatures];
  }

  build(inputShape: readonly number[], _ctx: BuildContext): void {
    this.outputShape(inputShape);
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape[inputShape.length - 1] !== this.inFeatures) {
      throw new Error(`${this.name} (${this}): expected inputs with last dimension ${this.inFeatures} but got [${inputShape.join(", ")}]`);
    }
    return [...inputShape.slice(0, -1), this.outFeatures];
  }

  params(): Param[] {
    return this.biasParam ? [this.weight, this.biasParam] : [this.weight];
  }

  countParams(): number {
    return paramCount(this.config, this.inFeatures, "torch").total;
  }

  /**
   * y[..., O] = x[..., I] · weightᵀ + bias. With a tensor input this is one autograd op whose result
   * requires grad (the parameters do), so `loss.backward()` fills `parameters()[i].grad`; the
   * manual `backward(dy)` below still works after it.
   */
  forward(xIn: TensorLike, _ctx?: ForwardContext): Tensor {
    // A tensor of the other dtype is converted by a recorded copy, so its gradient still reaches it.
    const x = xIn instanceof Tensor && xIn.dtype !== this.dtype ? xIn.clone(this.dtype) : asTensor(xIn, this.dtype);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(`${this.name} (${this}): expected input of shape [..., ${this.inFeatures}] but got [${x.shape.join(", ")}]`);
    }
    const y = linear(x, paramTensor(this.weight), this.biasParam && paramTensor(this.biasParam));
    this.lastX = x;
    return y;
  }

  backward(dyIn: Tensor): Tensor {
    const x = this.lastX;
    if (!x) throw new Error(`${this.name}: backward called without a preceding forward`);
    this.lastX = null;
    const dy = asTensor(dyIn, this.dtype);
    const N = x.size / this.inFeatures, I = this.inFeatures, O = this.outFeatures;
    if (dy.size !== N * O) throw new Error(`${this.name}: gradient of shape [${dy.shape.join(", ")}] does not match the output [${[...x.shape.slice(0, -1), O].join(", ")}]`);
    // dweight[O, I] += dy[N, O]ᵀ · x[N, I]
    gemmTN(O, I, N, dy.data, 0, O, x.data, 0, I, this.weight.grad, 0, I, true);
    if (this.biasParam) addColumnSums(dy.data, 0, N, O, O, this.biasParam.grad, 0);
    const dx = allocFloats(N * I, this.dtype);
    // dx[N, I] = dy[N, O] · weight[O, I]
    gemmNN(N, I, O, dy.data, 0, O, this.weight.value, 0, I, dx, 0, I, false);
    return new Tensor(dx, x.shape);
  }
}

/** `rnn.nn.Embedding(numEmbeddings, embeddingDim)`: integer indices → rows of weight. */
export class TorchEmbedding extends TorchModule implements Layer {
  name: string;
  readonly type = "nn.Embedding";
  readonly className = "Embedding";
  readonly config: LayerConfigData;
  readonly built = true;
  trainable = true;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly dtype: DType;
  private readonly weight: Param;
  private lastIdx: Tensor | null = null;

  constructor(numEmbeddings: number, embeddingDim: number, options: TorchModuleOptions = {}) {
    super();
    checkKeys(options, ["dtype", "seed", "name"], "rnn.nn.Embedding");
    this.numEmbeddings = positiveInt(numEmbeddings, "numEmbeddings", "rnn.nn.Embedding");
    this.embeddingDim = positiveInt(embeddingDim, "embeddingDim", "rnn.nn.Embedding");
    this.dtype = options.dtype ?? "float32";
    this.name = options.name ?? uniqueLayerName("nn_embedding");
    this.weight = makeParam("weight", [numEmbeddings, embeddingDim], this.dtype);
    normalInit(0, 1)(this.weight.value, this.weight.shape, options.seed !== undefined ? new Rng(options.seed) : globalRng());
    this.config = { type: "nn.Embedding", numEmbeddings, embeddingDim };
  }

  toString(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
  }

  protected summaryShape(): (number | null)[] {
    return [null, null, this.embeddingDim];
  }

  build(_inputShape: readonly number[], _ctx: BuildContext): void {}

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape, this.embeddingDim];
  }

  params(): Param[] {
    return [this.weight];
  }

  countParams(): number {
    return paramCount(this.config, 0, "torch").total;
  }

  /** Rows of weight picked by the indices → idx.shape + [E]; one autograd op (the weight gets the gradient). */
  forward(idxIn: TensorLike, _ctx?: ForwardContext): Tensor {
    const idx = asTensor(idxIn);
    const y = embedding(idx, paramTensor(this.weight), `${this.name} (${this})`);
    this.lastIdx = idx;
    return y;
  }

  /** Scatter-adds dy rows into the weight gradient; indices have no gradient (returns zeros). */
  backward(dyIn: Tensor): Tensor {
    const idx = this.lastIdx;
    if (!idx) throw new Error(`${this.name}: backward called without a preceding forward`);
    this.lastIdx = null;
    const dy = asTensor(dyIn, this.dtype);
    const E = this.embeddingDim;
    const g = this.weight.grad;
    for (let n = 0; n < idx.size; n++) {
      const v = idx.data[n];
      for (let e = 0; e < E; e++) g[v * E + e] += dy.data[n * E + e];
    }
    return new Tensor(allocFloats(idx.size, idx.dtype), idx.shape);
  }
}

/** `rnn.nn.Linear(in, out, { bias? })`. */
export function Linear(inFeatures: number, outFeatures: number, options?: TorchModuleOptions & { bias?: boolean }): TorchLinear {
  return new TorchLinear(inFeatures, outFeatures, options);
}

/** `rnn.nn.Embedding(n, d)`. */
export function Embedding(numEmbeddings: number, embeddingDim: number, options?: TorchModuleOptions): TorchEmbedding {
  return new TorchEmbedding(numEmbeddings, embeddingDim, options);
}
