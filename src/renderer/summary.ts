/**
 * Keras-style model summary table: Layer (type) · Output Shape · Param #, then the totals. Hovering
 * (or focusing) a row shows its per-tensor breakdown and the counting formula below the table.
 */
import type { SummaryPayload } from "../shared/payloads";
import { formatCount, formatShape } from "../shared/summaryText";
import { el } from "./dom";
import { t } from "./l10n";

export function breakdownText(row: SummaryPayload["layers"][number]): string {
  const lines = [t("paramsOf", { name: row.name, type: row.type, n: formatCount(row.params) })];
  for (const t of row.breakdown) lines.push(`  ${t.name}  [${t.shape.join(" × ")}]  ${formatCount(t.count)}`);
  if (row.formula) lines.push(`  ${row.formula}`);
  if (row.breakdown.length === 0 && !row.formula) lines.push(`  ${t("noWeights")}`);
  return lines.join("\n");
}

export function renderSummary(root: HTMLElement, p: SummaryPayload): void {
  root.appendChild(el("div", "rnn-title", t("model", { name: p.name }) + (p.convention === "torch" ? t("torchConvention") : "")));
  const table = el("table", "rnn-table");
  const thead = el("thead");
  const hr = el("tr");
  hr.appendChild(el("th", undefined, t("colLayer")));
  hr.appendChild(el("th", undefined, t("colShape")));
  hr.appendChild(el("th", "num", t("colParams")));
  // Functional models (rnn.model) add Keras's "Connected to" column: each call's inputs as layer[node][tensor].
  const graph = p.layers.some((l) => l.connectedTo);
  if (graph) hr.appendChild(el("th", undefined, t("colConnected")));
  thead.appendChild(hr);
  table.appendChild(thead);
  const tbody = el("tbody");
  const detail = el("div", "rnn-detail", t("hoverLayer"));
  for (const row of p.layers) {
    const tr = el("tr");
    tr.tabIndex = 0;
    tr.appendChild(el("td", undefined, `${row.name} (${row.type})`));
    tr.appendChild(el("td", undefined, row.outputShapes ? row.outputShapes.map(formatShape).join(", ") : formatShape(row.outputShape)));
    tr.appendChild(el("td", "num", formatCount(row.params)));
    if (graph) tr.appendChild(el("td", undefined, (row.connectedTo ?? []).join(", ")));
    const show = () => { detail.textContent = breakdownText(row); };
    tr.addEventListener("mouseenter", show);
    tr.addEventListener("focus", show);
    tr.title = breakdownText(row);
    tbody.appendChild(tr);
  }
  table.appendChild(tbody);
  const wrap = el("div", "rnn-table-wrap");
  wrap.appendChild(table);
  root.appendChild(wrap);
  const foot = el("div", "rnn-summary-foot");
  foot.appendChild(el("div", undefined, t("totalParams", { n: formatCount(p.totalParams) })));
  foot.appendChild(el("div", undefined, t("trainableParams", { n: formatCount(p.trainableParams) })));
  foot.appendChild(el("div", undefined, t("nonTrainableParams", { n: formatCount(p.nonTrainableParams) })));
  foot.appendChild(el("div", "rnn-note", t("memory", { v: formatBytes(p.totalParams * 4) })));
  root.appendChild(foot);
  root.appendChild(detail);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(2)} MB`;
}
