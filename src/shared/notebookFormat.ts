/**
 * The .rnnb file format (DESIGN §5), pure: parse and serialize, shared by the extension's serializer
 * and the headless runner so both write the same bytes.
 *
 *   { "format": "rnn-notebook", "version": 1, "metadata": {},
 *     "cells": [ { "kind": "code"|"markdown", "language": "typescript", "source": "...",
 *                  "outputs": [ { "items": [ { "mime": "...", "data": ... } ], "metadata": {} } ],
 *                  "executionCount": 3, "metadata": {} } ] }
 *
 * `executionCount` (optional): the kernel's execution counter when the cell last ran (its outputs, if
 * any, were made then), so a reopened notebook shows the [n] it ran as; absent for a cell never run or
 * whose outputs were cleared.
 *
 * Output item data: JSON mimes (`…json`, `…+json`) hold the JSON value itself; text mimes (text/*,
 * image/svg+xml, VS Code's stdout/stderr) hold a string; every other mime (image/png) holds base64.
 *
 * Canonical and stable: known keys in a fixed order, then unknown keys in the order they were read
 * (they are kept, never dropped), two-space indentation, "\n" line ends, a final newline. A file this
 * module wrote parses and re-serializes to identical bytes; other valid input is normalized once.
 * A file that does not parse raises NotebookFormatError with a position; callers must never save over
 * such a file.
 */

export const FORMAT = "rnn-notebook";
export const FORMAT_VERSION = 1;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface RawOutputItem {
  mime: string;
  data: Json;
}

export interface RawOutput {
  items: RawOutputItem[];
  metadata?: JsonObject;
  /** Unknown keys, kept in order. */
  extra: JsonObject;
}

export interface RawCell {
  kind: "code" | "markdown";
  language: string;
  source: string;
  outputs: RawOutput[];
  /** The execution count the outputs were made at (a positive integer); absent when never run. */
  executionCount?: number;
  metadata: JsonObject;
  extra: JsonObject;
}

export interface RawNotebook {
  version: number;
  metadata: JsonObject;
  cells: RawCell[];
  extra: JsonObject;
}

export class NotebookFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotebookFormatError";
  }
}

/** How an output item's data is stored for a mime. */
export function mimeStorage(mime: string): "json" | "text" | "base64" {
  if (/(^|[/+.])json$/.test(mime) || mime === "application/vnd.code.notebook.error") return "json";
  if (mime.startsWith("text/") || mime === "image/svg+xml" || mime === "application/vnd.code.notebook.stdout" ||
    mime === "application/vnd.code.notebook.stderr" || mime === "application/javascript") return "text";
  return "base64";
}

export function emptyNotebook(): RawNotebook {
  return { version: FORMAT_VERSION, metadata: {}, cells: [], extra: {} };
}

/** Parses a .rnnb file. An empty (or whitespace-only) file is an empty notebook. */
export function parseNotebook(text: string): RawNotebook {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") return emptyNotebook();
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(`The file is not valid JSON: ${(e as Error).message}`);
  }
  const depth = nestingDepth(root);
  if (depth > MAX_DEPTH) {
    throw new NotebookFormatError(`The file nests JSON ${depth} levels deep; a notebook never needs more than ${MAX_DEPTH}.`);
  }
  const nb = asObject(root, "the file");
  if (nb.format !== FORMAT) {
    throw new NotebookFormatError(`"format" must be "${FORMAT}" (found ${preview(nb.format)}).`);
  }
  if (typeof nb.version !== "number" || !Number.isInteger(nb.version) || nb.version < 1) {
    throw new NotebookFormatError(`"version" must be a positive integer (found ${preview(nb.version)}).`);
  }
  if (nb.version > FORMAT_VERSION) {
    throw new NotebookFormatError(`This notebook has format version ${nb.version}; this RNN Notebook understands up to ${FORMAT_VERSION}. Update the extension.`);
  }
  const metadata = nb.metadata === undefined ? {} : asObject(nb.metadata, '"metadata"');
  if (!Array.isArray(nb.cells)) throw new NotebookFormatError(`"cells" must be an array (found ${preview(nb.cells)}).`);
  const cells = nb.cells.map((c, i) => parseCell(c, i + 1));
  return { version: nb.version, metadata, cells, extra: rest(nb, ["format", "version", "metadata", "cells"]) };
}

