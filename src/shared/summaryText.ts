/**
 * The Keras-style text of a model summary (Keras 2's `model.summary()` layout), from the summary
 * payload. Used for text/plain outputs, the summary command's document and hovers.
 */
import type { SummaryPayload } from "./payloads";

/** 1969 → "1,969" */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** [null, 20, 16] → "(None, 20, 16)" */
export function formatShape(shape: (number | null)[]): string {
  const parts = shape.map((d) => (d === null ? "None" : String(d)));
  return `(${parts.join(", ")}${parts.length === 1 ? "," : ""})`;
}

export function formatSummaryText(s: SummaryPayload): string {
  // Column starts as in Keras 2: layer at 1, output shape at 29, param # at 55; rules 65 wide.
  const line = (ch: string) => ch.repeat(65);
  const row = (a: string, b: string, c: string) => (" " + a.padEnd(27) + " " + b.padEnd(25) + " " + c).trimEnd();
  const out = [`Model: "${s.name}"`, line("_"), row("Layer (type)", "Output Shape", "Param #"), line("=")];
  s.layers.forEach((l, i) => {
    out.push(row(`${l.name} (${l.type})`, formatShape(l.outputShape), String(l.params))); // Keras prints rows without separators
    out.push(i === s.layers.length - 1 ? line("=") : "");
  });
  if (s.layers.length === 0) out.push(line("="));
  out.push(`Total params: ${formatCount(s.totalParams)}`);
  out.push(`Trainable params: ${formatCount(s.trainableParams)}`);
  out.push(`Non-trainable params: ${formatCount(s.nonTrainableParams)}`);
  out.push(line("_"));
  return out.join("\n");
}
