/**
 * PyTorch-family recurrent modules: `rnn.nn.RNN`, `rnn.nn.LSTM`, `rnn.nn.GRU` — PyTorch's options,
 * shapes, parameter names, gate orders (LSTM i,f,g,o; GRU r,z,n), two bias vectors and init
 * U(−√k, √k), k = 1/hiddenSize. Plain functions, no `new`.
 *
 * Dimension letters: T timesteps, B batch, I input features of a layer (inputSize for layer 0,
 * D·H above), H hiddenSize, G = gates·H, L numLayers, D directions (2 if bidirectional).
 * Shapes (as PyTorch):
 *   input   [T, B, I] (batchFirst: [B, T, I])     output [T, B, D·H] (batchFirst: [B, T, D·H])
 *   h0, hN  [L·D, B, H] (index l·D + d)          c0, cN  the same (LSTM)
 *   weight_ih_l{l}{_reverse} [G, I], weight_hh_… [G, H], bias_ih_… [G], bias_hh_… [G]
 * The layers × directions run on recurrentStack.ts (shared with Keras's rnn.bidirectional) over the
 * time loop of recurrent.ts, which wants the Keras-like layout kernel [I, G], recurrent kernel
 * [H, G] and Keras gate order for GRU (z, r, n): each forward repacks the PyTorch parameters into
 * that layout (O(parameters), negligible next to O(T·B·parameters)), and each backward maps the
 * gradients back. For SimpleRNN/LSTM the two biases only ever appear as a sum, so the core sees
 * b_ih + b_hh and both receive the same gradient; GRU keeps b_hh apart (it sits inside r ⊙ (…)).
 */
import { makeParam, uniqueLayerName, type LayerRecording, type Param } from "../layer";
import { bool, checkKeys, fraction, oneOf, positiveInt } from "../options";
import { computeLoss, checkLossName, type LossName } from "../loss";
import { checkBatchIndex, RECORDING_OPTIONS, resolveRecordingOptions, sequenceRecording, type Recording, type RecordingOptions } from "../recording";
import { copySequence, type ActivationName } from "../ops";
import { paramCount } from "../params";
import { makeSummary, type Summary } from "../summary";
import { globalRng, Rng, torchUniform } from "../random";
import { RecurrentCore, type Cell, type CellKind, type CoreWeights } from "../recurrent";
import { RecurrentStack } from "../recurrentStack";
import { allocFloats, asTensor, Tensor, type DType, type FloatArray, type TensorLike } from "../tensor";
import { addCoreGradsToTorch, torchToCore, type TorchUnitParams } from "./layout";
import { TorchParams } from "./torchParams";
import { simpleRnnCell } from "../layers/simpleRnn";
import { lstmCell } from "../layers/lstm";
import { gruCell } from "../layers/gru";

export interface TorchRecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  bidirectional?: boolean;
  /** nn.RNN only: "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
  /** Dropout on the outputs of every layer except the last (training mode only), as PyTorch. */
  dropout?: number;
  dtype?: DType;
  /** Seed for the initial weights (otherwise the global generator, see rnn.manualSeed). */
  seed?: number;
  name?: string;
}

/** Initial state: h0 (RNN/GRU), or { h0, c0 } / [h0, c0] (LSTM; either may be omitted for zeros). */
export type TorchState = TensorLike | { h0?: TensorLike; c0?: TensorLike } | [TensorLike, TensorLike];

export interface TorchForwardResult {
  output: Tensor;
  hN: Tensor;
  cN?: Tensor;
}

/** What `record` returns: the recording contract plus the forward's result. */
export interface TorchRecording extends Recording {
  output: TorchForwardResult;
}

/** One direction of one layer: its core, PyTorch params and internal (repacked) buffers. */
interface Unit {
  l: number;
  d: number;
  core: RecurrentCore;
  p: TorchUnitParams;
  w: CoreWeights;
  g: CoreWeights;
}

const OPTIONS = ["inputSize", "hiddenSize", "numLayers", "bias", "batchFirst", "bidirectional", "dropout", "dtype", "seed", "name"];
const CLASS: Record<CellKind, string> = { simpleRNN: "RNN", lstm: "LSTM", gru: "GRU" };

