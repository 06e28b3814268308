/**
 * The generic recurrent time loop and its exact backpropagation through time (BPTT), shared by both
 * layer families (Keras `rnn.simpleRNN/lstm/gru`, PyTorch `rnn.nn.RNN/LSTM/GRU`). The cell-specific
 * math (fused gate nonlinearities and state update for one timestep, forward and backward) lives in
 * layers/simpleRnn.ts, layers/lstm.ts and layers/gru.ts as `Cell` objects; this file owns buffers,
 * the loop, dropout masks, truncation and recording.
 *
 * Dimension letters for this file:
 *   T timesteps, B batch, I input features, H units, G = gates·H (SimpleRNN 1, GRU 3, LSTM 4).
 * Internal layout (both families are converted to it at their boundary):
 *   kernel           W  [I, G]   input → gates        (Keras layout; PyTorch weight_ih transposed)
 *   recurrent kernel U  [H, G]   state → gates
 *   bias             b  [G]      input-side bias (Keras `bias`; PyTorch b_ih + b_hh for RNN/LSTM)
 *   recurrent bias   bR [G]      GRU with reset-after only (Keras bias[1]; PyTorch b_hh)
 *   gate blocks: SimpleRNN [h], LSTM [i, f, g, o], GRU [z, r, n] (Keras order).
 * All per-step buffers are time-major in PROCESSING order s = 0 … T−1 (reversed input for a
 * backward direction is the caller's job), so the slice of one step is contiguous:
 *   xs  [T, B, I]        layer input (dropout applied in place)
 *   zx  [T, B, G]        x·W + b for all steps (one GEMM before the loop); the step adds h·U in place
 *   act [T, B, G]        gate activations after their nonlinearity
 *   hs  [T+1, B, H]      hidden states; slot 0 = h0, slot s+1 = state after step s
 *   cs  [T+1, B, H]      LSTM cell states, same slots
 *   aux [T, B, H]        LSTM: act(c_s); GRU reset-after: h·U_n + bR_n; GRU reset-before: r ⊙ h
 *   hr  [T, B, H]        h_{s−1} ⊙ recurrent-dropout mask (only with recurrentDropout; else hs is used)
 * Backward buffers: dzx [T, B, G] (∂L/∂ input-side pre-activations), dzr [T, B, G] (∂L/∂ recurrent-side
 * pre-activations; an alias of dzx except for GRU reset-after), dxs [T, B, I].
 * Weight gradients are single GEMMs over all T·B rows after the loop.
 */
import type { GateName } from "../shared/payloads";
import type { Rng } from "./random";
import { activationFn, activationGradFromOutput, copySequence, gemmNN, gemmNT, gemmTN, type ActivationName } from "./ops";
import { gemmNNBias, gemmPrepared, prepareB, projectInput, recurrentLoop, recurrentLoopBackward, releaseB, type LoopProjection, type PreparedB } from "./gemm";
import { pointwiseAvailable } from "./pointwise";
import { allocFloats, Tensor, type DType, type FloatArray } from "./tensor";

export type CellKind = "simpleRNN" | "lstm" | "gru";

/** Weights (or their gradients) in the internal layout; biases may be absent. */
export interface CoreWeights {
  kernel: FloatArray;           // [I, G]
  recurrentKernel: FloatArray;  // [H, G]
  bias: FloatArray | null;      // [G]
  recurrentBias: FloatArray | null; // [G]
}

export interface CoreOptions {
  inputSize: number;
  units: number;
  /** Activation of SimpleRNN's state, LSTM's candidate and cell output, GRU's candidate. */
  activation: ActivationName;
  /** Activation of LSTM's i, f, o and GRU's z, r gates. */
  recurrentActivation: ActivationName;
  /** GRU only: apply the reset gate after the recurrent product (Keras default, PyTorch's only form). */
  resetAfter: boolean;
  /** Fraction of input units dropped (one mask per sequence, shared by all steps and gates). */
  dropout: number;
  /** Fraction of recurrent-state units dropped before the recurrent product (variational). */
  recurrentDropout: number;
}

