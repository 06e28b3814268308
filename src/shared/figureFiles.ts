/**
 * The message a renderer's "Save PNG" / "Save SVG" button sends to the extension, and the checks the
 * extension makes before writing anything: the renderer runs in the output webview, so its message is
 * treated as untrusted input (a file name is reduced to a safe base name, the bytes must be what the
 * extension says they are, and the size is bounded).
 */

/** Renderer → extension: save these bytes as a figure next to the notebook. */
export interface SaveFigureMessage {
  type: "saveFigure";
  /** Echoed in the reply so the button that asked can say where the file went. */
  requestId: number;
  /** Suggested file name, e.g. "gates-lstm-layer0.png". */
  fileName: string;
  /** base64 of the PNG bytes or of the UTF-8 SVG text. */
  base64: string;
}

/** Extension → renderer: where the figure went (a path relative to the notebook's folder), or why not. */
export interface FigureSavedMessage {
  type: "figureSaved";
  requestId: number;
  path?: string;
  error?: string;
}

/** Figures above this size are refused (a 2× PNG of the largest view is a few MB). */
export const MAX_FIGURE_BYTES = 32 * 1024 * 1024;

/** The folder, beside the notebook, figures are saved into. */
export const FIGURES_FOLDER = "figures";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A checked figure: a safe base name and its bytes. */
export interface FigureFile {
  fileName: string;
  bytes: Uint8Array;
}

/**
 * Validates a renderer's message: returns the file to write or throws with a message for the user.
 * The name keeps letters, digits, `-`, `_` and `.` (anything else becomes `-`), loses any folder
 * part, and must end in .png (bytes with the PNG signature) or .svg (text starting with `<svg` or
 * an XML declaration).
 */
export function checkFigureMessage(message: unknown): FigureFile {
  const m = message as Partial<SaveFigureMessage> | null;
  if (!m || typeof m !== "object" || m.type !== "saveFigure" || typeof m.fileName !== "string" || typeof m.base64 !== "string") {
    throw new Error("not a figure to save");
  }
  if (m.base64.length > Math.ceil(MAX_FIGURE_BYTES / 3) * 4) throw new Error(`the figure is larger than ${MAX_FIGURE_BYTES / 1024 / 1024} MB`);
  const fileName = safeFileName(m.fileName);
  const bytes = decodeBase64(m.base64);
  if (fileName.endsWith(".png")) {
    if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) throw new Error(`${fileName}: the data is not a PNG image`);
  } else {
    const head = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart();
    if (!head.startsWith("<svg") && !head.startsWith("<?xml")) throw new Error(`${fileName}: the data is not an SVG image`);
  }
  return { fileName, bytes };
}

/** The base name of `name` with unsafe characters replaced; ".png" when it has no figure extension. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  let safe = base.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[.-]+/, "").slice(0, 120);
  if (!/\.(png|svg)$/i.test(safe)) safe = `${safe || "figure"}.png`;
  return safe.replace(/\.(png|svg)$/i, (ext) => ext.toLowerCase());
}

/** `gates.png`, then `gates-1.png`, `gates-2.png`, … : the first name `exists` says is free. */
export async function freeName(fileName: string, exists: (name: string) => Promise<boolean>): Promise<string> {
  const dot = fileName.lastIndexOf(".");
  const stem = fileName.slice(0, dot), ext = fileName.slice(dot);
  for (let i = 0; i < 10_000; i++) {
    const name = i === 0 ? fileName : `${stem}-${i}${ext}`;
    if (!(await exists(name))) return name;
  }
  throw new Error(`${fileName}: no free file name in the figures folder`);
}

/** Strict base64 decoding (atob exists in Node 16+ and in web workers). */
function decodeBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error("the figure data is not base64");
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