/** A PyTorch-style multi-layer, optionally bidirectional RNN / LSTM / GRU. */
export class TorchRecurrent extends TorchParams {
  readonly kind: CellKind;
  readonly type: string;
  readonly className: string;
  name: string;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly bidirectional: boolean;
  readonly nonlinearity: "tanh" | "relu";
  readonly dropout: number;
  readonly dtype: DType;
  /** Training mode (PyTorch's default): inter-layer dropout active. See train() / eval(). */
  training = true;
  readonly config: { type: string; [k: string]: unknown };
  private readonly units: Unit[] = [];
  private readonly plist: Param[] = [];
  private readonly rng: Rng;
  /** The layers × directions over the recurrent core, in the core's weight layout. */
  private readonly stack: RecurrentStack;
  /** Layer-0 input, time-major [T, B, I] (reallocated when T, B change). */
  private xTM: FloatArray = new Float32Array(0);
  private lastTB: [number, number] | null = null;   // [T, B] of the forward awaiting backward
  private lastUnbatched = false;
  private recordFlags = { gates: false, gradNorms: false };
  private recorded: LayerRecording[] = [];

  constructor(kind: CellKind, options: TorchRecurrentOptions) {
    super();
    const fname = `rnn.nn.${CLASS[kind]}`;
    if (!options || typeof options !== "object") throw new Error(`${fname}: expected options like { inputSize: 10, hiddenSize: 20 }`);
    checkKeys(options, kind === "simpleRNN" ? OPTIONS.concat(["nonlinearity"]) : OPTIONS, fname);
    this.kind = kind;
    this.className = CLASS[kind];
    this.type = `nn.${this.className}`;
    this.inputSize = positiveInt(options.inputSize, "inputSize", fname);
    this.hiddenSize = positiveInt(options.hiddenSize, "hiddenSize", fname);
    this.numLayers = positiveInt(options.numLayers, "numLayers", fname, 1);
    this.bias = bool(options.bias, true, "bias", fname);
    this.batchFirst = bool(options.batchFirst, false, "batchFirst", fname);
    this.bidirectional = bool(options.bidirectional, false, "bidirectional", fname);
    this.nonlinearity = oneOf(options.nonlinearity, ["tanh", "relu"], "nonlinearity", fname, "tanh");
    this.dropout = fraction(options.dropout, "dropout", fname, 0);
    const dtype = oneOf(options.dtype, ["float32", "float64"], "dtype", fname, "float32");
    this.dtype = dtype;
    this.name = options.name ?? uniqueLayerName(`nn_${this.className.toLowerCase()}`);
    this.rng = options.seed !== undefined ? new Rng(options.seed) : globalRng();
    this.config = { type: this.type, inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers,
      bias: this.bias, batchFirst: this.batchFirst, bidirectional: this.bidirectional, dropout: this.dropout,
      ...(kind === "simpleRNN" ? { nonlinearity: this.nonlinearity } : {}) };
    const H = this.hiddenSize, D = this.dirs, G = this.gatesPerUnit * H;
    const init = torchUniform(H);
    const activation: ActivationName = kind === "simpleRNN" ? this.nonlinearity : "tanh";
    for (let l = 0; l < this.numLayers; l++) {
      const I = l === 0 ? this.inputSize : D * H;
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        const wih = makeParam(`weight_ih${sfx}`, [G, I], dtype);
        const whh = makeParam(`weight_hh${sfx}`, [G, H], dtype);
        const bih = this.bias ? makeParam(`bias_ih${sfx}`, [G], dtype) : null;
        const bhh = this.bias ? makeParam(`bias_hh${sfx}`, [G], dtype) : null;
        for (const p of [wih, whh, bih, bhh]) {
          if (!p) continue;
          init(p.value, p.shape, this.rng);
          this.plist.push(p);
        }
        const cell: Cell = kind === "lstm" ? lstmCell : kind === "gru" ? gruCell(true) : simpleRnnCell;
        const core = new RecurrentCore(cell, { inputSize: I, units: H, activation, recurrentActivation: "sigmoid",
          resetAfter: true, dropout: 0, recurrentDropout: 0 }, dtype);
        const f = (n: number): FloatArray => allocFloats(n, dtype);
        const gru = kind === "gru";
        this.units.push({
          l, d, core, p: { wih, whh, bih, bhh },
          w: { kernel: f(I * G), recurrentKernel: f(H * G), bias: this.bias ? f(G) : null, recurrentBias: this.bias && gru ? f(G) : null },
          g: { kernel: f(I * G), recurrentKernel: f(H * G), bias: this.bias ? f(G) : null, recurrentBias: this.bias && gru ? f(G) : null },
        });
      }
    }
    this.stack = new RecurrentStack(this.units, this.numLayers, D, this.dropout, dtype);
  }

  private get dirs(): number {
    return this.bidirectional ? 2 : 1;
  }

  private get gatesPerUnit(): number {
    return this.kind === "lstm" ? 4 : this.kind === "gru" ? 3 : 1;
  }

  /** PyTorch's repr, e.g. `LSTM(28, 256, num_layers=2, batch_first=True)`. */
  toString(): string {
    const extra: string[] = [];
    if (this.kind === "simpleRNN" && this.nonlinearity !== "tanh") extra.push(`nonlinearity=${this.nonlinearity}`);
    if (this.numLayers !== 1) extra.push(`num_layers=${this.numLayers}`);
    if (!this.bias) extra.push("bias=False");
    if (this.batchFirst) extra.push("batch_first=True");
    if (this.dropout) extra.push(`dropout=${this.dropout}`);
    if (this.bidirectional) extra.push("bidirectional=True");
    return `${this.className}(${[this.inputSize, this.hiddenSize, ...extra].join(", ")})`;
  }

  /** Training mode on (default) or off. Returns this, like PyTorch. */
  train(mode = true): this {
    this.training = mode;
    return this;
  }

  /** Inference mode (no dropout). */
  eval(): this {
    return this.train(false);
  }

  /** Parameters in state-dict order. */
  params(): Param[] {
    return this.plist;
  }

  /** Parameter count, PyTorch convention (from paramCount). */
  countParams(): number {
    return paramCount(this.config, this.inputSize, "torch").total;
  }

  /** One-row summary table (PyTorch convention), like a model summary; `toString()` gives the text. */
  summary(): Summary {
    const c = paramCount(this.config, this.inputSize, "torch");
    return makeSummary(this.name, "torch", [{ name: this.name, type: this.className, outputShape: [null, null, this.dirs * this.hiddenSize],
      params: c.total, breakdown: c.tensors, formula: c.formula }]);
  }

  private stateTensors(state: TorchState | undefined, B: number, unbatched: boolean): { h0: FloatArray | null; c0: FloatArray | null } {
    if (state === undefined || state === null) return { h0: null, c0: null };
    let h: TensorLike | undefined, c: TensorLike | undefined;
    if (Array.isArray(state) && this.kind === "lstm" && state.length === 2 && !(typeof state[0] === "number")) {
      const arr = state as unknown[];
      const depth = (v: unknown): number => (Array.isArray(v) ? 1 + depth(v[0]) : 0);
      // [h0, c0] (each [L·D, B, H], or [L·D, H] unbatched) vs an h0 given as nested arrays.
      if (arr[0] instanceof Tensor || depth(arr[0]) === (unbatched ? 2 : 3)) { h = arr[0] as TensorLike; c = arr[1] as TensorLike; }
      else h = state as TensorLike;
    } else if (typeof state === "object" && !(state instanceof Tensor) && !Array.isArray(state) && ("h0" in state || "c0" in state)) {
      h = (state as { h0?: TensorLike }).h0;
      c = (state as { c0?: TensorLike }).c0;
    } else {
      h = state as TensorLike;
    }
    const expect = unbatched ? [this.numLayers * this.dirs, this.hiddenSize] : [this.numLayers * this.dirs, B, this.hiddenSize];
    const conv = (v: TensorLike | undefined, what: string): FloatArray | null => {
      if (v === undefined) return null;
      const t = asTensor(v, this.dtype);
      if (t.shape.join() !== expect.join()) {
        throw new Error(`${this}: ${what} must have shape [${expect.join(", ")}] (numLayers·directions${unbatched ? "" : ", batch"}, hiddenSize) but got [${t.shape.join(", ")}]`);
      }
      return t.data;
    };
    if (c !== undefined && this.kind !== "lstm") throw new Error(`${this}: only LSTM takes a cell state c0`);
    return { h0: conv(h, "h0"), c0: conv(c, "c0") };
  }

  /**
   * Forward pass. x: [T, B, inputSize] ([B, T, inputSize] with batchFirst); state: h0 (RNN/GRU) or
   * { h0, c0 } / [h0, c0] (LSTM), each [L·D, B, H], zeros when omitted. As in PyTorch, an unbatched
   * input [T, inputSize] gives output [T, D·H] and states [L·D, H].
   */
  forward(xIn: TensorLike, state?: TorchState, options: { record?: { gates?: boolean; gradNorms?: boolean }; rng?: Rng; tbptt?: number } = {}): TorchForwardResult {
    const { x, T, B, unbatched } = this.checkedInput(xIn);
    const H = this.hiddenSize, D = this.dirs, L = this.numLayers;
    const { h0, c0 } = this.stateTensors(state, B, unbatched);
    this.recordFlags = { gates: !!options.record?.gates, gradNorms: !!options.record?.gradNorms };
    this.recorded = [];
    if (this.xTM.length !== T * B * this.inputSize) this.xTM = allocFloats(T * B * this.inputSize, this.dtype);
    copySequence(T, B, this.inputSize, { data: x.data, batchMajor: this.batchFirst }, { data: this.xTM, batchMajor: false });
    for (const u of this.units) torchToCore(this.kind, u.p, u.w, u.core.I, H);
    const hN = allocFloats(L * D * B * H, this.dtype);
    const cN = this.kind === "lstm" ? allocFloats(L * D * B * H, this.dtype) : null;
    this.stack.forward(this.xTM, T, B, h0, c0,
      { training: this.training, rng: options.rng ?? this.rng, recordNorms: this.recordFlags.gradNorms, tbptt: options.tbptt ?? 0 }, hN, cN);
    if (this.recordFlags.gates) this.recordGates();
    this.lastTB = [T, B];
    this.lastUnbatched = unbatched;
    const out = allocFloats(T * B * D * H, this.dtype);
    copySequence(T, B, D * H, { data: this.stack.output, batchMajor: false }, { data: out, batchMajor: this.batchFirst });
    const output = new Tensor(out, this.batchFirst ? [B, T, D * H] : [T, B, D * H]);
    const stateShape = unbatched ? [L * D, H] : [L * D, B, H];
    const result: TorchForwardResult = { output: unbatched ? output.reshape([T, D * H]) : output, hN: new Tensor(hN, stateShape) };
    if (cN) result.cN = new Tensor(cN, stateShape);
    return result;
  }

  /** x as a [T, B, I] / [B, T, I] tensor in the module's dtype (an unbatched [T, I] becomes a batch of one). */
  private checkedInput(xIn: TensorLike): { x: Tensor; T: number; B: number; unbatched: boolean } {
    let x = asTensor(xIn, this.dtype);
    const unbatched = x.rank === 2 && x.shape[1] === this.inputSize && x.shape[0] >= 1;
    if (unbatched) x = x.reshape(this.batchFirst ? [1, ...x.shape] : [x.shape[0], 1, x.shape[1]]);
    const layout = this.batchFirst ? "[batch, timesteps, inputSize]" : "[timesteps, batch, inputSize]";
    if (x.rank !== 3 || x.shape[2] !== this.inputSize || x.shape[0] < 1 || x.shape[1] < 1) {
      throw new Error(`${this.name} (${this}): expected input of shape ${layout.replace("inputSize", String(this.inputSize))} (or unbatched [timesteps, ${this.inputSize}]) but got [${x.shape.join(", ")}]`);
    }
    const [T, B] = this.batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
    return { x, T, B, unbatched };
  }

  /** Gate activations of every layer and direction of the latest forward (layer order, forward direction first). */
  private recordGates(): void {
    for (const u of this.units) {
      this.recorded.push({ layer: `${this.name} layer ${u.l}`, index: u.l, type: this.kind, direction: u.d === 1 ? "backward" : "forward",
        gates: u.core.recordGates(u.d === 1) });
    }
  }

  /**
   * Backward for the latest forward: dOutput shaped like `output`, optional ∂L/∂hN and ∂L/∂cN.
   * Accumulates parameter gradients; returns ∂L/∂x and ∂L/∂h0 (∂L/∂c0).
   */
  backward(dOutput: TensorLike | null, dhN?: TensorLike | null, dcN?: TensorLike | null): { dx: Tensor; dh0: Tensor; dc0?: Tensor } {
    if (!this.lastTB) throw new Error(`${this.name}: backward called without a preceding forward`);
    const [T, B] = this.lastTB;
    this.lastTB = null;
    const unbatched = this.lastUnbatched;
    const H = this.hiddenSize, D = this.dirs, L = this.numLayers;
    const dOut = this.outputGradient(dOutput, T, B, unbatched);
    const dhNd = this.stateGradient(dhN, B, unbatched), dcNd = this.stateGradient(dcN, B, unbatched);
    const dh0 = allocFloats(L * D * B * H, this.dtype);
    const dc0 = this.kind === "lstm" ? allocFloats(L * D * B * H, this.dtype) : null;
    for (const u of this.units) for (const g of [u.g.kernel, u.g.recurrentKernel, u.g.bias, u.g.recurrentBias]) g?.fill(0);
    const dIn = this.stack.backward(dOut, dhNd, dcNd, dh0, dc0);
    for (const u of this.units) addCoreGradsToTorch(this.kind, u.g, u.p, u.core.I, H);
    if (this.recordFlags.gradNorms) this.recordGradNorms();
    const I0 = this.inputSize;
    let dx: Tensor;
    if (this.batchFirst) {
      const o = allocFloats(T * B * I0, this.dtype);
      copySequence(T, B, I0, { data: dIn, batchMajor: false }, { data: o, batchMajor: true });
      dx = new Tensor(o, [B, T, I0]);
    } else dx = new Tensor(dIn, [T, B, I0]);
    const stateShape = unbatched ? [L * D, H] : [L * D, B, H];
    const res: { dx: Tensor; dh0: Tensor; dc0?: Tensor } = { dx: unbatched ? dx.reshape([T, I0]) : dx, dh0: new Tensor(dh0, stateShape) };
    if (dc0) res.dc0 = new Tensor(dc0, stateShape);
    return res;
  }

  /** ∂L/∂(last layer output) as time-major [T, B, D·H] (zeros when not given), shape-checked against the output. */
  private outputGradient(dOutput: TensorLike | null, T: number, B: number, unbatched: boolean): FloatArray {
    const F = this.dirs * this.hiddenSize;
    const dOut = allocFloats(T * B * F, this.dtype);
    if (dOutput === null || dOutput === undefined) return dOut;
    let g = asTensor(dOutput, this.dtype);
    if (unbatched && g.rank === 2) g = g.reshape(this.batchFirst ? [1, ...g.shape] : [g.shape[0], 1, g.shape[1]]);
    const expect = this.batchFirst ? [B, T, F] : [T, B, F];
    if (g.shape.join() !== expect.join()) throw new Error(`${this.name}: output gradient must have shape [${expect.join(", ")}] but got [${g.shape.join(", ")}]`);
    copySequence(T, B, F, { data: g.data, batchMajor: this.batchFirst }, { data: dOut, batchMajor: false });
    return dOut;
  }

  /** ∂L/∂hN or ∂L/∂cN as [L·D, B, H] data, or null. */
  private stateGradient(v: TensorLike | null | undefined, B: number, unbatched: boolean): FloatArray | null {
    if (v === null || v === undefined) return null;
    const L = this.numLayers, D = this.dirs, H = this.hiddenSize;
    const t = asTensor(v, this.dtype);
    const ok = t.shape.join() === [L * D, B, H].join() || (unbatched && t.shape.join() === [L * D, H].join());
    if (!ok) throw new Error(`${this.name}: final-state gradient must have shape [${(unbatched ? [L * D, H] : [L * D, B, H]).join(", ")}]`);
    return t.data;
  }

  /** ‖∂L/∂h_t‖ (‖∂L/∂c_t‖) of every layer and direction, joined to the forward's gate recordings. */
  private recordGradNorms(): void {
    for (const u of this.units) {
      const gradNorms = u.core.recordNormsInTimeOrder(u.d === 1);
      const direction = u.d === 1 ? "backward" : "forward";
      const r = this.recorded.find((x) => x.index === u.l && x.direction === direction);
      if (r) r.gradNorms = gradNorms;
      else this.recorded.push({ layer: `${this.name} layer ${u.l}`, index: u.l, type: this.kind, direction, gradNorms });
    }
    this.recorded.sort((a, b) => a.index - b.index || (a.direction === "forward" ? -1 : 1));
  }

  /**
   * Loss and gradients, PyTorch style: the loss of `output` against `target` (shaped like output;
   * class indices for crossEntropy), gradients of every parameter keyed like stateDict().
   * Gradients are computed fresh (not accumulated into earlier ones).
   */
  computeGradients(x: TensorLike, target: TensorLike, options: { loss?: LossName; state?: TorchState } = {}): { loss: number; grads: Record<string, Tensor> } {
    checkKeys(options, ["loss", "state"], `${this.name}.computeGradients`);
    const { loss } = this.lossAndBackward(x, target, options.loss ?? "mse", options.state, undefined);
    const grads: Record<string, Tensor> = {};
    for (const p of this.plist) grads[p.name] = new Tensor(p.grad.slice(), p.shape);
    return { loss, grads };
  }

  private lossAndBackward(x: TensorLike, target: TensorLike, lossName: LossName, state: TorchState | undefined,
                          record: { gates?: boolean; gradNorms?: boolean } | undefined, tbptt?: number): { loss: number; output: TorchForwardResult } {
    const name = checkLossName(lossName);
    const out = this.forward(x, state, { record, tbptt });
    const t = asTensor(target, this.dtype);
    const { value, grad } = computeLoss(name, out.output.data, out.output.shape, t.data);
    this.zeroGrad();
    this.backward(new Tensor(grad, out.output.shape));
    return { loss: value, output: out };
  }

  /**
   * Instrumentation (recording.ts): runs forward (and, with a target, backward) and returns per
   * stacked layer and direction the gate activations of one sequence ([T, H] per gate, input time
   * order, whether or not batchFirst) and ‖∂L/∂h_t‖ (‖∂L/∂c_t‖ for LSTM) per timestep, plus the
   * forward's `output`. Parameter gradients are left as computed (like computeGradients).
   */
  record(x: TensorLike, target?: TensorLike, options: RecordingOptions & { state?: TorchState } = {}): TorchRecording {
    const where = `${this.name}.record`;
    checkKeys(options, [...RECORDING_OPTIONS, "state"], where);
    const o = resolveRecordingOptions(options, target !== undefined, where);
    if (o.layer !== undefined && o.layer >= this.numLayers) {
      throw new Error(`${where}: layer ${o.layer} does not exist; ${this} has ${this.numLayers} stacked layer${this.numLayers === 1 ? "" : "s"} (0–${this.numLayers - 1})`);
    }
    const record = { gates: o.gates, gradNorms: o.gradNorms };
    let output: TorchForwardResult, loss: number | undefined;
    if (target === undefined) {
      output = this.forward(x, options.state, { record });
      this.lastTB = null;
    } else {
      ({ loss, output } = this.lossAndBackward(x, target, o.loss, options.state, record, o.tbptt));
    }
    const B = this.lastUnbatched ? 1 : output.output.shape[this.batchFirst ? 0 : 1];
    checkBatchIndex(o.batchIndex, B, where);
    const layers = this.recorded.filter((r) => o.layer === undefined || r.index === o.layer)
      .map((r) => sequenceRecording(r, r.index, r.layer, o.batchIndex));
    const result: TorchRecording = { output, batchIndex: o.batchIndex, layers };
    if (loss !== undefined) result.loss = loss;
    return result;
  }

  /** Recordings of the latest forward/backward. */
  recordings(): LayerRecording[] {
    return this.recorded;
  }
}

/** `rnn.nn.RNN({ inputSize, hiddenSize, … })` — Elman RNN, tanh or relu. */
export function RNN(options: TorchRecurrentOptions): TorchRecurrent {
  return new TorchRecurrent("simpleRNN", options);
}

/** `rnn.nn.LSTM({ inputSize, hiddenSize, … })` — gate order i, f, g, o. */
export function LSTM(options: TorchRecurrentOptions): TorchRecurrent {
  return new TorchRecurrent("lstm", options);
}

/** `rnn.nn.GRU({ inputSize, hiddenSize, … })` — gate order r, z, n. */
export function GRU(options: TorchRecurrentOptions): TorchRecurrent {
  return new TorchRecurrent("gru", options);
}
