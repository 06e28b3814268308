/**
 * IntelliSense in notebook cells (issue 7): completion, signature help, hover with docs,
 * go-to-definition and diagnostics for TypeScript cells of `rnn-notebook` notebooks (and of
 * `.ipynb` notebooks, where our controller runs TypeScript cells), knowing the engine's `rnn`,
 * mathjs's `math`, the kernel's `display` and every name declared in an earlier cell.
 *
 * This file is the vscode glue only; the work happens in the pure NotebookLanguageService
 * (languageService.ts), one per open notebook, fed the notebook's code cells in order on every
 * request (cheap: unchanged cells keep their script version). Our hover is a provider of its own;
 * VS Code merges it with the parameter-count hover (src/extension/hover/provider.ts).
 */
import * as vscode from "vscode";
import { JUPYTER_NOTEBOOK_TYPE, NOTEBOOK_TYPE } from "../../shared/mime";
import { NotebookLanguageService, type CellDiagnostic, type CellSpan, type CompletionEntry } from "./languageService";
import { TYPES_DIR, loadTypeFiles, type TypeFiles } from "./typeFiles";
import type { CellInput } from "./virtualNotebook";

/** Scheme of the read-only views of the bundled declarations (go-to-definition lands there). */
export const TYPES_SCHEME = "rnn-notebook-types";
const NOTEBOOK_TYPES = [NOTEBOOK_TYPE, JUPYTER_NOTEBOOK_TYPE];
const SELECTOR: vscode.DocumentSelector = NOTEBOOK_TYPES.map((notebookType) => ({ notebookType, language: "typescript" }));
const DIAGNOSTICS_DELAY_MS = 300;

export function registerIntelliSense(context: vscode.ExtensionContext): void {
  const services = new NotebookServices(context.asAbsolutePath("dist/types"));
  const diagnostics = new DiagnosticsScheduler(services);
  context.subscriptions.push(
    services,
    diagnostics,
    vscode.languages.registerCompletionItemProvider(SELECTOR, new CompletionProvider(services), "."),
    vscode.languages.registerSignatureHelpProvider(SELECTOR, new SignatureProvider(services), { triggerCharacters: ["(", ","], retriggerCharacters: [")"] }),
    vscode.languages.registerHoverProvider(SELECTOR, new TypeHoverProvider(services)),
    vscode.languages.registerDefinitionProvider(SELECTOR, new DefinitionProvider(services)),
    vscode.workspace.registerTextDocumentContentProvider(TYPES_SCHEME, {
      provideTextDocumentContent: (uri) => services.typesFileText(TYPES_DIR + uri.path) ?? "",
    }),
  );
}

/** A cell document, its notebook's warm language service, and the cell's id in it. */
interface CellContext {
  service: NotebookLanguageService;
  id: string;
  doc: vscode.TextDocument;
}

/** One language service per open notebook, created on first use and dropped when it closes. */
class NotebookServices implements vscode.Disposable {
  private types: TypeFiles | undefined;
  private loadFailed = false;
  private readonly byNotebook = new Map<string, NotebookLanguageService>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly typesDir: string) {
    this.subscription = vscode.workspace.onDidCloseNotebookDocument((nb) => {
      const key = nb.uri.toString();
      this.byNotebook.get(key)?.dispose();
      this.byNotebook.delete(key);
    });
  }

  /** The notebook's service, synced with its current code cells; undefined for notebooks we do not serve. */
  forNotebook(nb: vscode.NotebookDocument): NotebookLanguageService | undefined {
    if (!NOTEBOOK_TYPES.includes(nb.notebookType) || !this.loadTypes()) return undefined;
    const key = nb.uri.toString();
    let service = this.byNotebook.get(key);
    if (!service) {
      service = new NotebookLanguageService(this.types!);
      this.byNotebook.set(key, service);
    }
    service.update(codeCells(nb));
    return service;
  }

  forCell(doc: vscode.TextDocument): CellContext | undefined {
    if (doc.uri.scheme !== "vscode-notebook-cell") return undefined;
    const nb = notebookOf(doc);
    const service = nb && this.forNotebook(nb);
    return service && { service, id: doc.uri.toString(), doc };
  }

  typesFileText(path: string): string | undefined {
    return this.loadTypes() ? this.types!.files.get(path) : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    for (const s of this.byNotebook.values()) s.dispose();
    this.byNotebook.clear();
  }

  private loadTypes(): boolean {
    if (this.types) return true;
    if (this.loadFailed) return false;
    try {
      this.types = loadTypeFiles(this.typesDir);
      return true;
    } catch (err) {
      this.loadFailed = true;
      console.error(`[rnn-notebook] IntelliSense disabled: cannot read ${this.typesDir}/typings.json (run the build): ${String(err)}`);
      return false;
    }
  }
}

