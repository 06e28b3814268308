/**
 * One kernel's cells and state, whatever carries its messages: the Node kernel process (main.ts) and the
 * browser Worker kernel (web/worker.ts) both make one KernelSession and hand it the client's requests.
 * It owns the sandbox, the `rnn` and `math` globals, the run ledger, and the queue that runs
 * `execute` requests one at a time; it answers `interrupt`, `inspect` and `ledger` at once (between
 * fit batches too). What only the carrier knows — exiting, its channel — stays with the carrier.
 */
import type * as mathjs from "mathjs";
import type { InspectFailure, InspectResult, ToKernel } from "../shared/protocol";
import type { ErrorReport } from "./errors";
import { inspectQuery } from "./inspect";
import { outputMaxBytes, type Outbox } from "./output";
import { richBundle } from "./rich";
import { createRnn, type RnnHostOptions } from "./rnnGlobal";
import { KernelRuns } from "./runs";
import { Sandbox, type SandboxOptions } from "./sandbox";

type Execute = Extract<ToKernel, { type: "execute" }>;

export interface SessionOptions extends RnnHostOptions {
  outbox: Outbox;
  sandbox: Omit<SandboxOptions, "outbox">;
  /** mathjs, loaded on the `math` global's first use. */
  loadMath(): typeof mathjs;
  /** Before a cell runs (the browser: fetching the files it names). */
  beforeCell?(m: Execute): Promise<void>;
  /** After a cell ran, before its "done": an error here becomes the cell's (the browser: a failed write). */
  afterCell?(m: Execute): Promise<ErrorReport | undefined>;
  /** A cell starts (a detached kernel remembers it for clients that attach mid-cell). */
  cellStarted?(m: Execute): void;
}

export class KernelSession {
  readonly sandbox: Sandbox;
  readonly runs: KernelRuns;
  private readonly queue: Execute[] = [];
  private draining = false;

  constructor(private readonly options: SessionOptions) {
    const { outbox } = options;
    this.sandbox = new Sandbox({ outbox, ...options.sandbox });
    this.sandbox.setRichBundler((value) => richBundle(value, { maxBytes: outputMaxBytes() }));
    this.runs = new KernelRuns({ send: (m) => outbox.send(m), signal: () => this.sandbox.signal() });
    const rnn = createRnn(this.sandbox, options.loadMath, this.runs, options);
    this.sandbox.installGlobals({ rnn });
    // mathjs builds its whole function table when loaded — the slowest part of the kernel's startup — so
    // the `math` global loads it on first use.
    Object.defineProperty(globalThis, "math", {
      configurable: true, enumerable: true,
      get: options.loadMath,
      // `const math = …` in a cell replaces the global like any other binding.
      set(value: unknown) {
        Object.defineProperty(globalThis, "math", { value, writable: true, configurable: true, enumerable: true });
      },
    });
  }

  /**
   * Errors nobody catches (thrown in a timer, a rejected promise nobody awaits): shown on stderr of the
   * cell that started the callback while it runs, as background messages after it ended.
   */
  uncaught(kind: string, err: unknown): void {
    const r = this.sandbox.report(err);
    // The cell context (Node: AsyncLocalStorage) still knows, in these handlers, which cell started the failing callback.
    this.options.outbox.stream(this.sandbox.owner()?.id, "stderr", `${kind}: ${r.stack}\n`);
  }

  /** The client's requests other than `shutdown`, which is the carrier's. */
  handle(m: Exclude<ToKernel, { type: "shutdown" }>): void {
    const { outbox } = this.options;
    switch (m.type) {
      case "execute":
        this.queue.push(m);
        void this.drain();
        break;
      case "interrupt":
        this.sandbox.interrupt();
        break;
      case "inspect": {
        let result: InspectResult | InspectFailure;
        try {
          result = inspectQuery(m.query, this.sandbox);
        } catch (e) {
          result = { error: (e as Error).message };
        }
        outbox.send({ type: "inspectResult", id: m.id, result });
        break;
      }
      case "ledger":
        this.runs.setLedger(m.records, m.droppedRuns);
    }
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const { outbox } = this.options;
    try {
      for (let m = this.queue.shift(); m; m = this.queue.shift()) {
        // Whatever goes wrong in the kernel's own handling of a cell (a cell that replaced a built-in the
        // kernel uses, say), the cell still ends: without "done" it would wait forever.
        this.options.cellStarted?.(m);
        try {
          await this.options.beforeCell?.(m);
          const r = await this.sandbox.run(m.id, m.code, m.cell, m.filename);
          // Runs of an interrupted cell that never reached run.end() are recorded, as interrupted, before "done".
          this.runs.cellEnded();
          const late = await this.options.afterCell?.(m);
          const error = r.error ?? late;
          if (error) outbox.send({ type: "error", id: m.id, ...error });
          if (r.result) outbox.send({ type: "result", id: m.id, bundle: r.result });
          outbox.send({ type: "done", id: m.id, status: error ? "error" : r.status });
        } catch (e) {
          let why = "unknown failure";
          try {
            why = e instanceof Error ? String(e.message) : String(e);
          } catch {
            // a failure that cannot even be described
          }
          const message = `the kernel could not finish handling this cell: ${why}`;
          outbox.send({ type: "error", id: m.id, name: "KernelError", message, stack: `KernelError: ${message}` });
          outbox.send({ type: "done", id: m.id, status: "error" });
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
