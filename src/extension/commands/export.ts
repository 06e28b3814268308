/**
 * Export commands:
 *   rnnNotebook.exportPyTorch  "Export Model to PyTorch" — a live model of the notebook's kernel →
 *                              model.py, weights.safetensors, check.py, reference.safetensors (the
 *                              kernel writes them: src/kernel/interop.ts, inspect query "exportPyTorch")
 *   rnnNotebook.exportTraining "Export Training Script" — the same plus data.safetensors and train.py
 *                              (DDP, the fit's settings) for a live model and the live x / y variables
 *                              (inspect query "exportTraining")
 *   rnnNotebook.exportIpynb    "Export as Jupyter Notebook" — an .rnnb (the open notebook with its
 *                              unsaved edits, or a file from the explorer) → nbformat 4.5 .ipynb
 *                              (src/shared/ipynb.ts)
 * Both take optional arguments so tests (and keybindings) can run them without dialogs, and return
 * what they wrote.
 */
import * as vscode from "vscode";
import { bytesToBase64 } from "../../shared/base64";
import { rnnbToIpynb } from "../../shared/ipynb";
import { NOTEBOOK_TYPE } from "../../shared/mime";
import { mimeStorage, parseNotebook, type Json, type JsonObject, type RawCell, type RawNotebook, type RawOutput } from "../../shared/notebookFormat";
import type { ExportPyTorchResult, ExportTrainingResult, LiveModel } from "../../shared/protocol";
import { formatCount } from "../../shared/summaryText";
import type { RnnNotebookController } from "../notebook/controller";

export const EXPORT_COMMANDS = {
  exportPyTorch: "rnnNotebook.exportPyTorch",
  exportTraining: "rnnNotebook.exportTraining",
  exportIpynb: "rnnNotebook.exportIpynb",
} as const;

export function registerExportCommands(context: vscode.ExtensionContext, controller: RnnNotebookController): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(EXPORT_COMMANDS.exportPyTorch, (name?: unknown, dir?: unknown) =>
      exportPyTorch(controller, typeof name === "string" ? name : undefined, asPath(dir))),
    vscode.commands.registerCommand(EXPORT_COMMANDS.exportTraining, (name?: unknown, data?: unknown, dir?: unknown) =>
      exportTraining(controller, typeof name === "string" ? name : undefined, asTrainingData(data), asPath(dir))),
    vscode.commands.registerCommand(EXPORT_COMMANDS.exportIpynb, (source?: unknown, target?: unknown) =>
      exportIpynb(source, target instanceof vscode.Uri ? target : typeof target === "string" ? vscode.Uri.file(target) : undefined)),
  );
}

function asPath(v: unknown): string | undefined {
  return v instanceof vscode.Uri ? v.fsPath : typeof v === "string" && v !== "" ? v : undefined;
}


// ---------------------------------------------------------------------------------------------------
// PyTorch

/**
 * Exports a live model of the active notebook's kernel. `name` picks the variable (else a quick pick,
 * or the only model); `dir` is the target folder (else an input box prefilled with
 * `<notebook folder>/<name>_pytorch`). Returns the kernel's result, or undefined when cancelled.
 */
