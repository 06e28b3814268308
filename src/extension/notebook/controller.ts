/**
 * The notebook controller ("RNN Notebook" kernel) for .rnnb notebooks and TypeScript cells in .ipynb
 * notebooks. It keeps one kernel process per notebook, runs cells through an ordered queue, sets
 * execution order and timing, turns kernel messages into outputs, records each run the kernel reports in
 * the notebook's run ledger (./ledger.ts), and handles interrupt, restart and Workspace Trust (no kernel
 * starts and no cell runs in an untrusted workspace).
 *
 * Kernels run detached (src/client/detachedKernel.ts): closing a notebook or reloading the window lets
 * go of its kernel without ending it, and when the notebook is open again (after the reload, or
 * reopened within the setting rnnNotebook.kernel.closedTimeoutMinutes) the controller attaches to it —
 * a cell it is still running gets a new execution with its outputs so far, and Stop works on it.
 */
import * as vscode from "vscode";
import { CONTROLLER_ID, CONTROLLER_LABEL, JUPYTER_NOTEBOOK_TYPE, NOTEBOOK_TYPE, type MimeBundle } from "../../shared/mime";
import type { CellSink, CellStatus, KernelClientBase } from "../../client/kernelClientBase";
import { notebookName, type Platform } from "../platform";
import { ipynbIsOursByDefault } from "./kernelspec";
import { bundleToItems, bundleToOutput } from "./outputs";
import { NotebookLedger } from "./ledger";
import type { RunRecord } from "../../shared/runLedger";

export const UNTRUSTED_MESSAGE = () => vscode.l10n.t(
  "This workspace is not trusted, so RNN Notebook runs no code here: no kernel is started and no cell is executed. " +
  "Saved outputs stay visible. Trust the workspace (Workspaces: Manage Workspace Trust) to run cells.");

/** Least time between two notifications of background stderr of one notebook. */
const BACKGROUND_WARNING_INTERVAL_MS = 10_000;

interface Queued {
  cell: vscode.NotebookCell;
  execution: vscode.NotebookCellExecution;
  cancelled: boolean;
}

/** Per-notebook state: its kernel and its queue of cells. */
class NotebookSession {
  readonly queue: Queued[] = [];
  draining = false;
  /** When background stderr last raised a notification (they are throttled; the log gets everything). */
  lastWarning = 0;
  /** Notifications raised for background stderr (tests read it). */
  warnings = 0;
  /** The [n] of the last cell run: counted per kernel, like Jupyter's, so it starts over with a new kernel. */
  executionOrder = 0;
  constructor(readonly kernel: KernelClientBase) {}
}

export class RnnNotebookController implements vscode.Disposable {
  /** The VS Code controllers (for .rnnb and for .ipynb); integration tests call their handlers directly. */
  readonly controllers: vscode.NotebookController[] = [];
  private readonly sessions = new Map<string, NotebookSession>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly didExecute = new vscode.EventEmitter<vscode.NotebookDocument>();
  /** Fires after a cell of a notebook ended (hovers refresh their live counts). */
  readonly onDidExecute = this.didExecute.event;
  /** .ipynb notebooks whose kernel the user chose in this window: true = ours, false = another one. */
  private readonly jupyterChoice = new Map<string, boolean>();
  private readonly didChangeServed = new vscode.EventEmitter<vscode.NotebookDocument>();
  /** Fires when `serves(nb)` may have changed (our kernel selected for, or switched away from, an .ipynb). */
  readonly onDidChangeServed = this.didChangeServed.event;
  private readonly didChangeKernelState = new vscode.EventEmitter<{ notebook: vscode.NotebookDocument; state: "busy" | "idle" | "restarted" }>();
  /** Fires when a notebook's cells start or stop running, and when its kernel process was replaced (outputs' what-if states). */
  readonly onDidChangeKernelState = this.didChangeKernelState.event;

