/**
 * The extension host's side of one kernel process (DESIGN §2). It forks dist/kernel.js with
 * child_process.fork, speaks src/shared/protocol.ts over IPC, runs one cell at a time, and owns the
 * process lifecycle: interrupt (abort signal first, kill after a grace period), restart, crash
 * detection. It imports no `vscode` so it can be unit-tested in plain Node.
 */
import { fork, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import type { MimeBundle } from "../shared/mime";
import type { FromKernel, InspectQuery, ToKernel } from "../shared/protocol";

export interface KernelOptions {
  /** Absolute path of dist/kernel.js. */
  kernelPath: string;
  /** Working directory of the kernel: the notebook's folder. */
  cwd: string;
  /** --max-old-space-size for the kernel process, in MB. */
  maxOldSpaceSizeMb: number;
  /** How long after an interrupt a cell may keep running before the process is killed. */
  graceMs: number;
  /** Largest size of one output in bytes (setting rnnNotebook.output.maxBytes); the kernel downsamples to fit. */
  maxOutputBytes?: number;
}

/** What a running cell reports, in order. */
export interface CellSink {
  stream(name: "stdout" | "stderr", text: string): void;
  display(bundle: MimeBundle, displayId?: string): void;
  result(bundle: MimeBundle): void;
  error(name: string, message: string, stack: string): void;
}

/**
 * How a cell ended. "killed": the process was killed after an interrupt's grace period (state lost);
 * "crashed": the process died by itself (process.exit, out of memory) — state lost too.
 */
export type CellStatus = "ok" | "error" | "interrupted" | "killed" | "crashed";

interface Running {
  id: number;
  sink: CellSink;
  resolve(status: CellStatus): void;
}

export class KernelClient {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private running: Running | undefined;
  /** A cell waiting for the process to start; an interrupt then means "do not run it". */
  private starting: { interrupted: boolean } | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private killingOnPurpose = false;
  private readonly inspections = new Map<number, (result: unknown) => void>();
  private stderrTail = "";
  /** "exit" (code, signal, stderrTail) whenever a kernel process ends; "background" (name, text). */
  readonly events = new EventEmitter();

  constructor(private readonly options: KernelOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A cell runs in the kernel now (not counting one that waits for the process to start). */
  get isRunningCell(): boolean {
    return this.running !== undefined;
  }

  /** Starts the process if it is not running; resolves when it said "ready". */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = fork(this.options.kernelPath, [], {
      cwd: this.options.cwd,
      // No --enable-source-maps: the kernel maps cell frames itself (src/kernel/errors.ts) and Node's
      // remapping of the 12 MB bundle would only slow the first error down.
      execArgv: [`--max-old-space-size=${this.options.maxOldSpaceSizeMb}`],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
      env: this.options.maxOutputBytes ? { ...process.env, RNN_NOTEBOOK_MAX_OUTPUT_BYTES: String(this.options.maxOutputBytes) } : process.env,
    });
    this.child = child;
    this.stderrTail = "";
    // Anything the process prints outside the protocol (native crashes, V8's OOM report) goes to
    // the running cell's stderr, so nothing is lost.
    child.stdout?.setEncoding("utf8").on("data", (t: string) => this.raw("stdout", t));
    child.stderr?.setEncoding("utf8").on("data", (t: string) => {
      this.stderrTail = (this.stderrTail + t).slice(-4000);
      this.raw("stderr", t);
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const onEarlyExit = (code: number | null, signal: string | null) =>
        reject(new Error(`The kernel process exited before it was ready (code ${code}, signal ${signal}).\n${this.stderrTail}`));
      child.once("exit", onEarlyExit);
      child.on("message", (m: FromKernel) => {
        if (m.type === "ready") {
          child.off("exit", onEarlyExit);
          resolve();
        }
        this.onMessage(m);
      });
    });
    child.on("exit", (code, signal) => this.onExit(child, code, signal));
    return this.ready;
  }

  /** Runs one cell; resolves when it ended (never rejects for cell errors). */
  async execute(code: string, cell: number, filename: string, sink: CellSink): Promise<CellStatus> {
    if (this.running || this.starting) throw new Error("a cell is already running in this kernel");
    // Starting a process takes a second or two (the first cell, after a restart or a crash); Stop
    // pressed meanwhile must not be lost: the cell then does not run at all.
    const starting = { interrupted: false };
    this.starting = starting;
    try {
      await this.start();
    } finally {
      this.starting = undefined;
    }
    if (starting.interrupted) return "interrupted";
    const id = this.nextId++;
    return new Promise<CellStatus>((resolve) => {
      this.running = { id, sink, resolve };
      this.send({ type: "execute", id, code, cell, filename });
    });
  }

  /**
   * Interrupt: the kernel aborts its signal; fit stops at the next batch. A cell still running after
   * the grace period (code that never yields) is ended by killing the process.
   */
  interrupt(): void {
    if (this.starting) this.starting.interrupted = true;
    if (!this.running || !this.child) return;
    this.send({ type: "interrupt" });
    if (this.graceTimer) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined;
      if (this.running) this.kill("killed");
    }, this.options.graceMs);
  }

  /** Asks the kernel a question without running a cell (live models, a summary). */
  async inspect(query: InspectQuery, timeoutMs = 5000): Promise<unknown> {
    if (!this.child) return undefined;
    await this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.inspections.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.inspections.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.send({ type: "inspect", id, query });
    });
  }

  /** Ends the process (a running cell ends as "killed"); the next execute starts a fresh one. */
  async restart(): Promise<void> {
    this.kill("killed");
    await this.start();
  }

  dispose(): void {
    this.kill("killed");
    this.events.removeAllListeners();
  }

  private kill(status: CellStatus): void {
    const child = this.child;
    if (!child) return;
    this.killingOnPurpose = true;
    this.finishRunning(status);
    this.detach();
    child.kill("SIGKILL");
  }

  private detach(): void {
    this.child = undefined;
    this.ready = undefined;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    for (const resolve of this.inspections.values()) resolve(undefined);
    this.inspections.clear();
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    const onPurpose = this.killingOnPurpose;
    this.killingOnPurpose = false;
    if (child === this.child) {
      // Died by itself: process.exit() in a cell, out of memory, a native crash.
      if (this.running) {
        const why = describeExit(code, signal, this.stderrTail, this.options.maxOldSpaceSizeMb);
        this.running.sink.error("KernelDied", why, why);
      }
      this.finishRunning("crashed");
      this.detach();
    }
    this.events.emit("exit", code, signal, onPurpose);
  }

  private onMessage(m: FromKernel): void {
    const r = this.running;
    switch (m.type) {
      case "ready":
        return;
      case "inspectResult": {
        const resolve = this.inspections.get(m.id);
        this.inspections.delete(m.id);
        resolve?.(m.result);
        return;
      }
      case "background":
        this.events.emit("background", m.name, m.text);
        return;
    }
    if (!r || m.id !== r.id) return; // a late message of a cell that was already ended
    switch (m.type) {
      case "stream":
        r.sink.stream(m.name, m.text);
        break;
      case "display":
        r.sink.display(m.bundle, m.displayId);
        break;
      case "result":
        r.sink.result(m.bundle);
        break;
      case "error":
        r.sink.error(m.name, m.message, m.stack);
        break;
      case "done":
        this.finishRunning(m.status);
        break;
    }
  }

  private raw(name: "stdout" | "stderr", text: string): void {
    if (this.running) this.running.sink.stream(name, text);
    else this.events.emit("background", name, text);
  }

  private finishRunning(status: CellStatus): void {
    const r = this.running;
    this.running = undefined;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    r?.resolve(status);
  }

  private send(message: ToKernel): void {
    this.child?.send(message);
  }
}

/** Says plainly why a kernel process died. */
export function describeExit(code: number | null, signal: string | null, stderrTail: string, heapMb: number): string {
  const oom = /heap out of memory|Allocation failed/i.test(stderrTail);
  if (oom) {
    return `The kernel ran out of memory (heap limit ${heapMb} MB, setting rnnNotebook.kernel.maxOldSpaceSizeMb) and was restarted. All variables were lost.`;
  }
  if (signal) return `The kernel process was ended by ${signal} and was restarted. All variables were lost.`;
  return `The kernel process exited (code ${code}) — e.g. process.exit() was called — and was restarted. All variables were lost.`;
}
