/**
 * The page script of the Compare Runs panel (a webview panel beside the notebook, not a cell output;
 * src/extension/commands/runsPanel.ts): it draws the payloads the extension posts with the notebook
 * renderer's own render(), so the panel and `rnn.runs.compare()` show the same view, and it gives the
 * view's Save PNG / Save SVG a channel to the extension, which writes the figure beside the notebook.
 * When new runs arrive (the notebook's ledger changed), the metric, x axis and smoothing the user chose
 * are kept. After each drawing it tells the extension what it drew (the integration test reads that).
 */
import type { FigureSavedMessage } from "../shared/figureFiles";
import { MIME } from "../shared/mime";
import type { RunsComparePayload } from "../shared/payloads";
import { clear, el, ensureStyle } from "./dom";
import { setChannel } from "./messaging";
import { render } from "./render";

/** Extension → page. */
export type RunsPanelMessage =
  | { type: "runs"; payload: RunsComparePayload }
  | { type: "empty"; message: string }
  | FigureSavedMessage;

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const host = acquireVsCodeApi();
const saves = new Map<number, (m: FigureSavedMessage) => void>();
let nextRequest = 1;
setChannel({
  saveFigure(fileName, base64) {
    const requestId = nextRequest++;
    return new Promise((resolve) => {
      saves.set(requestId, resolve);
      host.postMessage({ type: "saveFigure", requestId, fileName, base64 });
    });
  },
  // No view of this panel is editable in place: there is no kernel behind it.
  whatIf: () => Promise.resolve({ type: "whatIfResult", requestId: 0, state: "noKernel" }),
  onKernelState: () => () => undefined,
});

const container = document.getElementById("runs") ?? document.body;

/** The last view drawn, drawn again when the theme changes (VS Code swaps the body class; canvas colours are read at draw time). */
let last: RunsPanelMessage | undefined;

function show(m: RunsPanelMessage): void {
  if (m.type !== "figureSaved") last = m;
  if (m.type === "figureSaved") {
    saves.get(m.requestId)?.(m);
    saves.delete(m.requestId);
    return;
  }
  if (m.type === "empty") {
    ensureStyle();
    clear(container);
    const box = el("div", "rnn-output rnn-note rnn-runs-empty", m.message);
    box.setAttribute("role", "status");
    container.appendChild(box);
    host.postMessage({ type: "rendered", kind: "empty", runs: [] });
    return;
  }
  // Keep the reader's choices across a redraw with new runs, when they still apply.
  const before = container.querySelector<HTMLElement>("[data-rnn-rendered='runs']")?.dataset;
  const payload = { ...m.payload };
  if (before?.metric && payload.metrics.includes(before.metric)) payload.metric = before.metric;
  if (before?.x === "step" || before?.x === "relative" || before?.x === "time") payload.x = before.x;
  if (before?.smoothing !== undefined && Number(before.smoothing) >= 0 && Number(before.smoothing) < 1) payload.smoothing = Number(before.smoothing);
  const root = render({ container, mime: MIME.runs, value: payload });
  const runs = [...root.querySelectorAll("th.rnn-runs-run")].map((th) => th.childNodes[1]?.textContent ?? "");
  host.postMessage({ type: "rendered", kind: root.dataset.rnnRendered, runs });
}

new MutationObserver(() => {
  if (last) show(last);
}).observe(document.body, { attributes: true, attributeFilter: ["class", "data-vscode-theme-kind"] });

window.addEventListener("message", (e: MessageEvent<RunsPanelMessage>) => {
  if (e.data && typeof e.data === "object") show(e.data);
});
host.postMessage({ type: "ready" });
