/**
 * Messages between a kernel client (src/client: the extension's, the runner's) and the kernel process, over the IPC channel
 * of child_process.fork, or over a detached kernel's socket (src/kernel/channel.ts) — structured clone of plain JSON
 * values either way. One kernel process per notebook.
 */
import type { MimeBundle } from "./mime";
import type { SummaryPayload, WhatIfInput, WhatIfView } from "./payloads";
import type { RunRecord } from "./runLedger";

/** Client → kernel. */
export type ToKernel =
  | { type: "execute"; id: number; code: string; /** 1-based cell number, for messages and stack frames */ cell: number; /** a file name for stack traces */ filename: string }
  | { type: "interrupt" }
  | { type: "inspect"; id: number; query: InspectQuery }
  /** The notebook's run ledger (records oldest first, already checked and capped), sent when a kernel
   * starts so `rnn.runs.list()` sees the runs of earlier sessions and new ids continue after them. */
  | { type: "ledger"; records: RunRecord[]; droppedRuns?: number }
  /** Ends the kernel: module-loop runs still open are recorded as interrupted first. */
  | { type: "shutdown" };

/**
 * Inspect requests by kind: what the client asks (besides `kind`) and what the kernel answers
 * (src/kernel/inspect.ts), as the IntelliSense worker's protocol does it.
 */
export interface InspectKinds {
  /** The models among the live top-level variables. */
  models: { query: Record<never, never>; result: LiveModel[] };
  /** One live model's summary; null when `name` is not a live model. `convention`: count in that
   * convention when the model supports it (Keras models: "torch" gives two biases). */
  summary: { query: { name: string; convention?: "keras" | "torch" }; result: SummaryPayload | null };
  /** Writes model.py, weights.safetensors, check.py, reference.safetensors for a live model.
   * `dir` is absolute or relative to the notebook's folder. */
  exportPyTorch: { query: { name: string; dir: string }; result: ExportPyTorchResult | InspectFailure };
  /** Recomputes an editable view (a payload's `whatIf.handle`) on `input`, on the live model, without
   * running a cell; without `input`, only says whether the handle is still kept. */
  whatIf: { query: { view: WhatIfView; handle: string; input?: WhatIfInput }; result: WhatIfResult };
  /** The PyTorch export plus data.safetensors and train.py (DDP) for a live model, trained on the live
   * variables `x` and `y` with the fit options in `options` (plain JSON: loss, epochs, batchSize, …). */
  exportTraining: { query: { name: string; dir: string; x: string; y: string; options?: Record<string, unknown> }; result: ExportTrainingResult | InspectFailure };
}

/**
 * The answer to a whatIf query: the view's new payload (its custom mime's value, with `whatIf` naming
 * the same handle and the new input) and how long the kernel took; or why not — "stale": the kernel
 * no longer has the handle (restarted, or the view fell out of the kept ones): re-run the cell;
 * "input": the input cannot be used (a character outside the vocabulary, a wrong length).
 */
export type WhatIfResult =
  | { ok: true; payload?: unknown; ms: number }
  | { ok: false; reason: "stale" | "input"; message: string };

export type InspectKind = keyof InspectKinds;

/** One inspect request: `{ kind: "summary", name: "model" }`. */
export type InspectQuery<K extends InspectKind = InspectKind> = K extends InspectKind ? { kind: K } & InspectKinds[K]["query"] : never;

/** The kernel's answer to a query of kind K. */
export type InspectResult<K extends InspectKind = InspectKind> = InspectKinds[K]["result"];

/** A query the kernel could not answer (answering it threw: a model in a broken state, say). */
export interface InspectFailure {
  error: string;
}

/** What an exportPyTorch query (and `model.exportPyTorch(dir)` in a cell) returns. */
export interface ExportPyTorchResult {
  /** Absolute folder the files were written to. */
  dir: string;
  /** File names written there. */
  files: string[];
  /** A command line that runs the check. */
  check: string;
}

