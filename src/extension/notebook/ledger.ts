/**
 * The run ledger of an open notebook (src/shared/runLedger.ts): read from its metadata for a kernel
 * that starts, and each run the kernel reports appended with a WorkspaceEdit (the notebook becomes
 * dirty; saving writes the ledger into the file). Both .rnnb and .ipynb keep the file's notebook-level
 * metadata under `notebook.metadata.metadata`, so the ledger is at `notebook.metadata.metadata.runLedger`.
 *
 * A ledger the file holds that cannot be used is left exactly as it is (never overwritten) and
 * reported once per kernel session; runs are then not recorded into it.
 */
import * as vscode from "vscode";
import { LEDGER_KEY, ledgerForKernel, ledgerState, ledgerWithRun, unusableLedgerMessage, type LedgerState, type RunRecord } from "../../shared/runLedger";

type Metadata = Record<string, unknown>;

function fileMetadata(notebook: vscode.NotebookDocument): Metadata {
  const m = (notebook.metadata as Metadata | undefined)?.metadata;
  return typeof m === "object" && m !== null && !Array.isArray(m) ? m as Metadata : {};
}

/** The notebook's ledger as it is now. */
export function notebookLedger(notebook: vscode.NotebookDocument): LedgerState {
  return ledgerState(fileMetadata(notebook));
}

/** One notebook's ledger writer: appends in the order runs arrive, one edit at a time. */
export class NotebookLedger {
  private chain: Promise<void> = Promise.resolve();
  private warned = false;

  constructor(private readonly notebook: vscode.NotebookDocument, private readonly warn: (message: string) => void) {}

  /** What a starting kernel gets: the records within the cap (none when the ledger cannot be used). */
  forKernel(): { records: RunRecord[]; droppedRuns?: number } {
    const s = notebookLedger(this.notebook);
    if (s.state === "unusable") this.report(s.error);
    return ledgerForKernel(s);
  }

  /** Appends a run (after the ones before it); resolves when the edit was applied or refused. */
  append(record: RunRecord): Promise<void> {
    this.chain = this.chain.then(() => this.write(record), () => this.write(record));
    return this.chain;
  }

  private async write(record: RunRecord): Promise<void> {
    const nb = this.notebook;
    if (nb.isClosed) return;
    const next = ledgerWithRun(notebookLedger(nb), record);
    if (!next.ok) {
      this.report(next.error);
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    const metadata = { ...(nb.metadata as Metadata), metadata: { ...fileMetadata(nb), [LEDGER_KEY]: next.ledger } };
    edit.set(nb.uri, [vscode.NotebookEdit.updateNotebookMetadata(metadata)]);
    if (!(await vscode.workspace.applyEdit(edit))) this.warn(vscode.l10n.t("The run {0} could not be written into the notebook's run ledger.", record.id));
  }

  private report(error: string): void {
    if (this.warned) return;
    this.warned = true;
    this.warn(unusableLedgerMessage(error));
  }
}
