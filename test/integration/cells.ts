// Cell-level helpers for the kernel and notebook-experience integration tests (real extension host).
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { CONTROLLER_ID, EXTENSION_ID } from "../../src/shared/mime";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh file name under scratch/ of the test workspace (not created). */
export function scratch(name: string): vscode.Uri {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, "the test workspace is open");
  return vscode.Uri.joinPath(root, "scratch", `${Date.now()}-${name}`);
}

export async function waitUntil<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

export async function activate(): Promise<void> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  await ext.activate();
}

/** An untitled notebook with the given code cells, shown, with our kernel selected. */
export async function openCodeNotebook(sources: string[], notebookType = "rnn-notebook"): Promise<vscode.NotebookDocument> {
  await activate();
  const data = new vscode.NotebookData(sources.map((s) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, "typescript")));
  const nb = await vscode.workspace.openNotebookDocument(notebookType, data);
  await showWithKernel(nb);
  return nb;
}

export async function showWithKernel(nb: vscode.NotebookDocument): Promise<void> {
  await vscode.window.showNotebookDocument(nb);
  const id = nb.notebookType === "rnn-notebook" ? CONTROLLER_ID : `${CONTROLLER_ID}-jupyter`;
  await vscode.commands.executeCommand("notebook.selectKernel", { id, extension: EXTENSION_ID });
}

/**
 * Starts a cell and returns at once: the execute command itself resolves only when the execution
 * ended (VS Code awaits the controller's handler), so it is not awaited here.
 */
export async function startCell(nb: vscode.NotebookDocument, index: number): Promise<void> {
  void vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: index, end: index + 1 }], document: nb.uri });
  await sleep(0);
}

/** Runs a cell and waits until its execution ended. */
export async function runCell(nb: vscode.NotebookDocument, index: number, ms = 60_000): Promise<vscode.NotebookCell> {
  const since = Date.now();
  await startCell(nb, index);
  return waitEnded(nb, index, since, ms);
}

/** Waits until the cell's execution that started after `since` ended. */
export async function waitEnded(nb: vscode.NotebookDocument, index: number, since: number, ms = 60_000): Promise<vscode.NotebookCell> {
  return waitUntil(`cell ${index + 1} to finish`, () => {
    const cell = nb.cellAt(index);
    const end = cell.executionSummary?.timing?.endTime;
    return end !== undefined && end >= since - 5 ? cell : undefined;
  }, ms);
}

/** Whether the notebook's kernel is running a cell now (asked through the extension's test API). */
export function kernelBusy(nb: vscode.NotebookDocument): boolean {
  const api = vscode.extensions.getExtension(EXTENSION_ID)?.exports as
    { controller: { kernelOf(nb: vscode.NotebookDocument): { isRunningCell: boolean } | undefined } } | undefined;
  return api?.controller.kernelOf(nb)?.isRunningCell ?? false;
}

/** Waits until the kernel runs a cell (executionSummary has no timing until a cell ended). */
export async function waitRunning(nb: vscode.NotebookDocument, index: number, ms = 60_000): Promise<void> {
  await waitUntil(`cell ${index + 1} to start`, () => kernelBusy(nb), ms);
}

const dec = new TextDecoder();

/** All output items of a cell as [mime, text] pairs, in order. */
export function items(cell: vscode.NotebookCell): [string, string][] {
  return cell.outputs.flatMap((o) => o.items.map((i) => [i.mime, dec.decode(i.data)] as [string, string]));
}

/** The text of every item of a mime, joined. */
export function textOf(cell: vscode.NotebookCell, mime: string): string {
  return items(cell).filter(([m]) => m === mime).map(([, t]) => t).join("");
}

/** A cell's text/plain value with the quotes of an inspected string removed ('x' → x). */
export function valueText(cell: vscode.NotebookCell): string {
  return textOf(cell, "text/plain").replace(/^(['"])(.*)\1$/s, "$2");
}

export const STDOUT = "application/vnd.code.notebook.stdout";
export const STDERR = "application/vnd.code.notebook.stderr";
export const ERROR = "application/vnd.code.notebook.error";

/** Closes every editor, discarding unsaved untitled notebooks (closeAllEditors alone would ask to save). */
export async function closeAll(): Promise<void> {
  for (let i = 0; i < 30 && (vscode.window.activeNotebookEditor || vscode.window.activeTextEditor); i++) {
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  }
  await vscode.commands.executeCommand("workbench.action.closeAllEditors");
}
