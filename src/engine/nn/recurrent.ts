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
 * The time loop is recurrent.ts, which wants the Keras-like layout kernel [I, G], recurrent kernel
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
import { dropoutMask, RecurrentCore, type Cell, type CellKind, type CoreWeights } from "../recurrent";
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
  // Per-forward caches (reallocated when T, B change).
  private layerOut: FloatArray[] = [];   // per layer: [T, B, D·H] time-major output
  private dropMasks: (FloatArray | null)[] = []; // per layer l ≥ 1: mask on its input [T, B, D·H]
  private xTM: FloatArray = new Float32Array(0);
  private lastTB: [number, number] | null = null;   // [T, B] of the forward awaiting backward
  private allocTB: [number, number] | null = null;  // [T, B] the buffers above are sized for
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
    this.dropout = fraction(options.dropout, "dropout", fname);
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
    let x = asTensor(xIn, this.dtype);
    const unbatched = x.rank === 2 && x.shape[1] === this.inputSize && x.shape[0] >= 1;
    if (unbatched) x = x.reshape(this.batchFirst ? [1, ...x.shape] : [x.shape[0], 1, x.shape[1]]);
    const layout = this.batchFirst ? "[batch, timesteps, inputSize]" : "[timesteps, batch, inputSize]";
    if (x.rank !== 3 || x.shape[2] !== this.inputSize || x.shape[0] < 1 || x.shape[1] < 1) {
      throw new Error(`${this.name} (${this}): expected input of shape ${layout.replace("inputSize", String(this.inputSize))} (or unbatched [timesteps, ${this.inputSize}]) but got [${x.shape.join(", ")}]`);
    }
    const [T, B] = this.batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
    const H = this.hiddenSize, D = this.dirs, L = this.numLayers;
    const { h0, c0 } = this.stateTensors(state, B, unbatched);
    const rng = options.rng ?? this.rng;
    this.recordFlags = { gates: !!options.record?.gates, gradNorms: !!options.record?.gradNorms };
    this.recorded = [];
    if (!this.allocTB || this.allocTB[0] !== T || this.allocTB[1] !== B) {
      this.allocTB = [T, B];
      this.layerOut = Array.from({ length: L }, () => allocFloats(T * B * D * H, this.dtype));
      this.xTM = allocFloats(T * B * this.inputSize, this.dtype);
    }
    this.dropMasks = [];
    // Layer-0 input, time-major [T, B, I].
    copySequence(T, B, this.inputSize, { data: x.data, batchMajor: this.batchFirst }, { data: this.xTM, batchMajor: false });
    const hN = allocFloats(L * D * B * H, this.dtype);
    const cN = this.kind === "lstm" ? allocFloats(L * D * B * H, this.dtype) : null;
    let input: FloatArray = this.xTM;
    for (let l = 0; l < L; l++) {
      if (l > 0 && this.training && this.dropout > 0) {
        // Dropout between layers on the previous layer's output (PyTorch: not after the last layer).
        const mask = dropoutMask(input.length, this.dropout, rng, this.dtype);
        const dropped = allocFloats(input.length, this.dtype);
        for (let q = 0; q < input.length; q++) dropped[q] = input[q] * mask[q];
        this.dropMasks[l] = mask;
        input = dropped;
      } else {
        this.dropMasks[l] = null;
      }
      const out = this.layerOut[l];
      for (let d = 0; d < D; d++) {
        const u = this.units[l * D + d];
        const core = u.core;
        const I = core.I;
        core.prepare(T, B);
        torchToCore(this.kind, u.p, u.w, core.I, this.hiddenSize);
        // xs in processing order: the reverse direction reads time T−1−s at step s.
        copySequence(T, B, I, { data: input, batchMajor: false }, { data: core.xs, batchMajor: false }, d === 1);
        const k = l * D + d;
        core.forward(u.w, h0 ? h0.subarray(k * B * H, (k + 1) * B * H) : null, c0 ? c0.subarray(k * B * H, (k + 1) * B * H) : null,
          this.training, rng, this.recordFlags.gradNorms, options.tbptt ?? 0);
        // hs slots 1…T → this direction's half of each [T, B, D·H] output row, in input time order.
        copySequence(T, B, H, { data: core.hs, batchMajor: false, off: core.stateOffset(0) },
          { data: out, batchMajor: false, ld: D * H, col: d * H }, d === 1);
        hN.set(core.hs.subarray(core.stateOffset(T - 1), core.stateOffset(T - 1) + B * H), k * B * H);
        if (cN) cN.set(core.cs.subarray(core.stateOffset(T - 1), core.stateOffset(T - 1) + B * H), k * B * H);
        if (this.recordFlags.gates) {
          this.recorded.push({ layer: `${this.name} layer ${l}`, index: l, type: this.kind, direction: d === 1 ? "backward" : "forward",
            gates: core.recordGates(d === 1) });
        }
      }
      input = out;
    }
    this.lastTB = [T, B];
    this.lastUnbatched = unbatched;
    const last = this.layerOut[L - 1];
    const o = allocFloats(T * B * D * H, this.dtype);
    copySequence(T, B, D * H, { data: last, batchMajor: false }, { data: o, batchMajor: this.batchFirst });
    const output = new Tensor(o, this.batchFirst ? [B, T, D * H] : [T, B, D * H]);
    const stateShape = unbatched ? [L * D, H] : [L * D, B, H];
    const result: TorchForwardResult = { output: unbatched ? output.reshape([T, D * H]) : output, hN: new Tensor(hN, stateShape) };
    if (cN) result.cN = new Tensor(cN, stateShape);
    return result;
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
    const H = this.hiddenSize, D = this.dirs, L = this.numLayers, F = D * H;
    // ∂L/∂(last layer output), time-major [T, B, D·H].
    let dOut = allocFloats(T * B * F, this.dtype);
    if (dOutput !== null && dOutput !== undefined) {
      let g = asTensor(dOutput, this.dtype);
      if (unbatched && g.rank === 2) g = g.reshape(this.batchFirst ? [1, ...g.shape] : [g.shape[0], 1, g.shape[1]]);
      const expect = this.batchFirst ? [B, T, F] : [T, B, F];
      if (g.shape.join() !== expect.join()) throw new Error(`${this.name}: output gradient must have shape [${expect.join(", ")}] but got [${g.shape.join(", ")}]`);
      copySequence(T, B, F, { data: g.data, batchMajor: this.batchFirst }, { data: dOut, batchMajor: false });
    }
    const stateGrad = (v: TensorLike | null | undefined): FloatArray | null => {
      if (v === null || v === undefined) return null;
      const t = asTensor(v, this.dtype);
      const ok = t.shape.join() === [L * D, B, H].join() || (unbatched && t.shape.join() === [L * D, H].join());
      if (!ok) throw new Error(`${this.name}: final-state gradient must have shape [${(unbatched ? [L * D, H] : [L * D, B, H]).join(", ")}]`);
      return t.data;
    };
    const dhNd = stateGrad(dhN), dcNd = stateGrad(dcN);
    const dh0 = allocFloats(L * D * B * H, this.dtype);
    const dc0 = this.kind === "lstm" ? allocFloats(L * D * B * H, this.dtype) : null;
    const dys = allocFloats(T * B * H, this.dtype);
    const norms: LayerRecording[] = [];
    let dIn: FloatArray = dOut;
    for (let l = L - 1; l >= 0; l--) {
      const I = this.units[l * D].core.I;
      dIn = allocFloats(T * B * I, this.dtype);
      for (let d = 0; d < D; d++) {
        const u = this.units[l * D + d];
        const core = u.core;
        const k = l * D + d;
        copySequence(T, B, H, { data: dOut, batchMajor: false, ld: F, col: d * H }, { data: dys, batchMajor: false }, d === 1);
        for (const g of [u.g.kernel, u.g.recurrentKernel, u.g.bias, u.g.recurrentBias]) g?.fill(0);
        core.backward(u.g, dys, dhNd ? dhNd.subarray(k * B * H, (k + 1) * B * H) : null,
          dcNd ? dcNd.subarray(k * B * H, (k + 1) * B * H) : null);
        addCoreGradsToTorch(this.kind, u.g, u.p, core.I, this.hiddenSize);
        copySequence(T, B, I, { data: core.dxs, batchMajor: false }, { data: dIn, batchMajor: false }, d === 1, true);
        dh0.set(core.dhPrev, k * B * H);
        if (dc0) dc0.set(core.dcPrev, k * B * H);
        if (this.recordFlags.gradNorms) {
          norms.push({ layer: `${this.name} layer ${l}`, index: l, type: this.kind, direction: d === 1 ? "backward" : "forward",
            gradNorms: core.recordNormsInTimeOrder(d === 1) });
        }
      }
      const mask = this.dropMasks[l];
      if (mask) for (let q = 0; q < dIn.length; q++) dIn[q] *= mask[q];
      dOut = dIn;
    }
    if (this.recordFlags.gradNorms) {
      for (const n of norms) {
        const r = this.recorded.find((x) => x.index === n.index && x.direction === n.direction);
        if (r) r.gradNorms = n.gradNorms;
        else this.recorded.push(n);
      }
      this.recorded.sort((a, b) => a.index - b.index || (a.direction === "forward" ? -1 : 1));
    }
    let dx: Tensor;
    const I0 = this.inputSize;
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
