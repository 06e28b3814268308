/**
 * .rnnb ⇄ NotebookData. The on-disk shape lives in src/shared/notebookFormat.ts (private Raw* types,
 * apart from the API, as in the notebook-serializer sample); this file only maps it to VS Code's types.
 *
 * A file that does not parse opens as a read-only explanation (the error and the original text) and
 * the serializer refuses to save over it, so a malformed file is reported and never overwritten.
 */
import * as vscode from "vscode";
import { base64ToBytes, bytesToBase64 } from "../../shared/base64";
import {
  mimeStorage, NotebookFormatError, parseNotebook, serializeNotebook,
  type Json, type JsonObject, type RawCell, type RawNotebook, type RawOutput,
} from "../../shared/notebookFormat";

/** NotebookData.metadata key marking a notebook whose file could not be parsed. */
export const UNPARSED_KEY = "rnnNotebookUnparsed";

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

export class RnnNotebookSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    let raw: RawNotebook;
    try {
      raw = parseNotebook(decoder.decode(content));
    } catch (e) {
      return unparsedNotebook(content, e);
    }
    const data = new vscode.NotebookData(raw.cells.map(toCellData));
    data.metadata = { metadata: raw.metadata, extra: raw.extra, version: raw.version };
    return data;
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    const meta = data.metadata ?? {};
    if (meta[UNPARSED_KEY]) {
      throw new Error(vscode.l10n.t(
        "RNN Notebook will not save this file: it could not be parsed when it was opened, and saving would overwrite it. " +
        "Fix it with 'Reopen Editor With… → Text Editor'."));
    }
    const raw: RawNotebook = {
      version: typeof meta.version === "number" ? meta.version : 1,
      metadata: (meta.metadata as JsonObject | undefined) ?? {},
      extra: (meta.extra as JsonObject | undefined) ?? {},
      cells: data.cells.map(fromCellData),
    };
    return encoder.encode(serializeNotebook(raw));
  }
}

function toCellData(c: RawCell): vscode.NotebookCellData {
  const kind = c.kind === "code" ? vscode.NotebookCellKind.Code : vscode.NotebookCellKind.Markup;
  const cell = new vscode.NotebookCellData(kind, c.source, c.language);
  cell.outputs = c.outputs.map(toOutput);
  if (c.executionCount !== undefined) cell.executionSummary = { executionOrder: c.executionCount };
  cell.metadata = { metadata: c.metadata, extra: c.extra };
  return cell;
}

function toOutput(o: RawOutput): vscode.NotebookCellOutput {
  const items = o.items.map((item) => {
    const storage = mimeStorage(item.mime);
    const bytes = storage === "json" ? encoder.encode(JSON.stringify(item.data))
      : storage === "text" ? encoder.encode(item.data as string)
      : base64ToBytes(item.data as string);
    return new vscode.NotebookCellOutputItem(bytes, item.mime);
  });
  const metadata: Record<string, unknown> = { extra: o.extra };
  if (o.metadata !== undefined) metadata.metadata = o.metadata;
  return new vscode.NotebookCellOutput(items, metadata);
}

function fromCellData(c: vscode.NotebookCellData): RawCell {
  const meta = c.metadata ?? {};
  const outputs = (c.outputs ?? []).map(fromOutput);
  // A cell that ran keeps its count even when it printed nothing, as the headless runner and Jupyter
  // write it (a reopened notebook shows which cells ran). Clearing outputs clears VS Code's execution
  // order too, so a cleared cell is saved without one.
  const order = c.executionSummary?.executionOrder;
  return {
    kind: c.kind === vscode.NotebookCellKind.Code ? "code" : "markdown",
    language: c.languageId,
    source: c.value,
    outputs,
    ...(order !== undefined && order > 0 ? { executionCount: order } : {}),
    metadata: (meta.metadata as JsonObject | undefined) ?? {},
    extra: (meta.extra as JsonObject | undefined) ?? {},
  };
}

function fromOutput(o: vscode.NotebookCellOutput): RawOutput {
  const items = o.items.map((item) => {
    const storage = mimeStorage(item.mime);
    let data: Json;
    if (storage === "json") {
      const text = new TextDecoder().decode(item.data);
      try {
        data = JSON.parse(text) as Json;
      } catch {
        data = text;
      }
    } else if (storage === "text") {
      data = new TextDecoder().decode(item.data);
    } else {
      data = bytesToBase64(item.data);
    }
    return { mime: item.mime, data };
  });
  const meta = o.metadata ?? {};
  const out: RawOutput = { items, extra: (meta.extra as JsonObject | undefined) ?? {} };
  if (meta.metadata !== undefined) out.metadata = meta.metadata as JsonObject;
  return out;
}

function unparsedNotebook(content: Uint8Array, e: unknown): vscode.NotebookData {
  const why = e instanceof NotebookFormatError ? e.message
    : e instanceof TypeError ? "The file is not valid UTF-8 text." : String(e);
  const text = new TextDecoder().decode(content.slice(0, 200_000));
  const explain = new vscode.NotebookCellData(
    vscode.NotebookCellKind.Markup,
    [
      "## ⚠ This file could not be opened as an RNN Notebook",
      "",
      `**${why.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, "\\$&")}**`,
      "",
      "Nothing was changed, and RNN Notebook refuses to save over this file so no work is lost.",
      "To repair it, use **Reopen Editor With… → Text Editor**. Its text is shown below.",
    ].join("\n"),
    "markdown",
  );
  const original = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text, "json");
  const data = new vscode.NotebookData([explain, original]);
  data.metadata = { [UNPARSED_KEY]: { error: why } };
  return data;
}
