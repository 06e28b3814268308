// The notebook experience in the real VS Code extension host: serializer round
// trip and safety, parameter-count hovers before and after a run, the summary command, .ipynb cells.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import * as rnn from "../../src/engine/index";
import { MIME } from "../../src/shared/mime";
import type { SummaryPayload } from "../../src/shared/payloads";
import { activate, closeAll, openCodeNotebook, runCell, scratch, showWithKernel, valueText, waitUntil } from "./cells";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Makes the notebook dirty without changing its content (insert a cell, then delete it), then saves. */
async function touchAndSave(nb: vscode.NotebookDocument): Promise<boolean> {
  const insert = new vscode.WorkspaceEdit();
  insert.set(nb.uri, [vscode.NotebookEdit.insertCells(nb.cellCount, [new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, "x", "markdown")])]);
  await vscode.workspace.applyEdit(insert);
  const remove = new vscode.WorkspaceEdit();
  remove.set(nb.uri, [vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(nb.cellCount - 1, nb.cellCount))]);
  await vscode.workspace.applyEdit(remove);
  return nb.save();
}

const TEXTBOOK = `const simple = rnn.sequential({ inputShape: [20, 6] }, [
  rnn.simpleRNN({ units: 16, returnSequences: true }),
  rnn.simpleRNN({ units: 32 }),
  rnn.flatten(),
  rnn.dense({ units: 1 }),
]);`;

async function hoverText(doc: vscode.TextDocument, needle: string): Promise<string> {
  const offset = doc.getText().indexOf(needle) + 5;
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", doc.uri, doc.positionAt(offset));
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
}

