/**
 * Parameter counts where the layers are written: a hover on every layer call (count, formula, the
 * tensors it is made of, and — once the cell has run — the live model's count from the kernel), and a
 * cell status bar item with each model's total.
 */
import * as vscode from "vscode";
import { JUPYTER_NOTEBOOK_TYPE, NOTEBOOK_TYPE } from "../../shared/mime";
import { formatCount, formatShape } from "../../shared/summaryText";
import { notebookOfCell } from "../notebook/cellNotebook";
import type { RnnNotebookController } from "../notebook/controller";
import { analyzeSource, cellConstants, kerasType, type ConstScope, type LayerSite } from "./analyze";

const SELECTORS: vscode.DocumentSelector = [
  { notebookType: NOTEBOOK_TYPE, language: "typescript" },
  { notebookType: NOTEBOOK_TYPE, language: "javascript" },
  { notebookType: JUPYTER_NOTEBOOK_TYPE, language: "typescript" },
];

/** A scope's identity for caching: constants are plain data (numbers, strings, arrays, objects). */
function scopeKey(consts: ConstScope): string {
  return JSON.stringify([...consts]);
}

/**
 * analyzeSource per document version and visible constants, so hovers and the status bar parse each
 * text once. Keyed by the document object, not its URI: an untitled notebook's cell URI is reused by
 * the next untitled notebook, whose first version has the same number.
 */
class SiteCache {
  private readonly sites = new WeakMap<vscode.TextDocument, { version: number; key: string; sites: LayerSite[] }>();
  private readonly consts = new WeakMap<vscode.TextDocument, { version: number; key: string; after: ConstScope }>();

  get(doc: vscode.TextDocument): LayerSite[] {
    const before = this.scopeBefore(doc);
    const key = scopeKey(before);
    const hit = this.sites.get(doc);
    if (hit && hit.version === doc.version && hit.key === key) return hit.sites;
    const sites = analyzeSource(doc.getText(), before);
    this.sites.set(doc, { version: doc.version, key, sites });
    return sites;
  }

  /** The constants earlier cells of the document's notebook declare (`const T = 20`), in cell order. */
  private scopeBefore(doc: vscode.TextDocument): ConstScope {
    const nb = notebookOfCell(doc);
    let consts: ConstScope = new Map();
    if (!nb) return consts;
    for (const cell of nb.getCells()) {
      if (cell.document === doc) break;
      if (cell.kind !== vscode.NotebookCellKind.Code) continue;
      const key = scopeKey(consts);
      const hit = this.consts.get(cell.document);
      if (hit && hit.version === cell.document.version && hit.key === key) {
        consts = hit.after;
        continue;
      }
      const after = cellConstants(cell.document.getText(), consts);
      this.consts.set(cell.document, { version: cell.document.version, key, after });
      consts = after;
    }
    return consts;
  }
}

export function registerParamHovers(context: vscode.ExtensionContext, controller: RnnNotebookController): void {
  const cache = new SiteCache();
  context.subscriptions.push(
    vscode.languages.registerHoverProvider(SELECTORS, {
      provideHover: (doc, pos) => provideHover(controller, cache, doc, pos).catch((e: unknown) => {
        console.error("[rnn-notebook] parameter hover failed:", e);
        return undefined;
      }),
    }),
    vscode.notebooks.registerNotebookCellStatusBarItemProvider(NOTEBOOK_TYPE, {
      provideCellStatusBarItems: (cell) => statusItems(cache, cell),
    }),
  );
}

async function provideHover(controller: RnnNotebookController, cache: SiteCache, doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
  const nb = notebookOfCell(doc);
  // An .ipynb whose kernel is another one (Deno, tslab): its `rnn` is not ours.
  if (nb && !controller.serves(nb)) return undefined;
  const offset = doc.offsetAt(pos);
  const site = cache.get(doc).find((s) => s.start <= offset && offset <= s.end);
  if (!site) return modelHover(cache, doc, nb, pos);
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(describe(site));
  const live = await liveCount(controller, nb, site);
  if (live) md.appendMarkdown(live);
  return new vscode.Hover(md, new vscode.Range(doc.positionAt(site.start), doc.positionAt(site.end)));
}

function title(site: LayerSite): string {
  return site.factory.startsWith("nn.") ? `rnn.${site.factory}` : `rnn.${site.factory} (${kerasType(site.factory)})`;
}

