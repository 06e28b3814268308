/**
 * IntelliSense in notebook cells: completion, signature help, hover with docs,
 * go-to-definition and diagnostics for TypeScript cells of `rnn-notebook` notebooks (and of
 * `.ipynb` notebooks, where our controller runs TypeScript cells), knowing the engine's `rnn`,
 * mathjs's `math`, the kernel's `display` and every name declared in an earlier cell.
 *
 * This file is the vscode glue only. The work happens in the pure NotebookLanguageService
 * (languageService.ts), one per open notebook, inside a worker thread (worker.ts, protocol.ts), so
 * building a program (seconds, cold) or checking a long notebook never blocks the extension host.
 * Every request carries the notebook's code cells in order (cheap: unchanged cells keep their script
 * version). Our hover is a provider of its own; VS Code merges it with the parameter-count hover
 * (src/extension/hover/provider.ts).
 */
import * as vscode from "vscode";
import { JUPYTER_NOTEBOOK_TYPE, NOTEBOOK_TYPE } from "../../shared/mime";
import { notebookOfCell } from "../notebook/cellNotebook";
import type { CellDiagnostic, CellSpan, CompletionEntry } from "./languageService";
import type { Op, Ops } from "./protocol";
import { TYPES_DIR } from "./typeFiles";
import type { CellInput } from "./virtualNotebook";
import { IntelliSenseWorker, type WorkerPort } from "./workerClient";

/** Scheme of the read-only views of the bundled declarations (go-to-definition lands there). */
export const TYPES_SCHEME = "rnn-notebook-types";
const NOTEBOOK_TYPES = [NOTEBOOK_TYPE, JUPYTER_NOTEBOOK_TYPE];
const SELECTOR: vscode.DocumentSelector = NOTEBOOK_TYPES.map((notebookType) => ({ notebookType, language: "typescript" }));
const DIAGNOSTICS_DELAY_MS = 300;

/**
 * Which notebooks are ours to serve: every .rnnb; an .ipynb only while its kernel is (or by its
 * kernelspec would be) ours — the controller decides (RnnNotebookController.serves).
 */
export interface NotebookScope {
  serves(nb: vscode.NotebookDocument): boolean;
  readonly onDidChangeServed: vscode.Event<vscode.NotebookDocument>;
}

/** Without a controller (tests of this module alone): every notebook of our two types. */
const ALL_OF_OUR_TYPES: NotebookScope = { serves: (nb) => NOTEBOOK_TYPES.includes(nb.notebookType), onDidChangeServed: () => ({ dispose() {} }) };

/** `startWorker`: the host's IntelliSense worker (src/extension/platform.ts); undefined: no IntelliSense in cells. */
export function registerIntelliSense(context: vscode.ExtensionContext, startWorker: (() => WorkerPort) | undefined, scope: NotebookScope = ALL_OF_OUR_TYPES): void {
  const services = new NotebookServices(startWorker, scope);
  const diagnostics = new DiagnosticsScheduler(services);
  // Our kernel selected for an .ipynb, or switched away from: check its cells again, or clear them.
  context.subscriptions.push(scope.onDidChangeServed((nb) => diagnostics.schedule(nb, 0)));
  context.subscriptions.push(
    services,
    diagnostics,
    vscode.languages.registerCompletionItemProvider(SELECTOR, new CompletionProvider(services), "."),
    vscode.languages.registerSignatureHelpProvider(SELECTOR, new SignatureProvider(services), { triggerCharacters: ["(", ","], retriggerCharacters: [")"] }),
    vscode.languages.registerHoverProvider(SELECTOR, new TypeHoverProvider(services)),
    vscode.languages.registerDefinitionProvider(SELECTOR, new DefinitionProvider(services)),
    vscode.workspace.registerTextDocumentContentProvider(TYPES_SCHEME, {
      provideTextDocumentContent: async (uri) => (await services.request("typesFileText", undefined, { path: TYPES_DIR + uri.path })) ?? "",
    }),
  );
}

/** A cell document, its notebook, and the cell's id in the notebook's language service. */
interface CellContext {
  nb: vscode.NotebookDocument;
  id: string;
  doc: vscode.TextDocument;
}

/** Requests to the worker's language services, one per open notebook (dropped when it closes). */
class NotebookServices implements vscode.Disposable {
  private readonly worker: IntelliSenseWorker | undefined;
  private readonly subscription: vscode.Disposable;
  private warned = false;

  constructor(startWorker: (() => WorkerPort) | undefined, private readonly scope: NotebookScope) {
    if (startWorker) this.worker = new IntelliSenseWorker(startWorker, (m) => console.warn(`[rnn-notebook] ${m}`));
    this.subscription = vscode.workspace.onDidCloseNotebookDocument((nb) => {
      if (NOTEBOOK_TYPES.includes(nb.notebookType)) void this.worker?.request("close", nb.uri.toString(), undefined, {}).catch(() => undefined);
    });
  }

  forCell(doc: vscode.TextDocument): CellContext | undefined {
    if (doc.uri.scheme !== "vscode-notebook-cell" || !this.worker) return undefined;
    const nb = notebookOfCell(doc);
    return nb && this.served(nb) ? { nb, id: doc.uri.toString(), doc } : undefined;
  }

  /** Whether a notebook's cells get our language features. */
  served(nb: vscode.NotebookDocument): boolean {
    return NOTEBOOK_TYPES.includes(nb.notebookType) && this.scope.serves(nb);
  }

