/**
 * The run comparison as an output (rnn.runs.compare): the runs+json payload for the renderer, the
 * curves as image/svg+xml (as the payload shows them first) and a text/plain table of what differs
 * and each run's final value of the metric.
 */
import type { RunRecord } from "../../engine/runs";
import { compareRuns, type CompareOptions } from "../../engine/runsCompare";
import { MIME, type MimeBundle } from "../../shared/mime";
import type { RunsComparePayload } from "../../shared/payloads";
import { configText, finalValue } from "../../shared/runsCurves";
import { formatNumber } from "../../shared/scale";
import { runsSvg } from "../../shared/svgPlot";
import { fitToBudget } from "./index";

/** "run 1: clipNorm none · final loss 0.0123" per run, under a header line. */
export function runsText(p: RunsComparePayload): string {
  const lines = [`${p.title ?? "Runs compared"} — ${p.runs.length} run${p.runs.length === 1 ? "" : "s"}${p.trueRuns ? ` (the last of ${p.trueRuns})` : ""}, metric ${p.metric}, x ${p.x}, smoothing ${p.smoothing}`];
  lines.push(p.differingKeys.length === 0 ? "  configurations: the same in every key" : `  keys that differ: ${p.differingKeys.join(", ")}`);
  for (const r of p.runs) {
    const cells = p.differingKeys.map((k) => `${k} ${configText(Object.prototype.hasOwnProperty.call(r.config, k) ? r.config[k] : undefined)}`);
    const v = finalValue(r, p.metric);
    cells.push(`final ${p.metric} ${v === undefined ? "—" : formatNumber(v, 4)}`);
    lines.push(`  ${r.id} (${r.model.name}${r.interrupted ? ", interrupted" : ""}): ${cells.join(" · ")}`);
  }
  return lines.join("\n");
}

export function runsBundle(p: RunsComparePayload): MimeBundle {
  return { [MIME.runs]: p, "image/svg+xml": runsSvg(p), "text/plain": runsText(p) };
}

/** What `rnn.runs.compare` takes besides the runs. */
export type CompareViewOptions = Pick<CompareOptions, "metric" | "x" | "smoothing" | "title" | "maxPoints">;
const OPTION_KEYS: readonly string[] = ["metric", "x", "smoothing", "title", "maxPoints"];

/**
 * `rnn.runs.compare(runs?, options?)` (or `compare(options)`): compares runs of the ledger, displays the
 * view — its series halved in points until the bundle fits the output budget — and returns the runs
 * compared and the configuration keys in which they differ.
 */
export function compareRunsView(
  ledger: readonly RunRecord[], which: unknown, options: unknown, display: (bundle: MimeBundle) => void, maxBytes: number,
): { runs: RunRecord[]; differingKeys: string[] } {
  const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isPlain(which) && options === undefined) [which, options] = [undefined, which];
  if (which !== undefined && !Array.isArray(which)) {
    throw new Error("rnn.runs.compare: runs must be an array of run ids or records (e.g. [\"run 1\", \"run 2\"] or rnn.runs.list().slice(-3))");
  }
  if (options !== undefined && !isPlain(options)) throw new Error("rnn.runs.compare: options must be an object, e.g. { metric: \"valLoss\", x: \"relative\", smoothing: 0.6 }");
  const unknown = Object.keys(options ?? {}).filter((k) => !OPTION_KEYS.includes(k));
  if (unknown.length > 0) throw new Error(`rnn.runs.compare: unknown option ${unknown.map((k) => JSON.stringify(k)).join(", ")}; options: ${OPTION_KEYS.join(", ")}`);
  for (const [k, w] of (which ?? []).entries()) {
    if (typeof w !== "string" && !isPlain(w)) throw new Error(`rnn.runs.compare: runs[${k}] must be a run id or a record from rnn.runs.list()`);
  }
  const opts = { ...(options as CompareViewOptions | undefined), runs: which as (string | RunRecord)[] | undefined };
  const first = compareRuns(ledger, opts);
  const points = first.payload.maxPoints;
  display(fitToBudget((level) => runsBundle(level === 0 ? first.payload : compareRuns(ledger, { ...opts, maxPoints: Math.max(2, points >> level) }).payload), maxBytes, "run comparison"));
  const result = { runs: structuredClone(first.runs), differingKeys: first.differingKeys };
  // As a cell's last expression the view is already shown: its text is the run ids and the keys, not
  // every record in full (Node's inspect reads this well-known symbol, as for rnn.nn modules).
  Object.defineProperty(result, Symbol.for("nodejs.util.inspect.custom"), {
    value: () => `{ runs: ${JSON.stringify(result.runs.map((r) => r.id))} (records), differingKeys: ${JSON.stringify(result.differingKeys)} }`,
  });
  return result;
}
