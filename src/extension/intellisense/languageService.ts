/**
 * A TypeScript language service over one notebook: its code cells as virtual modules (see
 * virtualNotebook.ts) plus the bundled declarations (generated engine .d.ts, kernel globals,
 * mathjs, ES2022 libs — see typeFiles.ts). Answers completion, details, quick info, signature help,
 * definitions and diagnostics in cell coordinates (offsets in a cell's own text). Pure: no vscode
 * import, so plain-Node unit tests and scripts/bench-intellisense.mjs drive it directly.
 *
 * Approach: an extension-side language service, not a tsserver plugin. The built-in
 * TypeScript extension treats notebook cells as unrelated files and turns semantic errors off in
 * them; a plugin could not change how cells see each other or which declarations exist without
 * a project in the workspace. Here everything the program contains is ours, embedded in the
 * extension, so it works offline in any folder. The service stays warm: one per notebook, kept for
 * the notebook's life, every cell its own script version, declaration files parsed once and shared
 * between notebooks through one DocumentRegistry. It runs in a worker thread (worker.ts).
 */
import ts from "typescript";
import { LIB_DIR, ROOT_LIB, BUNDLED_MODULES, type TypeFiles } from "./typeFiles";
import { VirtualNotebook, type CellInput } from "./virtualNotebook";

/** Span in a cell's text. */
export interface CellSpan {
  start: number;
  length: number;
}

export interface CompletionEntry {
  name: string;
  /** ts.ScriptElementKind ("method", "property", "const", "function", "alias", "keyword", …). */
  kind: string;
  kindModifiers: string;
  sortText: string;
  insertText?: string;
  isSnippet?: boolean;
  replacementSpan?: CellSpan;
  source?: string;
  data?: ts.CompletionEntryData;
}

export interface CompletionResult {
  isMemberCompletion: boolean;
  entries: CompletionEntry[];
}

export interface Documented {
  /** Declaration as TypeScript shows it, e.g. "function rnn.lstm(options: LstmOptions): Lstm". */
  display: string;
  /** Doc comment and tags as Markdown. */
  documentation: string;
}

export interface QuickInfo extends Documented {
  kind: string;
  span: CellSpan;
}

export interface SignatureHelp {
  signatures: { label: string; documentation: string; parameters: { label: [number, number]; documentation: string }[] }[];
  activeSignature: number;
  activeParameter: number;
}

/** Where a definition is: in a cell, or in one of the bundled declaration files. */
export type DefinitionLocation =
  | { kind: "cell"; id: string; span: CellSpan }
  | { kind: "types"; path: string; start: { line: number; character: number }; end: { line: number; character: number } };

export interface CellDiagnostic {
  span: CellSpan;
  message: string;
  code: number;
  severity: "error" | "warning" | "suggestion" | "message";
}

/**
 * Diagnostics dropped because the virtual modules, not the user, cause them:
 * 2632 "Cannot assign to 'x' because it is an import" — in the kernel an earlier cell's binding is a
 *      global that later cells may assign to;
 * 2307 / 2792 "Cannot find module" — cells import from the notebook's folder, which we do not see.
 */
const IGNORED_CODES = new Set([2632, 2307, 2792]);

export const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force, // every cell is a module: top-level await works
  lib: [ROOT_LIB],
  types: [],
  strict: true,
  noImplicitAny: false, // notebook code: untyped callback parameters are fine
  allowUmdGlobalAccess: true, // `math` is mathjs's UMD global
  esModuleInterop: true,
  experimentalDecorators: true,
  useDefineForClassFields: true,
  skipLibCheck: true,
  noEmit: true,
};

const sharedRegistry = ts.createDocumentRegistry(true, "/");

export class NotebookLanguageService {
  readonly notebook = new VirtualNotebook();
  private readonly service: ts.LanguageService;
  private readonly snapshots = new Map<string, ts.IScriptSnapshot>();
  private readonly versions = new Map<string, string>();