function notebookOf(doc: vscode.TextDocument): vscode.NotebookDocument | undefined {
  return vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document === doc));
}

function codeCells(nb: vscode.NotebookDocument): CellInput[] {
  return nb.getCells()
    .filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === "typescript")
    .map((c) => ({ id: c.document.uri.toString(), text: c.document.getText() }));
}

function toRange(doc: vscode.TextDocument, span: CellSpan): vscode.Range {
  return new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.start + span.length));
}

// ---- completion ---------------------------------------------------------------------------------

class CellCompletionItem extends vscode.CompletionItem {
  constructor(readonly cell: CellContext, readonly offset: number, readonly entry: CompletionEntry) {
    super(entry.name, completionKind(entry.kind));
  }
}

class CompletionProvider implements vscode.CompletionItemProvider<CellCompletionItem> {
  constructor(private readonly services: NotebookServices) {}

  provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position, _token: vscode.CancellationToken, context: vscode.CompletionContext): CellCompletionItem[] | undefined {
    const cell = this.services.forCell(doc);
    if (!cell) return undefined;
    const offset = doc.offsetAt(pos);
    const trigger = context.triggerCharacter === "." ? "." : undefined;
    const result = cell.service.completions(cell.id, offset, trigger, builtinTypeScriptCompletes(doc));
    if (!result) return undefined;
    return result.entries.map((e) => {
      const item = new CellCompletionItem(cell, offset, e);
      item.sortText = e.sortText;
      if (e.insertText !== undefined) item.insertText = e.isSnippet ? new vscode.SnippetString(e.insertText) : e.insertText;
      if (e.replacementSpan) item.range = toRange(doc, e.replacementSpan);
      if (e.kindModifiers.includes("deprecated")) item.tags = [vscode.CompletionItemTag.Deprecated];
      if (e.kindModifiers.includes("optional")) {
        // As VS Code's TypeScript shows it: `returnSequences?`, typed and inserted without the "?".
        item.label = e.name + "?";
        item.filterText = e.name;
        item.insertText ??= e.name;
      }
      return item;
    });
  }

  resolveCompletionItem(item: CellCompletionItem): CellCompletionItem {
    const details = item.cell.service.completionDetails(item.cell.id, item.offset, item.entry);
    if (details) {
      item.detail = details.display;
      if (details.documentation) item.documentation = new vscode.MarkdownString(details.documentation);
    }
    return item;
  }
}

/**
 * Whether VS Code's own TypeScript extension offers completion in this cell too (it does in every
 * TypeScript cell: keywords, globals, the cell's own names); then we leave those out of ours, so the
 * merged list does not show them twice.
 */
function builtinTypeScriptCompletes(doc: vscode.TextDocument): boolean {
  return vscode.extensions.getExtension("vscode.typescript-language-features") !== undefined &&
    vscode.workspace.getConfiguration("typescript.suggest", doc).get<boolean>("enabled", true);
}

