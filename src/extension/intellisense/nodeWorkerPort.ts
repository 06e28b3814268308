/** The IntelliSense worker as a Node worker thread (the desktop extension host, the bench). No vscode import. */
import { Worker } from "node:worker_threads";
import type { WorkerData } from "./protocol";
import type { WorkerPort } from "./workerClient";

/** Starts dist/intellisenseWorker.js (worker.ts) with `data`. */
export function nodeWorkerPort(script: string, data: WorkerData): WorkerPort {
  const worker = new Worker(script, { workerData: data });
  return {
    postMessage: (m) => worker.postMessage(m),
    terminate: () => void worker.terminate(),
    listen({ message, lost }) {
      worker.on("message", message);
      worker.on("error", (err) => lost(`failed: ${err.message}`));
      worker.on("exit", (code) => lost(`exited with code ${code}`));
    },
  };
}
