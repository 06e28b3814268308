/**
 * The GEMM's second thread, engine side: the control block both threads share, the loop the helper
 * thread runs (`serveGemmHelper`), and the calling thread's half of the hand-over (`GemmHelper`).
 * Starting the thread is the host's job (host.ts `gemmThread`; the Node kernel starts a worker_threads
 * Worker, src/kernel/gemmThread.ts) — the engine only uses WebAssembly and Atomics, which every host
 * with threads has.
 *
 * Both threads run the same GEMM module (wasm/gemmModule.ts, shared-memory form) on one shared
 * WebAssembly.Memory. gemm.ts copies a product's operands in as for one thread, posts the helper's
 * share (a gemmR / gemmC call over other rows or columns of C, its own packing buffer and tile
 * scratch), computes its own share, then waits for the helper: one Atomics.notify / Atomics.wait pair
 * per product. Each element of C is computed by one thread with the same instructions in the same
 * order as on one thread, so the results are bit-identical (gemm.ts says how it splits).
 *
 * A share is claimed before it is computed (compare-and-swap on CLAIM), by the helper when it wakes,
 * or — when the helper has not started it by the time the calling thread finished its own share (on
 * a machine whose other core is busy the helper may not run for milliseconds) — by the calling thread,
 * which then computes it itself instead of waiting: a product never takes much longer than on one
 * thread. A forced "threaded" run always waits, so every product takes the two-thread path.
 *
 * Control block (Int32Array on a SharedArrayBuffer), slot by slot:
 *   SEQ     number of the last product posted (the calling thread increments it, then notifies)
 *   DONE    number of the last product the helper finished (the helper stores it, then notifies)
 *   READY   1 once the helper has instantiated the module and waits for work
 *   STATUS  0 when the helper's last call returned, 1 when it threw (a trap)
 *   CLAIM   number of the last product whose helper share someone claimed (SEQ − 1 while unclaimed)
 *   FN      0 = gemmR, 1 = gemmC, 2 = an LSTM loop over some batch rows, 3 = a GRU (reset after) loop
 *   ARGS…   the call's arguments (up to 16; byte addresses and strides, see gemmModule.ts and `runLoopRows`)
 *
 * A recurrent loop (FN 2, 3) is the whole time loop of one layer for a range of batch rows: row b of
 * h_s depends only on row b of h_{s−1}, so each thread runs its rows through every timestep — product,
 * then gate step — with one hand-over per layer and pass instead of one per timestep.
 */
import { TILE_R } from "./wasm/gemmModule";

/**
 * What the host's thread receives (structured-cloneable: a Module, a shared Memory, a shared Int32Array).
 * Typed `object` where it holds WebAssembly objects: the engine's declarations are also the cells' typings,
 * whose libraries have no WebAssembly namespace.
 */
export interface GemmThreadStart {
  /** The compiled GEMM module (a WebAssembly.Module) in its shared-memory form: instantiate with { env: { memory } }. */
  readonly module: object;
  /** The shared WebAssembly.Memory. */
  readonly memory: object;
  /** The control block, CONTROL_INTS slots. */
  readonly control: Int32Array;
}

/** A running helper thread, as the host hands it back. */
/**
 * Called by the host when the thread ended on its own (it crashed): the engine stops posting to it.
 * Hosts whose event loop runs between products (the kernel: between cells and fit batches) report it
 * there; a thread that dies mid-product is caught by the calling thread's time-out instead.
 */
export type GemmThreadLost = (reason: string) => void;

export interface GemmThread {
  /**
   * Ends the thread. With a reason (it crashed or stopped answering), the host also tells the user
   * (the kernel: on stderr) that products run on one thread from now on.
   */
  stop(reason?: string): void;
}

/** Slots of the control block (see the header). */
export const SEQ = 0, DONE = 1, READY = 2, STATUS = 3, CLAIM = 4, FN = 5, ARGS = 6;
const ARG_COUNT = 16;
export const CONTROL_INTS = ARGS + ARG_COUNT;

/**
 * Loads of SEQ (helper) or DONE (caller) before sleeping in Atomics.wait. The recurrent step posts a
 * product every few tens of microseconds, and waking a sleeping thread costs about as much; a short
 * spin catches the next product without it. Bounded, so an idle kernel never burns a core.
 */
