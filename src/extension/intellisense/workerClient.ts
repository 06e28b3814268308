/**
 * The extension side of the IntelliSense worker thread: starts dist/intellisenseWorker.js on first
 * use, matches answers to requests, and starts a fresh worker after a crash (pending requests fail,
 * the next one restarts it). No vscode import.
 */
import { Worker } from "node:worker_threads";
import type { Op, Ops, WorkerData, WorkerRequest, WorkerResponse } from "./protocol";
import type { CellInput } from "./virtualNotebook";

export class IntelliSenseWorker {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly script: string, private readonly data: WorkerData, private readonly log: (message: string) => void = () => undefined) {}

  request<K extends Op>(op: K, notebook: string, cells: CellInput[] | undefined, args: Ops[K]["args"]): Promise<Ops[K]["result"]> {
    const worker = this.start();
    const seq = ++this.seq;
    return new Promise<Ops[K]["result"]>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      const message: WorkerRequest<K> = { seq, op, notebook, cells, args };
      worker.postMessage(message);
    });
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new Error("IntelliSense worker stopped"));
    void w?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { workerData: this.data });
    worker.on("message", (response: WorkerResponse) => {
      const waiting = this.pending.get(response.seq);
      if (!waiting) return;
      this.pending.delete(response.seq);
      if ("error" in response) waiting.reject(new Error(response.error));
      else waiting.resolve(response.result);
    });
    const lost = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.log(`IntelliSense worker ${why}; a new one starts with the next request`);
      this.failAll(new Error(`IntelliSense worker ${why}`));
    };
    worker.on("error", (err) => lost(`failed: ${err.message}`));
    worker.on("exit", (code) => lost(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