function parseCell(value: unknown, n: number): RawCell {
  const where = `cell ${n}`;
  const c = asObject(value, where);
  if (c.kind !== "code" && c.kind !== "markdown") {
    throw new NotebookFormatError(`${where}: "kind" must be "code" or "markdown" (found ${preview(c.kind)}).`);
  }
  const source = c.source === undefined ? "" : c.source;
  if (typeof source !== "string") throw new NotebookFormatError(`${where}: "source" must be a string (found ${preview(source)}).`);
  const language = c.language === undefined ? (c.kind === "code" ? "typescript" : "markdown") : c.language;
  if (typeof language !== "string") throw new NotebookFormatError(`${where}: "language" must be a string.`);
  const outputs = c.outputs === undefined ? [] : c.outputs;
  if (!Array.isArray(outputs)) throw new NotebookFormatError(`${where}: "outputs" must be an array.`);
  // A count that is not a positive integer is not ours to read, but it is kept like any unknown key.
  const count = Number.isInteger(c.executionCount) && (c.executionCount as number) > 0 ? c.executionCount as number : undefined;
  return {
    kind: c.kind,
    language,
    source,
    outputs: outputs.map((o, k) => parseOutput(o, `${where}, output ${k + 1}`)),
    ...(count !== undefined ? { executionCount: count } : {}),
    metadata: c.metadata === undefined ? {} : asObject(c.metadata, `${where}: "metadata"`),
    extra: rest(c, ["kind", "language", "source", "outputs", "metadata", ...(count !== undefined ? ["executionCount"] : [])]),
  };
}

function parseOutput(value: unknown, where: string): RawOutput {
  const o = asObject(value, where);
  if (!Array.isArray(o.items)) throw new NotebookFormatError(`${where}: "items" must be an array.`);
  const items = o.items.map((it, k): RawOutputItem => {
    const item = asObject(it, `${where}, item ${k + 1}`);
    if (typeof item.mime !== "string" || item.mime === "") {
      throw new NotebookFormatError(`${where}, item ${k + 1}: "mime" must be a non-empty string.`);
    }
    const storage = mimeStorage(item.mime);
    if (storage !== "json" && typeof item.data !== "string") {
      throw new NotebookFormatError(`${where}, item ${k + 1}: data of ${item.mime} must be a string.`);
    }
    return { mime: item.mime, data: item.data as Json };
  });
  const out: RawOutput = { items, extra: rest(o, ["items", "metadata"]) };
  if (o.metadata !== undefined) out.metadata = asObject(o.metadata, `${where}: "metadata"`);
  return out;
}

/** Serializes canonically (see the header). */
export function serializeNotebook(nb: RawNotebook): string {
  const root: JsonObject = {
    format: FORMAT,
    version: nb.version,
    metadata: nb.metadata,
    cells: nb.cells.map((c) => {
      const cell: JsonObject = {
        kind: c.kind,
        language: c.language,
        source: c.source,
        outputs: c.outputs.map((o) => {
          const out: JsonObject = { items: o.items.map((i) => ({ mime: i.mime, data: i.data })) };
          if (o.metadata !== undefined) out.metadata = o.metadata;
          return { ...out, ...withoutKeys(o.extra, ["items", "metadata"]) };
        }),
      };
      if (c.executionCount !== undefined) cell.executionCount = c.executionCount;
      cell.metadata = c.metadata;
      return { ...cell, ...withoutKeys(c.extra, Object.keys(cell)) };
    }),
  };
  return JSON.stringify({ ...root, ...withoutKeys(nb.extra, Object.keys(root)) }, null, 2) + "\n";
}

/** Deeper JSON than this is refused: it would overflow the stack when VS Code or we serialize it. */
export const MAX_DEPTH = 256;

/** Depth of a parsed JSON value, measured without recursion (the value may be 100,000 levels deep). */
function nestingDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    if (d > max) max = d;
    if (max > MAX_DEPTH) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

function asObject(value: unknown, what: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new NotebookFormatError(`${what} must be a JSON object (found ${preview(value)}).`);
  }
  return value as JsonObject;
}

function rest(o: JsonObject, known: string[]): JsonObject {
  // A null-prototype object, so a key named "__proto__" stays an ordinary kept field.
  const out: JsonObject = Object.create(null);
  for (const k of Object.keys(o)) if (!known.includes(k)) out[k] = o[k];
  return out;
}

function withoutKeys(o: JsonObject, keys: string[]): JsonObject {
  return rest(o, keys);
}

function preview(v: unknown): string {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v !== null && typeof v === "object") return "an object";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 40) + "…" : s;
}
