/**
 * Stacked and bidirectional recurrent layers over RecurrentCore (recurrent.ts): what PyTorch's
 * `nn.LSTM(…, numLayers, bidirectional)` and Keras's `Bidirectional(LSTM(…))` both are. One
 * implementation for both families; each family converts its layout and parameters at its boundary
 * (nn/recurrent.ts repacks PyTorch's weights, layers/bidirectional.ts hands over two Keras layers' own).
 *
 * Dimension letters: T timesteps, B batch, I input features of layer 0, H units per direction,
 * L layers, D directions (1, or 2 when bidirectional), F = D·H features of every layer's output.
 * Layout: time-major in INPUT time order inside; the caller's layout at the two ends:
 *   x        [T, B, I]      input of layer 0, time-major or batch-major (a SequenceBlock): it is copied
 *                           once, straight into each direction's core in that core's processing order
 *   out[l]   [T, B, F]      layer l's output; direction d fills columns [d·H, (d+1)·H). The backward
 *                           direction (d = 1) reads its input in reversed time, and its outputs are put
 *                           back in input time order, so row t of both halves belongs to input step t.
 *                           The last layer writes into the caller's block (any layout) when given one;
 *                           with one direction and no dropout between layers, a layer reads the one
 *                           below straight from that core's states (out[l] is never written): every
 *                           copy left is one the layouts need.
 *   h0, hN   [L·D, B, H]    initial and final states of unit k = l·D + d (PyTorch's order); c0, cN LSTM
 * Processing order: layer by layer, within a layer direction 0 then 1 (the order dropout masks are
 * drawn in); backward runs the layers in reverse. Between layers, dropout (training only) drops
 * units of every layer's output except the last one's, as PyTorch does.
 */
import type { Rng } from "./random";
import { copySequence, type SequenceBlock } from "./ops";
import { dropoutMask, type CoreWeights, type RecurrentCore } from "./recurrent";
import { allocFloats, type DType, type FloatArray } from "./tensor";

/** One direction of one layer: its core, the weights it runs with and where its gradients accumulate. */
export interface StackUnit {
  core: RecurrentCore;
  /** Weights in the core's layout (views of the layer's params, or a repacked copy). */
  w: CoreWeights;
  /** Gradients in the core's layout; backward ACCUMULATES into them (the owner zeroes them). */
  g: CoreWeights;
}

/** What one forward pass runs with. */
export interface StackPass {
  /** Training mode: dropout (in the cores and between layers) active. */
  training: boolean;
  /** Source of every dropout mask of the pass. */
  rng: Rng;
  /** Keep per-step ‖∂L/∂h_t‖ in each core during the following backward. */
  recordNorms: boolean;
  /** Truncated-BPTT window (0 = full BPTT). */
  tbptt: number;
}

export class RecurrentStack {
  readonly L: number;
  readonly D: number;
  readonly H: number;
  T = 0;
  B = 0;
  /** Units by k = l·D + d. */
  private readonly units: readonly StackUnit[];
  private readonly dropout: number;
  private readonly dtype: DType;
  private readonly lstm: boolean;
  /** Per layer below the last: its output [T, B, F] when the next layer cannot read its core's states (see forward); reallocated only when (T, B) changes. */
  private layerOut: FloatArray[] = [];
  /** Per layer l ≥ 1: the dropout mask applied to its input in the latest forward, or null. */
  private dropMasks: (FloatArray | null)[] = [];
  /** [T, B, H] scratch: one direction's slice of ∂L/∂out in processing order. */
  private dys: FloatArray;
  /** Per layer l ≥ 1: [T, B, I] scratch for ∂L/∂(its input), the output gradient of layer l − 1. */
  private dIns: FloatArray[] = [];
  private pending = false;

  constructor(units: readonly StackUnit[], L: number, D: number, dropout: number, dtype: DType) {
    if (units.length !== L * D) throw new Error(`recurrent stack: ${units.length} units for ${L} layers × ${D} directions`);
    this.units = units;
    this.L = L;
    this.D = D;
    this.H = units[0].core.H;
    this.dropout = dropout;
    this.dtype = dtype;
    this.lstm = units[0].core.cell.kind === "lstm";
    this.dys = allocFloats(0, dtype);
  }