const KINDS: Record<string, vscode.CompletionItemKind> = {
  method: vscode.CompletionItemKind.Method,
  function: vscode.CompletionItemKind.Function,
  "local function": vscode.CompletionItemKind.Function,
  constructor: vscode.CompletionItemKind.Constructor,
  property: vscode.CompletionItemKind.Field,
  getter: vscode.CompletionItemKind.Property,
  setter: vscode.CompletionItemKind.Property,
  var: vscode.CompletionItemKind.Variable,
  let: vscode.CompletionItemKind.Variable,
  "local var": vscode.CompletionItemKind.Variable,
  parameter: vscode.CompletionItemKind.Variable,
  alias: vscode.CompletionItemKind.Variable, // a name from an earlier cell
  const: vscode.CompletionItemKind.Constant,
  class: vscode.CompletionItemKind.Class,
  interface: vscode.CompletionItemKind.Interface,
  type: vscode.CompletionItemKind.Interface,
  "type parameter": vscode.CompletionItemKind.TypeParameter,
  enum: vscode.CompletionItemKind.Enum,
  "enum member": vscode.CompletionItemKind.EnumMember,
  module: vscode.CompletionItemKind.Module,
  keyword: vscode.CompletionItemKind.Keyword,
  string: vscode.CompletionItemKind.Value,
};

function completionKind(kind: string): vscode.CompletionItemKind {
  return KINDS[kind] ?? vscode.CompletionItemKind.Property;
}

// ---- signature help, hover, definition ----------------------------------------------------------

class SignatureProvider implements vscode.SignatureHelpProvider {
  constructor(private readonly services: NotebookServices) {}

  provideSignatureHelp(doc: vscode.TextDocument, pos: vscode.Position): vscode.SignatureHelp | undefined {
    const cell = this.services.forCell(doc);
    const help = cell?.service.signatureHelp(cell.id, doc.offsetAt(pos));
    if (!help) return undefined;
    const out = new vscode.SignatureHelp();
    out.signatures = help.signatures.map((s) => {
      const info = new vscode.SignatureInformation(s.label, new vscode.MarkdownString(s.documentation));
      info.parameters = s.parameters.map((p) => new vscode.ParameterInformation(p.label, new vscode.MarkdownString(p.documentation)));
      return info;
    });
    out.activeSignature = help.activeSignature;
    out.activeParameter = help.activeParameter;
    return out;
  }
}

/** Quick info: the declaration as TypeScript shows it, then its doc comment. */
class TypeHoverProvider implements vscode.HoverProvider {
  constructor(private readonly services: NotebookServices) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const cell = this.services.forCell(doc);
    const info = cell?.service.quickInfo(cell.id, doc.offsetAt(pos));
    if (!info) return undefined;
    const md = new vscode.MarkdownString();
    md.appendCodeblock(info.display, "typescript");
    if (info.documentation) md.appendMarkdown("\n\n" + info.documentation);
    return new vscode.Hover(md, toRange(doc, info.span));
  }
}

class DefinitionProvider implements vscode.DefinitionProvider {
  constructor(private readonly services: NotebookServices) {}

  provideDefinition(doc: vscode.TextDocument, pos: vscode.Position): vscode.Location[] | undefined {
    const cell = this.services.forCell(doc);
    if (!cell) return undefined;
    const nb = notebookOf(doc);
    return cell.service.definition(cell.id, doc.offsetAt(pos)).flatMap((d) => {
      if (d.kind === "types") {
        const uri = vscode.Uri.from({ scheme: TYPES_SCHEME, path: d.path.slice(TYPES_DIR.length) });
        return [new vscode.Location(uri, new vscode.Range(d.start.line, d.start.character, d.end.line, d.end.character))];
      }
      const target = nb?.getCells().find((c) => c.document.uri.toString() === d.id)?.document;
      return target ? [new vscode.Location(target.uri, toRange(target, d.span))] : [];
    });
  }
}

// ---- diagnostics --------------------------------------------------------------------------------