const SPIN = 2000;

type GemmCall = (...args: number[]) => void;

/** FN of the recurrent loops, forward and backward (see the header and `runLoopRows`). */
export const LOOP_LSTM = 2, LOOP_GRU = 3, LOOP_LSTM_BACK = 4, LOOP_GRU_BACK = 5;

/** The GEMM module's exports a recurrent loop calls. */
export interface LoopExports {
  gemmR: GemmCall;
  lstm: (rows: number, H: number, z: number, cPrev: number, act: number, cNext: number, tc: number, h: number) => void;
  gruAfter: (rows: number, H: number, z: number, rec: number, rb: number, hPrev: number, act: number, aux: number, hNext: number) => void;
  lstmBack: (rows: number, H: number, act: number, cPrev: number, tc: number, dhPrev: number, dy: number, dc: number, dz: number) => void;
  gruBack: (rows: number, H: number, act: number, hPrev: number, aux: number, dhPrev: number, dy: number, dzx: number, dzr: number) => void;
}

/**
 * Runs rows [r0, r0 + rows) of a batch of B through T timesteps of a recurrent layer whose buffers lie
 * in the module's memory (byte addresses, layouts as recurrent.ts: time-major, slot s of hs / cs at
 * s·B·H); U prepared at `u` (packed panels, gemm.ts prepareB); `tile` the thread's tile scratch.
 *   LOOP_LSTM args: T, B, r0, rows, H, zx, act, cs, aux, hs, u, tile
 *     per step s: zx[s] += h_{s−1}·U, then the gate step (pointwiseModule.ts lstm)
 *   LOOP_GRU args:  T, B, r0, rows, H, zx, act, aux, hs, rec, rb, zeros, u, tile
 *     per step s: rec = bR + h_{s−1}·U (the kernel starting from bR at rb; rb = 0: no recurrent bias), then
 *     the gate step (gruAfter) with the zeros at `zeros` as its bias — as gru.ts's step does
 * The same calls in the same order as the per-step path (recurrent.ts, gemmPrepared then pointwise.ts),
 * so the results are bit-identical to it and to any split of the rows.
 * Backward (BPTT, s = T−1 … 0), Uᵀ prepared at `ut` (G, H); dys = 0: no per-step output gradient
 * (the zeros at `zeros`, B·H, are added instead); dhPrev [B, H] holds ∂L/∂h_T on entry, ∂L/∂h_0 on exit:
 *   LOOP_LSTM_BACK args: T, B, r0, rows, H, act, cs, aux, dys, zeros, dhPrev, dc, dzx, ut, tile, norms
 *     per step: the gate step backward (lstmBack: dzx[s], dc in place), then dhPrev = dzx[s]·Uᵀ
 *   LOOP_GRU_BACK args:  T, B, r0, rows, H, act, hs, aux, dys, zeros, dhPrev, dzx, dzr, ut, tile, norms
 *     per step: gruBack (dzx[s], dzr[s], dhPrev = its direct part), then dhPrev += dzr[s]·Uᵀ
 *   norms ≠ 0: float64 [T, B, 2] at that (8-aligned) address, per step and row the sums of squares of
 *     the total ∂L/∂h_s and (LSTM) ∂L/∂c_s, as recurrent.ts's norm recording sums them (`squareSums`):
 *     per row, so any split of the rows leaves the same numbers for the caller to add up.
 * Rows are as independent in BPTT as forward, so any split of them gives the same numbers.
 */
