/**
 * The kernel in a Web Worker, for VS Code's web worker extension host (vscode.dev, code-server's web
 * host), where no process can be started. The worker runs dist/web/kernelWorker.js
 * (src/kernel/web/worker.ts) and speaks the Node kernel's protocol (src/shared/protocol.ts) through
 * postMessage, plus two things a process does not need: its notebook's folder at start
 * (`webInit`), and the workspace files it asks for (`file` → `fileReply`), which only the extension
 * can reach (vscode.workspace.fs, given here as WorkerFiles). Stop after the grace period
 * terminates the worker; a fresh one starts with the next cell, as after a killed process.
 *
 * The worker script is started from a `blob:` URL: browsers refuse workers from the extension's own
 * `vscode-remote:`/`https:` resource URLs, whose origin is not the extension host's (vscode#168942).
 */
import type { FromWebKernel, ToKernel, WebFileReply, WebFileRequest, WebKernelInit } from "../shared/protocol";
import { KernelClientBase, STDERR_TAIL_CHARS, type KernelClientOptions } from "./kernelClientBase";
import type { KernelConnection, KernelExit, KernelProcessListener } from "./kernelProcess";

/** The workspace's files as the extension reaches them (vscode.workspace.fs). */
export interface WorkerFiles {
  /** What is at `uri`; for a folder, the names of the files in it. */
  stat(uri: string): Promise<{ kind: "file" | "folder" | "none"; entries?: string[] }>;
  read(uri: string): Promise<Uint8Array>;
  write(uri: string, content: Uint8Array): Promise<void>;
}

/** The Worker API a connection needs (the browser's `Worker`; a test may pass another of its kind). */
export interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string; preventDefault?(): void }) => void) | null;
}

export interface WorkerKernelOptions extends KernelClientOptions {
  /** Starts a fresh worker running the kernel script (a blob: URL's Worker). */
  createWorker(): WorkerLike;
  /** The notebook's folder as a URI string. */
  folder: string;
  files: WorkerFiles;
}

/** One kernel worker as KernelClientBase drives it. */
export class WorkerConnection implements KernelConnection {
  private ended: KernelExit | undefined;
  private endNow: (e: KernelExit) => void = () => undefined;
  stderrTail = "";
  readonly ready: Promise<void>;
  readonly exited: Promise<KernelExit>;
  readonly pid = undefined;

  constructor(private readonly worker: WorkerLike, init: WebKernelInit, private readonly files: WorkerFiles, listener: KernelProcessListener) {
    this.exited = new Promise((resolve) => {
      this.endNow = (e) => {
        if (this.ended) return;
        this.ended = e;
        this.worker.onmessage = null;
        this.worker.onerror = null;
        listener.exit(e);
        resolve(e);
      };
    });
    this.ready = new Promise<void>((resolve, reject) => {
      void this.exited.then(() => reject(new Error(`The kernel worker ended before it was ready.\n${this.stderrTail}`)));
      worker.onmessage = (e) => {
        const m = e.data as FromWebKernel;
        if (m.type === "file") {
          void this.answer(m);
          return;
        }
        if (m.type === "ready") resolve();
        listener.message(m);
      };
    });
    this.ready.catch(() => undefined);
    worker.onerror = (e) => {
      // An error the worker's own handlers did not catch (the script failed to load, a crash of the
      // kernel itself): the worker cannot be trusted any more — end it like a died process.
      e.preventDefault?.();
      const text = `The kernel worker failed: ${e.message ?? "unknown error"}\n`;
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
      listener.output("stderr", text);
      this.worker.terminate();
      this.endNow({ code: 1, signal: null });
    };
    worker.postMessage(init);
  }

  get hasExited(): boolean {
    return this.ended !== undefined;
  }

  send(m: ToKernel): void {
    if (!this.ended) this.worker.postMessage(m);
  }

  /** Ends the worker at once (what SIGKILL is to a process). */
  kill(): void {
    if (this.ended) return;
    this.worker.terminate();
    this.endNow({ code: null, signal: "SIGKILL" });
  }

  private async answer(r: WebFileRequest): Promise<void> {
    let reply: WebFileReply;
    try {
      switch (r.op) {
        case "stat": {
          const st = await this.files.stat(r.uri);
          reply = { type: "fileReply", id: r.id, ok: true, kind: st.kind, ...(st.entries ? { entries: st.entries } : {}) };
          break;
        }
        case "read":
          reply = { type: "fileReply", id: r.id, ok: true, kind: "file", content: await this.files.read(r.uri) };
          break;
        case "write":
          await this.files.write(r.uri, r.content ?? new Uint8Array(0));
          reply = { type: "fileReply", id: r.id, ok: true };
          break;
      }
    } catch (e) {
      reply = { type: "fileReply", id: r.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    if (!this.ended) this.worker.postMessage(reply);
  }
}

export class WorkerKernelClient extends KernelClientBase {
  constructor(private readonly workerOptions: WorkerKernelOptions) {
    super(workerOptions);
  }

  protected launch(listener: KernelProcessListener): KernelConnection {
    const { folder, maxOutputBytes, files } = this.workerOptions;
    const init: WebKernelInit = { type: "webInit", folder, ...(maxOutputBytes ? { maxOutputBytes } : {}) };
    return new WorkerConnection(this.workerOptions.createWorker(), init, files, listener);
  }
}
