/**
 * The kernel's second GEMM thread (the engine's host port `gemmThread`, src/engine/host.ts): a
 * worker_threads Worker running this same file as dist/gemmWorker.js, which serves its share of each
 * large product on the engine's shared WebAssembly memory (src/engine/gemmThread.ts) until the process
 * ends.
 *
 * Lifetime: a worker thread is a thread of the kernel process, so it ends with it — on `shutdown`, a
 * closed channel, process.exit, the client's SIGKILL after Stop's grace period, or V8's out-of-memory
 * abort — and can outlive none of them. It is unref'd: it never keeps the kernel alive. A worker that
 * crashes is reported to the engine (`lost`, from its exit event) or, mid-product, noticed by its
 * time-out; the engine then calls `stop(reason)`, which says so on stderr, and products go on on one thread.
 */
import { isMainThread, Worker, workerData } from "node:worker_threads";
import { join } from "node:path";
import { serveGemmHelper, type GemmThread, type GemmThreadLost, type GemmThreadStart } from "../engine/gemmThread";

/** workerData's key, so a Worker started with other data never serves. */
const ROLE = "rnn-notebook-gemm-helper";

/**
 * Starts the helper thread: `lost` tells the engine when it ended on its own; `script` is the built
 * worker (dist/gemmWorker.js beside the kernel bundle); `say` reports why the thread ended early (the
 * kernel: the running cell's stderr).
 */
export function startGemmThread(
  start: GemmThreadStart,
  lost: GemmThreadLost = () => undefined,
  script = join(__dirname, "gemmWorker.js"),
  say: (text: string) => void = (text) => process.stderr.write(text),
): GemmThread & { readonly worker: Worker } {
  const worker = new Worker(script, { workerData: { role: ROLE, start } });
  worker.unref();
  let stopped = false;
  // The engine drops the thread (and calls stop with the reason, which says it).
  worker.on("error", (e) => stopped || lost(`the GEMM helper thread failed (${e.message}). Products run on one thread from now on.`));
  worker.on("exit", (code) => stopped || lost(`the GEMM helper thread exited (code ${code}). Products run on one thread from now on.`));
  return {
    worker,
    stop(reason) {
      if (stopped) return;
      stopped = true;
      if (reason) say(`RNN Notebook: ${reason}\n`);
      void worker.terminate();
    },
  };
}

const data = workerData as { role?: string; start?: GemmThreadStart } | null;
if (!isMainThread && data?.role === ROLE && data.start) serveGemmHelper(data.start);
