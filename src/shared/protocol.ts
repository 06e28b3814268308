/**
 * Messages between the extension host (kernel client) and the kernel process, over the IPC channel
 * of child_process.fork (structured clone of plain JSON values). One kernel process per notebook.
 */
import type { MimeBundle } from "./mime";

/** Extension → kernel. */
export type ToKernel =
  | { type: "execute"; id: number; code: string; /** 1-based cell number, for messages and stack frames */ cell: number; /** a file name for stack traces */ filename: string }
  | { type: "interrupt" }
  | { type: "inspect"; id: number; query: InspectQuery }
  | { type: "shutdown" };

export type InspectQuery =
  | { kind: "models" }
  /** convention: count in that convention when the model supports it (Keras models: "torch" gives two biases). */
  | { kind: "summary"; name: string; convention?: "keras" | "torch" }
  /** Writes model.py, weights.safetensors, check.py, reference.safetensors for a live model (issue 8);
   * answered with ExportPyTorchResult, or `{ error }`. `dir` is absolute or relative to the notebook's folder. */
  | { kind: "exportPyTorch"; name: string; dir: string };

/** What an exportPyTorch query (and `model.exportPyTorch(dir)` in a cell) returns. */
export interface ExportPyTorchResult {
  /** Absolute folder the files were written to. */
  dir: string;
  /** File names written there. */
  files: string[];
  /** A command line that runs the check. */
  check: string;
}

/** A live model as listed by an inspect "models" query. */
export interface LiveModel {
  name: string;
  type: string;
  totalParams: number;
}

/** Kernel → extension. */
export type FromKernel =
  | { type: "ready"; pid: number }
  | { type: "stream"; id: number; name: "stdout" | "stderr"; text: string }
  /** A rich output; when displayId is repeated the output with that id is replaced in place. */
  | { type: "display"; id: number; displayId?: string; bundle: MimeBundle }
  /** The value of the cell's last expression (absent when undefined). */
  | { type: "result"; id: number; bundle: MimeBundle }
  | { type: "error"; id: number; name: string; message: string; stack: string }
  | { type: "done"; id: number; status: "ok" | "error" | "interrupted" }
  | { type: "inspectResult"; id: number; result: unknown }
  /** Something happened outside a running cell (an error thrown in a timer after the cell ended). */
  | { type: "background"; name: "stdout" | "stderr"; text: string };
