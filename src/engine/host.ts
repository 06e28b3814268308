/**
 * The engine's host port: everything the engine needs from the program it runs in, declared here and
 * implemented by that program. The engine itself stays pure (no Node, no DOM): a model's `save(path)`
 * asks the host for files, `fit` asks it for the abort signal and a progress observer.
 *
 *   host            files                                  fit
 *   (default)       none: file methods throw a clear error  no signal, no observer
 *   Node kernel     fs, atomic writes, paths from the       the running cell's interrupt signal,
 *   (src/kernel)    notebook's folder                       one live training output per fit,
 *                                                           a run record per resolved fit
 *   browser Worker  the editor's workspace files, fetched   the same, and an unclamped yield
 *   (kernel/web)    before each cell (src/kernel/web)       between batches
 *
 * A host is installed once with `setHost` by the program that embeds the engine (the kernel, when it
 * builds the cells' `rnn`); cells never install one. Every member is optional, so a host states only
 * what it has: a browser host without files leaves out `files` and the engine's file methods say so.
 * Later additions join this interface the same way, each optional.
 *
 *   host            a second GEMM thread
 *   (default)       none: every product on the calling thread
 *   Node kernel     a worker_threads Worker (src/kernel/gemmThread.ts) serving half of each large
 *                   product on the same shared WebAssembly memory (gemmThread.ts in the engine)
 */
import type { AbortSignalLike, FitOptions, FitProgress, History } from "./fit";
import type { GemmThread, GemmThreadLost, GemmThreadStart } from "./gemmThread";

/**
 * Files of the host. Paths the engine passes are what a cell wrote (`model.save("m.rnnmodel")`);
 * `resolve` turns them into the host's absolute paths, which the other members then receive.
 */
export interface HostFiles {
  /** The absolute path a cell's path names (the Node kernel resolves relative paths from the notebook's folder). */
  resolve(path: string): string;
  /** `name` inside folder `dir` (an absolute path from `resolve`), in the host's path syntax. */
  join(dir: string, name: string): string;
  /** The file's bytes, or undefined when there is no file at `file`; any other failure throws an Error saying why. */
  read(file: string): Uint8Array | undefined;
  /**
   * Replaces `file` whole or not at all — never half a file, even if the process dies mid-write
   * (write beside it, then rename) — creating missing folders.
   */
  write(file: string, content: Uint8Array | string): void;
  /** Whether `file` is an existing folder. */
  isFolder(file: string): boolean;
}

/**
 * Watches one `fit` from its start to its end: the Node kernel's live training output. `update` gets
 * the throttled progress reports (see FitProgress for what they share with the fit), `end` is called
 * exactly once when fit resolves or rejects.
 */
export interface FitObserver {
  /** A progress report (at most every 100 ms, at each epoch end, and the final one). */
  update(progress: FitProgress): void;
  /** fit settled: "done", "interrupted", or "failed" with the error's message. */
  end(status: FitProgress["status"], message?: string): void;
}

/**
 * A fit that ended — resolved (done, interrupted or stopped early), or stopped by its NaN/Inf trap —
 * what a run record is made of (runs.ts).
 */
export interface FinishedFit {
  /** The model's name, class ("Sequential", "Functional") and parameter count. */
  model: { name: string; type: string; totalParams: number };
  /** The options as the cell passed them. */
  options: FitOptions;
  history: History;
  /** Why the fit stopped with an error (the NaN/Inf stop's message); absent when it resolved. */
  failed?: string;
}

/** What the engine needs from the program it runs in; every member optional (see the file header). */
export interface EngineHost {
  /** Files; absent = this host has none, and file methods (`model.save(path)`, …) throw saying so. */
  readonly files?: HostFiles;
  /** The signal a fit started now stops on when it gets no `signal` option (the kernel: the running cell's interrupt). */
  fitSignal?(): AbortSignalLike | undefined;
  /** A fresh observer for a fit that starts now (the kernel: one live training output per fit), or undefined. */
  observeFit?(): FitObserver | undefined;
  /**
   * A fit resolved, or its NaN/Inf trap stopped it (the kernel: appends its run record to the notebook's
   * run ledger) — not called for a fit rejected before training (bad options). Returns the record's id.
   */
  fitEnded?(fit: FinishedFit): string | undefined;
  /**
   * Resolves on a later turn of the event loop, after pending messages; fit awaits it between batches so
   * an interrupt gets through. Absent: `setTimeout(0)`, which browsers clamp to at least 4 ms once timers
   * nest (HTML's timer rule) — seconds lost over an epoch of small batches, so a browser host gives a
   * MessageChannel round trip instead.
   */
  yieldToEventLoop?(): Promise<void>;
  /**
   * Starts a second thread for the GEMM, which runs `serveGemmHelper(start)` (gemmThread.ts) until it is
   * stopped — or returns undefined when it cannot — and calls `lost` if the thread ends on its own. The engine itself cannot start threads (no Node, no
   * DOM), and a thread is only worth its start-up in a long-lived process with a core to spare: the
   * Node kernel gives one; a browser page gives none (no SharedArrayBuffer without cross-origin
   * isolation). Asked at most once per process, on the first product big enough to split.
   */
  gemmThread?(start: GemmThreadStart, lost: GemmThreadLost): GemmThread | undefined;
}

/** The host without files, signal or observer: the engine on its own (tests, a bare import). */
const NO_HOST: EngineHost = {};

let current: EngineHost = NO_HOST;

/**
 * Installs the host (or, with undefined, the default host without files). For the program embedding
 * the engine — the kernel calls it once when it builds `rnn`; cells do not get it.
 */
export function setHost(host: EngineHost | undefined): void {
  current = host ?? NO_HOST;
}

/** The installed host. @internal */
export function host(): EngineHost {
  return current;
}

/**
 * The host's files, or a clear error naming the call and what to use instead, e.g.
 * "model.save(path) needs files; this host has none — use model.toBytes()". @internal
 */
export function hostFiles(call: string, instead?: string): HostFiles {
  const files = current.files;
  if (!files) throw new Error(`${call} needs files; this host has none${instead ? ` — use ${instead}` : ""}`);
  return files;
}
