/**
 * The client's side of one kernel, whatever runs it: speaks src/shared/protocol.ts, runs one cell at a
 * time, and owns the kernel's lifecycle: interrupt (abort signal first, kill after a grace period),
 * restart, and telling a death apart from an error. How a kernel starts is its subclass's:
 *
 *   KernelClient (kernelClient.ts)        a forked Node process, or a detached one that outlives the
 *                                         extension host (the extension, the headless runner, the tests)
 *   WorkerKernelClient (workerKernel.ts)  a Web Worker (VS Code's web worker extension host)
 *
 * It imports no `vscode`, nothing of the kernel and no Node built-in, so it runs in both hosts.
 */
import type { MimeBundle } from "../shared/mime";
import type { FromKernel, InspectFailure, InspectQuery, InspectResult } from "../shared/protocol";
import type { RunRecord } from "../shared/runLedger";
import { Emitter } from "./emitter";
import type { KernelConnection, KernelExit, KernelProcessListener } from "./kernelProcess";

/** What every client is told, whatever runs its kernel. */
export interface KernelClientOptions {
  /** The heap limit the kernel runs with, in MB, for explaining an out-of-memory death (absent: the host's default). */
  maxOldSpaceSizeMb?: number;
  /** How long after an interrupt a cell may keep running before the process is killed. */
  graceMs: number;
  /** Largest size of one output in bytes (setting rnnNotebook.output.maxBytes); the kernel downsamples to fit. */
  maxOutputBytes?: number;
  /**
   * Where text the process writes outside the protocol goes. Default: the running cell's streams,
   * else the "background" event — the extension loses nothing. The runner passes it straight through.
   */
  rawOutput?: (name: "stdout" | "stderr", text: string) => void;
  /**
   * What follows a death, for how it is told: "restart" (the extension starts a fresh process, so
   * the message says the variables were lost) or "stop" (the runner ends there: "Cell 3 failed: …").
   */
  afterDeath?: "restart" | "stop";
  /**
   * The notebook's run ledger as it is now (checked and capped: src/shared/runLedger.ts), asked for
   * each time a kernel process starts and sent to it before any cell, so `rnn.runs.list()` sees the
   * runs of earlier sessions. Absent: the kernel starts with an empty ledger.
   */
  ledger?: () => { records: RunRecord[]; droppedRuns?: number };
  /**
   * Run the kernel detached (the Node extension): it outlives this process, and a later client with the
   * same key attaches to it — with the cell it is running — instead of starting another. `idleMs`: how
   * long it lives with no client (the notebook closed). Without it the kernel is a forked child.
   */
  detached?: { key: string; idleMs: number; dir?: string };
}

/**
 * A kernel that outlives its client (a detached Node kernel): let go of without ending it, and found
 * again, with the cell it was running at the time.
 */
export interface ReleasableConnection extends KernelConnection {
  readonly runningAtAttach: { id: number; cell: number } | undefined;
  /** Lets go of the kernel without ending it. */
  release(): void;
}

function isReleasable(c: KernelConnection | undefined): c is ReleasableConnection {
  return c !== undefined && typeof (c as Partial<ReleasableConnection>).release === "function";
}

/** What a running cell reports, in order. */
export interface CellSink {
  stream(name: "stdout" | "stderr", text: string): void;
  display(bundle: MimeBundle, displayId?: string): void;
  result(bundle: MimeBundle): void;
  error(name: string, message: string, stack: string): void;
}

/**
 * How a cell ended. "stopped": interrupted, but its code ran to its end (fit stopped at a batch
 * boundary) — not a failure; "interrupted": the interrupt cut the cell off. "killed": the process was killed after an interrupt's grace period (state lost);
 * "crashed": the process died by itself (process.exit, out of memory) — state lost too, and the
 * cell's sink got a "KernelDied" error saying why. "released": this client let go of a detached kernel
 * (its notebook closed, the window reloads) while the cell runs on in it.
 */
export type CellStatus = "ok" | "error" | "interrupted" | "stopped" | "killed" | "crashed" | "released";

