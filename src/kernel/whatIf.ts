/**
 * "What if" on the kernel's side: what each editable view (rnn.show.gates, neurons, connectivity)
 * needs to be drawn again on another input — the live model, the view's options and vocabulary,
 * captured in a `recompute` closure by src/kernel/rich — kept under a handle that goes into the view's
 * payload. An inspect query "whatIf" (src/kernel/inspect.ts) brings the handle back with the edited
 * input; the same closure rebuilds the same view's payload, without running a cell.
 *
 * Bounded: the most recently used LIMIT views are kept (a loop that shows a view a thousand times keeps
 * no thousand models alive). Handles start with a token of this process, so a handle from before a
 * restart is told apart from one that fell out of the list; either way the answer is "re-run the cell".
 */
import type { WhatIfInput, WhatIfView } from "../shared/payloads";
import type { WhatIfResult } from "../shared/protocol";

/** How many editable views are kept. */
export const WHAT_IF_LIMIT = 64;

/**
 * Rebuilds the view's payload for an edited input. Throws an Error whose message is for the user when
 * the input cannot be used (a character outside the vocabulary, a wrong length): the message is shown
 * in the output as text.
 */
export type Recompute = (input: WhatIfInput, handle: string) => unknown;

interface Kept {
  view: WhatIfView;
  recompute: Recompute;
}

export class WhatIfViews {
  /** Insertion order = use order: the first key is the least recently used. */
  private readonly kept = new Map<string, Kept>();
  private next = 1;

  constructor(private readonly limit = WHAT_IF_LIMIT, readonly processToken = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`) {}

  get size(): number {
    return this.kept.size;
  }

  /** Keeps a view's recompute and returns its handle (dropping the least recently used view when full). */
  remember(view: WhatIfView, recompute: Recompute): string {
    const handle = `${this.processToken}:${this.next++}`;
    this.kept.set(handle, { view, recompute });
    while (this.kept.size > this.limit) this.kept.delete(this.kept.keys().next().value!);
    return handle;
  }

  has(handle: string): boolean {
    return this.kept.has(handle);
  }

  /** Answers a whatIf query: the recomputed payload, or why not. */
  run(view: WhatIfView, handle: string, input: WhatIfInput | undefined): WhatIfResult {
    const kept = typeof handle === "string" ? this.kept.get(handle) : undefined;
    if (!kept) return { ok: false, reason: "stale", message: this.whyStale(handle) };
    if (kept.view !== view) return { ok: false, reason: "input", message: `this output is a ${kept.view} view, not ${view}` };
    // Used now: move to the end of the LRU order.
    this.kept.delete(handle);
    this.kept.set(handle, kept);
    if (input === undefined) return { ok: true, ms: 0 };
    const t0 = performance.now();
    try {
      const payload = kept.recompute(input, handle);
      return { ok: true, payload, ms: performance.now() - t0 };
    } catch (e) {
      return { ok: false, reason: "input", message: e instanceof Error ? e.message : String(e) };
    }
  }

  private whyStale(handle: unknown): string {
    const token = typeof handle === "string" ? handle.split(":")[0] : "";
    return token === this.processToken
      ? `this output is no longer kept for editing (the kernel keeps the last ${this.limit} editable views): re-run the cell`
      : "the kernel was restarted since this output was made: re-run the cell to edit it";
  }
}

/** The kernel process's views (one process per notebook). */
export const whatIfViews = new WhatIfViews();