describe("notebook experience", function () {
  this.timeout(120_000);
  before(activate);
  afterEach(closeAll);

  it("round-trips a notebook it wrote byte for byte, outputs and unknown fields included", async () => {
    // Written in the canonical layout (known keys in order, unknown keys after them), as our serializer writes.
    const original = {
      format: "rnn-notebook", version: 1, metadata: { note: "kept" },
      cells: [
        { kind: "markdown", language: "markdown", source: "# 제목", outputs: [], metadata: {}, futureCell: true },
        { kind: "code", language: "typescript", source: "1 + 2",
          outputs: [{ items: [{ mime: "text/plain", data: "3" }, { mime: "image/png", data: "iVBORw0KGgo=" },
            { mime: "application/vnd.rnn-notebook.tensor+json", data: { shape: [1], values: [3] } }] }], executionCount: 5, metadata: {} },
      ],
      futureTopLevel: { a: 1 },
    };
    const text = JSON.stringify(original, null, 2) + "\n";
    const uri = scratch("roundtrip.rnnb");
    await vscode.workspace.fs.writeFile(uri, enc.encode(text));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    assert.equal(nb.notebookType, "rnn-notebook");
    assert.equal(nb.cellAt(1).outputs[0].items.length, 3, "saved outputs are shown");
    assert.equal(nb.cellAt(1).executionSummary?.executionOrder, 5, "with the execution count they were made at");
    assert.equal(await touchAndSave(nb), true);
    const saved = dec.decode(await vscode.workspace.fs.readFile(uri));
    assert.equal(saved, text, "byte-identical after open + save");
  });

  it("saves the count of every cell that ran, output or not, and none once outputs are cleared", async () => {
    const uri = scratch("counts.rnnb");
    const cells = ["const quiet = 1;", "quiet + 1"].map((source) => ({ kind: "code", language: "typescript", source, outputs: [], metadata: {} }));
    await vscode.workspace.fs.writeFile(uri, enc.encode(JSON.stringify({ format: "rnn-notebook", version: 1, metadata: {}, cells }, null, 2) + "\n"));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    await showWithKernel(nb);
    await runCell(nb, 0);
    await runCell(nb, 1);
    assert.equal(nb.cellAt(0).outputs.length, 0, "a declaration prints nothing");
    assert.equal(await nb.save(), true);
    type Saved = { cells: { executionCount?: number }[] };
    const counts = async () => (JSON.parse(dec.decode(await vscode.workspace.fs.readFile(uri))) as Saved).cells.map((c) => c.executionCount);
    // The kernel counts its executions from 1 (test/integration/kernel.test.ts), as the headless runner writes them.
    assert.deepEqual(await counts(), [1, 2]);
    await vscode.commands.executeCommand("notebook.clearAllCellsOutputs");
    await waitUntil("outputs cleared", () => nb.cellAt(1).outputs.length === 0);
    assert.equal(await nb.save(), true);
    assert.deepEqual(await counts(), [undefined, undefined], "cleared cells keep no count");
  });

  it("reports a file it cannot parse and never saves over it", async () => {
    const broken = '{ "format": "rnn-notebook", "version": 1, "cells": [ { "kind": "code", "source": "x" ';
    const uri = scratch("broken.rnnb");
    await vscode.workspace.fs.writeFile(uri, enc.encode(broken));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(nb);
    assert.match(nb.cellAt(0).document.getText(), /could not be opened as an RNN Notebook[\s\S]*not valid JSON/);
    let saved: boolean;
    try {
      saved = await touchAndSave(nb);
    } catch {
      saved = false;
    }
    assert.equal(saved, false, "save is refused");
    assert.equal(dec.decode(await vscode.workspace.fs.readFile(uri)), broken, "the file on disk is untouched");
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  });

  it("hovers a layer call with its parameter count before and after the cell ran", async () => {
    const nb = await openCodeNotebook([TEXTBOOK]);
    const doc = nb.cellAt(0).document;
    const before = await hoverText(doc, "rnn.simpleRNN({ units: 16");
    assert.match(before, /\*\*368\*\* parameters/);
    assert.match(before, /16·\(6\+16\) \+ 16 = 368/);
    assert.match(before, /PyTorch convention.*\*\*384\*\*/, "two biases: 16·(6+16) + 2·16 = 384");
    // The tensors on one line (kernel 6·16 = 96, recurrent kernel 16·16 = 256, bias 16), no table to scroll.
    assert.match(before, /Tensors: `kernel` \[6, 16\] 96 · `recurrent_kernel` \[16, 16\] 256 · `bias` \[16\] 16/);
    assert.doesNotMatch(before, /\|---/);
    assert.match(await hoverText(doc, "rnn.simpleRNN({ units: 32"), /\*\*1,568\*\* parameters/);
    assert.match(await hoverText(doc, "rnn.dense"), /\*\*33\*\* parameters/);

    await runCell(nb, 0);
    const after = await hoverText(doc, "rnn.simpleRNN({ units: 32");
    assert.match(after, /Live model `simple`.*\*\*1,568\*\* parameters ✓.*model total 1,969/s);
  });

  it("summarizes a model that has not run yet by static analysis, in both conventions", async () => {
    await openCodeNotebook([TEXTBOOK]);
    const summary = await vscode.commands.executeCommand<SummaryPayload>("rnnNotebook.showModelSummary", "simple");
    assert.equal(summary?.totalParams, 1969);
  });

  it("a reopened char-LM notebook: constants resolved, a run-time size unknown (never 0), the saved summary used and named", async () => {
    // The most common notebook shape: sizes from constants and from a vocabulary built at run time.
    const defs = "const T = 20;\nconst H = 2 * 32;\nconst vocab = rnn.text.charVocab(rnn.text.sampleText);";
    const model = `const lm = rnn.sequential({ inputShape: [T] }, [
  rnn.embedding({ inputDim: vocab.size, outputDim: 16 }),
  rnn.lstm({ units: H, returnSequences: true }),
  rnn.timeDistributed(rnn.dense({ units: vocab.size })),
]);
lm.summary();`;
    // The summary this cell saved when it last ran: the engine's own, for the bundled text's vocabulary.
    const V = rnn.text.charVocab(rnn.text.sampleText).size;
    const saved = rnn.sequential({ inputShape: [20] }, [rnn.embedding({ inputDim: V, outputDim: 16 }),
      rnn.lstm({ units: 64, returnSequences: true }), rnn.timeDistributed(rnn.dense({ units: V }))]).summary().toJSON();
    // Embedding V·16 + LSTM(64) on 16: 4·(64·(16+64) + 64) = 20,736 + Dense(V) on 64: 64·V + V
    assert.equal(saved.totalParams, 16 * V + 20736 + 65 * V);
    const file = {
      format: "rnn-notebook", version: 1, metadata: {},
      cells: [
        { kind: "code", language: "typescript", source: defs, outputs: [], metadata: {} },
        { kind: "code", language: "typescript", source: model, outputs: [{ items: [{ mime: MIME.summary, data: saved }], metadata: {} }], metadata: {} },
      ],
    };
    const uri = scratch("char-lm.rnnb");
    await vscode.workspace.fs.writeFile(uri, enc.encode(JSON.stringify(file)));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(nb);
    const doc = nb.cellAt(1).document;
    // H = 2 · 32 resolved from the earlier cell: the LSTM is counted from the source.
    assert.match(await hoverText(doc, "rnn.lstm"), /\*\*20,736\*\* parameters/);
    const emb = await hoverText(doc, "rnn.embedding");
    assert.match(emb, /parameters unknown until the cell runs: `inputDim` is not known from the source/);
    assert.doesNotMatch(emb, /\*\*0\*\* parameters/);
    // No kernel ran: the summary command shows the cell's saved summary and says so.
    const summary = await vscode.commands.executeCommand<SummaryPayload>("rnnNotebook.showModelSummary", "lm");
    assert.equal(summary?.totalParams, saved.totalParams);
    const api = vscode.extensions.getExtension("rnn-notebooks.rnn-notebook")?.exports as
      { summaryText(): string | undefined; summaryViews(): { source: string } | undefined };
    await waitUntil("the summary panel", () => api.summaryText()?.includes(`Total params: ${saved.totalParams.toLocaleString("en-US")}`));
    assert.match(api.summaryViews()?.source ?? "", /saved output of cell 2/);
  });

  it("a model whose size is known only at run time and has no saved output says 'unknown', not 0", async () => {
    await openCodeNotebook(["const vocab = rnn.text.charVocab(rnn.text.sampleText);\nconst m = rnn.sequential({ inputShape: [8] }, " +
      "[rnn.embedding({ inputDim: vocab.size, outputDim: 4 }), rnn.lstm({ units: 3 })]);"]);
    const summary = await vscode.commands.executeCommand<SummaryPayload>("rnnNotebook.showModelSummary", "m");
    assert.equal(summary?.layers[0].unknown, "`inputDim` is not known from the source");
    const api = vscode.extensions.getExtension("rnn-notebooks.rnn-notebook")?.exports as { summaryText(): string | undefined };
    // LSTM(3) on 4 features: 4·(3·(4+3) + 3) = 96 is the only layer counted
    await waitUntil("the summary panel", () => api.summaryText()?.includes("Total params: unknown until the cell runs (96 in the 1 layers counted)"));
  });

  it("Open Sample Notebooks copies the lessons and their Korean translations, and opens the first lesson", async () => {
    const uris = await vscode.commands.executeCommand<string[]>("rnnNotebook.openSamples");
    const names = (uris ?? []).map((u) => vscode.Uri.parse(u).path.split("/").slice(-2).join("/"));
    const english = names.filter((n) => n.startsWith("rnn-samples/"));
    const korean = names.filter((n) => n.startsWith("ko/"));
    assert.equal(english.length, 8, names.join(", ")); // media/samples: eight lessons
    assert.deepEqual(korean.map((n) => n.slice(3)), english.map((n) => n.slice("rnn-samples/".length)), "each lesson has its Korean copy");
    for (const u of uris ?? []) await vscode.workspace.fs.stat(vscode.Uri.parse(u)); // copied: stat throws for a missing file
    await waitUntil("the first lesson open", () => vscode.window.activeNotebookEditor?.notebook.uri.path.endsWith("01-parameter-counting.rnnb"));
  });

  it("shows the summary of a live model from the command", async () => {
    const nb = await openCodeNotebook([TEXTBOOK]);
    await runCell(nb, 0);
    const summary = await vscode.commands.executeCommand<SummaryPayload>("rnnNotebook.showModelSummary", "simple");
    assert.ok(summary, "a summary came back");
    // Keras's model.summary() for this model (study notes): 368 / 1568 / 0 / 33, total 1,969
    assert.deepEqual(summary.layers.map((l) => l.params), [368, 1568, 0, 33]);
    assert.equal(summary.totalParams, 1969);
    const api = vscode.extensions.getExtension("rnn-notebooks.rnn-notebook")?.exports as
      { summaryText(): string | undefined; summaryViews(): { torch?: SummaryPayload; source: string } | undefined };
    await waitUntil("the summary panel", () => api.summaryText()?.includes("Total params: 1,969"));
    // the panel's switch to PyTorch's convention (two biases): 16·(6+16) + 2·16 = 384, 32·(16+32) + 2·32 = 1,600, 0, 33
    assert.deepEqual(api.summaryViews()?.torch?.layers.map((l) => l.params), [384, 1600, 0, 33]);
    assert.equal(api.summaryViews()?.torch?.totalParams, 2017);
    assert.equal(api.summaryViews()?.source, "Live model in the kernel");
    // Its kernel ends (a restart here; closing the notebook disposes it the same way): no longer "live".
    assert.equal(await vscode.commands.executeCommand("rnnNotebook.restartKernel"), true);
    await waitUntil("the panel to stop calling the model live", () => /^No longer live/.test(api.summaryViews()?.source ?? ""), 10_000);
    assert.equal(api.summaryViews()?.torch?.totalParams, 2017, "the counts stay, labelled as from then");
  });

  it("runs TypeScript cells of an .ipynb notebook with the RNN Notebook kernel", async () => {
    const uri = scratch("typed.ipynb");
    const ipynb = {
      nbformat: 4, nbformat_minor: 5, metadata: { language_info: { name: "typescript" } },
      cells: [{ cell_type: "code", metadata: {}, source: ["const n: number = 20;\n", "n + 1"], outputs: [], execution_count: null }],
    };
    await vscode.workspace.fs.writeFile(uri, enc.encode(JSON.stringify(ipynb)));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    assert.equal(nb.notebookType, "jupyter-notebook");
    if (nb.cellAt(0).document.languageId !== "typescript") {
      await vscode.languages.setTextDocumentLanguage(nb.cellAt(0).document, "typescript");
    }
    await showWithKernel(nb);
    assert.equal(valueText(await runCell(nb, 0)), "21");
  });
});
