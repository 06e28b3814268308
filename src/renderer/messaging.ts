/**
 * The renderer's side of renderer messaging: figures go to the extension, which saves them beside the
 * notebook without opening anything (src/extension/figures.ts). Messaging is optional in the
 * manifest: where it is missing (an export to HTML, a host without our extension) `channel()` is
 * undefined and buttons fall back to a webview download.
 */
import type { RendererContext } from "vscode-notebook-renderer";
import type { FigureSavedMessage, SaveFigureMessage } from "../shared/figureFiles";

interface Channel {
  saveFigure(fileName: string, base64: string): Promise<FigureSavedMessage>;
}

let current: Channel | undefined;

/** The channel to the extension, when this renderer has one. */
export function channel(): Channel | undefined {
  return current;
}

/** Wires the channel from the activation context (called once by the renderer's entry). */
export function connect(ctx: RendererContext<unknown>): void {
  const post = ctx.postMessage, receive = ctx.onDidReceiveMessage;
  if (!post || !receive) return;
  const waiting = new Map<number, (m: FigureSavedMessage) => void>();
  let next = 1;
  receive((m: unknown) => {
    const r = m as Partial<FigureSavedMessage> | null;
    if (r?.type !== "figureSaved" || typeof r.requestId !== "number") return;
    waiting.get(r.requestId)?.(r as FigureSavedMessage);
    waiting.delete(r.requestId);
  });
  current = {
    saveFigure(fileName, base64) {
      const requestId = next++;
      return new Promise((resolve) => {
        waiting.set(requestId, resolve);
        // The extension answers in well under a second; silence means it is not running (e.g. disabled).
        setTimeout(() => {
          if (waiting.delete(requestId)) resolve({ type: "figureSaved", requestId, error: "the RNN Notebooks extension did not answer" });
        }, 15_000);
        void post({ type: "saveFigure", requestId, fileName, base64 } satisfies SaveFigureMessage);
      });
    },
  };
}
