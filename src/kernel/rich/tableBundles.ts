/**
 * Table outputs: the Keras-style model summary (summary+json + text/html + text/plain), tensors
 * (tensor+json + image/png heatmap when 2-D-ish + text/html table + text/plain) and matrices of
 * non-numeric entries such as mathjs complex numbers (text/html table + text/plain).
 */
import { MIME, type MimeBundle } from "../../shared/mime";
import { matrixView, type SummaryPayload, type TensorPayload } from "../../shared/payloads";
import { CONVENTION_NOTE, formatCount, formatShape, formatSummaryText } from "../../shared/summaryText";
import { dataColorScale } from "../../shared/colormaps";
import { finiteExtent, formatNumber } from "../../shared/scale";
import { poolMatrix, roundSig } from "./downsample";
import { heatmapPngBase64 } from "./heatmapImage";
import { htmlTable } from "./markup";

export function summaryBundle(p: SummaryPayload): MimeBundle {
  const graph = p.layers.some((l) => l.connectedTo); // a functional model: Keras's "Connected to" column
  const html = htmlTable({
    caption: `Model: "${p.name}"${CONVENTION_NOTE[p.convention] ? ` — ${CONVENTION_NOTE[p.convention]}` : ""}`,
    head: ["Layer (type)", "Output Shape", "Param #", ...(graph ? ["Connected to"] : [])],
    rows: p.layers.map((l) => [`${l.name} (${l.type})`, l.outputShapes ? l.outputShapes.map(formatShape).join(", ") : formatShape(l.outputShape),
      formatCount(l.params), ...(graph ? [(l.connectedTo ?? []).join(", ")] : [])]),
    numericCols: [2],
    foot: [`Total params: ${formatCount(p.totalParams)}`, `Trainable params: ${formatCount(p.trainableParams)}`, `Non-trainable params: ${formatCount(p.nonTrainableParams)}`],
  });
  return { [MIME.summary]: p, "text/html": html, "text/plain": formatSummaryText(p) };
}

export interface TensorOptions {
  title?: string;
  view?: "heatmap" | "table";
  rowLabels?: string[];
  colLabels?: string[];
  maxRows: number;
  maxCols: number;
}

/** A tensor (shape + flat data) viewed as a matrix: rank 0/1 → 1 × n, rank ≥ 3 → (product of leading) × last. */
export function tensorPayload(shape: number[], data: ArrayLike<number | null>, dtype: string, opts: TensorOptions): TensorPayload {
  // Size-1 axes say nothing about layout: [4, 30, 1] is shown as 4 × 30, [1, 20, 6] as 20 × 6.
  const [rows, cols] = matrixView(shape);
  const pooled = poolMatrix(data, rows, cols, opts.maxRows, opts.maxCols);
  const p: TensorPayload = {
    shape: shape.slice(),
    shownShape: [pooled.rows, pooled.cols],
    // 6 significant digits: what a float32 holds reliably (≈ 7) for the table view, less JSON than 9
    values: pooled.values.map((v) => roundSig(v, dtype === "int32" && !pooled.downsampled ? 10 : 6)),
    view: opts.view ?? (rows > 1 && rows * cols > 16 ? "heatmap" : "table"),
    dtype: dtype === "float64" || dtype === "int32" ? dtype : "float32",
  };
  if (opts.title) p.title = opts.title;
  if (shape.length > 2) p.note = `[${shape.join(", ")}] viewed as ${rows} × ${cols}`;
  if (pooled.downsampled) {
    p.downsampled = true;
    p.rowIndex = pooled.rowIndex;
    p.colIndex = pooled.colIndex;
  } else {
    if (opts.rowLabels && opts.rowLabels.length === rows) p.rowLabels = opts.rowLabels.map(String);
    if (opts.colLabels && opts.colLabels.length === cols) p.colLabels = opts.colLabels.map(String);
  }
  return p;
}

function shapeText(shape: number[]): string {
  return `[${shape.join(", ")}]`;
}