interface Running {
  id: number;
  cell: number;
  sink: CellSink;
  resolve(status: CellStatus): void;
}

/** How much of a kernel's stderr a connection keeps for describing its death (V8's OOM report fits). */
export const STDERR_TAIL_CHARS = 4000;

/** After "shutdown", how long the kernel may take to exit before it is killed. */
const SHUTDOWN_GRACE_MS = 2000;

export abstract class KernelClientBase {
  private process: KernelConnection | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private running: Running | undefined;
  /** A cell waiting for the process to start; an interrupt then means "do not run it". */
  private starting: { interrupted: boolean } | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private killingOnPurpose = false;
  private readonly inspections = new Map<number, (result: InspectResult | InspectFailure | undefined) => void>();
  /** A cell the kernel was running when this client attached to it, until `adopt` gives it a sink; its messages wait here. */
  private orphan: { id: number; cell: number; waiting: FromKernel[] } | undefined;
  private attaching: Promise<ReleasableConnection | undefined> | undefined;
  /** "exit" (code, signal, onPurpose) whenever a kernel process ends; "background" (name, text); "run" (record): a run ended. */
  readonly events = new Emitter();

  constructor(private readonly options: KernelClientOptions) {}

  /** Starts a kernel that ends with this client (a forked process, a worker); its messages and end go to `listener`. */
  protected abstract launch(listener: KernelProcessListener): KernelConnection;

  /** Starts a detached kernel for `options.detached` (hosts that have them). */
  protected launchDetached(_listener: KernelProcessListener): ReleasableConnection {
    throw new Error("this host has no detached kernels");
  }

  /** The detached kernel of `options.detached`'s key, if one runs (hosts that have them). */
  protected attachDetached(_listener: KernelProcessListener): Promise<ReleasableConnection | undefined> {
    return Promise.resolve(undefined);
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** A kernel runs for this client now (started or attached; a Worker kernel has no pid). */
  get hasKernel(): boolean {
    return this.process !== undefined && !this.process.hasExited;
  }

  /** A cell runs in the kernel now (not counting one that waits for the process to start). */
  get isRunningCell(): boolean {
    return this.running !== undefined;
  }

  /**
   * Starts the process if it is not running (a detached client first attaches to its key's kernel
   * if one runs); resolves when it said "ready".
   */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    if (!this.options.detached) {
      const proc: KernelConnection = this.launch(this.listenerFor(() => proc));
      this.process = proc;
      this.ready = proc.ready.then(() => this.sendLedger(proc));
      return this.ready;
    }
    const ready = this.attachOrLaunch();
    this.ready = ready;
    // Whoever waits for ready sees the failure; the next start tries again.
    ready.catch(() => {
      if (this.ready === ready) this.ready = undefined;
    });
    return ready;
  }

  /**
   * Attaches to the detached kernel of this client's key if one runs, starting none; true when
   * attached (the kernel's running cell, if any, waits for `adopt`).
   */
  async attach(): Promise<boolean> {
    if (this.process) return true;
    if (!this.options.detached) return false;
    const k = await this.attachExisting();
    return k !== undefined;
  }

  /** The cell (1-based number) the kernel was running when this client attached, until adopted. */
  get orphanCell(): number | undefined {
    return this.orphan?.cell;
  }

  /**
   * Gives the cell that was running when this client attached a sink: its outputs so far (the kernel
   * replays them) and the rest arrive there, and the promise settles when it ends, as `execute`'s does.
   */
  adopt(sink: CellSink): Promise<CellStatus> | undefined {
    const o = this.orphan;
    if (!o || this.running) return undefined;
    this.orphan = undefined;
    return new Promise<CellStatus>((resolve) => {
      this.running = { id: o.id, cell: o.cell, sink, resolve };
      for (const m of o.waiting) this.onMessage(m);
    });
  }

  /** Lets go of a detached kernel without ending it (its notebook closed, the window reloads); else ends it. */
  release(): void {
    const proc = this.process;
    if (!isReleasable(proc)) {
      this.dispose();
      return;
    }
    this.finishRunning("released");
    this.detach();
    proc.release();
    this.events.removeAllListeners();
  }