/** The math of one timestep of a cell, forward and backward (see layers/*.ts). */
export interface Cell {
  readonly kind: CellKind;
  /** Gate blocks per unit: G = gates·H. */
  readonly gates: number;
  /**
   * True when h_{s−1} also reaches h_s outside the recurrent product (GRU: h = z·h_{s−1} + …); the
   * cell then leaves that part of ∂L/∂h_{s−1} in core.dhDirect, which the recurrent-dropout mask
   * does not touch.
   */
  readonly directStatePath: boolean;
  /** Gate names recorded, in panel order, and where each lives (see `recordSource`). */
  readonly recordedGates: readonly GateName[];
  /**
   * Step s forward: reads zx[s] (x·W + b), the previous state, writes act[s], hs[s+1] (cs, aux).
   * Performs its own recurrent GEMM(s) on core.recurrentInput(s).
   */
  forwardStep(core: RecurrentCore, s: number): void;
  /**
   * Step s backward: on entry core.dh holds total ∂L/∂h_s (and core.dc the ∂L/∂c carried from step
   * s+1 for LSTM); writes dzx[s] (and dzr[s]), and leaves in core.dhPrev the ∂L/∂h_{s−1} through this
   * step's recurrent product (before the recurrent-dropout mask, which the loop applies), in
   * core.dhDirect the direct part (if directStatePath), and in core.dcPrev ∂L/∂c_{s−1}.
   * For LSTM it also stores the total ∂L/∂c_s in core.dcTotal (for ‖∂L/∂c_t‖).
   */
  backwardStep(core: RecurrentCore, s: number): void;
  /** After the loop: recurrent-kernel (and recurrent-bias) gradients as whole-sequence GEMMs. */
  recurrentWeightGrads(core: RecurrentCore, grads: CoreWeights): void;
  /** Where gate `name` is stored: buffer, row length and column offset per (slot, b) row. */
  recordSource(core: RecurrentCore, name: GateName): { buf: FloatArray; rowLen: number; col: number; slotShift: number };
}

/** Time loop + BPTT for one direction of one layer. Buffers are kept for the last (T, B) seen. */
export class RecurrentCore {
  readonly I: number;
  readonly H: number;
  readonly G: number;
  T = 0;
  B = 0;
  readonly dtype: DType;
  readonly cell: Cell;
  readonly opts: CoreOptions;
  /** f and f′(y) of `activation` and `recurrentActivation`. */
  readonly act: (x: number) => number;
  readonly actGrad: (y: number) => number;
  readonly ract: (x: number) => number;
  readonly ractGrad: (y: number) => number;
  /**
   * True for the default activations (tanh, sigmoid): cells then run a forward loop with the math
   * written inline (`sigm`, `tanhExp` below), which V8 compiles without calls — the transcendental
   * functions dominate the per-step cost at learner sizes (H ≈ 16…64).
   */
  readonly standard: boolean;

  /** Weights used by the latest forward (set by `forward`). */
  w!: CoreWeights;

  xs: FloatArray;
  zx: FloatArray;
  act_: FloatArray;
  hs: FloatArray;
  cs: FloatArray;
  aux: FloatArray;
  hr: FloatArray;
  rec: FloatArray;   // [B, G] scratch for GRU reset-after's recurrent product
  dzx: FloatArray;
  dzr: FloatArray;
  dxs: FloatArray;
  dh: FloatArray;     // [B, H] total ∂L/∂h_s at the current step
  dhPrev: FloatArray; // [B, H] carried to step s−1
  dc: FloatArray;     // [B, H] ∂L/∂c carried into step s (LSTM)
  dcPrev: FloatArray; // [B, H]
  dcTotal: FloatArray; // [B, H] total ∂L/∂c_s (LSTM)
  dhDirect: FloatArray; // [B, H] ∂L/∂h_{s−1} outside the recurrent product (GRU)
  maskIn: FloatArray | null = null;  // [B, I]
  maskRec: FloatArray | null = null; // [B, H]
  /** True once forward ran and until backward consumed it. */
  private pending = false;
  private recordNorms = false;
  private tbptt = 0;
  /** Per-step norms of the latest backward, processing order (valid if recordNorms). */
  gradNormH: Float64Array = new Float64Array(0);
  gradNormC: Float64Array = new Float64Array(0);
  /** The whole loop backward's per-step, per-row sums of squares for norm recording ([T, B, 2]). */
  private rowNorms = new Float64Array(0);
  /** False: always the per-step loops (the reference the whole loops are tested against). */
  wholeLoops = true;

