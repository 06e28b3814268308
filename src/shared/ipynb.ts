/**
 * .rnnb → Jupyter .ipynb (nbformat 4.5), pure: used by the "Export as Jupyter Notebook" command and
 * available to the headless runner. The result renders on GitHub and in Jupyter because every rich
 * output of ours already carries static fallbacks (DESIGN §4): image/png (heatmaps), image/svg+xml
 * (line plots), text/html (tables) and text/plain. Jupyter front ends show the richest mime they can
 * render and skip mimes they do not know, so our custom `application/vnd.rnn-notebook.*+json` items
 * are kept by default (VS Code opening the .ipynb then still draws them with our renderer); pass
 * `{ customMimes: "drop" }` for a smaller file.
 *
 * Output mapping:
 *   VS Code stdout / stderr items            → `stream` outputs (consecutive runs of one stream merged)
 *   application/vnd.code.notebook.error      → `error` output (ename, evalue, traceback lines)
 *   anything else                            → `display_data` (text mimes as line arrays, image/png as
 *                                              base64, JSON mimes as JSON values)
 * A code cell's `execution_count` is its .rnnb `executionCount` (null for a cell never run).
 *
 * Porting note: nbformat 4.5 requires a unique `id` per cell; ids here are derived from the cell
 * position (`cell-1`, `cell-2`, …) so exporting the same notebook twice gives identical bytes.
 */
import type { Json, JsonObject, RawCell, RawNotebook, RawOutput } from "./notebookFormat";
import { mimeStorage } from "./notebookFormat";
import { LEDGER_KEY } from "./runLedger";

export const STDOUT_MIME = "application/vnd.code.notebook.stdout";
export const STDERR_MIME = "application/vnd.code.notebook.stderr";
export const ERROR_MIME = "application/vnd.code.notebook.error";
/** Prefix of our renderer's mime types (src/shared/mime.ts). */
const CUSTOM_MIME_PREFIX = "application/vnd.rnn-notebook.";

export interface IpynbOptions {
  /** Keep our renderer's custom JSON mimes next to the fallbacks ("keep", the default) or drop them. */
  customMimes?: "keep" | "drop";
}

/** nbformat 4 output, as written. */
type IpynbOutput =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string[] }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] }
  | { output_type: "display_data"; data: JsonObject; metadata: JsonObject };

/** The notebook-level metadata that tells Jupyter and GitHub the cells are TypeScript. */
export const TYPESCRIPT_METADATA: JsonObject = {
  kernelspec: { name: "rnn-notebook", display_name: "TypeScript (RNN Notebook)", language: "typescript" },
  language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
};

/** Converts a parsed .rnnb notebook to the text of an nbformat 4.5 .ipynb file (1-space indent, as Jupyter writes). */
export function rnnbToIpynb(nb: RawNotebook, options: IpynbOptions = {}): string {
  const { [LEDGER_KEY]: ledger, ...rest } = nb.metadata;
  const root = {
    cells: nb.cells.map((c, i) => convertCell(c, i, options)),
    metadata: {
      ...TYPESCRIPT_METADATA,
      // The run ledger sits where an .ipynb keeps it (src/shared/runLedger.ts); the rest of the .rnnb
      // notebook metadata travels along under our own key (nbformat allows extra keys).
      ...(ledger !== undefined ? { [LEDGER_KEY]: ledger } : {}),
      ...(Object.keys(rest).length > 0 ? { rnn_notebook: rest } : {}),
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(root, null, 1) + "\n";
}

function convertCell(c: RawCell, index: number, options: IpynbOptions): JsonObject {
  const id = `cell-${index + 1}`;
  const metadata: JsonObject = { ...c.metadata };
  if (c.kind === "markdown") {
    return { cell_type: "markdown", id, metadata, source: lines(c.source) };
  }
  // A code cell in another language than TypeScript keeps its language, as VS Code's ipynb support does.
  if (c.language !== "typescript") metadata.vscode = { languageId: c.language };
  return {
    cell_type: "code",
    execution_count: c.executionCount ?? null,
    id,
    metadata,
    outputs: convertOutputs(c.outputs, options) as unknown as Json[],
    source: lines(c.source),
  };
}

function convertOutputs(outputs: readonly RawOutput[], options: IpynbOptions): IpynbOutput[] {
  const out: IpynbOutput[] = [];
  const stream = (name: "stdout" | "stderr", text: string): void => {
    const last = out[out.length - 1];
    if (last && last.output_type === "stream" && last.name === name) {
      last.text = lines(last.text.join("") + text);
    } else {
      out.push({ output_type: "stream", name, text: lines(text) });
    }
  };
  for (const o of outputs) {
    const data: JsonObject = {};
    for (const item of o.items) {
      if (item.mime === STDOUT_MIME || item.mime === STDERR_MIME) {
        stream(item.mime === STDOUT_MIME ? "stdout" : "stderr", String(item.data));
      } else if (item.mime === ERROR_MIME) {
        out.push(errorOutput(item.data));
      } else if (options.customMimes === "drop" && item.mime.startsWith(CUSTOM_MIME_PREFIX)) {
        continue;
      } else {
        data[item.mime] = mimeStorage(item.mime) === "text" ? lines(String(item.data)) : item.data;
      }
    }
    if (Object.keys(data).length > 0) {
      out.push({ output_type: "display_data", data, metadata: o.metadata ?? {} });
    }
  }
  return out;
}

/** VS Code's error item `{ name, message, stack }` → nbformat error output. */
function errorOutput(data: Json): IpynbOutput {
  const e = data !== null && typeof data === "object" && !Array.isArray(data) ? data : {};
  const name = typeof e.name === "string" ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message : typeof data === "string" ? data : "";
  const stack = typeof e.stack === "string" && e.stack !== "" ? e.stack : `${name}: ${message}`;
  return { output_type: "error", ename: name, evalue: message, traceback: stack.split("\n") };
}

/** nbformat's multiline string: the text split after each "\n" (every line but the last keeps it). */
export function lines(text: string): string[] {
  if (text === "") return [];
  const parts = text.split("\n");
  const out = parts.slice(0, -1).map((l) => l + "\n");
  if (parts[parts.length - 1] !== "") out.push(parts[parts.length - 1]);
  return out;
}
