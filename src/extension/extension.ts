/**
 * The extension's entry in VS Code's desktop extension host (package.json "main"): the shared wiring
 * (activate.ts) on the Node platform — detached kernel processes, a worker-thread IntelliSense.
 */
import type * as vscode from "vscode";
import { activateOn, type RnnNotebookApi } from "./activate";
import { nodePlatform } from "./node/platform";

export type { RnnNotebookApi } from "./activate";

export function activate(context: vscode.ExtensionContext): RnnNotebookApi {
  return activateOn(context, nodePlatform(context));
}

export function deactivate(): void {
  // Disposables (kernel processes included) are released by VS Code through context.subscriptions.
}
