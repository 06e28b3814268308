/**
 * The HTML of the model-summary panel (summaryPanel.ts shows it in a webview): a Keras-style table per
 * convention, a switch, "Copy as text". Pure (no `vscode`), so it is tested in plain Node with hostile
 * names. Every piece of data goes through esc(); the one script carries a fresh random nonce and the
 * page's Content-Security-Policy allows no other script, no remote resource, no frame.
 */
import { cspNonce } from "./nonce";
import type { SummaryPayload, SummaryRow } from "../../shared/payloads";
import { formatCount, formatShape, formatSummaryText } from "../../shared/summaryText";

/** A summary with, optionally, the same model counted in the other convention (rows in the same order). */
export interface SummaryViews {
  keras?: SummaryPayload;
  torch?: SummaryPayload;
  /** Which one to show first. */
  first: "keras" | "torch";
  /** Where the numbers come from, e.g. "live model in the kernel" or "static analysis of cell 2". */
  source: string;
}

/** Text → HTML text or attribute value. Anything that is not a string (a summary a cell faked) is shown as text too. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

function table(s: SummaryPayload): string {
  const rows = s.layers.map((l: SummaryRow) => {
    const tensors = l.breakdown.map((t) => `${esc(t.name)} ${esc(t.shape.join("×"))}`).join(", ");
    return `<tr><td><span class="name">${esc(l.name)}</span> <span class="type">(${esc(l.type)})</span></td>` +
      `<td class="mono">${esc(formatShape(l.outputShape))}</td>` +
      (l.unknown ? `<td class="num unknown" title="${esc(l.unknown)}">unknown until the cell runs</td>` : `<td class="num">${esc(formatCount(l.params))}</td>`) +
      `<td class="detail">${l.formula ? `<div class="mono">${esc(l.formula)}</div>` : ""}${tensors ? `<div>${tensors}</div>` : ""}</td></tr>`;
  }).join("");
  const unknown = s.layers.filter((l) => l.unknown);
  const bytes = s.totalParams * 4;
  const memory = bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MB` : `${(bytes / 1024).toFixed(2)} KB`;
  return `<div class="scroll"><table><thead><tr><th>Layer (type)</th><th>Output Shape</th><th class="num">Param #</th><th>Formula · tensors</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div>` +
    (unknown.length > 0
      ? `<p class="totals">Total params: <b>unknown until the cell runs</b> — ${esc(formatCount(s.totalParams))} counted in the other ` +
        `${esc(s.layers.length - unknown.length)} layers; not known from the source: ${esc(unknown.map((l) => `${l.name} (${l.unknown})`).join("; "))}<br>`
      : `<p class="totals">Total params: <b>${esc(formatCount(s.totalParams))}</b> (${esc(memory)} as float32)<br>`) +
    `Trainable params: ${esc(formatCount(s.trainableParams))}<br>Non-trainable params: ${esc(formatCount(s.nonTrainableParams))}</p>`;
}

/** The whole page. The nonce is 128 random bits from the OS (a CSP nonce must not be guessable). */
export function summaryPage(views: SummaryViews, main: SummaryPayload, nonce = cspNonce()): string {
  const both = views.keras && views.torch;
  const section = (c: "keras" | "torch") => {
    const s = views[c];
    if (!s) return "";
    return `<section data-convention="${c}" data-text="${esc(formatSummaryText(s))}"${c === views.first ? "" : " hidden"}>${table(s)}</section>`;
  };
  const switcher = both
    ? `<div class="switch" role="radiogroup" aria-label="Parameter convention">` +
      `<button data-c="keras" aria-pressed="${views.first === "keras"}">Keras (one bias)</button>` +
      `<button data-c="torch" aria-pressed="${views.first === "torch"}">PyTorch (b_ih + b_hh)</button></div>`
    : "";
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 16px; }
h2 { font-weight: 600; margin: 12px 0 4px; } .source { opacity: .75; margin-bottom: 10px; }
/* A narrow panel (beside the notebook) scrolls the table sideways; long names and formulas wrap. Never clip. */
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
td { overflow-wrap: anywhere; } .num { white-space: nowrap; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--vscode-panel-border, #8884); vertical-align: top; }
th { border-bottom: 2px solid var(--vscode-foreground); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.mono { font-family: var(--vscode-editor-font-family); }
.type, .detail { opacity: .8; } .detail { font-size: 90%; } .unknown { font-style: italic; opacity: .8; }
.switch button, .copy { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 4px 10px; cursor: pointer; }
.switch button[aria-pressed="true"] { background: var(--vscode-button-background); color: var(--vscode-button-foreground); }
.bar { display: flex; gap: 12px; align-items: center; margin: 8px 0; }
</style></head><body>
<h2>Model: “${esc(main.name)}”</h2><div class="source">${esc(views.source)}</div>
<div class="bar">${switcher}<button class="copy">Copy as text</button></div>
${section("keras")}${section("torch")}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
const visible = () => document.querySelector("section:not([hidden])");
for (const b of document.querySelectorAll(".switch button")) b.addEventListener("click", () => {
  for (const s of document.querySelectorAll("section")) s.hidden = s.dataset.convention !== b.dataset.c;
  for (const o of document.querySelectorAll(".switch button")) o.setAttribute("aria-pressed", String(o === b));
  vscode.postMessage({ type: "convention", text: visible().dataset.text });
});
document.querySelector(".copy").addEventListener("click", () => vscode.postMessage({ type: "copy", text: visible().dataset.text }));
</script></body></html>`;
}