  constructor(cell: Cell, opts: CoreOptions, dtype: DType) {
    this.cell = cell;
    this.opts = opts;
    this.dtype = dtype;
    this.I = opts.inputSize;
    this.H = opts.units;
    this.G = cell.gates * opts.units;
    this.act = activationFn(opts.activation);
    this.actGrad = activationGradFromOutput(opts.activation);
    this.ract = activationFn(opts.recurrentActivation);
    this.ractGrad = activationGradFromOutput(opts.recurrentActivation);
    this.standard = opts.activation === "tanh" && opts.recurrentActivation === "sigmoid";
    const e = allocFloats(0, dtype);
    this.xs = this.zx = this.act_ = this.hs = this.cs = this.aux = this.hr = this.rec = e;
    this.dzx = this.dzr = this.dxs = this.dh = this.dhPrev = this.dc = this.dcPrev = this.dcTotal = this.dhDirect = e;
  }

  /**
   * Slices of the recurrent kernel prepared for the products of the pass under way (`preparedU`), by
   * (col0, cols, transposed); released when the pass ends, because the optimizer changes U between
   * passes. Empty outside a pass.
   */
  private readonly prepared = new Map<number, PreparedB>();
  private inPass = false;

  /**
   * U[:, col0 : col0+cols] (H, cols) — or its transpose (cols, H) — prepared once per pass for the
   * per-step products (gemm.ts copies and packs it into WASM memory once instead of every timestep),
   * or null outside a forward / backward pass.
   */
  preparedU(col0: number, cols: number, transposed: boolean): PreparedB | null {
    if (!this.inPass) return null;
    const { H, G } = this;
    const key = ((col0 * (G + 1) + cols) << 1) | (transposed ? 1 : 0);
    let pb = this.prepared.get(key);
    if (!pb) {
      const u = this.w.recurrentKernel;
      pb = transposed ? prepareB(cols, H, u, col0, G, true) : prepareB(H, cols, u, col0, G, false);
      this.prepared.set(key, pb);
    }
    return pb;
  }

  /** Runs `loop` as one pass: U's prepared slices live until it returns (or throws). */
  private pass(loop: () => void): void {
    this.inPass = true;
    try {
      loop();
    } finally {
      this.inPass = false;
      // Newest first, so gemm.ts frees each one's memory at once.
      const handles = [...this.prepared.values()];
      for (let i = handles.length - 1; i >= 0; i--) releaseB(handles[i]);
      this.prepared.clear();
    }
  }

  /** Backing stores by buffer name; they only grow, so alternating batch sizes (a short last batch) reallocate nothing. */
  private readonly pool = new Map<string, FloatArray>();

  /** An exact-length view of the named backing store (grown if needed; contents unspecified). */
  private view(name: string, n: number): FloatArray {
    let buf = this.pool.get(name);
    if (!buf || buf.length < n) {
      buf = allocFloats(n, this.dtype);
      this.pool.set(name, buf);
    }
    return buf.length === n ? buf : buf.subarray(0, n);
  }