  constructor(readonly platform: Platform) {
    for (const [type, suffix] of [[NOTEBOOK_TYPE, ""], [JUPYTER_NOTEBOOK_TYPE, "-jupyter"]] as const) {
      const c = vscode.notebooks.createNotebookController(CONTROLLER_ID + suffix, type, CONTROLLER_LABEL);
      c.supportedLanguages = ["typescript", "javascript"];
      c.supportsExecutionOrder = true;
      c.description = vscode.l10n.t("TypeScript cells with the rnn engine");
      c.detail = vscode.l10n.t("SimpleRNN / LSTM / GRU, gate heatmaps, BPTT gradient norms");
      c.executeHandler = (cells, notebook, ctrl) => this.execute(cells, notebook, ctrl);
      c.interruptHandler = (notebook) => this.interrupt(notebook);
      // A notebook gets our kernel (after a reload VS Code selects it again): a kernel left running for it is found again.
      this.disposables.push(c.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
        if (selected) void this.reattach(notebook, c);
      }));
      if (type === JUPYTER_NOTEBOOK_TYPE) {
        this.disposables.push(c.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
          this.jupyterChoice.set(notebook.uri.toString(), selected);
          this.didChangeServed.fire(notebook);
        }));
      }
      if (type === NOTEBOOK_TYPE) {
        // Our own notebooks get our kernel without asking.
        this.disposables.push(vscode.workspace.onDidOpenNotebookDocument((nb) => this.prefer(c, nb)));
        vscode.workspace.notebookDocuments.forEach((nb) => this.prefer(c, nb));
      }
      this.controllers.push(c);
    }
    // After a reload the open notebooks are back (untitled ones too, restored under the same URI).
    for (const nb of vscode.workspace.notebookDocuments) void this.reattach(nb);
    this.disposables.push(
      // A notebook reopened in time; never an untitled one: a new "Untitled-1" is not the one closed before.
      vscode.workspace.onDidOpenNotebookDocument((nb) => {
        if (nb.uri.scheme !== "untitled") void this.reattach(nb);
      }),
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        this.jupyterChoice.delete(nb.uri.toString());
        this.endSession(nb);
      }),
      this.didExecute,
      this.didChangeServed,
      this.didChangeKernelState,
    );
  }

  /**
   * Whether a notebook's TypeScript cells are ours for language features (completion, type hovers,
   * diagnostics, parameter hovers): every .rnnb; an .ipynb while our kernel is selected for it, or —
   * before the user chose one in this window — when the file names no kernel or ours (kernelspec.ts).
   */
  serves(nb: vscode.NotebookDocument): boolean {
    if (nb.notebookType === NOTEBOOK_TYPE) return true;
    if (nb.notebookType !== JUPYTER_NOTEBOOK_TYPE) return false;
    return this.jupyterChoice.get(nb.uri.toString()) ?? ipynbIsOursByDefault(nb.metadata);
  }

  private prefer(c: vscode.NotebookController, nb: vscode.NotebookDocument): void {
    if (nb.notebookType === NOTEBOOK_TYPE) c.updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
  }

  /** The kernel of a notebook, if one was started. */
  kernelOf(notebook: vscode.NotebookDocument): KernelClientBase | undefined {
    return this.sessions.get(notebook.uri.toString())?.kernel;
  }

  async restart(notebook: vscode.NotebookDocument): Promise<void> {
    const s = this.sessions.get(notebook.uri.toString());
    if (!s) return;
    this.cancelQueued(s);
    if (!vscode.workspace.isTrusted) return;
    s.executionOrder = 0;
    await s.kernel.restart();
    this.didChangeKernelState.fire({ notebook, state: "restarted" });
  }

  /** Whether a cell of the notebook runs or waits to run now. */
  isBusy(notebook: vscode.NotebookDocument): boolean {
    const s = this.sessions.get(notebook.uri.toString());
    return !!s && (s.draining || s.queue.length > 0);
  }

  interrupt(notebook: vscode.NotebookDocument): void {
    const s = this.sessions.get(notebook.uri.toString());
    if (!s) return;
    this.cancelQueued(s);
    s.kernel.interrupt();
  }

  private session(notebook: vscode.NotebookDocument): NotebookSession {
    const key = notebook.uri.toString();
    let s = this.sessions.get(key);
    if (!s) {
      const cfg = vscode.workspace.getConfiguration("rnnNotebook", notebook.uri);
      const ledger = new NotebookLedger(notebook, (message) => {
        this.log().appendLine(`[${notebookName(notebook)}] ${message}`);
        void vscode.window.showWarningMessage(`RNN Notebook (${notebookName(notebook)}): ${message}`);
      });
      const kernel = this.platform.kernel(notebook, {
        maxOldSpaceSizeMb: cfg.get<number>("kernel.maxOldSpaceSizeMb", 4096),
        graceMs: 1000 * cfg.get<number>("kernel.interruptGracePeriodSeconds", 5),
        maxOutputBytes: cfg.get<number>("output.maxBytes", 2_000_000),
        ledger: () => ledger.forKernel(),
      }, 60_000 * Math.max(0, cfg.get<number>("kernel.closedTimeoutMinutes", 10)));
      kernel.events.on("background", (name: string, text: string) => this.background(notebook, name, text));
      kernel.events.on("run", (record: RunRecord) => void ledger.append(record));
      s = new NotebookSession(kernel);
      this.sessions.set(key, s);
    }
    return s;
  }

  private endSession(notebook: vscode.NotebookDocument): void {
    const key = notebook.uri.toString();
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    this.cancelQueued(s);
    // A closed untitled notebook is gone for good, and its URI is given to the next new one: its kernel
    // ends. Any other waits closedTimeoutMinutes for its notebook to come back.
    if (notebook.uri.scheme === "untitled") s.kernel.dispose();
    else s.kernel.release();
  }

  /**
   * Attaches to a kernel left running for this notebook (the window reloaded, or the notebook was
   * closed and reopened in time), if there is one; a cell it is running gets an execution again.
   * Starts no kernel and runs nothing new, and nothing at all in an untrusted workspace.
   */
  private async reattach(notebook: vscode.NotebookDocument, ctrl = this.controllerFor(notebook)): Promise<void> {
    if (!vscode.workspace.isTrusted || !ctrl || notebook.isClosed) return;
    const key = notebook.uri.toString();
    let s = this.sessions.get(key);
    if (!s) {
      if (!this.platform.mayHaveLeftKernel(notebook)) return;
      s = this.session(notebook);
    }
    if (!(await s.kernel.attach())) return;
    await this.adoptRunning(notebook, s, ctrl);
  }

  /** Gives the cell the kernel was running when we attached an execution, and runs the queue after it. */
  private async adoptRunning(notebook: vscode.NotebookDocument, s: NotebookSession, ctrl: vscode.NotebookController): Promise<void> {
    const number = s.kernel.orphanCell;
    if (number === undefined || s.draining || number < 1 || number > notebook.cellCount) return;
    let execution: vscode.NotebookCellExecution;
    try {
      execution = ctrl.createNotebookCellExecution(notebook.cellAt(number - 1));
    } catch {
      // Our controller is not selected for the notebook yet: onDidChangeSelectedNotebooks tries again.
      return;
    }
    s.draining = true;
    this.didChangeKernelState.fire({ notebook, state: "busy" });
    try {
      execution.token.onCancellationRequested(() => s.kernel.interrupt());
      execution.start(Date.now());
      await execution.clearOutput();
      const sink = new OutputSink(execution);
      const status = await s.kernel.adopt(sink);
      if (status === undefined) {
        execution.end(undefined);
      } else if (await this.endCell(s, execution, sink, status)) {
        this.didChangeKernelState.fire({ notebook, state: "restarted" });
      }
      this.didExecute.fire(notebook);
    } finally {
      s.draining = false;
      this.didChangeKernelState.fire({ notebook, state: "idle" });
    }
    if (s.queue.length > 0) await this.drain(notebook, s);
  }

  private controllerFor(notebook: vscode.NotebookDocument): vscode.NotebookController | undefined {
    if (notebook.notebookType === NOTEBOOK_TYPE) return this.controllers[0];
    return notebook.notebookType === JUPYTER_NOTEBOOK_TYPE && this.serves(notebook) ? this.controllers[1] : undefined;
  }

  private async execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument, ctrl: vscode.NotebookController): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      for (const cell of cells) {
        const ex = ctrl.createNotebookCellExecution(cell);
        ex.start(Date.now());
        await ex.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr(UNTRUSTED_MESSAGE())]));
        ex.end(false, Date.now());
      }
      void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE(), vscode.l10n.t("Manage Workspace Trust")).then((pick) => {
        if (pick) void vscode.commands.executeCommand("workbench.trust.manage");
      });
      return;
    }
    const s = this.session(notebook);
    for (const cell of cells) {
      if (cell.kind !== vscode.NotebookCellKind.Code) continue;
      const q: Queued = { cell, execution: ctrl.createNotebookCellExecution(cell), cancelled: false };
      q.execution.token.onCancellationRequested(() => {
        if (s.queue.includes(q)) q.cancelled = true;
        else s.kernel.interrupt();
      });
      s.queue.push(q);
    }
    await this.drain(notebook, s);
  }

  /** Runs queued cells one by one; a second Run All while running just appends to the queue. */
  private async drain(notebook: vscode.NotebookDocument, s: NotebookSession): Promise<void> {
    if (s.draining) return;
    s.draining = true;
    this.didChangeKernelState.fire({ notebook, state: "busy" });
    try {
      for (let q = s.queue.shift(); q; q = s.queue.shift()) {
        if (q.cancelled) {
          q.execution.end(undefined);
          continue;
        }
        if (await this.runCell(s, q)) this.didChangeKernelState.fire({ notebook, state: "restarted" });
        this.didExecute.fire(notebook);
      }
    } finally {
      s.draining = false;
      this.didChangeKernelState.fire({ notebook, state: "idle" });
    }
  }

  /** Runs one cell; true when its kernel process was replaced (killed or crashed: every variable lost). */
  private async runCell(s: NotebookSession, q: Queued): Promise<boolean> {
    const { cell, execution } = q;
    execution.executionOrder = ++s.executionOrder;
    execution.start(Date.now());
    await execution.clearOutput();
    const sink = new OutputSink(execution);
    let status: CellStatus;
    try {
      status = await s.kernel.execute(cell.document.getText(), cell.index + 1, `cell${cell.index + 1}.ts`, sink);
    } catch (e) {
      sink.error("KernelError", e instanceof Error ? e.message : String(e), "");
      status = "error";
    }
    return this.endCell(s, execution, sink, status);
  }

  /** After a cell ended: its closing note, a fresh count after a lost process, the execution's end. */
  private async endCell(s: NotebookSession, execution: vscode.NotebookCellExecution, sink: OutputSink, status: CellStatus): Promise<boolean> {
    if (status === "released") {
      // The notebook closed or the window goes; the cell runs on in the kernel, whose next client adopts it.
      execution.end(undefined);
      return false;
    }
    await sink.flush();
    if (status === "killed") {
      await sink.note(vscode.l10n.t("The cell did not stop within the interrupt grace period, so the kernel process was killed and a fresh one started. All variables were lost."));
    } else if (status === "interrupted") {
      await sink.note(vscode.l10n.t("Interrupted. Every variable and trained weight is kept."));
    } else if (status === "stopped") {
      await sink.note(vscode.l10n.t("Stopped. Every variable and trained weight is kept."));
    }
    if (status === "killed" || status === "crashed") {
      // A fresh process: a fresh count, as after a restart.
      s.executionOrder = 0;
      void s.kernel.start().catch(() => undefined);
    }
    // A cell that stopped when asked (fit at a batch boundary) did what the user wanted: not a failure.
    execution.end(status === "ok" || status === "stopped", Date.now());
    return status === "killed" || status === "crashed";
  }

  private cancelQueued(s: NotebookSession): void {
    for (const q of s.queue.splice(0)) q.execution.end(undefined);
  }

  /** Background stderr notifications raised for a notebook (tests read it). */
  backgroundWarnings(notebook: vscode.NotebookDocument): number {
    return this.sessions.get(notebook.uri.toString())?.warnings ?? 0;
  }

  private background(notebook: vscode.NotebookDocument, name: string, text: string): void {
    const channel = this.log();
    channel.appendLine(`[${notebookName(notebook)}] ${name}: ${text.trimEnd()}`);
    const s = this.sessions.get(notebook.uri.toString());
    // A leftover timer printing errors in a loop must not bury the window in notifications: at most one
    // per notebook every BACKGROUND_WARNING_INTERVAL_MS (the output channel has every line).
    if (name === "stderr" && s && Date.now() - s.lastWarning >= BACKGROUND_WARNING_INTERVAL_MS) {
      s.lastWarning = Date.now();
      s.warnings++;
      void vscode.window.showWarningMessage(`RNN Notebook (${notebookName(notebook)}): ${text.trim().slice(0, 300)}`);
    }
  }

  private channel: vscode.OutputChannel | undefined;
  private log(): vscode.OutputChannel {
    if (!this.channel) {
      this.channel = vscode.window.createOutputChannel("RNN Notebook");
      this.disposables.push(this.channel);
    }
    return this.channel;
  }

  dispose(): void {
    // The window is going (a reload, a close): kernels stay for the next window, for closedTimeoutMinutes.
    for (const s of this.sessions.values()) s.kernel.release();
    this.sessions.clear();
    this.controllers.forEach((c) => c.dispose());
    this.disposables.forEach((d) => d.dispose());
  }
}