export function runLoopRows(e: LoopExports, f32: () => Float32Array, fn: number, args: readonly number[]): void {
  const [T, B, r0, rows, H] = args;
  if (fn === LOOP_LSTM_BACK || fn === LOOP_GRU_BACK) {
    const [, , , , , act, states, aux, dys, zeros, dhPrev, d1, d2, ut, tile, norms] = args;
    const lstm = fn === LOOP_LSTM_BACK;
    const G = (lstm ? 4 : 3) * H, panels = Math.ceil(H / TILE_R.nr) * TILE_R.nr * 4;
    const dh = dhPrev + r0 * H * 4;
    // The memory does not grow during the loop: one view of each kind serves every step.
    const m = norms ? f32() : null;
    const n64 = m ? new Float64Array(m.buffer, norms, T * B * 2) : null;
    for (let s = T - 1; s >= 0; s--) {
      const row = s * B + r0, rowG = row * G * 4, rowH = row * H * 4;
      const dy = dys ? dys + rowH : zeros + r0 * H * 4;
      // Before the gate step, which overwrites dhPrev and dc in place.
      if (m && n64) squareSums(m, n64, row * 2, rows, H, dh, dy, lstm, act + rowG, aux + rowH, d1 + r0 * H * 4);
      // LSTM: d1 = dc [B, H], d2 = dzx; GRU: d1 = dzx, d2 = dzr (the operand of the recurrent product).
      if (lstm) e.lstmBack(rows, H, act + rowG, states + rowH, aux + rowH, dh, dy, d1 + r0 * H * 4, d2 + rowG);
      else e.gruBack(rows, H, act + rowG, states + rowH, aux + rowH, dh, dy, d1 + rowG, d2 + rowG);
      e.gemmR(rows, H, G, d2 + rowG, G * 4, 4, 0, panels, 4, dh, H * 4, lstm ? 0 : 1, ut, tile, 1);
    }
    return;
  }
  if (fn === LOOP_LSTM) {
    const [, , , , , zx, act, cs, aux, hs, u, tile] = args;
    const G = 4 * H, panels = Math.ceil(G / TILE_R.nr) * TILE_R.nr * 4;
    for (let s = 0; s < T; s++) {
      const row = s * B + r0, z = zx + row * G * 4;
      e.gemmR(rows, G, H, hs + row * H * 4, H * 4, 4, 0, panels, 4, z, G * 4, 1, u, tile, 1);
      e.lstm(rows, H, z, cs + row * H * 4, act + row * G * 4, cs + (row + B) * H * 4, aux + row * H * 4, hs + (row + B) * H * 4);
    }
    return;
  }
  const [, , , , , zx, act, aux, hs, rec, rb, zeros, u, tile] = args;
  const G = 3 * H, panels = Math.ceil(G / TILE_R.nr) * TILE_R.nr * 4;
  const recRows = rec + r0 * G * 4;
  for (let s = 0; s < T; s++) {
    const row = s * B + r0;
    // rec = bR + h·U: the kernel starts every row from bR (acc = 2), as the per-step path's product does.
    e.gemmR(rows, G, H, hs + row * H * 4, H * 4, 4, 0, panels, 4, recRows, G * 4, rb !== 0 ? 2 : 0, u, tile, 1, rb);
    e.gruAfter(rows, H, zx + row * G * 4, recRows, zeros, hs + row * H * 4, act + row * G * 4, aux + row * H * 4, hs + (row + B) * H * 4);
  }
}

/**
 * Per row of one backward step, into n64 from index `at` in pairs: Σ dh² with dh = dhPrev + dy (the
 * total ∂L/∂h_s, rounded to float32 as the per-step path's dh buffer holds it) and, for LSTM, Σ dc²
 * with dc = dcIn + dh·o·(1 − tc²) (the total ∂L/∂c_s of layers/lstm.ts backwardStep, computed as it
 * computes it: float64, rounded at the store). Addresses in bytes; squares of float32 values are exact
 * in float64, so only the order of the additions can differ from the per-step path's sum.
 */
function squareSums(m: Float32Array, n64: Float64Array, at: number, rows: number, H: number, dhPrev: number, dy: number,
                    lstm: boolean, act: number, tc: number, dcIn: number): void {
  const G4 = 4 * H;
  for (let i = 0; i < rows; i++) {
    const h0 = dhPrev / 4 + i * H, y0 = dy / 4 + i * H;
    let sh = 0, sc = 0;
    if (lstm) {
      const o0 = act / 4 + i * G4 + 3 * H, t0 = tc / 4 + i * H, c0 = dcIn / 4 + i * H;
      for (let j = 0; j < H; j++) {
        const dh = Math.fround(m[h0 + j] + m[y0 + j]);
        const tc = m[t0 + j];
        const dc = Math.fround(m[c0 + j] + dh * m[o0 + j] * (1 - tc * tc));
        sh += dh * dh;
        sc += dc * dc;
      }
    } else {
      for (let j = 0; j < H; j++) {
        const dh = Math.fround(m[h0 + j] + m[y0 + j]);
        sh += dh * dh;
      }
    }
    n64[at + 2 * i] = sh;
    n64[at + 2 * i + 1] = sc;
  }
}