  /** Sizes the buffers for T steps of batch B (no-op when the shape is unchanged; no allocation when it shrinks). */
  prepare(T: number, B: number): void {
    if (T === this.T && B === this.B) return;
    const { I, H, G } = this;
    const f = (name: string, n: number): FloatArray => this.view(name, n);
    const kind = this.cell.kind;
    const gruAfter = kind === "gru" && this.opts.resetAfter;
    this.T = T;
    this.B = B;
    this.xs = f("xs", T * B * I);
    this.zx = f("zx", T * B * G);
    this.act_ = f("act", T * B * G);
    this.hs = f("hs", (T + 1) * B * H);
    this.cs = f("cs", kind === "lstm" ? (T + 1) * B * H : 0);
    this.aux = f("aux", kind === "simpleRNN" ? 0 : T * B * H);
    this.hr = f("hr", this.opts.recurrentDropout > 0 ? T * B * H : 0);
    this.rec = f("rec", gruAfter ? B * G : 0);
    this.dzx = f("dzx", T * B * G);
    this.dzr = gruAfter ? f("dzr", T * B * G) : this.dzx;
    this.dxs = f("dxs", T * B * I);
    this.dh = f("dh", B * H);
    this.dhPrev = f("dhPrev", B * H);
    this.dc = f("dc", B * H);
    this.dcPrev = f("dcPrev", B * H);
    this.dcTotal = f("dcTotal", B * H);
    this.dhDirect = f("dhDirect", B * H);
    this.maskIn = null;
    this.maskRec = null;
  }

  /**
   * The buffer holding h_{s−1} as the recurrent product sees it, at offset s·B·H for step s: hr (masked)
   * under recurrent dropout, else hs (slot s). Returns the array only, so steps allocate nothing.
   */
  recurrentInput(): FloatArray {
    return this.maskRec ? this.hr : this.hs;
  }

  /**
   * Forward over the T steps in xs (the caller filled xs [T, B, I] in processing order).
   * h0, c0: [B, H] initial states or null for zeros.
   */
  forward(w: CoreWeights, h0: ArrayLike<number> | null, c0: ArrayLike<number> | null,
          training: boolean, rng: Rng, recordNorms: boolean, tbptt: number): void {
    const { T, B, I, H, G } = this;
    this.w = w;
    this.recordNorms = recordNorms;
    this.tbptt = tbptt > 0 && tbptt < T ? tbptt : 0;
    // Dropout masks: one per sequence (inverted dropout: kept units scaled by 1/(1−p)).
    this.maskIn = training && this.opts.dropout > 0 ? dropoutMask(B * I, this.opts.dropout, rng, this.dtype) : null;
    this.maskRec = training && this.opts.recurrentDropout > 0 ? dropoutMask(B * H, this.opts.recurrentDropout, rng, this.dtype) : null;
    const xs = this.xs;
    const maskIn = this.maskIn;
    if (maskIn) {
      for (let s = 0; s < T; s++) {
        const o = s * B * I;
        for (let q = 0; q < B * I; q++) xs[o + q] *= maskIn[q];
      }
    }
    // Initial states in slot 0.
    if (h0) for (let q = 0; q < B * H; q++) this.hs[q] = h0[q];
    else this.hs.fill(0, 0, B * H);
    if (this.cell.kind === "lstm") {
      if (c0) for (let q = 0; q < B * H; q++) this.cs[q] = c0[q];
      else this.cs.fill(0, 0, B * H);
    }
    const maskRec = this.maskRec;
    this.pass(() => {
      if (!maskRec && this.wholeLoop()) return;
      // Input projection for all timesteps at once: zx[T·B, G] = xs[T·B, I] · W[I, G] (+ b).
      projectInput(T * B, G, this.projection());
      for (let s = 0; s < T; s++) {
        if (maskRec) {
          const o = s * B * H;
          for (let q = 0; q < B * H; q++) this.hr[o + q] = this.hs[o + q] * maskRec[q];
        }
        this.cell.forwardStep(this, s);
      }
    });
    this.pending = true;
  }

  /**
   * The forward loop of a standard LSTM or GRU (reset after) run as a whole in WASM (gemm.ts
   * recurrentLoop: the input projection computed in that memory, one copy out, the batch split between
   * two threads when there are two) — the same numbers as the projection and the cells' forwardStep with
   * the fused gate step. False, having done nothing, when it does not apply.
   */
  private wholeLoop(): boolean {
    const { T, B, H, G } = this;
    const kind = this.wholeLoopKind();
    const pb = kind && this.preparedU(0, G, false);
    return !!pb && recurrentLoop(kind, T, B, H, pb, this.projection(), this.act_, this.hs, kind === "lstm" ? this.cs : null, this.aux,
      kind === "gruAfter" ? this.w.recurrentBias : null);
  }

