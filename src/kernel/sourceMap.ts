/**
 * A minimal source map reader (Source Map v3 "mappings" field, base64 VLQ) for the maps TypeScript
 * writes when it transpiles a cell or an imported helper file: enough to turn a generated
 * line:column in a stack frame back into the cell's own line:column.
 */

/** One segment: generated column → original line and column (all 0-based). */
export interface Segment {
  genColumn: number;
  srcLine: number;
  srcColumn: number;
}

/** Segments per generated line (index 0 = generated line 1), sorted by generated column. */
export type LineMappings = Segment[][];

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((ch, i) => [ch, i] as const));

export function decodeMappings(mappings: string): LineMappings {
  const lines: LineMappings = [];
  let srcLine = 0;
  let srcColumn = 0;
  let srcIndex = 0;
  let nameIndex = 0;
  for (const lineText of mappings.split(";")) {
    const segments: Segment[] = [];
    let genColumn = 0;
    for (const segText of lineText.split(",")) {
      if (segText === "") continue;
      const fields = decodeVlq(segText);
      genColumn += fields[0];
      if (fields.length >= 4) {
        srcIndex += fields[1];
        srcLine += fields[2];
        srcColumn += fields[3];
        if (fields.length >= 5) nameIndex += fields[4];
        segments.push({ genColumn, srcLine, srcColumn });
      }
    }
    segments.sort((a, b) => a.genColumn - b.genColumn);
    lines.push(segments);
  }
  void srcIndex;
  void nameIndex;
  return lines;
}

function decodeVlq(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of text) {
    const digit = DIGIT.get(ch);
    if (digit === undefined) throw new Error(`invalid base64 VLQ character ${JSON.stringify(ch)}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      const negative = value & 1;
      value >>>= 1;
      out.push(negative ? -value : value);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/**
 * Original position of a generated one. `line` is 1-based (as in stack frames) and `column` 1-based
 * too (V8 prints 1-based columns). Returns 1-based line and column, or undefined when the generated
 * line has no mapping (code the kernel synthesized).
 */
export function originalPosition(map: LineMappings, line: number, column: number): { line: number; column: number } | undefined {
  const segments = map[line - 1];
  if (!segments || segments.length === 0) return undefined;
  const col0 = column - 1;
  let best = segments[0];
  for (const s of segments) {
    if (s.genColumn <= col0) best = s;
    else break;
  }
  // Inside the segment, generated and original text usually advance together (same expression).
  const delta = best.genColumn <= col0 ? col0 - best.genColumn : 0;
  return { line: best.srcLine + 1, column: best.srcColumn + delta + 1 };
}
