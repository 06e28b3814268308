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
 *
 * In an autograd graph the whole module is ONE op: when gradients are on and the input, h0/c0 or a
 * parameter tensor requires grad, `output`, `hN` and `cN` are graph tensors whose backward runs the
 * same fused BPTT and hands ∂L/∂x, ∂L/∂h0, ∂L/∂c0 and the parameter gradients to the tape. Each call
 * runs on a lane of its own (a RecurrentStack over its own cores and repacked weights), so a module
 * called several times in one graph (a decoder step by step, an encoder on two inputs) keeps every
 * call's caches until that call's backward, which gives its lane back to the module's free list: a
 * training loop reuses one lane forever; a graph never backwarded takes its lane to the GC with it.
 * The manual `backward` works on the latest call's lane, graph or not. Inference loops belong in
 * `rnn.noGrad` (no graph: a new forward drops the previous call's caches and reuses its lane).
 *
 * Porting note: PyTorch refuses a backward after the parameters were changed in place since the
 * forward; here each call keeps the repacked weights it ran with, so its backward is still that
 * forward's exact gradient.
 */
import { makeParam, uniqueLayerName, type LayerRecording, type Param } from "../layer";
import { bool, checkKeys, fraction, oneOf, positiveInt } from "../options";
import { computeLoss, checkLossName, type LossName } from "../loss";
import { activeRecording, checkBatchIndex, recordFusedCall, RECORDING_OPTIONS, resolveRecordingOptions, sequenceRecording, type Recording,
  type RecordingOptions } from "../recording";
import { type ActivationName, type SequenceBlock } from "../ops";
import { paramCount } from "../params";
import { makeSummary, type Summary } from "../summary";
import { globalRng, Rng, torchUniform } from "../random";
import { RecurrentCore, type Cell, type CellKind, type CoreWeights } from "../recurrent";
import { RecurrentStack } from "../recurrentStack";
import { allocFloats, asTensor, Tensor, type DType, type FloatArray, type TensorLike } from "../tensor";
import { isGradEnabled, NarrowedGrad, noGrad, trackMulti, type Grad } from "../autograd/graph";
import { addCoreGradsToTorch, torchToCore, type TorchUnitParams } from "./layout";
import { TorchParams } from "./torchParams";
import { paramTensor } from "./parameter";
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

/** Everything one call needs until its backward: a stack over its own cores, weights and buffers. */
interface Lane {
  units: Unit[];
  stack: RecurrentStack;
  /** Scratch for ∂L/∂hN with the last step's output gradient added in (outputGradient), [L·D, B, H]. */
  dhN: FloatArray | null;
}

/** One forward awaiting its backward (manual or through the graph, whichever comes first). */
interface Call {
  lane: Lane | null;   // null once backwarded (the lane is back on the free list)
  T: number;
  B: number;
  unbatched: boolean;
  record: { gates: boolean; gradNorms: boolean };
  /** Gate and gradient-norm recordings of this call. */
  recorded: LayerRecording[];
  /** True when the call's results are graph tensors (its lane is then the graph's to give back). */
  graph: boolean;
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
  /** PyTorch parameters per layer and direction (k = l·D + d). */
  private readonly unitParams: { l: number; d: number; p: TorchUnitParams }[] = [];
  private readonly plist: Param[] = [];
  private readonly rng: Rng;
  /** Activation of SimpleRNN's state (tanh or relu), of LSTM's / GRU's candidate (tanh). */
  private readonly activation: ActivationName;
  /** Lanes no call holds; a call takes one (or a new one) and its backward puts it back. */
  private readonly freeLanes: Lane[] = [];
  /** The latest forward: the manual `backward` and `recordings()` refer to it. */
  private lastCall: Call | null = null;
  /** @internal How many lanes this module has built (a training loop stays at one). */
  lanesBuilt = 0;
  /** opName()'s cache: the name it was built for, and the text. */
  private opNameOf = "";
  private opNameText = "";

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
    this.activation = kind === "simpleRNN" ? this.nonlinearity : "tanh";
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
        this.unitParams.push({ l, d, p: { wih, whh, bih, bhh } });
      }
    }
    this.freeLanes.push(this.newLane());
  }

  /** A stack of fresh cores (and repacked-weight buffers) over this module's parameters. */
  private newLane(): Lane {
    this.lanesBuilt++;
    const H = this.hiddenSize, G = this.gatesPerUnit * H, dtype = this.dtype;
    const f = (n: number): FloatArray => allocFloats(n, dtype);
    const gru = this.kind === "gru";
    const cell: Cell = this.kind === "lstm" ? lstmCell : gru ? gruCell(true) : simpleRnnCell;
    const units = this.unitParams.map(({ l, d, p }): Unit => {
      const I = p.wih.shape[1];
      const core = new RecurrentCore(cell, { inputSize: I, units: H, activation: this.activation, recurrentActivation: "sigmoid",
        resetAfter: true, dropout: 0, recurrentDropout: 0 }, dtype);
      const weights = (): CoreWeights => ({ kernel: f(I * G), recurrentKernel: f(H * G), bias: this.bias ? f(G) : null, recurrentBias: this.bias && gru ? f(G) : null });
      return { l, d, core, p, w: weights(), g: weights() };
    });
    return { units, stack: new RecurrentStack(units, this.numLayers, this.dirs, this.dropout, dtype), dhN: null };
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

  /** h0 / c0 as tensors in the module's dtype (graph tensors stay in their graph), shape-checked; null when omitted. */
  private stateTensors(state: TorchState | undefined, B: number, unbatched: boolean): { h0: Tensor | null; c0: Tensor | null } {
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
    const conv = (v: TensorLike | undefined, what: string): Tensor | null => {
      if (v === undefined) return null;
      const t = this.inDtype(v);
      if (t.shape.join() !== expect.join()) {
        throw new Error(`${this.name} (${this}): ${what} must have shape [${expect.join(", ")}] (numLayers·directions${unbatched ? "" : ", batch"}, hiddenSize) but got [${t.shape.join(", ")}]`);
      }
      return t;
    };
    if (c !== undefined && this.kind !== "lstm") throw new Error(`${this}: only LSTM takes a cell state c0`);
    return { h0: conv(h, "h0"), c0: conv(c, "c0") };
  }

  /** `v` in the module's dtype; a graph tensor of another dtype becomes a recorded copy, so gradients still reach it. */
  private inDtype(v: TensorLike): Tensor {
    return v instanceof Tensor && v.requiresGrad && v.dtype !== this.dtype ? v.clone(this.dtype) : asTensor(v, this.dtype);
  }

  /** The parameters' leaf tensors (shared storage), in state-dict order. */
  private paramTensors(): Tensor[] {
    return this.plist.map(paramTensor);
  }

  /**
   * Forward pass. x: [T, B, inputSize] ([B, T, inputSize] with batchFirst); state: h0 (RNN/GRU) or
   * { h0, c0 } / [h0, c0] (LSTM), each [L·D, B, H], zeros when omitted. As in PyTorch, an unbatched
   * input [T, inputSize] gives output [T, D·H] and states [L·D, H]. With gradients on and x, the
   * states or the parameters requiring grad, the results are graph tensors (one op: see the header).
   */
  forward(xIn: TensorLike, state?: TorchState, options: { record?: { gates?: boolean; gradNorms?: boolean }; rng?: Rng; tbptt?: number } = {}): TorchForwardResult {
    const { x, T, B, unbatched } = this.checkedInput(xIn);
    const H = this.hiddenSize, D = this.dirs, L = this.numLayers;
    const { h0, c0 } = this.stateTensors(state, B, unbatched);
    const params = this.paramTensors();
    const graph = isGradEnabled() && (x.requiresGrad || !!h0?.requiresGrad || !!c0?.requiresGrad || params.some((p) => p.requiresGrad));
    // A pending call outside any graph is dropped by a new forward (as before lanes existed); one in a
    // graph stays with its graph.
    const prev = this.lastCall;
    if (prev?.lane && !prev.graph) this.release(prev);
    const lane = this.freeLanes.pop() ?? this.newLane();
    // Inside a Module's recording (record.ts recordModule) the layer records what the recording asks.
    const session = activeRecording();
    const call: Call = { lane, T, B, unbatched, graph, recorded: [], record: {
      gates: !!options.record?.gates || !!session?.gates, gradNorms: !!options.record?.gradNorms || (!!session?.gradNorms && graph) } };
    this.lastCall = call;
    if (session) recordFusedCall(this, call.recorded);
    for (const u of lane.units) torchToCore(this.kind, u.p, u.w, u.core.I, H);
    // output, hN and cN as three parts of one buffer: a new buffer costs microseconds to set up
    // whatever its size (a view of one far less), and a training loop makes these on every step.
    const O = T * B * D * H, S = L * D * B * H, lstm = this.kind === "lstm";
    const all = allocFloats(O + (lstm ? 2 * S : S), this.dtype);
    const out = all.subarray(0, O), hN = all.subarray(O, O + S), cN = lstm ? all.subarray(O + S) : null;
    // The stack reads x and writes the output in this module's layout (no time-major copies here).
    lane.stack.forward({ data: x.data, batchMajor: this.batchFirst }, T, B, h0?.data ?? null, c0?.data ?? null,
      { training: this.training, rng: options.rng ?? this.rng, recordNorms: call.record.gradNorms, tbptt: options.tbptt ?? 0 }, hN, cN,
      { data: out, batchMajor: this.batchFirst });
    if (call.record.gates) this.recordGates(call, lane);
    const outShape = unbatched ? [T, D * H] : this.batchFirst ? [B, T, D * H] : [T, B, D * H];
    const stateShape = unbatched ? [L * D, H] : [L * D, B, H];
    const result: TorchForwardResult = { output: new Tensor(out, outShape), hN: new Tensor(hN, stateShape) };
    if (cN) result.cN = new Tensor(cN, stateShape);
    if (graph) this.trackCall(call, result, x, h0, c0, params);
    return result;
  }

  /** The op's name in graph errors, `name (LSTM(…))`; built once per name, not on every forward of a training loop. */
  private opName(): string {
    if (this.opNameOf !== this.name) {
      this.opNameOf = this.name;
      this.opNameText = `${this.name} (${this})`;
    }
    return this.opNameText;
  }

  /** Makes `result` graph tensors of one op whose backward is the call's fused BPTT. */
  private trackCall(call: Call, result: TorchForwardResult, x: Tensor, h0: Tensor | null, c0: Tensor | null, params: Tensor[]): void {
    const op = this.opName();
    const outs = [result.output, result.hN, ...(result.cN ? [result.cN] : [])];
    // The output's gradient may arrive as a NarrowedGrad (`output[:, -1]`): see outputGradient.
    trackMulti(outs, op, [x, ...(h0 ? [h0] : []), ...(c0 ? [c0] : []), ...params], ([gOut, ghN, gcN]) => {
      const full = (g: Grad | null | undefined): Tensor | null => (g instanceof NarrowedGrad ? g.full() : g ?? null);
      // The parameters' gradients go straight into their .grad (what the tape would add there, at the
      // moment it would), so their entries below are null.
      const g = this.backwardCall(call, gOut, full(ghN), full(gcN), op, x.requiresGrad, (p) => p.trainable, !!h0 || !!c0);
      return [g.dx, ...(h0 ? [g.dh0] : []), ...(c0 ? [g.dc0 ?? null] : []), ...params.map(() => null)];
    }, true);
  }

  /** x as a [T, B, I] / [B, T, I] tensor in the module's dtype (an unbatched [T, I] becomes a batch of one). */
  private checkedInput(xIn: TensorLike): { x: Tensor; T: number; B: number; unbatched: boolean } {
    let x = this.inDtype(xIn);
    const unbatched = x.rank === 2 && x.shape[1] === this.inputSize && x.shape[0] >= 1;
    if (unbatched) x = x.reshape(this.batchFirst ? [1, ...x.shape] : [x.shape[0], 1, x.shape[1]]);
    const layout = this.batchFirst ? "[batch, timesteps, inputSize]" : "[timesteps, batch, inputSize]";
    if (x.rank !== 3 || x.shape[2] !== this.inputSize || x.shape[0] < 1 || x.shape[1] < 1) {
      throw new Error(`${this.name} (${this}): expected input of shape ${layout.replace("inputSize", String(this.inputSize))} (or unbatched [timesteps, ${this.inputSize}]) but got [${x.shape.join(", ")}]`);
    }
    const [T, B] = this.batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
    return { x, T, B, unbatched };
  }

  /** Gate activations of every layer and direction of a call's forward (layer order, forward direction first). */
  private recordGates(call: Call, lane: Lane): void {
    for (const u of lane.units) {
      call.recorded.push({ layer: `${this.name} layer ${u.l}`, index: u.l, type: this.kind, direction: u.d === 1 ? "backward" : "forward",
        gates: u.core.recordGates(u.d === 1) });
    }
  }

  /** Puts a call's lane back on the free list (the call can no longer be backwarded). */
  private release(call: Call): void {
    if (call.lane) this.freeLanes.push(call.lane);
    call.lane = null;
  }

  /**
   * Backward for the latest forward: dOutput shaped like `output`, optional ∂L/∂hN and ∂L/∂cN.
   * Accumulates parameter gradients; returns ∂L/∂x and ∂L/∂h0 (∂L/∂c0).
   */
  backward(dOutput: TensorLike | null, dhN?: TensorLike | null, dcN?: TensorLike | null): { dx: Tensor; dh0: Tensor; dc0?: Tensor } {
    const call = this.lastCall;
    if (!call?.lane) throw new Error(`${this.name}: backward called without a preceding forward`);
    const { dx, dh0, dc0 } = this.backwardCall(call, dOutput, dhN ?? null, dcN ?? null, this.name, true, () => true, true);
    const res: { dx: Tensor; dh0: Tensor; dc0?: Tensor } = { dx, dh0 };
    if (dc0) res.dc0 = dc0;
    return res;
  }

  /**
   * The fused BPTT of one call: ∂L/∂x (shaped like the call's input; when `inputGrad`), ∂L/∂h0
   * (∂L/∂c0) shaped like the states (when `stateGrads`, else null); each parameter's gradient
   * (PyTorch layout) is ADDED into its `grad` when `accumulates(p)`. Gives the call's lane back.
   */
  private backwardCall(call: Call, dOutput: TensorLike | NarrowedGrad | null, dhN: TensorLike | null, dcN: TensorLike | null, where: string, inputGrad: true,
                       accumulates: (p: Param) => boolean, stateGrads: true): { dx: Tensor; dh0: Tensor; dc0?: Tensor };
  private backwardCall(call: Call, dOutput: TensorLike | NarrowedGrad | null, dhN: TensorLike | null, dcN: TensorLike | null, where: string, inputGrad: boolean,
                       accumulates: (p: Param) => boolean, stateGrads: boolean): { dx: Tensor | null; dh0: Tensor | null; dc0?: Tensor };
  private backwardCall(call: Call, dOutput: TensorLike | NarrowedGrad | null, dhN: TensorLike | null, dcN: TensorLike | null, where: string, inputGrad: boolean,
                       accumulates: (p: Param) => boolean, stateGrads: boolean): { dx: Tensor | null; dh0: Tensor | null; dc0?: Tensor } {
    const lane = call.lane;
    if (!lane) {
      throw new Error(`${where}: this forward was already backwarded (by ${this.name}.backward or through the graph); compute the forward pass again for another backward`);
    }
    const { T, B, unbatched } = call;
    const H = this.hiddenSize, D = this.dirs, L = this.numLayers;
    const dhNGiven = this.stateGradient(dhN, B, unbatched);
    const { dOut, dhN: dhNd } = this.outputGradient(dOutput, T, B, unbatched, dhNGiven, lane);
    const dcNd = this.stateGradient(dcN, B, unbatched);
    const dh0 = stateGrads ? allocFloats(L * D * B * H, this.dtype) : null;
    const dc0 = stateGrads && this.kind === "lstm" ? allocFloats(L * D * B * H, this.dtype) : null;
    for (const u of lane.units) for (const g of [u.g.kernel, u.g.recurrentKernel, u.g.bias, u.g.recurrentBias]) g?.fill(0);
    const I0 = this.inputSize;
    const dxData = inputGrad ? allocFloats(T * B * I0, this.dtype) : null;
    try {
      lane.stack.backward(dOut, dhNd, dcNd, dh0, dc0, dxData ? { data: dxData, batchMajor: this.batchFirst } : null);
    } finally {
      this.release(call);
    }
    // Core-layout gradients → PyTorch layout, added into the parameters' gradients (a unit's
    // parameters are frozen or not together unless a cell froze one tensor: then that unit goes
    // through scratch arrays and only its trainable tensors receive theirs).
    for (const u of lane.units) {
      const { wih, whh, bih, bhh } = u.p;
      if (accumulates(wih) && accumulates(whh) && (!bih || accumulates(bih)) && (!bhh || accumulates(bhh))) {
        addCoreGradsToTorch(this.kind, u.g, u.p, u.core.I, H);
      } else {
        const wanted = [wih, whh, bih, bhh].filter((p): p is Param => p !== null && accumulates(p));
        if (wanted.length > 0) this.addSomeCoreGrads(u, wanted, H);
      }
    }
    if (call.record.gradNorms) this.recordGradNorms(call, lane);
    const stateShape = unbatched ? [L * D, H] : [L * D, B, H];
    const res: { dx: Tensor | null; dh0: Tensor | null; dc0?: Tensor } = { dx: null, dh0: dh0 && new Tensor(dh0, stateShape) };
    if (dc0) res.dc0 = new Tensor(dc0, stateShape);
    if (!dxData) return res;
    const dx = new Tensor(dxData, this.batchFirst ? [B, T, I0] : [T, B, I0]);
    res.dx = unbatched ? dx.reshape([T, I0]) : dx;
    return res;
  }

  /** Unit u's core-layout gradients into the `wanted` ones of its parameters only. */
  private addSomeCoreGrads(u: Unit, wanted: Param[], H: number): void {
    const scratch = (p: Param | null): Param | null => (p ? { ...p, grad: allocFloats(p.grad.length, this.dtype) } : null);
    const target: TorchUnitParams = { wih: scratch(u.p.wih)!, whh: scratch(u.p.whh)!, bih: scratch(u.p.bih), bhh: scratch(u.p.bhh) };
    addCoreGradsToTorch(this.kind, u.g, target, u.core.I, H);
    const pairs: [Param | null, Param | null][] = [[u.p.wih, target.wih], [u.p.whh, target.whh], [u.p.bih, target.bih], [u.p.bhh, target.bhh]];
    for (const [p, t] of pairs) {
      if (!p || !t || !wanted.includes(p)) continue;
      for (let q = 0; q < p.grad.length; q++) p.grad[q] += t.grad[q];
    }
  }

  /**
   * ∂L/∂(last layer output) [T, B, D·H] in this module's layout, over the gradient's own data (the
   * stack reads it in place; null when not given), shape-checked against the output, and ∂L/∂hN
   * (`dhN`, the one given, or null). A gradient that reaches only the last timestep of a
   * one-direction module — PyTorch code reading `output[:, -1]`, which the tape hands over as that
   * step's block (a NarrowedGrad), or a full gradient that is zero elsewhere — is added into the last
   * layer's slice of ∂L/∂hN instead, with `dOut` null: that step's output is the last layer's final
   * state, so the time loop runs without a per-step output gradient (no [T, B, H] array, no per-step
   * add), as for a Keras layer that returns only its last output. Same sums, in the same step. That
   * ∂L/∂hN is written into the lane's scratch (the stack copies it before it returns).
   */
  private outputGradient(dOutput: TensorLike | NarrowedGrad | null, T: number, B: number, unbatched: boolean, dhN: FloatArray | null,
                         lane: Lane): { dOut: SequenceBlock | null; dhN: FloatArray | null } {
    const F = this.dirs * this.hiddenSize;
    if (dOutput === null || dOutput === undefined) return { dOut: null, dhN };
    // The last step's gradient when it is all there is: row b of it at last[lastAt + b·lastStride].
    let last: FloatArray | null = null, lastAt = 0, lastStride = F;
    if (dOutput instanceof NarrowedGrad) {
      const timeAxis = this.batchFirst && !unbatched ? 1 : 0;
      // The block [B, 1, F] / [1, B, F] / [1, F] holds step T−1's rows in batch order.
      if (this.dirs === 1 && T >= 2 && dOutput.axis === timeAxis && dOutput.start === T - 1 && dOutput.part.shape[timeAxis] === 1) {
        last = asTensor(dOutput.part, this.dtype).data;
      } else {
        dOutput = dOutput.full();
      }
    }
    if (!last) {
      let g = asTensor(dOutput as TensorLike, this.dtype);
      if (unbatched && g.rank === 2) g = g.reshape(this.batchFirst ? [1, ...g.shape] : [g.shape[0], 1, g.shape[1]]);
      const expect = this.batchFirst ? [B, T, F] : [T, B, F];
      if (g.shape.join() !== expect.join()) throw new Error(`${this.name}: output gradient must have shape [${expect.join(", ")}] but got [${g.shape.join(", ")}]`);
      if (!(this.dirs === 1 && onlyLastStep(g.data, T, B, F, this.batchFirst))) return { dOut: { data: g.data, batchMajor: this.batchFirst }, dhN };
      last = g.data;
      [lastAt, lastStride] = this.batchFirst ? [(T - 1) * F, T * F] : [(T - 1) * B * F, F];
    }
    // dhN (or zeros) with the last step's gradient [B, H] added into the last layer's slice.
    const L = this.numLayers;
    if (lane.dhN?.length !== L * B * F) lane.dhN = allocFloats(L * B * F, this.dtype);
    const sum = lane.dhN;
    if (dhN) sum.set(dhN);
    else sum.fill(0);
    const o = (L - 1) * B * F;
    for (let b = 0; b < B; b++) {
      const src = lastAt + b * lastStride;
      for (let f = 0; f < F; f++) sum[o + b * F + f] += last[src + f];
    }
    return { dOut: null, dhN: sum };
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

  /** ‖∂L/∂h_t‖ (‖∂L/∂c_t‖) of every layer and direction, joined to the call's gate recordings. */
  private recordGradNorms(call: Call, lane: Lane): void {
    for (const u of lane.units) {
      const gradNorms = u.core.recordNormsInTimeOrder(u.d === 1);
      const direction = u.d === 1 ? "backward" : "forward";
      const r = call.recorded.find((x) => x.index === u.l && x.direction === direction);
      if (r) r.gradNorms = gradNorms;
      else call.recorded.push({ layer: `${this.name} layer ${u.l}`, index: u.l, type: this.kind, direction, gradNorms });
    }
    call.recorded.sort((a, b) => a.index - b.index || (a.direction === "forward" ? -1 : 1));
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
    // The manual backward below does the work: no graph to record.
    const out = noGrad(() => this.forward(x, state, { record, tbptt }));
    const t = asTensor(target, this.dtype);
    const { value, grad } = computeLoss(name, out.output.data, out.output.shape, t.data);
    this.zeroGrad();
    // Nobody reads ∂L/∂x here: without it layer 0 skips a ninth of the step's products.
    this.backwardCall(this.lastCall!, new Tensor(grad, out.output.shape), null, null, this.name, false, () => true, false);
    return { loss: value, output: out };
  }

  /**
   * Instrumentation (recording.ts): runs forward (and, with a target, backward) and returns per
   * stacked layer and direction the gate activations of one sequence ([T, H] per gate, input time
   * order, whether or not batchFirst) and ‖∂L/∂h_t‖ (‖∂L/∂c_t‖ for LSTM) per timestep, plus the
   * forward's `output`. Parameter gradients are left as computed (like computeGradients).
   */
  record(x: TensorLike, target?: TensorLike, options?: RecordingOptions & { state?: TorchState }): TorchRecording;
  /** Inside a Module's forward: one step of a gate (see Module.record); this module records its own gates itself. */
  record(name: string, value: Tensor): void;
  record(x: TensorLike | string, target?: TensorLike, options: RecordingOptions & { state?: TorchState } = {}): TorchRecording | void {
    if (typeof x === "string") return super.record(x, target as Tensor);
    const where = `${this.name}.record`;
    checkKeys(options, [...RECORDING_OPTIONS, "state"], where);
    const o = resolveRecordingOptions(options, target !== undefined, where);
    if (o.layer !== undefined && o.layer >= this.numLayers) {
      throw new Error(`${where}: layer ${o.layer} does not exist; ${this} has ${this.numLayers} stacked layer${this.numLayers === 1 ? "" : "s"} (0–${this.numLayers - 1})`);
    }
    const record = { gates: o.gates, gradNorms: o.gradNorms };
    let output: TorchForwardResult, loss: number | undefined;
    if (target === undefined) {
      output = noGrad(() => this.forward(x, options.state, { record }));
      this.release(this.lastCall!);
    } else {
      ({ loss, output } = this.lossAndBackward(x, target, o.loss, options.state, record, o.tbptt));
    }
    const call = this.lastCall!;
    checkBatchIndex(o.batchIndex, call.unbatched ? 1 : call.B, where);
    const layers = call.recorded.filter((r) => o.layer === undefined || r.index === o.layer)
      .map((r) => sequenceRecording(r, r.index, r.layer, o.batchIndex));
    const result: TorchRecording = { output, batchIndex: o.batchIndex, layers };
    if (loss !== undefined) result.loss = loss;
    return result;
  }

  /** Recordings of the latest forward (and its backward). */
  recordings(): LayerRecording[] {
    return this.lastCall?.recorded ?? [];
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

/** Whether a [T, B, F] / [B, T, F] gradient is zero at every timestep but the last. */
function onlyLastStep(g: ArrayLike<number>, T: number, B: number, F: number, batchMajor: boolean): boolean {
  if (T < 2) return false;
  if (batchMajor) {
    for (let b = 0; b < B; b++) {
      const o = b * T * F;
      for (let q = o; q < o + (T - 1) * F; q++) if (g[q] !== 0) return false;
    }
    return true;
  }
  for (let q = 0; q < (T - 1) * B * F; q++) if (g[q] !== 0) return false;
  return true;
}
