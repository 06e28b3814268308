// The kernel's second GEMM thread (src/kernel/gemmThread.ts, a real worker_threads Worker running the
// built dist/gemmWorker.js) serving the engine's GEMM (src/engine/gemm.ts, gemmThread.ts) on a shared
// WebAssembly memory. Every product the two threads split must be bit-identical to the same product
// on one thread — each element of C is summed by one thread in the same order (gemm.ts's header) —
// so the comparison is byte for byte, no tolerance. Shapes cover both splits (columns of C at a
// panel boundary when M ≤ MC = 64 or B is prepared, rows otherwise), both micro-kernels (gemmR: A·B,
// A·Bᵀ; gemmC: Aᵀ·B), partial NR = 16 panels, K across the KC = 256 block boundary, a bias and
// column sums; then whole recurrent loops (forward and BPTT), whose rows the threads split. Last, a helper that dies between products: the reason is said and later products
// (prepared operands included) run on one thread (one that dies mid-product: gemmThreadCrash.test.ts).
// Then the thread's lifetime in a real kernel process: it is a thread of that process (one more entry
// in /proc/<pid>/task), so SIGKILL mid-product (Stop's grace-period kill), V8's out-of-memory abort
// and a normal shutdown all leave no thread and no process behind.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  gemmInfo, gemmNN, gemmNNBias, gemmNT, gemmPrepared, gemmTN, prepareB, recurrentLoop, recurrentLoopBackward, releaseB, setGemmBackend,
} from "../../../src/engine/gemm";
import { setHost } from "../../../src/engine/host";
import { startGemmThread } from "../../../src/kernel/gemmThread";
import { values } from "../engine/gemmValues";
import { buildKernel, KERNEL_DIST, tempDir, TestKernel } from "./harness";

type Product = (c: Float32Array) => void;

const said: string[] = [];
let thread: ReturnType<typeof startGemmThread> | undefined;

/** C of `product` on one thread and on two; asserts the helper took a share and the bytes agree. */
function sameOnTwoThreads(what: string, cSize: number, product: Product): void {
  const one = values(cSize, 99) as Float32Array, two = one.slice();
  setGemmBackend("wasm");
  product(one);
  const before = gemmInfo().splitProducts;
  setGemmBackend("threaded");
  product(two);
  setGemmBackend("auto");
  assert.equal(gemmInfo().splitProducts, before + 1, `${what}: the helper thread took no share`);
  assert.ok(Buffer.from(two.buffer).equals(Buffer.from(one.buffer)), `${what}: two threads differ from one`);
}

