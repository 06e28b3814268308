/**
 * The strings of a cell that look like file paths, for the browser Worker kernel to fetch before the
 * cell runs (files.ts): the engine's file methods are synchronous, the editor's files are not.
 * Literals only — `"data/train.csv"`, `'m.rnnmodel'`, a template without `${}` — found in the cell's
 * syntax tree (TypeScript's parser, as the transpiler uses it), so text in comments does not count.
 *
 * Looks like a path: one line, at most 1024 characters, not a web URL, and either a folder separator
 * or a file extension at the end (`m.rnnmodel`, `./export/`, `C:\data\x.npy`). A few false hits cost
 * one "none" answer each (`"nn.LSTM"`); a folder named without a slash (`"export"`) is not fetched,
 * which only matters for reading it (importPyTorch("export/") is the way to write it).
 */
import ts from "typescript";

const EXTENSION = /\.[A-Za-z0-9_-]{1,16}$/;
const WEB_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

export function looksLikePath(s: string): boolean {
  if (s.length === 0 || s.length > 1024 || /[\n\r\0]/.test(s) || s.trim() !== s) return false;
  if (WEB_URL.test(s) && !s.startsWith("file://")) return false;
  return s.includes("/") || s.includes("\\") || EXTENSION.test(s);
}

/** The distinct path-like string literals of `source`, in order of appearance. */
export function pathLiterals(source: string): string[] {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    // An import's module name is the loader's business (web/loader.ts), not a file to read.
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && looksLikePath(node.text)) found.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...found];
}