  /**
   * BPTT's loop as a whole in WASM (gemm.ts recurrentLoopBackward), from dhPrev (and dc) as set up
   * for the first step; leaves dzx (dzr), dhPrev and dc as the per-step loop does, and with norm
   * recording gradNormH / gradNormC: the loop sums squares per step and batch row, the rows are added
   * here in order (so one thread and two give the same bits). Only without truncation and recurrent
   * dropout (the caller checks).
   */
  private wholeLoopBackward(dys: ArrayLike<number> | null): boolean {
    const { T, B, H, G } = this;
    const kind = this.wholeLoopKind();
    if (!kind || (dys !== null && !(dys instanceof Float32Array))) return false;
    const pb = this.preparedU(0, G, true);
    const lstm = kind === "lstm";
    if (this.recordNorms && this.rowNorms.length !== T * B * 2) this.rowNorms = new Float64Array(T * B * 2);
    const norms = this.recordNorms ? this.rowNorms : null;
    if (!pb || !recurrentLoopBackward(kind, T, B, H, pb, this.act_, lstm ? this.cs : this.hs, this.aux, dys as Float32Array | null,
      this.dhPrev, lstm ? this.dc : null, this.dzx, lstm ? null : this.dzr, norms)) return false;
    if (norms) {
      for (let s = 0; s < T; s++) {
        let sh = 0, sc = 0;
        for (let b = 0, o = s * B * 2; b < B; b++, o += 2) {
          sh += norms[o];
          sc += norms[o + 1];
        }
        this.gradNormH[s] = Math.sqrt(sh);
        if (lstm) this.gradNormC[s] = Math.sqrt(sc);
      }
    }
    return true;
  }

  /** The input projection of the latest forward: xs · W (+ b) into zx. */
  private projection(): LoopProjection {
    return { xs: this.xs, I: this.I, kernel: this.w.kernel, bias: this.w.bias, zx: this.zx };
  }

  /** Which whole-loop kernel applies to this layer (standard activations, fused steps on), or null. */
  private wholeLoopKind(): "lstm" | "gruAfter" | null {
    if (!this.wholeLoops || !this.standard || !pointwiseAvailable()) return null;
    return this.cell.kind === "lstm" ? "lstm" : this.cell.kind === "gru" && this.opts.resetAfter ? "gruAfter" : null;
  }

  /** Offset of the hidden state after step s in hs. */
  stateOffset(s: number): number {
    return (s + 1) * this.B * this.H;
  }

