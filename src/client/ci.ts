/**
 * What makes the headless runner (runner.ts) a CI step, as pure functions over text:
 *
 *   --param name=value   papermill's convention: the code cell tagged "parameters" (a `tags` list in
 *                        the cell's metadata — .rnnb and .ipynb alike) declares the defaults as
 *                        top-level constants, one per line (`const epochs = 10;`); each --param
 *                        replaces one initializer. Values are JSON numbers, strings or booleans; a
 *                        value that is not JSON is taken as a string (`--param name=lstm`).
 *   --junit report.xml   one <testcase> per code cell, failures with the message and the cell line,
 *                        cells after a failure <skipped/> (JUnit XML as Jenkins, GitLab and GitHub
 *                        test reporters read it: testsuites > testsuite > testcase).
 *   --check [--rtol r]   the notebook is its own regression test: each cell's text outputs (streams and
 *                        text/plain) against the ones saved in the file, numbers compared within a
 *                        relative tolerance, everything else exactly; differences as a readable diff.
 *                        A cell tagged "nbval-ignore-output" (nbval's convention) is not compared.
 */

/** The tag papermill gives the cell of defaults. */
export const PARAMETERS_TAG = "parameters";

export class ParameterError extends Error {}

/** The start of a top-level declaration: `const name: type = ` (its initializer follows). */
const DECLARATION = /^((?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*)/;

interface Declaration {
  name: string;
  /** `const name = ` */
  head: string;
  /** The initializer's text. */
  value: string;
  /** What follows it: `;`, a comment. */
  tail: string;
}

/**
 * A one-line top-level declaration split into its parts, or undefined — also when the initializer does
 * not end on this line (open brackets) or more code follows it: such lines are not parameters.
 */
function declaration(line: string): Declaration | undefined {
  const m = DECLARATION.exec(line);
  if (!m) return undefined;
  const rest = line.slice(m[1].length);
  // Scan the initializer to its end (`;`, `//` or the line's end) outside string literals, counting brackets.
  let depth = 0, quote = "", end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'" || ch === "`") {
      quote = ch;
    } else if ("([{".includes(ch)) {
      depth++;
    } else if (")]}".includes(ch)) {
      depth--;
    } else if (ch === ";" || (ch === "/" && rest[i + 1] === "/")) {
      end = i;
      break;
    }
  }
  const value = rest.slice(0, end).trimEnd();
  const tail = rest.slice(value.length);
  if (quote || depth !== 0 || value === "" || !/^\s*;?\s*(\/\/.*)?$/.test(tail)) return undefined;
  return { name: m[2], head: m[1], value, tail };
}

/** A --param value as a TypeScript literal: JSON numbers, strings and booleans; other text as a string. */
export function parameterLiteral(name: string, value: string): string {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return JSON.stringify(value);
  }
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  throw new ParameterError(`--param ${name}: ${value} is not a number, string or boolean`);
}

/** The names the parameters cell declares (top-level constants, one per line), in order. */
export function parameterNames(source: string): string[] {
  return source.split("\n").flatMap((line) => {
    const d = declaration(line);
    return d ? [d.name] : [];
  });
}

/**
 * The parameters cell's source with each named initializer replaced by its --param literal. Throws a
 * ParameterError naming the available parameters when a name is not declared there.
 */
export function applyParameters(source: string, params: ReadonlyMap<string, string>): string {
  const available = parameterNames(source);
  for (const name of params.keys()) {
    if (!available.includes(name)) {
      throw new ParameterError(`--param ${name}: the "parameters" cell declares no ${name}; its parameters: ${available.length ? available.join(", ") : "none"}`);
    }
  }
  return source.split("\n").map((line) => {
    const d = declaration(line);
    if (!d || !params.has(d.name)) return line;
    return `${d.head}${parameterLiteral(d.name, params.get(d.name)!)}${d.tail || ";"}`;
  }).join("\n");
}

/** `name=value` of one --param argument. */
export function parseParam(arg: string): [string, string] {
  const at = arg.indexOf("=");
  const name = at > 0 ? arg.slice(0, at).trim() : "";
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new ParameterError(`--param needs name=value (got ${JSON.stringify(arg)})`);
  return [name, arg.slice(at + 1)];
}

/** nbval's tag for a cell whose outputs change from run to run (timings, dates): --check skips it. */
export const IGNORE_OUTPUT_TAG = "nbval-ignore-output";

/** Whether a cell's metadata (.rnnb `metadata`, .ipynb `metadata`) lists `tag` (default "parameters"). */
export function isParametersCell(metadata: unknown, tag = PARAMETERS_TAG): boolean {
  const tags = (metadata as { tags?: unknown } | null | undefined)?.tags;
  return Array.isArray(tags) && tags.includes(tag);
}

// ---------------------------------------------------------------------------------------------------
// JUnit XML

