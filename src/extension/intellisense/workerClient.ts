/**
 * The extension side of the IntelliSense worker: starts it on first use, matches answers to requests,
 * and starts a fresh worker after a crash (pending requests fail, the next one restarts it). Which kind
 * of worker is the host's (WorkerPort): a Node worker thread (nodeWorkerPort) in the desktop extension
 * host, a Web Worker in the web one. No vscode import.
 */
import type { Op, Ops, WorkerRequest, WorkerResponse } from "./protocol";
import type { CellInput } from "./virtualNotebook";

/** A started worker as the client needs it. */
export interface WorkerPort {
  postMessage(message: WorkerRequest): void;
  terminate(): void;
  /** `message` for each answer; `lost` once when the worker failed or ended by itself. */
  listen(handlers: { message(response: WorkerResponse): void; lost(why: string): void }): void;
}

export class IntelliSenseWorker {
  private worker: WorkerPort | undefined;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly startWorker: () => WorkerPort, private readonly log: (message: string) => void = () => undefined) {}

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
    w?.terminate();
  }

  private start(): WorkerPort {
    if (this.worker) return this.worker;
    const worker = this.startWorker();
    worker.listen({
      message: (response) => {
        const waiting = this.pending.get(response.seq);
        if (!waiting) return;
        this.pending.delete(response.seq);
        if ("error" in response) waiting.reject(new Error(response.error));
        else waiting.resolve(response.result);
      },
      lost: (why) => {
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.log(`IntelliSense worker ${why}; a new one starts with the next request`);
        this.failAll(new Error(`IntelliSense worker ${why}`));
      },
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
