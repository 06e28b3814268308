/**
 * The model-summary panel: a Keras-style table (Layer (type), Output Shape, Param #; totals), a
 * Keras ⇄ PyTorch convention switch when both counts are known, per-layer formula and tensor shapes,
 * float32 memory, and "Copy as text". The page is built from escaped text only; its one script has a
 * nonce and the panel has a strict Content-Security-Policy.
 */
import * as vscode from "vscode";
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

export class SummaryPanel {
  private static current: SummaryPanel | undefined;
  /** The text the panel shows now (what "Copy as text" copies); tests read it. */
  static get lastText(): string | undefined {
    return SummaryPanel.current?.text;
  }
  /** The summaries the panel shows now, in both conventions where known; tests read them. */
  static get lastViews(): SummaryViews | undefined {
    return SummaryPanel.current?.views;
  }
  private views: SummaryViews | undefined;

  private text = "";
  private constructor(private readonly panel: vscode.WebviewPanel) {
    panel.onDidDispose(() => {
      if (SummaryPanel.current === this) SummaryPanel.current = undefined;
    });
    panel.webview.onDidReceiveMessage(async (m: { type: string; text?: string }) => {
      if (m.type === "copy") {
        await vscode.env.clipboard.writeText(m.text ?? this.text);
        void vscode.window.setStatusBarMessage("Summary copied", 2000);
      } else if (m.type === "convention" && m.text) {
        this.text = m.text;
      }
    });
  }

  static show(views: SummaryViews): void {
    const main = views[views.first] ?? views.keras ?? views.torch;
    if (!main) return;
    let p = SummaryPanel.current;
    if (!p) {
      const panel = vscode.window.createWebviewPanel("rnnNotebook.summary", `Summary: ${main.name}`, vscode.ViewColumn.Beside, {
        enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [],
      });
      p = new SummaryPanel(panel);
      SummaryPanel.current = p;
    }
    p.panel.title = `Summary: ${main.name}`;
    p.text = formatSummaryText(main);
    p.views = views;
    p.panel.webview.html = page(views, main);
    p.panel.reveal(vscode.ViewColumn.Beside, true);
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

function table(s: SummaryPayload): string {
  const rows = s.layers.map((l: SummaryRow) => {
    const tensors = l.breakdown.map((t) => `${esc(t.name)} ${esc(t.shape.join("×"))}`).join(", ");
    return `<tr><td><span class="name">${esc(l.name)}</span> <span class="type">(${esc(l.type)})</span></td>` +
      `<td class="mono">${esc(formatShape(l.outputShape))}</td><td class="num">${esc(formatCount(l.params))}</td>` +
      `<td class="detail">${l.formula ? `<div class="mono">${esc(l.formula)}</div>` : ""}${tensors ? `<div>${tensors}</div>` : ""}</td></tr>`;
  }).join("");
  const bytes = s.totalParams * 4;
  const memory = bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MB` : `${(bytes / 1024).toFixed(2)} KB`;
  return `<table><thead><tr><th>Layer (type)</th><th>Output Shape</th><th class="num">Param #</th><th>Formula · tensors</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>` +
    `<p class="totals">Total params: <b>${esc(formatCount(s.totalParams))}</b> (${esc(memory)} as float32)<br>` +
    `Trainable params: ${esc(formatCount(s.trainableParams))}<br>Non-trainable params: ${esc(formatCount(s.nonTrainableParams))}</p>`;
}

function page(views: SummaryViews, main: SummaryPayload): string {
  const nonce = Array.from({ length: 24 }, () => Math.floor(Math.random() * 36).toString(36)).join("");
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
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--vscode-panel-border, #8884); vertical-align: top; }
th { border-bottom: 2px solid var(--vscode-foreground); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.mono { font-family: var(--vscode-editor-font-family); }
.type, .detail { opacity: .8; } .detail { font-size: 90%; }
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
