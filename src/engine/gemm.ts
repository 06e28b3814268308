/**
 * Fast GEMM for the engine: the three orientations of ops.ts with the same signatures,
 * dispatched to a WebAssembly SIMD kernel (wasm/gemmModule.ts, emitted from TypeScript at run time;
 * with fused multiply-adds where the host supports relaxed SIMD)
 * for float32 products big enough to amortise the copies, and to a register-blocked TypeScript kernel
 * for everything else: float64 (gradient checks), tiny products, and hosts without WASM SIMD.
 *
 * Dimension letters: M rows of C, N columns of C, K the summed dimension.
 *   gemmNN  C[M,N] (+)= A[M,K]  · B[K,N]
 *   gemmNT  C[M,N] (+)= A[M,K]  · B[N,K]ᵀ
 *   gemmTN  C[M,N] (+)= A[K,M]ᵀ · B[K,N]
 * "Leading dimension" = distance between rows in elements (≥ the used row length).
 *
 * The WASM kernel works in its own linear memory: each call copies the spans of A, B (and C when it
 * is accumulated into or has gaps between rows) in with TypedArray.set (a memcpy), computes, and
 * copies C's span back. For the recurrent step's products (M = batch rows) the copies are ~1/M of the
 * arithmetic; the numbers are in the README's Performance section. A B operand used by many products
 * in a row (the recurrent kernel U, every timestep) can be prepared once (`prepareB`): copied and
 * packed into WASM memory on first use, after which each `gemmPrepared` copies only A and C.
 *
 * Two threads: when the host gives a second thread (host.ts `gemmThread`; the Node kernel does), the
 * WASM memory is a shared one and products of at least THREAD_MIN_MACS multiply-adds are split between
 * the calling thread and the helper (gemmThread.ts) — by columns of C at a panel boundary when C has
 * few rows (a recurrent step: M = batch) or B is prepared, by rows of C otherwise (the input
 * projection over all timesteps, the weight gradients). Either way each element of C is summed by one
 * thread in the same order as on one thread: the results are bit-identical to the one-thread path.
 */
import type { FloatArray } from "./tensor";
import { host } from "./host";
import {
  CONTROL_INTS, GemmHelper, LOOP_GRU, LOOP_GRU_BACK, LOOP_LSTM, LOOP_LSTM_BACK, now, runLoopRows,
  type GemmThread, type GemmThreadLost, type GemmThreadStart, type LoopExports,
} from "./gemmThread";
import { gemmModuleBytes, KC, MC, NR_MAX, TILE_R } from "./wasm/gemmModule";

export type GemmBackend = "auto" | "wasm" | "threaded" | "js";

/** Products with fewer multiply-adds than this stay in TypeScript (call + copy overhead). */
const WASM_MIN_MACS = 2048;
/**
 * Products with fewer multiply-adds than this stay on one thread under "auto". Waking the sleeping
 * helper took ~35 µs on the benchmark machine (2-core VM, load 4–6), so a split pays only when half the
 * product takes longer: a recurrent step's product C (32, 4H) = A (32, H)·U, one thread vs two
 * (scripts/bench/threads.mjs crossover, interleaved): H = 48 (295 K multiply-adds) 14.0 vs 15.8 µs,
 * H = 64 (524 K) 23.6 vs 21.8 µs, H = 128 (2.1 M) 89 vs 60 µs, H = 512 (33.5 M) 1754 vs 950 µs.
 * 1 M keeps the textbook workload's products (at most 655 K: its input projection and weight
 * gradients over T·B = 640 rows) on one thread, where the gain was nil, and splits every medium one.
 */
const THREAD_MIN_MACS = 1 << 20;
/** The shared memory's maximum (a shared memory must declare one): 4 GiB, wasm32's whole address space. */
const SHARED_MAX_PAGES = 65536;
/**
 * The longest the calling thread waits for the helper's share beyond HELPER_WAIT_FACTOR times its own
 * share's time; past it the helper counts as dead (it crashed, or the host stopped it) and the product
 * and every later one run on one thread.
 */
const HELPER_TIMEOUT_MS = 2000;
const HELPER_WAIT_FACTOR = 50;
/**
 * After MISSES_BEFORE_REST products in a row where the helper did not run beside this thread — it had
 * not started its share when this thread finished its own, or finished it more than half this thread's
 * time later (it ran after us, on the same core) — "auto" runs the next REST_PRODUCTS eligible products
 * on one thread: when the other core is busy with other work, a helper only costs system calls and time
 * slices of our own thread (measured at load 4 on the 2-core benchmark machine: two threads 10–40%
 * slower than one before this rule).
 */
const MISSES_BEFORE_REST = 4;
const REST_PRODUCTS = 64;

/**
 * Initial backend. A test run can force one path for every bundle in the process by setting
 * `globalThis.RNN_GEMM_BACKEND` before the engine loads (scripts/bench/force-gemm.cjs does it from
 * the environment), so the golden and gradient-check suites run on every kernel unchanged. A forced
 * "threaded" run also needs a thread: `globalThis.RNN_GEMM_THREAD`, a host `gemmThread` function for
 * bundles whose host gives none (the unit tests have no kernel).
 */
function initialBackend(): GemmBackend {
  const forced = (globalThis as { RNN_GEMM_BACKEND?: unknown }).RNN_GEMM_BACKEND;
  return forced === "wasm" || forced === "js" || forced === "threaded" ? forced : "auto";
}

type ThreadSource = (start: GemmThreadStart, lost: GemmThreadLost) => GemmThread | undefined;

/** Where a helper thread comes from: the host, else a test run's forced source, else nowhere. */
function threadSource(): ThreadSource | undefined {
  const h = host();
  if (h.gemmThread) return (start, lost) => h.gemmThread?.(start, lost);
  const forced = (globalThis as { RNN_GEMM_THREAD?: unknown }).RNN_GEMM_THREAD;
  return typeof forced === "function" ? (forced as ThreadSource) : undefined;
}

let backend: GemmBackend = initialBackend();

/**
 * Chooses the GEMM implementation: "auto" (default: WASM SIMD for float32 when available and the
 * product is big enough, on two threads when the host gives one and the product is bigger still),
 * "wasm" (WASM for every float32 product, one thread; falls back to TS if unavailable), "threaded"
 * (as "wasm", and every product with two panels or two rows split with the helper thread when there
 * is one) or "js" (the TypeScript kernel only). Tests use it to check every path gives the same results.
 */