/** `kind` names the value in the text and HTML fallbacks ("Tensor", "mathjs Matrix"). */
export function tensorBundle(p: TensorPayload, kind = "Tensor"): MimeBundle {
  const [rows, cols] = p.shownShape;
  const head = `${kind} ${shapeText(p.shape)} ${p.dtype}${p.downsampled ? ` — ${rows} × ${cols} block means shown` : ""}${p.note ? ` — ${p.note}` : ""}`;
  const maxR = Math.min(rows, 30);
  const maxC = Math.min(cols, 12);
  const fmt = (v: number | null) => (v === null ? "NaN" : formatNumber(v, 4));
  const rowsText: string[][] = [];
  for (let r = 0; r < maxR; r++) {
    const row = [p.rowLabels?.[r] ?? String(p.rowIndex?.[r] ?? r)];
    for (let c = 0; c < maxC; c++) row.push(fmt(p.values[r * cols + c]));
    if (maxC < cols) row.push("…");
    rowsText.push(row);
  }
  if (maxR < rows) rowsText.push(["…"]);
  const colHead = [""].concat(Array.from({ length: maxC }, (_, c) => p.colLabels?.[c] ?? String(p.colIndex?.[c] ?? c)), maxC < cols ? ["…"] : []);
  const bundle: MimeBundle = { [MIME.tensor]: p };
  if (rows * cols > 1 && (p.view === "heatmap" || rows > 1)) {
    const cs = dataColorScale(finiteExtent(p.values));
    bundle["image/png"] = heatmapPngBase64([{ label: `${p.title ?? "tensor"} ${shapeText(p.shape)}`, rows, cols, at: (r, c) => p.values[r * cols + c], colorScale: cs }]);
  }
  const table = htmlTable({ caption: p.title ? `${p.title} — ${head}` : head, head: colHead, rows: rowsText, numericCols: Array.from({ length: maxC }, (_, i) => i + 1) });
  // Viewers without our renderer (Jupyter, GitHub, VS Code's built-ins) prefer text/html over image/png,
  // so a heatmap-first tensor carries its picture in the HTML too. The src is our own base64 (A–Z a–z
  // 0–9 + / =), never data from the notebook.
  const png = bundle["image/png"];
  bundle["text/html"] = p.view === "heatmap" && typeof png === "string" && /^[A-Za-z0-9+/=]+$/.test(png)
    ? `<div><img alt="heatmap" src="data:image/png;base64,${png}"></div>${table}`
    : table;
  const textRows = rowsText.slice(0, 12).map((r) => r.slice(0, 9).map((c) => c.padStart(10)).join(" ") + (r.length > 9 ? "  …" : ""));
  if (rowsText.length > 12) textRows.push("…");
  bundle["text/plain"] = [p.title ? `${p.title}: ${head}` : head, ...textRows].join("\n");
  return bundle;
}

/** A matrix of entries shown as their own text (mathjs Complex, BigNumber, …): an HTML table and aligned text. */
export function textMatrixBundle(m: { shape: number[]; cells: string[][] }, kind: string): MimeBundle {
  const head = `${kind} ${shapeText(m.shape)}`;
  const width = Math.max(1, ...m.cells.flat().map((c) => c.length));
  const text = m.cells.slice(0, 30).map((r) => r.slice(0, 12).map((c) => c.padStart(width)).join("  ") + (r.length > 12 ? "  …" : ""));
  if (m.cells.length > 30) text.push("…");
  return {
    // The HTML table shows at most 200 × 50 entries (as many as anyone reads in a cell output).
    "text/html": htmlTable({ caption: head, head: m.cells[0].slice(0, 50).map((_, c) => String(c)), rows: m.cells.slice(0, 200).map((r) => r.slice(0, 50)),
      numericCols: m.cells[0].slice(0, 50).map((_, c) => c) }),
    "text/plain": [head, ...text].join("\n"),
  };
}