  private async attachOrLaunch(): Promise<void> {
    if (await this.attachExisting()) return;
    const k: ReleasableConnection = this.launchDetached(this.listenerFor(() => k));
    this.process = k;
    await k.ready;
    // Only a fresh kernel: one attached to again already has the ledger and this session's runs.
    this.sendLedger(k);
  }

  /** The notebook's ledger, to a kernel that just started, before any cell. */
  private sendLedger(proc: KernelConnection): void {
    const ledger = this.options.ledger?.();
    if (ledger) proc.send({ type: "ledger", records: ledger.records, ...(ledger.droppedRuns ? { droppedRuns: ledger.droppedRuns } : {}) });
  }

  /** One attach at a time: a second hello would take the kernel over from the first connection. */
  private attachExisting(): Promise<ReleasableConnection | undefined> {
    if (!this.attaching) {
      const p = this.attachNow();
      this.attaching = p;
      void p.finally(() => {
        if (this.attaching === p) this.attaching = undefined;
      });
    }
    return this.attaching;
  }

  private async attachNow(): Promise<ReleasableConnection | undefined> {
    if (isReleasable(this.process)) return this.process;
    // The listener may hear of an end before attach returns (the kernel died meanwhile): it then names no process.
    const found: { k?: ReleasableConnection } = {};
    found.k = await this.attachDetached(this.listenerFor(() => found.k));
    const k = found.k;
    if (!k) return undefined;
    if (this.process && this.process !== k) {
      // Started meanwhile by another call: keep that one.
      k.release();
      return undefined;
    }
    this.process = k;
    this.ready ??= Promise.resolve();
    const r = k.runningAtAttach;
    // Ids of this client continue after the kernel's running cell, so no reply is taken for another.
    if (r) this.nextId = Math.max(this.nextId, r.id + 1);
    return k;
  }

