// Workspace Trust (run by the harness with trust enabled and the test folder NOT trusted): notebooks
// open and show saved outputs, but no kernel starts, no cell runs, no workspace file is imported.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { EXTENSION_ID } from "../../../src/shared/mime";
import { ERROR, STDERR, STDOUT, closeAll, openCodeNotebook, textOf, waitUntil } from "../cells";
import { comparedRuns, ledgerRecord, openLedgerNotebook } from "../runLedger";

interface Api {
  controller: { kernelOf(nb: vscode.NotebookDocument): unknown; controllers: vscode.NotebookController[] };
  whatIf(notebook: vscode.NotebookDocument, message: unknown): Promise<unknown>;
}
const api = () => vscode.extensions.getExtension(EXTENSION_ID)?.exports as Api;
const exists = (uri: vscode.Uri) => vscode.workspace.fs.stat(uri).then(() => true, () => false);

/** A notebook whose cell imports a workspace file that would leave a marker file if it ever ran. */
async function evilNotebook(): Promise<{ marker: vscode.Uri; nb: vscode.NotebookDocument }> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root);
  const marker = vscode.Uri.joinPath(root, `marker-${Date.now()}.txt`);
  const name = `evil${Date.now()}`;
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(root, `${name}.ts`), new TextEncoder().encode(
    `import * as fs from "node:fs";\nfs.writeFileSync(${JSON.stringify(marker.fsPath)}, "ran");\nexport const x = 1;\n`));
  const nb = await openCodeNotebook([`import { x } from "./${name}";\nconsole.log("ran", x);`]);
  return { marker, nb };
}

describe("untrusted workspace", function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it("is really untrusted", () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it("runs nothing when VS Code is asked to execute: no kernel, no workspace import evaluated", async () => {
    const { marker, nb } = await evilNotebook();
    // VS Code itself asks for trust before it calls a controller; in a test run the request is declined.
    void vscode.commands.executeCommand("notebook.cell.execute", { ranges: [{ start: 0, end: 1 }], document: nb.uri });
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(api().controller.kernelOf(nb), undefined, "no kernel process was created");
    assert.equal(textOf(nb.cellAt(0), STDOUT), "", "the cell printed nothing");
    assert.equal(await exists(marker), false, "the workspace file was not evaluated");
  });

  it("refuses in its own handler too, says why, and starts no kernel", async () => {
    const { marker, nb } = await evilNotebook();
    // Call the controller's execute handler as VS Code would, bypassing VS Code's own trust prompt.
    const ctrl = api().controller.controllers.find((c) => c.notebookType === "rnn-notebook");
    assert.ok(ctrl?.executeHandler);
    await ctrl.executeHandler([nb.cellAt(0)], nb, ctrl);
    const cell = await waitUntil("the refusal", () => nb.cellAt(0).executionSummary?.success === false && nb.cellAt(0));
    assert.match(textOf(cell, STDERR), /not trusted.*no kernel is started and no cell is executed/s);
    assert.equal(textOf(cell, ERROR), "");
    assert.equal(api().controller.kernelOf(nb), undefined, "no kernel process was created");
    assert.equal(await exists(marker), false, "the workspace file was not evaluated");
  });

  it("keeps what-if outputs read-only: an edit is answered 'untrusted' and starts no kernel", async () => {
    const nb = await openCodeNotebook(["1"]);
    const reply = await api().whatIf(nb, { type: "whatIf", requestId: 1, view: "gates", handle: "k:1", input: { kind: "text", text: "a" } });
    assert.deepEqual(reply, { type: "whatIfResult", requestId: 1, state: "untrusted" });
    assert.equal(api().controller.kernelOf(nb), undefined, "no kernel process was created");
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

describe("untrusted workspace: Compare Runs", function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it("shows the saved runs: it reads the notebook's metadata and runs no code", async () => {
    await openLedgerNotebook("untrusted-runs", [ledgerRecord("run 1", null, [0.9, 0.5]), ledgerRecord("run 2", 1, [0.8, 0.6])]);
    await vscode.commands.executeCommand("rnnNotebook.compareRuns");
    const rendered = await waitUntil("the panel's page to draw the runs", () => comparedRuns()?.rendered);
    assert.deepEqual(rendered, { kind: "runs", runs: ["run 1", "run 2"] });
  });
});
