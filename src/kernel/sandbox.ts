/**
 * Where cells run, and the globals they see: `rnn`, `math`, `display`, a streaming `console`, plus
 * the runtime's own globals (timers, `AbortController`, `TextEncoder`, …; in Node also `process`).
 * There is no `require`; `import` goes through the kernel's loader (loader.ts; the browser Worker's
 * explains why not: web/loader.ts). What differs between Node and the browser Worker comes in
 * through SandboxOptions and the platform port (platform.ts); the rest is shared.
 *
 * Realm choice: cells run in the kernel's MAIN realm (platform().evaluate: vm.runInThisContext, or
 * indirect eval in the browser), with their
 * top-level bindings as properties of the real global object, not in a separate vm context. A
 * separate context has its own Array, Float32Array, Promise and Error, so `rnn.tensor(new
 * Float32Array(…))` or any `instanceof` check in the engine would fail for values made in a cell —
 * the engine checks `data instanceof Float32Array`. The process is the notebook's alone (one kernel
 * per notebook, killed on restart), so isolation between the kernel and the cells is not a security
 * boundary anyway; the kernel keeps its own references to `process` so a cell that rebinds a global
 * does not cut the kernel off.
 *
 * Output attribution uses the cell context (Node: AsyncLocalStorage): console text from a callback
 * that a cell started is shown in that cell while it runs, and as a `background` message after it
 * ended. Without one (the browser) the running cell owns whatever runs.
 */
import type { MimeBundle } from "../shared/mime";
import { portableConsole } from "./cellConsole";
import { ScriptRegistry, type ErrorReport } from "./errors";
import type { Outbox } from "./output";
import { isNativePromise, raceNative, thenNative } from "./intrinsics";
import { platform } from "./platform";
import { transpileCell } from "./transpile";
import { inspectText, valueBundle, type RichBundler } from "./display";

/** A cell being run (or that ran; `ended` then). */
export interface CellRun {
  id: number;
  /** 1-based cell number, for messages. */
  cell: number;
  controller: AbortController;
  ended: boolean;
}

/** As the protocol's `done` message has it: "stopped" = interrupted but ran to its end. */
export type CellStatus = "ok" | "error" | "interrupted" | "stopped";

/** After an interrupt, a cell still awaiting something this long is ended (its promise is abandoned). */
const ABANDON_AFTER_INTERRUPT_MS = 1500;
const RECENT_RUNS = 32;

/** Cells' `import` (transpile.ts rewrites import statements to calls of it). */
export interface CellImporter {
  import(specifier: unknown): Promise<unknown>;
}

/** Which cell started the code running now, across its callbacks: an AsyncLocalStorage's two methods. */
export interface CellContext {
  run<T>(run: CellRun, f: () => T): T;
  getStore(): CellRun | undefined;
}

export type StreamName = "stdout" | "stderr";

export interface SandboxOptions {
  outbox: Outbox;
  /** Cells' `import`, given the registry that maps stack frames of the files it evaluates. */
  importer(registry: ScriptRegistry): CellImporter;
  /** Absent: the running cell owns all running code (callbacks of an ended cell write background text). */
  cellContext?: CellContext;
  /** The console of cells, writing its text with `write`; absent: the portable one (cellConsole.ts). */
  console?(write: (name: StreamName, text: string) => void): Console;
  /** Makes the runtime's other text output (Node: process.stdout/stderr) cell output too. */
  captureStdio?(write: (name: StreamName, text: string) => void): void;
}

/** The default export as TypeScript's esModuleInterop sees it. */
function esModuleDefault(mod: unknown): unknown {
  if (mod && (typeof mod === "object" || typeof mod === "function")) {
    const m = mod as Record<string | symbol, unknown>;
    if (m.__esModule || m[Symbol.toStringTag] === "Module") return m.default;
  }
  return mod;
}

const NO_CONTEXT: CellContext = { run: (_run, f) => f(), getStore: () => undefined };

export class Sandbox {
  readonly registry = new ScriptRegistry();
  readonly loader: CellImporter;
  /** Every top-level name any cell declared (for inspection). */
  readonly bindings = new Set<string>();
  private readonly als: CellContext;
  private current: CellRun | undefined;
  /** The last RECENT_RUNS cells, whose leftover background work an interrupt also stops. */
  private readonly recentRuns: CellRun[] = [];
  private executions = 0;
  private rich: RichBundler | undefined;
  private readonly kernelHelper: { import(s: unknown): Promise<unknown>; default(m: unknown): unknown };

  constructor(private readonly options: SandboxOptions) {
    this.loader = options.importer(this.registry);
    this.als = options.cellContext ?? NO_CONTEXT;
    this.kernelHelper = {
      import: (s) => this.loader.import(s),
      default: esModuleDefault,
    };
  }

