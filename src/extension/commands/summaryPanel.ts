/**
 * The model-summary panel: a Keras-style table (Layer (type), Output Shape, Param #; totals), a
 * Keras ⇄ PyTorch convention switch when both counts are known, per-layer formula and tensor shapes,
 * float32 memory, and "Copy as text". The page (summaryPage.ts) is built from escaped text only; its one
 * script has a nonce and the panel has a strict Content-Security-Policy.
 */
import * as vscode from "vscode";
import { formatSummaryText } from "../../shared/summaryText";
import { summaryPage, type SummaryViews } from "./summaryPage";

export type { SummaryViews };

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
    p.panel.webview.html = summaryPage(views, main);
    p.panel.reveal(vscode.ViewColumn.Beside, true);
  }
}
