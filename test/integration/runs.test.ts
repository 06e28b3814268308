// The run ledger through the extension, in the real VS Code: a fit's record lands in the notebook's
// metadata (an edit: the notebook becomes dirty), is saved into the file, is there after reopening,
// and reaches rnn.runs.list() in a fresh kernel after reopening and after a restart. A ledger in a
// file that cannot be used is left exactly as it was, through a run and a save.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { activate, closeAll, runCell, scratch, showWithKernel, valueText, waitUntil } from "./cells";

const enc = new TextEncoder();
const dec = new TextDecoder();

const CELLS = [
  [
    "const { x, y } = rnn.datasets.sine({ samples: 16, timesteps: 4, seed: 1 });",
    "const m = rnn.sequential({ inputShape: [4, 1], seed: 1 }, [rnn.gru({ units: 2 }), rnn.dense({ units: 1 })]);",
    'await m.fit(x, y, { epochs: 2, batchSize: 8, loss: "mse", clipNorm: 0.25, seed: 7 });',
  ].join("\n"),
  'rnn.runs.list().map((r) => `${r.id}:${r.config.clipNorm}`).join(",")',
];

function rnnbText(metadata: object): string {
  const cells = CELLS.map((source) => ({ kind: "code", language: "typescript", source, outputs: [], metadata: {} }));
  return JSON.stringify({ format: "rnn-notebook", version: 1, metadata, cells }, null, 2) + "\n";
}

type Ledger = { records: { id: string; config: Record<string, unknown>; batches: { total: number } }[] };
const ledgerOf = (nb: vscode.NotebookDocument) => (nb.metadata.metadata as { runLedger?: Ledger } | undefined)?.runLedger;

async function open(uri: vscode.Uri): Promise<vscode.NotebookDocument> {
  const nb = await vscode.workspace.openNotebookDocument(uri);
  await showWithKernel(nb);
  return nb;
}

describe("run ledger in the notebook", function () {
  this.timeout(180_000);
  before(activate);
  afterEach(closeAll);

  it("a fit's record is in the metadata, saved, there after reopening, and listed after a restart", async () => {
    const uri = scratch("ledger.rnnb");
    await vscode.workspace.fs.writeFile(uri, enc.encode(rnnbText({})));
    let nb = await open(uri);
    assert.equal((await runCell(nb, 0)).executionSummary?.success, true);
    const ledger = await waitUntil("the run in the notebook's metadata", () => ledgerOf(nb)?.records.length === 1 && ledgerOf(nb));
    assert.equal(ledger.records[0].id, "run 1");
    assert.equal(ledger.records[0].config.clipNorm, 0.25);
    assert.equal(ledger.records[0].batches.total, 4, "16 samples / batch 8 = 2 batches, 2 epochs");
    assert.equal(nb.isDirty, true, "recording a run is an edit of the notebook");
    assert.equal(await nb.save(), true);
    const saved = JSON.parse(dec.decode(await vscode.workspace.fs.readFile(uri)));
    assert.deepEqual(saved.metadata.runLedger, ledger, "the file holds the ledger the editor had");

    // reopen the saved file: VS Code keeps a closed editor's document alive for a while, so the saved
    // bytes are opened under a new name — a document read from the file, with a kernel of its own
    await closeAll();
    const copy = scratch("ledger-reopened.rnnb");
    await vscode.workspace.fs.copy(uri, copy);
    nb = await open(copy);
    assert.deepEqual(ledgerOf(nb), ledger);
    assert.equal(valueText(await runCell(nb, 1)), "run 1:0.25");
    assert.equal(await vscode.commands.executeCommand("rnnNotebook.restartKernel"), true);
    assert.equal(valueText(await runCell(nb, 1)), "run 1:0.25", "a restarted kernel gets the ledger too");
    // and a new run continues the ids
    await runCell(nb, 0);
    await waitUntil("the second run", () => ledgerOf(nb)?.records.length === 2);
    assert.deepEqual(ledgerOf(nb)!.records.map((r) => r.id), ["run 1", "run 2"]);
  });

  it("an .ipynb run with our kernel: the record in the notebook metadata, saved at metadata.runLedger", async () => {
    const uri = scratch("ledger.ipynb");
    const ipynb = {
      nbformat: 4, nbformat_minor: 5, metadata: { language_info: { name: "typescript" } },
      cells: CELLS.map((source) => ({ cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })),
    };
    await vscode.workspace.fs.writeFile(uri, enc.encode(JSON.stringify(ipynb)));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    assert.equal(nb.notebookType, "jupyter-notebook");
    for (const cell of nb.getCells()) {
      if (cell.document.languageId !== "typescript") await vscode.languages.setTextDocumentLanguage(cell.document, "typescript");
    }
    await showWithKernel(nb);
    assert.equal((await runCell(nb, 0)).executionSummary?.success, true);
    const ledger = await waitUntil("the run in the notebook's metadata", () => ledgerOf(nb)?.records.length === 1 && ledgerOf(nb));
    assert.equal(ledger.records[0].config.clipNorm, 0.25);
    assert.equal(await nb.save(), true);
    const saved = JSON.parse(dec.decode(await vscode.workspace.fs.readFile(uri)));
    assert.deepEqual(saved.metadata.runLedger, ledger, "Jupyter's serializer writes it into the nbformat metadata");
    assert.equal(saved.metadata.language_info.name, "typescript", "the rest of the metadata is kept");
  });

  it("a ledger that cannot be used is kept as it is through a run and a save", async () => {
    const hostile = { version: 1, capBytes: 1000, records: [{ id: "run 1", epochs: { loss: ["NaN"] } }] };
    const uri = scratch("hostile-ledger.rnnb");
    await vscode.workspace.fs.writeFile(uri, enc.encode(rnnbText({ runLedger: hostile, note: "kept" })));
    const nb = await open(uri);
    const cell = await runCell(nb, 0);
    assert.equal(cell.executionSummary?.success, true, "the notebook runs");
    assert.equal(valueText(await runCell(nb, 1)), "run 1:0.25", "the kernel still lists this session's run");
    assert.deepEqual(ledgerOf(nb), hostile, "not overwritten in the editor");
    // make it dirty without changing it, then save
    const edit = new vscode.WorkspaceEdit();
    edit.set(nb.uri, [vscode.NotebookEdit.insertCells(nb.cellCount, [new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, "x", "markdown")])]);
    await vscode.workspace.applyEdit(edit);
    assert.equal(await nb.save(), true);
    const saved = JSON.parse(dec.decode(await vscode.workspace.fs.readFile(uri)));
    assert.deepEqual(saved.metadata, { runLedger: hostile, note: "kept" }, "never lost on save");
  });
});