/**
 * Type and syntax errors of every code cell, recomputed shortly after the notebook stops changing.
 * A cell only sees earlier cells, so an edit re-checks the edited cell and the cells after it; output
 * and metadata changes (a training cell streaming progress) re-check nothing.
 */
class DiagnosticsScheduler implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection("rnn-notebook");
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Per notebook: the first cell whose diagnostics may be stale (absent: all are current). */
  private readonly dirtyFrom = new Map<string, number>();
  /** Per notebook: the latest diagnostics pass; an older pass stops at its next cell. */
  private readonly generations = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly services: NotebookServices) {
    this.subscriptions = [
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.schedule(nb, 0)),
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        for (const change of e.contentChanges) {
          for (const cell of change.removedCells) this.collection.delete(cell.document.uri);
          this.schedule(e.notebook, change.range.start);
        }
        // A cell whose language changed (its text changes arrive through onDidChangeTextDocument).
        for (const change of e.cellChanges) if (change.document) this.schedule(e.notebook, change.cell.index);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme !== "vscode-notebook-cell" || e.contentChanges.length === 0) return;
        const nb = notebookOf(e.document);
        const index = nb?.getCells().findIndex((c) => c.document === e.document) ?? -1;
        if (nb && index >= 0) this.schedule(nb, index);
      }),
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        const key = nb.uri.toString();
        clearTimeout(this.timers.get(key));
        this.timers.delete(key);
        this.dirtyFrom.delete(key);
        this.generations.delete(key);
        for (const c of nb.getCells()) this.collection.delete(c.document.uri);
      }),
    ];
    for (const nb of vscode.workspace.notebookDocuments) this.schedule(nb, 0);
  }

  /** Marks cells from `from` on as stale and (re)starts the debounce timer. */
  schedule(nb: vscode.NotebookDocument, from: number): void {
    if (!NOTEBOOK_TYPES.includes(nb.notebookType)) return;
    const key = nb.uri.toString();
    this.dirtyFrom.set(key, Math.max(0, Math.min(from, this.dirtyFrom.get(key) ?? from)));
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      if (!nb.isClosed) void this.publish(nb);
    }, DIAGNOSTICS_DELAY_MS));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }

  /**
   * Checks the stale cells in order, one per turn of the event loop so a long notebook never holds
   * the extension host for a whole pass. An edit during the pass moves the stale mark back and the
   * pass follows it; the next timer's pass supersedes this one.
   */
  private async publish(nb: vscode.NotebookDocument): Promise<void> {
    const key = nb.uri.toString();
    const generation = (this.generations.get(key) ?? 0) + 1;
    this.generations.set(key, generation);
    for (;;) {
      const index = this.dirtyFrom.get(key);
      if (index === undefined || nb.isClosed || this.generations.get(key) !== generation) return;
      if (index >= nb.cellCount) {
        this.dirtyFrom.delete(key);
        return;
      }
      const service = this.services.forNotebook(nb); // synced with the cells as they are now
      if (!service) return;
      const cell = nb.cellAt(index);
      const doc = cell.document;
      if (cell.kind === vscode.NotebookCellKind.Code && doc.languageId === "typescript") {
        this.collection.set(doc.uri, service.diagnostics(doc.uri.toString()).map((d) => toDiagnostic(doc, d)));
      } else {
        this.collection.delete(doc.uri);
      }
      if (this.dirtyFrom.get(key) === index) this.dirtyFrom.set(key, index + 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const SEVERITY: Record<CellDiagnostic["severity"], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  suggestion: vscode.DiagnosticSeverity.Hint,
  message: vscode.DiagnosticSeverity.Information,
};

function toDiagnostic(doc: vscode.TextDocument, d: CellDiagnostic): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(toRange(doc, d.span), d.message, SEVERITY[d.severity]);
  diagnostic.source = "rnn-notebook";
  diagnostic.code = d.code;
  return diagnostic;
}
