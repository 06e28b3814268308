/**
 * Extension entry: wiring only (as in the VS Code samples). Each piece lives in its own module.
 */
import * as vscode from "vscode";
import { NOTEBOOK_TYPE } from "../shared/mime";
import { registerCommands } from "./commands";
import { registerExportCommands } from "./commands/export";
import { registerFigureSaving } from "./figures";
import { SummaryPanel, type SummaryViews } from "./commands/summaryPanel";
import { registerParamHovers } from "./hover/provider";
import { registerIntelliSense } from "./intellisense";
import { RnnNotebookController } from "./notebook/controller";
import { RnnNotebookSerializer } from "./notebook/serializer";

/** What activate() returns: a small API the integration tests use. */
export interface RnnNotebookApi {
  controller: RnnNotebookController;
  /** Text of the summary panel as shown (what "Copy as text" copies). */
  summaryText(): string | undefined;
  /** The summaries shown in the panel (Keras and PyTorch conventions). */
  summaryViews(): SummaryViews | undefined;
}

export function activate(context: vscode.ExtensionContext): RnnNotebookApi {
  context.subscriptions.push(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new RnnNotebookSerializer(), { transientOutputs: false }),
  );
  const controller = new RnnNotebookController(context);
  context.subscriptions.push(controller);
  registerCommands(context, controller);
  registerExportCommands(context, controller);
  registerParamHovers(context, controller);
  registerIntelliSense(context, controller);
  registerFigureSaving(context);
  return { controller, summaryText: () => SummaryPanel.lastText, summaryViews: () => SummaryPanel.lastViews };
}

export function deactivate(): void {
  // Disposables (kernel processes included) are released by VS Code through context.subscriptions.
}