  constructor(private readonly types: TypeFiles, registry: ts.DocumentRegistry = sharedRegistry) {
    const nb = this.notebook;
    const host: ts.LanguageServiceHost = {
      getProjectVersion: () => String(nb.projectVersion),
      getScriptFileNames: () => [...types.roots, ...nb.all().map((c) => c.fileName)],
      getScriptVersion: (f) => (nb.cellOfFile(f) ? String(nb.cellOfFile(f)!.version) : this.typesVersion(f)),
      getScriptSnapshot: (f) => this.snapshot(f),
      getCurrentDirectory: () => nb.dir,
      getCompilationSettings: () => COMPILER_OPTIONS,
      getDefaultLibFileName: () => `${LIB_DIR}/${ROOT_LIB}`,
      fileExists: (f) => nb.cellOfFile(f) !== undefined || types.files.has(f),
      readFile: (f) => nb.cellOfFile(f)?.content ?? types.files.get(f),
      directoryExists: (d) => d === nb.dir || [...types.files.keys()].some((f) => f.startsWith(d + "/")),
      getDirectories: () => [],
      useCaseSensitiveFileNames: () => true,
      resolveModuleNameLiterals: (literals, containingFile) => literals.map((lit) => ({ resolvedModule: this.resolve(lit.text, containingFile) })),
    };
    this.service = ts.createLanguageService(host, registry);
  }

  /** Replaces the notebook's code cells, in notebook order. */
  update(cells: readonly CellInput[]): void {
    this.notebook.update(cells);
  }

  /** Updates one cell's text (typing in a cell). */
  updateCell(id: string, text: string): void {
    this.notebook.updateCell(id, text);
  }

  dispose(): void {
    this.service.dispose();
  }

  /**
   * Completion at an offset of a cell. With `omitBuiltinDuplicates`, a plain (non-member) completion
   * leaves out what VS Code's own TypeScript extension already offers in every TypeScript cell —
   * keywords, the ES library's globals, the cell's own top-level names — so the merged list does not
   * show them twice; it keeps what only we know: `rnn`, `math`, `display`, earlier cells' names.
   */
  completions(id: string, offset: number, triggerCharacter?: ts.CompletionsTriggerCharacter, omitBuiltinDuplicates = false): CompletionResult | undefined {
    const at = this.notebook.toVirtual(id, offset);
    if (!at) return undefined;
    const info = this.service.getCompletionsAtPosition(at.fileName, at.offset, {
      triggerCharacter,
      includeCompletionsWithInsertText: true,
      includeCompletionsWithSnippetText: false,
      includeCompletionsForModuleExports: false,
      includeAutomaticOptionalChainCompletions: true,
    });
    if (!info) return undefined;
    let entries = info.entries;
    if (omitBuiltinDuplicates && !info.isMemberCompletion) {
      const libGlobals = libGlobalNames(this.types);
      const own = new Set(this.notebook.cell(id)?.declared ?? []);
      entries = entries.filter((e) => e.kind !== ts.ScriptElementKind.keyword && !own.has(e.name) &&
        !(libGlobals.has(e.name) && e.kindModifiers?.includes("declare")));
    }
    return {
      isMemberCompletion: info.isMemberCompletion,
      entries: entries.map((e) => ({
        name: e.name, kind: e.kind, kindModifiers: e.kindModifiers ?? "", sortText: e.sortText,
        insertText: e.insertText, isSnippet: e.isSnippet, source: e.source, data: e.data,
        replacementSpan: e.replacementSpan && this.cellSpan(at.fileName, e.replacementSpan),
      })),
    };
  }

  completionDetails(id: string, offset: number, entry: Pick<CompletionEntry, "name" | "source" | "data">): Documented | undefined {
    const at = this.notebook.toVirtual(id, offset);
    if (!at) return undefined;
    const d = this.service.getCompletionEntryDetails(at.fileName, at.offset, entry.name, undefined, entry.source, undefined, entry.data);
    if (!d) return undefined;
    return { display: cleanAlias(ts.displayPartsToString(d.displayParts)), documentation: docMarkdown(d.documentation, d.tags) };
  }

  quickInfo(id: string, offset: number): QuickInfo | undefined {
    const at = this.notebook.toVirtual(id, offset);
    if (!at) return undefined;
    const q = this.service.getQuickInfoAtPosition(at.fileName, at.offset);
    if (!q) return undefined;
    const span = this.cellSpan(at.fileName, q.textSpan);
    if (!span) return undefined;
    return { kind: q.kind, span, display: cleanAlias(ts.displayPartsToString(q.displayParts)), documentation: docMarkdown(q.documentation, q.tags) };
  }

