/**
 * What differs between VS Code's two extension hosts. The desktop one (Node: node/platform.ts) forks
 * kernel processes that survive a window reload, and runs IntelliSense in a worker thread; the web
 * one (vscode.dev, code-server's web worker host: web/platform.ts) runs the kernel and IntelliSense in
 * Web Workers and reaches files only through vscode.workspace.fs. Everything else in src/extension is
 * the same code in both.
 */
import type * as vscode from "vscode";
import type { KernelClientBase, KernelClientOptions } from "../client/kernelClientBase";
import type { WorkerPort } from "./intellisense/workerClient";

/** Paths as the kernel names them: file paths in the Node kernel, URI strings in the web kernel. */
export interface KernelPaths {
  /** The notebook's folder (the kernel resolves a cell's relative paths from it). */
  folderOf(notebook: vscode.NotebookDocument): string;
  /** `name` inside `dir`. */
  join(dir: string, name: string): string;
  /** `input` — absolute, or relative to `folder` — as an absolute kernel path. */
  resolve(folder: string, input: string): string;
  /** The workspace resource a kernel path names. */
  uri(kernelPath: string): vscode.Uri;
}

export interface Platform {
  readonly kind: "node" | "web";
  /**
   * A client for a notebook's kernel, not started yet. `closedTimeoutMs`: how long a kernel outlives
   * its closed notebook, where kernels can (Node: detached processes); ignored elsewhere.
   */
  kernel(notebook: vscode.NotebookDocument, options: KernelClientOptions, closedTimeoutMs: number): KernelClientBase;
  /** Whether a kernel may have been left running for this notebook (a cheap check; false where none can be). */
  mayHaveLeftKernel(notebook: vscode.NotebookDocument): boolean;
  /** Starts the IntelliSense worker; undefined when this build has none (logged once). */
  readonly intellisenseWorker: (() => WorkerPort) | undefined;
  readonly paths: KernelPaths;
}

/** The notebook's name for messages ("02-lstm.rnnb"). */
export function notebookName(notebook: vscode.NotebookDocument): string {
  return notebook.uri.path.slice(notebook.uri.path.lastIndexOf("/") + 1);
}
