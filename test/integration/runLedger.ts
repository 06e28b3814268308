/**
 * A notebook file whose metadata holds a run ledger (`metadata.runLedger = { version: 1, records }`, as
 * fits write it), for the Compare Runs tests of both suites. Records are plain JSON, as in a file.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { EXTENSION_ID } from "../../src/shared/mime";
import type { RunsComparePayload } from "../../src/shared/payloads";

/** Two runs of the same LSTM fit that differ only in clipNorm. */
export function ledgerRecord(id: string, clipNorm: number | null, loss: number[]): Record<string, unknown> {
  return {
    id, endedAt: "2026-12-01T10:00:00.000Z", model: { name: "lstm", type: "Sequential", totalParams: 1472 },
    config: { epochs: loss.length, batchSize: 32, loss: "mse", optimizer: "adam", "optimizer.lr": 0.001, clipNorm, seed: 1 },
    epochs: { loss }, batches: { every: 1, method: "block mean", loss, total: loss.length }, wallTimeMs: 1500, interrupted: false, stoppedEarly: false,
  };
}

/** Writes `<name>.rnnb` (scratch folder of the test workspace) with the ledger `records` and opens it in an editor. */
export async function openLedgerNotebook(name: string, records: Record<string, unknown>[]): Promise<vscode.NotebookDocument> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, "the test workspace is open");
  const file = {
    format: "rnn-notebook", version: 1, metadata: records.length > 0 ? { runLedger: { version: 1, capBytes: 1_000_000, records } } : {},
    cells: [{ kind: "code", language: "typescript", source: "// the runs were trained earlier", outputs: [], metadata: {} }],
  };
  const uri = vscode.Uri.joinPath(root, "scratch", `${Date.now()}-${name}.rnnb`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(file)));
  const nb = await vscode.workspace.openNotebookDocument(uri);
  await vscode.window.showNotebookDocument(nb);
  return nb;
}

/** What the Compare Runs panel shows, through the extension's test API. */
export function comparedRuns(): { payload?: RunsComparePayload; rendered?: { kind: string; runs: string[] } } | undefined {
  const api = vscode.extensions.getExtension(EXTENSION_ID)?.exports as { comparedRuns(): ReturnType<typeof comparedRuns> };
  return api.comparedRuns();
}