  private listenerFor(proc: () => KernelConnection | undefined): KernelProcessListener {
    return {
      message: (m) => this.onMessage(m),
      output: (name, text) => this.raw(name, text),
      exit: (e) => this.onExit(proc(), e),
    };
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
      this.running = { id, cell, sink, resolve };
      this.process?.send({ type: "execute", id, code, cell, filename });
    });
  }

  /**
   * Interrupt: the kernel aborts its signal; fit stops at the next batch. A cell still running after
   * the grace period (code that never yields) is ended by killing the process.
   */
  interrupt(): void {
    if (this.starting) this.starting.interrupted = true;
    if (!this.running || !this.process) return;
    this.process.send({ type: "interrupt" });
    if (this.graceTimer) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined;
      if (this.running) this.kill("killed");
    }, this.options.graceMs);
  }

  /**
   * Asks the kernel a question without running a cell (live models, a summary); undefined when no
   * kernel runs, it ended meanwhile, or it did not answer within timeoutMs.
   */
  async inspect<Q extends InspectQuery>(query: Q, timeoutMs = 5000): Promise<InspectResult<Q["kind"]> | InspectFailure | undefined> {
    if (!this.process) return undefined;
    await this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.inspections.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.inspections.set(id, (r) => {
        clearTimeout(timer);
        // The kernel answers a query of kind K with InspectKinds[K]["result"] (src/kernel/inspect.ts);
        // the IPC message cannot carry that pairing in its type.
        resolve(r as InspectResult<Q["kind"]> | InspectFailure | undefined);
      });
      this.process?.send({ type: "inspect", id, query });
    });
  }

  /**
   * Resolves when the process running now has ended (a restart, a crash, dispose when its notebook
   * closed) — what lives in it is gone then; at once when no process runs.
   */
  processEnded(): Promise<void> {
    return this.process ? this.process.exited.then(() => undefined) : Promise.resolve();
  }

  /**
   * Ends the process and starts a fresh one. An idle kernel is asked to shut down (so the runs it has
   * open are recorded, as interrupted, before it exits); one running a cell is killed at once (the cell
   * ends as "killed").
   */
  async restart(): Promise<void> {
    if (this.process && !this.running && !this.starting) {
      this.killingOnPurpose = true;
      await this.shutdown();
    }
    this.kill("killed");
    await this.start();
  }

  /** Asks the kernel to end and waits until it did (killing it if it takes too long). */
  async shutdown(): Promise<void> {
    const proc = this.process;
    if (!proc || proc.hasExited) return;
    proc.send({ type: "shutdown" });
    const timer = setTimeout(() => proc.kill(), SHUTDOWN_GRACE_MS);
    await proc.exited;
    clearTimeout(timer);
  }

  dispose(): void {
    this.kill("killed");
    this.events.removeAllListeners();
  }

  private kill(status: CellStatus): void {
    const proc = this.process;
    if (!proc) return;
    this.killingOnPurpose = true;
    this.finishRunning(status);
    this.detach();
    proc.kill();
  }

  private detach(): void {
    this.process = undefined;
    this.ready = undefined;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    for (const resolve of this.inspections.values()) resolve(undefined);
    this.inspections.clear();
    this.orphan = undefined;
  }

  private onExit(proc: KernelConnection | undefined, { code, signal }: KernelExit): void {
    const onPurpose = this.killingOnPurpose;
    this.killingOnPurpose = false;
    if (proc && proc === this.process) {
      // Died by itself: process.exit() in a cell, out of memory, a native crash.
      if (this.running) {
        const death = deathOf({ code, signal }, proc.stderrTail);
        const why = this.options.afterDeath === "stop"
          ? `Cell ${this.running.cell} failed: ${describeDeath(death)}.`
          : describeDeathAndRestart(death, this.options.maxOldSpaceSizeMb);
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
        if (m.running) this.orphan = { id: m.running.id, cell: m.running.cell, waiting: [] };
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
      case "run":
        this.events.emit("run", m.record);
        return;
    }
    if (this.orphan && m.id === this.orphan.id) {
      this.orphan.waiting.push(m);
      if (m.type === "done") this.events.emit("orphanDone");
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

  /** Anything the process prints outside the protocol, so nothing is lost. */
  private raw(name: "stdout" | "stderr", text: string): void {
    if (this.options.rawOutput) this.options.rawOutput(name, text);
    else if (this.running) this.running.sink.stream(name, text);
    else this.events.emit("background", name, text);
  }

  private finishRunning(status: CellStatus): void {
    const r = this.running;
    this.running = undefined;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    r?.resolve(status);
  }
}

/** Why a kernel process ended by itself. */
export type KernelDeath =
  | { cause: "outOfMemory" }
  | { cause: "signal"; signal: string }
  | { cause: "exit"; code: number | null };

/** Tells the causes apart: V8 reports an exhausted heap on stderr before it aborts. */
export function deathOf({ code, signal }: KernelExit, stderrTail: string): KernelDeath {
  if (/heap out of memory|Allocation failed/i.test(stderrTail)) return { cause: "outOfMemory" };
  if (signal) return { cause: "signal", signal };
  return { cause: "exit", code };
}

/** Says plainly why a kernel process died, for a parent that stops there ("Cell 3 failed: …"). */
export function describeDeath(death: KernelDeath): string {
  switch (death.cause) {
    case "outOfMemory": return "the kernel process ran out of memory";
    case "signal": return `the kernel process was ended by ${death.signal}`;
    case "exit": return `the kernel process exited with code ${death.code} (process.exit() in the cell?)`;
  }
}

/** Says plainly why a kernel process died, for a parent that starts a fresh one (the extension). */
export function describeDeathAndRestart(death: KernelDeath, heapMb: number | undefined): string {
  switch (death.cause) {
    case "outOfMemory":
      return `The kernel ran out of memory (heap limit ${heapMb ?? "default"} MB, setting rnnNotebook.kernel.maxOldSpaceSizeMb) and was restarted. All variables were lost.`;
    case "signal": return `The kernel process was ended by ${death.signal} and was restarted. All variables were lost.`;
    case "exit": return `The kernel process exited (code ${death.code}) — e.g. process.exit() was called — and was restarted. All variables were lost.`;
  }
}