async function exportPyTorch(controller: RnnNotebookController, name?: string, dir?: string): Promise<ExportPyTorchResult | undefined> {
  const chosen = await pickLiveModel(controller, vscode.l10n.t("Export Model to PyTorch"), name);
  if (!chosen) return undefined;
  const { nb, kernel, pick } = chosen;
  const paths = controller.platform.paths;
  const folder = paths.folderOf(nb);
  let target = dir;
  if (!target) {
    target = await vscode.window.showInputBox({
      title: vscode.l10n.t("Export Model to PyTorch"),
      prompt: vscode.l10n.t("Folder for model.py, weights.safetensors and check.py (created if needed)"),
      value: paths.join(folder, `${pick}_pytorch`),
      validateInput: (v) => (v.trim() === "" ? vscode.l10n.t("Enter a folder path.") : undefined),
    });
  }
  if (!target) return undefined;
  const result = await kernel.inspect({ kind: "exportPyTorch", name: pick, dir: paths.resolve(folder, target.trim()) }, 120_000);
  if (!result || "error" in result) {
    const why = result ? result.error : vscode.l10n.t("the kernel did not answer (is a cell still running without yielding?)");
    void vscode.window.showErrorMessage(vscode.l10n.t("Could not export {0} to PyTorch: {1}", pick, why));
    return undefined;
  }
  const open = vscode.l10n.t("Open model.py");
  void vscode.window.showInformationMessage(
    vscode.l10n.t("Exported {0} to {1}: {2}. Check it with: {3}", pick, result.dir, result.files.join(", "), result.check), open,
  ).then((choice) => {
    if (choice === open) void vscode.window.showTextDocument(paths.uri(paths.join(result.dir, "model.py")));
  });
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Training script

/** What the training export needs besides the model: the names of the live x and y, and fit options (JSON). */
interface TrainingData {
  x: string;
  y: string;
  options: Record<string, unknown>;
}

function asTrainingData(v: unknown): TrainingData | undefined {
  const o = v as Partial<TrainingData> | null;
  if (!o || typeof o !== "object" || typeof o.x !== "string" || typeof o.y !== "string") return undefined;
  return { x: o.x, y: o.y, options: o.options && typeof o.options === "object" ? o.options : {} };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Asks for the names of x and y, the loss and the other fit options; undefined when cancelled. */
async function askTrainingData(title: string): Promise<TrainingData | undefined> {
  const name = (prompt: string, value: string): Thenable<string | undefined> => vscode.window.showInputBox({
    title, prompt, value,
    validateInput: (v) => (IDENTIFIER.test(v.trim()) ? undefined : vscode.l10n.t("Enter the name of a variable of the notebook's cells.")),
  });
  const x = (await name(vscode.l10n.t("Variable holding the training inputs (x of model.fit)"), "x"))?.trim();
  if (!x) return undefined;
  const y = (await name(vscode.l10n.t("Variable holding the training targets (y of model.fit)"), "y"))?.trim();
  if (!y) return undefined;
  const loss = await vscode.window.showQuickPick(["mse", "crossEntropy", "binaryCrossEntropy"], { title, placeHolder: vscode.l10n.t("Loss of the fit") });
  if (!loss) return undefined;
  const text = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t("Other fit options as JSON (epochs, batchSize, optimizer, clipNorm, clipValue, tbptt, shuffle, seed, validationSplit)"),
    value: '{ "epochs": 10, "batchSize": 32, "optimizer": { "name": "adam", "lr": 0.001 } }',
    validateInput: (v) => {
      try {
        const o = JSON.parse(v) as unknown;
        return o && typeof o === "object" && !Array.isArray(o) ? undefined : vscode.l10n.t("Enter a JSON object.");
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (text === undefined) return undefined;
  return { x, y, options: { ...(JSON.parse(text) as Record<string, unknown>), loss } };
}

/** The live model to export: `name`, the only one, or a quick pick; undefined when there is none or cancelled. */
/**
 * The active notebook, its kernel and the live model an export works on (`name`, else a quick pick, or the
 * only model); undefined after telling the user why (no notebook, no live model) or when cancelled.
 */
async function pickLiveModel(controller: RnnNotebookController, title: string, name?: string) {
  const nb = vscode.window.activeNotebookEditor?.notebook;
  if (!nb) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Open an RNN Notebook first."));
    return undefined;
  }
  const kernel = controller.kernelOf(nb);
  const answer = kernel ? await kernel.inspect({ kind: "models" }) : undefined;
  const live = Array.isArray(answer) ? answer : [];
  if (live.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t(
      "No live model to export: run the cell that defines your model first (the export uses the model in the kernel, with its trained weights)."));
    return undefined;
  }
  const pick = await pickModel(live, title, name);
  return pick && kernel ? { nb, kernel, pick } : undefined;
}

async function pickModel(live: LiveModel[], title: string, name?: string): Promise<string | undefined> {
  let pick = name ?? (live.length === 1 ? live[0].name : undefined);
  if (!pick) {
    const chosen = await vscode.window.showQuickPick(
      live.map((m) => ({ label: m.name, description: `${m.type} · ${formatCount(m.totalParams)} params` })),
      { title, placeHolder: vscode.l10n.t("Which model?") });
    pick = chosen?.label;
  }
  if (pick && !live.some((m) => m.name === pick)) {
    void vscode.window.showErrorMessage(vscode.l10n.t("No live model named {0} in this notebook's kernel.", pick));
    return undefined;
  }
  return pick;
}

/**
 * Exports a live model with its training as train.py. `name` picks the model, `data` names x, y and the
 * fit options (else input boxes), `dir` is the folder (else an input box prefilled with
 * `<notebook folder>/<name>_training`). Returns the kernel's result, or undefined when cancelled.
 */
async function exportTraining(controller: RnnNotebookController, name?: string, data?: TrainingData, dir?: string): Promise<ExportTrainingResult | undefined> {
  const title = vscode.l10n.t("Export Training Script");
  const chosen = await pickLiveModel(controller, title, name);
  if (!chosen) return undefined;
  const { nb, kernel, pick } = chosen;
  const paths = controller.platform.paths;
  const folder = paths.folderOf(nb);
  const training = data ?? await askTrainingData(title);
  if (!training) return undefined;
  const target = dir ?? await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t("Folder for model.py, train.py and the data (created if needed)"),
    value: paths.join(folder, `${pick}_training`),
    validateInput: (v) => (v.trim() === "" ? vscode.l10n.t("Enter a folder path.") : undefined),
  });
  if (!target) return undefined;
  const result = await kernel.inspect({
    kind: "exportTraining", name: pick, dir: paths.resolve(folder, target.trim()), x: training.x, y: training.y, options: training.options,
  }, 120_000);
  if (!result || "error" in result) {
    const why = result ? result.error : vscode.l10n.t("the kernel did not answer (is a cell still running without yielding?)");
    void vscode.window.showErrorMessage(vscode.l10n.t("Could not export the training of {0}: {1}", pick, why));
    return undefined;
  }
  const open = vscode.l10n.t("Open train.py");
  void vscode.window.showInformationMessage(
    vscode.l10n.t("Exported {0} with its training to {1}. Train it with: {2}", pick, result.dir, result.run), open,
  ).then((choice) => {
    if (choice === open) void vscode.window.showTextDocument(paths.uri(paths.join(result.dir, "train.py")));
  });
  return result;
}