export function setGemmBackend(b: GemmBackend): void {
  backend = b;
}

/**
 * Which kernel float32 products use right now, and why; `threads` is 2 while a helper thread serves
 * products, `splitProducts` counts the products (and recurrent loops) it took a share of, `wholeLoops`
 * the recurrent loops run as a whole in WASM (`recurrentLoop`, `recurrentLoopBackward`).
 */
export function gemmInfo(): {
  backend: GemmBackend; wasmSimd: boolean; fma: boolean; threads: 1 | 2; splitProducts: number; wholeLoops: number; reason?: string;
} {
  const w = wasmKernel();
  return {
    backend, wasmSimd: w !== null, fma: w !== null && wasmFma, threads: helper?.ready() ? 2 : 1, splitProducts, wholeLoops,
    reason: w === null ? wasmFailure : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// WebAssembly kernel instance.

type GemmExport = (m: number, n: number, k: number, a: number, as0: number, as1: number, b: number, bs0: number, bs1: number,
  c: number, ldc: number, acc: number, bp: number, tile: number, pre: number, bias: number) => void;
type PackExport = (kc: number, n: number, src: number, bs0: number, bs1: number, dst: number) => void;

interface WasmKernel {
  memory: WebAssembly.Memory;
  /** The compiled module, when the memory is shared (a helper thread instantiates it on the same memory). */
  shared: WebAssembly.Module | null;
  /** Row-major A (A·B, A·Bᵀ) and column-major A (Aᵀ·B). */
  gemmR: GemmExport;
  gemmC: GemmExport;
  /** Packs KC rows of a strided B into gemmR's NR-column panels. */
  packR: PackExport;
  /** out[N] += Σ rows of a row-major B (K,N): colSums(n, k, b, bs0, out), byte addresses. */
  colSums: (n: number, k: number, b: number, bs0: number, out: number) => void;
  /** gemmR and the fused gate steps, for a recurrent loop on this thread (gemmThread.ts runLoopRows). */
  loops: LoopExports;
  /** Float32 view of memory; replaced after every grow (growing detaches the old buffer). */
  f32: Float32Array;
}

let wasm: WasmKernel | null | undefined;
let wasmFailure = "";
let wasmFma = false;
/** The helper thread while it serves products; undefined before the first try, null without one. */
let helper: GemmHelper | null | undefined;
let splitProducts = 0;
let wholeLoops = 0;
/** Products in a row the helper did not run beside us, and eligible products left to run on one thread (MISSES_BEFORE_REST). */
let misses = 0;
let rest = 0;

function wasmKernel(): WasmKernel | null {
  if (wasm !== undefined) return wasm;
  wasm = null;
  try {
    if (typeof WebAssembly !== "object") throw new Error("no WebAssembly");
    // Shared memory only when a second thread may come (it costs nothing else, but a browser page
    // without cross-origin isolation has no SharedArrayBuffer to make it from).
    const sharedMax = helper !== null && typeof SharedArrayBuffer === "function" && threadSource() ? SHARED_MAX_PAGES : undefined;
    // Fused multiply-adds when the host has relaxed SIMD, else baseline SIMD.
    let bytes = gemmModuleBytes(32, true, sharedMax);
    wasmFma = WebAssembly.validate(bytes);
    if (!wasmFma) bytes = gemmModuleBytes(32, false, sharedMax);
    if (!WebAssembly.validate(bytes)) throw new Error("WASM SIMD not supported by this host");
    // Synchronous compile: the module is ~1.6 KB, under every host's main-thread limit.
    const module = new WebAssembly.Module(bytes);
    const imports: WebAssembly.Imports = sharedMax ? { env: { memory: new WebAssembly.Memory({ initial: 32, maximum: sharedMax, shared: true }) } } : {};
    const instance = new WebAssembly.Instance(module, imports);
    const memory = instance.exports.memory as WebAssembly.Memory;
    wasm = {
      memory, shared: sharedMax ? module : null, f32: new Float32Array(memory.buffer),
      gemmR: instance.exports.gemmR as GemmExport, gemmC: instance.exports.gemmC as GemmExport,
      packR: instance.exports.packR as PackExport,
      colSums: instance.exports.colSums as WasmKernel["colSums"],
      loops: instance.exports as unknown as LoopExports,
    };
  } catch (e) {
    wasmFailure = e instanceof Error ? e.message : String(e);
  }
  return wasm;
}

/** Rounds a float index up to a 16-byte boundary (4 floats). */
const align4 = (x: number): number => (x + 3) & ~3;

/**
 * Floats at the start of memory for the micro-kernel's partial-tile scratch (MR·NR ≤ 128): the
 * calling thread's at 0, the helper thread's at HELPER_TILE.
 */
const TILE_FLOATS = 256;
const HELPER_TILE = 128;
/**
 * End (in floats) of the region holding prepared B operands, which lie between the tile scratch and
 * the per-call scratch; per-call layouts start here.
 */
let pinnedTop = TILE_FLOATS;
/** Prepared operands holding memory, in allocation order (freed from the top, see `releaseB`). */
const pinned: PreparedB[] = [];

/** Grows memory to at least `floats` floats (plus a margin the kernels may over-read, never store). */
function ensureFloats(w: WasmKernel, floats: number): void {
  const need = (floats + 16) * 4;
  if (need > w.memory.buffer.byteLength) {
    w.memory.grow(Math.ceil((need - w.memory.buffer.byteLength) / 65536));
    w.f32 = new Float32Array(w.memory.buffer);
  }
}

/**
 * C (M,N) (+)= A·B through the WASM kernel, where A(i,p) = a[aOff + i·as0 + p·as1] and
 * B(p,j) = b[bOff + p·bs0 + j·bs1] (element strides). aSpan / bSpan: elements from aOff / bOff
 * covering every element read.
 */
function gemmWasm(
  w: WasmKernel, m: number, n: number, k: number,
  a: Float32Array, aOff: number, as0: number, as1: number, aSpan: number,
  b: Float32Array, bOff: number, bs0: number, bs1: number, bSpan: number,
  c: Float32Array, cOff: number, ldc: number, accumulate: boolean,
  bias: Float32Array | null = null, biasOff = 0,
  bSums: Float32Array | null = null, bSumsOff = 0,
): void {
  // Layout in floats: tiles (2 × MR·NR ≤ 128) | prepared operands | packed B (KC·⌈N/NR⌉·NR) | the
  // helper thread's packed B (shared memory only) | A span | B span | C span | column sums of B (N, with bSums).
  const { bp, bp2, aPos, bPos, end } = operandLayout(w, pinnedTop, n, k, aSpan);
  const cPos = align4(end + bSpan);
  const cSpan = (m - 1) * ldc + n;
  const sPos = align4(cPos + cSpan);
  // The bias row (N floats) after C, or B's column sums there (never both: gemmTN has no bias).
  // +16 floats (ensureFloats): microC may read up to 5 floats past the last column of A, and in-place
  // B panels up to 15 floats past B's last row (never stored).
  ensureFloats(w, bSums || bias ? sPos + n : cPos + cSpan);
  const f32 = w.f32;
  f32.set(a.subarray(aOff, aOff + aSpan), aPos);
  f32.set(b.subarray(bOff, bOff + bSpan), bPos);
  // C goes in when it is added to, or when its rows have gaps that the copy back must preserve.
  if ((accumulate && !bias) || ldc !== n) f32.set(c.subarray(cOff, cOff + cSpan), cPos);
  // With a bias, the kernel starts every row of C from it (acc = 2).
  if (bias) f32.set(bias.subarray(biasOff, biasOff + n), sPos);
  runGemm(w, as1 === 1 ? 0 : 1, m, n, k, aPos * 4, as0 * 4, as1 * 4, bPos * 4, bs0 * 4, bs1 * 4, cPos * 4, ldc * 4,
    bias ? 2 : accumulate ? 1 : 0, bp * 4, 0, bp2 * 4, bias ? sPos * 4 : 0);
  c.set(f32.subarray(cPos, cPos + cSpan), cOff);
  if (bSums) {
    // B's rows are contiguous here (bs1 = 1: gemmTN's B); its copy is still in memory.
    f32.set(bSums.subarray(bSumsOff, bSumsOff + n), sPos);
    w.colSums(n, k, bPos * 4, bs0 * 4, sPos * 4);
    bSums.set(f32.subarray(sPos, sPos + n), bSumsOff);
  }
}

/**
 * Where a product's operands go from float `base` on: gemmR's packing buffer bp (KC·⌈N/NR⌉·NR), the
 * helper thread's bp2 (shared memory only), A's span at aPos and B's at bPos; `end` = bPos, B's span
 * not counted (callers add it).
 */
function operandLayout(w: WasmKernel, base: number, n: number, k: number, aSpan: number): { bp: number; bp2: number; aPos: number; bPos: number; end: number } {
  const bp = base;
  const packFloats = Math.min(KC, k) * Math.ceil(n / NR_MAX) * NR_MAX;
  const bp2 = align4(bp + packFloats);
  const aPos = w.shared ? align4(bp2 + packFloats) : bp2;
  const bPos = align4(aPos + aSpan);
  return { bp, bp2, aPos, bPos, end: bPos };
}

// ---------------------------------------------------------------------------------------------------
// Two threads.

/**
 * gemmR (fn 0) or gemmC (fn 1) over C (M,N) — byte addresses and strides, arguments as in
 * wasm/gemmModule.ts — on this thread, or split with the helper thread when there is one and the
 * product is worth it. The helper takes the last columns of C from a panel boundary on (C with few
 * rows, or B prepared: its panels are already packed and each thread reads only its own), else the last
 * rows (a multiple of every tile height, so the tiles are the same as on one thread); it packs B into
 * its own buffer bp2 (bytes) and uses its own tile scratch. One post and one wait per product.
 */
function runGemm(
  w: WasmKernel, fn: 0 | 1, m: number, n: number, k: number, a: number, as0: number, as1: number,
  b: number, bs0: number, bs1: number, c: number, ldc: number, acc: number, bp: number, pre: number, bp2: number, bias = 0,
): void {
  const call = fn === 0 ? w.gemmR : w.gemmC;
  const h = helperFor(w, m * n * k);
  // n0 / m0: the columns / rows this thread keeps (half the panels, rounded up; rows a multiple of 12).
  const byColumns = pre === 1 || m <= MC;
  const n0 = byColumns ? Math.ceil(n / (2 * NR_MAX)) * NR_MAX : n;
  const m0 = byColumns ? m : Math.ceil(m / 24) * 12;
  if (!h || (n0 >= n && m0 >= m)) {
    call(m, n, k, a, as0, as1, b, bs0, bs1, c, ldc, acc, bp, 0, pre, bias);
    return;
  }
  // Theirs: columns n0… (prepared B: b counts packed columns; else B's columns start n0·bs1 bytes on), or rows m0….
  const theirs = byColumns
    ? [m, n - n0, k, a, as0, as1, pre ? b + n0 : b + n0 * bs1, bs0, bs1, c + n0 * 4, ldc, acc, pre ? bp : bp2, HELPER_TILE * 4, pre, bias && bias + n0 * 4]
    : [m - m0, n, k, a + m0 * as0, as0, as1, b, bs0, bs1, c + m0 * ldc, ldc, acc, bp2, HELPER_TILE * 4, 0, bias];
  const mine = split(h, fn, theirs, () => call(m0, n0, k, a, as0, as1, b, bs0, bs1, c, ldc, acc, bp, 0, pre, bias));
  // Their share here, in the memory this product was laid out in (a trap repeats here as on one thread).
  if (mine) call(theirs[0], theirs[1], k, theirs[3], as0, as1, theirs[6], bs0, bs1, theirs[9], ldc, acc, theirs[12], 0, pre, theirs[15]);
}

/**
 * Posts `theirs` (call fn) to the helper, runs `own` here, then waits for the helper's share. Returns
 * true when the helper's share is still to be run on this thread (it had not started it, its call
 * trapped, or it stopped answering — then it is dropped); keeps the MISSES_BEFORE_REST count.
 */
function split(h: GemmHelper, fn: number, theirs: readonly number[], own: () => void): boolean {
  h.post(fn, theirs);
  const t0 = now();
  own();
  const t1 = now();
  const timeoutMs = HELPER_TIMEOUT_MS + HELPER_WAIT_FACTOR * (t1 - t0);
  // "auto" takes the helper's share back when the helper has not started it (gemmThread.ts).
  const outcome = h.finish(timeoutMs, backend !== "threaded");
  const beside = outcome === "done" && now() - t1 <= (t1 - t0) / 2;
  if (beside) misses = 0;
  else if (++misses >= MISSES_BEFORE_REST) {
    misses = 0;
    rest = REST_PRODUCTS;
  }
  if (outcome === "done") {
    splitProducts++;
    return false;
  }
  if (outcome === "timed-out") {
    dropHelper(`the GEMM helper thread did not answer within ${Math.round(timeoutMs)} ms: it crashed or stalls. Products run on one thread from now on.`);
  }
  return true;
}

/** The helper thread for a product of `macs` multiply-adds, or null to run it on this thread. */
function helperFor(w: WasmKernel, macs: number): GemmHelper | null {
  if (backend === "wasm" || w.shared === null) return null;
  if (backend === "auto") {
    if (macs < THREAD_MIN_MACS) return null;
    if (rest > 0) {
      rest--;
      return null;
    }
  }
  if (helper === undefined) startHelper(w);
  if (!helper) return null;
  // A forced "threaded" run waits for the thread's start (~50 ms) so every product takes the path.
  const wait = backend === "threaded" ? HELPER_TIMEOUT_MS : 0;
  if (helper.ready(wait)) return helper;
  if (wait > 0) dropHelper(`the GEMM helper thread did not start within ${wait} ms. Products run on one thread.`);
  return null;
}

function startHelper(w: WasmKernel): void {
  helper = null;
  if (!w.shared) return;
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
  const thread = threadSource()?.({ module: w.shared, memory: w.memory, control }, (reason) => {
    if (helper?.thread === thread) dropHelper(reason);
  });
  if (thread) helper = new GemmHelper(control, thread);
}

/**
 * Stops the helper for good (the host reports why) and lays every later product out in a fresh,
 * unshared memory: a helper that stalls rather than died could still write into the old one.
 * Prepared operands are packed again on their next use.
 */
function dropHelper(reason: string): void {
  helper?.thread.stop(reason);
  helper = null;
  wasm = undefined;
  for (const pb of pinned) pb.pos = -1;
  pinned.length = 0;
  pinnedTop = TILE_FLOATS;
}

/** out[N] += Σ rows of b (K,N) with row stride ldb, row by row (ops.ts's addColumnSums). */
function addRowsJs(n: number, k: number, b: FloatArray, bOff: number, ldb: number, out: FloatArray, outOff: number): void {
  for (let p = 0; p < k; p++) {
    const o = bOff + p * ldb;
    for (let j = 0; j < n; j++) out[outOff + j] += b[o + j];
  }
}

function useWasm(m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): WasmKernel | null {
  if (backend === "js" || !(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array)) return null;
  if (backend === "auto" && m * n * k < WASM_MIN_MACS) return null;
  return wasmKernel();
}

/** C = 0 (or unchanged when accumulating) for an empty sum. Returns true when nothing is left to do. */
function trivial(m: number, n: number, k: number, c: FloatArray, cOff: number, ldc: number, accumulate: boolean): boolean {
  if (m <= 0 || n <= 0) return true;
  if (k > 0) return false;
  if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + n);
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Public kernels (signatures as in ops.ts).

/** C (+)= A·B. a is (M,K) row stride lda, b is (K,N) row stride ldb, c is (M,N) row stride ldc. */
export function gemmNN(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number, lda: number, // a is (M,K)
  b: FloatArray, bOff: number, ldb: number, // b is (K,N)
  c: FloatArray, cOff: number, ldc: number, // c is (M,N)
  accumulate: boolean,
): void {
  if (trivial(m, n, k, c, cOff, ldc, accumulate)) return;
  const w = useWasm(m, n, k, a, b, c);
  if (w) {
    gemmWasm(w, m, n, k, a as Float32Array, aOff, lda, 1, (m - 1) * lda + k, b as Float32Array, bOff, ldb, 1, (k - 1) * ldb + n,
      c as Float32Array, cOff, ldc, accumulate);
  } else {
    gemmJs(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, accumulate);
  }
}

/**
 * Rows i of C (M,N) at cOff + i·ldc set to bias[biasOff …] (N). Contiguous rows are filled by doubling
 * copies (log₂ M memmoves), not element by element.
 */
function fillRows(c: FloatArray, cOff: number, ldc: number, m: number, n: number, bias: FloatArray, biasOff: number): void {
  const row = bias.subarray(biasOff, biasOff + n);
  if (ldc !== n) {
    for (let i = 0; i < m; i++) c.set(row, cOff + i * ldc);
    return;
  }
  c.set(row, cOff);
  const total = m * n;
  for (let filled = n; filled < total; filled *= 2) c.copyWithin(cOff + filled, cOff, cOff + Math.min(filled, total - filled));
}

/**
 * C = A·B + 1·biasᵀ: gemmNN's overwrite with bias (N) added to every row of C, as in the input
 * projection x·W + b — the bias is laid into C before the product, instead of a second pass over C.
 */
export function gemmNNBias(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number, lda: number,  // a is (M,K)
  b: FloatArray, bOff: number, ldb: number,  // b is (K,N)
  bias: FloatArray, biasOff: number,         // bias is (N)
  c: FloatArray, cOff: number, ldc: number,  // c is (M,N)
): void {
  if (m <= 0 || n <= 0) return;
  const w = k > 0 && bias instanceof Float32Array ? useWasm(m, n, k, a, b, c) : null;
  if (w) {
    gemmWasm(w, m, n, k, a as Float32Array, aOff, lda, 1, (m - 1) * lda + k, b as Float32Array, bOff, ldb, 1, (k - 1) * ldb + n,
      c as Float32Array, cOff, ldc, false, bias as Float32Array, biasOff);
  } else {
    fillRows(c, cOff, ldc, m, n, bias, biasOff);
    if (k > 0) gemmJs(m, n, k, a, aOff, lda, 1, b, bOff, ldb, 1, c, cOff, ldc, true);
  }
}

/** C (+)= A·Bᵀ. a is (M,K) row stride lda, b is (N,K) row stride ldb, c is (M,N) row stride ldc. */
export function gemmNT(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number, lda: number, // a is (M,K)
  b: FloatArray, bOff: number, ldb: number, // b is (N,K)
  c: FloatArray, cOff: number, ldc: number, // c is (M,N)
  accumulate: boolean,
): void {
  if (trivial(m, n, k, c, cOff, ldc, accumulate)) return;
  const w = useWasm(m, n, k, a, b, c);
  if (w) {
    gemmWasm(w, m, n, k, a as Float32Array, aOff, lda, 1, (m - 1) * lda + k, b as Float32Array, bOff, 1, ldb, (n - 1) * ldb + k,
      c as Float32Array, cOff, ldc, accumulate);
  } else {
    gemmJs(m, n, k, a, aOff, lda, 1, b, bOff, 1, ldb, c, cOff, ldc, accumulate);
  }
}

/**
 * C (+)= Aᵀ·B. a is (K,M) row stride lda, b is (K,N) row stride ldb, c is (M,N) row stride ldc.
 * With `bSums` (N): also bSums += Σ rows of B — a weight gradient Xᵀ·dZ and its bias gradient Σ dZ
 * in one call, the sums taken while the WASM path has dZ in its memory (same numbers as
 * ops.ts's addColumnSums afterwards: each column in row order, rounded after every add).
 */
export function gemmTN(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number, lda: number, // a is (K,M)
  b: FloatArray, bOff: number, ldb: number, // b is (K,N)
  c: FloatArray, cOff: number, ldc: number, // c is (M,N)
  accumulate: boolean,
  bSums: FloatArray | null = null, bSumsOff = 0, // bSums is (N)
): void {
  if (trivial(m, n, k, c, cOff, ldc, accumulate)) {
    if (bSums) addRowsJs(n, k, b, bOff, ldb, bSums, bSumsOff);
    return;
  }
  const w = bSums === null || bSums instanceof Float32Array ? useWasm(m, n, k, a, b, c) : null;
  if (w) {
    gemmWasm(w, m, n, k, a as Float32Array, aOff, 1, lda, (k - 1) * lda + m, b as Float32Array, bOff, ldb, 1, (k - 1) * ldb + n,
      c as Float32Array, cOff, ldc, accumulate, null, 0, bSums as Float32Array | null, bSumsOff);
  } else {
    gemmJs(m, n, k, a, aOff, 1, lda, b, bOff, ldb, 1, c, cOff, ldc, accumulate);
    if (bSums) addRowsJs(n, k, b, bOff, ldb, bSums, bSumsOff);
  }
}

// ---------------------------------------------------------------------------------------------------
// Prepared B operands: a weight multiplied by many different A in a row (the recurrent kernel U, once
// per timestep) is copied into WASM memory and packed into panels once, not on every product.

/**
 * A B operand (K,N) prepared for repeated products C (+)= A·B (`gemmPrepared`). It refers to the
 * caller's array (no copy is taken until the first WASM product packs it): the caller must not change
 * those elements while the handle is live, and releases it (`releaseB`) when done — the recurrent
 * core prepares U at the start of each forward and backward pass and releases it at the end, since
 * the optimizer changes the weights between passes.
 */
export interface PreparedB {
  readonly k: number;
  readonly n: number;
  readonly b: FloatArray;
  readonly bOff: number;
  readonly ldb: number;
  /** False: b is (K,N), the gemmNN form. True: b is (N,K) and the operand is its transpose (gemmNT). */
  readonly transposed: boolean;
  /** Position of the packed panels in WASM memory (floats); −1 until the first WASM product packs them. */
  pos: number;
  /** Floats held from pos. */
  size: number;
  released: boolean;
}

/**
 * Prepares B for `gemmPrepared`: b is (K,N) with row stride ldb, or (N,K) when `transposed` (then the
 * operand is bᵀ, as in gemmNT). Cheap: the packing happens on first use by the WASM kernel.
 */
export function prepareB(
  k: number, n: number,
  b: FloatArray, bOff: number, ldb: number, // b is (K,N), or (N,K) when transposed
  transposed: boolean,
): PreparedB {
  return { k, n, b, bOff, ldb, transposed, pos: -1, size: 0, released: false };
}

/** Copies B in and packs it block by block (K block pc at pos + pc·⌈N/NR⌉·NR) above the pinned region. */
function packPrepared(w: WasmKernel, pb: PreparedB): void {
  const { k, n, b, bOff, ldb, transposed } = pb;
  const npad = Math.ceil(n / TILE_R.nr) * TILE_R.nr;
  const pos = align4(pinnedTop);
  const size = k * npad;
  const srcPos = align4(pos + size);
  const span = transposed ? (n - 1) * ldb + k : (k - 1) * ldb + n;
  ensureFloats(w, srcPos + span);
  w.f32.set((b as Float32Array).subarray(bOff, bOff + span), srcPos);
  const bs0 = transposed ? 4 : ldb * 4, bs1 = transposed ? ldb * 4 : 4;
  for (let pc = 0; pc < k; pc += KC) w.packR(Math.min(KC, k - pc), n, srcPos * 4 + pc * bs0, bs0, bs1, (pos + pc * npad) * 4);
  pb.pos = pos;
  pb.size = size;
  pinnedTop = pos + size;
  pinned.push(pb);
}

/**
 * C (+)= A·B with a prepared B (K,N): a is (M,K) row stride lda, c is (M,N) row stride ldc. Same
 * kernel choice and results as gemmNN / gemmNT on the original operand; on the WASM path only A (and
 * C) are copied per call. With `bias` (N) and accumulate false: C = A·B + 1·biasᵀ (as gemmNNBias).
 */
export function gemmPrepared(
  m: number,
  a: FloatArray, aOff: number, lda: number, // a is (M,K)
  pb: PreparedB,                            // B (K,N)
  c: FloatArray, cOff: number, ldc: number, // c is (M,N)
  accumulate: boolean,
  bias: FloatArray | null = null, biasOff = 0, // bias is (N)
): void {
  if (pb.released) throw new Error("gemmPrepared: the prepared operand was released");
  const { k, n } = pb;
  if (bias && accumulate) throw new Error("gemmPrepared: a bias only with accumulate = false");
  if (m <= 0 || n <= 0) return;
  const w = k > 0 && (!bias || bias instanceof Float32Array) ? useWasm(m, n, k, a, pb.b, c) : null;
  if (!w) {
    // With a bias: its rows first, then the product added to them (as gemmNNBias).
    if (bias) fillRows(c, cOff, ldc, m, n, bias, biasOff);
    (pb.transposed ? gemmNT : gemmNN)(m, n, k, a, aOff, lda, pb.b, pb.bOff, pb.ldb, c, cOff, ldc, accumulate || bias !== null);
    return;
  }
  if (pb.pos < 0) packPrepared(w, pb);
  const aSpan = (m - 1) * lda + k;
  const cSpan = (m - 1) * ldc + n;
  const aPos = align4(pinnedTop);
  const cPos = align4(aPos + aSpan);
  const biasPos = align4(cPos + cSpan);
  ensureFloats(w, bias ? biasPos + n : cPos + cSpan);
  const f32 = w.f32;
  f32.set((a as Float32Array).subarray(aOff, aOff + aSpan), aPos);
  if (accumulate || ldc !== n) f32.set((c as Float32Array).subarray(cOff, cOff + cSpan), cPos);
  // With a bias, the kernel starts every row of C from it (acc = 2).
  if (bias) f32.set((bias as Float32Array).subarray(biasOff, biasOff + n), biasPos);
  const npad = Math.ceil(n / TILE_R.nr) * TILE_R.nr;
  runGemm(w, 0, m, n, k, aPos * 4, lda * 4, 4, 0, npad * 4, 4, cPos * 4, ldc * 4, bias ? 2 : accumulate ? 1 : 0, pb.pos * 4, 1, 0,
    bias ? biasPos * 4 : 0);
  c.set(f32.subarray(cPos, cPos + cSpan), cOff);
}

// ---------------------------------------------------------------------------------------------------
// A recurrent layer's whole time loop in WASM memory.

/**
 * Floats of WASM memory a recurrent loop may lay out (32 MiB). Above it (the large workloads) the
 * per-step path runs: its products are big enough that the per-step copies are a few percent, and the
 * loop's buffers would grow the memory, which never shrinks, by ~5·T·B·G floats.
 */
const LOOP_MAX_FLOATS = 1 << 23;

/**
 * The time loop of a standard LSTM ("lstm") or GRU with the reset gate after the product ("gruAfter")
 * — per step s the recurrent product with U (prepared) and the fused gate step (pointwiseModule.ts),
 * as recurrent.ts's per-step loop does — run over the whole sequence in WASM memory: the buffers are
 * copied in once and out once instead of every step, and with a helper thread each thread takes half
 * the batch rows through all T steps (rows are independent in the recurrence), one hand-over per
 * loop. Bit-identical to the per-step path on either thread count (gemmThread.ts runLoopRows).
 * Returns false, having done nothing, where it does not apply (the "js" backend, float64, no WASM,
 * H not a multiple of 4, buffers over LOOP_MAX_FLOATS); the caller then runs its per-step loop.
 * zx is read only: it keeps x·W + b (the per-step path adds h·U into it; nothing reads it after).
 */
export function recurrentLoop(
  kind: "lstm" | "gruAfter", T: number, B: number, H: number,
  u: PreparedB,                        // U (H, G), G = 4H (lstm) or 3H (gruAfter)
  zx: FloatArray | LoopProjection,     // zx [T, B, G]: x·W + b, or what to compute it from
  act: FloatArray,                     // act [T, B, G] (written)
  hs: FloatArray,                      // hs [T+1, B, H]: slot 0 read, slots 1…T written
  cs: FloatArray | null,               // cs [T+1, B, H] (lstm): as hs
  aux: FloatArray,                     // aux [T, B, H] (written)
  recurrentBias: FloatArray | null,    // bR [G] (gruAfter) or null
): boolean {
  const G = (kind === "lstm" ? 4 : 3) * H;
  const p = zx instanceof Float32Array || zx instanceof Float64Array ? null : zx;
  const zxBuf = p ? p.zx : zx as FloatArray;
  const arrays = [zxBuf, act, hs, aux, ...(cs ? [cs] : []), ...(recurrentBias ? [recurrentBias] : []),
    ...(p ? [p.xs, p.kernel, ...(p.bias ? [p.bias] : [])] : [])];
  if (T <= 0 || B <= 0 || H % 4 !== 0 || u.released || u.k !== H || u.n !== G || u.transposed) return false;
  if ((kind === "lstm") !== (cs !== null) || !arrays.every((x) => x instanceof Float32Array)) return false;
  const TBG = T * B * G, BH = B * H, states = (T + 1) * BH;
  // The projection in this memory: its operands (x and W) lie past the loop's buffers while it runs.
  const projecting = p !== null && p.I > 0 && useWasm(T * B, G, p.I, p.xs, p.kernel, zxBuf) !== null;
  const projFloats = projecting ? 2 * KC * Math.ceil(G / NR_MAX) * NR_MAX + T * B * p.I + p.I * G + G + 16 : 0;
  const floats = 2 * TBG + (cs ? 2 : 1) * states + T * BH + B * G + 2 * G + projFloats;
  const w = floats <= LOOP_MAX_FLOATS ? useWasm(B, G, H, hs, u.b, zxBuf) : null;
  if (!w) return false;
  if (u.pos < 0) packPrepared(w, u);
  // Layout in floats (every part a multiple of 4 long: H % 4 = 0): zx | act | hs | cs | aux | rec | bR | zeros
  const zP = align4(pinnedTop), aP = zP + TBG, hP = aP + TBG, cP = hP + states, xP = cP + (cs ? states : 0);
  const recP = xP + T * BH, rbP = recP + B * G, zeroP = rbP + G;
  ensureFloats(w, zeroP + G);
  if (p && projecting) project(w, zeroP + G, T * B, G, p, zP);
  // Too small for the WASM kernel: the same product as the per-step path's, then copied in.
  else if (p) projectInput(T * B, G, p);
  const f32 = w.f32;
  if (!projecting) f32.set((zxBuf as Float32Array).subarray(0, TBG), zP);
  f32.set((hs as Float32Array).subarray(0, BH), hP);
  if (cs) f32.set((cs as Float32Array).subarray(0, BH), cP);
  if (recurrentBias) f32.set(recurrentBias as Float32Array, rbP);
  f32.fill(0, zeroP, zeroP + G);
  runLoop(w, kind === "lstm" ? LOOP_LSTM : LOOP_GRU, T, B, G * H, (r0, n, tile) => kind === "lstm"
    ? [T, B, r0, n, H, zP * 4, aP * 4, cP * 4, xP * 4, hP * 4, u.pos * 4, tile]
    : [T, B, r0, n, H, zP * 4, aP * 4, xP * 4, hP * 4, recP * 4, recurrentBias ? rbP * 4 : 0, zeroP * 4, u.pos * 4, tile]);
  act.set(f32.subarray(aP, aP + TBG));
  hs.set(f32.subarray(hP + BH, hP + states), BH);
  if (cs) cs.set(f32.subarray(cP + BH, cP + states), BH);
  aux.set(f32.subarray(xP, xP + T * BH));
  return true;
}

/**
 * The input projection of a recurrent loop, x·W (+ b), computed where the loop reads it instead of
 * being copied out of this memory and back in (two passes over T·B·G floats, ~5% of a medium forward).
 * `zx` is the layer's own buffer, used only when the product is too small for the WASM kernel (then
 * computed by gemmNN / gemmNNBias as the per-step path computes it); the whole loop leaves it unwritten
 * otherwise — nothing reads it after the loop.
 */
export interface LoopProjection {
  xs: FloatArray;             // [T·B, I] layer input
  I: number;
  kernel: FloatArray;         // W [I, G]
  bias: FloatArray | null;    // b [G]
  zx: FloatArray;             // [T, B, G]
}

/** p.zx (M, N) = p.xs·W (+ b): a recurrent layer's input projection for all timesteps (M = T·B rows). */
export function projectInput(m: number, n: number, p: LoopProjection): void {
  if (p.bias) gemmNNBias(m, n, p.I, p.xs, 0, p.I, p.kernel, 0, n, p.bias, 0, p.zx, 0, n);
  else gemmNN(m, n, p.I, p.xs, 0, p.I, p.kernel, 0, n, p.zx, 0, n, false);
}

/**
 * C (M, N) at float cPos = A·W (+ b) for the projection p, with its operands laid out from float `base`
 * on: the product gemmNN / gemmNNBias computes (same kernel, rows split the same way), left in memory.
 */
function project(w: WasmKernel, base: number, m: number, n: number, p: LoopProjection, cPos: number): void {
  const k = p.I, aSpan = m * k, bSpan = k * n;
  const { bp, bp2, aPos, bPos, end } = operandLayout(w, base, n, k, aSpan);
  const biasPos = align4(end + bSpan);
  ensureFloats(w, biasPos + n);
  const f32 = w.f32;
  f32.set((p.xs as Float32Array).subarray(0, aSpan), aPos);
  f32.set((p.kernel as Float32Array).subarray(0, bSpan), bPos);
  if (p.bias) f32.set((p.bias as Float32Array).subarray(0, n), biasPos);
  runGemm(w, 0, m, n, k, aPos * 4, k * 4, 4, bPos * 4, n * 4, 4, cPos * 4, n * 4, p.bias ? 2 : 0, bp * 4, 0, bp2 * 4, p.bias ? biasPos * 4 : 0);
}

/**
 * Runs a recurrent loop (gemmThread.ts runLoopRows) over B batch rows: split with the helper thread —
 * the second half of the rows, from a multiple of the tile height — when there is one and the loop
 * has at least THREAD_MIN_MACS multiply-adds (T·B·stepMacs), else on this thread. `args(r0, rows, tile)`
 * gives a share's arguments.
 */
function runLoop(w: WasmKernel, fn: number, T: number, B: number, stepMacs: number,
                 args: (r0: number, rows: number, tile: number) => number[]): void {
  const view = (): Float32Array => w.f32;
  wholeLoops++;
  const r0 = Math.ceil(B / (2 * TILE_R.mr)) * TILE_R.mr;
  const h = r0 < B ? helperFor(w, T * B * stepMacs) : null;
  if (!h) runLoopRows(w.loops, view, fn, args(0, B, 0));
  else if (split(h, fn, args(r0, B - r0, HELPER_TILE * 4), () => runLoopRows(w.loops, view, fn, args(0, r0, 0)))) {
    runLoopRows(w.loops, view, fn, args(r0, B - r0, 0));
  }
}

/**
 * BPTT of a standard LSTM or GRU (reset after) layer as a whole in WASM memory — per step s = T−1 … 0
 * the fused gate step backward (pointwiseModule.ts lstmBack / gruBack) and ∂L/∂h_{s−1} = dz[s]·Uᵀ —
 * with the batch split between two threads as `recurrentLoop` does. The gate step computes in float32
 * (the cells' TypeScript loops in float64, rounding at each store): within float32 rounding of them.
 * With `norms`, also the sums of squares norm recording takes (gemmThread.ts runLoopRows). Without
 * truncation or recurrent dropout (the caller checks). Returns false, having done nothing, where it
 * does not apply (as recurrentLoop).
 */
export function recurrentLoopBackward(
  kind: "lstm" | "gruAfter", T: number, B: number, H: number,
  ut: PreparedB,                    // Uᵀ (G, H): U (H, G) prepared transposed
  act: FloatArray,                  // act [T, B, G] of the forward
  states: FloatArray,               // lstm: cs, gruAfter: hs [T+1, B, H] of the forward (slots 0…T−1 read)
  aux: FloatArray,                  // aux [T, B, H] of the forward
  dys: FloatArray | null,           // ∂L/∂h_s from the output [T, B, H], or null
  dhPrev: FloatArray,               // [B, H]: ∂L/∂h_T in, ∂L/∂h_0 out
  dc: FloatArray | null,            // lstm [B, H]: ∂L/∂c_T in, ∂L/∂c_0 out
  dzx: FloatArray,                  // [T, B, G] out: ∂L/∂ pre-activations
  dzr: FloatArray | null,           // gruAfter [T, B, G] out: ∂L/∂ recurrent pre-activations
  norms: Float64Array | null = null, // [T, B, 2] out: per step and row Σ (∂L/∂h_s)², Σ (∂L/∂c_s)² (lstm; else 0)
): boolean {
  const lstm = kind === "lstm";
  const G = (lstm ? 4 : 3) * H;
  const arrays = [act, states, aux, dhPrev, dzx, ...(dys ? [dys] : []), ...(dc ? [dc] : []), ...(dzr ? [dzr] : [])];
  if (T <= 0 || B <= 0 || H % 4 !== 0 || ut.released || ut.k !== G || ut.n !== H || !ut.transposed) return false;
  if (lstm !== (dc !== null) || lstm === (dzr !== null) || !arrays.every((x) => x instanceof Float32Array)) return false;
  const TBG = T * B * G, TBH = T * B * H, BH = B * H;
  const floats = (lstm ? 2 : 3) * TBG + (dys ? 3 : 2) * TBH + 3 * BH + (norms ? 4 * T * B + 2 : 0);
  const w = floats <= LOOP_MAX_FLOATS ? useWasm(B, H, G, act, ut.b, dzx) : null;
  if (!w) return false;
  if (ut.pos < 0) packPrepared(w, ut);
  // Layout in floats: act | states | aux | dys | zeros | dhPrev | dc (lstm) | dzx | dzr (gruAfter)
  const aP = align4(pinnedTop), sP = aP + TBG, xP = sP + TBH, yP = xP + TBH, zeroP = yP + (dys ? TBH : 0);
  const hP = zeroP + BH, cP = hP + BH, dzP = cP + (lstm ? BH : 0), drP = dzP + TBG;
  // | norms (float64: 8-aligned)
  const nP = Math.ceil((drP + (lstm ? 0 : TBG)) / 2) * 2;
  ensureFloats(w, nP + (norms ? 4 * T * B : 0));
  const f32 = w.f32;
  f32.set((act as Float32Array).subarray(0, TBG), aP);
  f32.set((states as Float32Array).subarray(0, TBH), sP);
  f32.set((aux as Float32Array).subarray(0, TBH), xP);
  if (dys) f32.set((dys as Float32Array).subarray(0, TBH), yP);
  f32.fill(0, zeroP, zeroP + BH);
  f32.set((dhPrev as Float32Array).subarray(0, BH), hP);
  if (dc) f32.set((dc as Float32Array).subarray(0, BH), cP);
  runLoop(w, lstm ? LOOP_LSTM_BACK : LOOP_GRU_BACK, T, B, G * H, (r0, n, tile) =>
    [T, B, r0, n, H, aP * 4, sP * 4, xP * 4, dys ? yP * 4 : 0, zeroP * 4, hP * 4, (lstm ? cP : dzP) * 4, (lstm ? dzP : drP) * 4, ut.pos * 4, tile,
     norms ? nP * 4 : 0]);
  dzx.set(f32.subarray(dzP, dzP + TBG));
  if (norms) norms.set(new Float64Array(f32.buffer, nP * 4, 2 * T * B));
  if (dzr) dzr.set(f32.subarray(drP, drP + TBG));
  dhPrev.set(f32.subarray(hP, hP + BH));
  if (dc) dc.set(f32.subarray(cP, cP + BH));
  return true;
}

/** Ends a prepared operand's life; its memory is reused once every operand prepared after it is released too. */
export function releaseB(pb: PreparedB): void {
  if (pb.released) return;
  pb.released = true;
  while (pinned.length > 0 && pinned[pinned.length - 1].released) pinned.pop();
  const top = pinned[pinned.length - 1];
  pinnedTop = top ? top.pos + top.size : TILE_FLOATS;
}

// ---------------------------------------------------------------------------------------------------
// TypeScript kernel: 4×4 register tile, A and B through element strides (as0, as1) and (bs0, bs1).

function gemmJs(
  m: number, n: number, k: number,
  a: FloatArray, aOff: number, as0: number, as1: number, // A (M,K) via strides
  b: FloatArray, bOff: number, bs0: number, bs1: number, // B (K,N) via strides
  c: FloatArray, cOff: number, ldc: number,             // C (M,N) row-major
  accumulate: boolean,
): void {
  const m4 = m & ~3;
  const n4 = n & ~3;
  for (let j = 0; j < n4; j += 4) {
    const b0 = bOff + j * bs1, b1 = b0 + bs1, b2 = b1 + bs1, b3 = b2 + bs1;
    for (let i = 0; i < m4; i += 4) {
      const a0 = aOff + i * as0, a1 = a0 + as0, a2 = a1 + as0, a3 = a2 + as0;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0, pa = 0, pb = 0; p < k; p++, pa += as1, pb += bs0) {
        const x0 = a[a0 + pa], x1 = a[a1 + pa], x2 = a[a2 + pa], x3 = a[a3 + pa];
        const y0 = b[b0 + pb], y1 = b[b1 + pb], y2 = b[b2 + pb], y3 = b[b3 + pb];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      const r0 = cOff + i * ldc + j, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
      if (accumulate) {
        c[r0] += c00; c[r0 + 1] += c01; c[r0 + 2] += c02; c[r0 + 3] += c03;
        c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12; c[r1 + 3] += c13;
        c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22; c[r2 + 3] += c23;
        c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32; c[r3 + 3] += c33;
      } else {
        c[r0] = c00; c[r0 + 1] = c01; c[r0 + 2] = c02; c[r0 + 3] = c03;
        c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
        c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
        c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
      }
    }
    for (let i = m4; i < m; i++) {
      const a0 = aOff + i * as0;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0, pa = 0, pb = 0; p < k; p++, pa += as1, pb += bs0) {
        const x = a[a0 + pa];
        s0 += x * b[b0 + pb]; s1 += x * b[b1 + pb]; s2 += x * b[b2 + pb]; s3 += x * b[b3 + pb];
      }
      const r = cOff + i * ldc + j;
      if (accumulate) { c[r] += s0; c[r + 1] += s1; c[r + 2] += s2; c[r + 3] += s3; }
      else { c[r] = s0; c[r + 1] = s1; c[r + 2] = s2; c[r + 3] = s3; }
    }
  }
  for (let j = n4; j < n; j++) {
    const b0 = bOff + j * bs1;
    for (let i = 0; i < m; i++) {
      const a0 = aOff + i * as0;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p * as1] * b[b0 + p * bs0];
      const r = cOff + i * ldc + j;
      c[r] = accumulate ? c[r] + s : s;
    }
  }
}
