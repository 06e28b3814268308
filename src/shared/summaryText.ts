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
export function formatShape(shape: readonly (number | null)[]): string {
  const parts = shape.map((d) => (d === null ? "None" : String(d)));
  return `(${parts.join(", ")}${parts.length === 1 ? "," : ""})`;
}

/** Widths of the Layer (type) and Output Shape columns in Keras 2's layout (starts at 1, 29 and 55). */
const LAYER_WIDTH = 27;
const SHAPE_WIDTH = 25;

/**
 * Splits a cell's text into lines of at most `width` characters, as Keras 2's `print_row` wraps a
 * long layer name inside its column instead of pushing the next columns right. We break after the
 * last space that fits when there is one (Keras cuts at the width).
 */
export function wrapCell(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const space = rest.lastIndexOf(" ", width);
    const cut = space > 0 ? space : width;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, "");
  }
  lines.push(rest);
  return lines;
}

/** What a summary's header says about how its parameters are counted (Keras needs no note: it is the default). */
export const CONVENTION_NOTE: Readonly<Record<SummaryPayload["convention"], string | undefined>> = {
  keras: undefined,
  torch: "Counted as PyTorch does: two bias vectors (bias_ih, bias_hh) per recurrent layer",
};

export function formatSummaryText(s: SummaryPayload): string {
  if (s.layers.some((l) => l.connectedTo)) return formatFunctionalText(s);
  // Column starts as in Keras 2: layer at 1, output shape at 29, param # at 55; rules 65 wide.
  const line = (ch: string) => ch.repeat(65);
  const row = (a: string, b: string, c: string) => (" " + a.padEnd(LAYER_WIDTH) + " " + b.padEnd(SHAPE_WIDTH) + " " + c).trimEnd();
  const rows = (a: string, b: string, c: string) => {
    const left = wrapCell(a, LAYER_WIDTH);
    const mid = wrapCell(b, SHAPE_WIDTH);
    return Array.from({ length: Math.max(left.length, mid.length) }, (_, i) => row(left[i] ?? "", mid[i] ?? "", i === 0 ? c : ""));
  };
  const note = CONVENTION_NOTE[s.convention];
  const out = [`Model: "${s.name}"`, ...(note ? [note] : []), line("_"), row("Layer (type)", "Output Shape", "Param #"), line("=")];
  s.layers.forEach((l, i) => {
    out.push(...rows(`${l.name} (${l.type})`, formatShape(l.outputShape), l.unknown ? "unknown" : String(l.params))); // Keras prints rows without separators
    out.push(i === s.layers.length - 1 ? line("=") : "");
  });
  if (s.layers.length === 0) out.push(line("="));
  const unknown = s.layers.filter((l) => l.unknown).length;
  // Never a total that looks complete when a layer could not be counted (a summary from source before it ran).
  out.push(unknown > 0
    ? `Total params: unknown until the cell runs (${formatCount(s.totalParams)} in the ${s.layers.length - unknown} layers counted)`
    : `Total params: ${formatCount(s.totalParams)}`);
  out.push(`Trainable params: ${formatCount(s.trainableParams)}`);
  out.push(`Non-trainable params: ${formatCount(s.nonTrainableParams)}`);
  out.push(line("_"));
  return out.join("\n");
}

/** Keras 2's functional layout: columns end at 32, 53, 65 and 98 (line_length 98, positions .33/.55/.67/1). */
const FUNCTIONAL_POSITIONS = [32, 53, 65, 98];

/**
 * One Keras 2 `print_row`: each field is cut to its column (two spaces kept between columns) and
 * continued on the next line, preferring a break right after "),", "]," or "'," as Keras does.
 */
function printRow(fields: string[], positions: readonly number[]): string[] {
  const left = fields.slice();
  const lines: string[] = [];
  while (left.some((f) => f.length > 0)) {
    let line = "";
    left.forEach((field, col) => {
      const start = col > 0 ? positions[col - 1] : 0;
      const space = col !== positions.length - 1 ? 2 : 0;
      let cutoff = positions[col] - start - space;
      let fit = field.slice(0, cutoff);
      const breaks = ["),", "},", "],", "',"].filter((b) => fit.includes(b)).map((b) => fit.indexOf(b) + b.length);
      if (breaks.length) {
        cutoff = Math.min(...breaks);
        fit = fit.slice(0, cutoff);
      }
      if (col === 0) line += " ";
      line += fit + " ".repeat(space);
      left[col] = field.slice(cutoff);
      line += " ".repeat(Math.max(0, positions[col] - line.length));
    });
    lines.push(line.trimEnd());
  }
  return lines;
}

/** Python's str() of a list of strings: ['input_1[0][0]', 'lstm[0][1]']. */
function pyList(items: readonly string[]): string {
  return `[${items.map((x) => `'${x}'`).join(", ")}]`;
}

function formatFunctionalText(s: SummaryPayload): string {
  const width = FUNCTIONAL_POSITIONS[FUNCTIONAL_POSITIONS.length - 1];
  const note = CONVENTION_NOTE[s.convention];
  const out = [`Model: "${s.name}"`, ...(note ? [note] : []), "_".repeat(width),
    ...printRow(["Layer (type)", "Output Shape", "Param #", "Connected to"], FUNCTIONAL_POSITIONS), "=".repeat(width)];
  s.layers.forEach((l, i) => {
    const shape = l.outputShapes ? `[${l.outputShapes.map(formatShape).join(", ")}]` : formatShape(l.outputShape);
    out.push(...printRow([`${l.name} (${l.type})`, shape, l.unknown ? "unknown" : String(l.params), pyList(l.connectedTo ?? [])], FUNCTIONAL_POSITIONS));
    out.push(i === s.layers.length - 1 ? "=".repeat(width) : "");
  });
  const unknown = s.layers.filter((l) => l.unknown).length;
  out.push(unknown > 0
    ? `Total params: unknown until the cell runs (${formatCount(s.totalParams)} in the ${s.layers.length - unknown} layers counted)`
    : `Total params: ${formatCount(s.totalParams)}`);
  out.push(`Trainable params: ${formatCount(s.trainableParams)}`);
  out.push(`Non-trainable params: ${formatCount(s.nonTrainableParams)}`);
  out.push("_".repeat(width));
  return out.join("\n");
}
