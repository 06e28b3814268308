/**
 * The extension's entry in VS Code's web worker extension host (package.json "browser"): the shared
 * wiring (activate.ts) on the web platform — the kernel and IntelliSense in Web Workers, files through
 * vscode.workspace.fs.
 */
import type * as vscode from "vscode";
import { activateOn, type RnnNotebookApi } from "../activate";
import { webPlatform } from "./platform";

export function activate(context: vscode.ExtensionContext): RnnNotebookApi {
  return activateOn(context, webPlatform(context));
}

export function deactivate(): void {
  // Workers end with the extension host; the rest is released through context.subscriptions.
}