  /**
   * BPTT. dys: ∂L/∂h_s from the layer output for every step ([T, B, H], processing order) or null;
   * dhT / dcT: ∂L/∂(final states) [B, H] or null. Accumulates weight gradients into `grads`, leaves
   * ∂L/∂xs in dxs (unless `inputGrad` is false: nobody reads it, and its GEMM — a ninth of a training
   * step's products — is skipped), ∂L/∂h0 in dhPrev and ∂L/∂c0 in dcPrev.
   */
  backward(grads: CoreWeights, dys: ArrayLike<number> | null, dhT: ArrayLike<number> | null, dcT: ArrayLike<number> | null,
           inputGrad = true): void {
    if (!this.pending) throw new Error("recurrent backward called without a preceding forward");
    this.pending = false;
    const { T, B, I, H, G } = this;
    const BH = B * H;
    const w = this.w;
    const lstm = this.cell.kind === "lstm";
    const dh = this.dh, dc = this.dc, maskRec = this.maskRec;
    // Carried gradients entering the last step.
    for (let q = 0; q < BH; q++) this.dhPrev[q] = dhT ? dhT[q] : 0;
    if (lstm) for (let q = 0; q < BH; q++) dc[q] = dcT ? dcT[q] : 0;
    if (this.recordNorms) {
      this.gradNormH = new Float64Array(T);
      this.gradNormC = new Float64Array(lstm ? T : 0);
    }
    this.pass(() => {
      if (!maskRec && !this.tbptt && this.wholeLoopBackward(dys)) return;
      for (let s = T - 1; s >= 0; s--) {
        // Total ∂L/∂h_s = from the output at step s + through the recurrence from step s+1.
        const dyo = s * BH;
        if (dys) for (let q = 0; q < BH; q++) dh[q] = this.dhPrev[q] + dys[dyo + q];
        else for (let q = 0; q < BH; q++) dh[q] = this.dhPrev[q];
        this.cell.backwardStep(this, s);
        if (this.recordNorms) {
          let sh = 0;
          for (let q = 0; q < BH; q++) sh += dh[q] * dh[q];
          this.gradNormH[s] = Math.sqrt(sh);
          if (lstm) {
            let sc = 0;
            for (let q = 0; q < BH; q++) sc += this.dcTotal[q] * this.dcTotal[q];
            this.gradNormC[s] = Math.sqrt(sc);
          }
        }
        // The recurrent product saw h_{s−1} ⊙ mask: chain rule through the mask.
        if (maskRec) for (let q = 0; q < BH; q++) this.dhPrev[q] *= maskRec[q];
        if (this.cell.directStatePath) for (let q = 0; q < BH; q++) this.dhPrev[q] += this.dhDirect[q];
        if (lstm) dc.set(this.dcPrev);
        // Truncated BPTT: no gradient crosses a window boundary (windows counted from the end).
        if (this.tbptt && s > 0 && (T - s) % this.tbptt === 0) {
          this.dhPrev.fill(0);
          if (lstm) dc.fill(0);
        }
      }
    });
    if (lstm) this.dcPrev.set(dc);
    // Weight gradients over all T·B rows at once.
    // dW[I,G] += xsᵀ·dzx and db[G] += Σ rows of dzx in one call
    gemmTN(I, G, T * B, this.xs, 0, I, this.dzx, 0, G, grads.kernel, 0, G, true, grads.bias, 0);
    this.cell.recurrentWeightGrads(this, grads);                                           // dU, dbR
    if (!inputGrad) return;
    // Input gradient: dxs[T·B, I] = dzx[T·B, G] · W[I, G]ᵀ, through the dropout mask.
    gemmNT(T * B, I, G, this.dzx, 0, G, w.kernel, 0, G, this.dxs, 0, I, false);
    const maskIn = this.maskIn;
    if (maskIn) {
      for (let s = 0; s < T; s++) {
        const o = s * B * I;
        for (let q = 0; q < B * I; q++) this.dxs[o + q] *= maskIn[q];
      }
    }
  }

  /** The hidden states before each step as one [T·B, H] block from offset 0 (masked ones under recurrent dropout). */
  previousStates(): FloatArray {
    return this.recurrentInput();
  }

  /**
   * Gate activations of the latest forward as [B, T, H] tensors in INPUT time order: when `reversed`,
   * processing step s holds input time T−1−s.
   *
   * Recording costs one memcpy per cache buffer (`slice`, before the next forward overwrites it); each
   * gate's [B, T, H] tensor is laid out from that snapshot on first read and kept (an element-wise
   * transposition that would otherwise be most of the recording's cost when nobody looks at a gate,
   * as in a training loop that records every batch). The returned object's properties are ordinary
   * enumerable ones for every reader (spread, JSON, structured clone read them through the getter).
   */
  recordGates(reversed: boolean): Partial<Record<GateName, Tensor>> {
    const { T, B, H } = this;
    const dtype = this.dtype;
    const out: Partial<Record<GateName, Tensor>> = {};
    const snapshots = new Map<FloatArray, FloatArray>();
    for (const name of this.cell.recordedGates) {
      const { buf, rowLen, col, slotShift } = this.cell.recordSource(this, name);
      // Rows [slotShift·B, (T + slotShift)·B) of the buffer: processing step s, batch row b → row s·B + b.
      let snap = snapshots.get(buf);
      if (!snap) {
        snap = buf.slice(slotShift * B * rowLen, (T + slotShift) * B * rowLen);
        snapshots.set(buf, snap);
      }
      const src = snap;
      let tensor: Tensor | null = null;
      const layOut = (): Tensor => {
        const data = allocFloats(B * T * H, dtype);
        copySequence(T, B, H, { data: src, batchMajor: false, ld: rowLen, col }, { data, batchMajor: true }, reversed);
        return new Tensor(data, [B, T, H]);
      };
      Object.defineProperty(out, name, {
        enumerable: true,
        configurable: true,
        get: () => (tensor ??= layOut()),
        set: (value: Tensor) => Object.defineProperty(out, name, { value, enumerable: true, configurable: true, writable: true }),
      });
    }
    return out;
  }

