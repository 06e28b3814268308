/**
 * Command palette commands: model summary, restart / interrupt kernel, new notebook, open samples.
 * Each returns something a test can check (the summary payload, the opened notebook's URI).
 */
import * as vscode from "vscode";
import { COMMANDS, NOTEBOOK_TYPE } from "../../shared/mime";
import type { SummaryPayload } from "../../shared/payloads";
import type { LiveModel } from "../../shared/protocol";
import { formatSummaryText } from "../../shared/summaryText";
import type { RnnNotebookController } from "../notebook/controller";

const SUMMARY_SCHEME = "rnn-notebook-summary";

export function registerCommands(context: vscode.ExtensionContext, controller: RnnNotebookController): void {
  const summaries = new SummaryDocuments();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summaries),
    vscode.commands.registerCommand(COMMANDS.showModelSummary, (name?: string) => showModelSummary(controller, summaries, name)),
    vscode.commands.registerCommand(COMMANDS.restartKernel, async (arg?: unknown) => {
      const nb = notebookFrom(arg);
      if (!nb) return false;
      await controller.restart(nb);
      void vscode.window.setStatusBarMessage("RNN Notebook: kernel restarted — all variables cleared", 4000);
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
  if (!active) void vscode.window.showInformationMessage("Open an RNN Notebook first.");
  return active;
}

async function showModelSummary(controller: RnnNotebookController, docs: SummaryDocuments, name?: string): Promise<SummaryPayload | undefined> {
  const nb = notebookFrom(undefined);
  if (!nb) return undefined;
  const kernel = controller.kernelOf(nb);
  const models = kernel ? ((await kernel.inspect({ kind: "models" })) as LiveModel[] | undefined) ?? [] : [];
  if (models.length === 0) {
    void vscode.window.showInformationMessage("No live model in this notebook yet: run a cell that builds one (e.g. const model = rnn.sequential(...)).");
    return undefined;
  }
  let pick = name ? models.find((m) => m.name === name) : models.length === 1 ? models[0] : undefined;
  if (!pick && !name) {
    const chosen = await vscode.window.showQuickPick(
      models.map((m) => ({ label: m.name, description: `${m.type} · ${m.totalParams.toLocaleString("en-US")} params`, model: m })),
      { title: "Model summary", placeHolder: "Which model?" },
    );
    pick = chosen?.model;
  }
  if (!pick || !kernel) return undefined;
  const summary = (await kernel.inspect({ kind: "summary", name: pick.name })) as SummaryPayload | undefined;
  if (!summary) return undefined;
  const uri = docs.put(pick.name, formatSummaryText(summary));
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  return summary;
}

/** Read-only documents holding summary text. */
class SummaryDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  put(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `/${name} — summary.txt` });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }
}

/**
 * Copies the bundled samples to a writable folder (the first workspace folder's `rnn-samples/`, or the
 * extension's global storage) without overwriting a user's edited copy, and opens the first one.
 */
async function openSamples(context: vscode.ExtensionContext): Promise<string[]> {
  const src = vscode.Uri.joinPath(context.extensionUri, "media", "samples");
  const ws = vscode.workspace.workspaceFolders?.[0];
  const dest = ws && vscode.workspace.isTrusted ? vscode.Uri.joinPath(ws.uri, "rnn-samples") : vscode.Uri.joinPath(context.globalStorageUri, "samples");
  await vscode.workspace.fs.createDirectory(dest);
  const names = (await vscode.workspace.fs.readDirectory(src)).filter(([n]) => n.endsWith(".rnnb")).map(([n]) => n).sort();
  const uris: vscode.Uri[] = [];
  for (const n of names) {
    const target = vscode.Uri.joinPath(dest, n);
    const exists = await vscode.workspace.fs.stat(target).then(() => true, () => false);
    if (!exists) await vscode.workspace.fs.copy(vscode.Uri.joinPath(src, n), target);
    uris.push(target);
  }
  if (uris.length > 0) await vscode.commands.executeCommand("vscode.openWith", uris[0], NOTEBOOK_TYPE);
  return uris.map((u) => u.toString());
}