/** One code cell's result. */
export interface CellCase {
  /** 1-based cell number, as the notebook shows it (markdown cells count). */
  cell: number;
  /** First non-blank line of the source, for the test name. */
  title: string;
  seconds: number;
  status: "passed" | "failed" | "skipped";
  /** Failed: "TypeError: … at line 3:5"; skipped: why. */
  message?: string;
  /** Failed: the stack or the reason in full. */
  details?: string;
  /** Captured standard output / error of the cell. */
  stdout?: string;
  stderr?: string;
}

function xmlEscape(text: string): string {
  // Characters XML 1.0 cannot hold at all (control characters of terminal output) are dropped.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A JUnit XML report: one testsuite named after the notebook, one testcase per code cell. */
export function junitXml(notebook: string, cases: readonly CellCase[]): string {
  const count = (s: CellCase["status"]) => cases.filter((c) => c.status === s).length;
  const total = cases.reduce((a, c) => a + c.seconds, 0).toFixed(3);
  const attrs = (o: Record<string, string | number>) => Object.entries(o).map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join("");
  const suite = attrs({ name: notebook, tests: cases.length, failures: count("failed"), errors: 0, skipped: count("skipped"), time: total });
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${suite}>`, `  <testsuite${suite}>`];
  for (const c of cases) {
    lines.push(`    <testcase${attrs({ classname: notebook, name: `cell ${c.cell}: ${c.title}`, time: c.seconds.toFixed(3) })}>`);
    if (c.status === "failed") lines.push(`      <failure${attrs({ message: c.message ?? "failed", type: "CellError" })}>${xmlEscape(c.details ?? "")}</failure>`);
    if (c.status === "skipped") lines.push(`      <skipped${attrs({ message: c.message ?? "not run" })}/>`);
    if (c.stdout) lines.push(`      <system-out>${xmlEscape(c.stdout)}</system-out>`);
    if (c.stderr) lines.push(`      <system-err>${xmlEscape(c.stderr)}</system-err>`);
    lines.push("    </testcase>");
  }
  lines.push("  </testsuite>", "</testsuites>");
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------------
// --check

/** One output of a cell as --check compares it: a stream's text or an output's text/plain. */
export interface TextOutput {
  kind: "stdout" | "stderr" | "text/plain";
  text: string;
}

/** Numbers as JavaScript and Python print them (1, -2.5, 3e-7, 1.2E+3, NaN, Infinity). */
const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|NaN|[-+]?Infinity/g;

/** Whether two printed numbers agree: equal, or |a − b| ≤ rtol·max(|a|, |b|). */
function numbersClose(a: string, b: string, rtol: number): boolean {
  if (a === b) return true;
  const x = Number(a), y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return false;
  return Math.abs(x - y) <= rtol * Math.max(Math.abs(x), Math.abs(y));
}

/** Why two texts differ (the first mismatch), or undefined when they agree within rtol. */
export function compareText(saved: string, now: string, rtol: number): string | undefined {
  const split = (t: string) => ({ words: t.split(NUMBER), numbers: t.match(NUMBER) ?? [] });
  const a = split(saved), b = split(now);
  if (a.numbers.length !== b.numbers.length || a.words.some((w, i) => w !== b.words[i])) return "the text differs";
  for (let i = 0; i < a.numbers.length; i++) {
    if (!numbersClose(a.numbers[i], b.numbers[i], rtol)) {
      const rel = Math.abs(Number(a.numbers[i]) - Number(b.numbers[i])) / Math.max(Math.abs(Number(a.numbers[i])), Math.abs(Number(b.numbers[i])));
      return `number ${i + 1}: ${a.numbers[i]} saved, ${b.numbers[i]} now (relative difference ${Number.isFinite(rel) ? rel.toExponential(2) : rel} > rtol ${rtol})`;
    }
  }
  return undefined;
}

/** A diff of one cell's text outputs, saved against now; empty when they agree. */
export function diffOutputs(cell: number, savedIn: readonly TextOutput[], nowIn: readonly TextOutput[], rtol: number): string[] {
  const out: string[] = [];
  // A stream may be saved in pieces (one output per write) or whole: compare the joined text.
  const merged = (list: readonly TextOutput[]) => list.reduce<TextOutput[]>((acc, o) => {
    const last = acc[acc.length - 1];
    if (last && o.kind !== "text/plain" && last.kind === o.kind) last.text += o.text;
    else acc.push({ ...o });
    return acc;
  }, []);
  const saved = merged(savedIn), now = merged(nowIn);
  const quote = (t: string) => t.replace(/\n$/, "").split("\n");
  for (let i = 0; i < Math.max(saved.length, now.length); i++) {
    const s = saved[i], n = now[i];
    const why = !s ? "a new output" : !n ? "an output is missing" : s.kind !== n.kind ? `${s.kind} saved, ${n.kind} now` : compareText(s.text, n.text, rtol);
    if (!why) continue;
    out.push(`cell ${cell}, output ${i + 1} (${(s ?? n).kind}): ${why}`);
    for (const l of s ? quote(s.text) : ["(nothing)"]) out.push(`  - ${l}`);
    for (const l of n ? quote(n.text) : ["(nothing)"]) out.push(`  + ${l}`);
  }
  return out;
}
