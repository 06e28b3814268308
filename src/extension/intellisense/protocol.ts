/**
 * Messages between the extension host and the IntelliSense worker thread (worker.ts), which owns the
 * TypeScript language services so that building a program (seconds, cold) or checking a long notebook
 * never blocks the extension host. Every request carries the notebook's code cells in order; the
 * worker's service keeps unchanged cells' script versions, so sending them is cheap.
 */
import type { CellDiagnostic, CompletionEntry, CompletionResult, DefinitionLocation, Documented, QuickInfo, SignatureHelp } from "./languageService";
import type { CellInput } from "./virtualNotebook";

/** Requests by operation: what the worker needs and what it answers. */
export interface Ops {
  completions: { args: { id: string; offset: number; trigger?: "."; omitBuiltinDuplicates: boolean }; result: CompletionResult | undefined };
  completionDetails: { args: { id: string; offset: number; entry: Pick<CompletionEntry, "name" | "source" | "data"> }; result: Documented | undefined };
  quickInfo: { args: { id: string; offset: number }; result: QuickInfo | undefined };
  signatureHelp: { args: { id: string; offset: number }; result: SignatureHelp | undefined };
  definition: { args: { id: string; offset: number }; result: DefinitionLocation[] };
  /** Diagnostics of the given cells (ids), in that order. */
  diagnostics: { args: { ids: string[] }; result: CellDiagnostic[][] };
  /** Text of a bundled declaration file (no notebook needed). */
  typesFileText: { args: { path: string }; result: string | undefined };
  /** Forgets a closed notebook. */
  close: { args: Record<string, never>; result: void };
}

export type Op = keyof Ops;

export interface WorkerRequest<K extends Op = Op> {
  seq: number;
  op: K;
  /** Notebook key (its URI); "" for typesFileText. */
  notebook: string;
  /** The notebook's code cells in order; absent for typesFileText and close. */
  cells?: CellInput[];
  args: Ops[K]["args"];
}

export type WorkerResponse = { seq: number; result: unknown } | { seq: number; error: string };

/** What the worker is started with (workerData). */
export interface WorkerData {
  /** Folder holding typings.json (dist/types). */
  typesDir: string;
}