  /** Direction d of layer l. */
  unit(l: number, d: number): StackUnit {
    return this.units[l * this.D + d];
  }

  /**
   * Forward over x [T, B, I] (either layout). h0 / c0: [L·D, B, H] or null for zeros. Writes the
   * final states into hN / cN ([L·D, B, H]) when given, and the last layer's output [T, B, F] into
   * `out` (either layout); the GRU and LSTM cores keep what backward needs.
   */
  forward(x: SequenceBlock, T: number, B: number, h0: FloatArray | null, c0: FloatArray | null, pass: StackPass,
          hN: FloatArray | null, cN: FloatArray | null, out: SequenceBlock<FloatArray> | null): void {
    this.prepare(T, B);
    // A direct read needs the layer below whole and undropped: one direction, no dropout this pass.
    const direct = this.D === 1 && !(pass.training && this.dropout > 0);
    let input = x;
    this.dropMasks[0] = null;
    for (let l = 0; l < this.L; l++) {
      if (l > 0) input = direct ? this.statesOf(l - 1) : this.dropBetweenLayers(l, this.layerOut[l - 1], pass);
      if (l > 0 && direct) this.dropMasks[l] = null;
      const dst: SequenceBlock<FloatArray> | null = l === this.L - 1 ? out : direct ? null : { data: this.layerOut[l], batchMajor: false };
      for (let d = 0; d < this.D; d++) this.forwardUnit(l, d, input, dst, h0, c0, pass, hN, cN);
    }
    this.pending = true;
  }

  /** Layer l's output read in place: its (one) core's states after steps 0 … T−1, time-major. */
  private statesOf(l: number): SequenceBlock {
    const core = this.unit(l, 0).core;
    return { data: core.hs, batchMajor: false, off: core.stateOffset(0) };
  }

  /**
   * Backward for the latest forward. dOut: ∂L/∂output [T, B, F] (either layout) or null; dhN / dcN:
   * ∂L/∂(final states) [L·D, B, H] or null. Accumulates every unit's weight gradients into its `g`,
   * writes ∂L/∂h0 (∂L/∂c0) into dh0 (dc0) when given, and ∂L/∂x [T, B, I] into dx (either layout,
   * overwritten) when given: without it layer 0 skips its input-gradient GEMM, which nobody reads.
   */
  backward(dOut: SequenceBlock | null, dhN: FloatArray | null, dcN: FloatArray | null,
           dh0: FloatArray | null, dc0: FloatArray | null, dx: SequenceBlock<FloatArray> | null): void {
    if (!this.pending) throw new Error("recurrent stack: backward called without a preceding forward");
    this.pending = false;
    const { T, B, H, D } = this;
    if (this.dys.length !== T * B * H) this.dys = allocFloats(T * B * H, this.dtype);
    let dLayerOut = dOut;
    for (let l = this.L - 1; l >= 0; l--) {
      // ∂L/∂(layer l's input): the caller's dx for layer 0, else the output gradient of layer l−1.
      let dIn: SequenceBlock<FloatArray> | null = dx;
      if (l > 0) {
        const I = this.unit(l, 0).core.I;
        if (this.dIns[l]?.length !== T * B * I) this.dIns[l] = allocFloats(T * B * I, this.dtype);
        dIn = { data: this.dIns[l], batchMajor: false };
      }
      if (dIn && D === 2) fillBlock(T, B, this.unit(l, 0).core.I, dIn);
      for (let d = 0; d < D; d++) this.backwardUnit(l, d, dLayerOut, dIn, dhN, dcN, dh0, dc0);
      // Through the dropout between layer l−1 and layer l.
      const mask = this.dropMasks[l];
      if (mask && dIn) for (let q = 0; q < mask.length; q++) dIn.data[q] *= mask[q];
      dLayerOut = dIn;
    }
  }

  /** Sizes the per-layer outputs for (T, B): reallocated only when the shape changes. */
  private prepare(T: number, B: number): void {
    if (T === this.T && B === this.B && this.layerOut.length === this.L - 1) return;
    this.T = T;
    this.B = B;
    const F = this.D * this.H;
    this.layerOut = Array.from({ length: this.L - 1 }, () => allocFloats(T * B * F, this.dtype));
  }

