/**
 * The Keras-family recurrent layer (`rnn.simpleRNN`, `rnn.lstm`, `rnn.gru` build one of these with
 * their cell): option checking, Keras weight names and initializers, batch-major [B, T, F] in and out,
 * returnSequences / returnState / goBackwards, and recordings. The time loop is recurrent.ts; naming,
 * trainable, weights and summaries are KerasLayer's (common.ts), as for every Keras layer.
 *
 * Dimension letters: B batch, T timesteps, I input features, H units, G = gates·H.
 * Weights (Keras layout, used by the core without any repacking):
 *   kernel [I, G], recurrent_kernel [H, G], bias [G] — or [2, G] for GRU with resetAfter (row 0 input
 *   bias, row 1 recurrent bias).
 */
import { isSymbolic, KerasLayer, shapeError, shapeText, tableOutputShape } from "./common";
import { applySymbolic, type CallOptions, type GraphCall, type KerasTensor } from "../graph/symbolic";
import { maskedBackward, maskedForward, type MaskedCall } from "./maskedRecurrence";
import { makeParam, type BuildContext, type ForwardContext, type LayerConfigData, type LayerRecording } from "../layer";
import { checkActivation, copySequence, type ActivationName } from "../ops";
import { bool, checkKeys, finiteNumber, fraction, positiveInt } from "../options";
import { getInitializer, Rng, type Initializer, type InitializerName } from "../random";
import { RecurrentCore, type Cell, type CellKind, type CoreWeights } from "../recurrent";
import type { StackUnit } from "../recurrentStack";
import { allocFloats, asTensor, Tensor, type DType, type FloatArray, type TensorLike } from "../tensor";

/** Options shared by rnn.simpleRNN, rnn.lstm and rnn.gru (TF.js layers names, Keras in camelCase). */
export interface KerasRecurrentOptions {
  /** Hidden size H (required): the layer outputs [B, H], or [B, T, H] with returnSequences. `rnn.lstm({ units: 32 })` */
  units: number;
  /** Activation of the new state: SimpleRNN's h_t, the LSTM/GRU candidate and LSTM's tanh(c_t). Default "tanh". */
  activation?: ActivationName;
  /** LSTM/GRU gates. Porting note: TF.js defaults to hardSigmoid; Keras and we default to sigmoid. */
  recurrentActivation?: ActivationName;
  /** Add the bias vector. Default true. */
  useBias?: boolean;
  /** Initializer of `kernel [I, G·H]` (input weights). Default "glorotUniform" (Keras). */
  kernelInitializer?: InitializerName | Initializer;
  /** Initializer of `recurrent_kernel [H, G·H]`. Default "orthogonal" (Keras). */
  recurrentInitializer?: InitializerName | Initializer;
  /** Initializer of `bias`. Default "zeros" (an LSTM's forget-gate part is then set to 1 by unitForgetBias). */
  biasInitializer?: InitializerName | Initializer;
  /**
   * LSTM: forget-gate bias initialized to 1 (Keras default true). Porting note: TF.js leaves it off
   * unless set (`unitForgetBias` undefined → false), so a TF.js LSTM starts with f ≈ σ(0) = 0.5.
   */
  unitForgetBias?: boolean;
  /** GRU: reset gate applied after the recurrent product (Keras default true; PyTorch's form). */
  resetAfter?: boolean;
  /** Fraction in [0, 1) of input features dropped during training (one mask per sequence, reused at every step). Default 0. */
  dropout?: number;
  /** Fraction in [0, 1) of the recurrent state h_{t−1} dropped during training (one mask per sequence). Default 0. */
  recurrentDropout?: number;
  /** Output every timestep, [B, T, H], instead of only the last, [B, H] — needed to stack recurrent layers. Default false. */
  returnSequences?: boolean;
  /** `layer.apply(x)` also returns the final states: [output, h] (LSTM: [output, h, c]). Inside a model only the output flows on. Default false. */
  returnState?: boolean;
  /** Process the sequence in reverse; with returnSequences the output is in processing (reversed) order, as in Keras. */
  goBackwards?: boolean;
  /**
   * Carry the final states of each batch over as the initial states of the next (row i continues row i),
   * as Keras's stateful RNNs: the batch size must stay fixed; `model.resetStates()` starts again from
   * zeros. No gradient flows across batches. Default false.
   */
  stateful?: boolean;
  /** Layer name, also the prefix of its weight keys (`lstm/kernel`). Default "simple_rnn" / "lstm" / "gru", then "lstm_1", … as Keras. */
  name?: string;
  /** Seed for this layer's initial weights (otherwise the model's seeded Rng). */
  seed?: number;
  /** False freezes the layer: optimizers skip its weights, the summary counts them as non-trainable. Default true. */
  trainable?: boolean;
  /**
   * Keras-style per-sample input shape [timesteps, features] on a first layer (timesteps may be null).
   * The container's inputShape builds the layer; when both are given they must agree.
   */
  inputShape?: (number | null)[];
}

