/**
 * "What if" messages between an output's renderer and the extension (renderer messaging): the renderer
 * asks for an editable view (src/kernel/whatIf.ts) to be recomputed on an edited input, or only what
 * state the notebook's kernel is in; the extension answers with that state and, when the kernel could
 * be asked, the kernel's answer. The extension also tells every output of a notebook when its kernel
 * becomes busy, free, or restarted (handles are then stale). The renderer runs in the output webview:
 * the extension checks what it is sent (checkWhatIfRequest) before passing it on.
 */
import { WHAT_IF_MAX_TEXT, WHAT_IF_MAX_VALUES, type WhatIfInput, type WhatIfView } from "./payloads";
import type { WhatIfResult } from "./protocol";

/**
 * What an output can do with its kernel now. "ready": edits are recomputed; "busy": a cell runs (edits
 * wait); "noKernel": no kernel runs for the notebook (read-only); "untrusted": the workspace is not
 * trusted, so no code runs (read-only); "restarted": the kernel was restarted since (read-only: re-run
 * the cell).
 */
export type KernelState = "ready" | "busy" | "noKernel" | "untrusted" | "restarted";

/** Renderer → extension: recompute `handle`'s view on `input`; without input, only the state. */
export interface WhatIfRequest {
  type: "whatIf";
  requestId: number;
  view: WhatIfView;
  handle: string;
  input?: WhatIfInput;
}

/** Extension → renderer: the answer to one request. `result` only when the kernel was asked. */
export interface WhatIfReply {
  type: "whatIfResult";
  requestId: number;
  state: KernelState;
  result?: WhatIfResult;
}

/** Extension → every output of one notebook: its kernel's state changed. */
export interface KernelStateMessage {
  type: "kernelState";
  state: KernelState;
}

const VIEWS: readonly WhatIfView[] = ["gates", "neurons", "connectivity"];

/** The request, if the message is a well-formed one (types and sizes; the kernel checks the values). */
export function checkWhatIfRequest(message: unknown): WhatIfRequest | undefined {
  const m = message as Partial<WhatIfRequest> | null;
  if (!m || typeof m !== "object" || m.type !== "whatIf" || typeof m.requestId !== "number") return undefined;
  if (!VIEWS.includes(m.view as WhatIfView) || typeof m.handle !== "string" || m.handle.length > 100) return undefined;
  const out: WhatIfRequest = { type: "whatIf", requestId: m.requestId, view: m.view as WhatIfView, handle: m.handle };
  const input = m.input as Partial<Record<string, unknown>> | undefined;
  if (input === undefined) return out;
  if (input?.kind === "text" && typeof input.text === "string" && input.text.length <= WHAT_IF_MAX_TEXT) {
    out.input = { kind: "text", text: input.text };
  } else if (input?.kind === "values" && Array.isArray(input.values) && input.values.length <= WHAT_IF_MAX_VALUES && input.values.every((v) => typeof v === "number")
    && typeof input.steps === "number" && typeof input.features === "number") {
    out.input = { kind: "values", steps: input.steps, features: input.features, values: input.values as number[] };
  } else {
    return undefined;
  }
  return out;
}