/**
 * The helper thread's loop (never returns; the host ends the thread): waits for a posted product,
 * runs it on the shared memory, reports it done.
 */
export function serveGemmHelper(start: GemmThreadStart): void {
  const { module, memory, control } = start;
  const wasmMemory = memory as WebAssembly.Memory;
  const exports = new WebAssembly.Instance(module as WebAssembly.Module, { env: { memory: wasmMemory } }).exports;
  const calls = [exports.gemmR as GemmCall, exports.gemmC as GemmCall];
  const loops = exports as unknown as LoopExports;
  // A view of the whole memory as it is now (the calling thread may have grown it since the last call).
  let view = new Float32Array(wasmMemory.buffer);
  const f32 = (): Float32Array => (view.length * 4 === wasmMemory.buffer.byteLength ? view : (view = new Float32Array(wasmMemory.buffer)));
  const args: number[] = new Array<number>(ARG_COUNT).fill(0);
  let seen = Atomics.load(control, SEQ);
  Atomics.store(control, READY, 1);
  Atomics.notify(control, READY);
  for (;;) {
    for (let i = 0; i < SPIN && Atomics.load(control, SEQ) === seen; i++);
    Atomics.wait(control, SEQ, seen);
    const seq = Atomics.load(control, SEQ);
    if (seq === seen) continue;
    seen = seq;
    // The calling thread may have taken this share already (it did not wait for us).
    if (Atomics.compareExchange(control, CLAIM, (seq - 1) | 0, seq) !== ((seq - 1) | 0)) continue;
    for (let i = 0; i < ARG_COUNT; i++) args[i] = control[ARGS + i];
    let status = 0;
    try {
      const fn = control[FN];
      if (fn < LOOP_LSTM) calls[fn](...args);
      else runLoopRows(loops, f32, fn, args);
    } catch {
      // The caller runs this share again itself and gets the same trap as a one-thread run would.
      status = 1;
    }
    control[STATUS] = status;
    Atomics.store(control, DONE, seq);
    Atomics.notify(control, DONE);
  }
}

/** The calling thread's side of the hand-over. */
export class GemmHelper {
  private seq: number;

  constructor(private readonly control: Int32Array, readonly thread: GemmThread) {
    this.seq = Atomics.load(control, SEQ);
  }

  /** Whether the helper waits for work; blocks up to `waitMs` for it (0: just look). */
  ready(waitMs = 0): boolean {
    if (Atomics.load(this.control, READY) === 1) return true;
    if (waitMs > 0) Atomics.wait(this.control, READY, 0, waitMs);
    return Atomics.load(this.control, READY) === 1;
  }

  /** Posts one call: fn 0 = gemmR, 1 = gemmC (16 arguments), LOOP_LSTM or LOOP_GRU (`runLoopRows`). */
  post(fn: number, args: readonly number[]): void {
    const c = this.control;
    c[FN] = fn;
    for (let i = 0; i < ARG_COUNT; i++) c[ARGS + i] = args[i] ?? 0;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
  }

  /**
   * After the calling thread's own share: "mine" when the helper had not started the posted call and
   * `steal` let this thread claim it (run it here), else waits for it: "done", "trapped" (the helper's
   * call threw; run it here to get the error), or "timed-out" after `timeoutMs` (the helper died or
   * stalls mid-call).
   */
  finish(timeoutMs: number, steal: boolean): "done" | "mine" | "trapped" | "timed-out" {
    const c = this.control;
    if (steal && Atomics.compareExchange(c, CLAIM, (this.seq - 1) | 0, this.seq) === ((this.seq - 1) | 0)) return "mine";
    for (let i = 0; i < SPIN && Atomics.load(c, DONE) !== this.seq; i++);
    const until = now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(c, DONE);
      if (done === this.seq) return c[STATUS] === 0 ? "done" : "trapped";
      const left = until - now();
      if (left <= 0) return "timed-out";
      Atomics.wait(c, DONE, done, left);
    }
  }
}

/** Milliseconds from a monotonic clock where the host has one. */
export const now = (): number => (typeof performance === "object" ? performance.now() : Date.now());
