// "Compare Runs" in the real VS Code: on a notebook file whose metadata holds two runs, the command
// opens the panel, whose page (the renderer's own view in a webview) reports drawing both runs; an
// edit of the notebook's metadata redraws it; a notebook without runs gets a message. No kernel starts.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { EXTENSION_ID } from "../../src/shared/mime";
import { activate, closeAll, waitUntil } from "./cells";
import { comparedRuns, ledgerRecord, openLedgerNotebook } from "./runLedger";

describe("Compare Runs", function () {
  this.timeout(60_000);
  before(activate);
  afterEach(closeAll);

  it("shows the notebook's two runs in a panel: both drawn, only clipNorm differs, no kernel started", async () => {
    const records = [ledgerRecord("run 1", null, [0.9, 0.5, 0.3]), ledgerRecord("run 2", 1, [0.8, 0.45, 0.35])];
    const nb = await openLedgerNotebook("two-runs", records);
    const said = await vscode.commands.executeCommand<{ runs: string[]; differingKeys: string[] }>("rnnNotebook.compareRuns");
    assert.deepEqual(said?.runs, ["run 1", "run 2"]);
    assert.deepEqual(said?.differingKeys, ["clipNorm"]);
    // the webview's page drew the view and lists both runs in its table
    const rendered = await waitUntil("the panel's page to draw the runs", () => comparedRuns()?.rendered);
    assert.deepEqual(rendered, { kind: "runs", runs: ["run 1", "run 2"] });
    assert.equal(comparedRuns()?.payload?.runs[1].series.find((s) => s.metric === "loss")?.final, 0.35);
    const api = vscode.extensions.getExtension(EXTENSION_ID)?.exports as { controller: { kernelOf(nb: vscode.NotebookDocument): unknown } };
    assert.equal(api.controller.kernelOf(nb), undefined, "no kernel process: the command reads metadata only");

    // a run added to the ledger (as a fit in the kernel would) redraws the panel
    const edit = new vscode.WorkspaceEdit();
    const meta = nb.metadata as { metadata: { runLedger: { records: unknown[] } } };
    const ledger = { ...meta.metadata.runLedger, records: [...meta.metadata.runLedger.records, ledgerRecord("run 3", 0.5, [0.7, 0.4, 0.2])] };
    edit.set(nb.uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...nb.metadata, metadata: { ...meta.metadata, runLedger: ledger } })]);
    assert.ok(await vscode.workspace.applyEdit(edit));
    const again = await waitUntil("the panel to redraw with three runs", () => (comparedRuns()?.rendered?.runs.length === 3 ? comparedRuns()?.rendered : undefined));
    assert.deepEqual(again.runs, ["run 1", "run 2", "run 3"]);
  });

  it("a notebook without runs gets a message, not an empty view", async () => {
    await openLedgerNotebook("no-runs", []);
    const said = await vscode.commands.executeCommand<{ runs: string[] }>("rnnNotebook.compareRuns");
    assert.deepEqual(said?.runs, []);
    const rendered = await waitUntil("the panel's page to show the message", () => comparedRuns()?.rendered);
    assert.deepEqual(rendered, { kind: "empty", runs: [] });
  });
});
