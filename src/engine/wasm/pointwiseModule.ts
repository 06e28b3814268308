/**
 * WebAssembly SIMD module for the per-timestep gate nonlinearities and state updates: the
 * part of a recurrent step that is not a GEMM. In TypeScript it costs one Math.exp / Math.tanh call
 * (~20–30 ns) per gate element and dominates medium-sized LSTMs; here four lanes share one
 * polynomial exp.
 *
 * exp(x), per lane (Cody & Waite range reduction, as in Cephes expf):
 *   x clamped to [−87.3, 88.3] so 2ⁿ below stays a normal float;
 *   n = round(x·log2 e), r = x − n·C1 − n·C2 with C1 + C2 = ln 2 split so n·C1 is exact (|r| ≤ ln2/2);
 *   e^r by its Taylor polynomial to degree 7 (truncation error < r⁸/8! ≈ 5e-9 relative);
 *   2ⁿ built in the exponent bits: ((n + 127) << 23) reinterpreted as f32.
 * sigmoid(x) = 1 / (1 + exp(−x));  tanh(x) = 2·sigmoid(2x) − 1 (absolute error ~1e-7 near 0, which
 * is what float32 storage keeps anyway).
 *
 * Functions (byte addresses; H a multiple of 4, which the TypeScript side checks):
 *   lstm(rows, H, z, cPrev, act, cNext, tc, h)       z, act rows of 4H [i f g o]; others rows of H
 *   gruAfter(rows, H, z, rec, rb, hPrev, act, aux, hNext)   z, rec, act rows of 3H [z r n]; rb 3H
 *   sigmoid(n4, src, dst), tanh(n4, src, dst)         n4 groups of 4 floats (for tests)
 */
import { encodeModule, FunctionBuilder, I32, V128 } from "./emit";

const LOG2E = 1.4426950408889634;
const C1 = 0.693359375;          // ln 2 high part (exact in f32, n·C1 exact for |n| < 2^15)
const C2 = -2.12194440e-4;       // ln 2 − C1
/**
 * 1.5·2²³: for |y| < 2²², y + ROUNDER rounds y to an integer n (the float's ulp there is 1) and holds
 * it as ROUNDER's bits + n; ((bits + 127) << 23) is then 2ⁿ's bits, ROUNDER's own bits shifting out.
 */
const ROUNDER = 12582912;

/** Locals used by the exp sequence (SSA-renamed by the compiler, so sharing them adds no dependencies). */
interface ExpTemps {
  k: number; n: number; r: number; r2: number; lo: number; hi: number;
  /** Multiply-adds as f32x4.relaxed_madd (one fused instruction where the host has FMA). */
  fma: boolean;
}

/** Fresh temps for emitExp. */
function expTemps(f: FunctionBuilder, fma: boolean): ExpTemps {
  return { k: f.local(V128), n: f.local(V128), r: f.local(V128), r2: f.local(V128), lo: f.local(V128), hi: f.local(V128), fma };
}

/**
 * Pops x (v128) and pushes exp(x). The polynomial is evaluated in Estrin's form,
 * (1 + r) + r²(1/2 + r/6) + r⁴((1/24 + r/120) + r²(1/720 + r/5040)), whose dependency chain is half
 * as long as Horner's — the gate step is latency-bound, not throughput-bound.
 */
