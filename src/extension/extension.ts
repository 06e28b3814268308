/**
 * Extension entry: wiring only (as in the VS Code samples). Each piece lives in its own module.
 */
import * as vscode from "vscode";
import { NOTEBOOK_TYPE } from "../shared/mime";
import { registerCommands } from "./commands";
import { registerParamHovers } from "./hover/provider";
import { RnnNotebookController } from "./notebook/controller";
import { RnnNotebookSerializer } from "./notebook/serializer";

/** What activate() returns: a small API the integration tests use. */
export interface RnnNotebookApi {
  controller: RnnNotebookController;
}

export function activate(context: vscode.ExtensionContext): RnnNotebookApi {
  context.subscriptions.push(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new RnnNotebookSerializer(), { transientOutputs: false }),
  );
  const controller = new RnnNotebookController(context);
  context.subscriptions.push(controller);
  registerCommands(context, controller);
  registerParamHovers(context, controller);
  return { controller };
}

export function deactivate(): void {
  // Disposables (kernel processes included) are released by VS Code through context.subscriptions.
}