  /** Gradient norms of the latest backward in input time order. */
  recordNormsInTimeOrder(reversed: boolean): { h: Float64Array; c?: Float64Array } {
    const rev = (a: Float64Array): Float64Array => (reversed ? a.slice().reverse() : a.slice());
    return this.cell.kind === "lstm" ? { h: rev(this.gradNormH), c: rev(this.gradNormC) } : { h: rev(this.gradNormH) };
  }
}

/** Logistic sigmoid 1/(1 + e^−x) (small enough for V8 to inline at direct call sites). */
export function sigm(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * tanh through one exponential: tanh x = 1 − 2/(e^{2x} + 1). Exact up to rounding (absolute error
 * ~1e-16 near 0, where the subtraction cancels; ±1 for |x| large, where e^{2x} over/underflows), and
 * faster than Math.tanh in V8.
 */
export function tanhExp(x: number): number {
  return 1 - 2 / (Math.exp(2 * x) + 1);
}

/** Inverted-dropout mask of n entries: 0 with probability p, else 1/(1−p). */
export function dropoutMask(n: number, p: number, rng: Rng, dtype: DType): FloatArray {
  const m = allocFloats(n, dtype);
  const keep = 1 / (1 - p);
  for (let i = 0; i < n; i++) m[i] = rng.float() < p ? 0 : keep;
  return m;
}

/** Helper used by cells: recurrent product zx[s] (+)= h_{s−1}·U over `cols` gate columns starting at col0. */
export function recurrentProduct(core: RecurrentCore, s: number, col0: number, cols: number,
                                 out: FloatArray, outOff: number, accumulate: boolean): void {
  recurrentGemm(core, core.recurrentInput(), s * core.B * core.H, col0, cols, out, outOff, accumulate);
}

/** out[B, G] (row stride G) = h_{s−1}·U + 1·biasᵀ: the whole recurrent side with a bias laid in first (GRU reset-after's bR). */
export function recurrentProductBias(core: RecurrentCore, s: number, bias: FloatArray, out: FloatArray, outOff: number): void {
  const { B, H, G } = core;
  const a = core.recurrentInput(), aOff = s * B * H;
  const pb = core.preparedU(0, G, false);
  if (pb) gemmPrepared(B, a, aOff, H, pb, out, outOff, G, false, bias, 0);
  else gemmNNBias(B, G, H, a, aOff, H, core.w.recurrentKernel, 0, G, bias, 0, out, outOff, G);
}

/** out[B, cols] (row stride G) (+)= a[B, H] (row stride H) · U[:, col0 : col0+cols], U prepared once per pass. */
export function recurrentGemm(core: RecurrentCore, a: FloatArray, aOff: number, col0: number, cols: number,
                              out: FloatArray, outOff: number, accumulate: boolean): void {
  const { B, H, G } = core;
  const pb = core.preparedU(col0, cols, false);
  if (pb) gemmPrepared(B, a, aOff, H, pb, out, outOff, G, accumulate);
  else gemmNN(B, cols, H, a, aOff, H, core.w.recurrentKernel, col0, G, out, outOff, G, accumulate);
}

/** out[B, H] (row stride H) (+)= dz[B, cols] (row stride G) · U[:, col0 : col0+cols]ᵀ, U prepared once per pass. */
export function recurrentGemmT(core: RecurrentCore, dz: FloatArray, dzOff: number, col0: number, cols: number,
                               out: FloatArray, outOff: number, accumulate: boolean): void {
  const { B, H, G } = core;
  const pb = core.preparedU(col0, cols, true);
  if (pb) gemmPrepared(B, dz, dzOff, G, pb, out, outOff, H, accumulate);
  else gemmNT(B, H, cols, dz, dzOff, G, core.w.recurrentKernel, col0, G, out, outOff, H, accumulate);
}
