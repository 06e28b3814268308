/**
 * Command palette commands: model summary, compare runs, restart / interrupt kernel, new notebook, open samples.
 * Each returns something a test can check (the summary payload, the opened notebook's URI).
 */
import * as vscode from "vscode";
import { COMMANDS, MIME, NOTEBOOK_TYPE } from "../../shared/mime";
import type { SummaryPayload } from "../../shared/payloads";
import { formatCount } from "../../shared/summaryText";
import { validateSummary } from "../../shared/validate";
import { cellConstants, staticSummaries, type ConstScope } from "../hover/analyze";
import type { RnnNotebookController } from "../notebook/controller";
import { RunsPanel } from "./runsPanel";
import { SummaryPanel, type SummaryViews } from "./summaryPanel";

export function registerCommands(context: vscode.ExtensionContext, controller: RnnNotebookController): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.showModelSummary, (name?: string) => showModelSummary(controller, typeof name === "string" ? name : undefined)),
    vscode.commands.registerCommand(COMMANDS.restartKernel, async (arg?: unknown) => {
      const nb = notebookFrom(arg);
      if (!nb) return false;
      await controller.restart(nb);
      void vscode.window.setStatusBarMessage(vscode.l10n.t("RNN Notebook: kernel restarted — all variables cleared"), 4000);
      return true;
    }),
    vscode.commands.registerCommand(COMMANDS.interruptKernel, (arg?: unknown) => {
      const nb = notebookFrom(arg);
      if (!nb) return false;
      controller.interrupt(nb);
      return true;
    }),
    vscode.commands.registerCommand(COMMANDS.newNotebook, async () => {
      const data = new vscode.NotebookData([
        new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, "# My recurrent network", "markdown"),
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, STARTER_CELL, "typescript"),
      ]);
      const nb = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
      await vscode.window.showNotebookDocument(nb);
      return nb.uri.toString();
    }),
    vscode.commands.registerCommand(COMMANDS.openSamples, () => openSamples(context)),
    // Reads the notebook's run ledger only: no kernel, no code run (allowed in untrusted workspaces too).
    vscode.commands.registerCommand(COMMANDS.compareRuns, (arg?: unknown) => {
      const nb = notebookFrom(arg);
      return nb ? RunsPanel.show(context.extensionUri, nb) : undefined;
    }),
  );
}

const STARTER_CELL = `const model = rnn.sequential({ inputShape: [20, 6] }, [
  rnn.simpleRNN({ units: 16, returnSequences: true }),
  rnn.simpleRNN({ units: 32 }),
  rnn.dense({ units: 1 }),
]);
model.summary()`;

/** The notebook a command is about: its argument (toolbar passes the editor / uri) or the active one. */
function notebookFrom(arg: unknown): vscode.NotebookDocument | undefined {
  if (arg && typeof arg === "object") {
    const a = arg as { notebookEditor?: { notebookUri?: vscode.Uri }; notebook?: vscode.NotebookDocument; uri?: vscode.Uri };
    const uri = a.notebookEditor?.notebookUri ?? a.notebook?.uri ?? (arg instanceof vscode.Uri ? arg : a.uri);
    if (uri) return vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString());
  }
  const active = vscode.window.activeNotebookEditor?.notebook;
  if (!active) void vscode.window.showInformationMessage(vscode.l10n.t("Open an RNN Notebook first."));
  return active;
}

/**
 * The summary of a live model (asked from the kernel), with the other convention filled in from the
 * notebook's source when the model is defined there; with no live model, the models defined in the
 * notebook's cells, counted statically. Returns the summary shown first (tests read it).
 */
