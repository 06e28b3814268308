/**
 * A tensor as a heatmap (sequential map for one-signed data, diverging around 0 otherwise) or as a
 * scrollable table, with a toggle. Tables show at most MAX_TABLE_ROWS × MAX_TABLE_COLS cells.
 */
import { matrixView, type TensorPayload } from "../shared/payloads";
import { dataColorScale } from "../shared/colormaps";
import { finiteExtent, formatNumber } from "../shared/scale";
import { availableWidth, button, clear, el, EXPORT_SCALE, type Figure, figureButtons, readTheme, tooltip } from "./dom";
import { blockRange, fitCells, heatmap, legend, type HeatmapSpec } from "./heatmap";
import { t } from "./l10n";

export const MAX_TABLE_ROWS = 500;
export const MAX_TABLE_COLS = 100;

export function renderTensor(root: HTMLElement, p: TensorPayload): void {
  const theme = readTheme(root);
  const [rows, cols] = p.shownShape;
  const [trueRows, trueCols] = p.downsampled ? matrixView(p.shape) : [rows, cols];
  const title = `${p.title ? p.title + " — " : ""}${t("tensor")} [${p.shape.join(", ")}] ${p.dtype}`;
  root.appendChild(el("div", "rnn-title", title));
  const notes: string[] = [];
  if (p.note) notes.push(p.note + ".");
  if (p.downsampled) notes.push(t("tensorPooled", { r: rows, c: cols, rr: trueRows, cc: trueCols }));
  if (notes.length) root.appendChild(el("div", "rnn-note", notes.join(" ")));
  const toolbar = el("div", "rnn-toolbar");
  root.appendChild(toolbar);
  const body = el("div");
  root.appendChild(body);
  const tip = tooltip(root);
  let view = p.view;
  const heatBtn = button(t("heatmap"), () => show("heatmap"), view === "heatmap");
  const tableBtn = button(t("table"), () => show("table"), view === "table");
  toolbar.appendChild(heatBtn);
  toolbar.appendChild(tableBtn);
  // The heatmap's spec, kept to draw it again at EXPORT_SCALE for the exported image.
  let drawn: { spec: HeatmapSpec; figure: Omit<Figure, "panels"> } | undefined;
  for (const b of figureButtons("tensor.png", () => drawn && {
    ...drawn.figure,
    panels: [{ canvas: heatmap(el("div"), { ...drawn.spec, pixelRatio: EXPORT_SCALE }), colorBar: { scale: drawn.spec.colorScale, caption: "" } }],
  }, theme)) toolbar.appendChild(b);

  // int32 tensors show exact integers; floats 6 significant digits (what the kernel sends)
  const fmt = (v: number) => (p.dtype === "int32" && Number.isInteger(v) ? String(v) : formatNumber(v, 6));
  const rowName = (r: number) => p.rowLabels?.[r] ?? (p.rowIndex ? blockRange(p.rowIndex, r, trueRows) : String(r));
  const colName = (c: number) => p.colLabels?.[c] ?? (p.colIndex ? blockRange(p.colIndex, c, trueCols) : String(c));

  function show(v: "heatmap" | "table") {
    view = v;
    heatBtn.setAttribute("aria-pressed", String(v === "heatmap"));
    tableBtn.setAttribute("aria-pressed", String(v === "table"));
    clear(body);
    drawn = undefined;
    if (rows * cols === 0) { body.appendChild(el("div", "rnn-note", t("emptyTensor"))); return; }
    if (v === "heatmap") {
      const cs = dataColorScale(finiteExtent(p.values), theme.dark);
      const legendRow = el("div", "rnn-toolbar");
      legendRow.appendChild(legend(cs, ""));
      body.appendChild(legendRow);
      const { cellW, cellH } = fitCells(rows, cols, availableWidth(root) - 60, 400);
      const spec: HeatmapSpec = {
        rows, cols,
        at: (r, c) => p.values[r * cols + c],
        colorScale: cs,
        cellW, cellH,
        xLabel: colName,
        yLabel: rowName,
        className: "rnn-heatmap",
        ariaLabel: `${t("tensor")} [${p.shape.join(", ")}]: ${rows} × ${cols}`,
        theme, tip,
        hover: (r, c) => {
          const val = p.values[r * cols + c];
          return [`[${rowName(r)}, ${colName(c)}]`, val === null ? t("missingValue") : `${fmt(val)}${p.downsampled ? t("blockMean") : ""}`];
        },
      };
      heatmap(body, spec);
      drawn = { spec, figure: { title, note: notes.join(" ") || undefined } };
    } else {
      const wrap = el("div", "rnn-table-wrap");
      const table = el("table", "rnn-table");
      const thead = el("thead");
      const hr = el("tr");
      hr.appendChild(el("th"));
      const nc = Math.min(cols, MAX_TABLE_COLS);
      const nr = Math.min(rows, MAX_TABLE_ROWS);
      for (let c = 0; c < nc; c++) hr.appendChild(el("th", "num", colName(c)));
      if (nc < cols) hr.appendChild(el("th", undefined, t("moreCols", { n: cols - nc })));
      thead.appendChild(hr);
      table.appendChild(thead);
      const tbody = el("tbody");
      for (let r = 0; r < nr; r++) {
        const tr = el("tr");
        tr.appendChild(el("th", undefined, rowName(r)));
        for (let c = 0; c < nc; c++) {
          const val = p.values[r * cols + c];
          tr.appendChild(val === null ? el("td", "num missing", "NaN") : el("td", "num", fmt(val)));
        }
        tbody.appendChild(tr);
      }
      table.appendChild(tbody);
      wrap.appendChild(table);
      body.appendChild(wrap);
      if (nr < rows) body.appendChild(el("div", "rnn-note", t("moreRows", { n: rows - nr })));
    }
  }
  show(view);
}