const COMMON_OPTIONS = ["units", "activation", "useBias", "kernelInitializer", "recurrentInitializer", "biasInitializer",
  "dropout", "recurrentDropout", "returnSequences", "returnState", "goBackwards", "stateful", "name", "seed", "trainable", "inputShape"];

/** Static description of one Keras recurrent layer type. */
export interface KerasRecurrentSpec {
  type: CellKind;
  className: string;
  baseName: string;
  factory: string;
  extraOptions: readonly string[];
  makeCell(opts: { resetAfter: boolean }): Cell;
}

/** The options of one layer after checking, with their defaults filled in. */
interface ResolvedOptions {
  units: number;
  activation: ActivationName;
  recurrentActivation: ActivationName;
  useBias: boolean;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
  resetAfter: boolean;
  unitForgetBias: boolean;
  dropout: number;
  recurrentDropout: number;
  trainable: boolean;
  inits: { kernel: Initializer; recurrent: Initializer; bias: Initializer };
  inputShape: (number | null)[] | undefined;
}

/** Checks every option before the layer takes a name, so a rejected call leaves Keras's name counters alone. */
function resolveOptions(spec: KerasRecurrentSpec, options: KerasRecurrentOptions): ResolvedOptions {
  const fname = spec.factory;
  if (!options || typeof options !== "object") throw new Error(`${fname}: expected an options object such as { units: 16 }`);
  checkKeys(options, COMMON_OPTIONS.concat(spec.extraOptions), fname);
  const units = positiveInt(options.units, "units", fname);
  const r: ResolvedOptions = {
    units,
    activation: checkActivation(options.activation ?? "tanh", "activation", fname),
    recurrentActivation: checkActivation(options.recurrentActivation ?? "sigmoid", "recurrentActivation", fname),
    useBias: bool(options.useBias, true, "useBias", fname),
    returnSequences: bool(options.returnSequences, false, "returnSequences", fname),
    returnState: bool(options.returnState, false, "returnState", fname),
    goBackwards: bool(options.goBackwards, false, "goBackwards", fname),
    stateful: bool(options.stateful, false, "stateful", fname),
    resetAfter: spec.type === "gru" ? bool(options.resetAfter, true, "resetAfter", fname) : false,
    unitForgetBias: spec.type === "lstm" ? bool(options.unitForgetBias, true, "unitForgetBias", fname) : false,
    dropout: fraction(options.dropout, "dropout", fname, 0),
    recurrentDropout: fraction(options.recurrentDropout, "recurrentDropout", fname, 0),
    trainable: bool(options.trainable, true, "trainable", fname),
    inits: {
      kernel: getInitializer(options.kernelInitializer ?? "glorotUniform", `${fname} kernelInitializer`),
      recurrent: getInitializer(options.recurrentInitializer ?? "orthogonal", `${fname} recurrentInitializer`),
      bias: getInitializer(options.biasInitializer ?? "zeros", `${fname} biasInitializer`),
    },
    inputShape: undefined,
  };
  if (options.seed !== undefined) finiteNumber(options.seed, "seed", fname);
  if (options.inputShape !== undefined && (!Array.isArray(options.inputShape) || options.inputShape.length !== 2 ||
      !options.inputShape.every((d) => d === null || (Number.isInteger(d) && d > 0)))) {
    throw new Error(`${fname}: inputShape must be [timesteps, features] per sample (timesteps may be null), got ${JSON.stringify(options.inputShape)}`);
  }
  r.inputShape = options.inputShape?.slice();
  return r;
}

