/**
 * Masked calls of the Keras recurrent layers (rnn.simpleRNN / lstm / gru in a functional model or after
 * an embedding with maskZero): the forward and backward of one call with a mask [B, T] (1 = a real step).
 *
 * Dimension letters: B batch, T timesteps, I input features, H units, L real steps of a row.
 */
import type { ForwardContext } from "../layer";
import { Rng } from "../random";
import { allocFloats, asTensor, Tensor, type FloatArray } from "../tensor";
import type { KerasRecurrentLayer } from "./kerasRecurrent";

/** One group of rows of a masked call with the same number L of real steps, compacted to [n, L, I]. */
interface MaskGroup {
  rows: number[];
  L: number;
  x: Tensor;
  init: Tensor[] | null;
  /** Seed of the group's dropout masks, so a replayed forward draws the same ones. */
  seed: number;
}

/** A masked graph call pending its backward. */
export interface MaskedCall {
  B: number;
  T: number;
  I: number;
  groups: MaskGroup[];
  ctx: ForwardContext;
  maskT: Tensor;
  /** The group whose caches the core holds. */
  cached: number;
}

/** Rows `rows` of a row-major [·, H] array, stacked. */
function gatherRows(data: FloatArray, rows: readonly number[], H: number): FloatArray {
  const out = allocFloats(rows.length * H, data instanceof Float64Array ? "float64" : "float32");
  rows.forEach((b, r) => out.set(data.subarray(b * H, (b + 1) * H), r * H));
  return out;
}

/**
 * A masked call, Keras semantics (keras.backend.rnn with zero_output_for_mask False, the CPU path): a
 * masked step leaves the states as they were and outputs the previous step's output (zeros before
 * the first real step). That equals running the cell over each row's real steps only, so each group of
 * rows with the same number of real steps runs as one compact batch through the unchanged fused
 * core, and the outputs are scattered back. Porting note: Keras's cuDNN path outputs zeros at masked
 * steps instead; the returned states agree. The core keeps one group's caches, so backward replays
 * each other group's forward (dropout masks from the group's own seed) before its backward.
 */
export function maskedForward(layer: KerasRecurrentLayer, x: Tensor, maskT: Tensor, init: Tensor[] | null, ctx: ForwardContext): { output: Tensor; states: Tensor[]; pending: MaskedCall } {
  const [B, T, I] = x.shape;
  const H = layer.units, S = layer.type === "lstm" ? 2 : 1;
  if (maskT.size !== B * T) throw new Error(`${layer.name} (${layer.className}): mask of shape [${maskT.shape.join(", ")}] does not match the input [${B}, ${T}]`);
  const valid: number[][] = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => t).filter((t) => maskT.data[b * T + t] !== 0));
  const byLength = new Map<number, number[]>();
  valid.forEach((v, b) => byLength.set(v.length, [...(byLength.get(v.length) ?? []), b]));
  const out = allocFloats(layer.returnSequences ? B * T * H : B * H, layer.dtype);
  const states = Array.from({ length: S }, (_, j) => {
    const st = allocFloats(B * H, layer.dtype);
    if (init) st.set(asTensor(init[j], layer.dtype).data.subarray(0, B * H));
    return st;
  });
  const groups: MaskGroup[] = [];
  for (const [L, rows] of byLength) {
    if (L === 0) continue; // no real step: zero outputs, the initial states pass through
    const xg = allocFloats(rows.length * L * I, layer.dtype);
    rows.forEach((b, r) => valid[b].forEach((t, k) => xg.set(x.data.subarray((b * T + t) * I, (b * T + t + 1) * I), (r * L + k) * I)));
    const initG = init ? states.map((st) => new Tensor(gatherRows(st, rows, H), [rows.length, H])) : null;
    const g: MaskGroup = { rows, L, x: new Tensor(xg, [rows.length, L, I]), init: initG, seed: ctx.rng.nextUint32() };
    groups.push(g);
    const r = layer.forwardSeq(g.x, { ...ctx, rng: new Rng(g.seed) }, initG ?? undefined);
    rows.forEach((b, ri) => {
      if (layer.returnSequences) {
        const source = outputSource(layer, maskT, b, T);
        source.forEach((k, p) => { if (k >= 0) out.set(r.output.data.subarray((ri * L + k) * H, (ri * L + k + 1) * H), (b * T + p) * H); });
      } else out.set(r.output.data.subarray(ri * H, (ri + 1) * H), b * H);
      r.states.forEach((st, j) => states[j].set(st.data.subarray(ri * H, (ri + 1) * H), b * H));
    });
  }
  const pending: MaskedCall = { B, T, I, groups, ctx, maskT, cached: groups.length - 1 };
  return { pending, output: new Tensor(out, layer.returnSequences ? [B, T, H] : [B, H]), states: states.map((st) => new Tensor(st, [B, H])) };
}

