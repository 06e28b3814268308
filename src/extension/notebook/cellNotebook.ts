/** The open notebook a cell's text document belongs to (hovers, IntelliSense), if any. */
import * as vscode from "vscode";

export function notebookOfCell(doc: vscode.TextDocument): vscode.NotebookDocument | undefined {
  return vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document === doc));
}
