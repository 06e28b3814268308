/**
 * Fused per-timestep gate nonlinearities + state update on WASM SIMD, for the common case:
 * float32, recurrentActivation "sigmoid", activation "tanh", units a multiple of 4. Each function
 * returns false when it does not apply (or WASM SIMD is unavailable), and the cell then runs its own
 * TypeScript loop — which stays the reference the golden tests check both against.
 *
 * Dimension letters: B batch rows, H units; LSTM G = 4H (blocks i, f, g, o), GRU G = 3H (z, r, n).
 * Same memory discipline as gemm.ts: the step's inputs are copied into the module's memory with
 * TypeArray.set, outputs copied back; nothing is allocated per step except subarray views.
 */
import type { FloatArray } from "./tensor";
import { pointwiseModuleBytes } from "./wasm/pointwiseModule";

interface PointwiseKernel {
  memory: WebAssembly.Memory;
  f32: Float32Array;
  sigmoid: (n4: number, src: number, dst: number) => void;
  tanh: (n4: number, src: number, dst: number) => void;
  lstm: (rows: number, H: number, z: number, cPrev: number, act: number, cNext: number, tc: number, h: number) => void;
  gruAfter: (rows: number, H: number, z: number, rec: number, rb: number, hPrev: number, act: number, aux: number, hNext: number) => void;
}

let kernel: PointwiseKernel | null | undefined;
/** Off when a test run sets globalThis.RNN_FUSED_STEPS = "off" (scripts/bench/force-gemm.cjs), so the
 * engine suites can run on the cells' TypeScript loops too. */
let enabled = (globalThis as { RNN_FUSED_STEPS?: unknown }).RNN_FUSED_STEPS !== "off";

/** Turns the fused WASM steps on or off (tests compare both; off = the cells' TypeScript loops). */
export function setPointwiseEnabled(on: boolean): void {
  enabled = on;
}

/** Whether the fused WASM steps are available and enabled. */
export function pointwiseAvailable(): boolean {
  return enabled && pointwiseKernel() !== null;
}

function pointwiseKernel(): PointwiseKernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    if (typeof WebAssembly !== "object") return kernel;
    // Fused multiply-adds where the host has relaxed SIMD, as gemm.ts's module decides (so the per-step
    // path and the whole loops there compute the same bits).
    let bytes = pointwiseModuleBytes(4, true);
    if (!WebAssembly.validate(bytes)) bytes = pointwiseModuleBytes(4, false);
    if (!WebAssembly.validate(bytes)) return kernel;
    const e = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    const memory = e.memory as WebAssembly.Memory;
    kernel = {
      memory, f32: new Float32Array(memory.buffer),
      sigmoid: e.sigmoid as PointwiseKernel["sigmoid"], tanh: e.tanh as PointwiseKernel["tanh"],
      lstm: e.lstm as PointwiseKernel["lstm"], gruAfter: e.gruAfter as PointwiseKernel["gruAfter"],
    };
  } catch {
    kernel = null;
  }
  return kernel;
}

/** The kernel with at least `floats` floats of memory, or null when the fused path does not apply. */
function ready(floats: number, H: number): PointwiseKernel | null {
  if (!enabled || H % 4 !== 0) return null;
  const k = pointwiseKernel();
  if (!k) return null;
  if (floats * 4 > k.memory.buffer.byteLength) {
    k.memory.grow(Math.ceil((floats * 4 - k.memory.buffer.byteLength) / 65536));
    k.f32 = new Float32Array(k.memory.buffer);
  }
  return k;
}

const applies = (activation: string, recurrentActivation: string, ...arrays: FloatArray[]): boolean =>
  activation === "tanh" && recurrentActivation === "sigmoid" && arrays.every((a) => a instanceof Float32Array);

/**
 * One LSTM step for B rows: from z = x·W + h·U + b (zx[zOff …], rows of 4H) and c_{s−1}
 * (cs[prevOff …]) writes the activations i, f, g, o (act[zOff …]), c_s (cs[nextOff …]),
 * tanh(c_s) (aux[prevOff …]) and h_s (hs[nextOff …]) — the loop of lstm.ts's forwardStep.
 */