describe("GEMM on two threads (kernel worker thread + shared WASM memory)", function () {
  this.timeout(60_000);

  before(async () => {
    await buildKernel();
    // Installed before this bundle's first product, so its GEMM memory is the shared kind.
    setHost({
      gemmThread: (start, lost) => (thread = startGemmThread(start, lost, path.join(KERNEL_DIST, "gemmWorker.js"), (t) => said.push(t))),
    });
  });
  after(() => {
    thread?.stop();
    setHost(undefined);
  });

  it("splits gemmNN by columns (M ≤ 64) and by rows (M > 64), bit-identical to one thread", () => {
    for (const [m, n, k] of [[32, 512, 128], [32, 200, 300], [7, 33, 5], [150, 100, 70], [65, 17, 260]]) {
      const lda = k + 1, ldb = n + 2, ldc = n + 3;
      const a = values(m * lda, m + n), b = values(k * ldb, k + 1);
      for (const acc of [false, true]) {
        sameOnTwoThreads(`gemmNN ${m}×${n}×${k} acc=${acc}`, m * ldc, (c) => gemmNN(m, n, k, a, 0, lda, b, 0, ldb, c, 0, ldc, acc));
      }
    }
  });

  it("splits gemmNT, gemmTN (with column sums) and gemmNNBias, bit-identical to one thread", () => {
    for (const [m, n, k] of [[100, 90, 300], [40, 300, 64], [130, 77, 50], [20, 48, 513]]) {
      const a = values(Math.max(m, k) * (Math.max(m, k) + 1), 7 + m), b = values(Math.max(n, k) * (Math.max(n, k) + 1), 11 + n);
      sameOnTwoThreads(`gemmNT ${m}×${n}×${k}`, m * n, (c) => gemmNT(m, n, k, a, 0, k, b, 0, k, c, 0, n, false));
      // Aᵀ·B: gemmC's 6×8 tiles; its column sums are taken after both shares are in.
      const sums1 = values(n, 5) as Float32Array, sums2 = sums1.slice();
      let calls = 0;
      sameOnTwoThreads(`gemmTN ${m}×${n}×${k}`, m * n, (c) => gemmTN(m, n, k, a, 0, m, b, 0, n, c, 0, n, true, calls++ === 0 ? sums1 : sums2, 0));
      assert.ok(Buffer.from(sums1.buffer).equals(Buffer.from(sums2.buffer)), "column sums differ");
      const bias = values(n, 3);
      sameOnTwoThreads(`gemmNNBias ${m}×${n}×${k}`, m * n, (c) => gemmNNBias(m, n, k, a, 0, k, b, 0, n, bias, 0, c, 0, n));
    }
  });

  it("splits prepared products by packed columns (partial last panel, K across two KC blocks), bit-identical", () => {
    for (const transposed of [false, true]) {
      const k = 300, n = 200, m = 32;
      const b = values(k * n, 17);
      const pb = prepareB(k, n, b, 0, transposed ? k : n, transposed);
      for (let step = 0; step < 3; step++) {
        const a = values(m * k, 40 + step), bias = values(n, 2);
        sameOnTwoThreads(`prepared ${transposed ? "Bᵀ" : "B"} step ${step}`, m * n, (c) => gemmPrepared(m, a, 0, k, pb, c, 0, n, step === 1));
        sameOnTwoThreads(`prepared + bias step ${step}`, m * n, (c) => gemmPrepared(m, a, 0, k, pb, c, 0, n, false, bias, 0));
      }
      releaseB(pb);
    }
  });

  it("runs whole LSTM / GRU loops (forward and BPTT) on batch halves, bit-identical to one thread", () => {
    // B = 7: the helper takes rows 4…6 (from a multiple of the tile height 2, a partial tile); H = 12
    // takes the gate steps' one-lane path, H = 16 the two-lane one; with and without bR and ∂L/∂h_s,
    // and with norm recording's per-row sums of squares (with the ∂L/∂h_s case) or without.
    for (const kind of ["lstm", "gruAfter"] as const) {
      for (const [T, B, H, extras] of [[5, 7, 12, true], [4, 32, 16, false]] as const) {
        const G = (kind === "lstm" ? 4 : 3) * H, lstm = kind === "lstm";
        const u = values(H * G, 3 + H), bR = extras && !lstm ? values(G, 8) : null;
        const run = (backend: "wasm" | "threaded") => {
          setGemmBackend(backend);
          const before = gemmInfo().splitProducts;
          const zx = values(T * B * G, 5), act = new Float32Array(T * B * G), aux = new Float32Array(T * B * H);
          const hs = values((T + 1) * B * H, 6), cs = lstm ? values((T + 1) * B * H, 7) : null;
          const pb = prepareB(H, G, u, 0, G, false);
          assert.ok(recurrentLoop(kind, T, B, H, pb, zx, act, hs, cs, aux, bR), `${kind} forward did not run`);
          releaseB(pb);
          const dys = extras ? values(T * B * H, 9) : null, dh = values(B * H, 10), dc = lstm ? values(B * H, 11) : null;
          const dzx = new Float32Array(T * B * G), dzr = lstm ? null : new Float32Array(T * B * G);
          const norms = extras ? new Float64Array(T * B * 2) : null;
          const ut = prepareB(G, H, u, 0, G, true);
          assert.ok(recurrentLoopBackward(kind, T, B, H, ut, act, cs ?? hs, aux, dys, dh, dc, dzx, dzr, norms), `${kind} backward did not run`);
          releaseB(ut);
          const splits = gemmInfo().splitProducts - before;
          setGemmBackend("auto");
          if (norms) assert.ok(norms.some((x) => x > 0), `${kind}: no squares summed`);
          return { splits, outputs: { act, hs, cs, aux, dh, dc, dzx, dzr, norms } };
        };
        const one = run("wasm"), two = run("threaded");
        const what = `${kind} T=${T} B=${B} H=${H}`;
        assert.equal(one.splits, 0, `${what}: one thread split a loop`);
        assert.equal(two.splits, 2, `${what}: the helper thread did not take rows of both loops`);
        for (const [name, x] of Object.entries(one.outputs)) {
          const y = two.outputs[name as keyof typeof one.outputs];
          if (x && y) assert.ok(Buffer.from(x.buffer).equals(Buffer.from(y.buffer)), `${what}: ${name} differs on two threads`);
        }
      }
    }
  });

  it("a helper that dies between products: reported on stderr, the same numbers on one thread from then on", async () => {
    const k = 300, n = 200, m = 32;
    const b = values(k * n, 23);
    const pb = prepareB(k, n, b, 0, n, false);
    const a = values(m * k, 29);
    sameOnTwoThreads("prepared before the crash", m * n, (c) => gemmPrepared(m, a, 0, k, pb, c, 0, n, false));
    assert.equal(gemmInfo().threads, 2);
    const one = new Float32Array(m * n), two = new Float32Array(m * n);
    setGemmBackend("wasm");
    gemmPrepared(m, a, 0, k, pb, one, 0, n, false);
    // The thread ends on its own, as a crash would; its exit event reaches the engine (host `lost`).
    await thread!.worker.terminate();
    for (let i = 0; i < 100 && gemmInfo().threads === 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(said.join(""), /the GEMM helper thread exited \(code 1\)\. Products run on one thread from now on/);
    assert.equal(gemmInfo().threads, 1);
    // The prepared operand is packed again into a new, unshared memory on its next use; same kernel, same bytes.
    setGemmBackend("threaded");
    const splits = gemmInfo().splitProducts;
    gemmPrepared(m, a, 0, k, pb, two, 0, n, false);
    setGemmBackend("auto");
    assert.equal(gemmInfo().splitProducts, splits, "a product was split after the helper died");
    assert.ok(Buffer.from(two.buffer).equals(Buffer.from(one.buffer)), "the product after the crash differs");
    releaseB(pb);
  });
});

/** Threads of process `pid` (Linux /proc), or undefined once the process is gone. */
function threadCount(pid: number): number | undefined {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return undefined;
  }
}