function emitExp(f: FunctionBuilder, xLocal: number, t: ExpTemps): void {
  // a·b + c with a on the stack and b, c pushed by `b` and `c`: one relaxed_madd with fma (a third
  // fewer instructions in this sequence), else a multiply rounded before the add.
  const madd = (b: () => void, c: () => void) => {
    if (t.fma) { b(); c(); f.f32x4RelaxedMadd(); } else { b(); f.f32x4Mul(); c(); f.f32x4Add(); }
  };
  const pair = (c0: number, c1: number) => { f.get(t.r); madd(() => f.f32x4Const(c1), () => f.f32x4Const(c0)); };
  f.set(xLocal);
  f.get(xLocal).f32x4Const(88.3).f32x4Min().f32x4Const(-87.3).f32x4Max().set(xLocal);
  // n = round(x·log2 e) by adding ROUNDER (ties to even, as f32x4.nearest); k keeps n in its low
  // mantissa bits, so 2ⁿ below is an integer add and shift instead of a float → int conversion.
  f.get(xLocal); madd(() => f.f32x4Const(LOG2E), () => f.f32x4Const(ROUNDER)); f.set(t.k);
  f.get(t.k).f32x4Const(ROUNDER).f32x4Sub().set(t.n);
  // r = x − n·C1 − n·C2
  f.get(t.n); madd(() => f.f32x4Const(-C1), () => f.get(xLocal));
  f.set(t.r).get(t.n); madd(() => f.f32x4Const(-C2), () => f.get(t.r)); f.set(t.r);
  f.get(t.r).get(t.r).f32x4Mul().set(t.r2);
  // lo = (1 + r) + r²(1/2 + r/6);  hi = (1/24 + r/120) + r²(1/720 + r/5040)
  f.get(t.r2); madd(() => pair(1 / 2, 1 / 6), () => pair(1, 1)); f.set(t.lo);
  f.get(t.r2); madd(() => pair(1 / 720, 1 / 5040), () => pair(1 / 24, 1 / 120)); f.set(t.hi);
  // 2ⁿ as bits × (lo + r⁴·hi)
  f.get(t.k).i32x4Const(127).i32x4Add().i32(23).i32x4Shl();
  f.get(t.r2).get(t.r2).f32x4Mul(); madd(() => f.get(t.hi), () => f.get(t.lo));
  f.f32x4Mul();
}

/** Pops x, pushes sigmoid(x) = 1 / (1 + exp(−x)). */
function emitSigmoid(f: FunctionBuilder, xLocal: number, t: ExpTemps): void {
  f.set(xLocal);
  f.f32x4Const(1);
  f.get(xLocal).f32x4Neg();
  emitExp(f, xLocal, t);
  f.f32x4Const(1).f32x4Add().f32x4Div();
}

/** Pops x, pushes tanh(x) = 2·sigmoid(2x) − 1. */
function emitTanh(f: FunctionBuilder, xLocal: number, t: ExpTemps): void {
  f.set(xLocal);
  f.f32x4Const(2);
  f.f32x4Const(-2).get(xLocal).f32x4Mul();
  emitExp(f, xLocal, t);
  f.f32x4Const(1).f32x4Add().f32x4Div().f32x4Const(1).f32x4Sub();
}

/** `name(n4, src, dst)`: dst[i] = fn(src[i]) for 4·n4 floats. */
function mapFunction(name: string, emit: (f: FunctionBuilder, x: number, t: ExpTemps) => void, fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder(name, [I32, I32, I32]);
  const [n4, src, dst] = [0, 1, 2];
  const x = f.local(V128), t = expTemps(f, fma);
  f.block().loop();
  f.get(n4).i32Eqz().brIf(1);
  f.get(dst).get(src).v128Load();
  emit(f, x, t);
  f.v128Store();
  f.get(src).i32(16).i32Add().set(src);
  f.get(dst).i32(16).i32Add().set(dst);
  f.get(n4).i32(1).i32Sub().set(n4);
  f.br(0).end().end();
  return f;
}

/**
 * Emits a row loop whose inner loop over units runs `body(offset, lane)` for 4 units at byte offset
 * `offset` from the step pointers; when H is a multiple of 8 it runs two independent bodies per
 * iteration (lane 0 at +0, lane 1 at +16) so the two exp chains overlap. `pointers` advance with j;
 * `rowSkip` pointers also jump over the other gate blocks at the end of a row.
 */
