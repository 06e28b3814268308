/**
 * "What if" in the extension: an output's renderer asks (renderer messaging, src/shared/whatIf.ts) for
 * its view to be recomputed on an edited input; this passes the request as an inspect query "whatIf"
 * to that notebook's kernel — no cell runs, the execution count stays — and posts the answer back.
 * It also knows what the renderer cannot: whether a cell runs (the kernel would answer only between a
 * fit's batches: the output says "kernel busy" instead), whether a kernel runs at all, and whether the
 * workspace is trusted; and it tells a notebook's outputs when that changes. The edit is never written
 * into the notebook: the saved file keeps the cell's own output.
 */
import * as vscode from "vscode";
import { checkWhatIfRequest, type KernelState, type KernelStateMessage, type WhatIfReply } from "../shared/whatIf";
import { RENDERER_ID } from "./figures";
import type { RnnNotebookController } from "./notebook/controller";

/** A recompute of the largest editable views takes well under a second; this only guards a hung kernel. */
const WHAT_IF_TIMEOUT_MS = 30_000;

/** What an output of `notebook` can do with its kernel now. */
export function kernelState(controller: RnnNotebookController, notebook: vscode.NotebookDocument): KernelState {
  if (!vscode.workspace.isTrusted) return "untrusted";
  const kernel = controller.kernelOf(notebook);
  if (!kernel?.hasKernel) return "noKernel";
  return controller.isBusy(notebook) ? "busy" : "ready";
}

/** Answers one renderer message (undefined when it is not a what-if request). Integration tests call it directly. */
export async function answerWhatIf(controller: RnnNotebookController, notebook: vscode.NotebookDocument, message: unknown): Promise<WhatIfReply | undefined> {
  const request = checkWhatIfRequest(message);
  if (!request) return undefined;
  const reply = (r: Omit<WhatIfReply, "type" | "requestId">): WhatIfReply => ({ type: "whatIfResult", requestId: request.requestId, ...r });
  const state = kernelState(controller, notebook);
  const kernel = controller.kernelOf(notebook);
  if (state !== "ready" || !kernel) return reply({ state });
  const { view, handle, input } = request;
  const answer = await kernel.inspect({ kind: "whatIf", view, handle, ...(input ? { input } : {}) }, WHAT_IF_TIMEOUT_MS);
  if (answer === undefined) {
    // No answer: the kernel process ended meanwhile (another one may run now: the handle is gone) or hung.
    const now = kernelState(controller, notebook);
    return reply({ state: now === "ready" ? "restarted" : now });
  }
  if ("error" in answer) return reply({ state, result: { ok: false, reason: "input", message: answer.error } });
  return reply({ state, result: answer });
}

export function registerWhatIf(context: vscode.ExtensionContext, controller: RnnNotebookController): void {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  context.subscriptions.push(
    messaging.onDidReceiveMessage(async ({ editor, message }) => {
      const reply = await answerWhatIf(controller, editor.notebook, message);
      if (reply) void messaging.postMessage(reply, editor);
    }),
    controller.onDidChangeKernelState(({ notebook, state }) => {
      const now: KernelState = !vscode.workspace.isTrusted ? "untrusted" : state === "idle" ? kernelState(controller, notebook) : state;
      for (const editor of vscode.window.visibleNotebookEditors) {
        if (editor.notebook === notebook) void messaging.postMessage({ type: "kernelState", state: now } satisfies KernelStateMessage, editor);
      }
    }),
  );
}
