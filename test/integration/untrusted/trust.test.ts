// Workspace Trust (run by the harness with trust enabled and the test folder NOT trusted): notebooks
// open and show saved outputs, but no kernel starts, no cell runs, no workspace file is imported.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { EXTENSION_ID } from "../../../src/shared/mime";
import { ERROR, STDERR, closeAll, openCodeNotebook, runCell, textOf } from "../cells";

describe("untrusted workspace", function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it("is really untrusted", () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it("refuses to run cells, says why, starts no kernel and evaluates no workspace import", async () => {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(root);
    const marker = vscode.Uri.joinPath(root, `marker-${Date.now()}.txt`);
    const evil = vscode.Uri.joinPath(root, "evil.ts");
    await vscode.workspace.fs.writeFile(evil, new TextEncoder().encode(
      `import * as fs from "node:fs";\nfs.writeFileSync(${JSON.stringify(marker.fsPath)}, "ran");\nexport const x = 1;\n`));
    const nb = await openCodeNotebook([`import { x } from "./evil";\nconsole.log("ran", x);`]);
    const cell = await runCell(nb, 0);
    assert.equal(cell.executionSummary?.success, false);
    assert.match(textOf(cell, STDERR), /not trusted.*no kernel is started and no cell is executed/s);
    assert.equal(textOf(cell, ERROR), "");
    const api = vscode.extensions.getExtension(EXTENSION_ID)?.exports as { controller: { kernelOf(nb: vscode.NotebookDocument): unknown } };
    assert.equal(api.controller.kernelOf(nb), undefined, "no kernel process was created");
    const exists = await vscode.workspace.fs.stat(marker).then(() => true, () => false);
    assert.equal(exists, false, "the workspace file was not evaluated");
  });

  it("still opens notebooks and shows their saved outputs", async () => {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(root);
    const uri = vscode.Uri.joinPath(root, `saved-${Date.now()}.rnnb`);
    const file = { format: "rnn-notebook", version: 1, metadata: {}, cells: [
      { kind: "code", language: "typescript", source: "1 + 2", metadata: {}, outputs: [{ items: [{ mime: "text/plain", data: "3" }] }] }] };
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(file)));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(nb);
    assert.equal(nb.notebookType, "rnn-notebook");
    assert.equal(textOf(nb.cellAt(0), "text/plain"), "3");
  });
});