function unitLoops(f: FunctionBuilder, rows: number, H: number, pointers: number[], rowSkip: number[], gateSkip: number,
                   body: (offset: number, lane: number) => void, rowBegin?: () => void): void {
  const j = f.local(I32);
  const inner = (lanes: number) => {
    f.get(H).set(j);
    f.loop();
    for (let lane = 0; lane < lanes; lane++) body(16 * lane, lane);
    for (const p of pointers) f.get(p).i32(16 * lanes).i32Add().set(p);
    f.get(j).i32(4 * lanes).i32Sub().tee(j).brIf(0);
    f.end();
  };
  f.block().loop();
  f.get(rows).i32Eqz().brIf(1);
  rowBegin?.();
  f.get(H).i32(7).i32And().i32Eqz().if();
  inner(2);
  f.else();
  inner(1);
  f.end();
  for (const p of rowSkip) f.get(p).get(gateSkip).i32Add().set(p);
  f.get(rows).i32(1).i32Sub().set(rows);
  f.br(0).end().end();
}

/**
 * LSTM step, per row b and 4 units j at a time (gate blocks i, f, g, o; σ = sigmoid, act = tanh):
 *   i, f, g, o = σ(z_i), σ(z_f), tanh(z_g), σ(z_o) → act;  c = f·cPrev + i·g → cNext;
 *   tc = tanh(c) → tc;  h = o·tc → h.
 */
export function lstmFunction(fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder("lstm", [I32, I32, I32, I32, I32, I32, I32, I32]);
  const [rows, H, z, cPrev, act, cNext, tc, h] = [0, 1, 2, 3, 4, 5, 6, 7];
  const hb = f.local(I32), gateSkip = f.local(I32);
  const lanes = [0, 1].map(() => ({
    x: f.local(V128), t: expTemps(f, fma),
    vi: f.local(V128), vf: f.local(V128), vg: f.local(V128), vo: f.local(V128), vc: f.local(V128),
  }));
  f.get(H).i32(4).i32Mul().set(hb);                 // bytes per gate block
  f.get(hb).i32(3).i32Mul().set(gateSkip);          // skip f, g, o blocks at the end of a row
  unitLoops(f, rows, H, [z, act, cPrev, cNext, tc, h], [z, act], gateSkip, (o, lane) => {
    const { x, t, vi, vf, vg, vo, vc } = lanes[lane];
    const gate = (k: number, into: number, fn: typeof emitSigmoid) => {
      f.get(z);
      if (k > 0) f.get(hb).i32(k).i32Mul().i32Add();
      f.v128Load(o);
      fn(f, x, t);
      f.set(into);
      f.get(act);
      if (k > 0) f.get(hb).i32(k).i32Mul().i32Add();
      f.get(into).v128Store(o);
    };
    gate(0, vi, emitSigmoid);
    gate(1, vf, emitSigmoid);
    gate(2, vg, emitTanh);
    gate(3, vo, emitSigmoid);
    f.get(vf).get(cPrev).v128Load(o).f32x4Mul().get(vi).get(vg).f32x4Mul().f32x4Add().set(vc);
    f.get(cNext).get(vc).v128Store(o);
    f.get(vc);
    emitTanh(f, x, t);
    f.set(vc);
    f.get(tc).get(vc).v128Store(o);
    f.get(h).get(vo).get(vc).f32x4Mul().v128Store(o);
  });
  return f;
}

/**
 * GRU step with the reset gate after the recurrent product (blocks z, r, n):
 *   z = σ(zx_z + rec_z + rb_z), r = σ(zx_r + rec_r + rb_r), rn = rec_n + rb_n → aux,
 *   n = tanh(zx_n + r·rn), h = z·hPrev + (1 − z)·n.
 * The bias pointer pb advances with the units and restarts at rb for every row.
 */
