/**
 * The extension's wiring, the same in both extension hosts (as in the VS Code samples: each piece
 * lives in its own module). The entries — extension.ts (desktop, Node) and web/extension.ts (web worker
 * host) — call activateOn with their host's Platform.
 */
import * as vscode from "vscode";
import { NOTEBOOK_TYPE } from "../shared/mime";
import { registerCommands } from "./commands";
import { registerExportCommands } from "./commands/export";
import { registerFigureSaving } from "./figures";
import { RunsPanel, type RunsPanelRendered } from "./commands/runsPanel";
import { SummaryPanel, type SummaryViews } from "./commands/summaryPanel";
import { registerParamHovers } from "./hover/provider";
import { registerIntelliSense } from "./intellisense";
import { RnnNotebookController } from "./notebook/controller";
import { RnnNotebookSerializer } from "./notebook/serializer";
import type { Platform } from "./platform";
import { answerWhatIf, registerWhatIf } from "./whatIf";
import type { RunsComparePayload } from "../shared/payloads";
import type { WhatIfReply } from "../shared/whatIf";

/** What activate() returns: a small API the integration tests use. */
export interface RnnNotebookApi {
  controller: RnnNotebookController;
  /** Text of the summary panel as shown (what "Copy as text" copies). */
  summaryText(): string | undefined;
  /** The summaries shown in the panel (Keras and PyTorch conventions). */
  summaryViews(): SummaryViews | undefined;
  /** The Compare Runs panel: the payload it shows and what its page reported drawing. */
  comparedRuns(): { payload?: RunsComparePayload; rendered?: RunsPanelRendered } | undefined;
  /** Answers a renderer's what-if message for a notebook, as the renderer messaging handler does. */
  whatIf(notebook: vscode.NotebookDocument, message: unknown): Promise<WhatIfReply | undefined>;
}

export function activateOn(context: vscode.ExtensionContext, platform: Platform): RnnNotebookApi {
  context.subscriptions.push(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new RnnNotebookSerializer(), { transientOutputs: false }),
  );
  const controller = new RnnNotebookController(platform);
  context.subscriptions.push(controller);
  registerCommands(context, controller);
  registerExportCommands(context, controller);
  registerParamHovers(context, controller);
  registerIntelliSense(context, platform.intellisenseWorker, controller);
  registerFigureSaving(context);
  registerWhatIf(context, controller);
  return {
    controller, summaryText: () => SummaryPanel.lastText, summaryViews: () => SummaryPanel.lastViews, comparedRuns: () => RunsPanel.shown,
    whatIf: (notebook, message) => answerWhatIf(controller, notebook, message),
  };
}