/** Processes whose parent is `pid` (none may outlive it: a worker thread is not a process). */
function childrenOf(pid: number): number[] {
  return fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      return /^PPid:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/${d}/status`, "utf8"))?.[1] === String(pid);
    } catch {
      return false; // ended while we looked
    }
  }).map(Number);
}

// 512×512·512×512 = 134 M multiply-adds: far above the two-thread threshold (gemm.ts THREAD_MIN_MACS).
const BIG_PRODUCT = "const a = rnn.ones([512, 512]); const p = a.matmul(a);";

describe("the kernel's GEMM helper thread lives and dies with the kernel process", function () {
  this.timeout(60_000);
  let dir = "";
  before(async () => {
    await buildKernel();
    dir = tempDir("gemm-thread");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A ready kernel that has run one small cell, its pid and thread count then. */
  async function kernel(execArgv: string[] = []): Promise<{ k: TestKernel; pid: number; threads: number }> {
    const k = new TestKernel(dir, execArgv);
    await k.ready;
    assert.equal((await k.run("1 + 1")).result, "2");
    const pid = k.process.pid!;
    return { k, pid, threads: threadCount(pid)! };
  }

  it("starts a thread on the first large product, not on later ones; a normal shutdown ends it with the process", async () => {
    const { k, pid, threads } = await kernel();
    try {
      const r = await k.run(`${BIG_PRODUCT}\np.get(0, 0)`);
      // Σ over 512 products 1·1 (ones): 512.
      assert.equal(r.result, "512", r.stderr + (r.error?.stack ?? ""));
      const withHelper = threadCount(pid)!;
      assert.ok(withHelper > threads, "the kernel started no helper thread");
      // One helper for the process, not one per product or per cell.
      assert.equal((await k.run(`${BIG_PRODUCT}\np.get(1, 1)`)).result, "512");
      assert.equal(threadCount(pid), withHelper, "a second large product started another thread");
      k.process.send({ type: "shutdown" });
      assert.deepEqual(await k.exited, { code: 0, signal: null });
      assert.equal(threadCount(pid), undefined, `process ${pid} outlived its shutdown`);
      assert.deepEqual(childrenOf(pid), []);
    } finally {
      await k.kill();
    }
  });

  it("SIGKILL mid-product (Stop's grace-period kill) leaves no thread and no process", async () => {
    const { k, pid, threads } = await kernel();
    try {
      k.start(`${BIG_PRODUCT}\nwhile (true) a.matmul(a);`);
      // Kill while the products run on both threads.
      for (let i = 0; i < 200 && threadCount(pid)! <= threads; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(threadCount(pid)! > threads, "no helper thread while the cell multiplies");
      await new Promise((r) => setTimeout(r, 300));
      await k.kill();
      assert.equal((await k.exited).signal, "SIGKILL");
      assert.equal(threadCount(pid), undefined, `process ${pid} outlived SIGKILL`);
      assert.deepEqual(childrenOf(pid), []);
    } finally {
      await k.kill();
    }
  });

  it("out of memory after a two-thread product: V8's abort leaves no thread and no process", async () => {
    // 192 MB heap, as kernel.test.ts's out-of-memory test: the helper's memory is WASM memory, outside the heap.
    const { k, pid, threads } = await kernel(["--max-old-space-size=192"]);
    try {
      assert.equal((await k.run(`${BIG_PRODUCT}\np.get(0, 0)`)).result, "512");
      assert.ok(threadCount(pid)! > threads, "the kernel started no helper thread");
      k.start("const keep: number[][] = [];\nwhile (true) keep.push(new Array(100_000).fill(1.5));");
      const { code, signal } = await k.exited;
      assert.ok(signal === "SIGABRT" || code === 134, `code ${code}, signal ${signal}`);
      assert.equal(threadCount(pid), undefined, `process ${pid} outlived its out-of-memory abort`);
      assert.deepEqual(childrenOf(pid), []);
    } finally {
      await k.kill();
    }
  });
});