  signatureHelp(id: string, offset: number): SignatureHelp | undefined {
    const at = this.notebook.toVirtual(id, offset);
    if (!at) return undefined;
    const h = this.service.getSignatureHelpItems(at.fileName, at.offset, undefined);
    if (!h) return undefined;
    return {
      activeSignature: h.selectedItemIndex,
      activeParameter: h.argumentIndex,
      signatures: h.items.map((item) => {
        let label = ts.displayPartsToString(item.prefixDisplayParts);
        const parameters: SignatureHelp["signatures"][number]["parameters"] = [];
        item.parameters.forEach((p, i) => {
          if (i > 0) label += ts.displayPartsToString(item.separatorDisplayParts);
          const text = ts.displayPartsToString(p.displayParts);
          parameters.push({ label: [label.length, label.length + text.length], documentation: docMarkdown(p.documentation, []) });
          label += text;
        });
        label += ts.displayPartsToString(item.suffixDisplayParts);
        return { label, parameters, documentation: docMarkdown(item.documentation, item.tags) };
      }),
    };
  }

  definition(id: string, offset: number): DefinitionLocation[] {
    const at = this.notebook.toVirtual(id, offset);
    if (!at) return [];
    const defs = this.service.getDefinitionAtPosition(at.fileName, at.offset) ?? [];
    const program = this.service.getProgram();
    const out: DefinitionLocation[] = [];
    for (const d of defs) {
      const cell = this.notebook.toCell(d.fileName, d.textSpan.start);
      if (cell) {
        out.push({ kind: "cell", id: cell.id, span: { start: cell.offset, length: d.textSpan.length } });
        continue;
      }
      const sf = program?.getSourceFile(d.fileName);
      if (!sf || this.notebook.cellOfFile(d.fileName)) continue; // an import in a prelude: generated text
      out.push({
        kind: "types", path: d.fileName,
        start: sf.getLineAndCharacterOfPosition(d.textSpan.start),
        end: sf.getLineAndCharacterOfPosition(d.textSpan.start + d.textSpan.length),
      });
    }
    return out;
  }

  /** Syntactic and semantic diagnostics of one cell, in the cell's coordinates. */
  diagnostics(id: string): CellDiagnostic[] {
    const cell = this.notebook.cell(id);
    if (!cell) return [];
    const out: CellDiagnostic[] = [];
    const add = (d: ts.Diagnostic, syntactic: boolean): void => {
      if (IGNORED_CODES.has(d.code) || d.start === undefined) return;
      let start = d.start - cell.bodyStart;
      let length = d.length ?? 0;
      if (start < 0) return; // in the prelude
      if (start > cell.text.length) {
        // Past the cell: only a syntax error at the end of the module belongs to the cell ("'}' expected").
        if (!syntactic || d.start < cell.content.length - 1) return;
        start = cell.text.length;
        length = 0;
      }
      length = Math.min(length, cell.text.length - start);
      out.push({ span: { start, length }, message: ts.flattenDiagnosticMessageText(d.messageText, "\n"), code: d.code, severity: severityOf(d.category) });
    };
    for (const d of this.service.getSyntacticDiagnostics(cell.fileName)) add(d, true);
    for (const d of this.service.getSemanticDiagnostics(cell.fileName)) add(d, false);
    return out;
  }

  /**
   * A declaration file's version is a hash of its text: the DocumentRegistry shared by all notebooks
   * reuses a parsed file by name and version, which must never hand out another text's parse.
   */
  private typesVersion(fileName: string): string {
    let v = this.versions.get(fileName);
    if (v === undefined) {
      v = hashText(this.types.files.get(fileName) ?? "");
      this.versions.set(fileName, v);
    }
    return v;
  }

  private snapshot(fileName: string): ts.IScriptSnapshot | undefined {
    const cell = this.notebook.cellOfFile(fileName);
    if (cell) return ts.ScriptSnapshot.fromString(cell.content);
    let snap = this.snapshots.get(fileName);
    if (!snap) {
      const text = this.types.files.get(fileName);
      if (text === undefined) return undefined;
      snap = ts.ScriptSnapshot.fromString(text);
      this.snapshots.set(fileName, snap);
    }
    return snap;
  }