  /** Layer l ≥ 1's input: the previous layer's output with inter-layer dropout applied (a copy), or as is. */
  private dropBetweenLayers(l: number, input: FloatArray, pass: StackPass): SequenceBlock {
    if (!pass.training || this.dropout <= 0) {
      this.dropMasks[l] = null;
      return { data: input, batchMajor: false };
    }
    const mask = dropoutMask(input.length, this.dropout, pass.rng, this.dtype);
    const dropped = allocFloats(input.length, this.dtype);
    for (let q = 0; q < input.length; q++) dropped[q] = input[q] * mask[q];
    this.dropMasks[l] = mask;
    return { data: dropped, batchMajor: false };
  }

  /** Runs direction d of layer l on its input [T, B, I] and writes its half of the layer output into dst (unless null). */
  private forwardUnit(l: number, d: number, input: SequenceBlock, dst: SequenceBlock<FloatArray> | null, h0: FloatArray | null,
                      c0: FloatArray | null, pass: StackPass, hN: FloatArray | null, cN: FloatArray | null): void {
    const { T, B, H, D } = this;
    const { core, w } = this.unit(l, d);
    const k = l * D + d, BH = B * H;
    core.prepare(T, B);
    // xs in processing order: the backward direction reads input time T−1−s at step s.
    copySequence(T, B, core.I, input, { data: core.xs, batchMajor: false }, d === 1);
    core.forward(w, h0 ? h0.subarray(k * BH, (k + 1) * BH) : null, c0 ? c0.subarray(k * BH, (k + 1) * BH) : null,
      pass.training, pass.rng, pass.recordNorms, pass.tbptt);
    // hs slots 1…T → this direction's half of each output row, back in input time order.
    if (dst) {
      copySequence(T, B, H, { data: core.hs, batchMajor: false, off: core.stateOffset(0) },
        { ...dst, ld: D * H, col: (dst.col ?? 0) + d * H }, d === 1);
    }
    const last = core.stateOffset(T - 1);
    if (hN) hN.set(core.hs.subarray(last, last + BH), k * BH);
    if (cN && this.lstm) cN.set(core.cs.subarray(last, last + BH), k * BH);
  }

  /**
   * BPTT of direction d of layer l; writes its ∂L/∂input into dIn [T, B, I] (with two directions,
   * adds: the caller zeroed it), or computes none when dIn is null.
   */
  private backwardUnit(l: number, d: number, dLayerOut: SequenceBlock | null, dIn: SequenceBlock<FloatArray> | null,
                       dhN: FloatArray | null, dcN: FloatArray | null, dh0: FloatArray | null, dc0: FloatArray | null): void {
    const { T, B, H, D } = this;
    const { core, g } = this.unit(l, d);
    const k = l * D + d, BH = B * H;
    let dys: FloatArray | null = null;
    if (dLayerOut) {
      const { data, batchMajor, off = 0, ld = D * H, col = 0 } = dLayerOut;
      if (D === 1 && !batchMajor && off === 0 && ld === H && col === 0) {
        // Already one direction's dense time-major gradient in processing order: read it in place.
        dys = data as FloatArray;
      } else {
        // This direction's columns of ∂L/∂out, in its processing order.
        copySequence(T, B, H, { ...dLayerOut, ld: D * H, col: col + d * H }, { data: this.dys, batchMajor: false }, d === 1);
        dys = this.dys;
      }
    }
    core.backward(g, dys, dhN ? dhN.subarray(k * BH, (k + 1) * BH) : null, dcN ? dcN.subarray(k * BH, (k + 1) * BH) : null, dIn !== null);
    if (dIn) copySequence(T, B, core.I, { data: core.dxs, batchMajor: false }, dIn, d === 1, D === 2);
    if (dh0) dh0.set(core.dhPrev, k * BH);
    if (dc0 && this.lstm) dc0.set(core.dcPrev, k * BH);
  }
}

/** Zeroes the F columns of every one of the T·B rows of a block (either layout). */
function fillBlock(T: number, B: number, F: number, block: SequenceBlock<FloatArray>): void {
  const { data, off = 0, ld = F, col = 0 } = block;
  if (ld === F) data.fill(0, off + col, off + col + T * B * F);
  else for (let r = 0; r < T * B; r++) data.fill(0, off + r * ld + col, off + r * ld + col + F);
}