  /** The cell that owns the code running now (its callbacks included), if it has not ended. */
  owner(): CellRun | undefined {
    const run = this.als.getStore() ?? this.current;
    return run && !run.ended ? run : undefined;
  }

  /** The running cell, whether or not the code running now belongs to it. */
  get running(): CellRun | undefined {
    return this.current;
  }

  /** The interrupt signal of the cell that owns the running code (a never-aborted one outside cells). */
  signal(): AbortSignal {
    return (this.als.getStore() ?? this.current)?.controller.signal ?? new AbortController().signal;
  }

  setRichBundler(rich: RichBundler): void {
    this.rich = rich;
  }

  /** Console text, attributed to its cell. */
  write(name: StreamName, text: string): void {
    this.options.outbox.stream(this.owner()?.id, name, text);
  }

  /** A rich output of the cell that owns the running code (background text when there is none). */
  display(bundle: MimeBundle, displayId?: string): void {
    const run = this.owner();
    if (run) {
      this.options.outbox.send({ type: "display", id: run.id, bundle, ...(displayId ? { displayId } : {}) });
    } else if (displayId) {
      // A live output (training progress) of work that outlived its cell: there is no cell output to
      // update in place any more; its owner reports the end with a plain display instead.
    } else {
      const text = typeof bundle["text/plain"] === "string" ? bundle["text/plain"] : "(a rich output of a cell that has ended)";
      this.options.outbox.stream(undefined, "stdout", text + "\n");
    }
  }

  displayValues(values: unknown[]): void {
    for (const v of values) {
      const bundle = valueBundle(v, this.rich, false);
      if (bundle) this.display(bundle);
    }
  }

  /** Installs the globals cells see. `rnn` and `math` are made by the caller. */
  installGlobals(extra: Record<string, unknown>): void {
    const g = globalThis as Record<string, unknown>;
    const write = (name: StreamName, text: string) => this.write(name, text);
    const cellConsole = this.options.console?.(write) ?? portableConsole(write);
    // console.trace with the user's frames only, mapped to cell lines (like error stacks).
    cellConsole.trace = (...args: unknown[]) => {
      const frames = this.registry.cleanStack(new Error().stack ?? ""); // this function is a kernel frame: removed
      this.write("stderr", [`Trace: ${platform().format(...args)}`, ...frames].join("\n") + "\n");
    };
    g.console = cellConsole;
    const display = (...values: unknown[]) => this.displayValues(values);
    Object.assign(g, { display, ...extra });
    this.options.captureStdio?.(write);
  }

  /** Runs one cell to its end. Never throws. */
  async run(id: number, code: string, cell: number, filename: string): Promise<{ status: CellStatus; error?: ErrorReport; result?: MimeBundle }> {
    const t = transpileCell(code, { fileName: filename });
    if (t.syntaxErrors.length > 0) {
      const e = t.syntaxErrors[0];
      const more = t.syntaxErrors.length > 1 ? ` (and ${t.syntaxErrors.length - 1} more)` : "";
      return {
        status: "error",
        error: { name: "SyntaxError", message: e.message + more, stack: `SyntaxError: ${e.message}\n    at ${filename}:${e.line}:${e.column}` },
      };
    }
    // A unique name per execution, so frames of functions from an earlier run of this cell map with
    // that run's source map.
    const scriptName = `${filename}#${++this.executions}`;
    this.registry.register(scriptName, { displayName: filename, mappings: t.mappings, lineOffset: t.lineOffset });
    let fn: (k: unknown) => Promise<{ value: unknown } | undefined>;
    try {
      fn = platform().evaluate(t.code, scriptName) as typeof fn;
    } catch (e) {
      return { status: "error", error: this.compileError(e, scriptName, filename) };
    }
    for (const name of t.bindings) {
      this.bindings.add(name);
      if (!(name in globalThis)) {
        Object.defineProperty(globalThis, name, { value: undefined, writable: true, enumerable: true, configurable: true });
      }
    }
    const run: CellRun = { id, cell, controller: new AbortController(), ended: false };
    this.current = run;
    this.recentRuns.push(run);
    if (this.recentRuns.length > RECENT_RUNS) this.recentRuns.shift();
    try {
      // thenNative / raceNative: a cell may have replaced Promise.prototype.then (intrinsics.ts).
      const settled = thenNative(this.als.run(run, () => fn.call(globalThis, this.kernelHelper)),
        (v) => ({ ok: true as const, value: v?.value }),
        (e: unknown) => ({ ok: false as const, error: e }),
      );
      const outcome = await raceNative(settled, this.abandoned(run));
      const interrupted = run.controller.signal.aborted;
      if (outcome === "abandoned") {
        this.write("stderr", "The cell was still waiting for something after the interrupt; it was ended and whatever it awaited was left running in the background.\n");
        return { status: "interrupted" };
      }
      if (!outcome.ok) {
        if (interrupted && isAbortError(outcome.error)) return { status: "interrupted" };
        return { status: "error", error: this.registry.report(outcome.error) };
      }
      if (isNativePromise(outcome.value)) {
        // A promise as the last expression is shown, not awaited (like Node's REPL), but a forgotten
        // `await` must not look like success: one that already rejected fails the cell with its
        // clean error, one still pending gets a hint.
        const state = await settledState(outcome.value);
        if (state.state === "rejected") {
          if (interrupted && isAbortError(state.reason)) return { status: "interrupted" };
          return { status: "error", error: this.registry.report(state.reason) };
        }
        if (state.state === "pending") {
          this.write("stderr", "Hint: the cell's last expression is a Promise that has not settled, so the cell did not wait for it " +
            "(it goes on in the background). Did you mean `await`, as in `await model.fit(…)`?\n");
        }
        // util.inspect would also list the async-context symbols Node keeps on promises made in a cell.
        const shown = state.state === "pending" ? "<pending>" : inspectText(state.value);
        return { status: interrupted ? "stopped" : "ok", result: { "text/plain": `Promise { ${shown} }` } };
      }
      let result: MimeBundle | undefined;
      try {
        result = valueBundle(outcome.value, this.rich, true);
      } catch (e) {
        return { status: "error", error: this.registry.report(e) };
      }
      return { status: interrupted ? "stopped" : "ok", result };
    } finally {
      run.ended = true;
      if (this.current === run) this.current = undefined;
    }
  }

