/**
 * Model summaries: the table behind `model.summary()` — plain data shaped exactly like the shared
 * SummaryPayload (so the kernel can send it as application/vnd.rnn-notebook.summary+json as is) plus
 * a Keras-style `toString()` for text/plain. Building one never prints.
 */
import type { SummaryPayload, SummaryRow } from "../shared/payloads";
import { formatSummaryText } from "../shared/summaryText";

/** A summary table: SummaryPayload fields plus a Keras 2-style text rendering. */
export interface Summary extends SummaryPayload {
  /** Keras 2 `model.summary()` text: Layer (type) / Output Shape / Param #, totals. */
  toString(): string;
  /** The plain payload (no methods), for JSON. */
  toJSON(): SummaryPayload;
}

/** What a layer contributes to a summary row. */
export interface SummaryLayerInfo extends SummaryRow {
  /** False for frozen layers: their parameters count as non-trainable. */
  trainable?: boolean;
}

/**
 * Builds a summary from per-layer rows. Totals are the sums of `params` (shared weights such as a
 * tied embedding matrix must be counted in one row only, which the rows already reflect).
 */
export function makeSummary(name: string, convention: "keras" | "torch", rows: SummaryLayerInfo[]): Summary {
  const layers: SummaryRow[] = rows.map(({ trainable: _t, ...row }) => row);
  const totalParams = rows.reduce((a, r) => a + r.params, 0);
  const trainableParams = rows.reduce((a, r) => a + (r.trainable === false ? 0 : r.params), 0);
  const payload: SummaryPayload = { name, convention, layers, totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams };
  return {
    ...payload,
    toJSON: () => ({ ...payload, layers: payload.layers.map((l) => ({ ...l })) }),
    toString: () => formatSummaryText(payload),
  };
}
