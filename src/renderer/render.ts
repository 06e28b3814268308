/**
 * The pure entry of the renderer: `render({ container, mime, value })` validates the payload and
 * draws it into a fresh root element, or shows an error box. It never throws: whatever goes wrong
 * becomes text in the error box. When drawing finished the root carries `data-rnn-rendered="<kind>"`
 * (gates, gradnorms, training, summary, tensor, attention, neurons, connectivity,
 * trajectory, runs — or "error"), which the E2E tests wait for.
 */
import { MIME } from "../shared/mime";
import type { AttentionPayload, ConnectivityPayload, GatesPayload, GradNormsPayload, NeuronsPayload, RunsComparePayload, SummaryPayload, TensorPayload,
  TrainingPayload, TrajectoryPayload } from "../shared/payloads";
import { validatePayload } from "../shared/validate";
import { renderAttention } from "./attention";
import { renderConnectivity } from "./connectivity";
import { clear, el, ensureStyle, errorBox } from "./dom";
import { renderGates } from "./gates";
import { renderGradNorms } from "./gradNorms";
import { renderNeurons } from "./neurons";
import { renderRuns } from "./runs";
import { renderSummary } from "./summary";
import { renderTensor } from "./tensor";
import { renderTraining } from "./training";
import { renderTrajectory } from "./trajectory";

export interface RenderRequest {
  container: HTMLElement;
  mime: string;
  value: unknown;
}

const KINDS: Record<string, { kind: string; draw: (root: HTMLElement, p: never) => void }> = {
  [MIME.gates]: { kind: "gates", draw: renderGates as (root: HTMLElement, p: GatesPayload) => void },
  [MIME.gradNorms]: { kind: "gradnorms", draw: renderGradNorms as (root: HTMLElement, p: GradNormsPayload) => void },
  [MIME.training]: { kind: "training", draw: renderTraining as (root: HTMLElement, p: TrainingPayload) => void },
  [MIME.summary]: { kind: "summary", draw: renderSummary as (root: HTMLElement, p: SummaryPayload) => void },
  [MIME.tensor]: { kind: "tensor", draw: renderTensor as (root: HTMLElement, p: TensorPayload) => void },
  [MIME.attention]: { kind: "attention", draw: renderAttention as (root: HTMLElement, p: AttentionPayload) => void },
  [MIME.neurons]: { kind: "neurons", draw: renderNeurons as (root: HTMLElement, p: NeuronsPayload) => void },
  [MIME.connectivity]: { kind: "connectivity", draw: renderConnectivity as (root: HTMLElement, p: ConnectivityPayload) => void },
  [MIME.trajectory]: { kind: "trajectory", draw: renderTrajectory as (root: HTMLElement, p: TrajectoryPayload) => void },
  [MIME.runs]: { kind: "runs", draw: renderRuns as (root: HTMLElement, p: RunsComparePayload) => void },
};

/** Draws one output into `container` (its previous content is replaced). Returns the root element. */
export function render({ container, mime, value }: RenderRequest): HTMLElement {
  try {
    ensureStyle();
  } catch {
    /* a document without <head> still renders, unstyled */
  }
  clear(container);
  const entry = KINDS[mime];
  if (!entry) return errorBox(container, `unknown output type ${String(mime).slice(0, 80)}`);
  const checked = validatePayload(mime, value);
  if (!checked.ok) return errorBox(container, checked.error);
  const root = el("div", `rnn-output rnn-${entry.kind}`);
  container.appendChild(root);
  try {
    entry.draw(root, checked.value as never);
  } catch (e) {
    clear(container);
    return errorBox(container, `drawing failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  root.dataset.rnnRendered = entry.kind;
  return root;
}