async function showModelSummary(controller: RnnNotebookController, name?: string): Promise<SummaryPayload | undefined> {
  const nb = notebookFrom(undefined);
  if (!nb) return undefined;
  const first = vscode.workspace.getConfiguration("rnnNotebook").get<"keras" | "torch">("paramConvention", "keras");
  const statics = new Map<string, { keras: SummaryPayload; torch: SummaryPayload; cell: number; saved?: SummaryPayload }>();
  let consts: ConstScope = new Map();
  for (const cell of nb.getCells()) {
    if (cell.kind !== vscode.NotebookCellKind.Code) continue;
    const text = cell.document.getText();
    const models = staticSummaries(text, consts);
    // The cell's own saved summary output (its last run) counts what the source cannot (`inputDim: vocab.size`).
    const saved = models.size === 1 ? savedSummary(cell) : undefined;
    for (const [model, views] of models) statics.set(model, { ...views, cell: cell.index + 1, saved });
    consts = cellConstants(text, consts);
  }
  const kernel = controller.kernelOf(nb);
  const answer = kernel && !kernel.isRunningCell ? await kernel.inspect({ kind: "models" }) : undefined;
  const live = Array.isArray(answer) ? answer : [];
  type Pick = vscode.QuickPickItem & { name: string; live: boolean };
  const choices: Pick[] = [
    ...live.map((m) => ({ label: m.name, description: `${m.type} · ${formatCount(m.totalParams)} params · live`, name: m.name, live: true })),
    ...[...statics].filter(([n]) => !live.some((m) => m.name === n))
      .map(([n, v]) => ({ label: n, description: staticDescription(v), name: n, live: false })),
  ];
  if (choices.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t("No model in this notebook yet: define one with rnn.sequential(...) and run the cell."));
    return undefined;
  }
  let pick = name ? choices.find((c) => c.name === name) : choices.length === 1 ? choices[0] : undefined;
  if (!pick && !name) pick = await vscode.window.showQuickPick(choices, { title: vscode.l10n.t("Model summary"), placeHolder: vscode.l10n.t("Which model?") });
  if (!pick) return undefined;
  const fromSource = statics.get(pick.name);
  let views: SummaryViews;
  if (pick.live && kernel) {
    const summary = await kernel.inspect({ kind: "summary", name: pick.name });
    if (!summary || "error" in summary) return undefined;
    // the same live model counted with PyTorch's two biases, when the model can say
    const torch = summary.convention === "keras" ? await kernel.inspect({ kind: "summary", name: pick.name, convention: "torch" }) : undefined;
    views = summary.convention === "torch"
      ? { torch: summary, first: "torch", source: vscode.l10n.t("Live model in the kernel") }
      : { keras: summary, torch: torch && "convention" in torch && torch.convention === "torch" ? torch : undefined, first, source: vscode.l10n.t("Live model in the kernel") };
  } else if (fromSource?.saved && fromSource.keras.layers.some((l) => l.unknown)) {
    const saved = fromSource.saved;
    views = saved.convention === "torch"
      ? { torch: saved, first: "torch", source: vscode.l10n.t("From the saved output of cell {0} (its last run; the kernel has no live model)", fromSource.cell) }
      : { keras: saved, first: "keras", source: vscode.l10n.t("From the saved output of cell {0} (its last run; the kernel has no live model)", fromSource.cell) };
  } else if (fromSource) {
    views = { keras: fromSource.keras, torch: fromSource.torch, first, source: vscode.l10n.t("Counted from the source of cell {0} (the cell has not run)", fromSource.cell) };
  } else {
    return undefined;
  }
  SummaryPanel.show(views, pick.live && kernel ? kernel.processEnded() : undefined);
  return views[views.first] ?? views.keras ?? views.torch;
}

/** The quick-pick line of a model counted from source: its total, or why there is none yet. */
function staticDescription(v: { keras: SummaryPayload; cell: number; saved?: SummaryPayload }): string {
  if (!v.keras.layers.some((l) => l.unknown)) return vscode.l10n.t("{0} params · from cell {1} (not run yet)", formatCount(v.keras.totalParams), v.cell);
  if (v.saved) return vscode.l10n.t("{0} params · saved output of cell {1}", formatCount(v.saved.totalParams), v.cell);
  return vscode.l10n.t("params unknown until cell {0} runs", v.cell);
}

/** The last summary output a cell saved (`model.summary()` at its end), if any and well formed. */
function savedSummary(cell: vscode.NotebookCell): SummaryPayload | undefined {
  for (const output of [...cell.outputs].reverse()) {
    const item = output.items.find((i) => i.mime === MIME.summary);
    if (!item) continue;
    try {
      return validateSummary(JSON.parse(new TextDecoder().decode(item.data)));
    } catch {
      // a damaged saved output is not a count
    }
  }
  return undefined;
}

/** Copies the .rnnb files of `src` (not its subfolders) into `dest` without overwriting a user's edited copy. */
async function copyMissing(src: vscode.Uri, dest: vscode.Uri): Promise<vscode.Uri[]> {
  const entries = await vscode.workspace.fs.readDirectory(src).then((e) => e, () => [] as [string, vscode.FileType][]);
  const names = entries.filter(([n, type]) => type === vscode.FileType.File && n.endsWith(".rnnb")).map(([n]) => n).sort();
  if (names.length === 0) return [];
  await vscode.workspace.fs.createDirectory(dest);
  const uris: vscode.Uri[] = [];
  for (const n of names) {
    const target = vscode.Uri.joinPath(dest, n);
    const exists = await vscode.workspace.fs.stat(target).then(() => true, () => false);
    if (!exists) await vscode.workspace.fs.copy(vscode.Uri.joinPath(src, n), target);
    uris.push(target);
  }
  return uris;
}

/**
 * Copies the bundled samples to a writable folder (the first workspace folder's `rnn-samples/`, or the
 * extension's global storage) without overwriting a user's edited copy — the lessons and their Korean translations in `ko/` —
 * and opens the first one (the Korean one when VS Code's display language is Korean).
 */
async function openSamples(context: vscode.ExtensionContext): Promise<string[]> {
  const src = vscode.Uri.joinPath(context.extensionUri, "media", "samples");
  const ws = vscode.workspace.workspaceFolders?.[0];
  const dest = ws && vscode.workspace.isTrusted ? vscode.Uri.joinPath(ws.uri, "rnn-samples") : vscode.Uri.joinPath(context.globalStorageUri, "samples");
  // The lessons and their Korean translations (media/samples/ko), in the same layout.
  const uris = await copyMissing(src, dest);
  const korean = await copyMissing(vscode.Uri.joinPath(src, "ko"), vscode.Uri.joinPath(dest, "ko"));
  // A Korean display language opens the Korean first lesson.
  const first = vscode.env.language.toLowerCase().startsWith("ko") && korean.length > 0 ? korean[0] : uris[0];
  if (first) await vscode.commands.executeCommand("vscode.openWith", first, NOTEBOOK_TYPE);
  uris.push(...korean);
  return uris.map((u) => u.toString());
}