/** For each output position p (processing order) of row b: which real step's output it shows (−1: none yet, zeros). */
function outputSource(layer: KerasRecurrentLayer, maskT: Tensor, b: number, T: number): number[] {
  let k = 0;
  return Array.from({ length: T }, (_, p) => {
    const t = layer.goBackwards ? T - 1 - p : p;
    if (maskT.data[b * T + t] !== 0) return k++;
    return k - 1;
  });
}

export function maskedBackward(layer: KerasRecurrentLayer, m: MaskedCall, dy: Tensor | null, dStates: (Tensor | null)[], inputGrad: boolean, graphStates: number): (Tensor | null)[] {
  const { B, T, I } = m;
  const H = layer.units, S = layer.type === "lstm" ? 2 : 1;
  const dx = allocFloats(inputGrad ? B * T * I : 0, layer.dtype);
  // Rows without a real step hand the state gradient straight to the initial state.
  const dInit = Array.from({ length: S }, (_, j) => {
    const d = allocFloats(B * H, layer.dtype);
    if (dStates[j]) d.set(asTensor(dStates[j]!, layer.dtype).data);
    return d;
  });
  for (let gi = m.groups.length - 1; gi >= 0; gi--) {
    const g = m.groups[gi];
    if (gi !== m.cached) layer.forwardSeq(g.x, { ...m.ctx, rng: new Rng(g.seed) }, g.init ?? undefined);
    const n = g.rows.length, L = g.L;
    let dyG: Tensor | null = null;
    if (dy) {
      const d = allocFloats(layer.returnSequences ? n * L * H : n * H, layer.dtype);
      g.rows.forEach((b, r) => {
        if (!layer.returnSequences) {
          d.set(dy.data.subarray(b * H, (b + 1) * H), r * H);
          return;
        }
        outputSource(layer, m.maskT, b, T).forEach((k, p) => {
          if (k < 0) return; // a zero output before the first real step takes no gradient
          for (let h = 0; h < H; h++) d[(r * L + k) * H + h] += dy.data[(b * T + p) * H + h];
        });
      });
      dyG = new Tensor(d, layer.returnSequences ? [n, L, H] : [n, H]);
    }
    const dSG = dStates.map((ds) => (ds ? new Tensor(gatherRows(asTensor(ds, layer.dtype).data, g.rows, H), [n, H]) : null));
    const r = layer.backwardSeq(dyG, layer.returnState ? dSG : undefined, inputGrad);
    g.rows.forEach((b, ri) => {
      if (inputGrad) {
        let k = 0; // real steps got the compact rows' gradients in order; masked steps get none
        for (let t = 0; t < T; t++) {
          if (m.maskT.data[b * T + t] === 0) continue;
          const from = (ri * L + k++) * I;
          dx.set(r.dx.data.subarray(from, from + I), (b * T + t) * I);
        }
      }
      r.dInitialStates.forEach((d, j) => dInit[j].set(d.data.subarray(ri * H, (ri + 1) * H), b * H));
    });
  }
  return [inputGrad ? new Tensor(dx, [B, T, I]) : null, ...dInit.slice(0, graphStates).map((d) => new Tensor(d, [B, H]))];
}