// ---------------------------------------------------------------------------------------------------
// .ipynb

/**
 * Converts an .rnnb notebook to .ipynb. `source`: a file Uri (explorer context menu) or nothing (the
 * active notebook, unsaved edits included). `target`: where to write (else a save dialog next to the
 * source). Returns the written file's Uri as a string, or undefined when cancelled.
 */
async function exportIpynb(source: unknown, target?: vscode.Uri): Promise<string | undefined> {
  let raw: RawNotebook;
  let base: vscode.Uri | undefined;
  const fileArg = source instanceof vscode.Uri ? source : undefined;
  const open = fileArg
    ? vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === fileArg.toString())
    : vscode.window.activeNotebookEditor?.notebook;
  if (open && open.notebookType === NOTEBOOK_TYPE) {
    raw = fromDocument(open);
    base = open.uri;
  } else if (fileArg) {
    try {
      raw = parseNotebook(new TextDecoder().decode(await vscode.workspace.fs.readFile(fileArg)));
    } catch (e) {
      void vscode.window.showErrorMessage(vscode.l10n.t("Could not export {0}: {1}", fileArg.fsPath, (e as Error).message));
      return undefined;
    }
    base = fileArg;
  } else {
    void vscode.window.showInformationMessage(vscode.l10n.t("Open an RNN Notebook first."));
    return undefined;
  }
  let out = target;
  if (!out) {
    const stem = base.path.slice(base.path.lastIndexOf("/") + 1).replace(/\.rnnb$/i, "") || "notebook";
    const folder = base.scheme !== "untitled" ? vscode.Uri.joinPath(base, "..") : vscode.workspace.workspaceFolders?.[0]?.uri;
    out = await vscode.window.showSaveDialog({
      title: vscode.l10n.t("Export as Jupyter Notebook"),
      defaultUri: folder ? vscode.Uri.joinPath(folder, `${stem}.ipynb`) : undefined,
      filters: { "Jupyter Notebook": ["ipynb"] },
    });
  }
  if (!out) return undefined;
  await vscode.workspace.fs.writeFile(out, new TextEncoder().encode(rnnbToIpynb(raw)));
  const written = out;
  const openIt = vscode.l10n.t("Open");
  void vscode.window.showInformationMessage(vscode.l10n.t("Exported the notebook to {0}", written.fsPath), openIt).then((choice) => {
    if (choice === openIt) void vscode.commands.executeCommand("vscode.open", written);
  });
  return written.toString();
}

/** The open notebook as the .rnnb serializer would write it (same mapping as notebook/serializer.ts). */
function fromDocument(nb: vscode.NotebookDocument): RawNotebook {
  const meta = nb.metadata ?? {};
  const dec = new TextDecoder();
  const cells = nb.getCells().map((c): RawCell => {
    const cm = c.metadata ?? {};
    return {
      kind: c.kind === vscode.NotebookCellKind.Code ? "code" : "markdown",
      language: c.document.languageId,
      source: c.document.getText(),
      outputs: c.outputs.map((o): RawOutput => {
        const items = o.items.map((item) => {
          const storage = mimeStorage(item.mime);
          let data: Json;
          if (storage === "json") {
            const text = dec.decode(item.data);
            try {
              data = JSON.parse(text) as Json;
            } catch {
              data = text;
            }
          } else if (storage === "text") {
            data = dec.decode(item.data);
          } else {
            data = bytesToBase64(item.data);
          }
          return { mime: item.mime, data };
        });
        const om = o.metadata ?? {};
        const out: RawOutput = { items, extra: {} };
        if (om.metadata !== undefined) out.metadata = om.metadata as JsonObject;
        return out;
      }),
      metadata: (cm.metadata as JsonObject | undefined) ?? {},
      extra: {},
    };
  });
  return { version: 1, metadata: (meta.metadata as JsonObject | undefined) ?? {}, cells, extra: {} };
}
