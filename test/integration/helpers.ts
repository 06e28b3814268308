/**
 * Helpers for integration tests (they run inside the real VS Code extension host).
 * The workspace folder is a fresh copy of test/workspace/ made by the harness for each run.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { CONTROLLER_ID, EXTENSION_ID } from "../../src/shared/mime";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll fn until it returns a truthy value; throw after timeoutMs with what was being waited for. */
export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The extension under test, activated. */
export async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  await ext.activate();
  return ext;
}

/** A file in the test workspace (the first workspace folder). */
export function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the test workspace folder is open");
  return vscode.Uri.joinPath(folder.uri, relative);
}

/** Open a notebook of the test workspace and show it in an editor. */
export async function openNotebook(relative: string): Promise<vscode.NotebookDocument> {
  const nb = await vscode.workspace.openNotebookDocument(workspaceFile(relative));
  await vscode.window.showNotebookDocument(nb);
  return nb;
}

/** A new untitled rnn-notebook with the given TypeScript code cells, shown in an editor. */
export async function untitledNotebook(sources: string[]): Promise<vscode.NotebookDocument> {
  const data = new vscode.NotebookData(sources.map((s) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, "typescript")));
  const nb = await vscode.workspace.openNotebookDocument("rnn-notebook", data);
  await vscode.window.showNotebookDocument(nb);
  return nb;
}

/** Select our controller for the notebook shown in the active editor. */
export async function selectOurKernel(): Promise<void> {
  await vscode.commands.executeCommand("notebook.selectKernel", { id: CONTROLLER_ID, extension: EXTENSION_ID });
}

/** Run cells [start, end) of nb with our kernel and wait until each has ended. */
export async function runCells(nb: vscode.NotebookDocument, start = 0, end = nb.cellCount, timeoutMs = 60_000): Promise<vscode.NotebookCell[]> {
  await vscode.window.showNotebookDocument(nb);
  await selectOurKernel();
  await vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start, end }], document: nb.uri });
  const cells = nb.getCells(new vscode.NotebookRange(start, end)).filter((c) => c.kind === vscode.NotebookCellKind.Code);
  await waitFor(() => cells.every((c) => c.executionSummary?.success !== undefined), `cells ${start}..${end} to finish`, timeoutMs);
  return cells;
}

/** Every output item of a cell with the given mime, decoded as text. */
export function outputTexts(cell: vscode.NotebookCell, mime = "text/plain"): string[] {
  const dec = new TextDecoder();
  return cell.outputs.flatMap((o) => o.items.filter((i) => i.mime === mime).map((i) => dec.decode(i.data)));
}