/**
 * Writes one cell's outputs. Stream text goes into one output per consecutive stream (not one
 * output per line); a display with a known displayId replaces that output's items in place.
 * Writes are chained so they land in the order the kernel sent them.
 */
class OutputSink implements CellSink {
  private chain: Thenable<void> = Promise.resolve();
  private lastStream: { name: string; output: vscode.NotebookCellOutput } | undefined;
  private readonly displays = new Map<string, vscode.NotebookCellOutput>();

  constructor(private readonly execution: vscode.NotebookCellExecution) {}

  private then(f: () => Thenable<void>): void {
    this.chain = this.chain.then(f, f);
  }

  stream(name: "stdout" | "stderr", text: string): void {
    this.then(async () => {
      const item = name === "stdout" ? vscode.NotebookCellOutputItem.stdout(text) : vscode.NotebookCellOutputItem.stderr(text);
      if (this.lastStream?.name === name) {
        await this.execution.appendOutputItems(item, this.lastStream.output);
      } else {
        const output = new vscode.NotebookCellOutput([item]);
        this.lastStream = { name, output };
        await this.execution.appendOutput(output);
      }
    });
  }

  display(bundle: MimeBundle, displayId?: string): void {
    this.then(async () => {
      const existing = displayId ? this.displays.get(displayId) : undefined;
      if (existing) {
        await this.execution.replaceOutputItems(bundleToItems(bundle), existing);
        return;
      }
      const output = bundleToOutput(bundle, displayId);
      if (displayId) this.displays.set(displayId, output);
      this.lastStream = undefined;
      await this.execution.appendOutput(output);
    });
  }

  result(bundle: MimeBundle): void {
    this.display(bundle);
  }

  error(name: string, message: string, stack: string): void {
    this.then(async () => {
      this.lastStream = undefined;
      const err = { name, message, stack: stack || `${name}: ${message}` };
      await this.execution.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(err)]));
    });
  }

  async note(text: string): Promise<void> {
    this.stream("stderr", text + "\n");
    await this.flush();
  }

  async flush(): Promise<void> {
    await this.chain;
  }
}