export function gruAfterFunction(fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder("gruAfter", [I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [rows, H, z, rec, rb, hPrev, act, aux, hNext] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const hb = f.local(I32), gateSkip = f.local(I32), pb = f.local(I32);
  const lanes = [0, 1].map(() => ({
    x: f.local(V128), t: expTemps(f, fma), vz: f.local(V128), vr: f.local(V128), vn: f.local(V128), rn: f.local(V128),
  }));
  f.get(H).i32(4).i32Mul().set(hb);
  f.get(hb).i32(2).i32Mul().set(gateSkip);
  unitLoops(f, rows, H, [z, rec, pb, act, aux, hPrev, hNext], [z, rec, act], gateSkip, (o, lane) => {
    const { x, t, vz, vr, vn, rn } = lanes[lane];
    const at = (base: number, k: number) => { f.get(base); if (k > 0) f.get(hb).i32(k).i32Mul().i32Add(); };
    const pre = (k: number) => {
      at(z, k); f.v128Load(o);
      at(rec, k); f.v128Load(o); f.f32x4Add();
      at(pb, k); f.v128Load(o); f.f32x4Add();
    };
    pre(0); emitSigmoid(f, x, t); f.set(vz);
    pre(1); emitSigmoid(f, x, t); f.set(vr);
    at(rec, 2); f.v128Load(o); at(pb, 2); f.v128Load(o); f.f32x4Add().set(rn);
    at(z, 2); f.v128Load(o); f.get(vr).get(rn).f32x4Mul().f32x4Add();
    emitTanh(f, x, t); f.set(vn);
    at(act, 0); f.get(vz).v128Store(o);
    at(act, 1); f.get(vr).v128Store(o);
    at(act, 2); f.get(vn).v128Store(o);
    f.get(aux).get(rn).v128Store(o);
    // h = n + z·(hPrev − n)  (= z·hPrev + (1 − z)·n)
    f.get(hNext).get(vn).get(vz).get(hPrev).v128Load(o).get(vn).f32x4Sub().f32x4Mul().f32x4Add().v128Store(o);
  }, () => f.get(rb).set(pb));
  return f;
}

/**
 * Locals hb = bytes of one gate block (4H) and gateSkip = bytes of the other `skipBlocks` blocks a
 * G-wide row pointer jumps at the end of a row (unitLoops).
 */
function gateBlocks(f: FunctionBuilder, H: number, skipBlocks: number): { hb: number; gateSkip: number } {
  const hb = f.local(I32), gateSkip = f.local(I32);
  f.get(H).i32(4).i32Mul().set(hb);
  f.get(hb).i32(skipBlocks).i32Mul().set(gateSkip);
  return { hb, gateSkip };
}

/** Pushes the address of gate block k of a G-wide row: base + k·hb. */
function gateAt(f: FunctionBuilder, base: number, hb: number, k: number): void {
  f.get(base);
  if (k > 0) f.get(hb).i32(k).i32Mul().i32Add();
}

/** n fresh v128 locals. */
const vectors = (f: FunctionBuilder, n: number): number[] => Array.from({ length: n }, () => f.local(V128));

/** Pushes σ′ from σ's output y: y·(1 − y). */
function sigmoidGradFromOutput(f: FunctionBuilder, y: number): void {
  f.get(y).f32x4Const(1).get(y).f32x4Sub().f32x4Mul();
}

/**
 * LSTM step backward, per row b and 4 units j at a time (lstm.ts backwardStep with σ′(y) = y(1 − y),
 * tanh′(y) = 1 − y², in float32): dh = dhPrev + dy (the incoming ∂L/∂h_s);
 *   dc = dc + dh·o·(1 − tc²);  dz = [dc·g·σ′(i), dc·cPrev·σ′(f), dc·i·tanh′(g), dh·tc·σ′(o)] → dz;
 *   dc·f → dc (in place: ∂L/∂c_{s−1}).
 */
export function lstmBackFunction(): FunctionBuilder {
  const f = new FunctionBuilder("lstmBack", [I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [rows, H, act, cPrev, tc, dhPrev, dy, dc, dz] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const { hb, gateSkip } = gateBlocks(f, H, 3);
  const lanes = [vectors(f, 7), vectors(f, 7)];
  const at = (base: number, k: number) => gateAt(f, base, hb, k);
  unitLoops(f, rows, H, [act, dz, cPrev, tc, dhPrev, dy, dc], [act, dz], gateSkip, (o, lane) => {
    // i, f, g, o; tc; the incoming dh; dc
    const [vi, vf, vg, vo, vt, vh, vc] = lanes[lane];
    const sigmoidGrad = (y: number) => sigmoidGradFromOutput(f, y);
    [vi, vf, vg, vo].forEach((v, k) => { at(act, k); f.v128Load(o).set(v); });
    f.get(tc).v128Load(o).set(vt);
    f.get(dhPrev).v128Load(o).get(dy).v128Load(o).f32x4Add().set(vh);
    // dc = dc + dh·o·(1 − tc²)
    f.get(dc).v128Load(o).get(vh).get(vo).f32x4Mul().f32x4Const(1).get(vt).get(vt).f32x4Mul().f32x4Sub().f32x4Mul().f32x4Add().set(vc);
    at(dz, 0); f.get(vc).get(vg).f32x4Mul(); sigmoidGrad(vi); f.f32x4Mul().v128Store(o);
    at(dz, 1); f.get(vc).get(cPrev).v128Load(o).f32x4Mul(); sigmoidGrad(vf); f.f32x4Mul().v128Store(o);
    at(dz, 2); f.get(vc).get(vi).f32x4Mul().f32x4Const(1).get(vg).get(vg).f32x4Mul().f32x4Sub().f32x4Mul().v128Store(o);
    at(dz, 3); f.get(vh).get(vt).f32x4Mul(); sigmoidGrad(vo); f.f32x4Mul().v128Store(o);
    f.get(dc).get(vc).get(vf).f32x4Mul().v128Store(o);
  });
  return f;
}

/**
 * GRU (reset after) step backward, per row b and 4 units j (gru.ts backwardStep, float32):
 * dh = dhPrev + dy; dn = dh·(1 − z)·tanh′(n); dz = dh·(hPrev − n)·σ′(z); dr = dn·rn·σ′(r) (rn = aux);
 *   [dz, dr, dn] → dzx;  [dz, dr, dn·r] → dzr;  dh·z → dhPrev (in place: the direct part of ∂L/∂h_{s−1}).
 */
export function gruBackFunction(): FunctionBuilder {
  const f = new FunctionBuilder("gruBack", [I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [rows, H, act, hPrev, aux, dhPrev, dy, dzx, dzr] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const { hb, gateSkip } = gateBlocks(f, H, 2);
  const lanes = [vectors(f, 7), vectors(f, 7)];
  unitLoops(f, rows, H, [act, dzx, dzr, hPrev, aux, dhPrev, dy], [act, dzx, dzr], gateSkip, (o, lane) => {
    // z, r, n; the incoming dh; the pre-activation gradients of n, z, r
    const [vz, vr, vn, vh, dn, dzv, dr] = lanes[lane];
    const at = (base: number, k: number) => gateAt(f, base, hb, k);
    const sigmoidGrad = (y: number) => sigmoidGradFromOutput(f, y);
    [vz, vr, vn].forEach((v, k) => { at(act, k); f.v128Load(o).set(v); });
    f.get(dhPrev).v128Load(o).get(dy).v128Load(o).f32x4Add().set(vh);
    f.get(vh).f32x4Const(1).get(vz).f32x4Sub().f32x4Mul().f32x4Const(1).get(vn).get(vn).f32x4Mul().f32x4Sub().f32x4Mul().set(dn);
    f.get(vh).get(hPrev).v128Load(o).get(vn).f32x4Sub().f32x4Mul(); sigmoidGrad(vz); f.f32x4Mul().set(dzv);
    f.get(dn).get(aux).v128Load(o).f32x4Mul(); sigmoidGrad(vr); f.f32x4Mul().set(dr);
    for (const [base, last] of [[dzx, dn], [dzr, -1]] as const) {
      at(base, 0); f.get(dzv).v128Store(o);
      at(base, 1); f.get(dr).v128Store(o);
      at(base, 2);
      if (last >= 0) f.get(last); else f.get(dn).get(vr).f32x4Mul();
      f.v128Store(o);
    }
    f.get(dhPrev).get(vh).get(vz).f32x4Mul().v128Store(o);
  });
  return f;
}

/** The module's bytes: exports memory, sigmoid, tanh, lstm, gruAfter. */
export function pointwiseModuleBytes(initialPages: number, fma: boolean): Uint8Array<ArrayBuffer> {
  const fns = [mapFunction("sigmoid", emitSigmoid, fma), mapFunction("tanh", emitTanh, fma), lstmFunction(fma), gruAfterFunction(fma)];
  return encodeModule(fns, initialPages);
}
