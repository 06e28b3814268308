/**
 * "Compare Runs": the run ledger of the active notebook (its metadata's `runLedger`, written by every
 * fit and by rnn.runs.start … run.end) compared in a webview panel beside it — the same view as
 * `rnn.runs.compare()` in a cell, drawn by the renderer's own code (dist/runsPanel.js). It runs no
 * code and needs no kernel: it reads the notebook's metadata, and redraws when that metadata changes.
 *
 * Untrusted workspaces: allowed. Nothing of the notebook is executed — the ledger is data, checked by
 * the ledger's validator (src/shared/runLedger.ts) and the renderer's, and shown as text and canvas pixels — and the page's
 * Content-Security-Policy admits only our bundled script (nonce) and inline styles.
 */
import { cspNonce } from "./nonce";
import * as vscode from "vscode";
import { compareRuns } from "../../engine/runsCompare";
import type { RunsComparePayload } from "../../shared/payloads";
import { saveFigure } from "../figures";
import { notebookLedger } from "../notebook/ledger";
import { esc } from "./summaryPage";

/** What the panel's page reported it drew (tests read it). */
export interface RunsPanelRendered {
  kind: string;
  runs: string[];
}

export class RunsPanel {
  private static current: RunsPanel | undefined;
  /** The payload the panel shows now, and what its page last reported drawing. */
  static get shown(): { payload?: RunsComparePayload; rendered?: RunsPanelRendered } | undefined {
    const p = RunsPanel.current;
    return p && { payload: p.payload, rendered: p.rendered };
  }

  private payload: RunsComparePayload | undefined;
  private rendered: RunsPanelRendered | undefined;
  private message: { type: "runs"; payload: RunsComparePayload } | { type: "empty"; message: string } | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  private constructor(private readonly panel: vscode.WebviewPanel, private notebook: vscode.NotebookDocument) {
    this.subscriptions.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        if (e.notebook === this.notebook && e.metadata !== undefined) this.update();
      }),
    );
  }

  /** Shows the comparison of `notebook`'s runs (one panel, switched to this notebook). Returns what it compared. */
  static show(extensionUri: vscode.Uri, notebook: vscode.NotebookDocument): { runs: string[]; differingKeys: string[]; error?: string } {
    let p = RunsPanel.current;
    if (!p) {
      const dist = vscode.Uri.joinPath(extensionUri, "dist");
      const panel = vscode.window.createWebviewPanel("rnnNotebook.compareRuns", vscode.l10n.t("Runs"), vscode.ViewColumn.Beside, {
        enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [dist],
      });
      p = new RunsPanel(panel, notebook);
      RunsPanel.current = p;
      panel.webview.html = page(panel.webview, vscode.Uri.joinPath(dist, "runsPanel.js"));
    }
    p.notebook = notebook;
    p.panel.title = vscode.l10n.t("Runs: {0}", notebook.uri.path.split("/").pop() ?? "");
    const said = p.update();
    p.panel.reveal(vscode.ViewColumn.Beside, true);
    return said;
  }

  /** Reads the ledger again and sends the page what to draw. */
  private update(): { runs: string[]; differingKeys: string[]; error?: string } {
    const ledger = notebookLedger(this.notebook);
    const records = ledger.state === "ok" ? ledger.ledger.records : [];
    let error = ledger.state === "unusable" ? ledger.error : undefined;
    this.payload = undefined;
    if (records.length > 0) {
      try {
        this.payload = compareRuns(records, { title: vscode.l10n.t("Runs of {0}", this.notebook.uri.path.split("/").pop() ?? "") }).payload;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    }
    this.message = this.payload ? { type: "runs", payload: this.payload } : {
      type: "empty",
      message: error
        ? vscode.l10n.t("The runs of this notebook cannot be compared: {0}", error)
        : vscode.l10n.t("This notebook has no runs yet. Every fit adds one to the notebook's run ledger (so does rnn.runs.start(config) … run.end()); this panel updates when one is added."),
    };
    this.rendered = undefined;
    void this.panel.webview.postMessage(this.message);
    const runs = this.payload?.runs.map((r) => r.id) ?? [];
    return { runs, differingKeys: this.payload?.differingKeys ?? [], error };
  }

  private async receive(m: unknown): Promise<void> {
    const msg = m as { type?: string; requestId?: number; kind?: unknown; runs?: unknown } | null;
    if (msg?.type === "ready" && this.message) void this.panel.webview.postMessage(this.message);
    else if (msg?.type === "rendered") {
      this.rendered = { kind: String(msg.kind), runs: Array.isArray(msg.runs) ? msg.runs.map(String) : [] };
    } else if (msg?.type === "saveFigure") {
      const reply = (r: { path?: string; error?: string }) => void this.panel.webview.postMessage({ type: "figureSaved", requestId: msg.requestId ?? 0, ...r });
      try {
        const uri = await saveFigure(this.notebook, m);
        reply(uri ? { path: vscode.workspace.asRelativePath(uri, false) } : { error: vscode.l10n.t("cancelled") });
      } catch (e) {
        reply({ error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private dispose(): void {
    if (RunsPanel.current === this) RunsPanel.current = undefined;
    for (const s of this.subscriptions) s.dispose();
  }
}

/** The page: a container and our one script. The nonce is 128 random bits from the OS. */
function page(webview: vscode.Webview, script: vscode.Uri): string {
  const nonce = cspNonce();
  const lang = vscode.env.language;
  return `<!DOCTYPE html><html lang="${esc(lang)}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<style>body { padding: 8px 16px 16px; background: var(--vscode-editor-background); }</style>
</head><body><div id="runs"></div>
<script nonce="${nonce}" src="${esc(webview.asWebviewUri(script).toString())}"></script>
</body></html>`;
}