export function lstmStepForward(
  activation: string, recurrentActivation: string, B: number, H: number,
  zx: FloatArray, zOff: number,   // zx [B, 4H] at zOff
  act: FloatArray,                // act [B, 4H] at zOff
  cs: FloatArray, prevOff: number, nextOff: number, // c_{s−1}, c_s [B, H]
  aux: FloatArray,                // tanh(c_s) [B, H] at prevOff
  hs: FloatArray,                 // h_s [B, H] at nextOff
): boolean {
  if (!applies(activation, recurrentActivation, zx, act, cs, aux, hs)) return false;
  const BG = B * 4 * H, BH = B * H;
  // Layout in floats: z | act | cPrev | cNext | tc | h
  const zP = 0, aP = BG, cpP = 2 * BG, cnP = cpP + BH, tcP = cnP + BH, hP = tcP + BH;
  const k = ready(hP + BH, H);
  if (!k) return false;
  const m = k.f32;
  m.set((zx as Float32Array).subarray(zOff, zOff + BG), zP);
  m.set((cs as Float32Array).subarray(prevOff, prevOff + BH), cpP);
  k.lstm(B, H, zP * 4, cpP * 4, aP * 4, cnP * 4, tcP * 4, hP * 4);
  act.set(m.subarray(aP, aP + BG), zOff);
  cs.set(m.subarray(cnP, cnP + BH), nextOff);
  aux.set(m.subarray(tcP, tcP + BH), prevOff);
  hs.set(m.subarray(hP, hP + BH), nextOff);
  return true;
}

/**
 * One GRU (reset after) step for B rows: from zx[zOff …] (x·W + b, rows of 3H), rec (h·U, [B, 3H] at
 * 0), the recurrent bias rb ([3H] or null) and h_{s−1} (hs[prevOff …]) writes z, r, n
 * (act[zOff …]), h·U_n + bR_n (aux[prevOff …]) and h_s (hs[nextOff …]) — gru.ts's forwardStep loop.
 */
export function gruAfterStepForward(
  activation: string, recurrentActivation: string, B: number, H: number,
  zx: FloatArray, zOff: number,   // zx [B, 3H] at zOff
  rec: FloatArray,                // h_{s−1}·U [B, 3H] at 0
  rb: FloatArray | null,          // recurrent bias [3H]
  act: FloatArray,                // act [B, 3H] at zOff
  aux: FloatArray, hs: FloatArray, prevOff: number, nextOff: number, // aux [B,H] at prevOff; h_{s−1}, h_s
): boolean {
  if (!applies(activation, recurrentActivation, zx, rec, act, aux, hs) || (rb && !(rb instanceof Float32Array))) return false;
  const BG = B * 3 * H, BH = B * H, G = 3 * H;
  // Layout in floats: z | rec | act | rb | hPrev | aux | hNext
  const zP = 0, rP = BG, aP = 2 * BG, bP = 3 * BG, hpP = bP + G, auxP = hpP + BH, hnP = auxP + BH;
  const k = ready(hnP + BH, H);
  if (!k) return false;
  const m = k.f32;
  m.set((zx as Float32Array).subarray(zOff, zOff + BG), zP);
  m.set((rec as Float32Array).subarray(0, BG), rP);
  if (rb) m.set(rb as Float32Array, bP);
  else m.fill(0, bP, bP + G);
  m.set((hs as Float32Array).subarray(prevOff, prevOff + BH), hpP);
  k.gruAfter(B, H, zP * 4, rP * 4, bP * 4, hpP * 4, aP * 4, auxP * 4, hnP * 4);
  act.set(m.subarray(aP, aP + BG), zOff);
  aux.set(m.subarray(auxP, auxP + BH), prevOff);
  hs.set(m.subarray(hnP, hnP + BH), nextOff);
  return true;
}

/** Vectorised sigmoid / tanh of x (length a multiple of 4) — exposed for the accuracy tests. */
export function mapActivation(name: "sigmoid" | "tanh", x: Float32Array): Float32Array | null {
  if (x.length % 4 !== 0) return null;
  const k = ready(2 * x.length, 4);
  if (!k) return null;
  k.f32.set(x, 0);
  k[name](x.length / 4, 0, x.length * 4);
  return k.f32.slice(x.length, 2 * x.length);
}
