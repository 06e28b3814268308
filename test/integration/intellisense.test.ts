// IntelliSense in cells in the real VS Code extension host, through the
// same commands the editor uses: completion, hover, diagnostics — with the engine's generated types,
// names from earlier cells, and the parameter-count hover beside the type-info hover.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { activate, closeAll, showWithKernel, waitUntil } from "./cells";

const enc = new TextEncoder();

/** An untitled rnn-notebook with these TypeScript code cells, shown (no kernel needed). */
async function notebookOf(sources: string[], notebookType = "rnn-notebook"): Promise<vscode.NotebookDocument> {
  const data = new vscode.NotebookData(sources.map((s) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, "typescript")));
  const nb = await vscode.workspace.openNotebookDocument(notebookType, data);
  await vscode.window.showNotebookDocument(nb);
  return nb;
}

/** Position just after the first `needle` in the document (or `delta` characters into it). */
function at(doc: vscode.TextDocument, needle: string, delta = needle.length): vscode.Position {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `"${needle}" in the cell`);
  return doc.positionAt(i + delta);
}

async function completionLabels(doc: vscode.TextDocument, pos: vscode.Position, { semanticOnly = false } = {}): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>("vscode.executeCompletionItemProvider", doc.uri, pos, ".");
  // semanticOnly: leave out VS Code's word-based suggestions (kind Text: words of open documents, such
  // as the bundled declarations an earlier test opened), keeping what language providers know.
  return list.items.filter((i) => !semanticOnly || i.kind !== vscode.CompletionItemKind.Text)
    .map((i) => (typeof i.label === "string" ? i.label : i.label.label));
}

/** Our diagnostics of a cell, once they are published (debounced after an edit). */
async function ourDiagnostics(doc: vscode.TextDocument, expectSome = true): Promise<vscode.Diagnostic[]> {
  if (expectSome) await waitUntil(`diagnostics of ${doc.uri.toString()}`, () => vscode.languages.getDiagnostics(doc.uri).some((d) => d.source === "rnn-notebook"), 30_000);
  return vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === "rnn-notebook");
}

const MODEL_CELL = `const model = rnn.sequential({ inputShape: [20, 6] }, [
  rnn.lstm({ units: 16 }),
  rnn.dense({ units: 1 }),
]);`;

