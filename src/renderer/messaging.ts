/**
 * The renderer's side of renderer messaging: figures go to the extension, which saves them beside the
 * notebook without opening anything (src/extension/figures.ts), and edited inputs of "what if" views
 * go to the extension, which has the notebook's kernel recompute the view (src/extension/whatIf.ts).
 * Messaging is optional in the manifest: where it is missing (an export to HTML, a host without our
 * extension) `channel()` is undefined; buttons then fall back to a webview download and views are
 * read-only.
 */
import type { RendererContext } from "vscode-notebook-renderer";
import type { FigureSavedMessage, SaveFigureMessage } from "../shared/figureFiles";
import type { KernelState, KernelStateMessage, WhatIfReply, WhatIfRequest } from "../shared/whatIf";

export interface Channel {
  saveFigure(fileName: string, base64: string): Promise<FigureSavedMessage>;
  /** Asks for a view's recompute (or, without input, the kernel's state). */
  whatIf(request: Omit<WhatIfRequest, "type" | "requestId">): Promise<WhatIfReply>;
  /** Calls `listener` whenever the extension says the notebook's kernel changed state; returns the unsubscribe. */
  onKernelState(listener: (state: KernelState) => void): () => void;
}

let current: Channel | undefined;

/** The channel to the extension, when this renderer has one. */
export function channel(): Channel | undefined {
  return current;
}

/** Sets the channel (tests in a plain page give one that stands in for the extension). */
export function setChannel(c: Channel | undefined): void {
  current = c;
}

/** The extension answers in well under a second; silence means it is not running (e.g. disabled). */
const ANSWER_MS = 15_000;
const NO_ANSWER = "the RNN Notebooks extension did not answer";

/** Wires the channel from the activation context (called once by the renderer's entry). */
export function connect(ctx: RendererContext<unknown>): void {
  const post = ctx.postMessage, receive = ctx.onDidReceiveMessage;
  if (!post || !receive) return;
  const figures = new Map<number, (m: FigureSavedMessage) => void>();
  const whatIfs = new Map<number, (m: WhatIfReply) => void>();
  const stateListeners = new Set<(state: KernelState) => void>();
  let next = 1;
  receive((m: unknown) => {
    const r = m as Partial<FigureSavedMessage | WhatIfReply | KernelStateMessage> | null;
    if (r?.type === "kernelState") {
      for (const l of [...stateListeners]) l((r as KernelStateMessage).state);
      return;
    }
    if (typeof (r as { requestId?: unknown } | null)?.requestId !== "number") return;
    const id = (r as { requestId: number }).requestId;
    const waiting = r?.type === "figureSaved" ? figures : r?.type === "whatIfResult" ? whatIfs : undefined;
    (waiting?.get(id) as ((m: unknown) => void) | undefined)?.(r);
    waiting?.delete(id);
  });
  /** Posts a message and waits for the reply with its requestId (or `silence` after ANSWER_MS). */
  function ask<R>(waiting: Map<number, (m: R) => void>, message: (requestId: number) => object, silence: (requestId: number) => R): Promise<R> {
    const requestId = next++;
    return new Promise((resolve) => {
      waiting.set(requestId, resolve);
      setTimeout(() => {
        if (waiting.delete(requestId)) resolve(silence(requestId));
      }, ANSWER_MS);
      void post!(message(requestId));
    });
  }
  current = {
    saveFigure(fileName, base64) {
      return ask(figures, (requestId) => ({ type: "saveFigure", requestId, fileName, base64 } satisfies SaveFigureMessage),
        (requestId) => ({ type: "figureSaved", requestId, error: NO_ANSWER }));
    },
    whatIf(request) {
      return ask(whatIfs, (requestId) => ({ type: "whatIf", requestId, ...request } satisfies WhatIfRequest),
        (requestId) => ({ type: "whatIfResult", requestId, state: "noKernel" }));
    },
    onKernelState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
  };
}