  private resolve(specifier: string, containingFile: string): ts.ResolvedModuleFull | undefined {
    const bundled = BUNDLED_MODULES[specifier];
    if (bundled) return { resolvedFileName: bundled, extension: ts.Extension.Dts, isExternalLibraryImport: true };
    const dir = this.notebook.dir;
    if (specifier.startsWith("./") && containingFile.startsWith(dir + "/")) {
      const fileName = `${dir}/${specifier.slice(2)}.ts`;
      if (this.notebook.cellOfFile(fileName)) return { resolvedFileName: fileName, extension: ts.Extension.Ts, isExternalLibraryImport: false };
    }
    return undefined; // "engine/…" are ambient modules of rnn-engine.d.ts; anything else is unknown
  }

  private cellSpan(fileName: string, span: ts.TextSpan): CellSpan | undefined {
    const start = this.notebook.toCell(fileName, span.start);
    const end = this.notebook.toCell(fileName, span.start + span.length);
    if (!start || !end) return undefined;
    return { start: start.offset, length: end.offset - start.offset };
  }
}

const libGlobalsCache = new WeakMap<TypeFiles, Set<string>>();

/** Names declared at the top level of the bundled ES libs (a syntax-only pass, once per bundle). */
export function libGlobalNames(types: TypeFiles): Set<string> {
  let names = libGlobalsCache.get(types);
  if (names) return names;
  names = new Set<string>();
  for (const [path, text] of types.files) {
    if (!path.startsWith(LIB_DIR + "/")) continue;
    const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    for (const st of sf.statements) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
      } else if ((ts.isFunctionDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) ||
        ts.isClassDeclaration(st) || ts.isModuleDeclaration(st)) && st.name && ts.isIdentifier(st.name)) {
        names.add(st.name.text);
      }
    }
  }
  libGlobalsCache.set(types, names);
  return names;
}

/** FNV-1a over the UTF-16 code units, with the length: a cheap content version. */
function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `${text.length}-${(h >>> 0).toString(16)}`;
}

function severityOf(category: ts.DiagnosticCategory): CellDiagnostic["severity"] {
  switch (category) {
    case ts.DiagnosticCategory.Error: return "error";
    case ts.DiagnosticCategory.Warning: return "warning";
    case ts.DiagnosticCategory.Suggestion: return "suggestion";
    default: return "message";
  }
}

/**
 * TypeScript shows names that reach a cell through an import or re-export as aliases:
 * "(alias) const model: Sequential\nimport model" (a name from an earlier cell, through the generated
 * prelude) or "lstm(options: …): Layer\nexport lstm" (an engine function re-exported by its entry).
 * Show what the user means: "const model: Sequential", "function lstm(options: …): Layer".
 */
export function cleanAlias(display: string): string {
  const original = display.split("\n");
  const lines = display.replace(/^\(alias\) /, "").split("\n");
  while (lines.length > 1 && /^(import|export) [\w$]+;?$/.test(lines[lines.length - 1])) lines.pop();
  if (lines.length < original.length && /^[\w$]+(<[^>]*>)?\(/.test(lines[0])) lines[0] = `function ${lines[0]}`;
  return lines.join("\n");
}

/** Doc comment + JSDoc tags as Markdown (the way VS Code's own TypeScript hover lays them out). */
export function docMarkdown(documentation: ts.SymbolDisplayPart[] | undefined, tags: readonly ts.JSDocTagInfo[] | undefined): string {
  const parts: string[] = [];
  const doc = ts.displayPartsToString(documentation ?? []).trim();
  if (doc) parts.push(doc);
  for (const tag of tags ?? []) {
    const text = ts.displayPartsToString(tag.text ?? []).trim();
    if (tag.name === "param" || tag.name === "typeParam") {
      const m = /^(\S+)\s*([\s\S]*)$/.exec(text);
      parts.push(m ? `*@${tag.name}* \`${m[1]}\`${m[2] ? ` — ${m[2]}` : ""}` : `*@${tag.name}*`);
    } else if (tag.name === "example") {
      parts.push(`*@example*\n\`\`\`ts\n${text.replace(/^```\w*\n?|```$/g, "").trim()}\n\`\`\``);
    } else {
      parts.push(`*@${tag.name}*${text ? ` — ${text}` : ""}`);
    }
  }
  return parts.join("\n\n");
}