/** A Keras-family SimpleRNN / LSTM / GRU layer. */
export class KerasRecurrentLayer extends KerasLayer {
  readonly type: CellKind;
  readonly className: string;
  readonly config: LayerConfigData;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  /** States carried from batch to batch (Keras stateful). */
  readonly stateful: boolean;
  readonly resetAfter: boolean;
  readonly useBias: boolean;
  private readonly spec: KerasRecurrentSpec;
  private readonly activation: ActivationName;
  private readonly recurrentActivation: ActivationName;
  private readonly dropout: number;
  private readonly recurrentDropout: number;
  private readonly unitForgetBias: boolean;
  private readonly inits: { kernel: Initializer; recurrent: Initializer; bias: Initializer };
  /** The options as given (name excepted), so rnn.bidirectional can build the reversed twin from them. */
  private readonly givenOptions: Readonly<KerasRecurrentOptions>;
  private readonly declaredInputShape: (number | null)[] | undefined;
  private core: RecurrentCore | null = null;
  private coreW!: CoreWeights;
  private coreG!: CoreWeights;
  private inputSize = 0;
  private dtype_: DType = "float32";
  private dys: FloatArray = new Float32Array(0);
  private lastShape: [number, number] | null = null; // [B, T] of the pending forward
  private recordGates = false;
  private recordNorms = false;
  private recorded: LayerRecording | null = null;

  constructor(spec: KerasRecurrentSpec, options: KerasRecurrentOptions) {
    const o = resolveOptions(spec, options);
    super(spec.baseName, options.name, options.seed, spec.factory);
    this.spec = spec;
    this.givenOptions = { ...options };
    this.type = spec.type;
    this.className = spec.className;
    this.units = o.units;
    this.activation = o.activation;
    this.recurrentActivation = o.recurrentActivation;
    this.useBias = o.useBias;
    this.returnSequences = o.returnSequences;
    this.returnState = o.returnState;
    this.goBackwards = o.goBackwards;
    this.stateful = o.stateful;
    this.resetAfter = o.resetAfter;
    this.unitForgetBias = o.unitForgetBias;
    this.dropout = o.dropout;
    this.recurrentDropout = o.recurrentDropout;
    this.trainable = o.trainable;
    this.inits = o.inits;
    this.declaredInputShape = o.inputShape;
    const config: LayerConfigData = {
      type: spec.type === "simpleRNN" ? "simpleRNN" : spec.type, units: this.units, activation: this.activation,
      useBias: this.useBias, returnSequences: this.returnSequences, returnState: this.returnState,
      goBackwards: this.goBackwards, dropout: this.dropout, recurrentDropout: this.recurrentDropout, name: this.name,
    };
    if (this.stateful) config.stateful = true;
    if (spec.type !== "simpleRNN") config.recurrentActivation = this.recurrentActivation;
    if (spec.type === "lstm") config.unitForgetBias = this.unitForgetBias;
    if (spec.type === "gru") config.resetAfter = this.resetAfter;
    this.config = config;
  }

  get dtype(): DType {
    return this.dtype_;
  }

  /** Gate blocks per unit (1, 3 or 4). */
  get gates(): number {
    return this.spec.type === "lstm" ? 4 : this.spec.type === "gru" ? 3 : 1;
  }