describe("intellisense in cells", function () {
  this.timeout(120_000);
  before(activate);
  afterEach(closeAll);

  it("completes rnn. with the layer factories", async () => {
    const nb = await notebookOf(["rnn."]);
    const doc = nb.cellAt(0).document;
    const labels = await completionLabels(doc, at(doc, "rnn."));
    for (const name of ["simpleRNN", "lstm", "gru", "dense", "sequential"]) assert.ok(labels.includes(name), `${name} in ${labels.join(", ")}`);
  });

  it("does not repeat what VS Code's own TypeScript completion offers, and adds what it cannot know", async () => {
    const nb = await notebookOf([MODEL_CELL, "const mine = 1;\n"]);
    const doc = nb.cellAt(1).document;
    const labels = await completionLabels(doc, new vscode.Position(1, 0));
    for (const name of ["rnn", "math", "display", "model"]) assert.ok(labels.includes(name), `${name} in the list`);
    const typescriptBuiltIn = vscode.extensions.getExtension("vscode.typescript-language-features") !== undefined;
    for (const name of ["Array", "mine"]) {
      const times = labels.filter((l) => l === name).length;
      assert.ok(typescriptBuiltIn ? times <= 1 : times === 1, `${name} listed ${times} times`);
    }
  });

  it("completes a variable declared in an earlier cell with its members", async () => {
    const nb = await notebookOf([MODEL_CELL, "// a later cell\nmodel."]);
    const doc = nb.cellAt(1).document;
    const labels = await completionLabels(doc, at(doc, "model."));
    for (const name of ["fit", "summary"]) assert.ok(labels.includes(name), `${name} in ${labels.join(", ")}`);
  });

  it("shows a type error as a diagnostic in the right cell and line", async () => {
    const nb = await notebookOf([MODEL_CELL, "const epochs = 20;\nconst name: string = epochs;\n"]);
    const second = nb.cellAt(1).document;
    const [d, ...rest] = await ourDiagnostics(second);
    assert.deepEqual(rest, []);
    assert.match(d.message, /Type 'number' is not assignable to type 'string'/);
    assert.equal(d.range.start.line, 1);
    assert.equal(second.getText(d.range), "name");
    assert.deepEqual(await ourDiagnostics(nb.cellAt(0).document, false), [], "the first cell is clean");
  });

  it("suggests the right name for a misspelled layer option", async () => {
    const nb = await notebookOf(["const layer = rnn.lstm({ unit: 16 });"]);
    const doc = nb.cellAt(0).document;
    const [d] = await ourDiagnostics(doc);
    assert.match(d.message, /Did you mean to write 'units'\?/);
    assert.equal(doc.getText(d.range), "unit");
  });

  it("updates diagnostics after an edit", async () => {
    const nb = await notebookOf(["const n: number = 'x';"]);
    const doc = nb.cellAt(0).document;
    assert.equal((await ourDiagnostics(doc)).length, 1);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, 0, doc.lineAt(0).text.length), "const n: number = 1;");
    await vscode.workspace.applyEdit(edit);
    await waitUntil("the error to go away", () => vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === "rnn-notebook").length === 0);
  });

  it("follows the cell order when cells are deleted and inserted", async () => {
    const nb = await notebookOf(["const rate = 0.5;", "rate.toFixed(1);"]);
    const user = nb.cellAt(1).document;
    await new Promise((r) => setTimeout(r, 1500)); // the first pass (no problems) has run
    assert.deepEqual(await ourDiagnostics(user, false), []);
    const remove = new vscode.WorkspaceEdit();
    remove.set(nb.uri, [vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(0, 1))]);
    await vscode.workspace.applyEdit(remove);
    const [d] = await ourDiagnostics(user);
    assert.match(d.message, /Cannot find name 'rate'/);
    const insert = new vscode.WorkspaceEdit();
    insert.set(nb.uri, [vscode.NotebookEdit.insertCells(0, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, "const rate = 2;", "typescript")])]);
    await vscode.workspace.applyEdit(insert);
    await waitUntil("the error to go away", () => vscode.languages.getDiagnostics(user.uri).filter((x) => x.source === "rnn-notebook").length === 0);
  });

  it("shows the type-info hover and the parameter-count hover together on a layer call", async () => {
    const nb = await notebookOf([MODEL_CELL]);
    const doc = nb.cellAt(0).document;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", doc.uri, at(doc, "rnn.lstm", 6));
    const texts = hovers.map((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value)).join("\n"));
    assert.ok(texts.some((t) => /```typescript\n.*lstm\(/.test(t)), `type info in:\n${texts.join("\n---\n")}`);
    assert.ok(texts.some((t) => /parameters/.test(t)), `parameter count in:\n${texts.join("\n---\n")}`);
  });

  it("gives signature help with the parameter inside a layer call", async () => {
    const nb = await notebookOf(["const layer = rnn.lstm("]);
    const doc = nb.cellAt(0).document;
    const help = await vscode.commands.executeCommand<vscode.SignatureHelp>("vscode.executeSignatureHelpProvider", doc.uri, at(doc, "rnn.lstm("), "(");
    const labels = help?.signatures.map((s) => s.label) ?? [];
    assert.ok(labels.some((l) => /^lstm\(options: \w+\)/.test(l)), `signatures: ${labels.join(" | ")}`);
  });

  it("goes to the definition of an engine function in the generated declarations", async () => {
    const nb = await notebookOf(["rnn.lstm({ units: 4 });"]);
    const doc = nb.cellAt(0).document;
    const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>("vscode.executeDefinitionProvider", doc.uri, at(doc, "rnn.ls"));
    const ours = locations.map((l) => ("targetUri" in l ? l.targetUri : l.uri)).filter((u) => u.scheme === "rnn-notebook-types");
    assert.ok(ours.length > 0, `definitions: ${locations.map((l) => ("targetUri" in l ? l.targetUri : l.uri).toString()).join(", ")}`);
    const types = await vscode.workspace.openTextDocument(ours[0]);
    assert.match(types.getText(), /declare module "engine\/index"/);
  });

  it("works in TypeScript cells of an .ipynb notebook", async () => {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(root, "the test workspace is open");
    const uri = vscode.Uri.joinPath(root, "scratch", `${Date.now()}-intellisense.ipynb`);
    const ipynb = {
      nbformat: 4, nbformat_minor: 5, metadata: { language_info: { name: "typescript" } },
      cells: [{ cell_type: "code", metadata: {}, source: ["rnn."], outputs: [], execution_count: null }],
    };
    await vscode.workspace.fs.writeFile(uri, enc.encode(JSON.stringify(ipynb)));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    assert.equal(nb.notebookType, "jupyter-notebook");
    if (nb.cellAt(0).document.languageId !== "typescript") await vscode.languages.setTextDocumentLanguage(nb.cellAt(0).document, "typescript");
    await vscode.window.showNotebookDocument(nb);
    const doc = nb.cellAt(0).document;
    const labels = await completionLabels(doc, at(doc, "rnn."));
    assert.ok(labels.includes("lstm"), `lstm in ${labels.join(", ")}`);
  });

  it("stays out of an .ipynb that names another kernel until our kernel is selected for it", async () => {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(root, "the test workspace is open");
    const uri = vscode.Uri.joinPath(root, "scratch", `${Date.now()}-deno.ipynb`);
    const ipynb = {
      nbformat: 4, nbformat_minor: 5,
      metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" }, language_info: { name: "typescript" } },
      cells: [{ cell_type: "code", metadata: {}, source: ["rnn."], outputs: [], execution_count: null }],
    };
    await vscode.workspace.fs.writeFile(uri, enc.encode(JSON.stringify(ipynb)));
    const nb = await vscode.workspace.openNotebookDocument(uri);
    if (nb.cellAt(0).document.languageId !== "typescript") await vscode.languages.setTextDocumentLanguage(nb.cellAt(0).document, "typescript");
    await vscode.window.showNotebookDocument(nb);
    const doc = nb.cellAt(0).document;
    // A Deno notebook: `rnn` means nothing there, so none of our members are offered.
    const before = await completionLabels(doc, at(doc, "rnn."), { semanticOnly: true });
    assert.ok(!before.includes("lstm"), `no lstm before our kernel is chosen: ${before.join(", ")}`);
    await showWithKernel(nb); // the user picks "RNN Notebook" for this notebook
    const after = await waitUntil("lstm among the completions once our kernel is selected", async () => {
      const labels = await completionLabels(doc, at(doc, "rnn."), { semanticOnly: true });
      return labels.includes("lstm") && labels;
    }, 10_000);
    assert.ok(after.includes("lstm"));
  });
});
