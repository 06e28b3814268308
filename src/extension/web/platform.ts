/**
 * VS Code's web worker extension host (vscode.dev, code-server's web host): no process can be started
 * and no file read but through vscode.workspace.fs. The kernel (dist/web/kernelWorker.js) and
 * IntelliSense (dist/web/intellisenseWorker.js) run in Web Workers started from `blob:` URLs — a
 * worker from the extension's own resource URL is refused, its origin is not the extension host's
 * (vscode#168942). Kernel paths are URI strings; kernels end with their window (nothing to reattach).
 */
import * as vscode from "vscode";
import { WorkerKernelClient, type WorkerFiles, type WorkerLike } from "../../client/workerKernel";
import type { WorkerPort } from "../intellisense/workerClient";
import type { WebWorkerInit } from "../intellisense/webWorker";
import type { KernelPaths, Platform } from "../platform";

/** A URI string in a kernel path's place: "file:///…", "vscode-remote://…", "vscode-vfs://…". */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

const paths: KernelPaths = {
  folderOf(notebook) {
    if (notebook.uri.scheme !== "untitled") return vscode.Uri.joinPath(notebook.uri, "..").toString();
    return (vscode.workspace.workspaceFolders?.[0]?.uri ?? notebook.uri.with({ path: "/" })).toString();
  },
  join: (dir, name) => vscode.Uri.joinPath(vscode.Uri.parse(dir), name).toString(),
  resolve(folder, input) {
    if (SCHEME.test(input)) return vscode.Uri.parse(input).toString();
    const base = vscode.Uri.parse(folder);
    return (input.startsWith("/") ? base.with({ path: input }) : vscode.Uri.joinPath(base, input)).toString();
  },
  uri: (p) => vscode.Uri.parse(p),
};

/** The workspace's files as a web kernel asks for them. */
const workspaceFiles: WorkerFiles = {
  async stat(uri) {
    const u = vscode.Uri.parse(uri);
    let type: vscode.FileType;
    try {
      type = (await vscode.workspace.fs.stat(u)).type;
    } catch (e) {
      if (e instanceof vscode.FileSystemError && e.code === "FileNotFound") return { kind: "none" };
      throw e;
    }
    if ((type & vscode.FileType.Directory) === 0) return { kind: "file" };
    const entries = (await vscode.workspace.fs.readDirectory(u)).filter(([, t]) => (t & vscode.FileType.File) !== 0).map(([name]) => name);
    return { kind: "folder", entries };
  },
  read: async (uri) => vscode.workspace.fs.readFile(vscode.Uri.parse(uri)),
  // workspace.fs.writeFile creates missing parent folders.
  write: (uri, content) => Promise.resolve(vscode.workspace.fs.writeFile(vscode.Uri.parse(uri), content)),
};

/**
 * A Worker whose script is still being read: messages wait until it runs, and terminate before then
 * means it never starts. Launching a kernel is synchronous in the client; reading the script is not.
 * `first`: a message the worker gets before any other (read asynchronously too).
 */
class PendingWorker implements WorkerLike {
  onmessage: WorkerLike["onmessage"] = null;
  onerror: WorkerLike["onerror"] = null;
  private worker: Worker | undefined;
  private queued: unknown[] = [];
  private terminated = false;

  constructor(scriptUrl: Promise<string>, first?: Promise<unknown>) {
    Promise.all([scriptUrl, first]).then(([url, firstMessage]) => {
      if (this.terminated) return;
      const w = new Worker(url);
      w.onmessage = (e) => this.onmessage?.(e);
      w.onerror = (e) => this.onerror?.(e);
      this.worker = w;
      if (first) w.postMessage(firstMessage);
      for (const m of this.queued) w.postMessage(m);
      this.queued = [];
    }, (e: Error) => this.onerror?.({ message: `could not start the worker: ${e.message}` }));
  }

  postMessage(message: unknown): void {
    if (this.worker) this.worker.postMessage(message);
    else if (!this.terminated) this.queued.push(message);
  }

  terminate(): void {
    this.terminated = true;
    this.queued = [];
    this.worker?.terminate();
  }
}

export function webPlatform(context: vscode.ExtensionContext): Platform {
  const scripts = new Map<string, Promise<string>>();
  /** A blob: URL of one of the extension's scripts, read once. */
  const scriptUrl = (rel: string): Promise<string> => {
    let url = scripts.get(rel);
    if (!url) {
      url = Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, rel)))
        .then((bytes) => URL.createObjectURL(new Blob([new TextDecoder().decode(bytes)], { type: "text/javascript" })));
      scripts.set(rel, url);
    }
    return url;
  };
  // The declarations (megabytes) are read when IntelliSense first starts, once, not at activation.
  let typings: Promise<string> | undefined;
  const readTypings = (): Promise<string> =>
    (typings ??= Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, "dist", "types", "typings.json")))
      .then((bytes) => new TextDecoder().decode(bytes)));
  context.subscriptions.push({
    dispose: () => {
      for (const url of scripts.values()) void url.then((u) => URL.revokeObjectURL(u), () => undefined);
    },
  });
  const intellisenseWorker = (): WorkerPort => {
    const init = readTypings().then((text): WebWorkerInit => ({ type: "init", typings: text }));
    const worker = new PendingWorker(scriptUrl("dist/web/intellisenseWorker.js"), init);
    return {
      postMessage: (m) => worker.postMessage(m),
      terminate: () => worker.terminate(),
      listen({ message, lost }) {
        worker.onmessage = (e) => message(e.data as Parameters<typeof message>[0]);
        worker.onerror = (e) => {
          e.preventDefault?.();
          worker.terminate();
          lost(`failed: ${e.message ?? "unknown error"}`);
        };
      },
    };
  };
  return {
    kind: "web",
    kernel: (notebook, options) => new WorkerKernelClient({
      ...options,
      folder: paths.folderOf(notebook),
      files: workspaceFiles,
      createWorker: () => new PendingWorker(scriptUrl("dist/web/kernelWorker.js")),
    }),
    mayHaveLeftKernel: () => false,
    intellisenseWorker,
    paths,
  };
}
