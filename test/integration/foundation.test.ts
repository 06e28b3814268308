/**
 * Foundation tests: the extension is alive in a real VS Code extension host and its
 * contributions are wired to real implementations.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { NOTEBOOK_TYPE, RICH_MIMES, RENDERER_ID } from "../../src/shared/mime";
import { activeExtension, openNotebook, outputTexts, runCells } from "./helpers";

interface Contributes {
  commands: { command: string }[];
  notebooks: { type: string; selector: { filenamePattern: string }[] }[];
  notebookRenderer: { id: string; mimeTypes: string[]; entrypoint: string }[];
}

describe("foundation", () => {
  it("runs inside a real VS Code 1.139", () => {
    assert.match(vscode.version, /^1\.139\./);
  });

  it("the extension activates", async () => {
    const ext = await activeExtension();
    assert.equal(ext.isActive, true);
  });

  it("every contributed command is registered", async () => {
    const ext = await activeExtension();
    const contributed = (ext.packageJSON.contributes as Contributes).commands.map((c) => c.command);
    assert.ok(contributed.length >= 5, `package.json contributes commands (${contributed.length})`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(", ")}`);
  });

  it("a .rnnb file opens as notebook type rnn-notebook", async () => {
    await activeExtension();
    const nb = await openNotebook("foundation.rnnb");
    assert.equal(nb.notebookType, NOTEBOOK_TYPE);
    assert.ok(nb.cellCount >= 1);
    assert.equal(nb.cellAt(0).document.getText(), "1 + 2");
  });

  it("executing a trivial cell through the controller yields its value", async () => {
    await activeExtension();
    const nb = await openNotebook("foundation.rnnb");
    const [cell] = await runCells(nb, 0, 1);
    assert.equal(cell.executionSummary?.success, true, `cell succeeded; outputs: ${JSON.stringify(outputTexts(cell))}`);
    assert.ok(outputTexts(cell).includes("3"), `text/plain output "3" in ${JSON.stringify(outputTexts(cell))}`);
  });

  it("the renderer's mime types are contributed", async () => {
    const ext = await activeExtension();
    const renderers = (ext.packageJSON.contributes as Contributes).notebookRenderer;
    const ours = renderers.find((r) => r.id === RENDERER_ID);
    assert.ok(ours, `renderer ${RENDERER_ID} is contributed`);
    for (const mime of RICH_MIMES) assert.ok(ours.mimeTypes.includes(mime), `renderer takes ${mime}`);
    const notebooks = (ext.packageJSON.contributes as Contributes).notebooks;
    assert.ok(notebooks.some((n) => n.type === NOTEBOOK_TYPE && n.selector.some((s) => s.filenamePattern === "*.rnnb")));
  });
});
