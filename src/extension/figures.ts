/**
 * "Save PNG" / "Save SVG" in our outputs, done quietly: the renderer posts the figure's bytes here
 * (renderer messaging), and the extension writes them into a `figures/` folder beside the notebook
 * under a free name, tells the renderer where (the button says so), and shows a notification with
 * Open and Reveal — the notebook keeps the focus. A webview download instead opens a save dialog or
 * an editor tab on every click. Only workspace.fs is used, so this works in the web extension host too.
 */
import * as vscode from "vscode";
import { checkFigureMessage, FIGURES_FOLDER, freeName, type FigureSavedMessage, type SaveFigureMessage } from "../shared/figureFiles";

export const RENDERER_ID = "rnn-notebook-renderer";

/** Where the last figure went (integration tests read it). */
export let lastSavedFigure: vscode.Uri | undefined;

export function registerFigureSaving(context: vscode.ExtensionContext): void {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  context.subscriptions.push(messaging.onDidReceiveMessage(async ({ editor, message }) => {
    const m = message as Partial<SaveFigureMessage> | null;
    if (m?.type !== "saveFigure") return;
    const reply = (r: Omit<FigureSavedMessage, "type" | "requestId">) =>
      void messaging.postMessage({ type: "figureSaved", requestId: m.requestId ?? 0, ...r } satisfies FigureSavedMessage, editor);
    try {
      const uri = await saveFigure(editor.notebook, message);
      if (!uri) return reply({ error: vscode.l10n.t("cancelled") });
      const shown = vscode.workspace.asRelativePath(uri, false);
      reply({ path: shown });
      void vscode.window.showInformationMessage(vscode.l10n.t("Saved the figure to {0}", shown), vscode.l10n.t("Open"), vscode.l10n.t("Reveal in Explorer"))
        .then((choice) => {
          if (choice === vscode.l10n.t("Open")) void vscode.commands.executeCommand("vscode.open", uri, { preview: true });
          else if (choice) void vscode.commands.executeCommand("revealInExplorer", uri);
        });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      reply({ error: why });
      void vscode.window.showErrorMessage(vscode.l10n.t("Could not save the figure: {0}", why));
    }
  }));
}

/**
 * Writes the figure into `<notebook folder>/figures/`, never over an existing file. An untitled
 * notebook has no folder: the workspace's first folder is used, and without one a save dialog asks.
 */
export async function saveFigure(notebook: vscode.NotebookDocument, message: unknown): Promise<vscode.Uri | undefined> {
  const figure = checkFigureMessage(message);
  let folder: vscode.Uri | undefined;
  if (notebook.uri.scheme !== "untitled") folder = vscode.Uri.joinPath(notebook.uri, "..", FIGURES_FOLDER);
  else if (vscode.workspace.workspaceFolders?.[0]) folder = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, FIGURES_FOLDER);
  if (!folder) {
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(figure.fileName), title: vscode.l10n.t("Save Figure") });
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, figure.bytes);
    return (lastSavedFigure = target);
  }
  await vscode.workspace.fs.createDirectory(folder);
  const name = await freeName(figure.fileName, async (n) => {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder!, n));
      return true;
    } catch {
      return false;
    }
  });
  const uri = vscode.Uri.joinPath(folder, name);
  await vscode.workspace.fs.writeFile(uri, figure.bytes);
  return (lastSavedFigure = uri);
}