/** The static part of the hover: count, formula, tensor breakdown, shapes. */
export function describe(site: LayerSite): string {
  const lines: string[] = [];
  if (site.count) {
    lines.push(`**${title(site)}** — **${formatCount(site.count.total)}** parameters`, "");
    if (site.count.formula) lines.push("`" + site.count.formula + "`", "");
    if (site.other && site.other.total !== site.count.total) {
      const keras = site.factory.startsWith("nn.");
      lines.push(`${keras ? "Keras" : "PyTorch"} convention (${keras ? "one bias" : "two biases, b_ih and b_hh"}): ` +
        `**${formatCount(site.other.total)}** — \`${site.other.formula}\``, "");
    }
    // The tensors on one line, after the count and formula: a table made the hover scroll.
    if (site.count.tensors.length > 0) {
      lines.push("Tensors: " + site.count.tensors.map((t) => `\`${t.name}\` [${t.shape.join(", ")}] ${formatCount(t.count)}`).join(" · "), "");
    }
  } else {
    // Never 0 or a guess: a size computed at run time is counted by the kernel once the cell ran (below).
    lines.push(`**${title(site)}** — parameters unknown until the cell runs: ${site.problem ?? "its sizes are not known from the source"}`, "");
  }
  if (site.inputShape && site.outputShape) {
    lines.push(`input ${formatShape([null, ...site.inputShape])} → output ${formatShape([null, ...site.outputShape])}`, "");
  }
  return lines.join("\n");
}

/** Hovering a model variable (anywhere in the notebook) shows the total counted from its definition. */
function modelHover(cache: SiteCache, doc: vscode.TextDocument, nb: vscode.NotebookDocument | undefined, pos: vscode.Position): vscode.Hover | undefined {
  const range = doc.getWordRangeAtPosition(pos, /[A-Za-z_$][\w$]*/);
  if (!range) return undefined;
  const word = doc.getText(range);
  const docs = nb ? nb.getCells().map((c) => c.document) : [doc];
  const layers = docs.flatMap((d) => cache.get(d)).filter((s) => s.model === word && s.index !== undefined);
  if (layers.length === 0) return undefined;
  const total = layers.reduce((a, s) => a + (s.count?.total ?? 0), 0);
  const complete = layers.every((s) => s.count);
  const md = new vscode.MarkdownString(`**${word}** — ${layers.length} layers, **${formatCount(total)}${complete ? "" : "+"}** parameters (counted from the source)`);
  return new vscode.Hover(md, range);
}

/** After the cell has run, the kernel's own count for this layer of the live model. */
async function liveCount(controller: RnnNotebookController, nb: vscode.NotebookDocument | undefined, site: LayerSite): Promise<string | undefined> {
  if (site.model === undefined || site.index === undefined) return undefined;
  const kernel = nb && controller.kernelOf(nb);
  if (!kernel || kernel.isRunningCell) return undefined;
  const summary = await kernel.inspect({ kind: "summary", name: site.model }, 1500);
  if (!summary || "error" in summary) return undefined;
  const row = summary.layers?.[site.index];
  if (!row) return undefined;
  const agrees = site.count ? (site.count.total === row.params ? " ✓" : ` (the source says ${formatCount(site.count.total)}; the cell may have changed since it ran)`) : "";
  return `\n---\n**Live model \`${site.model}\`** (kernel): layer \`${row.name}\` has **${formatCount(row.params)}** parameters${agrees}; ` +
    `model total ${formatCount(summary.totalParams)}.\n`;
}

function statusItems(cache: SiteCache, cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem[] {
  if (cell.kind !== vscode.NotebookCellKind.Code) return [];
  const totals = new Map<string, { total: number; complete: boolean }>();
  for (const s of cache.get(cell.document)) {
    if (s.index === undefined) continue;
    const key = s.model ?? "model";
    const t = totals.get(key) ?? { total: 0, complete: true };
    if (s.count) t.total += s.count.total;
    else t.complete = false;
    totals.set(key, t);
  }
  // a model whose layers could not be counted at all (built by a helper function, say) shows nothing
  return [...totals].filter(([, t]) => t.complete || t.total > 0).map(([name, t]) => {
    const item = new vscode.NotebookCellStatusBarItem(
      `$(symbol-numeric) ${name}: ${formatCount(t.total)}${t.complete ? "" : "+"} params`,
      vscode.NotebookCellStatusBarAlignment.Right,
    );
    item.tooltip = t.complete ? `Total parameters of ${name}, counted from the source` : "Some layers could not be counted from the source";
    item.command = { title: "Show Model Summary", command: "rnnNotebook.showModelSummary", arguments: [name] };
    return item;
  });
}