  /** Aborts the running cell's signal (fit stops at its next batch). */
  interrupt(): void {
    // Also work that recent cells left running (a `model.fit(...)` that was not awaited): Stop means
    // stop everything that listens to its cell's signal.
    for (const run of this.recentRuns) {
      if (!run.controller.signal.aborted) run.controller.abort(new DOMException("The cell was interrupted", "AbortError"));
    }
  }

  /** Resolves "abandoned" if the cell is interrupted and still pending ABANDON_AFTER_INTERRUPT_MS later. */
  private abandoned(run: CellRun): Promise<"abandoned"> {
    return new Promise((resolve) => {
      const signal = run.controller.signal;
      const arm = () => {
        const t = setTimeout(() => {
          // One more turn of the event loop, so a fit that just finished its batch resolves first.
          const t2 = setTimeout(() => {
            if (!run.ended) resolve("abandoned");
          }, 50);
          // Node: these timers alone do not keep the kernel alive (browsers have no unref).
          (t2 as { unref?(): void }).unref?.();
        }, ABANDON_AFTER_INTERRUPT_MS);
        (t as { unref?(): void }).unref?.();
      };
      if (signal.aborted) arm();
      else signal.addEventListener("abort", arm, { once: true });
    });
  }

  /** A SyntaxError V8 raised while compiling the transpiled cell (rare: TypeScript parsed it). */
  private compileError(e: unknown, scriptName: string, filename: string): ErrorReport {
    const err = e as Error;
    const m = typeof err?.stack === "string" ? new RegExp(`^${escapeRegExp(scriptName)}:(\\d+)`).exec(err.stack) : null;
    const mapped = m ? this.registry.map(scriptName, Number(m[1]), 1) : undefined;
    const where = mapped ? `${filename}:${mapped.line}` : filename;
    const name = err?.name ?? "SyntaxError";
    const message = err?.message ?? String(e);
    return { name, message, stack: `${name}: ${message}\n    at ${where}` };
  }

  /** Error report for something thrown outside a cell's own promise (timers, unhandled rejections). */
  report(err: unknown): ErrorReport {
    return this.registry.report(err);
  }
}

type PromiseState = { state: "fulfilled"; value: unknown } | { state: "rejected"; reason: unknown } | { state: "pending" };

/**
 * Whether `p` has settled by the next turn of the event loop (a promise that rejects synchronously,
 * like `fit` with a bad option, has). A pending promise that rejects later still reaches the
 * process's unhandledRejection handler, as it would have without this look.
 */
function settledState(p: Promise<unknown>): Promise<PromiseState> {
  const probe = thenNative(p, (value: unknown): PromiseState => ({ state: "fulfilled", value }), (reason: unknown): PromiseState => ({ state: "rejected", reason }));
  const nextTurn = new Promise<PromiseState>((resolve) => platform().nextTurn(() => resolve({ state: "pending" })));
  return thenNative(raceNative(probe, nextTurn), (s) => {
    if (s.state === "pending") {
      // The probe handled p's rejection, which would hide a later one: hand it back to the process.
      void thenNative(probe, (late) => {
        if (late.state === "rejected") throw late.reason;
      }, () => undefined);
    }
    return s;
  }, (): PromiseState => ({ state: "pending" }));
}

function isAbortError(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "AbortError";
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

