/**
 * Values → mime bundles. Engine values (tensors, models, summaries, histories) and mathjs values
 * (matrices, complex numbers, …) get the rich module's bundle (custom mime + PNG/SVG/HTML fallback +
 * text/plain); everything else is shown the way Node's REPL shows it (util.inspect, or the portable formatter where
 * Node is missing: platform.ts), as text/plain.
 */
import type { MimeBundle } from "../shared/mime";
import { platform } from "./platform";

export type RichBundler = (value: unknown) => MimeBundle | undefined;

export function inspectText(value: unknown): string {
  return platform().inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100, colors: false });
}

/**
 * The bundle of a value, or undefined for `undefined` (shows nothing, like Jupyter's None).
 * `asResult`: a cell's last expression shows strings quoted, like a REPL; `display("text")` shows the
 * text itself.
 */
export function valueBundle(value: unknown, rich: RichBundler | undefined, asResult: boolean): MimeBundle | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && !asResult) return { "text/plain": value };
  if (rich && value !== null && typeof value === "object") {
    try {
      const bundle = rich(value);
      if (bundle) return bundle;
    } catch (e) {
      // A value the rich module chokes on still shows as text; say why below it.
      return { "text/plain": `${inspectText(value)}\n(rich output failed: ${(e as Error).message})` };
    }
  }
  return { "text/plain": inspectText(value) };
}
