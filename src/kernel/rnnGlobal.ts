/**
 * The `rnn` global of cells: the engine's public exports (src/engine/index.ts) plus the kernel's
 * additions —
 *   rnn.show.*                      rich outputs (src/kernel/rich), shown in the running cell
 *   rnn.toMath(t)                   a mathjs matrix (the engine gives nested arrays; we wrap them)
 *   rnn.signal                      the running cell's interrupt AbortSignal, for a cell's own loops
 *   rnn.runs.start / list           the notebook's run ledger (./runs.ts): module loops' runs, every record
 *   rnn.runs.compare                runs of the ledger drawn overlaid with what differs (rich/runsBundle.ts)
 * and the engine's host (src/engine/host.ts), installed once here: the engine's file methods
 * (model.save, rnn.load, saveSafetensors, exportPyTorch, rnn.data.readCsv, …) get the kernel's files —
 * Node's with atomic writes and paths relative to the notebook's folder (files.ts), or the browser
 * Worker's (web/files.ts); every `model.fit(...)` stops on the kernel's
 * interrupt signal unless given its own, and gets ONE live training output, updated in place (same
 * displayId) at most 10 times a second, ending with the final loss curve; a fit that resolved becomes a
 * run record of the notebook's ledger; the Node kernel gives the GEMM a second thread (gemmThread.ts).
 */
import type * as mathjs from "mathjs";
import * as engine from "../engine/index";
import { setHost, type EngineHost, type FitObserver, type HostFiles } from "../engine/host";
import type { FitProgress } from "../engine/index";
import type { GemmThread, GemmThreadLost, GemmThreadStart } from "../engine/gemmThread";
import type { MimeBundle } from "../shared/mime";
import { createShow, trainingBundle } from "./rich";
import { outputMaxBytes } from "./output";
import { compareRunsView } from "./rich/runsBundle";
import type { KernelRuns } from "./runs";
import type { Sandbox } from "./sandbox";
import { whatIfViews } from "./whatIf";

type MathJs = typeof mathjs;

/** Fewest milliseconds between two updates of a live training output (≤ 10 updates/s). */
const TRAINING_UPDATE_MS = 100;

/** What differs between the kernels (Node process, browser Worker) in the engine's host. */
export interface RnnHostOptions {
  files: HostFiles;
  /** Starts the display ids of live training outputs: unique to this kernel (a restarted kernel's must not
   * update the outputs of the one before). */
  liveIdPrefix: string;
  yieldToEventLoop?: EngineHost["yieldToEventLoop"];
  /**
   * Starts a second GEMM thread (the Node kernel: gemmThread.ts; the browser Worker gives none); `say`
   * writes why it stopped, if it ever does, to the running cell's stderr.
   */
  gemmThread?: (start: GemmThreadStart, lost: GemmThreadLost, say: (text: string) => void) => GemmThread | undefined;
}

export function createRnn(sandbox: Sandbox, loadMath: () => MathJs, runs: KernelRuns, hostOptions: RnnHostOptions): Record<string, unknown> {
  const show = createShow({
    display: (bundle, displayId) => sandbox.display(bundle, displayId),
    maxBytes: outputMaxBytes(),
    remember: (view, recompute) => whatIfViews.remember(view, recompute),
  });
  setHost({
    files: hostOptions.files,
    fitSignal: () => sandbox.signal(),
    observeFit: () => new LiveTraining(sandbox, `${hostOptions.liveIdPrefix}-${++fitCounter}`),
    ...(hostOptions.yieldToEventLoop ? { yieldToEventLoop: hostOptions.yieldToEventLoop } : {}),
    ...(hostOptions.gemmThread ? { gemmThread: (start: GemmThreadStart, lost: GemmThreadLost) => hostOptions.gemmThread?.(start, lost, (text) => sandbox.write("stderr", text)) } : {}),
    fitEnded: (fit) => {
      try {
        return runs.fitEnded(fit);
      } catch (e) {
        // The fit itself is fine: its cell goes on, and the user learns why the run is missing.
        sandbox.write("stderr", `This fit could not be recorded in the run ledger: ${(e as Error).message}\n`);
        return undefined;
      }
    },
  });

  const rnn: Record<string, unknown> = {
    ...engine,
    show,
    runs: {
      start: (config?: Parameters<KernelRuns["start"]>[0]) => runs.start(config),
      list: () => runs.list(),
      compare: (which?: unknown, options?: unknown) => compareRunsView(runs.list(), which, options, (b) => sandbox.display(b), outputMaxBytes()),
    },
    toMath(t: engine.TensorLike) {
      return loadMath().matrix(engine.toMath(t) as mathjs.MathArray);
    },
  };
  Object.defineProperty(rnn, "signal", { get: () => sandbox.signal(), enumerable: true });
  return rnn;
}

let fitCounter = 0;

/** One training output per fit, updated in place and rate-limited: the host's fit observer. */
class LiveTraining implements FitObserver {
  private last: FitProgress | undefined;
  private lastSent = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;

  constructor(private readonly sandbox: Sandbox, private readonly displayId: string) {}

  update(p: FitProgress): void {
    if (this.ended) return;
    this.last = p;
    const final = p.status !== "running";
    const wait = this.lastSent + TRAINING_UPDATE_MS - Date.now();
    if (final || wait <= 0) {
      this.send();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.send(), wait);
    }
  }

  /** After fit settled: make sure the output shows the final state (and the whole loss curve). */
  end(status: FitProgress["status"], message?: string): void {
    if (this.ended) return;
    if (this.last && (this.last.status !== status || message)) {
      this.last = { ...this.last, status, ...(message ? { message } : {}) };
    }
    if (this.sandbox.owner()) {
      this.send();
    } else if (this.last) {
      // The fit outlived its cell (it was not awaited): say once, as background text, how it ended.
      if (this.timer) clearTimeout(this.timer);
      this.sandbox.display({ "text/plain": `A fit that outlived its cell ended: ${String(this.bundle()["text/plain"] ?? status)}` });
    }
    this.ended = true;
  }

  private bundle(): MimeBundle {
    try {
      return trainingBundle(this.last!, { maxBytes: outputMaxBytes() });
    } catch (e) {
      return { "text/plain": `(training progress could not be drawn: ${(e as Error).message})` };
    }
  }

  private send(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.last) return;
    this.lastSent = Date.now();
    this.sandbox.display(this.bundle(), this.displayId);
  }
}