  /**
   * One request about a notebook (with its code cells as they are now), or about the bundled
   * declarations (nb undefined). Failures are logged once and answered with undefined.
   */
  async request<K extends Op>(op: K, nb: vscode.NotebookDocument | undefined, args: Ops[K]["args"]): Promise<Ops[K]["result"] | undefined> {
    if (!this.worker) return undefined;
    try {
      return await this.worker.request(op, nb?.uri.toString() ?? "", nb && codeCells(nb), args);
    } catch (err) {
      if (!this.warned) console.error(`[rnn-notebook] IntelliSense request ${op} failed: ${String(err)}`);
      this.warned = true;
      return undefined;
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.worker?.dispose();
  }
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

  async provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position, _token: vscode.CancellationToken, context: vscode.CompletionContext): Promise<CellCompletionItem[] | undefined> {
    const cell = this.services.forCell(doc);
    if (!cell) return undefined;
    const offset = doc.offsetAt(pos);
    const trigger = context.triggerCharacter === "." ? "." : undefined;
    const result = await this.services.request("completions", cell.nb, { id: cell.id, offset, trigger, omitBuiltinDuplicates: builtinTypeScriptCompletes(doc) });
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

  async resolveCompletionItem(item: CellCompletionItem): Promise<CellCompletionItem> {
    const { name, source, data } = item.entry;
    const details = await this.services.request("completionDetails", item.cell.nb, { id: item.cell.id, offset: item.offset, entry: { name, source, data } });
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

  async provideSignatureHelp(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.SignatureHelp | undefined> {
    const cell = this.services.forCell(doc);
    const help = cell && (await this.services.request("signatureHelp", cell.nb, { id: cell.id, offset: doc.offsetAt(pos) }));
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

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const cell = this.services.forCell(doc);
    const info = cell && (await this.services.request("quickInfo", cell.nb, { id: cell.id, offset: doc.offsetAt(pos) }));
    if (!info) return undefined;
    const md = new vscode.MarkdownString();
    md.appendCodeblock(info.display, "typescript");
    if (info.documentation) md.appendMarkdown("\n\n" + info.documentation);
    return new vscode.Hover(md, toRange(doc, info.span));
  }
}

class DefinitionProvider implements vscode.DefinitionProvider {
  constructor(private readonly services: NotebookServices) {}

  async provideDefinition(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Location[] | undefined> {
    const cell = this.services.forCell(doc);
    if (!cell) return undefined;
    const nb = cell.nb;
    const definitions = (await this.services.request("definition", nb, { id: cell.id, offset: doc.offsetAt(pos) })) ?? [];
    return definitions.flatMap((d) => {
      if (d.kind === "types") {
        const uri = vscode.Uri.from({ scheme: TYPES_SCHEME, path: d.path.slice(TYPES_DIR.length) });
        return [new vscode.Location(uri, new vscode.Range(d.start.line, d.start.character, d.end.line, d.end.character))];
      }
      const target = nb.getCells().find((c) => c.document.uri.toString() === d.id)?.document;
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
        const nb = notebookOfCell(e.document);
        const index = nb?.getCells().findIndex((c) => c.document === e.document) ?? -1;
        if (nb && index >= 0) this.schedule(nb, index);
      }),
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        const key = nb.uri.toString();
        clearTimeout(this.timers.get(key));
        this.timers.delete(key);
        this.dirtyFrom.delete(key);
        for (const c of nb.getCells()) this.collection.delete(c.document.uri);
      }),
    ];
    for (const nb of vscode.workspace.notebookDocuments) this.schedule(nb, 0);
  }

  /** Marks cells from `from` on as stale and (re)starts the debounce timer. */
  schedule(nb: vscode.NotebookDocument, from: number): void {
    if (!NOTEBOOK_TYPES.includes(nb.notebookType)) return;
    if (!this.services.served(nb)) {
      // not ours (any more): no diagnostics of ours on its cells
      for (const c of nb.getCells()) this.collection.delete(c.document.uri);
      return;
    }
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
   * Checks the stale cells, one request per cell, so a completion asked meanwhile waits for one cell's
   * check at most (the worker answers in order). Stops where a newer edit made cells stale again: the
   * pass that edit scheduled takes over. A cell edited while its answer was on its way keeps its old
   * diagnostics until then, as their positions may have moved.
   */
  private async publish(nb: vscode.NotebookDocument): Promise<void> {
    const key = nb.uri.toString();
    const from = this.dirtyFrom.get(key);
    this.dirtyFrom.delete(key);
    if (from === undefined) return;
    for (const cell of nb.getCells().slice(from)) {
      const newer = this.dirtyFrom.get(key);
      if (nb.isClosed || (newer !== undefined && newer <= cell.index)) return;
      const doc = cell.document;
      if (!isCode(cell)) {
        this.collection.delete(doc.uri);
        continue;
      }
      const version = doc.version;
      const [diagnostics] = (await this.services.request("diagnostics", nb, { ids: [doc.uri.toString()] })) ?? [];
      if (diagnostics && doc.version === version && !doc.isClosed) this.collection.set(doc.uri, diagnostics.map((d) => toDiagnostic(doc, d)));
    }
  }
}

function isCode(cell: vscode.NotebookCell): boolean {
  return cell.kind === vscode.NotebookCellKind.Code && cell.document.languageId === "typescript";
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
