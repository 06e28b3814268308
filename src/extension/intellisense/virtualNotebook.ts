/**
 * A notebook's code cells as virtual TypeScript modules, one per cell, and the position mapping
 * between a cell's text and its module. Pure (no vscode): unit-tested in plain Node.
 *
 * Why one module per cell and not one concatenated file: each cell keeps its own script version,
 * so an edit re-parses and re-binds only that cell (the language service reuses every other source
 * file), and a half-typed cell (an unclosed `{`, an open string) cannot swallow the cells after it.
 *
 * How later cells see earlier ones, in notebook order (the kernel makes every top-level binding a
 * global before the cell runs, see src/kernel/transpile.ts): cell k's module is
 *
 *     import { model, x } from "./cell-1"; import { history } from "./cell-2";   ← one prelude line
 *     <the cell's text, unchanged>
 *     export { history2, plot };                                                  ← one suffix line
 *
 * The prelude imports every name declared at the top level of an earlier cell, from the latest cell
 * that declared it, except names the cell declares itself (a re-run `const model = …` shadows, as
 * in the kernel). Names come from a syntax-only parse of each cell, cached by its text. The cell's
 * text starts at the second line, so a cell position maps to the module by adding one line (or the
 * prelude's length to an offset) and back by subtracting it.
 */
import ts from "typescript";

export interface CellInput {
  /** Stable identity of the cell across edits and moves (its document URI in VS Code). */
  id: string;
  text: string;
}

export interface VirtualCell {
  id: string;
  /** Virtual file name of the cell's module, e.g. "/notebook-1/cell-3.ts" (stable while the cell lives). */
  fileName: string;
  /** The cell's text. */
  text: string;
  /** Whole module text: prelude line, cell text, suffix line. */
  content: string;
  /** Offset of the cell's first character in `content` (prelude length + 1). */
  bodyStart: number;
  /** Bumped whenever `content` changes; the language service host reports it as the script version. */
  version: number;
  /** Top-level names the cell declares (exported by its suffix). */
  declared: string[];
}

let notebooksCreated = 0;

/** Top-level names a cell binds: variables (destructuring too), functions, classes, types, enums, namespaces, imports. */
export function topLevelNames(text: string): { names: string[]; exported: string[] } {
  const sf = ts.createSourceFile("cell.ts", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const exported = new Set<string>();
  const addBinding = (name: ts.BindingName, into: Set<string>): void => {
    if (ts.isIdentifier(name)) into.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name, into);
  };
  for (const st of sf.statements) {
    const isExported = ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const into = isExported ? exported : names;
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) addBinding(d.name, into);
    } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) ||
      ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) {
      into.add(st.name.text);
    } else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) {
      into.add(st.name.text);
    } else if (ts.isImportDeclaration(st) && st.importClause) {
      const clause = st.importClause;
      if (clause.name) names.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      else if (bindings) for (const el of bindings.elements) names.add(el.name.text);
    } else if (ts.isImportEqualsDeclaration(st)) {
      names.add(st.name.text);
    }
  }
  for (const n of exported) names.delete(n);
  return { names: [...names], exported: [...exported] };
}

/** Cells of one notebook as virtual modules; `update` takes the code cells in notebook order. */
export class VirtualNotebook {
  /**
   * Folder of this notebook's modules, unique per instance: language services share one
   * DocumentRegistry, which keys source files by name and version, so two notebooks must never
   * both have a "cell-1.ts" at version 1.
   */
  readonly dir = `/notebook-${++notebooksCreated}`;
  private cells: VirtualCell[] = [];
  private readonly byId = new Map<string, VirtualCell>();
  private readonly byFile = new Map<string, VirtualCell>();
  private readonly namesCache = new Map<string, { text: string; names: string[]; exported: string[] }>();
  private nextFile = 1;
  /** Bumped on every change of the cell list or of any module; the host's project version. */
  projectVersion = 0;

  /** Replaces the notebook's code cells (in order). Unchanged modules keep their version. */
  update(inputs: readonly CellInput[]): void {
    const previous = this.byId;
    const next: VirtualCell[] = [];
    const visible = new Map<string, string>(); // name → file name of the latest earlier cell declaring it
    let changed = inputs.length !== this.cells.length || inputs.some((c, i) => this.cells[i].id !== c.id);
    for (const input of inputs) {
      const { names, exported } = this.namesOf(input);
      const own = new Set([...names, ...exported]);
      const byFile = new Map<string, string[]>();
      for (const [name, file] of visible) {
        if (own.has(name)) continue;
        byFile.set(file, [...(byFile.get(file) ?? []), name]);
      }
      const old = previous.get(input.id);
      const fileName = old?.fileName ?? `${this.dir}/cell-${this.nextFile++}.ts`;
      const prelude = [...byFile].map(([file, list]) => `import { ${list.join(", ")} } from "./${moduleName(file)}";`).join(" ");
      const suffix = names.length > 0 ? `export { ${names.join(", ")} };` : "";
      const content = `${prelude}\n${input.text}\n${suffix}`;
      const cell: VirtualCell = {
        id: input.id, fileName, text: input.text, content, bodyStart: prelude.length + 1,
        version: old ? (old.content === content ? old.version : old.version + 1) : 1,
        declared: [...own],
      };
      if (!old || old.content !== content) changed = true;
      next.push(cell);
      for (const name of own) visible.set(name, fileName);
    }
    if (!changed) return;
    this.projectVersion++;
    this.cells = next;
    previous.clear();
    this.byFile.clear();
    for (const c of next) {
      this.byId.set(c.id, c);
      this.byFile.set(c.fileName, c);
    }
    for (const id of this.namesCache.keys()) if (!this.byId.has(id)) this.namesCache.delete(id);
  }

  /** Updates one cell's text, keeping the order (the common case: typing in a cell). */
  updateCell(id: string, text: string): void {
    if (!this.byId.has(id)) return;
    this.update(this.cells.map((c) => ({ id: c.id, text: c.id === id ? text : c.text })));
  }

  all(): readonly VirtualCell[] {
    return this.cells;
  }

  cell(id: string): VirtualCell | undefined {
    return this.byId.get(id);
  }

  cellOfFile(fileName: string): VirtualCell | undefined {
    return this.byFile.get(fileName);
  }

  /** Offset in the cell's text → offset in its module. */
  toVirtual(id: string, cellOffset: number): { fileName: string; offset: number } | undefined {
    const cell = this.byId.get(id);
    if (!cell) return undefined;
    return { fileName: cell.fileName, offset: cell.bodyStart + clamp(cellOffset, 0, cell.text.length) };
  }

  /**
   * Offset in a module → the cell and offset in its text; undefined in the prelude or the suffix
   * (generated text the user never sees).
   */
  toCell(fileName: string, offset: number): { id: string; offset: number } | undefined {
    const cell = this.byFile.get(fileName);
    if (!cell) return undefined;
    const rel = offset - cell.bodyStart;
    if (rel < 0 || rel > cell.text.length) return undefined;
    return { id: cell.id, offset: rel };
  }

  private namesOf(input: CellInput): { names: string[]; exported: string[] } {
    const hit = this.namesCache.get(input.id);
    if (hit && hit.text === input.text) return hit;
    const entry = { text: input.text, ...topLevelNames(input.text) };
    this.namesCache.set(input.id, entry);
    return entry;
  }
}

/** "/notebook-1/cell-3.ts" → "cell-3" (the import specifier, relative to the notebook's folder). */
export function moduleName(fileName: string): string {
  return fileName.slice(fileName.lastIndexOf("/") + 1).replace(/\.ts$/, "");
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