/** What an exportTraining query (and `model.exportTraining(dir, options)` in a cell) returns. */
export interface ExportTrainingResult {
  /** Absolute folder the files were written to. */
  dir: string;
  /** File names written there. */
  files: string[];
  /** The torchrun command line that trains it (one process; raise --nproc_per_node for more). */
  run: string;
}

/** A live model as listed by an inspect "models" query. */
export interface LiveModel {
  name: string;
  type: string;
  totalParams: number;
}

/** Kernel → client. */
export type FromKernel =
  /** The kernel can take requests. A detached kernel says it to every client that attaches, with the
   * cell running at that moment (its outputs so far follow, then live ones, then its "done"). */
  | { type: "ready"; /** the kernel process's pid; a Worker kernel has none */ pid?: number; running?: { id: number; cell: number } }
  | { type: "stream"; id: number; name: "stdout" | "stderr"; text: string }
  /** A rich output; when displayId is repeated the output with that id is replaced in place. */
  | { type: "display"; id: number; displayId?: string; bundle: MimeBundle }
  /** The value of the cell's last expression (absent when undefined). */
  | { type: "result"; id: number; bundle: MimeBundle }
  | { type: "error"; id: number; name: string; message: string; stack: string }
  /** "stopped": interrupted, and the cell's code ran to its end anyway (a fit that stopped at a batch
   * boundary, a loop that checks `rnn.signal`): not a failure. "interrupted": the interrupt cut the
   * cell off (it threw the abort, or was abandoned while still awaiting). */
  | { type: "done"; id: number; status: "ok" | "error" | "interrupted" | "stopped" }
  | { type: "inspectResult"; id: number; result: InspectResult | InspectFailure }
  /** A run ended (a fit resolved, `run.end()`, an interrupted module loop): the client appends it to the
   * notebook's run ledger (src/shared/runLedger.ts). */
  | { type: "run"; record: RunRecord }
  /** Something happened outside a running cell (an error thrown in a timer after the cell ended). */
  | { type: "background"; name: "stdout" | "stderr"; text: string };

/**
 * The browser Worker kernel (src/kernel/web/worker.ts) speaks ToKernel / FromKernel through
 * postMessage (structured clone) like the Node kernel, plus these. Its first message is `webInit`, and
 * it answers `{ type: "ready" }` (a Worker has no pid). Workspace files are the client's
 * (vscode.workspace.fs): the worker asks with `file` requests and the client answers each with a
 * `fileReply` of the same id.
 */
export interface WebKernelInit {
  type: "webInit";
  /** The notebook's folder as a URI string ("file:///home/u/proj", "vscode-remote://…/proj"): cells' relative paths start there. */
  folder: string;
  /** The rnnNotebook.output.maxBytes setting (the Node kernel's RNN_NOTEBOOK_MAX_OUTPUT_BYTES). */
  maxOutputBytes?: number;
}

/**
 * Worker → client. stat: what is at `uri`; read: a file's bytes; write: replace the file with `content`
 * (creating its folders). Requests are answered in any order; writes are sent in the order cells made them.
 */
export interface WebFileRequest {
  type: "file";
  id: number;
  op: "stat" | "read" | "write";
  /** An absolute URI string (the init folder's scheme and authority). */
  uri: string;
  /** write only. */
  content?: Uint8Array;
}

/** Client → worker: the answer to the `file` request `id`. */
export type WebFileReply =
  | {
    type: "fileReply"; id: number; ok: true;
    /** stat: what is there. */
    kind?: "file" | "folder" | "none";
    /** read: the file's bytes. */
    content?: Uint8Array;
    /** stat of a folder: the names of the files in it (not of its sub-folders). */
    entries?: string[];
  }
  | { type: "fileReply"; id: number; ok: false; error: string };

/** Client → browser Worker kernel. */
export type ToWebKernel = ToKernel | WebKernelInit | WebFileReply;

/** Browser Worker kernel → client. */
export type FromWebKernel = Exclude<FromKernel, { type: "ready" }> | { type: "ready" } | WebFileRequest;
