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

  /**
   * Shows a summary. `liveUntil`: for a live model, resolves when the kernel it lives in ended; the
   * panel then stops calling it live.
   */
  static show(views: SummaryViews, liveUntil?: Promise<void>): void {
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
    const panel = p;
    void liveUntil?.then(() => {
      // Still showing this model (not another one shown since, not closed)?
      if (SummaryPanel.current !== panel || panel.views !== views) return;
      const ended: SummaryViews = {
        ...views,
        source: vscode.l10n.t("No longer live: the kernel this model was in has ended (notebook closed or kernel restarted). These are its counts from then."),
      };
      panel.views = ended;
      panel.panel.webview.html = summaryPage(ended, main);
    });
  }
}
