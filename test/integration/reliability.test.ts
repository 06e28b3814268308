// Reliability in the real VS Code: a notebook file changed on disk while open is handled the
// VS Code way (not dirty → reloaded; dirty → saving does not clobber the newer file, and the user's
// edit stays), a cell running when its notebook is closed is stopped and its kernel process ends, and
// the kernel is a process of its own (not the extension host).
import * as assert from "node:assert/strict";
import { writeFileSync, readFileSync } from "node:fs";
import * as vscode from "vscode";
import { EXTENSION_ID } from "../../src/shared/mime";
import { alive } from "../support/process";
import { activate, closeAll, openCodeNotebook, runCell, showWithKernel, sleep, startCell, valueText, waitRunning, waitUntil } from "./cells";

function scratch(name: string): vscode.Uri {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, "the test workspace is open");
  return vscode.Uri.joinPath(root, "scratch", `${Date.now()}-${name}`);
}

function notebookText(source: string): string {
  return JSON.stringify({ format: "rnn-notebook", version: 1, metadata: {},
    cells: [{ kind: "code", language: "typescript", source, outputs: [], metadata: {} }] }, null, 2) + "\n";
}

function kernelPid(nb: vscode.NotebookDocument): number | undefined {
  const api = vscode.extensions.getExtension(EXTENSION_ID)?.exports as
    { controller: { kernelOf(nb: vscode.NotebookDocument): { pid: number | undefined } | undefined } } | undefined;
  return api?.controller.kernelOf(nb)?.pid;
}

describe("reliability in VS Code", function () {
  this.timeout(120_000);
  before(activate);
  afterEach(closeAll);

  it("reloads a notebook that changed on disk while it was open and not dirty", async () => {
    const uri = scratch("reload.rnnb");
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(notebookText("const v = 1;")));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(nb);
    assert.equal(nb.isDirty, false);
    // Another program writes the file (node:fs, not VS Code's file service).
    writeFileSync(uri.fsPath, notebookText("const v = 2; // changed outside VS Code"));
    await waitUntil("the notebook to reload from disk", () => nb.cellAt(0).document.getText().includes("changed outside"), 30_000);
    assert.equal(nb.isDirty, false);
  });

  it("never silently clobbers a newer file on disk when a dirty notebook is saved, and keeps the user's edit", async () => {
    // VS Code for the Web (code-server) saves after a 1 s delay by default; a dirty notebook needs it off.
    const files = vscode.workspace.getConfiguration("files");
    const autoSave = files.inspect<string>("autoSave")?.globalValue;
    await files.update("autoSave", "off", vscode.ConfigurationTarget.Global);
    try {
      await conflict();
    } finally {
      await files.update("autoSave", autoSave, vscode.ConfigurationTarget.Global);
    }
  });

  async function conflict(): Promise<void> {
    const uri = scratch("conflict.rnnb");
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(notebookText("const mine = 1;")));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(nb);
    const edit = new vscode.WorkspaceEdit();
    edit.set(nb.uri, [vscode.NotebookEdit.insertCells(1, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, "const unsaved = 2;", "typescript")])]);
    await vscode.workspace.applyEdit(edit);
    assert.equal(nb.isDirty, true);
    const theirs = notebookText("const theirs = 3; // written by another program");
    await sleep(1100); // a later mtime than VS Code's copy on every file system
    writeFileSync(uri.fsPath, theirs);
    await sleep(1500); // let the file watcher see it
    let saved: boolean;
    try {
      saved = await nb.save();
    } catch {
      saved = false;
    }
    const onDisk = readFileSync(uri.fsPath, "utf8");
    console.log(`      save → ${saved}; on disk: ${onDisk === theirs ? "theirs" : onDisk.includes("unsaved") ? "ours (clobbered)" : onDisk.slice(0, 200)}; dirty ${nb.isDirty}; cells ${nb.getCells().map((c) => c.document.getText()).join(" | ")}`);
    assert.equal(saved, false, "VS Code refuses the save (file modified since) and asks the user — Compare / Overwrite");
    assert.equal(onDisk, theirs, "the other program's file is untouched");
    assert.equal(nb.isDirty, true, "the notebook keeps the unsaved edit");
    assert.ok(nb.getCells().some((c) => c.document.getText() === "const unsaved = 2;"), "the user's edit is still there");
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  }

  it("stops a running cell and ends its kernel process when the notebook is closed", async () => {
    const nb = await openCodeNotebook(["for (;;) await new Promise((r) => setTimeout(r, 20));"]);
    await startCell(nb, 0);
    await waitRunning(nb, 0);
    const pid = kernelPid(nb);
    assert.ok(pid && alive(pid), "a live kernel runs the cell");
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
    await waitUntil("the notebook document to close", () => nb.isClosed, 30_000);
    await waitUntil(`kernel process ${pid} to end`, () => !alive(pid), 15_000);
    assert.equal(kernelPid(nb), undefined, "no kernel is left for the closed notebook");
  });

  it("throttles notifications of background stderr: a leftover timer printing errors raises one, not hundreds (regression)", async () => {
    const nb = await openCodeNotebook(["const noisy = setInterval(() => console.error('still failing'), 20); 'started'", "clearInterval(noisy)"]);
    await runCell(nb, 0);
    await sleep(3000); // ~150 bursts of background stderr (coalesced every 30 ms by the kernel)
    const api = vscode.extensions.getExtension(EXTENSION_ID)?.exports as { controller: { backgroundWarnings(nb: vscode.NotebookDocument): number } };
    const shown = api.controller.backgroundWarnings(nb);
    await runCell(nb, 1);
    console.log(`      3 s of background stderr every 20 ms: ${shown} notification(s)`);
    assert.equal(shown, 1, "one notification per notebook per 10 s (all lines go to the RNN Notebook output channel)");
  });

  it("runs the kernel in a process of its own, not the extension host", async () => {
    const nb = await openCodeNotebook(["process.pid"]);
    await showWithKernel(nb);
    const cell = await runCell(nb, 0);
    const pid = Number(valueText(cell));
    assert.ok(pid > 0, valueText(cell));
    assert.notEqual(pid, process.pid, "kernel pid ≠ extension host pid");
    assert.equal(kernelPid(nb), pid);
  });
});
