// Export commands in the real extension host: "Export Model to PyTorch" writes
// model.py, weights.safetensors, check.py and reference.safetensors from a live kernel model, and
// "Export as Jupyter Notebook" writes an nbformat 4.5 .ipynb from the open notebook and from an .rnnb file.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { activate, closeAll, openCodeNotebook, runCell, STDOUT, textOf } from "./cells";

/** Header of a safetensors file: tensor name → { dtype, shape }. */
function safetensorsHeader(file: string): Record<string, { dtype: string; shape: number[] }> {
  const bytes = fs.readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: string; shape: number[] }>;
  delete header.__metadata__;
  return header;
}

describe("export commands", function () {
  this.timeout(120_000);
  let tmp = "";
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-export-it-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  afterEach(closeAll);

  it("Export Model to PyTorch writes the four files from a live kernel model", async () => {
    const nb = await openCodeNotebook([
      "const model = rnn.sequential({ inputShape: [6, 3] }, [rnn.lstm({ units: 4, returnSequences: true }), rnn.gru({ units: 3 }), rnn.dense({ units: 1 })]);\nmodel.countParams()",
    ]);
    const cell = await runCell(nb, 0);
    assert.equal(cell.executionSummary?.success, true, textOf(cell, "application/vnd.code.notebook.error"));
    const dir = path.join(tmp, "model_pytorch");
    const result = (await vscode.commands.executeCommand("rnnNotebook.exportPyTorch", "model", dir)) as { dir: string; files: string[] } | undefined;
    assert.ok(result, "the command returned the export result");
    assert.equal(result.dir, dir);
    for (const f of ["model.py", "check.py", "weights.safetensors", "reference.safetensors"]) {
      assert.ok(fs.existsSync(path.join(dir, f)), `${f} written`);
    }
    const modelPy = fs.readFileSync(path.join(dir, "model.py"), "utf8");
    assert.match(modelPy, /self\.lstm = nn\.LSTM\(3, 4, batch_first=True\)/);
    assert.match(modelPy, /self\.gru = nn\.GRU\(4, 3, batch_first=True\)/);
    const weights = safetensorsHeader(path.join(dir, "weights.safetensors"));
    assert.equal(weights["lstm.weight_ih_l0"].dtype, "F32");
    assert.deepEqual(weights["lstm.weight_ih_l0"].shape, [16, 3]);
    assert.deepEqual(weights["gru.bias_hh_l0"].shape, [9]);
    assert.deepEqual(weights["dense.weight"].shape, [1, 3]);
    assert.deepEqual(safetensorsHeader(path.join(dir, "reference.safetensors")).output.shape, [2, 1]);
  });

  it("the same export from a cell: model.exportPyTorch(dir) and module.saveSafetensors(path)", async () => {
    const dir = path.join(tmp, "from_cell");
    const nb = await openCodeNotebook([
      `const lstm = rnn.nn.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2 });\n` +
      `lstm.saveSafetensors(${JSON.stringify(path.join(tmp, "lstm.safetensors"))});\n` +
      `console.log(lstm.exportPyTorch(${JSON.stringify(dir)}).files.join(","))`,
    ]);
    const cell = await runCell(nb, 0);
    assert.equal(cell.executionSummary?.success, true, textOf(cell, "application/vnd.code.notebook.error"));
    assert.equal(textOf(cell, STDOUT).trim(), "model.py,check.py,weights.safetensors,reference.safetensors");
    assert.deepEqual(Object.keys(safetensorsHeader(path.join(tmp, "lstm.safetensors"))).sort(),
      ["bias_hh_l0", "bias_hh_l1", "bias_ih_l0", "bias_ih_l1", "weight_hh_l0", "weight_hh_l1", "weight_ih_l0", "weight_ih_l1"]);
    assert.match(fs.readFileSync(path.join(dir, "model.py"), "utf8"), /return nn\.LSTM\(input_size=3, hidden_size=5, num_layers=2\)/);
  });

  it("Export Model to PyTorch explains when there is no live model", async () => {
    await openCodeNotebook(["1 + 1"]);
    const result = await vscode.commands.executeCommand("rnnNotebook.exportPyTorch", "model", path.join(tmp, "none"));
    assert.equal(result, undefined);
    assert.ok(!fs.existsSync(path.join(tmp, "none")));
  });

  it("Export as Jupyter Notebook writes nbformat 4.5 with outputs from the open notebook", async () => {
    const nb = await openCodeNotebook(["console.log('hello from the kernel')", "const m = rnn.sequential({ inputShape: [4, 2] }, [rnn.simpleRNN({ units: 3 })]);\nm.summary()"]);
    await runCell(nb, 0);
    await runCell(nb, 1);
    const target = vscode.Uri.file(path.join(tmp, "open.ipynb"));
    const written = await vscode.commands.executeCommand("rnnNotebook.exportIpynb", undefined, target);
    assert.equal(written, target.toString());
    const ipynb = JSON.parse(fs.readFileSync(target.fsPath, "utf8"));
    assert.equal(ipynb.nbformat, 4);
    assert.equal(ipynb.nbformat_minor, 5);
    assert.equal(ipynb.metadata.language_info.name, "typescript");
    assert.equal(ipynb.cells.length, 2);
    assert.deepEqual(ipynb.cells[0].outputs, [{ output_type: "stream", name: "stdout", text: ["hello from the kernel\n"] }]);
    const summary = ipynb.cells[1].outputs.find((o: { output_type: string }) => o.output_type === "display_data");
    assert.ok(summary, "the summary is a display_data output");
    assert.ok(summary.data["text/plain"] && summary.data["text/html"], "with its text/plain and text/html fallbacks");
  });

  it("Export as Jupyter Notebook converts an .rnnb file given by the explorer", async () => {
    await activate();
    const src = path.join(tmp, "lesson.rnnb");
    fs.writeFileSync(src, JSON.stringify({
      format: "rnn-notebook", version: 1, metadata: {},
      cells: [
        { kind: "markdown", language: "markdown", source: "# Title", outputs: [], metadata: {} },
        { kind: "code", language: "typescript", source: "1 + 1", metadata: {},
          outputs: [{ items: [{ mime: "text/plain", data: "2" }] }] },
      ],
    }));
    const target = vscode.Uri.file(path.join(tmp, "lesson.ipynb"));
    await vscode.commands.executeCommand("rnnNotebook.exportIpynb", vscode.Uri.file(src), target);
    const ipynb = JSON.parse(fs.readFileSync(target.fsPath, "utf8"));
    assert.deepEqual(ipynb.cells.map((c: { cell_type: string }) => c.cell_type), ["markdown", "code"]);
    assert.deepEqual(ipynb.cells[1].outputs, [{ output_type: "display_data", data: { "text/plain": ["2"] }, metadata: {} }]);
    // VS Code's own .ipynb support opens it
    const doc = await vscode.workspace.openNotebookDocument(target);
    assert.equal(doc.cellCount, 2);
    assert.equal(doc.cellAt(1).document.languageId, "typescript", "the language metadata makes the cells TypeScript");
  });
});
