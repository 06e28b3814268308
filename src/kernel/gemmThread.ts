/**
 * The kernel's second GEMM thread (the engine's host port `gemmThread`, src/engine/host.ts): a
 * worker_threads Worker running this same file as dist/gemmWorker.js, which serves its share of each
 * large product on the engine's shared WebAssembly memory (src/engine/gemmThread.ts) until the process
 * ends.
 *
 * Lifetime: a worker thread is a thread of the kernel process, so it ends with it — on `shutdown`, a
 * closed channel, process.exit, the client's SIGKILL after Stop's grace period, or V8's out-of-memory
 * abort — and can outlive none of them. It is unref'd: it never keeps the kernel alive. A worker that
 * crashes is noticed by the engine (no answer within its time-out); `stop(reason)` then says so on
 * stderr and products go on on one thread.
 */
import { isMainThread, Worker, workerData } from "node:worker_threads";
import { join } from "node:path";
import { serveGemmHelper, type GemmThread, type GemmThreadStart } from "../engine/gemmThread";

/** workerData's key, so a Worker started with other data never serves. */
const ROLE = "rnn-notebook-gemm-helper";

/**
 * Starts the helper thread: `script` is the built worker (dist/gemmWorker.js beside the kernel bundle);
 * `say` reports why the thread ended early (the kernel: its stderr).
 */
export function startGemmThread(
  start: GemmThreadStart,
  script = join(__dirname, "gemmWorker.js"),
  say: (text: string) => void = (text) => process.stderr.write(text),
): GemmThread & { readonly worker: Worker } {
  const worker = new Worker(script, { workerData: { role: ROLE, start } });
  worker.unref();
  let stopped = false;
  worker.on("error", (e) => {
    if (!stopped) say(`RNN Notebook: the GEMM helper thread failed: ${e.message}\n`);
  });
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
