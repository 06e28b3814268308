/**
 * Mime bundles (what the kernel sends) → notebook output items (what VS Code stores and renders).
 * The custom mime comes first so our renderer is preferred; the fallbacks follow.
 */
import * as vscode from "vscode";
import { base64ToBytes } from "../../shared/base64";
import type { MimeBundle } from "../../shared/mime";

/** Order in which items of one bundle are offered: ours, then image, html, plain text. */
function rank(mime: string): number {
  if (mime.startsWith("application/vnd.rnn-notebook.")) return 0;
  if (mime.startsWith("image/")) return 1;
  if (mime === "text/html") return 2;
  if (mime === "text/plain") return 4;
  return 3;
}

export function bundleToItems(bundle: MimeBundle): vscode.NotebookCellOutputItem[] {
  return Object.keys(bundle)
    .sort((a, b) => rank(a) - rank(b))
    .map((mime) => {
      const value = bundle[mime];
      if (mime === "image/png" && typeof value === "string") {
        return new vscode.NotebookCellOutputItem(base64ToBytes(value), mime);
      }
      if (typeof value === "string") return vscode.NotebookCellOutputItem.text(value, mime);
      if (value instanceof Uint8Array) return new vscode.NotebookCellOutputItem(value, mime);
      return vscode.NotebookCellOutputItem.json(value, mime);
    });
}

export function bundleToOutput(bundle: MimeBundle, displayId?: string): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput(bundleToItems(bundle), displayId ? { displayId } : undefined);
}