  private inputDesc(): string {
    return `[batch, timesteps, ${this.inputSize}]`;
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 2) {
      throw new Error(`${this.name} (${this.className}): expects inputs of shape [timesteps, features] per sample, got [${inputShape.join(", ")}]`);
    }
    if (this.core && inputShape[1] !== this.inputSize) {
      throw new Error(`${this.name} (${this.className}): was built for [timesteps, ${this.inputSize}] but got [${inputShape.join(", ")}]`);
    }
    return tableOutputShape(this, inputShape);
  }

  build(inputShape: readonly number[], ctx: BuildContext): void {
    this.outputShape(inputShape);
    const declared = this.declaredInputShape;
    if (declared && (declared[1] !== inputShape[1] || (declared[0] !== null && inputShape[0] > 0 && declared[0] !== inputShape[0]))) {
      throw new Error(`${this.name} (${this.className}): its inputShape option [${declared.join(", ")}] disagrees with the model's input [${inputShape.join(", ")}]`);
    }
    const I = inputShape[1];
    const H = this.units;
    const G = this.gates * H;
    const dtype = ctx.dtype;
    const rng = this.initRng(ctx);
    this.inputSize = I;
    this.dtype_ = dtype;
    const kernel = makeParam("kernel", [I, G], dtype);
    const recurrent = makeParam("recurrent_kernel", [H, G], dtype);
    this.inits.kernel(kernel.value, kernel.shape, rng);
    this.inits.recurrent(recurrent.value, recurrent.shape, rng);
    const params = [kernel, recurrent];
    let bias: FloatArray | null = null, rbias: FloatArray | null = null, gBias: FloatArray | null = null, gRbias: FloatArray | null = null;
    if (this.useBias) {
      const shape = this.resetAfter ? [2, G] : [G];
      const b = makeParam("bias", shape, dtype);
      this.inits.bias(b.value, shape, rng);
      // unit_forget_bias: forget block [H, 2H) starts at 1 (Jozefowicz et al. 2015), as in Keras.
      if (this.unitForgetBias) b.value.fill(1, H, 2 * H);
      params.push(b);
      bias = b.value.subarray(0, G);
      gBias = b.grad.subarray(0, G);
      if (this.resetAfter) {
        rbias = b.value.subarray(G, 2 * G);
        gRbias = b.grad.subarray(G, 2 * G);
      }
    }
    this.coreW = { kernel: kernel.value, recurrentKernel: recurrent.value, bias, recurrentBias: rbias };
    this.coreG = { kernel: kernel.grad, recurrentKernel: recurrent.grad, bias: gBias, recurrentBias: gRbias };
    this.core = new RecurrentCore(this.spec.makeCell({ resetAfter: this.resetAfter }), {
      inputSize: I, units: H, activation: this.activation, recurrentActivation: this.recurrentActivation,
      resetAfter: this.resetAfter, dropout: this.dropout, recurrentDropout: this.recurrentDropout,
    }, dtype);
    this.setParams(params, inputShape);
  }

  /** A layer's own summary shows the time axis free, whatever length it was first called with. */
  protected override summaryShape(): (number | null)[] {
    return this.returnSequences ? [null, null, this.units] : [null, this.units];
  }

  private requireCore(): RecurrentCore {
    this.requireBuilt();
    return this.core as RecurrentCore;
  }

  /** @internal x [B, T, I] in the layer's dtype, checked against its input size (rnn.bidirectional reads its input through it). */
  checkedInput(xIn: Tensor): Tensor {
    const x = xIn.dtype === this.dtype_ ? xIn : xIn.clone(this.dtype_);
    if (x.rank !== 3 || x.shape[2] !== this.inputSize || x.shape[1] < 1) {
      throw new Error(`${this.name} (${this.className}): expected input of shape ${this.inputDesc()} but got [${x.shape.join(", ")}]`);
    }
    return x;
  }

  /** @internal The built layer's core with its weights and gradients, as one direction of rnn.bidirectional's stack. */
  stackUnit(): StackUnit {
    return { core: this.requireCore(), w: this.coreW, g: this.coreG };
  }

  /**
   * Forward with optional initial states ([h] or [h, c] for LSTM, each [B, H]); returns the output
   * and the final states. Builds the layer on first use if needed.
   */
  forwardSeq(xIn: Tensor, ctx: ForwardContext, initialState?: readonly TensorLike[]): { output: Tensor; states: Tensor[] } {
    if (!this.core) this.build([xIn.shape[1], xIn.shape[2]], { dtype: xIn.dtype, rng: ctx.rng });
    const core = this.core as RecurrentCore;
    const x = this.checkedInput(xIn);
    const [B, T, I] = x.shape;
    const H = this.units;
    core.prepare(T, B);
    // x [B, T, I] → xs [T, B, I] in processing order.
    copySequence(T, B, I, { data: x.data, batchMajor: true }, { data: core.xs, batchMajor: false }, this.goBackwards);
    const states = this.stateArrays(initialState, B);
    this.recordGates = !!ctx.record?.gates;
    this.recordNorms = !!ctx.record?.gradNorms;
    core.forward(this.coreW, states[0], states[1], ctx.training, ctx.rng, this.recordNorms, ctx.tbptt ?? 0);
    this.lastShape = [B, T];
    this.recorded = null;
    if (this.recordGates) {
      this.recorded = { layer: this.name, index: 0, type: this.type, direction: this.goBackwards ? "backward" : "forward",
        gates: core.recordGates(this.goBackwards) };
    }
    // Outputs: hs slot s+1 holds h after processing step s.
    const hs = core.hs;
    let output: Tensor;
    if (this.returnSequences) {
      // hs slots 1…T [T, B, H] → [B, T, H], in processing order as Keras (goBackwards stays reversed).
      const out = allocFloats(B * T * H, this.dtype_);
      copySequence(T, B, H, { data: hs, batchMajor: false, off: core.stateOffset(0) }, { data: out, batchMajor: true });
      output = new Tensor(out, [B, T, H]);
    } else {
      output = new Tensor(hs.slice(core.stateOffset(T - 1), core.stateOffset(T - 1) + B * H), [B, H]);
    }
    const finalStates = [new Tensor(hs.slice(core.stateOffset(T - 1), core.stateOffset(T - 1) + B * H), [B, H])];
    if (this.type === "lstm") {
      finalStates.push(new Tensor(core.cs.slice(core.stateOffset(T - 1), core.stateOffset(T - 1) + B * H), [B, H]));
    }
    return { output, states: finalStates };
  }

  private stateArrays(initialState: readonly TensorLike[] | undefined, B: number): [FloatArray | null, FloatArray | null] {
    if (!initialState) return [null, null];
    const need = this.type === "lstm" ? 2 : 1;
    if (initialState.length !== need) {
      throw new Error(`${this.name} (${this.className}): initialState needs ${need} tensor(s) of shape [${B}, ${this.units}], got ${initialState.length}`);
    }
    const arrs = initialState.map((s, k) => {
      const t = asTensor(s, this.dtype_);
      if (t.rank !== 2 || t.shape[0] !== B || t.shape[1] !== this.units) {
        throw new Error(`${this.name} (${this.className}): initial state ${k} must have shape [${B}, ${this.units}] but got [${t.shape.join(", ")}]`);
      }
      return t.data;
    });
    return [arrs[0], arrs[1] ?? null];
  }

  /**
   * Backward for `forwardSeq`: dy shaped like the output, optional ∂L/∂(final states). Accumulates
   * weight gradients; returns ∂L/∂x [B, T, I] (an empty [0] tensor when `inputGrad` is false: not
   * computed) and ∂L/∂(initial states).
   */
  backwardSeq(dyIn: Tensor | null, dStates?: readonly (Tensor | null)[], inputGrad = true): { dx: Tensor; dInitialStates: Tensor[] } {
    const core = this.requireCore();
    if (!this.lastShape) throw new Error(`${this.name}: backward called without a preceding forward`);
    const [B, T] = this.lastShape;
    this.lastShape = null;
    const H = this.units, I = this.inputSize;
    let dys: FloatArray | null = null;
    let dhT: FloatArray | null = null;
    const dy = dyIn && dyIn.dtype !== this.dtype_ ? dyIn.clone(this.dtype_) : dyIn;
    if (dy) {
      const expected = this.returnSequences ? [B, T, H] : [B, H];
      if (dy.shape.join() !== expected.join()) {
        throw new Error(`${this.name} (${this.className}): gradient of shape [${dy.shape.join(", ")}] does not match the output [${expected.join(", ")}]`);
      }
      if (this.returnSequences) {
        if (this.dys.length !== T * B * H || this.dys.constructor !== dy.data.constructor) this.dys = allocFloats(T * B * H, this.dtype_);
        copySequence(T, B, H, { data: dy.data, batchMajor: true }, { data: this.dys, batchMajor: false });
        dys = this.dys;
      } else {
        dhT = dy.data;
      }
    }
    const dhState = dStates?.[0] ? asTensor(dStates[0], this.dtype_).data : null;
    if (dhState) {
      if (!dhT) dhT = dhState;
      else {
        const sum = allocFloats(B * H, this.dtype_);
        for (let q = 0; q < B * H; q++) sum[q] = dhT[q] + dhState[q];
        dhT = sum;
      }
    }
    const dcT = dStates?.[1] ? asTensor(dStates[1], this.dtype_).data : null;
    core.backward(this.coreG, dys, dhT, dcT, inputGrad);
    if (this.recordNorms) {
      const norms = core.recordNormsInTimeOrder(this.goBackwards);
      if (this.recorded) this.recorded.gradNorms = norms;
      else this.recorded = { layer: this.name, index: 0, type: this.type, direction: this.goBackwards ? "backward" : "forward", gradNorms: norms };
    }
    const dx = allocFloats(inputGrad ? B * T * I : 0, this.dtype_);
    if (inputGrad) copySequence(T, B, I, { data: core.dxs, batchMajor: false }, { data: dx, batchMajor: true }, this.goBackwards);
    const dInitialStates = [new Tensor(core.dhPrev.slice(), [B, H])];
    if (this.type === "lstm") dInitialStates.push(new Tensor(core.dcPrev.slice(), [B, H]));
    return { dx: new Tensor(dx, inputGrad ? [B, T, I] : [0]), dInitialStates };
  }

  /** Layer contract: the main output only (states are not passed along a sequential stack). */
  protected call(x: Tensor, ctx: ForwardContext): Tensor {
    const r = this.forwardSeq(x, ctx, this.carriedStates(x.shape[0]));
    this.keepStates(r.states);
    return r.output;
  }

  // Stateful layers: the final states of one batch are the next batch's initial states.

  private carried: Tensor[] | null = null;

  /** The states carried from the previous batch (a stateful layer without explicit initial states), else undefined. */
  private carriedStates(B: number): Tensor[] | undefined {
    if (!this.stateful || !this.carried) return undefined;
    if (this.carried[0].shape[0] !== B) {
      throw new Error(`${this.name} (${this.className}) is stateful and ran on batches of ${this.carried[0].shape[0]}, now ${B}: a stateful layer needs a fixed batch size (a sample count divisible by batchSize, the same batchSize for predict), or model.resetStates() between runs`);
    }
    return this.carried;
  }

  private keepStates(states: Tensor[]): void {
    if (this.stateful) this.carried = states.map((t) => new Tensor(t.data.slice(), t.shape));
  }

  /** Forgets the carried states of a stateful layer (the next batch starts from zeros), as Keras's reset_states(). */
  resetStates(): void {
    this.carried = null;
  }

  backward(dy: Tensor): Tensor {
    return this.backwardSeq(dy).dx;
  }

  /** @internal Layer contract: parameter gradients only (the input-gradient GEMM is skipped). */
  backwardParamsOnly(dy: Tensor): void {
    this.backwardSeq(dy, undefined, false);
  }

  /**
   * Keras-style call. On a KerasTensor it records a graph call for `rnn.model` (with `initialState`:
   * KerasTensors such as an encoder's returned states) and returns the output KerasTensor, or
   * [output, h] / [output, h, c] with returnState. On values it runs standalone, in inference mode
   * unless `training`, with `initialState` tensors of shape [B, units].
   */
  override apply(x: KerasTensor | KerasTensor[], options?: CallOptions): KerasTensor | KerasTensor[];
  override apply(x: TensorLike, options?: { initialState?: TensorLike[]; training?: boolean; seed?: number }): Tensor | Tensor[];
  override apply(x: KerasTensor | KerasTensor[] | TensorLike, options: CallOptions | { initialState?: TensorLike[]; training?: boolean; seed?: number } = {}): KerasTensor | KerasTensor[] | Tensor | Tensor[] {
    if (isSymbolic(x)) return applySymbolic(this, x, options as CallOptions);
    const o = options as { initialState?: TensorLike[]; training?: boolean; seed?: number };
    checkKeys(o, ["initialState", "training", "seed"], `${this.name}.apply`);
    const t = asTensor(x, this.core ? this.dtype_ : undefined);
    const { output, states } = this.forwardSeq(t, { training: !!o.training, rng: new Rng(o.seed ?? 0) }, o.initialState ?? this.carriedStates(t.shape[0]));
    if (!o.initialState) this.keepStates(states);
    this.lastShape = null; // standalone calls are not followed by backward
    return this.returnState ? [output, ...states] : output;
  }

  // Graph calls (rnn.model): inputs [x, ...initialState], outputs [output, ...states when returnState].

  /** States per call: [h], or [h, c] for LSTM. */
  private get stateCount(): number {
    return this.type === "lstm" ? 2 : 1;
  }

  /** @internal */
  graphShapes(inputs: readonly number[][], call: GraphCall): number[][] {
    if (call.main !== 1) throw new Error(`layer "${this.name}" (${this.className}) takes one input sequence, got ${call.main}`);
    if (call.states !== 0 && call.states !== this.stateCount) {
      throw new Error(`layer "${this.name}" (${this.className}): initialState needs ${this.stateCount} tensor(s) (${this.type === "lstm" ? "[h, c]" : "[h]"}), got ${call.states}`);
    }
    for (let k = 1; k <= call.states; k++) {
      if (inputs[k].length !== 1 || inputs[k][0] !== this.units) {
        throw new Error(`layer "${this.name}" (${this.className}): initial state ${k - 1} must have shape ${shapeText([this.units])} but got ${shapeText(inputs[k])}`);
      }
    }
    let out: number[];
    try {
      out = this.outputShape(inputs[0]);
    } catch {
      throw shapeError(this, `(None, timesteps, ${this.core ? this.inputSize : "features"})`, inputs[0]);
    }
    return [out, ...(this.returnState ? Array.from({ length: this.stateCount }, () => [this.units]) : [])];
  }

  /** @internal */
  graphBuild(inputs: readonly number[][], ctx: BuildContext): void {
    this.build(inputs[0], ctx);
  }

  private graphStates = 0; // initial states of the pending graph call
  private masked: MaskedCall | null = null; // the pending graph call, when it had a mask (maskedRecurrence.ts)

  /** @internal */
  graphForward(inputs: Tensor[], ctx: ForwardContext, call: GraphCall): Tensor[] {
    const init = call.states ? inputs.slice(1, 1 + call.states) : this.carriedStates(inputs[0].shape[0]);
    this.graphStates = call.states;
    this.masked = null;
    let r: { output: Tensor; states: Tensor[] };
    if (call.mask) {
      const m = maskedForward(this, this.checkedInput(inputs[0]), inputs[inputs.length - 1], init ?? null, ctx);
      this.masked = m.pending;
      r = m;
    } else r = this.forwardSeq(inputs[0], ctx, init);
    const { output, states } = r;
    if (!call.states) this.keepStates(states);
    return this.returnState ? [output, ...states] : [output];
  }

  /** @internal */
  graphBackward(dys: (Tensor | null)[], needed: readonly boolean[]): (Tensor | null)[] {
    const dStates = this.returnState ? dys.slice(1) : [];
    if (this.masked) {
      const m = this.masked;
      this.masked = null;
      return maskedBackward(this, m, dys[0], dStates, needed[0], this.graphStates);
    }
    const { dx, dInitialStates } = this.backwardSeq(dys[0], this.returnState ? dStates : undefined, needed[0]);
    return [needed[0] ? dx : null, ...dInitialStates.slice(0, this.graphStates)];
  }

  /**
   * @internal The backward half of `rnn.bidirectional`: the same options — initializers, trainable,
   * dropout and all — with goBackwards flipped and the given name. A seeded layer's twin draws from
   * seed + 1, so its weights differ from the forward half's and the pair is reproducible whatever the
   * model's seed; an unseeded twin draws from the model's Rng after the forward half, as before.
   */
  reversedTwin(name: string): KerasRecurrentLayer {
    const { seed, ...rest } = this.givenOptions;
    return new KerasRecurrentLayer(this.spec, { ...rest, goBackwards: !this.goBackwards, name, ...(seed !== undefined ? { seed: seed + 1 } : {}) });
  }

  recordings(): LayerRecording[] {
    return this.recorded ? [this.recorded] : [];
  }
}
